"""Letters in the store: numbering (unique and gap-free per kind and year), letters sent before feedun, and the
register: reading it and changing one letter's state (the rules are in outputs/letters/register.py)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Connection, func, select, update
from sqlalchemy.exc import IntegrityError

from feedun.store.rooms import Room
from feedun.store.schema import letter_sequences, letters, rooms

DEFAULT_FORMAT = {"dunning": "催字〔{year}〕第{seq:04d}号", "lawyer": "律字〔{year}〕第{seq:04d}号"}


def lock_numbering(conn: Connection, kind: str, year: int) -> None:
    """Hold this kind's number counter for `year` until the transaction ends.

    The first write of the transaction: PostgreSQL locks the counter row, SQLite takes the write lock, so a
    second `feedun letters` waits here and then sees the first one's drafts and numbers.
    """
    if conn.execute(update(letter_sequences).where(letter_sequences.c.kind == kind, letter_sequences.c.year == year)
                    .values(last=letter_sequences.c.last)).rowcount:
        return
    issued = conn.execute(select(letters.c.issued_on).where(letters.c.kind == kind)).scalars()
    try:
        with conn.begin_nested():
            conn.execute(letter_sequences.insert().values(kind=kind, year=year,
                                                          last=sum(1 for d in issued if d.year == year)))
    except IntegrityError:  # another process created the counter first; take its lock instead
        conn.execute(update(letter_sequences).where(letter_sequences.c.kind == kind,
                                                    letter_sequences.c.year == year).values(last=letter_sequences.c.last))


def next_number(conn: Connection, kind: str, year: int, fmt: str | None = None) -> str:
    """The next free number of this kind and year; call lock_numbering first in the same transaction."""
    fmt = fmt or DEFAULT_FORMAT[kind]
    where = (letter_sequences.c.kind == kind, letter_sequences.c.year == year)
    while True:  # a hand-made letter may already hold the next number: skip it, it fills that place
        conn.execute(update(letter_sequences).where(*where).values(last=letter_sequences.c.last + 1))
        seq = conn.execute(select(letter_sequences.c.last).where(*where)).scalar_one()
        number = fmt.format(year=year, seq=seq)
        if conn.execute(select(func.count()).select_from(letters).where(letters.c.number == number)).scalar_one() == 0:
            return number


def next_numbers(conn: Connection, kind: str, year: int, count: int, fmt: str | None = None) -> list[str]:
    """`count` next free numbers, in order: what `count` calls of next_number give, in a few statements.

    Call lock_numbering first in the same transaction: with the counter held, taking a block of sequence values
    at once is the same as taking them one by one. A number some letter already holds (made by hand) is skipped
    and the block extended, exactly as next_number skips it."""
    fmt = fmt or DEFAULT_FORMAT[kind]
    where = (letter_sequences.c.kind == kind, letter_sequences.c.year == year)
    numbers: list[str] = []
    while len(numbers) < count:
        need = count - len(numbers)
        conn.execute(update(letter_sequences).where(*where).values(last=letter_sequences.c.last + need))
        last = conn.execute(select(letter_sequences.c.last).where(*where)).scalar_one()
        candidates = [fmt.format(year=year, seq=seq) for seq in range(last - need + 1, last + 1)]
        held: set[str] = set(numbers)
        for start in range(0, len(candidates), 500):  # within every database's limit of bound parameters
            chunk = candidates[start:start + 500]
            held.update(conn.execute(select(letters.c.number).where(letters.c.number.in_(chunk))).scalars())
        for number in candidates:
            if number not in held:
                numbers.append(number)
                held.add(number)
    return numbers


def record_sent_letter(conn: Connection, room: Room, kind: str, sent_on: date, amount: int,
                       deadline: date | None = None, delivery: str = "EMS", evidence: str = "") -> str:
    """A letter already sent (e.g. by hand before feedun), numbered 催字〔YYYY〕第NNNN号; returns its number."""
    lock_numbering(conn, kind, sent_on.year)
    number = next_number(conn, kind, sent_on.year)
    conn.execute(letters.insert().values(number=number, kind=kind, room_id=room.id, owner=room.owner, amount=amount,
                                         late_fee=0, issued_on=sent_on, deadline=deadline, delivery=delivery,
                                         evidence=evidence, state="sent", sent_on=sent_on))
    return number


def register_entries(conn: Connection) -> list[dict[str, Any]]:
    """Every letter with its room, oldest first (issue date, then number): the register's rows as plain dicts."""
    query = (select(letters.c.number, letters.c.kind, rooms.c.estate, rooms.c.room, letters.c.owner, letters.c.state,
                    letters.c.issued_on.label("issued"), letters.c.deadline, letters.c.amount, letters.c.late_fee,
                    letters.c.delivery, letters.c.evidence, letters.c.sent_on)
             .join(rooms, rooms.c.id == letters.c.room_id).order_by(letters.c.issued_on, letters.c.number))
    return [dict(row) for row in conn.execute(query).mappings()]


def letter_states(conn: Connection) -> dict[str, str]:
    """number -> state of every letter: what a filled register is compared with."""
    return dict(conn.execute(select(letters.c.number, letters.c.state)).all())


def find_letter(conn: Connection, number: str) -> dict[str, Any] | None:
    """One letter's row (id, state, evidence, ...) by its number, or None."""
    row = conn.execute(select(letters).where(letters.c.number == number)).mappings().first()
    return dict(row) if row else None


def update_letter(conn: Connection, letter_id: int, **values: Any) -> None:
    """Set columns of one letter (state, sent_on, delivery, evidence) inside the caller's transaction."""
    conn.execute(letters.update().where(letters.c.id == letter_id).values(**values))
