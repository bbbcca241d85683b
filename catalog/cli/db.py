"""`catalog db`: schema migrations and the embedded server."""

from __future__ import annotations

from collections.abc import Callable

import typer
from sqlalchemy import Engine

from catalog import migrate
from catalog.cli.console import console as make_console
from catalog.database import describe, get_engine, resolve_url
from catalog.embedded import stop_embedded
from catalog.settings import get_settings

app = typer.Typer(help="Create, migrate and inspect the catalog database.", no_args_is_help=True)
console = make_console()
# Steps that CLI plug-ins add after an upgrade to the newest revision (the harvesters
# write their hubs' platform rows): `catalog` itself knows no hub.
AFTER_UPGRADE: list[Callable[[Engine], None]] = []


@app.command()
def upgrade(revision: str = typer.Argument("head", help="Target revision.")) -> None:
    """Migrate the schema up to REVISION (default: the newest)."""
    engine = get_engine()
    migrate.upgrade(engine, revision)
    if revision == "head":
        for step in AFTER_UPGRADE:
            step(engine)
    console.print(
        f"schema at [bold]{migrate.current(engine)}[/] on {describe(engine.url)}", soft_wrap=True
    )


@app.command()
def downgrade(revision: str = typer.Argument(..., help="Target revision, or 'base'.")) -> None:
    """Migrate the schema down to REVISION ('base' drops every catalog table)."""
    engine = get_engine()
    migrate.downgrade(engine, revision)
    console.print(f"schema at [bold]{migrate.current(engine) or 'base'}[/]")


@app.command()
def current() -> None:
    """Print the schema revision of the database and the newest one this code ships."""
    engine = get_engine()
    rev = migrate.current(engine) or "none (empty database: run `catalog db upgrade`)"
    console.print(f"database: {rev}\ncode head: {migrate.head()}")


@app.command()
def url() -> None:
    """Print where the catalog database is (password hidden)."""
    console.print(describe(resolve_url()), soft_wrap=True)


@app.command()
def stop() -> None:
    """Stop the embedded PostgreSQL server (no effect with DATABASE_URL)."""
    settings = get_settings()
    if settings.database_url is not None:
        console.print("DATABASE_URL is set: there is no embedded server to stop")
        return
    stopped = stop_embedded(settings.catalog_home)
    console.print("embedded server stopped" if stopped else "embedded server was not running")
