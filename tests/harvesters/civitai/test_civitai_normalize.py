"""Civitai normalization: golden records, the tables value by value, every era's shapes."""

from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from catalog import vocab
from catalog.derive.licenses import CLASS_OF_LICENSE
from catalog.records import InvalidRecordError, LineageRef, NormalizedModel
from harvesters import terms
from harvesters.civitai import aliases, licensing
from harvesters.civitai.base_models import BASE_MODELS, CUSTOM_LICENSES, base_model
from harvesters.civitai.description import html_text, summary_of
from harvesters.civitai.parse import newest_time, normalize_model, nsfw_of

from .conftest import by_id, fixture_models

GOLDEN = Path(__file__).parent / "golden" / "records.json"


def as_json(record: NormalizedModel) -> dict[str, Any]:
    """A record as plain JSON (tuples become lists), for golden comparison."""
    result: dict[str, Any] = json.loads(
        json.dumps(dataclasses.asdict(record), default=str, sort_keys=True)
    )
    return result


def record(model_id: int, **changes: Any) -> NormalizedModel:
    """The record of a fixture model, with top-level fields of its payload changed."""
    return normalize_model({**by_id()[model_id], **changes})


def one(model_type: str = "LORA", base: str = "SD 1.5", **changes: Any) -> dict[str, Any]:
    """A minimal model with one version."""
    version = {"id": 2, "name": "v1", "baseModel": base, "publishedAt": "2025-01-01T00:00:00Z"}
    return {"id": 1, "name": "M", "type": model_type, "modelVersions": [version], **changes}


