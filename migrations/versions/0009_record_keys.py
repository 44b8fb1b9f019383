"""Record keys: a secret random key per response, and the cell keys folded from them

Revision ID: 0009
Revises: 0008

Why (docs/decisions/0019): the cell key method perturbs published counts by a fixed table
indexed by each cell's key, the sum of its records' keys modulo 2**32. Keys add up like n and
sum, so folds carry them: `aggregate_cell` gains `key_sum` (the key of the totals) and
`keys_json` ({option: key}, the options of `counts_json` in the same order); a delta row's
`cells_json` entries carry the same two values after the five they had.

Upgrade:
- `response.record_key` (BIGINT NOT NULL) is added and every existing response draws a random
  key in SQL (PostgreSQL: floor(random() * 2**32); SQLite: abs(random()) % 2**32). On SQLite
  the column keeps a DEFAULT 0 in the schema: SQLite adds a NOT NULL column only with a
  default, and rebuilding `response` in batch mode would drop the old table, which under
  foreign keys deletes every answer (ON DELETE CASCADE). Every insert path sets the key.
- Stored cells and logged deltas have no key sums: both tables are EMPTIED and the fold
  watermark goes back to 0, so the next fold (the worker's, or `observatory fold`) recomputes
  every cell from the responses, exactly like `observatory rebuild`. Until it runs the
  dashboards show no figures; run `observatory rebuild` right after upgrading to avoid that.

Downgrade drops the three columns. The cells left are still right for the older code (its
readers use the first five values of a delta entry); the record keys are lost for good, and
upgrading again draws new ones and recomputes every cell. If in doubt, `observatory rebuild`.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels = None
depends_on = None

KEY_MODULUS = 2**32  # observatory.responses.models.KEY_MODULUS, frozen as of this revision


def _postgresql() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def upgrade() -> None:
    if _postgresql():
        op.add_column("response", sa.Column("record_key", sa.BigInteger(), nullable=True))
        op.execute(f"UPDATE response SET record_key = floor(random() * {KEY_MODULUS})::bigint")
        op.alter_column("response", "record_key", nullable=False)
    else:
        op.execute("ALTER TABLE response ADD COLUMN record_key BIGINT NOT NULL DEFAULT 0")
        op.execute(f"UPDATE response SET record_key = abs(random()) % {KEY_MODULUS}")
    # No cell has key sums yet: forget them all and let the next fold recompute everything.
    op.execute("DELETE FROM aggregate_delta")
    op.execute("DELETE FROM aggregate_cell")
    op.execute("UPDATE fold_watermark SET last_seq = 0")
    with op.batch_alter_table("aggregate_cell") as batch:
        batch.add_column(sa.Column("key_sum", sa.BigInteger(), nullable=False))
        batch.add_column(sa.Column("keys_json", sa.Text(), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("aggregate_cell") as batch:
        batch.drop_column("keys_json")
        batch.drop_column("key_sum")
    if _postgresql():
        op.drop_column("response", "record_key")
    else:
        # SQLite drops a plain column in place; a batch rebuild would cascade to the answers.
        op.execute("ALTER TABLE response DROP COLUMN record_key")
