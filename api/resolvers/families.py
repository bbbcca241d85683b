"""`families` and `family`: the family tree."""

from __future__ import annotations

import strawberry

from api.context import Context
from api.types.family import Family, FamilyConnection
from catalog.queries import families as fq


def families(
    info: strawberry.Info[Context, None],
    *,
    search: str | None = None,
    parent: str | None = None,
    kind: str | None = None,
    first: int = 20,
    after: str | None = None,
) -> FamilyConnection:
    """Families by slug: the roots, a family's children; with `search` or `kind`, every such
    family at any depth (below `parent` when given)."""
    page = fq.list_families(
        info.context.session, search=search, parent=parent, kind=kind, first=first, after=after
    )
    return FamilyConnection.from_rows(page.rows, page.total, page.has_next, after)


def family(info: strawberry.Info[Context, None], slug: str) -> Family | None:
    """One family by slug; null when unknown."""
    row = fq.family_by_slug(info.context.session, slug)
    return Family.from_row(row) if row else None
