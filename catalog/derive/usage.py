"""Transfer-learning use of a model: feature extraction, fine-tuning, zero-/few-shot.

Each usage is true, false or unknown (None), decided from evidence. A rule yields
`Evidence` with a strength: 3 = the hub states it (a flag, a declared task), 2 = a
strong structural sign (an embedding task, an inference-only export, other models
fine-tuned from it), 1 = a weak sign (trainable weights of a training library). The
strongest evidence decides; when evidence of that strength disagrees the usage stays
unknown. Every piece of evidence is kept, so a user sees why.

Rules here are per model (`usage_evidence`); the one that needs other models (other
models declare this one as their base) is `base_of_evidence`, fed by the lineage pass.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final

from catalog.derive.facts import ModelFacts

FEATURE_EXTRACTION: Final = "feature-extraction"
FINE_TUNING: Final = "fine-tuning"
ZERO_SHOT: Final = "zero-shot"
USAGES: Final = (FEATURE_EXTRACTION, FINE_TUNING, ZERO_SHOT)
USAGE_NAMES: Final = {
    FEATURE_EXTRACTION: "Feature extraction",
    FINE_TUNING: "Fine-tuning",
    ZERO_SHOT: "Zero-/few-shot",
}

EMBEDDING_TASKS: Final = frozenset(
    {"feature-extraction", "sentence-similarity", "image-feature-extraction"}
)
ZERO_SHOT_TASKS: Final = frozenset(
    {"zero-shot-classification", "zero-shot-image-classification", "zero-shot-object-detection"}
)
# Generators whose output is media: no representation comes out of them as published.
MEDIA_GENERATION_TASKS: Final = frozenset(
    {
        "text-to-image",
        "text-to-video",
        "image-to-video",
        "text-to-speech",
        "text-to-audio",
        "unconditional-image-generation",
        "text-to-3d",
        "image-to-3d",
        "image-text-to-image",
        "image-text-to-video",
        "video-to-video",
        "image-to-image",
    }
)
# Prompted generators of text: instruction-tuned ones are used zero-/few-shot.
PROMPTED_TASKS: Final = frozenset(
    {
        "text-generation",
        "text2text-generation",
        "image-text-to-text",
        "audio-text-to-text",
        "video-text-to-text",
        "any-to-any",
    }
)
# A fixed label set or output: a new task needs training.
CLOSED_SET_TASKS: Final = frozenset(
    {
        "image-classification",
        "object-detection",
        "image-segmentation",
        "text-classification",
        "token-classification",
        "audio-classification",
        "video-classification",
        "tabular-classification",
        "tabular-regression",
    }
)
INFERENCE_FORMATS: Final = frozenset(
    {"gguf", "onnx", "tflite", "tfjs", "coreml", "openvino", "executorch"}
)
TRAINABLE_FORMATS: Final = frozenset(
    {"safetensors", "pytorch", "flax", "keras", "tensorflow", "paddle"}
)
INFERENCE_LIBRARIES: Final = frozenset(
    {"gguf", "onnx", "openvino", "coreml", "tensorflowjs", "tflite", "llama.cpp", "mlx"}
)
EMBEDDING_LIBRARIES: Final = frozenset({"sentence-transformers", "open_clip"})
# Words in names and tags that mark quantized weights (fine-tuning them is QLoRA at best).
_QUANTIZED: Final = frozenset(
    {"gptq", "awq", "gguf", "ggml", "exl2", "bnb", "4bit", "8bit", "int4", "int8", "nf4", "fp8"}
    | {"4-bit", "8-bit", "bitsandbytes", "quantized", "mlx"}
)
_FEATURE_VECTOR_TAGS: Final = frozenset(
    {"image-feature-vector", "text-embedding", "audio-embedding", "feature-vector"}
)
_PREPROCESSING_TAGS: Final = frozenset({"preprocessing", "text-preprocessing"})
_INSTRUCT_WORDS: Final = frozenset({"instruct", "instruction", "chat", "flan"})
_TOKEN: Final = re.compile(r"[^a-z0-9.]+")
_SIZE: Final = re.compile(r"^\d+(?:\.\d+)?[bm]$")


@dataclass(frozen=True, slots=True)
class Evidence:
    """One reason for a usage value.

    Attributes:
        usage: `feature-extraction`, `fine-tuning` or `zero-shot`.
        value: What the evidence says.
        rule: The rule's name (stable; shown as provenance).
        strength: 3 hub statement, 2 strong sign, 1 weak sign.
        detail: What the rule saw, in words.
    """

    usage: str
    value: bool
    rule: str
    strength: int
    detail: str

    def as_json(self) -> list[object]:
        """Compact JSON form: [usage, value, rule, strength, detail]."""
        return [self.usage, self.value, self.rule, self.strength, self.detail]

    @classmethod
    def from_json(cls, item: Sequence[object]) -> Evidence:
        """Inverse of `as_json`."""
        usage, value, rule, strength, detail = item
        return cls(str(usage), bool(value), str(rule), int(str(strength)), str(detail))


@dataclass(frozen=True, slots=True)
class Decision:
    """A usage value and the rule that decided it (None when undecided)."""

    value: bool | None
    rule: str | None


_UNKNOWN: Final = Decision(None, None)


def decide(evidence: Iterable[Evidence]) -> dict[str, Decision]:
    """Per usage: the value of the strongest evidence, unknown when it disagrees."""
    strongest: dict[str, list[Evidence]] = {}
    for e in evidence:
        best = strongest.get(e.usage)
        if best is None or e.strength > best[0].strength:
            strongest[e.usage] = [e]
        elif e.strength == best[0].strength:
            best.append(e)
    result = {}
    for usage in USAGES:
        top = strongest.get(usage)
        if top is None:
            result[usage] = _UNKNOWN
        elif any(e.value != top[0].value for e in top):
            result[usage] = Decision(None, "conflicting-evidence")
        else:
            result[usage] = Decision(top[0].value, top[0].rule)
    return result


def usage_evidence(facts: ModelFacts) -> list[Evidence]:
    """Every per-model rule's evidence for one model."""
    seen = _Seen.of(facts)
    found: list[Evidence] = []
    for rule in _RULES:
        found += rule(seen)
    return found


