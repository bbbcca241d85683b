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

_RUN = re.compile(r"[^\W_]+")
_PART = re.compile(r"[^\W\d_]+|\d+")
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_CLASS_SUFFIX = re.compile(r"(?:For[A-Z]\w*|Pipeline|Model|LMHead\w*|Encoder|Decoder|Backbone)$")


def tokens(text: str) -> list[str]:
    """The canonical tokens of a name."""
    out: list[str] = []
    for run in _RUN.findall(text.lower()):
        parts = _PART.findall(run)
        for index, part in enumerate(parts):
            following = parts[index + 1] if index + 1 < len(parts) else ""
            if len(part) > 1 and part[-1] == "v" and part.isalpha() and following.isdigit():
                out += [part[:-1], "v"]
            else:
                out.append(part)
    return out


def canonical(text: str) -> str:
    """The canonical form of a name: its tokens joined by `-`."""
    return "-".join(tokens(text))


def class_name_text(class_name: str) -> str:
    """A class name as words: `Qwen2ForCausalLM` -> `Qwen2`, `StableDiffusion3Pipeline` ->
    `Stable Diffusion3` (CamelCase split, the head/pipeline suffix cut)."""
    stem = _CLASS_SUFFIX.sub("", class_name.strip()) or class_name
    return _CAMEL.sub(" ", stem)


def boundary_pattern(body: str) -> re.Pattern[str]:
    """A regex matching `body` (itself a regex over canonical text) only at token edges."""
    return re.compile(rf"(?:^|(?<=-))(?:{body})(?=-|$)")
