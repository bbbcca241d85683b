"""The explorer in a real browser (headless Chromium), as a person uses it: search as
they type, tick facets, page, open a model, follow its lineage, compare, download CSV,
use the back button; with JavaScript, without it, by keyboard and on a phone."""

from __future__ import annotations

import csv
import io
import os
import re
from pathlib import Path
from typing import Any

import pytest

from tests.web import catalog
from tests.web.conftest import Watch, new_page

expect = pytest.importorskip("playwright.sync_api", reason="playwright is absent").expect
# Set to a path (docs/explorer.png) to retake the README's screenshot of the search page.
DOCS_SCREENSHOT = "EXPLORER_SCREENSHOT"


def total(page: Any) -> int:
    return int(page.inner_text("#summary strong").replace(",", ""))


def names(page: Any) -> list[str]:
    return page.locator("table.results th.model a").all_inner_texts()


def shot(page: Any, tmp_path: Path, name: str) -> None:
    page.screenshot(path=str(tmp_path / f"{name}.png"), full_page=True)


def test_search_as_you_type_and_facets_keep_the_whole_state_in_the_url(
    page: Any, tmp_path: Path
) -> None:
    page.goto("/")
    everything = total(page)
    page.evaluate("window.__samePage = true")
    page.fill("#q", "qwq")
    expect(page).to_have_url(re.compile(r"/\?q=qwq$"))
    assert sorted(names(page)) == ["QwQ-32B-Preview", "QwQ-32B-Preview-GGUF", "QwQ-GGUF-finetune"]
    page.check('input[name="formats"][value="gguf"]')
    expect(page).to_have_url(re.compile(r"/\?q=qwq&formats=gguf$"))
    expect(page.locator("table.results tbody tr")).to_have_count(2)
    assert page.evaluate("window.__samePage") is True  # updated in place, not reloaded
    shot(page, tmp_path, "search")
    shared = page.url

    page.go_back()
    expect(page).to_have_url(re.compile(r"/\?q=qwq$"))
    expect(page.locator("table.results tbody tr")).to_have_count(3)
    expect(page.locator('input[name="formats"][value="gguf"]')).not_to_be_checked()
    page.go_back()
    expect(page.locator("#q")).to_have_value("")
    expect(page.locator("#summary strong")).to_have_text(f"{everything:,}")

    page.goto(shared)  # a shared link opens the same page
    expect(page.locator('input[name="formats"][value="gguf"]')).to_be_checked()
    assert sorted(names(page)) == ["QwQ-32B-Preview-GGUF", "QwQ-GGUF-finetune"]


def test_values_or_within_a_facet_and_exclusion_drops(page: Any) -> None:
    page.goto("/?tasks=text-generation")
    page.check('input[name="licenses"][value="apache-2.0"]')
    expect(page).to_have_url(re.compile("licenses=apache-2.0"))
    expect(page.locator("#summary strong")).to_have_text("5")
    # Counts are disjunctive: MIT still says how many it would add.
    mit = page.locator('input[name="licenses"][value="mit"] + label .count')
    expect(mit).to_have_text("1")
    page.check('input[name="licenses"][value="mit"]')
    expect(page.locator("#summary strong")).to_have_text("6")
    page.check('input[name="exclude_platforms"][value="huggingface"]')
    expect(page.locator("#summary strong")).to_have_text("0")
    expect(page.get_by_text("No model matches")).to_be_visible()
    page.get_by_role("link", name=re.compile("Remove filter Hub: not")).click()
    expect(page.locator("#summary strong")).to_have_text("6")
    expect(page).not_to_have_url(re.compile("exclude_platforms"))


def test_keyset_paging_and_back(page: Any) -> None:
    page.goto("/?tasks=image-classification")
    expect(page.locator("#summary strong")).to_have_text(str(2 + catalog.TINY))
    first = names(page)
    assert len(first) == 20
    page.get_by_role("link", name="Next page »").click()
    expect(page).to_have_url(re.compile("after="))
    expect(page.locator("table.results tbody tr")).to_have_count(2 + catalog.TINY - 20)
    second = names(page)
    assert not set(first) & set(second)
    assert {"AlexNet", "MobileNet v2-1.0-int8"} <= set(second)
    page.go_back()
    expect(page.locator("table.results tbody tr")).to_have_count(20)
    assert names(page) == first


