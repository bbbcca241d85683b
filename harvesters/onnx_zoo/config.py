"""Configuration of the ONNX Model Zoo harvester (the manifest location is a setting)."""

from __future__ import annotations

from harvesters.sources import SourceConfig


class OnnxZooConfig(SourceConfig):
    """Options of the ONNX Model Zoo harvester; `CATALOG_ONNX_MANIFEST_URL` names the source."""
