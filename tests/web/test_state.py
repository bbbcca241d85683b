"""The search page's URL: every state survives a round trip, bounds read as people write
them, and chips remove exactly one filter."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import pytest
from starlette.datastructures import QueryParams

from api.web.state import SearchState, chips, graphql_variables, parse_amount
from catalog.queries.errors import QueryError


def state_of(query: str) -> SearchState:
    return SearchState.from_params(QueryParams(query))


def test_a_url_gives_back_the_same_state() -> None:
    state = state_of(
        "q=llama+instruct&formats=gguf&formats=onnx&exclude_licenses=other&params=lt-10m"
        "&min_params=1M&sort=likes&after=abc&utm_source=mail"
    )
    assert state.values == {"formats": ("gguf", "onnx")}
    assert state.exclude == {"licenses": ("other",)}
    again = SearchState.from_params(QueryParams(urlsplit(state.url()).query))
    assert again == state
    assert "utm_source" not in state.url()


@pytest.mark.parametrize(
    ("text", "value"),
    [("30M", 3e7), ("1.5b", 1.5e9), ("7000000", 7e6), (" 2 k ", 2e3), ("", None)],
)
def test_amounts_read_as_written(text: str, value: float | None) -> None:
    assert parse_amount(text, "min_params") == value


def test_a_malformed_amount_or_sort_is_refused_with_the_fix() -> None:
    with pytest.raises(QueryError, match=r"'lots' is not an amount \(write e.g. 30M"):
        state_of("max_params=lots")
    with pytest.raises(QueryError, match="unknown value 'popular' for sort; allowed:"):
        state_of("sort=popular")
    with pytest.raises(QueryError, match="unknown value 'huge' for params"):
        state_of("params=huge")


def test_ticked_buckets_filter_one_span() -> None:
    state = state_of("params=1b-10b&params=10m-100m")
    assert state.bucket_span() == ["10m-100m", "100m-1b", "1b-10b"]
    assert state.parameter_bounds() == (1e7, 1e10 - 1)  # upper edges are exclusive
    lowest = state_of("params=lt-10m")
    assert lowest.parameter_bounds() == (None, 1e7 - 1)
    capped = state_of("params=gte-100b&max_params=200B")
    assert capped.parameter_bounds() == (1e11, 2e11)


def test_default_sort_is_relevance_with_text_else_downloads() -> None:
    assert state_of("q=bert").effective_sort == "relevance"
    assert state_of("").effective_sort == "downloads"
    assert state_of("sort=relevance").effective_sort == "downloads"  # nothing to rank by
    query = state_of("q=bert&sort=likes").model_query(None)
    assert [(k.field, k.descending) for k in query.sort] == [("likes", True)]


def test_each_chip_removes_its_own_filter_and_goes_back_to_the_first_page() -> None:
    state = state_of("formats=gguf&formats=onnx&exclude_platforms=kaggle&min_params=1M&after=x")
    found = dict(chips(state, {("formats", "gguf"): "GGUF"}))
    assert set(found) == {
        "Format: GGUF",
        "Format: onnx",
        "Hub: not kaggle",
        "Parameters at least 1M",
    }
    removed = dict(parse_qsl(urlsplit(found["Format: GGUF"]).query))
    assert removed == {"formats": "onnx", "exclude_platforms": "kaggle", "min_params": "1M"}


def test_graphql_variables_mirror_the_state() -> None:
    state = state_of("q=qwq&formats=gguf&exclude_licenses=other&params=gte-100b&sort=likes")
    assert graphql_variables(state, derived_from_id=7) == {
        "filter": {
            "formats": ["gguf"],
            "exclude": {"licenses": ["other"]},
            "minParameters": 1e11,
            "derivedFrom": "7",
        },
        "sort": ["LIKES"],
        "search": "qwq",
    }
