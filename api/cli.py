"""`catalog serve`: run the web explorer and the GraphQL API on uvicorn."""

from __future__ import annotations

import typer

from catalog.cli.options import PORT


def serve(
    host: str = typer.Option("127.0.0.1", help="Interface to listen on."),
    port: int = PORT,
    facet_index: bool = typer.Option(
        True, help="Answer searches from the in-memory facet index (else SQL only)."
    ),
    workers: int | None = typer.Option(
        None,
        min=1,
        max=64,
        help="Worker processes answering requests (they share one index). Default: "
        "CATALOG_API_WORKERS, else one per core (at least 2).",
    ),
) -> None:
    """Serve the web explorer at / and the GraphQL API (GraphiQL at /graphql, /healthz,
    /readyz, /metrics)."""
    import logging

    from api.observability import create_observed_app
    from catalog import serving
    from catalog.database import get_engine
    from catalog.migrate import require_current_schema
    from catalog.settings import get_settings

    settings = get_settings()
    if workers is not None:
        settings = settings.model_copy(update={"api_workers": workers})
    require_current_schema(get_engine())
    logging.getLogger().setLevel(settings.log_level.upper())
    sock = serving.bind(host, port)
    app = create_observed_app(settings, facet_index=facet_index)
    serving.serve(
        app,
        sock,
        log_level=settings.log_level.lower(),
        announce=lambda: typer.echo(
            f"explorer on http://{host}:{port}/ (GraphQL API at /graphql)", err=True
        ),
    )


def register(app: typer.Typer) -> None:
    """Add `serve` to the `catalog` CLI."""
    app.command("serve")(serve)
