"""Vocabulary tables: the facet dimensions every hub is mapped onto."""

from __future__ import annotations

from sqlalchemy import ARRAY, ForeignKey, Index, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from catalog.models.base import Base, int_pk, slug


class Platform(Base):
    """A hub the catalog harvests (`huggingface`, `tfhub`, ...)."""

    __tablename__ = "platforms"

    id: Mapped[int_pk]
    slug: Mapped[slug]
    name: Mapped[str]
    url: Mapped[str | None]


class Modality(Base):
    """A broad data modality (`vision`, `language`, ...)."""

    __tablename__ = "modalities"

    id: Mapped[int_pk]
    slug: Mapped[slug]
    name: Mapped[str]


class Task(Base):
    """A canonical task (Hugging Face pipeline tags), each with one modality."""

    __tablename__ = "tasks"

    id: Mapped[int_pk]
    slug: Mapped[slug]
    name: Mapped[str]
    modality_id: Mapped[int] = mapped_column(ForeignKey("modalities.id"), index=True)


class Format(Base):
    """A weight/serialization format with the file patterns that reveal it."""

    __tablename__ = "formats"

    id: Mapped[int_pk]
    slug: Mapped[slug]
    name: Mapped[str]
    patterns: Mapped[list[str]] = mapped_column(
        ARRAY(Text), comment="glob patterns of file names that reveal this format"
    )


class Library(Base):
    """A software library models are used with (`transformers`, `timm`, ...)."""

    __tablename__ = "libraries"

    id: Mapped[int_pk]
    slug: Mapped[slug]
    name: Mapped[str]


class License(Base):
    """A license: an SPDX license or a hub-specific custom one."""

    __tablename__ = "licenses"

    id: Mapped[int_pk]
    slug: Mapped[slug] = mapped_column(comment="lower-case SPDX id, or the hub's own key")
    spdx_id: Mapped[str | None] = mapped_column(comment="null for custom licenses")
    name: Mapped[str]
    url: Mapped[str | None]
    license_class_id: Mapped[int | None] = mapped_column(
        ForeignKey("license_classes.id"), comment="null: unknown (see catalog.derive.licenses)"
    )


class Language(Base):
    """A natural language, by ISO 639 code as hubs give it."""

    __tablename__ = "languages"

    id: Mapped[int_pk]
    code: Mapped[slug]
    name: Mapped[str | None]


class Dataset(Base):
    """A dataset named by a model as its training or evaluation data."""

    __tablename__ = "datasets"

    id: Mapped[int_pk]
    slug: Mapped[slug]
    name: Mapped[str | None]


class Tag(Base):
    """A free-form tag, including hub vocabulary that maps to no canonical value."""

    __tablename__ = "tags"

    id: Mapped[int_pk]
    name: Mapped[slug]


class Author(Base):
    """A publisher of models on one platform."""

    __tablename__ = "authors"
    __table_args__ = (UniqueConstraint("platform_id", "slug"), Index(None, "slug"))

    id: Mapped[int_pk]
    platform_id: Mapped[int] = mapped_column(ForeignKey("platforms.id"))
    slug: Mapped[str]
    display_name: Mapped[str | None]
