"""Family assignment in memory: every kind of evidence, its order, the exclusions, cycles.

Records are built the way the harvesters normalize hubs (ids, names, tags and extra
fields as the samples show them); `assign_records` is what the catalog runs on its rows.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import pytest

from catalog.families.matcher import Verdict
from catalog.families.records import assign_records
from catalog.families.vocabulary import Vocabulary, load_vocabulary
from catalog.records import FormatRecord, LineageRef, NormalizedModel
from tests.factories import record


@pytest.fixture(scope="module")
def vocab() -> Vocabulary:
    return load_vocabulary()


def assign(vocab: Vocabulary, *records: NormalizedModel) -> dict[str, Verdict | None]:
    return assign_records(vocab, list(records))


def family_of(vocab: Vocabulary, rec: NormalizedModel, *others: NormalizedModel) -> str | None:
    verdict = assign(vocab, rec, *others)[f"{rec.platform}:{rec.external_id}"]
    return verdict.slug if verdict else None


def child(external_id: str, *parents: tuple[str, str], relation: str = "finetune", **kw):  # noqa: ANN003, ANN201
    lineage = [LineageRef(p, e, relation) for p, e in parents]
    return record(external_id, lineage=lineage, **kw)


# -- names ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("platform", "external_id", "name"),
    [
        ("onnx-model-zoo", "ResNet50-caffe2", "ResNet50-caffe2"),
        ("tfhub", "google/imagenet/resnet_v1_50/feature_vector", None),
        ("kaggle", "tensorflow/resnet-50", "ResNet-50"),
        ("huggingface", "microsoft/resnet-50", None),
        ("huggingface", "timm/resnet50.a1_in1k", None),
    ],
)
def test_resnet_50_is_found_on_every_hub_by_name(
    vocab: Vocabulary, platform: str, external_id: str, name: str | None
) -> None:
    kw = {"name": name} if name else {}
    rec = record(external_id, platform=platform, **kw)
    assert family_of(vocab, rec) == "resnet-50"


@pytest.mark.parametrize(
    ("name", "family"),
    [
        ("resnext50_32x4d", "resnext-50-32x4d"),
        ("wide_resnet50_2", "wide-resnet-50-2"),
        ("resnet101", "resnet-101"),
        ("fasterrcnn_resnet50_fpn", "faster-rcnn"),
        ("maskrcnn_resnet50_fpn", "mask-rcnn"),
        ("detr-resnet-50", "detr"),
        ("deeplabv3_resnet101", "deeplab-v3"),
        ("fcn_resnet50", "fcn"),
        ("retinanet_resnet50_fpn", "retinanet"),
        ("ssd300_vgg16", "ssd"),
        ("ssdlite320_mobilenet_v3_large", "ssd"),
        ("yolos-tiny", "yolos"),
        ("yolov8n", "yolov8n"),
        ("DeepLabCut-ModelZoo", "deeplabcut"),
        ("SSD-1B", "ssd-1b"),
        ("inception_resnet_v2", "inception-resnet-v2"),
    ],
)
def test_exclusions_keep_look_alike_families_apart(
    vocab: Vocabulary, name: str, family: str
) -> None:
    assert family_of(vocab, record(f"org/{name}")) == family


def test_segmind_ssd_1b_is_stable_diffusion_not_the_ssd_detector(vocab: Vocabulary) -> None:
    rec = record("segmind/SSD-1B", tasks=["text-to-image"])
    assert vocab.families[family_of(vocab, rec) or ""].root == "stable-diffusion"


def test_a_detector_named_after_its_backbone_alone_is_resnet_only_when_it_classifies(
    vocab: Vocabulary,
) -> None:
    gan = record(
        "google/compare_gan/model_13_cifar10_resnet_cifar",
        platform="tfhub",
        tasks=["unconditional-image-generation"],
        extra={"network_architectures": ["resnet-cifar"]},
    )
    assert family_of(vocab, gan) is None  # a GAN with ResNet blocks is not a ResNet


@pytest.mark.parametrize(
    "name",
    ["bert-vs-gpt2-distillation", "my-model-7", "qwen2vl-flux"],
)
def test_rival_or_missing_names_give_no_family(vocab: Vocabulary, name: str) -> None:
    assert family_of(vocab, record(f"someone/{name}")) is None


# -- architecture metadata --------------------------------------------------------------


def test_hugging_face_model_type_beats_the_name(vocab: Vocabulary) -> None:
    rec = record("PrimeIntellect/INTELLECT-1", extra={"model_type": "llama"})
    verdict = assign(vocab, rec)["huggingface:PrimeIntellect/INTELLECT-1"]
    assert verdict is not None
    assert (verdict.slug, verdict.method) == ("llama", "architecture")
    assert "model_type llama" in verdict.evidence


def test_architecture_is_refined_by_the_name(vocab: Vocabulary) -> None:
    rec = record("meta-llama/Llama-3.2-1B", tags=["llama"])
    verdict = assign(vocab, rec)["huggingface:meta-llama/Llama-3.2-1B"]
    assert verdict is not None
    assert (verdict.slug, verdict.method) == ("llama-3.2-1b", "architecture")


def test_pipeline_classes_and_gguf_architectures_are_architecture(vocab: Vocabulary) -> None:
    flux = record("shuttleai/shuttle-3.1-aesthetic", tags=["diffusers:FluxPipeline"])
    gguf = record("NexaAIDev/Qwen2-Audio-7B-GGUF", extra={"gguf_architecture": "qwen2"})
    found = assign(vocab, flux, gguf)
    assert found["huggingface:shuttleai/shuttle-3.1-aesthetic"].slug == "flux"  # type: ignore[union-attr]
    assert found["huggingface:NexaAIDev/Qwen2-Audio-7B-GGUF"].slug == "qwen2-audio"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("rec", "family"),
    [
        (
            record("tfhub-demo/feature_vector", platform="tfhub",
                   extra={"network_architectures": ["mobilenet-v2"]}),
            "mobilenet-v2",
        ),
        (
            record("ResNet101_DUC_HDC", platform="onnx-model-zoo",
                   tags=["vision", "object detection segmentation", "duc"]),
            "duc",
        ),
        (
            record("pytorch_vision_resnet", platform="pytorch-hub", name="ResNet",
                   formats=[FormatRecord("pytorch", ({"entrypoint": "resnet18"},
                                                     {"entrypoint": "resnet50"}))]),
            "resnet",
        ),
        (record("timm/vit_base_patch16_224.augreg_in21k", library="timm"), "vit-base-patch16-224"),
    ],
)  # fmt: skip
def test_hub_architecture_fields(vocab: Vocabulary, rec: NormalizedModel, family: str) -> None:
    verdict = assign(vocab, rec)[f"{rec.platform}:{rec.external_id}"]
    assert verdict is not None
    assert (verdict.slug, verdict.method) == (family, "architecture")


# -- links a hub declares ---------------------------------------------------------------


def test_a_kaggle_model_takes_the_family_of_the_tf_hub_model_it_links(vocab: Vocabulary) -> None:
    tfhub = record(
        "google/imagenet/mobilenet_v2_100_224/classification",
        platform="tfhub",
        extra={"network_architectures": ["mobilenet-v2"]},
    )
    kaggle = record(
        "google/edge-classifier",  # a name that says nothing
        platform="kaggle",
        extra={"tfhub_handles": ["google/imagenet/mobilenet_v2_100_224/classification"]},
    )
    found = assign(vocab, tfhub, kaggle)
    verdict = found["kaggle:google/edge-classifier"]
    assert verdict is not None
    assert (verdict.slug, verdict.method) == ("mobilenet-v2-1.0-224", "link")
    assert "tfhub:google/imagenet/mobilenet_v2_100_224/classification" in verdict.evidence


def test_source_repositories_and_papers_are_links(vocab: Vocabulary) -> None:
    repo = record("demo_detector", platform="pytorch-hub", name="Detector",
                  extra={"source_repo": "ultralytics/yolov5"})  # fmt: skip
    source = "See https://arxiv.org/abs/2304.02643 for details"
    paper = record("someone/segmenter", platform="kaggle", extra={"provenance": source})
    found = assign(vocab, repo, paper)
    assert found["pytorch-hub:demo_detector"].slug == "yolo"  # type: ignore[union-attr]
    assert found["pytorch-hub:demo_detector"].method == "link"  # type: ignore[union-attr]
    assert found["kaggle:someone/segmenter"].slug == "sam"  # type: ignore[union-attr]
    assert found["kaggle:someone/segmenter"].method == "link"  # type: ignore[union-attr]


# -- declared lineage -------------------------------------------------------------------


def test_lineage_any_depth_across_hubs(vocab: Vocabulary) -> None:
    base = record("google/gemma", platform="kaggle", name="Gemma")
    tuned = child("fans/gemma-sql", ("kaggle", "google/gemma"), name="sql-helper")
    quant = child("bart/sql-helper-GGUF", ("huggingface", "fans/gemma-sql"), relation="quantized")
    found = assign(vocab, quant, tuned, base)
    for ref in ("huggingface:fans/gemma-sql", "huggingface:bart/sql-helper-GGUF"):
        verdict = found[ref]
        assert verdict is not None
        assert (verdict.slug, verdict.method, verdict.derivative) == ("gemma", "lineage", True)


def test_lineage_beats_the_architecture_and_the_name(vocab: Vocabulary) -> None:
    base = record("Qwen/Qwen2.5-7B", extra={"model_type": "qwen2"})
    tuned = child("lab/Llama-flavoured-7B", ("huggingface", "Qwen/Qwen2.5-7B"),
                  extra={"model_type": "qwen2"})  # fmt: skip
    assert vocab.families[family_of(vocab, tuned, base) or ""].root == "qwen"


def test_a_base_outside_the_catalog_is_matched_by_its_id(vocab: Vocabulary) -> None:
    rec = child("nyrahealth/CrisperWhisper", ("huggingface", "openai/whisper-large-v3"))
    verdict = assign(vocab, rec)["huggingface:nyrahealth/CrisperWhisper"]
    assert verdict is not None
    assert (verdict.slug, verdict.method) == ("whisper-large-v3", "lineage")


def test_merges_of_rival_families_fall_back_to_own_evidence(vocab: Vocabulary) -> None:
    merged = child(
        "lab/frankenmerge",
        ("huggingface", "meta-llama/Llama-3.1-8B"),
        ("huggingface", "mistralai/Mistral-7B-v0.1"),
        relation="merge",
    )
    assert family_of(vocab, merged) is None
    typed = child(
        "lab/frankenmerge-2",
        ("huggingface", "meta-llama/Llama-3.1-8B"),
        ("huggingface", "mistralai/Mistral-7B-v0.1"),
        relation="merge",
        extra={"model_type": "mistral"},
    )
    assert family_of(vocab, typed) == "mistral"


def test_rival_bases_are_told_apart_by_the_task_only_one_family_does(vocab: Vocabulary) -> None:
    # An image generator conditioned on a language model: FLUX generates images, Qwen
    # has no task list, so the task names one family.
    bases = (
        ("huggingface", "black-forest-labs/FLUX.1-dev"),
        ("huggingface", "Qwen/Qwen2-VL-7B-Instruct"),
    )
    adapter = child("lab/qwen-flux-adapter", *bases, tasks=["text-to-image"])
    verdict = assign(vocab, adapter)["huggingface:lab/qwen-flux-adapter"]
    assert verdict is not None
    assert vocab.families[verdict.slug or ""].root == "flux"
    assert "text-to-image" in (verdict.evidence or "")
    # No task, or a task neither family lists: unknown, as before.
    assert family_of(vocab, child("lab/untasked", *bases)) is None
    chat = child("lab/chatty", *bases, tasks=["text-generation"])
    assert family_of(vocab, chat) is None


def test_the_architecture_a_model_states_beats_the_task_tie_break(vocab: Vocabulary) -> None:
    vlm = child(
        "lab/small-vlm",
        ("huggingface", "HuggingFaceTB/SmolLM2-1.7B-Instruct"),
        ("huggingface", "google/siglip-so400m-patch14-384"),
        tasks=["image-text-to-text"],
        extra={"model_type": "idefics3"},
    )
    assert vocab.families[family_of(vocab, vlm) or ""].root == "idefics"


def test_an_official_release_on_top_of_its_base_is_that_release(vocab: Vocabulary) -> None:
    base = record("meta-llama/Llama-3.1-8B")
    instruct = child("meta-llama/Llama-3.1-8B-Instruct", ("huggingface", "meta-llama/Llama-3.1-8B"))
    tuned = child("lab/Llama-3.1-8B-Instruct-abliterated",
                  ("huggingface", "meta-llama/Llama-3.1-8B-Instruct"))  # fmt: skip
    quantized = child("lab/Llama-3.1-8B-Instruct-GGUF",
                      ("huggingface", "meta-llama/Llama-3.1-8B-Instruct"))  # fmt: skip
    found = assign(vocab, base, instruct, tuned, quantized)
    official = found["huggingface:meta-llama/Llama-3.1-8B-Instruct"]
    derived = found["huggingface:lab/Llama-3.1-8B-Instruct-abliterated"]
    copy = found["huggingface:lab/Llama-3.1-8B-Instruct-GGUF"]
    assert copy is not None
    assert (copy.slug, copy.derivative) == ("llama-3.1-8b-instruct", True)  # not a new release
    assert official is not None
    assert derived is not None
    assert (official.slug, official.derivative) == ("llama-3.1-8b-instruct", False)
    assert (derived.slug, derived.derivative) == ("llama-3.1-8b-instruct", True)


def test_cycles_in_lineage_end_and_leave_own_evidence(vocab: Vocabulary) -> None:
    a = child("x/alpha", ("huggingface", "x/beta"))
    b = child("x/beta", ("huggingface", "x/gamma"))
    c = child("x/gamma", ("huggingface", "x/alpha"))
    assert set(assign(vocab, a, b, c).values()) == {None}  # no evidence anywhere: unknown
    typed = replace(c, extra={"model_type": "t5"})
    for order in itertools.permutations([a, b, typed]):
        found = assign(vocab, *order)
        assert {ref: v.method for ref, v in found.items() if v} == {
            "huggingface:x/gamma": "architecture",  # its own evidence, not its own echo
            "huggingface:x/beta": "lineage",
            "huggingface:x/alpha": "lineage",
        }
    c_named = child("x/bert-base-uncased", ("huggingface", "x/alpha"))
    a2 = child("x/alpha", ("huggingface", "x/bert-base-uncased"))
    found = assign(vocab, a2, c_named)
    assert {v.slug for v in found.values() if v} == {"bert-base-uncased"}


def test_a_self_loop_does_not_hang(vocab: Vocabulary) -> None:
    loop = child("x/roberta-base", ("huggingface", "x/roberta-base"))
    assert family_of(vocab, loop) == "roberta-base"


# -- curated overrides ------------------------------------------------------------------


def _with_user(tmp_path: Path, text: str) -> Vocabulary:
    path = tmp_path / "mine.yaml"
    path.write_text(text)
    return load_vocabulary(path)


def test_pins_beat_every_other_evidence(tmp_path: Path) -> None:
    vocab = _with_user(
        tmp_path,
        """
