"""Model families: the family tree, each model's assignment with its evidence, and the
tables that keep recomputation incremental and search fast."""

from __future__ import annotations

from sqlalchemy import (
    ARRAY,
    BigInteger,
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    Text,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column

from catalog.models.base import Base, bigint_pk, created_now, int_pk, slug, utc_datetime

FAMILY_KINDS = ("architecture", "line", "release")
FAMILY_METHODS = ("curated", "lineage", "link", "architecture", "name")


def _quoted(values: tuple[str, ...]) -> str:
    return ", ".join(f"'{v}'" for v in values)


class Family(Base):
    """A node of the family tree (synced from the vocabulary files)."""

    __tablename__ = "families"
    __table_args__ = (CheckConstraint(f"kind IN ({_quoted(FAMILY_KINDS)})", name="kind"),)

    id: Mapped[int_pk]
    slug: Mapped[slug]
    name: Mapped[str]
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("families.id", ondelete="CASCADE"), index=True
    )
    path: Mapped[list[str]] = mapped_column(
        ARRAY(Text), comment="slugs from the root down to this family"
    )
    depth: Mapped[int] = mapped_column(Integer, comment="0 for a root")
    kind: Mapped[str] = mapped_column(comment="architecture (a root), line or release")


class ModelFamily(Base):
    """The family of a model (its most specific one) and the evidence for it."""

    __tablename__ = "model_families"
    __table_args__ = (
        Index(None, "family_id", "model_id"),
        CheckConstraint(f"method IN ({_quoted(FAMILY_METHODS)})", name="method"),
    )

    model_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("models.id", ondelete="CASCADE"), primary_key=True
    )
    # No foreign key to families: checking one per row doubled the cost of a rebuild's
    # writes; the tree sync deletes a removed family's rows itself.
    family_id: Mapped[int] = mapped_column(Integer, comment="families.id")
    method: Mapped[str] = mapped_column(comment="curated, lineage, link, architecture or name")
    confidence: Mapped[float] = mapped_column(Float)
    evidence: Mapped[str | None]
    derivative: Mapped[bool] = mapped_column(
        Boolean,
        server_default=false(),
        comment="a fine-tune, adapter, quantization or merge of the family's release",
    )
    computed_at: Mapped[created_now]


class ModelFamilyPath(Base):
    """A model and every family on the path to its family (what filters and facets read:
    a family includes its sub-families)."""

    __tablename__ = "model_family_paths"
    __table_args__ = (Index(None, "family_id", "model_id"),)

    model_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("models.id", ondelete="CASCADE"), primary_key=True
    )
    family_id: Mapped[int] = mapped_column(
        Integer, primary_key=True, comment="families.id (no foreign key, as model_families)"
    )


class ModelLink(Base):
    """A model another hub publishes that a model's hub links to (Kaggle -> TF Hub)."""

    __tablename__ = "model_links"
    __table_args__ = (Index(None, "target_platform_id", "target_external_id"),)

    model_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("models.id", ondelete="CASCADE"), primary_key=True
    )
    target_platform_id: Mapped[int] = mapped_column(ForeignKey("platforms.id"), primary_key=True)
    target_external_id: Mapped[str] = mapped_column(primary_key=True)


class FamilyBuild(Base):
    """A full rebuild of the assignments, with the vocabulary it used."""

    __tablename__ = "family_builds"

    id: Mapped[bigint_pk] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    vocabulary_sha256: Mapped[str]
    started_at: Mapped[created_now]
    finished_at: Mapped[utc_datetime | None]
    models: Mapped[int] = mapped_column(BigInteger, comment="models assigned (or not)")
    assigned: Mapped[int] = mapped_column(BigInteger, comment="models that got a family")
