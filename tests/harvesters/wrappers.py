"""A list-backed harvester for tests (`harvesters.testing.WrappedHarvester` breaks real ones)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, ClassVar

from catalog.records import InvalidRecordError, NormalizedModel
from catalog.settings import Settings
from harvesters.base import (
    FetchContext,
    Harvester,
    HarvesterConfig,
    Page,
    RawRecord,
)


class ListHarvester(Harvester):
    """Serves `payloads` in pages of `page_size`; payloads are {"id", "downloads", ...}."""

    name: ClassVar[str] = "huggingface"
    display_name: ClassVar[str] = "Hugging Face Hub"
    home_url: ClassVar[str] = "https://huggingface.co"

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
