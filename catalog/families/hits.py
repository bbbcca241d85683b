"""Families named in texts: spellings and regexes of the vocabulary found in canonical
names, and the one family a set of such hits agrees on (or none)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple

from catalog.families.names import word_tuple
from catalog.families.vocabulary import Vocabulary


class Hit(NamedTuple):
    """A family named somewhere in a text, with the span (in tokens) it covers."""

    slug: str
    start: int
    end: int
    text: int  # which text of the model


def name_hits(vocab: Vocabulary, texts: Sequence[str]) -> list[Hit]:
    """Families named in the texts, before any resolution (spans count tokens)."""
    hits: list[Hit] = []
    triggers = vocab.triggers
    everywhere = triggers.get(None)
    vetoes = vocab.vetoes
    for index, raw in enumerate(texts):
        words = word_tuple(raw)
        # Most tokens start no spelling: find the ones that do before any other work.
        starts = [(i, t) for i, w in enumerate(words) if (t := triggers.get(w)) is not None]
        if not starts and (everywhere is None or not words):
            continue
        found: list[Hit] = []
        text = "-".join(words)
        seen: set[str] = set()
        for start, trigger in starts:
            for length, spelled in trigger.by_length:
                slugs = spelled.get(words[start : start + length])
                if slugs is not None:
                    found += [Hit(slug, start, start + length, index) for slug in slugs]
            if trigger.regexes and words[start] not in seen:
                seen.add(words[start])
                found += _regex_hits(trigger, text, index)
        if everywhere is not None and words:
            found += _regex_hits(everywhere, text, index)
        if found and any(h.slug in vetoes for h in found):
            found = _drop_excluded(vocab, found, text)
        hits += found
    return hits


def _regex_hits(trigger: Any, text: str, index: int) -> list[Hit]:
    found = []
    for pattern, template, family in trigger.regexes:
        for match in pattern.finditer(text):
            slug = (template.release(match) if template else None) or family
            start = text.count("-", 0, match.start())
            found.append(Hit(slug, start, start + match.group(0).count("-") + 1, index))
    return found


def _drop_excluded(vocab: Vocabulary, hits: list[Hit], text: str) -> list[Hit]:
    padded = f"-{text}-"
    return [
        hit
        for hit in hits
        if not any(f"-{veto}-" in padded for veto in vocab.vetoes.get(hit.slug, ()))
    ]


def resolve_hits(vocab: Vocabulary, hits: Iterable[Hit], tasks: Sequence[str]) -> str | None:
    """The one family the hits agree on, or None (nothing, or names of rival families).

    A hit inside a longer hit of the same text loses (`wide-resnet` over `resnet`); a
    family whose task guard the model fails loses; a root named inside a family that
    `beats` it loses (a detector's backbone); what remains must share one root, and the
    most specific family they agree on wins.
    """
    families = vocab.families
    listed = [
        h
        for h in hits
        if (guard := families[h.slug].tasks) is None or not tasks or any(t in guard for t in tasks)
    ]
    if len({h.slug for h in listed}) == 1:
        return listed[0].slug
    listed = [
        h
        for h in listed
        if not any(
            o.text == h.text
            and o.start <= h.start
            and h.end <= o.end
            and (o.end - o.start) > (h.end - h.start)
            for o in listed
        )
    ]
    if not listed:
        return None
    roots = {vocab.families[h.slug].root for h in listed}
    beaten = {r for winner in roots for r in vocab.families[winner].beats if r != winner}
    roots -= beaten
    if len(roots) != 1:
        return None
    (root,) = roots
    slugs = {h.slug for h in listed if vocab.families[h.slug].root == root}
    deepest = max(slugs, key=lambda s: len(vocab.families[s].path))
    if all(vocab.is_within(deepest, s) for s in slugs):
        return deepest
    return vocab.common_ancestor(slugs)
