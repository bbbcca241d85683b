"""model-catalog: one normalized catalog of pretrained models across public hubs."""

__version__ = "0.1.0"
