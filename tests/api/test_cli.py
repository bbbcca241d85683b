"""`catalog serve` is plugged into the CLI."""

from __future__ import annotations

import typer
from typer.testing import CliRunner

from api import cli
from catalog.settings import get_settings


def test_serve_command_is_registered_with_host_and_port() -> None:
    app = typer.Typer()
    app.command("noop")(lambda: None)
    cli.register(app)
    result = CliRunner().invoke(app, ["serve", "--help"])
    assert result.exit_code == 0
    assert "--host" in result.output
    assert "--port" in result.output


def test_serve_binds_then_runs_the_app(monkeypatch) -> None:
    calls = {}
    monkeypatch.setattr("catalog.migrate.require_current_schema", lambda engine: None)
    monkeypatch.setattr("catalog.database.get_engine", lambda: "the-engine")
    monkeypatch.setattr("catalog.serving.bind", lambda host, port: ("socket", host, port))
    monkeypatch.setattr(
        "catalog.serving.serve", lambda app, sock, **kw: calls.update(app=app, sock=sock)
    )
    monkeypatch.setattr(
        "api.observability.create_observed_app", lambda settings, facet_index: "the-app"
    )
    app = typer.Typer()
    app.command("noop")(lambda: None)
    cli.register(app)
    result = CliRunner().invoke(app, ["serve", "--host", "0.0.0.0", "--port", "8123"])
    assert result.exit_code == 0, result.output
    assert calls == {"app": "the-app", "sock": ("socket", "0.0.0.0", 8123)}


def test_serve_workers_option_overrides_the_setting(monkeypatch) -> None:
    seen = {}
    monkeypatch.setattr("catalog.migrate.require_current_schema", lambda engine: None)
    monkeypatch.setattr("catalog.database.get_engine", lambda: "the-engine")
    monkeypatch.setattr("catalog.serving.bind", lambda host, port: "socket")
    monkeypatch.setattr("catalog.serving.serve", lambda app, sock, **kw: None)
    monkeypatch.setattr(
        "api.observability.create_observed_app",
        lambda settings, facet_index: seen.update(workers=settings.api_workers),
    )
    app = typer.Typer()
    app.command("noop")(lambda: None)
    cli.register(app)
    assert CliRunner().invoke(app, ["serve", "--workers", "3"]).exit_code == 0
    assert seen == {"workers": 3}
    assert CliRunner().invoke(app, ["serve"]).exit_code == 0
    assert seen == {"workers": get_settings().api_workers}  # the setting, untouched
    refused = CliRunner().invoke(app, ["serve", "--workers", "0"])
    assert refused.exit_code == 2
