"""Configuration of the Civitai harvester (`CATALOG_HARVESTERS__CIVITAI__...`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar, Literal

from pydantic import Field, SecretStr, field_validator

from harvesters.base import HarvesterConfig

Sort = Literal[
    "Highest Rated",
    "Most Downloaded",
    "Most Liked",
    "Most Discussed",
    "Most Collected",
    "Most Images",
    "Newest",
    "Oldest",
]
Period = Literal["AllTime", "Year", "Month", "Week", "Day"]
PAGE_MAX = 100  # `limit` Civitai accepts on /models
PAGE_CAP = 1000  # page mode refuses page * limit beyond this


class CivitaiConfig(HarvesterConfig):
    """Which Civitai models to harvest, and how to page through them."""

    # Civitai's own name for an API key.
    env_aliases: ClassVar[Mapping[str, str]] = {"token": "CIVITAI_API_TOKEN"}

    url: str = Field(
        default="https://civitai.com",
        description="Civitai site URL; the API is {url}/api/v1 (a URL ending in /api/v1 "
        "is taken as is).",
    )
    token: SecretStr | None = Field(
        default=None,
        description="Civitai API key, sent as a Bearer header to `url` only (also read "
        "from CIVITAI_API_TOKEN). Optional: the models list is public.",
    )
    page_size: int = Field(
        default=PAGE_MAX, ge=1, le=PAGE_MAX, description="Models per request (`limit`)."
    )
    paging: Literal["cursor", "page"] = Field(
        default="cursor",
        description="`cursor` follows metadata.nextCursor; `page` sends page=1, 2, ... "
        f"(Civitai refuses page * limit > {PAGE_CAP}: the harvester then goes on with the "
        "cursor the last page offered, or stops and says so).",
    )
    sort: Sort = Field(
        default="Oldest",
        description="Order of full sweeps. `Oldest` (by newest version, ascending) is "
        "stable while a sweep pages: a model updated meanwhile moves to the end, where "
        "the sweep still reaches it. Incremental runs always use `Newest`.",
    )
    period: Period = Field(default="AllTime", description="Time window of the sort metrics.")
    types: tuple[str, ...] = Field(
        default=(), description="Only these model types (`types`, e.g. LORA, Checkpoint)."
    )
    base_models: tuple[str, ...] = Field(
        default=(), description="Only these base models (`baseModels`, e.g. 'SDXL 1.0')."
    )
    skip_nsfw: bool = Field(
        default=False,
        description="Skip NSFW models entirely: ask with nsfw=false and drop any NSFW "
        "model the API still lists. Off: NSFW models are harvested, flagged, and hidden "
        "by the catalog's search unless a filter asks for them.",
    )
    primary_file_only: bool = Field(
        default=False, description="Ask for each version's primary file only."
    )
    lookback_hours: float = Field(
        default=6.0,
        ge=0,
        description="Look-back window of incremental runs before the last high-water mark.",
    )
    http_attempts: int = Field(default=6, ge=1, le=20, description="Tries per request.")
    http_timeout: float = Field(default=60.0, gt=0, description="Seconds one request may take.")
    http_backoff: float = Field(
        default=1.0, ge=0, description="First retry wait in seconds (doubles per retry)."
    )
    http_max_delay: float = Field(
        default=30.0,
        ge=0,
        description="Longest wait between tries (also caps Retry-After); Civitai asks "
        "clients to back off up to about 30 s.",
    )

    @field_validator("types", "base_models")
    @classmethod
    def _strip(cls, values: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(v.strip() for v in values if v.strip())

    def api_url(self) -> str:
        """`{url}/api/v1/models`."""
        base = self.url.rstrip("/")
        if not base.endswith("/api/v1"):
            base += "/api/v1"
        return f"{base}/models"
