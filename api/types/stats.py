"""Dashboard types: counts matrices and time series."""

from __future__ import annotations

import datetime as dt
from enum import Enum

import strawberry

from api.types.search import FacetField


@strawberry.type(description="A row or column of a pivot table, with its total.")
class PivotKey:
    value: str
    label: str | None
    count: int


@strawberry.type(description="Models having both the row value and the column value.")
class PivotCell:
    row: str
    column: str | None
    count: int


@strawberry.type(description="A counts matrix over one or two facet fields.")
class PivotTable:
    row_field: FacetField
    column_field: FacetField | None
    rows: list[PivotKey] = strawberry.field(description="Row values, most models first.")
    columns: list[PivotKey] = strawberry.field(description="Column values, most models first.")
    cells: list[PivotCell] = strawberry.field(description="Non-zero cells.")
    matrix: list[list[int]] = strawberry.field(
        description="counts[i][j] for rows[i] x columns[j] (one column when columns is null)."
    )


@strawberry.enum
class Interval(Enum):
    DAY = "day"
    WEEK = "week"
    MONTH = "month"


@strawberry.type(description="Downloads and likes of the matching models in one time bucket.")
class SeriesPoint:
    start: dt.datetime
    downloads: float = strawberry.field(description="Sum of each model's last point in the bucket.")
    likes: float
    models: int = strawberry.field(description="Models observed in the bucket.")
