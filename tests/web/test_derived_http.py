"""The derived layer in the explorer over plain HTTP: the usage, license class and memory
facets with "commercial use allowed", result rows, CSV and JSON, the model page (usage
evidence, memory per variant, declared against effective license, provenance) and the
compare page."""

from __future__ import annotations

import csv
import html
import io
import json
import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from tests.web import catalog

GIB = 2**30
EVERYTHING = {"format": "json", "first": "100"}
CONFLICT_PATH = "/models/huggingface/acme/CrisperWhisper-mit"
WHISPER = "huggingface:nyrahealth/CrisperWhisper"


def _search(http: httpx.Client, *pairs: tuple[str, str]) -> dict[str, Any]:
    response = http.get("/", params=[*EVERYTHING.items(), *pairs])
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert body["next"] is None  # the whole answer on one page
    return body


def _refs(body: dict[str, Any]) -> set[str]:
    return {m["ref"] for m in body["models"]}


def _counts(body: dict[str, Any], field: str) -> dict[str, int]:
    return {b["value"]: b["count"] for b in body["facets"][field]}


@pytest.fixture(scope="module")
def rows(base_url: str) -> dict[str, dict[str, Any]]:
    """Every live model's result row, by ref (the catalog has fewer than 100)."""
    with httpx.Client(base_url=base_url, timeout=30) as http:
        return {m["ref"]: m for m in _search(http)["models"]}


def _having(rows: dict[str, dict[str, Any]], usage: str) -> set[str]:
    return {ref for ref, m in rows.items() if m["usage"][usage]}


def test_usage_facet_ors_within_ands_across_and_excludes(
    http: httpx.Client, rows: dict[str, dict[str, Any]]
) -> None:
    everything = _search(http)
    assert _counts(everything, "usage") == {
        u: len(_having(rows, u)) for u in ("feature-extraction", "fine-tuning", "zero-shot")
    }
    assert _having(rows, "feature-extraction") == {
        "tfhub:google/imagenet/mobilenet_v1_025_192/feature_vector"
    }
    assert _having(rows, "zero-shot") == {
        catalog.HF_LLAMA,
        catalog.KAGGLE_LLAMA,
        "huggingface:Qwen/Qwen2.5-Coder-32B-Instruct",
    }
    either = _search(http, ("usages", "feature-extraction"), ("usages", "zero-shot"))
    assert _refs(either) == _having(rows, "feature-extraction") | _having(rows, "zero-shot")
    # Disjunctive: the facet's own values still count as if none were ticked.
    assert _counts(either, "usage") == _counts(everything, "usage")
    both = _search(http, ("usages", "zero-shot"), ("platforms", "kaggle"))
    assert _refs(both) == {catalog.KAGGLE_LLAMA}
    without = _search(http, ("exclude_usages", "fine-tuning"))
    assert _refs(without) == set(rows) - _having(rows, "fine-tuning")


def test_license_class_facet_and_commercial_use(
    http: httpx.Client, rows: dict[str, dict[str, Any]]
) -> None:
    classes = _counts(_search(http), "license_class")
    assert classes["non-commercial"] == 2  # CrisperWhisper and its MIT fine-tune
    forbidden = _search(http, ("license_classes", "non-commercial"))
    assert _refs(forbidden) == {WHISPER, catalog.CONFLICT_REF}
    allowed = _search(http, ("commercial_use", "1"))
    assert _refs(allowed) == {ref for ref, m in rows.items() if m["commercial_use"]}
    assert catalog.CONFLICT_REF not in _refs(allowed)  # declares MIT, bound by cc-by-nc
    assert "huggingface:black-forest-labs/FLUX.1-dev" not in _refs(allowed)  # unknown
    # Unlike a facet value, commercial use holds in the license class counts too.
    assert set(_counts(allowed, "license_class")) == {"permissive", "restricted-custom"}
    narrowed = _search(http, ("commercial_use", "1"), ("exclude_license_classes", "permissive"))
    assert {rows[r]["license_class"] for r in _refs(narrowed)} == {"restricted-custom"}

    page = http.get("/", params={"commercial_use": "1"}).text
    box = re.search(
        r'<input type="checkbox" id="f-commercial_use" name="commercial_use"[^>]*>', page
    )
    assert box is not None
    assert "checked" in box.group(0)
    count = re.search(r"Commercial use allowed</span> <span class=\"count\">([\d,]+)<", page)
    assert count is not None
    assert int(count.group(1).replace(",", "")) == len(_refs(allowed))
    assert "Remove filter Commercial use allowed" in page
    bad = http.get("/", params={"commercial_use": "maybe", "format": "json"})
    assert bad.status_code == 400
    assert bad.json()["error"].startswith("commercial_use: write commercial_use=1")


