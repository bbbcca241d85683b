"""The shared harvester contract, run against the fake Hub."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

import pytest

from catalog.settings import Settings
from harvesters.testing import HarvesterContract
from tests.harvesters.fakehub import FakeHub, generate_models, hub_settings


class TestHuggingFaceContract(HarvesterContract):
    platform = "huggingface"
    # Small pages so checkpoints matter; no real waits between retries.
    overrides: ClassVar[dict[str, Any]] = {"page_size": 40, "retry_base_delay": 0}

    @pytest.fixture
    def harvester_settings(self) -> Iterator[Settings]:
        with FakeHub(generate_models(120, seed=5)) as hub:
            yield hub_settings(hub)
