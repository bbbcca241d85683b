"""Names in canonical token form, so that `ResNet50`, `resnet_v1_50` and `ResNet-50` compare.

A name becomes lower-case tokens: runs of letters and runs of digits, split at every
separator and at every letter/digit boundary, with a `v` that precedes a number split
off (`yolov5` -> `yolo v 5`). The canonical form joins the tokens with `-`
(`ResNet50-caffe2` -> `resnet-50-caffe-2`). Spellings and release templates of the
family vocabulary are written against this form, so separators, case and the gluing of
numbers to words never matter.
"""

from __future__ import annotations

import re
from functools import lru_cache

# Runs of letters and runs of digits; a run of letters stops before a `v` that precedes a
# number (the `v` is then its own run): one pass of the regex engine per name.
_TOKEN = re.compile(r"[^\W\d_]+?(?=v\d)|[^\W\d_]+|\d+")
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_CLASS_SUFFIX = re.compile(r"(?:For[A-Z]\w*|Pipeline|Model|LMHead\w*|Encoder|Decoder|Backbone)$")


@lru_cache(maxsize=1024)  # a model's names are read by several kinds of evidence in a row
def word_tuple(text: str) -> tuple[str, ...]:
    """The canonical tokens of a name, as a tuple (cached for the last names read)."""
    return tuple(_TOKEN.findall(text.lower()))


def tokens(text: str) -> list[str]:
    """The canonical tokens of a name."""
    return list(word_tuple(text))


def canonical(text: str) -> str:
    """The canonical form of a name: its tokens joined by `-`."""
    return "-".join(word_tuple(text))


def class_name_text(class_name: str) -> str:
    """A class name as words: `Qwen2ForCausalLM` -> `Qwen2`, `StableDiffusion3Pipeline` ->
    `Stable Diffusion3` (CamelCase split, the head/pipeline suffix cut)."""
    stem = _CLASS_SUFFIX.sub("", class_name.strip()) or class_name
    return _CAMEL.sub(" ", stem)


def boundary_pattern(body: str) -> re.Pattern[str]:
    """A regex matching `body` (itself a regex over canonical text) only at token edges."""
    return re.compile(rf"(?:^|(?<=-))(?:{body})(?=-|$)")