def test_memory_limits_keep_models_whose_weights_fit(
    http: httpx.Client, rows: dict[str, dict[str, Any]]
) -> None:
    def fits(limit: float) -> set[str]:
        found = {r for r, m in rows.items() if m["memory_bytes"] and m["memory_bytes"] <= limit}
        assert found  # the limit keeps something
        return found

    assert fits(4 * GIB) == {"huggingface:acme/evil-card", catalog.CONFLICT_REF}
    assert _refs(_search(http, ("memory", "le-4gib"))) == fits(4 * GIB)
    # Limits OR into the largest; a typed bound narrows further.
    wider = _search(http, ("memory", "le-1gib"), ("memory", "le-16gib"))
    assert _refs(wider) == fits(16 * GIB) == fits(4 * GIB) | {catalog.KAGGLE_LLAMA}
    typed = _search(http, ("memory", "le-16gib"), ("max_memory", "2GiB"))
    assert _refs(typed) == fits(2 * GIB)
    assert _refs(_search(http, ("max_memory", "16GB"))) == fits(16e9)

    page = http.get("/", params={"memory": "le-4gib"}).text
    sidebar = html.unescape(page[page.index('data-field="memory"') :])
    shown = re.findall(
        r'value="(le-\w+)"( checked)?>\s*<label[^>]*><span class="value">([^<]+)'
        r'</span> <span class="count">(\d+)',
        sidebar,
    )
    assert [(slug, bool(on), label, int(n)) for slug, on, label, n in shown] == [
        ("le-1gib", False, "≤ 1 GiB", 1),
        ("le-4gib", True, "≤ 4 GiB", 2),
        ("le-8gib", False, "≤ 8 GiB", 2),
        ("le-16gib", False, "≤ 16 GiB", 3),
        ("le-24gib", False, "≤ 24 GiB", 4),
        ("le-48gib", False, "≤ 48 GiB", 4),
        ("le-80gib", False, "≤ 80 GiB", 4),
    ]
    assert "Memory (weights only)" in page
    assert "Remove filter Memory: weights ≤ 4 GiB" in html.unescape(page)
    for params, message in (
        ({"memory": "gt-80gib"}, "unknown value 'gt-80gib' for memory"),
        ({"max_memory": "lots"}, "max_memory: 'lots' is not a size"),
    ):
        bad = http.get("/", params={**params, "format": "json"})
        assert bad.status_code == 400
        assert bad.json()["error"].startswith(message)


def test_result_rows_show_memory_usage_and_a_conflict(http: httpx.Client) -> None:
    page = http.get("/", params={"q": "CrisperWhisper-mit"}).text
    row = page[page.index(CONFLICT_PATH) :]
    row = row[: row.index("</tr>")]
    assert '<span class="badge">Fine-tuning</span>' in row
    assert "Zero-/few-shot" not in row  # unknown: no badge
    assert "1.51 GiB" in row  # the fp16 PyTorch copy, the smallest variant
    assert ">conflict</span>" in row
    assert "weights only" in page  # the column says what it counts


def test_csv_and_json_carry_the_derived_fields(http: httpx.Client) -> None:
    text = http.get("/", params={"q": "CrisperWhisper", "format": "csv"}).text
    found = {r["ref"]: r for r in csv.DictReader(io.StringIO(text))}
    assert {k: found[catalog.CONFLICT_REF][k] for k in list(found[WHISPER])[11:]} == {
        "memory_bytes": str(catalog.CONFLICT_PARAMETERS * 2),
        "feature_extraction": "",
        "fine_tuning": "true",
        "zero_shot": "",
        "license_class": "non-commercial",
        "commercial_use": "false",
        "license_conflict": "true",
    }
    assert found[WHISPER]["license_conflict"] == "false"
    (model,) = _search(http, ("q", "CrisperWhisper-mit"))["models"]
    assert model["memory_bytes"] == catalog.CONFLICT_PARAMETERS * 2
    assert model["usage"] == {"feature-extraction": None, "fine-tuning": True, "zero-shot": None}
    assert (model["license_class"], model["commercial_use"]) == ("non-commercial", False)
    assert model["license_conflict"] is True


