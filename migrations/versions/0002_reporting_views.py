"""reporting views for dashboards

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29

This migration must stay compatible with the previous code version: the old code keeps
running while it applies (add columns nullable, backfill, then constrain in a later one).

Dashboards (Superset, Metabase, Grafana) read the `reporting` schema only; its views are
a stable contract, so changes add columns or new views, never rename.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

VIEWS = {
    "models_flat": """
        SELECT m.id AS model_id,
               p.slug AS platform,
               m.external_id,
               p.slug || ':' || m.external_id AS ref,
               m.name,
               a.slug AS author,
               l.slug AS license,
               lib.slug AS library,
               m.parameters,
               m.downloads,
               m.downloads_all_time,
               m.likes,
               m.trending_score,
               m.created_at,
               m.last_modified,
               m.gated,
               m.url,
               m.first_seen_at,
               s.last_seen_at,
               m.removed_at,
               (SELECT string_agg(t.slug, ',' ORDER BY t.slug) FROM model_tasks mt
                  JOIN tasks t ON t.id = mt.task_id WHERE mt.model_id = m.id) AS tasks,
               (SELECT string_agg(mo.slug, ',' ORDER BY mo.slug) FROM model_modalities mm
                  JOIN modalities mo ON mo.id = mm.modality_id WHERE mm.model_id = m.id)
                 AS modalities,
               (SELECT string_agg(f.slug, ',' ORDER BY f.slug) FROM model_formats mf
                  JOIN formats f ON f.id = mf.format_id WHERE mf.model_id = m.id) AS formats,
               (SELECT string_agg(g.code, ',' ORDER BY g.code) FROM model_languages ml
                  JOIN languages g ON g.id = ml.language_id WHERE ml.model_id = m.id)
                 AS languages
        FROM models m
        JOIN platforms p ON p.id = m.platform_id
        LEFT JOIN authors a ON a.id = m.author_id
        LEFT JOIN licenses l ON l.id = m.license_id
        LEFT JOIN libraries lib ON lib.id = m.library_id
        LEFT JOIN model_sightings s ON s.model_id = m.id
    """,
    "format_platform_counts": """
        SELECT f.slug AS format, p.slug AS platform, count(*) AS models
        FROM model_formats mf
        JOIN models m ON m.id = mf.model_id AND m.removed_at IS NULL
        JOIN formats f ON f.id = mf.format_id
        JOIN platforms p ON p.id = m.platform_id
        GROUP BY f.slug, p.slug
    """,
    "task_modality_counts": """
        SELECT t.slug AS task, mo.slug AS modality, count(*) AS models
        FROM model_tasks mt
        JOIN models m ON m.id = mt.model_id AND m.removed_at IS NULL
        JOIN tasks t ON t.id = mt.task_id
        JOIN modalities mo ON mo.id = t.modality_id
        GROUP BY t.slug, mo.slug
    """,
    "daily_downloads_per_platform": """
        SELECT day, platform, sum(downloads) AS downloads, count(*) AS models
        FROM (
            SELECT DISTINCT ON (mm.model_id, date_trunc('day', mm.observed_at))
                   date_trunc('day', mm.observed_at AT TIME ZONE 'UTC')::date AS day,
                   p.slug AS platform,
                   mm.downloads
            FROM model_metrics mm
            JOIN models m ON m.id = mm.model_id
            JOIN platforms p ON p.id = m.platform_id
            WHERE mm.downloads IS NOT NULL
            ORDER BY mm.model_id, date_trunc('day', mm.observed_at), mm.observed_at DESC
        ) AS last_of_day
        GROUP BY day, platform
    """,
}


def upgrade() -> None:
    op.execute("CREATE SCHEMA IF NOT EXISTS reporting")
    for name, body in VIEWS.items():
        op.execute(f"CREATE OR REPLACE VIEW reporting.{name} AS {body}")
        op.execute(f"COMMENT ON VIEW reporting.{name} IS 'model-catalog dashboard view; stable'")


def downgrade() -> None:
    for name in reversed(list(VIEWS)):
        op.execute(f"DROP VIEW IF EXISTS reporting.{name}")
    op.execute("DROP SCHEMA IF EXISTS reporting")
