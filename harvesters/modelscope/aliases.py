"""ModelScope vocabulary -> canonical slugs of `catalog.vocab` (data; keys are `term_key`s).

ModelScope names its tasks after the `Tasks` constants of the modelscope library
(`text-to-image-synthesis`, `auto-speech-recognition`, `word-segmentation`, ...), not
after Hugging Face pipeline tags. A task absent from `MODELSCOPE_TASKS` stays a tag and
is reported as `task:<name>`; an empty tuple marks a name known to carry no task.
"""

from __future__ import annotations

from typing import Final

from catalog import vocab

_CV: Final = {
    "ocr-detection": ("object-detection",),
    "ocr-recognition": ("image-to-text",),
    "table-recognition": ("image-to-text",),
    "lineless-table-recognition": ("image-to-text",),
    "license-plate-detection": ("object-detection",),
    "card-detection": ("object-detection",),
    "card-detection-correction": ("object-detection",),
    "face-detection": ("object-detection",),
    "human-detection": ("object-detection",),
    "image-object-detection": ("object-detection",),
    "video-object-detection": ("object-detection",),
    "image-fewshot-detection": ("object-detection",),
    "object-detection-3d": ("object-detection",),
    "domain-specific-object-detection": ("object-detection",),
    "open-vocabulary-detection": ("zero-shot-object-detection",),
    "animal-recognition": ("image-classification",),
    "general-recognition": ("image-classification",),
    "face-liveness": ("image-classification",),
    "face-quality-assessment": ("image-classification",),
    "facial-expression-recognition": ("image-classification",),
    "face-attribute-recognition": ("image-classification",),
    "pedestrian-attribute-recognition": ("image-classification",),
    "image-multilabel-classification": ("image-classification",),
    "image-classification-imagenet": ("image-classification",),
    "image-classification-dailylife": ("image-classification",),
    "bad-image-detecting": ("image-classification",),
    "face-recognition": ("image-feature-extraction",),
    "image-embedding": ("image-feature-extraction",),
    "product-retrieval-embedding": ("image-feature-extraction",),
    "face-2d-keypoints": ("keypoint-detection",),
    "facial-68ldk-detection": ("keypoint-detection",),
    "body-2d-keypoints": ("keypoint-detection",),
    "body-3d-keypoints": ("keypoint-detection",),
    "hand-2d-keypoints": ("keypoint-detection",),
    "human-wholebody-keypoint": ("keypoint-detection",),
    "semantic-segmentation": ("image-segmentation",),
    "portrait-matting": ("image-segmentation",),
    "universal-matting": ("image-segmentation",),
    "text-driven-segmentation": ("image-segmentation",),
    "shop-segmentation": ("image-segmentation",),
    "product-segmentation": ("image-segmentation",),
    "image-depth-estimation": ("depth-estimation",),
    "video-depth-estimation": ("depth-estimation",),
    "panorama-depth-estimation": ("depth-estimation",),
    "face-image-generation": ("unconditional-image-generation",),
    "text-to-360panorama-image": ("text-to-image",),
    "action-recognition": ("video-classification",),
    "video-category": ("video-classification",),
    "live-category": ("video-classification",),
    "face-reconstruction": ("image-to-3d",),
    "head-reconstruction": ("image-to-3d",),
    "human-reconstruction": ("image-to-3d",),
    "text-to-head": ("text-to-3d",),
}
# Image editing, restoration and generation from an image: all image-to-image.
_IMAGE_TO_IMAGE: Final = (
    "image-super-resolution",
    "image-super-resolution-pasd",
    "image-denoising",
    "image-deblurring",
    "image-debanding",
    "image-demoireing",
    "image-colorization",
    "image-color-enhancement",
    "image-inpainting",
    "image-portrait-enhancement",
    "image-paintbyexample",
    "image-skychange",
    "image-editing",
    "image-to-image-translation",
    "image-to-image-generation",
    "image-style-transfer",
    "image-portrait-stylization",
    "image-body-reshaping",
    "image-face-fusion",
    "skin-retouching",
    "controllable-image-generation",
    "image-try-on",
    "human-image-generation",
    "image-view-transform",
)
_VIDEO_TO_VIDEO: Final = (
    "video-inpainting",
    "video-frame-interpolation",
    "video-stabilization",
    "video-super-resolution",
    "video-deinterlace",
    "video-colorization",
)
_NLP: Final = {
    "chat": ("text-generation",),
    "conversational": ("text-generation",),
    "fid-dialogue": ("text-generation",),
    "task-oriented-conversation": ("text-generation",),
    "code-generation": ("text-generation",),
    "document-grounded-dialog-generate": ("text-generation",),
    "word-segmentation": ("token-classification",),
    "part-of-speech": ("token-classification",),
    "named-entity-recognition": ("token-classification",),
    "transformer-crf": ("token-classification",),
    "information-extraction": ("token-classification",),
    "siamese-uie": ("token-classification",),
    "punctuation": ("token-classification",),
    "nli": ("text-classification",),
    "sentiment-classification": ("text-classification",),
    "sentiment-analysis": ("text-classification",),
    "dialog-intent-prediction": ("text-classification",),
    "sentence-embedding": ("sentence-similarity",),
    "zero-shot": ("zero-shot-classification",),
    "competency-aware-translation": ("translation",),
    "code-translation": ("text2text-generation",),
    "text-error-correction": ("text2text-generation",),
    "text2sql": ("text2text-generation",),
    "inverse-text-processing": ("text2text-generation",),
    "text-summarization": ("summarization",),
    "extractive-summarization": ("summarization",),
    "faq-question-answering": ("question-answering",),
    "machine-reading-comprehension": ("question-answering",),
    "document-grounded-dialog-retrieval": ("text-retrieval",),
    "document-grounded-dialog-rerank": ("text-ranking",),
    "backbone": (),  # a pretrained trunk: its task comes from nowhere
    "task-template": (),
}
_AUDIO: Final = {
    "auto-speech-recognition": ("automatic-speech-recognition",),
    "speech-signal-process": ("audio-to-audio",),
    "speech-separation": ("audio-to-audio",),
    "acoustic-echo-cancellation": ("audio-to-audio",),
    "acoustic-noise-suppression": ("audio-to-audio",),
    "speech-super-resolution": ("audio-to-audio",),
    "voice-conversion": ("audio-to-audio",),
    "keyword-spotting": ("audio-classification",),
    "speaker-verification": ("audio-classification",),
    "speech-language-recognition": ("audio-classification",),
    "emotion-recognition": ("audio-classification",),
}
_MULTIMODAL: Final = {
    "image-captioning": ("image-to-text",),
    "visual-grounding": ("zero-shot-object-detection",),
    "text-to-image-synthesis": ("text-to-image",),
    "text-to-video-synthesis": ("text-to-video",),
    "multi-modal-embedding": ("feature-extraction",),
    "generative-multi-modal-embedding": ("feature-extraction",),
    "document-vl-embedding": ("visual-document-retrieval",),
    "video-captioning": ("video-text-to-text",),
    "video-question-answering": ("video-text-to-text",),
    "multimodal-dialogue": ("image-text-to-text",),
}

