"""Usage errors of the installed `catalog` executable: exit code 2, usage and one error line."""

from __future__ import annotations

from pathlib import Path

import pytest

from harvesters import registry
from tests.cli import catalog_env, run_catalog

# Nothing listens on port 1: a command that got past parsing would fail differently.
NO_DATABASE = "postgresql://postgres@127.0.0.1:1/none"


@pytest.mark.parametrize(
    ("args", "usage", "named"),
    [
        (
            ["harvest", "nosuchhub"],
            "catalog harvest",
            f"unknown platform 'nosuchhub'; choose from {', '.join([*registry.slugs(), 'all'])}",
        ),
        (["harvest"], "catalog harvest", "Missing argument 'PLATFORM'"),
        (["nosuchcommand"], "catalog", "No such command 'nosuchcommand'"),
        (["harvest", "onnx-model-zoo", "--limit", "abc"], "catalog harvest", "'--limit'"),
        (["harvest", "onnx-model-zoo", "--limit", "0"], "catalog harvest", "'--limit'"),
        (["status", "--runs", "x"], "catalog status", "'--runs'"),
        (["report", "compare"], "catalog report compare", "Missing argument 'REF'"),
        (["report", "landscape", "--top", "0"], "catalog report landscape", "'--top'"),
        (["report", "coverage", "-f", "pdf"], "catalog report coverage", "unknown format 'pdf'"),
        (["up", "--port", "99999"], "catalog up", "'--port'"),
        (["serve", "--port", "0"], "catalog serve", "'--port'"),
        (["serve", "--port", "http"], "catalog serve", "'--port'"),
    ],
)
def test_usage_errors_exit_2_with_the_usage_and_what_was_wrong(
    args: list[str], usage: str, named: str, tmp_path: Path
) -> None:
    env = catalog_env(DATABASE_URL=NO_DATABASE, CATALOG_HOME=str(tmp_path / "home"))
    result = run_catalog(*args, env=env, timeout=60)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert lines[0].startswith(f"Usage: {usage} "), result.stderr
    assert lines[-1].startswith("Error: "), result.stderr
    assert named in lines[-1]
    assert len(lines) <= 4, result.stderr


@pytest.mark.parametrize(
    ("variables", "config", "named"),
    [
        (
            {"CATALOG_REMOVAL_THRESHOLD": "5"},
            None,
            "invalid setting CATALOG_REMOVAL_THRESHOLD (`removal_threshold` in the "
            "CATALOG_CONFIG file): Input should be less than or equal to 1 (got '5')",
        ),
        ({}, "removal_treshold = 0.1\n", "unknown setting `removal_treshold`; did you mean"),
        (
            {},
            'hf_endpoint = "http://mirror.local"\n',
            "unknown setting `hf_endpoint`; it moved: set `url` in a [harvesters.huggingface]",
        ),
        ({}, "removal_threshold = [\n", "is not valid TOML"),
        ({"CATALOG_CONFIG": "/nonexistent/catalog.toml"}, None, "which is not a file"),
    ],
)
def test_bad_settings_stop_every_command_with_one_line_and_exit_2(
    variables: dict[str, str], config: str | None, named: str, tmp_path: Path
) -> None:
    """A typo in a setting is named, never ignored (a default used silently) nor a
    traceback."""
    env = catalog_env(DATABASE_URL=NO_DATABASE, CATALOG_HOME=str(tmp_path / "home"), **variables)
    if config is not None:
        (tmp_path / "catalog.toml").write_text(config)
        env["CATALOG_CONFIG"] = str(tmp_path / "catalog.toml")
    result = run_catalog("status", env=env, timeout=60)
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip().splitlines() == [result.stderr.strip()], result.stderr
    assert result.stderr.startswith("error: ")
    assert named in result.stderr
