"""Generated Hugging Face model payloads, shaped like the Hub's list/detail answers.

The families, tags, file layouts and numbers follow real payloads (ids and facts from
public Hub answers; no model-card prose). Deterministic for a given seed.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from typing import Any

PLACEHOLDER_CREATED = "2022-03-02T23:29:04.000Z"
DEFAULT_START = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)

ORGS = (
    "Qwen",
    "meta-llama",
    "google",
    "microsoft",
    "nvidia",
    "stabilityai",
    "black-forest-labs",
    "HuggingFaceTB",
    "sentence-transformers",
    "facebook",
    "openai",
    "mistralai",
    "bartowski",
    "TheBloke",
    "mlx-community",
    "unsloth",
    "timm",
    "jonatasgrosman",
    "seawolf2357",
    "NexaAIDev",
)
EXTERNAL_BASES = (
    "Qwen/Qwen2.5-7B-Instruct",
    "Qwen/Qwen2.5-32B-Instruct",
    "meta-llama/Llama-3.1-8B",
    "meta-llama/Llama-3.2-1B",
    "mistralai/Mistral-7B-v0.1",
    "black-forest-labs/FLUX.1-dev",
    "google-bert/bert-base-uncased",
    "FacebookAI/roberta-base",
    "facebook/wav2vec2-xls-r-300m",
    "HuggingFaceTB/SmolLM2-1.7B-Instruct",
)
LANGS = ("en", "de", "fr", "it", "pt", "hi", "es", "th", "zh", "ja", "ko", "ar", "ru", "nl")
DATASETS = (
    "HuggingFaceM4/the_cauldron",
    "squad_v2",
    "bookcorpus",
    "wikipedia",
    "librispeech_asr",
    "mozilla-foundation/common_voice_6_0",
    "HuggingFaceH4/ultrachat_200k",
    "imagenet-1k",
    "snli",
    "ms_marco",
)
LICENSES = ("apache-2.0", "mit", "cc-by-4.0", "cc-by-nc-4.0", "llama3.1", "openrail++", "gemma")
ARXIV = ("2407.10671", "1810.04805", "2204.05149", "2305.18290", "1910.09700", "2106.04624")
QUANTS = ("Q2_K", "Q3_K_M", "Q4_0", "Q4_K_M", "Q4_K_S", "Q5_K_M", "Q6_K", "Q8_0", "IQ2_XS", "F16")
MODEL_TYPES = ("qwen2", "llama", "mistral", "gemma2", "phi3")


def _iso(when: dt.datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"


def _files(*names: str, rng: random.Random, big: bool = False) -> list[dict[str, Any]]:
    out = []
    for name in sorted({".gitattributes", "README.md", *names}):
        weight = name.endswith((".safetensors", ".gguf", ".bin", ".onnx", ".pth", ".h5"))
        size = rng.randint(10**8, 5 * 10**9) if weight and big else rng.randint(200, 10**7)
        out.append({"rfilename": name, "size": size})
    return out


def _shards(stem: str, ext: str, n: int) -> list[str]:
    if n == 1:
        return [f"{stem}.{ext}"]
    return [f"{stem}-{k:05d}-of-{n:05d}.{ext}" for k in range(1, n + 1)]


class _Builder:
    """Builds one model payload of a family; `rng` drives every choice."""

    def __init__(self, rng: random.Random, index: int, when: dt.datetime, prior: list[str]):
        self.rng = rng
        self.index = index
        self.when = when
        self.prior = prior

    def base_model(self) -> str:
        if self.prior and self.rng.random() < 0.5:
            return self.rng.choice(self.prior)
        return self.rng.choice(EXTERNAL_BASES)

    def languages(self) -> list[str]:
        return self.rng.sample(LANGS, self.rng.choice((1, 1, 1, 2, 4)))

    def common(self, author: str, name: str) -> dict[str, Any]:
        rng = self.rng
        downloads = min(int(rng.paretovariate(1.1) * 5) - 5, 100_000_000)
        created = self.when - dt.timedelta(days=rng.randint(0, 400), seconds=rng.randint(0, 86399))
        legacy = rng.random() < 0.05
        model_id = f"{author}/{name}"
        gated = rng.choices((False, "auto", "manual"), (93, 4, 3))[0]
        return {
            "_id": f"{0x650000000000000000000000 + self.index:024x}",
            "id": model_id,
            "modelId": model_id,
            "author": author,
            "sha": f"{rng.getrandbits(160):040x}",
            "lastModified": _iso(self.when),
            "private": False,
            "disabled": False,
            "gated": gated,
            "downloads": downloads,
            "downloadsAllTime": downloads * rng.randint(1, 20),
            "likes": int(downloads**0.5 * rng.random()),
            "trendingScore": rng.choice((0, 0, 0, 1, 3, 12, 40)),
            "createdAt": PLACEHOLDER_CREATED if legacy else _iso(created),
        }

    def card(self, tags: list[str], **fields: Any) -> dict[str, Any]:
        """cardData plus the tags the Hub derives from it."""
        rng = self.rng
        card: dict[str, Any] = {k: v for k, v in fields.items() if v is not None}
        if rng.random() < 0.8:
            langs = self.languages()
            card["language"] = langs[0] if len(langs) == 1 and rng.random() < 0.5 else langs
            tags.extend(langs)
        if rng.random() < 0.3:
            sets = rng.sample(DATASETS, rng.randint(1, 3))
            card["datasets"] = sets[0] if len(sets) == 1 and rng.random() < 0.3 else sets
            tags.extend(f"dataset:{d}" for d in sets)
        if rng.random() < 0.3:
            tags.extend(f"arxiv:{a}" for a in rng.sample(ARXIV, rng.randint(1, 2)))
        base = card.get("base_model")
        if base:
            relation = fields.pop("_relation", None) or "finetune"
            first = base if isinstance(base, str) else base[0]
            tags += [f"base_model:{first}", f"base_model:{relation}:{first}"]
        lic = card.get("license")
        if lic:
            tags.append(f"license:{lic}")
        card.pop("_relation", None)
        return card


def _llm(b: _Builder) -> dict[str, Any]:
    rng = b.rng
    author = rng.choice(ORGS[:12])
    mtype = rng.choice(MODEL_TYPES)
    size = rng.choice((0.5, 1.5, 3, 7, 8, 14, 32, 70))
    name = f"{mtype.capitalize()}-{size:g}B-Instruct-{b.index}"
    shards = max(1, int(size // 4))
    tags = ["transformers", "safetensors", mtype, "text-generation", "conversational"]
    base = b.base_model() if rng.random() < 0.6 else None
    lic = rng.choice(LICENSES)
    card = b.card(
        tags,
        license=lic,
        base_model=([base] if base and rng.random() < 0.4 else base),
        library_name="transformers",
        pipeline_tag="text-generation",
    )
    tags += ["autotrain_compatible", "text-generation-inference", "endpoints_compatible"]
    tags.append("region:us")
    files = _shards("model", "safetensors", shards) + ["config.json", "tokenizer.json"]
    if shards > 1:
        files.append("model.safetensors.index.json")
    model = b.common(author, name)
    params = int(size * 1e9 * rng.uniform(0.95, 1.05))
    model.update(
        pipeline_tag="text-generation",
        library_name="transformers",
        tags=tags,
        cardData=card,
        siblings=_files(*files, rng=rng, big=True),
        safetensors={"parameters": {"BF16": params}, "total": params},
        config={"architectures": [f"{mtype.capitalize()}ForCausalLM"], "model_type": mtype},
        transformersInfo={"auto_model": "AutoModelForCausalLM", "pipeline_tag": "text-generation"},
    )
    return model


def _gguf(b: _Builder) -> dict[str, Any]:
    rng = b.rng
    base = b.base_model()
    author = rng.choice(("bartowski", "TheBloke", "unsloth", "NexaAIDev", f"user{b.index % 97}"))
    name = f"{base.split('/')[-1]}-GGUF-{b.index}"
    stem = base.split("/")[-1]
    quants = rng.sample(QUANTS, rng.randint(2, 8))
    lower = rng.random() < 0.3
    files = [f"{stem}-{q.lower() if lower else q}.gguf" for q in quants]
    tags = ["gguf"]
    if rng.random() < 0.3:
        tags.append("GGUF")
    card = b.card(tags, license=rng.choice(LICENSES), base_model=base, _relation="quantized")
    tags += ["endpoints_compatible", "region:us", "conversational"]
    model = b.common(author, name)
    model.update(
        pipeline_tag="text-generation",
        tags=tags,
        cardData=card,
        siblings=_files(*files, rng=rng, big=True),
        gguf={"total": rng.randint(5 * 10**8, 7 * 10**10), "architecture": "llama"},
    )
    return model


def _lora(b: _Builder) -> dict[str, Any]:
    rng = b.rng
    author = rng.choice(("seawolf2357", "ginipick", f"artist{b.index % 53}"))
    name = f"flux-lora-{rng.choice(('cat', 'tower', 'hanbok', 'car'))}-{b.index}"
    tags = ["diffusers", "text-to-image", "flux", "lora", "template:sd-lora"]
    card = b.card(
        tags,
        base_model="black-forest-labs/FLUX.1-dev",
        license="other",
        license_name="flux-1-dev-non-commercial-license",
        license_link="https://huggingface.co/black-forest-labs/FLUX.1-dev/blob/main/LICENSE.md",
        _relation="adapter",
    )
    tags.append("region:us")
    model = b.common(author, name)
    model.update(
        pipeline_tag="text-to-image",
        library_name="diffusers",
        tags=tags,
        cardData=card,
        siblings=_files(f"{name}.safetensors", "samples/1.jpg", rng=rng),
    )
    return model


def _sentence(b: _Builder) -> dict[str, Any]:
    rng = b.rng
    name = f"all-MiniLM-L{rng.choice((6, 12))}-v{b.index}"
    tags = ["sentence-transformers", "pytorch", "onnx", "safetensors", "openvino", "bert"]
    tags += ["feature-extraction", "sentence-similarity", "transformers"]
    card = b.card(tags, license="apache-2.0", library_name="sentence-transformers")
    tags.append("region:us")
    files = ("model.safetensors", "pytorch_model.bin", "onnx/model.onnx", "onnx/model_qint8.onnx")
    files += ("openvino/openvino_model.xml", "openvino/openvino_model.bin", "1_Pooling/config.json")
    model = b.common("sentence-transformers", name)
    total = rng.randint(2 * 10**7, 4 * 10**8)
    model.update(
        pipeline_tag="sentence-similarity",
        library_name="sentence-transformers",
        tags=tags,
        cardData=card,
        siblings=_files(*files, rng=rng),
        safetensors={"parameters": {"I64": 512, "F32": total - 512}, "total": total},
        config={"architectures": ["BertModel"], "model_type": "bert"},
    )
    return model


def _vision(b: _Builder) -> dict[str, Any]:
    rng = b.rng
    name = f"vit_base_patch16_224.augreg_in21k_{b.index}"
    tags = ["timm", "pytorch", "safetensors", "image-classification"]
    card = b.card(tags, license="apache-2.0", library_name="timm")
    tags.append("region:us")
    model = b.common("timm", name)
    total = rng.randint(5 * 10**6, 3 * 10**8)
    model.update(
        pipeline_tag="image-classification",
        library_name="timm",
        tags=tags,
        cardData=card,
        siblings=_files("model.safetensors", "pytorch_model.bin", "config.json", rng=rng),
        safetensors={"parameters": {"F32": total}, "total": total},
    )
    return model


def _speech(b: _Builder) -> dict[str, Any]:
    rng = b.rng
    name = f"wav2vec2-large-xlsr-53-{rng.choice(LANGS)}-{b.index}"
    tags = ["transformers", "pytorch", "jax", "safetensors", "wav2vec2"]
    tags += ["automatic-speech-recognition", "audio"]
    base = "facebook/wav2vec2-xls-r-300m"
    card = b.card(tags, license="apache-2.0", base_model=base)
    tags += ["model-index", "endpoints_compatible", "region:us"]
    files = ("model.safetensors", "pytorch_model.bin", "flax_model.msgpack", "vocab.json")
    model = b.common(rng.choice(("jonatasgrosman", "facebook", f"speech{b.index % 31}")), name)
    model.update(
        pipeline_tag="automatic-speech-recognition",
        library_name="transformers",
        tags=tags,
        cardData=card,
        siblings=_files(*files, rng=rng),
        safetensors={"parameters": {"F32": 315472545}, "total": 315472545},
    )
    return model


def _mlx(b: _Builder) -> dict[str, Any]:
    rng = b.rng
    base = b.base_model()
    name = f"{base.split('/')[-1]}-{rng.choice(('4bit', '8bit'))}-{b.index}"
    tags = ["mlx", "safetensors", "text-generation", "conversational"]
    card = b.card(tags, license=rng.choice(LICENSES), base_model=base, library_name="mlx")
    tags.append("region:us")
    model = b.common("mlx-community", name)
    model.update(
        pipeline_tag="text-generation",
        library_name="mlx",
        tags=tags,
        cardData=card,
        siblings=_files("model.safetensors", "config.json", rng=rng, big=True),
        safetensors={"parameters": {"BF16": 10**9, "U32": 10**8}, "total": 11 * 10**8},
    )
    return model


def _classic(b: _Builder) -> dict[str, Any]:
    """A 2020-era repo: pytorch/tf/jax/rust/onnx/tflite/coreml weights, language as a string."""
    rng = b.rng
    name = f"distilbert-base-uncased-finetuned-sst-2-{b.index}"
    tags = ["transformers", "pytorch", "tf", "jax", "rust", "onnx", "tflite", "coreml"]
    tags += ["safetensors", "distilbert", "text-classification"]
    card = b.card(tags, license="apache-2.0")
    tags += ["autotrain_compatible", "endpoints_compatible", "region:us"]
    files = ("model.safetensors", "pytorch_model.bin", "tf_model.h5", "flax_model.msgpack")
    files += ("rust_model.ot", "onnx/model.onnx", "model.tflite", "coreml/model.mlmodel")
    model = b.common(rng.choice(("distilbert", "google", "facebook")), name)
    model.update(
        pipeline_tag="text-classification",
        library_name="transformers",
        tags=tags,
        cardData=card,
        siblings=_files(*files, rng=rng),
        safetensors={"parameters": {"F32": 66955010}, "total": 66955010},
        config={"architectures": ["DistilBertForSequenceClassification"], "model_type": "bert"},
    )
    return model


def _keras(b: _Builder) -> dict[str, Any]:
    rng = b.rng
    kind = rng.choice(("keras", "tflite", "coreml", "paddle"))
    files = {
        "keras": ("model.keras", "saved_model.pb"),
        "tflite": ("model.tflite",),
        "coreml": ("model.mlpackage/Data/weights/weight.bin", "model.mlmodel"),
        "paddle": ("model.pdparams", "inference.pdmodel"),
    }[kind]
    tags = [kind, "image-classification"]
    card = b.card(tags, license=rng.choice(LICENSES), library_name=kind)
    tags.append("region:us")
    model = b.common(f"lab{b.index % 41}", f"{kind}-mobilenet-{b.index}")
    model.update(
        pipeline_tag="image-classification",
        library_name=kind,
        tags=tags,
        cardData=card,
        siblings=_files(*files, rng=rng),
    )
    return model


def _bare(b: _Builder) -> dict[str, Any]:
    """A repo with almost nothing: no card, no library, no pipeline tag."""
    model = b.common(f"user{b.index % 211}", f"my-model-{b.index}")
    model.update(tags=["region:us"], siblings=_files("weights.bin", rng=b.rng))
    if b.rng.random() < 0.5:
        del model["author"]
    return model


FAMILIES: tuple[tuple[Callable[[_Builder], dict[str, Any]], int], ...] = (
    (_llm, 30),
    (_gguf, 12),
    (_lora, 12),
    (_sentence, 8),
    (_vision, 8),
    (_speech, 6),
    (_mlx, 5),
    (_classic, 8),
    (_keras, 5),
    (_bare, 6),
)


def generate_models(
    n: int, seed: int = 0, start: dt.datetime | None = None
) -> list[dict[str, Any]]:
    """`n` realistic model payloads (the Hub's full/expand shape), `lastModified` rising.

    Model `i` was last modified at `start + i minutes` (default start: 2024-01-01 UTC);
    ids are unique; lineage points at external models and at earlier generated ones.
    """
    rng = random.Random(seed)
    begin = start or DEFAULT_START
    funcs, weights = zip(*FAMILIES, strict=True)
    models: list[dict[str, Any]] = []
    prior: list[str] = []
    for index in range(n):
        builder = _Builder(rng, index, begin + dt.timedelta(minutes=index), prior)
        model = rng.choices(funcs, weights)[0](builder)
        if rng.random() < 0.05:
            model["spaces"] = [f"user{k}/demo" for k in range(rng.randint(1, 5))]
        models.append(model)
        if model.get("pipeline_tag") == "text-generation" and len(prior) < 200:
            prior.append(model["id"])
    return models
