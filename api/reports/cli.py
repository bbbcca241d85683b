"""`catalog report compare|landscape|coverage|family`: reports as md, html, csv or json."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import typer

from api.reports import build
from api.reports.client import HttpTransport, InProcessTransport, ReportError, Transport
from api.reports.data import Report
from api.reports.render import RENDERERS, render

app = typer.Typer(
    help="Comparison reports (Markdown, self-contained HTML with charts, CSV, JSON).",
    no_args_is_help=True,
)

SUFFIXES = {".md": "md", ".markdown": "md", ".html": "html", ".htm": "html"}
SUFFIXES |= {".csv": "csv", ".json": "json"}

FORMAT = typer.Option(
    None,
    "--format",
    "-f",
    help="md, html, csv or json (default: from the --output suffix, else md).",
)
OUTPUT = typer.Option(None, "--output", "-o", help="Write to FILE instead of stdout.")
ENDPOINT = typer.Option(
    None,
    "--endpoint",
    help="GraphQL endpoint of a running server (e.g. http://127.0.0.1:8000/graphql); "
    "default: query the configured catalog database in process.",
)
PLATFORM = typer.Option(
    [], "--platform", "-p", help="Only these platforms (repeat the option for several)."
)
MODALITY = typer.Option(None, "--modality", "-m", help="Only models of this modality.")
NSFW = typer.Option(
    False, "--nsfw", help="Include models their hub flags not safe for work (left out by default)."
)


def register(parent: typer.Typer) -> None:
    """Add the `report` command group to the `catalog` CLI."""
    parent.add_typer(app, name="report")


def _transport(endpoint: str | None) -> Transport:
    return HttpTransport(endpoint) if endpoint else InProcessTransport()


def _format(fmt: str | None, output: Path | None) -> str:
    if fmt is None:
        return SUFFIXES.get(output.suffix.lower(), "md") if output else "md"
    if fmt not in RENDERERS:
        # A usage error: exit code 2 with the command's usage line.
        raise typer.BadParameter(
            f"unknown format {fmt!r}: use one of {', '.join(RENDERERS)}", param_hint="'--format'"
        )
    return fmt


def _emit(report: Report, fmt: str, output: Path | None) -> None:
    text = render(report, fmt)
    if output is None:
        typer.echo(text, nl=False)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise ReportError(f"cannot write {output}: {exc.strerror or exc}") from exc
    typer.echo(f"wrote {report.kind} report ({fmt}) to {output}", err=True)


@app.command()
def compare(
    refs: list[str] = typer.Argument(..., metavar="REF", help="Models as <platform>:<externalId>."),
    fmt: str | None = FORMAT,
    output: Path | None = OUTPUT,
    endpoint: str | None = ENDPOINT,
) -> None:
    """Compare models side by side: attributes as rows, models as columns."""
    chosen = _format(fmt, output)
    _emit(build.build_compare(_transport(endpoint), refs), chosen, output)


@app.command()
def landscape(
    task: str | None = typer.Option(None, "--task", "-t", help="Task slug, e.g. text-generation."),
    modality: str | None = MODALITY,
    platform: list[str] = PLATFORM,
    top: int = typer.Option(
        20, "--top", "-n", min=1, max=build.MAX_TOP, help="How many top models (1-100)."
    ),
    since: dt.datetime | None = typer.Option(
        None, "--since", help="Download history from this date (default: all of it)."
    ),
    nsfw: bool = NSFW,
    fmt: str | None = FORMAT,
    output: Path | None = OUTPUT,
    endpoint: str | None = ENDPOINT,
) -> None:
    """Top models of a task by downloads across platforms, with sizes, licenses, formats."""
    chosen = _format(fmt, output)
    if since is not None and since.tzinfo is None:
        since = since.replace(tzinfo=dt.UTC)
    report = build.build_landscape(
        _transport(endpoint),
        task=task,
        modality=modality,
        platforms=platform,
        top=top,
        since=since,
        nsfw=nsfw,
    )
    _emit(report, chosen, output)


@app.command()
def coverage(
    modality: str | None = MODALITY,
    platform: list[str] = PLATFORM,
    tasks: int | None = typer.Option(
        None, "--tasks", min=1, help="Keep only the N tasks with the most models."
    ),
    nsfw: bool = NSFW,
    fmt: str | None = FORMAT,
    output: Path | None = OUTPUT,
    endpoint: str | None = ENDPOINT,
) -> None:
    """Which platforms offer which formats, modalities and tasks (tables and heatmaps)."""
    chosen = _format(fmt, output)
    report = build.build_coverage(
        _transport(endpoint), modality=modality, platforms=platform, max_tasks=tasks, nsfw=nsfw
    )
    _emit(report, chosen, output)


@app.command()
def family(
    slug: str = typer.Argument(..., help="Family slug, e.g. resnet or llama-3.1."),
    top: int = typer.Option(5, "--top", "-n", help="Top models per hub (0-100)."),
    fmt: str | None = FORMAT,
    output: Path | None = OUTPUT,
    endpoint: str | None = ENDPOINT,
) -> None:
    """One family across hubs: formats, releases with parameters, derivatives, top models."""
    from api.reports.family import build_family

    chosen = _format(fmt, output)
    if not 0 <= top <= 100:
        raise ReportError(f"--top must be between 0 and 100, got {top}")
    transport = _transport(endpoint)
    meta = build._meta(f"Family: {slug}", transport, build.utc_now, family=slug)
    _emit(build_family(transport, slug, top=top, meta=meta), chosen, output)
