"""Where a walk over Civitai's model pages stands, and what its metadata says comes next.

Cursor mode follows `metadata.nextCursor` (or the `cursor` of `metadata.nextPage`)
until none is offered. Page mode asks for page 1, 2, ... while `metadata.nextPage` (or
`totalPages`) says there is more; Civitai refuses `page * limit > 1000`, so before
crossing that line the walk goes on with the cursor the last page offered, or stops
and says to use cursors. Incremental walks (newest first) end at the first model older
than `since`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qs, urlsplit

from harvesters.base import FatalHarvestError, FetchContext
from harvesters.civitai.config import PAGE_CAP, CivitaiConfig
from harvesters.civitai.values import count, text, timestamp

PAGING_SETTING = "CATALOG_HARVESTERS__CIVITAI__PAGING"


class Walk:
    """The position of one fetch: mode, next cursor or page, stop moment, count."""

    def __init__(self, ctx: FetchContext, config: CivitaiConfig) -> None:
        """Start at the beginning, or at `ctx.resume` when it fits this walk."""
        incremental = ctx.kind == "incremental"
        self.sort = "Newest" if incremental else config.sort
        self.mode: str = config.paging
        self.cursor: str | None = None
        self.page = 1
        self.page_size = config.page_size
        self.since = _utc(ctx.since) if incremental else None
        self.count = 0
        self.limit = ctx.limit
        self.exhausted = False  # the source has nothing more for this walk
        self.limited = False  # stopped by the limit before the source ran out
        self.seen: set[str] = set()
        resume = ctx.resume
        if isinstance(resume, Mapping) and self._fits(resume, config):
            self.mode = str(resume["mode"])
            self.cursor = text(resume.get("cursor"))
            self.page = count(resume.get("page")) or 1
            self.since = timestamp(resume.get("since")) or self.since
            self.count = count(resume.get("count")) or 0

    def _fits(self, resume: Mapping[str, Any], config: CivitaiConfig) -> bool:
        """A checkpoint of another order or paging mode would skip the wrong models."""
        mode = resume.get("mode")
        modes = {config.paging, "cursor"} if config.paging == "page" else {"cursor"}
        return resume.get("sort") == self.sort and mode in modes

    @property
    def finished(self) -> bool:
        """Whether the walk asks for no more pages."""
        return self.exhausted or self.limited

    def params(self, config: CivitaiConfig) -> dict[str, Any]:
        """Query parameters of the next request."""
        limit = self.page_size
        if self.mode == "cursor" and self.limit is not None:
            limit = max(1, min(limit, self.limit - self.count))
        params: dict[str, Any] = {
            "limit": str(limit),
            "sort": self.sort,
            "period": config.period,
            "nsfw": "false" if config.skip_nsfw else "true",
        }
        if config.types:
            params["types"] = list(config.types)
        if config.base_models:
            params["baseModels"] = list(config.base_models)
        if config.primary_file_only:
            params["primaryFileOnly"] = "true"
        if self.mode == "page":
            params["page"] = str(self.page)
        elif self.cursor is not None:
            params["cursor"] = self.cursor
        return params

    def too_old(self, when: dt.datetime | None) -> bool:
        """In an incremental walk: whether a model last published at `when` predates
        `since` (models without a time never end the walk)."""
        return self.since is not None and when is not None and when < self.since

    def took(self) -> None:
        """Count one record handed to the runner."""
        self.count += 1
        if self.limit is not None and self.count >= self.limit:
            self.limited = True

    def advance(self, metadata: Mapping[str, Any], items: int) -> None:
        """Move to the next page the metadata offers (or end the walk).

        Raises:
            FatalHarvestError: the same cursor came back (a paging loop), or page mode
                reached Civitai's cap with no cursor to go on with.
        """
        if self.finished:
            return
        cursor = next_cursor(metadata)
        if items == 0:
            self.exhausted = True
        elif self.mode == "cursor":
            if cursor is None:
                self.exhausted = True
            elif cursor == self.cursor:
                raise FatalHarvestError(
                    "Civitai returned the cursor it was given (a paging loop): run the "
                    "harvest again later."
                )
            self.cursor = cursor
        elif not has_next_page(metadata, self.page):
            self.exhausted = True
        elif (self.page + 1) * self.page_size <= PAGE_CAP:
            self.page += 1
        elif cursor is not None:
            self.mode, self.cursor = "cursor", cursor  # past the cap: cursors go on
        else:
            raise FatalHarvestError(
                f"Civitai serves page by page only the first {PAGE_CAP:,} models "
                f"(page * limit <= {PAGE_CAP}) and offered no cursor to go on with: set "
                f"{PAGING_SETTING}=cursor."
            )

    def checkpoint(self) -> dict[str, Any] | None:
        """Where the next run resumes (None once the source is exhausted)."""
        if self.exhausted:
            return None
        return {
            "mode": self.mode,
            "cursor": self.cursor,
            "page": self.page if self.mode == "page" else None,
            "sort": self.sort,
            "since": self.since.isoformat() if self.since else None,
            "count": self.count,
        }


def next_cursor(metadata: Mapping[str, Any]) -> str | None:
    """`metadata.nextCursor`, else the `cursor` parameter of `metadata.nextPage`."""
    value = metadata.get("nextCursor")
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if text(value):
        return str(value).strip()
    link = text(metadata.get("nextPage"))
    if link is None:
        return None
    found = parse_qs(urlsplit(link).query).get("cursor")
    return found[0] if found and found[0].strip() else None


def has_next_page(metadata: Mapping[str, Any], page: int) -> bool:
    """Whether page mode has a page after `page`: `nextPage`, else `totalPages`."""
    if text(metadata.get("nextPage")):
        return True
    total = count(metadata.get("totalPages"))
    return total is not None and page < total


def _utc(moment: dt.datetime | None) -> dt.datetime | None:
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=dt.UTC)
    return moment
