"""The harvester contract: `fetch` yields pages of raw payloads, `normalize` is pure.

A hub is one folder, e.g. `harvesters/<hub>/`, or a package of its own: `config.py` (a
`HarvesterConfig`: its source URL and options), `harvester.py` (a `Harvester` subclass
that says who it is in class attributes and whose `fetch` does the I/O), `parse.py`
(pure functions from a payload to a `NormalizedModel`) and its alias tables. It is
registered by one entry point in the `model_catalog.hubs` group (`harvesters.registry`).
The runner owns database sessions, batching, checkpoints, run records and deletion
sweeps; a harvester never sees a session.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal, Self

from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

from catalog.records import NormalizedModel
from catalog.settings import Settings

RunKind = Literal["full", "incremental"]


def settings_prefix(platform: str) -> str:
    """Prefix of a hub's environment settings: `CATALOG_HARVESTERS__PYTORCH_HUB__`."""
    return f"CATALOG_HARVESTERS__{platform.upper().replace('-', '_')}__"


class HarvestError(Exception):
    """Base of harvest errors; messages say what to do next."""


class RetriableHarvestError(HarvestError):
    """A transient failure (429, 5xx, timeout, broken body): worth retrying."""

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class FatalHarvestError(HarvestError):
    """A failure retrying will not fix (bad credentials, 4xx, bad config, retries spent).

    The run ends as failed; its checkpoint stays where the last committed batch left it.
    `status` is the HTTP status when an answer caused it.
    """

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class RecordError(HarvestError):
    """A problem with one record only; the record is quarantined and the run goes on."""


