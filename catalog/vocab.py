"""Canonical vocabularies (slugs are API contracts) and the alias maps onto them.

This module is data plus small pure helpers. `catalog db upgrade` (and every other
upgrade to the newest revision) seeds the tables from it (`catalog.seed`, an idempotent
upsert), so adding a value needs no migration. Platforms are not listed here: each hub
registers its own (`harvesters.registry`), and the catalog learns them as rows of the
`platforms` table.
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass
from typing import Final


@dataclass(frozen=True, slots=True)
class PlatformInfo:
    """A hub the catalog knows: its slug (an API contract), display name and home URL."""

    slug: str
    name: str
    url: str


_PLATFORM_SLUG: Final = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


def is_platform_slug(value: str) -> bool:
    """Whether `value` is shaped like a platform slug (`huggingface`, `onnx-model-zoo`)."""
    return _PLATFORM_SLUG.fullmatch(value) is not None


@dataclass(frozen=True, slots=True)
class FormatInfo:
    """A format and the glob patterns of file names that reveal it."""

    slug: str
    name: str
    patterns: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class LicenseInfo:
    """A license; `spdx_id` is None for custom (non-SPDX) licenses."""

    slug: str
    spdx_id: str | None
    name: str
    url: str | None


MODALITIES: Final = {
    "vision": "Vision",
    "language": "Language",
    "audio": "Audio",
    "multimodal": "Multimodal",
    "tabular": "Tabular",
    "reinforcement-learning": "Reinforcement learning",
    "graph": "Graph",
    "other": "Other",
}

# Hugging Face pipeline tags are the canonical tasks; the modality follows the Hub's own
# grouping of its task pages.
_TASKS_BY_MODALITY: Final = {
    "multimodal": (
        "any-to-any",
        "audio-text-to-text",
        "document-question-answering",
        "image-text-to-image",
        "image-text-to-text",
        "image-text-to-video",
        "video-text-to-text",
        "visual-document-retrieval",
        "visual-question-answering",
    ),
    "vision": (
        "depth-estimation",
        "image-classification",
        "image-feature-extraction",
        "image-segmentation",
        "image-to-3d",
        "image-to-image",
        "image-to-text",
        "image-to-video",
        "keypoint-detection",
        "mask-generation",
        "object-detection",
        "text-to-3d",
        "text-to-image",
        "text-to-video",
        "unconditional-image-generation",
        "video-classification",
        "video-to-video",
        "zero-shot-image-classification",
        "zero-shot-object-detection",
    ),
    "language": (
        "feature-extraction",
        "fill-mask",
        "multiple-choice",
        "question-answering",
        "sentence-similarity",
        "summarization",
        "table-question-answering",
        "table-to-text",
        "text-classification",
        "text-generation",
        "text-ranking",
        "text-retrieval",
        "text2text-generation",
        "token-classification",
        "translation",
        "zero-shot-classification",
    ),
    "audio": (
        "audio-classification",
        "audio-to-audio",
        "automatic-speech-recognition",
        "text-to-audio",
        "text-to-speech",
        "voice-activity-detection",
    ),
    "tabular": (
        "tabular-classification",
        "tabular-regression",
        "tabular-to-text",
        "time-series-forecasting",
    ),
    "reinforcement-learning": ("reinforcement-learning", "robotics"),
    "graph": ("graph-ml",),
    "other": ("other",),
}

TASK_MODALITY: Final[dict[str, str]] = {
    task: modality for modality, tasks in _TASKS_BY_MODALITY.items() for task in tasks
}


def task_name(slug: str) -> str:
    """Human label of a task slug ("image-classification" -> "Image Classification")."""
    special = {"text2text-generation": "Text2Text Generation", "graph-ml": "Graph Machine Learning"}
    if slug in special:
        return special[slug]
    return " ".join(
        word.upper() if word in {"3d", "ml"} else word.capitalize() for word in slug.split("-")
    )


FORMATS: Final = (
    FormatInfo("safetensors", "Safetensors", ("*.safetensors",)),
    FormatInfo("pytorch", "PyTorch", ("pytorch_model*.bin", "*.pt", "*.pth")),
    FormatInfo("onnx", "ONNX", ("*.onnx",)),
    FormatInfo("gguf", "GGUF", ("*.gguf",)),
    FormatInfo("tensorflow", "TensorFlow SavedModel", ("saved_model.pb", "*.pb", "tf_model.h5")),
    FormatInfo("tflite", "TensorFlow Lite", ("*.tflite",)),
    FormatInfo("keras", "Keras", ("*.keras", "*.h5")),
    FormatInfo("coreml", "Core ML", ("*.mlmodel", "*.mlpackage", "*.mlpackage/*")),
    FormatInfo("tfjs", "TensorFlow.js", ("model.json", "group*-shard*of*")),
    FormatInfo("flax", "Flax / JAX", ("flax_model*.msgpack",)),
    FormatInfo("openvino", "OpenVINO", ("openvino_model.xml", "openvino_model.bin")),
    FormatInfo("executorch", "ExecuTorch", ("*.pte",)),
    FormatInfo("paddle", "PaddlePaddle", ("*.pdparams", "*.pdmodel")),
)
FORMAT_SLUGS: Final = frozenset(f.slug for f in FORMATS)


def formats_of_file(path: str) -> tuple[str, ...]:
    """Formats a file name reveals, by the patterns of `FORMATS` (case-insensitive).

    Only the base name is matched, except for patterns with a directory part. A generic
    `*.bin` is not PyTorch (it may be OpenVINO or a tokenizer); `tf_model.h5` is
    TensorFlow, not Keras.
    """
    name = path.rsplit("/", 1)[-1].lower()
    lowered = path.lower()
    found: list[str] = []
    for fmt in FORMATS:
        for pattern in fmt.patterns:
            subject = lowered if "/" in pattern else name
            if fnmatch.fnmatchcase(subject, pattern):
                found.append(fmt.slug)
                break
    if "tensorflow" in found and "keras" in found:
        found.remove("keras")
    return tuple(found)


def _spdx(slug: str, spdx_id: str, name: str) -> LicenseInfo:
    return LicenseInfo(slug, spdx_id, name, f"https://spdx.org/licenses/{spdx_id}.html")


def _custom(slug: str, name: str, url: str | None = None) -> LicenseInfo:
    return LicenseInfo(slug, None, name, url)


LICENSES: Final = (
    _spdx("apache-2.0", "Apache-2.0", "Apache License 2.0"),
    _spdx("mit", "MIT", "MIT License"),
    _spdx("afl-3.0", "AFL-3.0", "Academic Free License v3.0"),
    _spdx("artistic-2.0", "Artistic-2.0", "Artistic License 2.0"),
    _spdx("bsl-1.0", "BSL-1.0", "Boost Software License 1.0"),
    _spdx("bsd-2-clause", "BSD-2-Clause", 'BSD 2-Clause "Simplified" License'),
    _spdx("bsd-3-clause", "BSD-3-Clause", 'BSD 3-Clause "New" or "Revised" License'),
    _spdx("bsd-3-clause-clear", "BSD-3-Clause-Clear", "BSD 3-Clause Clear License"),
    _spdx("cc0-1.0", "CC0-1.0", "Creative Commons Zero v1.0 Universal"),
    _spdx("cc-by-2.0", "CC-BY-2.0", "Creative Commons Attribution 2.0"),
    _spdx("cc-by-2.5", "CC-BY-2.5", "Creative Commons Attribution 2.5"),
    _spdx("cc-by-3.0", "CC-BY-3.0", "Creative Commons Attribution 3.0"),
    _spdx("cc-by-4.0", "CC-BY-4.0", "Creative Commons Attribution 4.0"),
    _spdx("cc-by-sa-3.0", "CC-BY-SA-3.0", "Creative Commons Attribution Share Alike 3.0"),
    _spdx("cc-by-sa-4.0", "CC-BY-SA-4.0", "Creative Commons Attribution Share Alike 4.0"),
    _spdx("cc-by-nc-2.0", "CC-BY-NC-2.0", "Creative Commons Attribution Non Commercial 2.0"),
    _spdx("cc-by-nc-3.0", "CC-BY-NC-3.0", "Creative Commons Attribution Non Commercial 3.0"),
    _spdx("cc-by-nc-4.0", "CC-BY-NC-4.0", "Creative Commons Attribution Non Commercial 4.0"),
    _spdx("cc-by-nd-4.0", "CC-BY-ND-4.0", "Creative Commons Attribution No Derivatives 4.0"),
    _spdx("cc-by-nc-nd-3.0", "CC-BY-NC-ND-3.0", "Creative Commons BY-NC-ND 3.0"),
    _spdx("cc-by-nc-nd-4.0", "CC-BY-NC-ND-4.0", "Creative Commons BY-NC-ND 4.0"),
    _spdx("cc-by-nc-sa-2.0", "CC-BY-NC-SA-2.0", "Creative Commons BY-NC-SA 2.0"),
    _spdx("cc-by-nc-sa-3.0", "CC-BY-NC-SA-3.0", "Creative Commons BY-NC-SA 3.0"),
    _spdx("cc-by-nc-sa-4.0", "CC-BY-NC-SA-4.0", "Creative Commons BY-NC-SA 4.0"),
    _spdx("cdla-sharing-1.0", "CDLA-Sharing-1.0", "Community Data License Agreement Sharing 1.0"),
    _spdx("cdla-permissive-1.0", "CDLA-Permissive-1.0", "CDLA Permissive 1.0"),
    _spdx("cdla-permissive-2.0", "CDLA-Permissive-2.0", "CDLA Permissive 2.0"),
    _spdx("wtfpl", "WTFPL", "Do What The F*ck You Want To Public License"),
    _spdx("ecl-2.0", "ECL-2.0", "Educational Community License v2.0"),
    _spdx("epl-1.0", "EPL-1.0", "Eclipse Public License 1.0"),
    _spdx("epl-2.0", "EPL-2.0", "Eclipse Public License 2.0"),
    _spdx("etalab-2.0", "etalab-2.0", "Etalab Open License 2.0"),
    _spdx("eupl-1.1", "EUPL-1.1", "European Union Public License 1.1"),
    _spdx("eupl-1.2", "EUPL-1.2", "European Union Public License 1.2"),
    _spdx("agpl-3.0", "AGPL-3.0-only", "GNU Affero General Public License v3.0"),
    _spdx("gfdl", "GFDL-1.3-only", "GNU Free Documentation License"),
    _spdx("gpl-2.0", "GPL-2.0-only", "GNU General Public License v2.0"),
    _spdx("gpl-3.0", "GPL-3.0-only", "GNU General Public License v3.0"),
    _spdx("lgpl-2.1", "LGPL-2.1-only", "GNU Lesser General Public License v2.1"),
    _spdx("lgpl-3.0", "LGPL-3.0-only", "GNU Lesser General Public License v3.0"),
    _spdx("isc", "ISC", "ISC License"),
    _spdx("lppl-1.3c", "LPPL-1.3c", "LaTeX Project Public License v1.3c"),
    _spdx("ms-pl", "MS-PL", "Microsoft Public License"),
    _spdx("mpl-2.0", "MPL-2.0", "Mozilla Public License 2.0"),
    _spdx("odc-by", "ODC-By-1.0", "Open Data Commons Attribution License"),
    _spdx("odbl", "ODbL-1.0", "Open Database License"),
    _spdx("osl-3.0", "OSL-3.0", "Open Software License 3.0"),
    _spdx("postgresql", "PostgreSQL", "PostgreSQL License"),
    _spdx("ofl-1.1", "OFL-1.1", "SIL Open Font License 1.1"),
    _spdx("ncsa", "NCSA", "University of Illinois/NCSA Open Source License"),
    _spdx("unlicense", "Unlicense", "The Unlicense"),
    _spdx("zlib", "Zlib", "zlib License"),
    _spdx("pddl", "PDDL-1.0", "Open Data Commons Public Domain Dedication and License"),
    _custom("bsd", "BSD license family"),
    _custom("cc", "Creative Commons license family"),
    _custom("gpl", "GNU General Public License family"),
    _custom("lgpl", "GNU Lesser General Public License family"),
    _custom("openrail", "Open RAIL"),
    _custom("openrail++", "Open RAIL++-M"),
    _custom("bigscience-openrail-m", "BigScience OpenRAIL-M"),
    _custom("creativeml-openrail-m", "CreativeML OpenRAIL-M"),
    _custom("bigscience-bloom-rail-1.0", "BigScience BLOOM RAIL 1.0"),
    _custom("bigcode-openrail-m", "BigCode OpenRAIL-M"),
    _custom("c-uda", "Computational Use of Data Agreement"),
    _custom("h-research", "H Research License"),
    _custom("intel-research", "Intel Research Use License"),
    _custom("apple-ascl", "Apple Sample Code License"),
    _custom("apple-amlr", "Apple Machine Learning Research Model License"),
    _custom("openmdw-1.0", "OpenMDW License 1.0"),
    _custom("lgpl-lr", "Lesser General Public License for Linguistic Resources"),
    _custom("deepfloyd-if-license", "DeepFloyd IF Research License Agreement"),
    _custom("fair-noncommercial-research-license", "FAIR Noncommercial Research License"),
    _custom("llama2", "Llama 2 Community License", "https://ai.meta.com/llama/license/"),
    _custom("llama3", "Llama 3 Community License", "https://llama.meta.com/llama3/license/"),
    _custom("llama3.1", "Llama 3.1 Community License", "https://llama.meta.com/llama3_1/license/"),
    _custom("llama3.2", "Llama 3.2 Community License", "https://llama.meta.com/llama3_2/license/"),
    _custom("llama3.3", "Llama 3.3 Community License", "https://llama.meta.com/llama3_3/license/"),
    _custom("llama4", "Llama 4 Community License", "https://llama.meta.com/llama4/license/"),
    _custom("gemma", "Gemma Terms of Use", "https://ai.google.dev/gemma/terms"),
    _custom("other", "Other license"),
    _custom("unknown", "Unknown license"),
)
LICENSE_BY_SLUG: Final = {lic.slug: lic for lic in LICENSES}
_LICENSE_BY_SPDX: Final = {lic.spdx_id.lower(): lic for lic in LICENSES if lic.spdx_id}
# Spellings hubs use for the same licenses.
LICENSE_ALIASES: Final = {
    "apache 2.0": "apache-2.0",
    "apache2": "apache-2.0",
    "apache-2": "apache-2.0",
    "apache license 2.0": "apache-2.0",
    "apache license, version 2.0": "apache-2.0",
    "mit license": "mit",
    "cc-by-sa": "cc-by-sa-4.0",
    "cc by 4.0": "cc-by-4.0",
    "cc-by": "cc-by-4.0",
    "gpl-3.0-only": "gpl-3.0",
    "gpl-2.0-only": "gpl-2.0",
    "agpl-3.0-only": "agpl-3.0",
    "bsd-3": "bsd-3-clause",
    "bsd 3-clause": "bsd-3-clause",
}


def canonical_license(value: str) -> LicenseInfo | None:
    """The known license a hub's license string names, if any (case-insensitive)."""
    key = " ".join(value.strip().lower().split())
    key = LICENSE_ALIASES.get(key, key)
    return LICENSE_BY_SLUG.get(key) or _LICENSE_BY_SPDX.get(key)


