"""One batch through the pipeline: land, skip unchanged, normalize, validate, load."""

from __future__ import annotations

import datetime as dt
import logging
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from catalog.families.recompute import refresh_after_load
from catalog.loader import VocabularyIds, load_models, touch_unchanged
from catalog.loader.sql import LoadContendedError, LoadRejectedError
from catalog.raw import LandedPayload, canonical_json, payload_hash, store_payloads
from catalog.records import NormalizedModel, validate_record
from catalog.runs import quarantine
from harvesters.base import Harvester, RawRecord, RetriableHarvestError
from harvesters.report import HarvestReport

log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class BatchContext:
    """What every batch of a run shares."""

    harvester: Harvester
    platform_id: int
    run_id: int
    observed_at: dt.datetime
    vocabulary: VocabularyIds


@dataclass(frozen=True, slots=True)
class _Ready:
    raw: RawRecord
    landed: LandedPayload
    record: NormalizedModel


Bad = tuple[str | None, Any, str]


@dataclass(frozen=True, slots=True)
class LandedBatch:
    """A batch with each payload's canonical JSON and hash computed, and the records too
    broken to land (no usable id, not JSON) already set aside for the quarantine."""

    items: list[tuple[RawRecord, LandedPayload]]
    bad: list[Bad]


def land_batch(raws: Sequence[RawRecord], normalizer_version: str) -> LandedBatch:
    """Dedupe a batch and hash its payloads (pure CPU work, no database).

    The runner calls this in its fetching thread, so hashing one batch overlaps with the
    database loading the previous one.
    """
    bad: list[Bad] = []
    items = []
    for raw in _dedupe(raws, bad):
        ext = raw.external_id or ""
        try:
            text = canonical_json(raw.payload)
        except (TypeError, ValueError) as exc:
            bad.append((ext, repr(raw.payload)[:10_000], f"payload is not JSON: {exc}"))
            continue
        sha = payload_hash(text, normalizer_version)
        items.append((raw, LandedPayload(ext, text, sha, raw.fetched_at)))
    return LandedBatch(items, bad)


def process_batch(
    session: Session, ctx: BatchContext, batch: LandedBatch, report: HarvestReport
) -> None:
    """Run one landed batch inside the caller's transaction; bad records go to the quarantine.

    Unchanged payloads (same hash as landed before) only get a sighting and a metric
    point; the others are normalized, validated, loaded and landed.
    """
    bad = list(batch.bad)
    report.seen += len(batch.items) + len(bad)
    hashes = {lp.external_id: lp.sha256 for _, lp in batch.items}
    unchanged = touch_unchanged(
        session, ctx.platform_id, hashes, observed_at=ctx.observed_at, run_id=ctx.run_id
    )
    report.unchanged += len(unchanged)
    todo = [(raw, lp) for raw, lp in batch.items if lp.external_id not in unchanged]
    ready = [item for item in (_normalize(ctx, raw, lp, bad) for raw, lp in todo) if item]
    inserted, loaded = _load_isolating_failures(session, ctx, ready, bad)
    loaded_ids = [item.landed.external_id for item in ready]
    _retry_races(session, ctx, lambda: refresh_after_load(session, ctx.platform_id, loaded_ids))
    report.new += inserted
    report.changed += loaded - inserted
    for item in ready:
        report.unmapped.update(item.record.unmapped)
    quarantine(session, ctx.run_id, ctx.platform_id, bad)
    report.quarantined += len(bad)


def _dedupe(raws: Sequence[RawRecord], bad: list[Bad]) -> list[RawRecord]:
    by_id: dict[str, RawRecord] = {}
    for raw in raws:
        if not isinstance(raw.external_id, str) or not raw.external_id.strip():
            bad.append((None, raw.payload, "payload has no usable id"))
            continue
        if not _storable(raw.external_id):
            shown = raw.external_id.encode("utf-8", "replace").decode("utf-8").replace("\x00", "")
            bad.append((shown, raw.payload, "id is not valid Unicode text (NUL or lone surrogate)"))
            continue
        by_id[raw.external_id] = raw  # a repeat within a batch: the later copy wins
    return list(by_id.values())


def _storable(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return "\x00" not in value


def _normalize(
    ctx: BatchContext,
    raw: RawRecord,
    landed: LandedPayload,
    bad: list[Bad],
) -> _Ready | None:
    try:
        record = ctx.harvester.normalize(raw)
        validate_record(record, ctx.vocabulary.platforms)
        if record.external_id != landed.external_id or record.platform != ctx.harvester.name:
            raise ValueError(
                f"normalized identity {record.platform}:{record.external_id} differs from the "
                f"fetched one {ctx.harvester.name}:{landed.external_id}"
            )
    except Exception as exc:  # noqa: BLE001 - any failure of one record quarantines that record
        bad.append((landed.external_id, raw.payload, f"{type(exc).__name__}: {exc}"))
        return None
    return _Ready(raw, landed, record)


def _load_isolating_failures(
    session: Session,
    ctx: BatchContext,
    ready: list[_Ready],
    bad: list[Bad],
) -> tuple[int, int]:
    """Load the batch; if the database rejects it, split it to find the bad records.

    Returns:
        How many models were inserted, and how many were loaded in all.
    """
    if not ready:
        return 0, 0
    try:
        result = _load_retrying_races(session, ctx, ready)
    except LoadRejectedError as exc:
        if len(ready) == 1:
            reason = str(exc)
            bad.append((ready[0].landed.external_id, ready[0].raw.payload, f"rejected: {reason}"))
            log.warning("quarantined %s: %s", ready[0].landed.external_id, reason)
            return 0, 0
        # Vocabulary ids cached during the failed attempt were rolled back with it.
        ctx.vocabulary.reset(session)
        middle = len(ready) // 2
        first = _load_isolating_failures(session, ctx, ready[:middle], bad)
        second = _load_isolating_failures(session, ctx, ready[middle:], bad)
        return first[0] + second[0], first[1] + second[1]
    return result.inserted, len(ready)


CONTENTION_RETRIES = 4


def _load_retrying_races(session: Session, ctx: BatchContext, ready: list[_Ready]) -> Any:
    """Load the batch in a savepoint, retrying lost races (see `_retry_races`).

    Raises:
        LoadRejectedError: the database refused the batch.
        RetriableHarvestError: the batch kept losing races (the run fails; the next resumes).
    """

    def load() -> Any:
        result = load_models(
            session,
            [item.record for item in ready],
            observed_at=ctx.observed_at,
            run_id=ctx.run_id,
            vocabulary=ctx.vocabulary,
        )
        store_payloads(session, ctx.platform_id, [item.landed for item in ready])
        return result

    return _retry_races(session, ctx, load)


def _retry_races(session: Session, ctx: BatchContext, work: Callable[[], T]) -> T:
    """Run `work` in a savepoint; a lost race (e.g. a deadlock with a harvest of another
    hub re-deriving the same cross-hub parent) is retried, never blamed on the records.

    Raises:
        RetriableHarvestError: it kept losing races (the run fails; the next resumes).
    """
    for attempt in range(CONTENTION_RETRIES):
        try:
            with session.begin_nested():
                return work()
        except LoadContendedError as exc:
            ctx.vocabulary.reset(session)
            log.warning("batch lost a race (%s); retrying (%d)", exc, attempt + 1)
            time.sleep(0.05 * 2**attempt + random.random() * 0.05)
    raise RetriableHarvestError(
        f"a batch kept losing races with other transactions ({CONTENTION_RETRIES} tries); "
        "the next run resumes from the last committed page"
    )
