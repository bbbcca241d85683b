"""Schedules of harvests and when each is due (pure: the clock and history are inputs).

A schedule is `every <N><s|m|h|d>` (e.g. `every 1h`), a five-field crontab (e.g.
`0 3 * * 0`, evaluated in UTC) or `off`. Due times derive from the runs recorded in the
catalog, so a restarted scheduler neither forgets nor repeats: a job that was due while
no scheduler ran is due once (missed runs coalesce), and a failed run is retried with
exponential backoff.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from apscheduler.triggers.cron import CronTrigger

from catalog.queries.operations import RunHistory

Kind = Literal["full", "incremental"]
_EVERY = re.compile(r"^every\s+(\d+)\s*([smhd])$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}
RETRY_BASE = dt.timedelta(minutes=5)


class ScheduleError(ValueError):
    """A schedule expression that is neither `every ...`, a crontab nor `off`."""


@dataclass(frozen=True, slots=True)
class Schedule:
    """When one kind of harvest of one platform should run."""

    platform: str
    kind: Kind
    expression: str
    every: dt.timedelta | None = None
    cron: CronTrigger | None = None

    @classmethod
    def parse(cls, platform: str, kind: Kind, expression: str) -> Schedule | None:
        """Parse an expression; `off` gives None.

        Raises:
            ScheduleError: the expression is malformed (the message says which forms work).
        """
        text = expression.strip().lower()
        if text in {"off", "never", ""}:
            return None
        match = _EVERY.match(text)
        if match:
            every = dt.timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})
            if every <= dt.timedelta(0):
                raise ScheduleError(f"{platform} {kind}: the interval must be positive")
            return cls(platform, kind, expression, every=every)
        try:
            cron = CronTrigger.from_crontab(standard_crontab(text), timezone=dt.UTC)
        except ValueError as exc:
            raise ScheduleError(
                f"{platform} {kind}: {expression!r} is not 'every <N>s|m|h|d', a crontab "
                f"such as '0 3 * * 0', or 'off' ({exc})"
            ) from exc
        return cls(platform, kind, expression, cron=cron)

    def next_after(self, moment: dt.datetime) -> dt.datetime:
        """The first scheduled time after `moment`."""
        if self.every is not None:
            return moment + self.every
        assert self.cron is not None
        fire = self.cron.get_next_fire_time(None, moment + dt.timedelta(microseconds=1))
        assert fire is not None
        return fire

    def due_at(self, history: RunHistory) -> dt.datetime | None:
        """When this schedule next wants a run (None: at once, it never ran).

        After failures the run is retried with backoff (5, 10, 20, ... minutes after
        the last failure), never sooner than the schedule's own next time; after a
        success the schedule resumes its normal spacing.
        """
        normal = None if history.last_success is None else self.next_after(history.last_success)
        if history.failures_since_success and history.last_failure is not None:
            retry = history.last_failure + backoff(history.failures_since_success, self)
            return retry if normal is None else max(normal, retry)
        return normal

    def period(self) -> dt.timedelta:
        """The nominal spacing of runs (for a crontab: the gap after the next fire)."""
        if self.every is not None:
            return self.every
        first = self.next_after(dt.datetime(2000, 1, 1, tzinfo=dt.UTC))
        return self.next_after(first) - first

    def is_due(self, history: RunHistory, now: dt.datetime) -> bool:
        """Whether a run should start now."""
        due = self.due_at(history)
        return due is None or due <= now


def standard_crontab(expression: str) -> str:
    """Rewrite the day-of-week field from crontab numbering (0 or 7 = Sunday) to
    APScheduler 3's (0 = Monday), so `0 3 * * 0` means Sunday as in every crontab."""
    fields = expression.split()
    if len(fields) != 5 or not any(ch.isdigit() for ch in fields[4]):
        return expression
    days: list[int] = []
    for token in fields[4].split(","):
        span, _, step = token.partition("/")
        if span == "*":
            first, last = 0, 6
        elif "-" in span:
            first, last = (int(part) for part in span.split("-", 1))
        else:
            first = last = int(span)
        days.extend(range(first, last + 1, int(step) if step else 1))
    if any(not 0 <= day <= 7 for day in days):
        raise ValueError(f"day of week out of range in {expression!r}")
    fields[4] = ",".join(str(n) for n in sorted({(day - 1) % 7 for day in days}))
    return " ".join(fields)


def backoff(failures: int, schedule: Schedule) -> dt.timedelta:
    """Wait before retrying after `failures` consecutive failures: 5 min, 10, 20, ...,
    never longer than the schedule's own period."""
    wait = RETRY_BASE * 2 ** max(0, failures - 1)
    return min(wait, schedule.period())


def load_schedules(
    configured: Mapping[str, Mapping[str, str]], defaults: Mapping[str, Mapping[str, str]]
) -> list[Schedule]:
    """Schedules of the platforms in `defaults` overlaid with the configured expressions.

    Args:
        configured: Expressions by platform and kind (`CATALOG_SCHEDULES`).
        defaults: Each hub's default expressions by kind (`Harvester.schedules`).

    Raises:
        ScheduleError: a configured expression is malformed or names an unknown kind.
    """
    schedules = []
    for platform, default in defaults.items():
        merged: dict[str, str] = dict(default)
        for kind, expression in configured.get(platform, {}).items():
            if kind not in ("full", "incremental"):
                raise ScheduleError(
                    f"{platform}: unknown schedule kind {kind!r} (use 'full' or 'incremental')"
                )
            merged[kind] = expression
        for kind, expression in merged.items():
            parsed = Schedule.parse(platform, kind, expression)  # type: ignore[arg-type]
            if parsed is not None:
                schedules.append(parsed)
    return schedules
