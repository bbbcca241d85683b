"""PyTorch Hub harvester: one model per page of github.com/pytorch/hub."""
