"""Configuration of the TF Hub harvester (the archive location is a setting)."""

from __future__ import annotations

from harvesters.sources import SourceConfig


class TfHubConfig(SourceConfig):
    """Options of the TF Hub harvester; `CATALOG_TFHUB_ARCHIVE_URL` names the source."""
