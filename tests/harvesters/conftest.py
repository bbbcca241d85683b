"""Fixtures shared by the hub tests: a local static HTTP server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.harvesters.onnx_zoo.local_http import serve_directory


@pytest.fixture
def static_server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A local HTTP server over a fresh directory: yields (base URL, directory)."""
    root = tmp_path / "www"
    root.mkdir()
    with serve_directory(root) as base:
        yield base, root
