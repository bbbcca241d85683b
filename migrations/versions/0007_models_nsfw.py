"""models.nsfw: whether a hub flags a model not safe for work

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30

This migration must stay compatible with the previous code version: the old code keeps
running while it applies (add columns nullable, backfill, then constrain in a later one).
The previous code never reads the new column and its inserts leave it null.

Hubs that rate content (Civitai) say which models are NSFW; search hides those unless
a filter asks for them. Null means the hub says nothing, which search treats as safe
for work. Rows already stored stay null until their hub's next harvest re-normalizes
them (a hub that rates content bumps its normalizer version with this).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "models",
        sa.Column(
            "nsfw",
            sa.Boolean(),
            nullable=True,
            comment="not safe for work, as the hub flags it (null: the hub does not say)",
        ),
    )


def downgrade() -> None:
    op.drop_column("models", "nsfw")
