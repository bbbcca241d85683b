"""No N+1: a page with every relation selected costs the same statements at any size."""

from __future__ import annotations

import datetime as dt

from tests.api.conftest import execute
from tests.factories import NOW, load, record, with_lineage

EVERYTHING = """
query($first: Int!) {
  models(first: $first, sort: [NAME]) {
    totalCount
    edges { cursor node {
      id ref name platform { slug name }
      tasks { slug modality } modalities { slug }
      formats { slug variants } languages datasets tags
      baseModels { relation parentRef parent { ref tasks { slug } } }
      derivatives(first: 3) { totalCount edges { node { ref formats { slug } } } }
      ancestors { depth model { ref } }
      descendants { depth model { ref } }
      metrics(since: "2020-01-01T00:00:00Z") { observedAt downloads }
      featureExtraction { value evidence { rule } } fineTuning { value } zeroShot { value }
      memory { bytes variants { method } } licenseClass licenseConflict
      effectiveLicense { licenses terms { sourceRef } } provenance { field source path rule }
    } }
    facets(fields: [FORMAT, TASK, USAGE, LICENSE_CLASS, MEMORY]) { field buckets { value count } }
  }
}
"""


def test_statement_count_does_not_grow_with_page_size(db_session, query_recorder) -> None:
    records = [
        record(
            f"org/m{i:02d}",
            tasks=["text-generation"],
            formats=["gguf", "onnx"],
            languages=["en"],
            datasets=["c4"],
            tags=["chat"],
        )
        for i in range(24)
    ]
    # Chains and fan-out: m01 <- m02 <- m03 ..., every model has a parent but m00.
    records = with_lineage(records, [(i, i - 1, "finetune") for i in range(1, 24)])
    load(db_session, records)
    load(db_session, records, observed_at=NOW + dt.timedelta(days=1))

    counts = {}
    for first in (5, 20):
        query_recorder.statements.clear()
        query_recorder.active = True
        result = execute(db_session, EVERYTHING, {"first": first})
        query_recorder.active = False
        assert result.errors is None, result.errors
        assert len(result.data["models"]["edges"]) == first
        counts[first] = query_recorder.count
    assert counts[5] == counts[20], counts
    assert counts[20] < 40


def _detail_statements(statements: list[str]) -> list[str]:
    return [s for s in statements if "unnest(CAST(" in s and "json_agg" in s]


def test_a_page_reads_only_the_list_attributes_it_shows(db_session, query_recorder) -> None:
    records = [
        record(f"org/m{i:02d}", tasks=["text-generation"], formats=["gguf"], tags=["chat"])
        for i in range(6)
    ]
    load(db_session, with_lineage(records, [(1, 0, "finetune")]))

    def details_read(fields: str) -> list[str]:
        query_recorder.statements.clear()
        query_recorder.active = True
        result = execute(
            db_session,
            f"{{ models(first: 6, sort: [NAME]) {{ edges {{ node {{ {fields} }} }} }} }}",
        )
        query_recorder.active = False
        assert result.errors is None, result.errors
        return _detail_statements(query_recorder.statements)

    (formats_only,) = details_read("ref formats { slug }")
    assert "model_formats" in formats_only
    assert not any(t in formats_only for t in ("model_tasks", "model_tags", "model_lineage"))
    # Several attributes still cost one statement, and each answer is the full one.
    (several,) = details_read("tasks { slug } formats { slug } tags baseModels { parentRef }")
    assert all(
        t in several for t in ("model_tasks", "model_formats", "model_tags", "model_lineage")
    )
    result = execute(
        db_session,
        '{ model(ref: "huggingface:org/m01") { tasks { slug } formats { slug } tags '
        "baseModels { parentRef } } }",
    )
    assert result.data["model"] == {
        "tasks": [{"slug": "text-generation"}],
        "formats": [{"slug": "gguf"}],
        "tags": ["chat"],
        "baseModels": [{"parentRef": "huggingface:org/m00"}],
    }
