"""Families as dashboards and harvests see them: a harvest assigns families batch by batch,
and the reporting views agree with the API."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, text

from api.reports.client import InProcessTransport
from catalog.settings import Settings
from harvesters.runner import RunOptions, run_harvest
from tests.harvesters.wrappers import ListHarvester

PAYLOADS = [
    {"id": "microsoft/resnet-50", "tags": ["resnet"], "downloads": 90},
    {"id": "timm/resnet101.a1_in1k", "downloads": 40},
    {"id": "openai/whisper-small", "downloads": 70, "tasks": ["automatic-speech-recognition"]},
    {"id": "someone/my-model", "downloads": 1},
    {"id": "meta-llama/Llama-3.1-8B", "tags": ["llama"], "downloads": 500},
]


def _view(engine: Engine, sql: str) -> list[tuple[Any, ...]]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(sql))]


def test_a_harvest_assigns_families_and_the_views_show_them(fresh_engine: Engine) -> None:
    result = run_harvest(
        "huggingface",
        engine=fresh_engine,
        settings=Settings(),
        options=RunOptions(full=True, batch_size=2),
        harvester=ListHarvester(PAYLOADS, page_size=2),
    )
    assert result.ok, result.error
    flat = {
        ref: (family, root)
        for ref, family, root in _view(
            fresh_engine, "select ref, family, family_root from reporting.models_flat"
        )
    }
    assert flat == {
        "huggingface:microsoft/resnet-50": ("resnet-50", "resnet"),
        "huggingface:timm/resnet101.a1_in1k": ("resnet-101", "resnet"),
        "huggingface:openai/whisper-small": ("whisper-small", "whisper"),
        "huggingface:someone/my-model": (None, None),
        "huggingface:meta-llama/Llama-3.1-8B": ("llama-3.1-8b", "llama"),
    }
    view = {
        (family, platform): models
        for family, platform, models in _view(
            fresh_engine,
            "select family, platform, models from reporting.family_platform_counts where depth = 0",
        )
    }
    data = InProcessTransport(fresh_engine).execute(
        "{ stats(rows: FAMILY, columns: PLATFORM) { cells { row column count } } }", {}
    )
    api = {(c["row"], c["column"]): c["count"] for c in data["stats"]["cells"]}
    assert (
        view
        == api
        == {
            ("resnet", "huggingface"): 2,
            ("whisper", "huggingface"): 1,
            ("llama", "huggingface"): 1,
        }
    )
