"""Everything derived about one model, from its facts and what its lineage brings."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from catalog.derive import licenses, memory, usage
from catalog.derive.facts import ModelFacts
from catalog.derive.licenses import EffectiveLicense, Inherited
from catalog.derive.memory import Footprint
from catalog.derive.usage import Decision, Evidence


@dataclass(frozen=True, slots=True)
class Derivation:
    """Usage decisions with their evidence, the memory footprint, the effective license.

    Attributes:
        base_of: Ref of one model that names this one as its fine-tuning base, if any.
    """

    usage: dict[str, Decision]
    evidence: tuple[Evidence, ...]
    footprints: tuple[Footprint, ...]
    memory_bytes: int | None
    license: EffectiveLicense
    base_of: str | None = None

    def evidence_json(self) -> dict[str, Any]:
        """The stored evidence document (`model_derivations.evidence`)."""
        return {
            "usage": [e.as_json() for e in self.evidence],
            "decided_by": {u: d.rule for u, d in self.usage.items() if d.rule},
            "memory": [fp.as_json() for fp in self.footprints],
            "license": self.license.evidence,
            "base_of": self.base_of,
        }

    @property
    def usages(self) -> list[str]:
        """The usages decided true."""
        return [u for u, d in self.usage.items() if d.value is True]


def derive(
    facts: ModelFacts, inherited: Sequence[Inherited] = (), base_of: str | None = None
) -> Derivation:
    """Derive usage, memory and license facts of one model.

    Args:
        facts: The model's normalized fields.
        inherited: Licenses of its ancestors (any depth), from the lineage walk.
        base_of: Ref of a model that names this one as the base it was fine-tuned (or
            trained an adapter) from, if any.
    """
    evidence = usage.usage_evidence(facts)
    if base_of is not None:
        evidence += usage.base_of_evidence(base_of)
    found = memory.footprints(facts)
    return Derivation(
        usage=usage.decide(evidence),
        evidence=tuple(evidence),
        footprints=tuple(found),
        memory_bytes=memory.smallest(found),
        license=licenses.effective_license(facts.license, inherited),
        base_of=base_of,
    )
