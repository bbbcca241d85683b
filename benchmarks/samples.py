"""Normalized records of the real hub metadata in ../shared/samples, through each hub's code.

Hugging Face payloads are normalized directly (the richest payload of a model wins:
full detail, then a recorded detail, then a list item); the archive hubs are read
through their harvesters' own `fetch` from the local files. Kaggle samples hold only
the API schema (no records); Civitai and ModelScope have no harvester yet.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from catalog.records import NormalizedModel
from catalog.settings import Settings
from harvesters.base import FetchContext
from harvesters.huggingface.parse import normalize_model as normalize_hf
from harvesters.registry import harvester_class

_ROOT = Path(__file__).resolve().parents[1]
# ../shared/samples next to the checkout (a worktree may sit one level deeper).
CANDIDATES = (_ROOT.parent / "shared" / "samples", _ROOT.parent.parent / "shared" / "samples")


def default_samples() -> Path | None:
    """The samples folder next to the checkout, if there is one."""
    return next((c for c in CANDIDATES if (c / "huggingface").is_dir()), None)


_HF_FILES = ("list_models_page.json", "model_info_recorded.json", "model_info_full.json")


def hf_payloads(samples: Path) -> dict[str, dict[str, Any]]:
    """Hub payloads by model id; later files (richer) replace earlier ones."""
    found: dict[str, dict[str, Any]] = {}
    for name in _HF_FILES:
        for item in json.loads((samples / "huggingface" / name).read_text("utf-8")):
            payload = item.get("body", item) if "request" in item else item
            if isinstance(payload, dict) and isinstance(payload.get("id"), str):
                found[payload["id"]] = payload
    return found


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
        onnx_manifest_url=str(samples / "onnx" / "manifest_sample.json"),
        tfhub_archive_url=str(samples / "tfhub" / "tfhub.dev-master-sample.tar.gz"),
        pytorch_hub_archive_url=str(samples / "pytorch_hub" / "hub-master-sample.tar.gz"),
    )
    for platform in ("onnx-model-zoo", "tfhub", "pytorch-hub"):
        records.extend(_archive_records(platform, settings))
    return records
