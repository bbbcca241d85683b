"""Each report kind in each format, built through GraphQL on the fixture catalog, with the
figures checked against the fixture data."""

from __future__ import annotations

import csv
import io
import json
import re
import xml.etree.ElementTree as ET

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from api.reports import build, fmt
from api.reports.client import InProcessTransport
from api.reports.render import render
from tests.factories import load, record
from tests.reports import fixture_catalog as fx

SVG_NS = "{http://www.w3.org/2000/svg}"
COMPARED = [
    "huggingface:meta-llama/Llama-3.1-8B-Instruct",
    "huggingface:bartowski/QwQ-32B-Preview-GGUF",
    "kaggle:google/gemma/keras/gemma_2b_en",
]
TASK = "text-generation"


def svgs(document: str) -> list[ET.Element]:
    """Every inline chart, parsed as XML."""
    return [ET.fromstring(m) for m in re.findall(r"<svg .*?</svg>", document, flags=re.S)]


def md_rows(text: str) -> list[list[str]]:
    """Cells of every Markdown table line (split on unescaped pipes)."""
    return [
        [c.strip() for c in re.split(r"(?<!\\)\|", line.strip())[1:-1]]
        for line in text.splitlines()
        if line.startswith("|")
    ]


# --- compare -------------------------------------------------------------------------


def test_compare_json_has_the_models_in_order_with_their_figures(
    transport: InProcessTransport,
) -> None:
    doc = json.loads(render(build.build_compare(transport, COMPARED), "json"))
    assert doc["kind"] == "compare"
    assert [m["ref"] for m in doc["models"]] == COMPARED
    rows = {r["attribute"]: r for r in doc["rows"]}
    expected = [fx.by_ref(r) for r in COMPARED]
    assert [int(v) for v in rows["downloads"]["values"]] == [m["downloads"] for m in expected]
    assert [float(v) for v in rows["parameters"]["values"]] == [m["parameters"] for m in expected]
    assert rows["formats"]["values"] == ["safetensors", "gguf", "keras, tflite"]
    assert rows["baseModels"]["values"] == [
        None,
        "huggingface:Qwen/QwQ-32B-Preview (quantized)",
        None,
    ]
    assert rows["platform"]["differs"] is True
    assert rows["tasks"]["differs"] is False


def test_compare_csv_parses_back_with_one_header_row(transport: InProcessTransport) -> None:
    text = render(build.build_compare(transport, COMPARED), "csv")
    header, *rows = list(csv.reader(io.StringIO(text)))
    assert header == ["attribute", "label", "differs", *COMPARED]
    by_attribute = {r[0]: r for r in rows}
    assert by_attribute["likes"][2:] == ["yes", "3160", "43", "800"]
    assert by_attribute["tasks"][2:] == ["no", TASK, TASK, TASK]
    assert by_attribute["license"][3:] == ["llama3.1", "apache-2.0", "gemma"]


def test_compare_markdown_highlights_differences(transport: InProcessTransport) -> None:
    rows = md_rows(render(build.build_compare(transport, COMPARED), "md"))
    assert all(len(r) == 4 for r in rows)
    by_label = {r[0]: r[1:] for r in rows[2:]}
    assert by_label["**Downloads** ≠"] == ["**6,407,299**", "**49,994**", "**250,000**"]
    assert by_label["**Parameters** ≠"] == ["**8B**", "**32.8B**", "**2.5B**"]
    assert by_label["Tasks"] == [TASK, TASK, TASK]
    assert "huggingface:Qwen/QwQ-32B-Preview (quantized)" in by_label["**Base models** ≠"][1]


def test_compare_html_marks_differing_rows(transport: InProcessTransport) -> None:
    report = build.build_compare(transport, COMPARED)
    text = render(report, "html")
    differing = [r.label for r in report.rows if r.differs]
    assert text.count('<tr class="differs">') == len(differing) >= 5
    assert f"{len(differing)} of {len(report.rows)} attributes differ" in text
    assert "<td>6,407,299</td><td>49,994</td><td>250,000</td>" in text


# --- landscape -----------------------------------------------------------------------


