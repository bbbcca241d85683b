"""DataLoaders, one per relationship, so a page of models costs a fixed number of
statements whatever its size. They are created fresh for each request."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Awaitable, Callable, Hashable
from typing import Any, TypeVar

from sqlalchemy.orm import Session
from strawberry.dataloader import DataLoader

from catalog.queries import derived, detail, lineage
from catalog.queries.derived import DerivedRow
from catalog.queries.detail import MetricPoint, ModelDetail, ModelRow
from catalog.queries.lineage import ChildPage, LineageStep

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
    fetch: Callable[[list[int], Any], dict[int, V]], default: Callable[[], V]
) -> Callable[[list[tuple[int, Any]]], Awaitable[list[V]]]:
    """Keys are (model id, options); one statement per distinct options."""

    async def load(keys: list[tuple[int, Any]]) -> list[V]:
        groups: dict[Any, list[int]] = defaultdict(list)
        for model_id, options in keys:
            groups[options].append(model_id)
        found = {opts: fetch(ids, opts) for opts, ids in groups.items()}
        return [found[opts].get(mid, default()) for mid, opts in keys]

    return load


def _details_of_parts(
    session: Session,
) -> Callable[[list[tuple[int, str]]], Awaitable[list[ModelDetail]]]:
    """Keys are (model id, part); one statement for the batch's ids and parts."""

    async def load(keys: list[tuple[int, str]]) -> list[ModelDetail]:
        ids = {model_id for model_id, _ in keys}
        parts = {part for _, part in keys}
        found = detail.details_by_ids(session, list(ids), parts)
        return [found.get(model_id, EMPTY_DETAIL) for model_id, _ in keys]

    return load


class Loaders:
    """The DataLoaders of one request."""

    def __init__(self, session: Session) -> None:
        """Create every loader over `session`."""
        s = session
        self.model: DataLoader[int, ModelRow | None] = DataLoader(
            _by_id(self._rows_fetch(s), lambda: None)
        )
        # One loader for every list attribute, keyed by (model id, part): a page that
        # shows tasks, formats and base models costs one statement, not three, and one
        # that shows formats alone does not read tasks, tags, datasets and lineage.
        self.details: DataLoader[tuple[int, str], ModelDetail] = DataLoader(_details_of_parts(s))
        # Usage, memory, effective license and provenance: one statement per page.
        self.derived: DataLoader[int, DerivedRow | None] = DataLoader(
            _by_id(self._derived_fetch(s), lambda: None)
        )
        self.metrics: DataLoader[tuple[int, dt.datetime | None], list[MetricPoint]] = DataLoader(
            _grouped(lambda ids, since: dict(detail.metrics_by_model(s, ids, since)), list)
        )
        self.children: DataLoader[tuple[int, tuple[str | None, int]], ChildPage] = DataLoader(
            _grouped(
                lambda ids, opts: lineage.children(s, ids, opts[0], opts[1]),
                lambda: ChildPage([], 0),
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
    def _rows_fetch(session: Session) -> Callable[[list[int]], dict[int, ModelRow | None]]:
        return lambda ids: dict(detail.models_by_ids(session, ids))
