"""Association tables between models and their facet values."""

from __future__ import annotations

from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from catalog.models.base import Base


def _model_fk() -> Mapped[int]:
    return mapped_column(BigInteger, ForeignKey("models.id", ondelete="CASCADE"), primary_key=True)


class ModelTask(Base):
    """A model performs a task."""

    __tablename__ = "model_tasks"
    __table_args__ = (Index(None, "task_id", "model_id"),)

    model_id: Mapped[int] = _model_fk()
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id"), primary_key=True)


class ModelFormat(Base):
    """A model is available in a format, with the detail of its variants."""

    __tablename__ = "model_formats"
    __table_args__ = (Index(None, "format_id", "model_id"),)

    model_id: Mapped[int] = _model_fk()
    format_id: Mapped[int] = mapped_column(ForeignKey("formats.id"), primary_key=True)
    variants: Mapped[list[dict[str, Any]]] = mapped_column(
        JSONB,
        server_default=text("'[]'::jsonb"),
        comment="variant detail: opset, quantization, entrypoint, ...",
    )
    file_count: Mapped[int | None] = mapped_column(Integer)
    total_bytes: Mapped[int | None] = mapped_column(BigInteger)


class ModelLanguage(Base):
    """A model handles a natural language."""

    __tablename__ = "model_languages"
    __table_args__ = (Index(None, "language_id", "model_id"),)

    model_id: Mapped[int] = _model_fk()
    language_id: Mapped[int] = mapped_column(ForeignKey("languages.id"), primary_key=True)


class ModelDataset(Base):
    """A model names a dataset it was trained or evaluated on."""

    __tablename__ = "model_datasets"
    __table_args__ = (Index(None, "dataset_id", "model_id"),)

    model_id: Mapped[int] = _model_fk()
    dataset_id: Mapped[int] = mapped_column(ForeignKey("datasets.id"), primary_key=True)


class ModelTag(Base):
    """A model carries a tag."""

    __tablename__ = "model_tags"
    __table_args__ = (Index(None, "tag_id", "model_id"),)

    model_id: Mapped[int] = _model_fk()
    tag_id: Mapped[int] = mapped_column(ForeignKey("tags.id"), primary_key=True)


class ModelModality(Base):
    """A model works on a modality: those of its tasks plus those its hub states."""

    __tablename__ = "model_modalities"
    __table_args__ = (Index(None, "modality_id", "model_id"),)

    model_id: Mapped[int] = _model_fk()
    modality_id: Mapped[int] = mapped_column(ForeignKey("modalities.id"), primary_key=True)
