"""Configuration of the PyTorch Hub harvester (the archive location is a setting)."""

from __future__ import annotations

from harvesters.sources import SourceConfig


class PyTorchHubConfig(SourceConfig):
    """Options of the PyTorch Hub harvester; `CATALOG_PYTORCH_HUB_ARCHIVE_URL` names the source."""
