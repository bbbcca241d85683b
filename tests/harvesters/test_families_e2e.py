"""Families end to end: the five hubs harvested through their local fakes, ResNet found on
several of them with one filter, and the assignments made batch by batch during the
harvests equal to a full rebuild."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from api.reports.client import InProcessTransport
from catalog.families.recompute import rebuild_families
from catalog.settings import Settings
from harvesters.runner import RunOptions, run_harvest
from tests.harvesters.fakehub import FakeHub, generate_models
from tests.harvesters.kaggle.conftest import TOKEN, fixture_models
from tests.harvesters.kaggle.fake_kaggle import FakeKaggle, running
from tests.harvesters.onnx_zoo.conftest import MANIFEST
from tests.harvesters.pytorch_hub.conftest import build_tarball as pytorch_tarball
from tests.harvesters.tfhub.conftest import build_tarball as tfhub_tarball


def _hub_model(template: dict[str, Any], model_id: str, **fields: Any) -> dict[str, Any]:
    """A Hub payload shaped like the fake's own, for a model of our choosing."""
    model = copy.deepcopy(template)
    for key in ("cardData", "baseModels", "gguf", "safetensors", "transformersInfo"):
        model.pop(key, None)
    model.update(id=model_id, modelId=model_id, author=model_id.split("/", 1)[0], **fields)
    return model


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    generated = generate_models(60, seed=11)
    extra = [
        _hub_model(
            generated[0],
            "microsoft/resnet-50",
            tags=["transformers", "safetensors", "resnet", "image-classification"],
            pipeline_tag="image-classification",
            library_name="transformers",
            config={"model_type": "resnet", "architectures": ["ResNetForImageClassification"]},
        ),
        _hub_model(
            generated[1],
            "someone/resnet-50-birds",
            tags=["transformers", "image-classification", "base_model:microsoft/resnet-50"],
            pipeline_tag="image-classification",
        ),
    ]
    monkeypatch.setenv("KAGGLE_API_TOKEN", TOKEN)
    with (
        FakeHub([*generated, *extra], page_size_cap=25) as hub,
        running(FakeKaggle(fixture_models(), authorization=f"Bearer {TOKEN}")) as kaggle,
    ):
        yield Settings(
            harvesters={
                "huggingface": {"url": hub.url},
                "kaggle": {"url": kaggle.base_url},
                "onnx-model-zoo": {"url": str(MANIFEST)},
                "tfhub": {"url": str(tfhub_tarball(tmp_path / "tfhub.tar.gz"))},
                "pytorch-hub": {"url": str(pytorch_tarball(tmp_path / "hub.tar.gz"))},
            }
        )


FIVE_HUBS = ("huggingface", "tfhub", "pytorch-hub", "kaggle", "onnx-model-zoo")

QUERY = """
query ($filter: ModelFilter) {
  models(filter: $filter, first: 100) {
    totalCount
    edges { node { ref platform { slug } family { slug path } familyAssignment { method } } }
    facets(fields: [PLATFORM, FAMILY]) { field buckets { value count } }
  }
  resnet: family(slug: "resnet") { modelCount platforms { slug } }
}
"""


def test_resnet_is_found_across_hubs_and_harvests_agree_with_a_rebuild(
    settings: Settings, fresh_engine: Engine
) -> None:
    for platform in FIVE_HUBS:
        result = run_harvest(
            platform,
            engine=fresh_engine,
            settings=settings,
            options=RunOptions(full=True, batch_size=10),
        )
        assert result.ok, (platform, result.error)

    data = InProcessTransport(fresh_engine).execute(QUERY, {"filter": {"families": ["resnet"]}})
    edges = data["models"]["edges"]
    platforms = {e["node"]["platform"]["slug"] for e in edges}
    assert {"huggingface", "kaggle", "pytorch-hub", "onnx-model-zoo"} <= platforms
    for edge in edges:
        assert edge["node"]["family"]["path"][0] == "resnet"
    refs = {e["node"]["ref"]: e["node"] for e in edges}
    assert refs["huggingface:someone/resnet-50-birds"]["familyAssignment"]["method"] == "lineage"
    facets = {
        f["field"]: {b["value"]: b["count"] for b in f["buckets"]} for f in data["models"]["facets"]
    }
    assert sum(facets["PLATFORM"].values()) == data["models"]["totalCount"]
    assert facets["FAMILY"].get("resnet-50", 0) >= 3  # HF, its fine-tune, Kaggle's ResNet-50
    assert data["resnet"]["modelCount"] == data["models"]["totalCount"]
    assert {p["slug"] for p in data["resnet"]["platforms"]} == platforms

    with Session(fresh_engine) as session:
        summary = rebuild_families(session)
        session.commit()
    assert summary.assigned > 0
    assert summary.changed == 0  # what the harvests computed batch by batch is the full answer
