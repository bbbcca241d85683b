"""Load test of a real `catalog serve`: many concurrent clients of mixed GraphQL queries.

    .venv/bin/python -m benchmarks.load \\
        --database-url postgresql://postgres@127.0.0.1:5432/catalog_bench_200k \\
        --clients 50 200 --duration 60

It starts `catalog serve` on the database (or uses `--url` of a running server), waits
for the facet index, then for each client count runs that many clients for the duration:
each sends a mixed GraphQL query (faceted search, full-text search, a model page, a
comparison, a stats matrix, vocabularies), waits for the answer and sends the next (or,
with `--rate R`, the clients together offer R requests/s at random times, and a
request's latency counts from when it was due: the server's answer time at that load,
not the clients' pace); a share of them hang up mid-request. Meanwhile a prober times
`/healthz` every 100 ms and the server's memory is sampled every second. Afterwards it
counts the server's connections left in a transaction. It exits 1 when an acceptance
check fails: any 5xx, any connection left in a transaction, `/healthz` p99 at 100 ms or
more, or the server's memory growing by more than 25% between the first and last quarter
of a run. The clients speak HTTP/1.1 through `benchmarks.http_client` on uvloop, so the
generator takes as little as it can of the machine it shares with the server (its share
of the CPU is printed).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psutil
from sqlalchemy import create_engine, text

from benchmarks.http_client import HttpConnection, ProtocolError, ReadError, Reply
from catalog.database import normalize_url

HEALTH_P99_LIMIT_MS = 100.0
MEMORY_GROWTH_LIMIT = 0.25

SAMPLE = """query Sample { models(first: 100) { edges { node { ref } }
  facets(fields: [TASK, FORMAT, LICENSE, PLATFORM], limit: 8) { field buckets { value } } } }"""


@dataclass
class Workload:
    """What the clients ask for, drawn from the catalog itself."""

    refs: list[str]
    facets: dict[str, list[str]]

    def query(self, rng: random.Random) -> dict[str, Any]:
        """One request body of the mix."""
        kind = rng.choices(
            ["facets", "search", "model", "compare", "stats", "vocab"], [35, 25, 20, 8, 7, 5]
        )[0]
        return getattr(self, f"_{kind}")(rng)

    def _pick(self, rng: random.Random, name: str, k: int = 1) -> list[str]:
        values = self.facets.get(name) or []
        return rng.sample(values, min(k, len(values)))

    def _facets(self, rng: random.Random) -> dict[str, Any]:
        flt = {
            "tasks": self._pick(rng, "TASK"),
            "formats": self._pick(rng, "FORMAT", 2),
            "licenses": self._pick(rng, "LICENSE", 2),
        }
        return {
            "operationName": "Facets",
            "query": "query Facets($f: ModelFilter) { models(filter: $f, first: 20) { totalCount "
            "edges { node { ref name downloads parameters formats { slug } } } "
            "facets(fields: [PLATFORM, TASK, FORMAT, LICENSE, PARAMETER_RANGE]) "
            "{ field buckets { value count } } } }",
            "variables": {"f": {k: v for k, v in flt.items() if v}},
        }

    def _search(self, rng: random.Random) -> dict[str, Any]:
        words = ["bert", "llama", "resnet 50", "whisper", "base", "instruct", "gguf", "t5"]
        return {
            "operationName": "Search",
            "query": "query Search($s: String) { models(search: $s, first: 20) { totalCount "
            "edges { node { ref name tasks { slug } } } facets(fields: [TASK, FORMAT]) "
            "{ field buckets { value count } } } }",
            "variables": {"s": rng.choice(words)},
        }

    def _model(self, rng: random.Random) -> dict[str, Any]:
        return {
            "operationName": "Model",
            "query": "query Model($r: String) { model(ref: $r) { ref name license library "
            "tasks { slug } formats { slug variants totalBytes } languages datasets tags "
            "baseModels { relation parentRef } derivatives(first: 5) { totalCount } "
            "metrics { observedAt downloads } } }",
            "variables": {"r": rng.choice(self.refs)},
        }

    def _compare(self, rng: random.Random) -> dict[str, Any]:
        return {
            "operationName": "Compare",
            "query": "query Compare($r: [String!]) { compare(refs: $r) { rows { attribute "
            "values differs } } }",
            "variables": {"r": rng.sample(self.refs, min(3, len(self.refs)))},
        }

    def _stats(self, rng: random.Random) -> dict[str, Any]:
        return {
            "operationName": "Stats",
            "query": "query Stats { stats(rows: FORMAT, columns: PLATFORM) { matrix } }",
        }

    def _vocab(self, rng: random.Random) -> dict[str, Any]:
        return {
            "operationName": "Vocab",
            "query": "query Vocab { platforms { slug modelCount } formats { slug } "
            "harvestRuns(last: 5) { status } }",
        }


@dataclass
class LoadResult:
    """What one load phase measured."""

    clients: int
    duration_s: float
    offered_rate: float | None = None  # requests/s offered (open loop), None: back to back
    requests: int = 0
    statuses: dict[str, int] = field(default_factory=dict)
    graphql_errors: Counter[str] = field(default_factory=Counter)
    abandoned: int = 0
    client_errors: Counter[str] = field(default_factory=Counter)
    latencies_ms: list[float] = field(default_factory=list)
    health_ms: list[float] = field(default_factory=list)
    health_failures: int = 0
    rss_mb: list[float] = field(default_factory=list)
    # The last statements of the server's connections left in a transaction (None: not
    # checked).
    left_statements: list[str] | None = None
    generator_cpu_share: float | None = None  # of all cores: the load generator's own cost

    @property
    def idle_in_transaction(self) -> int | None:
        """Connections left in a transaction after the phase (None: not checked)."""
        return None if self.left_statements is None else len(self.left_statements)

    @property
    def server_errors(self) -> int:
        """Responses with a 5xx status."""
        return sum(n for code, n in self.statuses.items() if code.startswith("5"))

    def percentile(self, values: list[float], q: float) -> float | None:
        """The q-th percentile (0-100) of `values`."""
        if not values:
            return None
        ordered = sorted(values)
        return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]

    @property
    def memory_growth(self) -> float | None:
        """Mean RSS of the last quarter over the first quarter, minus one."""
        n = len(self.rss_mb) // 4
        if n < 1:
            return None
        return statistics.mean(self.rss_mb[-n:]) / statistics.mean(self.rss_mb[:n]) - 1

    def failures(self) -> list[str]:
        """The acceptance checks this phase fails."""
        problems = []
        if self.server_errors:
            problems.append(f"{self.server_errors} responses with a 5xx status")
        if self.idle_in_transaction:
            problems.append(
                f"{self.idle_in_transaction} connections left in a transaction, last "
                f"statements: {'; '.join(s[:200] for s in (self.left_statements or [])[:3])}"
            )
        p99 = self.percentile(self.health_ms, 99)
        if self.health_failures or p99 is None or p99 >= HEALTH_P99_LIMIT_MS:
            problems.append(f"/healthz p99 {p99} ms, {self.health_failures} failed probes")
        growth = self.memory_growth
        if growth is not None and growth > MEMORY_GROWTH_LIMIT:
            problems.append(f"server memory grew {growth:.0%}")
        return problems

    def summary(self) -> dict[str, Any]:
        """Figures for the table and --json."""
        p = self.percentile
        return {
            "clients": self.clients,
            "offered_rate": self.offered_rate,
            "duration_s": round(self.duration_s, 1),
            "requests": self.requests,
            "requests_per_s": round(self.requests / self.duration_s, 1),
            "statuses": self.statuses,
            "server_errors": self.server_errors,
            "graphql_errors": dict(self.graphql_errors.most_common(5)),
            "abandoned_by_client": self.abandoned,
            "client_errors": dict(self.client_errors),
            "latency_ms": {q: _round(p(self.latencies_ms, q)) for q in (50, 95, 99)},
            "healthz_ms": {q: _round(p(self.health_ms, q)) for q in (50, 99, 100)},
            "healthz_failures": self.health_failures,
            "rss_mb": {
                "first": _round(self.rss_mb[0] if self.rss_mb else None),
                "last": _round(self.rss_mb[-1] if self.rss_mb else None),
                "max": _round(max(self.rss_mb, default=None)),
            },
            "idle_in_transaction": self.idle_in_transaction,
            # A fraction: rounded to a tenth of a percent, not to a tenth.
            "generator_cpu_share": None
            if self.generator_cpu_share is None
            else round(self.generator_cpu_share, 3),
            "failures": self.failures(),
        }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


async def _client(
    base_url: str,
    work: Workload,
    result: LoadResult,
    *,
    stop_at: float,
    seed: int,
    disconnect_share: float,
    rate: float | None = None,
    request_timeout: float = 120.0,
) -> None:
    """Send requests back to back, or, with `rate` (this client's requests per second),
    at random (Poisson) times: then latency counts from when a request was due, so a
    server that falls behind is charged for the wait (no coordinated omission)."""
    rng = random.Random(seed)
    http = HttpConnection(base_url)
    due = time.perf_counter()
    try:
        while time.monotonic() < stop_at:
            body = work.query(rng)
            hang_up = rng.random() < disconnect_share
            started = time.perf_counter()
            if rate is not None:
                due += rng.expovariate(rate)
                await asyncio.sleep(max(0.0, due - started))
                started = due
            # Hanging up: give up after a few milliseconds, closing the connection
            # mid-request.
            timeout = rng.uniform(0.002, 0.05) if hang_up else request_timeout
            try:
                response = await http.post_json("/graphql", body, timeout)
            except TimeoutError:
                if hang_up:
                    result.abandoned += 1
                else:
                    result.client_errors["timeout"] += 1
                continue
            except (*ReadError, ProtocolError) as exc:
                result.client_errors[type(exc).__name__] += 1
                continue
            if hang_up:
                continue  # it answered before the client gave up
            _count(result, response, (time.perf_counter() - started) * 1000)
    finally:
        http.close()


def _count(result: LoadResult, response: Reply, latency_ms: float) -> None:
    result.requests += 1
    result.latencies_ms.append(latency_ms)
    code = str(response.status_code)
    result.statuses[code] = result.statuses.get(code, 0) + 1
    if response.status_code == 200:
        for error in response.json().get("errors") or []:
            result.graphql_errors[str(error.get("message"))[:80]] += 1


async def _probe_health(base_url: str, result: LoadResult, stop_at: float) -> None:
    async with httpx.AsyncClient(base_url=base_url, timeout=5.0) as http:
        while time.monotonic() < stop_at:
            started = time.perf_counter()
            try:
                response = await http.get("/healthz")
                response.raise_for_status()
                result.health_ms.append((time.perf_counter() - started) * 1000)
            except httpx.HTTPError:
                result.health_failures += 1
            await asyncio.sleep(0.1)


async def _sample_memory(pid: int | None, result: LoadResult, stop_at: float) -> None:
    if pid is None:
        return
    process = psutil.Process(pid)
    while time.monotonic() < stop_at:
        rss = process.memory_info().rss + sum(
            c.memory_info().rss for c in process.children(recursive=True)
        )
        result.rss_mb.append(rss / 2**20)
        await asyncio.sleep(1.0)


async def run_phase(
    base_url: str,
    work: Workload,
    *,
    clients: int,
    duration: float,
    disconnect_share: float = 0.1,
    server_pid: int | None = None,
    request_timeout: float = 120.0,
    rate: float | None = None,
) -> LoadResult:
    """Run `clients` clients against `base_url` for `duration` seconds: back to back,
    or offering `rate` requests per second in all (open loop)."""
    result = LoadResult(clients=clients, duration_s=duration, offered_rate=rate)
    stop_at = time.monotonic() + duration
    started, cpu_started = time.monotonic(), time.process_time()
    await asyncio.gather(
        _probe_health(base_url, result, stop_at),
        _sample_memory(server_pid, result, stop_at),
        *(
            _client(
                base_url,
                work,
                result,
                stop_at=stop_at,
                seed=seed,
                disconnect_share=disconnect_share,
                rate=None if rate is None else rate / clients,
                request_timeout=request_timeout,
            )
            for seed in range(clients)
        ),
    )
    result.duration_s = time.monotonic() - started
    # The generator shares the machine with the server: its share of all cores is what
    # the server did not get.
    used = time.process_time() - cpu_started
    result.generator_cpu_share = used / (result.duration_s * (os.cpu_count() or 1))
    return result


def sample_workload(base_url: str) -> Workload:
    """Refs and facet values to build queries from, read through the API."""
    response = httpx.post(f"{base_url}/graphql", json={"query": SAMPLE}, timeout=60)
    data = response.json()["data"]["models"]
    refs = [edge["node"]["ref"] for edge in data["edges"]]
    facets = {f["field"]: [b["value"] for b in f["buckets"]] for f in data["facets"]}
    return Workload(refs=refs or ["huggingface:none"], facets=facets)


def wait_until_idle(base_url: str, timeout: float = 10.0) -> None:
    """Wait (at most `timeout` s) until the server reports no active request: one whose
    client hung up still runs to its end, between statements most of the time."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if httpx.get(f"{base_url}/readyz", timeout=5).json().get("activeRequests") == 0:
            return
        time.sleep(0.1)


def left_in_transaction(database_url: str) -> list[str]:
    """The last statements ("application: query") of connections to the database, other
    than this check's, left idle in a transaction."""
    engine = create_engine(normalize_url(database_url))
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT application_name || ': ' || query FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid() "
                    "AND state LIKE 'idle in transaction%' "
                    # Left, not caught between a statement and its commit: idle a while.
                    "AND clock_timestamp() - state_change > interval '1 second'"
                )
            ).scalars()
            return list(rows)
    finally:
        engine.dispose()


