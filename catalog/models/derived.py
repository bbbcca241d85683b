"""The derived layer: facts the catalog computes about a model, with their evidence.

Hub normalizers fill `models` with what a hub states; what the catalog concludes from
it (transfer-learning use, memory footprint, license class and the effective license
along lineage) lives here, one row per model, written by `catalog.derive`.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ARRAY, BigInteger, ForeignKey, Index, Text, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from catalog.models.base import Base, created_now, int_pk, slug


class LicenseClass(Base):
    """A class of licenses: permissive, copyleft, restricted-custom, non-commercial, unknown."""

    __tablename__ = "license_classes"

    id: Mapped[int_pk]
    slug: Mapped[slug]
    name: Mapped[str]
    commercial_use: Mapped[bool | None] = mapped_column(
        comment="whether licenses of this class allow commercial use (null: unknown)"
    )


class Usage(Base):
    """A way to reuse a model: feature-extraction, fine-tuning, zero-shot."""

    __tablename__ = "usages"

    id: Mapped[int_pk]
    slug: Mapped[slug]
    name: Mapped[str]


class ModelUsage(Base):
    """A model is known to serve a usage (the USAGE facet; false and unknown have no row)."""

    __tablename__ = "model_usages"
    __table_args__ = (Index(None, "usage_id", "model_id"),)

    model_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("models.id", ondelete="CASCADE"), primary_key=True
    )
    usage_id: Mapped[int] = mapped_column(ForeignKey("usages.id"), primary_key=True)


class ModelDerivation(Base):
    """What the catalog derived about one model, with the evidence.

    Usage flags are true, false or null (unknown). `license_class_id` is the class of
    the effective license (declared plus inherited along lineage).
    """

    __tablename__ = "model_derivations"
    __table_args__ = (Index(None, "license_class_id", "model_id"),)

    model_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("models.id", ondelete="CASCADE"), primary_key=True
    )
    feature_extraction: Mapped[bool | None]
    fine_tuning: Mapped[bool | None]
    zero_shot: Mapped[bool | None]
    memory_bytes: Mapped[int | None] = mapped_column(
        BigInteger, comment="weights only: bytes of the smallest format/variant"
    )
    license_class_id: Mapped[int | None] = mapped_column(ForeignKey("license_classes.id"))
    effective_licenses: Mapped[list[str]] = mapped_column(
        ARRAY(Text),
        server_default=text("'{}'::text[]"),
        comment="declared license first, then every license inherited along lineage",
    )
    license_conflict: Mapped[bool] = mapped_column(server_default=text("false"))
    commercial_use: Mapped[bool | None]
    evidence: Mapped[dict[str, Any]] = mapped_column(
        JSONB, server_default=text("'{}'::jsonb"), comment="usage, memory and license evidence"
    )
    derived_at: Mapped[created_now]
