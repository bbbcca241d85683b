"""Normalized records of the real hub metadata in ../shared/samples, through each hub's code.

Hugging Face payloads are normalized directly (the richest payload of a model wins:
full detail, then a recorded detail, then a list item); the archive hubs are read
through their harvesters' own `fetch` from the local files. Kaggle samples hold only
the API schema (no records); Civitai and ModelScope have no harvester yet.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from catalog.records import NormalizedModel
from catalog.settings import Settings
from harvesters.base import FetchContext
from harvesters.demo.build import (
    ONNX_SAMPLE,
    PYTORCH_HUB_SAMPLE,
    TFHUB_SAMPLE,
    default_samples,
    hf_payloads,
)
from harvesters.huggingface.parse import normalize_model as normalize_hf
from harvesters.registry import harvester_class

__all__ = ["default_samples", "sample_records"]


def _archive_records(platform: str, settings: Settings) -> Iterator[NormalizedModel]:
    harvester = harvester_class(platform).from_settings(settings)
    try:
        for page in harvester.fetch(FetchContext()):
            for raw in page.records:
                yield harvester.normalize(raw)
    finally:
        harvester.close()


def sample_records(samples: Path) -> list[NormalizedModel]:
    """Every sample model a harvester of this project can read, normalized."""
    records = [normalize_hf(p) for p in hf_payloads(samples).values()]
    settings = Settings(
        harvesters={
            "onnx-model-zoo": {"url": str(samples.joinpath(*ONNX_SAMPLE))},
            "tfhub": {"url": str(samples.joinpath(*TFHUB_SAMPLE))},
            "pytorch-hub": {"url": str(samples.joinpath(*PYTORCH_HUB_SAMPLE))},
        }
    )
    for platform in ("onnx-model-zoo", "tfhub", "pytorch-hub"):
        records.extend(_archive_records(platform, settings))
    return records
