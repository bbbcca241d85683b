"""Facet dimensions: where each facet's values live and how they are named."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from catalog.derive.memory import MEMORY_BUCKETS
from catalog.models import (
    Author,
    Dataset,
    Family,
    Format,
    Language,
    Library,
    License,
    LicenseClass,
    Modality,
    Model,
    ModelDataset,
    ModelDerivation,
    ModelFamilyPath,
    ModelFormat,
    ModelLanguage,
    ModelModality,
    ModelTag,
    ModelTask,
    ModelUsage,
    Platform,
    Tag,
    Task,
    Usage,
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
        # Derived facets (catalog.derive): usages decided true; the effective license's
        # class (one row per derived model, so the multi-valued path serves).
        Dimension("usage", "usages", Usage, "slug", "name", None, ModelUsage, "usage_id", True),
        Dimension(
            "license_class",
            "license_classes",
            LicenseClass,
            "slug",
            "name",
            None,
            ModelDerivation,
            "license_class_id",
            True,
        ),
        # Families (catalog.families): a tree; a model is listed with every family on the
        # path to its own (model_family_paths), so a family includes its sub-families.
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
MEMORY = "memory"

# Parameter-count buckets: (slug, label, lower bound inclusive, upper bound exclusive).
PARAMETER_BUCKETS: tuple[tuple[str, str, float, float], ...] = (
    ("lt-10m", "< 10M", 0.0, 1e7),
    ("10m-100m", "10M - 100M", 1e7, 1e8),
    ("100m-1b", "100M - 1B", 1e8, 1e9),
    ("1b-10b", "1B - 10B", 1e9, 1e10),
    ("10b-100b", "10B - 100B", 1e10, 1e11),
    ("gte-100b", ">= 100B", 1e11, float("inf")),
)


@dataclass(frozen=True, slots=True)
class RangeFacet:
    """A facet over ranges of a number, with fixed buckets.

    Attributes:
        field: Facet name (`parameter_range`, `memory`).
        number: Key of the number in the facet index (`FacetIndex.numbers`).
        table: ORM class holding the column: `Model`, or a table with one row per model.
        column: The column's attribute name.
        buckets: (slug, label, upper bound) in ascending order; the last is unbounded.
        inclusive: Whether upper bounds belong to their bucket (`<=`) or the next (`<`).
    """

    field: str
    number: str
    table: Any
    column: str
    buckets: tuple[tuple[str, str, float], ...]
    inclusive: bool

    @property
    def edges(self) -> list[float]:
        """Upper bounds of every bucket but the last."""
        return [high for _slug, _label, high in self.buckets[:-1]]

    @property
    def labels(self) -> dict[str, str]:
        """Bucket labels by slug."""
        return {slug: label for slug, label, _high in self.buckets}

    def sql_column(self) -> Any:
        """The SQL column of the number."""
        return getattr(self.table, self.column)


RANGES: dict[str, RangeFacet] = {
    PARAMETER_RANGE: RangeFacet(
        PARAMETER_RANGE,
        "parameters",
        Model,
        "parameters",
        tuple((slug, label, high) for slug, label, _low, high in PARAMETER_BUCKETS),
        inclusive=False,
    ),
    # Weights only: bytes of the smallest format/variant (catalog.derive.memory).
    MEMORY: RangeFacet(
        MEMORY, "memory", ModelDerivation, "memory_bytes", MEMORY_BUCKETS, inclusive=True
    ),
}
FACET_FIELDS: tuple[str, ...] = (*DIMENSIONS, *RANGES)


def slug_column(dim: Dimension) -> Any:
    """The vocabulary column holding a dimension's public values."""
    return getattr(dim.vocab, dim.slug_attr)


def model_column(dim: Dimension) -> Any:
    """The `models` column of a single-valued dimension."""
    assert dim.column is not None
    return getattr(Model, dim.column)
