"""Vectorised recognisers for the cells ledgers are mostly made of, ahead of the careful per-value normalisers.

Each function takes the distinct texts of a column (stripped, none blank) and returns (values, recognised): a
value for every text it recognises, computed for the whole array at once (pyarrow / numpy, no Python per value),
and a mask saying which ones. What it does not recognise goes to the careful normaliser in values.py.

Contract: wherever `recognised` is True, the value equals what the careful normaliser returns for that text
(tests/intake/test_fast_path.py checks every golden and fuzz input both ways). So every pattern here is a
strict subset of what the careful path accepts, limited to shapes where no cleaning (NFKC, spaces, noise
words) could change the text: plain ASCII digits in the forms ERP exports and fastexcel produce.

    11-digit mobiles, and two of them joined by a separator   '13812345678', '13812345678/13912345678'
    plain amounts (at most two decimals, so no rounding)      '1234.50', '80', '-0.5'
    billing months                                            '2026-11', '2026/11', '2026年11月', '202611'
    ISO dates, as date cells arrive                           '2026-11-15', '2026-11-15 00:00:00'
    plain areas                                               '89.5'
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from feedun.intake import values as v

Texts = Sequence[str] | pa.Array | np.ndarray


def _strings(texts: Texts) -> pa.Array:
    arr = texts if isinstance(texts, pa.Array) else pa.array(texts, type=pa.large_string(), from_pandas=True)
    return arr.cast(pa.large_string())


def _mask(result: pa.Array) -> np.ndarray:
    """A pyarrow boolean result as a numpy mask, null counting as False."""
    return pc.fill_null(result, False).to_numpy(zero_copy_only=False)


def _ints(arr: pa.Array, ok: np.ndarray) -> np.ndarray:
    """Digit strings (where ok) as int64, 0 elsewhere."""
    out = np.zeros(len(arr), dtype=np.int64)
    if ok.any():
        out[ok] = pc.cast(arr.filter(pa.array(ok)), pa.int64()).to_numpy()
    return out


# ---- money ----------------------------------------------------------------------------------------

_YUAN = r"^-?\d{1,11}(?:\.\d{1,2})?$"  # below 1000 亿元 (parse_amount's limit) and no rounding to do
_FEN = r"^-?\d{1,13}$"


def amounts(texts: Texts, unit: str = "yuan") -> tuple[np.ndarray, np.ndarray]:
    """Plain amounts as integer fen (int64), and which texts were plain.

    >>> fen, ok = amounts(["1234.50", "80", "-0.5", "74.1", "1,234.50", "1.2E+10", "12.345"])
    >>> fen[ok].tolist(), ok.tolist()
    ([123450, 8000, -50, 7410], [True, True, True, True, False, False, False])
    >>> amounts(["1234", "12.5"], "fen")[0].tolist()
    [1234, 0]

    Exact: the text is padded to two decimals and the point dropped, so '1234.50' becomes the integer 123450
    without ever being a float (money is integer fen; a float would round 1.005 yuan the wrong way). Texts with
    more decimals, separators, symbols or exponents are left to parse_amount, which rounds half up.
    """
    arr = _strings(texts)
    if unit == "fen":
        ok = _mask(pc.match_substring_regex(arr, _FEN))
        return _ints(arr, ok), ok
    ok = _mask(pc.match_substring_regex(arr, _YUAN))
    digits = pc.replace_substring_regex(arr, r"^(-?\d+)$", r"\1.00")  # '80' -> '80.00'
    digits = pc.replace_substring_regex(digits, r"^(-?\d+\.\d)$", r"\10")  # '74.1' -> '74.10' (group 1, then 0)
    digits = pc.replace_substring(digits, ".", "")
    return _ints(digits, ok), ok


def areas(texts: Texts) -> tuple[np.ndarray, np.ndarray]:
    """Plain decimal areas ('89.5', '120') as float, as parse_area gives them.

    >>> area, ok = areas(["89.5", "120", "89.5㎡", "1e3"])
    >>> area[ok].tolist(), ok.tolist()
    ([89.5, 120.0], [True, True, False, False])

    Both sides round the decimal text to the nearest double (Python's float() and Arrow's parser are both
    correctly rounded), so they agree bit for bit.
    """
    arr = _strings(texts)
    ok = _mask(pc.match_substring_regex(arr, r"^\d{1,12}(?:\.\d{1,12})?$"))
    out = np.zeros(len(arr), dtype=np.float64)
    if ok.any():
        out[ok] = pc.cast(arr.filter(pa.array(ok)), pa.float64()).to_numpy()
    return out, ok


# ---- dates and months -------------------------------------------------------------------------------

_DAYS_IN_MONTH = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])


def _valid_day(year: np.ndarray, month: np.ndarray, day: np.ndarray) -> np.ndarray:
    """Which (year, month, day) exist, within parse_date's years (MIN_YEAR..MAX_YEAR)."""
    ok = (year >= v.MIN_YEAR) & (year <= v.MAX_YEAR) & (month >= 1) & (month <= 12) & (day >= 1)
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    last = _DAYS_IN_MONTH[np.clip(month, 0, 12)] + ((month == 2) & leap)
    return ok & (day <= last)