def test_landscape_json_matches_the_fixture(transport: InProcessTransport) -> None:
    doc = json.loads(render(build.build_landscape(transport, task=TASK, top=5), "json"))
    expected = fx.top_by_downloads(TASK, 5)
    chosen = [m for m in fx.models() if m["task"] == TASK]
    assert doc["total"] == len(chosen) == 8
    assert [m["ref"] for m in doc["models"]] == [fx.ref(m) for m in expected]
    assert [m["downloads"] for m in doc["models"]] == [m["downloads"] for m in expected]
    assert [m["rank"] for m in doc["models"]] == [1, 2, 3, 4, 5]
    assert {b["value"]: b["count"] for b in doc["licenses"]} == fx.mix(chosen, "license")
    assert {b["value"]: b["count"] for b in doc["formats"]} == fx.mix(chosen, "formats")
    assert {b["value"]: b["count"] for b in doc["platforms"]} == fx.mix(chosen, "platform")


def test_landscape_history_is_every_observation_of_models_seen_more_than_once(
    transport: InProcessTransport,
) -> None:
    report = build.build_landscape(transport, task=TASK)
    with_history = [m for m in fx.top_by_downloads(TASK, 20) if m.get("history")]
    assert [s.ref for s in report.history] == [fx.ref(m) for m in with_history]
    for series, model in zip(report.history, with_history, strict=True):
        assert [p.downloads for p in series.points] == [*model["history"], model["downloads"]]
        assert [p.at[:10] for p in series.points] == [t.date().isoformat() for t in fx.observed()]


def test_landscape_csv_lists_the_top_models(transport: InProcessTransport) -> None:
    text = render(build.build_landscape(transport, task=TASK, top=20), "csv")
    rows = list(csv.DictReader(io.StringIO(text)))
    expected = fx.top_by_downloads(TASK, 20)
    assert [r["ref"] for r in rows] == [fx.ref(m) for m in expected]
    assert [r["downloads"] for r in rows] == [str(m["downloads"]) for m in expected]
    assert [r["parameters"] for r in rows] == [str(m.get("parameters", "")) for m in expected]
    assert rows[-1]["name"].startswith("超长的模型名称")
    assert rows[2]["formats"] == "keras; tflite"


def test_landscape_markdown_shows_ranks_figures_and_mixes(transport: InProcessTransport) -> None:
    text = render(build.build_landscape(transport, task=TASK, top=3), "md")
    assert "8 models match; the top 3 by downloads" in text
    top = [r for r in md_rows(text) if r[0] in {"1", "2", "3"}]
    assert [r[4] for r in top] == [fmt.count(m["downloads"]) for m in fx.top_by_downloads(TASK, 3)]
    assert ["Apache License 2.0", "4", "50%"] in md_rows(text)
    assert ["Hugging Face Hub", "7", "88%"] in md_rows(text)


def test_landscape_html_has_the_scatter_and_the_history_chart(
    transport: InProcessTransport,
) -> None:
    text = render(build.build_landscape(transport, task=TASK), "html")
    scatter, lines = svgs(text)
    plotted = [m for m in fx.top_by_downloads(TASK, 20) if m.get("parameters") and m["downloads"]]
    assert len(list(scatter.iter(f"{SVG_NS}circle"))) == len(plotted) == 7
    tips = [t.text or "" for c in scatter.iter(f"{SVG_NS}circle") for t in c]
    assert any("Llama-3.1-8B-Instruct" in t and "6,407,299 downloads" in t for t in tips)
    assert len(list(lines.iter(f"{SVG_NS}polyline"))) == 3
    assert "1 of the top models lack a parameter count" in text


def test_landscape_of_an_empty_selection_says_so(transport: InProcessTransport) -> None:
    report = build.build_landscape(transport, task="text-to-speech")
    assert report.total == 0
    assert "No models match this selection." in render(report, "md")
    assert "No models match this selection." in render(report, "html")
    assert list(csv.reader(io.StringIO(render(report, "csv"))))[1:] == []


def test_landscape_filters_by_platform_and_modality(transport: InProcessTransport) -> None:
    report = build.build_landscape(transport, modality="vision", platforms=["onnx-model-zoo"])
    expected = [m for m in fx.models() if m["platform"] == "onnx-model-zoo"]
    assert report.total == len(expected) == 2
    assert {m.ref for m in report.models} == {fx.ref(m) for m in expected}
    assert dict(report.meta.selection)["platforms"] == "onnx-model-zoo"


# --- coverage ------------------------------------------------------------------------

MATRIX_FIELDS = {
    "platform-format": ("platform", "format"),
    "platform-modality": ("platform", "modality"),
    "task-platform": ("task", "platform"),
}


