"""ModelScope fetch against the local fake: paging, details, faults, schema variants, secrets."""

from __future__ import annotations

import logging

import pytest
from pydantic import ValidationError

from catalog.settings import Settings
from harvesters.base import FatalHarvestError, FetchContext, Page
from harvesters.modelscope.harvester import ModelScopeHarvester
from harvesters.registry import harvester_class
from tests.harvesters.modelscope.fake_modelscope import DETAIL_PREFIX, LIST_PATH, FakeModelScope
from tests.harvesters.onnx_zoo.local_http import dead_base_url

from .conftest import fixture_models

MODELS = 37
TOKEN = "fixture-modelscope-token-0123456789"


def harvester(url: str, **config: object) -> ModelScopeHarvester:
    built = ModelScopeHarvester.from_settings(
        Settings(), {"url": url, "http_attempts": 3, "page_size": 10, **config}
    )
    assert isinstance(built, ModelScopeHarvester)
    return built


def fetch_all(h: ModelScopeHarvester, ctx: FetchContext | None = None) -> list[Page]:
    try:
        return list(h.fetch(ctx or FetchContext()))
    finally:
        h.close()


def ids_of(pages: list[Page]) -> list[str | None]:
    return [r.external_id for page in pages for r in page.records]


def listing_requests(fake: FakeModelScope) -> list[dict[str, str]]:
    return [params for path, params in fake.requests if path == LIST_PATH]


def detail_requests(fake: FakeModelScope) -> list[str]:
    return [path for path, _ in fake.requests if path.startswith(DETAIL_PREFIX)]


def test_registered_with_a_daily_full_sweep() -> None:
    assert harvester_class("modelscope") is ModelScopeHarvester
    assert ModelScopeHarvester.schedules == {"full": "every 1d"}
    assert ModelScopeHarvester.supports_incremental is False


def test_pages_by_number_until_the_total_with_a_checkpoint_each(
    fake_modelscope: FakeModelScope,
) -> None:
    pages = fetch_all(harvester(fake_modelscope.base_url))
    assert len(ids_of(pages)) == MODELS
    assert [p.checkpoint for p in pages] == [{"page": 2}, {"page": 3}, {"page": 4}, None]
    assert listing_requests(fake_modelscope) == [
        {"page_number": str(n), "page_size": "10"} for n in (1, 2, 3, 4)
    ]
    # The nameless model has no id: it is landed (and quarantined later), never asked about.
    assert ids_of(pages).count(None) == 1
    assert len(detail_requests(fake_modelscope)) == MODELS - 1


def test_each_record_pairs_the_listing_item_with_its_detail(
    fake_modelscope: FakeModelScope,
) -> None:
    pages = fetch_all(harvester(fake_modelscope.base_url))
    record = next(
        r for p in pages for r in p.records if r.external_id == "Qwen/Qwen2.5-7B-Instruct"
    )
    assert record.payload["listing"]["display_name"] == "通义千问2.5-7B-Instruct"
    assert record.payload["detail"]["Libraries"] == ["transformers", "safetensors", "pytorch"]


def test_resume_starts_at_the_saved_page(fake_modelscope: FakeModelScope) -> None:
    pages = fetch_all(harvester(fake_modelscope.base_url), FetchContext(resume={"page": 4}))
    expected = [f"{m['Path']}/{m['Name']}" for m in fixture_models()[30:36]]
    assert ids_of(pages)[:6] == expected
    assert listing_requests(fake_modelscope)[0]["page_number"] == "4"


def test_limit_stops_early_and_keeps_a_checkpoint(fake_modelscope: FakeModelScope) -> None:
    pages = fetch_all(harvester(fake_modelscope.base_url), FetchContext(limit=13))
    assert len(ids_of(pages)) == 13
    assert pages[-1].checkpoint == {"page": 3}
    assert len(listing_requests(fake_modelscope)) == 2


def test_429_with_retry_after_and_5xx_are_retried(fake_modelscope: FakeModelScope) -> None:
    fake_modelscope.fail_next(429, retry_after="0", path=LIST_PATH)
    fake_modelscope.fail_next(503, times=2, retry_after="0", path=DETAIL_PREFIX)
    pages = fetch_all(harvester(fake_modelscope.base_url))
    assert len(ids_of(pages)) == MODELS
    assert not fake_modelscope.faults
    assert len(listing_requests(fake_modelscope)) == 5  # page 1 twice


def test_errors_that_outlive_the_retries_fail_the_run_saying_what_to_check(
    fake_modelscope: FakeModelScope,
) -> None:
    fake_modelscope.fail_next(500, times=3, retry_after="0", path=LIST_PATH)
    with pytest.raises(
        FatalHarvestError, match=r"answered 500.*CATALOG_HARVESTERS__MODELSCOPE__URL"
    ):
        fetch_all(harvester(fake_modelscope.base_url))