# Every canonical slug is also a ModelScope task of the same name (`text-generation`,
# `image-to-video`, ...); the hub's own names come after and win.
MODELSCOPE_TASKS: Final[dict[str, tuple[str, ...]]] = {
    **{slug: (slug,) for slug in vocab.TASK_MODALITY},
    **_CV,
    **dict.fromkeys(_IMAGE_TO_IMAGE, ("image-to-image",)),
    **dict.fromkeys(_VIDEO_TO_VIDEO, ("video-to-video",)),
    **_NLP,
    **_AUDIO,
    **_MULTIMODAL,
}

# A task's `DomainName` (the modelscope library's `Fields`).
MODELSCOPE_DOMAINS: Final[dict[str, tuple[str, ...]]] = {
    "cv": ("vision",),
    "nlp": ("language",),
    "audio": ("audio",),
    "multi-modal": ("multimodal",),
    "science": (),
}

# `Frameworks` and `Libraries` values -> (formats, library). Formats are the file formats
# a value names; `pytorch` names a framework, so it yields the `pytorch` format only when
# nothing else says what the weights are (see `parse`).
MODELSCOPE_LIBRARIES: Final[dict[str, tuple[tuple[str, ...], str | None]]] = {
    "pytorch": ((), "pytorch"),
    "torch": ((), "pytorch"),
    "safetensors": (("safetensors",), None),
    "gguf": (("gguf",), "gguf"),
    "onnx": (("onnx",), "onnx"),
    "tensorflow": (("tensorflow",), "tensorflow"),
    "tflite": (("tflite",), "tflite"),
    "keras": (("keras",), "keras"),
    "jax": (("flax",), "jax"),
    "flax": (("flax",), "flax"),
    "paddlepaddle": (("paddle",), None),
    "paddle": (("paddle",), None),
    "openvino": (("openvino",), "openvino"),
    "coreml": (("coreml",), "coreml"),
    "transformers": ((), "transformers"),
    "transformer": ((), "transformers"),
    "diffusers": ((), "diffusers"),
    "sentence-transformers": ((), "sentence-transformers"),
    "peft": ((), "peft"),
    "mlx": ((), "mlx"),
    "timm": ((), "timm"),
    "open-clip": ((), "open_clip"),
    "espnet": ((), "espnet"),
    "nemo": ((), "nemo"),
    "ultralytics": ((), "ultralytics"),
    "vllm": ((), "vllm"),
    "llama-cpp": ((), "llama.cpp"),
    "lora": ((), None),  # an adapter, not a library: see the lineage relation
    "llamafile": ((), None),
    "other": ((), None),
}
# The library a model is "of" when it names several: the most specific first.
LIBRARY_PRIORITY: Final = (
    "diffusers",
    "sentence-transformers",
    "transformers",
    "peft",
    "timm",
    "open_clip",
    "espnet",
    "nemo",
    "ultralytics",
    "mlx",
    "llama.cpp",
    "vllm",
    "gguf",
    "onnx",
    "openvino",
    "coreml",
    "tflite",
    "keras",
    "tensorflow",
    "flax",
    "jax",
    "pytorch",
)

