"""Page through ModelScope's model listing; fetch the legacy detail for what it lacks.

A full sweep asks the SDK's listing for pages 1, 2, ... of `page_size` models until a
page is empty or the reported total is reached. Listing items that lack the fields only
the legacy detail carries (Chinese name, frameworks, libraries, base models,
organization, languages, files) get that detail, `detail_workers` requests at a time.
The checkpoint after each page is the next page number. The token goes in headers only.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any, ClassVar

from catalog.records import NormalizedModel
from harvesters.base import FatalHarvestError, FetchContext, Harvester, Page, RawRecord
from harvesters.http import HttpClient
from harvesters.modelscope import api
from harvesters.modelscope.config import ModelScopeConfig
from harvesters.modelscope.parse import PLATFORM, model_id, normalize_model
from harvesters.sources import http_client

# A listing item in the PascalCase model DTO (the older listing schema) already carries
# these when it has them: no detail needed.
DETAIL_KEYS = ("ChineseName", "Frameworks", "Libraries", "BaseModel", "Organization")


class ModelScopeHarvester(Harvester):
    """One model per ModelScope repository (`owner/name`)."""

    name: ClassVar[str] = PLATFORM
    display_name: ClassVar[str] = "ModelScope"
    home_url: ClassVar[str] = "https://modelscope.cn"
    schedules: ClassVar[Mapping[str, str]] = {"full": "every 1d"}
    config_class: ClassVar[type[ModelScopeConfig]] = ModelScopeConfig
    supports_incremental: ClassVar[bool] = False

    def fetch(self, ctx: FetchContext) -> Iterator[Page]:
        """Yield one page per listing response; the checkpoint is the next page number.

        Raises:
            FatalHarvestError: the site unreachable or refusing, a body that is not a
                ModelScope listing, a paging loop, or a listing that ends early.
        """
        config = self.config
        assert isinstance(config, ModelScopeConfig)
        client = http_client(config, headers=_headers(config))
        try:
            with ThreadPoolExecutor(config.detail_workers, "modelscope-detail") as pool:
                yield from self._pages(client, pool, ctx)
        finally:
            client.close()

    def _pages(
        self, client: HttpClient, pool: ThreadPoolExecutor, ctx: FetchContext
    ) -> Iterator[Page]:
        config = self.config
        assert isinstance(config, ModelScopeConfig)
        url = config.url.rstrip("/")
        page = _resume_page(ctx.resume)
        seen: set[str] = set()
        previous: list[str | None] = []
        taken = 0
        while True:
            items, total = api.list_page(client, url, page, config.page_size, config.sort)
            ids = [model_id({"listing": item}) for item in items]
            if items and ids == previous:
                raise FatalHarvestError(
                    f"ModelScope returned page {page} equal to the page before it (a paging "
                    "loop): run the harvest again later."
                )
            previous = ids
            fresh = [
                (i, item) for i, item in zip(ids, items, strict=True) if i is None or i not in seen
            ]
            seen.update(i for i, _ in fresh if i)
            if ctx.limit is not None:
                fresh = fresh[: max(0, ctx.limit - taken)]
            taken += len(fresh)
            records, problems = self._records(client, pool, url, fresh)
            done = _done(items, total, page, config.page_size)
            if not items and total is not None and (page - 1) * config.page_size < total:
                raise FatalHarvestError(
                    f"ModelScope's listing ended at page {page} before the {total:,} models it "
                    "reported: the sweep is incomplete, so nothing was marked removed; run the "
                    "harvest again later."
                )
            yield Page(records, None if done else {"page": page + 1}, problems)
            if done or (ctx.limit is not None and taken >= ctx.limit):
                return
            page += 1

    def _records(
        self,
        client: HttpClient,
        pool: ThreadPoolExecutor,
        url: str,
        items: list[tuple[str | None, Any]],
    ) -> tuple[list[RawRecord], list[tuple[str, str]]]:
        config = self.config
        assert isinstance(config, ModelScopeConfig)

        def detail_of(entry: tuple[str | None, Any]) -> Mapping[str, Any] | None:
            ref, item = entry
            if ref is None or config.details == "never" or _is_full(item):
                return None
            return api.detail(client, url, ref)

        details = list(pool.map(detail_of, items))
        records: list[RawRecord] = []
        problems: list[tuple[str, str]] = []
        for (ref, item), found in zip(items, details, strict=True):
            if _is_full(item):
                payload: dict[str, Any] = {"listing": None, "detail": item}
            else:
                payload = {"listing": item, "detail": found}
                if ref is not None and config.details != "never" and found is None:
                    problems.append((ref, "the detail endpoint does not know it: listing only"))
            records.append(RawRecord(external_id=ref, payload=payload))
        return records, problems

    def normalize(self, raw: RawRecord) -> NormalizedModel:
        """Normalize one `{"listing", "detail"}` payload (see `harvesters.modelscope.parse`)."""
        return normalize_model(raw.payload)


def _headers(config: ModelScopeConfig) -> dict[str, str]:
    headers = {"User-Agent": "model-catalog (ModelScope harvester)"}
    if config.token is not None and config.token.get_secret_value():
        token = config.token.get_secret_value()
        # OpenAPI reads the Bearer header, the legacy API the SDK's session cookie.
        headers["Authorization"] = f"Bearer {token}"
        headers["Cookie"] = f"m_session_id={token}"
    return headers


def _resume_page(resume: object) -> int:
    page = resume.get("page") if isinstance(resume, Mapping) else None
    return page if isinstance(page, int) and not isinstance(page, bool) and page >= 1 else 1


def _is_full(item: object) -> bool:
    return (
        isinstance(item, Mapping)
        and "Path" in item
        and "Name" in item
        and any(k in item for k in DETAIL_KEYS)
    )


def _done(items: list[Any], total: int | None, page: int, size: int) -> bool:
    return not items or (total is not None and page * size >= total)
