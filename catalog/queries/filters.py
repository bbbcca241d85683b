"""Search requests: filters, sort keys and keyset cursors, independent of the backend."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

from catalog.queries.dimensions import FILTER_KEYS
from catalog.queries.errors import QueryError
from catalog.queries.text_search import search_tokens

MAX_PAGE = 100
MAX_CURSOR_LENGTH = 4096  # an honest cursor is well under 1 KB
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


@dataclass(frozen=True, slots=True)
class ModelFilter:
    """What a search keeps. Lists are OR within a field and AND across fields.

    Attributes:
        values: Facet filter key (`platforms`, `tasks`, ...) -> accepted values.
        exclude: Facet filter key -> values that remove a model when it has any of them.
        min_parameters: Lowest parameter count (inclusive).
        max_parameters: Highest parameter count (inclusive).
        min_downloads: Lowest recent downloads (inclusive).
        created_after: Created at or after this moment.
        updated_after: Last modified at or after this moment.
        derived_from: Keep only descendants (any depth) of this model id.
        include_removed: Keep soft-deleted models too.
        include_nsfw: Keep models their hub flags not safe for work (hidden by default;
            models whose hub says nothing always count as safe).
        max_memory_bytes: Largest weights footprint (smallest variant; inclusive).
        commercial_use: True keeps models whose effective license allows commercial use,
            False those whose license forbids it (unknown licenses match neither).
    """

    values: dict[str, tuple[str, ...]] = field(default_factory=dict)
    exclude: dict[str, tuple[str, ...]] = field(default_factory=dict)
    min_parameters: float | None = None
    max_parameters: float | None = None
    min_downloads: int | None = None
    created_after: dt.datetime | None = None
    updated_after: dt.datetime | None = None
    derived_from: int | None = None
    include_removed: bool = False
    include_nsfw: bool = False
    max_memory_bytes: float | None = None
    commercial_use: bool | None = None

    def __post_init__(self) -> None:
        for key in (*self.values, *self.exclude):
            if key not in FILTER_KEYS:
                raise QueryError(
                    f"unknown filter field {key!r}; allowed: {', '.join(sorted(FILTER_KEYS))}"
                )


@dataclass(frozen=True, slots=True)
class SortKey:
    """One sort criterion; nulls always sort last."""

    field: str
    descending: bool

    @property
    def token(self) -> str:
        """Compact form used in cursors (`downloads-`)."""
        return f"{self.field}{'-' if self.descending else '+'}"


SORT_FIELDS = (
    "downloads",
    "likes",
    "trending",
    "created",
    "last_modified",
    "parameters",
    "name",
    "relevance",
)


@dataclass(frozen=True, slots=True)
class ModelQuery:
    """A page request: filter, full-text search, sort, page size and cursor."""

    filter: ModelFilter = field(default_factory=ModelFilter)
    search: str | None = None
    sort: tuple[SortKey, ...] = ()
    first: int = 20
    after: str | None = None

    def __post_init__(self) -> None:
        if not 0 <= self.first <= MAX_PAGE:
            raise QueryError(f"first must be between 0 and {MAX_PAGE}, got {self.first}")
        for key in self.sort:
            if key.field not in SORT_FIELDS:
                raise QueryError(
                    f"unknown sort field {key.field!r}; allowed: {', '.join(SORT_FIELDS)}"
                )
            if key.field == "relevance" and not self.search_text:
                raise QueryError("sort RELEVANCE needs a search text")
        if self.search_text and not search_tokens(self.search_text):
            raise QueryError(
                f"search {self.search_text[:40]!r} has no letter or digit to search for"
            )

    @property
    def search_text(self) -> str | None:
        """The search text, or None when blank."""
        text = (self.search or "").strip()
        return text or None

    @property
    def sort_keys(self) -> tuple[SortKey, ...]:
        """The effective sort: as asked, else relevance with a search, else downloads."""
        if self.sort:
            return self.sort
        if self.search_text:
            return (SortKey("relevance", True), SortKey("downloads", True))
        return (SortKey("downloads", True),)


def sort_signature(keys: tuple[SortKey, ...]) -> str:
    """The sort a cursor belongs to."""
    return ",".join(k.token for k in keys)


def encode_cursor(keys: tuple[SortKey, ...], values: tuple[Any, ...], model_id: int) -> str:
    """An opaque keyset cursor: the sort values of the last row plus its id."""
    payload = json.dumps({"s": sort_signature(keys), "v": list(values), "id": model_id})
    return base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")


@dataclass(frozen=True, slots=True)
class Cursor:
    """A decoded cursor."""

    values: tuple[Any, ...]
    model_id: int


def decode_cursor(raw: str, keys: tuple[SortKey, ...]) -> Cursor:
    """Read a cursor made by `encode_cursor` for the same sort.

    Raises:
        QueryError: the cursor is malformed, forged or belongs to another sort.
    """
    forged = QueryError("after: not a cursor returned by this API")
    if len(raw) > MAX_CURSOR_LENGTH:
        raise forged
    try:
        padded = raw + "=" * (-len(raw) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode()))
        values, model_id, signature = data["v"], int(data["id"]), data["s"]
    except (binascii.Error, ValueError, KeyError, TypeError, RecursionError) as exc:
        raise forged from exc
    if not isinstance(values, list) or not 0 < model_id <= 2**63 - 1:
        raise forged
    if signature != sort_signature(keys) or len(values) != len(keys):
        raise QueryError("after: the cursor belongs to another sort order; start again")
    for key, value in zip(keys, values, strict=True):
        wanted: tuple[type, ...] = (str,) if key.field == "name" else (int, float)
        if value is not None and (isinstance(value, bool) or not isinstance(value, wanted)):
            raise forged
    return Cursor(tuple(values), model_id)


def timestamp_key(value: dt.datetime | None) -> int | None:
    """A timestamp as integer microseconds since the epoch (exact in cursors and floats)."""
    if value is None:
        return None
    return (value - EPOCH) // dt.timedelta(microseconds=1)


def from_timestamp_key(value: float | None) -> dt.datetime | None:
    """Inverse of `timestamp_key`."""
    if value is None:
        return None
    return EPOCH + dt.timedelta(microseconds=int(value))
