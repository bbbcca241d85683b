"""The ModelScope demo snapshot's source: the recorded website search page of the samples.

`python -m harvesters.demo.build` finds this module (`source`) and writes
`harvesters/modelscope/demo/`. The page is real (`PUT /api/v1/dolphin/models`,
2025-11, 30 models); its model objects carry the same PascalCase fields as the legacy
detail endpoint the harvester reads, so each becomes the `detail` half of a payload.
Descriptions and READMEs are taken out (`strip`), and so is what the normalizer never
reads (images, widgets, deployment settings), which changes none of the facts a record
holds.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from harvesters.demo.build import Source

PAGE = ("modelscope", "responses", "dolphin_models_PUT_tags-lora_page1.response.json")
AS_OF = dt.date(2025, 11, 1)  # the month the page was recorded
KEPT = frozenset(
    {
        "AigcType", "Architectures", "BaseModel", "BaseModelRelation", "ChineseName",
        "CreatedBy", "CreatedTime", "Downloads", "Frameworks", "Id", "Language",
        "LastUpdatedTime", "Libraries", "License", "ModelInfos", "ModelSource", "ModelType",
        "Name", "NickName", "OfficialTags", "Organization", "Path", "Revision", "Stars",
        "Tags", "Tasks", "TriggerWords", "Visibility", "VisionFoundation",
    }
)  # fmt: skip


def source(samples: Path) -> Source | None:
    """The recorded ModelScope models (None when the samples lack them)."""
    page = samples.joinpath(*PAGE)
    if not page.is_file():
        return None
    models = json.loads(page.read_text("utf-8"))["Data"]["Model"]["Models"]
    return Source(
        "modelscope",
        [{"detail": model} for model in models],
        AS_OF,
        "ModelScope website search page recorded in a public repository (2025-11): "
        "PUT /api/v1/dolphin/models, tag lora, page 1 (30 models)",
        strip,
    )


ORGANIZATION_KEPT = frozenset({"Id", "Name", "FullName", "Type", "GithubAddress"})


def strip(payload: Mapping[str, Any]) -> dict[str, Any]:
    """A model without prose: only the fields the normalizer reads, no description,
    README or organization profile."""
    detail = payload.get("detail")
    if not isinstance(detail, Mapping):
        return dict(payload)
    kept = {k: v for k, v in detail.items() if k in KEPT}
    organization = kept.get("Organization")
    if isinstance(organization, Mapping):
        kept["Organization"] = {k: v for k, v in organization.items() if k in ORGANIZATION_KEPT}
    return {"detail": kept}
