"""`catalog report ...` as a user runs it: in process on DATABASE_URL, or --endpoint."""

from __future__ import annotations

import csv
import dataclasses
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from sqlalchemy.engine import URL

from api.reports import build, cli
from api.reports.client import HttpTransport, InProcessTransport
from tests.reports import fixture_catalog as fx

CATALOG = Path(sys.executable).with_name("catalog")
LLAMA = "huggingface:meta-llama/Llama-3.1-8B-Instruct"
GEMMA = "kaggle:google/gemma/keras/gemma_2b_en"


@pytest.fixture
def run(catalog_url: URL, tmp_path: Path):  # noqa: ANN201 - a command runner
    """Run `catalog report ...` in a child process against the fixture catalog."""
    env = {
        **os.environ,
        "DATABASE_URL": catalog_url.render_as_string(hide_password=False),
        "CATALOG_HOME": str(tmp_path / "home"),
    }

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(CATALOG), "report", *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    return run


def test_compare_writes_html_chosen_by_the_output_suffix(run, tmp_path: Path) -> None:  # noqa: ANN001
    out = tmp_path / "compare.html"
    done = run("compare", LLAMA, GEMMA, "--output", str(out))
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    assert f"wrote compare report (html) to {out}" in done.stderr
    html = out.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>")
    assert "Comparison of 2 models" in html
    assert "<td>6,407,299</td><td>250,000</td>" in html


def test_unknown_refs_exit_non_zero_with_one_error(run) -> None:  # noqa: ANN001
    done = run("compare", LLAMA, "huggingface:meta-llama/Llama-3.1-8B-Instruc", "kaggle:nope")
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr.startswith("error: unknown model refs")
    assert "Llama-3.1-8B-Instruc: did you mean " + LLAMA in done.stderr
    assert "kaggle:nope" in done.stderr
    assert "Traceback" not in done.stderr


def test_landscape_csv_through_a_running_server(run, endpoint: str) -> None:  # noqa: ANN001
    done = run(
        "landscape", "--task", "text-generation", "--top", "3", "-f", "csv", "--endpoint", endpoint
    )
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    assert [r["ref"] for r in rows] == [
        fx.ref(m) for m in fx.top_by_downloads("text-generation", 3)
    ]


@pytest.mark.parametrize(
    ("given", "output", "chosen"),
    [
        (None, None, "md"),
        (None, "r.HTML", "html"),
        (None, "r.csv", "csv"),
        ("json", "r.md", "json"),
    ],
)
def test_the_format_comes_from_the_option_else_the_output_suffix(
    given: str | None, output: str | None, chosen: str
) -> None:
    assert cli._format(given, Path(output) if output else None) == chosen


def test_a_bad_format_is_a_usage_error() -> None:
    with pytest.raises(typer.BadParameter, match="unknown format 'pdf': use one of md, html, csv"):
        cli._format("pdf", None)


def test_http_and_in_process_reports_agree(transport: InProcessTransport, endpoint: str) -> None:
    http = HttpTransport(endpoint)

    def strip(report: object) -> dict[str, object]:
        doc = dataclasses.asdict(report)  # type: ignore[call-overload]
        doc.pop("meta")
        return doc

    assert strip(build.build_compare(http, [LLAMA, GEMMA])) == strip(
        build.build_compare(transport, [LLAMA, GEMMA])
    )
    assert strip(build.build_landscape(http, task="text-generation")) == strip(
        build.build_landscape(transport, task="text-generation")
    )
    assert strip(build.build_coverage(http)) == strip(build.build_coverage(transport))
    http.close()
