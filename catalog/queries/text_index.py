"""Full-text search from memory: the lexemes of every `search_document`, inverted.

PostgreSQL tokenizes (the trigger's tsvector is the source of truth), groups the
lexemes and numbers the rows inside the facet index's snapshot; the index holds the
term dictionary sorted bytewise (so a prefix is a contiguous range of term ids) and,
per term, the rows having it with the best weight class they have it in (A names and
ids, B summaries, C tags and tasks). A search text is turned into lexemes by
PostgreSQL's own `to_tsquery` (one small statement), so both backends match the same
models; matching and ranking are then gathers and scatters over numpy arrays.
"""

from __future__ import annotations

import bisect
import logging
import re
import struct
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import Connection, Engine, text
from sqlalchemy.orm import Session

from catalog.queries.number_column import NumberColumn
from catalog.queries.snapshot_worker import SnapshotWorker
from catalog.queries.text_search import search_groups, search_tokens

# Weight class of a posting (its lexeme's best weight in the document): D=0 .. A=3.
# Points of a token match per class, for a whole-word match and a prefix-only match:
# A whole word in a name beats a prefix of one, which beats anything in a summary.
_POINTS_WORD = np.array([1, 2, 4, 6], dtype=np.uint16)
_POINTS_PREFIX = np.array([1, 1, 3, 5], dtype=np.uint16)
EXACT_BONUS = 1000.0  # the whole text is a model's name or id
POINT_WEIGHT = 10.0  # then the points; popularity (log10 downloads, < 10) breaks ties

# The lexemes of each weight class apart (cheaper than unnest(tsvector), which builds
# position and weight arrays): a lexeme in a name and a summary is posted twice, which
# matching does not mind and ranking resolves by taking the best.
CLASS_LEXEMES = " UNION ALL ".join(
    f"SELECT unnest(tsvector_to_array(ts_filter(m.search_document, '{{{w}}}'))), {c}"
    for w, c in (("a", 3), ("b", 2), ("c", 1), ("d", 0))
)
_POSTINGS_SQL = f"""
SELECT x.lexeme, string_agg(int4send(m.row * 4 + x.class), ''::bytea)
FROM (SELECT (row_number() OVER (ORDER BY id) - 1)::int4 AS row, search_document
      FROM models) m,
     LATERAL ({CLASS_LEXEMES}) x(lexeme, class)
GROUP BY x.lexeme
ORDER BY x.lexeme COLLATE "C"
"""
# A name as `search_tokens` splits it, joined by single spaces, hashed (one per row).
# `translate` of the separators names use costs half a `regexp_replace` over every row;
# a name with other punctuation or doubled separators just gets no exact-name bonus.
NAME_HASH = "hashtextextended(translate(lower(coalesce(name, '')), '-_./:', '     '), 0)"
_NAMES_SQL = f"SELECT {NAME_HASH} FROM models ORDER BY id"
# The lexemes of each token under both configurations, with the hashes of the text's
# token suffixes ("google bert bert base uncased" ends with a name) on every row.
_LEXEMES_SQL = """
SELECT t, to_tsquery('simple', t)::text, to_tsquery('english', t)::text,
       (SELECT array_agg(hashtextextended(s, 0) ORDER BY n)
        FROM unnest(CAST(:suffixes AS text[])) WITH ORDINALITY u(s, n))
FROM unnest(CAST(:patterns AS text[])) t
"""
log = logging.getLogger(__name__)
_QUOTED = re.compile(r"'((?:[^']|'')*)'")
_HEADER = 11 + 4


@dataclass(slots=True)
class Terms:
    """The sorted term dictionary as one UTF-8 blob and `len + 1` offsets, both numpy
    arrays (so a shared index store maps them); a sequence of bytes for `bisect`."""

    blob: np.ndarray
    offsets: np.ndarray

    @property
    def nbytes(self) -> int:
        """Memory held by the arrays."""
        return int(self.blob.nbytes + self.offsets.nbytes)

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def __getitem__(self, i: int) -> bytes:
        return self.blob[int(self.offsets[i]) : int(self.offsets[i + 1])].tobytes()

    def prefix_range(self, lexeme: bytes) -> tuple[int, int]:
        """Term ids starting with `lexeme` (0xFF never occurs in UTF-8: an upper bound)."""
        lo = bisect.bisect_left(self, lexeme)
        return lo, bisect.bisect_left(self, lexeme + b"\xff", lo)


