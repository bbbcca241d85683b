"""Reading vocabulary files: YAML documents of families and pins, checked, made a tree.

A mistake is one `FamilyVocabularyError` naming the file, the family and what to fix.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

import yaml

from catalog.families.names import boundary_pattern, canonical
from catalog.families.tree import Family, FamilyVocabularyError, Template

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


def read_file(path: Path) -> dict[str, Any]:
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


def family_slug(source: str, item: object) -> str:
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


def build_tree(
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