def base_of_evidence(example: str) -> list[Evidence]:
    """Evidence from other models that name this one as the base they were trained from.

    Args:
        example: Ref of one fine-tune or adapter that names this model as its base.
    """
    why = f"fine-tunes or adapters name it as their base, e.g. {example}"
    return [Evidence(FINE_TUNING, True, "declared-finetune-base", 2, why)]


# -- rules -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Seen:
    """A model's facts with the sets every rule reads, computed once per model."""

    facts: ModelFacts
    tasks: frozenset[str]
    tags: frozenset[str]
    tokens: frozenset[str]
    formats: frozenset[str]

    @classmethod
    def of(cls, facts: ModelFacts) -> _Seen:
        texts = [facts.external_id, facts.name]  # and variant names (Kaggle instances)
        for fmt in facts.formats:
            for variant in fmt.variants:
                for key in ("instance", "handle", "variant"):
                    value = variant.get(key)
                    if isinstance(value, str):
                        texts.append(value)
        return cls(
            facts=facts,
            tasks=frozenset(facts.tasks),
            tags=frozenset("-".join(_TOKEN.split(t.lower())).strip("-") for t in facts.tags),
            tokens=frozenset(t for text in texts for t in _TOKEN.split(text.lower()) if t),
            formats=frozenset(f.slug for f in facts.formats),
        )


def _preprocessing(seen: _Seen) -> list[Evidence]:
    tags = seen.tags & _PREPROCESSING_TAGS
    if not tags and not any("preproc" in t for t in seen.tokens):
        return []
    why = f"a preprocessing graph ({', '.join(sorted(tags)) or 'named so'}), not a model"
    return [Evidence(u, False, "preprocessing-graph", 3, why) for u in USAGES]


def _embedding_task(seen: _Seen) -> list[Evidence]:
    tasks = sorted(EMBEDDING_TASKS & seen.tasks)
    if not tasks:
        return []
    return [Evidence(FEATURE_EXTRACTION, True, "embedding-task", 3, f"task {', '.join(tasks)}")]


def _feature_vector(seen: _Seen) -> list[Evidence]:
    tags = sorted(seen.tags & _FEATURE_VECTOR_TAGS)
    if not tags and not {"feature", "vector"} <= seen.tokens:
        return []
    why = f"hub task {', '.join(tags)}" if tags else "a feature-vector handle or variant"
    return [Evidence(FEATURE_EXTRACTION, True, "feature-vector-module", 3, why)]


