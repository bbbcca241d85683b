"""Recompute family assignments: fully (`rebuild_families`) or for changed models and,
as far as their families change, their descendants (`recompute_families`).

Both read facts in bulk, assign in memory (`catalog.families.assign`) and write only the
differences, in the caller's transaction, under the family writer lock.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from catalog.families import store, writes
from catalog.families.assign import Node, assign_all
from catalog.families.matcher import own_evidence
from catalog.families.records import Target, make_node
from catalog.families.vocabulary import Vocabulary, get_vocabulary
from catalog.loader.sql import LoadContendedError, execute
from catalog.settings import get_settings

log = logging.getLogger(__name__)

CHUNK = 50_000  # models read per round trip of a full rebuild
MAX_ROUNDS = 64  # lineage depth an incremental recompute follows (cycles stop sooner)

Progress = Callable[[str, int, int], None]


def current_vocabulary() -> Vocabulary:
    """The built-in vocabulary plus the user's file (`CATALOG_FAMILIES_FILE`)."""
    return get_vocabulary(get_settings().families_file)


@dataclass(frozen=True, slots=True)
class RebuildSummary:
    """What a full rebuild did."""

    models: int
    assigned: int
    changed: int
    families: int
    seconds: float
    by_method: dict[str, int]


def rebuild_families(
    session: Session, vocab: Vocabulary | None = None, *, progress: Progress | None = None
) -> RebuildSummary:
    """Assign every model of the catalog its family (in the caller's transaction).

    Args:
        session: The session; nothing is committed.
        vocab: The vocabulary (default: `current_vocabulary()`).
        progress: Called with (stage, done, total) as chunks are read.
    """
    started = time.perf_counter()
    started_at = dt.datetime.now(dt.UTC)
    vocab = vocab or current_vocabulary()
    store.lock(session)
    synced = store.sync_families(session, vocab)
    nodes, links = _all_nodes(session, vocab, progress)
    results = assign_all(vocab, nodes, {})
    del nodes
    writes.write_links(session, links, None)
    written = writes.write_assignments(
        session, results, synced.ids, scope=None, moved_families=synced.moved
    )
    store.record_build(session, vocab.sha256, started_at, len(results), written.assigned)
    by_method: dict[str, int] = {}
    for verdict in results.values():
        if verdict is not None:
            by_method[verdict.method] = by_method.get(verdict.method, 0) + 1
    return RebuildSummary(
        models=len(results),
        assigned=written.assigned,
        changed=len(written.changed),
        families=len(synced.ids),
        seconds=time.perf_counter() - started,
        by_method=by_method,
    )


def _all_nodes(
    session: Session, vocab: Vocabulary, progress: Progress | None
) -> tuple[dict[int, Node], dict[int, tuple[tuple[str, str], ...]]]:
    """Every model's node, read in chunks of ids, and the links hubs declare."""
    low, high = store.id_bounds(session)
    tag_ids = store.relevant_tag_ids(session, vocab)
    nodes: dict[int, Node] = {}
    pending: dict[int, tuple[Any, list[Target], tuple[str, ...]]] = {}
    fallbacks: dict[tuple[str, str], Any] = {}
    # Most models share their evidence with many others (same words, same fields): one
    # object each keeps a million-model rebuild within a few hundred megabytes.
    shared: dict[Any, Any] = {}
    for chunk_low in range(low, high, CHUNK):
        chunk = (chunk_low, min(chunk_low + CHUNK, high))
        facts = store.read_facts(session, id_range=chunk, tag_ids=tag_ids)
        for model_id, model in facts.models.items():
            own = own_evidence(vocab, model)
            own = shared.setdefault(own, own)
            parents = facts.parents.get(model_id, [])
            if own.link_refs:
                pending[model_id] = (own, parents, model.tasks)  # targets resolve later
            elif parents:
                nodes[model_id] = make_node(vocab, own, parents, (), fallbacks, tasks=model.tasks)
            else:
                node = Node(own)
                nodes[model_id] = shared.setdefault(node, node)
        if progress:
            progress("reading", chunk[1] - low, high - low)
    held = store.model_ids_by_ref(
        session, {r for own, _, _ in pending.values() for r in own.link_refs}
    )
    for model_id, (own, parents, tasks) in pending.items():
        links = [(held.get(ref), *ref) for ref in own.link_refs]
        nodes[model_id] = make_node(vocab, own, parents, links, fallbacks, tasks=tasks)
    return nodes, {model_id: own.link_refs for model_id, (own, _, _) in pending.items()}


