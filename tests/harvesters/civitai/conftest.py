"""Fixtures of the Civitai tests: the fixture models and a local fake of the models API.

`fixtures/models.json` holds 20 list items of every era of the API: four recorded
responses of 2025 (Detail Tweaker XL, VSK-94, Semi-realistic illustrious, Vivid
Impressions Storybook Style), the three 2023 items of the API wiki's example
(TextualInversion, `allowCommercialUse` as one string, `favoriteCount`/`rating`
stats, two flagged `nsfw`), the current docs' example (WAI-illustrious-SDXL, `"{A,B}"`
text), and hand-made items for the cases the recordings lack (GGUF, Diffusers, VAE
and config files, unknown formats, types and base models, a merge with text booleans
and no safe-for-work content, an archived model, an item without an id). Facts (ids,
names, tags, counts, hashes) are the real ones; descriptions are fixture text.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.harvesters.civitai.fake_civitai import FakeCivitai, running

FIXTURES = Path(__file__).parent / "fixtures"
TOKEN = "civitai-fixture-key-0123456789abcdef"


def fixture_models() -> list[Any]:
    """The 20 fixture list items (19 models and one item without an id)."""
    models: list[Any] = json.loads((FIXTURES / "models.json").read_text(encoding="utf-8"))
    return models


def by_id() -> dict[int, dict[str, Any]]:
    """The fixture models by Civitai id."""
    return {m["id"]: m for m in fixture_models() if "id" in m}


@pytest.fixture
def fake_civitai(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeCivitai]:
    """The fake API serving the fixture models; no token required, none in the environment."""
    monkeypatch.delenv("CIVITAI_API_TOKEN", raising=False)
    with running(FakeCivitai(fixture_models())) as fake:
        yield fake


@pytest.fixture
def civitai_source(fake_civitai: FakeCivitai) -> str:
    """The site URL of the fake (the harvester appends /api/v1/models)."""
    return fake_civitai.base_url