def _field(parts: pa.StructArray, name: str, ok: np.ndarray) -> np.ndarray:
    column = parts.field(name)
    digits = pc.if_else(pa.array(ok), column, pa.scalar("0", pa.large_string()))
    return pc.cast(pc.if_else(pc.equal(digits, ""), pa.scalar("0", pa.large_string()), digits),
                   pa.int64()).to_numpy(zero_copy_only=False)


_ISO_DAY = r"^(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})(?: 00:00:00)?$"


def _iso_days(arr: pa.Array) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    parts = pc.extract_regex(arr, _ISO_DAY)
    matched = _mask(pc.is_valid(parts))
    year, month, day = (_field(parts, k, matched) for k in ("y", "m", "d"))
    return year, month, day, matched & _valid_day(year, month, day)


def dates(texts: Texts) -> tuple[np.ndarray, np.ndarray]:
    """ISO dates, as date cells and most exports write them, as datetime.date (object array).

    >>> day, ok = dates(["2026-11-15", "2026-11-15 00:00:00", "2026-02-30", "2026/11/15", "46341"])
    >>> [d.isoformat() for d in day[ok]], ok.tolist()
    (['2026-11-15', '2026-11-15'], [True, True, False, False, False])
    """
    arr = _strings(texts)
    year, month, day, ok = _iso_days(arr)
    out = np.full(len(arr), None, dtype=object)
    if ok.any():
        stamp = ((year[ok] - 1970).astype("datetime64[Y]").astype("datetime64[M]")
                 + (month[ok] - 1).astype("timedelta64[M]")).astype("datetime64[D]") \
            + (day[ok] - 1).astype("timedelta64[D]")
        out[ok] = stamp.astype(object)  # datetime64[D] -> datetime.date
    return out, ok


_MONTH = r"^(?P<y>\d{4})(?:[-/.年](?P<m>\d{1,2})月?份?|(?P<mm>\d{2}))$"


def months(texts: Texts) -> tuple[np.ndarray, np.ndarray]:
    """Billing months as 'YYYY-MM' (object array of str): the month forms parse_period reads, and ISO dates.

    >>> month, ok = months(["2026-11", "2026/1", "2026年11月", "202611", "2026-11-15", "2026-13", "2026-01至2026-03"])
    >>> month[ok].tolist(), ok.tolist()
    (['2026-11', '2026-01', '2026-11', '2026-11', '2026-11'], [True, True, True, True, True, False, False])
    """
    arr = _strings(texts)
    parts = pc.extract_regex(arr, _MONTH)
    matched = _mask(pc.is_valid(parts))
    year = _field(parts, "y", matched)
    month = np.where(_field(parts, "m", matched) > 0, _field(parts, "m", matched), _field(parts, "mm", matched))
    ok = matched & _valid_day(year, month, np.ones_like(year))
    day_year, day_month, _, day_ok = _iso_days(arr)
    year = np.where(day_ok, day_year, year)
    month = np.where(day_ok, day_month, month)
    ok |= day_ok
    out = np.full(len(arr), None, dtype=object)
    if ok.any():
        text = pc.binary_join_element_wise(
            pc.cast(pa.array(year[ok]), pa.large_string()),
            pc.utf8_lpad(pc.cast(pa.array(month[ok]), pa.large_string()), 2, "0"), pa.scalar("-", pa.large_string()))
        out[ok] = text.to_numpy(zero_copy_only=False)
    return out, ok


# ---- phones -----------------------------------------------------------------------------------------

_ONE_MOBILE = r"^1[3-9]\d{9}$"
_TWO_MOBILES = r"^(?P<a>1[3-9]\d{9})[,;/、|，；／｜]+(?P<b>1[3-9]\d{9})$"  # separators as parse_phone_cell splits


