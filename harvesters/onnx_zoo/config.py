"""Configuration of the ONNX Model Zoo harvester (the manifest location is a setting)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from pydantic import Field

from harvesters.sources import SourceConfig

ONNX_MANIFEST = "https://raw.githubusercontent.com/onnx/models/main/ONNX_HUB_MANIFEST.json"


class OnnxZooConfig(SourceConfig):
    """Options of the ONNX Model Zoo harvester (`CATALOG_HARVESTERS__ONNX_MODEL_ZOO__...`)."""

    # The name users set before the option moved here keeps working.
    env_aliases: ClassVar[Mapping[str, str]] = {"url": "CATALOG_ONNX_MANIFEST_URL"}

    url: str = Field(
        default=ONNX_MANIFEST,
        description="ONNX_HUB_MANIFEST.json: a URL or a local file (also read from "
        "CATALOG_ONNX_MANIFEST_URL).",
    )
