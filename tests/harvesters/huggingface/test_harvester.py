"""The Hugging Face harvester's fetch, against the fake Hub on 127.0.0.1."""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from pydantic import ValidationError

from catalog.settings import Settings
from harvesters.base import FatalHarvestError, FetchContext, Page, RawRecord
from harvesters.http import RetryPolicy
from harvesters.huggingface.config import HuggingFaceConfig
from harvesters.huggingface.harvester import HuggingFaceHarvester
from harvesters.registry import harvester_class
from tests.harvesters.fakehub import FakeHub

TOKEN = "hf_TopSecretTokenValue1234567890"


def make(
    hub: FakeHub,
    *,
    token: str | None = None,
    sleeps: list[float] | None = None,
    attempts: int = 4,
    **config: Any,
) -> HuggingFaceHarvester:
    """A harvester on `hub` that records its retry waits instead of sleeping."""
    waits = sleeps if sleeps is not None else []
    return HuggingFaceHarvester(
        HuggingFaceConfig(url=hub.url, token=token, **config),
        Settings(),
        policy=RetryPolicy(attempts=attempts, base_delay=0.01, max_delay=60, timeout=10),
        sleep=waits.append,
    )


def fetch_all(harvester: HuggingFaceHarvester, ctx: FetchContext | None = None) -> list[Page]:
    try:
        return list(harvester.fetch(ctx or FetchContext()))
    finally:
        harvester.close()


def ids(pages: list[Page]) -> list[str | None]:
    return [r.external_id for p in pages for r in p.records]


def test_registered_under_its_platform_slug() -> None:
    cls = harvester_class("huggingface")
    assert cls is HuggingFaceHarvester
    assert cls.supports_incremental


def test_full_sweep_follows_link_pages(fake_hub: FakeHub) -> None:
    pages = fetch_all(make(fake_hub))
    assert [len(p.records) for p in pages] == [100, 100, 50]
    assert ids(pages) == [m["id"] for m in fake_hub.models]
    assert [p.checkpoint["next"] is None for p in pages if p.checkpoint] == [False, False, True]
    assert all("cursor=" in (p.checkpoint or {})["next"] for p in pages[:2])
    first = fake_hub.requests[0]
    assert "limit=1000" in first
    assert "expand=siblings" in first
    assert "sort=" not in first
    record = pages[0].records[0]
    assert record.cursor_value == fake_hub.models[0]["lastModified"]
    assert record.payload["siblings"]  # the fields normalize needs are in the payload


def test_limit_stops_after_that_many_models(fake_hub: FakeHub) -> None:
    pages = fetch_all(make(fake_hub), FetchContext(limit=30))
    assert ids(pages) == [m["id"] for m in fake_hub.models[:30]]
    assert len(fake_hub.requests) == 1
    assert "limit=30" in fake_hub.requests[0]
    assert pages[-1].checkpoint == {"next": None, "since": None, "count": 30}
    assert len(ids(fetch_all(make(fake_hub, limit=7)))) == 7  # config limit too


def test_incremental_walks_newest_first_and_stops_at_since(fake_hub: FakeHub) -> None:
    since = dt.datetime.fromisoformat(fake_hub.models[120]["lastModified"])
    pages = fetch_all(make(fake_hub), FetchContext(kind="incremental", since=since))
    expected = [m["id"] for m in reversed(fake_hub.models[120:])]
    assert ids(pages) == expected
    assert len(fake_hub.requests) == 2  # the third page is never asked for
    assert "sort=lastModified&direction=-1" in fake_hub.requests[0]
    assert pages[-1].checkpoint is not None
    assert pages[-1].checkpoint["next"] is None


