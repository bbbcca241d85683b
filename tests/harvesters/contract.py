"""The shared contract every harvester passes; a hub adds a three-line subclass:

class TestMyHubContract(HarvesterContract):
    platform = "my-hub"

    @pytest.fixture
    def harvester_settings(self, my_hub_source) -> Settings:
        return Settings(my_hub_url=str(my_hub_source))
"""

from __future__ import annotations

from typing import Any, ClassVar

import pytest
from pydantic import ValidationError
from sqlalchemy import Engine, text

from catalog.settings import Settings
from harvesters.base import FetchContext, Harvester
from harvesters.registry import harvester_class
from harvesters.runner import RunOptions, RunResult, run_harvest
from tests.harvesters.wrappers import WrappedHarvester


class HarvesterContract:
    """Tests generated for each registered harvester against a local source."""

    platform: ClassVar[str]
    overrides: ClassVar[dict[str, Any]] = {}

    @pytest.fixture
    def harvester_settings(self) -> Settings:
        """Settings pointing the harvester at a local source (the subclass provides it)."""
        raise NotImplementedError

    def make(self, settings: Settings) -> Harvester:
        return harvester_class(self.platform).from_settings(settings, self.overrides)

    def run(
        self, engine: Engine, settings: Settings, harvester: Harvester | None = None, **options: Any
    ) -> RunResult:
        return run_harvest(
            self.platform,
            engine=engine,
            settings=settings,
            harvester=harvester or self.make(settings),
            options=RunOptions(full=True, **options),
        )

    @staticmethod
    def model_rows(engine: Engine) -> list[tuple[Any, ...]]:
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

    def test_config_validates_and_rejects_unknown_keys(self, harvester_settings: Settings) -> None:
        cls = harvester_class(self.platform)
        assert cls.name == self.platform
        cls.config_class(**self.overrides)
        with pytest.raises(ValidationError):
            cls.config_class(**self.overrides, no_such_option=1)

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
        assert quarantined == counts["quarantined"]
        assert loaded == counts["new"]

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

    def test_checkpoint_never_moves_past_a_failed_batch(
        self, harvester_settings: Settings, fresh_engine: Engine
    ) -> None:
        failing = WrappedHarvester(self.make(harvester_settings), fail_after_pages=1)
        result = self.run(fresh_engine, harvester_settings, harvester=failing)
        if len(failing.pages_served) < 1:
            pytest.fail("the source served no page")
        committed = failing.pages_served[0].checkpoint
        with fresh_engine.connect() as conn:
            cursor = conn.scalar(text("select value from harvest_cursors where scope = 'full'"))
        if committed is None:  # a one-page source: the run completed before it could fail
            assert result.status == "succeeded"
            return
        assert result.status == "failed"
        assert cursor is not None
        assert cursor["resume"] == dict(committed)

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
