"""Keep the derived layer current: after each loaded batch, and as a full rebuild.

Per-model facts (usage, memory, license class) come from the records being loaded.
Facts that need other models are refreshed incrementally, in the batch's transaction:

- the effective license of each loaded model (its ancestors at any depth, across hubs);
  when it changed (a new model, a changed license, changed lineage), every descendant's
  too, at any depth (cycle-safe);
- the "other models name it as their fine-tuning base" evidence of the loaded models'
  parents, old and new, re-derived only when it appears or disappears.

Nothing walks the whole catalog; `rebuild` does, on request (`catalog derive rebuild`).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Mapping

from sqlalchemy import text
from sqlalchemy.orm import Session

from catalog.derive import store
from catalog.derive.facts import ModelFacts
from catalog.derive.licenses import EffectiveLicense, effective_license
from catalog.derive.model import Derivation, derive

REBUILD_CHUNK = 5000


def refresh_loaded(
    session: Session, loaded: Mapping[int, ModelFacts], old_parents: Collection[int] = ()
) -> None:
    """Derive everything about models just loaded, and what their loading changed.

    Args:
        session: The loading transaction's session.
        loaded: Facts of the loaded models by model id.
        old_parents: Parents the loaded models named before this load (their lineage
            was replaced), whose fine-tuning evidence may have changed.
    """
    if not loaded:
        return
    inherited, parents = store.read_inherited(session, loaded)
    candidates = ({p for ps in parents.values() for p in ps} | set(old_parents)) - loaded.keys()
    stored = store.read_stored(session, loaded.keys() | candidates)
    base_of = store.read_base_of(session, loaded.keys() | candidates)
    derived = {
        mid: derive(facts, inherited.get(mid, ()), base_of.get(mid))
        for mid, facts in loaded.items()
    }
    changed = [
        mid
        for mid, d in derived.items()
        if mid not in stored or stored[mid].license != d.license.evidence
    ]
    flipped = {
        mid
        for mid in candidates
        if mid not in stored
        or not stored[mid].has_usage
        or (stored[mid].base_of is None) != (base_of.get(mid) is None)
    }
    derived.update(derive_models(session, flipped, base_of))
    store.write(session, derived)
    descendants = store.read_descendants(session, changed) - derived.keys()
    store.write_licenses(session, _licenses(session, descendants))


def derive_models(
    session: Session, ids: Collection[int], base_of: Mapping[int, str] | None = None
) -> dict[int, Derivation]:
    """Derive models from the catalog tables (their facts and lineage read back)."""
    if not ids:
        return {}
    facts = store.read_facts(session, ids)
    inherited, _ = store.read_inherited(session, ids)
    if base_of is None:
        base_of = store.read_base_of(session, ids)
    return {mid: derive(f, inherited.get(mid, ()), base_of.get(mid)) for mid, f in facts.items()}


def _licenses(session: Session, ids: Collection[int]) -> dict[int, EffectiveLicense]:
    """Effective licenses of models (their declared license and ancestors read back)."""
    if not ids:
        return {}
    inherited, _ = store.read_inherited(session, ids)
    declared = store.read_declared(session, ids)
    return {mid: effective_license(lic, inherited.get(mid, ())) for mid, lic in declared.items()}


def rebuild(
    session: Session,
    *,
    chunk: int = REBUILD_CHUNK,
    commit: bool = True,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Derive every model again, a chunk of ids per transaction.

    Returns:
        How many models were derived.
    """
    done = 0
    for ids in _id_chunks(session, chunk):
        store.write(session, derive_models(session, ids))
        if commit:
            session.commit()
        done += len(ids)
        if progress is not None:
            progress(done)
    return done


def _id_chunks(session: Session, size: int) -> Iterator[list[int]]:
    last = 0
    while True:
        ids = list(
            session.execute(
                text("SELECT id FROM models WHERE id > :last ORDER BY id LIMIT :n"),
                {"last": last, "n": size},
            ).scalars()
        )
        if not ids:
            return
        yield ids
        last = ids[-1]
