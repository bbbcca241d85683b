"""The shared harvester contract, run against a local fake of Kaggle's models API."""

from __future__ import annotations

from typing import Any, ClassVar

import pytest

from catalog.settings import Settings
from harvesters.testing import HarvesterContract


class TestKaggleContract(HarvesterContract):
    platform = "kaggle"
    overrides: ClassVar[dict[str, Any]] = {"page_size": 5}  # several pages: checkpoints matter

    @pytest.fixture
    def harvester_settings(self, kaggle_source: str) -> Settings:
        return Settings(harvesters={"kaggle": {"url": kaggle_source}})
