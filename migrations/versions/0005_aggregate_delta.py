"""aggregate_delta: the log of cells folds append and compaction moves into aggregate_cell

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 13:25:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _key(length: int) -> sa.types.TypeEngine[str]:
    return sa.String(length).with_variant(sa.String(length, collation="C"), "postgresql")


def upgrade() -> None:
    op.create_table(
        "aggregate_delta",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("scope_level", _key(12), nullable=False),
        sa.Column("scope_code", _key(12), nullable=False),
        sa.Column("period_kind", _key(8), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("question", _key(32), nullable=False),
        sa.Column("breakdown", _key(16), nullable=False),
        sa.Column("breakdown_value", _key(64), nullable=False),
        sa.Column("n", sa.BigInteger(), nullable=False),
        sa.Column("sum", sa.BigInteger(), nullable=False),
        sa.Column("sum_sq", sa.BigInteger(), nullable=False),
        sa.Column("counts_json", sa.Text(), nullable=False),
        sa.Column("updated_on", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_aggregate_delta")),
    )
    op.create_index(
        "ix_aggregate_delta_scope", "aggregate_delta", ["scope_level", "scope_code"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_aggregate_delta_scope", table_name="aggregate_delta")
    op.drop_table("aggregate_delta")
