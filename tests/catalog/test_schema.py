"""Constraints, seeded vocabularies and the search document of the schema."""

from __future__ import annotations

import pytest
from sqlalchemy import insert, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from catalog import vocab
from catalog.models import Format, Modality, Model, ModelLineage, Platform, Task

DESIGN_MODALITIES = {
    "vision",
    "language",
    "audio",
    "multimodal",
    "tabular",
    "reinforcement-learning",
    "graph",
    "other",
}
DESIGN_FORMATS = {
    "safetensors",
    "pytorch",
    "onnx",
    "gguf",
    "tensorflow",
    "tflite",
    "keras",
    "coreml",
    "tfjs",
    "flax",
    "openvino",
    "executorch",
    "paddle",
}
DESIGN_PLATFORMS = {"huggingface", "tfhub", "pytorch-hub", "kaggle", "onnx-model-zoo"}
SOME_PIPELINE_TAGS = {
    "text-generation",
    "image-classification",
    "automatic-speech-recognition",
    "feature-extraction",
    "object-detection",
    "image-feature-extraction",
    "sentence-similarity",
    "text-to-image",
    "image-text-to-text",
    "reinforcement-learning",
    "tabular-classification",
    "graph-ml",
    "time-series-forecasting",
}


def _platform_id(session: Session, slug: str) -> int:
    return session.scalars(select(Platform.id).where(Platform.slug == slug)).one()


def _add_model(session: Session, external_id: str, platform: str = "huggingface") -> int:
    return session.scalars(
        insert(Model)
        .values(
            platform_id=_platform_id(session, platform),
            external_id=external_id,
            name=external_id.rsplit("/", 1)[-1],
        )
        .returning(Model.id)
    ).one()


def test_seeded_vocabularies_hold_every_design_slug(db_session: Session) -> None:
    assert set(db_session.scalars(select(Platform.slug))) == DESIGN_PLATFORMS
    assert set(db_session.scalars(select(Modality.slug))) == DESIGN_MODALITIES
    assert set(db_session.scalars(select(Format.slug))) == DESIGN_FORMATS
    tasks = set(db_session.scalars(select(Task.slug)))
    assert tasks >= SOME_PIPELINE_TAGS
    assert tasks == set(vocab.TASK_MODALITY)


def test_every_task_has_its_modality(db_session: Session) -> None:
    rows = db_session.execute(
        select(Task.slug, Modality.slug).join(Modality, Task.modality_id == Modality.id)
    ).all()
    by_task = dict(rows)
    assert by_task["image-classification"] == "vision"
    assert by_task["text-generation"] == "language"
    assert by_task["automatic-speech-recognition"] == "audio"
    assert by_task["image-text-to-text"] == "multimodal"
    assert len(by_task) == len(vocab.TASK_MODALITY)


def test_formats_carry_their_file_patterns(db_session: Session) -> None:
    patterns = dict(db_session.execute(select(Format.slug, Format.patterns)).tuples().all())
    assert "*.gguf" in patterns["gguf"]
    assert "*.safetensors" in patterns["safetensors"]
    assert "flax_model*.msgpack" in patterns["flax"]


def test_second_model_with_same_platform_and_external_id_is_rejected(db_session: Session) -> None:
    _add_model(db_session, "google-bert/bert-base-uncased")
    _add_model(db_session, "google-bert/bert-base-uncased", platform="kaggle")  # other hub: fine
    with pytest.raises(IntegrityError, match="uq_models_platform_id_external_id"):
        _add_model(db_session, "google-bert/bert-base-uncased")


def test_lineage_relation_outside_the_vocabulary_is_rejected(db_session: Session) -> None:
    child = _add_model(db_session, "someone/bert-finetuned")
    hf = _platform_id(db_session, "huggingface")
    db_session.execute(
        insert(ModelLineage).values(
            child_id=child, parent_platform_id=hf, parent_external_id="a/b", relation="finetune"
        )
    )
    with pytest.raises(IntegrityError, match="ck_model_lineage_relation"):
        db_session.execute(
            insert(ModelLineage).values(
                child_id=child,
                parent_platform_id=hf,
                parent_external_id="c/d",
                relation="distilled",
            )
        )


def test_search_document_is_maintained_by_the_database(db_session: Session) -> None:
    model_id = _add_model(db_session, "meta-llama/Llama-3.1-8B")
    db_session.execute(
        text(
            "update models set summary = 'A multilingual chat model', keywords = 'gguf' "
            "where id = :id"
        ),
        {"id": model_id},
    )

    def matches(query: str, config: str = "simple") -> bool:
        return bool(
            db_session.scalar(
                text(
                    "select search_document @@ to_tsquery(cast(:cfg as regconfig), :q) "
                    "from models where id = :id"
                ),
                {"q": query, "id": model_id, "cfg": config},
            )
        )

    assert matches("llama & 3")
    assert matches("meta")
    assert matches("gguf")
    assert matches("multilingual", config="english")  # summaries are stemmed
    assert not matches("bert")