def test_open_a_model_and_follow_its_lineage_up_and_down(page: Any, tmp_path: Path) -> None:
    page.goto("/?q=qwq")
    page.get_by_role("link", name="QwQ-32B-Preview-GGUF", exact=True).click()
    expect(page).to_have_url(re.compile("/models/huggingface/bartowski/QwQ-32B-Preview-GGUF$"))
    expect(page.locator("h1")).to_have_text("QwQ-32B-Preview-GGUF")
    up = page.locator(".lineage-cols > div").nth(0)
    down = page.locator(".lineage-cols > div").nth(1)
    expect(up.locator("li")).to_have_text(re.compile(r"quantized\s+QwQ-32B-Preview"))
    expect(down.locator("li")).to_have_text(re.compile(r"finetune\s+QwQ-GGUF-finetune"))
    shot(page, tmp_path, "model")

    up.get_by_role("link", name="QwQ-32B-Preview").click()
    expect(page.locator("h1")).to_have_text("QwQ-32B-Preview")
    tree = page.locator(".lineage-cols > div").nth(1)
    # Two levels down: the quantization, and the finetune of the quantization.
    expect(tree.locator(".tree .tree a")).to_have_text("QwQ-GGUF-finetune")
    tree.get_by_role("link", name="QwQ-GGUF-finetune").click()
    lineage = page.locator("section.lineage")
    expect(lineage.get_by_text("(not in the catalog)")).to_be_visible()
    expect(lineage.get_by_text(catalog.GHOST_PARENT)).to_be_visible()
    facts = page.locator("dl.facts")
    expect(facts).to_contain_text(re.compile(r"run \d+ \(incremental, failed"))
    hub = page.get_by_role("link", name="Open on Hugging Face Hub")
    expect(hub).to_have_attribute("href", "https://huggingface.co/acme/QwQ-GGUF-finetune")


def test_tick_a_usage_and_commercial_use_then_see_a_models_memory_and_sources(
    page: Any, tmp_path: Path
) -> None:
    page.goto("/")
    tuning = page.locator('input[name="usages"][value="fine-tuning"]')
    promised = page.locator('input[name="usages"][value="fine-tuning"] + label .count')
    expected = promised.inner_text()
    tuning.check()
    expect(page).to_have_url(re.compile(r"/\?usages=fine-tuning$"))
    expect(page.locator("#summary strong")).to_have_text(expected)  # as the count said
    assert {"CrisperWhisper", "CrisperWhisper-mit"} <= set(names(page))
    commercial = page.get_by_label(re.compile("^Commercial use allowed"))
    allowed = page.locator("#f-commercial_use + label .count").inner_text()
    commercial.check()
    expect(page).to_have_url(re.compile(r"/\?usages=fine-tuning&commercial_use=1$"))
    expect(page.locator("#summary strong")).to_have_text(allowed)
    assert not {"CrisperWhisper", "CrisperWhisper-mit"} & set(names(page))  # cc-by-nc bound
    row = page.locator("table.results tbody tr", has_text="Llama 3.1 8B Instruct")
    expect(row.locator(".badge")).to_have_text(["Fine-tuning", "Zero-/few-shot"])
    expect(row.locator('td[data-label="Memory (weights only)"]')).to_have_text("15.0 GiB")
    shot(page, tmp_path, "derived-search")
    if target := os.environ.get(DOCS_SCREENSHOT):
        # The README's picture: the top of the page, as a reader first sees it.
        page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=target, clip={"x": 0, "y": 0, "width": 1280, "height": 800})

    row.get_by_role("link", name="Llama 3.1 8B Instruct").click()
    expect(page.locator("h1")).to_have_text("Llama 3.1 8B Instruct")
    memory = page.locator("section", has=page.locator("#memory-h"))
    expect(memory.locator(".memory-total")).to_contain_text("15.0 GiB weights only")
    expect(memory.locator("table.footprints tbody tr")).to_have_text(
        [re.compile(r"safetensors\s+—\s+15\.0 GiB \(16\.1 GB\)\s+file-sizes")]
    )
    sources = page.locator("table.provenance")
    license_row = sources.locator("tr", has=page.locator("th", has_text=re.compile("^license$")))
    expect(license_row).to_contain_text("instances[].licenseName")
    expect(license_row).to_contain_text("KAGGLE_LICENSES")
    expect(sources.locator("tr", has_text="inherit-along-lineage")).to_have_count(1)
    usage = page.locator("table.usage")
    expect(usage.locator("tr.usage-yes th")).to_have_text(["Fine-tuning", "Zero-/few-shot"])
    shot(page, tmp_path, "derived-model")

    page.go_back()
    expect(page.get_by_label(re.compile("^Commercial use allowed"))).to_be_checked()
    page.goto("/models/huggingface/acme/CrisperWhisper-mit")
    expect(page.locator(".warning.conflict")).to_contain_text("License conflict")
    shot(page, tmp_path, "derived-conflict")


