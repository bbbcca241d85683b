"""What the per-model derivations read: a few normalized fields of one model.

The loader builds `ModelFacts` from the records it loads; the lineage refresh and the
full rebuild read the same fields back from the catalog tables, so every path derives
from the same input.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from catalog.records import FormatRecord, NormalizedModel


@dataclass(frozen=True, slots=True)
class ModelFacts:
    """The normalized fields the derivations use.

    Attributes:
        relations: Relations of the model's own lineage edges (finetune, quantized, ...).
    """

    platform: str
    external_id: str
    name: str
    library: str | None = None
    license: str | None = None
    parameters: int | None = None
    tasks: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    formats: tuple[FormatRecord, ...] = ()
    extra: Mapping[str, Any] = field(default_factory=dict)
    relations: tuple[str, ...] = ()

    @property
    def ref(self) -> str:
        """`<platform>:<externalId>`."""
        return f"{self.platform}:{self.external_id}"


def facts_of(record: NormalizedModel) -> ModelFacts:
    """The facts of a normalized record."""
    return ModelFacts(
        platform=record.platform,
        external_id=record.external_id,
        name=record.name,
        library=record.library,
        license=record.license.slug if record.license else None,
        parameters=record.parameters,
        tasks=record.tasks,
        tags=record.tags,
        formats=record.formats,
        extra=record.extra,
        relations=tuple(ref.relation for ref in record.lineage),
    )
