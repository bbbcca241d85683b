"""HTML renderer: one self-contained file (inline CSS and SVG, no script, prints well)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from api.reports import fmt, svg
from api.reports.data import (
    Bucket,
    CompareReport,
    CoverageReport,
    FamilyReport,
    LandscapeModel,
    LandscapeReport,
    Matrix,
    Meta,
    Report,
)
from api.reports.svg import esc

CSS = """
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif;
  color: #1f2328; margin: 2rem auto; max-width: 1180px; padding: 0 1rem; }
h1 { font-size: 1.6rem; margin: 0 0 .3rem; overflow-wrap: anywhere; }
h2 { font-size: 1.2rem; margin: 2rem 0 .6rem; border-bottom: 1px solid #d0d7de; }
.meta { color: #57606a; margin: 0 0 1rem; padding: 0; list-style: none; }
.meta li { display: inline; margin-right: 1.2rem; }
.note { color: #57606a; }
.empty { padding: 1rem; background: #fff8c5; border: 1px solid #d4a72c; border-radius: 6px; }
table { border-collapse: collapse; margin: .5rem 0 1rem; width: 100%; }
/* Cells wrap between words; names (which may be one long token) wrap anywhere. */
th, td { border: 1px solid #d0d7de; padding: .3rem .5rem; vertical-align: top;
  text-align: left; overflow-wrap: break-word; }
th { background: #f6f8fa; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
td.num { white-space: nowrap; }
.name { overflow-wrap: anywhere; }
table.matrix { width: auto; }
table.compare { table-layout: fixed; }
table.compare td { overflow-wrap: anywhere; }
table.compare th:first-child { width: 11rem; }
tr.differs td, tr.differs th { background: #fff1c2; }
tr.differs th::after { content: " ≠"; color: #9a6700; }
.ref { display: block; font: 12px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
  color: #57606a; font-weight: normal; }
.bar { display: inline-block; height: .7rem; background: #0072B2; vertical-align: middle;
  margin-right: .4rem; }
.mix { display: grid; grid-template-columns: repeat(auto-fit, minmax(300px, 1fr)); gap: 1rem; }
figure { margin: 1rem 0; }
figcaption { color: #57606a; font-size: .9rem; }
svg.chart { max-width: 100%; height: auto; display: block; }
a { color: #0969da; }
@media print {
  body { margin: 0; max-width: none; font-size: 10pt; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  h2 { break-after: avoid; }
  tr, figure { break-inside: avoid; }
  thead { display: table-header-group; }
  a { color: inherit; text-decoration: none; }
}
"""


def render_html(report: Report) -> str:
    """Render any report as a standalone HTML document."""
    if isinstance(report, CompareReport):
        body = _compare(report)
    elif isinstance(report, LandscapeReport):
        body = _landscape(report)
    elif isinstance(report, FamilyReport):
        from api.reports import family_render

        body = family_render.html(report)
    else:
        body = _coverage(report)
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="en"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(report.meta.title)}</title><style>{CSS}</style></head>\n"
        f"<body>\n{_header(report.meta)}\n{body}\n</body></html>\n"
    )


def _header(meta: Meta) -> str:
    items = [f"<li>{esc(label)}: <b>{esc(value)}</b></li>" for label, value in meta.selection]
    items.append(f"<li>generated {esc(meta.generated_at[:16].replace('T', ' '))} UTC</li>")
    items.append(f"<li>source: {esc(meta.source)}</li>")
    return f'<h1>{esc(meta.title)}</h1>\n<ul class="meta">{"".join(items)}</ul>'


def _label(text: str) -> str:
    """An escaped label; a long one may break anywhere (it may be a single token)."""
    return f'<span class="name">{esc(text)}</span>' if len(text) > 16 else esc(text)


def _model_cell(name: str, ref: str, url: str | None) -> str:
    # Only web links: a hub-supplied "javascript:" URL must not become a live link.
    linkable = url is not None and url.lower().startswith(("https://", "http://"))
    title = f'<a href="{esc(url or "")}">{esc(name)}</a>' if linkable else esc(name)
    return f'<div class="name">{title}<span class="ref">{esc(ref)}</span></div>'


def _table(
    header: Sequence[str], rows: Sequence[Sequence[str]], *, align: str = "", cls: str = ""
) -> str:
    """A table from already-escaped cells; `align` has "r" for each numeric column."""
    numeric = [a == "r" for a in align.ljust(len(header), "l")]

    def cell(tag: str, text: str, num: bool) -> str:
        return f'<{tag} class="num">{text}</{tag}>' if num else f"<{tag}>{text}</{tag}>"

    head = "".join(cell("th", h, n) for h, n in zip(header, numeric, strict=True))
    body = "".join(
        "<tr>" + "".join(cell("td", c, n) for c, n in zip(row, numeric, strict=True)) + "</tr>"
        for row in rows
    )
    attr = f' class="{cls}"' if cls else ""
    return f"<table{attr}><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _compare(report: CompareReport) -> str:
    head = "".join(f"<th>{_model_cell(m.name, m.ref, m.url)}</th>" for m in report.models)
    rows = []
    for row in report.rows:
        cls = ' class="differs"' if row.differs else ""
        cells = "".join(
            f"<td>{esc(fmt.attribute_value(row.attribute, v))}</td>" for v in row.values
        )
        rows.append(f'<tr{cls}><th scope="row">{esc(row.label)}</th>{cells}</tr>')
    differing = sum(row.differs for row in report.rows)
    return (
        f'<table class="compare"><thead><tr><th>attribute</th>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>\n"
        f'<p class="note">{differing} of {len(report.rows)} attributes differ '
        "(highlighted and marked ≠).</p>"
    )


def _landscape(report: LandscapeReport) -> str:
    if report.total == 0:
        return '<p class="empty">No models match this selection.</p>'
    parts = [
        f"<p>{report.total:,} models match; the top {len(report.models)} by downloads.</p>",
        "<h2>Top models</h2>",
        _top_table(report.models),
        '<h2>Mix of the selection</h2><div class="mix">',
        _mix("platform", report.platforms, report.total),
        _mix("license", report.license_mix(), report.total),
        _mix("format", report.formats, report.total),
        "</div>",
        "<h2>Parameters vs downloads</h2>",
        _scatter(report.models),
        "<h2>Downloads over time</h2>",
        _history(report),
    ]
    return "\n".join(parts)


def _top_table(models: Sequence[LandscapeModel]) -> str:
    header = [*fmt.LANDSCAPE_HEADER]
    rows = [
        [
            str(m.rank),
            _model_cell(m.name, m.ref, m.url),
            esc(m.platform),
            fmt.compact(m.parameters),
            fmt.count(m.downloads),
            fmt.count(m.likes),
            esc(m.license or fmt.DASH),
            esc(", ".join(m.formats) or fmt.DASH),
            esc(", ".join(m.uses) or fmt.DASH),
            fmt.gib(m.memory_bytes),
        ]
        for m in models
    ]
    return _table(header, rows, align="rllrrrllll", cls="top")


def _mix(what: str, buckets: Sequence[Bucket], total: int) -> str:
    if not buckets:
        return f'<div><p class="note">No {what} recorded.</p></div>'
    top = max(b.count for b in buckets) or 1
    rows = [
        [
            f'<span class="bar" style="width:{60 * b.count / top:.0f}px"></span>{_label(b.label)}',
            fmt.count(b.count),
            fmt.percent(b.count, total),
        ]
        for b in buckets
    ]
    return (
        "<div>" + _table([what, "models", "share"], rows, align="lrr", cls=f"mix-{what}") + "</div>"
    )


def _scatter(models: Sequence[LandscapeModel]) -> str:
    shown = [m for m in models if m.parameters and m.downloads]
    missing = len(models) - len(shown)
    note = f" {missing} of the top models lack a parameter count or downloads." if missing else ""
    if not shown:
        return f'<p class="note">No parameter counts to plot.{note}</p>'
    points = [
        svg.ScatterPoint(
            label=m.name,
            x=float(m.parameters or 0),
            y=float(m.downloads or 0),
            group=m.platform,
            detail=f"{m.ref}: {fmt.compact(m.parameters)} parameters, "
            f"{fmt.count(m.downloads)} downloads",
        )
        for m in shown
    ]
    chart = svg.scatter_log(
        points, title="Parameters vs downloads", x_label="parameters", y_label="downloads"
    )
    caption = f"Log scales; one point per model, coloured by platform.{note}"
    return f"<figure>{chart}<figcaption>{esc(caption)}</figcaption></figure>"


def _history(report: LandscapeReport) -> str:
    series = [
        svg.LineSeries(
            label=s.name,
            points=tuple((dt.datetime.fromisoformat(p.at), float(p.downloads)) for p in s.points),
        )
        for s in report.history
        if s.points
    ]
    if not series:
        return '<p class="note">No download history recorded yet.</p>'
    chart = svg.line_chart(series, title="Downloads over time", y_label="downloads")
    caption = "Downloads as observed at each harvest (the hub's rolling count)."
    return f"<figure>{chart}<figcaption>{caption}</figcaption></figure>"


def _coverage(report: CoverageReport) -> str:
    if report.total == 0:
        return '<p class="empty">The catalog is empty: no models to count.</p>'
    parts = [f"<p>{report.total:,} models in the selection.</p>"]
    parts += [_matrix(m) for m in report.matrices]
    return "\n".join(parts)


def _matrix(matrix: Matrix) -> str:
    head = f'<h2 id="{esc(matrix.key)}">{esc(matrix.title)}</h2>'
    if matrix.is_empty():
        return head + '<p class="note">No models to count.</p>'
    chart = svg.heatmap(
        [r.label for r in matrix.rows],
        [c.label for c in matrix.columns],
        matrix.counts,
        title=matrix.title,
    )
    header = [esc(matrix.row_field), *(_label(c.label) for c in matrix.columns), "models"]
    rows = [
        [_label(row.label), *(fmt.count(c) if c else "·" for c in cells), fmt.count(row.count)]
        for row, cells in zip(matrix.rows, matrix.counts, strict=True)
    ]
    align = "l" + "r" * (len(header) - 1)
    table = _table(header, rows, align=align, cls=f"matrix {esc(matrix.key)}")
    return f"{head}<figure>{chart}</figure>{table}"
