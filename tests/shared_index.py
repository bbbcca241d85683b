"""A facet index cache whose index has been through the cross-process store: warmed,
saved, and mapped back read-only, as every API worker sees it."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from catalog.queries.facet_engine import warm
from catalog.queries.facet_index import FacetIndex
from catalog.queries.index_cache import FacetIndexCache
from catalog.queries.index_store import load_index, save_index


class MappedIndexCache(FacetIndexCache):
    """Builds inline like `FacetIndexCache()`, then answers from the mapped copy."""

    def __init__(self, root: Path) -> None:
        super().__init__()
        self.root = root
        self._mapped: FacetIndex | None = None

    def current(self, session: Session) -> FacetIndex | None:
        """The inline index, round-tripped through files when its version changes."""
        built = super().current(session)
        if built is None:
            return None
        if self._mapped is None or self._mapped.version != built.version:
            warm(built)
            target = self.root / f"snapshot-{len(list(self.root.iterdir()))}"
            save_index(built, target)
            self._mapped = load_index(target)
        return self._mapped