@lru_cache(maxsize=1)
def _cn_patterns() -> tuple[str, tuple[str, ...]] | None:
    """phonenumbers' own metadata for China as anchored patterns for an 11-digit national number: the general
    description, and every number type is_valid_number accepts (phonenumberutil._number_type_helper: valid means
    the general pattern matches and so does some type's, among those whose possible lengths allow 11 digits)."""
    from phonenumbers.phonemetadata import PhoneMetadata

    meta = PhoneMetadata.metadata_for_region("CN")
    if meta is None:
        return None

    def applies(desc) -> bool:
        return bool(desc is not None and desc.national_number_pattern
                    and (not desc.possible_length or 11 in desc.possible_length))

    kinds = (meta.premium_rate, meta.toll_free, meta.shared_cost, meta.voip, meta.personal_number, meta.pager,
             meta.uan, meta.voicemail, meta.fixed_line, meta.mobile)
    if not applies(meta.general_desc):
        return None
    return (f"^(?:{meta.general_desc.national_number_pattern})$",
            tuple(f"^(?:{d.national_number_pattern})$" for d in kinds if applies(d)))


def mobile_blocks_valid(blocks: Texts) -> np.ndarray:
    """Whether each 7-digit block '1[3-9]ddddd' holds valid mobiles, as values._mobile_prefix_valid says, for
    all blocks at once: phonenumbers' patterns matched by pyarrow against block + '0000' (the number
    _mobile_prefix_valid asks about). Falls back to asking phonenumbers block by block if a pattern is one
    pyarrow's regex engine cannot take.

    >>> mobile_blocks_valid(["1381234", "1391234", "1230000"]).tolist()
    [True, True, False]
    """
    arr = _strings(blocks)
    patterns = _cn_patterns()
    if patterns is not None:
        probe = pc.binary_join_element_wise(arr, pa.scalar("0000", pa.large_string()), pa.scalar("", pa.large_string()))
        general, kinds = patterns
        try:
            valid = _mask(pc.match_substring_regex(probe, general))
            typed = np.zeros(len(arr), dtype=bool)
            for kind in kinds:
                typed |= _mask(pc.match_substring_regex(probe, kind))
            return valid & typed
        except pa.ArrowInvalid:
            pass
    return np.array([v._mobile_block_valid(b) for b in arr.to_pylist()], dtype=bool)


def mobiles(texts: Texts) -> tuple[np.ndarray, np.ndarray]:
    """Cells holding one valid mainland mobile, or two joined by a separator, as the comma-joined valid numbers
    parse_phone_cell gives (object array of str).

    >>> phones, ok = mobiles(["13812345678", "13812345678/13912345678", "13812345678、13812345678",
    ...                       "1381234567", "0571-88123456", "13812345678 张先生"])
    >>> phones[ok].tolist(), ok.tolist()
    (['13812345678', '13812345678,13912345678', '13812345678'], [True, True, True, False, False, False])

    Validity is phonenumbers' own, judged once per 7-digit block as the careful path does (mobile_blocks_valid);
    a number in an invalid block is left to the careful path, which says why.
    """
    arr = _strings(texts)
    single = _mask(pc.match_substring_regex(arr, _ONE_MOBILE))
    pair = pc.extract_regex(arr, _TWO_MOBILES)
    two = _mask(pc.is_valid(pair))
    first = pc.if_else(pa.array(single), arr, pair.field("a")).to_numpy(zero_copy_only=False)
    second = pc.if_else(pa.array(two), pair.field("b"), None).to_numpy(zero_copy_only=False)
    numbers = np.concatenate([first[single | two], second[two]])
    blocks = pc.utf8_slice_codeunits(pa.array(numbers, type=pa.large_string()), 0, 7)
    codes = pc.dictionary_encode(blocks)
    valid_block = mobile_blocks_valid(codes.dictionary)
    valid = np.zeros(len(numbers), dtype=bool)
    if len(numbers):
        valid = valid_block[codes.indices.to_numpy(zero_copy_only=False)]
    ok = single | two
    good = np.zeros(len(arr), dtype=bool)
    good[ok] = valid[:int(ok.sum())]
    second_good = np.ones(len(arr), dtype=bool)
    second_good[two] = valid[int(ok.sum()):]
    ok &= good & second_good
    out = np.full(len(arr), None, dtype=object)
    out[single & ok] = first[single & ok]
    both = two & ok
    same = both & (first == second)
    out[same] = first[same]
    differ = both & ~same
    if differ.any():
        joined = pc.binary_join_element_wise(pa.array(first[differ], type=pa.large_string()),
                                             pa.array(second[differ], type=pa.large_string()),
                                             pa.scalar(",", pa.large_string()))
        out[differ] = joined.to_numpy(zero_copy_only=False)
    return out, ok
