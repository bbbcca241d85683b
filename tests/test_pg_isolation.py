"""Each test run has an embedded server of its own, shared by its xdist workers."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from tests import pg

ROOT = Path(__file__).parents[1]

# Reports where the server each worker of a nested run connects to keeps its data.
PROBE = """
import os
from pathlib import Path

from sqlalchemy import create_engine, text


def test_report_the_data_directory(server_url):
    engine = create_engine(server_url)
    with engine.connect() as conn:
        directory = conn.execute(text("SHOW data_directory")).scalar_one()
    engine.dispose()
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    (Path(os.environ["PROBE_OUT"]) / worker).write_text(directory)
"""


def _nested_run(where: Path) -> subprocess.Popen[str]:
    """Start `pytest -n 2 --dist each` on the probe from directory `where` (no server set)."""
    (where / "conftest.py").write_text("from tests.conftest import *  # noqa: F403\n")
    (where / "test_probe.py").write_text(PROBE)
    (where / "out").mkdir()
    unset = {"TEST_DATABASE_URL", "DATABASE_URL", pg.RUN_SERVER_URL}
    env = {k: v for k, v in os.environ.items() if k not in unset and not k.startswith("PYTEST_")}
    env.update(PYTHONPATH=str(ROOT), PROBE_OUT=str(where / "out"))
    return subprocess.Popen(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-n", "2"]
        + ["--dist", "each", "test_probe.py"],
        cwd=where,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


@pytest.mark.skipif(sys.version_info >= (3, 13), reason="pgserver has wheels for < 3.13 only")
def test_two_runs_at_once_each_get_a_server_of_their_own(tmp_path: Path) -> None:
    runs = {name: tmp_path / name for name in ("checkout-a", "checkout-b")}
    procs = {}
    for name, where in runs.items():
        where.mkdir()
        procs[name] = _nested_run(where)
    directories = {}
    for name, proc in procs.items():
        output, _ = proc.communicate(timeout=240)
        assert proc.returncode == 0, output
        reports = {p.name: p.read_text() for p in (runs[name] / "out").iterdir()}
        assert set(reports) == {"gw0", "gw1"}
        assert len(set(reports.values())) == 1, reports  # the workers of a run share one
        directories[name] = Path(reports["gw0"])
    assert directories["checkout-a"] != directories["checkout-b"]
    for directory in directories.values():
        assert directory.is_relative_to(Path(tempfile.gettempdir()).resolve())
        assert not directory.exists()  # stopped and removed when its run ended
        assert not directory.parent.exists()
