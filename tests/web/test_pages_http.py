"""The explorer over plain HTTP, as a script or a browser without JavaScript meets it:
JSON and CSV answers, errors, escaping, static files, concurrent clients."""

from __future__ import annotations

import csv
import html
import io
import re
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import quote

import httpx
from sqlalchemy import Engine

from tests.reports import fixture_catalog
from tests.web import catalog


def _fixture_total(**match: str) -> int:
    """Models of the report fixture with each given field value (formats: any of)."""
    found = fixture_catalog.models()
    for key, value in match.items():
        found = [m for m in found if value in (m[key] if key == "formats" else [m[key]])]
    return len(found)


def test_json_search_ors_values_within_a_facet_and_ands_across(http: httpx.Client) -> None:
    params = [("formats", "gguf"), ("formats", "onnx"), ("format", "json")]
    body = http.get("/", params=params).json()
    # Fixture: one GGUF and three ONNX models; extra: one GGUF finetune, the hostile
    # card (ONNX) and 25 ONNX classifiers.
    fixture = _fixture_total(formats="gguf") + _fixture_total(formats="onnx")
    assert body["total"] == fixture + 1 + 1 + catalog.TINY
    narrowed = http.get(
        "/", params={"formats": "onnx", "platforms": "onnx-model-zoo", "format": "json"}
    ).json()
    assert narrowed["total"] == 2
    assert {m["ref"] for m in narrowed["models"]} == {
        "onnx-model-zoo:MobileNet v2-1.0-int8",
        "onnx-model-zoo:AlexNet",
    }
    # Disjunctive counts: the platform facet ignores the platform filter itself.
    platforms = {b["value"]: b["count"] for b in narrowed["facets"]["platform"]}
    assert platforms["onnx-model-zoo"] == 2
    assert platforms["huggingface"] == 1 + 1 + catalog.TINY  # long-name model, card, tiny


def test_exclusion_removes_models_with_the_value(http: httpx.Client) -> None:
    all_models = http.get("/", params={"format": "json"}).json()["total"]
    without_hf = http.get("/", params={"exclude_platforms": "huggingface", "format": "json"})
    hf = http.get("/", params={"platforms": "huggingface", "format": "json"}).json()["total"]
    assert without_hf.json()["total"] == all_models - hf
    assert all(m["platform"] != "huggingface" for m in without_hf.json()["models"])


def test_parameter_buckets_and_typed_bounds_filter_parameters(http: httpx.Client) -> None:
    small = http.get("/", params={"params": "lt-10m", "format": "json", "first": 100}).json()
    assert small["models"]
    assert all(m["parameters"] < 10_000_000 for m in small["models"])
    typed = http.get("/", params={"min_params": "30B", "format": "json"}).json()
    assert {m["parameters"] for m in typed["models"]} == {32_800_000_000}


def test_keyset_pages_follow_on_without_repeats(http: httpx.Client) -> None:
    first = http.get("/", params={"tasks": "image-classification", "format": "json"}).json()
    assert first["total"] == 2 + catalog.TINY
    assert len(first["models"]) == 20
    second = http.get(first["next"]).json()
    refs = [m["ref"] for m in first["models"]] + [m["ref"] for m in second["models"]]
    assert len(refs) == first["total"] == len(set(refs))
    assert second["next"] is None


