"""The two ModelScope endpoints the harvester calls, and their response envelopes.

* `GET {url}/openapi/v1/models?page_number=&page_size=[&sort=]`: the listing the
  official SDK (`modelscope_hub`, and `modelscope`'s `HubApi.list_models` through it)
  calls. Envelope `{"success", "data": {"models", "total_count", ...}}`.
* `GET {url}/api/v1/models/{owner}/{name}`: the legacy detail, which the SDK falls back
  to. Envelope `{"Code": 200, "Data": <PascalCase model>, "Message", "Success"}`.

Both envelopes are accepted on both endpoints (the SDK's decoder does the same).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from harvesters.base import FatalHarvestError
from harvesters.http import HttpClient

SETTING = "CATALOG_HARVESTERS__MODELSCOPE__URL"
LIST_PATH = "/openapi/v1/models"
_ITEM_KEYS = ("models", "Models", "items", "data", "list")
_TOTAL_KEYS = ("total_count", "TotalCount", "total", "Total")


def list_page(
    client: HttpClient, url: str, page: int, size: int, sort: str | None
) -> tuple[list[Any], int | None]:
    """One page of the listing: its items and the total the server reports.

    Raises:
        FatalHarvestError: the server refused, or answered something that is not a
            ModelScope listing.
    """
    params: dict[str, Any] = {"page_number": page, "page_size": size}
    if sort:
        params["sort"] = sort
    where = f"{url}{LIST_PATH}"
    try:
        body, _ = client.get_json(where, params)
    except FatalHarvestError as exc:
        raise FatalHarvestError(
            f"ModelScope listing request failed ({exc}): check {SETTING}, the network, and "
            "MODELSCOPE_API_TOKEN if one is set.",
            status=exc.status,
        ) from exc
    data = _unwrap(body, where)
    items = data if isinstance(data, list) else _first_list(data)
    if items is None:
        raise FatalHarvestError(
            f"ModelScope answered {where} with a body that is not a model listing: check "
            f"{SETTING} (the site, e.g. https://modelscope.cn)."
        )
    total = next(
        (data[k] for k in _TOTAL_KEYS if isinstance(data, Mapping) and _is_count(data.get(k))),
        None,
    )
    return items, total


def detail(client: HttpClient, url: str, model_id: str) -> Mapping[str, Any] | None:
    """The legacy detail of `owner/name`; None when the server does not know the model.

    Raises:
        FatalHarvestError: the endpoint keeps failing, or answers something else.
    """
    owner, name = model_id.split("/", 1)
    where = f"{url}/api/v1/models/{quote(owner, safe='')}/{quote(name, safe='')}"
    try:
        body, _ = client.get_json(where)
    except FatalHarvestError as exc:
        if exc.status == 404:
            return None
        raise FatalHarvestError(
            f"ModelScope model detail request failed ({exc}): check {SETTING}, or set "
            "CATALOG_HARVESTERS__MODELSCOPE__DETAILS=never to harvest the listing alone.",
            status=exc.status,
        ) from exc
    if isinstance(body, Mapping) and body.get("Success") is False and body.get("Data") is None:
        return None  # the SDK's NotExistError: gone between the listing and now
    data = _unwrap(body, where)
    return data if isinstance(data, Mapping) else None


def _unwrap(body: object, where: str) -> Any:
    if not isinstance(body, Mapping):
        raise FatalHarvestError(
            f"ModelScope answered {where} with a {type(body).__name__}, not a JSON object: "
            f"check {SETTING}."
        )
    ok = body.get("success", body.get("Success"))
    code = body.get("Code", body.get("code"))
    if ok is False or (isinstance(code, int) and code != 200):
        message = body.get("message") or body.get("Message") or "no message"
        raise FatalHarvestError(
            f"ModelScope refused {where} (code {code}: {str(message)[:200]}): check {SETTING} "
            "and MODELSCOPE_API_TOKEN."
        )
    return body.get("data", body.get("Data"))


def _first_list(data: object) -> list[Any] | None:
    if not isinstance(data, Mapping):
        return None
    return next((data[k] for k in _ITEM_KEYS if isinstance(data.get(k), list)), None)


def _is_count(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0
