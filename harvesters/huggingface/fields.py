"""Field extractors for `parse.normalize_model`: tags and the values they carry.

Each extractor reads the payload (and card) and marks the tags it consumed on a shared
`Tags`, so that what is left over becomes the record's free tags.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from catalog import vocab
from catalog.models.lineage import RELATIONS
from catalog.provenance import Provenance
from catalog.records import FormatRecord, LicenseRef, LineageRef
from harvesters.huggingface import mapping
from harvesters.huggingface.files import formats_from_siblings
from harvesters.huggingface.text import as_list, as_str, clean

VALUE_LIMIT = 300  # longest tag / dataset / language / library value kept
ID_LIMIT = 500
_LANGUAGE = re.compile(r"^[a-z]{2,3}(?:-[a-z0-9]{2,8})*$")
_HUB_ID = re.compile(r"^[\w.\-]+(?:/[\w.\-]+)?$")
_HUB_PREFIXES = ("https://huggingface.co/", "http://huggingface.co/", "huggingface.co/")
_NONE_VALUES = frozenset({"", "none", "null", "n/a", "na", "-"})
_FORMAT_ORDER = {fmt.slug: index for index, fmt in enumerate(vocab.FORMATS)}


class Tags:
    """A model's tags, with the ones consumed into fields and the unmapped values."""

    def __init__(self, tags: list[str]) -> None:
        self.all = tags
        self.lower = [t.lower() for t in tags]
        self.unmapped: list[str] = []
        self._added: list[str] = []
        # One pass sorts the `prefix:` tags by prefix; region: tags are dropped outright.
        self._by_prefix: dict[str, list[tuple[str, str]]] = {}
        for tag, low in zip(tags, self.lower, strict=True):
            head, colon, _ = low.partition(":")
            if colon:
                self._by_prefix.setdefault(head, []).append((tag, tag[len(head) + 1 :]))
        self.consumed: set[str] = {tag for tag, _ in self._by_prefix.get("region", ())}

    @classmethod
    def from_payload(
        cls, payload: Mapping[str, Any], card: Mapping[str, Any], bad: set[str]
    ) -> Tags:
        """The Hub's tags plus card tags it did not copy, cleaned, without repeats."""
        raw = payload.get("tags")
        if raw is not None and not isinstance(raw, list | str):
            bad.add("tags")
        seen: dict[str, str] = {}
        for value in (*as_list(raw), *as_list(card.get("tags"))):
            tag = clean(value, VALUE_LIMIT)
            if tag:
                seen.setdefault(tag.lower(), tag)
        return cls(list(seen.values()))

    def pairs(self) -> zip[tuple[str, str]]:
        """`(tag, lower-case tag)` pairs."""
        return zip(self.all, self.lower, strict=True)

    def prefixed(self, prefix: str) -> list[tuple[str, str]]:
        """`(tag, rest)` of the tags `<prefix>:<rest>` (prefix case-insensitive)."""
        return self._by_prefix.get(prefix, [])

    def unmapped_value(self, label: str, tag: str) -> None:
        """Record a value that maps to nothing canonical; it stays (or becomes) a tag."""
        if label not in self.unmapped:
            self.unmapped.append(label)
        self.consumed.discard(tag)
        if tag.lower() not in self.lower and tag not in self._added:
            self._added.append(tag)

    def free(self) -> tuple[str, ...]:
        """Tags not consumed into a field, then unmapped values that were not tags."""
        return (*(t for t in self.all if t not in self.consumed), *self._added)


def tasks_of(
    payload: Mapping[str, Any],
    card: Mapping[str, Any],
    tags: Tags,
    bad: set[str],
    prov: Provenance,
) -> tuple[str, ...]:
    """Canonical tasks: the pipeline tag first, then task tags.

    The pipeline tag is one string; any other value (a list, a number) is dropped and
    named in `bad`, not guessed from.
    """
    found: dict[str, None] = {}
    for path, raw in (
        ("pipeline_tag", payload.get("pipeline_tag")),
        ("cardData.pipeline_tag", card.get("pipeline_tag")),
    ):
        if raw is not None and type(raw) is not str:
            bad.add(path)
        value = clean(raw, VALUE_LIMIT)
        if value is None:
            continue
        task = mapping.TASK_ALIASES.get(value, value)
        if task in vocab.TASK_MODALITY:
            found[task] = None
            prov.declared("tasks", path, "TASK_ALIASES" if task != value else None)
        else:
            tags.unmapped_value(f"task:{value}", value)
    for tag in tags.all:
        if tag in vocab.TASK_MODALITY:
            found[tag] = None
            tags.consumed.add(tag)
            prov.declared("tasks", f"tags[{tag}]")
    return tuple(found)


