"""Turn the rows below a ledger's header into clean ledger lines, rejects and skip counts.

Work is vectorised by distinct value: every normaliser in values.py runs once per distinct cell text
(a 200k-row ledger has a few thousand rooms, dozens of periods), then results are spread back by code.
The distinct texts of the common shapes (mobiles, plain amounts, months, ISO dates, areas) are first recognised
all at once by intake/fast.py; values.py's careful normalisers see only the rest. Per-row work is numpy/pyarrow.
Invariant: rows_read == accepted + rejected + sum(skipped).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from feedun.core.money import yuan
from feedun.intake import fast
from feedun.intake import values as v
from feedun.intake.headers import FIELD_LABELS, SUMMED_FIELDS, ColumnMap, synonyms

LINE_COLUMNS = (
    "source_row", "estate", "building", "unit", "room", "owner", "phones", "phones_invalid", "area",
    "fee_item", "period", "period_end", "due_date", "amount_due", "paid", "discount", "outstanding",
    "late_fee", "remark",
)
DEFAULT_FEE_ITEM = "未分项"

SKIP_BLANK = "空行"
SKIP_TOTAL = "合计/小计行"
SKIP_HEADER = "重复的表头行"
SKIP_FOOTER = "表尾（制表、审核等）"
PERIOD_UNKNOWN = ""  # a ledger with no period column: the period is unknown, shown as 期间不详


@dataclass
class Reject:
    row: int  # row number as the spreadsheet shows it (1-based)
    reason: str


@dataclass
class Normalised:
    lines: pd.DataFrame
    rejects: list[Reject]
    skipped: dict[str, int]
    rows_read: int
    accepted: int
    warnings: list[str] = field(default_factory=list)

    @property
    def rejected(self) -> int:
        return len(self.rejects)

    @property
    def skipped_total(self) -> int:
        return sum(self.skipped.values())


Fast = Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]]


def _distinct(series: pd.Series | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(codes, distinct values as an object array); code -1 is a blank cell."""
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    return codes, np.asarray(uniques, dtype=object)


def _apply(series: pd.Series | np.ndarray, fn: Callable[[Any], Any],
           fast_path: Fast | None = None) -> tuple[np.ndarray, np.ndarray]:
    """fn over each distinct value of series: (values, error messages), aligned with the series.

    Invariant: fn runs once per distinct cell text (and once for a blank cell, as None), never once per row;
    the results are spread back by the factorize codes. With `fast_path` (a recogniser from intake/fast.py,
    given every distinct text at once) fn runs only for the texts it does not recognise: for the ones it does,
    its value is fn's value (tests/intake/test_fast_path.py), so the result is the same either way.
    """
    codes, uniques = _distinct(series)
    n = len(uniques)
    out = np.empty(n + 1, dtype=object)  # the last slot: code -1 (a blank cell) picks it
    errors = np.full(n + 1, None, dtype=object)
    pending: Sequence[int] = range(n)
    if fast_path is not None and n:
        values, recognised = fast_path(uniques)
        out[:n][recognised] = values[recognised]
        pending = np.flatnonzero(~recognised).tolist()
    for i, value in [*((i, uniques[i]) for i in pending), (n, None)]:
        try:
            out[i] = fn(value)
        except ValueError as exc:
            errors[i] = str(exc)
    return out[codes], errors[codes]


def _kept(data: pd.DataFrame, keep: np.ndarray) -> pd.DataFrame:
    """data's rows where keep is true, renumbered from 0. The kept rows are nearly always one run (a totals row
    or a footer at the end, a title above): then a slice, which copies nothing. A boolean take copies every
    column (960k rows: 3-4 s); only a sheet with skipped rows in its middle (a repeated page header) needs one.
    """
    where = np.flatnonzero(keep)
    if len(where) and where[-1] - where[0] + 1 == len(where):
        return data.iloc[int(where[0]):int(where[-1]) + 1].reset_index(drop=True)
    return data[keep].reset_index(drop=True)


def _present(values: np.ndarray) -> np.ndarray:
    """Which cells of an object array are not None."""
    return np.not_equal(values, None)


