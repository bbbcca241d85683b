"""Take the prose out of real payloads, keeping their public facts (pure functions).

Facts stay (ids, tags, counts, dates, file lists, config, licenses, links); prose goes:
model cards, descriptions, READMEs, usage text, widget examples. A one-line summary
stays only where the hub's field is a short summary (a TF Hub doc's summary line, a
PyTorch Hub page's `summary`), cut to its first sentence. Each function returns a new
payload of the shape the hub's `fetch` yields, which its normalizer reads to the same
facts (`harvesters.demo.build` checks that).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import yaml

from harvesters.pytorch_hub.parse import entrypoints, split_page

SUMMARY_LIMIT = 200
# What the Hugging Face normalizer reads, and the facts next to it; the rest of a
# payload (`widgetData`, `model-index`, `description`, ...) is left out.
HF_KEYS = frozenset(
    {
        "id", "modelId", "author", "sha", "lastModified", "createdAt", "private", "disabled",
        "gated", "downloads", "downloadsAllTime", "likes", "trendingScore", "library_name",
        "pipeline_tag", "tags", "siblings", "spaces", "usedStorage", "safetensors",
        "redirectedFrom",
    }
)  # fmt: skip
HF_CARD_KEYS = frozenset(
    {
        "license", "license_name", "license_link", "language", "base_model",
        "base_model_relation", "library_name", "pipeline_tag", "tags", "datasets",
    }
)  # fmt: skip
HF_CONFIG_KEYS = frozenset({"architectures", "model_type"})
HF_TRANSFORMERS_KEYS = frozenset({"auto_model", "pipeline_tag", "processor"})
HF_GGUF_KEYS = frozenset({"total", "architecture", "context_length"})  # no chat template
# PyTorch Hub front matter keys about the web page, not the model (layout, images).
PYTORCH_HUB_DROPPED = frozenset(
    {"layout", "background-class", "body-class", "image", "featured_image_1", "featured_image_2"}
)
# Kaggle fields that the fixtures fill with placeholders, not facts.
KAGGLE_DROPPED = frozenset({"authorImageUrl"})
_LINK = re.compile(r"https?://[^\s)\]>\"']+")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s")


def one_line(text: Any) -> str:
    """The first sentence of a short summary (at most `SUMMARY_LIMIT` characters), or ""."""
    if not isinstance(text, str):
        return ""
    line = " ".join(text.split())
    line = _SENTENCE_END.split(line, maxsplit=1)[0]
    return line if len(line) <= SUMMARY_LIMIT else ""


def links_only(text: Any) -> str:
    """The URLs a text holds, one a line, without the words around them."""
    if not isinstance(text, str):
        return ""
    return "\n".join(dict.fromkeys(link.rstrip(".,;:") for link in _LINK.findall(text)))


def huggingface(payload: Mapping[str, Any]) -> dict[str, Any]:
    """A Hub model payload without card text, widget examples or evaluation prose."""
    out = {key: value for key, value in payload.items() if key in HF_KEYS}
    for key, kept in (
        ("cardData", HF_CARD_KEYS),
        ("config", HF_CONFIG_KEYS),
        ("transformersInfo", HF_TRANSFORMERS_KEYS),
        ("gguf", HF_GGUF_KEYS),
    ):
        section = payload.get(key)
        if isinstance(section, Mapping):
            out[key] = {k: v for k, v in section.items() if k in kept}
    return out


def tfhub(payload: Mapping[str, Any]) -> dict[str, Any]:
    """A grouped TF Hub payload whose docs keep their metadata and summary line, no body."""
    docs = [
        {**doc, "summary": one_line(doc.get("summary")), "body": ""}
        for doc in payload.get("docs") or ()
    ]
    return {**payload, "docs": docs}


def pytorch_hub(payload: Mapping[str, Any]) -> dict[str, Any]:
    """A PyTorch Hub page rebuilt from its front matter (summary cut to one line) and a
    body holding only its `torch.hub.load` calls."""
    front, body = split_page(str(payload.get("text") or ""))
    kept = {k: v for k, v in front.items() if k not in PYTORCH_HUB_DROPPED}
    if "summary" in kept:
        kept["summary"] = one_line(kept["summary"])
    calls = [
        f"torch.hub.load('{e['repo']}{':' + e['ref'] if e['ref'] else ''}', '{e['entrypoint']}')"
        for e in entrypoints(body)
    ]
    text = "---\n" + yaml.safe_dump(kept, sort_keys=False, allow_unicode=True) + "---\n"
    if calls:
        text += "\n```python\n" + "\n".join(calls) + "\n```\n"
    return {**payload, "text": text}


def onnx_zoo(payload: Mapping[str, Any]) -> dict[str, Any]:
    """ONNX manifest entries hold no prose: the payload as it is."""
    return dict(payload)


def kaggle(payload: Mapping[str, Any]) -> dict[str, Any]:
    """A Kaggle `ApiModel` whose description, subtitle and instance texts keep only their
    links (tfhub.dev and Hugging Face links are facts the normalizer reads)."""
    out = {k: v for k, v in payload.items() if k not in KAGGLE_DROPPED}
    out["subtitle"] = ""
    out["description"] = links_only(payload.get("description"))
    out["instances"] = [
        {
            **instance,
            **{k: links_only(instance.get(k)) for k in ("overview", "usage") if k in instance},
        }
        for instance in payload.get("instances") or ()
        if isinstance(instance, Mapping)
    ]
    out["tags"] = [
        {**tag, "description": ""} if isinstance(tag, Mapping) and "description" in tag else tag
        for tag in payload.get("tags") or ()
    ]
    return out
