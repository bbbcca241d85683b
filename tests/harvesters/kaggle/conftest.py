"""Fixtures of the Kaggle tests: a local fake of the models API and Kaggle credentials."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.harvesters.kaggle.fake_kaggle import FakeKaggle, running

FIXTURES = Path(__file__).parent / "fixtures"
TOKEN = "fixture-token-value-0123456789"


def fixture_models() -> list[dict[str, Any]]:
    """Twelve ApiModel payloads shaped by the kagglesdk schema (well-known public models)."""
    models: list[dict[str, Any]] = json.loads((FIXTURES / "models.json").read_text())
    return models


@pytest.fixture
def kaggle_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    """No Kaggle credential anywhere: a fresh HOME and no KAGGLE_* variables."""
    for name in ("KAGGLE_API_TOKEN", "KAGGLE_USERNAME", "KAGGLE_KEY", "KAGGLE_CONFIG_DIR"):
        monkeypatch.delenv(name, raising=False)
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    return monkeypatch


@pytest.fixture
def fake_kaggle(kaggle_env: pytest.MonkeyPatch) -> Iterator[FakeKaggle]:
    """The fake API serving the fixture models, requiring the bearer token that is set."""
    kaggle_env.setenv("KAGGLE_API_TOKEN", TOKEN)
    with running(FakeKaggle(fixture_models(), authorization=f"Bearer {TOKEN}")) as fake:
        yield fake


@pytest.fixture
def kaggle_source(fake_kaggle: FakeKaggle) -> str:
    """The API URL of the fake (credentials are in the environment)."""
    return fake_kaggle.base_url