def test_fixture_models_normalize_to_the_golden_records() -> None:
    actual = {str(m["id"]): as_json(normalize_model(m)) for m in fixture_models() if "id" in m}
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN.write_text(json.dumps(actual, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    assert actual == json.loads(GOLDEN.read_text(encoding="utf-8"))


def test_an_item_without_an_id_is_a_clear_record_error() -> None:
    [nameless] = [m for m in fixture_models() if "id" not in m]
    with pytest.raises(InvalidRecordError, match="no id"):
        normalize_model(nameless)
    with pytest.raises(InvalidRecordError, match="not an object"):
        normalize_model(["a", "list"])


# -- the tables, value by value ------------------------------------------------------------


@pytest.mark.parametrize(("key", "info"), sorted(aliases.MODEL_TYPES.items()))
def test_every_model_type_maps_onto_canonical_relations_and_tasks(
    key: str, info: aliases.TypeInfo
) -> None:
    assert info.relation in {None, "finetune", "adapter", "quantized", "merge"}
    assert info.task is None or info.task in vocab.TASK_MODALITY
    assert not (info.task and info.generative), "a generative type takes its base's task"


@pytest.mark.parametrize(("key", "slug"), sorted(aliases.FILE_FORMATS.items()))
def test_every_file_format_maps_onto_a_canonical_format_or_nothing(
    key: str, slug: str | None
) -> None:
    assert key == terms.term_key(key)
    assert slug is None or slug in vocab.FORMAT_SLUGS


@pytest.mark.parametrize("entry", BASE_MODELS, ids=lambda b: b.name)
def test_every_base_model_names_a_repository_license_and_task_the_catalog_knows(
    entry: Any,
) -> None:
    assert base_model(entry.name) is entry
    assert base_model(entry.name.upper().replace(" ", "_")) is entry, "lookups ignore case"
    if entry.repo is not None:
        platform, external_id = entry.repo.split(":", 1)
        assert platform in {"huggingface", "civitai"}
        assert external_id
        assert external_id == external_id.strip()
        assert platform != "huggingface" or external_id.count("/") == 1
    assert entry.license is None or (
        entry.license in vocab.LICENSE_BY_SLUG or entry.license in CUSTOM_LICENSES
    )
    assert entry.task is None or entry.task in vocab.TASK_MODALITY


def test_custom_licenses_use_the_keys_the_license_classes_know() -> None:
    assert not set(CUSTOM_LICENSES) & set(vocab.LICENSE_BY_SLUG)
    assert CLASS_OF_LICENSE["flux-1-dev-non-commercial-license"] == "non-commercial"
    assert CLASS_OF_LICENSE["stabilityai-ai-community"] == "restricted-custom"


@pytest.mark.parametrize(
    ("base", "parent", "license_slug"),
    [
        (
            "SD 1.5",
            "huggingface:stable-diffusion-v1-5/stable-diffusion-v1-5",
            "creativeml-openrail-m",
        ),
        ("SDXL 1.0", "huggingface:stabilityai/stable-diffusion-xl-base-1.0", "openrail++"),
        (
            "Flux.1 D",
            "huggingface:black-forest-labs/FLUX.1-dev",
            "flux-1-dev-non-commercial-license",
        ),
        ("Flux.1 S", "huggingface:black-forest-labs/FLUX.1-schnell", "apache-2.0"),
        (
            "SD 3.5",
            "huggingface:stabilityai/stable-diffusion-3.5-large",
            "stabilityai-ai-community",
        ),
        ("Pony", "civitai:257749", "openrail++"),
        (
            "Illustrious",
            "huggingface:OnomaAIResearch/Illustrious-xl-early-release-v0",
            "fair-ai-public-license-1.0-sd",
        ),
    ],
)
def test_a_lora_is_an_adapter_of_its_base_and_carries_the_base_license(
    base: str, parent: str, license_slug: str
) -> None:
    result = normalize_model(one("LORA", base))
    platform, external_id = parent.split(":", 1)
    assert result.lineage == (LineageRef(platform, external_id, "adapter"),)
    assert result.license is not None
    assert result.license.slug == license_slug
    assert f"base-model:{base}" in result.tags
    assert result.tasks == ("text-to-image",)


@pytest.mark.parametrize(
    "model_type",
    [
        "LORA",
        "LoCon",
        "DoRA",
        "TextualInversion",
        "Hypernetwork",
        "AestheticGradient",
        "Controlnet",
        "MotionModule",
    ],
)
def test_adapter_types_are_adapter_relations(model_type: str) -> None:
    [ref] = normalize_model(one(model_type)).lineage
    assert ref.relation == "adapter"


@pytest.mark.parametrize(
    ("checkpoint_type", "relation"),
    [(None, "finetune"), ("Trained", "finetune"), ("Merge", "merge")],
)
def test_a_checkpoint_is_a_finetune_or_a_merge_of_its_base(
    checkpoint_type: str | None, relation: str
) -> None:
    [ref] = normalize_model(one("Checkpoint", checkpointType=checkpoint_type)).lineage
    assert ref.relation == relation


@pytest.mark.parametrize(
    ("model_type", "tasks"),
    [
        ("VAE", ()),
        ("Upscaler", ("image-to-image",)),
        ("Poses", ()),
        ("Wildcards", ()),
        ("Detection", ("object-detection",)),
        ("TextEncoder", ()),
    ],
)
def test_types_used_with_a_base_but_not_derived_from_it_have_no_lineage(
    model_type: str, tasks: tuple[str, ...]
) -> None:
    result = normalize_model(one(model_type))
    assert result.lineage == ()
    assert result.tasks == tasks
    assert f"type:{terms.term_key(model_type)}" in result.tags
    assert result.extra["type"] == model_type


def test_unknown_types_and_base_models_stay_tags_and_are_reported() -> None:
    result = record(900006)
    assert result.unmapped == ("type:Cosmetic", "base-model:SuperModel 9")
    assert {"type:cosmetic", "base-model:SuperModel 9"} <= set(result.tags)
    assert result.lineage == ()
    assert result.tasks == ()
    assert result.license is None


def test_a_known_base_without_a_single_upstream_repository_links_nothing() -> None:
    result = normalize_model(one("LORA", "SDXL Distilled"))
    assert result.lineage == ()
    assert result.unmapped == ()
    assert result.license is not None
    assert result.license.slug == "openrail++"


def test_the_model_that_is_its_own_base_links_to_nothing() -> None:
    pony = record(257749)
    assert pony.lineage == ()
    assert "base-model:Pony" in pony.tags


def test_versions_of_several_bases_link_to_each_and_take_the_newest_license() -> None:
    charturner = record(3036)  # versions for SD 2.1 (newest) and SD 1.5
    assert [ref.external_id for ref in charturner.lineage] == [
        "stabilityai/stable-diffusion-2-1-base",
        "stable-diffusion-v1-5/stable-diffusion-v1-5",
    ]
    assert charturner.extra["base_models"] == ["SD 2.1", "SD 1.5"]
    assert charturner.tasks == ("text-to-image",)
    reordered = {**by_id()[3036], "modelVersions": by_id()[3036]["modelVersions"][::-1]}
    assert normalize_model(reordered).lineage == charturner.lineage


def test_video_bases_give_video_tasks() -> None:
    assert record(900005).tasks == ("image-to-video",)
    assert normalize_model(one("LORA", "Hunyuan Video")).tasks == ("text-to-video",)


# -- licensing in every shape ------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "uses"),
    [
        ("Sell", ["Sell"]),  # 2023: one string
        (["Image", "RentCivit", "Rent"], ["Image", "RentCivit", "Rent"]),  # 2024 on
        ("{Image,RentCivit}", ["Image", "RentCivit"]),  # the docs' PostgreSQL text
        ('{"Rent","Sell"}', ["Rent", "Sell"]),
        (["Sell", "Image"], ["Image", "Sell"]),  # Civitai's order, least permissive first
        ("None", []),
        (["None"], []),
        ([], []),
        ("{}", []),
        ("image", ["Image"]),
    ],
)
def test_commercial_use_is_read_in_every_shape(value: object, uses: list[str]) -> None:
    result = normalize_model(one(allowCommercialUse=value))
    assert result.extra["permissions"]["commercial_use"] == uses
    expected = [f"commercial-use:{u.lower()}" for u in uses] or ["commercial-use:none"]
    assert [t for t in result.tags if t.startswith("commercial-use:")] == expected


@pytest.mark.parametrize("value", [None, 12, {"a": 1}, [3]])
def test_unreadable_commercial_use_is_left_out(value: object) -> None:
    result = normalize_model(one(allowCommercialUse=value))
    assert "permissions" not in result.extra
    assert not any(t.startswith("commercial-use:") for t in result.tags)


def test_an_unknown_commercial_use_is_reported() -> None:
    result = normalize_model(one(allowCommercialUse=["Image", "Lease"]))
    assert result.extra["permissions"]["commercial_use"] == ["Image"]
    assert result.unmapped == ("commercial-use:Lease",)


@pytest.mark.parametrize(
    ("value", "flag"),
    [
        (True, True),
        (False, False),
        ("true", True),
        ("False", False),
        (["false"], False),
        ("{t}", True),
        ("{f}", False),
        ("1", True),
        ("maybe", None),
        (None, None),
        (["a", "b"], None),
    ],
)
def test_permission_flags_are_read_in_every_shape(value: object, flag: bool | None) -> None:
    assert licensing.parse_flag(value) is flag


def test_forbidding_flags_become_tags_and_never_change_the_license() -> None:
    merge = record(900007)  # allowCommercialUse "None", allowDerivatives "{f}", ...
    assert merge.extra["permissions"] == {
        "commercial_use": [],
        "derivatives": False,
        "different_license": False,
        "no_credit": True,
    }
    assert {"commercial-use:none", "no-derivatives", "no-relicensing"} <= set(merge.tags)
    assert "credit-required" not in merge.tags
    assert merge.license is not None
    assert merge.license.slug == "creativeml-openrail-m"


def test_a_base_without_a_known_license_leaves_the_license_unknown() -> None:
    assert normalize_model(one("LORA", "Other")).license is None
    assert normalize_model(one("LORA", "LTXV")).license is None
    assert normalize_model(one("LORA", "LTXV")).lineage[0].external_id == "Lightricks/LTX-Video"


def test_custom_licenses_keep_their_name_and_url() -> None:
    flux = record(1231067).license
    assert flux is not None
    assert (flux.slug, flux.name) == (
        "flux-1-dev-non-commercial-license",
        "FLUX.1 [dev] Non-Commercial License",
    )
    assert flux.url
    assert flux.url.startswith("https://huggingface.co/black-forest-labs/")


# -- NSFW ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "nsfw"),
    [
        ({"nsfw": True}, True),  # flagged (2023 and today)
        ({"nsfw": False, "nsfwLevel": 28}, True),  # R, X and XXX, nothing safe
        ({"nsfw": False, "nsfwLevel": 5}, False),  # PG next to R: listed to SFW browsing
        ({"nsfw": False, "nsfwLevel": 2}, False),  # PG-13 only
        ({"nsfw": False, "nsfwLevel": 0}, False),  # not rated yet
        ({}, False),
        ({"nsfw": "yes", "nsfwLevel": "8"}, False),  # unreadable: not a guess either way
    ],
)
def test_nsfw_is_the_flag_or_a_level_without_safe_content(
    changes: dict[str, Any], nsfw: bool
) -> None:
    payload = one(**changes)
    result = normalize_model(payload)
    assert nsfw_of(payload) is nsfw
    assert result.nsfw is nsfw
    assert ("nsfw" in result.tags) is nsfw


