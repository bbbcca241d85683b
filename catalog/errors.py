"""Errors that the CLI turns into one actionable line and exit code 2."""

from __future__ import annotations


class CatalogError(Exception):
    """Base class for errors a user can act on; the message is shown as is."""

    exit_code = 1


class DatabaseConfigError(CatalogError):
    """`DATABASE_URL` is malformed, unreachable, or the embedded server is unavailable."""

    exit_code = 2


class SettingsError(CatalogError):
    """A setting (environment variable or `CATALOG_CONFIG` file) is missing or invalid."""

    exit_code = 2
