"""Rich consoles for output meant for people, in a terminal or not."""

from __future__ import annotations

from rich.console import Console

# Wider than any line we print: outside a terminal nothing is cut or wrapped.
WIDE = 10_000


def console(*, stderr: bool = False, quiet: bool = False) -> Console:
    """A console that fits the terminal, or never cuts or wraps when output is not one.

    In a pipe, a log file or CI, rich would assume 80 columns: table cells turn into
    `plat…` and long URLs break mid-word. There every line keeps its full width instead
    (and, as always off a terminal, carries no colour codes).

    Args:
        stderr: Write to standard error instead of standard output.
        quiet: Print nothing (for machine-readable modes).
    """
    terminal = Console(stderr=stderr, quiet=quiet)
    if terminal.is_terminal:
        return terminal
    return Console(stderr=stderr, quiet=quiet, width=WIDE)
