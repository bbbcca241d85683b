"""The Civitai harvester against a local fake of its models API: paging, faults, eras."""

from __future__ import annotations

import datetime as dt
import json
import logging
from typing import Any

import pytest
from sqlalchemy import Engine, text

from catalog.settings import Settings
from harvesters.base import FatalHarvestError, FetchContext, Page
from harvesters.civitai.config import CivitaiConfig
from harvesters.civitai.harvester import CivitaiHarvester
from harvesters.registry import harvester_class
from harvesters.runner import RunOptions, RunResult, run_harvest
from tests.harvesters.civitai.fake_civitai import TOO_MANY_PAGES, FakeCivitai, running

from .conftest import TOKEN, by_id, fixture_models

FAST = {"http_backoff": 0, "http_attempts": 3}
MODELS = 19  # fixture models with an id; the 20th item has none


def harvester(fake: FakeCivitai, **options: Any) -> CivitaiHarvester:
    config = CivitaiConfig(url=fake.base_url, **{**FAST, **options})
    return CivitaiHarvester(config, Settings(), sleep=lambda _: None)


def pages(fake: FakeCivitai, ctx: FetchContext | None = None, **options: Any) -> list[Page]:
    civitai = harvester(fake, **options)
    try:
        return list(civitai.fetch(ctx or FetchContext()))
    finally:
        civitai.close()


def ids(found: list[Page]) -> list[str | None]:
    return [r.external_id for page in found for r in page.records]


def run(engine: Engine, fake: FakeCivitai, **options: Any) -> RunResult:
    overrides = {**FAST, "page_size": 5, **options.pop("overrides", {})}
    settings = Settings(harvesters={"civitai": {"url": fake.base_url}})
    return run_harvest(
        "civitai",
        engine=engine,
        settings=settings,
        options=RunOptions(overrides=overrides, **options),
    )


def test_the_hub_registers_with_its_schedules() -> None:
    cls = harvester_class("civitai")
    assert cls is CivitaiHarvester
    assert cls.schedules == {"incremental": "every 1h", "full": "0 4 * * 0"}
    assert cls.supports_incremental


def test_cursor_paging_follows_next_cursor_to_the_end(fake_civitai: FakeCivitai) -> None:
    found = pages(fake_civitai, page_size=5)
    assert len(found) == 4
    assert len(ids(found)) == 20  # the id-less item too: the runner quarantines it
    assert len({i for i in ids(found) if i}) == MODELS
    assert [p.checkpoint is None for p in found] == [False, False, False, True]
    first = fake_civitai.requests[0]
    assert first["limit"] == ["5"]
    assert first["sort"] == ["Oldest"]
    assert first["nsfw"] == ["true"]
    assert "cursor" not in first
    assert found[0].checkpoint is not None
    assert fake_civitai.requests[1]["cursor"] == [found[0].checkpoint["cursor"]]
    assert found[0].checkpoint["cursor"].count("|") == 1  # the fake's keyset cursor, opaque


def test_full_sweeps_walk_oldest_first_and_carry_the_publication_time(
    fake_civitai: FakeCivitai,
) -> None:
    records = [r for page in pages(fake_civitai, page_size=100) for r in page.records]
    times = [r.cursor_value for r in records if r.cursor_value]
    assert times == sorted(times, key=dt.datetime.fromisoformat)
    tweaker = next(r for r in records if r.external_id == "122359")
    assert tweaker.cursor_value == "2023-08-07T14:55:02.627000+00:00"


def test_request_options_reach_the_api(fake_civitai: FakeCivitai) -> None:
    found = pages(
        fake_civitai,
        types=("LORA", "DoRA"),
        base_models=("SDXL 1.0",),
        sort="Most Downloaded",
        period="Month",
        primary_file_only=True,
    )
    query = fake_civitai.requests[0]
    assert query["types"] == ["LORA", "DoRA"]
    assert query["baseModels"] == ["SDXL 1.0"]
    assert (query["sort"], query["period"], query["primaryFileOnly"]) == (
        ["Most Downloaded"],
        ["Month"],
        ["true"],
    )
    assert ids(found) == ["122359"]


