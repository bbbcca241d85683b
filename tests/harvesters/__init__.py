"""Tests of the harvesters and their shared helpers (fake hubs, contract suite)."""