# `ModelInfos` keys (per-format file lists) -> formats.
MODELSCOPE_MODEL_INFOS: Final[dict[str, str]] = {
    "safetensor": "safetensors",
    "safetensors": "safetensors",
    "gguf": "gguf",
    "onnx": "onnx",
}

# License spellings seen on ModelScope beyond those `catalog.vocab` knows.
MODELSCOPE_LICENSES: Final[dict[str, str]] = {
    "apache license 2.0": "apache-2.0",
    "apache license version 2.0": "apache-2.0",
    "apache-2": "apache-2.0",
    "mit license": "mit",
    "openrail++-m": "openrail++",
    "creativeml openrail m": "creativeml-openrail-m",
    "llama 3 community license": "llama3",
    "llama3.1 community license": "llama3.1",
    "gemma terms of use": "gemma",
}

# `BaseModelRelation` values -> lineage relations.
MODELSCOPE_RELATIONS: Final[dict[str, str]] = {
    "finetune": "finetune",
    "fine-tune": "finetune",
    "fine-tuned": "finetune",
    "adapter": "adapter",
    "lora": "adapter",
    "quantized": "quantized",
    "quantization": "quantized",
    "merge": "merge",
    "merged": "merge",
}

# `Language` codes ModelScope uses besides ISO 639-1.
MODELSCOPE_LANGUAGES: Final[dict[str, str]] = {"cn": "zh", "ch": "zh", "chinese": "zh"}