def test_page_mode_asks_page_after_page(fake_civitai: FakeCivitai) -> None:
    found = pages(fake_civitai, paging="page", page_size=6)
    assert [q["page"] for q in fake_civitai.requests] == [["1"], ["2"], ["3"], ["4"]]
    assert len(ids(found)) == 20
    assert found[0].checkpoint == {
        "mode": "page",
        "cursor": None,
        "page": 2,
        "sort": "Oldest",
        "since": None,
        "count": 6,
    }
    assert found[-1].checkpoint is None


def test_page_mode_of_the_2023_api_reads_total_pages(fake_civitai: FakeCivitai) -> None:
    fake_civitai.era = "legacy"
    found = pages(fake_civitai, paging="page", page_size=10)
    assert len(found) == 2
    assert len(ids(found)) == 20


def test_page_mode_goes_on_with_cursors_at_civitais_cap(fake_civitai: FakeCivitai) -> None:
    fake_civitai.era = "both"  # pages also offer a cursor (as in 2024)
    fake_civitai.models = [dict(by_id()[122359], id=n) for n in range(1, 1251)]
    found = pages(fake_civitai, paging="page", page_size=100)
    modes = ["page" if "page" in q else "cursor" for q in fake_civitai.requests]
    assert modes == ["page"] * 10 + ["cursor"] * 3  # never page 11: 11 * 100 > 1000
    assert len(set(ids(found))) == len(ids(found)) == 1250
    assert found[9].checkpoint is not None
    assert found[9].checkpoint["mode"] == "cursor"


def test_page_mode_without_a_cursor_stops_at_the_cap_and_says_use_cursors(
    fake_civitai: FakeCivitai,
) -> None:
    fake_civitai.page_cap = 1000
    fake_civitai.models = [dict(by_id()[122359], id=n) for n in range(1, 1102)]
    with pytest.raises(FatalHarvestError, match="PAGING=cursor"):
        pages(fake_civitai, paging="page", page_size=100)
    assert [q["page"] for q in fake_civitai.requests][-1] == ["10"]  # never asks page 11


def test_a_server_refusing_a_page_says_to_use_cursors(fake_civitai: FakeCivitai) -> None:
    fake_civitai.page_cap = 10  # a stricter cap than Civitai documents
    with pytest.raises(FatalHarvestError) as raised:
        pages(fake_civitai, paging="page", page_size=5, http_attempts=1)
    message = str(raised.value)
    assert "answered 429" in message
    assert "page * limit > 1000" in message
    assert "CATALOG_HARVESTERS__CIVITAI__PAGING=cursor" in message


def test_the_fake_refuses_deep_pages_as_civitai_does(fake_civitai: FakeCivitai) -> None:
    status, body = fake_civitai.answer({"page": ["11"], "limit": ["100"]})
    assert (status, body) == (429, {"error": TOO_MANY_PAGES})


def test_429_with_retry_after_and_5xx_are_retried(fake_civitai: FakeCivitai) -> None:
    fake_civitai.fail_next(429, headers={"Retry-After": "7"})
    fake_civitai.fail_next(503)
    fake_civitai.fail_next(500)
    waits: list[float] = []
    civitai = CivitaiHarvester(
        CivitaiConfig(url=fake_civitai.base_url, http_attempts=4, http_backoff=0),
        Settings(),
        sleep=waits.append,
    )
    try:
        found = list(civitai.fetch(FetchContext()))
    finally:
        civitai.close()
    assert len(ids(found)) == 20
    assert waits[0] == 7.0  # Retry-After honoured
    assert len(waits) == 3


def test_retries_spent_fail_with_the_setting_to_check(fake_civitai: FakeCivitai) -> None:
    fake_civitai.fail_next(502, times=3)
    with pytest.raises(FatalHarvestError) as raised:
        pages(fake_civitai)
    message = str(raised.value)
    assert "answered 502" in message
    assert "gave up after 3 attempts" in message
    assert "CATALOG_HARVESTERS__CIVITAI__URL" in message


def test_a_truncated_body_is_retried(fake_civitai: FakeCivitai) -> None:
    fake_civitai.truncate_next()
    assert len(ids(pages(fake_civitai, page_size=100))) == 20