def test_nsfw_level_and_flag_are_kept_as_the_hub_states_them() -> None:
    assert record(900007).extra["nsfw_levels"] == ["R", "X", "XXX"]
    assert record(900007).extra["nsfw_level"] == 28
    assert record(900007).extra["nsfw_flag"] is False
    assert record(4514).extra["nsfw_flag"] is True
    assert "nsfw_level" not in record(4514).extra  # 2023: no level yet
    assert {m["id"] for m in fixture_models() if "id" in m and nsfw_of(m)} == {4514, 8109, 900007}


# -- files, stats, versions ------------------------------------------------------------------


def test_files_become_formats_with_precision_size_and_bytes() -> None:
    sdxl = record(101055)
    [safetensors] = sdxl.formats
    assert safetensors.slug == "safetensors"
    assert [v["file"] for v in safetensors.variants] == [
        "sd_xl_base_1.0_0.9vae.safetensors",
        "sdxl_vae.safetensors",
    ]  # the Diffusers zip is a tag; the config and training data hold no weights
    first = safetensors.variants[0]
    assert (first["precision"], first["size"], first["bytes"]) == ("fp32", "full", 6938040320)
    assert first["version"] == "v1.0 VAE fix"
    assert first["version_id"] == 128078
    assert safetensors.variants[1]["type"] == "VAE"
    assert safetensors.file_count == 2
    assert safetensors.total_bytes == 6938040320 + 334642176
    assert "format:diffusers" in sdxl.tags
    assert sdxl.library == "diffusers"
    assert sdxl.unmapped == ()


