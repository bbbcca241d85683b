"""The Hugging Face Hub harvester: pages of `GET /api/models`, followed by `Link` header.

A full sweep walks the Hub's natural order; an incremental run sorts by `lastModified`
(newest first) and stops at the first model older than `FetchContext.since` (the
runner passes `since` already reduced by the look-back window). Every page carries a
checkpoint holding the next page's URL (with the Hub's opaque `cursor`), so a killed
run resumes on the page after the last one it committed.

The token goes in the `Authorization` header only (never in a URL, so checkpoints and
error messages cannot carry it); `Link` URLs that point at another host are rebased onto
the configured endpoint so the header is never sent elsewhere.
"""

from __future__ import annotations

import datetime as dt
import importlib.metadata
import logging
import time
from collections.abc import Callable, Iterator, Mapping
from typing import Any, ClassVar
from urllib.parse import quote, urlencode, urljoin, urlsplit, urlunsplit

import httpx
from huggingface_hub.utils import build_hf_headers

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
from harvesters.http import HttpClient, RetryPolicy
from harvesters.huggingface.config import HuggingFaceConfig
from harvesters.huggingface.parse import PLATFORM, normalize_model, parse_timestamp

log = logging.getLogger(__name__)


def _version() -> str:
    try:
        return importlib.metadata.version("model-catalog")
    except importlib.metadata.PackageNotFoundError:  # running from a source tree
        return "0"


