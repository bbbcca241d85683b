"""Fetch `ONNX_HUB_MANIFEST.json` (URL, file, or a directory holding it) and page it out."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

from catalog.records import NormalizedModel
from harvesters.base import FatalHarvestError, FetchContext, Harvester, Page, RawRecord
from harvesters.onnx_zoo.config import OnnxZooConfig
from harvesters.onnx_zoo.parse import PLATFORM, group_manifest, normalize_model
from harvesters.sources import http_client, local_copy, paginate

# Messages name the hub setting and the older name users may have set instead.
SETTING = "CATALOG_HARVESTERS__ONNX_MODEL_ZOO__URL (or CATALOG_ONNX_MANIFEST_URL)"
MANIFEST_NAME = "ONNX_HUB_MANIFEST.json"


class OnnxZooHarvester(Harvester):
    """One model per model name of the ONNX Model Zoo manifest; each entry is a variant."""

    name: ClassVar[str] = PLATFORM
    display_name: ClassVar[str] = "ONNX Model Zoo"
    home_url: ClassVar[str] = "https://github.com/onnx/models"
    version: ClassVar[str] = "2"  # 2: provenance of every field
    config_class: ClassVar[type[OnnxZooConfig]] = OnnxZooConfig
    supports_incremental: ClassVar[bool] = False

    def fetch(self, ctx: FetchContext) -> Iterator[Page]:
        config = self.config
        assert isinstance(config, OnnxZooConfig)
        location = config.url
        client = http_client(config)
        try:
            with local_copy(
                location, what="ONNX Model Zoo manifest", setting=SETTING, client=client
            ) as path:
                entries = _read_manifest(path, location)
        finally:
            client.close()
        records = [
            RawRecord(external_id=payload["model"], payload=payload)
            for payload in group_manifest(entries)
        ]
        yield from paginate(records, ctx, page_size=config.page_size)

    def normalize(self, raw: RawRecord) -> NormalizedModel:
        return normalize_model(raw.payload)


def _read_manifest(path: Path, location: str) -> list[Any]:
    if path.is_dir():
        path = path / MANIFEST_NAME
        if not path.is_file():
            raise FatalHarvestError(
                f"{location} is a directory without {MANIFEST_NAME}: set {SETTING} to the "
                "manifest file or its URL."
            )
    try:
        data = json.loads(path.read_bytes())
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise FatalHarvestError(
            f"The ONNX Model Zoo manifest at {location} is not valid JSON ({exc}): set "
            f"{SETTING} to {MANIFEST_NAME} (a URL or a local file)."
        ) from exc
    if not isinstance(data, list):
        raise FatalHarvestError(
            f"The ONNX Model Zoo manifest at {location} is not a JSON list of model entries: "
            f"set {SETTING} to {MANIFEST_NAME} (a URL or a local file)."
        )
    return data
