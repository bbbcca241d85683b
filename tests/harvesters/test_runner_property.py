"""Property: any JSON payload becomes a model or a quarantined record, never a crash."""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from catalog import runs
from catalog.loader import VocabularyIds
from catalog.settings import Settings
from harvesters.base import RawRecord
from harvesters.batch import BatchContext, land_batch, process_batch
from harvesters.huggingface.harvester import HuggingFaceHarvester
from harvesters.report import HarvestReport

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=20,
)
hub_keys = st.sampled_from(
    [
        "id",
        "author",
        "tags",
        "pipeline_tag",
        "library_name",
        "downloads",
        "likes",
        "createdAt",
        "lastModified",
        "cardData",
        "siblings",
        "safetensors",
        "gated",
        "trendingScore",
        "downloadsAllTime",
        "gguf",
    ]
)
payloads = st.dictionaries(hub_keys | st.text(max_size=8), json_values, max_size=10)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(payload=payloads, model_id=st.none() | st.text(max_size=40))
def test_any_payload_loads_or_is_quarantined(
    fresh_engine: Engine, payload: dict[str, Any], model_id: str | None
) -> None:
    if model_id is not None:
        payload = {**payload, "id": model_id}
    harvester = HuggingFaceHarvester.from_settings(Settings())
    now = dt.datetime.now(dt.UTC)
    with Session(fresh_engine) as session:
        platform_id = runs.platform_id(session, "huggingface")
        run_id = runs.open_run(session, platform_id, "full", now)
        ctx = BatchContext(harvester, platform_id, run_id, now, VocabularyIds(session))
        report = HarvestReport()
        raw = RawRecord(payload.get("id") if isinstance(payload.get("id"), str) else None, payload)
        process_batch(session, ctx, land_batch([raw], harvester.version), report)
        assert report.seen == 1
        assert report.new + report.changed + report.unchanged + report.quarantined == 1
        session.rollback()
