"""`catalog families` through the installed executable, against a real database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.engine import URL
from sqlalchemy.orm import Session

from catalog.records import LineageRef
from tests.factories import load, record

CATALOG = str(Path(sys.executable).parent / "catalog")


def run_catalog(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    full_env = {k: v for k, v in os.environ.items() if k not in {"TEST_DATABASE_URL"}}
    full_env.update(env)
    return subprocess.run(
        [CATALOG, *args], env=full_env, capture_output=True, text=True, timeout=120, check=False
    )


def test_rebuild_then_explain(fresh_db_url: URL, fresh_engine: Engine, tmp_path: Path) -> None:
    with Session(fresh_engine) as session:
        load(
            session,
            [
                record("microsoft/resnet-50", extra={"model_type": "resnet"}),
                record(
                    "lab/cats",
                    lineage=[LineageRef("huggingface", "microsoft/resnet-50", "finetune")],
                ),
                record("acme/AcmeNet-small"),
            ],
        )
        session.commit()
    env = {"DATABASE_URL": fresh_db_url.render_as_string(hide_password=False)}

    done = run_catalog("families", "rebuild", "--json", env=env)
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert (summary["models"], summary["assigned"]) == (3, 2)
    assert summary["by_method"] == {"architecture": 1, "lineage": 1}

    explained = run_catalog("families", "explain", "huggingface:lab/cats", env=env)
    assert explained.returncode == 0, explained.stderr
    assert "family: resnet-50 (resnet > resnet-50)" in explained.stdout
    assert "method: lineage" in explained.stdout
    assert "base huggingface:microsoft/resnet-50: resnet-50" in explained.stdout

    mine = tmp_path / "mine.yaml"
    mine.write_text("families:\n  - {slug: acme-net, name: AcmeNet}\n")
    text_run = run_catalog("families", "rebuild", env={**env, "CATALOG_FAMILIES_FILE": str(mine)})
    assert text_run.returncode == 0, text_run.stderr
    assert "3 of 3 models have a family" in text_run.stdout


def test_mistakes_are_one_line(fresh_db_url: URL, tmp_path: Path) -> None:
    env = {"DATABASE_URL": fresh_db_url.render_as_string(hide_password=False)}
    unknown = run_catalog("families", "explain", "huggingface:no/such-model", env=env)
    assert unknown.returncode == 1
    assert unknown.stderr.strip() == (
        "error: unknown model 'huggingface:no/such-model' (write it as <platform>:<externalId>)"
    )
    broken = tmp_path / "broken.yaml"
    broken.write_text("families:\n  - {slug: x-net, parent: nowhere}\n")
    bad = run_catalog("families", "rebuild", env={**env, "CATALOG_FAMILIES_FILE": str(broken)})
    assert bad.returncode == 1
    assert bad.stderr.strip() == (f"error: {broken}: family 'x-net' names unknown parent 'nowhere'")
