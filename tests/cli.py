"""Run the installed `catalog` executable the way a user does: a child process, pipes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

# The console script pip installed next to this interpreter (.venv/bin/catalog).
CATALOG = Path(sys.executable).with_name("catalog")

# Variables of the test run that a user's shell would not have.
TEST_ONLY = {"DATABASE_URL", "TEST_DATABASE_URL", "CATALOG_HOME"}


def catalog_env(**overrides: str) -> dict[str, str]:
    """The test run's environment without its database settings, plus `overrides`."""
    env = {k: v for k, v in os.environ.items() if k not in TEST_ONLY}
    env.update(overrides)
    return env


def run_catalog(
    *args: str, env: dict[str, str], timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """Run `catalog ARGS...` with stdout and stderr as pipes (never a terminal)."""
    return subprocess.run(
        [str(CATALOG), *args],
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
