"""Parse tfhub.dev markdown docs and group them into one payload per model handle.

A doc opens with `# <Type> <handle>`, a one-paragraph summary, and `<!-- key: value -->`
metadata lines (keys may repeat) before the first markdown heading. Module and
Placeholder docs are versions of a model (`publisher/name/version`); Lite, Tfjs and
Coral docs are deployments of a parent (`parent-model: publisher/name/version`);
Collection docs list member models by link; Publisher docs name a publisher. All
functions here are pure.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from harvesters.tfhub.aliases import TFHUB_DEPLOYMENTS

MODEL_TYPES = ("Module", "Placeholder")
DEPLOYMENT_TYPES = tuple(TFHUB_DEPLOYMENTS)
DOC_TYPES = (*MODEL_TYPES, *DEPLOYMENT_TYPES, "Collection", "Publisher")

_HEADING = re.compile(r"^#\s+(?P<type>[A-Za-z]+)\s+(?P<handle>\S+)\s*$")
_METADATA = re.compile(r"^<!--\s*(?P<key>[\w\s-]+?)\s*:\s*(?P<value>.*?)\s*-->\s*$")
_VERSIONED = re.compile(r"^(?P<base>[\w.-]+(?:/[\w.&;-]+)+)/(?P<version>\d+)$")
_LINK = re.compile(r"https?://tfhub\.dev/([\w.\-/]+)")
_MARKDOWN_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
# tfhub.dev URL prefixes of deployments, and the docs folder some parent-model values keep.
_URL_PREFIXES = frozenset({"lite-model", "tfjs-model", "coral-model", "models"})

Problem = tuple[str, str]


class DocError(ValueError):
    """A doc that cannot be read as a tfhub.dev doc; the message says why."""


def parse_doc(path: str, text: str) -> dict[str, Any]:
    """Parse one doc into `{path, type, handle, summary, metadata, body}`.

    Raises:
        DocError: the first line is not `# <Type> <handle>` of a known type, or a model
            or deployment handle has no version.
    """
    lines = text.lstrip("\ufeff").replace("\r\n", "\n").split("\n")
    while lines and not lines[0].strip():
        lines.pop(0)
    match = _HEADING.match(lines[0].replace("&zwnj;", "")) if lines else None
    if not match or match.group("type") not in DOC_TYPES:
        first = lines[0][:80] if lines else ""
        raise DocError(f"first line {first!r} is not '# <Type> <handle>' of a tfhub.dev doc")
    doc_type, handle = match.group("type"), match.group("handle").strip("/")
    if doc_type in (*MODEL_TYPES, *DEPLOYMENT_TYPES) and not _VERSIONED.match(handle):
        raise DocError(f"{doc_type} handle {handle!r} does not end in /<version>")
    index, summary = _summary(lines, 1)
    metadata, body_start = _metadata(lines, index)
    return {
        "path": path,
        "type": doc_type,
        "handle": handle,
        "summary": summary,
        "metadata": metadata,
        "body": "\n".join(lines[body_start:]).strip(),
    }


def _summary(lines: list[str], index: int) -> tuple[int, str]:
    while index < len(lines) and not lines[index].strip():
        index += 1
    parts: list[str] = []
    while index < len(lines):
        line = lines[index].strip()
        if not line or line.startswith(("<!--", "#", "[![")):
            break
        parts.append(line)
        index += 1
    return index, " ".join(parts)


def _metadata(lines: list[str], index: int) -> tuple[dict[str, list[str]], int]:
    metadata: dict[str, list[str]] = {}
    while index < len(lines) and not lines[index].startswith("#"):
        match = _METADATA.match(lines[index].strip())
        if match and match.group("value"):
            key = match.group("key").strip().lower()
            values = metadata.setdefault(key, [])
            if match.group("value") not in values:
                values.append(match.group("value"))
        index += 1
    return metadata, index


def split_version(handle: str) -> tuple[str, str | None]:
    """`"google/elmo/2"` -> `("google/elmo", "2")`; a handle without version -> (handle, None)."""
    match = _VERSIONED.match(handle)
    return (match.group("base"), match.group("version")) if match else (handle, None)


def parent_of(doc: Mapping[str, Any]) -> tuple[str, str | None] | None:
    """A deployment's parent model handle and version, from `parent-model`."""
    metadata = doc.get("metadata")
    values = metadata.get("parent-model") if isinstance(metadata, Mapping) else None
    if not isinstance(values, list) or not values:
        return None
    if not isinstance(values[0], str) or not values[0].strip("/ "):
        return None
    parent = _drop_url_prefix(values[0].strip().strip("/"))
    return split_version(parent)


