"""The Civitai demo snapshot's source: the recorded API replies of the shared samples.

`python -m harvesters.demo.build` finds this module (`source`) and writes
`harvesters/civitai/demo/`. The four replies are real (2025-07 to 2025-11: one
cursor-mode list page, one page-mode list page and two model details); descriptions,
version changelogs, images and avatars are taken out (`strip`), which changes none of
the facts a record holds.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from harvesters.demo.build import Source

RESPONSES = ("civitai", "responses")
LISTS = ("models_list_cursor_types-LORA_limit-1.json", "models_list_page-mode_model-11821.json")
DETAILS = ("model_1580878.json", "model_1231067.json")
AS_OF = dt.date(2025, 11, 20)  # the newest recording (the cursor-mode list page)
VERSION_PROSE = ("description", "images")


def source(samples: Path) -> Source | None:
    """The recorded Civitai models (None when the samples lack them)."""
    folder = samples.joinpath(*RESPONSES)
    if not folder.is_dir():
        return None
    payloads: list[Any] = []
    for name in LISTS:
        payloads += json.loads((folder / name).read_text("utf-8"))["items"]
    payloads += [json.loads((folder / name).read_text("utf-8")) for name in DETAILS]
    return Source(
        "civitai",
        payloads,
        AS_OF,
        "Civitai API replies recorded in public repositories (2025-07 to 2025-11): "
        "GET /api/v1/models in cursor and page mode, GET /api/v1/models/{id}",
        strip,
    )


def strip(payload: Mapping[str, Any]) -> dict[str, Any]:
    """A model without prose or pictures: no description, version changelogs, images or
    creator avatar."""
    out = {k: v for k, v in payload.items() if k != "description"}
    creator = payload.get("creator")
    if isinstance(creator, Mapping):
        out["creator"] = {k: v for k, v in creator.items() if k != "image"}
    versions = payload.get("modelVersions")
    if isinstance(versions, list):
        out["modelVersions"] = [
            {k: v for k, v in version.items() if k not in VERSION_PROSE}
            if isinstance(version, Mapping)
            else version
            for version in versions
        ]
    return out
