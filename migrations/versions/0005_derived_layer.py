"""derived layer: usage, memory, license classes, effective license, provenance

Revision ID: 0005
Revises: 0003
Create Date: 2026-12-01

This migration must stay compatible with the previous code version: the old code keeps
running while it applies (add columns nullable, backfill, then constrain in a later one).

New: `license_classes` (with the class of every vocabulary license, copied here from
`catalog.derive.licenses` as data), `usages`, `model_usages`, `model_derivations`, and
`provenance_sets` with `models.provenance_set_id`. `reporting.models_flat` gains the derived columns at its end.
Existing catalogs get their derivations with `catalog derive rebuild` (or as harvests
reload their models).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0005"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (slug, name, commercial use allowed, licenses of the class) as of this revision.
LICENSE_CLASSES = (
    (
        "permissive",
        "Permissive",
        True,
        "apache-2.0 mit afl-3.0 artistic-2.0 bsl-1.0 bsd-2-clause bsd-3-clause "
        "bsd-3-clause-clear cc0-1.0 cc-by-2.0 cc-by-2.5 cc-by-3.0 cc-by-4.0 "
        "cdla-permissive-1.0 cdla-permissive-2.0 wtfpl ecl-2.0 etalab-2.0 isc lppl-1.3c "
        "postgresql ncsa unlicense zlib pddl odc-by bsd openmdw-1.0 apple-ascl",
    ),
    (
        "copyleft",
        "Copyleft",
        True,
        "cc-by-sa-3.0 cc-by-sa-4.0 cdla-sharing-1.0 epl-1.0 epl-2.0 eupl-1.1 eupl-1.2 "
        "agpl-3.0 gfdl gpl-2.0 gpl-3.0 lgpl-2.1 lgpl-3.0 ms-pl mpl-2.0 odbl osl-3.0 ofl-1.1 "
        "gpl lgpl lgpl-lr",
    ),
    (
        "restricted-custom",
        "Restricted (custom terms)",
        True,
        "openrail openrail++ bigscience-openrail-m creativeml-openrail-m "
        "bigscience-bloom-rail-1.0 bigcode-openrail-m llama2 llama3 llama3.1 llama3.2 "
        "llama3.3 llama4 gemma cc-by-nd-4.0 c-uda stabilityai-ai-community "
        "nvidia-open-model-license",
    ),
    (
        "non-commercial",
        "Non-commercial",
        False,
        "cc-by-nc-2.0 cc-by-nc-3.0 cc-by-nc-4.0 cc-by-nc-nd-3.0 cc-by-nc-nd-4.0 "
        "cc-by-nc-sa-2.0 cc-by-nc-sa-3.0 cc-by-nc-sa-4.0 deepfloyd-if-license "
        "fair-noncommercial-research-license h-research intel-research apple-amlr "
        "flux-1-dev-non-commercial-license",
    ),
    ("unknown", "Unknown", None, "cc other unknown"),
)
USAGES = (
    ("feature-extraction", "Feature extraction"),
    ("fine-tuning", "Fine-tuning"),
    ("zero-shot", "Zero-/few-shot"),
)

# reporting.models_flat as revision 0002 made it; the new columns follow at the end.
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
DERIVED_COLUMNS = """,
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
DERIVED_JOINS = """
        LEFT JOIN license_classes lc ON lc.id = l.license_class_id
        LEFT JOIN model_derivations d ON d.model_id = m.id
        LEFT JOIN license_classes elc ON elc.id = d.license_class_id"""


def upgrade() -> None:
    _create_tables()
    _seed()
    op.create_table(
        "provenance_sets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "sha256", sa.Text(), nullable=False, comment="hash of the canonical JSON"
        ),
        sa.Column("sources", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_provenance_sets")),
        sa.UniqueConstraint("sha256", name=op.f("uq_provenance_sets_sha256")),
    )
    op.add_column(
        "models",
        sa.Column(
            "provenance_set_id",
            sa.Integer(),
            nullable=True,
            comment="where each normalized field came from (a set many models share)",
        ),
    )
    op.create_foreign_key(
        op.f("fk_models_provenance_set_id_provenance_sets"),
        "models",
        "provenance_sets",
        ["provenance_set_id"],
        ["id"],
    )
    body = MODELS_FLAT_0002.format(extra_columns=DERIVED_COLUMNS, extra_joins=DERIVED_JOINS)
    op.execute(f"CREATE OR REPLACE VIEW reporting.models_flat AS {body}")