def test_history_is_charted(page: Any) -> None:
    page.goto("/models/huggingface/meta-llama/Llama-3.1-8B-Instruct")
    charts = page.locator("svg.chart")
    expect(charts).to_have_count(2)  # downloads, likes
    points = charts.nth(0).locator("polyline").get_attribute("points")
    assert points is not None
    assert len(points.split()) == 3  # two earlier observations and the current one


def test_compare_picked_models_then_add_and_remove(page: Any, tmp_path: Path) -> None:
    page.goto("/?tasks=image-classification")
    page.get_by_label("Pick tiny-classifier-00 to compare").check()
    page.get_by_role("link", name="Next page »").click()
    expect(page).to_have_url(re.compile("after="))
    page.get_by_label("Pick AlexNet to compare").check()
    expect(page.locator("#picked")).to_have_text("2 picked")  # kept across pages
    page.get_by_role("button", name="Compare picked models").click()
    expect(page).to_have_url(re.compile("/compare\\?refs="))
    heads = page.locator("table.compare thead th a:not(.remove)")
    expect(heads).to_have_text(["tiny-classifier-00", "AlexNet"])
    expect(page.locator("tr.differs th", has_text="Platform")).to_have_count(1)
    expect(page.locator("tr:not(.differs) th", has_text="Tasks")).to_have_count(1)

    page.fill("#add", "gemma")
    page.keyboard.press("Enter")
    page.get_by_role("link", name="Add Gemma 2B to the comparison").click()
    expect(heads).to_have_text(["tiny-classifier-00", "AlexNet", "Gemma 2B"])
    shot(page, tmp_path, "compare")
    page.get_by_role("link", name="Remove AlexNet from the comparison").click()
    expect(heads).to_have_text(["tiny-classifier-00", "Gemma 2B"])
    page.get_by_role("link", name="Show only differences").click()
    expect(page.locator("table.compare tr[data-attribute]:not(.differs)")).to_have_count(0)


def test_model_page_compare_with_opens_the_compare_page(page: Any) -> None:
    page.goto("/models/huggingface/Qwen/QwQ-32B-Preview")
    page.get_by_role("link", name="Compare with…").click()
    expect(page.locator("#add")).to_be_focused()
    page.fill("#add", "huggingface:bartowski/QwQ-32B-Preview-GGUF")
    page.keyboard.press("Enter")
    heads = page.locator("table.compare thead th a:not(.remove)")
    expect(heads).to_have_text(["QwQ-32B-Preview", "QwQ-32B-Preview-GGUF"])
    expect(page.locator("tr.differs th", has_text="Formats")).to_have_count(1)


def test_result_list_downloads_as_csv(page: Any) -> None:
    page.goto("/?tasks=image-classification&sort=name")
    with page.expect_download() as info:
        page.get_by_role("link", name="Download CSV").click()
    rows = list(csv.DictReader(io.StringIO(Path(info.value.path()).read_text("utf-8"))))
    assert len(rows) == 2 + catalog.TINY
    assert [r["name"] for r in rows[:2]] == ["AlexNet", "MobileNet v2-1.0-int8"]


def test_a_script_in_a_model_card_is_shown_as_text(page: Any, tmp_path: Path) -> None:
    page.goto("/models/huggingface/acme/evil-card")
    page.get_by_text("Show the card as harvested").click()
    card = page.locator("pre.card-text")
    expect(card).to_contain_text("<script>window.__pwned = true;</script>")
    expect(card).to_contain_text('<img src="x" onerror="window.__pwned = true">')
    expect(page.locator("h1")).to_have_text(catalog.EVIL_NAME)
    assert page.evaluate("window.__pwned") is None
    assert page.locator('a[href^="javascript:"]').count() == 0
    assert page.locator("main script, main img").count() == 0
    shot(page, tmp_path, "evil")


def test_hubs_show_runs_and_their_errors(page: Any, tmp_path: Path) -> None:
    page.goto("/hubs")
    section = page.locator("section#huggingface")
    expect(section.locator("tbody tr")).to_have_count(2)
    expect(section).to_contain_text("HTTP 503 from the hub after 5 retries")
    shot(page, tmp_path, "hubs")
    section.get_by_role("link", name=re.compile("models")).click()
    expect(page).to_have_url(re.compile(r"/\?platforms=huggingface$"))


def test_graphiql_runs_offline_from_the_search_page(page: Any, tmp_path: Path) -> None:
    page.goto("/?q=qwq&formats=gguf")
    page.get_by_role("link", name="As GraphQL").click()
    page.locator(".graphiql-execute-button").click()
    result = page.locator(".result-window")
    expect(result).to_contain_text('"totalCount": 2')
    # The editor draws the lines in view: the first model's, with its derived fields.
    expect(result).to_contain_text("QwQ-32B-Preview-GGUF")
    expect(result).to_contain_text('"fineTuning"')
    shot(page, tmp_path, "graphiql")


