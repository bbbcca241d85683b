"""Kaggle fetch against a local fake API: paging, credentials, faults, secrets kept out."""

from __future__ import annotations

import base64
import json
import logging
from pathlib import Path

import pytest

from catalog.records import InvalidRecordError
from catalog.settings import Settings
from harvesters.base import FatalHarvestError, FetchContext, Page
from harvesters.kaggle.harvester import KaggleHarvester
from harvesters.registry import harvester_class
from tests.harvesters.kaggle.fake_kaggle import FakeKaggle, running
from tests.harvesters.onnx_zoo.local_http import dead_base_url

from .conftest import TOKEN, fixture_models

MODELS = 12


def harvester(url: str, **config: object) -> KaggleHarvester:
    built = KaggleHarvester.from_settings(
        Settings(), {"url": url, "http_attempts": 1, "page_size": 5, **config}
    )
    assert isinstance(built, KaggleHarvester)
    return built


def fetch_all(h: KaggleHarvester, ctx: FetchContext | None = None) -> list[Page]:
    return list(h.fetch(ctx or FetchContext()))


def ids_of(pages: list[Page]) -> list[str | None]:
    return [r.external_id for page in pages for r in page.records]


def test_registry_names_this_harvester() -> None:
    assert harvester_class("kaggle") is KaggleHarvester
    assert KaggleHarvester.supports_incremental is False


def test_pages_follow_next_page_token_with_camel_case_bodies(fake_kaggle: FakeKaggle) -> None:
    pages = fetch_all(harvester(fake_kaggle.base_url))
    assert len(ids_of(pages)) == len(set(ids_of(pages))) == MODELS
    assert [p.checkpoint for p in pages] == [
        {"page_token": "after-5"},
        {"page_token": "after-10"},
        None,
    ]
    assert fake_kaggle.requests[0] == {"pageSize": 5, "sortBy": "LIST_MODELS_ORDER_BY_CREATE_TIME"}
    assert fake_kaggle.requests[1]["pageToken"] == "after-5"
    assert set(fake_kaggle.headers_seen) == {f"Bearer {TOKEN}"}


def test_resume_starts_at_the_saved_token(fake_kaggle: FakeKaggle) -> None:
    h = harvester(fake_kaggle.base_url)
    pages = fetch_all(h, FetchContext(resume={"page_token": "after-10"}))
    assert ids_of(pages) == [m["ref"] for m in fixture_models()[10:]]


def test_limit_stops_early_and_keeps_a_checkpoint(fake_kaggle: FakeKaggle) -> None:
    pages = fetch_all(harvester(fake_kaggle.base_url), FetchContext(limit=7))
    assert len(ids_of(pages)) == 7
    assert pages[-1].checkpoint == {"page_token": "after-10"}


def test_every_fetched_model_normalizes(fake_kaggle: FakeKaggle) -> None:
    h = harvester(fake_kaggle.base_url)
    records = [h.normalize(r) for page in fetch_all(h) for r in page.records]
    platforms = {ref.platform for r in records for ref in r.lineage}
    assert platforms == {"kaggle", "huggingface"}


def test_unknown_framework_and_nameless_model_do_not_stop_the_rest(
    kaggle_env: pytest.MonkeyPatch,
) -> None:
    models = fixture_models()
    models[1]["instances"][0]["framework"] = "MODEL_FRAMEWORK_BRAND_NEW"
    models.insert(3, {"title": "no ref, no author", "instances": []})
    kaggle_env.setenv("KAGGLE_API_TOKEN", TOKEN)
    with running(FakeKaggle(models)) as fake:
        h = harvester(fake.base_url)
        records = [r for page in fetch_all(h) for r in page.records]
    assert len(records) == MODELS + 1
    nameless = [r for r in records if r.external_id is None]
    assert len(nameless) == 1
    with pytest.raises(InvalidRecordError, match="no ref"):
        h.normalize(nameless[0])
    normalized = {r.external_id: h.normalize(r) for r in records if r.external_id}
    assert len(normalized) == MODELS
    assert "framework:MODEL_FRAMEWORK_BRAND_NEW" in normalized["keras/bert"].unmapped


