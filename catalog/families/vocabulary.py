"""The family vocabulary as data: families (a tree), spellings, release templates, pins.

The built-in vocabulary is `families.yaml` next to this module; a user file named by the
`CATALOG_FAMILIES_FILE` setting adds families (or replaces one of the same slug) and
pins. `load_vocabulary` reads, validates and indexes both; a mistake in a file is one
`FamilyVocabularyError` naming the file, the family and what to fix.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from catalog.families.definitions import build_tree, family_slug, read_file
from catalog.families.names import boundary_pattern, canonical, tokens
from catalog.families.tree import Family, FamilyVocabularyError, Template

__all__ = [
    "BUILTIN_FILE",
    "Family",
    "FamilyVocabularyError",
    "Template",
    "Trigger",
    "Vocabulary",
    "get_vocabulary",
    "load_vocabulary",
]

BUILTIN_FILE = Path(__file__).with_name("families.yaml")


@dataclass(slots=True)
class Trigger:
    """What a token of a name may start: spellings (canonical tokens, family) and regexes
    (a family's pattern, or a release template, with the family it falls back to)."""

    spellings: list[tuple[tuple[str, ...], str]] = field(default_factory=list)
    regexes: list[tuple[re.Pattern[str], Template | None, str]] = field(default_factory=list)
    # The spellings by their length in tokens, then by their tokens: one dict lookup per
    # length instead of a comparison per spelling (`index_spellings`).
    by_length: tuple[tuple[int, dict[tuple[str, ...], tuple[str, ...]]], ...] = ()

    def index_spellings(self) -> None:
        """Build `by_length` from `spellings` (families in spelling order)."""
        grouped: dict[int, dict[tuple[str, ...], tuple[str, ...]]] = {}
        for parts, slug in self.spellings:
            same = grouped.setdefault(len(parts), {})
            same[parts] = (*same.get(parts, ()), slug)
        self.by_length = tuple(sorted(grouped.items()))


@dataclass(slots=True)
class Vocabulary:
    """The loaded vocabulary with its lookup indexes."""

    families: dict[str, Family]
    pins: dict[str, str | None]
    pin_patterns: list[tuple[re.Pattern[str], str, str | None]]
    derivative_markers: frozenset[str]
    neutral: tuple[str, ...]
    sha256: str
    sources: tuple[str, ...]
    by_model_type: dict[str, str] = field(default_factory=dict)
    by_paper: dict[str, str] = field(default_factory=dict)
    by_repo: dict[str, str] = field(default_factory=dict)
    triggers: dict[str | None, Trigger] = field(default_factory=dict)
    neutral_pattern: re.Pattern[str] | None = None
    vetoes: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # What the matcher remembers for this vocabulary (`catalog.families.namekey`).
    memo: dict[Any, Any] = field(default_factory=dict, compare=False, repr=False)

    def family(self, slug: str) -> Family:
        """A family by slug (KeyError when unknown)."""
        return self.families[slug]

    def is_within(self, slug: str, ancestor: str) -> bool:
        """Whether `slug` is `ancestor` or below it."""
        return ancestor in self.families[slug].path

    def common_ancestor(self, slugs: Iterable[str]) -> str | None:
        """The deepest family every slug is (or is below); None when they share no root."""
        paths = [self.families[s].path for s in slugs]
        if not paths:
            return None
        common: str | None = None
        for level in zip(*paths, strict=False):
            if len(set(level)) != 1:
                break
            common = level[0]
        return common


def load_vocabulary(user_file: Path | str | None = None) -> Vocabulary:
    """Read the built-in vocabulary and, when given, a user's file on top of it.

    Raises:
        FamilyVocabularyError: a file is unreadable, or a family is malformed (unknown
            parent, bad regex, cycle, ...); the message names the file and the family.
    """
    docs = [(str(BUILTIN_FILE), read_file(BUILTIN_FILE))]
    if user_file:
        path = Path(user_file).expanduser()
        docs.append((str(path), read_file(path)))
    raw_families: dict[str, tuple[str, Mapping[str, Any]]] = {}
    pins: dict[str, tuple[str, str | None]] = {}
    markers: set[str] = set()
    neutral: set[str] = set()
    for source, doc in docs:
        for item in doc.get("families") or []:
            slug = family_slug(source, item)
            raw_families[slug] = (source, item)  # a user's family replaces a built-in one
        for ref, target in (doc.get("pins") or {}).items():
            pins[str(ref)] = (source, None if target is None else str(target))
        markers.update(canonical(str(m)) for m in doc.get("derivative_markers") or [])
        neutral.update(canonical(str(m)) for m in doc.get("neutral") or [])
    families, templates = build_tree(raw_families)
    digest = hashlib.sha256()
    for _source, doc in docs:
        digest.update(yaml.safe_dump(doc, sort_keys=True).encode())
    vocab = Vocabulary(
        families=families,
        pins={},
        pin_patterns=[],
        derivative_markers=frozenset(markers),
        neutral=tuple(sorted(neutral, key=len, reverse=True)),
        sha256=digest.hexdigest(),
        sources=tuple(source for source, _ in docs),
    )
    _index_pins(vocab, pins)
    _index(vocab, templates)
    return vocab


_LOADED: dict[tuple[str, float, float], Vocabulary] = {}


def get_vocabulary(user_file: Path | str | None = None) -> Vocabulary:
    """The vocabulary, loaded once per process and again when a file changes.

    Raises:
        FamilyVocabularyError: as `load_vocabulary`.
    """
    user = Path(user_file).expanduser() if user_file else None
    key = (str(user or ""), _mtime(BUILTIN_FILE), _mtime(user) if user else 0.0)
    if key not in _LOADED:
        _LOADED.clear()
        _LOADED[key] = load_vocabulary(user)
    return _LOADED[key]


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return -1.0


def _index_pins(vocab: Vocabulary, pins: Mapping[str, tuple[str, str | None]]) -> None:
    for ref, (source, target) in pins.items():
        if target is not None and target not in vocab.families:
            raise FamilyVocabularyError(f"{source}: pin {ref!r} names unknown family {target!r}")
        if any(ch in ref for ch in "*?["):
            glob = re.escape(ref).replace(r"\*", ".*").replace(r"\?", ".")
            vocab.pin_patterns.append((re.compile(f"^{glob}$"), ref, target))
        else:
            vocab.pins[ref] = target


def _check(vocab: Vocabulary) -> None:
    """One family per spelling, and `beats` naming known families."""
    named: dict[str, str] = {}
    for family in vocab.families.values():
        for text in family.spellings:
            other = named.setdefault(text, family.slug)
            if other != family.slug:
                raise FamilyVocabularyError(
                    f"families {other!r} and {family.slug!r} are both spelled {text!r}; "
                    "a spelling must name one family"
                )
        unknown = sorted(family.beats - vocab.families.keys())
        if unknown:
            raise FamilyVocabularyError(f"family {family.slug!r} beats unknown families {unknown}")


def _index(vocab: Vocabulary, templates: Sequence[tuple[str, Template]]) -> None:
    _check(vocab)
    for family in vocab.families.values():
        for text in family.spellings:
            parts = tuple(text.split("-"))
            vocab.triggers.setdefault(parts[0], Trigger()).spellings.append((parts, family.slug))
        vetoes = tuple(e for slug in family.path for e in vocab.families[slug].exclude)
        if vetoes:
            vocab.vetoes[family.slug] = vetoes
        for pattern in family.patterns:
            trigger = vocab.triggers.setdefault(_anchor(pattern.pattern), Trigger())
            trigger.regexes.append((pattern, None, family.slug))
        for model_type in family.model_types:
            vocab.by_model_type.setdefault(model_type, family.slug)
        for paper in family.papers:
            vocab.by_paper.setdefault(paper, family.slug)
        for repo in family.repos:
            vocab.by_repo.setdefault(repo, family.slug)
    if vocab.neutral:
        vocab.neutral_pattern = boundary_pattern("|".join(re.escape(n) for n in vocab.neutral))
    for _source, template in templates:
        trigger = vocab.triggers.setdefault(_anchor(template.pattern.pattern), Trigger())
        trigger.regexes.append((template.pattern, template, template.family))
    for trigger in vocab.triggers.values():
        trigger.index_spellings()


def _anchor(pattern: str) -> str | None:
    """The literal first token of a regex, for the prefilter (None: try it on every name)."""
    body = pattern.split("(?:", 2)[-1] if pattern.startswith("(?:^|(?<=-))(?:") else pattern
    literal = re.match(r"[a-z0-9]+", body)
    if not literal:
        return None
    rest = body[literal.end() :]
    if rest.startswith(")") and rest[1:2] not in ("?", "*", "{"):
        rest = rest[1:]  # the group of one literal closes: `(?:medsam)(?=-|$)`
    if rest and rest[0] not in "-(":
        return None  # a quantifier or class follows: the first token is not literal
    found = tokens(literal.group(0))
    return found[0] if found else None
