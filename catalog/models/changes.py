"""The change log the search index follows: which models changed, in which transaction."""

from __future__ import annotations

from sqlalchemy import BigInteger, Index, text
from sqlalchemy.orm import Mapped, mapped_column

from catalog.models.base import Base, bigint_pk, created_now

# `model_id` markers that are not a model (model ids start at 1): a negative number names
# a vocabulary whose rows changed (its values and labels are read again); NULL says too
# much changed (a bulk statement, a TRUNCATE): rebuild the index from scratch. The codes
# are fixed by migration 0009's triggers.
VOCABULARY_CODES = {
    "platforms": -1,
    "tasks": -2,
    "modalities": -3,
    "formats": -4,
    "libraries": -5,
    "licenses": -6,
    "languages": -7,
    "authors": -8,
    "datasets": -9,
    "tags": -10,
    "usages": -11,
    "license_classes": -12,
    "families": -13,
}


class IndexChange(Base):
    """A model whose facet or text data a transaction wrote (written by triggers).

    Statement-level triggers on every table the facet and text index read (migration
    0009) insert one row per model a statement touched, with the writing transaction's
    id, so a reader holding the snapshot an index was built in can ask exactly which
    models changed since (`pg_visible_in_snapshot`), however commits interleave.
    """

    __tablename__ = "index_changes"
    __table_args__ = (
        Index("ix_index_changes_xid", "xid"),
        Index("ix_index_changes_logged_at", "logged_at", postgresql_using="brin"),
    )

    id: Mapped[bigint_pk] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    xid: Mapped[int] = mapped_column(
        BigInteger,
        server_default=text("(pg_current_xact_id())::text::bigint"),
        comment="the writing transaction (xid8 as bigint)",
    )
    model_id: Mapped[int | None] = mapped_column(
        BigInteger, comment="the model; < 0: a vocabulary changed; null: rebuild everything"
    )
    logged_at: Mapped[created_now]