class HarvesterConfig(BaseModel):
    """Base of per-hub configuration: strict, documented fields.

    A hub's options are `CATALOG_HARVESTERS__<HUB>__<OPTION>` settings (a
    `[harvesters.<hub>]` table in the TOML file); `<HUB>` is the slug in upper case with
    `_` for `-`. Values from environment variables arrive as strings; a string that holds
    a JSON list or object (`CATALOG_HARVESTERS__HUGGINGFACE__AUTHORS='["google"]'`) is
    decoded. Secrets are `SecretStr` fields: they print as `**********`.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    env_aliases: ClassVar[Mapping[str, str]] = {}
    """Other environment variables a field is read from, field -> variable: names users
    set before the option moved here (`CATALOG_KAGGLE_API_URL`) or a hub's own convention
    (`HF_TOKEN`). The `CATALOG_HARVESTERS__...` setting wins when both are set; an empty
    variable counts as unset."""

    @classmethod
    def load(cls, values: Mapping[str, Any], environ: Mapping[str, str]) -> Self:
        """The configuration from explicit values over the hub's `env_aliases`.

        Args:
            values: Options from the settings (and per-run overrides).
            environ: The environment to read `env_aliases` from.

        Raises:
            pydantic.ValidationError: a value is invalid or an option unknown.
        """
        merged: dict[str, Any] = {
            name: environ[variable]
            for name, variable in cls.env_aliases.items()
            if environ.get(variable)
        }
        merged.update(values)
        return cls(**merged)

    @model_validator(mode="before")
    @classmethod
    def _decode_json_strings(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        decoded = dict(data)
        for key, value in data.items():
            if isinstance(value, str) and value.strip()[:1] in ("[", "{"):
                with contextlib.suppress(ValueError):  # not JSON: let validation say why
                    decoded[key] = json.loads(value)
        return decoded


def config_error(platform: str, exc: ValidationError) -> str:
    """One line for an invalid hub configuration: the first offending setting by its
    name, never its value (it may be a secret)."""
    first = exc.errors()[0]
    where = "__".join(str(p) for p in first["loc"]).upper()
    return (
        f"invalid configuration of {platform}: {settings_prefix(platform)}{where}: {first['msg']}"
    )


@dataclass(frozen=True, slots=True)
class RawRecord:
    """One payload as a hub sent it.

    Attributes:
        external_id: The hub's id for the model, when the payload shows one (None if
            the payload is too broken to tell; it is then quarantined).
        payload: The payload, JSON-serializable (a dict for API hubs; for archives, a
            dict holding the parsed document and its path).
        cursor_value: The value the source is sorted by (e.g. lastModified), if any.
        fetched_at: When it was fetched.
    """

    external_id: str | None
    payload: Any
    cursor_value: str | None = None
    fetched_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))


@dataclass(frozen=True, slots=True)
class Page:
    """A page of raw records and the checkpoint to resume from after it.

    Attributes:
        records: The raw records of this page.
        checkpoint: JSON-serializable state from which `fetch` continues with the next
            page (None once the source is exhausted).
        problems: Source-level problems met while building this page that belong to no
            single record (e.g. an unreadable file in an archive): `(where, reason)`.
    """

    records: list[RawRecord]
    checkpoint: Mapping[str, Any] | None = None
    problems: list[tuple[str, str]] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class FetchContext:
    """What the runner asks `fetch` for.

    Attributes:
        kind: `full` (every model) or `incremental` (changes since `since`).
        since: For incremental runs: fetch models modified at or after this moment.
        resume: Checkpoint of an interrupted run of the same kind to continue from.
        limit: Stop after this many records (None: no limit).
    """

    kind: RunKind = "full"
    since: dt.datetime | None = None
    resume: Mapping[str, Any] | None = None
    limit: int | None = None


class Harvester(ABC):
    """A hub's harvester. Subclasses set the class variables and the two methods."""

    name: ClassVar[str]
    """Platform slug (an API contract: never rename it): lower-case letters, digits and
    `-`. The hub's entry point in `model_catalog.hubs` carries the same name."""
    display_name: ClassVar[str]
    """The hub's name as people write it (`Hugging Face Hub`)."""
    home_url: ClassVar[str]
    """The hub's public home page."""
    schedules: ClassVar[Mapping[str, str]] = {"full": "every 1d"}
    """Default schedule per run kind (`full`, `incremental`): `every <N>s|m|h|d`, a
    crontab or `off`; `CATALOG_SCHEDULES__<HUB>__<KIND>` overrides each."""
    config_class: ClassVar[type[HarvesterConfig]] = HarvesterConfig
    version: ClassVar[str] = "1"
    """Bump when `normalize` changes: stored payloads are then normalized again."""
    supports_incremental: ClassVar[bool] = False
    """Whether `fetch` honours `FetchContext.since` (else every run is a full sweep)."""
    demo_snapshot: ClassVar[str | None] = "demo/payloads.jsonl.gz"
    """Where the hub's bundled demo snapshot would be, relative to the package of its
    module: gzipped JSON lines, one payload a line exactly as `fetch` yields it, with
    `about.json` beside it (see `harvesters.demo`). A hub without that file ships none;
    None says so outright."""

    def __init__(self, config: HarvesterConfig, settings: Settings) -> None:
        self.config = config
        self.settings = settings

    @classmethod
    def from_settings(
        cls, settings: Settings, overrides: Mapping[str, Any] | None = None
    ) -> Harvester:
        """Build the harvester from its settings (`settings.harvesters[name]` and the
        config's `env_aliases`) with `overrides` on top.

        Raises:
            pydantic.ValidationError: the configuration is invalid.
        """
        values = {**settings.harvesters.get(cls.name, {}), **dict(overrides or {})}
        return cls(cls.config_class.load(values, os.environ), settings)

    @abstractmethod
    def fetch(self, ctx: FetchContext) -> Iterator[Page]:
        """Yield pages of raw payloads (I/O only).

        Raises:
            RetriableHarvestError: transient trouble that outlived the retries.
            FatalHarvestError: trouble that retrying cannot fix.
        """

    @abstractmethod
    def normalize(self, raw: RawRecord) -> NormalizedModel:
        """Turn one payload into a normalized record (pure: no I/O, no clock).

        Raises:
            catalog.records.InvalidRecordError: the payload cannot become a model.
        """

    def close(self) -> None:  # noqa: B027 - optional hook, most harvesters hold nothing
        """Release clients and temporary files."""