def _drop_url_prefix(handle: str) -> str:
    parts = handle.split("/")
    if len(parts) > 2 and parts[1] in _URL_PREFIXES:
        parts.pop(1)
    return "/".join(parts)


def deployment_variant(doc: Mapping[str, Any]) -> tuple[str, str]:
    """A deployment's variant path and own version.

    `Lite tensorflow/mobilenet_v1_0.25_128/1/metadata/1` with parent
    `tensorflow/mobilenet_v1_0.25_128/1` -> `("metadata", "1")`; `Lite
    tensorflow/efficientdet/lite4/detection/metadata/1` with parent
    `tensorflow/efficientdet/lite4/detection/1` -> `("metadata", "1")`.
    """
    handle = _drop_url_prefix(str(doc.get("handle", "")))
    base, version = split_version(handle)
    parent = parent_of(doc)
    variant = ""
    if parent is not None:
        # The variant follows the parent's versioned handle, or (older docs) its bare one.
        prefixes = [f"{parent[0]}/{parent[1]}", parent[0]] if parent[1] else [parent[0]]
        for prefix in prefixes:
            if base.startswith(prefix + "/"):
                variant = base[len(prefix) + 1 :]
                break
    return variant, version or ""


def publisher_name(doc: Mapping[str, Any]) -> str | None:
    """The display name of a Publisher doc: its first second-level heading, links unwrapped."""
    for line in str(doc.get("body") or "").split("\n"):
        if line.startswith("## "):
            name = _MARKDOWN_LINK.sub(r"\1", line[3:]).strip()
            return name or None
    return None


def group_docs(docs: Sequence[Mapping[str, Any]]) -> tuple[list[dict[str, Any]], list[Problem]]:
    """One payload per model handle (sorted), plus problems for docs that fit nowhere.

    Payload: `{"handle", "publisher": {"handle", "name"} | None, "collections": [...],
    "docs": [model and deployment docs]}`.
    """
    problems: list[Problem] = []
    publishers: dict[str, dict[str, Any]] = {}
    collections: dict[str, list[str]] = {}
    groups: dict[str, list[Mapping[str, Any]]] = {}
    for doc in docs:
        doc_type, handle, path = doc["type"], doc["handle"], doc["path"]
        if doc_type == "Publisher":
            publishers[handle] = {"handle": handle, "name": publisher_name(doc)}
        elif doc_type == "Collection":
            text = f"{doc.get('summary', '')}\n{doc.get('body', '')}"
            collections[split_version(handle)[0]] = _LINK.findall(text)
        elif doc_type in MODEL_TYPES:
            groups.setdefault(split_version(handle)[0], []).append(doc)
        else:
            parent = parent_of(doc)
            if parent is None:
                problems.append((path, f"{doc_type} doc {handle} has no parent-model"))
                continue
            groups.setdefault(parent[0], []).append(doc)
    membership = _memberships(collections, groups.keys())
    payloads = [
        {
            "handle": handle,
            "publisher": publishers.get(handle.split("/", 1)[0]),
            "collections": membership.get(handle, []),
            "docs": sorted(groups[handle], key=_doc_order),
        }
        for handle in sorted(groups)
    ]
    return payloads, problems


def _memberships(
    collections: Mapping[str, list[str]], handles: Iterable[str]
) -> dict[str, list[str]]:
    known = set(handles)
    members: dict[str, list[str]] = {}
    for collection in sorted(collections):
        for link in collections[collection]:
            handle = resolve_link(link, known)
            if handle and collection not in members.setdefault(handle, []):
                members[handle].append(collection)
    return members


def resolve_link(link: str, known: set[str]) -> str | None:
    """The model handle a tfhub.dev link points at (longest known prefix), if any."""
    parts = _drop_url_prefix(link.strip("/")).split("/")
    for end in range(len(parts), 1, -1):
        candidate = "/".join(parts[:end])
        if candidate in known:
            return candidate
    return None


def _doc_order(doc: Mapping[str, Any]) -> tuple[int, int, str]:
    kind = 0 if doc["type"] in MODEL_TYPES else 1
    _, version = split_version(str(doc["handle"]))
    return kind, int(version) if version else 0, str(doc["handle"])
