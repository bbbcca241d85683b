"""The shared harvester contract, run against the local fake of ModelScope."""

from __future__ import annotations

from typing import Any, ClassVar

import pytest

from catalog.settings import Settings
from harvesters.testing import HarvesterContract


class TestModelScopeContract(HarvesterContract):
    platform = "modelscope"
    overrides: ClassVar[dict[str, Any]] = {"page_size": 10}  # four pages

    @pytest.fixture
    def harvester_settings(self, modelscope_source: str) -> Settings:
        return Settings(harvesters={"modelscope": {"url": modelscope_source}})
