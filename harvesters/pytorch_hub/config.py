"""Configuration of the PyTorch Hub harvester (the archive location is a setting)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from pydantic import Field

from harvesters.sources import SourceConfig

PYTORCH_HUB_ARCHIVE = "https://github.com/pytorch/hub/archive/refs/heads/master.tar.gz"


class PyTorchHubConfig(SourceConfig):
    """Options of the PyTorch Hub harvester (`CATALOG_HARVESTERS__PYTORCH_HUB__...`)."""

    # The name users set before the option moved here keeps working.
    env_aliases: ClassVar[Mapping[str, str]] = {"url": "CATALOG_PYTORCH_HUB_ARCHIVE_URL"}

    url: str = Field(
        default=PYTORCH_HUB_ARCHIVE,
        description="The pytorch/hub repository: a tarball URL, a local .tar.gz or a "
        "directory (also read from CATALOG_PYTORCH_HUB_ARCHIVE_URL).",
    )