def free_port() -> int:
    """A TCP port nobody listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(
    database_url: str, port: int, env: dict[str, str] | None = None, log: Any = None
) -> Any:
    """Start `catalog serve` and wait until it is ready and its facet index is built;
    its log goes to the open file `log` if given."""
    executable = shutil.which("catalog", path=str(Path(sys.executable).parent)) or "catalog"
    environment = {**os.environ, "DATABASE_URL": database_url, **(env or {})}
    process = subprocess.Popen(  # noqa: S603 - our own executable
        [executable, "serve", "--port", str(port)],
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=log or subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        if process.poll() is not None:
            said = process.stderr.read()[-2000:] if process.stderr else "(see its log)"
            raise RuntimeError(f"catalog serve exited: {said}")
        try:
            ready = httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2).json()
            if ready.get("facetIndex") in ("ready", "off"):
                return process
        except (httpx.HTTPError, ValueError):
            pass
        time.sleep(0.2)
    process.kill()
    raise RuntimeError("catalog serve did not become ready in 600 s")


def stop_server(process: Any, timeout: float = 30) -> float:
    """SIGTERM the server; returns how long it took to exit."""
    started = time.monotonic()
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        return float("inf")
    return time.monotonic() - started


def _event_loop() -> asyncio.AbstractEventLoop:
    """uvloop where installed: the generator's own cost is CPU the server does not get."""
    try:
        import uvloop  # noqa: PLC0415 - not on every platform
    except ImportError:
        return asyncio.new_event_loop()
    return uvloop.new_event_loop()


