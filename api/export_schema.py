"""Write the schema's SDL to api/schema.graphql: `python -m api.export_schema`."""

from __future__ import annotations

import sys
from pathlib import Path

from api.schema import schema

SDL_PATH = Path(__file__).with_name("schema.graphql")


def sdl() -> str:
    """The schema as SDL, newline-terminated."""
    return schema.as_str().rstrip("\n") + "\n"


def main() -> None:
    """Write the SDL file (or, with --check, exit 1 when it is out of date)."""
    current = sdl()
    if "--check" in sys.argv[1:]:
        if not SDL_PATH.exists() or SDL_PATH.read_text() != current:
            print(f"{SDL_PATH} is out of date: run python -m api.export_schema")  # noqa: T201
            sys.exit(1)
        return
    SDL_PATH.write_text(current)
    print(f"wrote {SDL_PATH}")  # noqa: T201


if __name__ == "__main__":
    main()