def prefix_key(term: bytes) -> int:
    """A term's first 8 bytes, zero-padded, as a big-endian number: keys sort as the
    terms do (UTF-8 has no zero byte), so a search narrows to terms sharing a key."""
    return int.from_bytes(term[:8].ljust(8, b"\0"), "big")


def prefix_keys(terms: Terms, ids: np.ndarray) -> np.ndarray:
    """`prefix_key` of the terms `ids`, vectorized."""
    starts, ends = terms.offsets[ids], terms.offsets[ids + 1]
    keys = np.zeros(len(ids), dtype=np.uint64)
    if not len(terms.blob):
        return keys
    for j in range(8):
        at = starts + j
        byte = np.where(at < ends, terms.blob[np.minimum(at, len(terms.blob) - 1)], 0)
        keys = (keys << np.uint64(8)) | byte.astype(np.uint64)
    return keys


def key_ranges(terms: Terms, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per prefix key, the range of term ids having it: one binary search for all keys
    at once, computing the keys of the probed terms only (keeping every term's key
    would cost 8 bytes a term in the shared index; computing them all, 0.2 s a patch)."""

    def first(after_equal: bool) -> np.ndarray:
        lo = np.zeros(len(keys), dtype=np.int64)
        hi = np.full(len(keys), len(terms), dtype=np.int64)
        while (active := lo < hi).any():
            mid = (lo + hi) // 2
            probed = prefix_keys(terms, np.minimum(mid, len(terms) - 1))
            below = (probed <= keys) if after_equal else (probed < keys)
            lo = np.where(active & below, mid + 1, lo)
            hi = np.where(active & ~below, mid, hi)
        return lo

    return first(after_equal=False), first(after_equal=True)


@dataclass(slots=True)
class TextIndex:
    """Inverted lexemes of every model row (rows as in the facet index: id order).

    `postings[offsets[t]:offsets[t + 1]]` are the rows having term `t` with their
    weight class, packed as `row * 4 + class` (four bytes a posting); `name_hash`
    hashes each row's name as normalized tokens.

    A patched index is layered (`text_patch`): the postings of the rows in `stale`
    (sorted) are out of date, and `overlay` holds those rows' current postings (an index
    of its own over the same row numbers, whose `name_hash` is empty). Patching then
    writes the changed rows only, not the whole postings array; the overlay is folded
    in once it grows (`text_patch.fold`).
    """

    terms: Terms
    offsets: np.ndarray
    postings: np.ndarray
    name_hash: np.ndarray
    stale: np.ndarray | None = None
    overlay: TextIndex | None = None

    @property
    def nbytes(self) -> int:
        """Memory held by the arrays."""
        arrays = [self.offsets, self.postings, self.name_hash]
        if self.stale is not None:
            arrays.append(self.stale)
        extra = self.overlay.nbytes if self.overlay is not None else 0
        return self.terms.nbytes + sum(a.nbytes for a in arrays) + extra

    @property
    def overlaid_rows(self) -> int:
        """Rows whose postings the overlay holds (0: none)."""
        return 0 if self.stale is None else len(self.stale)

    def token_points(self, size: int, lexemes: list[tuple[bytes, bool]]) -> np.ndarray:
        """Per row, the best points of any of these (lexeme, prefix?) matches (0: none)."""
        points = np.zeros(size, dtype=np.uint16)  # summed over tokens later
        self._collect(points, lexemes)
        if self.overlay is not None and self.stale is not None:
            points[self.stale] = 0  # out of date here: the overlay's postings count
            self.overlay._collect(points, lexemes)
        return points

    def posting_count(self, lexeme: bytes, prefix: bool) -> int:
        """Postings a lookup reads (the overlay's included)."""
        lo, hi = self.terms.prefix_range(lexeme)
        if not prefix:
            hi = lo + int(lo < hi and self.terms[lo] == lexeme)
        found = int(self.offsets[hi] - self.offsets[lo])
        return found + (self.overlay.posting_count(lexeme, prefix) if self.overlay else 0)

    def _collect(self, points: np.ndarray, lexemes: list[tuple[bytes, bool]]) -> None:
        for lexeme, prefix in lexemes:
            lo, hi = self.terms.prefix_range(lexeme)
            word = lo < hi and self.terms[lo] == lexeme
            if word:
                self._add(points, lo, lo + 1, _POINTS_WORD)
            if prefix:
                self._add(points, lo + word, hi, _POINTS_PREFIX)

    def _add(self, points: np.ndarray, lo: int, hi: int, table: np.ndarray) -> None:
        start, stop = int(self.offsets[lo]), int(self.offsets[hi])
        if start < stop:
            packed = self.postings[start:stop]
            np.maximum.at(points, packed >> 2, table[packed & 3])


def build_text_index(conn: Connection, size: int | None = None) -> TextIndex:
    """Read the text index through `conn`, in the facet index's snapshot.

    Raises:
        RuntimeError: it does not have `size` rows (not the facet index's snapshot).
    """
    terms, offsets, postings = _read_postings(conn)
    raw = conn.connection.driver_connection
    assert raw is not None
    name_hash = _copy_int8(raw, _NAMES_SQL)
    if size is not None and len(name_hash) != size:
        raise RuntimeError(f"text index: {len(name_hash)} rows, facet index {size}")
    return TextIndex(terms, offsets, postings, name_hash)


class ParallelTextBuild:
    """Build the text index on a second connection that shares `conn`'s snapshot, while
    `conn` reads the facet index: two server processes instead of one after the other."""

    @classmethod
    def start(cls, engine: Engine, conn: Connection) -> ParallelTextBuild:
        """Export `conn`'s snapshot (nothing read yet) and start building in it."""
        worker = SnapshotWorker.start(engine, conn)
        worker.run(build_text_index)
        return cls(worker)

    def __init__(self, worker: SnapshotWorker) -> None:
        """Follow a build started on `worker`."""
        self._worker = worker

    def result(self, size: int) -> TextIndex | None:
        """Wait for the build; None if it failed (or, impossibly, saw other rows)."""
        try:
            found: TextIndex = self._worker.result()
        except Exception:
            log.exception("text index build failed; full-text searches use SQL")
            return None
        if len(found.name_hash) != size:
            log.error("text index: %d rows, facet index %d", len(found.name_hash), size)
            return None
        return found


def _copy(raw: Any, sql: str) -> bytes:
    chunks: list[bytes] = []
    with raw.cursor().copy(f"COPY ({sql}) TO STDOUT (FORMAT binary)") as copy:
        chunks.extend(bytes(chunk) for chunk in copy)
    return b"".join(chunks)


def _copy_int8(raw: Any, sql: str) -> np.ndarray:
    data = _copy(raw, sql)
    (ext,) = struct.unpack(">i", data[_HEADER : _HEADER + 4])
    body = memoryview(data)[_HEADER + 4 + ext : len(data) - 2]
    rows = np.frombuffer(body, dtype=np.dtype([("n", ">i2"), ("len", ">i4"), ("v", ">i8")]))
    return rows["v"].astype(np.int64)


def _read_postings(conn: Connection) -> tuple[Terms, np.ndarray, np.ndarray]:
    """One row per lexeme (sorted bytewise): its text, and its postings as packed int4."""
    raw = conn.connection.driver_connection
    assert raw is not None
    data = _copy(raw, _POSTINGS_SQL)
    (ext,) = struct.unpack(">i", data[_HEADER : _HEADER + 4])
    view = memoryview(data)
    unpack = struct.Struct(">i").unpack_from
    pos, end = _HEADER + 4 + ext, len(data) - 2
    words: list[memoryview] = []
    lists: list[memoryview] = []
    while pos < end:
        (n_word,) = unpack(data, pos + 2)  # skip the int16 column count
        pos += 6
        words.append(view[pos : pos + n_word])
        pos += n_word
        (n_list,) = unpack(data, pos)
        pos += 4
        lists.append(view[pos : pos + n_list])
        pos += n_list
    word_lengths = np.fromiter(map(len, words), dtype=np.int64, count=len(words))
    list_lengths = np.fromiter(map(len, lists), dtype=np.int64, count=len(lists)) // 4
    packed = np.frombuffer(b"".join(lists), dtype=">i4").astype(np.int32)
    blob = np.frombuffer(b"".join(words), dtype=np.uint8)
    terms = Terms(blob, narrow(np.concatenate(([0], np.cumsum(word_lengths)))))
    offsets = np.concatenate(([0], np.cumsum(list_lengths)))
    packed, offsets = best_postings(packed, offsets)
    return terms, narrow(offsets), packed


def narrow(offsets: np.ndarray) -> np.ndarray:
    """Offsets as int32 when they fit (half the bytes: 12 MB each at 3M models)."""
    return offsets.astype(np.int32) if offsets[-1] < 2**31 else offsets


def best_postings(packed: np.ndarray, offsets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Postings with one per row and term, of the row's best class.

    A lexeme in a model's name and its summary comes once per class (`CLASS_LEXEMES`),
    the model's classes one after another (a tenth of all postings at 3M models).
    Matching only needs the best; repeats that are not adjacent are left (matching takes
    the best of them anyway).
    """
    if len(packed) < 2:
        return packed, offsets
    rows = packed >> 2
    repeat = np.empty(len(packed), dtype=bool)
    repeat[0] = False
    np.equal(rows[1:], rows[:-1], out=repeat[1:])
    del rows
    repeat[offsets[:-1][offsets[:-1] < len(packed)]] = False  # a term's first posting
    if not repeat.any():
        return packed, offsets
    starts = np.flatnonzero(~repeat)
    best = np.maximum.reduceat(packed & 3, starts)
    deduped = (packed[starts] & ~3) | best
    return deduped, np.searchsorted(starts, offsets)


# A token's lexemes: under each configuration (any may match), the lexemes the parser
# made of it (all must match; usually one, none for a stop word).
TokenLexemes = list[list[tuple[bytes, bool]]]


@dataclass(slots=True)
class QueryLexemes:
    """A search text as PostgreSQL's parsers see it: per group, per alternative, per
    token, the lexemes to look up; and hashes of the normalized text and of its token
    suffixes (an id typed whole ends with the name)."""

    groups: list[list[list[TokenLexemes]]]
    text_hash: int
    suffix_hashes: list[int]


def query_lexemes(session: Session, search: str) -> QueryLexemes:
    """Ask PostgreSQL for the lexemes of each token (one statement, no table read)."""
    groups = search_groups(search)
    patterns = sorted({_pattern(t, p) for g in groups for alt in g for t, p in alt})
    tokens = search_tokens(search)
    suffixes = [" ".join(tokens[i:]) for i in range(len(tokens))]
    found = session.execute(text(_LEXEMES_SQL), {"patterns": patterns, "suffixes": suffixes}).all()
    lexemes: dict[str, TokenLexemes] = {}
    for pattern, simple, english, _ in found:
        configs = [c for c in (_lexemes(simple), _lexemes(english)) if c]
        lexemes[pattern] = [c for i, c in enumerate(configs) if c not in configs[:i]]
    hashes = [int(h) for h in found[0][3]] if found else [0]
    return QueryLexemes(
        [[[lexemes[_pattern(t, p)] for t, p in alt] for alt in group] for group in groups],
        hashes[0],
        hashes[1:],
    )


def _pattern(token: str, prefix: bool) -> str:
    return f"{token}:*" if prefix else token


def _lexemes(tsquery: str) -> list[tuple[bytes, bool]]:
    """The (lexeme, prefix?) of a one-token tsquery's text (none for a stop word)."""
    found = []
    for match in _QUOTED.finditer(tsquery):
        word = match.group(1).replace("''", "'").encode()
        found.append((word, tsquery[match.end() : match.end() + 2] == ":*"))
    return found


def _and(total: np.ndarray | None, points: np.ndarray) -> np.ndarray:
    """Summed points where both match, 0 elsewhere."""
    if total is None:
        return points
    return np.where((points > 0) & (total > 0), total + points, 0)


def match_points(index: TextIndex, size: int, query: QueryLexemes) -> tuple[np.ndarray, np.ndarray]:
    """The rows matching a search (ascending) and their summed points.

    Groups are taken fewest postings first: the first gives the candidate rows, each
    next one is read at the candidates only. A token with no lexeme (only characters
    the parser drops) is left out, as `&&` with an empty tsquery leaves it out; a
    token the parser splits in two needs both lexemes (the phrase `<->` of SQL, without
    positions: a superset).
    """
    groups = [g for g in query.groups if any(t for alt in g for t in alt)]
    groups.sort(key=lambda g: _postings(index, g))
    rows: np.ndarray | None = None
    points = np.zeros(0, dtype=np.uint16)
    for group in groups:
        values = _group_points(index, size, group, rows)
        if rows is None:
            rows = np.flatnonzero(values > 0)  # a bool mask: 3x faster than uint16
            points = values[rows]
        else:
            keep = values > 0
            rows, points = rows[keep], points[keep] + values[keep]
    if rows is None:
        return np.zeros(0, dtype=np.int64), points
    return rows, points


def _postings(index: TextIndex, group: list[list[TokenLexemes]]) -> int:
    """How many postings a group reads (to take the most selective first)."""
    tokens = (t for alt in group for t in alt)
    return sum(index.posting_count(*lx) for token in tokens for config in token for lx in config)


def _group_points(
    index: TextIndex, size: int, group: list[list[TokenLexemes]], rows: np.ndarray | None
) -> np.ndarray:
    """A group's points per row (at `rows` only, if given): its best alternative."""
    best: np.ndarray | None = None
    for alternative in group:
        total: np.ndarray | None = None
        for token in alternative:
            if token:
                dense = _token_points(index, size, token)
                total = _and(total, dense if rows is None else dense[rows])
        if total is not None:
            best = total if best is None else np.maximum(best, total)
    assert best is not None  # groups without any lexeme were left out
    return best


def _token_points(index: TextIndex, size: int, configs: TokenLexemes) -> np.ndarray:
    """Best points of a token: single lexemes share one pass, phrases are summed."""
    singles = [c[0] for c in configs if len(c) == 1]
    best = index.token_points(size, singles)
    for phrase in (c for c in configs if len(c) > 1):
        points: np.ndarray | None = None
        for lexeme in phrase:
            points = _and(points, index.token_points(size, [lexeme]))
        assert points is not None
        best = np.maximum(best, points)
    return best


def relevance(
    index: TextIndex,
    query: QueryLexemes,
    rows: np.ndarray,
    points: np.ndarray,
    downloads: NumberColumn,
) -> np.ndarray:
    """Score of the matching rows: the whole name typed (or a whole id: words of the
    name's author, then the name) first, then the points (field weights), then
    popularity (log10 of downloads, under 10 so it only breaks ties of points)."""
    names = index.name_hash[rows]
    exact = names == query.text_hash
    if query.suffix_hashes:
        all_words = points >= _POINTS_WORD[3] * len(query.groups)
        exact |= all_words & np.isin(names, query.suffix_hashes)
    popularity = np.log10(1.0 + np.nan_to_num(downloads.take(rows), nan=0.0).clip(0, 9.9e9))
    return exact * EXACT_BONUS + points * POINT_WEIGHT + popularity
