"""Declarative base with a constraint naming convention, and shared column types."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from sqlalchemy import BigInteger, DateTime, MetaData, Text, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, mapped_column

# Stable constraint names, so Alembic migrations can refer to them by name.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_N_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

utc_datetime = Annotated[dt.datetime, mapped_column(DateTime(timezone=True))]
created_now = Annotated[
    dt.datetime, mapped_column(DateTime(timezone=True), server_default=func.now())
]
int_pk = Annotated[int, mapped_column(primary_key=True)]
bigint_pk = Annotated[int, mapped_column(BigInteger, primary_key=True)]
slug = Annotated[str, mapped_column(Text, unique=True)]
json_doc = Annotated[dict[str, Any], mapped_column(JSONB)]


class Base(DeclarativeBase):
    """Base of every ORM model; its metadata is what Alembic compares against."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {  # noqa: RUF012 - SQLAlchemy reads this class attribute
        str: Text,
        dt.datetime: DateTime(timezone=True),
        dict[str, Any]: JSONB,
    }
