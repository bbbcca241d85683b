"""Configuration of the TF Hub harvester (the archive location is a setting)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from pydantic import Field

from harvesters.sources import SourceConfig

TFHUB_ARCHIVE = "https://github.com/tensorflow/tfhub.dev/archive/refs/heads/master.tar.gz"


class TfHubConfig(SourceConfig):
    """Options of the TF Hub harvester (`CATALOG_HARVESTERS__TFHUB__...`)."""

    # The name users set before the option moved here keeps working.
    env_aliases: ClassVar[Mapping[str, str]] = {"url": "CATALOG_TFHUB_ARCHIVE_URL"}

    url: str = Field(
        default=TFHUB_ARCHIVE,
        description="The tensorflow/tfhub.dev repository: a tarball URL, a local .tar.gz or "
        "a directory (also read from CATALOG_TFHUB_ARCHIVE_URL).",
    )
