"""Family assignments in the catalog: full rebuilds, incremental recomputation, the tree."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from catalog.families import recompute
from catalog.families.recompute import rebuild_families, recompute_families
from catalog.families.vocabulary import Vocabulary, load_vocabulary
from catalog.records import LineageRef, NormalizedModel
from tests.factories import load, record


@pytest.fixture(scope="module")
def vocab() -> Vocabulary:
    return load_vocabulary()


def families(session: Session) -> dict[str, tuple[str, str, bool]]:
    """ref -> (family, method, derivative) as stored."""
    rows = session.execute(
        text(
            "SELECT p.slug || ':' || m.external_id, f.slug, mf.method, mf.derivative "
            "FROM model_families mf JOIN models m ON m.id = mf.model_id "
            "JOIN platforms p ON p.id = m.platform_id JOIN families f ON f.id = mf.family_id"
        )
    ).all()
    return {ref: (slug, method, derivative) for ref, slug, method, derivative in rows}


def paths(session: Session, ref: str) -> set[str]:
    platform, external_id = ref.split(":", 1)
    rows = session.execute(
        text(
            "SELECT f.slug FROM model_family_paths mp JOIN families f ON f.id = mp.family_id "
            "JOIN models m ON m.id = mp.model_id JOIN platforms p ON p.id = m.platform_id "
            "WHERE p.slug = :p AND m.external_id = :e"
        ),
        {"p": platform, "e": external_id},
    ).scalars()
    return set(rows)


def child(external_id: str, parent: str, relation: str = "finetune", **kw) -> NormalizedModel:  # noqa: ANN003
    platform, parent_id = parent.split(":", 1)
    return record(external_id, lineage=[LineageRef(platform, parent_id, relation)], **kw)


RESNETS = [
    record("microsoft/resnet-50", extra={"model_type": "resnet"}),
    record("ResNet50-caffe2", platform="onnx-model-zoo", tags=["vision", "resnet"]),
    record("tensorflow/resnet-50", platform="kaggle", name="ResNet-50"),
    record("google/imagenet/resnet_v1_50/feature_vector", platform="tfhub"),
]


def test_a_rebuild_assigns_every_model_and_writes_family_paths(
    db_session: Session, vocab: Vocabulary
) -> None:
    load(db_session, [*RESNETS, child("lab/resnet-cats", "huggingface:microsoft/resnet-50"),
                      record("someone/my-model")])  # fmt: skip
    summary = rebuild_families(db_session, vocab)
    stored = families(db_session)
    assert summary.models == 6
    assert summary.assigned == 5
    for rec in RESNETS:
        assert stored[f"{rec.platform}:{rec.external_id}"][0] == "resnet-50"
    assert stored["huggingface:lab/resnet-cats"] == ("resnet-50", "lineage", True)
    assert "huggingface:someone/my-model" not in stored
    assert paths(db_session, "kaggle:tensorflow/resnet-50") == {"resnet", "resnet-50"}
    family_count = db_session.execute(text("SELECT count(*) FROM families")).scalar_one()
    assert family_count == len(vocab.families)
    again = rebuild_families(db_session, vocab)
    assert again.changed == 0
    builds = db_session.execute(text("SELECT count(*) FROM family_builds")).scalar_one()
    assert builds == 2


def test_a_rebuild_read_in_chunks_follows_bases_in_earlier_and_later_chunks(
    db_session: Session, vocab: Vocabulary, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(recompute, "CHUNK", 2)  # eight models: four chunks
    load(db_session, [child("lab/whisper-hi", "huggingface:acme/speech")])  # before its base
    load(db_session, [record("someone/my-model")])
    base = record("acme/speech", extra={"model_type": "whisper"})
    load(db_session, [base])
    load(db_session, [child("lab/whisper-tuned", "huggingface:acme/speech")])  # after it
    load(db_session, RESNETS)
    summary = rebuild_families(db_session, vocab)
    stored = families(db_session)
    assert (summary.models, summary.assigned, summary.changed) == (8, 7, 7)
    assert stored["huggingface:lab/whisper-hi"] == ("whisper", "lineage", True)
    assert stored["huggingface:lab/whisper-tuned"] == ("whisper", "lineage", True)
    assert paths(db_session, "kaggle:tensorflow/resnet-50") == {"resnet", "resnet-50"}
    load(db_session, [replace(base, extra={"model_type": "bert"})])
    again = rebuild_families(db_session, vocab)
    assert again.changed == 3  # the base and its two fine-tunes, nothing else
    stored = families(db_session)
    assert stored["huggingface:lab/whisper-hi"] == ("bert", "lineage", True)
    assert paths(db_session, "huggingface:lab/whisper-tuned") == {"bert"}
    assert "huggingface:someone/my-model" not in stored


def test_a_base_harvested_later_gives_its_family_to_every_descendant(
    db_session: Session, vocab: Vocabulary
) -> None:
    ids = load(
        db_session,
        [
            child("lab/tuned", "huggingface:acme/base"),
            child("lab/tuned-again", "huggingface:lab/tuned"),
            child("lab/tuned-GGUF", "huggingface:lab/tuned-again", "quantized"),
            record("lab/unrelated-bert-base-uncased"),
        ],
    )
    recompute_families(db_session, list(ids.values()))
    assert set(families(db_session)) == {"huggingface:lab/unrelated-bert-base-uncased"}
    base = load(db_session, [record("acme/base", extra={"model_type": "whisper"})])
    touched = recompute_families(db_session, list(base.values()))
    stored = families(db_session)
    assert touched == 4  # the base and its three descendants, not the unrelated model
    for ref in ("lab/tuned", "lab/tuned-again", "lab/tuned-GGUF"):
        assert stored[f"huggingface:{ref}"] == ("whisper", "lineage", True)
    assert paths(db_session, "huggingface:lab/tuned-GGUF") == {"whisper"}


def test_descendants_follow_when_a_base_changes_family(
    db_session: Session, vocab: Vocabulary
) -> None:
    base = record("acme/base", extra={"model_type": "bert"})
    ids = load(db_session, [base, child("lab/tuned", "huggingface:acme/base")])
    rebuild_families(db_session, vocab)
    assert families(db_session)["huggingface:lab/tuned"][0] == "bert"
    load(db_session, [replace(base, extra={"model_type": "roberta"})])
    recompute_families(db_session, [ids["huggingface:acme/base"]], vocab)
    assert families(db_session)["huggingface:lab/tuned"][0] == "roberta"
    assert paths(db_session, "huggingface:lab/tuned") == {"roberta"}


def test_unchanged_families_stop_the_walk(db_session: Session, vocab: Vocabulary) -> None:
    base = record("acme/bert-base-uncased", extra={"model_type": "bert"})
    ids = load(db_session, [base, child("lab/tuned", "huggingface:acme/bert-base-uncased")])
    rebuild_families(db_session, vocab)
    load(db_session, [replace(base, downloads=123)])  # a new download count, same family
    assert recompute_families(db_session, [ids["huggingface:acme/bert-base-uncased"]], vocab) == 1


def test_lineage_cycles_end(db_session: Session, vocab: Vocabulary) -> None:
    ids = load(
        db_session,
        [
            child("x/alpha", "huggingface:x/beta"),
            child("x/beta", "huggingface:x/gamma"),
            child("x/gamma", "huggingface:x/alpha", extra={"model_type": "t5"}),
        ],
    )
    assert recompute_families(db_session, list(ids.values()), vocab) == 3
    stored = families(db_session)
    assert {stored[ref][0] for ref in ids} == {"t5"}


def test_links_between_hubs_are_followed_both_ways(db_session: Session, vocab: Vocabulary) -> None:
    handle = "google/imagenet/mobilenet_v2_100_224/classification"
    kaggle = record("google/edge-classifier", platform="kaggle", extra={"tfhub_handles": [handle]})
    ids = load(db_session, [kaggle])
    recompute_families(db_session, list(ids.values()), vocab)
    assert "kaggle:google/edge-classifier" in families(db_session)  # by the handle's name
    tfhub = record(handle, platform="tfhub", extra={"network_architectures": ["mobilenet-v1"]})
    recompute_families(db_session, list(load(db_session, [tfhub]).values()), vocab)
    verdict = families(db_session)["kaggle:google/edge-classifier"]
    assert verdict[:2] == ("mobilenet-v1", "link")  # the hub's own field wins over the name


def test_the_tree_follows_the_vocabulary(
    db_session: Session, vocab: Vocabulary, tmp_path: Path
) -> None:
    load(db_session, [record("acme/AcmeNet-small")])
    mine = tmp_path / "mine.yaml"
    mine.write_text("families:\n  - {slug: acme-net, name: AcmeNet}\n")
    rebuild_families(db_session, load_vocabulary(mine))
    assert families(db_session)["huggingface:acme/AcmeNet-small"][0] == "acme-net"
    rebuild_families(db_session, vocab)
    assert "huggingface:acme/AcmeNet-small" not in families(db_session)
    gone = db_session.execute(text("SELECT count(*) FROM families WHERE slug = 'acme-net'"))
    assert gone.scalar_one() == 0
    dangling = db_session.execute(
        text(
            "SELECT count(*) FROM model_family_paths mp "
            "LEFT JOIN families f ON f.id = mp.family_id WHERE f.id IS NULL"
        )
    )
    assert dangling.scalar_one() == 0


def test_a_harvest_after_a_vocabulary_change_syncs_the_tree_and_says_to_rebuild(
    db_session: Session, vocab: Vocabulary, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    ids = load(db_session, [record("acme/AcmeNet-small"), record("acme/AcmeNet-large")])
    mine = tmp_path / "mine.yaml"
    mine.write_text("families:\n  - {slug: acme-net, name: AcmeNet}\n")
    rebuild_families(db_session, load_vocabulary(mine))
    recompute_families(db_session, [ids["huggingface:acme/AcmeNet-small"]], vocab)
    assert "run `catalog families rebuild`" in caplog.text
    assert families(db_session) == {}  # the removed family took its assignments with it


def test_rival_bases_told_apart_by_task_in_rebuilds_and_after_a_harvest(
    db_session: Session, vocab: Vocabulary
) -> None:
    rivals = [
        LineageRef("huggingface", "black-forest-labs/FLUX.1-dev", "adapter"),
        LineageRef("huggingface", "Qwen/Qwen2-VL-7B-Instruct", "adapter"),
    ]
    adapter = record("lab/qwen-flux", lineage=rivals, tasks=["text-to-image"])
    load(db_session, [adapter])
    rebuild_families(db_session, vocab)
    ref = "huggingface:lab/qwen-flux"
    assert vocab.families[families(db_session)[ref][0]].root == "flux"
    # The harvest path (incremental) decides the same for a model it loads.
    second = record("lab/qwen-flux-2", lineage=rivals, tasks=["text-to-image"])
    ids = load(db_session, [second])
    recompute_families(db_session, list(ids.values()), vocab)
    found = families(db_session)["huggingface:lab/qwen-flux-2"]
    assert vocab.families[found[0]].root == "flux"
    assert found[1:] == ("lineage", True)
