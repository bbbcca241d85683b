"""Facet dimensions: where each facet's values live and how they are named."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from catalog.models import (
    Author,
    Dataset,
    Family,
    Format,
    Language,
    Library,
    License,
    Modality,
    Model,
    ModelDataset,
    ModelFamilyPath,
    ModelFormat,
    ModelLanguage,
    ModelModality,
    ModelTag,
    ModelTask,
    Platform,
    Tag,
    Task,
)


@dataclass(frozen=True, slots=True)
class Dimension:
    """One facet dimension.

    Attributes:
        field: Facet name (`platform`, `task`, ...), as in the `FacetField` enum.
        filter_key: Name of the filter list that selects its values (`platforms`, ...).
        vocab: The vocabulary table (ORM class) holding the values.
        slug_attr: Attribute of `vocab` that is the public value (slug, code or name).
        label_attr: Attribute of `vocab` shown as the label.
        column: Attribute of `Model` for single-valued dimensions, else None.
        assoc: Association table (ORM class) for multi-valued dimensions, else None.
        assoc_attr: Attribute of `assoc` pointing at the vocabulary row.
        closed: True when the vocabulary is small and known: unknown values are errors
            (listing the valid ones); open vocabularies (tags, authors, ...) just match
            nothing.
        parent_attr: For a tree of values (families): the attribute of `vocab` holding
            the parent's id. The association then lists a model with every value on the
            path to its own, so a value includes its sub-values; facet buckets are the
            roots, or the children of the selected values (`resolve.bucket_scope`).
    """

    field: str
    filter_key: str
    vocab: Any
    slug_attr: str
    label_attr: str
    column: str | None = None
    assoc: Any = None
    assoc_attr: str | None = None
    closed: bool = False
    parent_attr: str | None = None

    @property
    def multi(self) -> bool:
        """True for dimensions stored in an association table."""
        return self.assoc is not None

    @property
    def hierarchical(self) -> bool:
        """True when the values form a tree (see `parent_attr`)."""
        return self.parent_attr is not None


DIMENSIONS: dict[str, Dimension] = {
    d.field: d
    for d in (
        Dimension("platform", "platforms", Platform, "slug", "name", "platform_id", closed=True),
        Dimension("task", "tasks", Task, "slug", "name", None, ModelTask, "task_id", True),
        Dimension(
            "modality",
            "modalities",
            Modality,
            "slug",
            "name",
            None,
            ModelModality,
            "modality_id",
            True,
        ),
        Dimension(
            "format", "formats", Format, "slug", "name", None, ModelFormat, "format_id", True
        ),
        Dimension("library", "libraries", Library, "slug", "name", "library_id", closed=True),
        Dimension("license", "licenses", License, "slug", "name", "license_id", closed=True),
        Dimension(
            "language", "languages", Language, "code", "name", None, ModelLanguage, "language_id"
        ),
        Dimension("author", "authors", Author, "slug", "display_name", "author_id"),
        Dimension("dataset", "datasets", Dataset, "slug", "name", None, ModelDataset, "dataset_id"),
        Dimension("tag", "tags", Tag, "name", "name", None, ModelTag, "tag_id"),
        Dimension(
            "family",
            "families",
            Family,
            "slug",
            "name",
            None,
            ModelFamilyPath,
            "family_id",
            closed=True,
            parent_attr="parent_id",
        ),
    )
}

FILTER_KEYS: dict[str, str] = {d.filter_key: d.field for d in DIMENSIONS.values()}

PARAMETER_RANGE = "parameter_range"
FACET_FIELDS: tuple[str, ...] = (*DIMENSIONS, PARAMETER_RANGE)

# Parameter-count buckets: (slug, label, lower bound inclusive, upper bound exclusive).
PARAMETER_BUCKETS: tuple[tuple[str, str, float, float], ...] = (
    ("lt-10m", "< 10M", 0.0, 1e7),
    ("10m-100m", "10M - 100M", 1e7, 1e8),
    ("100m-1b", "100M - 1B", 1e8, 1e9),
    ("1b-10b", "1B - 10B", 1e9, 1e10),
    ("10b-100b", "10B - 100B", 1e10, 1e11),
    ("gte-100b", ">= 100B", 1e11, float("inf")),
)


def slug_column(dim: Dimension) -> Any:
    """The vocabulary column holding a dimension's public values."""
    return getattr(dim.vocab, dim.slug_attr)


def model_column(dim: Dimension) -> Any:
    """The `models` column of a single-valued dimension."""
    assert dim.column is not None
    return getattr(Model, dim.column)
