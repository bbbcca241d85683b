"""All five hubs together: `catalog harvest all` and one query across hubs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.engine import URL

from api.reports.client import InProcessTransport
from catalog.settings import Settings
from harvesters.runner import RunOptions, run_harvest
from tests.harvesters.fakehub import FakeHub, generate_models
from tests.harvesters.kaggle.conftest import TOKEN, fixture_models
from tests.harvesters.kaggle.fake_kaggle import FakeKaggle, running
from tests.harvesters.onnx_zoo.conftest import MANIFEST
from tests.harvesters.pytorch_hub.conftest import build_tarball as pytorch_tarball
from tests.harvesters.tfhub.conftest import build_tarball as tfhub_tarball

DEAD = "http://127.0.0.1:9/tfhub.tar.gz"
FIVE_HUBS = ("huggingface", "kaggle", "onnx-model-zoo", "pytorch-hub", "tfhub")
CROSS_HUB_QUERY = """
query ($filter: ModelFilter) {
  models(filter: $filter, first: 100) {
    totalCount
    edges { node { ref platform { slug } formats { slug } tasks { slug } } }
    facets(fields: [PLATFORM]) { field buckets { value count } }
  }
}
"""


@pytest.fixture
def sources(tmp_path: Path) -> Iterator[dict[str, str]]:
    with (
        FakeHub(generate_models(200, seed=5), page_size_cap=100) as hub,
        running(FakeKaggle(fixture_models(), authorization=f"Bearer {TOKEN}")) as kaggle,
    ):
        yield {
            "HF_ENDPOINT": hub.url,
            "CATALOG_KAGGLE_API_URL": kaggle.base_url,
            "CATALOG_ONNX_MANIFEST_URL": str(MANIFEST),
            "CATALOG_TFHUB_ARCHIVE_URL": str(tfhub_tarball(tmp_path / "tfhub.tar.gz")),
            "CATALOG_PYTORCH_HUB_ARCHIVE_URL": str(pytorch_tarball(tmp_path / "hub.tar.gz")),
        }


def test_harvest_all_goes_on_past_failing_hubs_and_says_what_to_fix(
    sources: dict[str, str], fresh_db_url: URL, tmp_path: Path
) -> None:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("KAGGLE_") and k != "TEST_DATABASE_URL"
    }
    env.update(sources)
    env.update(
        {
            "DATABASE_URL": fresh_db_url.render_as_string(hide_password=False),
            "CATALOG_TFHUB_ARCHIVE_URL": DEAD,  # unreachable
            "CATALOG_HARVESTERS__TFHUB__HTTP_ATTEMPTS": "1",
            "HOME": str(tmp_path),  # and no Kaggle credentials anywhere
        }
    )
    result = subprocess.run(
        [sys.executable, "-m", "catalog.cli.main", "harvest", "all", "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 1, result.stderr
    runs = {r["platform"]: r for r in json.loads(result.stdout)}
    assert set(runs) >= set(FIVE_HUBS)
    assert {p for p, r in runs.items() if r["status"] == "succeeded"} == {
        "huggingface",
        "pytorch-hub",
        "onnx-model-zoo",
    }
    assert runs["tfhub"]["status"] == "failed"
    assert "CATALOG_TFHUB_ARCHIVE_URL" in runs["tfhub"]["error"]
    assert runs["kaggle"]["status"] == "failed"
    assert "KAGGLE_API_TOKEN" in runs["kaggle"]["error"]
    assert runs["onnx-model-zoo"]["counts"]["new"] > 0


def harvest_all(sources: dict[str, str], engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    """Harvest every hub from its local source, each run succeeding."""
    monkeypatch.setenv("KAGGLE_API_TOKEN", TOKEN)
    settings = Settings(
        harvesters={
            "huggingface": {"url": sources["HF_ENDPOINT"]},
            "kaggle": {"url": sources["CATALOG_KAGGLE_API_URL"]},
            "onnx-model-zoo": {"url": sources["CATALOG_ONNX_MANIFEST_URL"]},
            "tfhub": {"url": sources["CATALOG_TFHUB_ARCHIVE_URL"]},
            "pytorch-hub": {"url": sources["CATALOG_PYTORCH_HUB_ARCHIVE_URL"]},
        }
    )
    for platform in FIVE_HUBS:
        result = run_harvest(
            platform, engine=engine, settings=settings, options=RunOptions(full=True)
        )
        assert result.ok, (platform, result.error)


def test_one_query_finds_image_classifiers_in_onnx_or_tflite_across_hubs(
    sources: dict[str, str], fresh_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    harvest_all(sources, fresh_engine, monkeypatch)
    data = InProcessTransport(fresh_engine).execute(
        CROSS_HUB_QUERY,
        {"filter": {"tasks": ["image-classification"], "formats": ["onnx", "tflite"]}},
    )
    edges = data["models"]["edges"]
    platforms = {edge["node"]["platform"]["slug"] for edge in edges}
    assert len(platforms) >= 3, platforms
    for edge in edges:
        node = edge["node"]
        assert "image-classification" in {t["slug"] for t in node["tasks"]}
        assert {f["slug"] for f in node["formats"]} & {"onnx", "tflite"}
    [facet] = data["models"]["facets"]
    assert sum(b["count"] for b in facet["buckets"]) == data["models"]["totalCount"] == len(edges)


PROVENANCE_QUERY = """
query ($platform: String!) {
  models(filter: {platforms: [$platform]}, first: 100) {
    edges { node { ref provenance { field source path rule } } }
  }
}
"""
# Per hub, sources that some harvested model must show: (field, source, path or rule).
EXPECTED_SOURCES = {
    "huggingface": {
        ("license", "declared", "cardData.license"),
        ("tasks", "declared", "pipeline_tag"),
        ("url", "curated", "huggingface-model-page"),
        ("fineTuning", "derived", "trainable-weights"),
    },
    "tfhub": {
        ("license", "curated", "tfhub-default-license"),
        ("tasks", "declared", "docs[latest].metadata.task"),
        ("fineTuning", "derived", "hub-fine-tunable-flag"),
    },
    "pytorch-hub": {
        ("tasks", "derived", "PYTORCH_HUB_TASK_RULES"),
        ("library", "curated", "pytorch-hub-is-pytorch"),
    },
    "kaggle": {
        ("license", "declared", "instances[].licenseName (most common)"),
        ("formats", "declared", "instances[].framework"),
    },
    "onnx-model-zoo": {
        ("baseModels", "derived", "onnx-quantized-name-suffix"),
        ("fineTuning", "derived", "inference-only-formats"),
    },
}


def test_every_hub_says_where_each_value_came_from(
    sources: dict[str, str], fresh_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    harvest_all(sources, fresh_engine, monkeypatch)
    transport = InProcessTransport(fresh_engine)
    for platform in FIVE_HUBS:
        edges = transport.execute(PROVENANCE_QUERY, {"platform": platform})["models"]["edges"]
        assert edges, platform
        seen = set()
        for edge in edges:
            sources_of = edge["node"]["provenance"]
            assert any(s["field"] == "name" and s["source"] == "declared" for s in sources_of)
            for s in sources_of:
                assert s["path"] if s["source"] == "declared" else s["rule"], s
                seen.add(
                    (s["field"], s["source"], s["path"] if s["source"] == "declared" else s["rule"])
                )
        missing = EXPECTED_SOURCES[platform] - seen
        assert not missing, (platform, missing)
