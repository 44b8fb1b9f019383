"""cell keys in bytewise collation, free space for in-place fold updates (PostgreSQL only)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 12:55:00.000000

Why: the unique index over the cell key is built by every rebuild and probed by every fold;
under a linguistic collation each comparison goes through the C library's locale rules (and
PostgreSQL cannot use abbreviated sort keys), while the keys are plain codes. A fill factor of
80 leaves room in each page, so that a fold's update of a cell stays on its page and adds no
index entry. SQLite compares bytes already and has no fill factor: nothing to do there.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KEY_COLUMNS = {
    "scope_level": 12,
    "scope_code": 12,
    "period_kind": 8,
    "question": 32,
    "breakdown": 16,
    "breakdown_value": 64,
}


def _alter(collation: str | None, fillfactor: int) -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    with op.batch_alter_table("aggregate_cell") as batch:
        for column, length in KEY_COLUMNS.items():
            batch.alter_column(
                column,
                existing_type=sa.String(length),
                type_=sa.String(length, collation=collation),
                existing_nullable=False,
            )
    op.execute(f"ALTER TABLE aggregate_cell SET (fillfactor = {fillfactor})")


def upgrade() -> None:
    _alter("C", 80)


def downgrade() -> None:
    _alter(None, 100)