def strip_cells(frame: pd.DataFrame) -> pd.DataFrame:
    """Whitespace-only cells become blank, so blank rows and blank fields are easy to tell (every sheet kind)."""
    cleaned = {}
    for col in frame.columns:  # in pyarrow: what pandas' .str.strip() and .where() do, without the overhead
        s = frame[col].astype("str")
        text = pa.array(s, from_pandas=True)
        trimmed = pc.utf8_trim_whitespace(text)
        trimmed = pc.if_else(pc.equal(trimmed, ""), pa.scalar(None, trimmed.type), trimmed)
        # a column with nothing to strip (most of an ERP export's) stays the sheet's own: a 1M-row sheet is not
        # held twice while it is normalised
        cleaned[col] = s if trimmed.equals(text) else pd.Series(pd.array(trimmed, dtype=s.dtype), index=frame.index)
    return pd.DataFrame(cleaned, index=frame.index)


def _key(text: Any) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(text))) if text is not None else ""


class _Rows:
    """Reasons collected per row while the fields are normalised."""

    def __init__(self, n: int) -> None:
        self.reasons: list[list[str] | None] = [None] * n

    def add(self, errors: np.ndarray, label: str | None = None) -> None:
        for i in np.flatnonzero(pd.notna(errors)):
            msg = errors[i] if label is None else f"{label}{errors[i]}"
            if self.reasons[i] is None:
                self.reasons[i] = [msg]
            else:
                self.reasons[i].append(msg)

    def add_mask(self, mask: np.ndarray, message: str) -> None:
        errors = np.where(mask, message, None)
        self.add(errors)

    def bad(self) -> np.ndarray:
        return np.array([r is not None for r in self.reasons], dtype=bool)


def _is_total(key: str, totals: tuple[str, ...], suffixes: tuple[str, ...]) -> bool:
    """'合计', '总欠费：', '8栋小计', '观山水小计', '【合计】', '【1号楼】小计' (a label cell, spaces removed) is a
    totals row's label."""
    key = key.rstrip(":：").strip("【】[]")
    return key.startswith(totals) or key.endswith(suffixes)


def _numeric(text: object) -> bool:
    return bool(re.fullmatch(r"[-+¥￥]?[\d,，]+(?:\.\d+)?", str(text).strip()))


