"""Debian's Chromium for the browser tests, with the flags a machine without network needs."""

from __future__ import annotations

from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
ABSENT = "/usr/bin/chromium is absent: install Debian's `chromium` package (.ci/run does)"
# No sandbox (containers run as root); nothing that would try to reach a network.
OFFLINE_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-quic",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
]
