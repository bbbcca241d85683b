"""Harvesters for tests: a list-backed source and wrappers that break a real one."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any, ClassVar

from catalog.records import InvalidRecordError, NormalizedModel
from catalog.settings import Settings
from harvesters.base import (
    FatalHarvestError,
    FetchContext,
    Harvester,
    HarvesterConfig,
    Page,
    RawRecord,
)


class ListHarvester(Harvester):
    """Serves `payloads` in pages of `page_size`; payloads are {"id", "downloads", ...}."""

    name: ClassVar[str] = "huggingface"

    def __init__(self, payloads: Sequence[dict[str, Any]], page_size: int = 10) -> None:
        super().__init__(HarvesterConfig(), Settings())
        self.payloads = list(payloads)
        self.page_size = page_size

    def fetch(self, ctx: FetchContext) -> Iterator[Page]:
        start = int((ctx.resume or {}).get("offset", 0))
        for offset in range(start, len(self.payloads), self.page_size):
            chunk = self.payloads[offset : offset + self.page_size]
            end = offset + len(chunk)
            yield Page(
                [RawRecord(p.get("id"), p) for p in chunk],
                {"offset": end} if end < len(self.payloads) else None,
            )

    def normalize(self, raw: RawRecord) -> NormalizedModel:
        payload = raw.payload
        if not isinstance(payload.get("downloads", 0), int):
            raise InvalidRecordError("downloads is not an integer")
        return NormalizedModel(
            platform="huggingface",
            external_id=payload["id"],
            name=payload["id"].rsplit("/", 1)[-1],
            author=payload["id"].split("/", 1)[0],
            downloads=payload.get("downloads"),
            tasks=tuple(payload.get("tasks", ())),
            tags=tuple(payload.get("tags", ())),
            description=payload.get("description"),
        )


class WrappedHarvester(Harvester):
    """Delegates to a real harvester, optionally filtering records or failing mid-way."""

    def __init__(
        self,
        inner: Harvester,
        *,
        keep: Callable[[RawRecord], bool] | None = None,
        fail_after_pages: int | None = None,
    ) -> None:
        super().__init__(inner.config, inner.settings)
        self.inner = inner
        self.name = inner.name  # type: ignore[misc]
        self.version = inner.version  # type: ignore[misc]
        self.supports_incremental = inner.supports_incremental  # type: ignore[misc]
        self.keep = keep
        self.fail_after_pages = fail_after_pages
        self.pages_served: list[Page] = []

    def fetch(self, ctx: FetchContext) -> Iterator[Page]:
        for page in self.inner.fetch(ctx):
            if (
                self.fail_after_pages is not None
                and len(self.pages_served) >= self.fail_after_pages
            ):
                raise FatalHarvestError("the source went away (simulated)")
            records = [r for r in page.records if self.keep is None or self.keep(r)]
            served = Page(records, page.checkpoint, page.problems)
            self.pages_served.append(served)
            yield served

    def normalize(self, raw: RawRecord) -> NormalizedModel:
        return self.inner.normalize(raw)

    def close(self) -> None:
        self.inner.close()
