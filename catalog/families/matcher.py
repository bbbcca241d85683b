"""A model's own evidence of its family: pins, declared links, architecture, names.

Pure functions over `ModelFacts` (what a normalized record or a catalog row says about a
model) and a `Vocabulary`. Lineage and links to other models need the other models'
families and are resolved in `catalog.families.assign`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Any, NamedTuple

from catalog.families.hits import Hit, name_hits, resolve_hits
from catalog.families.namekey import name_memo
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


class Verdict(NamedTuple):
    """A family chosen by one kind of evidence (a named tuple: a rebuild hashes and
    compares millions of them).

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


def pin_of(vocab: Vocabulary, ref: str) -> Verdict | None:
    """The curated pin of a ref (exact pins first, then glob pins in file order)."""
    if ref in vocab.pins:
        return Verdict(vocab.pins[ref], CURATED, CONFIDENCE["pin"], f"pin {ref}")
    for pattern, glob, target in vocab.pin_patterns:
        if pattern.match(ref):
            return Verdict(target, CURATED, CONFIDENCE["pin"], f"pin {glob}")
    return None


def _is_derivative(vocab: Vocabulary, texts: Sequence[str]) -> bool:
    markers = vocab.derivative_markers
    return any(not markers.isdisjoint(word_tuple(text)) for text in texts)


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


_UNKNOWN = object()


def _name_verdict(vocab: Vocabulary, facts: ModelFacts) -> Verdict | None:
    """The family a model's names say (remembered for names that differ only in words
    outside the vocabulary: `catalog.families.namekey`)."""
    texts = name_texts(facts)
    memo = name_memo(vocab)
    head, _, rest = facts.external_id.partition("/")
    owner = memo.owner_words(head) if rest else frozenset()
    key = memo.keys.key(texts, owner, facts.tasks)
    verdict = memo.verdicts.get(key, _UNKNOWN)
    if verdict is _UNKNOWN:
        verdict = _match_name(vocab, texts, owner, facts.tasks)
        memo.remember(key, verdict)
    assert verdict is None or isinstance(verdict, Verdict)
    return verdict


def _match_name(
    vocab: Vocabulary, texts: Sequence[str], owner: frozenset[str], tasks: tuple[str, ...]
) -> Verdict | None:
    hits = name_hits(vocab, texts)
    slug = resolve_hits(vocab, hits, tasks)
    if slug is None:
        return None
    release = vocab.families[slug].kind == "release"
    return Verdict(
        slug,
        NAME,
        CONFIDENCE["template" if release else "spelling"],
        f"name: {_matched_words(vocab, texts, hits, slug)}",
        derivative=_is_derivative(vocab, texts[:2]),
        exact=release and _is_exact(vocab, owner, texts, hits, slug),
    )


def _matched_words(vocab: Vocabulary, texts: Sequence[str], hits: Sequence[Hit], slug: str) -> str:
    """The words of the longest hit of the chosen family (or of one inside it)."""
    best = max(
        (h for h in hits if vocab.is_within(h.slug, slug) or vocab.is_within(slug, h.slug)),
        key=lambda h: (vocab.is_within(h.slug, slug), h.end - h.start),
    )
    return "-".join(word_tuple(texts[best.text])[best.start : best.end])


def _is_exact(
    vocab: Vocabulary, owner: frozenset[str], texts: Sequence[str], hits: Sequence[Hit], slug: str
) -> bool:
    """Whether a name is the release and nothing else (packaging words and owner aside)."""
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
    """The family of a parent or link target not in the catalog: its curated pin (a base
    published under a number, like a Civitai model), else the family its id names."""
    pinned = pin_of(vocab, f"{ref_platform}:{external_id}")
    if pinned is not None:
        return pinned
    name = external_id.rsplit("/", 1)[-1]
    facts = ModelFacts(ref_platform, external_id, name)
    return _name_verdict(vocab, facts)
