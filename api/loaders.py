"""DataLoaders, one per relationship, so a page of models costs a fixed number of
statements whatever its size. They are created fresh for each request.

Model rows, list attributes, derivatives and popularity history (the index's change
fingerprint covers lineage and metrics, which the index itself does not hold) are also
kept across requests under the facet index snapshot in use
(`FacetIndexCache.row_scope`): the popular models fill most pages, and reading their
rows took a quarter of a worker's time under load. They are read again when the index
moves on, so a page shows a harvest's changes when search does.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Awaitable, Callable, Hashable, Sequence
from typing import Any, TypeVar

from sqlalchemy.orm import Session
from strawberry.dataloader import DataLoader

from catalog.queries import derived, detail, lineage
from catalog.queries.compare import ComparisonReads
from catalog.queries.derived import DerivedRow
from catalog.queries.detail import MetricPoint, ModelDetail, ModelRow
from catalog.queries.index_cache import FacetIndexCache
from catalog.queries.lineage import ChildPage, LineageStep
from catalog.queries.result_cache import ResultCache

EMPTY_DETAIL = ModelDetail({}, [], [])

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


def _by_id(
    fetch: Callable[[list[int]], dict[int, V]], default: Callable[[], V]
) -> Callable[[list[int]], Awaitable[list[V]]]:
    async def load(keys: list[int]) -> list[V]:
        found = fetch(keys)
        return [found.get(k, default()) for k in keys]

    return load


def _grouped(
    fetch: Callable[[list[int], Any], dict[int, V]],
    default: Callable[[], V],
    kept: Kept | None = None,
    kind: str = "",
) -> Callable[[list[tuple[int, Any]]], Awaitable[list[V]]]:
    """Keys are (model id, options); one statement per distinct options. With `kept`,
    the values are kept across requests as `kind` (`Kept`), a model without one kept as
    `default()` (read once, like the others)."""

    def read(keys: list[tuple[int, Any]]) -> dict[tuple[int, Any], V]:
        groups: dict[Any, list[int]] = defaultdict(list)
        for model_id, options in keys:
            groups[options].append(model_id)
        found = {opts: fetch(ids, opts) for opts, ids in groups.items()}
        return {(mid, opts): found[opts].get(mid) or default() for mid, opts in keys}

    async def load(keys: list[tuple[int, Any]]) -> list[V]:
        found = read(keys) if kept is None else kept.fetch(kind, keys, read)
        return [found[key] for key in keys]

    return load


def _parts_fetch(
    session: Session, kept: Kept
) -> Callable[[list[tuple[int, str]]], dict[tuple[int, str], ModelDetail]]:
    """List attributes keyed by (model id, part), kept; one statement for the ids and
    parts not kept yet (unknown models are absent)."""

    def read(keys: list[tuple[int, str]]) -> dict[tuple[int, str], ModelDetail]:
        ids = {model_id for model_id, _ in keys}
        parts = {part for _, part in keys}
        found = detail.details_by_ids(session, list(ids), parts)
        return {(mid, part): found[mid] for mid, part in keys if mid in found}

    return lambda keys: kept.fetch("detail", keys, read)


def _details_of_parts(
    fetch: Callable[[list[tuple[int, str]]], dict[tuple[int, str], ModelDetail]],
) -> Callable[[list[tuple[int, str]]], Awaitable[list[ModelDetail]]]:
    async def load(keys: list[tuple[int, str]]) -> list[ModelDetail]:
        found = fetch(keys)
        return [found.get(key, EMPTY_DETAIL) for key in keys]

    return load


def _whole_details(
    fetch: Callable[[list[tuple[int, str]]], dict[tuple[int, str], ModelDetail]],
) -> Callable[[Sequence[int]], dict[int, ModelDetail]]:
    """Every list attribute of models, from the parts `fetch` keeps (a part a page read
    already is not read again)."""
    parts = sorted(detail.DETAIL_PARTS)

    def read(ids: Sequence[int]) -> dict[int, ModelDetail]:
        found = fetch([(mid, part) for mid in ids for part in parts])
        known = {mid for mid, _ in found}

        def part(mid: int, name: str) -> ModelDetail:
            return found.get((mid, name), EMPTY_DETAIL)

        return {
            mid: ModelDetail(
                {p: t for p in parts if (t := part(mid, p).terms.get(p)) is not None},
                part(mid, "format").formats,
                part(mid, "parent").parents,
            )
            for mid in ids
            if mid in known
        }

    return read


class Kept:
    """Rows kept across requests under one index snapshot (see the module docstring);
    without a snapshot to keep them under, every fetch reads."""

    def __init__(self, rows: ResultCache | None, scope: Hashable | None) -> None:
        """Keep rows in `rows` under `scope` (the snapshot in use); None: keep nothing."""
        self.rows = rows if scope is not None else None
        self.scope = scope

    @classmethod
    def of(cls, index_cache: FacetIndexCache | None) -> Kept:
        """Rows kept under the snapshot `index_cache` uses now (none without one)."""
        if index_cache is None:
            return cls(None, None)
        return cls(index_cache.rows, index_cache.row_scope())

    def fetch(self, kind: str, keys: list[K], read: Callable[[list[K]], dict[K, V]]) -> dict[K, V]:
        """The values of `keys`: kept ones, and the others from `read` (one call)."""
        if self.rows is None:
            return read(keys)
        wanted = {key: (self.scope, kind, key) for key in keys}
        hits = self.rows.get_many(list(wanted.values()))
        found = {key: hits[full] for key, full in wanted.items() if full in hits}
        missing = [key for key in keys if key not in found]
        if missing:
            fresh = read(missing)
            self.rows.put_many({wanted[k]: v for k, v in fresh.items()})
            found.update(fresh)
        return found


class Loaders:
    """The DataLoaders of one request."""

    def __init__(self, session: Session, index_cache: FacetIndexCache | None = None) -> None:
        """Create every loader over `session`, keeping rows in `index_cache` if given."""
        s = session
        self._session = session
        self._kept = kept = Kept.of(index_cache)
        self.model: DataLoader[int, ModelRow | None] = DataLoader(
            _by_id(self._rows_fetch(s, kept), lambda: None)
        )
        # One loader for every list attribute, keyed by (model id, part): a page that
        # shows tasks, formats and base models costs one statement, not three, and one
        # that shows formats alone does not read tasks, tags, datasets and lineage.
        self._parts = _parts_fetch(s, kept)
        self.details: DataLoader[tuple[int, str], ModelDetail] = DataLoader(
            _details_of_parts(self._parts)
        )
        # Usage, memory, effective license and provenance: one statement per page.
        self.derived: DataLoader[int, DerivedRow | None] = DataLoader(
            _by_id(self._derived_fetch(s), lambda: None)
        )
        # Popularity history is in the fingerprint too (a harvest writes it).
        self.metrics: DataLoader[tuple[int, dt.datetime | None], list[MetricPoint]] = DataLoader(
            _grouped(
                lambda ids, since: detail.metrics_by_model(s, ids, since), list, kept, "metrics"
            )
        )
        # Kept too: lineage and the children's downloads (their order) are in the index's
        # fingerprint; every model page asks for its derivatives.
        self.children: DataLoader[tuple[int, tuple[str | None, int]], ChildPage] = DataLoader(
            _grouped(
                lambda ids, opts: lineage.children(s, ids, opts[0], opts[1]),
                lambda: ChildPage([], 0),
                kept,
                "children",
            )
        )
        self.walk: DataLoader[tuple[int, tuple[bool, int]], list[LineageStep]] = DataLoader(
            _grouped(
                lambda ids, opts: dict(lineage.walk(s, ids, up=opts[0], max_depth=opts[1])),
                list,
            )
        )

    @staticmethod
    def _derived_fetch(session: Session) -> Callable[[list[int]], dict[int, DerivedRow | None]]:
        return lambda ids: dict(derived.derived_by_ids(session, ids))

    @staticmethod
    def _rows_fetch(
        session: Session, kept: Kept
    ) -> Callable[[list[int]], dict[int, ModelRow | None]]:
        def read(ids: list[int]) -> dict[int, ModelRow | None]:
            return dict(detail.models_by_ids(session, ids))

        return lambda ids: kept.fetch("row", ids, read)

    def row_by_ref(self, ref: str) -> ModelRow | None:
        """The model row of a ref (kept like the others), or None when unknown."""
        return self._rows_by_refs([ref]).get(ref)

    def _rows_by_refs(self, refs: Sequence[str]) -> dict[str, ModelRow]:
        def read(wanted: list[str]) -> dict[str, ModelRow]:
            return detail.models_by_refs(self._session, wanted)

        return self._kept.fetch("ref", list(refs), read)

    def comparison_reads(self) -> ComparisonReads:
        """What a comparison reads, kept like pages' rows (a table of the same models
        asked again reads nothing)."""
        session, kept = self._session, self._kept

        kept_rows = self._rows_fetch(session, kept)  # shared with pages' rows

        def rows(ids: Sequence[int]) -> dict[int, ModelRow]:
            return {i: row for i, row in kept_rows(list(ids)).items() if row is not None}

        def derived_rows(ids: Sequence[int]) -> dict[int, DerivedRow]:
            return kept.fetch("derived", list(ids), lambda m: derived.derived_by_ids(session, m))

        return ComparisonReads(
            ids_by_refs=lambda refs: {r: row.id for r, row in self._rows_by_refs(refs).items()},
            rows=rows,
            details=_whole_details(self._parts),  # the parts pages keep
            derived=derived_rows,
        )
