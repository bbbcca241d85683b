"""A model's own evidence of its family: pins, declared links, architecture, names.

Pure functions over `ModelFacts` (what a normalized record or a catalog row says about a
model) and a `Vocabulary`. Lineage and links to other models need the other models'
families and are resolved in `catalog.families.assign`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, NamedTuple

from catalog.families.names import class_name_text, tokens, word_tuple
from catalog.families.vocabulary import Vocabulary

CURATED, LINEAGE, LINK, ARCHITECTURE, NAME = "curated", "lineage", "link", "architecture", "name"
METHODS = (CURATED, LINEAGE, LINK, ARCHITECTURE, NAME)

_ARXIV = re.compile(r"arxiv\.org/(?:abs|pdf)/(\d{4}\.\d{4,5})", re.IGNORECASE)
_GITHUB = re.compile(r"github\.com/([\w.-]+/[\w.-]+)", re.IGNORECASE)
# Hub fields the matcher reads from `extra` (the store selects only these).
EXTRA_KEYS = (
    "model_type",
    "architectures",
    "gguf_architecture",
    "network_architectures",
    "tfhub_handles",
    "provenance",
    "external_base_models",
    "source_repo",
)
_NO_EXTRA: Mapping[str, Any] = MappingProxyType({})
# Platforms whose tags are the hub's own vocabulary (architectures, model families).
VOCABULARY_TAG_PLATFORMS = frozenset({"onnx-model-zoo", "tfhub"})


class ModelFacts(NamedTuple):
    """What the matcher reads about one model.

    Attributes:
        platform: Platform slug.
        external_id: The hub's id.
        name: Display name.
        library: Library slug.
        tasks: Canonical task slugs (for the guards of look-alike names).
        tags: Tags (only the relevant ones are needed).
        extra: Hub attributes (`EXTRA_KEYS`).
        variants: Entrypoints or instance slugs the model is published as.
    """

    platform: str
    external_id: str
    name: str
    library: str | None = None
    tasks: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    extra: Mapping[str, Any] = _NO_EXTRA
    variants: tuple[str, ...] = ()

    @property
    def ref(self) -> str:
        """`<platform>:<externalId>`."""
        return f"{self.platform}:{self.external_id}"


@dataclass(frozen=True, slots=True)
class Verdict:
    """A family chosen by one kind of evidence.

    Attributes:
        slug: The family, or None when a curated pin says "no family".
        method: One of `METHODS`.
        confidence: 0..1, by method (see `CONFIDENCE`).
        evidence: Human-readable reason.
        derivative: The name says it is a derivative (fine-tune, adapter, ...) of the
            release, so it is not the same release for `sameAs`.
        exact: The name is the release itself (plus packaging words and the owner's name).
    """

    slug: str | None
    method: str
    confidence: float
    evidence: str
    derivative: bool = False
    exact: bool = False


CONFIDENCE = {
    "pin": 1.0,
    "repo": 0.9,
    "paper": 0.9,
    "model_type": 0.9,
    "class": 0.85,
    "hub_architecture": 0.85,
    "template": 0.75,
    "spelling": 0.7,
}


class OwnEvidence(NamedTuple):
    """Everything a model says about its family by itself, strongest kind first."""

    pin: Verdict | None = None
    link: Verdict | None = None
    architecture: Verdict | None = None
    name: Verdict | None = None
    link_refs: tuple[tuple[str, str], ...] = ()

    def heuristics(self) -> list[Verdict]:
        """The non-curated verdicts, strongest first."""
        return [v for v in (self.link, self.architecture, self.name) if v is not None]


class Hit(NamedTuple):
    """A family named somewhere in a text, with the span (in tokens) it covers."""

    slug: str
    start: int
    end: int
    text: int  # which text of the model


def pin_of(vocab: Vocabulary, ref: str) -> Verdict | None:
    """The curated pin of a ref (exact pins first, then glob pins in file order)."""
    if ref in vocab.pins:
        return Verdict(vocab.pins[ref], CURATED, CONFIDENCE["pin"], f"pin {ref}")
    for pattern, glob, target in vocab.pin_patterns:
        if pattern.match(ref):
            return Verdict(target, CURATED, CONFIDENCE["pin"], f"pin {glob}")
    return None


def name_hits(vocab: Vocabulary, texts: Sequence[str]) -> list[Hit]:
    """Families named in the texts, before any resolution (spans count tokens)."""
    hits: list[Hit] = []
    triggers = vocab.triggers
    everywhere = triggers.get(None)
    for index, raw in enumerate(texts):
        words = word_tuple(raw)
        found: list[Hit] = []
        text = "-".join(words)
        seen: set[str] = set()
        for start, word in enumerate(words):
            trigger = triggers.get(word)
            if trigger is None:
                continue
            for parts, slug in trigger.spellings:
                end = start + len(parts)
                if words[start:end] == parts:
                    found.append(Hit(slug, start, end, index))
            if trigger.regexes and word not in seen:
                seen.add(word)
                found += _regex_hits(trigger, text, index)
        if everywhere is not None and words:
            found += _regex_hits(everywhere, text, index)
        if found and any(h.slug in vocab.vetoes for h in found):
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


def _is_derivative(vocab: Vocabulary, texts: Sequence[str]) -> bool:
    return any(t in vocab.derivative_markers for text in texts for t in tokens(text))


_LINK_KEYS = ("source_repo", "provenance", "external_base_models")


def own_evidence(vocab: Vocabulary, facts: ModelFacts) -> OwnEvidence:
    """Pins, declared links, architecture metadata and names of one model."""
    extra = facts.extra
    return OwnEvidence(
        pin=pin_of(vocab, facts.ref),
        link=_link_verdict(vocab, facts) if extra and any(k in extra for k in _LINK_KEYS) else None,
        architecture=_architecture_verdict(vocab, facts),
        name=_name_verdict(vocab, facts),
        link_refs=tuple(("tfhub", h) for h in _strings(extra.get("tfhub_handles")))
        if extra
        else (),
    )


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str)]
    return []


def _link_verdict(vocab: Vocabulary, facts: ModelFacts) -> Verdict | None:
    """Papers and repositories the hub declares as the model's source."""
    found: list[tuple[str, str, str]] = []  # (family, kind, reason)
    repo = facts.extra.get("source_repo")
    sources = [
        *_strings(facts.extra.get("provenance")),
        *_strings(facts.extra.get("external_base_models")),
    ]
    repos = [repo.lower()] if isinstance(repo, str) else []
    repos += [r.lower().removesuffix(".git") for s in sources for r in _GITHUB.findall(s)]
    for name in repos:
        if name in vocab.by_repo:
            found.append((vocab.by_repo[name], "repo", f"source repository {name}"))
    for paper in (p for s in sources for p in _ARXIV.findall(s)):
        if paper in vocab.by_paper:
            found.append((vocab.by_paper[paper], "paper", f"source paper arXiv:{paper}"))
    return _agreed(vocab, found, "link")


def _agreed(vocab: Vocabulary, found: list[tuple[str, str, str]], method: str) -> Verdict | None:
    if not found:
        return None
    if len(found) == 1:
        only, kind, reason = found[0]
        return Verdict(only, method, CONFIDENCE[kind], reason)
    hits = [Hit(family, 0, 0, i) for i, (family, _, _) in enumerate(found)]
    chosen = resolve_hits(vocab, hits, ())
    if chosen is None:
        return None
    slug: str = chosen
    reasons = [r for s, _, r in found if vocab.is_within(s, slug) or vocab.is_within(slug, s)]
    kind = next(k for s, k, _ in found if vocab.is_within(s, slug) or vocab.is_within(slug, s))
    return Verdict(slug, method, CONFIDENCE[kind], "; ".join(dict.fromkeys(reasons)))


def _architecture_verdict(vocab: Vocabulary, facts: ModelFacts) -> Verdict | None:
    """What the hub states about the architecture, most explicit statement first."""
    extra = facts.extra
    for key in ("model_type", "gguf_architecture"):
        value = extra.get(key)
        if isinstance(value, str) and value.lower() in vocab.by_model_type:
            slug = vocab.by_model_type[value.lower()]
            return Verdict(slug, ARCHITECTURE, CONFIDENCE["model_type"], f"{key} {value}")
    classes = [
        *_strings(extra.get("architectures")),
        *(t.split(":", 1)[1] for t in facts.tags if t[:10].lower() == "diffusers:"),
    ]
    if classes:
        texts = [class_name_text(c) for c in classes]
        verdict = _texts_verdict(vocab, texts, facts, "class", "class")
        if verdict is not None:
            return verdict
    if facts.platform == "huggingface":
        found = [
            (vocab.by_model_type[t.lower()], "model_type", f"tag {t}")
            for t in facts.tags
            if t.lower() in vocab.by_model_type
        ]
        if facts.library == "timm" and "/" in facts.external_id:
            timm_name = facts.external_id.split("/", 1)[1].split(".", 1)[0]
            return _texts_verdict(vocab, [timm_name], facts, "hub_architecture", "timm model")
        return _agreed(vocab, found, ARCHITECTURE)
    stated = [
        *_strings(extra.get("network_architectures")),
        *(
            t
            for t in (facts.tags if facts.platform in VOCABULARY_TAG_PLATFORMS else ())
            if not t.startswith("collection:")
        ),
        *(facts.variants if facts.platform == "pytorch-hub" else ()),
    ]
    return _texts_verdict(vocab, stated, facts, "hub_architecture", "architecture")


def _texts_verdict(
    vocab: Vocabulary, texts: Sequence[str], facts: ModelFacts, kind: str, label: str
) -> Verdict | None:
    texts = [t for t in dict.fromkeys(texts) if t]
    if not texts:
        return None
    hits = name_hits(vocab, texts)
    slug = resolve_hits(vocab, hits, facts.tasks)
    if slug is None:
        return None
    used = sorted(
        {
            texts[h.text]
            for h in hits
            if vocab.is_within(h.slug, slug) or vocab.is_within(slug, h.slug)
        }
    )
    shown = ", ".join(used[:3]) + (" ..." if len(used) > 3 else "")
    return Verdict(slug, ARCHITECTURE, CONFIDENCE[kind], f"{label} {shown}")


def name_texts(facts: ModelFacts) -> list[str]:
    """The texts that name a model: its name, its id without the owner, and (Kaggle)
    each instance slug after the model slug."""
    tail = facts.external_id.split("/", 1)[1] if "/" in facts.external_id else facts.external_id
    if tail == facts.name and facts.platform != "kaggle":
        return [tail]
    texts = [facts.name, tail]
    if facts.platform == "kaggle":
        slug = facts.external_id.rsplit("/", 1)[-1]
        texts += [f"{slug} {v}" for v in facts.variants]
    return list(dict.fromkeys(t for t in texts if t))


def _name_verdict(vocab: Vocabulary, facts: ModelFacts) -> Verdict | None:
    texts = name_texts(facts)
    hits = name_hits(vocab, texts)
    slug = resolve_hits(vocab, hits, facts.tasks)
    if slug is None:
        return None
    release = vocab.families[slug].kind == "release"
    return Verdict(
        slug,
        NAME,
        CONFIDENCE["template" if release else "spelling"],
        f"name: {_matched_words(vocab, texts, hits, slug)}",
        derivative=_is_derivative(vocab, texts[:2]),
        exact=release and _is_exact(vocab, facts, texts, hits, slug),
    )


def _matched_words(vocab: Vocabulary, texts: Sequence[str], hits: Sequence[Hit], slug: str) -> str:
    """The words of the longest hit of the chosen family (or of one inside it)."""
    best = max(
        (h for h in hits if vocab.is_within(h.slug, slug) or vocab.is_within(slug, h.slug)),
        key=lambda h: (vocab.is_within(h.slug, slug), h.end - h.start),
    )
    return "-".join(word_tuple(texts[best.text])[best.start : best.end])


def _is_exact(
    vocab: Vocabulary, facts: ModelFacts, texts: Sequence[str], hits: Sequence[Hit], slug: str
) -> bool:
    """Whether a name is the release and nothing else (packaging words and owner aside)."""
    owner = set(tokens(facts.external_id.split("/", 1)[0])) if "/" in facts.external_id else set()
    for hit in hits:
        if hit.slug != slug or hit.text > 1:
            continue
        words = tokens(texts[hit.text])
        rest = "-".join(words[: hit.start] + words[hit.end :])
        if vocab.neutral_pattern is not None:
            rest = vocab.neutral_pattern.sub("", rest)
        if not [t for t in rest.split("-") if t and t not in owner]:
            return True
    return False


def ref_name_verdict(vocab: Vocabulary, ref_platform: str, external_id: str) -> Verdict | None:
    """The family a model's id names, for a parent or link target not in the catalog."""
    name = external_id.rsplit("/", 1)[-1]
    facts = ModelFacts(ref_platform, external_id, name)
    return _name_verdict(vocab, facts)
