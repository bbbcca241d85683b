"""Build catalog test data as NormalizedModel records loaded through the real loader."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from catalog.derive import Derivation, derive, facts_of
from catalog.loader import load_models
from catalog.models import Model, Platform
from catalog.queries.dimensions import PARAMETER_BUCKETS
from catalog.records import FormatRecord, LicenseRef, LineageRef, NormalizedModel
from tests.derived import DERIVED_FIELDS, derived_by_key, derived_values, key_of

NOW = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)


def record(external_id: str, platform: str = "huggingface", **fields: Any) -> NormalizedModel:
    """A record with sensible defaults; `formats` may be given as slugs, `license` as a slug."""
    author = external_id.split("/", maxsplit=1)[0] if "/" in external_id else None
    fields.setdefault("name", external_id.rsplit("/", 1)[-1])
    fields.setdefault("author", author)
    if "formats" in fields:
        fields["formats"] = tuple(
            f if isinstance(f, FormatRecord) else FormatRecord(f) for f in fields["formats"]
        )
    if isinstance(fields.get("license"), str):
        fields["license"] = LicenseRef(fields["license"], fields["license"])
    for name in ("tasks", "modalities", "languages", "datasets", "tags", "lineage"):
        if name in fields:
            fields[name] = tuple(fields[name])
    return NormalizedModel(platform=platform, external_id=external_id, **fields)


def load(
    session: Session, records: Iterable[NormalizedModel], observed_at: dt.datetime = NOW
) -> dict[str, int]:
    """Load records (any platforms) and return model ids by `<platform>:<externalId>`."""
    by_platform: dict[str, list[NormalizedModel]] = defaultdict(list)
    for rec in records:
        by_platform[rec.platform].append(rec)
    ids: dict[str, int] = {}
    for platform, batch in by_platform.items():
        result = load_models(session, batch, observed_at=observed_at)
        ids.update({f"{platform}:{ext}": mid for ext, mid in result.ids.items()})
    session.flush()
    return ids


def remove(session: Session, ref: str) -> None:
    """Soft-delete a model by ref."""
    platform, external_id = ref.split(":", 1)
    model = session.execute(
        select(Model)
        .join(Platform, Platform.id == Model.platform_id)
        .where(Platform.slug == platform, Model.external_id == external_id)
    ).scalar_one()
    model.removed_at = NOW
    session.flush()


PLATFORMS = ("huggingface", "kaggle", "tfhub", "onnx-model-zoo", "pytorch-hub")
TASKS = (
    "text-generation",
    "image-classification",
    "automatic-speech-recognition",
    "feature-extraction",
    "object-detection",
)
FORMATS = ("safetensors", "pytorch", "onnx", "gguf", "tflite")
LICENSES = ("apache-2.0", "mit", "llama3")
LIBRARIES = ("transformers", "timm", "keras")
LANGUAGES = ("en", "fr", "de")
TAGS = ("chat", "vision", "edge", "research")
DATASETS = ("imagenet-1k", "common_voice")


def catalog_records(count: int = 60, seed: int = 7) -> list[NormalizedModel]:
    """A varied catalog: every facet has several values, some fields missing, ties."""
    rng = random.Random(seed)
    records = []
    for i in range(count):
        platform = PLATFORMS[i % len(PLATFORMS)]
        author = f"org{i % 7}"
        records.append(
            record(
                f"{author}/model-{i:03d}",
                platform=platform,
                summary=f"Synthetic model number {i}",
                tasks=rng.sample(TASKS, rng.choice((0, 1, 1, 2))),
                formats=rng.sample(FORMATS, rng.choice((0, 1, 2, 3))),
                license=rng.choice((*LICENSES, None)),
                library=rng.choice((*LIBRARIES, None)),
                languages=rng.sample(LANGUAGES, rng.choice((0, 1, 2))),
                datasets=rng.sample(DATASETS, rng.choice((0, 0, 1))),
                tags=rng.sample(TAGS, rng.choice((0, 1, 2))),
                parameters=rng.choice((None, 5_000_000, 50_000_000, 300_000_000, 7_000_000_000)),
                downloads=rng.choice((None, 0, 10, 10, 500, 12_000, 1_000_000)),
                likes=rng.choice((None, 0, 3, 40)),
                trending_score=rng.choice((None, 0.5, 2.0)),
                created_at=NOW - dt.timedelta(days=rng.randint(0, 900), seconds=i),
                last_modified=rng.choice((None, NOW - dt.timedelta(days=rng.randint(0, 90)))),
            )
        )
    return [_sized(r, i) for i, r in enumerate(records)]


def _sized(rec: NormalizedModel, i: int) -> NormalizedModel:
    """Every third record gets file sizes (0.25 GiB steps), so memory buckets vary."""
    if i % 3 or not rec.formats:
        return rec
    sized = tuple(replace(f, total_bytes=(i + 1 + n) * 2**28) for n, f in enumerate(rec.formats))
    return replace(rec, formats=sized)


def with_lineage(
    records: Sequence[NormalizedModel], chain: Sequence[tuple[int, int, str]]
) -> list[NormalizedModel]:
    """Records with lineage edges added: (child index, parent index, relation)."""
    out = list(records)
    for child, parent, relation in chain:
        ref = LineageRef(out[parent].platform, out[parent].external_id, relation)
        out[child] = replace(out[child], lineage=(*out[child].lineage, ref))
    return out


# Plain-Python answers over fixture records, to hold the query backends to.


def values_of(
    rec: NormalizedModel, field: str, derived: dict[str, Derivation] | None = None
) -> tuple[str, ...]:
    """A record's values for one facet field (`derived`: what lineage adds, by ref)."""
    if field in DERIVED_FIELDS:
        found = (derived or {}).get(key_of(rec)) or derive(facts_of(rec))
        return derived_values(found, field)
    single = {
        "platform": rec.platform,
        "library": rec.library,
        "license": rec.license.slug if rec.license else None,
        "author": rec.author,
    }
    if field in single:
        value = single[field]
        return (value,) if value else ()
    if field == "parameter_range":
        if rec.parameters is None:
            return ()
        for slug, _label, low, high in PARAMETER_BUCKETS:
            if low <= rec.parameters < high:
                return (slug,)
    multi = {
        "task": rec.tasks,
        "modality": rec.all_modalities(),
        "format": tuple(f.slug for f in rec.formats),
        "language": rec.languages,
        "dataset": rec.datasets,
        "tag": rec.tags,
        "family": (),  # derived after loading (catalog.families); these records have none
    }
    return tuple(multi[field])


