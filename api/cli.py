"""`catalog serve`: run the web explorer and the GraphQL API on uvicorn."""

from __future__ import annotations

import typer


def serve(
    host: str = typer.Option("127.0.0.1", help="Interface to listen on."),
    port: int = typer.Option(8000, help="Port to listen on."),
    facet_index: bool = typer.Option(
        True, help="Answer searches from the in-memory facet index (else SQL only)."
    ),
) -> None:
    """Serve the web explorer at / and the GraphQL API (GraphiQL at /graphql, /healthz,
    /readyz, /metrics)."""
    import logging

    import uvicorn

    from api.observability import create_observed_app
    from catalog.settings import get_settings

    settings = get_settings()
    logging.getLogger().setLevel(settings.log_level.upper())
    app = create_observed_app(settings, facet_index=facet_index)
    typer.echo(f"explorer on http://{host}:{port}/ (GraphQL API at /graphql)")
    uvicorn.run(app, host=host, port=port, log_level=settings.log_level.lower())


def register(app: typer.Typer) -> None:
    """Add `serve` to the `catalog` command."""
    app.command("serve")(serve)
