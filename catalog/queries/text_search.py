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
# Runs of letters, runs of digits: "resnet50" -> "resnet", "50".
_LETTERS_DIGITS = re.compile(r"\d+|[^\W\d_]+", re.UNICODE)
MAX_TOKENS = 12

# ts_rank weights for D, C, B, A: names and ids (A) count most, then summaries (B),
# then tags and task names (C).
RANK_WEIGHTS = "'{0.05, 0.2, 0.4, 1.0}'::float4[]"

# One alternative spelling: (token, as a prefix?) pairs that must all match.
Alternative = tuple[tuple[str, bool], ...]
# A search is the AND of groups; a group matches when any of its alternatives does.
Group = tuple[Alternative, ...]


def search_tokens(text: str) -> list[str]:
    """The lower-cased tokens of a search text, split like the indexed names."""
    tokens = [t.lower() for t in _SPLIT.split(text) if t]
    return tokens[:MAX_TOKENS]


def _parts(token: str) -> list[str]:
    return _LETTERS_DIGITS.findall(token)


def search_groups(text: str) -> list[Group]:
    """The tokens of a search text with the id fragments people write both ways.

    Every token matches as a prefix, except a one-character token before the last
    ("llama 3.1 8b": "3" and "1" are whole words, not every lexeme starting with a
    digit; the last token may still be being typed). A token mixing letters and digits
    also matches its split form ("resnet50" matches "resnet-50": the word "resnet",
    then "50"; letter runs of one character are not split off), and a token followed
    by one starting with a digit also matches them joined ("resnet 50" matches
    "resnet50", "llama 3" matches "llama3"), pairing left to right.
    """
    tokens = search_tokens(text)
    groups: list[Group] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        parts = _parts(token)
        nxt = tokens[i + 1] if i + 1 < len(tokens) else None
        last = i == len(tokens) - 1
        if len(parts) > 1 and all(len(p) > 1 or p.isdigit() for p in parts):
            final = len(parts) - 1
            split = tuple((p, k == final and (last or len(p) > 1)) for k, p in enumerate(parts))
            groups.append((((token, True),), split))
        elif nxt is not None and nxt[0].isdigit() and not token[-1].isdigit():
            pair_last = i + 1 == len(tokens) - 1
            pair = ((token, len(token) > 1), (nxt, pair_last or len(nxt) > 1))
            groups.append((pair, ((token + nxt, True),)))
            i += 1
        else:
            groups.append((((token, last or len(token) > 1),),))
        i += 1
    return groups


def _either(token: str, prefix: bool) -> ColumnElement[Any]:
    pattern = literal(f"{token}:*" if prefix else token)
    return func.to_tsquery("simple", pattern).op("||")(func.to_tsquery("english", pattern))


def _and(parts: list[ColumnElement[Any]]) -> ColumnElement[Any]:
    query = parts[0]
    for part in parts[1:]:
        query = query.op("&&")(part)
    return query


def build_tsquery(text: str) -> ColumnElement[Any] | None:
    """A tsquery where every token must match as a prefix, under either configuration.

    Names, ids and keywords are indexed with the 'simple' configuration and summaries
    with 'english' (stemmed), so each token is tried both ways: `(t:* simple) OR
    (t:* english)`, and the groups of `search_groups` are AND-ed (their alternatives
    OR-ed). An English stop word yields an empty english query, which `||` ignores.

    Returns:
        The tsquery expression, or None when the text has no searchable token.
    """
    groups = search_groups(text)
    if not groups:
        return None
    ands: list[ColumnElement[Any]] = []
    for group in groups:
        alternatives = [_and([_either(t, p) for t, p in alt]) for alt in group]
        either = alternatives[0]
        for alt in alternatives[1:]:
            either = either.op("||")(alt)
        ands.append(either)
    return _and(ands)


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
