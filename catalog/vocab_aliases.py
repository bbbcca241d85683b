"""Alias tables from each hub's own vocabulary onto the canonical slugs of `catalog.vocab`.

The tables are data: a hub value (normalised by `term_key`) maps to a tuple of
canonical slugs. A value absent from its table maps to nothing: the harvester keeps it
as a tag and reports it as unmapped (`map_terms`). An entry with an empty tuple says
"known, and deliberately not a canonical task" (a preprocessing graph, a generic
category whose task comes from a more specific tag); whether that counts as unmapped is
the harvester's call, documented in docs/harvesters.md.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Final

_SEPARATORS = re.compile(r"[\s_\-]+")


def term_key(value: str) -> str:
    """Lookup key of a hub value: lower case, runs of spaces/underscores/hyphens -> "-"."""
    return _SEPARATORS.sub("-", value.strip().lower()).strip("-")


@dataclass(frozen=True, slots=True)
class TermMapping:
    """Result of mapping hub values: canonical targets and the values that had none."""

    targets: tuple[str, ...]
    unmapped: tuple[str, ...]


def map_terms(values: Iterable[str], table: Mapping[str, tuple[str, ...]]) -> TermMapping:
    """Map hub values through `table` (keys are `term_key`s), keeping order, no repeats.

    A value is unmapped when its key is not in the table; a key mapped to `()` is known
    and yields no target.
    """
    targets: dict[str, None] = {}
    unmapped: dict[str, None] = {}
    for value in values:
        key = term_key(value)
        if not key:
            continue
        if key in table:
            targets.update(dict.fromkeys(table[key]))
        else:
            unmapped[value.strip()] = None
    return TermMapping(tuple(targets), tuple(unmapped))


# --- TensorFlow Hub ----------------------------------------------------------------------
# `task` (and the older `module-type`) ids of tfhub.dev's tags/task.yaml. Ids missing here
# (audio-embedding, audio-pitch-extraction, image-aesthetic-quality, image-others,
# text-preprocessing, text-sequence-alignment, video-generation, video-text, ...) have no
# Hugging Face pipeline equivalent: they stay tags and are reported as unmapped.
TFHUB_TASKS: Final[dict[str, tuple[str, ...]]] = {
    "audio-command-detection": ("audio-classification",),
    "audio-event-classification": ("audio-classification",),
    "audio-paralinguistics": ("audio-classification",),
    "audio-speech-synthesis": ("text-to-speech",),
    "audio-stt": ("automatic-speech-recognition",),
    "image-augmentation": ("image-to-image",),
    "image-classification": ("image-classification",),
    "image-classification-logits": ("image-classification",),
    "image-classifier": ("image-classification",),
    "image-deblurring": ("image-to-image",),
    "image-dehazing": ("image-to-image",),
    "image-denoising": ("image-to-image",),
    "image-depth-estimation": ("depth-estimation",),
    "image-deraining": ("image-to-image",),
    "image-enhancement": ("image-to-image",),
    "image-extrapolation": ("image-to-image",),
    "image-feature-vector": ("image-feature-extraction",),
    "image-generator": ("unconditional-image-generation",),
    "image-object-detection": ("object-detection",),
    "image-pose-detection": ("keypoint-detection",),
    "image-rnn-agent": ("reinforcement-learning",),
    "image-segmentation": ("image-segmentation",),
    "image-style-transfer": ("image-to-image",),
    "image-super-resolution": ("image-to-image",),
    "image-text-detection": ("object-detection",),
    "image-text-recognition": ("image-to-text",),
    "text-classification": ("text-classification",),
    "text-embedding": ("sentence-similarity",),
    "text-generation": ("text-generation",),
    "text-language-model": ("text-generation",),
    "text-question-answering": ("question-answering",),
    "text-retrieval-question-answering": ("text-retrieval",),
    "text-segmentation": ("token-classification",),
    "text-to-mel": ("text-to-speech",),
    "video-classification": ("video-classification",),
}
# The modality of a TF Hub task is its domain prefix; a few span several domains.
TFHUB_DOMAINS: Final[dict[str, str]] = {
    "image": "vision",
    "video": "vision",
    "text": "language",
    "audio": "audio",
}
TFHUB_MODALITY_OVERRIDES: Final[dict[str, str]] = {
    "video-audio-text": "multimodal",
    "video-text": "multimodal",
}
# `format` of a Module doc.
TFHUB_FORMATS: Final[dict[str, tuple[str, ...]]] = {
    "saved-model-2": ("tensorflow",),
    "saved-model": ("tensorflow",),
    "hub": ("tensorflow",),
    "tf1": ("tensorflow",),
    "tflite": ("tflite",),
    "lite": ("tflite",),
    "tfjs": ("tfjs",),
    "keras": ("keras",),
}
# Deployment doc types (`# Lite|Tfjs|Coral <handle>` with `parent-model`) -> (format, detail).
TFHUB_DEPLOYMENTS: Final[dict[str, tuple[str, dict[str, str]]]] = {
    "Lite": ("tflite", {}),
    "Tfjs": ("tfjs", {}),
    "Coral": ("tflite", {"accelerator": "edgetpu"}),
}
# Handle segments of a deployment that name its numeric precision.
TFHUB_QUANTIZATION: Final[dict[str, str]] = {
    "fp16": "float16",
    "float16": "float16",
    "int8": "int8",
    "uint8": "uint8",
    "int16": "int16",
    "dr": "dynamic-range",
    "dynamic-range": "dynamic-range",
    "quantized": "quantized",
}
# tfhub.dev: "The default assumed license for a published model is Apache 2.0".
TFHUB_DEFAULT_LICENSE: Final = "apache-2.0"
TFHUB_LICENSES: Final[dict[str, str]] = {"custom": "other"}

# --- PyTorch Hub ---------------------------------------------------------------------------
# Page tags (the template allows vision, nlp, generative, audio, scriptable) -> modalities.
PYTORCH_HUB_TAGS: Final[dict[str, tuple[str, ...]]] = {
    "vision": ("vision",),
    "nlp": ("language",),
    "audio": ("audio",),
    "generative": (),
    "scriptable": (),
}
# Task rules: (regular expression on "title. summary" in lower case, task, tag the page
# must carry or None). Only plain statements of a task match; nothing is inferred from
# datasets or architectures.
PYTORCH_HUB_TASK_RULES: Final[tuple[tuple[str, str, str | None], ...]] = (
    (r"\bobject detection\b", "object-detection", None),
    (r"\bsegmentation\b", "image-segmentation", "vision"),
    (r"\bimage classification\b|\bclassif(?:y|ies|ying) images\b", "image-classification", None),
    (r"\bdepth estimation\b|\brelative depth\b", "depth-estimation", None),
    (r"\btranslation\b", "translation", "nlp"),
    (
        r"\bspeech[- ]to[- ]text\b|\bspeech recognition\b|\bstt\b",
        "automatic-speech-recognition",
        None,
    ),
    (
        r"\btext[- ]to[- ]speech\b|\bspeech synthesis\b|\bmel spectrograms? from text\b",
        "text-to-speech",
        None,
    ),
    (r"\bsource separation\b|\bspeech enhancement\b", "audio-to-audio", None),
    (r"\bgenerative image model\b|\bimage generation\b", "unconditional-image-generation", None),
    (r"\bquestion answering\b", "question-answering", None),
    (r"\bsentiment\b|\btext classification\b", "text-classification", None),
    (r"\bsuper[- ]resolution\b|\bstyle transfer\b", "image-to-image", None),
    (r"\bpose estimation\b|\bkeypoint detection\b", "keypoint-detection", None),
    (r"\bvideo classification\b|\baction recognition\b", "video-classification", None),
    (r"\bimage captioning\b", "image-to-text", None),
    (r"\bvoice activity detection\b", "voice-activity-detection", None),
    (r"\btext generation\b|\blanguage generation\b", "text-generation", None),
    (r"\baudio classification\b|\bsound classification\b", "audio-classification", None),
)

# --- ONNX Model Zoo ------------------------------------------------------------------------
# Manifest tags are [domain, category, model family...] (the folders of the model path).
ONNX_DOMAINS: Final[dict[str, tuple[str, ...]]] = {
    "vision": ("vision",),
    "text": ("language",),
    "audio": ("audio",),
    "speech": ("audio",),
    "graph": ("graph",),
}
ONNX_CATEGORIES: Final[dict[str, tuple[str, ...]]] = {
    "classification": ("image-classification",),
    "object-detection-segmentation": ("object-detection",),
    "style-transfer": ("image-to-image",),
    "super-resolution": ("image-to-image",),
    "image-manipulation": ("image-to-image",),
    "machine-translation": ("translation",),
    # Mixed categories: the task comes from the model family below.
    "body-analysis": (),
    "machine-comprehension": (),
}
# Families whose task is more specific than their category's; they replace it.
ONNX_FAMILIES: Final[dict[str, tuple[str, ...]]] = {
    "fcn": ("image-segmentation",),
    "duc": ("image-segmentation",),
    "mask-rcnn": ("object-detection", "image-segmentation"),
    "arcface": ("image-feature-extraction",),
    "emotion-ferplus": ("image-classification",),
    "ultraface": ("object-detection",),
    "age-gender": ("image-classification",),
    "bert-squad": ("question-answering",),
    "bidaf": ("question-answering",),
    "gpt-2": ("text-generation",),
    "gpt2-bs": ("text-generation",),
    "t5": ("text2text-generation",),
    "preprocessing": (),
}

# --- Kaggle Models -------------------------------------------------------------------------
# Framework enum (`MODEL_FRAMEWORK_TENSOR_FLOW_2`, short `tensorFlow2`, label `TensorFlow 2`;
# see `kaggle_framework_key`) -> format. Frameworks missing here (PAX, MaxText, GemmaCpp,
# GGML, scikit-learn, MXNet, API, Other, TensorRT-LLM, Triton, vLLM, unspecified) have no
# canonical format: tag + unmapped. Transformers is decided by the instance's files.
KAGGLE_FRAMEWORKS: Final[dict[str, tuple[str, ...]]] = {
    "tensorflow1": ("tensorflow",),
    "tensorflow2": ("tensorflow",),
    "tflite": ("tflite",),
    "tfjs": ("tfjs",),
    "pytorch": ("pytorch",),
    "jax": ("flax",),
    "flax": ("flax",),
    "keras": ("keras",),
    "gguf": ("gguf",),
    "onnx": ("onnx",),
    "coral": ("tflite",),
}
KAGGLE_TRANSFORMERS: Final = "transformers"
KAGGLE_FRAMEWORK_DETAIL: Final[dict[str, dict[str, str]]] = {"coral": {"accelerator": "edgetpu"}}
KAGGLE_FRAMEWORK_LIBRARIES: Final[dict[str, str]] = {
    "tensorflow1": "tensorflow",
    "tensorflow2": "tensorflow",
    "tflite": "tflite",
    "tfjs": "tensorflowjs",
    "pytorch": "pytorch",
    "jax": "jax",
    "flax": "flax",
    "keras": "keras",
    "gguf": "gguf",
    "onnx": "onnx",
    "transformers": "transformers",
    "vllm": "vllm",
}
# The numeric values of the enum, for payloads that carry numbers instead of names.
KAGGLE_FRAMEWORK_NUMBERS: Final[dict[int, str]] = {
    0: "unspecified", 1: "tensorflow1", 2: "tensorflow2", 3: "tflite", 4: "tfjs",
    5: "pytorch", 6: "jax", 7: "coral", 8: "scikitlearn", 9: "mxnet", 10: "onnx",
    11: "keras", 12: "api", 13: "other", 14: "flax", 15: "pax", 16: "transformers",
    17: "maxtext", 18: "gemmacpp", 19: "ggml", 20: "tensorrtllm", 21: "gguf", 22: "triton",
    23: "vllm",
}  # fmt: skip


def kaggle_framework_key(value: object) -> str:
    """Lookup key of a Kaggle framework in any of its spellings ("" when absent)."""
    if isinstance(value, bool):
        return ""
    if isinstance(value, int):
        return KAGGLE_FRAMEWORK_NUMBERS.get(value, f"unknown-{value}")
    if not isinstance(value, str):
        return ""
    text = value.strip()
    if text.upper().startswith("MODEL_FRAMEWORK_"):
        text = text[len("MODEL_FRAMEWORK_") :]
    return re.sub(r"[^a-z0-9]", "", text.lower())


# Kaggle model tags (categories) that name a task. Keys are `term_key`s of the tag name.
KAGGLE_TASKS: Final[dict[str, tuple[str, ...]]] = {
    "text-generation": ("text-generation",),
    "text-classification": ("text-classification",),
    "sentiment-analysis": ("text-classification",),
    "question-answering": ("question-answering",),
    "text-question-answering": ("question-answering",),
    "summarization": ("summarization",),
    "text-summarization": ("summarization",),
    "translation": ("translation",),
    "machine-translation": ("translation",),
    "fill-mask": ("fill-mask",),
    "token-classification": ("token-classification",),
    "named-entity-recognition": ("token-classification",),
    "text-embedding": ("sentence-similarity",),
    "sentence-similarity": ("sentence-similarity",),
    "feature-extraction": ("feature-extraction",),
    "image-feature-vector": ("image-feature-extraction",),
    "image-feature-extraction": ("image-feature-extraction",),
    "image-classification": ("image-classification",),
    "object-detection": ("object-detection",),
    "image-object-detection": ("object-detection",),
    "image-segmentation": ("image-segmentation",),
    "semantic-segmentation": ("image-segmentation",),
    "instance-segmentation": ("image-segmentation",),
    "text-to-image": ("text-to-image",),
    "image-to-text": ("image-to-text",),
    "image-captioning": ("image-to-text",),
    "depth-estimation": ("depth-estimation",),
    "image-depth-estimation": ("depth-estimation",),
    "pose-estimation": ("keypoint-detection",),
    "image-pose-detection": ("keypoint-detection",),
    "keypoint-detection": ("keypoint-detection",),
    "image-style-transfer": ("image-to-image",),
    "style-transfer": ("image-to-image",),
    "image-super-resolution": ("image-to-image",),
    "super-resolution": ("image-to-image",),
    "image-to-image": ("image-to-image",),
    "video-classification": ("video-classification",),
    "action-recognition": ("video-classification",),
    "automatic-speech-recognition": ("automatic-speech-recognition",),
    "speech-recognition": ("automatic-speech-recognition",),
    "speech-to-text": ("automatic-speech-recognition",),
    "audio-classification": ("audio-classification",),
    "audio-event-classification": ("audio-classification",),
    "text-to-speech": ("text-to-speech",),
    "speech-synthesis": ("text-to-speech",),
    "visual-question-answering": ("visual-question-answering",),
    "zero-shot-classification": ("zero-shot-classification",),
    "zero-shot-image-classification": ("zero-shot-image-classification",),
    "reinforcement-learning": ("reinforcement-learning",),
    "time-series-forecasting": ("time-series-forecasting",),
    "tabular-classification": ("tabular-classification",),
    "tabular-regression": ("tabular-regression",),
}
KAGGLE_MODALITY_TAGS: Final[dict[str, tuple[str, ...]]] = {
    "computer-vision": ("vision",),
    "image": ("vision",),
    "vision": ("vision",),
    "video": ("vision",),
    "nlp": ("language",),
    "text": ("language",),
    "natural-language-processing": ("language",),
    "audio": ("audio",),
    "speech": ("audio",),
    "multimodal": ("multimodal",),
    "tabular": ("tabular",),
}
# Kaggle `licenseName` values (lower case, spaces collapsed) -> canonical license slugs.
KAGGLE_LICENSES: Final[dict[str, str]] = {
    "apache 2.0": "apache-2.0",
    "attribution 3.0 unported (cc by 3.0)": "cc-by-3.0",
    "attribution 4.0 international (cc by 4.0)": "cc-by-4.0",
    "attribution-noderivatives 4.0 international (cc by-nd 4.0)": "cc-by-nd-4.0",
    "attribution-noncommercial 4.0 international (cc by-nc 4.0)": "cc-by-nc-4.0",
    "attribution-noncommercial-noderivatives 4.0 international (cc by-nc-nd 4.0)": (
        "cc-by-nc-nd-4.0"
    ),
    "bsd-3-clause": "bsd-3-clause",
    "cc by-nc-sa 4.0": "cc-by-nc-sa-4.0",
    "cc by-sa 3.0": "cc-by-sa-3.0",
    "cc by-sa 4.0": "cc-by-sa-4.0",
    "cc0: public domain": "cc0-1.0",
    "community data license agreement - permissive - version 1.0": "cdla-permissive-1.0",
    "community data license agreement - sharing - version 1.0": "cdla-sharing-1.0",
    "gnu affero general public license 3.0": "agpl-3.0",
    "gnu free documentation license 1.3": "gfdl",
    "gnu lesser general public license 3.0": "lgpl-3.0",
    "gpl 2": "gpl-2.0",
    "gpl 3": "gpl-3.0",
    "mit": "mit",
    "odc attribution license (odc-by)": "odc-by",
    "odc public domain dedication and licence (pddl)": "pddl",
    "gemma": "gemma",
    "gemma terms of use": "gemma",
    "llama 2": "llama2",
    "llama 3": "llama3",
    "llama 3.1": "llama3.1",
    "llama 3.2": "llama3.2",
}


def license_key(value: str) -> str:
    """Lookup key of a license name: lower case with whitespace collapsed."""
    return " ".join(value.strip().lower().split())
