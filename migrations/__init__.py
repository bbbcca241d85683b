"""Alembic migrations of the catalog schema (shipped as a package so installs carry them)."""
