"""Harvest bookkeeping: raw landing, runs, cursors, leases and the quarantine."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Index, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from catalog.models.base import Base, bigint_pk, created_now


class RawRecord(Base):
    """The last payload a hub sent for a model, with its hash to detect change."""

    __tablename__ = "raw_records"

    platform_id: Mapped[int] = mapped_column(ForeignKey("platforms.id"), primary_key=True)
    external_id: Mapped[str] = mapped_column(primary_key=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSONB)
    sha256: Mapped[str] = mapped_column(comment="hex sha256 of the canonical JSON payload")
    fetched_at: Mapped[created_now]


class HarvestRun(Base):
    """One harvest of one platform, with its counts, status and checkpoint."""

    __tablename__ = "harvest_runs"
    __table_args__ = (
        Index("ix_harvest_runs_platform_started", "platform_id", text("started_at DESC")),
    )

    id: Mapped[bigint_pk] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("platforms.id"))
    kind: Mapped[str] = mapped_column(comment="full or incremental")
    status: Mapped[str] = mapped_column(
        comment="running, succeeded, failed, interrupted", server_default="running"
    )
    started_at: Mapped[created_now]
    finished_at: Mapped[dt.datetime | None]
    counts: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default=text("'{}'::jsonb"))
    error_summary: Mapped[str | None]
    checkpoint: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    report: Mapped[dict[str, Any]] = mapped_column(
        JSONB, server_default=text("'{}'::jsonb"), comment="warnings, unmapped values, ..."
    )


class HarvestCursor(Base):
    """Where the next run of a platform resumes; written with the batch it covers."""

    __tablename__ = "harvest_cursors"

    platform_id: Mapped[int] = mapped_column(ForeignKey("platforms.id"), primary_key=True)
    scope: Mapped[str] = mapped_column(primary_key=True, comment="full or incremental")
    value: Mapped[dict[str, Any]] = mapped_column(JSONB)
    run_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("harvest_runs.id"))
    updated_at: Mapped[created_now]


class HarvestLease(Base):
    """Which run owns a platform's harvests, fenced by a token every new run bumps.

    A run writes only in transactions that first lock this row and find its own token
    and its advisory lock still held (see `catalog.leases`).
    """

    __tablename__ = "harvest_leases"

    platform_id: Mapped[int] = mapped_column(ForeignKey("platforms.id"), primary_key=True)
    token: Mapped[int] = mapped_column(
        BigInteger, comment="fencing token: bumped by every run that takes the lease"
    )
    run_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("harvest_runs.id", ondelete="SET NULL")
    )
    holder_pid: Mapped[int] = mapped_column(
        comment="backend pid of the connection that holds the platform's advisory lock"
    )
    lock_key: Mapped[int] = mapped_column(comment="second key of that advisory lock")
    acquired_at: Mapped[created_now]


class QuarantinedRecord(Base):
    """A record that could not be normalized or loaded, kept with its payload and why."""

    __tablename__ = "quarantine"
    __table_args__ = (Index(None, "platform_id", "external_id"),)

    id: Mapped[bigint_pk] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    run_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("harvest_runs.id", ondelete="CASCADE"), index=True
    )
    platform_id: Mapped[int] = mapped_column(ForeignKey("platforms.id"))
    external_id: Mapped[str | None]
    payload: Mapped[Any] = mapped_column(JSONB)
    reason: Mapped[str]
    created_at: Mapped[created_now]
