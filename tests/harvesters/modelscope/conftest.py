"""Fixtures of the ModelScope tests: fixture models and the local fake API serving them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.harvesters.modelscope.fake_modelscope import FakeModelScope, running

FIXTURES = Path(__file__).parent / "fixtures"
# Not a real model: no `Name`, so it has no id and must be quarantined.
NAMELESS = {"Id": 900099, "Path": "fixture-user", "Name": "", "Downloads": 1, "Tasks": None}


def fixture_models() -> list[dict[str, Any]]:
    """37 model DTOs: the 30 of the recorded website page (`recorded_page.json`: ids,
    names, tags, counts and file lists as recorded; descriptions written for the
    fixtures), six hand-made ones covering other tasks, schema variants and Hugging Face
    links (`handmade.json`), and a nameless one."""
    recorded = json.loads((FIXTURES / "recorded_page.json").read_text())
    handmade = json.loads((FIXTURES / "handmade.json").read_text())
    return [*recorded, *handmade, NAMELESS]


@pytest.fixture
def fake_modelscope(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeModelScope]:
    """The fake site serving the fixture models (no token of the developer's shell)."""
    monkeypatch.delenv("MODELSCOPE_API_TOKEN", raising=False)
    with running(FakeModelScope(fixture_models())) as fake:
        yield fake


@pytest.fixture
def modelscope_source(fake_modelscope: FakeModelScope) -> str:
    """The site URL of the fake."""
    return fake_modelscope.base_url
