"""The fixture catalog of the report tests: records from fixtures/catalog.json, loaded
through the real loader at three observation times, and the figures the reports must
show, computed here in plain Python from the same file."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter, defaultdict
from functools import cache
from itertools import groupby
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from catalog import vocab
from catalog.loader import load_models
from catalog.records import FormatRecord, LicenseRef, LineageRef, NormalizedModel

FIXTURE = Path(__file__).parent / "fixtures" / "catalog.json"


@cache
def fixture() -> dict[str, Any]:
    """The parsed fixture file."""
    return json.loads(FIXTURE.read_text(encoding="utf-8"))


def models() -> list[dict[str, Any]]:
    """The fixture's models (as in the file)."""
    return fixture()["models"]


def ref(model: dict[str, Any]) -> str:
    """`<platform>:<externalId>` of a fixture model."""
    return f"{model['platform']}:{model['external_id']}"


def by_ref(value: str) -> dict[str, Any]:
    """The fixture model with this ref."""
    return next(m for m in models() if ref(m) == value)


def observed() -> list[dt.datetime]:
    """Observation times: the history points first, the current figures last."""
    return [dt.datetime.fromisoformat(t) for t in fixture()["observed"]]


def _license(slug: str) -> LicenseRef:
    known = vocab.LICENSE_BY_SLUG.get(slug)
    return LicenseRef(slug, known.name if known else slug, spdx_id=known.spdx_id if known else None)


def record(model: dict[str, Any], downloads: int | None) -> NormalizedModel:
    """The normalized record of a fixture model with the given download count."""
    lineage = ()
    if "base" in model:
        platform, _, external_id = model["base"].partition(":")
        lineage = (LineageRef(platform, external_id, model["relation"]),)
    return NormalizedModel(
        platform=model["platform"],
        external_id=model["external_id"],
        name=model["name"],
        author=model["external_id"].split("/", 1)[0],
        tasks=(model["task"],),
        license=_license(model["license"]),
        formats=tuple(FormatRecord(f) for f in model["formats"]),
        parameters=model.get("parameters"),
        downloads=downloads,
        likes=model.get("likes"),
        lineage=lineage,
    )


def load(engine: Engine) -> None:
    """Load the fixture: models with a history at the earlier times, all at the last."""
    times = observed()
    with Session(engine) as session:
        for step, when in enumerate(times):
            last = step == len(times) - 1
            batch = [
                record(m, m.get("downloads") if last else m["history"][step])
                for m in models()
                if last or step < len(m.get("history", ()))
            ]
            batch.sort(key=lambda r: r.platform)
            for _, group in groupby(batch, key=lambda r: r.platform):
                load_models(session, list(group), observed_at=when)
        session.commit()


def modality(model: dict[str, Any]) -> str:
    """The modality of a fixture model's task."""
    return vocab.TASK_MODALITY[model["task"]]


def top_by_downloads(task: str, top: int) -> list[dict[str, Any]]:
    """Models of a task, most downloaded first (no downloads last), at most `top`."""
    chosen = [m for m in models() if m["task"] == task]
    return sorted(chosen, key=lambda m: -(m.get("downloads") or -1))[:top]


def mix(chosen: list[dict[str, Any]], key: str) -> Counter[str]:
    """How many of `chosen` have each value of `key` (lists count each element)."""
    counts: Counter[str] = Counter()
    for m in chosen:
        value = m[key]
        counts.update(value if isinstance(value, list) else [value])
    return counts


def matrix(row_of: str, column_of: str) -> dict[tuple[str, str], int]:
    """Distinct models per (row value, column value); fields: platform/format/modality/task."""

    def values(m: dict[str, Any], field: str) -> list[str]:
        if field == "format":
            return m["formats"]
        if field == "modality":
            return [modality(m)]
        return [m[field]]

    cells: dict[tuple[str, str], int] = defaultdict(int)
    for m in models():
        for r in values(m, row_of):
            for c in values(m, column_of):
                cells[(r, c)] += 1
    return dict(cells)
