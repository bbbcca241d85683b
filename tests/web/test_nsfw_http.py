"""NSFW models in the explorer and the API: hidden unless asked for, reachable by ref."""

from __future__ import annotations

import httpx

from tests.web import catalog

FLAGGED = catalog.NSFW_REF
CLASSIFIERS = {"tasks": "image-classification", "formats": "onnx", "format": "json"}


def _refs(body: dict[str, object]) -> list[str]:
    return [m["ref"] for m in body["models"]]  # type: ignore[attr-defined]


def test_the_explorer_hides_nsfw_models_unless_asked(http: httpx.Client) -> None:
    hidden = http.get("/", params=CLASSIFIERS).json()
    shown = http.get("/", params={**CLASSIFIERS, "nsfw": "1"}).json()
    assert FLAGGED not in _refs(hidden)
    assert shown["total"] == hidden["total"] + 1
    assert _refs(shown)[0] == FLAGGED  # most downloaded of them
    csv_rows = http.get("/", params={**CLASSIFIERS, "format": "csv"}).text
    assert "flagged-classifier" not in csv_rows


def test_the_page_says_nsfw_models_are_shown_and_how_to_hide_them(http: httpx.Client) -> None:
    page = http.get("/", params={"formats": "onnx", "nsfw": "1"}).text
    assert 'name="nsfw" value="1" checked' in page
    chip = '<a class="chip" href="/?formats=onnx" aria-label="Remove filter NSFW models shown">'
    assert chip in page  # its link drops the flag, nothing else
    plain = http.get("/", params={"formats": "onnx"}).text
    assert 'name="nsfw" value="1">' in plain  # offered, not ticked


def test_a_flagged_model_stays_reachable_by_its_ref(http: httpx.Client) -> None:
    body = http.get("/models/huggingface/acme/flagged-classifier?format=json").json()
    assert body["ref"] == FLAGGED


def test_graphql_hides_them_unless_the_filter_says_nsfw_true(http: httpx.Client) -> None:
    query = """
    query ($nsfw: Boolean!) {
      models(filter: {formats: ["onnx"], nsfw: $nsfw}, first: 100) {
        totalCount
        edges { node { ref nsfw } }
        facets(fields: [FORMAT]) { buckets { value count } }
      }
    }
    """
    answers = {}
    for nsfw in (False, True):
        reply = http.post("/graphql", json={"query": query, "variables": {"nsfw": nsfw}})
        answers[nsfw] = reply.json()["data"]["models"]
    assert answers[True]["totalCount"] == answers[False]["totalCount"] + 1
    flags = {e["node"]["ref"]: e["node"]["nsfw"] for e in answers[True]["edges"]}
    assert flags[FLAGGED] is True
    assert FLAGGED not in {e["node"]["ref"] for e in answers[False]["edges"]}
    onnx = {
        nsfw: next(b["count"] for b in a["facets"][0]["buckets"] if b["value"] == "onnx")
        for nsfw, a in answers.items()
    }
    assert onnx[True] == onnx[False] + 1
