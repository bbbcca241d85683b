"""Markdown renderer: GitHub-flavoured tables that paste into documents and issues."""

from __future__ import annotations

import re
from collections.abc import Sequence

from api.reports import fmt
from api.reports.data import (
    Bucket,
    CompareReport,
    CoverageReport,
    FamilyReport,
    LandscapeReport,
    Matrix,
    Meta,
    Report,
)

# Characters that would start markup inside a table cell; escaped so that model names
# such as "a|b" or "<script>" show as typed.
_SPECIAL = re.compile(r"([\\`*_\[\]<>|#~])")


def escape(text: str) -> str:
    """Escape Markdown markup and keep a value on one table line."""
    text = _SPECIAL.sub(r"\\\1", text)
    return "<br>".join(part.strip() for part in text.splitlines()) if "\n" in text else text


def render_markdown(report: Report) -> str:
    """Render any report as Markdown."""
    if isinstance(report, CompareReport):
        body = _compare(report)
    elif isinstance(report, LandscapeReport):
        body = _landscape(report)
    elif isinstance(report, FamilyReport):
        from api.reports import family_render

        body = family_render.markdown(report)
    else:
        body = _coverage(report)
    return "\n".join([*_header(report.meta), *body]).rstrip() + "\n"


def _header(meta: Meta) -> list[str]:
    lines = [f"# {escape(meta.title)}", ""]
    for label, value in meta.selection:
        lines.append(f"- {escape(label)}: {escape(value)}")
    lines += [f"- generated: {meta.generated_at[:19]}Z from {escape(meta.source)}", ""]
    return lines


def table(header: Sequence[str], rows: Sequence[Sequence[str]], align: str = "") -> list[str]:
    """A GitHub table; `align` has one letter per column ("l" or "r"), default left."""
    marks = [("---:" if a == "r" else "---") for a in align.ljust(len(header), "l")]
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join(marks) + " |"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return [*lines, ""]


def _compare(report: CompareReport) -> list[str]:
    header = ["attribute", *(f"{escape(m.name)}<br>{_code(m.ref)}" for m in report.models)]
    rows = []
    for row in report.rows:
        cells = [escape(fmt.attribute_value(row.attribute, v)) for v in row.values]
        if row.differs:
            cells = [f"**{c}**" for c in cells]
        label = f"**{escape(row.label)}** ≠" if row.differs else escape(row.label)
        rows.append([label, *cells])
    note = "Rows marked ≠ (values in bold) differ between the models."
    return [*table(header, rows), note]


def _code(text: str) -> str:
    """An inline code span; GitHub tables take an escaped pipe even inside code."""
    text = text.replace("|", "\\|").replace("\n", " ")
    fence = "``" if "`" in text else "`"
    pad = " " if "`" in text else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _landscape(report: LandscapeReport) -> list[str]:
    if report.total == 0:
        return ["No models match this selection."]
    lines = [
        f"{report.total:,} models match; the top {len(report.models)} by downloads:",
        "",
    ]
    header = [*fmt.LANDSCAPE_HEADER]
    rows = [
        [
            str(m.rank),
            f"{escape(m.name)}<br>{_code(m.ref)}",
            escape(m.platform),
            fmt.compact(m.parameters),
            fmt.count(m.downloads),
            fmt.count(m.likes),
            escape(m.license or fmt.DASH),
            escape(", ".join(m.formats)) or fmt.DASH,
            escape(", ".join(m.uses)) or fmt.DASH,
            fmt.gib(m.memory_bytes),
        ]
        for m in report.models
    ]
    lines += table(header, rows, "rllrrrllll")
    for title, buckets in (
        ("Platforms", report.platforms),
        ("Licenses", report.license_mix()),
        ("Formats", report.formats),
    ):
        lines += _mix(title, buckets, report.total)
    lines += _history(report)
    return lines


def _mix(title: str, buckets: Sequence[Bucket], total: int) -> list[str]:
    if not buckets:
        return []
    rows = [[escape(b.label), fmt.count(b.count), fmt.percent(b.count, total)] for b in buckets]
    return [f"## {title}", "", *table([title.lower()[:-1], "models", "share"], rows, "lrr")]


def _history(report: LandscapeReport) -> list[str]:
    series = [s for s in report.history if s.points]
    if not series:
        return ["## Downloads over time", "", "No download history recorded yet.", ""]
    rows = [
        [
            f"{escape(s.name)}<br>{_code(s.ref)}",
            fmt.day(s.points[0].at),
            fmt.count(s.points[0].downloads),
            fmt.day(s.points[-1].at),
            fmt.count(s.points[-1].downloads),
        ]
        for s in series
    ]
    header = ["model", "first seen", "downloads", "last seen", "downloads"]
    return ["## Downloads over time", "", *table(header, rows, "llrlr")]


def _coverage(report: CoverageReport) -> list[str]:
    if report.total == 0:
        return ["The catalog is empty: no models to count."]
    lines = [f"{report.total:,} models in the selection.", ""]
    for matrix in report.matrices:
        lines += _matrix(matrix)
    return lines


def _matrix(matrix: Matrix) -> list[str]:
    lines = [f"## {escape(matrix.title)}", ""]
    if matrix.is_empty():
        return [*lines, "No models to count.", ""]
    header = [escape(matrix.row_field), *(escape(c.label) for c in matrix.columns), "models"]
    rows = [
        [escape(row.label), *(fmt.count(c) if c else "·" for c in cells), fmt.count(row.count)]
        for row, cells in zip(matrix.rows, matrix.counts, strict=True)
    ]
    return [*lines, *table(header, rows, "l" + "r" * (len(header) - 1))]
