"""`catalog demo` through the installed executable: it loads every hub's snapshot once,
counts as no harvest, and a real harvest then takes the models over."""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, text
from sqlalchemy.engine import URL
from sqlalchemy.orm import Session

from catalog.queries.operations import run_history
from harvesters.demo.snapshot import find_snapshot, read_payloads
from harvesters.registry import default_schedules, harvester_class, slugs
from harvesters.schedule import load_schedules
from tests.cli import catalog_env, run_catalog

ONNX = "onnx-model-zoo"
ONNX_ID = "(select id from platforms where slug = 'onnx-model-zoo')"


def _env(db_url: URL, **extra: str) -> dict[str, str]:
    return catalog_env(DATABASE_URL=db_url.render_as_string(hide_password=False), **extra)


def _snapshot_sizes() -> dict[str, int]:
    sizes = {}
    for platform in slugs():
        snapshot = find_snapshot(harvester_class(platform))
        if snapshot is not None:
            sizes[platform] = len(read_payloads(snapshot))
    return sizes


def _query(engine: Engine, sql: str, **params: Any) -> list[tuple[Any, ...]]:
    with engine.connect() as conn:
        return [tuple(row) for row in conn.execute(text(sql), params)]


def _models_by_platform(engine: Engine) -> dict[str, int]:
    rows = _query(
        engine,
        "select p.slug, count(*) from models m join platforms p on p.id = m.platform_id "
        "where m.removed_at is null group by p.slug",
    )
    return dict(rows)  # type: ignore[arg-type]


def _model_rows(engine: Engine) -> list[tuple[Any, ...]]:
    return _query(
        engine,
        "select p.slug, m.external_id, m.id, m.name, m.license_id, m.downloads, m.parameters, "
        "m.removed_at, m.extra::text from models m join platforms p on p.id = m.platform_id "
        "order by p.slug, m.external_id",
    )


def _due(engine: Engine) -> dict[tuple[str, str], bool]:
    """What the scheduler would start now, per platform and kind."""
    now = dt.datetime.now(dt.UTC)
    with Session(engine) as session:
        return {
            (s.platform, s.kind): s.is_due(run_history(session, s.platform, s.kind), now)
            for s in load_schedules({}, default_schedules())
        }


def test_demo_loads_every_snapshot_once_and_counts_as_no_harvest(
    fresh_db_url: URL, fresh_engine: Engine
) -> None:
    env = _env(fresh_db_url)
    first = run_catalog("demo", "--json", env=env)
    assert first.returncode == 0, first.stderr
    sizes = _snapshot_sizes()
    assert set(sizes) == set(slugs())
    assert {r["platform"]: r["loaded"] for r in json.loads(first.stdout)} == sizes
    assert _models_by_platform(fresh_engine) == sizes
    # Through the real pipeline: raw landing, the derived layer, lineage inside a hub.
    total = sum(sizes.values())
    assert _query(fresh_engine, "select count(*) from raw_records") == [(total,)]
    assert _query(fresh_engine, "select count(*) from model_derivations") == [(total,)]
    assert _query(fresh_engine, "select count(*) from model_lineage where parent_id is not null")
    assert _query(fresh_engine, "select count(*) from quarantine") == [(0,)]
    # No harvest happened: no cursor, no run the schedules count, every schedule due.
    assert _query(fresh_engine, "select count(*) from harvest_cursors") == [(0,)]
    assert _query(
        fresh_engine, "select kind, status, count(*) from harvest_runs group by 1, 2"
    ) == [("demo", "loaded", len(sizes))]
    due = _due(fresh_engine)
    assert due
    assert all(due.values()), due
    rows = _model_rows(fresh_engine)

    again = run_catalog("demo", "--json", env=env)
    assert again.returncode == 0, again.stderr
    for result in json.loads(again.stdout):
        assert (result["status"], result["loaded"]) == ("unchanged", 0)
        assert result["already_in_catalog"] == sizes[result["platform"]]
    assert _model_rows(fresh_engine) == rows
    assert _query(fresh_engine, "select count(*) from harvest_runs") == [(len(sizes),)]

    table = run_catalog("demo", env=env)
    assert table.returncode == 0, table.stderr
    assert "the catalog already has every model of the snapshots" in table.stdout


