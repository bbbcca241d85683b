"""Writing family assignments: the differences from what the catalog holds, in bulk.

A fixed number of statements per call, in the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import psycopg
from sqlalchemy.orm import Session

from catalog.families.matcher import Verdict
from catalog.loader.sql import columns, execute

# Rows changed at once past which the planner needs fresh statistics (a first rebuild fills
# empty tables; plans made for empty tables then loop over every row).
ANALYZE_AFTER = 20_000
EVIDENCE_CHARS = 1000  # of a verdict's evidence, stored


# -- writing ----------------------------------------------------------------------------


def write_links(
    session: Session, links: Mapping[int, Sequence[tuple[str, str]]], scope: Collection[int] | None
) -> None:
    """Replace the declared links of the models in scope (None: of every model)."""
    if scope is None:
        execute(session, "DELETE FROM model_links", {})
    else:
        execute(
            session,
            "DELETE FROM model_links WHERE model_id = ANY(CAST(:ids AS bigint[]))",
            {"ids": sorted(scope)},
        )
    rows = sorted({(mid, p, e) for mid, refs in links.items() for p, e in refs})
    if rows:
        model_ids, platforms, external_ids = columns(rows, 3)
        execute(
            session,
            "INSERT INTO model_links (model_id, target_platform_id, target_external_id) "
            "SELECT t.m, p.id, t.e FROM unnest(CAST(:m AS bigint[]), CAST(:p AS text[]), "
            "CAST(:e AS text[])) AS t(m, p, e) JOIN platforms p ON p.slug = t.p "
            "ON CONFLICT DO NOTHING",
            {"m": model_ids, "p": platforms, "e": external_ids},
        )


@dataclass(frozen=True, slots=True)
class WriteResult:
    """What writing assignments changed."""

    assigned: int
    changed: set[int]  # models whose family, confidence or derivative flag changed


def write_assignments(
    session: Session,
    results: Mapping[int, Verdict | None],
    family_ids: Mapping[str, int],
    *,
    scope: Collection[int] | None,
    moved_families: Sequence[int] = (),
    analyze: bool = True,
) -> WriteResult:
    """Store assignments as differences from what the catalog holds, and the family paths
    of the models whose family changed.

    Args:
        session: The session.
        results: Model id -> verdict (None: no family).
        family_ids: Family ids by slug.
        scope: The models that were assigned (None: every model of the catalog).
        moved_families: Families whose path changed (their models' paths are rewritten).
        analyze: Refresh the tables' statistics after a large change (a rebuild that
            writes in batches asks only when the table has grown enough to matter).
    """
    _load_results(session, results, family_ids)
    removed, updated, inserted = _apply(session, scope)
    gone = {row[0] for row in removed}
    added = {row[0] for row in inserted}
    repath = gone | added | {mid for mid, moved, _ in updated if moved}
    if moved_families:
        repath |= {
            row[0]
            for row in execute(
                session,
                "SELECT model_id FROM model_families WHERE family_id = ANY(CAST(:f AS int[]))",
                {"f": list(moved_families)},
            ).all()
        }
    analyze = analyze and len(repath) > ANALYZE_AFTER
    if analyze:
        execute(session, "ANALYZE model_families", {})  # fresh statistics for the path join
    everything = scope is None and len(repath) * 2 > len(results)
    _rewrite_paths(session, repath, everything=everything)
    if analyze:
        execute(session, "ANALYZE model_family_paths", {})
    assigned = sum(1 for verdict in results.values() if verdict is not None)
    return WriteResult(assigned, gone | added | {mid for mid, _, prop in updated if prop})


def differing(
    results: Mapping[int, Verdict | None],
    stored: Mapping[int, tuple[Any, ...]],
    family_ids: Mapping[str, int],
) -> dict[int, Verdict | None]:
    """The verdicts whose stored row differs (`store.stored_rows`), None where a stored
    row must go: a rebuild that changes little then writes little."""
    found: dict[int, Verdict | None] = {}
    forms: dict[int, tuple[Any, ...]] = {}  # as stored, once per distinct verdict
    for model_id, verdict in results.items():
        row = stored.get(model_id)
        family_id = family_ids.get(verdict.slug) if verdict and verdict.slug else None
        if verdict is None or family_id is None:
            if row is not None:
                found[model_id] = None
            continue
        form = forms.get(id(verdict))
        if form is None:
            form = forms[id(verdict)] = (
                family_id,
                verdict.method,
                verdict.confidence,
                verdict.evidence[:EVIDENCE_CHARS],
                verdict.derivative,
            )
        if row != form:
            found[model_id] = verdict
    return found


def insert_assignments(
    session: Session, results: Mapping[int, Verdict | None], family_ids: Mapping[str, int]
) -> int:
    """Insert the assignments of models that have none stored, with their family paths,
    in one statement: a rebuild that starts from empty tables has no differences to
    compute, no rows to delete and no list of ids to send back.

    Returns:
        How many assignments were inserted.
    """
    _load_results(session, results, family_ids, analyze=False)
    inserted = execute(
        session,
        "WITH added AS (INSERT INTO model_families (model_id, family_id, method, confidence, "
        "evidence, derivative) SELECT r.model_id, r.family_id, r.method, r.confidence, "
        # The join skips a model deleted since it was read (its row would break the key).
        "r.evidence, r.derivative FROM family_results r JOIN models m ON m.id = r.model_id "
        "RETURNING model_id, family_id), "
        "paths AS (INSERT INTO model_family_paths (model_id, family_id) "
        "SELECT added.model_id, a.id FROM added JOIN families f ON f.id = added.family_id "
        "JOIN families a ON a.slug = ANY(f.path)) "
        "SELECT count(*) FROM added",
        {},
    ).scalar()
    return int(inserted)


def analyze_assignments(session: Session) -> None:
    """Refresh the statistics of the assignment tables (after writing many rows)."""
    execute(session, "ANALYZE model_families", {})
    execute(session, "ANALYZE model_family_paths", {})


def _apply(
    session: Session, scope: Collection[int] | None
) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """Delete, update and insert from `family_results`: the rows each statement touched."""
    in_scope = "" if scope is None else "mf.model_id = ANY(CAST(:scope AS bigint[])) AND "
    params = {"scope": sorted(scope or ())}
    removed = execute(
        session,
        f"DELETE FROM model_families mf WHERE {in_scope}NOT EXISTS "
        "(SELECT 1 FROM family_results r WHERE r.model_id = mf.model_id) RETURNING mf.model_id",
        params,
    ).all()
    updated = execute(
        session,
        "UPDATE model_families mf SET family_id = r.family_id, method = r.method, "
        "confidence = r.confidence, evidence = r.evidence, derivative = r.derivative, "
        "computed_at = now() FROM family_results r, model_families old "
        "WHERE mf.model_id = r.model_id AND old.model_id = r.model_id "
        "AND (mf.family_id, mf.method, mf.confidence, mf.evidence, mf.derivative) "
        "IS DISTINCT FROM (r.family_id, r.method, r.confidence, r.evidence, r.derivative) "
        "RETURNING mf.model_id, old.family_id <> r.family_id, "
        "old.family_id <> r.family_id OR old.confidence <> r.confidence "
        "OR old.derivative <> r.derivative",
        {},
    ).all()
    inserted = execute(
        session,
        "INSERT INTO model_families (model_id, family_id, method, confidence, evidence, "
        "derivative) SELECT r.model_id, r.family_id, r.method, r.confidence, r.evidence, "
        # ON CONFLICT, not an anti-join with the table being filled: the rows updated above
        # are the only conflicts, and a scan of model_families per new row is quadratic.
        "r.derivative FROM family_results r JOIN models m ON m.id = r.model_id "
        "ON CONFLICT (model_id) DO NOTHING RETURNING model_id",
        {},
    ).all()
    return removed, updated, inserted


def _load_results(
    session: Session,
    results: Mapping[int, Verdict | None],
    family_ids: Mapping[str, int],
    *,
    analyze: bool = True,
) -> None:
    """COPY the verdicts into a temporary `family_results` table."""
    execute(session, "DROP TABLE IF EXISTS family_results", {})
    execute(
        session,
        "CREATE TEMPORARY TABLE family_results (model_id bigint PRIMARY KEY, family_id int, "
        "method text, confidence float8, evidence text, derivative bool) ON COMMIT DROP",
        {},
    )
    raw = session.connection().connection.driver_connection
    assert isinstance(raw, psycopg.Connection)
    lines: dict[int, str] = {}  # one text line per distinct verdict, then per model
    with raw.cursor() as cur, cur.copy("COPY family_results FROM STDIN") as copy:
        chunk: list[str] = []
        for model_id, verdict in results.items():
            if verdict is None or verdict.slug not in family_ids:
                continue
            line = lines.get(id(verdict))
            if line is None:
                line = lines[id(verdict)] = _copy_line(verdict, family_ids)
            chunk.append(f"{model_id}\t{line}")
            if len(chunk) >= 10_000:
                copy.write("".join(chunk))
                chunk.clear()
        copy.write("".join(chunk))
    if analyze:  # the joins of `_apply` need it; the inserts of a first rebuild do not
        execute(session, "ANALYZE family_results", {})


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_line(verdict: Verdict, family_ids: Mapping[str, int]) -> str:
    """A verdict as the tail of a COPY text line (after the model id)."""
    assert verdict.slug is not None
    evidence = verdict.evidence[:EVIDENCE_CHARS].translate(_COPY_ESCAPES)
    derivative = "t" if verdict.derivative else "f"
    return (
        f"{family_ids[verdict.slug]}\t{verdict.method}\t{verdict.confidence!r}\t"
        f"{evidence}\t{derivative}\n"
    )


def _rewrite_paths(session: Session, model_ids: Collection[int], *, everything: bool) -> None:
    if everything:  # a first rebuild: one pass over the table, no list of a million ids
        execute(session, "DELETE FROM model_family_paths", {})
        execute(
            session,
            "INSERT INTO model_family_paths (model_id, family_id) SELECT mf.model_id, a.id "
            "FROM model_families mf JOIN families f ON f.id = mf.family_id "
            "JOIN families a ON a.slug = ANY(f.path)",
            {},
        )
        return
    if not model_ids:
        return
    params = {"ids": sorted(model_ids)}
    execute(
        session,
        "DELETE FROM model_family_paths WHERE model_id = ANY(CAST(:ids AS bigint[]))",
        params,
    )
    execute(
        session,
        "INSERT INTO model_family_paths (model_id, family_id) SELECT mf.model_id, a.id "
        "FROM model_families mf JOIN families f ON f.id = mf.family_id "
        "JOIN families a ON a.slug = ANY(f.path) "
        "WHERE mf.model_id = ANY(CAST(:ids AS bigint[]))",
        params,
    )
