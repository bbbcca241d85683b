"""index_changes: the models each transaction wrote, for the search index to follow

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01

This migration must stay compatible with the previous code version: the old code keeps
running while it applies. It adds a table and statement-level triggers; the old code
never reads the table, and the triggers only append to it.

The API's in-memory search index used to be rebuilt from scratch after every change
(32 s at 1M models). With this log it patches itself: triggers on every table the index
reads record, per statement, the distinct models it touched (one row each) with the
writing transaction's id. A reader that knows the snapshot its index was built in asks
for the rows whose transaction that snapshot did not see (`pg_visible_in_snapshot`):
exactly the models that changed since, however transactions interleave. A statement
that touches more than 20,000 models, and any TRUNCATE, log a single NULL instead
(rebuild from scratch: cheaper than patching that much, and it keeps bulk loads from
writing a row per model). A change to a vocabulary logs its code (a negative number):
that vocabulary's values and labels are read again.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Tables whose rows are a model's facet or text data, with the column naming the model.
MODEL_TABLES = {
    "models": "id",
    "model_tasks": "model_id",
    "model_modalities": "model_id",
    "model_formats": "model_id",
    "model_languages": "model_id",
    "model_datasets": "model_id",
    "model_tags": "model_id",
    "model_usages": "model_id",
    "model_derivations": "model_id",
    "model_family_paths": "model_id",
}
# Vocabularies the index reads whole (values, labels, the family tree), with the code
# their changes log (copied from catalog.models.changes: migrations never import live code).
VOCABULARY_TABLES = {
    "platforms": -1,
    "tasks": -2,
    "modalities": -3,
    "formats": -4,
    "libraries": -5,
    "licenses": -6,
    "languages": -7,
    "authors": -8,
    "datasets": -9,
    "tags": -10,
    "usages": -11,
    "license_classes": -12,
    "families": -13,
}

LOG_FUNCTION = """
CREATE FUNCTION log_index_changes() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    key_column text := TG_ARGV[0];  -- '' for a vocabulary table, whose code is TG_ARGV[1]
    source text;
    touched bigint;
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        INSERT INTO index_changes (model_id) VALUES (NULL);
        RETURN NULL;
    END IF;
    source := CASE TG_OP
        WHEN 'INSERT' THEN 'SELECT * FROM new_rows'
        WHEN 'DELETE' THEN 'SELECT * FROM old_rows'
        ELSE 'SELECT * FROM new_rows UNION ALL SELECT * FROM old_rows' END;
    IF key_column = '' THEN
        EXECUTE 'SELECT count(*) FROM (' || source || ' LIMIT 1) s' INTO touched;
        IF touched > 0 THEN
            INSERT INTO index_changes (model_id) VALUES (TG_ARGV[1]::bigint);
        END IF;
        RETURN NULL;
    END IF;
    EXECUTE format('SELECT count(DISTINCT %I) FROM (%s) s', key_column, source) INTO touched;
    IF touched > 20000 THEN
        INSERT INTO index_changes (model_id) VALUES (NULL);
    ELSIF touched > 0 THEN
        EXECUTE format(
            'INSERT INTO index_changes (model_id) SELECT DISTINCT %I FROM (%s) s',
            key_column, source);
    END IF;
    RETURN NULL;
END
$$;
"""


def _triggers(table: str, key_column: str, code: int = 0) -> list[str]:
    run = f"FOR EACH STATEMENT EXECUTE FUNCTION log_index_changes('{key_column}', '{code}')"
    return [
        f"CREATE TRIGGER index_changes_ins AFTER INSERT ON {table} "
        f"REFERENCING NEW TABLE AS new_rows {run}",
        f"CREATE TRIGGER index_changes_upd AFTER UPDATE ON {table} "
        f"REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows {run}",
        f"CREATE TRIGGER index_changes_del AFTER DELETE ON {table} "
        f"REFERENCING OLD TABLE AS old_rows {run}",
        f"CREATE TRIGGER index_changes_trunc AFTER TRUNCATE ON {table} {run}",
    ]


def upgrade() -> None:
    op.create_table(
        "index_changes",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column(
            "xid",
            sa.BigInteger(),
            server_default=sa.text("(pg_current_xact_id())::text::bigint"),
            nullable=False,
            comment="the writing transaction (xid8 as bigint)",
        ),
        sa.Column(
            "model_id",
            sa.BigInteger(),
            nullable=True,
            comment="the model; < 0: a vocabulary changed; null: rebuild everything",
        ),
        sa.Column(
            "logged_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_index_changes")),
    )
    op.create_index("ix_index_changes_xid", "index_changes", ["xid"])
    op.create_index(
        "ix_index_changes_logged_at", "index_changes", ["logged_at"], postgresql_using="brin"
    )
    op.execute(LOG_FUNCTION)
    for table, key_column in MODEL_TABLES.items():
        for statement in _triggers(table, key_column):
            op.execute(statement)
    for table, code in VOCABULARY_TABLES.items():
        for statement in _triggers(table, "", code):
            op.execute(statement)
    # Whatever index a server holds now was built without the log: rebuild it once.
    op.execute("INSERT INTO index_changes (model_id) VALUES (NULL)")


def downgrade() -> None:
    for table in (*MODEL_TABLES, *VOCABULARY_TABLES):
        for suffix in ("ins", "upd", "del", "trunc"):
            op.execute(f"DROP TRIGGER index_changes_{suffix} ON {table}")
    op.execute("DROP FUNCTION log_index_changes()")
    op.drop_table("index_changes")