def test_incremental_after_changes_picks_up_exactly_those(fake_hub: FakeHub) -> None:
    high_water = max(m["lastModified"] for m in fake_hub.models)
    changed = [fake_hub.models[i]["id"] for i in (3, 150, 77)]
    for model_id in changed:
        fake_hub.touch(model_id, likes=123456)
    since = dt.datetime.fromisoformat(high_water) + dt.timedelta(milliseconds=1)
    pages = fetch_all(make(fake_hub), FetchContext(kind="incremental", since=since))
    assert ids(pages) == list(reversed(changed))
    assert all(r.payload["likes"] == 123456 for p in pages for r in p.records)


def test_resume_continues_on_the_next_page_without_repeats(fake_hub: FakeHub) -> None:
    harvester = make(fake_hub)
    walk = harvester.fetch(FetchContext())
    first = next(walk)
    walk.close()  # the run dies after committing its first page
    harvester.close()
    checkpoint = json.loads(json.dumps(first.checkpoint))  # as stored in the database
    fake_hub.requests.clear()
    rest = fetch_all(make(fake_hub), FetchContext(resume=checkpoint))
    assert fake_hub.requests[0] == checkpoint["next"].removeprefix(fake_hub.url)
    assert ids([first, *rest]) == [m["id"] for m in fake_hub.models]
    assert rest[-1].checkpoint == {"next": None, "since": None, "count": 250}


def test_resumed_incremental_keeps_its_stop_moment(fake_hub: FakeHub) -> None:
    since = dt.datetime.fromisoformat(fake_hub.models[20]["lastModified"])
    harvester = make(fake_hub)
    walk = harvester.fetch(FetchContext(kind="incremental", since=since))
    first = next(walk)
    walk.close()
    harvester.close()
    ctx = FetchContext(kind="incremental", since=None, resume=first.checkpoint)
    rest = fetch_all(make(fake_hub), ctx)
    assert ids([first, *rest]) == [m["id"] for m in reversed(fake_hub.models[20:])]


def test_a_finished_checkpoint_fetches_nothing(fake_hub: FakeHub) -> None:
    done = {"next": None, "since": None, "count": 250}
    assert fetch_all(make(fake_hub), FetchContext(resume=done)) == []
    assert fake_hub.requests == []


def test_429_with_retry_after_then_success(fake_hub: FakeHub) -> None:
    sleeps: list[float] = []
    fake_hub.fail_next(429, headers={"Retry-After": "7"})
    pages = fetch_all(make(fake_hub, sleeps=sleeps))
    assert sleeps == [7.0]
    assert len(ids(pages)) == 250


def test_ratelimit_header_is_honoured(fake_hub: FakeHub) -> None:
    sleeps: list[float] = []
    fake_hub.fail_next(429, headers={"RateLimit": '"api";r=0;t=42'})
    assert len(ids(fetch_all(make(fake_hub, sleeps=sleeps)))) == 250
    assert sleeps == [42.0]


def test_burst_of_500s_then_success(fake_hub: FakeHub) -> None:
    sleeps: list[float] = []
    fake_hub.fail_next(500, times=3)
    pages = fetch_all(make(fake_hub, sleeps=sleeps, attempts=5))
    assert len(sleeps) == 3
    assert ids(pages) == [m["id"] for m in fake_hub.models]


def test_truncated_page_is_retried(fake_hub: FakeHub) -> None:
    sleeps: list[float] = []
    fake_hub.truncate_next(1)
    assert len(ids(fetch_all(make(fake_hub, sleeps=sleeps)))) == 250
    assert len(sleeps) == 1


def test_persistent_truncation_fails_without_advancing_the_checkpoint(fake_hub: FakeHub) -> None:
    harvester = make(fake_hub, attempts=3)
    walk = harvester.fetch(FetchContext())
    first = next(walk)
    fake_hub.truncate_next(10)
    with pytest.raises(FatalHarvestError, match="not valid JSON"):
        next(walk)
    harvester.close()
    assert first.checkpoint is not None
    # The last checkpoint handed out still points at the page that failed.
    assert fake_hub.requests[-1] == first.checkpoint["next"].removeprefix(fake_hub.url)


