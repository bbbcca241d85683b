"""Fixtures for the Hugging Face harvester tests: a fake Hub and settings pointing at it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from catalog.settings import Settings
from tests.harvesters.fakehub import FakeHub, generate_models, hub_settings


@pytest.fixture
def fake_hub() -> Iterator[FakeHub]:
    """A fake Hub serving 250 generated models, 100 per page at most."""
    with FakeHub(generate_models(250, seed=1), page_size_cap=100) as hub:
        yield hub


@pytest.fixture
def fake_hub_settings(fake_hub: FakeHub) -> Settings:
    """Settings that point the harvester at `fake_hub`, with no token."""
    return hub_settings(fake_hub)
