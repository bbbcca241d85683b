"""Configuration of the ModelScope harvester (`CATALOG_HARVESTERS__MODELSCOPE__...`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar, Literal

from pydantic import Field, SecretStr

from harvesters.sources import SourceConfig

# The official SDK refuses `page_number * page_size > 3000` for the OpenAPI listing and
# its compatibility layer asks for at most 50 models a page.
SDK_PAGE_MAX = 50


class ModelScopeConfig(SourceConfig):
    """Options of the ModelScope harvester."""

    # The variable the ModelScope SDK reads its access token from.
    env_aliases: ClassVar[Mapping[str, str]] = {"token": "MODELSCOPE_API_TOKEN"}

    url: str = Field(
        default="https://modelscope.cn",
        description="ModelScope site: https://modelscope.cn, https://www.modelscope.ai or a "
        "server speaking the same API (the SDK's `endpoint`).",
    )
    token: SecretStr | None = Field(
        default=None,
        description="ModelScope SDK access token (optional for public models; also read from "
        "MODELSCOPE_API_TOKEN). Sent only to `url`, as a Bearer header and the SDK's cookie.",
    )
    page_size: int = Field(
        default=SDK_PAGE_MAX,
        ge=1,
        le=100,
        description="Models per listing request (`page_size`; the SDK asks for at most 50).",
    )
    sort: str | None = Field(
        default=None,
        description="Listing order (`sort`: default, downloads, likes, last_modified); unset: "
        "the server's own order.",
    )
    details: Literal["missing", "never"] = Field(
        default="missing",
        description="Ask the legacy detail endpoint for the fields a listing item lacks "
        "(Chinese name, frameworks, libraries, base models, organization, languages, files): "
        "`missing` (one request per such model) or `never` (the listing alone).",
    )
    detail_workers: int = Field(
        default=4, ge=1, le=16, description="Detail requests in flight at once."
    )
