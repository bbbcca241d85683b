"""Families in the explorer over plain HTTP: the family page, family facts on the model
page, and the family facet drilling down the tree."""

from __future__ import annotations

import html

import httpx

from api.web import graphiql
from tests.web import catalog

LLAMA_MODELS = {catalog.HF_LLAMA, catalog.KAGGLE_LLAMA, "huggingface:meta-llama/Llama-3.2-1B"}


def _cells(matrix: dict) -> dict[tuple[str, str], int]:
    return {(r, c): n for r, row in matrix["cells"].items() for c, n in row.items()}


def test_family_page_lines_up_its_models_across_hubs(http: httpx.Client) -> None:
    page = http.get("/families/llama", params={"format": "json"}).json()["family"]
    assert page["family"]["slug"] == "llama"
    assert [f["slug"] for f in page["path"]] == ["llama"]
    assert page["total"] == 3
    # Sub-families: the one with models first, then the others (no models yet).
    assert (page["children"][0]["slug"], page["children"][0]["models"]) == ("llama-3", 3)
    assert {c["models"] for c in page["children"][1:]} == {0}
    hubs = page["hub_formats"]
    assert {(r["value"], r["count"]) for r in hubs["rows"]} == {("huggingface", 2), ("kaggle", 1)}
    assert _cells(hubs) == {("huggingface", "safetensors"): 2, ("kaggle", "safetensors"): 1}
    releases = page["releases"]
    assert [(r["value"], r["count"]) for r in releases["rows"]] == [
        ("llama-3.1-8b-instruct", 2),
        ("llama-3.2-1b", 1),
    ]
    assert _cells(releases) == {
        ("llama-3.1-8b-instruct", "huggingface"): 1,
        ("llama-3.1-8b-instruct", "kaggle"): 1,
        ("llama-3.2-1b", "huggingface"): 1,
    }
    top = {t["platform"]: [m["ref"] for m in t["models"]] for t in page["top"]}
    assert set(top) == {"huggingface", "kaggle"}
    assert set(top["huggingface"]) == LLAMA_MODELS - {catalog.KAGGLE_LLAMA}
    assert top["kaggle"] == [catalog.KAGGLE_LLAMA]
    assert set(page["compare_refs"]) == LLAMA_MODELS


def test_family_page_links_its_models_releases_and_path(http: httpx.Client) -> None:
    text = html.unescape(http.get("/families/llama-3.1").text)
    assert '<a href="/families/llama">Llama</a> › <a href="/families/llama-3">Llama 3</a>' in text
    assert 'href="/?families=llama-3.1"' in text  # every model of the family
    assert 'href="/?platforms=kaggle&formats=safetensors&families=llama-3.1"' in text
    assert 'href="/families/llama-3.1-8b-instruct"' in text  # a release
    assert 'href="/compare?refs=' in text  # across hubs
    # A release is its own only release row.
    release = http.get("/families/llama-3.1-8b-instruct", params={"format": "json"}).json()
    assert [r["value"] for r in release["family"]["releases"]["rows"]] == ["llama-3.1-8b-instruct"]


def test_an_unknown_family_says_what_to_do(http: httpx.Client) -> None:
    missing = http.get("/families/no-such-family")
    assert missing.status_code == 404
    assert "no family 'no-such-family'" in html.unescape(missing.text)
    assert 'href="/?q=no-such-family"' in missing.text
    empty = http.get("/families/llama-2", params={"format": "json"}).json()["family"]
    assert (empty["total"], empty["top"], empty["compare_refs"]) == (0, [], [])
    assert "No model of this family is in the catalog yet" in http.get("/families/llama-2").text


def test_model_page_shows_its_family_and_the_same_release_on_other_hubs(
    http: httpx.Client,
) -> None:
    model = http.get(
        "/models/huggingface/meta-llama/Llama-3.1-8B-Instruct", params={"format": "json"}
    ).json()["model"]
    family = model["family"]
    assert [f["slug"] for f in family["path"]] == [
        "llama",
        "llama-3",
        "llama-3.1",
        "llama-3.1-8b-instruct",
    ]
    assert (family["assignment"]["method"], family["assignment"]["derivative"]) == ("name", False)
    assert [(s["ref"], s["platform_name"]) for s in model["same_as"]] == [
        (catalog.KAGGLE_LLAMA, "Kaggle Models")
    ]
    text = html.unescape(http.get("/models/huggingface/meta-llama/Llama-3.1-8B-Instruct").text)
    assert 'href="/families/llama-3.1-8b-instruct">About Llama 3.1 8B-instruct across hubs' in text
    assert 'href="/models/kaggle/metaresearch/llama-3.1/transformers/8b-instruct"' in text


def test_a_derivative_has_its_base_family_and_no_same_release(http: httpx.Client) -> None:
    model = http.get(
        "/models/huggingface/bartowski/QwQ-32B-Preview-GGUF", params={"format": "json"}
    ).json()["model"]
    assert model["family"]["assignment"]["method"] == "lineage"
    assert model["family"]["assignment"]["derivative"] is True
    assert model["same_as"] == []
    card = http.get("/models/huggingface/acme/evil-card", params={"format": "json"}).json()
    assert card["model"]["family"] is None
    assert "No family known" in http.get("/models/huggingface/acme/evil-card").text


def _family_facet(body: dict) -> dict[str, int]:
    return {b["value"]: b["count"] for b in body["facets"]["family"]}


def test_family_facet_shows_roots_then_the_ticked_family_and_its_children(
    http: httpx.Client,
) -> None:
    roots = _family_facet(http.get("/", params={"format": "json"}).json())
    assert roots["llama"] == 3
    assert roots["qwen"] == 4  # QwQ, its GGUF and that one's finetune, Qwen2.5-Coder
    assert "llama-3" not in roots
    ticked = http.get("/", params={"families": "llama", "format": "json"}).json()
    assert ticked["total"] == 3
    assert list(_family_facet(ticked).items())[:2] == [("llama", 3), ("llama-3", 3)]
    # Ticking a sub-family narrows to it: the wider family leaves the state.
    narrowed = http.get(
        "/", params=[("families", "llama"), ("families", "llama-3.1"), ("format", "json")]
    ).json()
    assert narrowed["total"] == 2
    assert narrowed["graphql"]["variables"]["filter"]["families"] == ["llama-3.1"]
    assert list(_family_facet(narrowed).items())[:2] == [
        ("llama-3.1", 2),
        ("llama-3.1-8b-instruct", 2),
    ]
    text = html.unescape(http.get("/", params={"families": "llama-3.1"}).text)
    assert 'href="/families/llama-3.1">About Llama 3.1' in text
    assert 'href="/?families=llama-3">Up to Llama 3' in text


def test_the_as_graphql_links_of_family_and_model_pages_run(http: httpx.Client) -> None:
    family = http.post(
        "/graphql", json={"query": graphiql.FAMILY_QUERY, "variables": {"slug": "llama"}}
    ).json()
    assert "errors" not in family
    assert family["data"]["family"]["modelCount"] == 3
    model = http.post(
        "/graphql", json={"query": graphiql.MODEL_QUERY, "variables": {"ref": catalog.HF_LLAMA}}
    ).json()
    assert "errors" not in model
    assert [s["model"]["ref"] for s in model["data"]["model"]["sameAs"]] == [catalog.KAGGLE_LLAMA]
