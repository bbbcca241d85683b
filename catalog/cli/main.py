"""Entry point of the `catalog` command: shared options, plugins, error handling."""

from __future__ import annotations

import logging
import sys
from importlib.metadata import entry_points

import typer

from catalog.cli import db, status
from catalog.derive import cli as derive_cli
from catalog.errors import CatalogError
from catalog.families import cli as families_cli

# Commands that live with the code they drive (harvesters, api, reports, or another
# installed package) register as entry points of this group: a `register(app)` function
# each. `catalog` itself never names the packages built on top of it.
PLUGIN_GROUP = "model_catalog.cli"

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
derive_cli.register(app)
families_cli.register(app)


def _load_plugins() -> None:
    plugins = sorted(entry_points(group=PLUGIN_GROUP), key=lambda e: e.name)
    if not plugins:
        typer.echo(
            f"warning: no command plug-ins ({PLUGIN_GROUP}) are installed: install the "
            "project (scripts/setup) for harvest, serve, report and scheduler",
            err=True,
        )
    for entry in plugins:
        try:
            register = entry.load()
        except Exception as exc:  # noqa: BLE001 - one broken plug-in must not take the CLI down
            typer.echo(
                f"warning: the command plug-in {entry.name!r} ({entry.value}) failed to load: "
                f"{type(exc).__name__}: {exc}",
                err=True,
            )
            continue
        register(app)


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
