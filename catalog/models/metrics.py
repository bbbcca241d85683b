"""Popularity history: one point per model per harvest, partitioned by month."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, DateTime, ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from catalog.models.base import Base


class ModelMetric(Base):
    """Downloads and likes of a model at one moment.

    The table is range-partitioned on `observed_at` (monthly partitions plus a default
    one, see `catalog.metrics`), so old months can be detached or dropped and scans for
    a time window touch only the months they need.
    """

    __tablename__ = "model_metrics"
    __table_args__ = {"postgresql_partition_by": "RANGE (observed_at)"}  # noqa: RUF012

    model_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("models.id", ondelete="CASCADE"), primary_key=True
    )
    observed_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), primary_key=True)
    downloads: Mapped[int | None] = mapped_column(BigInteger)
    likes: Mapped[int | None] = mapped_column(BigInteger)