def recompute_families(
    session: Session, model_ids: Collection[int], vocab: Vocabulary | None = None
) -> int:
    """Reassign these models, then every model whose family follows one that changed
    (lineage children, linking models), any depth, each at most once (cycle-safe).

    Returns:
        How many models were reassigned.
    """
    vocab = vocab or current_vocabulary()
    store.lock(session)
    family_ids = _ensure_synced(session, vocab)
    processed: set[int] = set()
    frontier = set(model_ids)
    for _ in range(MAX_ROUNDS):
        if not frontier:
            break
        changed = _recompute_round(session, vocab, family_ids, frontier)
        processed |= frontier
        frontier = store.dependents(session, changed) - processed
    return len(processed)


def _ensure_synced(session: Session, vocab: Vocabulary) -> dict[str, int]:
    """Family ids; the tree is synced first when the vocabulary changed since the last
    rebuild (existing assignments then wait for `catalog families rebuild`)."""
    built = store.last_build_sha(session)
    if built == vocab.sha256:
        return dict(execute(session, "SELECT slug, id FROM families", {}).all())
    synced = store.sync_families(session, vocab)
    if built is not None and synced.changed:
        log.warning(
            "the family vocabulary changed since the last rebuild: new models get the new "
            "families; run `catalog families rebuild` to reassign the others"
        )
    return synced.ids


def _recompute_round(
    session: Session, vocab: Vocabulary, family_ids: dict[str, int], ids: Collection[int]
) -> set[int]:
    facts = store.read_facts(session, ids=sorted(ids))
    owns = {model_id: own_evidence(vocab, model) for model_id, model in facts.models.items()}
    held = store.model_ids_by_ref(session, {ref for own in owns.values() for ref in own.link_refs})
    fallbacks: dict[tuple[str, str], Any] = {}
    nodes: dict[int, Node] = {}
    for model_id, own in owns.items():
        links = [(held.get(ref), *ref) for ref in own.link_refs]
        nodes[model_id] = make_node(vocab, own, facts.parents.get(model_id, []), links, fallbacks)
    targets: set[int] = {e.target for n in nodes.values() for e in (*n.parents, *n.links)}
    known = store.stored_assignments(
        session, {t for t in targets if t is not None and t not in nodes}
    )
    results = assign_all(vocab, nodes, known)
    writes.write_links(session, {m: own.link_refs for m, own in owns.items()}, owns.keys())
    return writes.write_assignments(session, results, family_ids, scope=owns.keys()).changed


def refresh_after_load(session: Session, platform_id: int, external_ids: Sequence[str]) -> None:
    """Recompute the families of models just loaded (what the harvest runner calls after
    each batch). A failure of the recompute itself is logged in one line and leaves the
    batch's families as they were (`catalog families rebuild` repairs them); the harvest
    goes on. A lost connection or a lost race is not the recompute's failure: it is
    raised, so the runner stops or retries the batch as it would for the load.

    Raises:
        OperationalError: the connection died (the run stops and says so).
        LoadContendedError: the recompute lost a race (the batch is retried).
    """
    if not external_ids:
        return
    try:
        with session.begin_nested():
            rows = execute(
                session,
                "SELECT id FROM models WHERE platform_id = :p "
                "AND external_id = ANY(CAST(:e AS text[]))",
                {"p": platform_id, "e": list(external_ids)},
            ).all()
            recompute_families(session, [row[0] for row in rows])
    except (OperationalError, LoadContendedError):
        raise
    except Exception as exc:
        log.warning(
            "family recompute after a harvest batch failed (%s: %s); run "
            "`catalog families rebuild`",
            type(exc).__name__,
            str(exc).splitlines()[0] if str(exc) else "",
        )
        log.debug("family recompute failure", exc_info=True)
