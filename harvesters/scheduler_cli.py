"""`catalog scheduler` and `catalog up`: the long-running processes."""

from __future__ import annotations

import logging
import signal
import threading
from types import FrameType

import typer
from rich.markup import escape

from catalog import migrate
from catalog.cli.console import console as make_console
from catalog.cli.options import PORT
from catalog.database import describe, get_engine
from catalog.errors import CatalogError
from catalog.logs import configure_logging
from catalog.settings import get_settings
from harvesters.demo.load import load_if_empty
from harvesters.registry import default_schedules, write_platform_rows
from harvesters.schedule import ScheduleError, load_schedules
from harvesters.scheduler import HarvestScheduler

log = logging.getLogger(__name__)
# The API is started by import string, so the harvesters package never imports `api`.
API_FACTORY = "api.observability:create_observed_app"


def _scheduler() -> HarvestScheduler:
    settings = get_settings()
    try:
        schedules = load_schedules(settings.schedules, default_schedules())
    except ScheduleError as exc:
        raise CatalogError(f"CATALOG_SCHEDULES: {exc}") from exc
    return HarvestScheduler(
        get_engine(), settings, schedules, tick_seconds=settings.scheduler_tick_seconds
    )


def scheduler() -> None:
    """Run due harvests until SIGTERM/SIGINT (the current batch commits, then it exits)."""
    settings = get_settings()
    engine = get_engine()
    migrate.require_current_schema(engine)
    configure_logging(settings)
    write_platform_rows(engine)
    runner = _scheduler()
    done = threading.Event()

    def stop(signum: int, _frame: FrameType | None) -> None:
        log.info("received %s: finishing the current batch", signal.Signals(signum).name)
        runner.stop.set()
        done.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    runner.start()
    done.wait()
    runner.shutdown()
    log.info("scheduler stopped")


def up(
    host: str = typer.Option("127.0.0.1", "--host", help="Interface the API listens on."),
    port: int = PORT,
    no_harvest: bool = typer.Option(False, "--no-harvest", help="Only serve the API."),
    no_demo: bool = typer.Option(
        False, "--no-demo", help="Do not load the bundled demo snapshot into an empty catalog."
    ),
) -> None:
    """Migrate, harvest what is due in the background, and serve the explorer and the API."""
    from catalog import serving

    settings = get_settings()
    configure_logging(settings)
    sock = serving.bind(host, port)
    engine = get_engine()
    migrate.upgrade(engine)
    write_platform_rows(engine)
    runner = None if no_harvest else _scheduler()
    # Before the scheduler starts: a first start offline still has models to explore.
    demo = [] if no_demo else load_if_empty(engine, settings, harvesting=runner is not None)
    make_console(stderr=True).print(
        f"catalog database: {describe(engine.url)}\n"
        + "".join(f"{escape(line)}\n" for line in demo)
        + f"explorer: [bold]http://{host}:{port}/[/]  (GraphQL API at /graphql; Ctrl-C stops)\n"
        f"harvesting: {'off (--no-harvest)' if runner is None else 'scheduled'}",
        soft_wrap=True,
    )
    if runner is not None:
        runner.start()
    try:
        # uvicorn handles SIGINT/SIGTERM: it returns once the server has shut down.
        serving.serve(API_FACTORY, sock, factory=True, uvicorn_logging=False)
    finally:
        if runner is not None:
            runner.shutdown()


def register(app: typer.Typer) -> None:
    """Add `scheduler` and `up` to the `catalog` CLI."""
    app.command("scheduler")(scheduler)
    app.command("up")(up)