def keep(
    rec: NormalizedModel,
    include: dict[str, Iterable[str]],
    exclude: dict[str, Iterable[str]] | None = None,
    skip: str | None = None,
    min_parameters: float | None = None,
    derived: dict[str, Derivation] | None = None,
) -> bool:
    """Does a record pass the filter (ignoring field `skip`)?"""
    for field, wanted in include.items():
        if field != skip and not set(values_of(rec, field, derived)) & set(wanted):
            return False
    for field, unwanted in (exclude or {}).items():
        if field != skip and set(values_of(rec, field, derived)) & set(unwanted):
            return False
    below = rec.parameters is None or rec.parameters < (min_parameters or 0)
    return not (min_parameters is not None and skip != "parameter_range" and below)


def facet(
    records: Sequence[NormalizedModel],
    field: str,
    include: dict[str, Iterable[str]],
    exclude: dict[str, Iterable[str]] | None = None,
    min_parameters: float | None = None,
) -> list[tuple[str, int]]:
    """Disjunctive facet counts, most first then by value."""
    counts: Counter[str] = Counter()
    derived = derived_by_key(records)
    for rec in records:
        if keep(rec, include, exclude, skip=field, min_parameters=min_parameters, derived=derived):
            counts.update(set(values_of(rec, field, derived)))
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
