"""HTTP for harvesters: timeouts, retries with backoff and jitter, typed errors.

Retried: 429, 5xx, connection errors, timeouts and bodies that are not the JSON they
claim to be (a truncated page). The wait honours `Retry-After` (seconds or HTTP date)
and the IETF `RateLimit` header the Hugging Face Hub sends (`"api";r=0;t=55`: no
requests left, window resets in 55 s). Other 4xx are fatal. Error messages never carry
request headers, so tokens cannot leak through them.
"""

from __future__ import annotations

import email.utils
import json
import logging
import random
import re
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from harvesters.base import FatalHarvestError, RetriableHarvestError

log = logging.getLogger(__name__)

RETRY_STATUS = frozenset({429, 500, 502, 503, 504})
# Set once a long-running process (scheduler, `catalog up`) is stopping: waits between
# retries end at once instead of holding the shutdown for minutes.
_SHUTDOWN = threading.Event()


def begin_shutdown() -> None:
    """Make every pending and future retry wait of this process give up at once."""
    _SHUTDOWN.set()


def _wait(delay: float) -> None:
    if _SHUTDOWN.wait(delay):
        raise FatalHarvestError("stopped while waiting to retry: the process is shutting down")


_RATELIMIT_RESET = re.compile(r"(?:^|[;,\s])t=(\d+)")
_RATELIMIT_REMAINING = re.compile(r"(?:^|[;,\s])r=(\d+)")


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How often and how long to retry.

    Attributes:
        attempts: Total tries per request (1 = no retry).
        base_delay: First backoff in seconds; doubles each retry.
        max_delay: Ceiling of one wait (also caps server-asked waits).
        timeout: Per-request timeout in seconds.
    """

    attempts: int = 6
    base_delay: float = 1.0
    max_delay: float = 120.0
    timeout: float = 60.0


def retry_after_seconds(headers: Mapping[str, str], now: float | None = None) -> float | None:
    """Seconds the server asks us to wait, from `Retry-After` or `RateLimit`, if any."""
    value = headers.get("retry-after")
    if value:
        value = value.strip()
        if value.isdigit():
            return float(value)
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            when = None
        if when is not None:
            return max(0.0, when.timestamp() - (now if now is not None else time.time()))
    ratelimit = headers.get("ratelimit")
    if ratelimit:
        remaining = _RATELIMIT_REMAINING.search(ratelimit)
        reset = _RATELIMIT_RESET.search(ratelimit)
        if reset and (remaining is None or int(remaining.group(1)) == 0):
            return float(reset.group(1))
    return None


class HttpClient:
    """A small retrying JSON/bytes client over `httpx.Client`."""

    def __init__(
        self,
        *,
        headers: Mapping[str, str] | None = None,
        policy: RetryPolicy | None = None,
        sleep: Callable[[float], None] = _wait,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.policy = policy or RetryPolicy()
        self._sleep = sleep
        self._client = httpx.Client(
            headers=dict(headers or {}),
            timeout=self.policy.timeout,
            follow_redirects=True,
            transport=transport,
        )

    def close(self) -> None:
        """Close the connection pool."""
        self._client.close()

    def get_json(
        self, url: str, params: Mapping[str, Any] | None = None
    ) -> tuple[Any, httpx.Response]:
        """GET `url` and decode JSON, retrying transient trouble.

        Returns:
            The decoded body and the response (for headers such as `Link`).

        Raises:
            FatalHarvestError: a non-retriable status, or retries spent.
        """
        return self._with_retries("GET", url, lambda r: (_decode(r), r), params=params)

    def post_json(self, url: str, body: Mapping[str, Any]) -> tuple[Any, httpx.Response]:
        """POST a JSON body and decode the JSON answer, retrying transient trouble."""
        return self._with_retries("POST", url, lambda r: (_decode(r), r), json_body=body)

    def download(self, url: str, dest: Path) -> Path:
        """Stream `url` into `dest`, retrying transient trouble. Returns `dest`."""

        def write(response: httpx.Response) -> Path:
            dest.write_bytes(response.content)
            return dest

        return self._with_retries("GET", url, write)

    def _with_retries(
        self,
        method: str,
        url: str,
        handle: Callable[[httpx.Response], Any],
        params: Mapping[str, Any] | None = None,
        json_body: Mapping[str, Any] | None = None,
    ) -> Any:
        last: RetriableHarvestError | None = None
        for attempt in range(1, self.policy.attempts + 1):
            try:
                response = self._client.request(method, url, params=params, json=json_body)
                _raise_for_status(response)
                return handle(response)
            except RetriableHarvestError as exc:
                last = exc
            except (httpx.TimeoutException, httpx.TransportError) as exc:
                last = RetriableHarvestError(f"{method} {_safe(url)}: {type(exc).__name__}: {exc}")
            if attempt < self.policy.attempts:
                delay = self._delay(attempt, last.retry_after)
                log.warning(
                    "%s (attempt %d/%d); retrying in %.1fs",
                    last,
                    attempt,
                    self.policy.attempts,
                    delay,
                )
                self._sleep(delay)
        assert last is not None
        raise FatalHarvestError(f"{last} (gave up after {self.policy.attempts} attempts)") from last

    def _delay(self, attempt: int, asked: float | None) -> float:
        if asked is not None:
            return min(asked, self.policy.max_delay)
        backoff = self.policy.base_delay * 2 ** (attempt - 1)
        # Full jitter keeps many clients from retrying in lock-step.
        return min(self.policy.max_delay, random.uniform(backoff / 2, backoff))


def _safe(url: str) -> str:
    """A URL without its query string (which may hold tokens or cursors)."""
    return url.split("?", 1)[0]


def _raise_for_status(response: httpx.Response) -> None:
    status = response.status_code
    if status < 400:
        return
    where = f"{response.request.method} {_safe(str(response.request.url))}"
    if status in RETRY_STATUS:
        raise RetriableHarvestError(
            f"{where} answered {status}", retry_after=retry_after_seconds(response.headers)
        )
    hint = {
        401: "the credentials were refused: check the token",
        403: "access denied: check the token's permissions",
        404: "not found: check the endpoint URL",
    }.get(status, "the request was refused")
    raise FatalHarvestError(f"{where} answered {status}: {hint}", status=status)


def _decode(response: httpx.Response) -> Any:
    try:
        return json.loads(response.content)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        where = f"{response.request.method} {_safe(str(response.request.url))}"
        raise RetriableHarvestError(
            f"{where} returned a body that is not valid JSON ({exc})"
        ) from exc
