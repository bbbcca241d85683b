"""Raw landing: payloads as hubs sent them, with a hash that tells what changed."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from catalog.loader.sql import columns, execute, json_text


@dataclass(frozen=True, slots=True)
class LandedPayload:
    """A payload ready to land: its canonical JSON text and hash."""

    external_id: str
    json_text: str
    sha256: str
    fetched_at: dt.datetime


def canonical_json(payload: Any) -> str:
    """The JSON text a payload is hashed and stored as (sorted keys, compact)."""
    return json_text(payload, sort_keys=True)


def payload_hash(json_text: str, normalizer_version: str) -> str:
    """sha256 of the canonical payload, salted with the normalizer version.

    A new normalizer version makes every stored hash differ, so the next run normalizes
    every payload again instead of skipping the unchanged ones.
    """
    digest = hashlib.sha256(f"v{normalizer_version}\n".encode())
    digest.update(json_text.encode("utf-8"))
    return digest.hexdigest()


def store_payloads(session: Session, platform_id: int, payloads: Sequence[LandedPayload]) -> None:
    """Insert or replace the landed payloads of one platform (one statement)."""
    if not payloads:
        return
    ids, texts, hashes, fetched = columns(
        [(p.external_id, p.json_text, p.sha256, p.fetched_at) for p in payloads], 4
    )
    execute(
        session,
        "INSERT INTO raw_records (platform_id, external_id, payload, sha256, fetched_at) "
        "SELECT :p, e, j::jsonb, s, f FROM unnest(CAST(:e AS text[]), CAST(:j AS text[]), "
        "CAST(:s AS text[]), CAST(:f AS timestamptz[])) AS t(e, j, s, f) "
        "ON CONFLICT (platform_id, external_id) DO UPDATE SET payload = excluded.payload, "
        "sha256 = excluded.sha256, fetched_at = excluded.fetched_at",
        {"p": platform_id, "e": ids, "j": texts, "s": hashes, "f": fetched},
    )
