"""The hub registry: entry points in, platform rows and schedules out."""

from __future__ import annotations

from importlib.metadata import EntryPoint

import pytest
from sqlalchemy import Engine, text

from catalog.records import InvalidRecordError, LineageRef, NormalizedModel, validate_record
from harvesters import registry
from harvesters.tfhub.harvester import TfHubHarvester

FIVE_HUBS = {"huggingface", "kaggle", "onnx-model-zoo", "pytorch-hub", "tfhub"}


def _platforms(engine: Engine) -> dict[str, tuple[str, str, int]]:
    with engine.connect() as conn:
        rows = conn.execute(text("select slug, name, url, xmin::text::bigint from platforms"))
        return {slug: (name, url, xmin) for slug, name, url, xmin in rows}


def _with_entry_points(monkeypatch: pytest.MonkeyPatch, **values: str) -> None:
    found = dict(registry._entry_points())
    for name, value in values.items():
        found[name.replace("_", "-")] = EntryPoint(name, value, registry.GROUP)
    monkeypatch.setattr(registry, "_entry_points", lambda: found)


def test_the_five_hubs_register_through_entry_points() -> None:
    assert set(registry.slugs()) >= FIVE_HUBS
    assert registry.slugs() == sorted(registry.slugs())
    assert registry.harvester_class("tfhub") is TfHubHarvester
    assert registry.default_schedules()["huggingface"] == {
        "incremental": "every 1h",
        "full": "0 3 * * 0",
    }
    assert registry.default_schedules()["kaggle"] == {"full": "every 1d"}


def test_an_unknown_platform_names_the_known_ones() -> None:
    with pytest.raises(registry.UnknownPlatformError) as caught:
        registry.harvester_class("hugginface")
    # Every registered hub is named, whichever sorts first.
    assert str(caught.value) == (
        f"unknown platform 'hugginface'; known: {', '.join(registry.slugs())}"
    )
    assert "huggingface" in registry.slugs()


def test_a_hub_that_fails_to_load_is_reported_and_the_others_still_load(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _with_entry_points(monkeypatch, broken_hub="no_such_package.harvester:Harvester")
    assert "broken-hub" in registry.slugs()
    with pytest.raises(registry.HubPluginError, match=r"'broken-hub' .* failed to load: Module"):
        registry.harvester_class("broken-hub")
    assert set(registry.harvester_classes()) >= FIVE_HUBS
    assert "broken-hub" not in registry.harvester_classes()


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("harvesters.tfhub.harvester:TfHubHarvester", "its class names the platform 'tfhub'"),
        ("harvesters.tfhub.harvester:WHAT", "is not a harvesters.base.Harvester subclass"),
    ],
)
def test_an_entry_point_must_name_a_harvester_of_its_own_slug(
    monkeypatch: pytest.MonkeyPatch, value: str, reason: str
) -> None:
    _with_entry_points(monkeypatch, other_hub=value)
    with pytest.raises(registry.HubPluginError, match=reason):
        registry.harvester_class("other-hub")


def test_platform_rows_come_from_the_registry_and_are_not_rewritten(
    fresh_engine: Engine,
) -> None:
    with fresh_engine.begin() as conn:
        conn.execute(text("update platforms set name = 'old name' where slug = 'tfhub'"))
    before = _platforms(fresh_engine)
    with fresh_engine.begin() as conn:
        registry.sync_platforms(conn)
    after = _platforms(fresh_engine)
    assert after["tfhub"][:2] == ("TensorFlow Hub", "https://tfhub.dev")
    assert after["huggingface"] == before["huggingface"]  # matching rows stay untouched
    with fresh_engine.begin() as conn:
        registry.sync_platforms(conn)
    assert _platforms(fresh_engine) == after


def test_records_may_name_any_registered_platform() -> None:
    record = NormalizedModel(
        platform="new-hub",
        external_id="a/b",
        name="b",
        lineage=(LineageRef("huggingface", "org/base", "finetune"),),
    )
    validate_record(record)  # a pure normalizer cannot know the registry: any slug shape
    validate_record(record, platforms={"new-hub", "huggingface"})
    with pytest.raises(InvalidRecordError, match=r"unknown platform slugs \['huggingface'\]"):
        validate_record(record, platforms={"new-hub"})
    with pytest.raises(InvalidRecordError, match="unknown platform slugs"):
        validate_record(NormalizedModel(platform="New Hub", external_id="a", name="a"))
