"""A hub's bundled demo snapshot: where it is, how it is read, how it is written.

A hub ships one as package data next to its module (`Harvester.demo_snapshot`, by
default `demo/payloads.jsonl.gz`): gzipped JSON lines, one payload a line, exactly as
the hub's `fetch` yields it as `RawRecord.payload`, and `about.json` beside it:

    {"platform": "tfhub", "as_of": "2024-03-18", "models": 49,
     "source": "tensorflow/tfhub.dev master (archived), 58 docs of assets/docs"}

`as_of` is the day the metadata was public on the hub (null when nobody recorded it).
Any package's hub can ship one the same way: `catalog demo` finds it through the
registry, and `HarvesterContract` checks that every payload in it normalizes.
"""

from __future__ import annotations

import datetime as dt
import gzip
import importlib.resources
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib.resources.abc import Traversable
from pathlib import Path, PurePosixPath
from typing import Any

from catalog.errors import CatalogError
from harvesters.base import Harvester, RawRecord

ABOUT = "about.json"


class SnapshotError(CatalogError):
    """A hub's demo snapshot cannot be read; the message names the hub and the file."""


@dataclass(frozen=True, slots=True)
class Snapshot:
    """A hub's bundled demo snapshot.

    Attributes:
        platform: The hub's slug.
        payloads: The gzipped JSON lines file.
        as_of: The day the metadata was public on the hub, if known.
        source: Where the metadata came from, in a few words.
    """

    platform: str
    payloads: Traversable
    as_of: dt.date | None
    source: str

    def observed_at(self, now: dt.datetime) -> dt.datetime:
        """When the metadata was seen on the hub: `as_of` (midnight UTC), else `now`."""
        if self.as_of is None:
            return now
        return dt.datetime.combine(self.as_of, dt.time(), tzinfo=dt.UTC)


def snapshot_location(cls: type[Harvester]) -> tuple[Traversable, PurePosixPath] | None:
    """The package folder of a hub's module and its snapshot path in it (None: no snapshot)."""
    if not cls.demo_snapshot:
        return None
    module = cls.__module__
    return importlib.resources.files(module.rpartition(".")[0] or module), PurePosixPath(
        cls.demo_snapshot
    )


def find_snapshot(cls: type[Harvester]) -> Snapshot | None:
    """The hub's demo snapshot, or None when it ships none.

    Raises:
        SnapshotError: the snapshot's `about.json` is missing or unreadable.
    """
    location = snapshot_location(cls)
    if location is None:
        return None
    root, path = location
    payloads = root.joinpath(*path.parts)
    if not payloads.is_file():
        return None
    about_file = root.joinpath(*path.with_name(ABOUT).parts)
    try:
        about = json.loads(about_file.read_text("utf-8"))
        as_of = about.get("as_of")
        return Snapshot(
            cls.name,
            payloads,
            dt.date.fromisoformat(as_of) if as_of else None,
            str(about.get("source") or ""),
        )
    except (OSError, ValueError, AttributeError, TypeError) as exc:
        raise SnapshotError(
            f"the demo snapshot of {cls.name} has no readable {path.with_name(ABOUT)} "
            f"({type(exc).__name__}: {exc}): rebuild it"
        ) from exc


def read_payloads(snapshot: Snapshot) -> list[Any]:
    """Every payload of a snapshot, in file order.

    Raises:
        SnapshotError: the file is not gzipped JSON lines.
    """
    try:
        lines = gzip.decompress(snapshot.payloads.read_bytes()).decode("utf-8").splitlines()
    except (OSError, EOFError, UnicodeDecodeError) as exc:
        raise SnapshotError(
            f"the demo snapshot of {snapshot.platform} is not a gzipped text file: {exc}"
        ) from exc
    payloads = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            payloads.append(json.loads(line))
        except ValueError as exc:
            raise SnapshotError(
                f"the demo snapshot of {snapshot.platform}: line {number} is not JSON ({exc})"
            ) from exc
    return payloads


def raw_records(
    harvester: Harvester, snapshot: Snapshot, payloads: Sequence[Any], now: dt.datetime
) -> list[RawRecord]:
    """The payloads as the hub's `fetch` would have yielded them.

    The file holds payloads only; each one's external id is the one its normalized
    record carries. A payload that does not normalize keeps no id, so the pipeline
    quarantines it like any broken payload.
    """
    fetched_at = snapshot.observed_at(now)
    records = []
    for payload in payloads:
        try:
            external_id: str | None = harvester.normalize(RawRecord(None, payload)).external_id
        except Exception:  # noqa: BLE001 - the pipeline quarantines it with its reason
            external_id = None
        records.append(RawRecord(external_id, payload, fetched_at=fetched_at))
    return records


def write_snapshot(
    path: Path, platform: str, payloads: Iterable[Any], *, as_of: dt.date | None, source: str
) -> tuple[int, int]:
    """Write the payloads to `path` (gzipped JSON lines) and `about.json` beside it,
    byte for byte reproducibly (sorted keys, no gzip timestamp).

    Returns:
        How many payloads were written, and the size of the gzipped file in bytes.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [
        json.dumps(p, sort_keys=True, ensure_ascii=False, separators=(",", ":")) for p in payloads
    ]
    data = gzip.compress(("\n".join(lines) + "\n").encode("utf-8"), compresslevel=9, mtime=0)
    path.write_bytes(data)
    about = {
        "platform": platform,
        "as_of": as_of.isoformat() if as_of else None,
        "models": len(lines),
        "source": source,
        "built_with": "python -m harvesters.demo.build",
    }
    path.with_name(ABOUT).write_text(json.dumps(about, indent=2) + "\n", "utf-8")
    return len(lines), len(data)
