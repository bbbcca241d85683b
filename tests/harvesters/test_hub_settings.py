"""A hub's settings live with the hub; the names users already set keep working."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy.engine import URL

from catalog.settings import Settings
from harvesters.registry import harvester_class
from tests.cli import catalog_env, run_catalog

# (platform, option, the variable users set before the option moved into the hub)
LEGACY = [
    ("huggingface", "url", "HF_ENDPOINT"),
    ("huggingface", "token", "HF_TOKEN"),
    ("kaggle", "url", "CATALOG_KAGGLE_API_URL"),
    ("onnx-model-zoo", "url", "CATALOG_ONNX_MANIFEST_URL"),
    ("tfhub", "url", "CATALOG_TFHUB_ARCHIVE_URL"),
    ("pytorch-hub", "url", "CATALOG_PYTORCH_HUB_ARCHIVE_URL"),
]


def _option(platform: str, option: str) -> object:
    harvester = harvester_class(platform).from_settings(Settings())
    try:
        value = getattr(harvester.config, option)
    finally:
        harvester.close()
    return value.get_secret_value() if hasattr(value, "get_secret_value") else value


@pytest.mark.parametrize(("platform", "option", "variable"), LEGACY)
def test_names_users_already_set_keep_working(
    monkeypatch: pytest.MonkeyPatch, platform: str, option: str, variable: str
) -> None:
    monkeypatch.setenv(variable, "http://mirror.local/source")
    assert _option(platform, option) == "http://mirror.local/source"


@pytest.mark.parametrize(("platform", "option", "variable"), LEGACY)
def test_the_hub_setting_wins_over_the_old_name(
    monkeypatch: pytest.MonkeyPatch, platform: str, option: str, variable: str
) -> None:
    monkeypatch.setenv(variable, "http://old.local")
    hub = platform.upper().replace("-", "_")
    monkeypatch.setenv(f"CATALOG_HARVESTERS__{hub}__{option.upper()}", "http://new.local")
    assert _option(platform, option) == "http://new.local"


def test_an_empty_old_variable_counts_as_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_TOKEN", "")
    assert _option("huggingface", "token") is None


def test_a_token_prints_masked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_TOKEN", "hf_SecretValue123")
    harvester = harvester_class("huggingface").from_settings(Settings())
    harvester.close()
    assert "hf_SecretValue123" not in repr(harvester.config)
    assert "hf_SecretValue123" not in str(harvester.config.model_dump())


def test_an_unknown_hub_option_fails_the_run_naming_the_setting(
    fresh_db_url: URL, tmp_path: Path
) -> None:
    env = catalog_env(
        DATABASE_URL=fresh_db_url.render_as_string(hide_password=False),
        CATALOG_HOME=str(tmp_path),
        CATALOG_HARVESTERS__ONNX_MODEL_ZOO__PAGE_SIZ="5",
    )
    result = run_catalog("harvest", "onnx-model-zoo", "--json", env=env)
    assert result.returncode == 1
    [run] = json.loads(result.stdout)
    assert run["status"] == "failed"
    assert run["error"] == (
        "invalid configuration of onnx-model-zoo: CATALOG_HARVESTERS__ONNX_MODEL_ZOO__PAGE_SIZ: "
        "Extra inputs are not permitted"
    )