def _print_table(results: list[LoadResult]) -> None:
    print(
        "| clients | offered req/s | req/s | requests | 5xx | GraphQL errors | hung up "
        "| p50 / p95 / p99 ms | /healthz p50 / p99 / max ms | RSS first / last / max MB "
        "| idle in tx | generator CPU |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in results:
        s = r.summary()
        lat, health, rss = s["latency_ms"], s["healthz_ms"], s["rss_mb"]
        print(
            f"| {r.clients} | {r.offered_rate or 'back to back'} | {s['requests_per_s']} "
            f"| {r.requests} | {r.server_errors} "
            f"| {sum(r.graphql_errors.values())} | {r.abandoned} "
            f"| {lat[50]} / {lat[95]} / {lat[99]} | {health[50]} / {health[99]} / {health[100]} "
            f"| {rss['first']} / {rss['last']} / {rss['max']} | {r.idle_in_transaction} "
            f"| {(s['generator_cpu_share'] or 0):.1%} |"
        )


def main() -> None:
    """Run the load test and print the figures (exit 1 when a check fails)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--url", help="a running server instead of starting one")
    parser.add_argument("--clients", type=int, nargs="+", default=[50, 200])
    parser.add_argument("--duration", type=float, default=60.0)
    parser.add_argument("--disconnect-share", type=float, default=0.1)
    parser.add_argument(
        "--rate",
        type=float,
        help="offer this many requests/s in all (open loop; latency from when each was "
        "due) instead of sending back to back",
    )
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    process = None
    base_url = args.url
    if base_url is None:
        port = free_port()
        process = start_server(args.database_url, port)
        base_url = f"http://127.0.0.1:{port}"
    try:
        work = sample_workload(base_url)
        results = []
        for clients in args.clients:
            with asyncio.Runner(loop_factory=_event_loop) as runner:
                result = runner.run(
                    run_phase(
                        base_url,
                        work,
                        clients=clients,
                        duration=args.duration,
                        disconnect_share=args.disconnect_share,
                        server_pid=process.pid if process else None,
                        rate=args.rate,
                    )
                )
            wait_until_idle(base_url)  # requests of clients that hung up finish first
            result.left_statements = left_in_transaction(args.database_url)
            results.append(result)
    finally:
        shutdown = stop_server(process) if process else None
    if args.json:
        print(json.dumps([r.summary() for r in results] + [{"shutdown_s": shutdown}], indent=2))
    else:
        _print_table(results)
        print(f"SIGTERM to exit: {shutdown if shutdown is None else round(shutdown, 2)} s")
        for r in results:
            for problem in r.failures():
                print(f"FAIL ({r.clients} clients): {problem}")
    if any(r.failures() for r in results):
        sys.exit(1)


if __name__ == "__main__":
    main()
