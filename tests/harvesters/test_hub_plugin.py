"""A hub from a package of its own joins the catalog with no change to this repository.

The throwaway package below is what a third party ships: a harvester module, a demo
snapshot, and a dist-info whose entry point registers it in `model_catalog.hubs`. Put on
PYTHONPATH (as an installed package would be), `catalog db upgrade` writes its platform
row, `catalog demo` loads its snapshot, `catalog harvest tiny-hub` harvests it (and
removes the demo models it does not have), `catalog status` lists it, and its own
tests, outside this repository's tests/, pass the shared contract.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path
from textwrap import dedent

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL

from harvesters.demo.snapshot import write_snapshot
from harvesters.testing import HarvesterContract
from tests.cli import catalog_env, run_catalog

HARVESTER = '''\
"""Tiny Hub: models listed in one JSON file, served in pages of `page_size`."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import ClassVar

from pydantic import Field

from catalog.records import NormalizedModel
from harvesters.base import FetchContext, Harvester, HarvesterConfig, Page, RawRecord


class TinyConfig(HarvesterConfig):
    url: str = Field(default="https://tiny.example/models.json", description="Models file.")
    page_size: int = Field(default=3, ge=1, description="Models per page.")
    env_aliases: ClassVar[Mapping[str, str]] = {"url": "TINY_HUB_FILE"}


class TinyHarvester(Harvester):
    name = "tiny-hub"
    display_name = "Tiny Hub"
    home_url = "https://tiny.example"
    schedules = {"full": "every 12h"}
    config_class = TinyConfig

    def fetch(self, ctx: FetchContext) -> Iterator[Page]:
        models = json.loads(Path(self.config.url).read_text())
        size = self.config.page_size
        for start in range(int((ctx.resume or {}).get("offset", 0)), len(models), size):
            end = start + size
            records = [RawRecord(m["id"], m) for m in models[start:end]]
            yield Page(records, {"offset": end} if end < len(models) else None)

    def normalize(self, raw: RawRecord) -> NormalizedModel:
        return NormalizedModel(
            platform=self.name,
            external_id=raw.payload["id"],
            name=raw.payload["id"].rsplit("/", 1)[-1],
            tasks=tuple(raw.payload.get("tasks", ())),
        )
'''
CONFTEST = """\
import os

import pytest

pytest.register_assert_rewrite("harvesters.testing")

from harvesters.testing import migrated_database  # noqa: E402


@pytest.fixture
def fresh_engine():
    with migrated_database(os.environ["TEST_DATABASE_URL"]) as engine:
        yield engine
"""
CONTRACT = """\
import os

import pytest

from catalog.settings import Settings
from harvesters.testing import HarvesterContract


class TestTinyHubContract(HarvesterContract):
    platform = "tiny-hub"

    @pytest.fixture
    def harvester_settings(self):
        return Settings(harvesters={"tiny-hub": {"url": os.environ["TINY_MODELS"]}})
"""


@pytest.fixture
def tiny_hub(tmp_path: Path) -> dict[str, str]:
    """The package on a path of its own; returns the environment that makes it visible."""
    site = tmp_path / "site"
    (site / "tiny_hub").mkdir(parents=True)
    (site / "tiny_hub" / "__init__.py").write_text('"""Tiny Hub for model-catalog."""\n')
    (site / "tiny_hub" / "harvester.py").write_text(HARVESTER)
    dist = site / "tiny_hub-0.1.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: tiny-hub\nVersion: 0.1\n")
    (dist / "entry_points.txt").write_text(
        "[model_catalog.hubs]\ntiny-hub = tiny_hub.harvester:TinyHarvester\n"
    )
    models = [
        {"id": f"tiny/model-{i}", "tasks": ["image-classification"] if i % 2 else []}
        for i in range(7)
    ]
    (tmp_path / "models.json").write_text(json.dumps(models))
    demo = [{"id": f"tiny/demo-{i}", "tasks": ["image-classification"]} for i in range(2)]
    write_snapshot(
        site / "tiny_hub" / "demo" / "payloads.jsonl.gz",
        "tiny-hub",
        demo,
        as_of=dt.date(2025, 1, 31),
        source="made up for this test",
    )
    return {"PYTHONPATH": str(site), "TINY_MODELS": str(tmp_path / "models.json")}


def _platform_row(url: URL) -> tuple[str, str] | None:
    engine = create_engine(url)
    with engine.connect() as conn:
        row = conn.execute(text("select name, url from platforms where slug = 'tiny-hub'")).first()
    engine.dispose()
    return None if row is None else (row[0], row[1])


def test_catalog_harvests_a_hub_installed_from_another_package(
    tiny_hub: dict[str, str], fresh_db_url: URL, tmp_path: Path
) -> None:
    database = fresh_db_url.render_as_string(hide_password=False)
    env = catalog_env(
        DATABASE_URL=database,
        CATALOG_HOME=str(tmp_path / "home"),
        TINY_HUB_FILE=tiny_hub["TINY_MODELS"],  # the hub's own environment alias
        **tiny_hub,
    )
    assert _platform_row(fresh_db_url) is None
    upgraded = run_catalog("db", "upgrade", env=env)
    assert upgraded.returncode == 0, upgraded.stderr
    assert _platform_row(fresh_db_url) == ("Tiny Hub", "https://tiny.example")

    demo = run_catalog("demo", "--json", env=env)
    assert demo.returncode == 0, demo.stderr
    tiny = next(r for r in json.loads(demo.stdout) if r["platform"] == "tiny-hub")
    assert (tiny["status"], tiny["loaded"], tiny["as_of"]) == ("loaded", 2, "2025-01-31")

    result = run_catalog("harvest", "tiny-hub", "--json", env=env)
    assert result.returncode == 0, result.stderr
    [run] = json.loads(result.stdout)
    assert (run["platform"], run["status"], run["counts"]["new"]) == ("tiny-hub", "succeeded", 7)
    assert run["counts"]["removed"] == 2  # the demo models the hub does not have

    engine = create_engine(fresh_db_url)
    with engine.connect() as conn:
        tasks = conn.scalar(
            text(
                "select count(*) from model_tasks mt join models m on m.id = mt.model_id "
                "join platforms p on p.id = m.platform_id "
                "where p.slug = 'tiny-hub' and m.removed_at is null"
            )
        )
    engine.dispose()
    assert tasks == 3

    status = run_catalog("status", "--json", env=env)
    assert status.returncode == 0, status.stderr
    platforms = {p["platform"]: p for p in json.loads(status.stdout)["platforms"]}
    assert (platforms["tiny-hub"]["name"], platforms["tiny-hub"]["models"]) == ("Tiny Hub", 7)


def test_a_hub_package_runs_the_contract_from_its_own_tests(
    tiny_hub: dict[str, str], server_url: URL, tmp_path: Path
) -> None:
    tests = tmp_path / "hub_tests"  # not named `tests`: nothing of this repository's is used
    tests.mkdir()
    (tests / "conftest.py").write_text(CONFTEST)
    (tests / "test_tiny_contract.py").write_text(CONTRACT)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env.update(tiny_hub, TEST_DATABASE_URL=server_url.render_as_string(hide_password=False))
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tests)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    expected = len([n for n in dir(HarvesterContract) if n.startswith("test_")])
    assert result.returncode == 0, result.stdout[-4000:]
    assert f"{expected} passed" in result.stdout, dedent(result.stdout[-2000:])
