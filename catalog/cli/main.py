"""Entry point of the `catalog` command: shared options, plugins, error handling."""

from __future__ import annotations

import importlib
import logging
import sys

import typer

from catalog.cli import db, status
from catalog.errors import CatalogError

# Commands that live with the code they drive (harvesters, api, reports) are plugged in
# by module name, so that `catalog` never imports the packages built on top of it.
PLUGINS = (
    "harvesters.cli",
    "api.cli",
    "api.reports.cli",
    "harvesters.scheduler_cli",
    "catalog.derive.cli",
    "catalog.families.cli",
)

app = typer.Typer(
    name="catalog",
    help="One catalog of pretrained models across hubs.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
# Usage errors (bad option values, missing arguments, unknown commands) are click's
# `ClickException`s. Recent typer releases ship their own copy of click, so the class is
# not `click.ClickException`: take it from the hierarchy of the error typer exports.
ClickException: type[Exception] = next(
    cls for cls in typer.BadParameter.__mro__ if cls.__name__ == "ClickException"
)

app.add_typer(db.app, name="db")
app.command("status")(status.status)


def _load_plugins() -> None:
    for module_name in PLUGINS:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name and module_name.startswith(exc.name):
                continue  # that part is not built (yet)
            raise
        module.register(app)


def main() -> None:
    """Run the CLI; a `CatalogError` prints one line and exits with its code."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    _load_plugins()
    try:
        # Without standalone mode click returns a command's exit code instead of exiting.
        code = app(standalone_mode=False)
    except CatalogError as exc:
        typer.echo(f"error: {exc}", err=True)
        sys.exit(exc.exit_code)
    except (typer.Exit, SystemExit) as exc:
        code = exc.exit_code if isinstance(exc, typer.Exit) else exc.code
        sys.exit(code if isinstance(code, int) else 1)
    except typer.Abort:
        typer.echo("aborted", err=True)
        sys.exit(130)
    except KeyboardInterrupt:
        typer.echo("interrupted", err=True)
        sys.exit(130)
    except ClickException as exc:
        # Non-standalone mode hands usage errors to us: print click's "Usage: ... /
        # Error: ..." lines and exit 2 (its exit code), as a standalone click app would.
        exc.show()  # type: ignore[attr-defined]  # click's ClickException has show()
        sys.exit(exc.exit_code)  # type: ignore[attr-defined]  # and exit_code
    if isinstance(code, int) and code:
        sys.exit(code)


if __name__ == "__main__":
    main()
