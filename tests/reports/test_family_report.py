"""`catalog report family`: one family across hubs, in every format, from GraphQL."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine
from sqlalchemy.engine import URL
from sqlalchemy.orm import Session

from api.reports import build
from api.reports.client import InProcessTransport, ReportError
from api.reports.family import build_family
from api.reports.render import render
from catalog.families.recompute import rebuild_families
from catalog.families.vocabulary import load_vocabulary
from catalog.records import FormatRecord, LineageRef
from tests import pg
from tests.factories import load, record

CATALOG = Path(sys.executable).with_name("catalog")


def _child(external_id: str, parent: str, relation: str, **kw) -> object:  # noqa: ANN003
    return record(external_id, lineage=[LineageRef("huggingface", parent, relation)], **kw)


RECORDS = [
    record("microsoft/resnet-50", extra={"model_type": "resnet"}, downloads=900,
           parameters=25_600_000, formats=["safetensors", "pytorch"]),
    record("timm/resnet101.a1h_in1k", library="timm", downloads=400, parameters=44_500_000,
           formats=["safetensors"]),
    record("ResNet50-caffe2", platform="onnx-model-zoo", tags=["vision", "resnet"],
           formats=["onnx"]),
    record("tensorflow/resnet-50", platform="kaggle", name="ResNet-50", downloads=300,
           formats=["tensorflow", "tflite"]),
    record("pytorch_vision_resnet", platform="pytorch-hub", name="ResNet",
           formats=[FormatRecord("pytorch", ({"entrypoint": "resnet50"},))]),
    _child("lab/resnet-50-cats", "microsoft/resnet-50", "finetune", downloads=5),
    _child("lab/resnet-50-int8", "microsoft/resnet-50", "quantized", downloads=4),
    record("openai/whisper-small", extra={"model_type": "whisper"}, downloads=600),
]  # fmt: skip


@pytest.fixture(scope="module")
def catalog_url(server_url: URL, template_db: str) -> Iterator[URL]:
    name = pg.unique_name("catalog_family_report")
    url = pg.create_database(server_url, name, template=template_db)
    engine = create_engine(url)
    with Session(engine) as session:
        load(session, RECORDS)
        rebuild_families(session, load_vocabulary())
        session.commit()
    engine.dispose()
    yield url
    pg.drop_database(server_url, name)


@pytest.fixture(scope="module")
def transport(catalog_url: URL) -> Iterator[InProcessTransport]:
    engine: Engine = create_engine(catalog_url)
    yield InProcessTransport(engine)
    engine.dispose()


def report(transport: InProcessTransport, slug: str = "resnet", top: int = 2):  # noqa: ANN201
    meta = build._meta(f"Family: {slug}", transport, build.utc_now, family=slug)
    return build_family(transport, slug, top=top, meta=meta)


def test_json_has_hubs_formats_releases_lineage_and_top_models(transport) -> None:  # noqa: ANN001
    doc = json.loads(render(report(transport), "json"))
    assert doc["kind"] == "family"
    assert (doc["slug"], doc["name"], doc["family_kind"], doc["total"]) == (
        "resnet", "ResNet", "architecture", 7,
    )  # fmt: skip
    hubs = {h["value"]: h["count"] for h in doc["hubs"]}
    assert hubs == {"huggingface": 4, "onnx-model-zoo": 1, "kaggle": 1, "pytorch-hub": 1}
    releases = {r["slug"]: r for r in doc["releases"]}
    assert set(releases) == {"resnet-50", "resnet-101"}
    # HF, ONNX, Kaggle, PyTorch Hub (its one entrypoint is resnet50) and two derivatives
    assert releases["resnet-50"]["models"] == 6
    assert releases["resnet-50"]["parameters"] == 25_600_000  # of its most downloaded model
    lineage = doc["lineage"]
    relations = [c["value"] for c in lineage["columns"]]
    hf_row = lineage["counts"][[r["value"] for r in lineage["rows"]].index("huggingface")]
    assert dict(zip(relations, hf_row, strict=True)) == {
        "finetune": 1, "adapter": 0, "quantized": 1, "merge": 0,
    }  # fmt: skip
    top = {t["platform"]: [m["ref"] for m in t["models"]] for t in doc["top"]}
    assert top["huggingface"] == [
        "huggingface:microsoft/resnet-50",
        "huggingface:timm/resnet101.a1h_in1k",
    ]


def test_markdown_and_csv_agree(transport) -> None:  # noqa: ANN001
    built = report(transport)
    text = render(built, "md")
    assert text.startswith("# Family: ResNet")
    assert "## Hubs × formats" in text
    assert "| ResNet-50 | 25.6M | 6 | 3 | 1 | 1 | 1 |" in text
    rows = list(csv.reader(io.StringIO(render(built, "csv"))))
    assert rows[0] == ["section", "row", "row_label", "column", "column_label", "value"]
    cells = {(r[0], r[1], r[3]): r[5] for r in rows[1:]}
    assert cells[("hub-format", "kaggle", "tflite")] == "1"
    assert cells[("release-hub", "resnet-50", "onnx-model-zoo")] == "1"
    assert cells[("lineage", "huggingface", "quantized")] == "1"
    assert cells[("release-parameters", "resnet-101", "")] == "44500000"


def test_html_is_one_file_with_heatmaps(transport) -> None:  # noqa: ANN001
    html = render(report(transport), "html")
    assert html.startswith("<!DOCTYPE html>")
    charts = [ET.fromstring(m) for m in re.findall(r"<svg .*?</svg>", html, flags=re.S)]
    assert len(charts) == 3  # hubs x formats, releases x hubs, derivatives
    assert "<script" not in html
    assert "Top models on Hugging Face Hub" in html


def test_a_family_without_models_and_an_unknown_one(transport) -> None:  # noqa: ANN001
    empty = render(report(transport, "bark"), "md")
    assert "No models of this family in the catalog yet." in empty
    with pytest.raises(ReportError, match="unknown family 'resnett'"):
        report(transport, "resnett")


def test_the_command_writes_html_and_refuses_unknown_families(
    catalog_url: URL, tmp_path: Path
) -> None:
    env = {**os.environ, "DATABASE_URL": catalog_url.render_as_string(hide_password=False)}
    out = tmp_path / "resnet.html"
    done = subprocess.run(
        [str(CATALOG), "report", "family", "resnet", "--output", str(out)],
        env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert f"wrote family report (html) to {out}" in done.stderr
    assert "Family: ResNet" in out.read_text(encoding="utf-8")
    bad = subprocess.run(
        [str(CATALOG), "report", "family", "resnett", "-f", "csv"],
        env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert bad.returncode == 1
    assert bad.stderr.startswith("error: unknown family 'resnett'")
    assert len(bad.stderr.strip().splitlines()) == 1


@pytest.mark.skipif(not Path("/usr/bin/chromium").exists(), reason="/usr/bin/chromium is absent")
def test_html_renders_in_chromium(transport, tmp_path: Path) -> None:  # noqa: ANN001
    from tests.reports.test_browser import PNG_MAGIC, open_in_chromium

    page = tmp_path / "family.html"
    page.write_text(render(report(transport), "html"), encoding="utf-8")
    opened = open_in_chromium(page, tmp_path)
    assert opened.console == []
    assert len(re.findall(r'<svg [^>]*class="chart"', opened.dom)) == 3
    assert len(re.findall(r"<table\b", opened.dom)) == 3 + 4  # matrices, then a table per hub
    assert opened.screenshot.read_bytes().startswith(PNG_MAGIC)
