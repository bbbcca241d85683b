"""Configuration of the Hugging Face harvester (strict, every field documented)."""

from __future__ import annotations

import fnmatch
from collections.abc import Mapping
from typing import ClassVar, Final

from pydantic import Field, SecretStr, field_validator

from harvesters.base import HarvesterConfig

HUB_PAGE_MAX: Final = 1000
# Fields asked of `/api/models` with `expand[]` by default: what `normalize` reads.
# Left out on purpose: `spaces` (hundreds of ids on popular models), `widgetData`,
# `model-index`, `inference*`, `evalResults` (large, and nothing here reads them).
DEFAULT_EXPAND: Final = (
    "author",
    "sha",
    "lastModified",
    "createdAt",
    "private",
    "gated",
    "disabled",
    "downloads",
    "downloadsAllTime",
    "likes",
    "trendingScore",
    "library_name",
    "pipeline_tag",
    "tags",
    "cardData",
    "siblings",
    "safetensors",
    "gguf",
    "config",
    "transformersInfo",
)


class HuggingFaceConfig(HarvesterConfig):
    """Which models to harvest from the Hub, and how to ask for them.

    Patterns are shell globs (`fnmatch`, case-insensitive): `authors: ["google", "meta-*"]`.
    An empty allow list allows everything; a deny list wins over an allow list.
    """

    # The huggingface_hub conventions, which users set before these options existed.
    env_aliases: ClassVar[Mapping[str, str]] = {"url": "HF_ENDPOINT", "token": "HF_TOKEN"}

    url: str = Field(
        default="https://huggingface.co",
        description="Hub endpoint: huggingface.co or a mirror (also read from HF_ENDPOINT).",
    )
    token: SecretStr | None = Field(
        default=None,
        description="Hugging Face token, sent only to `url` (also read from HF_TOKEN).",
    )

    authors: tuple[str, ...] = Field(
        default=(), description="Harvest only models of these authors (globs). Empty: all."
    )
    exclude_authors: tuple[str, ...] = Field(
        default=(), description="Skip models of these authors (globs)."
    )
    pipeline_tags: tuple[str, ...] = Field(
        default=(),
        description="Harvest only models with these pipeline tags (globs). Empty: all, "
        "including models without a pipeline tag.",
    )
    exclude_pipeline_tags: tuple[str, ...] = Field(
        default=(), description="Skip models with these pipeline tags (globs)."
    )
    limit: int | None = Field(
        default=None, ge=1, description="Stop after this many models (None: no limit)."
    )
    page_size: int = Field(
        default=HUB_PAGE_MAX,
        ge=1,
        le=HUB_PAGE_MAX,
        description="Models per request (the Hub serves at most 1000).",
    )
    lookback_hours: float = Field(
        default=6.0,
        ge=0,
        description="Look-back window of incremental runs, applied by the runner to the "
        "last high-water mark (fetch stops at the `since` the runner passes).",
    )
    expand: tuple[str, ...] = Field(
        default=DEFAULT_EXPAND,
        description="Fields requested with `expand[]` (ignored when `full` is true).",
    )
    full: bool = Field(
        default=False,
        description="Request `full=true&cardData=true` instead of `expand[]` (for mirrors "
        "that do not support `expand`).",
    )
    search: str | None = Field(default=None, description="Passed to the Hub as `search`.")
    filter: tuple[str, ...] = Field(
        default=(), description="Passed to the Hub as `filter` (tags every model must have)."
    )
    include_private: bool = Field(
        default=False,
        description="Keep private models a token can see (off: the catalog is public).",
    )
    detail: bool = Field(
        default=False,
        description="Fetch each model's detail (`/api/models/{id}?blobs=true`) for file "
        "sizes: one more request per model, for small slices only.",
    )
    retry_attempts: int = Field(default=6, ge=1, description="Tries per request.")
    retry_base_delay: float = Field(
        default=1.0, ge=0, description="First retry backoff in seconds (doubles per retry)."
    )
    retry_max_delay: float = Field(
        default=120.0, ge=0, description="Longest wait between tries (also caps Retry-After)."
    )
    timeout: float = Field(default=60.0, gt=0, description="Per-request timeout in seconds.")

    @field_validator("authors", "exclude_authors", "pipeline_tags", "exclude_pipeline_tags")
    @classmethod
    def _strip(cls, patterns: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(p.strip() for p in patterns if p.strip())

    @field_validator("expand")
    @classmethod
    def _has_fields(cls, fields: tuple[str, ...]) -> tuple[str, ...]:
        if "lastModified" not in fields:
            # Incremental runs and cursors rely on it.
            return (*fields, "lastModified")
        return fields

    def server_author(self) -> str | None:
        """The one author to ask the Hub for, when the allow list is one exact name."""
        return _exact(self.authors)

    def server_pipeline_tag(self) -> str | None:
        """The one pipeline tag to ask the Hub for, when the allow list is one exact tag."""
        return _exact(self.pipeline_tags)

    def allows(self, author: str | None, pipeline_tag: str | None) -> bool:
        """Whether a model with this author and pipeline tag is in scope."""
        author_key = (author or "").lower()
        tag_key = (pipeline_tag or "").lower()
        if _any(author_key, self.exclude_authors) or _any(tag_key, self.exclude_pipeline_tags):
            return False
        if self.authors and not _any(author_key, self.authors):
            return False
        return not self.pipeline_tags or _any(tag_key, self.pipeline_tags)


def _any(value: str, patterns: tuple[str, ...]) -> bool:
    return any(fnmatch.fnmatchcase(value, p.lower()) for p in patterns)


def _exact(patterns: tuple[str, ...]) -> str | None:
    if len(patterns) == 1 and not any(c in patterns[0] for c in "*?["):
        return patterns[0]
    return None
