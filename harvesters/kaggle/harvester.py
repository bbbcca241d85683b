"""Page through Kaggle's `ListModels` (POST, camelCase JSON, pageToken -> nextPageToken)."""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, ClassVar

from catalog.records import NormalizedModel
from harvesters.base import FatalHarvestError, FetchContext, Harvester, Page, RawRecord
from harvesters.http import HttpClient
from harvesters.kaggle.auth import KaggleCredentials, load_credentials
from harvesters.kaggle.config import KaggleConfig
from harvesters.kaggle.parse import PLATFORM, model_ref, normalize_model
from harvesters.sources import http_client

# Messages name the hub setting and the older name users may have set instead.
SETTING = "CATALOG_HARVESTERS__KAGGLE__URL (or CATALOG_KAGGLE_API_URL)"
METHOD = "models.ModelApiService/ListModels"


class KaggleHarvester(Harvester):
    """One model per Kaggle model (`owner/slug`); instances become formats and lineage."""

    name: ClassVar[str] = PLATFORM
    display_name: ClassVar[str] = "Kaggle Models"
    home_url: ClassVar[str] = "https://www.kaggle.com/models"
    version: ClassVar[str] = "2"  # 2: provenance of every field
    config_class: ClassVar[type[KaggleConfig]] = KaggleConfig
    supports_incremental: ClassVar[bool] = False

    def fetch(self, ctx: FetchContext) -> Iterator[Page]:
        """Yield one page per ListModels response; the checkpoint is the next page token.

        Raises:
            FatalHarvestError: no credentials, the API unreachable or refusing, a body
                that is not a ListModels response, or a page token loop.
        """
        config = self.config
        assert isinstance(config, KaggleConfig)
        credentials = load_credentials(os.environ, Path.home())
        url = f"{config.url.rstrip('/')}/{METHOD}"
        client = http_client(config, headers=credentials.headers())
        try:
            yield from self._pages(client, url, credentials, ctx)
        finally:
            client.close()

    def _pages(
        self, client: HttpClient, url: str, credentials: KaggleCredentials, ctx: FetchContext
    ) -> Iterator[Page]:
        config = self.config
        assert isinstance(config, KaggleConfig)
        token = _resume_token(ctx.resume)
        tokens_seen = {token}
        ids_seen: set[str] = set()
        taken = 0
        while True:
            data = _list_models(client, url, credentials, _body(config, token))
            records = []
            for model in data["models"]:
                ref = model_ref(model)
                if ref is not None and ref in ids_seen:
                    continue  # the listing shifted between pages; the model is already here
                if ref is not None:
                    ids_seen.add(ref)
                records.append(RawRecord(external_id=ref, payload=model))
            if ctx.limit is not None:
                records = records[: max(0, ctx.limit - taken)]
            taken += len(records)
            token = data["nextPageToken"]
            yield Page(records, {"page_token": token} if token else None)
            if not token or (ctx.limit is not None and taken >= ctx.limit):
                return
            if token in tokens_seen:
                raise FatalHarvestError(
                    "Kaggle returned a page token it had already returned (a paging loop): "
                    "run the harvest again later."
                )
            tokens_seen.add(token)

    def normalize(self, raw: RawRecord) -> NormalizedModel:
        """Normalize one `ApiModel` (see `harvesters.kaggle.parse`)."""
        return normalize_model(raw.payload)


def _resume_token(resume: object) -> str:
    token = resume.get("page_token") if isinstance(resume, Mapping) else None
    return token if isinstance(token, str) else ""


def _body(config: KaggleConfig, token: str) -> dict[str, Any]:
    body: dict[str, Any] = {"pageSize": config.page_size}
    if config.sort_by:
        body["sortBy"] = config.sort_by
    if token:
        body["pageToken"] = token
    return body


def _list_models(
    client: HttpClient, url: str, credentials: KaggleCredentials, body: dict[str, Any]
) -> dict[str, Any]:
    try:
        data, _ = client.post_json(url, body)
    except FatalHarvestError as exc:
        raise FatalHarvestError(
            f"Kaggle Models API request failed ({exc}): check {SETTING}, the network, and the "
            f"credentials from {credentials.source}.",
            status=exc.status,
        ) from exc
    models = data.get("models", []) if isinstance(data, dict) else None
    token = data.get("nextPageToken", "") if isinstance(data, dict) else None
    if not isinstance(models, list) or not isinstance(token, (str, type(None))):
        raise FatalHarvestError(
            f"Kaggle answered {url} with a body that is not a ListModels response: check "
            f"{SETTING} (the API the Kaggle SDK speaks, e.g. https://api.kaggle.com/v1)."
        )
    return {"models": models, "nextPageToken": token or ""}
