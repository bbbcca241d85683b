"""`catalog harvest civitai` through the installed executable, against the fake API:
progress and summary, `catalog status`, a report, GraphQL facets that show Civitai, and
families reached through the base models' lineage."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine
from sqlalchemy.engine import URL

from api.reports.client import InProcessTransport
from tests.cli import catalog_env, run_catalog
from tests.harvesters.civitai.fake_civitai import FakeCivitai, running

from .conftest import TOKEN, fixture_models

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
FACETS = """
query {
  models(filter: {platforms: ["civitai"], nsfw: true}, first: 100) {
    totalCount
    facets(fields: [PLATFORM, TASK, FORMAT, LICENSE]) { field buckets { value count } }
  }
  lora: model(ref: "civitai:122359") {
    name author license formats { slug }
    baseModels { relation parentRef }
    family { slug path }
  }
  flux: model(ref: "civitai:1231067") { family { slug path } }
}
"""


@pytest.fixture
def fake() -> Iterator[FakeCivitai]:
    with running(FakeCivitai(fixture_models(), token=TOKEN)) as server:
        yield server


def test_catalog_harvests_civitai_with_progress_and_a_summary(
    fake: FakeCivitai, fresh_db_url: URL, tmp_path: Path
) -> None:
    env = catalog_env(
        DATABASE_URL=fresh_db_url.render_as_string(hide_password=False),
        CATALOG_HOME=str(tmp_path / "home"),
        CATALOG_HARVESTERS__CIVITAI__URL=fake.base_url,
        CATALOG_HARVESTERS__CIVITAI__PAGE_SIZE="5",
        CIVITAI_API_TOKEN=TOKEN,
        # Draw the progress bar as on a terminal, though stderr is a pipe here.
        TTY_COMPATIBLE="1",
        TTY_INTERACTIVE="1",
        COLUMNS="200",
    )
    listed = run_catalog("harvest", "--help", env=env)
    assert "civitai" in listed.stdout

    harvest = run_catalog("harvest", "civitai", env=env)
    assert harvest.returncode == 0, harvest.stderr
    assert "pages, " in harvest.stderr
    assert "models" in harvest.stderr
    summary = ANSI.sub("", harvest.stdout)
    [row] = [line for line in summary.splitlines() if "civitai" in line]
    cells = [cell.strip() for cell in row.strip("│ ").split("│")]
    assert cells[2:6] == ["full", "succeeded", "20", "19"]  # kind, status, seen, new
    assert TOKEN not in harvest.stdout + harvest.stderr
    assert set(fake.authorizations) == {f"Bearer {TOKEN}"}

    again = run_catalog("harvest", "civitai", "--json", env=env)
    assert again.returncode == 0, again.stderr
    [run] = json.loads(again.stdout)
    assert (run["kind"], run["status"], run["counts"]["new"]) == ("incremental", "succeeded", 0)
    assert fake.requests[-1]["sort"] == ["Newest"]

    status = run_catalog("status", "--json", env=env)
    assert status.returncode == 0, status.stderr
    platforms = {p["platform"]: p for p in json.loads(status.stdout)["platforms"]}
    assert (platforms["civitai"]["name"], platforms["civitai"]["models"]) == ("Civitai", 19)

    report = run_catalog("report", "coverage", "--platform", "civitai", "--format", "md", env=env)
    assert report.returncode == 0, report.stderr
    assert "civitai" in report.stdout.lower()
    assert "safetensors" in report.stdout.lower()
    # Reports leave out the three NSFW models unless asked to include them.
    totals = {}
    for extra in ((), ("--nsfw",)):
        coverage = run_catalog(
            "report", "coverage", "--platform", "civitai", "--format", "json", *extra, env=env
        )
        assert coverage.returncode == 0, coverage.stderr
        totals[extra] = json.loads(coverage.stdout)["total"]
    assert totals == {(): 16, ("--nsfw",): 19}

    engine = create_engine(fresh_db_url)
    try:
        data = InProcessTransport(engine).execute(FACETS, {})
    finally:
        engine.dispose()
    facets = {
        f["field"]: {b["value"]: b["count"] for b in f["buckets"]} for f in data["models"]["facets"]
    }
    assert facets["PLATFORM"] == {"civitai": data["models"]["totalCount"]} == {"civitai": 19}
    assert facets["TASK"]["text-to-image"] >= 10
    assert {"safetensors", "pytorch", "gguf"} <= set(facets["FORMAT"])
    assert "creativeml-openrail-m" in facets["LICENSE"]
    lora = data["lora"]
    assert (lora["name"], lora["author"], lora["license"]) == (
        "Detail Tweaker XL",
        "w4r10ck",
        "openrail++",
    )
    [base] = lora["baseModels"]
    assert base["relation"] == "adapter"
    assert base["parentRef"] == "huggingface:stabilityai/stable-diffusion-xl-base-1.0"
    # The base model's lineage puts Civitai models in their base's family.
    assert lora["family"]["path"] == ["stable-diffusion", "sdxl", "stable-diffusion-xl-base-1.0"]
    assert data["flux"]["family"]["path"][:2] == ["flux", "flux-1"]
