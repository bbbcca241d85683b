"""The contract every hub passes: this repository's hubs and any other package's.

A hub's tests subclass `HarvesterContract` once (pytest collects the subclass):

    from harvesters.testing import HarvesterContract

    class TestMyHubContract(HarvesterContract):
        platform = "my-hub"
        overrides = {"page_size": 5}  # several pages, so checkpoints are exercised

        @pytest.fixture
        def harvester_settings(self, my_hub_source: str) -> Settings:
            return Settings(harvesters={"my-hub": {"url": my_hub_source}})

The suite runs the hub through the real runner against the local source the fixture
points at, and needs one more fixture, `fresh_engine`: an Engine over an empty catalog
database of its own (this repository's tests/conftest.py provides it). Elsewhere,
`migrated_database` makes one on any PostgreSQL server:

    @pytest.fixture
    def fresh_engine() -> Iterator[Engine]:
        with migrated_database(os.environ["TEST_DATABASE_URL"]) as engine:
            yield engine

This module imports pytest: only tests import it.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, ClassVar

import pytest
from pydantic import ValidationError
from sqlalchemy import Engine, create_engine, text

from catalog import migrate
from catalog.database import normalize_url
from catalog.records import NormalizedModel, validate_record
from catalog.settings import Settings
from harvesters.base import FatalHarvestError, FetchContext, Harvester, Page, RawRecord
from harvesters.demo.snapshot import find_snapshot, read_payloads
from harvesters.registry import harvester_class
from harvesters.runner import RunOptions, RunResult, run_harvest
from harvesters.schedule import Schedule


class HarvesterContract:
    """Tests every registered hub passes against a local source.

    Attributes:
        platform: The hub's slug.
        overrides: Options for every run (small pages, no retry waits).
        multi_page: Whether the local source serves several pages (the default; the
            checkpoint test then requires it). Set False only for a source that is
            one document the hub cannot split.
    """

    platform: ClassVar[str]
    overrides: ClassVar[dict[str, Any]] = {}
    multi_page: ClassVar[bool] = True

    @pytest.fixture
    def harvester_settings(self) -> Settings:
        """Settings pointing the harvester at a local source (the subclass provides it)."""
        raise NotImplementedError

    def make(self, settings: Settings) -> Harvester:
        """The hub's harvester, built the way the runner builds it."""
        return harvester_class(self.platform).from_settings(settings, self.overrides)

    def run(
        self, engine: Engine, settings: Settings, harvester: Harvester | None = None, **options: Any
    ) -> RunResult:
        """One full run through the real runner."""
        return run_harvest(
            self.platform,
            engine=engine,
            settings=settings,
            harvester=harvester or self.make(settings),
            options=RunOptions(full=True, **options),
        )

    @staticmethod
    def model_rows(engine: Engine) -> list[tuple[Any, ...]]:
        """What the catalog holds per model; the last column is 'not removed'."""
        with engine.connect() as conn:
            return [
                tuple(r)
                for r in conn.execute(
                    text(
                        "select external_id, name, author_id, license_id, library_id, parameters, "
                        "summary, extra::text, removed_at is null from models order by external_id"
                    )
                )
            ]

    def test_hub_is_registered_and_describes_itself(self) -> None:
        cls = harvester_class(self.platform)
        assert cls.name == self.platform
        assert cls.display_name.strip()
        assert cls.home_url.startswith(("https://", "http://"))
        assert set(cls.schedules) <= {"full", "incremental"}
        for kind, expression in cls.schedules.items():
            Schedule.parse(self.platform, kind, expression)  # type: ignore[arg-type]
        if "incremental" in cls.schedules:
            assert cls.supports_incremental, "an incremental schedule for a full-only hub"

    def test_config_validates_and_rejects_unknown_keys(self, harvester_settings: Settings) -> None:
        cls = harvester_class(self.platform)
        cls.config_class(**self.overrides)
        with pytest.raises(ValidationError):
            cls.config_class(**{**self.overrides, "no_such_option": 1})
        unknown = set(cls.config_class.env_aliases) - set(cls.config_class.model_fields)
        assert not unknown, f"env_aliases name no option: {unknown}"

    def test_fetch_yields_records_with_unique_ids(self, harvester_settings: Settings) -> None:
        harvester = self.make(harvester_settings)
        try:
            ids = [r.external_id for page in harvester.fetch(FetchContext()) for r in page.records]
        finally:
            harvester.close()
        assert ids, "fetch yielded no record from the local source"
        named = [i for i in ids if i]
        assert len(named) == len(set(named)), "an external id repeats within one run"

    def test_every_record_normalizes_or_is_quarantined(
        self, harvester_settings: Settings, fresh_engine: Engine
    ) -> None:
        result = self.run(fresh_engine, harvester_settings)
        assert result.status == "succeeded", result.error
        counts = result.counts
        assert counts["seen"] > 0
        assert counts["seen"] == counts["new"] + counts["quarantined"]
        with fresh_engine.connect() as conn:
            quarantined = conn.scalar(text("select count(*) from quarantine"))
            loaded = conn.scalar(text("select count(*) from models"))
            platform = conn.execute(
                text("select name, url from platforms where slug = :slug"),
                {"slug": self.platform},
            ).one_or_none()
        assert quarantined == counts["quarantined"]
        assert loaded == counts["new"]
        cls = harvester_class(self.platform)
        assert platform == (cls.display_name, cls.home_url), "the platform row is not the hub's"

    def test_rerun_without_upstream_change_writes_no_model_rows(
        self, harvester_settings: Settings, fresh_engine: Engine
    ) -> None:
        self.run(fresh_engine, harvester_settings)
        before = self.model_rows(fresh_engine)
        again = self.run(fresh_engine, harvester_settings)
        assert again.status == "succeeded", again.error
        assert again.counts["new"] == 0
        assert again.counts["changed"] == 0
        assert self.model_rows(fresh_engine) == before

    def test_failed_run_resumes_from_its_checkpoint_and_ends_like_a_clean_run(
        self, harvester_settings: Settings, fresh_engine: Engine
    ) -> None:
        failing = WrappedHarvester(self.make(harvester_settings), fail_after_pages=1)
        first = self.run(fresh_engine, harvester_settings, harvester=failing)
        if not failing.pages_served:
            pytest.fail("the source served no page")
        committed = failing.pages_served[0].checkpoint
        if committed is None:  # a one-page source: the run completed before it could fail
            assert not self.multi_page, (
                "the local source served one page: make pages smaller (a page_size "
                "override) so checkpoints are tested, or set multi_page = False"
            )
            assert first.status == "succeeded", first.error
            return
        assert first.status == "failed"
        with fresh_engine.connect() as conn:
            cursor = conn.scalar(text("select value from harvest_cursors where scope = 'full'"))
        assert cursor is not None
        assert cursor["resume"] == dict(committed), "the checkpoint is not the last page's"

        resumed = WrappedHarvester(self.make(harvester_settings))
        second = self.run(fresh_engine, harvester_settings, harvester=resumed)
        assert second.status == "succeeded", second.error
        assert resumed.contexts[0].resume == dict(committed), "the run did not resume"
        clean = self.run(fresh_engine, harvester_settings)
        assert clean.status == "succeeded", clean.error
        assert second.counts["seen"] < clean.counts["seen"], "the resumed run started over"
        assert clean.counts["new"] == clean.counts["changed"] == 0, "resuming lost models"
        assert all(row[-1] for row in self.model_rows(fresh_engine)), "a model was removed"

    def test_demo_snapshot_normalizes(self) -> None:
        cls = harvester_class(self.platform)
        snapshot = find_snapshot(cls)
        if snapshot is None:
            pytest.skip(f"{self.platform} ships no demo snapshot")
        payloads = read_payloads(snapshot)
        assert payloads, "the demo snapshot is empty"
        harvester = cls(cls.config_class.load({}, {}), Settings())
        try:
            records = [harvester.normalize(RawRecord(None, p)) for p in payloads]
        finally:
            harvester.close()
        for record in records:
            validate_record(record)
            assert record.platform == self.platform, f"{record.external_id}: another platform"
        ids = [r.external_id for r in records]
        assert len(ids) == len(set(ids)), "an external id repeats in the demo snapshot"

    def test_deletion_fail_safe_holds(
        self, harvester_settings: Settings, fresh_engine: Engine
    ) -> None:
        first = self.run(fresh_engine, harvester_settings)
        assert first.counts["new"] >= 2, "the local source needs at least two models"
        seen: set[str] = set()

        def keep_first_half(raw: Any) -> bool:
            seen.add(raw.external_id)
            return len(seen) % 2 == 1

        halved = WrappedHarvester(self.make(harvester_settings), keep=keep_first_half)
        result = self.run(fresh_engine, harvester_settings, harvester=halved)
        assert result.status == "failed"
        assert "fail-safe" in (result.error or "")
        assert all(row[-1] for row in self.model_rows(fresh_engine)), "a model was removed"