def _embedding_library(seen: _Seen) -> list[Evidence]:
    library = seen.facts.library
    if library not in EMBEDDING_LIBRARIES:
        return []
    return [Evidence(FEATURE_EXTRACTION, True, "embedding-library", 2, f"library {library}")]


def _contrastive(seen: _Seen) -> list[Evidence]:
    if "zero-shot-image-classification" not in seen.tasks:
        return []
    why = "zero-shot image classification: an image-text embedding model (CLIP-like)"
    return [Evidence(FEATURE_EXTRACTION, True, "image-text-embedding", 2, why)]


def _media_generator(seen: _Seen) -> list[Evidence]:
    if not seen.tasks or not seen.tasks <= MEDIA_GENERATION_TASKS:
        return []
    why = f"generates media ({', '.join(sorted(seen.tasks))}); no embedding output"
    return [Evidence(FEATURE_EXTRACTION, False, "media-generator", 2, why)]


def _hub_fine_tunable(seen: _Seen) -> list[Evidence]:
    facts = seen.facts
    stated = [
        flag
        for f in facts.formats
        for v in f.variants
        if isinstance(flag := v.get("fine_tunable"), bool)
    ]
    model_flag = facts.extra.get("fine_tunable")
    if isinstance(model_flag, bool):
        stated.append(model_flag)
    if not stated:
        return []
    value = any(stated)
    why = "the hub marks it fine-tunable" if value else "the hub marks it not fine-tunable"
    return [Evidence(FINE_TUNING, value, "hub-fine-tunable-flag", 3, why)]


def _inference_only(seen: _Seen) -> list[Evidence]:
    if not seen.formats or not seen.formats <= INFERENCE_FORMATS:
        return []
    why = f"only inference exports ({', '.join(sorted(seen.formats))})"
    return [Evidence(FINE_TUNING, False, "inference-only-formats", 2, why)]


def _trainable(seen: _Seen) -> list[Evidence]:
    slugs = seen.formats & TRAINABLE_FORMATS
    library = seen.facts.library
    if not slugs or library in INFERENCE_LIBRARIES:
        return []
    if (seen.tokens | seen.tags) & _QUANTIZED:
        return []  # quantized weights: QLoRA at best, so no claim either way
    why = f"trainable weights ({', '.join(sorted(slugs))})"
    if library:
        why += f" for {library}"
    return [Evidence(FINE_TUNING, True, "trainable-weights", 1, why)]


def _zero_shot_task(seen: _Seen) -> list[Evidence]:
    tasks = sorted(ZERO_SHOT_TASKS & seen.tasks)
    if not tasks:
        return []
    return [Evidence(ZERO_SHOT, True, "zero-shot-task", 3, f"task {', '.join(tasks)}")]


def _instruction_tuned(seen: _Seen) -> list[Evidence]:
    tasks = PROMPTED_TASKS & seen.tasks
    if not tasks:
        return []
    signs = sorted(seen.tokens & _INSTRUCT_WORDS)
    if _gemma_it(seen):
        signs.append("it")
    # The Hub tags any model with a chat template "conversational", base models too.
    if "conversational" in seen.tags and (signs or "base" not in seen.tokens):
        signs.append("tag conversational")
    if not signs:
        return []
    why = f"instruction-tuned {', '.join(sorted(tasks))} ({', '.join(signs)})"
    return [Evidence(ZERO_SHOT, True, "instruction-tuned", 2, why)]


def _gemma_it(seen: _Seen) -> bool:
    """`-it` as instruction-tuned, only right after a size (`gemma-2-9b-it`), since `it`
    alone is also Italian."""
    if "it" not in seen.tokens:
        return False
    words = [t for t in _TOKEN.split(seen.facts.external_id.lower()) if t]
    return any(a == "it" and _SIZE.match(b) for b, a in zip(words, words[1:], strict=False))


def _closed_set(seen: _Seen) -> list[Evidence]:
    if not seen.tasks or not seen.tasks <= CLOSED_SET_TASKS:
        return []
    why = f"a fixed output head ({', '.join(sorted(seen.tasks))}): new labels need training"
    return [Evidence(ZERO_SHOT, False, "closed-set-head", 2, why)]


_RULES: Final = (
    _preprocessing,
    _embedding_task,
    _feature_vector,
    _embedding_library,
    _contrastive,
    _media_generator,
    _hub_fine_tunable,
    _inference_only,
    _trainable,
    _zero_shot_task,
    _instruction_tuned,
    _closed_set,
)
