"""Civitai base models as data: the upstream repository and license of each.

Every Civitai model version names the base model it was made for (`baseModel`: `SD 1.5`,
`SDXL 1.0`, `Flux.1 D`, ...). This table resolves a name to the repository that
publishes that base model, on Hugging Face where it is there (cross-hub lineage, which
also puts the model in its base's family), on Civitai itself for bases published only
there (Pony Diffusion V6 XL), and to the base model's license and task.

`repo` is None where no single upstream repository is that base (`SDXL Distilled` is
several distillations, `Wan Video` predates the split into sizes): the name stays a tag
and nothing is guessed. `license` is None where the base's license is not known here.
Licenses are those Civitai's own table (`baseModelLicenses` in civitai/civitai) gives
each base model; where a base is newer than that table, the license its publisher
states on Hugging Face. A name missing from the table is reported unmapped
(`base-model:<name>`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from harvesters import terms


@dataclass(frozen=True, slots=True)
class BaseModel:
    """One Civitai base model.

    Attributes:
        name: The name as Civitai writes it.
        repo: `<platform>:<external id>` of its upstream repository, or None.
        license: Canonical license slug or a custom key of `CUSTOM_LICENSES`, or None.
        task: The canonical task its models perform (None: no generative task).
    """

    name: str
    repo: str | None
    license: str | None
    task: str | None = "text-to-image"


# Custom licenses (not in the canonical vocabulary): key -> (name, URL). The keys are
# those Hugging Face model cards use, so that the license classes of `catalog.derive`
# recognise the same licenses on both hubs.
CUSTOM_LICENSES: Final[dict[str, tuple[str, str | None]]] = {
    "flux-1-dev-non-commercial-license": (
        "FLUX.1 [dev] Non-Commercial License",
        "https://huggingface.co/black-forest-labs/FLUX.1-dev/blob/main/LICENSE.md",
    ),
    "stabilityai-ai-community": (
        "Stability AI Community License",
        "https://stability.ai/community-license-agreement",
    ),
    "sdxl-0.9-research": (
        "SDXL 0.9 Research License",
        "https://github.com/Stability-AI/generative-models/blob/main/model_licenses/LICENSE-SDXL0.9",
    ),
    "sai-nc-community": (
        "Stability AI Non-Commercial Research Community License",
        "https://github.com/Stability-AI/generative-models/blob/main/model_licenses/LICENSE-SDXL-Turbo",
    ),
    "stable-video-diffusion-nc-community": (
        "Stable Video Diffusion Non-Commercial Research Community License",
        "https://github.com/Stability-AI/generative-models/blob/main/model_licenses/LICENSE-SDV",
    ),
    "playground-v2-community": (
        "Playground v2 Community License",
        "https://huggingface.co/playgroundai/playground-v2-1024px-aesthetic/blob/main/LICENSE.md",
    ),
    "tencent-hunyuan-community": (
        "Tencent Hunyuan Community License",
        "https://github.com/Tencent/HunyuanDiT/blob/main/LICENSE.txt",
    ),
    "kolors-license": (
        "Kolors License",
        "https://raw.githubusercontent.com/Kwai-Kolors/Kolors/master/MODEL_LICENSE",
    ),
    "fair-ai-public-license-1.0-sd": (
        "Fair AI Public License 1.0-SD",
        "https://freedevproject.org/faipl-1.0-sd/",
    ),
}

_HF = "huggingface:"
_OPENRAIL = "creativeml-openrail-m"
_OPENRAIL_XL = "openrail++"
_FLUX_DEV = "flux-1-dev-non-commercial-license"
_SAI = "stabilityai-ai-community"
_T2V = "text-to-video"
_I2V = "image-to-video"

BASE_MODELS: Final = (
    BaseModel("SD 1.4", _HF + "CompVis/stable-diffusion-v1-4", _OPENRAIL),
    BaseModel("SD 1.5", _HF + "stable-diffusion-v1-5/stable-diffusion-v1-5", _OPENRAIL),
    BaseModel("SD 1.5 LCM", None, _OPENRAIL_XL),
    BaseModel("SD 1.5 Hyper", _HF + "ByteDance/Hyper-SD", _OPENRAIL_XL),
    BaseModel("SD 2.0", _HF + "stabilityai/stable-diffusion-2-base", _OPENRAIL),
    BaseModel("SD 2.0 768", _HF + "stabilityai/stable-diffusion-2", _OPENRAIL),
    BaseModel("SD 2.1", _HF + "stabilityai/stable-diffusion-2-1-base", _OPENRAIL),
    BaseModel("SD 2.1 768", _HF + "stabilityai/stable-diffusion-2-1", _OPENRAIL),
    BaseModel("SD 2.1 Unclip", _HF + "stabilityai/stable-diffusion-2-1-unclip", _OPENRAIL),
    BaseModel("SD 3", _HF + "stabilityai/stable-diffusion-3-medium", _SAI),
    BaseModel("SD 3.5", _HF + "stabilityai/stable-diffusion-3.5-large", _SAI),
    BaseModel("SD 3.5 Large", _HF + "stabilityai/stable-diffusion-3.5-large", _SAI),
    BaseModel("SD 3.5 Medium", _HF + "stabilityai/stable-diffusion-3.5-medium", _SAI),
    BaseModel("SD 3.5 Large Turbo", _HF + "stabilityai/stable-diffusion-3.5-large-turbo", _SAI),
    BaseModel("SDXL 0.9", _HF + "stabilityai/stable-diffusion-xl-base-0.9", "sdxl-0.9-research"),
    BaseModel("SDXL 1.0", _HF + "stabilityai/stable-diffusion-xl-base-1.0", _OPENRAIL_XL),
    BaseModel("SDXL 1.0 LCM", _HF + "latent-consistency/lcm-sdxl", _OPENRAIL_XL),
    BaseModel("SDXL Distilled", None, _OPENRAIL_XL),
    BaseModel("SDXL Turbo", _HF + "stabilityai/sdxl-turbo", "sai-nc-community"),
    BaseModel("SDXL Lightning", _HF + "ByteDance/SDXL-Lightning", _OPENRAIL_XL),
    BaseModel("SDXL Hyper", _HF + "ByteDance/Hyper-SD", _OPENRAIL_XL),
    BaseModel("Pony", "civitai:257749", _OPENRAIL_XL),
    BaseModel(
        "Illustrious",
        _HF + "OnomaAIResearch/Illustrious-xl-early-release-v0",
        "fair-ai-public-license-1.0-sd",
    ),
    BaseModel("NoobAI", _HF + "Laxhar/noobai-XL-1.0", "fair-ai-public-license-1.0-sd"),
    BaseModel("Stable Cascade", _HF + "stabilityai/stable-cascade", "sai-nc-community"),
    BaseModel(
        "SVD",
        _HF + "stabilityai/stable-video-diffusion-img2vid",
        "stable-video-diffusion-nc-community",
        _I2V,
    ),
    BaseModel(
        "SVD XT",
        _HF + "stabilityai/stable-video-diffusion-img2vid-xt",
        "stable-video-diffusion-nc-community",
        _I2V,
    ),
    BaseModel(
        "Playground v2",
        _HF + "playgroundai/playground-v2-1024px-aesthetic",
        "playground-v2-community",
    ),
    BaseModel("PixArt a", _HF + "PixArt-alpha/PixArt-XL-2-1024-MS", _OPENRAIL_XL),
    BaseModel("PixArt E", _HF + "PixArt-alpha/PixArt-Sigma-XL-2-1024-MS", _OPENRAIL_XL),
    BaseModel("Hunyuan 1", _HF + "Tencent-Hunyuan/HunyuanDiT", "tencent-hunyuan-community"),
    BaseModel("Hunyuan Video", _HF + "tencent/HunyuanVideo", "tencent-hunyuan-community", _T2V),
    BaseModel("Lumina", None, "apache-2.0"),
    BaseModel("Kolors", _HF + "Kwai-Kolors/Kolors", "kolors-license"),
    BaseModel("AuraFlow", _HF + "fal/AuraFlow", "apache-2.0"),
    BaseModel("Flux.1 S", _HF + "black-forest-labs/FLUX.1-schnell", "apache-2.0"),
    BaseModel("Flux.1 D", _HF + "black-forest-labs/FLUX.1-dev", _FLUX_DEV),
    BaseModel("Flux.1 Krea", _HF + "black-forest-labs/FLUX.1-Krea-dev", _FLUX_DEV),
    BaseModel(
        "Flux.1 Kontext", _HF + "black-forest-labs/FLUX.1-Kontext-dev", _FLUX_DEV, "image-to-image"
    ),
    BaseModel("Flux.2 D", _HF + "black-forest-labs/FLUX.2-dev", None),
    BaseModel("Qwen", _HF + "Qwen/Qwen-Image", "apache-2.0"),
    BaseModel("HiDream", _HF + "HiDream-ai/HiDream-I1-Full", "mit"),
    BaseModel("Chroma", _HF + "lodestones/Chroma", "apache-2.0"),
    BaseModel("ZImageTurbo", _HF + "Tongyi-MAI/Z-Image-Turbo", "apache-2.0"),
    BaseModel("Mochi", _HF + "genmo/mochi-1-preview", "apache-2.0", _T2V),
    BaseModel("LTXV", _HF + "Lightricks/LTX-Video", None, _T2V),
    BaseModel("CogVideoX", _HF + "THUDM/CogVideoX-5b", None, _T2V),
    BaseModel("Wan Video", None, "apache-2.0", _T2V),
    BaseModel("Wan Video 1.3B t2v", _HF + "Wan-AI/Wan2.1-T2V-1.3B", "apache-2.0", _T2V),
    BaseModel("Wan Video 14B t2v", _HF + "Wan-AI/Wan2.1-T2V-14B", "apache-2.0", _T2V),
    BaseModel("Wan Video 14B i2v 480p", _HF + "Wan-AI/Wan2.1-I2V-14B-480P", "apache-2.0", _I2V),
    BaseModel("Wan Video 14B i2v 720p", _HF + "Wan-AI/Wan2.1-I2V-14B-720P", "apache-2.0", _I2V),
    BaseModel("Wan Video 2.2 T2V-A14B", _HF + "Wan-AI/Wan2.2-T2V-A14B", "apache-2.0", _T2V),
    BaseModel("Wan Video 2.2 I2V-A14B", _HF + "Wan-AI/Wan2.2-I2V-A14B", "apache-2.0", _I2V),
    BaseModel("Wan Video 2.2 TI2V-5B", _HF + "Wan-AI/Wan2.2-TI2V-5B", "apache-2.0", _T2V),
    # Known names that say nothing about an upstream model.
    BaseModel("ODOR", None, None),
    BaseModel("Other", None, None, None),
)
BASE_MODEL_BY_KEY: Final = {terms.term_key(b.name): b for b in BASE_MODELS}


def base_model(name: str) -> BaseModel | None:
    """The table's entry for a `baseModel` value (any case or spacing), if any."""
    return BASE_MODEL_BY_KEY.get(terms.term_key(name))