def test_every_page_works_without_javascript(browser: Any, base_url: str, tmp_path: Path) -> None:
    watch = Watch()
    page = new_page(browser, base_url, watch, java_script_enabled=False)
    page.goto("/")
    page.fill("#q", "qwq")
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page.locator("table.results tbody tr")).to_have_count(3)
    page.check('input[name="formats"][value="gguf"]')
    page.get_by_role("button", name="Apply filters").click()
    expect(page.locator("table.results tbody tr")).to_have_count(2)
    assert "formats=gguf" in page.url
    page.get_by_label("Pick QwQ-32B-Preview-GGUF to compare").check()
    page.get_by_label("Pick QwQ-GGUF-finetune to compare").check()
    page.get_by_role("button", name="Compare picked models").click()
    expect(page.locator("table.compare thead th a:not(.remove)")).to_have_count(2)
    page.goto("/?tasks=image-classification")
    page.get_by_role("link", name="Next page »").click()
    expect(page.locator("table.results tbody tr")).to_have_count(2 + catalog.TINY - 20)
    shot(page, tmp_path, "no-js")
    page.context.close()
    assert watch.errors == []
    assert watch.outside == []


def test_keyboard_ticks_a_facet_and_keeps_its_focus(page: Any) -> None:
    page.goto("/?tasks=image-classification")
    box = page.locator('input[name="platforms"][value="onnx-model-zoo"]')
    box.focus()
    page.keyboard.press("Space")
    expect(page).to_have_url(re.compile("platforms=onnx-model-zoo"))
    expect(page.locator("table.results tbody tr")).to_have_count(2)
    expect(page.locator('input[name="platforms"][value="onnx-model-zoo"]')).to_be_focused()


def test_phone_layout_fits_the_screen(browser: Any, base_url: str, tmp_path: Path) -> None:
    watch = Watch()
    page = new_page(browser, base_url, watch, viewport={"width": 390, "height": 844})
    for path in ("/?q=qwq", "/models/huggingface/bartowski/QwQ-32B-Preview-GGUF", "/hubs"):
        page.goto(path)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, path
    page.goto("/?q=qwq")
    filters = page.locator("#filters-box")
    expect(filters).not_to_have_attribute("open", "")  # results first on a phone
    page.get_by_text("Filters", exact=True).click()
    expect(page.locator('input[name="formats"][value="gguf"]')).to_be_visible()
    shot(page, tmp_path, "phone")
    page.context.close()
    assert watch.errors == []


def test_drill_down_a_family_open_its_page_and_the_same_release_elsewhere(
    page: Any, tmp_path: Path
) -> None:
    page.goto("/")
    page.check('input[name="families"][value="llama"]')
    expect(page).to_have_url(re.compile(r"/\?families=llama$"))
    expect(page.locator("#summary strong")).to_have_text("3")
    page.check('input[name="families"][value="llama-3"]')  # a sub-family narrows to it
    expect(page.locator('input[name="families"][value="llama-3"]')).to_be_checked()
    expect(page.locator('input[name="families"][value="llama"]')).to_have_count(0)
    page.get_by_role("link", name="Up to Llama", exact=True).click()
    expect(page).to_have_url(re.compile(r"/\?families=llama$"))
    expect(page.locator('input[name="families"][value="llama"]')).to_be_checked()
    shot(page, tmp_path, "family-facet")

    page.get_by_role("link", name="About Llama", exact=True).click()
    expect(page).to_have_url(re.compile("/families/llama$"))
    expect(page.locator("h1")).to_have_text("Llama")
    releases = page.locator("#releases-h-table")
    expect(releases.locator("tbody tr")).to_have_count(2)
    shot(page, tmp_path, "family")
    releases.get_by_role("link", name="Llama 3.1 8B-instruct", exact=True).click()
    expect(page).to_have_url(re.compile("/families/llama-3.1-8b-instruct$"))
    page.locator("#top-kaggle").locator("xpath=..").get_by_role("link").first.click()
    expect(page.locator("h1")).to_have_text("Llama 3.1 8B Instruct")
    same = page.locator("ul.same-as")
    expect(same).to_contain_text("Llama-3.1-8B-Instruct")
    shot(page, tmp_path, "same-release")
    same.get_by_role("link").click()
    expect(page).to_have_url(re.compile("/models/huggingface/meta-llama/Llama-3.1-8B-Instruct$"))
    page.get_by_role("link", name="Llama 3.1", exact=True).click()  # the family path
    expect(page).to_have_url(re.compile("/families/llama-3.1$"))
