"""The one place hubs are registered: platform slug -> harvester class (imported lazily)."""

from __future__ import annotations

import importlib

from harvesters.base import Harvester

HARVESTERS: dict[str, str] = {
    "huggingface": "harvesters.huggingface.harvester:HuggingFaceHarvester",
    "tfhub": "harvesters.tfhub.harvester:TfHubHarvester",
    "pytorch-hub": "harvesters.pytorch_hub.harvester:PyTorchHubHarvester",
    "kaggle": "harvesters.kaggle.harvester:KaggleHarvester",
    "onnx-model-zoo": "harvesters.onnx_zoo.harvester:OnnxZooHarvester",
}


class UnknownPlatformError(KeyError):
    """No harvester is registered under that name."""

    def __str__(self) -> str:
        return f"unknown platform {self.args[0]!r}; known: {', '.join(HARVESTERS)}"


def harvester_class(platform: str) -> type[Harvester]:
    """The harvester class registered for `platform`.

    Raises:
        UnknownPlatformError: nothing is registered under that slug.
    """
    try:
        target = HARVESTERS[platform]
    except KeyError:
        raise UnknownPlatformError(platform) from None
    module_name, _, attr = target.partition(":")
    cls: type[Harvester] = getattr(importlib.import_module(module_name), attr)
    return cls
