"""The family vocabulary as data: families (a tree), spellings, release templates, pins.

The built-in vocabulary is `families.yaml` next to this module; a user file named by the
`CATALOG_FAMILIES_FILE` setting adds families (or replaces one of the same slug) and
pins. `load_vocabulary` reads, validates and indexes both; a mistake in a file is one
`FamilyVocabularyError` naming the file, the family and what to fix.
"""

from __future__ import annotations

import hashlib
import itertools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from catalog.errors import CatalogError
from catalog.families.names import boundary_pattern, canonical, tokens

BUILTIN_FILE = Path(__file__).with_name("families.yaml")
_SLUG = re.compile(r"^[a-z0-9][a-z0-9.+-]*$")
_FAMILY_KEYS = frozenset(
    {
        "slug",
        "name",
        "parent",
        "aliases",
        "patterns",
        "exclude",
        "beats",
        "model_types",
        "papers",
        "repos",
        "tasks",
        "releases",
        "release",
        "match_name",
    }
)
_TEMPLATE_KEYS = frozenset({"match", "slug", "name", "values", "defaults", "anchor"})


class FamilyVocabularyError(CatalogError):
    """A family vocabulary file is unreadable or inconsistent."""


@dataclass(frozen=True, slots=True)
class Template:
    """A release template: a regex over canonical names whose groups name a release.

    Attributes:
        pattern: Compiled regex, matching at token edges only.
        family: Slug of the family the releases hang below.
        slug: Format string of the release slug (`resnet-{depth}`).
        name: Format string of the release name.
        values: Group -> raw canonical value -> release value; a raw value not listed
            means the template does not apply.
        defaults: Release values of optional groups that did not match.
    """

    pattern: re.Pattern[str]
    family: str
    slug: str
    name: str
    values: Mapping[str, Mapping[str, str]]
    defaults: Mapping[str, str]

    def release(self, match: re.Match[str]) -> str | None:
        """The release slug a match names, or None when a value is not a known one."""
        chosen: dict[str, str] = {}
        for group, mapping in self.values.items():
            raw = match.group(group)
            if raw is None:
                if group not in self.defaults:
                    return None
                chosen[group] = self.defaults[group]
            elif raw in mapping:
                chosen[group] = mapping[raw]
            else:
                return None
        return self.slug.format(**chosen)

    def releases(self) -> list[tuple[str, str]]:
        """Every (slug, name) the template can produce."""
        groups = list(self.values)
        choices = [
            sorted(
                {*self.values[g].values(), *([self.defaults[g]] if g in self.defaults else [])},
                key=_natural,
            )
            for g in groups
        ]
        return [
            (
                self.slug.format(**dict(zip(groups, combo, strict=True))),
                self.name.format(**dict(zip(groups, combo, strict=True))),
            )
            for combo in itertools.product(*choices)
        ]


@dataclass(frozen=True, slots=True)
class Family:
    """One node of the family tree.

    Attributes:
        slug: Public id (`resnet`, `llama-3.1`, `resnet-50`).
        name: Display name.
        parent: Slug of the parent, None for a root.
        path: Slugs from the root down to this family.
        kind: `architecture` (a root), `line` (a generation or line) or `release`.
        spellings: Canonical spellings that name this family in a model's name.
        patterns: Regexes over canonical names that name this family.
        exclude: Canonical spellings that, present in a name, veto this family.
        beats: Roots whose names may appear inside this family's model names as a
            component (backbones): when both match, this family wins.
        model_types: Hugging Face `config.model_type` values of this family.
        papers: arXiv ids of the papers that introduce it.
        repos: Source repositories (`owner/name`, lower-case) that publish it.
        tasks: When set, name and architecture matches count only for models that have
            none of their tasks outside this set (a guard against look-alike names).
    """

    slug: str
    name: str
    parent: str | None
    path: tuple[str, ...]
    kind: str
    spellings: tuple[str, ...] = ()
    patterns: tuple[re.Pattern[str], ...] = ()
    exclude: tuple[str, ...] = ()
    beats: frozenset[str] = frozenset()
    model_types: tuple[str, ...] = ()
    papers: tuple[str, ...] = ()
    repos: tuple[str, ...] = ()
    tasks: frozenset[str] | None = None

    @property
    def root(self) -> str:
        """Slug of the root family."""
        return self.path[0]


@dataclass(slots=True)
class Trigger:
    """What a token of a name may start: spellings (canonical tokens, family) and regexes
    (a family's pattern, or a release template, with the family it falls back to)."""

    spellings: list[tuple[tuple[str, ...], str]] = field(default_factory=list)
    regexes: list[tuple[re.Pattern[str], Template | None, str]] = field(default_factory=list)


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


