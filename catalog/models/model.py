"""The `models` table (one row per model per platform) and its versions."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import BigInteger, Float, ForeignKey, Index, UniqueConstraint, text
from sqlalchemy.dialects.postgresql import JSONB, TSVECTOR
from sqlalchemy.orm import Mapped, mapped_column

from catalog.models.base import Base, bigint_pk, created_now, utc_datetime

# The search document is kept by a trigger (see migration 0001), so PostgreSQL keeps it
# in step with every write of the columns it reads; a generated column would be
# recomputed on every UPDATE. Identifiers are split on / - _ . : so "llama-3" and
# "bert-base" match the pieces people type; `keywords` carries tags and task names.


class Model(Base):
    """A model as one hub publishes it; unique by `(platform_id, external_id)`."""

    __tablename__ = "models"
    __table_args__ = (
        UniqueConstraint("platform_id", "external_id"),
        Index(None, "search_document", postgresql_using="gin"),
        Index("ix_models_downloads_sort", text("downloads DESC NULLS LAST"), "id"),
        Index("ix_models_likes_sort", text("likes DESC NULLS LAST"), "id"),
        Index("ix_models_trending_score_sort", text("trending_score DESC NULLS LAST"), "id"),
        Index("ix_models_created_at_sort", text("created_at DESC NULLS LAST"), "id"),
        Index("ix_models_last_modified_sort", text("last_modified DESC NULLS LAST"), "id"),
        Index("ix_models_parameters_sort", text("parameters DESC NULLS LAST"), "id"),
        Index(None, "license_id"),
        Index(None, "library_id"),
        Index(None, "author_id"),
        Index(
            "ix_models_live_platform", "platform_id", postgresql_where=text("removed_at IS NULL")
        ),
    )

    id: Mapped[bigint_pk] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("platforms.id"))
    external_id: Mapped[str] = mapped_column(comment="the hub's own id, e.g. org/name")
    name: Mapped[str]
    author_id: Mapped[int | None] = mapped_column(ForeignKey("authors.id"))
    url: Mapped[str | None]
    summary: Mapped[str | None]
    description: Mapped[str | None]
    license_id: Mapped[int | None] = mapped_column(ForeignKey("licenses.id"))
    library_id: Mapped[int | None] = mapped_column(ForeignKey("libraries.id"))
    parameters: Mapped[int | None] = mapped_column(BigInteger)
    downloads: Mapped[int | None] = mapped_column(BigInteger, comment="recent downloads (30d)")
    downloads_all_time: Mapped[int | None] = mapped_column(BigInteger)
    likes: Mapped[int | None] = mapped_column(BigInteger)
    trending_score: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[utc_datetime | None]
    last_modified: Mapped[utc_datetime | None]
    gated: Mapped[str | None] = mapped_column(comment="null when open; 'auto' or 'manual'")
    nsfw: Mapped[bool | None] = mapped_column(
        comment="not safe for work, as the hub flags it (null: the hub does not say)"
    )
    keywords: Mapped[str | None] = mapped_column(comment="tags and tasks, for full-text search")
    extra: Mapped[dict[str, Any]] = mapped_column(
        JSONB, server_default=text("'{}'::jsonb"), comment="hub-specific attributes"
    )
    provenance_set_id: Mapped[int | None] = mapped_column(
        ForeignKey("provenance_sets.id"),
        comment="where each normalized field came from (a set many models share)",
    )
    first_seen_at: Mapped[created_now]
    removed_at: Mapped[utc_datetime | None] = mapped_column(comment="soft delete")
    search_document: Mapped[Any] = mapped_column(
        TSVECTOR, comment="full-text document, maintained by trigger models_search_document"
    )


class ProvenanceSet(Base):
    """Where the fields of a model came from: `[field, source, path, rule]` rows.

    Models of one hub mostly share a handful of such sets, so a model points at its set
    instead of carrying the rows (they would double the width of `models`).
    """

    __tablename__ = "provenance_sets"

    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(unique=True, comment="hash of the canonical JSON")
    sources: Mapped[list[list[str | None]]] = mapped_column(JSONB)


class ModelVersion(Base):
    """A published version of a model, where the hub has versions."""

    __tablename__ = "model_versions"

    model_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("models.id", ondelete="CASCADE"), primary_key=True
    )
    version: Mapped[str] = mapped_column(primary_key=True)
    created_at: Mapped[dt.datetime | None]
    detail: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default=text("'{}'::jsonb"))


class ModelSighting(Base):
    """When a harvest last saw a model (one row per model).

    Kept apart from `models` on purpose: every sweep updates it for every model it sees,
    and rewriting a narrow row (a HOT update on a half-empty page) costs a fraction of
    rewriting a wide `models` row with its search document.
    """

    __tablename__ = "model_sightings"
    __table_args__ = (
        {
            "postgresql_with": {"fillfactor": 50},
            "comment": "when each model was last seen by a harvest (kept apart from models: "
            "every sweep updates it)",
        },
    )

    model_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("models.id", ondelete="CASCADE"), primary_key=True
    )
    last_seen_at: Mapped[created_now]
    last_seen_run_id: Mapped[int | None] = mapped_column(BigInteger)
