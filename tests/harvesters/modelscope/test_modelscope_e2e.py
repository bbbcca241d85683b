"""`catalog harvest modelscope` through the installed executable against the local fake,
then the catalog as users meet it: status, the GraphQL API over HTTP (search by the
Chinese and the English name, platform facets), reports and the reporting views."""

from __future__ import annotations

import json
import os
import pty
import re
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL

from tests.cli import CATALOG, catalog_env, run_catalog
from tests.harvesters.modelscope.fake_modelscope import FakeModelScope

LOADED = 36  # 37 fixture models, one without a name (quarantined)
_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


@pytest.fixture
def env(fake_modelscope: FakeModelScope, fresh_db_url: URL, tmp_path: Path) -> dict[str, str]:
    return catalog_env(
        DATABASE_URL=fresh_db_url.render_as_string(hide_password=False),
        CATALOG_HOME=str(tmp_path / "home"),
        CATALOG_HARVESTERS__MODELSCOPE__URL=fake_modelscope.base_url,
        CATALOG_HARVESTERS__MODELSCOPE__PAGE_SIZE="10",
    )


def run_in_terminal(*args: str, env: dict[str, str], timeout: float = 120) -> tuple[int, str]:
    """Run `catalog ARGS...` on a pseudo-terminal (as in a shell): exit code and screen text."""
    leader, follower = pty.openpty()
    proc = subprocess.Popen(
        [str(CATALOG), *args],
        env={**env, "COLUMNS": "160", "TERM": "xterm"},
        stdin=follower,
        stdout=follower,
        stderr=follower,
    )
    os.close(follower)
    chunks: list[bytes] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    code = proc.wait(timeout=10)
    return code, _ANSI.sub("", b"".join(chunks).decode("utf-8", "replace"))


@pytest.fixture
def api_url(fresh_db_url: URL) -> Iterator[str]:
    """The API served over HTTP on 127.0.0.1 from the harvested database."""
    from api.app import create_app

    engine = create_engine(fresh_db_url)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(engine=engine, facet_index=False),
            host="127.0.0.1",
            port=port,
            log_level="warning",
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "the API did not start in time"
        assert thread.is_alive(), "the API server stopped"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}/graphql"
    server.should_exit = True
    thread.join(timeout=10)
    engine.dispose()


SEARCH = """
query ($search: String!) {
  models(search: $search, filter: {platforms: ["modelscope"]}, first: 5) {
    totalCount
    edges { node { ref name summary } }
  }
}
"""
FACETS = """
{
  models(filter: {platforms: ["modelscope"]}, first: 1) {
    totalCount
    facets(fields: [PLATFORM, TASK, LIBRARY]) { field buckets { value count } }
  }
  platforms { slug name modelCount }
}
"""


