"""The explorer's test catalog: the report fixture catalog (real hub facts, with history)
plus what the pages must also handle: a hostile model card, a lineage three levels deep
with a parent the catalog lacks, enough image classifiers to page, harvest runs, model
families (one release on two hubs), and the derived layer: a fine-tune whose declared
license conflicts with its base model's, footprints per variant, recorded provenance."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine, update
from sqlalchemy.orm import Session

from catalog.families.recompute import rebuild_families
from catalog.loader import load_models
from catalog.models import Model
from catalog.records import FieldSource, FormatRecord, LicenseRef, LineageRef, NormalizedModel
from catalog.runs import open_run, platform_id, save_run
from tests.reports import fixture_catalog

SEEN = dt.datetime(2026, 1, 20, tzinfo=dt.UTC)
APACHE = LicenseRef("apache-2.0", "Apache License 2.0", spdx_id="Apache-2.0")

EVIL_REF = "huggingface:acme/evil-card"
EVIL_DESCRIPTION = (
    "# Evil card\n<script>window.__pwned = true;</script>\n"
    '<img src="x" onerror="window.__pwned = true">\n'
    "Plain text after the tags."
)
EVIL_NAME = "<b>evil</b> card"

# Qwen/QwQ-32B-Preview (fixture) <- bartowski/QwQ-32B-Preview-GGUF (fixture, quantized)
#   <- acme/QwQ-GGUF-finetune (finetune); acme/QwQ-GGUF-finetune also names a parent
#   the catalog does not have.
GRANDCHILD_REF = "huggingface:acme/QwQ-GGUF-finetune"
GHOST_PARENT = "huggingface:ghost/never-harvested"
TINY = 25  # acme/tiny-classifier-00 ... -24: image classifiers, to page through
WITHDRAWN = "acme/withdrawn"  # the hub dropped it: counted as removed, never listed
# The same release as huggingface:meta-llama/Llama-3.1-8B-Instruct (fixture), on Kaggle.
KAGGLE_LLAMA = "kaggle:metaresearch/llama-3.1/transformers/8b-instruct"
# A model its hub flags not safe for work: hidden from searches unless they ask.
NSFW_REF = "huggingface:acme/flagged-classifier"
HF_LLAMA = "huggingface:meta-llama/Llama-3.1-8B-Instruct"
KAGGLE_LLAMA_BYTES = 16_060_000_000  # its safetensors files: 14.96 GiB
# An MIT fine-tune of nyrahealth/CrisperWhisper (fixture, cc-by-nc-4.0): a license
# conflict; safetensors files of 3.24 GB and a PyTorch fp16 copy (parameters x 16 bits).
CONFLICT_REF = "huggingface:acme/CrisperWhisper-mit"
CONFLICT_PARAMETERS = 809_000_000
CONFLICT_SAFETENSORS_BYTES = 3_236_000_000
HOSTILE_PATH = "tags[license:<script>window.__pwned = true;</script>]"


def _extra_records() -> list[NormalizedModel]:
    records = [
        NormalizedModel(
            platform="huggingface",
            external_id="acme/evil-card",
            name=EVIL_NAME,
            author="acme",
            url="javascript:alert(1)",
            summary="<i>summary</i> with markup",
            description=EVIL_DESCRIPTION,
            tasks=("text-classification",),
            license=APACHE,
            formats=(FormatRecord("onnx", ({"opset": 17},), 1, 1_000_000),),
            tags=("<script>tag</script>",),
            downloads=5,
            provenance=(FieldSource("license", "declared", HOSTILE_PATH),),
        ),
        NormalizedModel(
            platform="huggingface",
            external_id="acme/QwQ-GGUF-finetune",
            name="QwQ-GGUF-finetune",
            author="acme",
            url="https://huggingface.co/acme/QwQ-GGUF-finetune",
            tasks=("text-generation",),
            license=APACHE,
            formats=(FormatRecord("gguf", ({"quantization": "Q4_K_M"},)),),
            parameters=32_800_000_000,
            downloads=900,
            lineage=(
                LineageRef("huggingface", "bartowski/QwQ-32B-Preview-GGUF", "finetune"),
                LineageRef("huggingface", "ghost/never-harvested", "merge"),
            ),
        ),
    ]
    records.append(NormalizedModel(platform="huggingface", external_id=WITHDRAWN, name="gone"))
    records.append(
        NormalizedModel(
            platform="huggingface",
            external_id=NSFW_REF.removeprefix("huggingface:"),
            name="flagged-classifier",
            author="acme",
            tasks=("image-classification",),
            license=APACHE,
            formats=(FormatRecord("onnx"),),
            downloads=2000,  # would lead the ONNX classifiers, were it shown
            nsfw=True,
        )
    )
    records.append(_conflicting_finetune())
    records += [
        NormalizedModel(
            platform="huggingface",
            external_id=f"acme/tiny-classifier-{i:02d}",
            name=f"tiny-classifier-{i:02d}",
            author="acme",
            tasks=("image-classification",),
            license=APACHE,
            formats=(FormatRecord("onnx"),),
            parameters=1_000_000 + i,
            downloads=1000 - i,  # a strict order: -00 first
        )
        for i in range(TINY)
    ]
    return records


def load(engine: Engine) -> None:
    """Load the fixture catalog, the extra models, and two Hugging Face runs (the second
    failed and saw the extra models)."""
    fixture_catalog.load(engine)
    with Session(engine) as session:
        hf = platform_id(session, "huggingface")
        first = open_run(session, hf, "full", SEEN - dt.timedelta(days=1))
        save_run(
            session,
            first,
            status="succeeded",
            finished_at=SEEN - dt.timedelta(hours=23),
            counts={"seen": 12, "new": 12, "changed": 0, "removed": 0, "quarantined": 1},
        )
        second = open_run(session, hf, "incremental", SEEN)
        load_models(session, _extra_records(), observed_at=SEEN, run_id=second)
        save_run(
            session,
            second,
            status="failed",
            finished_at=SEEN + dt.timedelta(minutes=5),
            counts={"seen": 27, "new": 27},
            error_summary="HTTP 503 from the hub after 5 retries; the next run resumes",
        )
        load_models(session, [_kaggle_llama()], observed_at=SEEN)
        session.execute(update(Model).where(Model.external_id == WITHDRAWN).values(removed_at=SEEN))
        rebuild_families(session)
        session.commit()


def _kaggle_llama() -> NormalizedModel:
    return NormalizedModel(
        platform="kaggle",
        external_id=KAGGLE_LLAMA.removeprefix("kaggle:"),
        name="Llama 3.1 8B Instruct",
        author="metaresearch",
        url="https://www.kaggle.com/models/metaresearch/llama-3.1",
        tasks=("text-generation",),
        license=LicenseRef("llama3.1", "Llama 3.1 Community License"),
        formats=(FormatRecord("safetensors", (), 4, KAGGLE_LLAMA_BYTES),),
        parameters=8_030_000_000,
        downloads=3000,
        provenance=(
            FieldSource("name", "declared", "title"),
            FieldSource("url", "declared", "url"),
            FieldSource("license", "declared", "instances[].licenseName", "KAGGLE_LICENSES"),
            FieldSource("tasks", "declared", "tags[].name", "KAGGLE_TASKS"),
            FieldSource("formats", "declared", "instances[].framework", "KAGGLE_FRAMEWORKS"),
        ),
    )


def _conflicting_finetune() -> NormalizedModel:
    return NormalizedModel(
        platform="huggingface",
        external_id=CONFLICT_REF.removeprefix("huggingface:"),
        name="CrisperWhisper-mit",
        author="acme",
        url="https://huggingface.co/acme/CrisperWhisper-mit",
        tasks=("automatic-speech-recognition",),
        license=LicenseRef("mit", "MIT License", spdx_id="MIT"),
        formats=(
            FormatRecord("safetensors", (), 2, CONFLICT_SAFETENSORS_BYTES),
            FormatRecord("pytorch", ({"precision": "fp16"},), 1),
        ),
        parameters=CONFLICT_PARAMETERS,
        downloads=12,
        lineage=(LineageRef("huggingface", "nyrahealth/CrisperWhisper", "finetune"),),
        provenance=(
            FieldSource("name", "declared", "id"),
            FieldSource("url", "curated", rule="huggingface-model-page"),
            FieldSource("license", "declared", "cardData.license"),
            FieldSource("tasks", "declared", "pipeline_tag"),
            FieldSource("formats", "declared", "siblings[].rfilename"),
            FieldSource("parameters", "declared", "safetensors.total"),
            FieldSource("lineage", "declared", "cardData.base_model"),
        ),
    )


def tiny_refs() -> list[str]:
    """Refs of the paging models, in download order."""
    return [f"huggingface:acme/tiny-classifier-{i:02d}" for i in range(TINY)]
