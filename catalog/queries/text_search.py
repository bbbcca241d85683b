"""Full-text search: a tsquery that matches ids and names the way people type them."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import ColumnElement, Float, cast, func, literal, literal_column

from catalog.models import Model

# The same separators the generated `search_document` splits names and ids on, plus
# whitespace and punctuation; what is left are word characters only, so a token can
# never carry tsquery syntax.
_SPLIT = re.compile(r"[^\w]+|_+", re.UNICODE)
MAX_TOKENS = 12

# ts_rank weights for D, C, B, A: names and ids (A) count most, then summaries (B),
# then tags and task names (C).
RANK_WEIGHTS = "'{0.05, 0.2, 0.4, 1.0}'::float4[]"


def search_tokens(text: str) -> list[str]:
    """The lower-cased tokens of a search text, split like the indexed names."""
    tokens = [t.lower() for t in _SPLIT.split(text) if t]
    return tokens[:MAX_TOKENS]


def build_tsquery(text: str) -> ColumnElement[Any] | None:
    """A tsquery where every token must match as a prefix, under either configuration.

    Names, ids and keywords are indexed with the 'simple' configuration and summaries
    with 'english' (stemmed), so each token is tried both ways: `(t:* simple) OR
    (t:* english)`, and the tokens are AND-ed. An English stop word yields an empty
    english query, which `||` ignores.

    Returns:
        The tsquery expression, or None when the text has no searchable token.
    """
    tokens = search_tokens(text)
    if not tokens:
        return None
    query: ColumnElement[Any] | None = None
    for token in tokens:
        pattern = literal(f"{token}:*")
        either = func.to_tsquery("simple", pattern).op("||")(func.to_tsquery("english", pattern))
        query = either if query is None else query.op("&&")(either)
    return query


def build_match(text: str) -> ColumnElement[bool] | None:
    """`search_document @@ query` for a search text, or None when it has no token."""
    query = build_tsquery(text)
    if query is None:
        return None
    return Model.search_document.op("@@")(query)


def build_rank(text: str) -> ColumnElement[float]:
    """Relevance of a model for a search text (higher is better)."""
    query = build_tsquery(text)
    assert query is not None
    # float8, so the value a cursor carries compares equal to the one SQL computes.
    rank = func.ts_rank(literal_column(RANK_WEIGHTS), Model.search_document, query)
    return cast(rank, Float(precision=53))