def test_the_search_pages_graphql_query_has_the_derived_filters(http: httpx.Client) -> None:
    params = {
        "usages": "fine-tuning",
        "license_classes": "restricted-custom",
        "commercial_use": "1",
    }
    page = http.get("/", params={**params, "memory": "le-24gib"}).text
    link = re.search(r'href="(/graphql\?[^"]+)">As GraphQL', page)
    assert link is not None
    query = parse_qs(urlsplit(html.unescape(link.group(1))).query)
    variables = json.loads(query["variables"][0])
    assert variables["filter"] == {
        "usages": ["fine-tuning"],
        "licenseClasses": ["restricted-custom"],
        "maxMemoryBytes": 24 * GIB,
        "commercialUse": True,
    }
    answer = http.post("/graphql", json={"query": query["q"][0], "variables": variables}).json()
    found = _search(http, *params.items(), ("memory", "le-24gib"))
    assert _refs(found) == {catalog.KAGGLE_LLAMA}
    assert answer["data"]["models"]["totalCount"] == found["total"]


def _section(page: str, heading_id: str) -> str:
    start = page.index(f'aria-labelledby="{heading_id}"')
    return page[start : page.index("</section>", start)]


def test_model_page_shows_usage_with_its_evidence(http: httpx.Client) -> None:
    page = http.get("/models/kaggle/metaresearch/llama-3.1/transformers/8b-instruct").text
    usage = html.unescape(_section(page, "usage-h"))
    answers = re.findall(r'<tr class="usage-(\w+)">\s*<th scope="row"><a[^>]*>([^<]+)</a>', usage)
    assert answers == [
        ("unknown", "Feature extraction"),
        ("yes", "Fine-tuning"),
        ("yes", "Zero-/few-shot"),
    ]
    text = re.sub(r"<[^>]+>", "", usage)
    assert "instruction-tuned says yes (a strong sign): instruction-tuned text-generation" in text
    assert "trainable-weights says yes (a weak sign): trainable weights (safetensors)" in text
    assert "No evidence either way" in usage
    gguf = html.unescape(
        _section(http.get("/models/huggingface/acme/QwQ-GGUF-finetune").text, "usage-h")
    )
    assert 'no <span class="hint">(inference-only-formats)</span>' in gguf


def test_model_page_shows_memory_per_variant_weights_only(http: httpx.Client) -> None:
    memory = html.unescape(_section(http.get(CONFLICT_PATH).text, "memory-h"))
    assert '<strong>1.51 GiB</strong> <span class="weights-only">weights only</span>' in memory
    assert "its smallest variant: pytorch" in memory
    variants = re.findall(
        r'<th scope="row">(\w+)</th>\s*<td>[^<]*</td>\s*'
        r'<td class="num">([\d.]+ GiB)',
        memory,
    )
    assert variants == [("pytorch", "1.51 GiB"), ("safetensors", "3.01 GiB")]
    assert 'parameters-x-bits <span class="hint">(809M parameters × 16.0 bits)' in memory
    assert "file-sizes" in memory
    unknown = _section(http.get("/models/huggingface/Qwen/QwQ-32B-Preview").text, "memory-h")
    assert "Unknown: the hub states no file sizes" in unknown


def test_model_page_warns_of_a_license_conflict(http: httpx.Client) -> None:
    section = html.unescape(_section(http.get(CONFLICT_PATH).text, "license-h"))
    assert '<div class="warning conflict" role="note">' in section
    assert (
        "It declares mit (permissive) but huggingface:nyrahealth/CrisperWhisper (depth 1) is "
        "cc-by-nc-4.0 (non-commercial)."
    ) in section
    assert '<dt>Declared</dt><dd><a href="/?licenses=mit">mit</a> · Permissive</dd>' in section
    effective = 'mit, cc-by-nc-4.0 · <a href="/?license_classes=non-commercial">Non-commercial'
    assert effective in section
    assert "<dt>Commercial use</dt><dd>not allowed</dd>" in section
    assert 'href="/models/huggingface/nyrahealth/CrisperWhisper"' in section
    calm = _section(http.get("/models/huggingface/Qwen/QwQ-32B-Preview").text, "license-h")
    assert "conflict" not in calm.lower()
    assert "<dt>Commercial use</dt><dd>allowed</dd>" in calm
    ghost = html.unescape(
        _section(http.get("/models/huggingface/acme/QwQ-GGUF-finetune").text, "license-h")
    )
    assert f'{catalog.GHOST_PARENT}</span> <span class="hint">(not in the catalog' in ghost
    assert "<dt>Commercial use</dt><dd>unknown</dd>" in ghost