def graphql(url: str, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    response = httpx.post(url, json={"query": query, "variables": variables or {}}, timeout=30)
    body = response.json()
    assert response.status_code == 200, body
    assert not body.get("errors"), body
    data: dict[str, Any] = body["data"]
    return data


def test_harvest_shows_progress_and_a_summary_then_status_lists_the_hub(
    env: dict[str, str], fake_modelscope: FakeModelScope
) -> None:
    upgraded = run_catalog("db", "upgrade", env=env)
    assert upgraded.returncode == 0, upgraded.stderr

    code, screen = run_in_terminal("harvest", "modelscope", env=env)
    assert code == 0, screen
    assert re.search(r"modelscope\s.*\d+ pages, [\d,]+ models", screen), screen  # progress
    assert "harvest summary" in screen
    summary = next(line for line in screen.splitlines() if "succeeded" in line)
    # seen, new, changed, unchanged, quarantined, removed, unmapped
    numbers = [int(n) for n in re.findall(r"(?<![\w.])\d+(?![\w.])", summary.split("succeeded")[1])]
    assert numbers == [LOADED + 1, LOADED, 0, 0, 1, 0, 2], summary

    again = run_catalog("harvest", "modelscope", "--json", env=env)
    assert again.returncode == 0, again.stderr
    [run] = json.loads(again.stdout)
    assert run["status"] == "succeeded"
    assert run["counts"]["unchanged"] == LOADED
    assert run["counts"]["quarantined"] == 1

    status = run_catalog("status", "--json", env=env)
    assert status.returncode == 0, status.stderr
    platforms = {p["platform"]: p for p in json.loads(status.stdout)["platforms"]}
    assert (platforms["modelscope"]["name"], platforms["modelscope"]["models"]) == (
        "ModelScope",
        LOADED,
    )


SEARCHES = [
    ("麦橘千问美人", "modelscope:merjic/majicbeauty-qwen1"),  # the whole Chinese name
    ("麦橘", "modelscope:merjic/majicbeauty-qwen1"),  # its leading characters
    ("majicbeauty-qwen1", "modelscope:merjic/majicbeauty-qwen1"),  # the English name
    ("通义千问", "modelscope:Qwen/Qwen2.5-7B-Instruct"),
    ("通义千问2.5-7B-Instruct", "modelscope:Qwen/Qwen2.5-7B-Instruct"),
    ("Qwen2.5 Instruct", "modelscope:Qwen/Qwen2.5-7B-Instruct"),
    ("人脸生成图像", "modelscope:DiffSynth-Studio/Qwen-Image-Edit-F2P"),
    ("电影色调滤镜", "modelscope:dominik0420/august_film_2"),  # the Chinese description
]


def test_graphql_search_finds_a_model_by_its_chinese_or_english_name(
    env: dict[str, str], api_url: str
) -> None:
    harvested = run_catalog("harvest", "modelscope", "--json", env=env)
    assert harvested.returncode == 0, harvested.stderr
    for search, expected in SEARCHES:
        found = graphql(api_url, SEARCH, {"search": search})["models"]["edges"]
        refs = [e["node"]["ref"] for e in found]
        assert expected in refs, (search, refs)
    nothing = graphql(api_url, SEARCH, {"search": "千问美人麦橘"})["models"]["totalCount"]
    assert nothing == 0  # words are not segmented: only whole names and their beginnings


def test_facets_reports_and_views_know_the_hub(
    env: dict[str, str], api_url: str, fresh_db_url: URL
) -> None:
    harvested = run_catalog("harvest", "modelscope", "--json", env=env)
    assert harvested.returncode == 0, harvested.stderr

    with ThreadPoolExecutor(4) as pool:  # concurrent clients
        answers = list(pool.map(lambda _: graphql(api_url, FACETS), range(8)))
    assert all(a == answers[0] for a in answers)
    data = answers[0]
    assert data["models"]["totalCount"] == LOADED
    facets = {
        f["field"]: {b["value"]: b["count"] for b in f["buckets"]} for f in data["models"]["facets"]
    }
    assert facets["PLATFORM"]["modelscope"] == LOADED
    assert facets["TASK"]["text-to-image"] == 19
    assert facets["TASK"]["automatic-speech-recognition"] == 1
    assert {"pytorch", "transformers", "diffusers", "gguf"} <= set(facets["LIBRARY"])
    [platform] = [p for p in data["platforms"] if p["slug"] == "modelscope"]
    assert (platform["name"], platform["modelCount"]) == ("ModelScope", LOADED)

    report = run_catalog(
        "report", "coverage", "--platform", "modelscope", "--format", "json", env=env
    )
    assert report.returncode == 0, report.stderr
    assert "modelscope" in report.stdout
    assert "safetensors" in report.stdout

    engine = create_engine(fresh_db_url)
    with engine.connect() as conn:
        counts = dict(
            conn.execute(
                text(
                    "select format, models from reporting.format_platform_counts "
                    "where platform = 'modelscope'"
                )
            ).all()
        )
        lineage = conn.execute(
            text(
                "select p.slug, l.parent_external_id, l.relation from model_lineage l "
                "join models m on m.id = l.child_id "
                "join platforms p on p.id = l.parent_platform_id "
                "where m.external_id = 'AI-ModelScope/bert-base-uncased'"
            )
        ).all()
    engine.dispose()
    assert counts["safetensors"] >= 30
    assert counts["gguf"] == 1
    assert lineage == [("huggingface", "google-bert/bert-base-uncased", "finetune")]
