"""The shared harvester contract, run against a local tfhub.dev-like tarball."""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

import pytest

from catalog.settings import Settings
from harvesters.testing import HarvesterContract


class TestTfHubContract(HarvesterContract):
    platform = "tfhub"
    overrides: ClassVar[dict[str, Any]] = {"page_size": 5}  # several pages: checkpoints matter

    @pytest.fixture
    def harvester_settings(self, tfhub_source: Path) -> Settings:
        return Settings(harvesters={"tfhub": {"url": str(tfhub_source)}})