def test_coverage_csv_cells_match_the_fixture(transport: InProcessTransport) -> None:
    text = render(build.build_coverage(transport), "csv")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(rows[0]) == ["matrix", "row", "row_label", "column", "column_label", "count"]
    for key, (row_field, column_field) in MATRIX_FIELDS.items():
        expected = fx.matrix(row_field, column_field)
        got = {(r["row"], r["column"]): int(r["count"]) for r in rows if r["matrix"] == key}
        assert {k: v for k, v in got.items() if v} == expected, key


def test_coverage_totals_count_distinct_models(transport: InProcessTransport) -> None:
    report = build.build_coverage(transport)
    assert report.total == len(fx.models())
    platform_format = report.matrices[0]
    totals = {r.value: r.count for r in platform_format.rows}
    assert totals == fx.mix(fx.models(), "platform")  # a model with two formats counts once
    assert totals["huggingface"] < sum(platform_format.counts[0])


def test_coverage_markdown_and_html_show_tables_and_heatmaps(
    transport: InProcessTransport,
) -> None:
    report = build.build_coverage(transport)
    md = md_rows(render(report, "md"))
    assert ["Text Generation", "7", "·", "1", "·", "8"] in md
    html = render(report, "html")
    charts = svgs(html)
    assert len(charts) == 3
    cells = [t.text for g in charts[2].iter(f"{SVG_NS}g") for t in g.iter(f"{SVG_NS}title")]
    assert "Text Generation × Kaggle Models: 1" in cells
    assert html.count("<table") == 3


def test_coverage_follows_a_modality_filter(transport: InProcessTransport) -> None:
    report = build.build_coverage(transport, modality="audio")
    assert report.total == 1
    assert [m.rows[0].value for m in report.matrices[:2]] == ["huggingface", "huggingface"]
    assert report.matrices[2].rows[0].value == "automatic-speech-recognition"


@pytest.mark.parametrize("fmt_name", ["md", "html", "csv", "json"])
def test_coverage_of_an_empty_catalog_says_so(fresh_engine: object, fmt_name: str) -> None:
    report = build.build_coverage(InProcessTransport(fresh_engine))  # type: ignore[arg-type]
    text = render(report, fmt_name)
    assert report.total == 0
    if fmt_name in ("md", "html"):
        assert "The catalog is empty" in text
    elif fmt_name == "csv":
        assert text.strip() == "matrix,row,row_label,column,column_label,count"
    else:
        assert json.loads(text)["total"] == 0


def test_the_license_mix_accounts_for_every_model(fresh_engine: Engine) -> None:
    # More licenses than the mix lists (20), and models that state none.
    records = [record(f"org/m{i}", license=f"license-{i:02d}") for i in range(24)]
    records += [record("org/popular-a", license="mit"), record("org/popular-b", license="mit")]
    records += [record(f"org/unlicensed{i}") for i in range(3)]
    with Session(fresh_engine) as session:
        load(session, records)
        session.commit()
    report = build.build_landscape(InProcessTransport(fresh_engine), top=3)
    assert report.total == 29
    assert len(report.licenses) == 20
    assert (report.other_licenses, report.without_license) == (5, 3)

    rows = md_rows(render(report, "md"))
    start = rows.index(["license", "models", "share"])
    mix = rows[start + 2 : start + 2 + 22]
    assert mix[0][:2] == ["MIT License", "2"]
    assert mix[-2:] == [["other licenses", "5", "17%"], ["no license stated", "3", "10%"]]
    assert sum(int(row[1]) for row in mix) == report.total

    html_text = render(report, "html")
    assert "other licenses" in html_text
    assert "no license stated" in html_text


def test_landscape_shows_usage_weights_and_effective_license(
    transport: InProcessTransport,
) -> None:
    report = build.build_landscape(transport, task=TASK, top=20)
    by_ref = {m.ref: m for m in report.models}
    llama = by_ref["huggingface:meta-llama/Llama-3.1-8B-Instruct"]
    assert llama.uses == ("fine-tune", "zero-shot")  # trainable weights, instruction-tuned
    assert llama.effective_license == "llama3.1 (restricted-custom)"
    gguf = by_ref["huggingface:bartowski/QwQ-32B-Preview-GGUF"]
    assert "fine-tune" not in gguf.uses  # an inference export
    rows = list(csv.DictReader(io.StringIO(render(report, "csv"))))
    assert {r["ref"]: r["effective_license"] for r in rows}[llama.ref] == (
        "llama3.1 (restricted-custom)"
    )
    assert "| uses | weights |" in render(report, "md").replace("  ", " ")
