"""Letter numbers from a locked per-year counter; unbounded text for what users type, on PostgreSQL.

- letter_sequences(kind, year, last): the last sequence number given out. Taking the row lock serialises
  concurrent `feedun letters` runs, so numbers stay unique and gap-free per year on any backend. Seeded with
  the number of letters each kind already has per year (how numbers were counted before).
- VARCHAR(n) -> TEXT for estate, building, unit, room, fee item, collector, plate, slot and letter numbers:
  SQLite never enforced the lengths, PostgreSQL would reject a long room name the importer had accepted.

Revision ID: 0002
Revises: 0001
"""

from collections import Counter

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

WIDENED = {
    "import_estates": ["estate"],
    "ledger_lines": ["estate", "building", "unit", "room", "fee_item"],
    "rooms": ["estate", "room", "collector"],
    "contacts": ["by"],
    "profiles": ["plate", "slot"],
    "letters": ["number"],
    "decisions": ["collector"],
}


def upgrade() -> None:
    bind = op.get_bind()
    sequences = op.create_table(
        "letter_sequences",
        sa.Column("kind", sa.String(16), primary_key=True),
        sa.Column("year", sa.Integer(), primary_key=True),
        sa.Column("last", sa.Integer(), nullable=False),
    )
    letters = sa.table("letters", sa.column("kind", sa.String), sa.column("issued_on", sa.Date))
    issued = Counter((kind, issued_on.year) for kind, issued_on in bind.execute(
        sa.select(letters.c.kind, letters.c.issued_on)).all() if issued_on is not None)
    if issued:
        op.bulk_insert(sequences, [{"kind": k, "year": y, "last": n} for (k, y), n in sorted(issued.items())])
    if bind.dialect.name != "sqlite":  # SQLite ignores VARCHAR lengths; rebuilding its tables would gain nothing
        for table, columns in WIDENED.items():
            for column in columns:
                op.alter_column(table, column, type_=sa.Text())
