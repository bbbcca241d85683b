"""The GraphQL schema: the `Query` root with its safety limits always on."""

from __future__ import annotations

from functools import partial

import strawberry
from graphql import GraphQLError
from strawberry.extensions import (
    AddValidationRules,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
)
from strawberry.types import ExecutionContext

from api.errors import RequestErrors
from api.guard import GuardedValidation
from api.resolvers import families as families_r
from api.resolvers import search as search_r
from api.resolvers import stats as stats_r
from api.types.compare import ComparisonTable
from api.types.family import Family, FamilyConnection
from api.types.model import Model
from api.types.search import ModelConnection
from api.types.stats import PivotTable, SeriesPoint
from api.types.vocab import Format, HarvestRun, Modality, Platform, Task

MAX_DEPTH = 12
MAX_ALIASES = 30
MAX_TOKENS = 2000


@strawberry.type
class Query:
    models: ModelConnection = strawberry.field(
        resolver=search_r.models,
        description="Faceted search: filter, full-text search, sort, keyset pages (first <= 100).",
    )
    model: Model | None = strawberry.field(
        resolver=search_r.model,
        description='One model by id or ref ("<platform>:<externalId>").',
    )
    compare: ComparisonTable = strawberry.field(
        resolver=stats_r.compare,
        description=(
            "Side-by-side comparison of models by ids or refs, or of a family across hubs "
            "(family: its most downloaded models on each hub, derivatives left out)."
        ),
    )
    stats: PivotTable = strawberry.field(
        resolver=stats_r.stats, description="Counts matrix over one or two facet fields."
    )
    download_series: list[SeriesPoint] = strawberry.field(
        resolver=stats_r.download_series, description="Downloads over time for a filter."
    )
    platforms: list[Platform] = strawberry.field(resolver=stats_r.platforms)
    modalities: list[Modality] = strawberry.field(resolver=stats_r.modalities)
    tasks: list[Task] = strawberry.field(resolver=stats_r.tasks)
    formats: list[Format] = strawberry.field(resolver=stats_r.formats)
    harvest_runs: list[HarvestRun] = strawberry.field(resolver=stats_r.harvest_runs)
    families: FamilyConnection = strawberry.field(
        resolver=families_r.families,
        description="Model families: the roots, a family's children (parent), or by name.",
    )
    family: Family | None = strawberry.field(
        resolver=families_r.family, description="One model family by slug."
    )


class CatalogSchema(strawberry.Schema):
    """Strawberry's schema without its own error logging: client mistakes are answers,
    not faults, and `RequestErrors` logs real faults with their request id."""

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        """Log nothing here (see the class docstring)."""


# The limit rules are built once: the validation cache is keyed by the rule classes,
# so fresh classes per request would never hit it.
LIMIT_RULES = [
    *QueryDepthLimiter(max_depth=MAX_DEPTH).validation_rules,
    *MaxAliasesLimiter(max_alias_count=MAX_ALIASES).validation_rules,
]
CACHE_SIZE = 256  # distinct documents whose parse and validation are kept


def build_schema() -> strawberry.Schema:
    """The schema with depth, alias, token, size and cost limits, caches and error masking."""
    return CatalogSchema(
        query=Query,
        extensions=[
            # Factories, not instances: an extension keeps per-operation state.
            partial(MaxTokensLimiter, max_token_count=MAX_TOKENS),
            partial(ParserCache, maxsize=CACHE_SIZE),
            partial(AddValidationRules, LIMIT_RULES),
            # Refuses costly documents before validation, then validates (cached).
            GuardedValidation,
            RequestErrors,
        ],
    )


schema = build_schema()
