"""Settings from the environment (and an optional TOML file), declared once."""

from __future__ import annotations

import difflib
import os
import re
import tomllib
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import platformdirs
from pydantic import AliasChoices, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from catalog.errors import SettingsError

MASK = "**********"
_SECRET_OPTION = re.compile(r"token|secret|password|key$", re.IGNORECASE)


def _env(*names: str) -> AliasChoices:
    return AliasChoices(*names)


def default_home() -> Path:
    """The per-user data directory used when `CATALOG_HOME` is unset."""
    return Path(platformdirs.user_data_dir("model-catalog", appauthor=False))


class Settings(BaseSettings):
    """Every setting of the catalog. Environment variable names are part of the contract."""

    model_config = SettingsConfigDict(
        extra="ignore", populate_by_name=True, env_nested_delimiter="__"
    )

    database_url: SecretStr | None = Field(
        default=None,
        validation_alias=_env("DATABASE_URL"),
        description="PostgreSQL URL. Unset: an embedded PostgreSQL under CATALOG_HOME.",
    )
    catalog_home: Path = Field(
        default_factory=default_home,
        validation_alias=_env("CATALOG_HOME"),
        description="Directory for the embedded database and local state.",
    )
    harvesters: dict[str, dict[str, Any]] = Field(
        default_factory=dict,
        validation_alias=_env("CATALOG_HARVESTERS", "harvesters"),
        description="Per-hub options, validated by each hub's config class, e.g. "
        "CATALOG_HARVESTERS__HUGGINGFACE__PAGE_SIZE=500 or a [harvesters.huggingface] table "
        "in the TOML file. Each hub's source URL is its `url` option.",
    )
    schedules: dict[str, dict[str, str]] = Field(
        default_factory=dict,
        validation_alias=_env("CATALOG_SCHEDULES", "schedules"),
        description="Harvest schedules per platform and kind ('every 1h', a crontab, 'off'), "
        "e.g. CATALOG_SCHEDULES__HUGGINGFACE__INCREMENTAL='every 30m'.",
    )
    scheduler_tick_seconds: float = Field(
        default=60.0,
        gt=0,
        validation_alias=_env("CATALOG_SCHEDULER_TICK_SECONDS"),
        description="How often the scheduler checks which harvests are due.",
    )
    removal_threshold: float = Field(
        default=0.05,
        ge=0.0,
        le=1.0,
        validation_alias=_env("CATALOG_REMOVAL_THRESHOLD"),
        description="Largest share of a platform's models one full sweep may soft-delete.",
    )
    families_file: Path | None = Field(
        default=None,
        validation_alias=_env("CATALOG_FAMILIES_FILE"),
        description="Your own family vocabulary (YAML, the format of the built-in "
        "catalog/families/families.yaml): adds families and pins, or replaces a family of "
        "the same slug.",
    )
    statement_timeout_ms: int = Field(
        default=5000,
        validation_alias=_env("CATALOG_STATEMENT_TIMEOUT_MS"),
        description="Statement timeout for API requests, in milliseconds.",
    )
    api_workers: int | None = Field(
        default=None,
        ge=1,
        le=64,
        validation_alias=_env("CATALOG_API_WORKERS"),
        description="API worker processes, each answering one request at a time with one "
        "database connection; more requests wait in line. Unset: one per core (at least 2).",
    )
    api_queue_timeout_seconds: float = Field(
        default=30.0,
        gt=0,
        validation_alias=_env("CATALOG_API_QUEUE_TIMEOUT_SECONDS"),
        description="Longest wait of an API request for its turn before a 503.",
    )
    index_dir: str | None = Field(
        default=None,
        validation_alias=_env("CATALOG_INDEX_DIR"),
        description="Where the API keeps the search index its workers share. Set, it "
        "survives restarts: a new server maps the last index and patches it from the "
        "change log in seconds instead of rebuilding. Unset: a temporary directory, "
        "removed at shutdown.",
    )
    api_result_cache_size: int = Field(
        default=2048,
        ge=0,
        le=1_000_000,
        validation_alias=_env("CATALOG_API_RESULT_CACHE_SIZE"),
        description="Search results (facet counts, totals, pages, counts matrices) each "
        "API worker keeps per index snapshot for equal requests; 0 turns it off.",
    )
    api_request_budget_ms: int = Field(
        default=15_000,
        ge=100,
        validation_alias=_env("CATALOG_API_REQUEST_BUDGET_MS"),
        description="Time budget of one API request (each statement also has the "
        "statement timeout).",
    )
    cors_origins: list[str] = Field(
        default_factory=list,
        validation_alias=_env("CATALOG_CORS_ORIGINS"),
        description="Origins allowed by CORS on the API (JSON list).",
    )
    log_format: Literal["text", "json"] = Field(
        default="text",
        validation_alias=_env("CATALOG_LOG_FORMAT"),
        description="Log output: text or json.",
    )
    log_level: str = Field(
        default="INFO", validation_alias=_env("CATALOG_LOG_LEVEL"), description="Log level."
    )

    @field_validator("harvesters", "schedules", mode="after")
    @classmethod
    def _platform_keys(cls, value: dict[str, Any]) -> dict[str, Any]:
        """Environment variable names cannot hold '-': PYTORCH_HUB means pytorch-hub."""
        return {key.lower().replace("_", "-"): item for key, item in value.items()}

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Environment first, then the TOML file named by `CATALOG_CONFIG` (if any)."""
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        toml_path = os.environ.get("CATALOG_CONFIG")
        if toml_path:
            sources.append(_CheckedToml(settings_cls, toml_path))
        return tuple(sources)

    def redacted(self) -> dict[str, Any]:
        """Settings as a dict with secrets masked, safe to print.

        Hub options are not typed here (each hub validates its own): any whose name
        says token, secret, password or key is masked.
        """
        data = self.model_dump()
        for key, value in data.items():
            if isinstance(value, SecretStr):
                data[key] = MASK if value.get_secret_value() else None
        data["harvesters"] = {
            hub: {
                name: MASK if value and _SECRET_OPTION.search(name) else value
                for name, value in options.items()
            }
            for hub, options in self.harvesters.items()
        }
        return data


# Top-level names an older configuration file may hold for what is now a hub option: a
# file that sets one is told where it went rather than silently ignored.
_MOVED_KEYS = {
    "hf_endpoint": ("huggingface", "url"),
    "hf_token": ("huggingface", "token"),
    "kaggle_api_url": ("kaggle", "url"),
    "onnx_manifest_url": ("onnx-model-zoo", "url"),
    "tfhub_archive_url": ("tfhub", "url"),
    "pytorch_hub_archive_url": ("pytorch-hub", "url"),
}


class _CheckedToml(TomlConfigSettingsSource):
    """The `CATALOG_CONFIG` file: it must exist and parse, and every key must be a setting
    (a typo would otherwise be ignored and the default used without a word)."""

    def __init__(self, settings_cls: type[BaseSettings], path: str) -> None:
        if not Path(path).is_file():
            raise SettingsError(f"CATALOG_CONFIG names {path}, which is not a file")
        try:
            super().__init__(settings_cls, toml_file=path)
        except tomllib.TOMLDecodeError as exc:
            raise SettingsError(f"CATALOG_CONFIG file {path} is not valid TOML: {exc}") from None
        _check_keys(settings_cls, self.toml_data, path)


def _field_names(settings_cls: type[BaseSettings]) -> dict[str, str]:
    """Every name a setting answers to (its field name and its aliases) -> field name."""
    names = {name: name for name in settings_cls.model_fields}
    for name, field in settings_cls.model_fields.items():
        if isinstance(field.validation_alias, AliasChoices):
            names.update((str(alias), name) for alias in field.validation_alias.choices)
    return names


def _check_keys(settings_cls: type[BaseSettings], data: dict[str, Any], path: str) -> None:
    known = _field_names(settings_cls)
    for key in data:
        if key in known:
            continue
        if key.lower() in _MOVED_KEYS:
            hub, option = _MOVED_KEYS[key.lower()]
            hint = f"it moved: set `{option}` in a [harvesters.{hub}] table"
        else:
            close = difflib.get_close_matches(key, sorted(settings_cls.model_fields), n=1)
            hint = f"did you mean `{close[0]}`?" if close else "see README.md, Configuration"
        raise SettingsError(f"CATALOG_CONFIG file {path}: unknown setting `{key}`; {hint}")


def _explain(exc: ValidationError) -> str:
    """One line for every invalid value, named as the environment and the file name it."""
    problems = []
    for error in exc.errors():
        where = ".".join(str(part) for part in error["loc"])
        if where in _FIELD_OF:
            where = f"{where} (`{_FIELD_OF[where]}` in the CATALOG_CONFIG file)"
        secret = _SECRET_OPTION.search(where) or "DATABASE_URL" in where
        shown = "" if secret else f" (got {error.get('input')!r})"
        problems.append(f"{where}: {error['msg']}{shown}")
    return "invalid setting " + "; ".join(problems)


# Environment names (the keys pydantic reports errors under) -> the field's file key.
_FIELD_OF = {alias: name for alias, name in _field_names(Settings).items() if alias != name}


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings (read once).

    Raises:
        SettingsError: a setting is invalid, or the `CATALOG_CONFIG` file is missing,
            malformed or names an unknown setting.
    """
    try:
        return Settings()
    except ValidationError as exc:
        raise SettingsError(_explain(exc)) from None