def test_token_is_sent_but_never_leaks(fake_hub: FakeHub, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    fake_hub.required_token = TOKEN
    pages = fetch_all(make(fake_hub, token=TOKEN))
    assert len(ids(pages)) == 250
    assert set(fake_hub.auth_headers) == {f"Bearer {TOKEN}"}
    assert all(TOKEN not in json.dumps(p.checkpoint) for p in pages)
    assert all(TOKEN not in path for path in fake_hub.requests)
    fake_hub.fail_next(503, times=10)
    with pytest.raises(FatalHarvestError) as failed:
        fetch_all(make(fake_hub, token=TOKEN, attempts=3))
    assert "503" in str(failed.value)
    assert str(failed.value).endswith("check HF_ENDPOINT and the network")
    assert TOKEN not in str(failed.value)
    assert TOKEN not in caplog.text
    assert "503" in caplog.text  # the retries were logged, without the token


def test_refused_token_is_a_fatal_error_that_says_so(fake_hub: FakeHub) -> None:
    fake_hub.required_token = "hf_the_right_one"
    with pytest.raises(FatalHarvestError, match="401.*token") as failed:
        fetch_all(make(fake_hub, token=TOKEN))
    assert str(failed.value).endswith("check HF_ENDPOINT, the network and HF_TOKEN")
    assert TOKEN not in str(failed.value)


def test_no_token_means_no_authorization_header(fake_hub: FakeHub) -> None:
    fetch_all(make(fake_hub), FetchContext(limit=1))
    assert fake_hub.auth_headers == [None]


def test_one_exact_author_is_asked_of_the_hub(fake_hub: FakeHub) -> None:
    pages = fetch_all(make(fake_hub, authors=["timm"]))
    expected = [m["id"] for m in fake_hub.models if m["id"].startswith("timm/")]
    assert expected
    assert ids(pages) == expected
    assert "author=timm" in fake_hub.requests[0]


def test_allow_and_deny_globs_filter_client_side(fake_hub: FakeHub) -> None:
    harvester = make(
        fake_hub, authors=["meta-*", "Qwen", "user*"], exclude_pipeline_tags=["text-*"]
    )
    records = [r for p in fetch_all(harvester) for r in p.records]
    assert records
    for record in records:
        author = record.payload.get("author") or str(record.external_id).split("/")[0]
        assert author.startswith(("meta-", "Qwen", "user"))
        assert not str(record.payload.get("pipeline_tag", "")).startswith("text-")
    assert "author=" not in fake_hub.requests[0]


def test_pipeline_tag_allow_list(fake_hub: FakeHub) -> None:
    records = [
        r for p in fetch_all(make(fake_hub, pipeline_tags=["text-to-image"])) for r in p.records
    ]
    assert records
    assert {r.payload["pipeline_tag"] for r in records} == {"text-to-image"}
    assert "pipeline_tag=text-to-image" in fake_hub.requests[0]


def test_private_models_are_out_of_scope_by_default(fake_hub: FakeHub) -> None:
    fake_hub.models[0]["private"] = True
    assert fake_hub.models[0]["id"] not in ids(fetch_all(make(fake_hub)))
    assert fake_hub.models[0]["id"] in ids(fetch_all(make(fake_hub, include_private=True)))


def test_search_and_filter_pass_through(fake_hub: FakeHub) -> None:
    pages = fetch_all(make(fake_hub, search="GGUF", filter=["gguf"]))
    assert ids(pages)
    assert all("gguf" in str(i).lower() for i in ids(pages))
    assert "search=GGUF" in fake_hub.requests[0]
    assert "filter=gguf" in fake_hub.requests[0]


def test_full_mode_asks_for_full_and_card_data(fake_hub: FakeHub) -> None:
    pages = fetch_all(make(fake_hub, full=True), FetchContext(limit=5))
    assert "full=true" in fake_hub.requests[0]
    assert "cardData=true" in fake_hub.requests[0]
    assert "expand=" not in fake_hub.requests[0]
    records = [r for p in pages for r in p.records]
    with_card = [m["id"] for m in fake_hub.models[:5] if "cardData" in m]
    assert with_card
    assert [r.external_id for r in records if "cardData" in r.payload] == with_card
    assert all("siblings" in r.payload for r in records)


def test_detail_mode_follows_renames_and_reports_models_gone(fake_hub: FakeHub) -> None:
    renamed, gone = fake_hub.models[1], fake_hub.models[2]
    new_id = fake_hub.models[3]["id"]
    fake_hub.renamed[renamed["id"]] = new_id
    fake_hub.gone.add(gone["id"])
    pages = fetch_all(make(fake_hub, detail=True), FetchContext(limit=3))
    records = [r for p in pages for r in p.records]
    # The gone model is skipped (and counts nowhere): the walk goes on to reach the limit.
    assert [r.external_id for r in records] == [fake_hub.models[0]["id"], new_id, new_id]
    assert records[1].payload["redirectedFrom"] == renamed["id"]
    problems = [problem for p in pages for problem in p.problems]
    assert problems == [(gone["id"], "listed, but its detail answered 404 (removed meanwhile)")]
    assert "size" in records[0].payload["siblings"][0]  # blobs=true: file sizes
    assert any(
        path.startswith(f"/api/models/{renamed['id']}?blobs=true") for path in fake_hub.requests
    )


def test_normalize_uses_the_pure_parser(fake_hub: FakeHub) -> None:
    harvester = make(fake_hub)
    payload = fake_hub.models[0]
    record = harvester.normalize(RawRecord(payload["id"], payload))
    harvester.close()
    assert record.external_id == payload["id"]
    assert record.platform == "huggingface"


# -- behaviour that needs a misbehaving server: an in-process transport ------------------


def scripted(handler: Callable[[httpx.Request], httpx.Response]) -> HuggingFaceHarvester:
    return HuggingFaceHarvester(
        HuggingFaceConfig(url="https://hub.test", token=TOKEN),
        Settings(),
        policy=RetryPolicy(attempts=2, base_delay=0, timeout=5),
        sleep=lambda _: None,
        transport=httpx.MockTransport(handler),
    )


def test_next_links_to_another_host_are_rebased_onto_the_endpoint() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if "cursor" in request.url.params:
            return httpx.Response(200, json=[{"id": "b/2"}])
        link = '<https://elsewhere.example/api/models?limit=1&cursor=abc>; rel="next"'
        return httpx.Response(200, json=[{"id": "a/1"}], headers={"Link": link})

    assert ids(fetch_all(scripted(handler))) == ["a/1", "b/2"]
    assert [r.url.host for r in seen] == ["hub.test", "hub.test"]


def test_a_link_back_to_the_same_page_is_a_pagination_loop() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200, json=[{"id": "a/1"}], headers={"Link": f'<{request.url}>; rel="next"'}
        )

    with pytest.raises(FatalHarvestError, match="pagination loop"):
        fetch_all(scripted(handler))


def test_a_body_that_is_not_a_list_is_fatal() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"error": "maintenance"})

    with pytest.raises(FatalHarvestError, match="not a list"):
        fetch_all(scripted(handler))


def test_items_that_are_not_objects_are_passed_on_for_quarantine() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=[{"id": "a/1"}, "junk", {"modelId": 5}])

    (page,) = fetch_all(scripted(handler))
    assert [r.external_id for r in page.records] == ["a/1", None, None]
    assert page.records[1].payload == "junk"


def test_config_is_strict() -> None:
    with pytest.raises(ValidationError):
        HuggingFaceConfig(unknown_option=1)  # type: ignore[call-arg]
    with pytest.raises(ValidationError):
        HuggingFaceConfig(page_size=5000)
    from_env = HuggingFaceConfig(authors='["google", "meta-*"]', page_size="250")  # type: ignore[arg-type]
    assert from_env.authors == ("google", "meta-*")
    assert from_env.page_size == 250
