"""What a run saw: counters, unmapped hub vocabulary and bounded warnings."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

MAX_WARNINGS = 50
MAX_UNMAPPED = 100


@dataclass
class HarvestReport:
    """Counters and bounded, de-duplicated details of one run (stored on the run row)."""

    seen: int = 0
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    quarantined: int = 0
    removed: int = 0
    pages: int = 0
    problems: int = 0
    unmapped: Counter[str] = field(default_factory=Counter)
    warnings: list[str] = field(default_factory=list)
    committed: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.mark_committed()

    def warn(self, message: str) -> None:
        """Record a warning once (the list is bounded; the count is not)."""
        self.problems += 1
        if message not in self.warnings and len(self.warnings) < MAX_WARNINGS:
            self.warnings.append(message)

    def counts(self) -> dict[str, int]:
        """The counters as stored in `harvest_runs.counts`."""
        return {
            "seen": self.seen,
            "new": self.new,
            "changed": self.changed,
            "unchanged": self.unchanged,
            "quarantined": self.quarantined,
            "removed": self.removed,
            "unmapped": sum(self.unmapped.values()),
            "problems": self.problems,
            "pages": self.pages,
        }

    def mark_committed(self) -> None:
        """Remember the counters as of a commit: what a failed run reports as done."""
        self.committed = self.counts()

    def details(self) -> dict[str, Any]:
        """Unmapped values (most frequent first) and warnings, for `harvest_runs.report`."""
        return {
            "unmapped": dict(self.unmapped.most_common(MAX_UNMAPPED)),
            "warnings": list(self.warnings),
        }
