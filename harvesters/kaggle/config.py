"""Configuration of the Kaggle harvester (the API URL is a setting; credentials the Kaggle way)."""

from __future__ import annotations

from pydantic import Field

from harvesters.sources import SourceConfig


class KaggleConfig(SourceConfig):
    """Options of the Kaggle harvester; `CATALOG_KAGGLE_API_URL` names the API."""

    page_size: int = Field(
        default=50, ge=1, le=100, description="Models per ListModels request (pageSize)."
    )
    sort_by: str = Field(
        default="LIST_MODELS_ORDER_BY_CREATE_TIME",
        description="ListModels sortBy; creation order stays stable while a sweep pages.",
    )
