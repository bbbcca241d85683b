"""Why a model has its family: the stored assignment and every piece of evidence."""

from __future__ import annotations

from sqlalchemy.orm import Session

from catalog.families import store
from catalog.families.matcher import Verdict, own_evidence, ref_name_verdict
from catalog.families.recompute import current_vocabulary


def _shown(verdict: Verdict | None) -> str:
    if verdict is None:
        return "-"
    return f"{verdict.slug or 'no family'} ({verdict.evidence}; {verdict.confidence:.2f})"


def explain_ref(session: Session, ref: str) -> list[str] | None:
    """Lines explaining a model's family; None when the ref names no model."""
    platform, _, external_id = ref.partition(":")
    found = store.model_ids_by_ref(session, {(platform, external_id)})
    if not found:
        return None
    model_id = found[(platform, external_id)]
    vocab = current_vocabulary()
    facts = store.read_facts(session, ids=[model_id])
    own = own_evidence(vocab, facts.models[model_id])
    stored = store.stored_assignments(session, [model_id]).get(model_id)
    lines = [ref]
    if stored is None or stored.slug is None:
        lines.append("  family: none")
    else:
        path = " > ".join(vocab.families[stored.slug].path) if stored.slug in vocab.families else ""
        lines.append(f"  family: {stored.slug} ({path})")
        lines.append(f"  method: {stored.method}, confidence {stored.confidence:.2f}")
        lines.append(f"  evidence: {stored.evidence}")
        lines.append(f"  derivative: {'yes' if stored.derivative else 'no'}")
    lines.append("  own evidence, strongest first:")
    for label, verdict in (
        ("pin", own.pin),
        ("link", own.link),
        ("architecture", own.architecture),
        ("name", own.name),
    ):
        lines.append(f"    {label}: {_shown(verdict)}")
    parents = facts.parents.get(model_id, [])
    assigned = store.stored_assignments(session, [p for p, _, _ in parents if p is not None])
    for parent_id, parent_platform, parent_external in parents:
        verdict = (
            assigned.get(parent_id)
            if parent_id is not None
            else ref_name_verdict(vocab, parent_platform, parent_external)
        )
        held = "" if parent_id is not None else ", not in the catalog: by its name"
        lines.append(f"  base {parent_platform}:{parent_external}{held}: {_shown(verdict)}")
    return lines
