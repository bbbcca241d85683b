"""The explorer served by a real uvicorn server over a fresh, migrated database holding
the test catalog; and a headless Chromium (Debian's, no download) to drive it."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from sqlalchemy import Engine, create_engine
from sqlalchemy.engine import URL

from catalog.settings import Settings
from tests import pg
from tests.chromium import ABSENT, CHROMIUM, OFFLINE_ARGS
from tests.web import catalog


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def web_engine(server_url: URL, template_db: str) -> Iterator[Engine]:
    """A database of its own with the explorer's test catalog (only read by the tests)."""
    name = pg.unique_name("catalog_web")
    url = pg.create_database(server_url, name, template=template_db)
    engine = create_engine(url, pool_size=5)
    catalog.load(engine)
    yield engine
    engine.dispose()
    pg.drop_database(server_url, name)


@pytest.fixture(scope="session")
def base_url(web_engine: Engine) -> Iterator[str]:
    """The app (explorer, GraphQL, facet index) on uvicorn at 127.0.0.1:<free port>, once
    the facet index is built, as `catalog serve` runs it."""
    from api.app import create_app

    app = create_app(Settings(), web_engine)
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start or build its facet index")
        if server.started:
            ready = httpx.get(f"{url}/readyz").json()
            if ready.get("facetIndex") == "ready":
                break
        time.sleep(0.05)
    yield url
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def http(base_url: str) -> Iterator[httpx.Client]:
    """An HTTP client for the test server (redirects not followed)."""
    with httpx.Client(base_url=base_url, timeout=30) as client:
        yield client


@dataclass
class Watch:
    """What a page did that a test may not allow: console errors, requests off the machine."""

    errors: list[str] = field(default_factory=list)
    outside: list[str] = field(default_factory=list)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Headless Debian Chromium under Playwright (skips when either is missing).

    Module scope, not session: Playwright's sync API keeps an event loop running in the
    main thread, and tests of other modules that call `asyncio.run` must not see it.
    """
    if not CHROMIUM.exists():
        pytest.skip(ABSENT)
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="playwright is absent: pip install -e '.[test]'"
    )
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=OFFLINE_ARGS)
        yield launched
        launched.close()


def new_page(browser: Any, base_url: str, watch: Watch, **options: Any) -> Any:
    """A page in a fresh context: requests off 127.0.0.1 are blocked and recorded,
    console errors and uncaught exceptions are recorded."""
    context = browser.new_context(base_url=base_url, accept_downloads=True, **options)
    context.set_default_timeout(15_000)

    def route(route: Any) -> None:
        if route.request.url.startswith(base_url):
            route.continue_()
        else:
            watch.outside.append(route.request.url)
            route.abort()

    context.route("**/*", route)
    page = context.new_page()
    page.on("console", lambda msg: watch.errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: watch.errors.append(str(exc)))
    return page


@pytest.fixture
def page(browser: Any, base_url: str, tmp_path: Path) -> Iterator[Any]:
    """A browser page on the test server; a screenshot of it lands in the test's tmp
    dir, and the test fails on console errors or requests that leave the machine."""
    watch = Watch()
    opened = new_page(browser, base_url, watch, viewport={"width": 1280, "height": 900})
    yield opened
    opened.screenshot(path=str(tmp_path / "final.png"), full_page=True)
    opened.context.close()
    assert watch.errors == []
    assert watch.outside == []