def library_of(
    payload: Mapping[str, Any], card: Mapping[str, Any], bad: set[str], prov: Provenance
) -> str | None:
    """`library_name` (or the card's), as a lower-case slug."""
    for source, raw in (
        ("library_name", payload.get("library_name")),
        ("cardData.library_name", card.get("library_name")),
    ):
        if raw is None:
            continue
        value = as_str(raw, 100)
        if value is not None:
            prov.declared("library", source)
            return value.lower()
        bad.add(source)
    return None


def license_of(
    model_id: str, card: Mapping[str, Any], tags: Tags, prov: Provenance
) -> LicenseRef | None:
    """The license from the card, else from `license:` tags; SPDX where it is one."""
    license_tags = tags.prefixed("license")
    primary = as_str(card.get("license"), VALUE_LIMIT)
    path = "cardData.license"
    if primary is None and license_tags:
        primary = clean(license_tags[0][1], VALUE_LIMIT)
        path = f"tags[{license_tags[0][0]}]"
    name = as_str(card.get("license_name"), VALUE_LIMIT)
    if primary is None and name is None:
        return None
    for tag, _ in license_tags:
        tags.consumed.add(tag)
    link = _license_link(model_id, as_str(card.get("license_link"), 1000))
    if primary is None or (primary.lower() == "other" and name is not None):
        prov.declared("license", "cardData.license_name")
        named = vocab.canonical_license(name) if name else None
        if named is not None:
            return LicenseRef(named.slug, named.name, named.url or link, named.spdx_id)
        assert name is not None
        return LicenseRef(_slug(name), name, link)
    prov.declared("license", path)
    info = vocab.canonical_license(primary)
    if info is not None:
        return LicenseRef(info.slug, info.name, info.url or link, info.spdx_id)
    tags.unmapped_value(f"license:{primary}", f"license:{primary}")
    return LicenseRef(_slug(primary), name or primary, link)


def _slug(value: str) -> str:
    return "-".join(value.lower().split())[:VALUE_LIMIT]


def _license_link(model_id: str, link: str | None) -> str | None:
    """The card's license link; a path inside the repo becomes a Hub URL."""
    if not link:
        return None
    if link.startswith(("http://", "https://")):
        return link
    return f"{mapping.PUBLIC_URL}/{model_id}/blob/main/{link.removeprefix('./').lstrip('/')}"


def formats_of(
    payload: Mapping[str, Any], tags: Tags, bad: set[str], prov: Provenance
) -> tuple[FormatRecord, ...]:
    """Formats from weight file names (with counts, sizes, GGUF quantizations) and tags."""
    siblings = payload.get("siblings")
    if siblings is not None and not isinstance(siblings, list):
        bad.add("siblings")
    files = formats_from_siblings(siblings if isinstance(siblings, list) else ())
    if files:
        prov.declared("formats", "siblings[].rfilename", "FORMATS file patterns")
    from_tags: set[str] = set()
    for tag, low in tags.pairs():
        slug = mapping.FORMAT_TAGS.get(low)
        if slug is not None:
            from_tags.add(slug)
            tags.consumed.add(tag)
            prov.declared("formats", f"tags[{tag}]", "FORMAT_TAGS")
    records = []
    for slug in sorted(files.keys() | from_tags, key=_FORMAT_ORDER.__getitem__):
        found = files.get(slug)
        if found is None:
            records.append(FormatRecord(slug))
            continue
        variants = tuple(found.gguf_variants.values())
        records.append(FormatRecord(slug, variants, found.count, found.total_bytes))
    return tuple(records)


