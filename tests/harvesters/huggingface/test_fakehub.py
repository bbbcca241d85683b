"""The fake Hub speaks the parts of the Hub API the harvester tests rely on."""

from __future__ import annotations

import collections
import datetime as dt

import httpx

from tests.harvesters.fakehub import FakeHub, generate_models, iter_pages


def test_generated_models_look_like_the_hub() -> None:
    models = generate_models(2000, seed=3)
    assert len({m["id"] for m in models}) == 2000
    stamps = [m["lastModified"] for m in models]
    assert stamps == sorted(stamps)
    assert generate_models(50, seed=3) == models[:50]  # deterministic
    families = collections.Counter(m.get("library_name") for m in models)
    assert {"transformers", "diffusers", "sentence-transformers", "mlx", None} <= set(families)
    assert any(s["rfilename"].endswith(".gguf") for m in models for s in m["siblings"])
    assert {m["gated"] for m in models} == {False, "auto", "manual"}
    assert any(isinstance(m.get("cardData", {}).get("language"), str) for m in models)
    assert any(isinstance(m.get("cardData", {}).get("base_model"), list) for m in models)
    assert any(m["createdAt"] == "2022-03-02T23:29:04.000Z" for m in models)
    downloads = sorted(m["downloads"] for m in models)
    assert downloads[-1] > 100 * max(1, downloads[len(downloads) // 2])  # a long tail
    start = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    assert generate_models(1, start=start)[0]["lastModified"] == "2025-01-01T00:00:00.000Z"


def test_link_pages_with_an_opaque_cursor_cover_every_model_once() -> None:
    models = generate_models(230)
    with FakeHub(models, page_size_cap=100) as hub:
        pages = list(iter_pages(hub, "/api/models?limit=1000&sort=downloads&direction=-1"))
        assert [len(p) for p in pages] == [100, 100, 30]
        served = [m["id"] for p in pages for m in p]
        assert sorted(served) == sorted(m["id"] for m in models)
        downloads = [m["downloads"] for p in pages for m in p]
        assert downloads == sorted(downloads, reverse=True)
        assert "cursor=" in hub.requests[1]


def test_a_model_removed_mid_walk_does_not_shift_the_cursor() -> None:
    models = generate_models(30)
    expected = [m["id"] for m in models[10:]]
    with FakeHub(models, page_size_cap=10) as hub:
        walk = iter_pages(hub, "/api/models")
        first = next(walk)
        del hub.models[3]  # already served
        rest = [m["id"] for p in walk for m in p]
        assert rest == expected
        assert len(first) == 10


def test_projection_author_filter_and_search() -> None:
    models = generate_models(300)
    with FakeHub(models) as hub:
        compact = httpx.get(f"{hub.url}/api/models?limit=1").json()[0]
        assert "siblings" not in compact
        assert "cardData" not in compact
        expanded = httpx.get(f"{hub.url}/api/models?limit=1&expand[]=siblings").json()[0]
        assert set(expanded) == {"_id", "id", "siblings"}
        assert set(expanded["siblings"][0]) == {"rfilename"}  # sizes only with blobs=true
        timm = httpx.get(f"{hub.url}/api/models?author=timm").json()
        assert timm
        assert {m["id"].split("/")[0] for m in timm} == {"timm"}
        gguf = httpx.get(f"{hub.url}/api/models?filter=gguf&search=GGUF").json()
        assert gguf
        assert all("gguf" in m["tags"] for m in gguf)


def test_detail_redirects_renamed_and_404s_removed() -> None:
    models = generate_models(5)
    with FakeHub(models) as hub:
        hub.renamed["old/name"] = models[0]["id"]
        hub.gone.add(models[1]["id"])
        moved = httpx.get(f"{hub.url}/api/models/old/name?blobs=true")
        assert moved.status_code == 307
        assert moved.headers["Location"] == f"/api/models/{models[0]['id']}?blobs=true"
        followed = httpx.get(f"{hub.url}/api/models/old/name?blobs=true", follow_redirects=True)
        assert followed.json()["id"] == models[0]["id"]
        assert "size" in followed.json()["siblings"][0]
        assert httpx.get(f"{hub.url}/api/models/{models[1]['id']}").status_code == 404
        assert httpx.get(f"{hub.url}/api/models/nobody/nothing").status_code == 404


def test_failures_truncation_and_touch() -> None:
    models = generate_models(5)
    with FakeHub(models) as hub:
        hub.fail_next(429, times=2, headers={"Retry-After": "0"})
        statuses = [httpx.get(f"{hub.url}/api/models").status_code for _ in range(3)]
        assert statuses == [429, 429, 200]
        hub.truncate_next()
        cut = httpx.get(f"{hub.url}/api/models")
        assert cut.status_code == 200
        assert not cut.text.rstrip().endswith("]")
        hub.touch(models[2]["id"], likes=7)
        newest = httpx.get(f"{hub.url}/api/models?sort=lastModified&direction=-1&limit=1")
        assert newest.json()[0]["id"] == models[2]["id"]
        assert newest.json()[0]["likes"] == 7
