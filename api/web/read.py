"""How pages read the catalog: a gather function run in an API worker process.

Every page gathers its data in one plain module-level function
`gather_xxx(session, cache, ...)` and calls it through `read`: it runs in one of the
API's worker processes (`api.worker.run_read`) over a read-only session opened and
closed there, with that worker's facet index cache, so no database call or facet
computation runs on the serving event loop. Arguments and results cross a process
boundary, so they are plain picklable values.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from starlette.requests import Request

from api.worker import run_read

if TYPE_CHECKING:
    from api.app import AppState

T = TypeVar("T")


def app_state(request: Request) -> AppState:
    """The catalog the app serves (engine, settings, workers)."""
    state: AppState = request.app.state.catalog
    return state


async def read(request: Request, fn: Callable[..., T], *args: Any) -> T:
    """Run `fn(session, cache, *args)` in an API worker with a read-only session.

    The session has the API's statement timeout and is always closed, whatever `fn`
    raises; `cache` is the worker's facet index cache (None when it is off).
    """
    result: T = await app_state(request).executor.run(run_read, fn, *args)
    return result
