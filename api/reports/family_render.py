"""The family report as Markdown, HTML (heatmaps) and CSV; JSON is its data as is."""

from __future__ import annotations

from collections.abc import Sequence

from api.reports import fmt, svg
from api.reports import html as html_r
from api.reports import markdown as md
from api.reports.data import Bucket, FamilyReport, Matrix, ReleaseRow
from api.reports.svg import esc

CSV_COLUMNS = ("section", "row", "row_label", "column", "column_label", "value")


def release_matrix(report: FamilyReport) -> Matrix:
    """Releases x hubs as a counts matrix (for the heatmap and the CSV)."""
    rows = tuple(Bucket(r.slug, r.name, r.models) for r in report.releases)
    counts = tuple(r.per_hub for r in report.releases)
    return Matrix("release-hub", "Releases × hubs", "release", "hub", rows, report.hubs, counts)


def _summary(report: FamilyReport) -> str:
    hubs = ", ".join(h.label for h in report.hubs) or "none yet"
    where = " > ".join(report.path)
    return (
        f"{report.total:,} live models of {report.name} ({report.family_kind}; {where}) "
        f"on {len(report.hubs)} hubs: {hubs}."
    )


def _release_cells(row: ReleaseRow) -> list[str]:
    return [fmt.compact(row.parameters), fmt.count(row.models)]


def markdown(report: FamilyReport) -> list[str]:
    """The report's body in Markdown."""
    lines = [md.escape(_summary(report)), ""]
    if report.children:
        names = ", ".join(md.escape(c.label) for c in report.children[:40])
        more = f" and {len(report.children) - 40} more" if len(report.children) > 40 else ""
        lines += [f"Sub-families: {names}{more}.", ""]
    if report.total == 0:
        return [*lines, "No models of this family in the catalog yet."]
    lines += md._matrix(report.hub_formats)
    lines += ["## Releases × hubs", ""]
    if report.releases:
        header = ["release", "parameters", "models", *(md.escape(h.label) for h in report.hubs)]
        rows = [
            [
                md.escape(r.name),
                *_release_cells(r),
                *(fmt.count(n) if n else "·" for n in r.per_hub),
            ]
            for r in report.releases
        ]
        lines += md.table(header, rows, "lrr" + "r" * len(report.hubs))
    else:
        lines += ["No release of this family has models yet.", ""]
    lines += md._matrix(report.lineage)
    for hub in report.top:
        lines += [f"## Top models on {md.escape(hub.label)}", ""]
        header = ["#", "model", "parameters", "downloads", "likes", "license", "formats"]
        rows = [
            [
                str(m.rank),
                f"{md.escape(m.name)}<br>{md._code(m.ref)}",
                fmt.compact(m.parameters),
                fmt.count(m.downloads),
                fmt.count(m.likes),
                md.escape(m.license or fmt.DASH),
                md.escape(", ".join(m.formats)) or fmt.DASH,
            ]
            for m in hub.models
        ]
        lines += md.table(header, rows, "rlrrrll")
    return lines


def html(report: FamilyReport) -> str:
    """The report's body in HTML, with heatmaps."""
    parts = [f"<p>{esc(_summary(report))}</p>"]
    if report.children:
        names = ", ".join(esc(c.label) for c in report.children)
        parts.append(f'<p class="note">Sub-families: {names}.</p>')
    if report.total == 0:
        return "\n".join([*parts, '<p class="empty">No models of this family yet.</p>'])
    parts.append(html_r._matrix(report.hub_formats))
    parts.append(_releases_html(report))
    parts.append(html_r._matrix(report.lineage))
    for hub in report.top:
        parts.append(f"<h2>Top models on {esc(hub.label)}</h2>")
        parts.append(html_r._top_table(hub.models))
    return "\n".join(parts)


def _releases_html(report: FamilyReport) -> str:
    head = '<h2 id="release-hub">Releases × hubs</h2>'
    if not report.releases:
        return head + '<p class="note">No release of this family has models yet.</p>'
    matrix = release_matrix(report)
    chart = svg.heatmap(
        [r.label for r in matrix.rows], [c.label for c in matrix.columns], matrix.counts,
        title=matrix.title,
    )  # fmt: skip
    header = ["release", "parameters", "models", *(esc(h.label) for h in report.hubs)]
    rows = [
        [esc(r.name), *_release_cells(r), *(fmt.count(n) if n else "·" for n in r.per_hub)]
        for r in report.releases
    ]
    table = html_r._table(header, rows, align="lrr" + "r" * len(report.hubs), cls="matrix")
    return f"{head}<figure>{chart}</figure>{table}"


def csv_rows(report: FamilyReport) -> list[Sequence[object]]:
    """Long-form rows: one per matrix cell, release parameter and top model."""
    rows: list[Sequence[object]] = []
    for matrix in (report.hub_formats, release_matrix(report), report.lineage):
        for row, counts in zip(matrix.rows, matrix.counts, strict=True):
            for column, cell in zip(matrix.columns, counts, strict=True):
                rows.append([matrix.key, row.value, row.label, column.value, column.label, cell])
    for release in report.releases:
        value = "" if release.parameters is None else int(release.parameters)
        rows.append(["release-parameters", release.slug, release.name, "", "", value])
    for hub in report.top:
        for m in hub.models:
            rows.append(["top", hub.platform, hub.label, m.rank, m.ref, m.downloads or 0])
    return rows
