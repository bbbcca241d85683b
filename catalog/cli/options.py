"""Options that several `catalog` commands share, validated where they are parsed."""

from __future__ import annotations

import typer

# The API's port, for `catalog serve` and `catalog up`: out-of-range values are usage
# errors (exit code 2) before anything starts, not a crash inside uvicorn.
PORT = typer.Option(8000, "--port", min=1, max=65535, help="Port of the API (1-65535).")
