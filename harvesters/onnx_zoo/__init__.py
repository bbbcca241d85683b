"""ONNX Model Zoo harvester: one model per name of `ONNX_HUB_MANIFEST.json`."""
