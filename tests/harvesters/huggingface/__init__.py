"""Tests of the Hugging Face harvester."""
