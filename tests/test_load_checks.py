"""The load benchmark's check for connections a server left in a transaction."""

from __future__ import annotations

import time

from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL

from benchmarks.load import left_in_transaction


def test_a_connection_left_in_a_transaction_is_named_one_mid_commit_is_not(
    fresh_db_url: URL,
) -> None:
    url = fresh_db_url.render_as_string(hide_password=False)
    engine = create_engine(url)
    try:
        with engine.connect() as leaked:
            leaked.execute(text("SELECT 'leaked statement'"))
            # Just now between a statement and its commit: not a leak (a poller's read).
            assert left_in_transaction(url) == []
            time.sleep(1.2)
            found = left_in_transaction(url)
            assert len(found) == 1
            assert "leaked statement" in found[0]
    finally:
        engine.dispose()