class WrappedHarvester(Harvester):
    """Delegates to a real harvester, optionally filtering records or failing mid-way.

    Records the fetch contexts it was given (`contexts`) and the pages it served.
    """

    def __init__(
        self,
        inner: Harvester,
        *,
        keep: Callable[[RawRecord], bool] | None = None,
        fail_after_pages: int | None = None,
    ) -> None:
        super().__init__(inner.config, inner.settings)
        self.inner = inner
        # The wrapper stands in for the hub: same identity, version and platform row.
        self.name = inner.name  # type: ignore[misc]
        self.display_name = inner.display_name  # type: ignore[misc]
        self.home_url = inner.home_url  # type: ignore[misc]
        self.version = inner.version  # type: ignore[misc]
        self.supports_incremental = inner.supports_incremental  # type: ignore[misc]
        self.keep = keep
        self.fail_after_pages = fail_after_pages
        self.pages_served: list[Page] = []
        self.contexts: list[FetchContext] = []

    def fetch(self, ctx: FetchContext) -> Iterator[Page]:
        """Serve the inner harvester's pages, filtered; fail after the set count."""
        self.contexts.append(ctx)
        for page in self.inner.fetch(ctx):
            if (
                self.fail_after_pages is not None
                and len(self.pages_served) >= self.fail_after_pages
            ):
                raise FatalHarvestError("the source went away (simulated)")
            records = [r for r in page.records if self.keep is None or self.keep(r)]
            served = Page(records, page.checkpoint, page.problems)
            self.pages_served.append(served)
            yield served

    def normalize(self, raw: RawRecord) -> NormalizedModel:
        """Normalize with the inner harvester."""
        return self.inner.normalize(raw)

    def close(self) -> None:
        """Close the inner harvester."""
        self.inner.close()


@contextmanager
def migrated_database(server_url: str) -> Iterator[Engine]:
    """A new database on `server_url` at the newest schema, dropped on exit.

    Args:
        server_url: Any PostgreSQL URL of the server (its database part is ignored); the
            role needs CREATEDB.

    Yields:
        An Engine over the new database.
    """
    server = normalize_url(server_url)
    name = f"catalog_contract_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine = create_engine(server.set(database=name))
    try:
        migrate.upgrade(engine)
        yield engine
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
