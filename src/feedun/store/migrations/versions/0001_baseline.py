"""Baseline: the schema feedun 0.1 created before Alembic (schema_version 3 in `meta`).

A store made by an older feedun has some or all of these tables and no alembic_version: only the missing ones
are created, so every older store arrives at the same place. Frozen: never edit a migration once released.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    existing = set(sa.inspect(op.get_bind()).get_table_names())
    created: set[str] = set()
    if "imports" not in existing:
        created.add("imports")
        op.create_table("imports",
            sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
            sa.Column("kind", sa.String(length=16), nullable=False),
            sa.Column("file_name", sa.Text(), nullable=False),
            sa.Column("sha256", sa.String(length=64), nullable=False),
            sa.Column("sheet", sa.Text(), nullable=True),
            sa.Column("as_of", sa.Date(), nullable=False),
            sa.Column("layout", sa.String(length=8), nullable=True),
            sa.Column("rows_read", sa.Integer(), nullable=False),
            sa.Column("accepted", sa.Integer(), nullable=False),
            sa.Column("rejected", sa.Integer(), nullable=False),
            sa.Column("skipped", sa.Integer(), nullable=False),
            sa.Column("column_mapping", sa.Text(), nullable=False),
            sa.Column("rejects_file", sa.Text(), nullable=True),
            sa.Column("imported_at", sa.DateTime(), nullable=False),
            sa.PrimaryKeyConstraint("id"),
            sa.UniqueConstraint("sha256")
        )
    if "meta" not in existing:
        created.add("meta")
        op.create_table("meta",
            sa.Column("key", sa.String(length=64), nullable=False),
            sa.Column("value", sa.Text(), nullable=False),
            sa.PrimaryKeyConstraint("key")
        )
    if "runs" not in existing:
        created.add("runs")
        op.create_table("runs",
            sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
            sa.Column("as_of", sa.Date(), nullable=False),
            sa.Column("policy", sa.Text(), nullable=False),
            sa.Column("created_at", sa.DateTime(), nullable=False),
            sa.PrimaryKeyConstraint("id"),
            sa.UniqueConstraint("as_of")
        )
    if "import_estates" not in existing:
        created.add("import_estates")
        op.create_table("import_estates",
            sa.Column("import_id", sa.Integer(), nullable=False),
            sa.Column("estate", sa.String(length=200), nullable=False),
            sa.ForeignKeyConstraint(["import_id"], ["imports.id"], ondelete="CASCADE"),
            sa.PrimaryKeyConstraint("import_id", "estate")
        )
    if "ledger_lines" not in existing:
        created.add("ledger_lines")
        op.create_table("ledger_lines",
            sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
            sa.Column("import_id", sa.Integer(), nullable=False),
            sa.Column("source_row", sa.Integer(), nullable=False),
            sa.Column("estate", sa.String(length=200), nullable=False),
            sa.Column("building", sa.String(length=50), nullable=False),
            sa.Column("unit", sa.String(length=50), nullable=False),
            sa.Column("room", sa.String(length=100), nullable=False),
            sa.Column("owner", sa.Text(), nullable=False),
            sa.Column("phones", sa.Text(), nullable=False),
            sa.Column("phones_invalid", sa.Text(), nullable=False),
            sa.Column("area", sa.Float(), nullable=True),
            sa.Column("fee_item", sa.String(length=100), nullable=False),
            sa.Column("period", sa.String(length=7), nullable=False),
            sa.Column("period_end", sa.String(length=7), nullable=True),
            sa.Column("due_date", sa.Date(), nullable=True),
            sa.Column("amount_due", sa.BigInteger(), nullable=True),
            sa.Column("paid", sa.BigInteger(), nullable=True),
            sa.Column("discount", sa.BigInteger(), nullable=True),
            sa.Column("outstanding", sa.BigInteger(), nullable=False),
            sa.Column("late_fee", sa.BigInteger(), nullable=False),
            sa.Column("remark", sa.Text(), nullable=False),
            sa.ForeignKeyConstraint(["import_id"], ["imports.id"], ondelete="CASCADE"),
            sa.PrimaryKeyConstraint("id")
        )
    if "ledger_lines" in created:
        op.create_index("ix_ledger_lines_import_estate_room", "ledger_lines", ["import_id", "estate", "room"], unique=False)
    if "rooms" not in existing:
        created.add("rooms")
        op.create_table("rooms",
            sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
            sa.Column("estate", sa.String(length=200), nullable=False),
            sa.Column("room", sa.String(length=100), nullable=False),
            sa.Column("owner", sa.Text(), nullable=False),
            sa.Column("collector", sa.String(length=100), nullable=True),
            sa.Column("last_import_id", sa.Integer(), nullable=True),
            sa.ForeignKeyConstraint(["last_import_id"], ["imports.id"], ondelete="SET NULL"),
            sa.PrimaryKeyConstraint("id"),
            sa.UniqueConstraint("estate", "room")
        )
    if "contacts" not in existing:
        created.add("contacts")
        op.create_table("contacts",
            sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
            sa.Column("room_id", sa.Integer(), nullable=False),
            sa.Column("owner", sa.Text(), nullable=False),
            sa.Column("at", sa.DateTime(), nullable=False),
            sa.Column("channel", sa.String(length=16), nullable=False),
            sa.Column("outcome", sa.String(length=32), nullable=False),
            sa.Column("promise_date", sa.Date(), nullable=True),
            sa.Column("promise_amount", sa.BigInteger(), nullable=True),
            sa.Column("callback_at", sa.DateTime(), nullable=True),
            sa.Column("by", sa.String(length=100), nullable=False),
            sa.Column("note", sa.Text(), nullable=False),
            sa.Column("recorded_at", sa.DateTime(), nullable=False),
            sa.ForeignKeyConstraint(["room_id"], ["rooms.id"], ondelete="CASCADE"),
            sa.PrimaryKeyConstraint("id"),
            sa.UniqueConstraint("room_id", "at", "outcome")
        )
    if "decisions" not in existing:
        created.add("decisions")
        op.create_table("decisions",
            sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
            sa.Column("run_id", sa.Integer(), nullable=False),
            sa.Column("room_id", sa.Integer(), nullable=False),
            sa.Column("owner", sa.Text(), nullable=False),
            sa.Column("tactic", sa.String(length=32), nullable=True),
            sa.Column("eligible", sa.Text(), nullable=False),
            sa.Column("hold", sa.String(length=32), nullable=True),
            sa.Column("next_action", sa.Text(), nullable=False),
            sa.Column("collector", sa.String(length=100), nullable=True),
            sa.Column("outstanding", sa.BigInteger(), nullable=False),
            sa.Column("months_overdue", sa.Integer(), nullable=False),
            sa.Column("reasons", sa.Text(), nullable=False),
            sa.ForeignKeyConstraint(["room_id"], ["rooms.id"], ondelete="CASCADE"),
            sa.ForeignKeyConstraint(["run_id"], ["runs.id"], ondelete="CASCADE"),
            sa.PrimaryKeyConstraint("id")
        )
    if "decisions" in created:
        op.create_index("ix_decisions_run", "decisions", ["run_id"], unique=False)
    if "letters" not in existing:
        created.add("letters")
        op.create_table("letters",
            sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
            sa.Column("number", sa.String(length=64), nullable=False),
            sa.Column("kind", sa.String(length=16), nullable=False),
            sa.Column("room_id", sa.Integer(), nullable=False),
            sa.Column("owner", sa.Text(), nullable=False),
            sa.Column("amount", sa.BigInteger(), nullable=False),
            sa.Column("late_fee", sa.BigInteger(), nullable=False),
            sa.Column("issued_on", sa.Date(), nullable=False),
            sa.Column("deadline", sa.Date(), nullable=True),
            sa.Column("delivery", sa.String(length=32), nullable=True),
            sa.Column("evidence", sa.Text(), nullable=True),
            sa.Column("state", sa.String(length=16), nullable=False),
            sa.Column("sent_on", sa.Date(), nullable=True),
            sa.ForeignKeyConstraint(["room_id"], ["rooms.id"], ondelete="CASCADE"),
            sa.PrimaryKeyConstraint("id"),
            sa.UniqueConstraint("number")
        )
    if "payments" not in existing:
        created.add("payments")
        op.create_table("payments",
            sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
            sa.Column("room_id", sa.Integer(), nullable=False),
            sa.Column("owner", sa.Text(), nullable=False),
            sa.Column("amount", sa.BigInteger(), nullable=False),
            sa.Column("seen_on", sa.Date(), nullable=False),
            sa.Column("import_id", sa.Integer(), nullable=False),
            sa.Column("paid_up", sa.Integer(), nullable=False),
            sa.ForeignKeyConstraint(["import_id"], ["imports.id"], ondelete="CASCADE"),
            sa.ForeignKeyConstraint(["room_id"], ["rooms.id"], ondelete="CASCADE"),
            sa.PrimaryKeyConstraint("id")
        )
    if "profiles" not in existing:
        created.add("profiles")
        op.create_table("profiles",
            sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
            sa.Column("room_id", sa.Integer(), nullable=False),
            sa.Column("owner", sa.Text(), nullable=False),
            sa.Column("tags", sa.Text(), nullable=False),
            sa.Column("dispute", sa.String(length=32), nullable=True),
            sa.Column("dispute_open", sa.Integer(), nullable=True),
            sa.Column("plate", sa.String(length=50), nullable=True),
            sa.Column("slot", sa.String(length=50), nullable=True),
            sa.Column("alt_contacts", sa.Text(), nullable=False),
            sa.Column("do_not_contact", sa.Integer(), nullable=False),
            sa.Column("workplace", sa.Text(), nullable=True),
            sa.Column("updated_at", sa.DateTime(), nullable=False),
            sa.ForeignKeyConstraint(["room_id"], ["rooms.id"], ondelete="CASCADE"),
            sa.PrimaryKeyConstraint("id"),
            sa.UniqueConstraint("room_id", "owner")
        )
    if "room_events" not in existing:
        created.add("room_events")
        op.create_table("room_events",
            sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
            sa.Column("room_id", sa.Integer(), nullable=False),
            sa.Column("at", sa.DateTime(), nullable=False),
            sa.Column("kind", sa.String(length=32), nullable=False),
            sa.Column("detail", sa.Text(), nullable=False),
            sa.ForeignKeyConstraint(["room_id"], ["rooms.id"], ondelete="CASCADE"),
            sa.PrimaryKeyConstraint("id")
        )
    if "promises" not in existing:
        created.add("promises")
        op.create_table("promises",
            sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
            sa.Column("contact_id", sa.Integer(), nullable=False),
            sa.Column("room_id", sa.Integer(), nullable=False),
            sa.Column("owner", sa.Text(), nullable=False),
            sa.Column("made_at", sa.DateTime(), nullable=False),
            sa.Column("promise_date", sa.Date(), nullable=False),
            sa.Column("amount", sa.BigInteger(), nullable=True),
            sa.Column("baseline", sa.BigInteger(), nullable=False),
            sa.Column("state", sa.String(length=16), nullable=False),
            sa.Column("paid", sa.BigInteger(), nullable=True),
            sa.Column("settled_on", sa.Date(), nullable=True),
            sa.Column("settled_import_id", sa.Integer(), nullable=True),
            sa.ForeignKeyConstraint(["contact_id"], ["contacts.id"], ondelete="CASCADE"),
            sa.ForeignKeyConstraint(["room_id"], ["rooms.id"], ondelete="CASCADE"),
            sa.ForeignKeyConstraint(["settled_import_id"], ["imports.id"], ondelete="SET NULL"),
            sa.PrimaryKeyConstraint("id"),
            sa.UniqueConstraint("contact_id")
        )


def downgrade() -> None:
    raise NotImplementedError("feedun migrations only go forward; restore a backup to go back")