def _natural(value: str) -> tuple[Any, ...]:
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"(\d+)", value))


def load_vocabulary(user_file: Path | str | None = None) -> Vocabulary:
    """Read the built-in vocabulary and, when given, a user's file on top of it.

    Raises:
        FamilyVocabularyError: a file is unreadable, or a family is malformed (unknown
            parent, bad regex, cycle, ...); the message names the file and the family.
    """
    docs = [(str(BUILTIN_FILE), _read(BUILTIN_FILE))]
    if user_file:
        path = Path(user_file).expanduser()
        docs.append((str(path), _read(path)))
    raw_families: dict[str, tuple[str, Mapping[str, Any]]] = {}
    pins: dict[str, tuple[str, str | None]] = {}
    markers: set[str] = set()
    neutral: set[str] = set()
    for source, doc in docs:
        for item in doc.get("families") or []:
            slug = _family_slug(source, item)
            raw_families[slug] = (source, item)  # a user's family replaces a built-in one
        for ref, target in (doc.get("pins") or {}).items():
            pins[str(ref)] = (source, None if target is None else str(target))
        markers.update(canonical(str(m)) for m in doc.get("derivative_markers") or [])
        neutral.update(canonical(str(m)) for m in doc.get("neutral") or [])
    families, templates = _build_tree(raw_families)
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


def _read(path: Path) -> dict[str, Any]:
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise FamilyVocabularyError(
            f"cannot read families file {path}: {exc.strerror or exc} (check CATALOG_FAMILIES_FILE)"
        ) from exc
    except yaml.YAMLError as exc:
        reason = " ".join(str(exc).split())
        raise FamilyVocabularyError(f"families file {path} is not valid YAML: {reason}") from exc
    if doc is None:
        return {}
    if not isinstance(doc, dict):
        raise FamilyVocabularyError(
            f"families file {path} must be a mapping with 'families' and 'pins'"
        )
    return doc


def _family_slug(source: str, item: object) -> str:
    if not isinstance(item, dict) or not isinstance(item.get("slug"), str):
        raise FamilyVocabularyError(f"{source}: every family needs a 'slug' (got {item!r:.80})")
    slug = item["slug"]
    if not _SLUG.match(slug):
        raise FamilyVocabularyError(
            f"{source}: family slug {slug!r} must be lower-case letters, digits, '.', '+' or '-'"
        )
    unknown = set(item) - _FAMILY_KEYS
    if unknown:
        raise FamilyVocabularyError(
            f"{source}: family {slug!r} has unknown keys {sorted(unknown)}; "
            f"allowed: {', '.join(sorted(_FAMILY_KEYS))}"
        )
    return slug


def _build_tree(
    raw: Mapping[str, tuple[str, Mapping[str, Any]]],
) -> tuple[dict[str, Family], list[tuple[str, Template]]]:
    """Families in parent-first order, releases generated from templates included."""
    paths: dict[str, tuple[str, ...]] = {}

    def path_of(slug: str, seen: tuple[str, ...] = ()) -> tuple[str, ...]:
        if slug in paths:
            return paths[slug]
        source, item = raw[slug]
        parent = item.get("parent")
        if parent is None:
            paths[slug] = (slug,)
            return paths[slug]
        if parent not in raw:
            raise FamilyVocabularyError(
                f"{source}: family {slug!r} names unknown parent {parent!r}"
            )
        if parent in seen or parent == slug:
            cycle = " -> ".join((*seen, slug, parent))
            raise FamilyVocabularyError(f"{source}: families form a cycle: {cycle}")
        paths[slug] = (*path_of(parent, (*seen, slug)), slug)
        return paths[slug]

    for slug in raw:
        path_of(slug)
    families: dict[str, Family] = {}
    templates: list[tuple[str, Template]] = []
    for slug in sorted(raw, key=lambda s: (len(paths[s]), s)):
        source, item = raw[slug]
        family = _family(source, item, paths[slug])
        if family.tasks is None and family.parent is not None:
            # A line inherits its parent's task guard.
            family = replace(family, tasks=families[family.parent].tasks)
        families[slug] = family
        for index, spec in enumerate(item.get("releases") or []):
            template = _template(source, slug, index, spec)
            templates.append((source, template))
    for source, template in templates:
        parent = families[template.family]
        for release_slug, name in template.releases():
            known = families.get(release_slug)
            if known is not None and known.parent != parent.slug:
                raise FamilyVocabularyError(
                    f"{source}: release {release_slug!r} of {parent.slug!r} is also a family "
                    f"below {known.parent!r}"
                )
            if known is None:
                families[release_slug] = Family(
                    slug=release_slug,
                    name=name,
                    parent=parent.slug,
                    path=(*parent.path, release_slug),
                    kind="release",
                    tasks=parent.tasks,
                )
    return families, templates