def test_csv_has_every_matching_model_in_page_order(http: httpx.Client) -> None:
    response = http.get("/", params={"tasks": "image-classification", "format": "csv"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert len(rows) == 2 + catalog.TINY
    assert [r["ref"] for r in rows[: catalog.TINY]] == catalog.tiny_refs()  # by downloads
    assert rows[0]["formats"] == "onnx"
    limited = http.get("/", params={"tasks": "image-classification", "format": "csv", "limit": 3})
    assert len(list(csv.DictReader(io.StringIO(limited.text)))) == 3


def test_a_hostile_model_card_is_text_and_its_javascript_url_no_link(http: httpx.Client) -> None:
    page = http.get("/models/huggingface/acme/evil-card").text
    assert "<script>window.__pwned" not in page
    assert "&lt;script&gt;window.__pwned = true;&lt;/script&gt;" in page
    assert "&lt;b&gt;evil&lt;/b&gt; card" in page
    assert "<b>evil</b>" not in page
    assert "javascript:alert" not in page
    assert '<img src="x"' not in page
    listed = http.get("/", params={"q": "evil"}).text
    assert "&lt;b&gt;evil&lt;/b&gt; card" in listed


def test_pages_forbid_inline_scripts_and_framing(http: httpx.Client) -> None:
    for path in ("/", "/models/huggingface/acme/evil-card", "/compare", "/hubs"):
        headers = http.get(path).headers
        assert "script-src 'self'" in headers["content-security-policy"], path
        assert "frame-ancestors 'none'" in headers["content-security-policy"], path
        assert headers["x-content-type-options"] == "nosniff"


def test_static_files_are_versioned_and_cached_for_good(http: httpx.Client) -> None:
    page = http.get("/").text
    css = re.search(r'href="(/static/[0-9a-f]{12}/explorer\.css)"', page)
    assert css is not None
    response = http.get(css.group(1))
    assert response.status_code == 200
    assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert response.headers["content-type"].startswith("text/css")
    stale = css.group(1).replace("/static/", "/static/000000000000", 1)[: -len("/explorer.css")]
    assert http.get(stale + "/explorer.css").status_code == 404


def test_graphiql_loads_only_our_own_files(http: httpx.Client) -> None:
    page = http.get("/graphql", headers={"accept": "text/html"}).text
    sources = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert any("graphiql.min.js" in s for s in sources)
    assert all(s.startswith("/static/") or s.startswith("data:") for s in sources), sources
    for source in sources:
        if source.startswith("/static/"):
            assert http.get(source).status_code == 200, source
    # The licences of what we ship sit next to it.
    assert http.get("/graphql", params={"query": "{ platforms { slug } }"}).json()["data"]


def test_model_json_has_lineage_both_ways(http: httpx.Client) -> None:
    body = http.get("/models/huggingface/bartowski/QwQ-32B-Preview-GGUF?format=json").json()
    model = body["model"]
    assert body["ref"] == "huggingface:bartowski/QwQ-32B-Preview-GGUF"
    assert [(n["ref"], n["relation"]) for n in model["ancestors"]] == [
        ("huggingface:Qwen/QwQ-32B-Preview", "quantized")
    ]
    assert [(n["ref"], n["relation"]) for n in model["descendants"]] == [
        (catalog.GRANDCHILD_REF, "finetune")
    ]
    assert [p["downloads"] for p in model["metrics"]] == [49994]


def test_ancestors_reach_two_levels_and_name_missing_parents(http: httpx.Client) -> None:
    model = http.get("/models/huggingface/acme/QwQ-GGUF-finetune?format=json").json()["model"]
    (gguf, ghost) = model["ancestors"]
    assert gguf["ref"] == "huggingface:bartowski/QwQ-32B-Preview-GGUF"
    assert gguf["relation"] == "finetune"
    assert [c["ref"] for c in gguf["children"]] == ["huggingface:Qwen/QwQ-32B-Preview"]
    assert (ghost["ref"], ghost["model_id"]) == (catalog.GHOST_PARENT, None)
    assert model["sighting"]["run"]["status"] == "failed"


def test_unknown_things_say_what_to_do(http: httpx.Client) -> None:
    typo = http.get("/", params={"formats": "ggfu"})
    assert typo.status_code == 400
    assert "unknown value 'ggfu' for filter.formats; did you mean 'gguf'?" in html.unescape(
        typo.text
    )
    assert "gguf" in typo.text
    cursor = http.get("/", params={"after": "not-a-cursor"})
    assert cursor.status_code == 400
    assert "not a cursor" in cursor.text
    amount = http.get("/", params={"min_params": "lots", "format": "json"})
    assert amount.status_code == 400
    assert amount.json() == {
        "error": "min_params: 'lots' is not an amount (write e.g. 30M, 1.5B or 7000000)"
    }
    missing = http.get("/models/huggingface/nobody/nothing")
    assert missing.status_code == 404
    assert 'href="/?q=nobody%2Fnothing"' in missing.text


def test_compare_reports_unknown_refs_and_adds_an_exact_ref(http: httpx.Client) -> None:
    refs = ["huggingface:Qwen/QwQ-32B-Preview", "huggingface:no/such"]
    body = http.get("/compare", params=[*(("refs", r) for r in refs), ("format", "json")]).json()
    assert body["refs"] == refs[:1]
    assert body["unknown"] == ["huggingface:no/such"]
    gemma = "kaggle:google/gemma/keras/gemma_2b_en"
    added = http.get("/compare", params={"refs": refs[0], "add": gemma})
    assert added.status_code == 303
    assert added.headers["location"] == (
        "/compare?refs=huggingface%3AQwen%2FQwQ-32B-Preview"
        "&refs=kaggle%3Agoogle%2Fgemma%2Fkeras%2Fgemma_2b_en"
    )
    table = http.get(added.headers["location"] + "&format=csv").text
    rows = {r[0]: r[2:] for r in csv.reader(io.StringIO(table))}
    assert rows["platform"] == ["huggingface", "kaggle"]


def test_hubs_show_runs_with_counts_and_errors(http: httpx.Client) -> None:
    hubs = {h["slug"]: h for h in http.get("/hubs?format=json").json()["hubs"]}
    runs = hubs["huggingface"]["runs"]
    assert [r["status"] for r in runs] == ["failed", "succeeded"]
    assert runs[0]["error_summary"].startswith("HTTP 503")
    # Fixture: 10; extra: the card, the finetune, the conflicting finetune and the tiny ones.
    assert hubs["huggingface"]["models"] == 10 + 3 + catalog.TINY
    assert hubs["huggingface"]["removed"] == 1
    assert hubs["tfhub"]["models"] == 1
    assert hubs["tfhub"]["runs"] == []
    assert "HTTP 503 from the hub after 5 retries" in http.get("/hubs").text


def test_concurrent_clients_get_answers_and_give_connections_back(
    base_url: str, web_engine: Engine
) -> None:
    paths = [
        "/",
        "/?q=qwq&formats=gguf",
        "/models/huggingface/" + quote("模型实验室") + "/x",
        "/models/huggingface/Qwen/QwQ-32B-Preview",
        "/compare?refs=huggingface:Qwen/QwQ-32B-Preview",
        "/hubs",
    ] * 5

    def fetch(path: str) -> int:
        with httpx.Client(base_url=base_url, timeout=30) as client:
            return client.get(path).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        codes = list(pool.map(fetch, paths))
    assert codes.count(404) == 5  # the unknown model
    assert set(codes) == {200, 404}
    assert web_engine.pool.checkedout() == 0  # type: ignore[attr-defined]


def test_every_derivative_of_a_model_is_one_search_away(http: httpx.Client) -> None:
    page = http.get("/models/huggingface/Qwen/QwQ-32B-Preview").text
    link = re.search(r'href="(/\?derived_from=[^"]+)">Search every derivative', page)
    assert link is not None
    found = http.get(html.unescape(link.group(1)) + "&format=json").json()
    assert {m["ref"] for m in found["models"]} == {
        "huggingface:bartowski/QwQ-32B-Preview-GGUF",
        catalog.GRANDCHILD_REF,
    }
    unknown = http.get("/", params={"derived_from": "huggingface:no/such"})
    assert unknown.status_code == 400
    assert "no model 'huggingface:no/such' in the catalog" in html.unescape(unknown.text)