def _create_tables() -> None:
    op.create_table(
        "license_classes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column(
            "commercial_use",
            sa.Boolean(),
            nullable=True,
            comment="whether licenses of this class allow commercial use (null: unknown)",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_license_classes")),
        sa.UniqueConstraint("slug", name=op.f("uq_license_classes_slug")),
    )
    op.add_column(
        "licenses",
        sa.Column(
            "license_class_id",
            sa.Integer(),
            nullable=True,
            comment="null: unknown (see catalog.derive.licenses)",
        ),
    )
    op.create_foreign_key(
        op.f("fk_licenses_license_class_id_license_classes"),
        "licenses",
        "license_classes",
        ["license_class_id"],
        ["id"],
    )
    op.create_table(
        "usages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_usages")),
        sa.UniqueConstraint("slug", name=op.f("uq_usages_slug")),
    )
    op.create_table(
        "model_usages",
        sa.Column("model_id", sa.BigInteger(), nullable=False),
        sa.Column("usage_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["model_id"],
            ["models.id"],
            name=op.f("fk_model_usages_model_id_models"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["usage_id"], ["usages.id"], name=op.f("fk_model_usages_usage_id_usages")
        ),
        sa.PrimaryKeyConstraint("model_id", "usage_id", name=op.f("pk_model_usages")),
    )
    op.create_index(
        op.f("ix_model_usages_usage_id_model_usages_model_id"), "model_usages", ["usage_id", "model_id"]
    )
    _create_derivations()


def _create_derivations() -> None:
    op.create_table(
        "model_derivations",
        sa.Column("model_id", sa.BigInteger(), nullable=False),
        sa.Column("feature_extraction", sa.Boolean(), nullable=True),
        sa.Column("fine_tuning", sa.Boolean(), nullable=True),
        sa.Column("zero_shot", sa.Boolean(), nullable=True),
        sa.Column(
            "memory_bytes",
            sa.BigInteger(),
            nullable=True,
            comment="weights only: bytes of the smallest format/variant",
        ),
        sa.Column("license_class_id", sa.Integer(), nullable=True),
        sa.Column(
            "effective_licenses",
            postgresql.ARRAY(sa.Text()),
            server_default=sa.text("'{}'::text[]"),
            nullable=False,
            comment="declared license first, then every license inherited along lineage",
        ),
        sa.Column(
            "license_conflict", sa.Boolean(), server_default=sa.text("false"), nullable=False
        ),
        sa.Column("commercial_use", sa.Boolean(), nullable=True),
        sa.Column(
            "evidence",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
            comment="usage, memory and license evidence",
        ),
        sa.Column(
            "derived_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["license_class_id"],
            ["license_classes.id"],
            name=op.f("fk_model_derivations_license_class_id_license_classes"),
        ),
        sa.ForeignKeyConstraint(
            ["model_id"],
            ["models.id"],
            name=op.f("fk_model_derivations_model_id_models"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("model_id", name=op.f("pk_model_derivations")),
    )
    op.create_index(
        op.f("ix_model_derivations_license_class_id_model_derivations_model_id"),
        "model_derivations",
        ["license_class_id", "model_id"],
    )


def _seed() -> None:
    classes = sa.table(
        "license_classes",
        sa.column("slug", sa.Text),
        sa.column("name", sa.Text),
        sa.column("commercial_use", sa.Boolean),
    )
    op.bulk_insert(
        classes,
        [{"slug": s, "name": n, "commercial_use": c} for s, n, c, _ in LICENSE_CLASSES],
    )
    usages = sa.table("usages", sa.column("slug", sa.Text), sa.column("name", sa.Text))
    op.bulk_insert(usages, [{"slug": s, "name": n} for s, n in USAGES])
    bind = op.get_bind()
    for slug, _name, _commercial, licenses in LICENSE_CLASSES:
        bind.execute(
            sa.text(
                "UPDATE licenses SET license_class_id = "
                "(SELECT id FROM license_classes WHERE slug = :c) "
                "WHERE slug = ANY(:licenses)"
            ),
            {"c": slug, "licenses": licenses.split()},
        )
    bind.execute(
        sa.text(
            "UPDATE licenses SET license_class_id = "
            "(SELECT id FROM license_classes WHERE slug = 'unknown') "
            "WHERE license_class_id IS NULL"
        )
    )


def downgrade() -> None:
    op.execute("DROP VIEW reporting.models_flat")
    body = MODELS_FLAT_0002.format(extra_columns="", extra_joins="")
    op.execute(f"CREATE VIEW reporting.models_flat AS {body}")
    op.execute("COMMENT ON VIEW reporting.models_flat IS 'model-catalog dashboard view; stable'")
    op.drop_constraint(
        op.f("fk_models_provenance_set_id_provenance_sets"), "models", type_="foreignkey"
    )
    op.drop_column("models", "provenance_set_id")
    op.drop_table("provenance_sets")
    op.drop_index(
        op.f("ix_model_derivations_license_class_id_model_derivations_model_id"), table_name="model_derivations"
    )
    op.drop_table("model_derivations")
    op.drop_index(op.f("ix_model_usages_usage_id_model_usages_model_id"), table_name="model_usages")
    op.drop_table("model_usages")
    op.drop_table("usages")
    op.drop_constraint(
        op.f("fk_licenses_license_class_id_license_classes"), "licenses", type_="foreignkey"
    )
    op.drop_column("licenses", "license_class_id")
    op.drop_table("license_classes")
