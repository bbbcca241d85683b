"""Configuration of the Kaggle harvester (the API URL is a setting; credentials the Kaggle way)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from pydantic import Field

from harvesters.sources import SourceConfig


class KaggleConfig(SourceConfig):
    """Options of the Kaggle harvester (`CATALOG_HARVESTERS__KAGGLE__...`)."""

    # The name users set before the option moved here keeps working.
    env_aliases: ClassVar[Mapping[str, str]] = {"url": "CATALOG_KAGGLE_API_URL"}

    url: str = Field(
        default="https://api.kaggle.com/v1",
        description="Kaggle API base URL, the API the current Kaggle SDK speaks (also read "
        "from CATALOG_KAGGLE_API_URL).",
    )
    page_size: int = Field(
        default=50, ge=1, le=100, description="Models per ListModels request (pageSize)."
    )
    sort_by: str = Field(
        default="LIST_MODELS_ORDER_BY_CREATE_TIME",
        description="ListModels sortBy; creation order stays stable while a sweep pages.",
    )
