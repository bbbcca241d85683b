"""The runner: counts, idempotence, quarantine, checkpoints, resume, deletion, locking."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import Engine, text

from catalog import leases
from catalog.settings import Settings
from harvesters.runner import HarvestLockedError, RunOptions, run_harvest
from harvesters.testing import WrappedHarvester
from tests.harvesters.wrappers import ListHarvester


def _payloads(n: int) -> list[dict[str, object]]:
    return [
        {"id": f"org/model-{i:03d}", "downloads": i * 10, "tasks": ["text-generation"]}
        for i in range(n)
    ]


def _run(engine: Engine, harvester, **options):  # noqa: ANN001, ANN003, ANN202
    return run_harvest(
        "huggingface",
        engine=engine,
        settings=Settings(),
        options=RunOptions(**options),
        harvester=harvester,
    )


def _models(engine: Engine) -> list[tuple[object, ...]]:
    with engine.connect() as conn:
        return [
            tuple(r)
            for r in conn.execute(
                text("select external_id, downloads, removed_at is not null from models order by 1")
            )
        ]


def _cursor(engine: Engine, scope: str = "full") -> dict | None:
    with engine.connect() as conn:
        return conn.scalar(text("select value from harvest_cursors where scope = :s"), {"s": scope})


def test_full_run_loads_everything_and_records_counts(fresh_engine: Engine) -> None:
    result = _run(fresh_engine, ListHarvester(_payloads(25), page_size=10))
    assert result.ok, result.error
    assert result.counts["seen"] == 25
    assert result.counts["new"] == 25
    assert result.counts["pages"] == 3
    assert len(_models(fresh_engine)) == 25
    with fresh_engine.connect() as conn:
        status, counts = conn.execute(text("select status, counts from harvest_runs")).one()
        raw = conn.scalar(text("select count(*) from raw_records"))
    assert status == "succeeded"
    assert counts["new"] == 25
    assert raw == 25


def test_rerun_without_change_adds_and_changes_nothing(fresh_engine: Engine) -> None:
    _run(fresh_engine, ListHarvester(_payloads(12)))
    before = _models(fresh_engine)
    again = _run(fresh_engine, ListHarvester(_payloads(12)))
    assert again.counts["unchanged"] == 12
    assert again.counts["new"] == again.counts["changed"] == 0
    assert _models(fresh_engine) == before
    with fresh_engine.connect() as conn:
        points = conn.scalar(text("select count(*) from model_metrics"))
    assert points == 24  # one metric point per model per run


def test_changed_payloads_are_reloaded(fresh_engine: Engine) -> None:
    _run(fresh_engine, ListHarvester(_payloads(5)))
    changed = _payloads(5)
    changed[2]["downloads"] = 99_999
    result = _run(fresh_engine, ListHarvester(changed))
    assert (result.counts["changed"], result.counts["unchanged"]) == (1, 4)
    assert ("org/model-002", 99_999, False) in _models(fresh_engine)


def test_bad_records_are_quarantined_while_the_rest_loads(fresh_engine: Engine) -> None:
    payloads = _payloads(6)
    payloads[1] = {"downloads": 3}  # no id
    payloads[2] = {"id": "org/bad-type", "downloads": "many"}
    payloads[3] = {"id": "org/huge", "description": "x" * 1_000_001}
    payloads[4] = {"id": "org/odd-\ud800-unicode"}
    payloads.append({"id": "org/unknown-task", "tasks": ["levitation"]})
    result = _run(fresh_engine, ListHarvester(payloads))
    assert result.ok
    assert result.counts["quarantined"] == 5
    assert [m[0] for m in _models(fresh_engine)] == ["org/model-000", "org/model-005"]
    with fresh_engine.connect() as conn:
        reasons = dict(
            conn.execute(text("select coalesce(external_id, '?'), reason from quarantine"))
            .tuples()
            .all()
        )
    assert "no usable id" in reasons["?"]
    assert "downloads is not an integer" in reasons["org/bad-type"]
    assert "exceeds" in reasons["org/huge"]
    assert "unknown task slugs ['levitation']" in reasons["org/unknown-task"]
    assert len(reasons) == 5


def test_fatal_error_keeps_the_checkpoint_of_the_last_committed_page(fresh_engine: Engine) -> None:
    failing = WrappedHarvester(ListHarvester(_payloads(30), page_size=10), fail_after_pages=2)
    result = _run(fresh_engine, failing)
    assert result.status == "failed"
    assert "went away" in (result.error or "")
    assert _cursor(fresh_engine)["resume"] == {"offset": 20}
    assert len(_models(fresh_engine)) == 20

    resumed = _run(fresh_engine, ListHarvester(_payloads(30), page_size=10))
    assert resumed.ok
    assert resumed.counts["seen"] == 10  # only the pages the failed run did not commit
    assert len(_models(fresh_engine)) == 30
    assert _cursor(fresh_engine)["resume"] is None


def test_stop_event_interrupts_after_a_committed_page_and_the_next_run_resumes(
    fresh_engine: Engine,
) -> None:
    stop = threading.Event()
    stop.set()
    result = run_harvest(
        "huggingface",
        engine=fresh_engine,
        settings=Settings(),
        harvester=ListHarvester(_payloads(30), page_size=10),
        stop=stop,
    )
    assert result.status == "interrupted"
    assert len(_models(fresh_engine)) == 10
    resumed = _run(fresh_engine, ListHarvester(_payloads(30), page_size=10))
    assert resumed.counts["seen"] == 20
    assert len(_models(fresh_engine)) == 30


def test_models_missing_from_a_full_sweep_are_removed_and_restored(fresh_engine: Engine) -> None:
    _run(fresh_engine, ListHarvester(_payloads(40)))
    without_one = [p for p in _payloads(40) if p["id"] != "org/model-007"]
    result = _run(fresh_engine, ListHarvester(without_one))
    assert result.ok
    assert result.counts["removed"] == 1
    assert ("org/model-007", 70, True) in _models(fresh_engine)

    back = _run(fresh_engine, ListHarvester(_payloads(40)))
    assert back.counts["removed"] == 0
    assert ("org/model-007", 70, False) in _models(fresh_engine)


def test_fail_safe_refuses_a_sweep_that_would_remove_half(fresh_engine: Engine) -> None:
    _run(fresh_engine, ListHarvester(_payloads(40)))
    result = _run(fresh_engine, ListHarvester(_payloads(20)))
    assert result.status == "failed"
    assert "fail-safe" in (result.error or "")
    assert "20 of 40" in (result.error or "")
    assert not any(removed for *_, removed in _models(fresh_engine))


def test_limited_run_removes_nothing(fresh_engine: Engine) -> None:
    _run(fresh_engine, ListHarvester(_payloads(20)))
    result = _run(fresh_engine, ListHarvester(_payloads(20)), limit=5)
    assert result.ok
    assert result.counts["seen"] == 5
    assert result.counts["removed"] == 0
    assert not any(removed for *_, removed in _models(fresh_engine))


def test_a_second_run_of_the_same_platform_is_refused(fresh_engine: Engine) -> None:
    with fresh_engine.connect() as holder:
        assert leases.try_lock_platform(holder, "huggingface")
        with pytest.raises(HarvestLockedError, match="already running"):
            _run(fresh_engine, ListHarvester(_payloads(3)))
        leases.unlock_platform(holder, "huggingface")
    assert _run(fresh_engine, ListHarvester(_payloads(3))).ok


def test_a_run_that_grows_the_catalog_refreshes_planner_statistics(fresh_engine: Engine) -> None:
    result = _run(fresh_engine, ListHarvester(_payloads(1200), page_size=300))
    assert result.ok
    with fresh_engine.connect() as conn:
        analyzed = conn.scalar(
            text("select last_analyze from pg_stat_user_tables where relname = 'model_tags'")
        )
        estimate = conn.scalar(text("select reltuples from pg_class where relname = 'models'"))
    assert analyzed is not None
    assert estimate >= 1000  # the planner now knows the table is not empty


def _losing_races(monkeypatch: pytest.MonkeyPatch, times: int) -> list[int]:
    """Make the first `times` batch loads lose a race (as a deadlock would)."""
    import harvesters.batch as batch
    from catalog.loader.sql import LoadContendedError

    real = batch.load_models
    calls = [0]

    def flaky(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        calls[0] += 1
        if calls[0] <= times:
            raise LoadContendedError("deadlock detected")
        return real(*args, **kwargs)

    monkeypatch.setattr(batch, "load_models", flaky)
    return calls


def test_a_batch_that_loses_a_race_is_retried_not_quarantined(
    fresh_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = _losing_races(monkeypatch, times=2)
    result = _run(fresh_engine, ListHarvester(_payloads(12), page_size=12))
    assert result.ok, result.error
    assert calls[0] == 3
    assert (result.counts["new"], result.counts["quarantined"]) == (12, 0)
    assert len(_models(fresh_engine)) == 12


def test_a_batch_that_keeps_losing_races_fails_the_run_and_quarantines_nothing(
    fresh_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    _losing_races(monkeypatch, times=100)
    result = _run(fresh_engine, ListHarvester(_payloads(12), page_size=12))
    assert result.status == "failed"
    assert "kept losing races" in (result.error or "")
    with fresh_engine.connect() as conn:
        assert conn.scalar(text("select count(*) from quarantine")) == 0
    assert _models(fresh_engine) == []
