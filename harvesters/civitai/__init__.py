"""The Civitai hub: image-generation checkpoints and adapters from civitai.com's REST API."""
