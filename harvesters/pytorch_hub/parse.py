"""Pure normalization of a PyTorch Hub page (YAML front matter + markdown body).

Real pages are not always valid YAML: some quote values with curly quotes. The front
matter is read as YAML, then as YAML with curly quotes made straight, then line by line
(`key: value`); a page is refused only when it has no closed front matter or no title.
The `torch.hub.load('<owner>/<repo>[:ref]', '<entrypoint>', ...)` calls of the body are
the model's variants; the task is set only by the plain keyword rules of
`harvesters.pytorch_hub.aliases.PYTORCH_HUB_TASK_RULES`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import yaml

from catalog.provenance import Provenance
from catalog.records import (
    TEXT_LIMIT,
    FormatRecord,
    InvalidRecordError,
    NormalizedModel,
    validate_record,
)
from harvesters import terms
from harvesters.pytorch_hub import aliases

PLATFORM = "pytorch-hub"
SITE = "https://pytorch.org/hub/"
_FRONT = re.compile(r"\A\s*---[ \t]*\r?\n(?P<front>.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.DOTALL)
_CURLY = str.maketrans({"\u201c": '"', "\u201d": '"', "\u2018": "'", "\u2019": "'"})
_QUOTES = "\"'\u201c\u201d\u2018\u2019 "
_LINE = re.compile(r"^(?P<key>[A-Za-z][\w-]*)\s*:\s*(?P<value>.*)$")
_LOAD = re.compile(
    r"""torch\.hub\.load\(\s*(?:repo_or_dir\s*=\s*)?(?P<q1>['"])(?P<repo>[^'"\s]+)(?P=q1)\s*,"""
    r"""\s*(?:model\s*=\s*)?(?P<q2>['"])(?P<entry>[^'"\s]+)(?P=q2)"""
)
_REPO = re.compile(r"^[\w-][\w.-]*/[\w.-]+$")  # owner/name, not ./path
_RULES = tuple(
    (re.compile(pattern), task, tag) for pattern, task, tag in aliases.PYTORCH_HUB_TASK_RULES
)


def has_front_matter(text: str) -> bool:
    """Whether a page opens a front matter block (`---` on its first line)."""
    return text.lstrip("\ufeff \t\r\n").startswith("---")


def split_page(text: str) -> tuple[dict[str, Any], str]:
    """The front matter as a mapping, and the body.

    Raises:
        InvalidRecordError: the front matter is not closed, or holds no `key: value`.
    """
    match = _FRONT.match(text.lstrip("\ufeff"))
    if not match:
        raise InvalidRecordError("front matter is not closed by a '---' line")
    front = parse_front_matter(match.group("front"))
    return front, text.lstrip("\ufeff")[match.end() :].strip()


def parse_front_matter(front: str) -> dict[str, Any]:
    """Front matter as YAML, else YAML with straight quotes, else `key: value` lines.

    Raises:
        InvalidRecordError: none of the three gives a mapping.
    """
    for candidate in (front, front.translate(_CURLY)):
        try:
            data = yaml.safe_load(candidate)
        except yaml.YAMLError:
            continue
        if isinstance(data, dict):
            return {str(k): v for k, v in data.items()}
    lines = {}
    for line in front.splitlines():
        match = _LINE.match(line.strip())
        if match:
            lines[match.group("key")] = match.group("value")
    if not lines:
        raise InvalidRecordError("front matter is neither YAML nor 'key: value' lines")
    return lines


def clean(value: object) -> str | None:
    """A front matter value as plain text: quotes (straight or curly) and spaces stripped."""
    if value is None or isinstance(value, (dict, list)):
        return None
    text = str(value).strip().strip(_QUOTES).strip()
    return text or None


def tags_of(value: object) -> list[str]:
    """Tags from a YAML list, or from a `[a, b]` / `a, b` string the fallback left."""
    items = value if isinstance(value, list) else str(value or "").strip("[] ").split(",")
    return list(dict.fromkeys(t.lower() for item in items if (t := clean(item))))


def entrypoints(body: str) -> list[dict[str, str | None]]:
    """The `torch.hub.load` calls with literal repo and entrypoint, in order, no repeats."""
    found: dict[tuple[str, str | None, str], None] = {}
    for match in _LOAD.finditer(body):
        repo, _, ref = match.group("repo").partition(":")
        if _REPO.match(repo):
            found[(repo, ref or None, match.group("entry"))] = None
    return [{"entrypoint": e, "repo": r, "ref": ref} for r, ref, e in found]


def tasks_of(title: str, summary: str, tags: Sequence[str]) -> tuple[str, ...]:
    """Tasks the title or summary states plainly (see `PYTORCH_HUB_TASK_RULES`)."""
    text = f"{title}. {summary}".lower()
    tasks = [
        task
        for pattern, task, tag in _RULES
        if (tag is None or tag in tags) and pattern.search(text)
    ]
    return tuple(dict.fromkeys(tasks))


def normalize_page(payload: Mapping[str, Any]) -> NormalizedModel:
    """Turn `{"page", "path", "text"}` into a record.

    Raises:
        InvalidRecordError: no page id, bad front matter, or no title.
    """
    page = payload.get("page")
    text = payload.get("text")
    if not isinstance(page, str) or not page or not isinstance(text, str):
        raise InvalidRecordError("PyTorch Hub payload has no page id or text")
    front, body = split_page(text)
    title = clean(front.get("title"))
    if not title:
        raise InvalidRecordError("front matter has no title")
    summary = clean(front.get("summary")) or ""
    tags = tags_of(front.get("tags"))
    modalities = terms.map_terms(tags, aliases.PYTORCH_HUB_TAGS)
    source_repo = clean(front.get("github-id"))
    variants = entrypoints(body)
    record = NormalizedModel(
        platform=PLATFORM,
        external_id=page,
        name=title,
        author=source_repo.split("/", 1)[0].lower() if source_repo else None,
        author_name=clean(front.get("author")),
        url=f"{SITE}{page}/",
        summary=summary or None,
        description=body[:TEXT_LIMIT] or None,
        library="pytorch",
        tasks=tasks_of(title, summary, tags),
        modalities=modalities.targets,
        formats=(FormatRecord("pytorch", variants=tuple(variants)),),
        tags=tuple(tags),
        unmapped=tuple(f"modality:{t}" for t in modalities.unmapped),
        extra=_extra(front, source_repo, tags),
    )
    record = _PROVENANCE.attach(record)
    validate_record(record)
    return record


def _provenance() -> Provenance:
    prov = Provenance()
    prov.declared("name", "front_matter.title")
    prov.declared("author", "front_matter.github-id")
    prov.declared("author_name", "front_matter.author")
    prov.curated("url", "pytorch-hub-page")
    prov.declared("summary", "front_matter.summary")
    prov.declared("description", "body")
    prov.curated("library", "pytorch-hub-is-pytorch")
    prov.derived("tasks", "PYTORCH_HUB_TASK_RULES", "front_matter.title, summary")
    prov.declared("modalities", "front_matter.tags", "PYTORCH_HUB_TAGS")
    prov.curated("formats", "pytorch-hub-is-pytorch")
    prov.declared("formats", "body: torch.hub.load(...) calls")
    prov.declared("tags", "front_matter.tags")
    return prov


_PROVENANCE = _provenance()  # the same for every page


def _extra(
    front: Mapping[str, Any], source_repo: str | None, tags: Sequence[str]
) -> dict[str, Any]:
    extra: dict[str, Any] = {}
    if source_repo:
        extra["source_repo"] = source_repo
    for key, name in (
        ("github-link", "github_link"),
        ("accelerator", "accelerator"),
        ("category", "category"),
        ("demo-model-link", "demo_url"),
    ):
        value = clean(front.get(key))
        if value:
            extra[name] = value
    if "scriptable" in tags:
        extra["scriptable"] = True
    return extra
