"""staff sessions, issued tokens, single-use sign-in codes and the audit log

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 00:45:00.000000

Why (docs/decisions/0015): logging out must end a session for real, so sessions live in the
database (`staff_session`, keyed by the SHA-256 of the cookie's opaque id); tokens are recorded
per person (`access_token`) so one can be revoked alone and sent a fresh single-use link
(`signin_code`, keyed by the code's SHA-256); `audit_event` records who did what and when.
Only new tables: the downgrade drops them and leaves every older table as it was.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _instant() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "access_token",
        sa.Column("jti", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("scope", sa.String(length=64), nullable=False),
        sa.Column("holder", sa.String(length=200), nullable=False),
        sa.Column("issued_at", _instant(), nullable=False),
        sa.Column("expires", _instant(), nullable=False),
        sa.Column("revoked_at", _instant(), nullable=True),
        sa.PrimaryKeyConstraint("jti", name=op.f("pk_access_token")),
    )
    op.create_table(
        "signin_code",
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("jti", sa.String(length=64), nullable=False),
        sa.Column("created", _instant(), nullable=False),
        sa.Column("expires", _instant(), nullable=False),
        sa.Column("used_at", _instant(), nullable=True),
        sa.ForeignKeyConstraint(
            ["jti"],
            ["access_token.jti"],
            name=op.f("fk_signin_code_jti_access_token"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("code_hash", name=op.f("pk_signin_code")),
    )
    with op.batch_alter_table("signin_code") as batch_op:
        batch_op.create_index(batch_op.f("ix_signin_code_jti"), ["jti"], unique=False)
    op.create_table(
        "staff_session",
        sa.Column("id_hash", sa.String(length=64), nullable=False),
        sa.Column("jti", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("scope", sa.String(length=64), nullable=False),
        sa.Column("created", _instant(), nullable=False),
        sa.Column("last_seen", _instant(), nullable=False),
        sa.Column("expires", _instant(), nullable=False),
        sa.PrimaryKeyConstraint("id_hash", name=op.f("pk_staff_session")),
    )
    with op.batch_alter_table("staff_session") as batch_op:
        batch_op.create_index(batch_op.f("ix_staff_session_jti"), ["jti"], unique=False)
    op.create_table(
        "audit_event",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("at", _instant(), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("target", sa.String(length=200), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_event")),
    )
    with op.batch_alter_table("audit_event") as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_event_at"), ["at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("audit_event") as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_event_at"))
    op.drop_table("audit_event")
    with op.batch_alter_table("staff_session") as batch_op:
        batch_op.drop_index(batch_op.f("ix_staff_session_jti"))
    op.drop_table("staff_session")
    with op.batch_alter_table("signin_code") as batch_op:
        batch_op.drop_index(batch_op.f("ix_signin_code_jti"))
    op.drop_table("signin_code")
    op.drop_table("access_token")
