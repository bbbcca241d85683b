"""Alias tables: hub values -> canonical slugs of `catalog.vocab` (reading: `harvesters.terms`)."""

from __future__ import annotations

from typing import Final

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
