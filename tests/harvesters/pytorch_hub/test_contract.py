"""The shared harvester contract, run against a local pytorch/hub-like tarball."""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

import pytest

from catalog.settings import Settings
from harvesters.testing import HarvesterContract


class TestPyTorchHubContract(HarvesterContract):
    platform = "pytorch-hub"
    overrides: ClassVar[dict[str, Any]] = {"page_size": 5}  # several pages: checkpoints matter

    @pytest.fixture
    def harvester_settings(self, pytorch_hub_source: Path) -> Settings:
        return Settings(harvesters={"pytorch-hub": {"url": str(pytorch_hub_source)}})