def skip_masks(data: pd.DataFrame, cmap: ColumnMap) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(blank, total, repeated header, footer) masks over stripped rows: the rows every sheet kind skips and
    counts. A footer is a row whose first cell is a signature or print line ('制表：张会计 审核：').

    Public because owner profile sheets (intake/profiles.py) skip the same rows as ledgers.
    """
    present = data.notna().to_numpy()
    blank = ~present.any(axis=1)
    totals = tuple(synonyms().row_totals)
    # The first non-empty cell of each row (row labels such as 合计 sit there whatever the column).
    first = pd.Series(_first_cells(data), dtype=object)
    candidates = [first] + [data[cmap.fields[f]] for f in ("estate", "building", "room") if f in cmap.fields]
    suffixes = tuple(synonyms().subtotal_suffixes)
    total = np.zeros(len(data), dtype=bool)
    for series in candidates:  # judged once per distinct label, then spread back (see _apply)
        flags, _ = _apply(series, lambda text: _is_total(_key(text), totals, suffixes))
        total |= flags.astype(bool)
    footers = tuple(_key(f) for f in synonyms().footers)
    flags, _ = _apply(first, lambda text: _key(text).startswith(footers))
    footer = flags.astype(bool)
    # A header pasted again mid-sheet (paged reports) repeats the header cells verbatim.
    header_cols = [c for c in [*cmap.fields.values(), *cmap.wide_items] if c < data.shape[1]]
    same = np.zeros(len(data), dtype=int)
    for col in header_cols:
        same += (data[col] == cmap.headers[col].strip()).fillna(False).to_numpy(dtype=int)
    repeated = same >= max(2, len(header_cols) // 2)
    # A header merged over several rows (费用清单 / 管理费 / 费用合计 单价…) continues in the rows right below it:
    # no key cell (room, estate, owner), text only. They are the header, not data: skipped and counted with the
    # repeated header rows.
    keys = [cmap.fields[f] for f in ("estate", "building", "unit", "room", "owner") if f in cmap.fields]
    continued = np.zeros(len(data), dtype=bool)
    for i in range(min(len(data), 3)):
        cells = [c for c in data.iloc[i].tolist() if pd.notna(c)]
        if not cells or any(pd.notna(data.iat[i, k]) for k in keys if k < data.shape[1]) \
                or any(_numeric(c) for c in cells):
            break
        continued[i] = True
    repeated |= continued
    total &= ~blank & ~continued
    return blank, total, repeated & ~blank & ~total, footer & ~blank & ~total


def _arrow(series: pd.Series) -> pa.Array:
    """A column of text cells as one pyarrow string array (blank cells null); zero-copy for str columns."""
    arr = pa.array(series, from_pandas=True)
    if not pa.types.is_large_string(arr.type):
        arr = arr.cast(pa.large_string())
    return arr


def _first_cells(data: pd.DataFrame) -> np.ndarray:
    """The first non-blank cell of each row, None for a blank row (object array)."""
    if data.shape[1] == 0:
        return np.full(len(data), None, dtype=object)
    first = pc.coalesce(*[_arrow(data[col]) for col in data.columns])
    return first.to_numpy(zero_copy_only=False)


def _rooms(columns: list[pd.Series | np.ndarray]) -> np.ndarray:
    """The canonical room of each row from its (estate, building, unit, room) cells.

    Each column is factorized and each distinct cell reduced once (estate and room cleaned, building and unit
    as tokens); the codes are folded together pairwise and factorized again (so a combined code stays below the
    row count and never overflows), all in numpy; _room_of runs once per distinct combination, on the reduced
    cells, and the rooms are spread back to the rows (960k rows, 80k rooms: 3.7 -> 0.8 s; benchmarks/README.md).
    """
    n = len(columns[0])
    key = np.zeros(n, dtype=np.int64)
    parts = []
    for column, reduce in zip(columns, (v.clean_text, v.part_token, v.part_token, v.clean_text), strict=True):
        codes, uniques = _distinct(column)
        parts.append((codes, [*(reduce(str(u)) for u in uniques), ""]))  # code -1 (blank) picks the last
        key, _ = pd.factorize(key * (len(uniques) + 1) + (codes + 1))
    first_row = np.full(int(key.max()) + 1 if n else 0, -1, dtype=np.int64)
    first_row[key[::-1]] = np.arange(n - 1, -1, -1)  # reversed, so the first row of each combination wins
    rooms = np.empty(len(first_row), dtype=object)
    rooms[:] = [_room_of(*cells) for cells in zip(
        *([reduced[c] for c in codes[first_row].tolist()] for codes, reduced in parts), strict=True)]
    return rooms[key]


def _text(data: pd.DataFrame, cmap: ColumnMap, name: str) -> np.ndarray:
    if name not in cmap.fields:
        return np.full(len(data), "", dtype=object)
    values, _ = _apply(data[cmap.fields[name]], v.clean_text)
    return values


def _amount(data: pd.DataFrame, cmap: ColumnMap, col: int, rows: _Rows, label: str) -> np.ndarray:
    unit = cmap.units.get(col, "yuan")
    values, errors = _apply(data[col], lambda t: v.parse_amount(t, unit), lambda u: fast.amounts(u, unit))
    rows.add(errors, f"{label}")
    return values


def _summed(data: pd.DataFrame, cmap: ColumnMap, name: str, rows: _Rows) -> np.ndarray:
    """A field's amount; several columns of one role (减免金额 + 优惠金额 + 赠送金额) add up, none is dropped.
    None where every one of its cells is blank."""
    total = _amount(data, cmap, cmap.fields[name], rows, FIELD_LABELS[name])
    for col in (cmap.extra.get(name, []) if name in SUMMED_FIELDS else []):
        more = _amount(data, cmap, col, rows, f"{cmap.headers[col].strip()}：")
        has_total, has_more = _present(total), _present(more)
        summed = np.where(has_total, total, 0) + np.where(has_more, more, 0)  # Python ints: exact
        total = np.where(has_total | has_more, summed, None)
    return total


def _room_of(estate: str, building: str, unit: str, room: str) -> str:
    """The canonical room of reduced cells (see values.room_of_parts; building is part_token's).

    Two distinct rooms never share a code: a building column '8栋' with a room cell '2-1201' (unit 2, room 1201)
    is '8-2-1201', not '2-1201', because the cell's first part is not that building. A cell that already starts
    with its building ('8-2-1201', '8栋2单元1201室') is taken as it is.
    """
    canonical = v.room_of_parts(building, unit, room, estate)
    if building and canonical and "-" in canonical and canonical.split("-", 1)[0] != building \
            and not canonical.startswith(f"{building}-"):
        return f"{building}-{canonical}"
    return canonical


def _fen(values: np.ndarray) -> np.ndarray:
    """Object array of int|None -> int64 with None as 0."""
    return np.where(_present(values), values, 0).astype(np.int64)


def _columns(cells: np.ndarray, blank: tuple[Any, ...]) -> tuple[np.ndarray, ...]:
    """An object array of tuples (one per row; None where a cell gave none) as one object array per position.

    The tuples are the few distinct results of _apply, spread to the rows: split once per distinct tuple.
    """
    codes, distinct = pd.factorize(np.where(_present(cells), cells, None), use_na_sentinel=True)
    table = [*distinct, blank]  # code -1 (None) picks the blank tuple
    out = []
    for position in range(len(blank)):
        column = np.empty(len(table), dtype=object)
        for i, t in enumerate(table):  # one by one: a tuple inside a tuple must stay one cell
            column[i] = t[position]
        out.append(column[codes])
    return tuple(out)


def _joined(cells: np.ndarray, sep: str) -> np.ndarray:
    """An object array of string tuples as the strings joined by `sep`, joined once per distinct tuple."""
    codes, distinct = pd.factorize(cells, use_na_sentinel=True)
    column = np.empty(len(distinct) + 1, dtype=object)
    column[:] = [*(sep.join(t) for t in distinct), ""]
    return column[codes]


def _phone_parts(text: str | None) -> tuple[str, str, str]:
    """A phone cell as (valid numbers, invalid pieces, notes), each joined as the line stores it."""
    cell = v.parse_phone_cell(text)
    return ",".join(cell.valid), ",".join(cell.invalid), "；".join(cell.notes)


def _fast_phones(texts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """fast.mobiles in _phone_parts' shape: a plain mobile cell has no invalid pieces and no notes."""
    valid, ok = fast.mobiles(texts)
    out = np.full(len(texts), None, dtype=object)
    for i in np.flatnonzero(ok).tolist():  # one by one: numpy would read a list of tuples as a 2-D array
        out[i] = (valid[i], "", "")
    return out, ok


def _fast_periods(texts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """fast.months in parse_period's shape: a single month is (month, None)."""
    month, ok = fast.months(texts)
    out = np.full(len(texts), None, dtype=object)
    for i in np.flatnonzero(ok).tolist():  # one by one: numpy would read a list of tuples as a 2-D array
        out[i] = (month[i], None)
    return out, ok


def normalise(body: pd.DataFrame, first_row: int, cmap: ColumnMap, default_estate: str | None) -> Normalised:
    """Normalise the rows under the header. `first_row` is the sheet row number of body's first row."""
    data = strip_cells(body.reset_index(drop=True))
    n = len(data)
    row_numbers = np.arange(first_row, first_row + n)
    blank, total, repeated, footer = skip_masks(data, cmap)
    keep = ~(blank | total | repeated | footer)
    skipped = {SKIP_BLANK: int(blank.sum()), SKIP_TOTAL: int(total.sum()), SKIP_HEADER: int(repeated.sum()),
               SKIP_FOOTER: int(footer.sum())}
    data = _kept(data, keep)
    row_numbers = row_numbers[keep]
    m = len(data)
    if m == 0:  # nothing but blank, total or header rows below the header
        return Normalised(lines=pd.DataFrame(columns=list(LINE_COLUMNS)), rejects=[], skipped=skipped, rows_read=n,
                          accepted=0)
    rows = _Rows(m)
    warnings: list[str] = []

    # Estate: merged cells in exports leave blanks below the first row of a block; fill downwards.
    if "estate" in cmap.fields:
        estate_col = pd.Series(_text(data, cmap, "estate")).replace("", None)
        filled = int(estate_col.isna().sum())
        estate_col = estate_col.ffill()
        if default_estate:
            estate_col = estate_col.fillna(default_estate)
        still_blank = estate_col.isna().to_numpy()
        if filled - int(still_blank.sum()) > 0:
            warnings.append(f"{filled - int(still_blank.sum())} 行管理处为空，已沿用上一行的管理处")
        rows.add_mask(still_blank, "管理处为空")
        estate = estate_col.fillna("").to_numpy(dtype=object)
    else:
        estate = np.full(m, default_estate or "", dtype=object)

    # Room: one code ('8-2-1201') or split over building / unit / room columns.
    parts = [data[cmap.fields[f]] if f in cmap.fields else np.full(m, None, dtype=object)
             for f in ("building", "unit", "room")]
    room = _rooms([estate, *parts])  # once per distinct combination (see _apply)
    rows.add_mask(room == "", "房号为空")
    for col in cmap.extra.get("room", []):  # the same room written a second way: both must name one room
        other = _rooms([estate, parts[0], parts[1], data[col]])
        label = cmap.headers[col].strip()
        differ = np.flatnonzero((room != "") & (other != "") & (room != other))
        message = np.full(m, None, dtype=object)
        message[differ] = [f"房号“{room[i]}”与{label}“{other[i]}”不是同一房间" for i in differ]
        rows.add(message)
    codes, distinct_rooms = _distinct(room)  # building and unit: split once per distinct room
    tokens = [r.split("-") for r in distinct_rooms]
    building = np.array([t[0] if len(t) >= 2 else "" for t in tokens], dtype=object)[codes]
    unit = np.array([t[1] if len(t) >= 3 else "" for t in tokens], dtype=object)[codes]

    # Owner: a cell that carries the phone too ('张伟(13812345678)') gives the name and the number.
    owner = np.full(m, "", dtype=object)
    phones = np.full(m, "", dtype=object)
    if "owner" in cmap.fields:
        split, _ = _apply(data[cmap.fields["owner"]], v.split_owner_cell)  # once per distinct owner cell
        owner, phones = _columns(split, ("", ()))
        phones = _joined(phones, ",")

    # Phones: every phone column, valid numbers kept, invalid ones kept apart (never silently lost); what is
    # said beside a number (an extension '转 8001', who answers) goes to the remark.
    phones_invalid = np.full(m, "", dtype=object)
    notes = np.full(m, "", dtype=object)
    for col in cmap.phone_columns:  # each distinct cell judged once: plain mobiles at once, the rest one by one
        cells, _ = _apply(data[col], _phone_parts, _fast_phones)
        valid, invalid, said = _columns(cells, ("", "", ""))
        both = np.flatnonzero((phones != "") & (valid != ""))  # rare: merge, keeping each number once
        merged = [",".join(dict.fromkeys([*phones[i].split(","), *valid[i].split(",")])) for i in both]
        phones = np.where(phones == "", valid, phones)
        phones[both] = merged
        for i in np.flatnonzero(invalid != ""):
            phones_invalid[i] = ",".join(filter(None, [phones_invalid[i], invalid[i]]))
        for i in np.flatnonzero(said != ""):
            notes[i] = "；".join(filter(None, [notes[i], said[i]]))
    remark = _text(data, cmap, "remark")
    for i in np.flatnonzero(notes != ""):
        remark[i] = "；".join(filter(None, [remark[i], notes[i]]))

    area = np.full(m, None, dtype=object)
    if "area" in cmap.fields:
        area, errors = _apply(data[cmap.fields["area"]], v.parse_area, fast.areas)
        rows.add(errors)

    # Period: one column (maybe a range), a start and an end column, or none at all (unknown: 期间不详).
    # Periods are kept as two columns, start and end month (None: blank); parse_period's (start, end) is split
    # once per distinct cell.
    if "period" in cmap.fields:
        period, errors = _apply(data[cmap.fields["period"]], v.parse_period, _fast_periods)
        rows.add(errors)
        period_start, period_end = _columns(period, (None, None))
    elif "period_start" in cmap.fields:
        period, errors = _apply(data[cmap.fields["period_start"]], v.parse_period, _fast_periods)
        rows.add(errors, "开始日期：")
        period_start, period_end = _columns(period, (None, None))
        if "period_end" in cmap.fields:  # the end column's month replaces a range's end
            ends, errors = _apply(data[cmap.fields["period_end"]], v.parse_period, _fast_periods)
            rows.add(errors, "结束日期：")
            end_start, _ = _columns(ends, (None, None))
            has_end = _present(period_start) & _present(end_start) & (end_start != period_start)
            period_end = np.where(has_end, end_start, None)
            backwards = has_end & np.less(np.where(has_end, end_start, ""), np.where(has_end, period_start, ""))
            rows.add_mask(backwards, "结束日期早于开始日期")
    else:
        period_start = np.full(m, PERIOD_UNKNOWN, dtype=object)
        period_end = np.full(m, None, dtype=object)
    missing_period = ~_present(period_start) & ~rows.bad()
    rows.add_mask(missing_period, "所属期间为空")

    due_date = np.full(m, None, dtype=object)
    if "due_date" in cmap.fields:
        due_date, errors = _apply(data[cmap.fields["due_date"]], v.parse_date, fast.dates)
        rows.add(errors, "应缴日期")

    late_fee = np.zeros(m, dtype=np.int64)
    if "late_fee" in cmap.fields:
        late_fee = _fen(_summed(data, cmap, "late_fee", rows))

    base = {
        "estate": estate, "building": building, "unit": unit, "room": room,
        "owner": owner, "phones": phones, "phones_invalid": phones_invalid,
        "area": area, "period": period_start, "period_end": period_end, "due_date": due_date,
        "late_fee": late_fee, "remark": remark,
    }
    if cmap.layout == "wide":
        frame = _wide_lines(data, cmap, rows, base, row_numbers)
    else:
        frame = _long_lines(data, cmap, rows, base, row_numbers, warnings)

    bad = rows.bad()
    rejects = [Reject(int(row_numbers[i]), "；".join(rows.reasons[i] or [])) for i in np.flatnonzero(bad)]
    lost = sorted(set(room[bad]) - set(room[~bad]) - {""})
    if lost:
        # A room whose every row was rejected is absent from this snapshot, which reads as "paid up".
        shown = "、".join(lost[:5]) + ("等" if len(lost) > 5 else "")
        warnings.append(f"{len(lost)} 个房间（{shown}）的所有行都被拒收，改正并重新导入前不会出现在欠费名单中")
    if bad.any():  # without a reject every line stays: no copy of the whole frame
        good_rows = set(row_numbers[~bad].tolist())
        frame = frame[frame["source_row"].isin(good_rows)].reset_index(drop=True)
    return Normalised(lines=frame, rejects=rejects, skipped=skipped, rows_read=n,
                      accepted=int((~bad).sum()), warnings=warnings)


def _frame(columns: dict[str, Any]) -> pd.DataFrame:
    """The lines as a frame; text columns stay object arrays of str (as the store reads them back out), rather
    than being converted to Arrow strings and back, which cost more than the rest of building the frame. Built
    with copy=False, so pandas keeps one array per column instead of stacking the text columns into one 2-D block
    (a copy of every cell: 1.5-1.8 s for 960k lines); the store writes the lines column by column anyway."""
    return pd.DataFrame({name: pd.Series(value, dtype=object, copy=False)
                         if isinstance(value, np.ndarray) and value.dtype == object else value
                         for name, value in columns.items()}, columns=list(LINE_COLUMNS), copy=False)


def _long_lines(data: pd.DataFrame, cmap: ColumnMap, rows: _Rows, base: dict[str, Any],
                row_numbers: np.ndarray, warnings: list[str]) -> pd.DataFrame:
    m = len(data)
    amounts: dict[str, np.ndarray] = {}
    for name in ("amount_due", "paid", "discount", "outstanding"):
        if name in cmap.fields:
            amounts[name] = _summed(data, cmap, name, rows)
    # Each its own array: the frame is built without a copy (_frame), so no two columns may share one.
    due, paid, discount = (amounts[k] if k in amounts else np.full(m, None, dtype=object)
                           for k in ("amount_due", "paid", "discount"))
    has_due = _present(due)
    computed = _fen(due) - _fen(paid) - _fen(discount)
    if "outstanding" in amounts:
        given = amounts["outstanding"]
        has_given = _present(given)
        outstanding = np.where(has_given, _fen(given), computed)
        rows.add_mask(~has_given & ~has_due & ~rows.bad(), f"{FIELD_LABELS['outstanding']}为空")
        mismatch = int((has_given & has_due & (_fen(given) != computed)).sum())
        if mismatch:
            warnings.append(f"{mismatch} 行的欠费金额与“应收−实收−减免”不一致，已以欠费金额为准")
    else:
        outstanding = computed
        rows.add_mask(~has_due & ~rows.bad(), f"{FIELD_LABELS['amount_due']}为空")
    fee_item = _text(data, cmap, "fee_item")
    fee_item = np.where(fee_item == "", DEFAULT_FEE_ITEM, fee_item)
    return _frame({
        "source_row": row_numbers, **base, "fee_item": fee_item,
        "amount_due": due, "paid": paid, "discount": discount, "outstanding": outstanding,
    })


def _wide_lines(data: pd.DataFrame, cmap: ColumnMap, rows: _Rows, base: dict[str, Any],
                row_numbers: np.ndarray) -> pd.DataFrame:
    """One line per non-zero fee-item cell; the row's other fields repeat on each of its lines."""
    pieces = []
    for col, item in cmap.wide_items.items():
        amounts = _amount(data, cmap, col, rows, f"{item}：")
        fen = _fen(amounts)
        idx = np.flatnonzero(fen != 0)
        piece = {k: (val[idx] if isinstance(val, np.ndarray) else val) for k, val in base.items()}
        piece.update(source_row=row_numbers[idx], fee_item=item, amount_due=None, paid=None,
                     discount=None, outstanding=fen[idx])
        pieces.append(_frame(piece))
    if cmap.wide_total is not None:
        # The export's own row total must equal its fee items: a mismatch is a row we cannot trust either way.
        items = np.zeros(len(data), dtype=np.int64)
        for col in cmap.wide_items:
            items += _fen(_amount(data, cmap, col, _Rows(len(data)), ""))
        given = _amount(data, cmap, cmap.wide_total, rows, f"{cmap.headers[cmap.wide_total].strip()}：")
        has_total = _present(given)
        mismatch = has_total & (_fen(given) != items)
        label = cmap.headers[cmap.wide_total].strip()
        rows.add(np.array([f"{label} {yuan(int(g))} 与各收费项目之和 {yuan(int(s))} 不一致"
                           if bad else None for g, s, bad in zip(_fen(given), items, mismatch, strict=True)],
                          dtype=object))
    frame = pd.concat(pieces, ignore_index=True) if pieces else pd.DataFrame(columns=list(LINE_COLUMNS))
    order = {item: i for i, item in enumerate(cmap.wide_items.values())}
    frame["_order"] = frame["fee_item"].map(order)
    frame = frame.sort_values(["source_row", "_order"], kind="stable").drop(columns="_order")
    # A row's late fee belongs to the room once, not to each of its fee items.
    frame.loc[frame["source_row"].duplicated(), "late_fee"] = 0
    return frame.reset_index(drop=True)
