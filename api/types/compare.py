"""The comparison table: attributes as rows, models as columns."""

from __future__ import annotations

import strawberry

from api.types.model import Model


@strawberry.type(description="One attribute across the compared models.")
class ComparisonRow:
    attribute: str = strawberry.field(description="Stable key, e.g. `formats`.")
    label: str = strawberry.field(description="Human label, e.g. `Formats`.")
    values: list[str | None] = strawberry.field(description="One value per model, in order.")
    differs: bool = strawberry.field(description="True when the values are not all equal.")


@strawberry.type(description="Side-by-side comparison of models.")
class ComparisonTable:
    models: list[Model]
    rows: list[ComparisonRow]
