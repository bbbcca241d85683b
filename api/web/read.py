"""How pages read the catalog: a sync gather function in a worker thread, with a session.

Every page gathers its data in one plain function `gather_xxx(session, ...)` and calls
it through `read`, so no database call blocks the event loop and each request's
session is opened and closed in the thread that uses it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from api.context import close_request_session, open_request_session

if TYPE_CHECKING:
    from api.app import AppState

T = TypeVar("T")


def app_state(request: Request) -> AppState:
    """The catalog the app serves (engine, settings, facet index)."""
    state: AppState = request.app.state.catalog
    return state


async def read(request: Request, fn: Callable[..., T], *args: Any) -> T:
    """Run `fn(session, *args)` in a worker thread with the request's read-only session.

    The session has the API's statement timeout and is always closed, whatever `fn`
    raises.
    """
    state = app_state(request)

    def work() -> T:
        session: Session = open_request_session(state.engine, state.settings.statement_timeout_ms)
        try:
            return fn(session, *args)
        finally:
            close_request_session(session)

    return await run_in_threadpool(work)
