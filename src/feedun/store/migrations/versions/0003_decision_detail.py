"""A day's decisions are read back instead of decided again.

- runs.inputs: a fingerprint of what the run decided from (row counts and newest ids of the memory tables, the
  policy and the config). `feedun calls`/`sms`/`letters` reuse the stored run of a date only while it matches.
- decisions.detail: JSON of the room's features the outputs read (phones, tags, counts…); kept for the newest
  run only, older runs keep their decision columns.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("runs") as batch:
        batch.add_column(sa.Column("inputs", sa.Text(), nullable=True))
    with op.batch_alter_table("decisions") as batch:
        batch.add_column(sa.Column("detail", sa.Text(), nullable=True))


def downgrade() -> None:
    raise NotImplementedError("feedun migrations only go forward: restore a backup instead")
