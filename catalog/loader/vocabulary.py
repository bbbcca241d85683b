"""Ids of vocabulary values, created on first sight and cached for the run."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from sqlalchemy.orm import Session

from catalog.derive.licenses import license_class
from catalog.loader.sql import columns, execute
from catalog.records import LicenseRef

# table -> (key column, extra columns inserted with it)
_SIMPLE = {
    "tags": "name",
    "languages": "code",
    "datasets": "slug",
    "libraries": "slug",
}
KEY_LIMIT = 500  # longer free-form values are cut: an index entry must stay small


class VocabularyIds:
    """Maps vocabulary values to ids, inserting unknown ones in one statement per kind.

    One instance serves a whole run; the fixed vocabularies (platforms, tasks, formats,
    modalities) are loaded once, the open ones (tags, languages, ...) grow as needed.
    """

    def __init__(self, session: Session) -> None:
        self.reset(session)

    def reset(self, session: Session) -> None:
        """Forget cached ids (after a rollback may have undone some of them)."""
        self.platforms = self._fixed(session, "platforms")
        self.tasks = self._fixed(session, "tasks")
        self.formats = self._fixed(session, "formats")
        self.modalities = self._fixed(session, "modalities")
        self._open: dict[str, dict[str, int]] = {table: {} for table in _SIMPLE}
        self._licenses: dict[str, int] = {}
        self._authors: dict[tuple[int, str], int] = {}
        self._provenance: dict[str, int] = {}
        self._author_names: dict[tuple[int, str], str] = {}

    @staticmethod
    def _fixed(session: Session, table: str) -> dict[str, int]:
        rows = execute(session, f"SELECT slug, id FROM {table}", {}).all()
        return dict(rows)

    def ensure(self, session: Session, table: str, values: Iterable[str]) -> dict[str, int]:
        """Ids of `values` in an open vocabulary table, inserting the missing ones."""
        cache = self._open[table]
        key = _SIMPLE[table]
        missing = sorted({v[:KEY_LIMIT] for v in values} - cache.keys())
        if missing:
            label = ", name" if table == "libraries" else ""
            select_label = ", v" if table == "libraries" else ""
            execute(
                session,
                f"INSERT INTO {table} ({key}{label}) SELECT v{select_label} "
                f"FROM unnest(CAST(:values AS text[])) AS v ON CONFLICT DO NOTHING",
                {"values": missing},
            )
            rows = execute(
                session,
                f"SELECT {key}, id FROM {table} WHERE {key} = ANY(CAST(:values AS text[]))",
                {"values": missing},
            ).all()
            cache.update(dict(rows))
        return cache

    def ensure_licenses(self, session: Session, refs: Iterable[LicenseRef]) -> dict[str, int]:
        """Ids of licenses by slug; custom licenses are added with their name and link."""
        wanted = {ref.slug[:KEY_LIMIT]: ref for ref in refs}
        missing = sorted(wanted.keys() - self._licenses.keys())
        if missing:
            rows = [
                (s, wanted[s].spdx_id, wanted[s].name or s, wanted[s].url, license_class(s))
                for s in missing
            ]
            slugs, spdx, names, urls, classes = columns(rows, 5)
            execute(
                session,
                "INSERT INTO licenses (slug, spdx_id, name, url, license_class_id) "
                "SELECT t.s, t.x, t.n, t.u, c.id FROM unnest(CAST(:slugs AS text[]), "
                "CAST(:spdx AS text[]), CAST(:names AS text[]), CAST(:urls AS text[]), "
                "CAST(:classes AS text[])) AS t(s, x, n, u, c) "
                "LEFT JOIN license_classes c ON c.slug = t.c ON CONFLICT DO NOTHING",
                {"slugs": slugs, "spdx": spdx, "names": names, "urls": urls, "classes": classes},
            )
            found = execute(
                session,
                "SELECT slug, id FROM licenses WHERE slug = ANY(CAST(:s AS text[]))",
                {"s": missing},
            ).all()
            self._licenses.update(dict(found))
        return self._licenses

    def ensure_provenance(self, session: Session, docs: Iterable[str]) -> dict[str, int]:
        """Ids of provenance sets by their JSON text, inserting the new ones.

        A hub's models share few distinct sets, so after the first batches this is a
        cache hit; the hash of the text is the key in the table.
        """
        missing = sorted(set(docs) - self._provenance.keys())
        if missing:
            hashes = [hashlib.sha256(doc.encode("utf-8")).hexdigest() for doc in missing]
            execute(
                session,
                "INSERT INTO provenance_sets (sha256, sources) SELECT h, d::jsonb "
                "FROM unnest(CAST(:h AS text[]), CAST(:d AS text[])) AS t(h, d) "
                "ORDER BY h ON CONFLICT DO NOTHING",
                {"h": hashes, "d": missing},
            )
            found = dict(
                execute(
                    session,
                    "SELECT sha256, id FROM provenance_sets WHERE sha256 = ANY(CAST(:h AS text[]))",
                    {"h": hashes},
                ).all()
            )
            self._provenance.update({doc: found[h] for doc, h in zip(missing, hashes, strict=True)})
        return self._provenance

    def ensure_authors(
        self, session: Session, platform_id: int, authors: dict[str, str | None]
    ) -> dict[tuple[int, str], int]:
        """Ids of authors of a platform; display names are filled in when given."""
        named = {
            slug[:KEY_LIMIT]: name
            for slug, name in authors.items()
            if name and self._author_names.get((platform_id, slug[:KEY_LIMIT])) != name
        }
        todo = sorted(
            {a[:KEY_LIMIT] for a in authors if (platform_id, a[:KEY_LIMIT]) not in self._authors}
            | named.keys()
        )
        if todo:
            slugs, names = columns([(s, named.get(s)) for s in todo], 2)
            execute(
                session,
                "INSERT INTO authors (platform_id, slug, display_name) "
                "SELECT :p, s, n FROM unnest(CAST(:slugs AS text[]), CAST(:names AS text[])) "
                "AS t(s, n) ON CONFLICT (platform_id, slug) DO UPDATE "
                "SET display_name = coalesce(excluded.display_name, authors.display_name) "
                "WHERE excluded.display_name IS DISTINCT FROM authors.display_name "
                "AND excluded.display_name IS NOT NULL",
                {"p": platform_id, "slugs": slugs, "names": names},
            )
            found = execute(
                session,
                "SELECT slug, id FROM authors "
                "WHERE platform_id = :p AND slug = ANY(CAST(:s AS text[]))",
                {"p": platform_id, "s": todo},
            ).all()
            self._authors.update({(platform_id, slug): id_ for slug, id_ in found})
            self._author_names.update({(platform_id, s): n for s, n in named.items()})
        return self._authors