class HuggingFaceHarvester(Harvester):
    """Harvests model metadata from the Hugging Face Hub (or a mirror at its `url`)."""

    name: ClassVar[str] = PLATFORM
    display_name: ClassVar[str] = "Hugging Face Hub"
    home_url: ClassVar[str] = "https://huggingface.co"
    schedules: ClassVar[Mapping[str, str]] = {"incremental": "every 1h", "full": "0 3 * * 0"}
    config_class: ClassVar[type[HarvesterConfig]] = HuggingFaceConfig
    supports_incremental: ClassVar[bool] = True
    version: ClassVar[str] = "3"  # 2: pipeline_tag lists dropped; 3: provenance of every field

    def __init__(
        self,
        config: HarvesterConfig,
        settings: Settings,
        *,
        policy: RetryPolicy | None = None,
        sleep: Callable[[float], None] | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        """Build the harvester; `policy`, `sleep` and `transport` are for tests."""
        super().__init__(config, settings)
        if not isinstance(config, HuggingFaceConfig):
            raise TypeError(f"expected HuggingFaceConfig, got {type(config).__name__}")
        self.hf_config = config
        self.endpoint = config.url.rstrip("/")
        token = config.token.get_secret_value() if config.token else None
        self._token = token or None
        # token=False: never fall back to a token cached on disk by `hf auth login`;
        # the catalog uses HF_TOKEN or nothing, so what it sees is predictable.
        headers = build_hf_headers(
            token=self._token or False, library_name="model-catalog", library_version=_version()
        )
        self._http = HttpClient(
            headers=headers,
            policy=policy
            or RetryPolicy(
                attempts=config.retry_attempts,
                base_delay=config.retry_base_delay,
                max_delay=config.retry_max_delay,
                timeout=config.timeout,
            ),
            sleep=sleep or time.sleep,
            transport=transport,
        )

    def close(self) -> None:
        """Close the HTTP connection pool."""
        self._http.close()

    def normalize(self, raw: RawRecord) -> NormalizedModel:
        """Normalize one payload (pure; see `parse.normalize_model`)."""
        return normalize_model(raw.payload)

    def fetch(self, ctx: FetchContext) -> Iterator[Page]:
        """Yield pages of model payloads with a resumable checkpoint each.

        The checkpoint is `{"next": <URL of the next page or None>, "since": <ISO or
        None>, "count": <models yielded so far>}`; `next` is None on the last page.

        Raises:
            FatalHarvestError: the Hub refused a request, or retries were spent.
        """
        try:
            yield from self._pages(ctx)
        except HarvestError as exc:
            redacted = self._redact(str(exc))
            if redacted != str(exc):
                raise type(exc)(redacted) from None
            raise

    def _pages(self, ctx: FetchContext) -> Iterator[Page]:
        walk = _Walk.begin(ctx, self.hf_config, self._first_url(ctx))
        if walk.url is not None:
            walk.url = self._on_endpoint(walk.url)  # a checkpoint from another endpoint
        while walk.url is not None:
            url = walk.url
            body, response = self._get_page(url)
            if not isinstance(body, list):
                raise FatalHarvestError(
                    f"{self.endpoint}/api/models answered a {type(body).__name__}, not a list "
                    "of models: check that CATALOG_HARVESTERS__HUGGINGFACE__URL (or HF_ENDPOINT) "
                    "points at a Hugging Face Hub"
                )
            page = self._page(body, walk)
            walk.url = None if walk.done else self._next_url(response, url)
            yield Page(page.records, walk.checkpoint(), page.problems)

    def _get_page(self, url: str) -> tuple[Any, httpx.Response]:
        try:
            return self._http.get_json(url)
        except FatalHarvestError as exc:
            what = (
                "HF_ENDPOINT, the network and HF_TOKEN"
                if exc.status in {401, 403}
                else "HF_ENDPOINT and the network"
            )
            raise FatalHarvestError(
                f"Hugging Face Hub request failed ({exc}): check {what}",
                status=exc.status,
            ) from exc

    # -- URLs ------------------------------------------------------------------------------

    def _first_url(self, ctx: FetchContext) -> str:
        cfg = self.hf_config
        limit = cfg.page_size
        wanted = _limit(ctx, cfg)
        if wanted is not None:
            limit = min(limit, wanted)
        params: list[tuple[str, str]] = [("limit", str(limit))]
        if ctx.kind == "incremental":
            params += [("sort", "lastModified"), ("direction", "-1")]
        if cfg.full:
            params += [("full", "true"), ("cardData", "true")]
        else:
            # Repeated `expand`, as huggingface_hub sends it.
            params += [("expand", field) for field in cfg.expand]
        if author := cfg.server_author():
            params.append(("author", author))
        if tag := cfg.server_pipeline_tag():
            params.append(("pipeline_tag", tag))
        if cfg.search:
            params.append(("search", cfg.search))
        params += [("filter", value) for value in cfg.filter]
        return f"{self.endpoint}/api/models?{urlencode(params)}"

    def _next_url(self, response: httpx.Response, current: str) -> str | None:
        link = response.links.get("next", {}).get("url")
        if not link:
            return None
        url = self._on_endpoint(urljoin(str(response.url), link))
        if url == current:
            raise FatalHarvestError(
                f"{self.endpoint}/api/models sent the same page again: pagination loop"
            )
        return url

    def _on_endpoint(self, url: str) -> str:
        """`url` on the configured endpoint's scheme and host (rebased if elsewhere)."""
        want, got = urlsplit(self.endpoint), urlsplit(url)
        if (got.scheme, got.netloc) == (want.scheme, want.netloc):
            return url
        log.warning("next-page link points at %s; rebasing it onto %s", got.netloc, want.netloc)
        return urlunsplit((want.scheme, want.netloc, got.path, got.query, ""))

    def _redact(self, text: str) -> str:
        return text.replace(self._token, "***") if self._token else text

    # -- records ---------------------------------------------------------------------------

    def _page(self, body: list[Any], walk: _Walk) -> Page:
        records: list[RawRecord] = []
        problems: list[tuple[str, str]] = []
        for item in body:
            if walk.done:
                break
            if not isinstance(item, dict):
                # Not a model at all: the runner quarantines it, so it is never lost.
                records.append(RawRecord(None, item))
                walk.count += 1
                walk.check_limit()
                continue
            if walk.too_old(item):
                walk.done = True
                break
            if not self._in_scope(item):
                continue
            payload = self._detail(item, problems) if self.hf_config.detail else item
            if payload is None:
                continue
            records.append(_raw_record(payload))
            walk.count += 1
            walk.check_limit()
        if not body:
            walk.done = True
        return Page(records, None, problems)

    def _in_scope(self, item: Mapping[str, Any]) -> bool:
        if item.get("private") is True and not self.hf_config.include_private:
            return False
        model_id = item.get("id")
        author = item.get("author")
        if not isinstance(author, str):
            author = model_id.split("/", 1)[0] if isinstance(model_id, str) else None
        pipeline_tag = item.get("pipeline_tag")
        return self.hf_config.allows(
            author, pipeline_tag if isinstance(pipeline_tag, str) else None
        )

    def _detail(
        self, item: dict[str, Any], problems: list[tuple[str, str]]
    ) -> dict[str, Any] | None:
        """The model's detail with file sizes; None (and a problem) if it is gone."""
        model_id = item.get("id")
        if not isinstance(model_id, str) or not model_id:
            return item  # the runner quarantines it for want of an id
        url = f"{self.endpoint}/api/models/{quote(model_id, safe='/')}?blobs=true"
        try:
            body, response = self._http.get_json(url)
        except FatalHarvestError as exc:
            if exc.status != 404:
                raise
            problems.append((model_id, "listed, but its detail answered 404 (removed meanwhile)"))
            return None
        if not isinstance(body, dict):
            problems.append((model_id, f"detail is a {type(body).__name__}, not an object"))
            return None
        if response.history and body.get("id") not in (None, model_id):
            body = {**body, "redirectedFrom": model_id}  # renamed: 307 to the new id
        return body


def _raw_record(payload: dict[str, Any]) -> RawRecord:
    model_id = payload.get("id")
    last_modified = payload.get("lastModified")
    return RawRecord(
        external_id=model_id if isinstance(model_id, str) and model_id.strip() else None,
        payload=payload,
        cursor_value=last_modified if isinstance(last_modified, str) else None,
    )


def _limit(ctx: FetchContext, cfg: HuggingFaceConfig) -> int | None:
    limits = [n for n in (ctx.limit, cfg.limit) if n is not None]
    return min(limits) if limits else None


class _Walk:
    """Where a walk over the pages stands: next URL, stop moment, records yielded."""

    def __init__(self, url: str | None, since: dt.datetime | None, count: int, limit: int | None):
        self.url = url
        self.since = since
        self.count = count
        self.limit = limit
        self.done = url is None or (limit is not None and count >= limit)

    @classmethod
    def begin(cls, ctx: FetchContext, cfg: HuggingFaceConfig, first_url: str) -> _Walk:
        since = ctx.since if ctx.kind == "incremental" else None
        if since is not None and since.tzinfo is None:
            since = since.replace(tzinfo=dt.UTC)
        if ctx.resume is None:
            return cls(first_url, since, 0, _limit(ctx, cfg))
        # A resumed walk keeps the stop moment it started with.
        resumed_since = parse_timestamp(ctx.resume.get("since"))
        count = ctx.resume.get("count")
        return cls(
            ctx.resume.get("next"),
            resumed_since or since,
            count if isinstance(count, int) else 0,
            _limit(ctx, cfg),
        )

    def too_old(self, item: Mapping[str, Any]) -> bool:
        """In an incremental walk (newest first): whether this model predates `since`."""
        if self.since is None:
            return False
        when = parse_timestamp(item.get("lastModified"))
        return when is not None and when < self.since

    def check_limit(self) -> None:
        if self.limit is not None and self.count >= self.limit:
            self.done = True

    def checkpoint(self) -> dict[str, Any]:
        return {
            "next": self.url,
            "since": self.since.isoformat() if self.since else None,
            "count": self.count,
        }
