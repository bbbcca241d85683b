"""Run the installed `catalog` executable as users do: a subprocess with its own env."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy.engine import URL

# The console script pip installed next to the interpreter running the tests.
CATALOG = str(Path(sys.executable).with_name("catalog"))
# Variables of the test process that must not leak into the command's settings.
PRIVATE = {"DATABASE_URL", "TEST_DATABASE_URL", "CATALOG_HOME", "HF_TOKEN"}


def catalog_env(url: URL, **variables: str) -> dict[str, str]:
    """The environment of a `catalog` command pointed at database `url`."""
    env = {k: v for k, v in os.environ.items() if k not in PRIVATE}
    env["DATABASE_URL"] = url.render_as_string(hide_password=False)
    env.update(variables)
    return env


def run_catalog(
    *args: str, env: dict[str, str], timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """Run `catalog ARGS...` to completion and capture its output."""
    return subprocess.run(
        [CATALOG, *args], env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


def start_catalog(*args: str, env: dict[str, str]) -> subprocess.Popen[str]:
    """Start `catalog ARGS...` in the background (stdout and stderr captured)."""
    return subprocess.Popen(
        [CATALOG, *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
