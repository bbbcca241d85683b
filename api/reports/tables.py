"""CSV and JSON renderers: the data of a report, for spreadsheets and scripts."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence

from api.reports.data import (
    CompareReport,
    CoverageReport,
    FamilyReport,
    LandscapeReport,
    Report,
    as_dict,
)

LANDSCAPE_COLUMNS = (
    "rank",
    "ref",
    "name",
    "platform",
    "author",
    "parameters",
    "downloads",
    "likes",
    "license",
    "formats",
    "url",
    "uses",
    "weights_bytes",
    "effective_license",
)
COVERAGE_COLUMNS = ("matrix", "row", "row_label", "column", "column_label", "count")


def render_json(report: Report) -> str:
    """The raw data of the report as indented JSON (non-ASCII kept as is)."""
    return json.dumps(as_dict(report), indent=2, ensure_ascii=False) + "\n"


def render_csv(report: Report) -> str:
    """The report's main table as CSV with exactly one header row.

    Compare: one row per attribute, one column per model ref. Landscape: one row per top
    model. Coverage: one row per matrix cell (long form, so all matrices share a header).
    """
    if isinstance(report, CompareReport):
        header, rows = _compare_rows(report)
    elif isinstance(report, LandscapeReport):
        header, rows = list(LANDSCAPE_COLUMNS), _landscape_rows(report)
    elif isinstance(report, FamilyReport):
        from api.reports import family_render

        header, rows = list(family_render.CSV_COLUMNS), family_render.csv_rows(report)
    else:
        header, rows = list(COVERAGE_COLUMNS), _coverage_rows(report)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def _compare_rows(report: CompareReport) -> tuple[list[str], list[Sequence[object]]]:
    header = ["attribute", "label", "differs", *(m.ref for m in report.models)]
    rows: list[Sequence[object]] = [
        [row.attribute, row.label, "yes" if row.differs else "no", *_blanks(row.values)]
        for row in report.rows
    ]
    return header, rows


def _landscape_rows(report: LandscapeReport) -> list[Sequence[object]]:
    return [
        [
            m.rank,
            m.ref,
            m.name,
            m.platform,
            m.author or "",
            _number(m.parameters),
            "" if m.downloads is None else m.downloads,
            "" if m.likes is None else m.likes,
            m.license or "",
            "; ".join(m.formats),
            m.url or "",
            "; ".join(m.uses),
            _number(m.memory_bytes),
            m.effective_license or "",
        ]
        for m in report.models
    ]


def _coverage_rows(report: CoverageReport) -> list[Sequence[object]]:
    rows: list[Sequence[object]] = []
    for matrix in report.matrices:
        for row, counts in zip(matrix.rows, matrix.counts, strict=True):
            for column, cell in zip(matrix.columns, counts, strict=True):
                rows.append([matrix.key, row.value, row.label, column.value, column.label, cell])
    return rows


def _blanks(values: Iterable[str | None]) -> list[str]:
    return ["" if v is None else v for v in values]


def _number(value: float | None) -> object:
    """Whole numbers without a trailing ".0" so spreadsheets read them as integers."""
    if value is None:
        return ""
    return int(value) if float(value).is_integer() else value
