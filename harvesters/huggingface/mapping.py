"""Hugging Face vocabulary as data: format tags, language codes, task aliases.

Kept apart from `parse.py` so the mapping rules can be read (and extended) as tables.
"""

from __future__ import annotations

import datetime as dt
from typing import Final

# Hub tags that name a weight format (matched case-insensitively) -> canonical format.
# `mlx` is deliberately absent: there is no canonical MLX format (its weights are
# safetensors), so it stays a tag and a library.
FORMAT_TAGS: Final = {
    "safetensors": "safetensors",
    "pytorch": "pytorch",
    "gguf": "gguf",
    "onnx": "onnx",
    "tf": "tensorflow",
    "tensorflow": "tensorflow",
    "tflite": "tflite",
    "coreml": "coreml",
    "openvino": "openvino",
    "jax": "flax",
    "flax": "flax",
    "keras": "keras",
    "tfjs": "tfjs",
    "tensorflowjs": "tfjs",
    "executorch": "executorch",
    "paddlepaddle": "paddle",
}

# Pipeline tags the Hub retired, mapped onto the canonical task that replaced them.
TASK_ALIASES: Final = {"conversational": "text-generation"}

# ISO 639-1 codes. A bare two-letter Hub tag is a language only if it is one of these
# (and only when the card states no languages itself: see `fields.languages_of`).
ISO_639_1: Final = frozenset(
    """
    aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr cs cu
    cv cy da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi
    ho hr ht hu hy hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks
    ku kv kw ky la lb lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl
    nn no nr nv ny oc oj om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl
    sm sn so sq sr ss st su sv sw ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve
    vi vo wa wo xh yi yo za zh zu
    """.split()  # noqa: SIM905 - 184 codes read better as a block of text than as a list
)

# Language names cards sometimes give instead of codes.
LANGUAGE_NAMES: Final = {
    "english": "en",
    "chinese": "zh",
    "french": "fr",
    "german": "de",
    "spanish": "es",
    "japanese": "ja",
    "korean": "ko",
    "russian": "ru",
    "portuguese": "pt",
    "italian": "it",
    "arabic": "ar",
    "hindi": "hi",
    "dutch": "nl",
    "turkish": "tr",
    "vietnamese": "vi",
    "polish": "pl",
    "indonesian": "id",
}

# Tag prefixes whose tags are consumed into fields (and so not kept as free tags).
# `region:` says where the repo is stored, which no user searches for.
CONSUMED_PREFIXES: Final = ("license:", "dataset:", "base_model:", "region:")

# Repos that existed before the Hub recorded creation dates all carry the moment of the
# 2022 migration (a few seconds wide) as `createdAt`: that means "unknown".
PLACEHOLDER_CREATED_FROM: Final = dt.datetime(2022, 3, 2, 23, 29, 4, tzinfo=dt.UTC)
PLACEHOLDER_CREATED_UNTIL: Final = dt.datetime(2022, 3, 2, 23, 29, 6, tzinfo=dt.UTC)

PUBLIC_URL: Final = "https://huggingface.co"
