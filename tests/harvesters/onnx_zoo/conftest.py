"""Fixtures of the ONNX Model Zoo tests: a small manifest and a static local HTTP server."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.harvesters.onnx_zoo.local_http import dead_base_url

FIXTURES = Path(__file__).parent / "fixtures"
MANIFEST = FIXTURES / "ONNX_HUB_MANIFEST.json"


@pytest.fixture
def onnx_zoo_source(tmp_path: Path) -> Path:
    """A local manifest (facts of 16 real zoo models) in a directory of its own."""
    target = tmp_path / "ONNX_HUB_MANIFEST.json"
    shutil.copy(MANIFEST, target)
    return target


@pytest.fixture
def dead_url() -> str:
    """A manifest URL on a local port where nothing listens."""
    return f"{dead_base_url()}/ONNX_HUB_MANIFEST.json"
