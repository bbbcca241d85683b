"""Lineage: which model a model was derived from, and how."""

from __future__ import annotations

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from catalog.models.base import Base, bigint_pk

RELATIONS = ("finetune", "adapter", "quantized", "merge")


class ModelLineage(Base):
    """An edge child -> parent. The parent may not be harvested yet: then `parent_id` is
    null and `(parent_platform_id, parent_external_id)` says whom to link when it arrives.
    """

    __tablename__ = "model_lineage"
    __table_args__ = (
        UniqueConstraint("child_id", "parent_platform_id", "parent_external_id"),
        CheckConstraint(
            "relation IN ({})".format(", ".join(f"'{r}'" for r in RELATIONS)),
            name="relation",
        ),
        Index(None, "parent_id", "child_id"),
        Index(
            "ix_model_lineage_unresolved",
            "parent_platform_id",
            "parent_external_id",
            postgresql_where=text("parent_id IS NULL"),
        ),
    )

    id: Mapped[bigint_pk] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    child_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("models.id", ondelete="CASCADE"))
    parent_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("models.id", ondelete="SET NULL")
    )
    parent_platform_id: Mapped[int] = mapped_column(ForeignKey("platforms.id"))
    parent_external_id: Mapped[str]
    relation: Mapped[str]
