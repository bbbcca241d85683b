"""A synthetic catalog with a realistic shape: the deterministic record generator.

Power-law downloads and likes (most models have almost none), the Hub's task mix,
several formats per model, authors with power-law sizes, tags and datasets from pools,
and lineage chains (finetunes of finetunes, quantizations, adapters, merges) pointing
at earlier, mostly popular models. Both writers of `benchmarks.generate_catalog` (the
real loader and the bulk COPY path) take their records from here.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Iterator

from catalog.records import FormatRecord, LicenseRef, LineageRef, NormalizedModel

NOW = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
PLATFORMS = (
    ("huggingface", 0.90),
    ("kaggle", 0.05),
    ("tfhub", 0.03),
    ("pytorch-hub", 0.01),
    ("onnx-model-zoo", 0.01),
)
# Roughly the Hub's mix of pipeline tags (share of models), the rest have none.
TASKS = (
    ("text-generation", 0.22),
    ("text-classification", 0.09),
    ("feature-extraction", 0.05),
    ("sentence-similarity", 0.04),
    ("automatic-speech-recognition", 0.04),
    ("token-classification", 0.03),
    ("image-classification", 0.05),
    ("text-to-image", 0.04),
    ("text2text-generation", 0.03),
    ("fill-mask", 0.03),
    ("question-answering", 0.02),
    ("translation", 0.02),
    ("image-text-to-text", 0.02),
    ("object-detection", 0.015),
    ("reinforcement-learning", 0.02),
    ("image-segmentation", 0.01),
    ("summarization", 0.01),
    ("text-to-speech", 0.01),
    ("zero-shot-classification", 0.005),
    ("depth-estimation", 0.003),
)
FORMATS = (
    ("safetensors", 0.62),
    ("pytorch", 0.35),
    ("gguf", 0.08),
    ("onnx", 0.05),
    ("tensorflow", 0.04),
    ("flax", 0.02),
    ("keras", 0.02),
    ("tflite", 0.01),
    ("openvino", 0.01),
    ("coreml", 0.005),
    ("tfjs", 0.005),
    ("executorch", 0.002),
)
LIBRARIES = (
    ("transformers", 0.45),
    ("sentence-transformers", 0.05),
    ("diffusers", 0.05),
    ("peft", 0.08),
    ("timm", 0.02),
    ("keras", 0.02),
    ("gguf", 0.04),
    ("ml-agents", 0.01),
    ("stable-baselines3", 0.02),
    ("onnx", 0.01),
)
LICENSES = (
    ("apache-2.0", 0.28),
    ("mit", 0.14),
    ("cc-by-4.0", 0.03),
    ("llama3", 0.02),
    ("cc-by-nc-4.0", 0.03),
    ("openrail", 0.03),
    ("gpl-3.0", 0.01),
    ("bsd-3-clause", 0.01),
)
LANGUAGES = ("en", "zh", "fr", "de", "es", "ja", "ru", "ko", "ar", "hi", "pt", "it")
FAMILIES = (
    "llama",
    "mistral",
    "qwen",
    "bert",
    "roberta",
    "whisper",
    "vit",
    "resnet",
    "t5",
    "gpt2",
    "phi",
    "gemma",
    "clip",
    "stable-diffusion",
    "yolo",
    "deberta",
    "bart",
    "wav2vec2",
    "distilbert",
    "mixtral",
    "falcon",
    "efficientnet",
    "sam",
    "flux",
)
SIZES = ("tiny", "small", "base", "large", "xl", "1b", "3b", "7b", "8b", "13b", "70b")
SUFFIXES = (
    "",
    "",
    "-instruct",
    "-chat",
    "-uncased",
    "-finetuned",
    "-v2",
    "-lora",
    "-GGUF",
    "-sft",
    "-dpo",
    "-awq",
    "-int8",
)
WORDS = (
    "model",
    "trained",
    "fine-tuned",
    "dataset",
    "language",
    "vision",
    "speech",
    "classification",
    "generation",
    "quantized",
    "merge",
    "adapter",
    "efficient",
    "multilingual",
    "instruction",
    "benchmark",
    "reasoning",
    "translation",
)
RELATIONS = (("finetune", 0.5), ("quantized", 0.25), ("adapter", 0.2), ("merge", 0.05))
LICENSE_NAMES = {"llama3": "Llama 3 Community License", "openrail": "OpenRAIL"}


def _pick(rng: random.Random, weighted: tuple[tuple[str, float], ...]) -> str | None:
    roll = rng.random()
    for value, share in weighted:
        roll -= share
        if roll < 0:
            return value
    return None


def _power(rng: random.Random, scale: float, alpha: float = 1.2, zero_share: float = 0.55) -> int:
    if rng.random() < zero_share:
        return 0
    return int(scale * (rng.paretovariate(alpha) - 1))


class Generator:
    """Deterministic records, i from 0 to n-1."""

    def __init__(self, total: int, seed: int) -> None:
        self.total = total
        self.rng = random.Random(seed)
        self.authors = [f"org-{a}" for a in range(max(10, total // 8))]
        self.tags = [f"tag-{t}" for t in range(2000)]
        self.datasets = [f"dataset-{d}" for d in range(500)]
        self.popular: list[tuple[str, str]] = []  # candidates for parents
        self.recent: list[tuple[str, str]] = []

    def _author(self) -> str:
        # Power-law author sizes: low indexes publish far more.
        index = int(len(self.authors) * self.rng.random() ** 3)
        return self.authors[index]

    def record(self, i: int) -> NormalizedModel:
        """The i-th model."""
        rng = self.rng
        platform = _pick(rng, PLATFORMS) or "huggingface"
        author = self._author()
        family = rng.choice(FAMILIES)
        name = f"{family.title()}-{rng.choice(SIZES)}{rng.choice(SUFFIXES)}-{i}"
        task = _pick(rng, TASKS)
        formats = tuple(
            FormatRecord(slug, ({"file": f"model.{slug}"},), 1, int(10 ** rng.uniform(6, 10)))
            for slug, share in FORMATS
            if rng.random() < share
        )
        license_slug = _pick(rng, LICENSES)
        created = NOW - dt.timedelta(seconds=rng.uniform(0, 4 * 365 * 86400))
        downloads = _power(rng, 50)
        lineage = self._lineage(platform)
        external_id = f"{author}/{name}"
        if downloads > 1000 or rng.random() < 0.01:
            self.popular.append((platform, external_id))
        self.recent.append((platform, external_id))
        if len(self.recent) > 5000:
            self.recent = self.recent[-2500:]
        return NormalizedModel(
            platform=platform,
            external_id=external_id,
            name=name,
            author=author,
            summary=f"{family} {' '.join(rng.sample(WORDS, 4))}",
            license=LicenseRef(license_slug, LICENSE_NAMES.get(license_slug, license_slug))
            if license_slug
            else None,
            library=_pick(rng, LIBRARIES),
            tasks=(task,) if task else (),
            formats=formats,
            languages=tuple(rng.sample(LANGUAGES, rng.choice((0, 0, 1, 1, 2)))),
            datasets=tuple(rng.sample(self.datasets, rng.choice((0, 0, 0, 1, 2)))),
            tags=tuple(rng.sample(self.tags, rng.choice((0, 1, 2, 3, 5)))) + (family,),
            parameters=None if rng.random() < 0.4 else int(10 ** rng.uniform(6, 11)),
            downloads=downloads,
            downloads_all_time=downloads * rng.randint(1, 20),
            likes=_power(rng, 2, zero_share=0.7),
            trending_score=round(rng.random() * math.log1p(downloads), 3),
            created_at=created,
            last_modified=created + dt.timedelta(days=rng.uniform(0, 60)),
            lineage=lineage,
        )

    def _lineage(self, platform: str) -> tuple[LineageRef, ...]:
        if platform != "huggingface" or self.rng.random() > 0.3:
            return ()
        pool = self.popular if self.popular and self.rng.random() < 0.7 else self.recent
        if not pool:
            return ()
        parent_platform, parent_id = self.rng.choice(pool)
        relation = _pick(self.rng, RELATIONS) or "finetune"
        return (LineageRef(parent_platform, parent_id, relation),)

    def batches(self, size: int) -> Iterator[list[NormalizedModel]]:
        """Batches of records; each batch holds one platform (what the loader takes)."""
        pending: dict[str, list[NormalizedModel]] = {}
        for i in range(self.total):
            rec = self.record(i)
            batch = pending.setdefault(rec.platform, [])
            batch.append(rec)
            if len(batch) >= size:
                yield batch
                pending[rec.platform] = []
        yield from (b for b in pending.values() if b)


def index_of(external_id: str) -> int:
    """The generator index `i` of a synthetic model, from its external id.

    Every generated name ends with `-<i>` (see `Generator.record`), so a lineage
    reference names its parent's index: the bulk writer turns it into the parent's id
    without keeping a map of every external id.
    """
    return int(external_id.rsplit("-", 1)[1])