def test_gguf_and_unknown_formats() -> None:
    flux = record(618692)
    assert [f.slug for f in flux.formats] == ["safetensors", "gguf"]
    assert flux.formats[1].variants[0]["precision"] == "fp8"
    assert flux.unmapped == ("format:NF4Tensor",)
    assert "format:NF4Tensor" in flux.tags


def test_a_file_without_a_stated_format_gets_one_from_its_name() -> None:
    assert [f.slug for f in record(900003).formats] == ["safetensors"]


def test_pickle_checkpoints_are_pytorch_and_sha256_is_kept_lower_case() -> None:
    [pytorch] = record(3036).formats
    assert pytorch.slug == "pytorch"
    variant = pytorch.variants[0]
    assert variant["file"] == "21charturnerv2.pt"
    assert variant["sha256"] == variant["sha256"].lower()
    assert len(variant["sha256"]) == 64


def test_an_archived_model_without_files_has_no_format() -> None:
    poses = record(900004)
    assert poses.formats == ()
    assert poses.extra["mode"] == "Archived"


def test_stats_of_every_era() -> None:
    today = record(122359)  # thumbs up; favourites and rating zeroed since 2024
    assert (today.downloads_all_time, today.likes) == (370502, 40116)
    assert today.downloads is None, "an all-time count is not the 30-day downloads"
    assert today.extra["stats"]["thumbs_down"] == 63
    legacy = record(3036)  # 2023: favourites, rating
    assert (legacy.downloads_all_time, legacy.likes) == (56206, 7433)
    assert legacy.extra["stats"]["rating"] == 4.63
    assert legacy.extra["stats"]["rating_count"] == 56
    hidden = record(257749)  # the creator hides the download count (null)
    assert hidden.downloads_all_time is None
    assert hidden.likes == 5000


def test_likes_provenance_names_the_field_it_came_from() -> None:
    def likes_path(model_id: int) -> str | None:
        [source] = [p for p in record(model_id).provenance if p.field == "likes"]
        return source.path

    assert likes_path(122359) == "stats.thumbsUpCount"
    assert likes_path(3036) == "stats.favoriteCount"


