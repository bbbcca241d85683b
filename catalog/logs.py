"""Logging set-up: plain text for people, JSON lines for log pipelines."""

from __future__ import annotations

import datetime as dt
import json
import logging
import sys

from catalog.settings import Settings

_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """One JSON object per line with time, level, logger, message and extra fields."""

    def format(self, record: logging.LogRecord) -> str:
        """Render `record` as a JSON line."""
        doc = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        doc.update({k: v for k, v in vars(record).items() if k not in _STANDARD})
        if record.exc_info:
            doc["exception"] = self.formatException(record.exc_info)
        return json.dumps(doc, default=str)


def configure_logging(settings: Settings) -> None:
    """Route logs to stderr in the configured format (`CATALOG_LOG_FORMAT`)."""
    handler = logging.StreamHandler(sys.stderr)
    if settings.log_format == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(settings.log_level.upper())
    for noisy in ("httpx", "httpcore", "apscheduler.executors.default"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    # A due-check tick that finds the previous one still harvesting is skipped by design
    # (max_instances=1); APScheduler would warn about it on every tick.
    logging.getLogger("apscheduler.scheduler").setLevel(logging.ERROR)
