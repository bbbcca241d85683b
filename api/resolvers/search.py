"""`models` and `model`: search with facets, and one model by id or ref."""

from __future__ import annotations

from dataclasses import dataclass

import strawberry

from api.context import Context
from api.inputs import ModelFilter, parse_id, to_query_filter, to_sort_keys
from api.types.model import Model, load_models
from api.types.search import ModelConnection, ModelSort
from catalog.queries import lineage
from catalog.queries.errors import QueryError
from catalog.queries.filters import ModelQuery
from catalog.queries.lineage import ChildPage
from catalog.queries.results import FacetCounts
from catalog.queries.search import ModelSearch, search_models


@dataclass
class SearchSource:
    """A connection over a model search."""

    search: ModelSearch

    def ids(self) -> list[int]:
        """Ids of the page."""
        return self.search.page().ids

    def cursors(self) -> list[str]:
        """Cursor of each row."""
        return self.search.cursors()

    def has_next(self) -> bool:
        """More rows follow the page."""
        return self.search.page().has_next

    def has_previous(self) -> bool:
        """The page started after a cursor."""
        return self.search.query.after is not None

    def total(self) -> int:
        """Matching models."""
        return self.search.total()

    def facets(self, fields: list[str], limit: int) -> list[FacetCounts]:
        """Disjunctive facet counts."""
        return self.search.facets(fields, limit)


@dataclass
class ChildrenSource:
    """A connection over the direct children of a model (first page only)."""

    ctx: Context
    parent_id: int
    relation: str | None
    page: ChildPage

    def ids(self) -> list[int]:
        """Ids of the first children."""
        return self.page.child_ids

    def cursors(self) -> list[str]:
        """Children pages have positional cursors (no `after` argument)."""
        return [str(i) for i in range(len(self.page.child_ids))]

    def has_next(self) -> bool:
        """More children than shown."""
        return self.page.total > len(self.page.child_ids)

    def has_previous(self) -> bool:
        """Always the first page."""
        return False

    def total(self) -> int:
        """Direct children."""
        return self.page.total

    def facets(self, fields: list[str], limit: int) -> list[FacetCounts]:
        """Facet counts over every direct child."""
        children = frozenset(lineage.child_ids(self.ctx.session, self.parent_id, self.relation))
        search = ModelSearch(self.ctx.session, ModelQuery(first=0), None, restrict_to=children)
        return search.facets(fields, limit)


def models(
    info: strawberry.Info[Context, None],
    *,
    filter: ModelFilter | None = None,  # noqa: A002 - the contract's argument name
    search: str | None = None,
    sort: list[ModelSort] | None = None,
    first: int = 20,
    after: str | None = None,
) -> ModelConnection:
    """Faceted search over the catalog."""
    query = ModelQuery(
        filter=to_query_filter(filter),
        search=search,
        sort=to_sort_keys(sort),
        first=first,
        after=after,
    )
    ctx = info.context
    return ModelConnection(source=SearchSource(search_models(ctx.session, query, ctx.index_cache)))


async def model(
    info: strawberry.Info[Context, None],
    id: strawberry.ID | None = None,  # noqa: A002 - the contract's argument name
    ref: str | None = None,
) -> Model | None:
    """One model by id or by `<platform>:<externalId>`; null when unknown."""
    if (id is None) == (ref is None):
        raise QueryError("model needs exactly one of id or ref")
    model_id = parse_id(id, "id")
    if ref is not None:
        row = info.context.loaders.row_by_ref(ref)
        if row is None:
            return None
        model_id = row.id
        info.context.loaders.model.prime(row.id, row)  # children of it batch with the rest
    assert model_id is not None
    (found,) = await load_models(info.context, [model_id])
    return found
