"""The HTML reports opened in headless Chromium: they render, log nothing to the console,
and the browser's DOM holds the tables and the SVG charts."""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from api.reports import build
from api.reports.client import InProcessTransport
from api.reports.render import render
from tests.chromium import ABSENT, CHROMIUM, OFFLINE_ARGS

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason=ABSENT)
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@dataclass(frozen=True)
class Opened:
    """What the browser made of a page."""

    dom: str
    console: list[str]
    screenshot: Path


def open_in_chromium(page: Path, tmp_path: Path) -> Opened:
    """Load `page` offline in headless Chromium: DOM after load, console lines, screenshot."""
    shot = tmp_path / f"{page.stem}.png"
    done = subprocess.run(
        [
            str(CHROMIUM),
            "--headless",
            *OFFLINE_ARGS,
            f"--user-data-dir={tmp_path / f'profile-{page.stem}'}",
            "--enable-logging=stderr",
            "--v=0",
            f"--screenshot={shot}",
            "--window-size=1280,2000",
            "--dump-dom",
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    # Our pages run no script, so any console line (an exception, a resource that
    # failed to load, a CSP complaint) is a defect.
    console = [
        line for line in done.stderr.splitlines() if ":CONSOLE" in line or "Uncaught" in line
    ]
    return Opened(done.stdout, console, shot)


def test_the_console_check_catches_a_broken_page(tmp_path: Path) -> None:
    page = tmp_path / "broken.html"
    page.write_text("<!DOCTYPE html><p>x</p><script>notDefined()</script>", encoding="utf-8")
    opened = open_in_chromium(page, tmp_path)
    assert any("Uncaught ReferenceError" in line for line in opened.console)


@pytest.fixture
def pages(transport: InProcessTransport, tmp_path: Path) -> dict[str, Path]:
    """The three HTML reports of the fixture catalog, written to files."""
    reports = {
        "compare": build.build_compare(
            transport,
            [
                "huggingface:meta-llama/Llama-3.1-8B-Instruct",
                "huggingface:bartowski/QwQ-32B-Preview-GGUF",
                "kaggle:google/gemma/keras/gemma_2b_en",
            ],
        ),
        "landscape": build.build_landscape(transport, task="text-generation"),
        "coverage": build.build_coverage(transport),
    }
    paths = {}
    for kind, report in reports.items():
        paths[kind] = tmp_path / f"{kind}.html"
        paths[kind].write_text(render(report, "html"), encoding="utf-8")
    return paths


@pytest.mark.parametrize(
    ("kind", "tables", "charts"),
    [("compare", 1, 0), ("landscape", 4, 2), ("coverage", 3, 3)],
)
def test_html_report_renders_in_chromium(
    pages: dict[str, Path], tmp_path: Path, kind: str, tables: int, charts: int
) -> None:
    opened = open_in_chromium(pages[kind], tmp_path)
    assert opened.console == []
    assert len(re.findall(r"<table\b", opened.dom)) == tables
    assert len(re.findall(r'<svg [^>]*class="chart"', opened.dom)) == charts
    assert "<script" not in opened.dom
    data = opened.screenshot.read_bytes()
    assert data.startswith(PNG_MAGIC)
    assert len(data) > 20_000  # a blank 1280x2000 page is ~12 kB