LIBRARIES: Final = {
    "transformers": "Transformers",
    "diffusers": "Diffusers",
    "sentence-transformers": "Sentence Transformers",
    "peft": "PEFT",
    "timm": "timm",
    "keras": "Keras",
    "tf-keras": "TF-Keras",
    "tensorflow": "TensorFlow",
    "pytorch": "PyTorch",
    "jax": "JAX",
    "flax": "Flax",
    "onnx": "ONNX",
    "gguf": "GGUF",
    "mlx": "MLX",
    "transformers.js": "Transformers.js",
    "sklearn": "scikit-learn",
    "spacy": "spaCy",
    "fasttext": "fastText",
    "stable-baselines3": "Stable-Baselines3",
    "ml-agents": "ML-Agents",
    "open_clip": "OpenCLIP",
    "espnet": "ESPnet",
    "speechbrain": "SpeechBrain",
    "nemo": "NeMo",
    "paddlenlp": "PaddleNLP",
    "adapter-transformers": "Adapters",
    "setfit": "SetFit",
    "flair": "Flair",
    "fairseq": "fairseq",
    "ultralytics": "Ultralytics",
    "coreml": "Core ML",
    "openvino": "OpenVINO",
    "tensorflowjs": "TensorFlow.js",
    "tflite": "TensorFlow Lite",
    "vllm": "vLLM",
    "llama.cpp": "llama.cpp",
}
