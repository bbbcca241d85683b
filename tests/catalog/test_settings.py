"""Settings: environment variables, the TOML file, precedence and secrets."""

from __future__ import annotations

from pathlib import Path

import pytest

from catalog.settings import Settings


def test_toml_file_sets_values_and_the_environment_wins(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "catalog.toml"
    config.write_text(
        "removal_threshold = 0.1\n"
        'log_format = "json"\n'
        '[harvesters.huggingface]\npage_size = 200\nurl = "http://mirror.local"\n'
        '[schedules.pytorch_hub]\nfull = "off"\n'
    )
    monkeypatch.setenv("CATALOG_CONFIG", str(config))
    monkeypatch.setenv("CATALOG_REMOVAL_THRESHOLD", "0.2")
    settings = Settings()
    assert settings.log_format == "json"
    assert settings.removal_threshold == 0.2
    assert settings.harvesters == {"huggingface": {"page_size": 200, "url": "http://mirror.local"}}
    assert settings.schedules == {"pytorch-hub": {"full": "off"}}


def test_nested_environment_variables_name_platforms_with_underscores(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CATALOG_HARVESTERS__ONNX_MODEL_ZOO__PAGE_SIZE", "7")
    monkeypatch.setenv("CATALOG_SCHEDULES__HUGGINGFACE__INCREMENTAL", "every 30m")
    settings = Settings()
    assert settings.harvesters["onnx-model-zoo"] == {"page_size": "7"}
    assert settings.schedules["huggingface"] == {"incremental": "every 30m"}


def test_secrets_are_masked_when_settings_are_shown(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CATALOG_HARVESTERS__HUGGINGFACE__TOKEN", "hf_secret_value")
    monkeypatch.setenv("CATALOG_HARVESTERS__KAGGLE__API_KEY", "kaggle_secret_value")
    monkeypatch.setenv("CATALOG_HARVESTERS__KAGGLE__PAGE_SIZE", "20")
    monkeypatch.setenv("DATABASE_URL", "postgresql://u:pw@h/db")
    shown = Settings().redacted()
    assert shown["harvesters"]["huggingface"] == {"token": "**********"}
    assert shown["harvesters"]["kaggle"] == {"api_key": "**********", "page_size": "20"}
    assert "secret_value" not in repr(shown)
    assert "pw" not in str(shown["database_url"])
