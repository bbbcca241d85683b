"""Write synthetic models with COPY: the rows `catalog.loader.load_models` would write.

Only for synthetic catalogs on an empty database (`benchmarks.generate_catalog`): model
ids are the generator's index plus one, and a lineage reference names its parent's index
(`benchmarks.synthetic.index_of`), so nothing is looked up. What must match the loader
comes from the loader's own code: vocabulary ids through `VocabularyIds` (the real
vocabulary tables, created on first sight), and the `models` row of each record from
`catalog.loader.load._model_rows` (keywords, extra, provenance, authors, licenses).

The derived layer (`model_derivations`, `model_usages`) is `benchmarks.bulk_derive`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

import psycopg
from sqlalchemy.orm import Session

from benchmarks.synthetic import index_of
from catalog.loader.load import _NAMES as MODEL_COLUMNS
from catalog.loader.load import _model_rows  # the loader's own row builder: same rows
from catalog.loader.sql import json_text
from catalog.loader.vocabulary import KEY_LIMIT, VocabularyIds
from catalog.records import NormalizedModel

_LINKS = (
    ("model_tags", "tag_id", "tags"),
    ("model_languages", "language_id", "languages"),
    ("model_datasets", "dataset_id", "datasets"),
)


class BulkWriter:
    """Writes chunks of generated models, in index order, into an empty catalog."""

    def __init__(self, session: Session, observed_at: dt.datetime) -> None:
        self.session = session
        self.vocab = VocabularyIds(session)
        self.observed_at = observed_at
        self.lineage_id = 0

    def write(self, first: int, records: Sequence[NormalizedModel]) -> None:
        """Write models `first` .. `first + len(records) - 1` with every association."""
        ids = [first + offset + 1 for offset in range(len(records))]
        by_platform: dict[str, list[int]] = {}
        for offset, record in enumerate(records):
            by_platform.setdefault(record.platform, []).append(offset)
        rows: list[tuple[Any, ...]] = [()] * len(records)
        for platform, offsets in by_platform.items():
            platform_id = self.vocab.platforms[platform]
            chosen = [records[o] for o in offsets]
            built = _model_rows(self.session, self.vocab, platform_id, chosen)
            for o, row in zip(offsets, built, strict=True):
                rows[o] = (ids[o], platform_id, *row, self.observed_at)
        links = {table: self._pairs(vocab_table, records, ids) for table, _, vocab_table in _LINKS}
        conn = self.session.connection().connection.driver_connection
        assert isinstance(conn, psycopg.Connection)
        columns = ", ".join(("id", "platform_id", *MODEL_COLUMNS, "first_seen_at"))
        _copy(conn, f"models ({columns})", rows)
        _copy(
            conn,
            "model_sightings (model_id, last_seen_at, last_seen_run_id)",
            ((mid, self.observed_at, None) for mid in ids),
        )
        for table, column, _ in _LINKS:
            _copy(conn, f"{table} (model_id, {column})", links[table])
        self._write_facets(conn, records, ids)
        self._write_lineage(conn, records, ids)
        _copy(
            conn,
            "model_metrics (model_id, observed_at, downloads, likes)",
            (
                (mid, self.observed_at, r.downloads, r.likes)
                for mid, r in zip(ids, records, strict=True)
                if r.downloads is not None or r.likes is not None
            ),
        )

    def _pairs(
        self, vocab_table: str, records: Sequence[NormalizedModel], ids: list[int]
    ) -> list[tuple[int, int]]:
        values = [getattr(r, vocab_table) for r in records]
        known = self.vocab.ensure(self.session, vocab_table, {v for vs in values for v in vs})
        return [
            (mid, tid)
            for mid, vs in zip(ids, values, strict=True)
            for tid in dict.fromkeys(known[v[:KEY_LIMIT]] for v in vs)
        ]

    def _write_facets(
        self, conn: psycopg.Connection, records: Sequence[NormalizedModel], ids: list[int]
    ) -> None:
        vocab = self.vocab
        pairs = zip(ids, records, strict=True)
        _copy(
            conn,
            "model_tasks (model_id, task_id)",
            [(m, t) for m, r in pairs for t in dict.fromkeys(vocab.tasks[s] for s in r.tasks)],
        )
        _copy(
            conn,
            "model_modalities (model_id, modality_id)",
            [
                (m, x)
                for m, r in zip(ids, records, strict=True)
                for x in dict.fromkeys(vocab.modalities[s] for s in r.all_modalities())
            ],
        )
        formats = {
            (m, vocab.formats[f.slug]): (
                json_text([dict(v) for v in f.variants]),
                f.file_count,
                f.total_bytes,
            )
            for m, r in zip(ids, records, strict=True)
            for f in r.formats
        }
        _copy(
            conn,
            "model_formats (model_id, format_id, variants, file_count, total_bytes)",
            [(*key, *value) for key, value in formats.items()],
        )

    def _write_lineage(
        self,
        conn: psycopg.Connection,
        records: Sequence[NormalizedModel],
        ids: list[int],
    ) -> None:
        edges = []
        for mid, record in zip(ids, records, strict=True):
            for ref in record.lineage:
                if ref.platform not in self.vocab.platforms:
                    continue
                self.lineage_id += 1
                parent_id = index_of(ref.external_id) + 1  # parents come first: loaded
                edges.append(
                    (
                        self.lineage_id,
                        mid,
                        parent_id,
                        self.vocab.platforms[ref.platform],
                        ref.external_id,
                        ref.relation,
                    )
                )
        _copy(
            conn,
            "model_lineage (id, child_id, parent_id, parent_platform_id, parent_external_id, "
            "relation)",
            edges,
        )


def _copy(conn: psycopg.Connection, target: str, rows: Iterable[Sequence[Any]]) -> None:
    """COPY `rows` into `target` ("table (columns)"), in the current transaction."""
    with conn.cursor() as cur, cur.copy(f"COPY {target} FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


class DerivedWriter:
    """COPYs derivations and USAGE facet rows, as `catalog.derive.store.write` stores them."""

    def __init__(self, conn: psycopg.Connection) -> None:
        rows = conn.execute("SELECT slug, id FROM license_classes").fetchall()
        self.classes: dict[str, int] = dict(rows)
        self.usages: dict[str, int] = dict(conn.execute("SELECT slug, id FROM usages").fetchall())
        self.now = dt.datetime.now(dt.UTC)

    def write(
        self,
        conn: psycopg.Connection,
        rows: Sequence[tuple[Any, ...]],
        usages: Sequence[tuple[int, str]],
    ) -> None:
        """Write rows of `benchmarks.bulk_derive.derive_rows` in the current transaction."""
        _copy(
            conn,
            "model_derivations (model_id, feature_extraction, fine_tuning, zero_shot, "
            "memory_bytes, license_class_id, effective_licenses, license_conflict, "
            "commercial_use, evidence, derived_at)",
            ((*r[:5], self.classes.get(r[5]), *r[6:], self.now) for r in rows),
        )
        _copy(
            conn,
            "model_usages (model_id, usage_id)",
            ((mid, self.usages[slug]) for mid, slug in usages),
        )
