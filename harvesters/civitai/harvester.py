"""The Civitai harvester: pages of `GET {url}/api/v1/models`, by cursor or by page.

Full sweeps walk the configured order (`Oldest` by default, stable while paging);
incremental runs sort by `Newest` (the newest version's publication) and stop at the
first model older than the `since` the runner passes (the last high-water mark minus
the look-back window). Every page carries a checkpoint (mode, next cursor or page,
order, stop moment), so a killed run resumes on the page after the last one it
committed. The API token travels only in the Authorization header, so no URL,
checkpoint or message can carry it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any, ClassVar

from catalog.records import NormalizedModel
from catalog.settings import Settings
from harvesters.base import (
    FatalHarvestError,
    FetchContext,
    Harvester,
    HarvesterConfig,
    HarvestError,
    Page,
    RawRecord,
)
from harvesters.civitai.config import CivitaiConfig
from harvesters.civitai.paging import PAGING_SETTING, Walk
from harvesters.civitai.parse import PLATFORM, newest_time, normalize_model, nsfw_of
from harvesters.civitai.values import model_id
from harvesters.http import HttpClient, RetryPolicy

SETTING = "CATALOG_HARVESTERS__CIVITAI__URL"
SKIPPED_NSFW = ("skip_nsfw", "NSFW models Civitai listed were skipped, as skip_nsfw asks")


class CivitaiHarvester(Harvester):
    """One model per Civitai model: versions, files as formats, base models as lineage."""

    name: ClassVar[str] = PLATFORM
    display_name: ClassVar[str] = "Civitai"
    home_url: ClassVar[str] = "https://civitai.com"
    schedules: ClassVar[Mapping[str, str]] = {"incremental": "every 1h", "full": "0 4 * * 0"}
    config_class: ClassVar[type[HarvesterConfig]] = CivitaiConfig
    supports_incremental: ClassVar[bool] = True
    version: ClassVar[str] = "1"

    def __init__(
        self,
        config: HarvesterConfig,
        settings: Settings,
        *,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        """Build the harvester; `sleep` (the wait between retries) is for tests."""
        super().__init__(config, settings)
        if not isinstance(config, CivitaiConfig):
            raise TypeError(f"expected CivitaiConfig, got {type(config).__name__}")
        self.civitai = config
        token = config.token.get_secret_value().strip() if config.token else ""
        self._token = token or None
        headers = {"Accept": "application/json"}
        if self._token:
            headers["Authorization"] = f"Bearer {self._token}"
        policy = RetryPolicy(
            attempts=config.http_attempts,
            base_delay=config.http_backoff,
            max_delay=config.http_max_delay,
            timeout=config.http_timeout,
        )
        self._http = (
            HttpClient(headers=headers, policy=policy, sleep=sleep)
            if sleep is not None
            else HttpClient(headers=headers, policy=policy)  # waits that end on shutdown
        )

    def close(self) -> None:
        """Close the HTTP connection pool."""
        self._http.close()

    def normalize(self, raw: RawRecord) -> NormalizedModel:
        """Normalize one model payload (pure; see `harvesters.civitai.parse`)."""
        return normalize_model(raw.payload)

    def fetch(self, ctx: FetchContext) -> Iterator[Page]:
        """Yield one page per response, each with the checkpoint of the next.

        Raises:
            FatalHarvestError: Civitai refused a request, retries were spent, a body was
                not a page of models, a cursor came back twice, or page mode hit the cap.
        """
        try:
            yield from self._pages(Walk(ctx, self.civitai))
        except HarvestError as exc:
            redacted = self._redact(str(exc))
            if redacted != str(exc):
                raise type(exc)(redacted) from None
            raise

    def _pages(self, walk: Walk) -> Iterator[Page]:
        while True:
            items, metadata = self._get_page(walk)
            records, problems = self._records(items, walk)
            walk.advance(metadata, len(items))
            yield Page(records, walk.checkpoint(), problems)
            if walk.finished:
                return

    def _get_page(self, walk: Walk) -> tuple[list[Any], Mapping[str, Any]]:
        url = self.civitai.api_url()
        try:
            body, _ = self._http.get_json(url, walk.params(self.civitai))
        except FatalHarvestError as exc:
            raise FatalHarvestError(_failure(exc, walk), status=exc.status) from exc
        items = body.get("items") if isinstance(body, dict) else None
        if not isinstance(items, list):
            raise FatalHarvestError(
                f"{url} answered with a body that is not a page of models (no `items` "
                f"list): check that {SETTING} points at Civitai (https://civitai.com)."
            )
        metadata = body.get("metadata")
        return items, metadata if isinstance(metadata, Mapping) else {}

    def _records(
        self, items: list[Any], walk: Walk
    ) -> tuple[list[RawRecord], list[tuple[str, str]]]:
        records: list[RawRecord] = []
        skipped = False
        for item in items:
            if walk.finished:
                break
            if not isinstance(item, Mapping):
                records.append(RawRecord(None, item))  # quarantined, never lost
                walk.took()
                continue
            when = newest_time(item)
            if walk.too_old(when):
                walk.exhausted = True
                break
            external_id = model_id(item.get("id"))
            if external_id is not None:
                if external_id in walk.seen:
                    continue  # repeated across a page boundary (a known cursor quirk)
                walk.seen.add(external_id)
            if self.civitai.skip_nsfw and nsfw_of(item):
                skipped = True
                continue
            cursor_value = when.isoformat() if when else None
            records.append(RawRecord(external_id, dict(item), cursor_value=cursor_value))
            walk.took()
        return records, [SKIPPED_NSFW] if skipped else []

    def _redact(self, message: str) -> str:
        return message.replace(self._token, "***") if self._token else message


def _failure(exc: FatalHarvestError, walk: Walk) -> str:
    """The one line a failed request ends the run with: what failed, what to check."""
    check = f"check {SETTING} and the network"
    if exc.status in {401, 403}:
        check += ", and CIVITAI_API_TOKEN (an API key from civitai.com > Account settings)"
    if walk.mode == "page" and walk.page > 1:
        check += f"; page mode: Civitai refuses page * limit > 1000, set {PAGING_SETTING}=cursor"
    return f"Civitai API request failed ({exc}): {check}."
