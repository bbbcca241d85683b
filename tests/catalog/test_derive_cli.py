"""`catalog derive` through the installed executable, against a real database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import Engine, text
from sqlalchemy.engine import URL
from sqlalchemy.orm import Session

from catalog.records import LineageRef
from tests.factories import load, record

CATALOG = Path(sys.executable).with_name("catalog")


def run(*args: str, url: URL) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in {"TEST_DATABASE_URL", "CATALOG_HOME"}}
    env["DATABASE_URL"] = url.render_as_string(hide_password=False)
    return subprocess.run(
        [str(CATALOG), "derive", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_rebuild_derives_a_catalog_that_predates_the_derived_layer(
    fresh_engine: Engine, fresh_db_url: URL
) -> None:
    with Session(fresh_engine) as session:
        load(
            session,
            [
                record("org/base", license="gemma", formats=["safetensors"]),
                record("org/ft", lineage=[LineageRef("huggingface", "org/base", "finetune")]),
                record("org/embed", tasks=["sentence-similarity"], license="mit"),
            ],
        )
        # As after an upgrade: models loaded by an older version have no derivation.
        session.execute(text("DELETE FROM model_derivations; DELETE FROM model_usages"))
        session.commit()

    before = run("status", url=fresh_db_url)
    assert before.returncode == 0, before.stderr
    assert "0 of 3 models derived" in before.stdout
    assert "run `catalog derive rebuild`" in before.stdout

    rebuilt = run("rebuild", "--json", "--chunk", "2", url=fresh_db_url)
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert json.loads(rebuilt.stdout)["models"] == 3

    after = json.loads(run("status", "--json", url=fresh_db_url).stdout)
    assert (after["models"], after["derived"]) == (3, 3)
    assert after["usages"] == {"feature-extraction": 1, "fine-tuning": 1, "zero-shot": 0}
    # org/ft states no license of its own: bound by Gemma's terms, and by unknown ones.
    assert after["license_classes"] == {
        "copyleft": 0,
        "non-commercial": 0,
        "permissive": 1,
        "restricted-custom": 1,
        "unknown": 1,
    }


def test_an_unmigrated_database_is_one_clear_line(fresh_db_url: URL, server_url: URL) -> None:
    from tests import pg

    name = pg.unique_name("catalog_empty")
    url = pg.create_database(server_url, name)
    try:
        result = run("rebuild", url=url)
    finally:
        pg.drop_database(server_url, name)
    assert result.returncode != 0
    (line,) = result.stderr.strip().splitlines()  # one line, no traceback
    assert line.startswith("error: ")
    assert "catalog db upgrade" in line