def test_versions_keep_base_trained_words_and_stats() -> None:
    vsk = record(11821)
    assert [v.version for v in vsk.versions] == ["v2.0 (127062)", "v1.0 (13966)"]
    newest = vsk.versions[0].detail
    assert newest["base_model"] == "SD 1.5"
    assert newest["trained_words"] == [
        "VSKnormal",
        "VSKDress",
        "VSKJacketless",
        "VSKChristmas",
        "VSKFace",
    ]
    assert newest["stats"]["rating"] == 5.0
    assert vsk.extra["trained_words"][-2:] == ["vsk", "vskdress"]
    assert record(900008).versions[0].detail["trained_words"] == ["fixture style"]


def test_times_come_from_the_versions_of_every_era() -> None:
    vsk = record(11821)
    assert vsk.created_at is not None
    assert vsk.created_at.isoformat().startswith("2023-02-22")
    assert vsk.last_modified is not None
    assert vsk.last_modified.isoformat().startswith("2023-07-27")
    legacy = record(3036)  # 2023 versions carry createdAt and updatedAt
    assert legacy.created_at is not None
    assert legacy.created_at.isoformat().startswith("2022-12-28")
    assert legacy.last_modified is not None
    assert legacy.last_modified.isoformat().startswith("2023-03-15")
    assert newest_time(by_id()[11821]) == vsk.last_modified


def test_creator_is_the_author_and_the_page_is_civitais() -> None:
    tweaker = record(122359)
    assert tweaker.author == "w4r10ck"
    assert tweaker.url == "https://civitai.com/models/122359"
    assert record(122359, creator=None).author is None


def test_descriptions_are_text_and_the_summary_is_their_first_paragraph() -> None:
    storybook = record(1231067)
    assert storybook.description is not None
    assert storybook.description.startswith("Storybook illustration style. & more <3\n\n")
    assert storybook.summary == "Storybook illustration style. & more <3"
    assert html_text("<p>a<br>b</p><script>x()</script><h3>c</h3>") == "a\nb\n\nc"
    long = "word " * 100
    summary = summary_of(long)
    assert summary is not None
    assert len(summary) <= 301
    assert summary.endswith("…")


def test_every_field_with_a_value_says_where_it_came_from() -> None:
    for model in fixture_models():
        if "id" not in model:
            continue
        result = normalize_model(model)
        noted = {p.field for p in result.provenance}
        for name in (
            "name",
            "url",
            "license",
            "tasks",
            "formats",
            "tags",
            "lineage",
            "likes",
            "created_at",
            "author",
            "description",
            "downloads_all_time",
            "versions",
        ):
            value = getattr(result, name)
            if value not in (None, (), ""):
                assert name in noted, (model["id"], name)


# -- any payload: a record or a clear per-record error -----------------------------------------

_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=20,
)
_FIELDS = [
    "id",
    "name",
    "type",
    "nsfw",
    "nsfwLevel",
    "allowCommercialUse",
    "allowDerivatives",
    "allowNoCredit",
    "allowDifferentLicense",
    "stats",
    "creator",
    "tags",
    "description",
    "modelVersions",
    "mode",
    "checkpointType",
]
_VERSION_FIELDS = [
    "id",
    "name",
    "baseModel",
    "publishedAt",
    "createdAt",
    "updatedAt",
    "trainedWords",
    "stats",
    "files",
    "nsfwLevel",
]


@st.composite
def civitai_shaped(draw: st.DrawFn) -> dict[str, Any]:
    """A payload with Civitai's keys and values of any JSON type."""
    model = draw(st.fixed_dictionaries({}, optional=dict.fromkeys(_FIELDS, _JSON)))
    versions = draw(
        st.lists(
            st.fixed_dictionaries({}, optional=dict.fromkeys(_VERSION_FIELDS, _JSON)), max_size=3
        )
    )
    if draw(st.booleans()):
        model["modelVersions"] = versions
    if draw(st.booleans()):
        model["id"] = draw(st.integers(min_value=-5, max_value=2**70))
    return model


@settings(max_examples=300, deadline=None)
@given(payload=_JSON | civitai_shaped())
def test_any_payload_is_a_record_or_a_clear_error(payload: object) -> None:
    try:
        result = normalize_model(payload)
    except InvalidRecordError as exc:
        reason = str(exc)
        assert reason, "a quarantine reason must say something"
        return
    assert result.platform == "civitai"
    assert result.external_id.isdigit()
    json.dumps(dataclasses.asdict(result), default=str)  # storable as JSON
