"""The search page's URL: every state survives a round trip, bounds read as people write
them, and chips remove exactly one filter."""

from __future__ import annotations

from dataclasses import replace
from urllib.parse import parse_qsl, urlsplit

import pytest
from starlette.datastructures import QueryParams

from api.web.state import SearchState, chips, graphql_variables, parse_amount, parse_size
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


def test_derived_filters_survive_a_round_trip() -> None:
    state = state_of(
        "usages=zero-shot&exclude_usages=fine-tuning&license_classes=permissive"
        "&memory=le-24gib&memory=le-4gib&max_memory=12GiB&commercial_use=1"
    )
    assert state.values == {"usages": ("zero-shot",), "license_classes": ("permissive",)}
    assert state.exclude == {"usages": ("fine-tuning",)}
    assert (state.memory, state.commercial_use) == (("le-4gib", "le-24gib"), True)
    assert SearchState.from_params(QueryParams(urlsplit(state.url()).query)) == state
    flt = state.model_filter(None)
    assert (flt.max_memory_bytes, flt.commercial_use) == (12 * 2**30, True)  # typed < 24 GiB
    assert state_of("memory=le-8gib&memory=le-1gib").memory_bound() == 8 * 2**30  # OR: largest
    assert state_of("").model_filter(None).commercial_use is None


@pytest.mark.parametrize(
    ("text", "value"),
    [("12", 12 * 2**30), ("1.5GiB", 1.5 * 2**30), ("500 MiB", 500 * 2**20), ("16gb", 16e9)],
)
def test_sizes_read_as_written(text: str, value: float) -> None:
    assert parse_size(text, "max_memory") == value


def test_a_malformed_size_flag_or_memory_limit_is_refused() -> None:
    with pytest.raises(QueryError, match=r"'12 bytes' is not a size \(write e.g. 12, 12GiB"):
        state_of("max_memory=12+bytes")
    with pytest.raises(QueryError, match="commercial_use: write commercial_use=1"):
        state_of("commercial_use=no")
    with pytest.raises(QueryError, match="unknown value 'gt-80gib' for memory"):
        state_of("memory=gt-80gib")


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
    derived = dict(chips(state_of("memory=le-8gib&commercial_use=1&usages=zero-shot"), {}))
    assert set(derived) == {
        "Usage: zero-shot",
        "Memory: weights ≤ 8 GiB",
        "Commercial use allowed",
    }
    left = dict(parse_qsl(urlsplit(derived["Commercial use allowed"]).query))
    assert left == {"usages": "zero-shot", "memory": "le-8gib"}


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
    derived = state_of("license_classes=copyleft&exclude_usages=zero-shot&memory=le-1gib")
    assert graphql_variables(replace(derived, commercial_use=True), None)["filter"] == {
        "licenseClasses": ["copyleft"],
        "exclude": {"usages": ["zero-shot"]},
        "maxMemoryBytes": 2**30,
        "commercialUse": True,
    }
