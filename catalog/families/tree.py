"""The family tree's node types: a family, a release template, and the vocabulary error."""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from catalog.errors import CatalogError


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


def _natural(value: str) -> tuple[Any, ...]:
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"(\d+)", value))
