"""Harvesters: fetch raw payloads from each hub (I/O only) and normalize them (pure)."""