pins:
  "huggingface:lab/bert-flavoured": roberta
  "huggingface:acme/*": t5
  "huggingface:lab/gpt2-lookalike": ~
""",
    )
    pinned = child("lab/bert-flavoured", ("huggingface", "google-bert/bert-base-uncased"),
                   extra={"model_type": "bert"})  # fmt: skip
    glob = record("acme/anything")
    none = record("lab/gpt2-lookalike", extra={"model_type": "gpt2"})
    found = assign(vocab, pinned, glob, none)
    assert found["huggingface:lab/bert-flavoured"].slug == "roberta"  # type: ignore[union-attr]
    assert found["huggingface:lab/bert-flavoured"].method == "curated"  # type: ignore[union-attr]
    assert found["huggingface:acme/anything"].slug == "t5"  # type: ignore[union-attr]
    assert found["huggingface:lab/gpt2-lookalike"] is None


def test_a_pinned_base_passes_its_family_down(tmp_path: Path) -> None:
    vocab = _with_user(tmp_path, 'pins:\n  "huggingface:lab/base": whisper\n')
    found = assign(vocab, record("lab/base"), child("lab/tuned", ("huggingface", "lab/base")))
    assert found["huggingface:lab/tuned"].slug == "whisper"  # type: ignore[union-attr]


def test_a_pinned_base_outside_the_catalog_passes_its_family_down(vocab: Vocabulary) -> None:
    # Pony Diffusion V6 XL is a Civitai model known by its number only; a LoRA made for it
    # names that number as its base.
    lora = child("99", ("civitai", "257749"), relation="adapter", platform="civitai", name="x")
    verdict = assign(vocab, lora)["civitai:99"]
    assert verdict is not None
    assert (verdict.slug, verdict.method) == ("pony-diffusion", "lineage")
    assert vocab.families["pony-diffusion"].root == "stable-diffusion"


@pytest.mark.parametrize(
    ("name", "family"),
    [
        ("Wan2.2-I2V-A14B-Moe-Distill-Lightx2v", "wan-2.2"),
        ("Wan2.1-T2V-1.3B", "wan-2.1"),
        ("wan-ice-cream-shop", None),  # "Wan" alone is not the video model
        ("Semi-realistic illustrious", "illustrious"),
    ],
)
def test_video_and_civitai_base_families_by_name(
    vocab: Vocabulary, name: str, family: str | None
) -> None:
    assert family_of(vocab, record(f"lab/{name}", name=name)) == family


def test_a_new_family_is_data(tmp_path: Path) -> None:
    vocab = _with_user(
        tmp_path,
        "families:\n  - {slug: acme-net, name: AcmeNet, model_types: [acme]}\n",
    )
    records: Sequence[NormalizedModel] = [
        record("acme/AcmeNet-small"),
        record("lab/thing", extra={"model_type": "acme"}),
    ]
    assert {v.slug for v in assign(vocab, *records).values() if v} == {"acme-net"}