def _manifest_without(gone: set[str], changed: str) -> list[dict[str, Any]]:
    """The snapshot's manifest entries as the ONNX hub serves them now: some models
    gone, one changed, one new."""
    payloads = read_payloads(find_snapshot(harvester_class(ONNX)))  # type: ignore[arg-type]
    entries = [copy.deepcopy(e) for p in payloads if p["model"] not in gone for e in p["entries"]]
    for entry in entries:
        if entry["model"] == changed:
            entry["metadata"]["model_bytes"] += 1
    new = copy.deepcopy(entries[0])
    new["model"], new["model_path"] = "NewNet-7", "validated/vision/newnet/newnet-7.onnx"
    return [*entries, new]


def test_a_real_harvest_takes_over_the_demo_models_and_removes_those_gone(
    fresh_db_url: URL, fresh_engine: Engine, static_server: tuple[str, Path]
) -> None:
    env = _env(fresh_db_url)
    assert run_catalog("demo", env=env).returncode == 0
    payloads = read_payloads(find_snapshot(harvester_class(ONNX)))  # type: ignore[arg-type]
    parents = {p["full_precision_model"] for p in payloads}
    leaves = sorted(p["model"] for p in payloads if p["model"] not in parents)
    # 4 of 34 gone: more than the 5% fail-safe, which guards harvested models only.
    gone, changed = set(leaves[:4]), leaves[-1]
    ids = dict(
        _query(fresh_engine, f"select external_id, id from models where platform_id = {ONNX_ID}")
    )
    base, root = static_server
    (root / "ONNX_HUB_MANIFEST.json").write_text(json.dumps(_manifest_without(gone, changed)))

    harvest_env = {
        **env,
        "CATALOG_HARVESTERS__ONNX_MODEL_ZOO__URL": f"{base}/ONNX_HUB_MANIFEST.json",
    }
    harvest = run_catalog("harvest", ONNX, "--json", env=harvest_env)
    assert harvest.returncode == 0, harvest.stdout + harvest.stderr
    (run,) = json.loads(harvest.stdout)
    assert run["status"] == "succeeded", run["error"]
    counts = run["counts"]
    assert (counts["new"], counts["changed"], counts["removed"]) == (1, 1, len(gone))
    assert counts["unchanged"] == len(payloads) - len(gone) - 1

    rows = _query(
        fresh_engine,
        "select m.external_id, m.id, m.removed_at is not null, s.last_seen_run_id from models m "
        f"join model_sightings s on s.model_id = m.id where m.platform_id = {ONNX_ID}",
    )
    by_name = {name: (model_id, removed, run_id) for name, model_id, removed, run_id in rows}
    for name, model_id in ids.items():
        assert by_name[name][0] == model_id, "the harvest made a new model of a demo one"
        assert by_name[name][1] == (name in gone)
        if name not in gone:
            assert by_name[name][2] == run["run_id"], f"{name} is still the demo's"
    assert by_name["NewNet-7"][1] is False
    due = _due(fresh_engine)
    assert due[(ONNX, "full")] is False
    assert all(value for (platform, _), value in due.items() if platform != ONNX)

    # `catalog demo` on this catalog leaves harvested and removed models as they are.
    before = _model_rows(fresh_engine)
    again = run_catalog("demo", "--json", env=env)
    assert again.returncode == 0, again.stderr
    onnx = next(r for r in json.loads(again.stdout) if r["platform"] == ONNX)
    assert (onnx["status"], onnx["loaded"]) == ("unchanged", 0)
    assert _model_rows(fresh_engine) == before

    # Harvested models are guarded again: losing 4 of them trips the fail-safe.
    lost = _manifest_without(gone | set(leaves[4:8]), changed)
    (root / "ONNX_HUB_MANIFEST.json").write_text(json.dumps(lost))
    guarded = run_catalog("harvest", ONNX, "--json", env=harvest_env)
    assert guarded.returncode == 1
    (failed,) = json.loads(guarded.stdout)
    assert "deletion fail-safe" in failed["error"]
    assert _model_rows(fresh_engine) == before
