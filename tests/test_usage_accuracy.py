"""The usage-accuracy benchmark counts the way it says (no ../shared needed)."""

from __future__ import annotations

from benchmarks.usage_accuracy import estimate_checks, reported_checks, score_usage
from catalog.derive.offline import derive_records
from catalog.records import FormatRecord, LineageRef, NormalizedModel


def model(external_id: str, **fields: object) -> NormalizedModel:
    return NormalizedModel("onnx-model-zoo", external_id, external_id, **fields)  # type: ignore[arg-type]


def test_a_decided_value_on_a_cannot_tell_label_counts_as_wrong() -> None:
    records = [
        model("embed", tasks=("feature-extraction",)),
        model("clf", tasks=("image-classification",)),
        model("other"),
    ]
    labels = {
        "onnx-model-zoo:embed": {
            "feature_extraction": True,
            "fine_tuning": None,
            "zero_shot": None,
        },
        "onnx-model-zoo:clf": {"feature_extraction": None, "fine_tuning": None, "zero_shot": None},
        "onnx-model-zoo:other": {
            "feature_extraction": True,
            "fine_tuning": None,
            "zero_shot": None,
        },
    }
    scores, misses = score_usage(derive_records(records), labels)
    zero_shot = next(s for s in scores if s.usage == "zero-shot")
    assert (zero_shot.decided, zero_shot.correct, zero_shot.precision) == (1, 0, 0.0)
    feature = next(s for s in scores if s.usage == "feature-extraction")
    assert (feature.precision, feature.recall, round(feature.coverage, 2)) == (1.0, 0.5, 0.33)
    assert misses == [
        {"ref": "onnx-model-zoo:clf", "usage": "zero-shot", "derived": False, "label": None,
         "rule": "closed-set-head"}
    ]  # fmt: skip


def test_memory_checks_compare_with_known_sizes() -> None:
    full = model("Net", formats=(FormatRecord("onnx", ({"opset": 12, "bytes": 400},)),))
    int8 = model(
        "Net-int8",
        formats=(FormatRecord("onnx", ({"opset": 12, "bytes": 130},)),),
        lineage=(LineageRef("onnx-model-zoo", "Net", "quantized"),),
        extra={"quantization": "int8"},
    )
    records = [full, int8]
    reported = list(reported_checks(records, derive_records(records)))
    assert [(c.what, c.footprint, c.known) for c in reported] == [
        ("onnx opset 12", 400, 400),
        ("onnx opset 12", 130, 130),
    ]
    (estimate,) = estimate_checks(records)
    assert (estimate.footprint, estimate.known) == (100, 130)  # 400 / 4 parameters x 8 bits
    assert round(estimate.error, 2) == 0.23
