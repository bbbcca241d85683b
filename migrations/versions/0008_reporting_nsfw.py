"""reporting.models_flat gains nsfw

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30

This migration must stay compatible with the previous code version: the old code keeps
running while it applies (add columns nullable, backfill, then constrain in a later one).
Only a view changes: `reporting.models_flat` gains `nsfw` (migration 0007's column: true
where a hub such as Civitai flags a model not safe for work, null where the hub says
nothing) at its end, after 0006's family columns, so dashboards that read the view keep
working and the ones that need it can hide NSFW models as search does.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# reporting.models_flat as migration 0006 left it (copied: migrations never import live
# code): 0002's columns, 0005's derived columns, 0006's family columns; 0008 appends nsfw.
MODELS_FLAT_0002 = """
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
                 AS languages{extra_columns}
        FROM models m
        JOIN platforms p ON p.id = m.platform_id
        LEFT JOIN authors a ON a.id = m.author_id
        LEFT JOIN licenses l ON l.id = m.license_id
        LEFT JOIN libraries lib ON lib.id = m.library_id
        LEFT JOIN model_sightings s ON s.model_id = m.id{extra_joins}
"""
DERIVED_COLUMNS_0005 = """,
               d.feature_extraction,
               d.fine_tuning,
               d.zero_shot,
               d.memory_bytes,
               coalesce(lc.slug, CASE WHEN l.id IS NULL THEN NULL ELSE 'unknown' END)
                 AS license_class,
               array_to_string(d.effective_licenses, ',') AS effective_licenses,
               elc.slug AS effective_license_class,
               d.license_conflict,
               d.commercial_use"""
DERIVED_JOINS_0005 = """
        LEFT JOIN license_classes lc ON lc.id = l.license_class_id
        LEFT JOIN model_derivations d ON d.model_id = m.id
        LEFT JOIN license_classes elc ON elc.id = d.license_class_id"""
FAMILY_COLUMNS = """,
               fam.slug AS family,
               fam.path[1] AS family_root"""
FAMILY_JOINS = """
        LEFT JOIN model_families mfam ON mfam.model_id = m.id
        LEFT JOIN families fam ON fam.id = mfam.family_id"""
MODELS_FLAT_0006 = MODELS_FLAT_0002.format(
    extra_columns=DERIVED_COLUMNS_0005 + FAMILY_COLUMNS,
    extra_joins=DERIVED_JOINS_0005 + FAMILY_JOINS,
)
NSFW_COLUMN = """,
               m.nsfw"""
MODELS_FLAT = MODELS_FLAT_0002.format(
    extra_columns=DERIVED_COLUMNS_0005 + FAMILY_COLUMNS + NSFW_COLUMN,
    extra_joins=DERIVED_JOINS_0005 + FAMILY_JOINS,
)
STABLE = "model-catalog dashboard view; stable"


def upgrade() -> None:
    op.execute(f"CREATE OR REPLACE VIEW reporting.models_flat AS {MODELS_FLAT}")


def downgrade() -> None:
    # CREATE OR REPLACE cannot drop columns: the view is made again as 0006 left it.
    op.execute("DROP VIEW IF EXISTS reporting.models_flat")
    op.execute(f"CREATE VIEW reporting.models_flat AS {MODELS_FLAT_0006}")
    op.execute(f"COMMENT ON VIEW reporting.models_flat IS '{STABLE}'")
