"""A partial index on held answers by place, for a team's review page

Revision ID: 0013
Revises: 0012

Why: the review page of a team lists the held answers of its places. Through the index of all
held answers by day (0008) PostgreSQL read every held answer of the country to keep a team's:
at 10 M responses with 10,078 held, 9,745 heap pages for the 24 answers of one place (41 ms,
and several hundred when those pages had left the cache). Led by the place, the index finds
them directly. Both indexes hold held answers only: a few entries to maintain.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_response_flagged_place",
        "response",
        ["place_id", "day"],
        postgresql_where=sa.text("flags <> 0"),
        sqlite_where=sa.text("flags <> 0"),
    )


def downgrade() -> None:
    op.drop_index("ix_response_flagged_place", table_name="response")
