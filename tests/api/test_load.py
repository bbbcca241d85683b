"""The API under concurrent load, through a real `catalog serve`: it never wedges, never
leaks a connection in a transaction, keeps /healthz answering and stops on SIGTERM.

The server runs with 3 request slots, so 40 or 50 clients always queue: before
requests ran in worker threads, 16 concurrent searches already wedged the server for
good (every pooled connection idle in a transaction, /healthz dead).
"""

from __future__ import annotations

import asyncio
import signal
import subprocess
import time
from collections.abc import Iterator

import httpx
import pytest

from benchmarks.load import run_phase, sample_workload
from tests.api.served import Served, serve_catalog

SEARCH = (
    '{ models(search: "bert", first: 20) { totalCount edges { node { ref tasks { slug } } } } }'
)


@pytest.fixture(scope="module")
def served(server_url, template_db) -> Iterator[Served]:
    yield from serve_catalog(server_url, template_db, env={"CATALOG_API_WORKERS": "2"})


async def _burst(base_url: str, clients: int) -> list[httpx.Response]:
    async with httpx.AsyncClient(base_url=base_url, timeout=60) as http:
        return await asyncio.gather(
            *(http.post("/graphql", json={"query": SEARCH}) for _ in range(clients))
        )


def test_forty_identical_searches_at_once_all_answer(served: Served) -> None:
    responses = asyncio.run(_burst(served.base_url, 40))
    assert [r.status_code for r in responses] == [200] * 40
    bodies = [r.json() for r in responses]
    assert all("errors" not in b for b in bodies), bodies[0]
    assert {b["data"]["models"]["totalCount"] for b in bodies} == {30}
    assert httpx.get(f"{served.base_url}/healthz", timeout=5).status_code == 200
    assert served.left_in_transaction() == []


def test_mixed_load_with_hangups_leaves_nothing_behind(served: Served) -> None:
    work = sample_workload(served.base_url)
    result = asyncio.run(
        run_phase(
            served.base_url,
            work,
            clients=50,
            duration=6,
            disconnect_share=0.2,
            server_pid=served.process.pid,
        )
    )
    assert result.requests > 50
    assert result.server_errors == 0, result.statuses
    assert not result.client_errors, result.client_errors
    assert result.abandoned > 0  # some clients really hung up mid-request
    assert not result.graphql_errors, result.graphql_errors
    # /healthz kept answering throughout (the 100 ms goal is the benchmark's: CI
    # machines are noisy, a wedged server takes seconds or never answers).
    assert result.health_failures == 0
    assert max(result.health_ms) < 2000
    assert served.left_in_transaction() == []  # once hung-up clients' requests end
    assert (
        httpx.post(f"{served.base_url}/graphql", json={"query": SEARCH}, timeout=30).json()["data"][
            "models"
        ]["totalCount"]
        == 30
    )


async def _load_then_term(served: Served) -> float:
    work = sample_workload(served.base_url)
    task = asyncio.create_task(
        run_phase(served.base_url, work, clients=30, duration=8, disconnect_share=0)
    )
    await asyncio.sleep(1.5)
    started = time.monotonic()
    served.process.send_signal(signal.SIGTERM)
    await asyncio.to_thread(served.process.wait, 30)
    elapsed = time.monotonic() - started
    await task
    return elapsed


def test_sigterm_stops_the_server_under_load(server_url, template_db) -> None:
    for served in serve_catalog(server_url, template_db, models=50):
        assert asyncio.run(_load_then_term(served)) < 15
        assert served.process.returncode is not None


def test_serve_on_a_taken_port_says_so_in_one_line(served: Served) -> None:
    port = served.base_url.rsplit(":", 1)[1]
    done = subprocess.run(
        [_catalog(), "serve", "--port", port],
        env={**_env(), "DATABASE_URL": served.db_url.render_as_string(hide_password=False)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        f"error: port {port} on 127.0.0.1 is already in use (another `catalog serve`?); "
        "stop it or choose another with --port"
    ]
    assert "GraphQL API on" not in done.stdout + done.stderr


def _catalog() -> str:
    import shutil
    import sys
    from pathlib import Path

    return shutil.which("catalog", path=str(Path(sys.executable).parent)) or "catalog"


def _env() -> dict[str, str]:
    import os

    return dict(os.environ)
