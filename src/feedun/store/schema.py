"""The tables. Changes to them go through an Alembic migration (store/migrations/versions)."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

# Informational copy of the Alembic head in `meta` (store/migrate.py keeps it); Alembic's revision decides.
# 2: rooms, contacts, promises, payments, profiles; 3: letters, runs, decisions; 4: Alembic, letter_sequences;
# 5: runs.inputs and decisions.detail (decisions read back).
SCHEMA_VERSION = 5

metadata = MetaData()

meta = Table(
    "meta", metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

imports = Table(
    "imports", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kind", String(16), nullable=False),  # ledger (later: calls, profiles)
    Column("file_name", Text, nullable=False),
    Column("sha256", String(64), nullable=False, unique=True),
    Column("sheet", Text),
    Column("as_of", Date, nullable=False),
    Column("layout", String(8)),
    Column("rows_read", Integer, nullable=False),
    Column("accepted", Integer, nullable=False),
    Column("rejected", Integer, nullable=False),
    Column("skipped", Integer, nullable=False),
    Column("column_mapping", Text, nullable=False),  # JSON: field -> header as written
    Column("rejects_file", Text),
    Column("imported_at", DateTime, nullable=False),
)

# Which estates an import is a snapshot of: the newest import of an estate is its current ledger.
import_estates = Table(
    "import_estates", metadata,
    Column("import_id", Integer, ForeignKey("imports.id", ondelete="CASCADE"), primary_key=True),
    Column("estate", Text, primary_key=True),
)

# Money is integer fen; NULL where the ledger did not say (e.g. amount_due in a wide layout).
ledger_lines = Table(
    "ledger_lines", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("import_id", Integer, ForeignKey("imports.id", ondelete="CASCADE"), nullable=False),
    Column("source_row", Integer, nullable=False),
    Column("estate", Text, nullable=False),
    Column("building", Text, nullable=False),
    Column("unit", Text, nullable=False),
    Column("room", Text, nullable=False),
    Column("owner", Text, nullable=False),
    Column("phones", Text, nullable=False),  # comma-separated valid numbers
    Column("phones_invalid", Text, nullable=False),  # what the ledger said that is not a number
    Column("area", Float),
    Column("fee_item", Text, nullable=False),
    Column("period", String(7), nullable=False),  # YYYY-MM, start month
    Column("period_end", String(7)),  # YYYY-MM when the line covers a range
    Column("due_date", Date),
    Column("amount_due", BigInteger),
    Column("paid", BigInteger),
    Column("discount", BigInteger),
    Column("outstanding", BigInteger, nullable=False),
    Column("late_fee", BigInteger, nullable=False),
    Column("remark", Text, nullable=False),
)
Index("ix_ledger_lines_import_estate_room", ledger_lines.c.import_id, ledger_lines.c.estate, ledger_lines.c.room)

# Every room any ledger has named, with its owner as of the newest snapshot that named it.
rooms = Table(
    "rooms", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("estate", Text, nullable=False),
    Column("room", Text, nullable=False),
    Column("owner", Text, nullable=False),
    Column("collector", Text),  # `feedun tag --collector` override; else feedun.toml decides
    Column("last_import_id", Integer, ForeignKey("imports.id", ondelete="SET NULL")),  # that set the owner
    UniqueConstraint("estate", "room"),
)

# One row per contact with an owner. The same room, time and outcome twice is one contact.
contacts = Table(
    "contacts", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("room_id", Integer, ForeignKey("rooms.id", ondelete="CASCADE"), nullable=False),
    Column("owner", Text, nullable=False),  # the owner at the time: a sale does not inherit the history
    Column("at", DateTime, nullable=False),
    Column("channel", String(16), nullable=False),
    Column("outcome", String(32), nullable=False),
    Column("promise_date", Date),
    Column("promise_amount", BigInteger),  # fen; NULL = the whole outstanding
    Column("callback_at", DateTime),
    Column("by", Text, nullable=False),
    Column("note", Text, nullable=False),
    Column("recorded_at", DateTime, nullable=False),
    UniqueConstraint("room_id", "at", "outcome"),
)

promises = Table(
    "promises", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("contact_id", Integer, ForeignKey("contacts.id", ondelete="CASCADE"), nullable=False, unique=True),
    Column("room_id", Integer, ForeignKey("rooms.id", ondelete="CASCADE"), nullable=False),
    Column("owner", Text, nullable=False),
    Column("made_at", DateTime, nullable=False),
    Column("promise_date", Date, nullable=False),
    Column("amount", BigInteger),  # fen; NULL = pay everything
    Column("baseline", BigInteger, nullable=False),  # outstanding when the promise was made
    Column("state", String(16), nullable=False),  # open, kept, broken, void (owner changed)
    Column("paid", BigInteger),  # how much the outstanding fell by settlement
    Column("settled_on", Date),
    Column("settled_import_id", Integer, ForeignKey("imports.id", ondelete="SET NULL")),
)

# A fall in a room's outstanding between two snapshots of its estate, first seen on `seen_on`.
payments = Table(
    "payments", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("room_id", Integer, ForeignKey("rooms.id", ondelete="CASCADE"), nullable=False),
    Column("owner", Text, nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("seen_on", Date, nullable=False),
    Column("import_id", Integer, ForeignKey("imports.id", ondelete="CASCADE"), nullable=False),
    Column("paid_up", Integer, nullable=False),  # 1 when the room left the ledger
)

# Tags, disputes and the rest of a profile belong to one owner of a room.
profiles = Table(
    "profiles", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("room_id", Integer, ForeignKey("rooms.id", ondelete="CASCADE"), nullable=False),
    Column("owner", Text, nullable=False),
    Column("tags", Text, nullable=False),  # comma-separated tag ids
    Column("dispute", String(32)),
    Column("dispute_open", Integer),
    Column("plate", Text),
    Column("slot", Text),
    Column("alt_contacts", Text, nullable=False),  # JSON list of strings
    Column("do_not_contact", Integer, nullable=False),
    Column("workplace", Text),
    Column("updated_at", DateTime, nullable=False),
    UniqueConstraint("room_id", "owner"),
)

# What happened to a room besides ledgers, contacts and payments: tag changes, owner changes, profile loads.
room_events = Table(
    "room_events", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("room_id", Integer, ForeignKey("rooms.id", ondelete="CASCADE"), nullable=False),
    Column("at", DateTime, nullable=False),
    Column("kind", String(32), nullable=False),  # tag, owner_change, profile
    Column("detail", Text, nullable=False),  # Chinese, as shown in the timeline
)


# Letters (催费函, 律师函). Only sent letters count for escalation.
letters = Table(
    "letters", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("number", Text, nullable=False, unique=True),  # e.g. 催字〔2026〕第0012号
    Column("kind", String(16), nullable=False),  # dunning, lawyer
    Column("room_id", Integer, ForeignKey("rooms.id", ondelete="CASCADE"), nullable=False),
    Column("owner", Text, nullable=False),
    Column("amount", BigInteger, nullable=False),  # principal in fen
    Column("late_fee", BigInteger, nullable=False),
    Column("issued_on", Date, nullable=False),
    Column("deadline", Date),
    Column("delivery", String(32)),
    Column("evidence", Text),
    Column("state", String(16), nullable=False),  # draft, sent, signed, returned, void
    Column("sent_on", Date),
)

# The last letter number given out per kind and year; its row lock serialises numbering (migration 0002).
letter_sequences = Table(
    "letter_sequences", metadata,
    Column("kind", String(16), primary_key=True),
    Column("year", Integer, primary_key=True),
    Column("last", Integer, nullable=False),
)

# Each classify run, stamped with its as-of date; re-running a date replaces that run.
runs = Table(
    "runs", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("as_of", Date, nullable=False, unique=True),
    Column("policy", Text, nullable=False),  # which policy file decided, and its sha256
    Column("created_at", DateTime, nullable=False),
    Column("inputs", Text),  # fingerprint of the inputs decided from (0003); a stored run is reused while it matches
)

decisions = Table(
    "decisions", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("run_id", Integer, ForeignKey("runs.id", ondelete="CASCADE"), nullable=False),
    Column("room_id", Integer, ForeignKey("rooms.id", ondelete="CASCADE"), nullable=False),
    Column("owner", Text, nullable=False),
    Column("tactic", String(32)),  # NULL when a hold applies
    Column("eligible", Text, nullable=False),  # JSON list of tactic ids
    Column("hold", String(32)),
    Column("next_action", Text, nullable=False),
    Column("collector", Text),
    Column("outstanding", BigInteger, nullable=False),
    Column("months_overdue", Integer, nullable=False),
    Column("reasons", Text, nullable=False),  # JSON list of Chinese sentences
    Column("detail", Text),  # JSON of the room's features the outputs read; newest run only (0003)
)
Index("ix_decisions_run", decisions.c.run_id)
