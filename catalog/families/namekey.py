"""Keys under which names share one verdict, so a million names are not matched one by one.

Most words of a model name are not vocabulary words: an owner's run number, a user's
project word (`Llama-13b-v2-18072`, `whisper-small-hi-johndoe`). Such a word cannot
start, end or veto a family's spelling, so two names that differ only in them get the
same name verdict. `NameKeys.key` masks them: a token that no spelling, release template,
pattern, exclusion, derivative marker or neutral word contains becomes a placeholder
(remembering only whether it is a word of the owner's name, which `exact` reads).

A regex that can match more than literal tokens (a character class, a wildcard, letters
glued to a group) could match a masked word; a name that triggers one is keyed by its
real tokens. A vocabulary with a pattern that has no literal first token (tried on every
name) disables masking altogether.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from catalog.families.names import word_tuple
from catalog.families.vocabulary import Vocabulary

_RUNS = re.compile(r"[a-z0-9]+")
_GROUP_NAME = re.compile(r"\?P<\w+>")
# Regex syntax a literal pattern may use: groups, alternation, optional parts, the
# boundary wrapper of `names.boundary_pattern`.
_NOT_LITERAL = re.compile(r"[\\\[\].*+{}^$]")
# Letters or digits glued to a group (`yolo(?:v)?5`): the group's text joins a token.
_GLUED = re.compile(r"[a-z0-9]\((?!\?:-|-)|\)\??[a-z0-9]")
_WRAPPER = ("(?:^|(?<=-))(?:", ")(?=-|$)")
_MASKED, _MASKED_OWNER = "\x00", "\x00owner"


def _body(pattern: str) -> str:
    start, end = _WRAPPER
    if pattern.startswith(start) and pattern.endswith(end):
        pattern = pattern[len(start) : -len(end)]
    return _GROUP_NAME.sub("", pattern)


class NameKeys:
    """The masking of one vocabulary (built once, see `name_keys`)."""

    def __init__(self, vocab: Vocabulary) -> None:
        known: set[str] = set()
        unsafe: set[str] = set()
        for word, trigger in vocab.triggers.items():
            for parts, _slug in trigger.spellings:
                known.update(parts)
            for pattern, _template, _family in trigger.regexes:
                body = _body(pattern.pattern)
                known.update(_RUNS.findall(body))
                if word is None or _NOT_LITERAL.search(body) or _GLUED.search(body):
                    unsafe.add(word or "")
        for texts in (vocab.derivative_markers, vocab.neutral, *vocab.vetoes.values()):
            for text in texts:
                known.update(_RUNS.findall(text))
        if vocab.neutral_pattern is not None and _NOT_LITERAL.search(
            _body(vocab.neutral_pattern.pattern).replace("\\-", "-").replace("\\.", "")
        ):
            unsafe.add("")  # a neutral word with regex syntax: mask nothing
        # Each known word once: keys then hold shared strings, not each name's own copies.
        self.known = {word: word for word in known}
        self.unsafe = frozenset(unsafe)
        self.enabled = "" not in unsafe
        # The tasks of the guards of the families a word may name: only a model's tasks
        # among them (and whether it has any) decide the guards (`hits.resolve_hits`).
        self.guards: dict[str, frozenset[str]] = {}
        for word, trigger in vocab.triggers.items():
            slugs = {slug for _parts, slug in trigger.spellings}
            slugs |= {family for _pattern, _template, family in trigger.regexes}
            guarded = [vocab.families[slug].tasks for slug in slugs]
            if word is not None and any(g is not None for g in guarded):
                self.guards[word] = frozenset().union(*(g for g in guarded if g is not None))

    def key(self, texts: Sequence[str], owner: frozenset[str], tasks: tuple[str, ...]) -> Any:
        """A key equal for names that must get the same name verdict."""
        if not self.enabled:
            return (tuple(texts), owner, tasks)
        known, unsafe, guards = self.known, self.unsafe, self.guards
        keyed = []
        guarded: set[str] = set()
        verbatim = False
        for text in texts:
            words = word_tuple(text)
            if unsafe.isdisjoint(words):
                keyed.append(
                    tuple(known.get(w) or (_MASKED_OWNER if w in owner else _MASKED) for w in words)
                )
            else:
                keyed.append(words)
                verbatim = True
            for word in words:
                if word in guards:
                    guarded |= guards[word]
        # The owner's words in the names, unless masked (`exact` reads them).
        owned = frozenset(
            w for w in owner if (verbatim or w in known) and any(w in k for k in keyed)
        )
        if not guarded:
            return (tuple(keyed), owned, None)
        return (tuple(keyed), owned, bool(tasks), frozenset(guarded.intersection(tasks)))


# Name verdicts remembered (a million synthetic models have 139,000 name shapes); the memo
# starts again when full, which bounds its memory.
MEMO_SIZE = 250_000


class NameMemo:
    """Name verdicts by `NameKeys.key`, bounded."""

    def __init__(self, vocab: Vocabulary) -> None:
        self.keys = NameKeys(vocab)
        self.verdicts: dict[Any, Any] = {}
        self.owners: dict[str, frozenset[str]] = {}  # an owner's words, by owner

    def owner_words(self, owner: str) -> frozenset[str]:
        """The canonical words of an owner's name (remembered: owners have many models)."""
        words = self.owners.get(owner)
        if words is None:
            if len(self.owners) >= MEMO_SIZE:
                self.owners.clear()
            words = self.owners[owner] = frozenset(word_tuple(owner))
        return words

    def remember(self, key: Any, verdict: Any) -> None:
        """Keep a verdict (forgetting every other when the memo is full)."""
        if len(self.verdicts) >= MEMO_SIZE:
            self.verdicts.clear()
        self.verdicts[key] = verdict


def name_memo(vocab: Vocabulary) -> NameMemo:
    """The vocabulary's name memo (made on first use and kept with the vocabulary)."""
    memo = vocab.memo.get(NameMemo)
    if memo is None:
        memo = vocab.memo[NameMemo] = NameMemo(vocab)
    assert isinstance(memo, NameMemo)
    return memo
