"""The shared harvester contract, run against a local fake of Civitai's models API."""

from __future__ import annotations

from typing import Any, ClassVar

import pytest

from catalog.settings import Settings
from harvesters.testing import HarvesterContract


class TestCivitaiContract(HarvesterContract):
    platform = "civitai"
    overrides: ClassVar[dict[str, Any]] = {"page_size": 5, "http_backoff": 0}

    @pytest.fixture
    def harvester_settings(self, civitai_source: str) -> Settings:
        return Settings(harvesters={"civitai": {"url": civitai_source}})
