"""Errors a user can act on: unknown refs with close matches, bad options, bad endpoints."""

from __future__ import annotations

import httpx
import pytest

from api.reports import build
from api.reports.client import HttpTransport, InProcessTransport, ReportError

KNOWN = "huggingface:meta-llama/Llama-3.1-8B-Instruct"


def test_unknown_refs_give_one_error_listing_each_with_close_matches(
    transport: InProcessTransport,
) -> None:
    refs = [
        KNOWN,
        "huggingface:Qwen/QwQ-32B-Previw",  # typo
        "huggingface:meta-llama/llama-3.2-1b",  # wrong case
        "kaggle:gemma_2b_en",  # id fragment
        "nothing:like-this-at-all",
    ]
    with pytest.raises(ReportError) as caught:
        build.build_compare(transport, refs)
    lines = str(caught.value).splitlines()
    assert lines[0] == "unknown model refs (write them as <platform>:<externalId>):"
    assert len(lines) == 5  # one line per unknown ref; the known one is not listed
    assert lines[1].startswith(
        "  huggingface:Qwen/QwQ-32B-Previw: did you mean huggingface:Qwen/QwQ-32B-Preview"
    )
    assert "did you mean huggingface:meta-llama/Llama-3.2-1B" in lines[2]
    assert "did you mean kaggle:google/gemma/keras/gemma_2b_en?" in lines[3]
    assert lines[4] == "  nothing:like-this-at-all"


def test_a_ref_without_platform_is_unknown_not_a_crash(transport: InProcessTransport) -> None:
    with pytest.raises(ReportError, match=r"Llama-3\.2-1B: did you mean huggingface:meta-llama"):
        build.build_compare(transport, ["Llama-3.2-1B", KNOWN])


def test_close_matches_prefer_the_same_id_and_ignore_case() -> None:
    candidates = ["huggingface:org/bert-base-uncased", "huggingface:org/gpt2", "kaggle:x/y"]
    assert build.close_matches("huggingface:org/BERT-base-uncased", candidates) == [
        "huggingface:org/bert-base-uncased"
    ]
    assert build.close_matches("bert-base-uncasd", candidates) == [
        "huggingface:org/bert-base-uncased"
    ]
    assert build.close_matches("totally-different", candidates) == []


def test_compare_needs_a_ref(transport: InProcessTransport) -> None:
    with pytest.raises(ReportError, match="at least one model ref"):
        build.build_compare(transport, [])


def test_an_unknown_task_is_refused_with_the_valid_ones(transport: InProcessTransport) -> None:
    with pytest.raises(ReportError, match="text-generation") as caught:
        build.build_landscape(transport, task="text-generaton")
    assert "text-generaton" in str(caught.value)


def test_top_out_of_range_is_refused(transport: InProcessTransport) -> None:
    with pytest.raises(ReportError, match="--top must be between 1 and 100"):
        build.build_landscape(transport, task="text-generation", top=500)


def test_an_unreachable_endpoint_is_named_in_the_error() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    client = httpx.Client(transport=httpx.MockTransport(refuse))
    endpoint = "http://127.0.0.1:9/graphql"
    with pytest.raises(
        ReportError, match=r"cannot reach the GraphQL endpoint http://127\.0\.0\.1:9"
    ):
        build.build_coverage(HttpTransport(endpoint, client=client))


def test_an_endpoint_that_is_not_graphql_is_explained() -> None:
    client = httpx.Client(
        transport=httpx.MockTransport(lambda r: httpx.Response(404, text="<h1>Not Found</h1>"))
    )
    with pytest.raises(ReportError, match="HTTP 404 without a GraphQL response"):
        build.build_coverage(HttpTransport("http://127.0.0.1:9/nope", client=client))