def test_a_model_listed_twice_is_yielded_once(kaggle_env: pytest.MonkeyPatch) -> None:
    models = fixture_models()
    models.insert(6, models[2])  # the listing shifted: page 2 repeats a model of page 1
    kaggle_env.setenv("KAGGLE_API_TOKEN", TOKEN)
    with running(FakeKaggle(models)) as fake:
        ids = ids_of(fetch_all(harvester(fake.base_url)))
    assert len(ids) == len(set(ids)) == MODELS


def test_transient_errors_are_retried(fake_kaggle: FakeKaggle) -> None:
    fake_kaggle.fail_times = 2
    pages = fetch_all(harvester(fake_kaggle.base_url, http_attempts=3))
    assert len(ids_of(pages)) == MODELS


def test_a_page_token_loop_is_fatal(fake_kaggle: FakeKaggle) -> None:
    fake_kaggle.loop = True
    with pytest.raises(FatalHarvestError, match="paging loop"):
        fetch_all(harvester(fake_kaggle.base_url))


@pytest.mark.parametrize(
    ("body", "reason"),
    [(b'["not", "a", "page"]', "not a ListModels response"), (b"<html>", "not valid JSON")],
)
def test_a_body_that_is_not_a_page_is_fatal(
    fake_kaggle: FakeKaggle, body: bytes, reason: str
) -> None:
    fake_kaggle.body_override = body
    with pytest.raises(FatalHarvestError, match=reason):
        fetch_all(harvester(fake_kaggle.base_url))


def test_wrong_endpoint_says_check_the_setting(fake_kaggle: FakeKaggle) -> None:
    with pytest.raises(
        FatalHarvestError, match=r"404: not found.*CATALOG_KAGGLE_API_URL"
    ) as caught:
        fetch_all(harvester(fake_kaggle.base_url + "/nowhere"))
    assert caught.value.status == 404