def test_model_page_says_where_every_field_comes_from(http: httpx.Client) -> None:
    section = html.unescape(_section(http.get(CONFLICT_PATH).text, "sources-h"))
    found = re.findall(
        r'<th scope="row">(\w+)</th>\s*<td>([\w ]+)</td>\s*<td>(?:<code>)?([^<]*)(?:</code>)?</td>'
        r"\s*<td>(?:<code>)?([^<]*)",
        section,
    )
    sources = {(f, s, p if p != "—" else None, r if r != "—" else None) for f, s, p, r in found}
    assert {
        ("license", "declared", "cardData.license", None),
        ("baseModels", "declared", "cardData.base_model", None),
        ("url", "curated", None, "huggingface-model-page"),
        ("fineTuning", "derived", None, "trainable-weights"),
        ("memory", "derived", "formats, parameters", "memory:parameters-x-bits"),
        ("licenseClass", "derived", "license", "license-class-table"),
        ("effectiveLicense", "derived", "license, baseModels", "inherit-along-lineage"),
        ("author", "not recorded", None, None),  # a value whose source the hub did not note
    } <= sources
    fields = [f for f, *_ in found]
    assert fields.index("license") < fields.index("baseModels") < fields.index("memory")


def test_a_hostile_provenance_path_is_text(http: httpx.Client) -> None:
    page = http.get("/models/huggingface/acme/evil-card").text
    section = _section(page, "sources-h")
    assert "<script>" not in section
    assert "tags[license:&lt;script&gt;window.__pwned = true;&lt;/script&gt;]" in section


def test_compare_marks_the_derived_rows_that_differ(http: httpx.Client) -> None:
    refs = [("refs", catalog.KAGGLE_LLAMA), ("refs", catalog.CONFLICT_REF)]
    page = html.unescape(http.get("/compare", params=refs).text)
    rows = {
        attribute: bool(flag)
        for flag, attribute in re.findall(
            r'<tr(?: class="(differs)")? data-attribute="(\w+)">', page
        )
    }
    assert rows["fineTuning"] is False  # yes and yes
    assert rows["zeroShot"] is True  # yes and unknown
    assert rows["memory"] is True
    assert rows["licenseConflict"] is True
    assert rows["effectiveLicense"] is True
    assert "Good for and what it takes (derived)" in page
    cells = re.search(r'data-attribute="memory">.*?</tr>', page, re.DOTALL)
    assert cells is not None
    assert "15.0 GiB (weights only)" in cells.group(0)
    assert "1.51 GiB (weights only)" in cells.group(0)
    conflict = re.search(r'data-attribute="licenseConflict">.*?</tr>', page, re.DOTALL)
    assert conflict is not None
    assert re.findall(r"<td>(\w+)</td>", conflict.group(0)) == ["none", "conflict"]
    table = http.get("/compare", params=[*refs, ("format", "json")]).json()["rows"]
    by_attribute = {r["attribute"]: r for r in table}
    assert by_attribute["memory"]["values"] == [
        str(catalog.KAGGLE_LLAMA_BYTES),
        str(catalog.CONFLICT_PARAMETERS * 2),
    ]
    assert by_attribute["memory"]["differs"] is True


def test_a_ticked_box_stays_in_the_form_when_nothing_matches(http: httpx.Client) -> None:
    # No Kaggle model is non-commercial: the license class facet is empty, its box stays.
    params = {"platforms": "kaggle", "license_classes": "non-commercial", "commercial_use": "1"}
    page = http.get("/", params={**params, "max_memory": "1MiB"}).text
    assert "No model matches" in page
    assert re.search(r'name="commercial_use" value="1" checked', page)
    assert re.search(r'name="license_classes" value="non-commercial" checked', page)
    assert 'name="max_memory" value="1MiB"' in page
