"""Alias tables: hub values -> canonical slugs of `catalog.vocab` (reading: `harvesters.terms`)."""

from __future__ import annotations

from typing import Final

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
