"""TF Hub harvester: the archived tfhub.dev catalog, one model per handle without version."""
