"""What operators and dashboards read: /metrics, JSON logs, and the reporting views."""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections import defaultdict
from typing import Any

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from api.observability import create_observed_app
from api.reports.client import InProcessTransport
from catalog.loader import load_models
from catalog.logs import JsonFormatter
from catalog.records import FormatRecord, NormalizedModel
from catalog.settings import Settings
from harvesters.runner import RunOptions, run_harvest
from tests.harvesters.wrappers import ListHarvester

DAY1 = dt.datetime(2026, 3, 1, 8, tzinfo=dt.UTC)
DAY1_LATER = dt.datetime(2026, 3, 1, 20, tzinfo=dt.UTC)
DAY2 = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)


def _record(
    platform: str,
    external_id: str,
    tasks: tuple[str, ...],
    formats: tuple[str, ...],
    downloads: int,
) -> NormalizedModel:
    return NormalizedModel(
        platform=platform,
        external_id=external_id,
        name=external_id.rsplit("/", 1)[-1],
        tasks=tasks,
        formats=tuple(FormatRecord(f) for f in formats),
        downloads=downloads,
    )


CATALOG = [
    ("huggingface", "a/vit", ("image-classification",), ("safetensors", "onnx"), 100),
    ("huggingface", "a/llama", ("text-generation",), ("safetensors", "gguf"), 900),
    ("huggingface", "b/whisper", ("automatic-speech-recognition",), ("pytorch",), 50),
    ("kaggle", "google/efficientnet", ("image-classification",), ("tflite", "tensorflow"), 7),
    ("onnx-model-zoo", "resnet50", ("image-classification",), ("onnx",), 0),
    ("onnx-model-zoo", "gpt2", ("text-generation",), ("onnx",), 0),
]


@pytest.fixture
def dashboard_engine(fresh_engine: Engine) -> Engine:
    with Session(fresh_engine) as session:
        for when, factor in ((DAY1, 1), (DAY1_LATER, 2), (DAY2, 3)):
            by_platform: dict[str, list[NormalizedModel]] = defaultdict(list)
            for platform, ext, tasks, formats, downloads in CATALOG:
                by_platform[platform].append(
                    _record(platform, ext, tasks, formats, downloads * factor)
                )
            for records in by_platform.values():
                load_models(session, records, observed_at=when)
        session.commit()
    return fresh_engine


def _graphql(engine: Engine, query: str, **variables: Any) -> dict[str, Any]:
    return InProcessTransport(engine).execute(query, variables)


def _pivot(engine: Engine, rows: str, columns: str) -> dict[tuple[str, str], int]:
    data = _graphql(
        engine, f"{{ stats(rows: {rows}, columns: {columns}) {{ cells {{ row column count }} }} }}"
    )
    return {(c["row"], c["column"]): c["count"] for c in data["stats"]["cells"]}


def _view(engine: Engine, sql: str) -> list[tuple[Any, ...]]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(sql))]


def test_format_platform_view_agrees_with_the_api(dashboard_engine: Engine) -> None:
    view = {
        (f, p): n
        for f, p, n in _view(
            dashboard_engine,
            "select format, platform, models from reporting.format_platform_counts",
        )
    }
    assert view == _pivot(dashboard_engine, "FORMAT", "PLATFORM")
    assert view[("onnx", "onnx-model-zoo")] == 2


def test_task_modality_view_agrees_with_the_api(dashboard_engine: Engine) -> None:
    view = {
        (t, m): n
        for t, m, n in _view(
            dashboard_engine, "select task, modality, models from reporting.task_modality_counts"
        )
    }
    assert view == _pivot(dashboard_engine, "TASK", "MODALITY")
    assert view[("image-classification", "vision")] == 3


def test_flat_model_view_agrees_with_the_api(dashboard_engine: Engine) -> None:
    data = _graphql(
        dashboard_engine,
        "{ models(first: 100) { totalCount edges { node { ref downloads formats { slug } } } } }",
    )
    api = {
        e["node"]["ref"]: (e["node"]["downloads"], sorted(f["slug"] for f in e["node"]["formats"]))
        for e in data["models"]["edges"]
    }
    view = {
        ref: (downloads, sorted(formats.split(",")))
        for ref, downloads, formats in _view(
            dashboard_engine, "select ref, downloads, formats from reporting.models_flat"
        )
    }
    assert view == api
    assert data["models"]["totalCount"] == len(CATALOG)


def test_daily_downloads_view_agrees_with_the_api_series(dashboard_engine: Engine) -> None:
    view = {
        (d.isoformat(), p): int(n)
        for d, p, n in _view(
            dashboard_engine,
            "select day, platform, downloads from reporting.daily_downloads_per_platform",
        )
    }
    api = {}
    for platform in ("huggingface", "kaggle", "onnx-model-zoo"):
        series = _graphql(
            dashboard_engine,
            "query ($f: ModelFilter) { downloadSeries(filter: $f, interval: DAY) "
            "{ start downloads } }",
            f={"platforms": [platform]},
        )["downloadSeries"]
        for point in series:
            api[(point["start"][:10], platform)] = int(point["downloads"])
    assert view == api
    # The last point of each day counts: day 1 is the evening observation (x2).
    assert view[("2026-03-01", "huggingface")] == (100 + 900 + 50) * 2


def test_metrics_endpoint_shows_the_counters_of_a_finished_run(fresh_engine: Engine) -> None:
    payloads = [{"id": f"org/m{i}", "downloads": i} for i in range(12)]
    payloads.append({"id": "org/bad", "downloads": "lots"})
    result = run_harvest(
        "huggingface",
        engine=fresh_engine,
        settings=Settings(),
        harvester=ListHarvester(payloads),
        options=RunOptions(),
    )
    assert result.ok
    app = create_observed_app(Settings(), fresh_engine, facet_index=False)
    with TestClient(app) as client:
        graphql = client.post(
            "/graphql",
            json={"query": "query Platforms { platforms { slug } }", "operationName": "Platforms"},
        )
        assert graphql.status_code == 200
        client.get("/models/huggingface/org/m1")
        client.get("/made/up/path")
        body = client.get("/metrics").text
    assert 'catalog_harvest_runs_total{platform="huggingface",status="succeeded"} 1.0' in body
    assert 'catalog_harvest_records_total{outcome="seen",platform="huggingface"} 13.0' in body
    assert 'catalog_harvest_records_total{outcome="quarantined",platform="huggingface"} 1.0' in body
    assert 'catalog_models{platform="huggingface"} 12.0' in body
    assert 'catalog_harvest_last_success_timestamp_seconds{platform="huggingface"}' in body
    assert 'catalog_api_request_duration_seconds_count{operation="graphql:Platforms"} 1.0' in body
    # Pages are labelled by route, not by model: the metric's series stay few.
    assert 'catalog_api_request_duration_seconds_count{operation="/models"} 1.0' in body
    assert 'catalog_api_request_duration_seconds_count{operation="other"} 1.0' in body
    assert "org/m1" not in body


def test_json_logs_are_one_object_per_line_with_extra_fields() -> None:
    record = logging.LogRecord(
        "harvesters.runner", logging.WARNING, __file__, 1, "run %s failed", ("42",), None
    )
    record.platform = "kaggle"
    line = JsonFormatter().format(record)
    doc = json.loads(line)
    assert doc["level"] == "warning"
    assert doc["message"] == "run 42 failed"
    assert doc["platform"] == "kaggle"
    assert doc["logger"] == "harvesters.runner"
