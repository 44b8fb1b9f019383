"""A partial index on held (flagged) answers, so that their review and automatic release
never read the whole response table.

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_response_flagged",
        "response",
        ["day"],
        postgresql_where=sa.text("flags <> 0"),
        sqlite_where=sa.text("flags <> 0"),
    )


def downgrade() -> None:
    op.drop_index("ix_response_flagged", table_name="response")
