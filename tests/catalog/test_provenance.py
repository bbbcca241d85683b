"""The provenance contract: notes kept only for fields with a value, and validated."""

from __future__ import annotations

import pytest

from catalog.provenance import Provenance
from catalog.records import FieldSource, InvalidRecordError, NormalizedModel, validate_record


def test_notes_of_fields_without_a_value_are_dropped() -> None:
    prov = Provenance()
    prov.declared("license", "cardData.license")
    prov.declared("tasks", "pipeline_tag")
    prov.declared("tasks", "pipeline_tag")  # repeated notes count once
    prov.derived("summary", "first-paragraph", "description")
    prov.curated("url", "hub-page")
    record = NormalizedModel("huggingface", "org/m", "m", tasks=("fill-mask",), url="https://x")
    assert prov.attach(record).provenance == (
        FieldSource("tasks", "declared", "pipeline_tag"),
        FieldSource("url", "curated", None, "hub-page"),
    )


@pytest.mark.parametrize(
    ("source", "reason"),
    [
        (FieldSource("nonsense", "declared", "x"), "unknown field"),
        (FieldSource("tasks", "guessed", "x"), "unknown provenance source"),
        (FieldSource("tasks", "declared"), "has no path"),
        (FieldSource("tasks", "derived", "x"), "has no rule"),
    ],
)
def test_bad_provenance_is_a_clear_record_error(source: FieldSource, reason: str) -> None:
    record = NormalizedModel("huggingface", "org/m", "m", provenance=(source,))
    with pytest.raises(InvalidRecordError, match=reason):
        validate_record(record)
