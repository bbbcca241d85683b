"""The shared harvester contract, run against a local ONNX Model Zoo manifest."""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

import pytest

from catalog.settings import Settings
from harvesters.testing import HarvesterContract


class TestOnnxZooContract(HarvesterContract):
    platform = "onnx-model-zoo"
    overrides: ClassVar[dict[str, Any]] = {"page_size": 5}  # several pages: checkpoints matter

    @pytest.fixture
    def harvester_settings(self, onnx_zoo_source: Path) -> Settings:
        return Settings(harvesters={"onnx-model-zoo": {"url": str(onnx_zoo_source)}})
