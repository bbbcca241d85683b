"""model families

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 20:04:56.883286

This migration must stay compatible with the previous code version: the old code keeps
running while it applies (add columns nullable, backfill, then constrain in a later one).

The family tree (`families`, synced from the vocabulary files by `catalog families
rebuild` and after harvests), each model's family with its evidence (`model_families`),
the family path of every model for search (`model_family_paths`), the links hubs declare
between models (`model_links`) and the record of rebuilds (`family_builds`). The
assignment tables have no foreign key to `families` (checking one per written row
doubled a rebuild's writes; the tree sync deletes a removed family's rows itself). The
`reporting` views gain `models_flat.family`, `models_flat.family_root` (new columns at
the end, after 0005's derived columns, so the view stays compatible) and
`family_platform_counts`.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# reporting.models_flat as migration 0005 left it (copied: migrations never import live
# code): 0002's columns, then 0005's derived columns; 0006 appends the family columns.
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
MODELS_FLAT_0005 = MODELS_FLAT_0002.format(
    extra_columns=DERIVED_COLUMNS_0005, extra_joins=DERIVED_JOINS_0005
)
MODELS_FLAT = MODELS_FLAT_0002.format(
    extra_columns=DERIVED_COLUMNS_0005 + FAMILY_COLUMNS,
    extra_joins=DERIVED_JOINS_0005 + FAMILY_JOINS,
)
FAMILY_PLATFORM_COUNTS = """
    SELECT f.slug AS family,
           f.name AS family_name,
           f.path[1] AS family_root,
           f.depth,
           p.slug AS platform,
           count(*) AS models
    FROM model_family_paths mp
    JOIN families f ON f.id = mp.family_id
    JOIN models m ON m.id = mp.model_id AND m.removed_at IS NULL
    JOIN platforms p ON p.id = m.platform_id
    GROUP BY f.slug, f.name, f.path[1], f.depth, p.slug
"""
STABLE = "model-catalog dashboard view; stable"


def _views() -> None:
    op.execute(f"CREATE OR REPLACE VIEW reporting.models_flat AS {MODELS_FLAT}")
    op.execute(
        f"CREATE OR REPLACE VIEW reporting.family_platform_counts AS {FAMILY_PLATFORM_COUNTS}"
    )
    op.execute(f"COMMENT ON VIEW reporting.family_platform_counts IS '{STABLE}'")


def upgrade() -> None:
    op.create_table(
        "families",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column(
            "path",
            sa.ARRAY(sa.Text()),
            nullable=False,
            comment="slugs from the root down to this family",
        ),
        sa.Column("depth", sa.Integer(), nullable=False, comment="0 for a root"),
        sa.Column(
            "kind", sa.Text(), nullable=False, comment="architecture (a root), line or release"
        ),
        sa.CheckConstraint(
            "kind IN ('architecture', 'line', 'release')", name=op.f("ck_families_kind")
        ),
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["families.id"],
            name=op.f("fk_families_parent_id_families"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_families")),
        sa.UniqueConstraint("slug", name=op.f("uq_families_slug")),
    )
    op.create_index(op.f("ix_families_parent_id"), "families", ["parent_id"], unique=False)
    op.create_table(
        "family_builds",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("vocabulary_sha256", sa.Text(), nullable=False),
        sa.Column(
            "started_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("models", sa.BigInteger(), nullable=False, comment="models assigned (or not)"),
        sa.Column("assigned", sa.BigInteger(), nullable=False, comment="models that got a family"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_family_builds")),
    )
    op.create_table(
        "model_families",
        sa.Column("model_id", sa.BigInteger(), nullable=False),
        sa.Column("family_id", sa.Integer(), nullable=False, comment="families.id"),
        sa.Column(
            "method",
            sa.Text(),
            nullable=False,
            comment="curated, lineage, link, architecture or name",
        ),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=True),
        sa.Column(
            "derivative",
            sa.Boolean(),
            server_default=sa.text("false"),
            nullable=False,
            comment="a fine-tune, adapter, quantization or merge of the family's release",
        ),
        sa.Column(
            "computed_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "method IN ('curated', 'lineage', 'link', 'architecture', 'name')",
            name=op.f("ck_model_families_method"),
        ),
        sa.ForeignKeyConstraint(
            ["model_id"],
            ["models.id"],
            name=op.f("fk_model_families_model_id_models"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("model_id", name=op.f("pk_model_families")),
    )
    op.create_index(
        op.f("ix_model_families_family_id_model_families_model_id"),
        "model_families",
        ["family_id", "model_id"],
        unique=False,
    )
    op.create_table(
        "model_family_paths",
        sa.Column("model_id", sa.BigInteger(), nullable=False),
        sa.Column(
            "family_id",
            sa.Integer(),
            nullable=False,
            comment="families.id (no foreign key, as model_families)",
        ),
        sa.ForeignKeyConstraint(
            ["model_id"],
            ["models.id"],
            name=op.f("fk_model_family_paths_model_id_models"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("model_id", "family_id", name=op.f("pk_model_family_paths")),
    )
    op.create_index(
        op.f("ix_model_family_paths_family_id_model_family_paths_model_id"),
        "model_family_paths",
        ["family_id", "model_id"],
        unique=False,
    )
    op.create_table(
        "model_links",
        sa.Column("model_id", sa.BigInteger(), nullable=False),
        sa.Column("target_platform_id", sa.Integer(), nullable=False),
        sa.Column("target_external_id", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["model_id"],
            ["models.id"],
            name=op.f("fk_model_links_model_id_models"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["target_platform_id"],
            ["platforms.id"],
            name=op.f("fk_model_links_target_platform_id_platforms"),
        ),
        sa.PrimaryKeyConstraint(
            "model_id", "target_platform_id", "target_external_id", name=op.f("pk_model_links")
        ),
    )
    op.create_index(
        op.f("ix_model_links_target_platform_id_model_links_target_external_id"),
        "model_links",
        ["target_platform_id", "target_external_id"],
        unique=False,
    )
    _views()


def downgrade() -> None:
    op.execute("DROP VIEW IF EXISTS reporting.family_platform_counts")
    # CREATE OR REPLACE cannot drop columns: the view is made again as 0005 left it.
    op.execute("DROP VIEW IF EXISTS reporting.models_flat")
    op.execute(f"CREATE VIEW reporting.models_flat AS {MODELS_FLAT_0005}")
    op.execute(f"COMMENT ON VIEW reporting.models_flat IS '{STABLE}'")
    op.drop_index(
        op.f("ix_model_links_target_platform_id_model_links_target_external_id"),
        table_name="model_links",
    )
    op.drop_table("model_links")
    op.drop_index(
        op.f("ix_model_family_paths_family_id_model_family_paths_model_id"),
        table_name="model_family_paths",
    )
    op.drop_table("model_family_paths")
    op.drop_index(
        op.f("ix_model_families_family_id_model_families_model_id"), table_name="model_families"
    )
    op.drop_table("model_families")
    op.drop_table("family_builds")
    op.drop_index(op.f("ix_families_parent_id"), table_name="families")
    op.drop_table("families")