def test_unreachable_api_is_fatal_with_the_setting_and_no_secret(
    kaggle_env: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    kaggle_env.setenv("KAGGLE_API_TOKEN", TOKEN)
    caplog.set_level(logging.DEBUG)
    with pytest.raises(FatalHarvestError) as caught:
        fetch_all(harvester(f"{dead_base_url()}/v1", http_attempts=2))
    message = str(caught.value)
    assert "Kaggle Models API request failed" in message
    assert "CATALOG_KAGGLE_API_URL" in message
    assert "credentials from KAGGLE_API_TOKEN" in message
    assert TOKEN not in message
    assert TOKEN not in caplog.text


def test_refused_credentials_never_show_the_secret(
    fake_kaggle: FakeKaggle, kaggle_env: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    kaggle_env.setenv("KAGGLE_API_TOKEN", "wrong-secret-token-value")
    caplog.set_level(logging.DEBUG)
    with pytest.raises(FatalHarvestError) as caught:
        fetch_all(harvester(fake_kaggle.base_url))
    message = str(caught.value)
    assert "401" in message
    assert "credentials were refused" in message
    assert "wrong-secret-token-value" not in message
    assert "wrong-secret-token-value" not in caplog.text


def test_missing_credentials_say_what_to_set(kaggle_env: pytest.MonkeyPatch) -> None:
    with pytest.raises(FatalHarvestError) as caught:
        fetch_all(harvester("http://127.0.0.1:9/v1"))
    message = str(caught.value)
    assert message.startswith("Kaggle credentials are missing: set KAGGLE_API_TOKEN")
    assert "KAGGLE_USERNAME and KAGGLE_KEY" in message
    assert "kaggle.json" in message


@pytest.mark.parametrize(
    ("name", "other"), [("KAGGLE_USERNAME", "KAGGLE_KEY"), ("KAGGLE_KEY", "KAGGLE_USERNAME")]
)
def test_half_a_key_pair_names_the_missing_half(
    kaggle_env: pytest.MonkeyPatch, name: str, other: str
) -> None:
    kaggle_env.setenv(name, "half-secret-value")
    with pytest.raises(FatalHarvestError) as caught:
        fetch_all(harvester("http://127.0.0.1:9/v1"))
    assert str(caught.value) == f"{name} is set but {other} is not: set both, or KAGGLE_API_TOKEN."


def basic(username: str, key: str) -> str:
    return "Basic " + base64.b64encode(f"{username}:{key}".encode()).decode()


def serve_with(auth: str) -> FakeKaggle:
    return FakeKaggle(fixture_models()[:3], authorization=auth)


def test_username_and_key_from_the_environment(kaggle_env: pytest.MonkeyPatch) -> None:
    kaggle_env.setenv("KAGGLE_USERNAME", "fixture-user")
    kaggle_env.setenv("KAGGLE_KEY", "fixture-key")
    with running(serve_with(basic("fixture-user", "fixture-key"))) as fake:
        assert len(ids_of(fetch_all(harvester(fake.base_url)))) == 3


def test_kaggle_json_in_the_home_directory(kaggle_env: pytest.MonkeyPatch) -> None:
    folder = Path.home() / ".kaggle"
    folder.mkdir()
    (folder / "kaggle.json").write_text(json.dumps({"username": "u1", "key": "k1"}))
    with running(serve_with(basic("u1", "k1"))) as fake:
        assert len(ids_of(fetch_all(harvester(fake.base_url)))) == 3


def test_kaggle_config_dir_is_respected(kaggle_env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (Path.home() / ".kaggle").mkdir()
    (Path.home() / ".kaggle" / "kaggle.json").write_text('{"username": "home", "key": "x"}')
    config_dir = tmp_path / "elsewhere"
    config_dir.mkdir()
    (config_dir / "kaggle.json").write_text(json.dumps({"username": "u2", "key": "k2"}))
    kaggle_env.setenv("KAGGLE_CONFIG_DIR", str(config_dir))
    with running(serve_with(basic("u2", "k2"))) as fake:
        assert len(ids_of(fetch_all(harvester(fake.base_url)))) == 3


def test_access_token_file_is_a_bearer_token(kaggle_env: pytest.MonkeyPatch) -> None:
    folder = Path.home() / ".kaggle"
    folder.mkdir()
    (folder / "access_token").write_text("file-token\n")
    with running(serve_with("Bearer file-token")) as fake:
        assert len(ids_of(fetch_all(harvester(fake.base_url)))) == 3


def test_environment_token_wins_over_files(kaggle_env: pytest.MonkeyPatch) -> None:
    folder = Path.home() / ".kaggle"
    folder.mkdir()
    (folder / "kaggle.json").write_text('{"username": "u", "key": "k"}')
    kaggle_env.setenv("KAGGLE_API_TOKEN", TOKEN)
    with running(serve_with(f"Bearer {TOKEN}")) as fake:
        assert len(ids_of(fetch_all(harvester(fake.base_url)))) == 3


@pytest.mark.parametrize("content", ['{"username": "u"}', "not json", '["u", "secret-in-list"]'])
def test_unreadable_kaggle_json_is_fatal_without_its_content(
    kaggle_env: pytest.MonkeyPatch, content: str
) -> None:
    folder = Path.home() / ".kaggle"
    folder.mkdir()
    (folder / "kaggle.json").write_text(content)
    with pytest.raises(FatalHarvestError) as caught:
        fetch_all(harvester("http://127.0.0.1:9/v1"))
    message = str(caught.value)
    assert "kaggle.json is not a Kaggle API token file" in message
    assert "secret-in-list" not in message


def test_credentials_repr_hides_the_secret(kaggle_env: pytest.MonkeyPatch) -> None:
    from harvesters.kaggle.auth import load_credentials

    kaggle_env.setenv("KAGGLE_API_TOKEN", TOKEN)
    credentials = load_credentials({"KAGGLE_API_TOKEN": TOKEN}, Path.home())
    assert TOKEN not in repr(credentials)
    assert credentials.headers() == {"Authorization": f"Bearer {TOKEN}"}
