"""Names that share a verdict: the memo of name verdicts must never change a verdict.

Every case is matched twice in a row through the memo (the second model may reuse the
first one's verdict) and compared with matching the name afresh.
"""

from __future__ import annotations

import pytest

from catalog.families.matcher import ModelFacts, Verdict, own_evidence
from catalog.families.vocabulary import Vocabulary, load_vocabulary


@pytest.fixture
def vocab() -> Vocabulary:
    return load_vocabulary()  # a fresh memo per test


def name_of(vocab: Vocabulary, external_id: str, tasks: tuple[str, ...] = ()) -> Verdict | None:
    name = external_id.rsplit("/", 1)[-1]
    return own_evidence(vocab, ModelFacts("huggingface", external_id, name, tasks=tasks)).name


def fresh(external_id: str, tasks: tuple[str, ...] = ()) -> Verdict | None:
    return name_of(load_vocabulary(), external_id, tasks)


@pytest.mark.parametrize(
    ("first", "second"),
    [
        # only an owner's run number differs: one verdict
        (("org-1/Llama-3-8B-Instruct-18072", ()), ("org-2/Llama-3-8B-Instruct-99", ())),
        # the owner's own name in the model name makes it the release itself (`exact`)
        (("google/bert-base-uncased-google", ()), ("someone/bert-base-uncased-google", ())),
        (("acme/t5-small-acme", ()), ("acme/t5-small-other", ())),
        # a task guard: Mochi is a video model only for models with generation tasks
        (("lab/mochi-1-preview-x1", ("text-to-video",)),
         ("lab/mochi-1-preview-x2", ("text-classification",))),
        # numbers that are release sizes are vocabulary words, not noise
        (("lab/resnet-50-run7", ()), ("lab/resnet-18-run7", ())),
        (("lab/efficientnet-b3-run", ()), ("lab/efficientnet-b4-run", ())),
        # a derivative marker is a vocabulary word
        (("lab/whisper-small-finetuned-xyz", ()), ("lab/whisper-small-xyz", ())),
    ],
)  # fmt: skip
def test_the_memo_gives_every_name_its_own_verdict(
    vocab: Vocabulary, first: tuple[str, tuple[str, ...]], second: tuple[str, tuple[str, ...]]
) -> None:
    assert name_of(vocab, *first) == fresh(*first)
    assert name_of(vocab, *second) == fresh(*second)


def test_names_that_differ_in_unknown_words_share_one_verdict(vocab: Vocabulary) -> None:
    one = name_of(vocab, "org-1/Qwen2.5-7B-Instruct-run-18072")
    two = name_of(vocab, "org-9/Qwen2.5-7B-Instruct-trial-99")
    assert one is not None
    assert one is two  # the second is the first, remembered