def test_a_model_gone_before_its_detail_keeps_its_listing_and_is_reported(
    fake_modelscope: FakeModelScope,
) -> None:
    fake_modelscope.gone.add("Qwen/Qwen2.5-7B-Instruct")
    pages = fetch_all(harvester(fake_modelscope.base_url))
    record = next(
        r for p in pages for r in p.records if r.external_id == "Qwen/Qwen2.5-7B-Instruct"
    )
    assert record.payload["detail"] is None
    problems = [problem for p in pages for problem in p.problems]
    assert problems == [
        ("Qwen/Qwen2.5-7B-Instruct", "the detail endpoint does not know it: listing only")
    ]
    assert len(ids_of(pages)) == MODELS


def test_details_never_harvests_the_listing_alone(fake_modelscope: FakeModelScope) -> None:
    h = harvester(fake_modelscope.base_url, details="never")
    pages = fetch_all(h)
    assert len(ids_of(pages)) == MODELS
    assert detail_requests(fake_modelscope) == []
    records = [h.normalize(r) for p in pages for r in p.records if r.external_id]
    assert all(r.formats == () for r in records)  # frameworks come with the detail only
    assert sum(1 for r in records if r.tasks) > 20


def test_the_older_pascal_case_listing_needs_no_detail(fake_modelscope: FakeModelScope) -> None:
    fresh = harvester(fake_modelscope.base_url)
    expected = {
        r.external_id: fresh.normalize(r)
        for p in fetch_all(fresh)
        for r in p.records
        if r.external_id
    }
    fake_modelscope.requests.clear()
    fake_modelscope.listing = "legacy"
    legacy = harvester(fake_modelscope.base_url)
    pages = fetch_all(legacy)
    assert detail_requests(fake_modelscope) == []
    got = {r.external_id: legacy.normalize(r) for p in pages for r in p.records if r.external_id}
    assert set(got) == {i for i in expected if i}
    for ref, record in got.items():
        # Same facts; only the provenance paths differ (no listing section).
        assert record.name == expected[ref].name
        assert record.tasks == expected[ref].tasks
        assert record.formats == expected[ref].formats
        assert record.lineage == expected[ref].lineage
        assert record.downloads_all_time == expected[ref].downloads_all_time


def test_a_paging_loop_fails_the_run(fake_modelscope: FakeModelScope) -> None:
    fake_modelscope.loop = True
    with pytest.raises(FatalHarvestError, match="paging loop"):
        fetch_all(harvester(fake_modelscope.base_url))


def test_a_listing_that_ends_before_its_total_is_an_incomplete_sweep(
    fake_modelscope: FakeModelScope,
) -> None:
    fake_modelscope.window = 20  # like the SDK's page_number * page_size <= 3000
    with pytest.raises(FatalHarvestError, match="before the 37 models it reported"):
        fetch_all(harvester(fake_modelscope.base_url))


def test_the_token_is_sent_in_headers_and_never_shown(
    fake_modelscope: FakeModelScope,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    fake_modelscope.token = TOKEN
    monkeypatch.setenv("MODELSCOPE_API_TOKEN", TOKEN)  # the SDK's variable
    h = harvester(fake_modelscope.base_url)
    assert TOKEN not in repr(h.config)
    pages = fetch_all(h)
    assert len(ids_of(pages)) == MODELS
    assert {s.get("Authorization") for s in fake_modelscope.headers_seen} == {f"Bearer {TOKEN}"}
    assert {s.get("Cookie") for s in fake_modelscope.headers_seen} == {f"m_session_id={TOKEN}"}

    monkeypatch.setenv("MODELSCOPE_API_TOKEN", "wrong-token-value")
    with caplog.at_level(logging.DEBUG), pytest.raises(FatalHarvestError) as failed:
        fetch_all(harvester(fake_modelscope.base_url))
    assert "answered 401" in str(failed.value)
    assert "MODELSCOPE_API_TOKEN" in str(failed.value)
    assert "wrong-token-value" not in str(failed.value) + caplog.text


def test_an_unreachable_site_names_the_setting() -> None:
    with pytest.raises(FatalHarvestError, match="CATALOG_HARVESTERS__MODELSCOPE__URL"):
        fetch_all(harvester(dead_base_url(), http_attempts=1))


def test_a_server_that_is_not_modelscope_is_named(fake_modelscope: FakeModelScope) -> None:
    with pytest.raises(
        FatalHarvestError, match="answered 404.*CATALOG_HARVESTERS__MODELSCOPE__URL"
    ):
        fetch_all(harvester(fake_modelscope.base_url + "/elsewhere"))


def test_options_are_checked_and_named() -> None:
    with pytest.raises(ValidationError):
        ModelScopeHarvester.from_settings(Settings(), {"details": "sometimes"})
    with pytest.raises(ValidationError):
        ModelScopeHarvester.from_settings(Settings(), {"page_size": 0})
