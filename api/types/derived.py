"""Derived facts of a model: usage, memory footprint, effective license, provenance."""

from __future__ import annotations

import strawberry

from catalog.queries.derived import DerivedRow, SourceRow, UsageRow

WEIGHTS_ONLY = "weights only"


@strawberry.type(description="One piece of evidence for a usage value.")
class UsageEvidence:
    rule: str = strawberry.field(description="Name of the rule that found it.")
    value: bool = strawberry.field(description="What it says.")
    strength: int = strawberry.field(
        description="3 = the hub states it, 2 = a strong sign, 1 = a weak sign. The "
        "strongest evidence decides; disagreement at that strength leaves it unknown."
    )
    detail: str = strawberry.field(description="What the rule saw.")


@strawberry.type(description="Whether a model can be reused one way: true, false or unknown.")
class UsageAssessment:
    value: bool | None = strawberry.field(description="null: unknown (no or conflicting evidence).")
    decided_by: str | None = strawberry.field(
        description="The rule that decided, or `conflicting-evidence`."
    )
    evidence: list[UsageEvidence]

    @classmethod
    def from_row(cls, row: UsageRow | None) -> UsageAssessment:
        """Build from a derived row (an underived model is unknown)."""
        if row is None:
            return cls(value=None, decided_by=None, evidence=[])
        return cls(
            value=row.value,
            decided_by=row.decided_by,
            evidence=[
                UsageEvidence(rule=e.rule, value=e.value, strength=e.strength, detail=e.detail)
                for e in row.evidence
            ],
        )


@strawberry.type(description="Bytes of the weights of one format/variant (weights only).")
class MemoryVariant:
    format: str
    variant: str | None = strawberry.field(description="Quantization, opset, instance, ...")
    bytes: float
    method: str = strawberry.field(
        description="file-sizes, dtype-breakdown (safetensors dtypes x widths) or "
        "parameters-x-bits (parameters x bits per weight of the precision)."
    )
    bits_per_weight: float | None


@strawberry.type(
    description="Memory the weights take, weights only: no activations, KV cache, "
    "optimizer state or runtime overhead."
)
class MemoryFootprint:
    bytes: float = strawberry.field(description="The smallest variant's weights, in bytes.")
    label: str = strawberry.field(description='Always "weights only".')
    variants: list[MemoryVariant]


@strawberry.type(description="A license binding a model: its own or an ancestor's.")
class LicenseTerm:
    license: str | None = strawberry.field(description="Slug; null when the source states none.")
    license_class: str
    source_ref: str | None = strawberry.field(
        description="The ancestor it comes from; null for the model's declared license."
    )
    depth: int = strawberry.field(description="0 = declared, 1 = a direct parent's, ...")
    in_catalog: bool = strawberry.field(
        description="False for an ancestor not in the catalog (its license is unknown)."
    )


@strawberry.type(
    description="The declared license plus every license inherited along the base-model "
    "chain (a fine-tune of a Llama 3.1 model is bound by the Llama 3.1 license)."
)
class EffectiveLicense:
    licenses: list[str] = strawberry.field(description="Declared first, then inherited.")
    license_class: str = strawberry.field(
        description="The most restrictive class: permissive < copyleft < restricted-custom < "
        "non-commercial; unknown when any is unknown and none is non-commercial."
    )
    commercial_use: bool | None = strawberry.field(description="null: unknown.")
    conflict: bool = strawberry.field(
        description="The declared license is more permissive than an ancestor's."
    )
    conflicts: list[str]
    terms: list[LicenseTerm]

    @classmethod
    def from_row(cls, row: DerivedRow) -> EffectiveLicense:
        """Build from a derived row."""
        evidence = row.license_evidence
        declared = LicenseTerm(
            license=evidence.get("declared"),
            license_class=str(evidence.get("declared_class") or "unknown"),
            source_ref=None,
            depth=0,
            in_catalog=True,
        )
        inherited = [
            LicenseTerm(
                license=i.get("license"),
                license_class=str(i.get("class")),
                source_ref=i.get("ref"),
                depth=int(i.get("depth", 1)),
                in_catalog=bool(i.get("in_catalog", True)),
            )
            for i in evidence.get("inherited", [])
        ]
        return cls(
            licenses=row.effective_licenses,
            license_class=row.effective_class or "unknown",
            commercial_use=row.commercial_use,
            conflict=row.license_conflict,
            conflicts=[str(c) for c in evidence.get("conflicts", [])],
            terms=[declared, *inherited],
        )


@strawberry.type(description="Where a field's value came from.")
class FieldSource:
    field: str = strawberry.field(description="The Model field, e.g. `license`, `tasks`.")
    source: str = strawberry.field(
        description="declared (the hub states it), derived (a rule computed it) or "
        "curated (the catalog's own knowledge of the hub)."
    )
    path: str | None = strawberry.field(
        description="The hub field it came from, e.g. `cardData.license`, `tags[license:mit]`."
    )
    rule: str | None = strawberry.field(description="The derivation's (or the alias table's) name.")

    @classmethod
    def from_row(cls, row: SourceRow) -> FieldSource:
        """Build from a query row."""
        return cls(field=row.field, source=row.source, path=row.path, rule=row.rule)


def memory_of(row: DerivedRow) -> MemoryFootprint | None:
    """The memory footprint of a derived row (None when unknown)."""
    if row.memory_bytes is None:
        return None
    return MemoryFootprint(
        bytes=row.memory_bytes,
        label=WEIGHTS_ONLY,
        variants=[
            MemoryVariant(
                format=f.format,
                variant=f.variant,
                bytes=f.bytes,
                method=f.method,
                bits_per_weight=f.bits_per_weight,
            )
            for f in sorted(row.footprints, key=lambda f: f.bytes)
        ],
    )
