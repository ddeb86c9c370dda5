"""`feedun purge [--before DATE]`: remove personal data of owners who no longer owe, after a retention period.

Amounts, periods, dates, outcomes and letter numbers stay (the report's aggregates need them); names, phone
numbers, notes, profiles and alternate contacts go. Only rooms with no arrears in their estate's newest snapshot
whose last arrears were seen before DATE are touched; a room that never owed is not (it has no debt history to
erase, and blanking a paying owner's name would read as a sale at the next import). A purged room that a later
ledger names again takes that name back without an owner change (intake/settlement.py). Without DATE: today minus `[purge] retention_days`.
Nothing purges on its own (not `feedun run` either): it is always someone's explicit `feedun purge --yes`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from feedun.config import Settings
from feedun.store import purge as queries

if TYPE_CHECKING:
    from feedun.store import Store

ERASED = queries.ERASED


@dataclass
class PurgeResult:
    before: date
    rooms: int
    lines: int
    contacts: int
    profiles: int
    applied: bool
    retention_days: int | None = None  # set when `before` came from [purge] retention_days


def retention_cutoff(settings: Settings, today: date | None = None) -> date:
    """The day before which settled owners' personal data has been kept long enough."""
    return (today or date.today()) - timedelta(days=settings.purge.retention_days)


def settled_before(owners: list[queries.RoomOwner], owing: set[queries.RoomKey],
                   traces: dict[queries.RoomKey, queries.LedgerTrace], before: date) -> list[queries.RoomOwner]:
    """The rooms whose personal data may go: not owing in the newest snapshot, not erased already, and last
    owing before `before`. A room no ledger ever showed owing is a customer, not a settled debtor: it has nothing
    to purge and is never 'last owed before' any date."""
    def settled_long_ago(key: queries.RoomKey) -> bool:
        trace = traces.get(key)
        return trace is not None and trace.last_owed is not None and trace.last_owed < before

    return [r for r in owners if r.key not in owing and r.owner != ERASED and settled_long_ago(r.key)]


def purge(store: Store, settings: Settings, *, before: date | None = None, apply: bool = False,
          today: date | None = None) -> PurgeResult:
    """Erase (with apply) or count the personal data of owners settled before `before`, by default
    the retention cut-off (today minus [purge] retention_days). Counting and erasing read the same snapshot,
    in one transaction: what was counted is what is erased."""
    retention = None
    if before is None:
        before, retention = retention_cutoff(settings, today), settings.purge.retention_days
    with store.write() as conn:
        traces = queries.ledger_traces(conn)
        chosen = settled_before(queries.room_owners(conn), queries.owing_now(conn), traces, before)
        ids = [r.id for r in chosen]
        lines = sum(traces[r.key].lines for r in chosen if r.key in traces)
        contacts = queries.count_contacts(conn, ids)
        profiles = queries.count_profiles(conn, ids)
        if apply:
            queries.erase_personal_data(conn, chosen, ERASED)
    return PurgeResult(before, len(ids), lines, contacts, profiles, apply and bool(ids), retention)
