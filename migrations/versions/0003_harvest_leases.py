"""harvest leases: the fencing token of each platform's runs

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30

This migration must stay compatible with the previous code version: the old code keeps
running while it applies (add columns nullable, backfill, then constrain in a later one).
The previous code never reads or writes the new table.

A run holds its platform's advisory lock on one connection; when that backend dies the
lock is gone while the run may go on. `harvest_leases` holds a token that every new run
bumps and that each transaction of a run checks first, so a run that lost its lock
stops at its next transaction instead of writing beside its successor.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "harvest_leases",
        sa.Column("platform_id", sa.Integer(), nullable=False),
        sa.Column(
            "token",
            sa.BigInteger(),
            nullable=False,
            comment="fencing token: bumped by every run that takes the lease",
        ),
        sa.Column("run_id", sa.BigInteger(), nullable=True),
        sa.Column(
            "holder_pid",
            sa.Integer(),
            nullable=False,
            comment="backend pid of the connection that holds the platform's advisory lock",
        ),
        sa.Column(
            "lock_key", sa.Integer(), nullable=False, comment="second key of that advisory lock"
        ),
        sa.Column(
            "acquired_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["platform_id"], ["platforms.id"], name=op.f("fk_harvest_leases_platform_id_platforms")
        ),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["harvest_runs.id"],
            name=op.f("fk_harvest_leases_run_id_harvest_runs"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("platform_id", name=op.f("pk_harvest_leases")),
    )


def downgrade() -> None:
    op.drop_table("harvest_leases")
