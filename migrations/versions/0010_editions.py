"""Frozen editions: each published edition and its cells as published

Revision ID: 0010
Revises: 0009

Why (docs/decisions/0020): an edition is published once, offline, with complementary
suppression computed over everything it shows; it must then read the same forever, and the
next edition must know what the earlier ones showed (cells a reader already knows count as
published when the next edition's suppression is computed). The cells are kept as published:
perturbed counts, NULL when hidden. No true count is stored.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "edition",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            primary_key=True,
            autoincrement=True,
        ),
        sa.Column("code", sa.String(8), nullable=False),
        sa.Column("published_on", sa.Date(), nullable=False),
        sa.Column("first_month", sa.Date(), nullable=False),
        sa.Column("last_month", sa.Date(), nullable=False),
        sa.Column("k", sa.Integer(), nullable=False),
        sa.Column("protection", sa.Integer(), nullable=False),
        sa.Column("cells", sa.Integer(), nullable=False),
        sa.Column("hidden", sa.Integer(), nullable=False),
        sa.UniqueConstraint("code"),
    )
    op.create_table(
        "edition_cell",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            primary_key=True,
            autoincrement=True,
        ),
        sa.Column(
            "edition_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            sa.ForeignKey("edition.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("scope_level", sa.String(12), nullable=False),
        sa.Column("scope_code", sa.String(12), nullable=False),
        sa.Column("period_kind", sa.String(12), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("table_name", sa.String(32), nullable=False),
        sa.Column("category", sa.String(64), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=True),
        sa.Column("reason", sa.String(16), nullable=False),
    )
    op.create_index("ix_edition_cell_edition", "edition_cell", ["edition_id"])


def downgrade() -> None:
    op.drop_index("ix_edition_cell_edition", table_name="edition_cell")
    op.drop_table("edition_cell")
    op.drop_table("edition")
