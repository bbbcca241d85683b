"""The Hugging Face Hub harvester: config, fetch over `/api/models`, pure normalization."""
