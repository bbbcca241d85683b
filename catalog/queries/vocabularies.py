"""The canonical vocabularies as the API lists them."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from catalog.models import Format, Modality, Platform, Task
from catalog.queries.errors import invalid_value_error


def list_modalities(session: Session) -> list[tuple[str, str]]:
    """(slug, name) of every modality, in vocabulary order."""
    stmt = select(Modality.slug, Modality.name).order_by(Modality.id)
    return list(session.execute(stmt).tuples())


def list_tasks(session: Session, modality: str | None = None) -> list[tuple[str, str, str]]:
    """(slug, name, modality slug) of every task, or of one modality's tasks.

    Raises:
        QueryError: `modality` is not a known modality (the allowed ones are listed).
    """
    stmt = (
        select(Task.slug, Task.name, Modality.slug)
        .join(Modality, Modality.id == Task.modality_id)
        .order_by(Task.slug)
    )
    if modality is not None:
        known = list(session.scalars(select(Modality.slug)))
        if modality not in known:
            raise invalid_value_error("modality", [modality], known)
        stmt = stmt.where(Modality.slug == modality)
    return list(session.execute(stmt).tuples())


def list_formats(session: Session) -> list[tuple[str, str]]:
    """(slug, name) of every format."""
    stmt = select(Format.slug, Format.name).order_by(Format.slug)
    return list(session.execute(stmt).tuples())


def list_platforms(session: Session) -> list[tuple[str, str, str | None]]:
    """(slug, name, url) of every platform, in vocabulary order."""
    stmt = select(Platform.slug, Platform.name, Platform.url).order_by(Platform.id)
    return list(session.execute(stmt).tuples())
