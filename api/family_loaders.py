"""DataLoaders of the family types: one statement per relation per request.

Made on first use for a request and kept in the request context (`Context.memo`), like
the other per-request lookups.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Awaitable, Callable

from sqlalchemy.orm import Session
from strawberry.dataloader import DataLoader

from api.context import Context
from api.loaders import _by_id  # the same batching as the other loaders
from catalog.queries import families as fq
from catalog.queries.filters import ModelQuery
from catalog.queries.index_cache import FacetIndexCache
from catalog.queries.search import search_models


class FamilyLoaders:
    """The family loaders of one request."""

    def __init__(self, session: Session, index_cache: FacetIndexCache | None) -> None:
        """Create every loader over the request's session (and facet index, for counts)."""
        s = session

        def families(ids: list[int]) -> dict[int, fq.FamilyRow | None]:
            return dict(fq.families_by_ids(s, ids))

        self.family: DataLoader[int, fq.FamilyRow | None] = DataLoader(
            _by_id(families, lambda: None)
        )
        self.children: DataLoader[int, list[fq.FamilyRow]] = DataLoader(
            _by_id(lambda ids: dict(fq.children_by_parent(s, ids)), list)
        )
        self.platforms: DataLoader[int, list[str]] = DataLoader(
            _by_id(lambda ids: dict(fq.platforms_by_family(s, ids)), list)
        )
        self.model_count: DataLoader[tuple[int, str], int] = DataLoader(
            self._model_counts(s, index_cache)
        )
        self.derivatives: DataLoader[int, list[fq.DerivativeCount]] = DataLoader(
            _by_id(lambda ids: dict(fq.derivatives_by_family(s, ids)), list)
        )
        self.assignment: DataLoader[int, fq.AssignmentRow | None] = DataLoader(
            _by_id(self._assignments(s), lambda: None)
        )
        self.same_as: DataLoader[tuple[int, int], list[fq.SameAsRow]] = DataLoader(self._same_as(s))

    @staticmethod
    def _assignments(session: Session) -> Callable[[list[int]], dict[int, fq.AssignmentRow | None]]:
        return lambda ids: dict(fq.assignments_by_model(session, ids))

    @staticmethod
    def _model_counts(
        session: Session, index_cache: FacetIndexCache | None
    ) -> Callable[[list[tuple[int, str]]], Awaitable[list[int]]]:
        """Live models of each (family id, slug), sub-families included, in one count (from
        the facet index when it is built)."""

        async def load(keys: list[tuple[int, str]]) -> list[int]:
            search = search_models(session, ModelQuery(first=0), index_cache)
            found = search.counts_of("family", frozenset(fid for fid, _ in keys))
            return [found.get(slug, 0) for _, slug in keys]

        return load

    @staticmethod
    def _same_as(
        session: Session,
    ) -> Callable[[list[tuple[int, int]]], Awaitable[list[list[fq.SameAsRow]]]]:
        async def load(keys: list[tuple[int, int]]) -> list[list[fq.SameAsRow]]:
            groups: dict[int, list[int]] = defaultdict(list)
            for model_id, first in keys:
                groups[first].append(model_id)
            found = {first: fq.same_as(session, ids, first) for first, ids in groups.items()}
            return [found[first].get(model_id, []) for model_id, first in keys]

        return load


def family_loaders(ctx: Context) -> FamilyLoaders:
    """The request's family loaders."""
    loaders: FamilyLoaders = ctx.memo(
        "family_loaders", lambda: FamilyLoaders(ctx.session, ctx.index_cache)
    )
    return loaders
