"""Each evidence rule of the derived layer, as a user would check it: usage, memory, licenses."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from catalog import vocab
from catalog.derive import derive
from catalog.derive.facts import ModelFacts
from catalog.derive.licenses import (
    CLASS_OF_LICENSE,
    Inherited,
    effective_license,
    license_class,
)
from catalog.derive.memory import GIB, MEMORY_BUCKETS, bits_per_weight, footprints, smallest
from catalog.derive.usage import decide, usage_evidence
from catalog.records import FormatRecord


def facts(**fields: Any) -> ModelFacts:
    fields.setdefault("platform", "huggingface")
    fields.setdefault("external_id", "org/model")
    fields.setdefault("name", fields["external_id"].rsplit("/", 1)[-1])
    if "formats" in fields:
        fields["formats"] = tuple(
            f if isinstance(f, FormatRecord) else FormatRecord(f) for f in fields["formats"]
        )
    for name in ("tasks", "tags"):
        fields[name] = tuple(fields.get(name, ()))
    return ModelFacts(**fields)


def decided(f: ModelFacts, base_of: str | None = None) -> dict[str, tuple[bool | None, str | None]]:
    d = derive(f, base_of=base_of)
    return {u: (x.value, x.rule) for u, x in d.usage.items()}


# -- usage -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("f", "usage", "value", "rule"),
    [
        (facts(tasks=["sentence-similarity"]), "feature-extraction", True, "embedding-task"),
        (facts(tasks=["image-feature-extraction"]), "feature-extraction", True, "embedding-task"),
        (
            facts(platform="tfhub", external_id="google/imagenet/mobilenet_v2/feature_vector"),
            "feature-extraction",
            True,
            "feature-vector-module",
        ),
        (facts(tags=["image-feature-vector"]), "feature-extraction", True, "feature-vector-module"),
        (facts(library="sentence-transformers"), "feature-extraction", True, "embedding-library"),
        (
            facts(tasks=["zero-shot-image-classification"]),
            "feature-extraction",
            True,
            "image-text-embedding",
        ),
        (facts(tasks=["text-to-image"]), "feature-extraction", False, "media-generator"),
        (
            facts(formats=[FormatRecord("tensorflow", ({"fine_tunable": False},))]),
            "fine-tuning",
            False,
            "hub-fine-tunable-flag",
        ),
        (facts(extra={"fine_tunable": True}), "fine-tuning", True, "hub-fine-tunable-flag"),
        (facts(formats=["gguf"]), "fine-tuning", False, "inference-only-formats"),
        (facts(formats=["onnx", "tflite"]), "fine-tuning", False, "inference-only-formats"),
        (
            facts(formats=["safetensors"], library="transformers"),
            "fine-tuning",
            True,
            "trainable-weights",
        ),
        (facts(tasks=["zero-shot-classification"]), "zero-shot", True, "zero-shot-task"),
        (
            facts(external_id="org/Qwen2.5-7B-Instruct", tasks=["text-generation"]),
            "zero-shot",
            True,
            "instruction-tuned",
        ),
        (
            facts(tasks=["image-text-to-text"], tags=["conversational"]),
            "zero-shot",
            True,
            "instruction-tuned",
        ),
        (
            facts(external_id="google/gemma-2-9b-it", tasks=["text-generation"]),
            "zero-shot",
            True,
            "instruction-tuned",
        ),
        (facts(tasks=["image-classification"]), "zero-shot", False, "closed-set-head"),
        (
            facts(tasks=["object-detection", "image-segmentation"]),
            "zero-shot",
            False,
            "closed-set-head",
        ),
    ],
)
def test_each_usage_rule_decides_with_its_name(f, usage, value, rule) -> None:
    assert decided(f)[usage] == (value, rule)


def test_no_evidence_means_unknown_not_a_guess() -> None:
    plain = facts(tasks=["text-generation"], formats=["safetensors"], library="transformers")
    result = decided(plain)
    assert result["feature-extraction"] == (None, None)
    assert result["zero-shot"] == (None, None)  # a base LLM: no instruction-tuning sign


def test_italian_it_is_not_instruction_tuned() -> None:
    italian = facts(external_id="org/gpt2-small-it", tasks=["text-generation"])
    assert decided(italian)["zero-shot"] == (None, None)


def test_a_chat_template_on_a_base_model_is_no_instruction_tuning() -> None:
    base = facts(external_id="nvidia/Hymba-1.5B-Base", tasks=["text-generation"])
    assert decided(replace(base, tags=("conversational",)))["zero-shot"] == (None, None)
    instruct = replace(base, external_id="nvidia/Hymba-1.5B-Instruct", tags=("conversational",))
    assert decided(instruct)["zero-shot"] == (True, "instruction-tuned")


def test_quantized_safetensors_are_no_claim_either_way() -> None:
    quantized = facts(external_id="org/Llama-3-8B-GPTQ", formats=["safetensors"])
    assert decided(quantized)["fine-tuning"] == (None, None)


def test_hub_flag_beats_weaker_signs() -> None:
    flagged = facts(formats=[FormatRecord("tensorflow", ({"fine_tunable": False},))])
    assert decided(flagged)["fine-tuning"] == (False, "hub-fine-tunable-flag")
    evidence = usage_evidence(flagged)
    assert {e.rule for e in evidence} == {"hub-fine-tunable-flag", "trainable-weights"}


def test_conflicting_evidence_of_equal_strength_stays_unknown() -> None:
    # A GGUF-only repo that other models name as their fine-tuning base: both strong.
    gguf = facts(formats=["gguf"])
    assert decided(gguf, base_of="huggingface:org/child")["fine-tuning"] == (
        None,
        "conflicting-evidence",
    )


def test_other_models_naming_it_as_their_base_says_fine_tunable() -> None:
    base = facts(tasks=["text-generation"])
    assert decided(base, base_of="huggingface:org/child") == {
        "feature-extraction": (None, None),
        "fine-tuning": (True, "declared-finetune-base"),
        "zero-shot": (None, None),
    }


def test_preprocessing_graphs_serve_no_usage() -> None:
    graph = facts(platform="onnx-model-zoo", external_id="ResNet-preproc", tags=["preprocessing"])
    result = decided(graph)
    assert {u: v for u, (v, _rule) in result.items()} == {
        "feature-extraction": False,
        "fine-tuning": False,
        "zero-shot": False,
    }


def test_decide_reports_every_usage() -> None:
    assert set(decide([])) == {"feature-extraction", "fine-tuning", "zero-shot"}


# -- memory ------------------------------------------------------------------------------


def test_file_sizes_win_over_estimates() -> None:
    gguf = FormatRecord(
        "gguf",
        (
            {"quantization": "Q4_K_M", "bytes": 4_920_000_000},
            {"quantization": "Q8_0"},  # no size: parameters x 8.5 bits
        ),
    )
    found = footprints(facts(formats=[gguf], parameters=8_030_261_248))
    assert [(f.variant, f.bytes, f.method) for f in found] == [
        ("Q4_K_M", 4_920_000_000, "file-sizes"),
        ("Q8_0", round(8_030_261_248 * 8.5 / 8), "parameters-x-bits"),
    ]
    assert smallest(found) == 4_920_000_000


def test_q4_k_m_estimate_is_within_ten_percent_of_a_real_file() -> None:
    # Llama-3.1-8B: 8,030,261,248 parameters; its Q4_K_M GGUF holds 4.92 GB.
    gguf = FormatRecord("gguf", ({"quantization": "Q4_K_M"},))
    (found,) = footprints(facts(formats=[gguf], parameters=8_030_261_248))
    assert found.bits_per_weight == 4.85
    assert abs(found.bytes - 4_920_000_000) / 4_920_000_000 < 0.10


def test_safetensors_dtype_breakdown_gives_exact_weight_bytes() -> None:
    f = facts(formats=["safetensors"], extra={"parameters_by_dtype": {"F32": 1000, "I64": 10}})
    assert [(x.bytes, x.method) for x in footprints(f)] == [(4080, "dtype-breakdown")]


def test_format_total_serves_when_variants_have_no_size() -> None:
    f = facts(formats=[FormatRecord("onnx", (), 2, 600), FormatRecord("safetensors")])
    assert [(x.format, x.bytes) for x in footprints(f)] == [("onnx", 600)]


def test_unknown_size_and_precision_is_unknown_memory() -> None:
    f = facts(formats=[FormatRecord("pytorch", ({"entrypoint": "resnet50"},))])
    assert footprints(f) == []
    assert derive(f).memory_bytes is None


@pytest.mark.parametrize(
    ("name", "bits"),
    [("Q4_K_M", 4.85), ("q8_0", 8.5), ("F16", 16.0), ("bf16", 16.0), ("IQ2_XS", 2.31),
     ("fp32", 32.0), ("int8", 8.0), ("int4", 4.0), ("2-byte", 16.0), ("Q9_Z", None)],
)  # fmt: skip
def test_bits_per_weight_of_precisions(name, bits) -> None:
    assert bits_per_weight(name) == bits


def test_memory_buckets_are_gib_with_inclusive_upper_bounds() -> None:
    assert [b[0] for b in MEMORY_BUCKETS] == [
        "le-1gib", "le-4gib", "le-8gib", "le-16gib", "le-24gib", "le-48gib", "le-80gib",
        "gt-80gib",
    ]  # fmt: skip
    assert MEMORY_BUCKETS[0][2] == GIB
    assert all("weights" in label for _slug, label, _high in MEMORY_BUCKETS)


# -- licenses ----------------------------------------------------------------------------


def test_every_vocabulary_license_has_a_decided_class() -> None:
    missing = [lic.slug for lic in vocab.LICENSES if lic.slug not in CLASS_OF_LICENSE]
    assert missing == []


@pytest.mark.parametrize(
    ("slug", "cls"),
    [
        ("apache-2.0", "permissive"),
        ("cc-by-sa-4.0", "copyleft"),
        ("gpl-3.0", "copyleft"),
        ("llama3.1", "restricted-custom"),
        ("gemma", "restricted-custom"),
        ("creativeml-openrail-m", "restricted-custom"),
        ("cc-by-nc-4.0", "non-commercial"),
        ("flux-1-dev-non-commercial-license", "non-commercial"),
        ("other", "unknown"),
        ("my-own-terms", "unknown"),
        (None, "unknown"),
    ],
)
def test_license_classes(slug, cls) -> None:
    assert license_class(slug) == cls


def test_effective_license_inherits_along_the_chain_and_flags_the_conflict() -> None:
    found = effective_license(
        "apache-2.0",
        [
            Inherited("mit", "huggingface:org/mid", 1),
            Inherited("llama3.1", "huggingface:meta-llama/Llama-3.1-8B", 2),
        ],
    )
    assert found.licenses == ("apache-2.0", "mit", "llama3.1")
    assert found.license_class == "restricted-custom"
    assert found.commercial_use is True
    assert found.conflict is True
    assert found.evidence["conflicts"] == [
        "declares apache-2.0 (permissive) but huggingface:meta-llama/Llama-3.1-8B (depth 2) "
        "is llama3.1 (restricted-custom)"
    ]


def test_same_or_stricter_declared_license_is_no_conflict() -> None:
    assert not effective_license("llama3.1", [Inherited("llama3.1", "a:b", 1)]).conflict
    assert not effective_license("cc-by-nc-4.0", [Inherited("mit", "a:b", 1)]).conflict


def test_non_commercial_anywhere_decides_even_next_to_unknowns() -> None:
    found = effective_license(None, [Inherited("cc-by-nc-4.0", "a:b", 1)])
    assert (found.license_class, found.commercial_use) == ("non-commercial", False)


def test_an_ancestor_outside_the_catalog_makes_the_class_unknown() -> None:
    found = effective_license("mit", [Inherited(None, "huggingface:gone/base", 1, resolved=False)])
    assert (found.license_class, found.commercial_use, found.conflict) == (
        "unknown",
        None,
        False,
    )
    assert found.evidence["inherited"] == [
        {
            "ref": "huggingface:gone/base",
            "license": None,
            "class": "unknown",
            "depth": 1,
            "in_catalog": False,
        }
    ]