def test_a_cursor_loop_is_fatal(fake_civitai: FakeCivitai) -> None:
    fake_civitai.loop = True
    with pytest.raises(FatalHarvestError, match="paging loop"):
        pages(fake_civitai, page_size=5)


def test_a_body_that_is_not_a_page_says_check_the_url(fake_civitai: FakeCivitai) -> None:
    fake_civitai.body_override = b'{"models": []}'
    with pytest.raises(FatalHarvestError, match="not a page of models"):
        pages(fake_civitai)


def test_a_url_ending_in_the_api_path_works_too(fake_civitai: FakeCivitai) -> None:
    config = CivitaiConfig(url=f"{fake_civitai.base_url}/api/v1/", **FAST)
    assert config.api_url() == f"{fake_civitai.base_url}/api/v1/models"


def test_models_repeated_across_a_page_boundary_are_yielded_once(
    fake_civitai: FakeCivitai,
) -> None:
    models = fixture_models()
    fake_civitai.models = [*models, dict(models[0])]  # listed twice
    found = pages(fake_civitai, page_size=100)
    named = [i for i in ids(found) if i]
    assert len(named) == len(set(named)) == MODELS


def test_the_token_goes_in_a_bearer_header_and_never_into_urls_or_messages(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("CIVITAI_API_TOKEN", TOKEN)
    with running(FakeCivitai(fixture_models(), token=TOKEN)) as fake:
        settings = Settings(harvesters={"civitai": {"url": fake.base_url, **FAST}})
        civitai = CivitaiHarvester.from_settings(settings)
        assert TOKEN not in repr(civitai.config)
        found = list(civitai.fetch(FetchContext()))
        civitai.close()
        assert fake.authorizations == [f"Bearer {TOKEN}"]
        assert not any(TOKEN in json.dumps(q) for q in fake.requests)
        assert not any(TOKEN in json.dumps(p.checkpoint) for p in found)

        fake.token = "another-key"
        caplog.set_level(logging.DEBUG)
        with pytest.raises(FatalHarvestError) as raised:
            list(CivitaiHarvester.from_settings(settings).fetch(FetchContext()))
    message = str(raised.value)
    assert "answered 401" in message
    assert "CIVITAI_API_TOKEN" in message
    assert TOKEN not in message
    assert TOKEN not in caplog.text


def test_without_a_token_no_authorization_header_is_sent(fake_civitai: FakeCivitai) -> None:
    pages(fake_civitai, page_size=100)
    assert fake_civitai.authorizations == [""]


def test_skip_nsfw_asks_for_safe_models_and_drops_any_nsfw_one_listed(
    fake_civitai: FakeCivitai,
) -> None:
    found = pages(fake_civitai, page_size=100, skip_nsfw=True)
    assert fake_civitai.requests[0]["nsfw"] == ["false"]
    assert {"4514", "8109", "900007"}.isdisjoint(ids(found))
    assert len([i for i in ids(found) if i]) == MODELS - 3

    fake_civitai.requests.clear()
    fake_civitai.answer = lambda query: (200, {"items": fixture_models(), "metadata": {}})  # type: ignore[method-assign]
    found = pages(fake_civitai, page_size=100, skip_nsfw=True)  # a server that ignores nsfw
    assert {"4514", "8109", "900007"}.isdisjoint(ids(found))
    assert found[0].problems == [
        ("skip_nsfw", "NSFW models Civitai listed were skipped, as skip_nsfw asks")
    ]


def test_limit_stops_early_and_keeps_a_checkpoint(fake_civitai: FakeCivitai) -> None:
    found = pages(fake_civitai, FetchContext(limit=7), page_size=5)
    assert len(ids(found)) == 7
    assert found[-1].checkpoint is not None
    assert fake_civitai.requests[-1]["limit"] == ["2"]


def test_a_checkpoint_resumes_on_the_next_page_and_one_of_another_order_starts_over(
    fake_civitai: FakeCivitai,
) -> None:
    first = pages(fake_civitai, page_size=5)
    resume = first[1].checkpoint
    assert resume is not None
    fake_civitai.requests.clear()
    rest = pages(fake_civitai, FetchContext(resume=resume), page_size=5)
    assert ids(rest) == ids(first[2:])
    assert fake_civitai.requests[0]["cursor"] == [resume["cursor"]]

    other_order = pages(fake_civitai, FetchContext(resume=resume), page_size=5, sort="Newest")
    assert len(ids(other_order)) == 20


def test_incremental_walks_newest_first_and_stops_before_since(
    fake_civitai: FakeCivitai,
) -> None:
    since = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    found = pages(fake_civitai, FetchContext(kind="incremental", since=since), page_size=3)
    assert fake_civitai.requests[0]["sort"] == ["Newest"]
    newer = {
        str(m["id"])
        for m in fixture_models()
        if "id" in m
        and max(v.get("publishedAt") or v.get("createdAt") for v in m["modelVersions"])
        >= "2025-01-01"
    }
    assert set(ids(found)) == newer
    assert len(fake_civitai.requests) < 7  # it stopped instead of walking everything
    assert found[-1].checkpoint is None


# -- through the runner ------------------------------------------------------------------------


def _stored(engine: Engine, sql: str, **params: Any) -> list[Any]:
    with engine.connect() as conn:
        return list(conn.execute(text(sql), params))


def test_a_full_run_loads_every_model_and_quarantines_the_broken_item(
    fake_civitai: FakeCivitai, fresh_engine: Engine
) -> None:
    result = run(fresh_engine, fake_civitai)
    assert result.ok, result.error
    assert (result.counts["new"], result.counts["quarantined"]) == (MODELS, 1)
    assert result.details["unmapped"] == {
        "type:Cosmetic": 1,
        "base-model:SuperModel 9": 1,
        "format:NF4Tensor": 1,
    }
    [reason] = _stored(fresh_engine, "select reason from quarantine")
    assert reason[0] == "payload has no usable id"
    lineage = _stored(
        fresh_engine,
        "select m.external_id, p.slug, l.parent_external_id, l.relation from model_lineage l "
        "join models m on m.id = l.child_id join platforms p on p.id = l.parent_platform_id "
        "where m.external_id in ('122359', '900007')",
    )
    assert set(lineage) == {
        ("122359", "huggingface", "stabilityai/stable-diffusion-xl-base-1.0", "adapter"),
        ("900007", "huggingface", "stable-diffusion-v1-5/stable-diffusion-v1-5", "merge"),
    }
    flags = dict(_stored(fresh_engine, "select external_id, nsfw from models"))
    assert {ref for ref, nsfw in flags.items() if nsfw} == {"4514", "8109", "900007"}
    assert set(flags.values()) == {True, False}  # Civitai always says
    metrics = _stored(
        fresh_engine,
        "select mm.likes from model_metrics mm join models m on m.id = mm.model_id "
        "where m.external_id = '122359'",
    )
    assert metrics == [(40116,)]


def test_incremental_run_picks_up_new_versions_after_the_high_water_mark(
    fake_civitai: FakeCivitai, fresh_engine: Engine
) -> None:
    full = run(fresh_engine, fake_civitai)
    assert full.ok, full.error
    fresh = dict(by_id()[1580878])
    fresh["modelVersions"] = [
        {
            **fresh["modelVersions"][0],
            "id": 3000001,
            "name": "v2",
            "publishedAt": "2030-01-01T00:00:00Z",
        },
        *fresh["modelVersions"],
    ]
    newcomer = dict(by_id()[122359], id=4000001, name="A model published later")
    newcomer["modelVersions"] = [
        {**newcomer["modelVersions"][0], "publishedAt": "2030-01-02T00:00:00Z"}
    ]
    fake_civitai.models = [m for m in fake_civitai.models if m.get("id") != 1580878]
    fake_civitai.models += [fresh, newcomer]
    fake_civitai.requests.clear()

    incremental = run(fresh_engine, fake_civitai)
    assert incremental.ok, incremental.error
    assert incremental.kind == "incremental"
    assert (incremental.counts["new"], incremental.counts["changed"]) == (1, 1)
    assert incremental.counts["seen"] <= 5  # the new ones and the look-back, not a sweep
    assert all(q["sort"] == ["Newest"] for q in fake_civitai.requests)
    [(versions,)] = _stored(
        fresh_engine,
        "select count(*) from model_versions v join models m on m.id = v.model_id "
        "where m.external_id = '1580878'",
    )
    assert versions == 3
