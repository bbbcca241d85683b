"""Recompute family assignments: fully (`rebuild_families`) or for changed models and,
as far as their families change, their descendants (`recompute_families`).

Both read facts in bulk, assign in memory (`catalog.families.assign`) and write only the
differences, in the caller's transaction, under the family writer lock.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import time
from collections.abc import Callable, Collection, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from catalog.families import store, writes
from catalog.families.assign import Node, assign_all, decide
from catalog.families.background import Background
from catalog.families.matcher import Verdict, own_evidence
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

    Models are read in chunks of ids. A model without bases or links, or whose bases are
    decided already, is decided as soon as its chunk is read, and its assignment is
    written while the next chunk is matched (`catalog.families.background`); the others
    wait until every model is read, then are assigned in dependency order and written
    last.

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
    with Background() as db:
        build = _Build(session, vocab, synced.ids, db)
        build.read_all(progress)
        build.write_linked(synced.moved)
        db.wait()
    store.record_build(session, vocab.sha256, started_at, len(build.results), build.assigned)
    by_method: dict[str, int] = {}
    for verdict in build.results.values():
        if verdict is not None:
            by_method[verdict.method] = by_method.get(verdict.method, 0) + 1
    return RebuildSummary(
        models=len(build.results),
        assigned=build.assigned,
        changed=build.changed,
        families=len(synced.ids),
        seconds=time.perf_counter() - started,
        by_method=by_method,
    )


class _Build:
    """The state of one full rebuild: verdicts so far, models waiting for their edges'
    families, writes in flight."""

    def __init__(
        self, session: Session, vocab: Vocabulary, family_ids: dict[str, int], db: Background
    ) -> None:
        self.session, self.vocab, self.family_ids, self.db = session, vocab, family_ids, db
        self.results: dict[int, Verdict | None] = {}
        self.linked: dict[int, Node] = {}  # models waiting for their bases' families
        # links resolve at the end
        self.pending: dict[int, tuple[Any, list[Target], tuple[str, ...]]] = {}
        self.fallbacks: dict[tuple[str, str], Any] = {}
        # Most models share their evidence with many others (same words, same fields): one
        # object each keeps a million-model rebuild within a few hundred megabytes.
        self.shared: dict[Any, Any] = {}
        self.verdicts: dict[Verdict, Verdict] = {}
        # A first rebuild (no assignment stored) only inserts: no differences to compute.
        self.fresh = store.no_assignments(session)
        self.writes: list[Future[int]] = []  # how many assignments each write changed
        self.written = 0  # assignments submitted for writing
        self.analyzed = 0  # ... when the statistics were last refreshed

    def read_all(self, progress: Progress | None) -> None:
        """Read, match and write every chunk; the next chunk is read while one is matched."""
        low, high = store.id_bounds(self.session)
        tag_ids = store.relevant_tag_ids(self.session, self.vocab)
        chunks = [(start, min(start + CHUNK, high)) for start in range(low, high, CHUNK)]
        read = functools.partial(_read_chunk, self.session, tag_ids=tag_ids, stored=not self.fresh)
        reading = self.db.submit(read, chunks[0]) if chunks else None
        for index, chunk in enumerate(chunks):
            assert reading is not None
            rows, stored = self.db.result(reading)
            if index + 1 < len(chunks):  # the server reads on while Python matches
                reading = self.db.submit(read, chunks[index + 1])
            self._write(self._match(store.facts_from_rows(rows)), stored)
            del rows, stored
            if progress:
                progress("reading", chunk[1] - low, high - low)

    def _match(self, facts: store.Facts) -> dict[int, Verdict | None]:
        """Verdicts of a chunk's models that can be decided now: those without edges, and
        those whose bases are all decided already or outside the catalog (a base usually
        comes before its derivatives). The others wait for every model to be read."""
        vocab, shared = self.vocab, self.shared
        alone: dict[int, Node] = {}
        based: dict[int, Node] = {}
        for model_id, model in facts.models.items():
            own = own_evidence(vocab, model)
            own = shared.setdefault(own, own)
            parents = facts.parents.get(model_id, [])
            if own.link_refs:
                self.pending[model_id] = (own, parents, model.tasks)  # targets resolve later
            elif parents:
                based[model_id] = make_node(
                    vocab, own, parents, (), self.fallbacks, tasks=model.tasks
                )
            else:
                node = Node(own)
                alone[model_id] = shared.setdefault(node, node)
        found = assign_all(vocab, alone, {})
        results, lookup = self.results, self.results.get
        results.update(found)
        for model_id, node in based.items():
            # Decided targets are final and none of them waits for this model (no cycle):
            # the verdict is the one the walk in dependency order would give.
            if all(e.target is None or e.target in results for e in node.parents):
                verdict = decide(vocab, node, lookup)
                if verdict is not None:  # children of one base mostly get equal verdicts
                    verdict = self.verdicts.setdefault(verdict, verdict)
                found[model_id] = results[model_id] = verdict
            else:
                self.linked[model_id] = node
        return found

    def write_linked(self, moved_families: list[int]) -> None:
        """Assign the models with bases or links and write them, with the declared links
        and the paths of models whose family moved in the tree."""
        held = self.db.result(
            self.db.submit(
                store.model_ids_by_ref,
                self.session,
                {r for own, _, _ in self.pending.values() for r in own.link_refs},
            )
        )
        for model_id, (own, parents, tasks) in self.pending.items():
            targets = [(held.get(ref), *ref) for ref in own.link_refs]
            self.linked[model_id] = make_node(
                self.vocab, own, parents, targets, self.fallbacks, tasks=tasks
            )
        links = {model_id: own.link_refs for model_id, (own, _, _) in self.pending.items()}
        self.db.submit(writes.write_links, self.session, links, None)
        found = assign_all(self.vocab, self.linked, self.results)
        self.linked.clear()
        batch = list(found.items())
        for start in range(0, len(batch), CHUNK):
            verdicts = dict(batch[start : start + CHUNK])
            stored = None
            if not self.fresh:
                reading = self.db.submit(store.stored_rows, self.session, ids=sorted(verdicts))
                stored = self.db.result(reading)
            self._write(verdicts, stored)
        if self.fresh:  # paths were written from the synced tree: none has moved
            self.db.submit(writes.analyze_assignments, self.session)
        elif moved_families:
            self._write({}, {}, moved_families)

    def _write(
        self,
        verdicts: dict[int, Verdict | None],
        stored: dict[int, tuple[Any, ...]] | None,
        moved: Sequence[int] = (),
    ) -> None:
        """Write a batch's verdicts: inserted into empty tables, else the ones that differ
        from the stored rows (`stored`, None when the tables are empty)."""
        self.results.update(verdicts)
        if stored is None:
            args = (self.session, verdicts, self.family_ids)
            self.writes.append(self.db.submit(writes.insert_assignments, *args))
            return
        verdicts = writes.differing(verdicts, stored, self.family_ids)
        if not verdicts and not moved:
            return
        self.written += len(verdicts)
        # Statistics matter once a table has grown a lot since they were taken; refreshing
        # them after every batch would cost more than it saves.
        analyze = self.written >= 2 * self.analyzed
        if analyze:
            self.analyzed = self.written
        self.writes.append(
            self.db.submit(
                _write_differences,
                self.session,
                verdicts,
                self.family_ids,
                moved=moved,
                analyze=analyze,
            )
        )

    @property
    def assigned(self) -> int:
        """Models with a family."""
        return sum(1 for verdict in self.results.values() if verdict is not None)

    @property
    def changed(self) -> int:
        """Models whose family changed (once every write is done)."""
        return sum(future.result() for future in self.writes)


def _read_chunk(
    session: Session, chunk: tuple[int, int], *, tag_ids: list[int], stored: bool
) -> tuple[store.FactRows, dict[int, tuple[Any, ...]] | None]:
    """A chunk's facts and, unless the tables are empty, its stored assignments."""
    rows = store.read_rows(session, id_range=chunk, tag_ids=tag_ids)
    return rows, store.stored_rows(session, id_range=chunk) if stored else None


def _write_differences(
    session: Session,
    verdicts: dict[int, Verdict | None],
    family_ids: dict[str, int],
    *,
    moved: Sequence[int],
    analyze: bool,
) -> int:
    """Write a batch as differences from the stored assignments; how many changed."""
    return len(
        writes.write_assignments(
            session,
            verdicts,
            family_ids,
            scope=verdicts.keys(),
            moved_families=moved,
            analyze=analyze,
        ).changed
    )


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
        parents = facts.parents.get(model_id, [])
        tasks = facts.models[model_id].tasks
        nodes[model_id] = make_node(vocab, own, parents, links, fallbacks, tasks=tasks)
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
