"""Alias tables: hub values -> canonical slugs of `catalog.vocab` (reading: `harvesters.terms`)."""

from __future__ import annotations

import re
from typing import Final

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