def _strings(source: str, slug: str, item: Mapping[str, Any], key: str) -> list[str]:
    value = item.get(key) or []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str | int | float) for v in value):
        raise FamilyVocabularyError(f"{source}: family {slug!r}: '{key}' must be a list of text")
    return [str(v) for v in value]


def _family(source: str, item: Mapping[str, Any], path: tuple[str, ...]) -> Family:
    slug = path[-1]
    name = str(item.get("name") or slug)
    own = [name, slug] if item.get("match_name", True) else []
    spellings = [canonical(s) for s in [*own, *_strings(source, slug, item, "aliases")]]
    patterns = []
    for body in _strings(source, slug, item, "patterns"):
        try:
            patterns.append(boundary_pattern(body))
        except re.error as exc:
            raise FamilyVocabularyError(
                f"{source}: family {slug!r}: pattern {body!r} is not a regex: {exc}"
            ) from exc
    tasks = _strings(source, slug, item, "tasks")
    kind = "release" if item.get("release") else ("architecture" if len(path) == 1 else "line")
    return Family(
        slug=slug,
        name=name,
        parent=item.get("parent"),
        path=path,
        kind=kind,
        spellings=tuple(dict.fromkeys(s for s in spellings if s)),
        patterns=tuple(patterns),
        exclude=tuple(canonical(s) for s in _strings(source, slug, item, "exclude")),
        beats=frozenset(_strings(source, slug, item, "beats")),
        model_types=tuple(m.lower() for m in _strings(source, slug, item, "model_types")),
        papers=tuple(_strings(source, slug, item, "papers")),
        repos=tuple(r.lower() for r in _strings(source, slug, item, "repos")),
        tasks=frozenset(tasks) if tasks else None,
    )


def _template(source: str, family: str, index: int, spec: object) -> Template:
    where = f"{source}: family {family!r}, release template {index + 1}"
    if not isinstance(spec, dict) or not {"match", "slug"} <= set(spec):
        raise FamilyVocabularyError(f"{where}: needs 'match' and 'slug'")
    unknown = set(spec) - _TEMPLATE_KEYS
    if unknown:
        raise FamilyVocabularyError(f"{where}: unknown keys {sorted(unknown)}")
    try:
        pattern = boundary_pattern(str(spec["match"]))
    except re.error as exc:
        raise FamilyVocabularyError(f"{where}: 'match' is not a regex: {exc}") from exc
    values: dict[str, dict[str, str]] = {}
    for group, listed in (spec.get("values") or {}).items():
        if isinstance(listed, dict):
            values[group] = {str(k): str(v) for k, v in listed.items()}
        elif isinstance(listed, list):
            values[group] = {str(v): str(v) for v in listed}
        else:
            raise FamilyVocabularyError(f"{where}: values of {group!r} must be a list or mapping")
    missing = set(pattern.groupindex) - set(values)
    if missing:
        raise FamilyVocabularyError(f"{where}: groups {sorted(missing)} have no 'values'")
    slug = str(spec["slug"])
    for combo in itertools.product(*[set(v.values()) for v in values.values()]):
        made = slug.format(**dict(zip(values, combo, strict=True)))
        if not _SLUG.match(made):
            raise FamilyVocabularyError(f"{where}: makes the invalid slug {made!r}")
    return Template(
        pattern=pattern,
        family=family,
        slug=slug,
        name=str(spec.get("name") or spec["slug"]),
        values=values,
        defaults={str(k): str(v) for k, v in (spec.get("defaults") or {}).items()},
    )


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


def _anchor(pattern: str) -> str | None:
    """The literal first token of a regex, for the prefilter (None: try it on every name)."""
    body = pattern.split("(?:", 2)[-1] if pattern.startswith("(?:^|(?<=-))(?:") else pattern
    literal = re.match(r"[a-z0-9]+", body)
    if not literal:
        return None
    rest = body[literal.end() :]
    if rest and rest[0] not in "-(":
        return None  # a quantifier or class follows: the first token is not literal
    found = tokens(literal.group(0))
    return found[0] if found else None
