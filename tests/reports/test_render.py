"""Renderers on hand-built report data: escaping, wrapping, truncation, empty reports."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import json
import re
import xml.etree.ElementTree as ET

import pytest

from api.reports import fmt, svg
from api.reports.data import CoverageReport, LandscapeReport, as_dict
from api.reports.render import RENDERERS, render
from tests.reports import samples
from tests.reports.samples import LONG, TRICKY

SVG_NS = "{http://www.w3.org/2000/svg}"
REPORTS = {
    "compare": samples.compare_report,
    "landscape": samples.landscape_report,
    "coverage": samples.coverage_report,
}


def svgs(document: str) -> list[ET.Element]:
    """Every inline chart, parsed as XML (so a chart that is not well-formed fails)."""
    return [ET.fromstring(m) for m in re.findall(r"<svg .*?</svg>", document, flags=re.S)]


def md_cells(line: str) -> list[str]:
    """Cells of a Markdown table line, splitting on unescaped pipes only."""
    return [c.strip() for c in re.split(r"(?<!\\)\|", line.strip())[1:-1]]


@pytest.mark.parametrize("kind", REPORTS)
@pytest.mark.parametrize("fmt_name", RENDERERS)
def test_every_report_renders_in_every_format(kind: str, fmt_name: str) -> None:
    text = render(REPORTS[kind](), fmt_name)
    assert text.endswith("\n")
    assert "Hugging Face Hub" in text or "huggingface" in text


def test_unknown_format_is_refused_with_the_choices() -> None:
    with pytest.raises(ValueError, match="md, html, csv, json"):
        render(samples.compare_report(), "pdf")


def test_markdown_tables_keep_their_columns_despite_pipes_and_markup() -> None:
    text = render(samples.compare_report(), "md")
    rows = [line for line in text.splitlines() if line.startswith("|")]
    assert {len(md_cells(line)) for line in rows} == {3}
    assert "<script>" not in text
    assert r"\<script\>alert(1)\</script\> \| \*bold\* 模型" in text
    assert "| **Platform** ≠ | **huggingface** | **kaggle** |" in text
    assert "| Parameters | 7B | 7B |" in text


def test_markdown_landscape_shows_figures_and_shares() -> None:
    text = render(samples.landscape_report(), "md")
    assert "5 models match; the top 3 by downloads" in text
    row = next(line for line in text.splitlines() if line.startswith("| 1 |"))
    assert md_cells(row)[3:6] == ["7B", "5,000,000", "10"]
    assert "| Apache 2.0 | 3 | 60% |" in text
    assert "| big<br>`huggingface:org/big` | 2026-01-01 | 4,000,000 | 2026-01-05 | 5,000,000 |" in (
        text
    )


def test_html_is_self_contained_and_escapes_names() -> None:
    for kind, build in REPORTS.items():
        text = render(build(), "html")
        assert "<script" not in text, kind
        assert not re.search(r"<(link|img|iframe)\b|\bsrc=|@import|url\(", text), kind
        assert "@media print" in text
    text = render(samples.compare_report(), "html")
    assert "&lt;script&gt;alert(1)&lt;/script&gt; | *bold* 模型" in text
    assert text.count('<tr class="differs">') == 3


def test_html_links_only_web_urls() -> None:
    report = samples.compare_report()
    bad = dataclasses.replace(report.models[1], url="javascript:alert(1)")
    text = render(dataclasses.replace(report, models=(report.models[0], bad)), "html")
    assert '<a href="https://hf.example/x">' in text
    assert "javascript:" not in text


def test_html_charts_are_valid_svg_with_truncated_labels_and_full_tooltips() -> None:
    text = render(samples.landscape_report(), "html")
    scatter, lines = svgs(text)
    labels = [t.text or "" for t in scatter.iter(f"{SVG_NS}text")]
    assert fmt.truncate(LONG, 22) in labels
    assert all(len(label) <= 30 for label in labels)
    tips = [t.text or "" for t in scatter.iter(f"{SVG_NS}title")]
    assert any(tip.startswith(LONG) for tip in tips)
    assert len(list(scatter.iter(f"{SVG_NS}circle"))) == 2  # the third has no parameters
    assert "1 of the top models lack a parameter count" in text
    assert len(list(lines.iter(f"{SVG_NS}polyline"))) == 1


def test_scatter_uses_log_scales() -> None:
    text = render(samples.landscape_report(), "html")
    scatter = svgs(text)[0]
    ticks = [t.text for t in scatter.iter(f"{SVG_NS}text")]
    assert [t for t in ticks if t in {"100M", "1B", "10B"}] == ["100M", "1B", "10B"]
    big, long_one = (
        (float(c.get("cx", 0)), float(c.get("cy", 0))) for c in scatter.iter(f"{SVG_NS}circle")
    )
    # 7B parameters vs 110M: further right; 5M downloads vs 40k: higher up.
    assert big[0] > long_one[0]
    assert big[1] < long_one[1]


def test_coverage_heatmap_and_table_agree() -> None:
    text = render(samples.coverage_report(), "html")
    [chart] = svgs(text)
    cells = [t.text for g in chart.iter(f"{SVG_NS}g") for t in g.iter(f"{SVG_NS}title")]
    assert f"Hugging Face Hub × {LONG}: 1" in cells
    assert "Kaggle Models × ONNX: 0" in cells
    assert re.search(
        r'<td class="num">3</td>.*<td class="num">1</td>.*<td class="num">5</td>', text
    )


def test_csv_has_one_header_row_and_parses_back() -> None:
    rows = list(csv.reader(io.StringIO(render(samples.compare_report(), "csv"))))
    assert rows[0] == [
        "attribute",
        "label",
        "differs",
        "huggingface:org/" + LONG,
        "kaggle:acme/tricky",
    ]
    assert rows[3] == ["license", "License", "yes", "apache-2.0", ""]
    landscape = list(csv.DictReader(io.StringIO(render(samples.landscape_report(), "csv"))))
    assert [r["downloads"] for r in landscape] == ["5000000", "40000", "12"]
    assert landscape[0]["parameters"] == "7000000000"
    assert landscape[0]["formats"] == "safetensors; gguf"
    assert landscape[2]["name"] == TRICKY
    coverage = list(csv.DictReader(io.StringIO(render(samples.coverage_report(), "csv"))))
    assert len(coverage) == 4
    assert {(r["row"], r["column"], r["count"]) for r in coverage if r["count"] != "0"} == {
        ("huggingface", "onnx", "3"),
        ("huggingface", "x", "1"),
    }


def test_json_is_the_report_data() -> None:
    report = samples.landscape_report()
    doc = json.loads(render(report, "json"))
    assert doc == json.loads(json.dumps(as_dict(report)))
    assert doc["kind"] == "landscape"
    assert doc["meta"]["selection"] == {"task": "text-generation"}
    assert doc["models"][2]["name"] == TRICKY


@pytest.mark.parametrize("fmt_name", ["md", "html"])
def test_empty_reports_say_so(fmt_name: str) -> None:
    meta = samples.meta("Landscape: nothing")
    assert "No models match this selection." in render(LandscapeReport(meta, 0, ()), fmt_name)
    assert "The catalog is empty" in render(CoverageReport(meta, 0), fmt_name)


def test_empty_reports_give_a_csv_header_and_json() -> None:
    empty = LandscapeReport(samples.meta("Landscape"), 0, ())
    assert list(csv.reader(io.StringIO(render(empty, "csv")))) == [
        ["rank", "ref", "name", "platform", "author", "parameters", "downloads", "likes"]
        + ["license", "formats", "url", "uses", "weights_bytes", "effective_license"]
    ]
    assert json.loads(render(empty, "json"))["total"] == 0


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, "—"),
        (0, "0"),
        (999, "999"),
        (1234, "1.2k"),
        (7e9, "7B"),
        (1.5e6, "1.5M"),
        (0.5, "0.5"),
    ],
)
def test_compact_figures(value: float | None, expected: str) -> None:
    assert fmt.compact(value) == expected


def test_truncate_counts_wide_characters_and_flattens_newlines() -> None:
    assert fmt.truncate("模型模型模型", 7) == "模型模…"
    assert fmt.display_width(fmt.truncate("模型模型模型", 7)) <= 7
    assert fmt.truncate("short\nname", 20) == "short name"
    assert fmt.truncate("abcdefghij", 5) == "abcd…"


def _x_tick_labels(chart: str) -> list[str]:
    """The labels under the time axis: the texts on the lowest line of labels."""
    texts = [t for t in ET.fromstring(chart).iter(f"{SVG_NS}text") if t.get("text-anchor")]
    bottom = max(float(t.get("y", 0)) for t in texts if t.get("text-anchor") == "middle")
    return [t.text or "" for t in texts if float(t.get("y", 0)) == bottom - 23]


@pytest.mark.parametrize(
    ("start", "hours", "labels", "title"),
    [
        ("2026-11-30T08:12:00", 6.5, ["10:00", "12:00", "14:00"], "time (UTC) on 2026-11-30"),
        ("2026-11-30T20:00:00", 13, ["11-30 21:00", "12-01 00:00"], "date and time (UTC)"),
        ("2026-11-26T20:00:00", 100, ["2026-11-27", "2026-11-28", "2026-11-29"], "date"),
        ("2024-01-10T00:00:00", 24 * 700, ["2024-07-01", "2025-01-01", "2025-07-01"], "date"),
    ],
)
def test_a_download_chart_never_repeats_a_tick_label(
    start: str, hours: float, labels: list[str], title: str
) -> None:
    t0 = dt.datetime.fromisoformat(start).replace(tzinfo=dt.UTC)
    points = tuple((t0 + dt.timedelta(hours=hours * i / 4), 1000.0 * i) for i in range(5))
    chart = svg.line_chart([svg.LineSeries("m", points)], title="downloads", y_label="downloads")
    ticks = _x_tick_labels(chart)
    assert len(ticks) == len(set(ticks)) >= 2
    assert ticks[: len(labels)] == labels
    texts = [t.text for t in ET.fromstring(chart).iter(f"{SVG_NS}text")]
    assert title in texts


@pytest.mark.parametrize(
    ("attribute", "value", "shown"),
    [
        ("memory", "17179869184", "16.0 GiB (weights only)"),
        ("memory", "4850000000", "4.52 GiB (weights only)"),
        ("memory", None, "—"),
        ("parameters", "7000000000.0", "7B"),
    ],
)
def test_compare_values_read_as_people_say_them(attribute, value, shown) -> None:
    assert fmt.attribute_value(attribute, value) == shown
