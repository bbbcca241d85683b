"""Civitai vocabulary as data: model types, file formats, NSFW levels, commercial uses.

Keys are `harvesters.terms.term_key` forms (`TextualInversion` -> `textualinversion`,
`Core ML` -> `core-ml`). A value missing from its table stays a tag and is reported
unmapped (`type:<value>`, `format:<value>`); an entry mapped to None is known and
deliberately maps to nothing canonical.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final


@dataclass(frozen=True, slots=True)
class TypeInfo:
    """What a Civitai model type means for the catalog.

    Attributes:
        relation: The lineage relation to the version's base model (None: the type is
            used with a base model but not derived from it, e.g. a VAE or an upscaler).
        task: A canonical task of its own (None: the base model's task, when
            `generative`, else none).
        generative: Whether the model generates what its base model generates (a
            checkpoint, an adapter), so it takes the base model's task.
    """

    relation: str | None
    task: str | None = None
    generative: bool = False


_ADAPTER = TypeInfo("adapter", generative=True)
_NOTHING = TypeInfo(None)

# `type` of a Civitai model (the `ModelType` enum, all eras) -> meaning. Adapters are
# small networks applied on top of a base model: LoRA and its variants, embeddings,
# hypernetworks, ControlNets and AnimateDiff motion modules. A Checkpoint is a full
# model: `finetune` of its base (`merge` when `checkpointType` says Merge).
MODEL_TYPES: Final[dict[str, TypeInfo]] = {
    "checkpoint": TypeInfo("finetune", generative=True),
    "unet": TypeInfo("finetune", generative=True),
    "lora": _ADAPTER,
    "locon": _ADAPTER,
    "dora": _ADAPTER,
    "lycoris": _ADAPTER,
    "textualinversion": _ADAPTER,
    "hypernetwork": _ADAPTER,
    "aestheticgradient": _ADAPTER,
    "controlnet": _ADAPTER,
    "motionmodule": _ADAPTER,
    "vae": _NOTHING,
    "textencoder": _NOTHING,
    "clip": _NOTHING,
    "clipvision": _NOTHING,
    "upscaler": TypeInfo(None, "image-to-image"),
    "detection": TypeInfo(None, "object-detection"),
    "visionlanguage": TypeInfo(None, "image-text-to-text"),
    "llm": TypeInfo(None, "text-generation"),
    "poses": _NOTHING,
    "wildcards": _NOTHING,
    "workflows": _NOTHING,
    "comfyworkflows": _NOTHING,
    "other": _NOTHING,
}

# `checkpointType` -> the relation of a Checkpoint to its base model.
CHECKPOINT_RELATIONS: Final[dict[str, str]] = {"trained": "finetune", "merge": "merge"}

# `files[].metadata.format` (`ModelFileFormat`) -> canonical format. `Diffusers` is a
# folder layout (a zip whose weights may be either format) and `Other` says nothing:
# both are known and stay tags.
FILE_FORMATS: Final[dict[str, str | None]] = {
    "safetensor": "safetensors",
    "safetensors": "safetensors",
    "pickletensor": "pytorch",
    "gguf": "gguf",
    "onnx": "onnx",
    "core-ml": "coreml",
    "coreml": "coreml",
    "diffusers": None,
    "other": None,
}

# `files[].type` values that hold no weights: no format comes from them.
NON_WEIGHT_FILES: Final = frozenset({"training-data", "config", "archive"})

# `nsfwLevel` is a bit set of the ratings of a model's content (`NsfwLevel`).
NSFW_LEVELS: Final = ((1, "PG"), (2, "PG-13"), (4, "R"), (8, "X"), (16, "XXX"), (32, "Blocked"))
SAFE_LEVELS: Final = 1 | 2  # PG and PG-13: what Civitai shows to safe-for-work browsing

# `allowCommercialUse` values (`CommercialUse`), least to most permissive; `None` means
# no commercial use at all.
COMMERCIAL_USES: Final = ("Image", "RentCivit", "Rent", "Sell")
NO_COMMERCIAL_USE: Final = "None"
