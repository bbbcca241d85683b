"""A stopping process does not wait out HTTP retry back-offs."""

from __future__ import annotations

import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent("""
    import threading, time
    from harvesters.base import FatalHarvestError
    from harvesters.http import HttpClient, RetryPolicy, begin_shutdown

    client = HttpClient(policy=RetryPolicy(attempts=5, base_delay=60, max_delay=60, timeout=1))
    threading.Timer(0.5, begin_shutdown).start()
    started = time.monotonic()
    try:
        client.get_json("http://127.0.0.1:9/api/models")
    except FatalHarvestError as exc:
        print(f"{time.monotonic() - started:.1f} {exc}")
""")


def test_begin_shutdown_ends_a_retry_wait_at_once() -> None:
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=60, check=True
    )
    seconds, message = result.stdout.strip().split(" ", 1)
    assert float(seconds) < 10  # not the minutes of back-off the policy asks for
    assert "shutting down" in message
