"""Alias tables: hub values -> canonical slugs of `catalog.vocab` (reading: `harvesters.terms`)."""

from __future__ import annotations

from typing import Final

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