def languages_of(
    card: Mapping[str, Any], tags: Tags, bad: set[str], prov: Provenance
) -> tuple[str, ...]:
    """Language codes the card states; without them, two-letter ISO 639-1 tags."""
    raw = card.get("language")
    if raw is not None and not isinstance(raw, list | str):
        bad.add("cardData.language")
    found: dict[str, None] = {}
    stated = [v for v in (clean(x, VALUE_LIMIT) for x in as_list(raw)) if v]
    for value in stated:
        code = _language_code(value)
        if code is not None:
            found[code] = None
            prov.declared("languages", "cardData.language")
    if not stated:
        for tag, low in tags.pairs():
            if low in mapping.ISO_639_1:
                found[low] = None
                prov.declared("languages", f"tags[{tag}]")
    for tag, low in tags.pairs():
        if low in found:
            tags.consumed.add(tag)
    return tuple(found)


def _language_code(value: str) -> str | None:
    code = value.lower().replace("_", "-")
    code = mapping.LANGUAGE_NAMES.get(code, code)
    return code if _LANGUAGE.match(code) else None


def datasets_of(card: Mapping[str, Any], tags: Tags, prov: Provenance) -> tuple[str, ...]:
    """Datasets named by the card and by `dataset:` tags, without repeats."""
    found: dict[str, None] = {}
    for value in as_list(card.get("datasets")):
        name = clean(value, VALUE_LIMIT)
        if name:
            found[name] = None
            prov.declared("datasets", "cardData.datasets")
    for tag, rest in tags.prefixed("dataset"):
        name = clean(rest, VALUE_LIMIT)
        if name:
            found[name] = None
            prov.declared("datasets", "tags[dataset:*]")
        tags.consumed.add(tag)
    return tuple(found)


def lineage_of(
    model_id: str, card: Mapping[str, Any], tags: Tags, bad: set[str], prov: Provenance
) -> tuple[LineageRef, ...]:
    """Parents from `cardData.base_model` and `base_model:[<relation>:]<id>` tags.

    A parent's relation is the one its tag states, else the card's `base_model_relation`,
    else the relation any tag states for the model, else `finetune`.
    """
    parents: dict[str, str] = {}  # lower-case id -> id as first spelled
    tag_relation: dict[str, str] = {}
    for value in as_list(card.get("base_model")):
        parent, usable = _parent_id(value)
        if not usable:
            bad.add("cardData.base_model")
        elif parent:
            parents.setdefault(parent.lower(), parent)
            prov.declared("lineage", "cardData.base_model")
    for tag, rest in tags.prefixed("base_model"):
        relation, _, parent_raw = rest.rpartition(":")
        if relation and relation not in RELATIONS:
            tags.unmapped_value(f"relation:{relation}", tag)
            continue
        parent, _ = _parent_id(parent_raw)
        tags.consumed.add(tag)
        if parent:
            parents.setdefault(parent.lower(), parent)
            prov.declared("lineage", "tags[base_model:*]")
            if relation:
                tag_relation.setdefault(parent.lower(), relation)
    card_relation = as_str(card.get("base_model_relation"), VALUE_LIMIT)
    if card_relation is not None and card_relation not in RELATIONS:
        tags.unmapped_value(f"relation:{card_relation}", f"base_model_relation:{card_relation}")
        card_relation = None
    if card_relation is not None:
        prov.declared("lineage", "cardData.base_model_relation")
    default = card_relation or next(iter(tag_relation.values()), "finetune")
    own = model_id.lower()
    return tuple(
        LineageRef("huggingface", parent, tag_relation.get(key, default))
        for key, parent in parents.items()
        if key != own
    )


def _parent_id(value: Any) -> tuple[str | None, bool]:
    """A Hub id from a card/tag value, and whether the value was usable ("none" is)."""
    text = clean(value, ID_LIMIT + 50)
    if text is None:
        return None, value is None or isinstance(value, str)
    for prefix in _HUB_PREFIXES:
        text = text.removeprefix(prefix)
    text = text.strip("/")
    if text.lower() in _NONE_VALUES:
        return None, True
    if len(text) > ID_LIMIT or not _HUB_ID.match(text):
        return None, False
    return text, True
