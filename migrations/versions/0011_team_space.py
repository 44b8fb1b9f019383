"""Team space: comments dealt with, "nous avons fait" entries with their history, yearly notes,
digest addresses and the digests sent

Revision ID: 0011
Revises: 0010

Why (docs/decisions/0021, issue 12): a team marks comments "traité" without deleting them, keeps
a dated history of what it changed, writes its annual self-evaluation, and receives at most one
weekly digest. Each table belongs to one team and goes with it (ON DELETE CASCADE).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "digest_sent",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("week", sa.Date(), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "up_to_seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("answers", sa.Integer(), nullable=False),
        sa.Column("comments", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["team_id"], ["team.id"], name=op.f("fk_digest_sent_team_id_team"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_digest_sent")),
        sa.UniqueConstraint("team_id", "week", name=op.f("uq_digest_sent_team_id_week")),
    )
    op.create_table(
        "team_action",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("created_on", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["team_id"], ["team.id"], name=op.f("fk_team_action_team_id_team"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_team_action")),
    )
    with op.batch_alter_table("team_action", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_team_action_team_id"), ["team_id"], unique=False)

    op.create_table(
        "team_contact",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("added_on", sa.Date(), nullable=False),
        sa.Column("unsubscribed_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["team_id"], ["team.id"], name=op.f("fk_team_contact_team_id_team"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_team_contact")),
        sa.UniqueConstraint("team_id", "email", name=op.f("uq_team_contact_team_id_email")),
    )
    op.create_table(
        "team_year_note",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("done_this_year", sa.Text(), nullable=False),
        sa.Column("next_year", sa.Text(), nullable=False),
        sa.Column("saved_on", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["team.id"],
            name=op.f("fk_team_year_note_team_id_team"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_team_year_note")),
        sa.UniqueConstraint("team_id", "year", name=op.f("uq_team_year_note_team_id_year")),
    )
    op.create_table(
        "comment_review",
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column(
            "response_seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("treated_on", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["response_seq"],
            ["response.seq"],
            name=op.f("fk_comment_review_response_seq_response"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["team.id"],
            name=op.f("fk_comment_review_team_id_team"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("team_id", "response_seq", name=op.f("pk_comment_review")),
    )
    op.create_table(
        "team_action_version",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("action_id", sa.Integer(), nullable=False),
        sa.Column("saved_on", sa.Date(), nullable=False),
        sa.Column("said", sa.Text(), nullable=False),
        sa.Column("done", sa.Text(), nullable=False),
        sa.Column("done_in", sa.Date(), nullable=False),
        sa.Column("topic", sa.String(length=40), nullable=True),
        sa.Column("public", sa.Boolean(), nullable=False),
        sa.Column("withdrawn", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["action_id"],
            ["team_action.id"],
            name=op.f("fk_team_action_version_action_id_team_action"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_team_action_version")),
    )
    with op.batch_alter_table("team_action_version", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_team_action_version_action_id"), ["action_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("team_action_version", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_team_action_version_action_id"))

    op.drop_table("team_action_version")
    op.drop_table("comment_review")
    op.drop_table("team_year_note")
    op.drop_table("team_contact")
    with op.batch_alter_table("team_action", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_team_action_team_id"))

    op.drop_table("team_action")
    op.drop_table("digest_sent")
