"""Header detection and column mapping in feedun.intake.headers, and the synonym table headers.toml."""

from __future__ import annotations

import tomllib
from collections import defaultdict
from importlib import resources

import pytest
from hypothesis import given
from hypothesis import strategies as st

from feedun.intake.headers import (
    AMOUNT_FIELDS,
    FIELD_LABELS,
    FIELDS,
    HEADER_SCAN_ROWS,
    find_header_row,
    map_columns,
    missing_fields,
    normalise_header,
    role_conflicts,
    synonyms,
    title_date,
    title_estate,
)

pytestmark = pytest.mark.no_store  # pure functions: run once, whatever the backend

# ---- normalise_header --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("房号", ("房号", None)),
        ("房号(必填)", ("房号", None)),
        ("房号（必填）", ("房号", None)),
        ("房号【必填】", ("房号", None)),
        ("房号[必填]", ("房号", None)),
        ("*房号", ("房号", None)),
        ("＊房号", ("房号", None)),
        ("※房号", ("房号", None)),
        ("**房号", ("房号", None)),
        ("房号*", ("房号", None)),
        ("*房号(必填)", ("房号", None)),
        ("房 号", ("房号", None)),
        ("房\n号", ("房号", None)),
        ("  房号\t", ("房号", None)),
        ("房号\r\n(必填)", ("房号", None)),
        ("ＲＯＯＭ", ("room", None)),
        ("欠费金额(单位:元)", ("欠费金额", "yuan")),
        ("欠费金额（单位：元）", ("欠费金额", "yuan")),
        ("欠费金额（元）", ("欠费金额", "yuan")),
        ("欠费金额/元", ("欠费金额", "yuan")),
        ("应收金额（单位：元）（必填）", ("应收金额", "yuan")),
        ("欠费金额(分)", ("欠费金额", "fen")),
        ("欠费金额（分）", ("欠费金额", "fen")),
        ("欠费金额(单位:分)", ("欠费金额", "fen")),
        ("欠费金额（单位：分）", ("欠费金额", "fen")),
        ("欠费金额/分", ("欠费金额", "fen")),
        ("*欠费金额\n(单位:分)", ("欠费金额", "fen")),
        (None, ("", None)),
        ("", ("", None)),
        (2026, ("2026", None)),
    ],
)
def test_normalise_header(text, expected):
    assert normalise_header(text) == expected


# ---- the synonym table ----------------------------------------------------------------------------------


def _raw_table() -> dict:
    return tomllib.loads(resources.files("feedun.intake").joinpath("headers.toml").read_text("utf-8"))


def _synonym_owners(fields: dict[str, list[str]]) -> dict[str, set[str]]:
    """Normalised synonym -> every field that lists it."""
    owners: dict[str, set[str]] = defaultdict(set)
    for name, words in fields.items():
        for word in words:
            owners[normalise_header(word)[0]].add(name)
    return owners


def _duplicates(fields: dict[str, list[str]]) -> dict[str, list[str]]:
    return {word: sorted(names) for word, names in _synonym_owners(fields).items() if len(names) > 1}


def test_duplicate_check_catches_a_duplicate():
    # The same word under two fields, once decorated: the check must see through the decoration.
    table = {"paid": ["实收金额", "已收"], "outstanding": ["欠费", "*已收（元）"]}
    assert _duplicates(table) == {"已收": ["outstanding", "paid"]}
    # ...and a word repeated within one field is no conflict.
    assert _duplicates({"paid": ["实收", "实收(元)"]}) == {}


def test_every_synonym_maps_to_exactly_one_field():
    assert _duplicates(_raw_table()["fields"]) == {}


def test_synonym_table_covers_exactly_the_fields():
    table = _raw_table()["fields"]
    assert set(table) == set(FIELDS)
    for name in FIELDS:
        assert table[name], f"{name} has no synonyms"
    assert set(FIELD_LABELS) == set(FIELDS)
    assert set(AMOUNT_FIELDS) <= set(FIELDS)


def test_loaded_synonyms_agree_with_the_table():
    fields = synonyms().fields
    for name, words in _raw_table()["fields"].items():
        for word in words:
            assert fields[normalise_header(word)[0]] == name, word
    # The canonical Chinese label of a field is itself a synonym of it, where the label is one word.
    for name in ("room", "unit", "area", "fee_item", "period", "amount_due", "paid", "outstanding", "remark"):
        assert fields[FIELD_LABELS[name]] == name


def test_synonyms_are_written_in_normal_form():
    for words in _raw_table()["fields"].values():
        for word in words:
            assert normalise_header(word) == (word, None), word


def test_wide_items_and_totals_do_not_clash_with_fields():
    syn = synonyms()
    assert not syn.wide_items & set(syn.fields)
    assert not syn.wide_totals & set(syn.fields)
    assert not syn.wide_items & syn.wide_totals
    assert {"物业费", "电梯费", "车位费"} <= syn.wide_items
    assert "合计" in syn.wide_totals


# ---- find_header_row ------------------------------------------------------------------------------------

HEADER = ["*房号(必填)", "业主姓名", "联系电话", "所属期间", "欠费金额（元）"]

SHEET = [
    ["阳光花园物业费欠费明细表", "", "", "", ""],
    ["打印时间：2026-11-30 10:00", "", "打印人：张三", "", "第1页"],
    ["截止日期：2026年11月25日", "", "", "", ""],
    HEADER,
    ["8-2-1201", "王五", "13812345678", "2026-11", "100"],
    ["8-2-1202", "赵六", "13912345678", "2026-10", "200"],
]


def test_find_header_row_below_title_and_print_rows():
    assert find_header_row(SHEET, {}) == 3


def test_find_header_row_first_row_when_no_title():
    assert find_header_row(SHEET[3:], {}) == 0


def test_find_header_row_none_without_recognisable_header():
    rows = [["客户台账", ""], ["甲", "乙"], ["1", "2"]]
    assert find_header_row(rows, {}) is None
    assert find_header_row([], {}) is None


def test_find_header_row_needs_two_fields():
    assert find_header_row([["房号", "某列"], ["1201", "x"]], {}) is None
    assert find_header_row([["房号", "业主"], ["1201", "x"]], {}) == 0


def test_find_header_row_needs_room_or_building():
    # Many fields, but nothing that locates a room: not a ledger header.
    assert find_header_row([["业主", "电话", "所属期间", "欠费金额"]], {}) is None
    assert find_header_row([["楼栋", "业主", "欠费金额"]], {}) == 0


def test_find_header_row_prefers_the_richest_row():
    rows = [["房号", "业主"], ["楼栋", "单元", "房号", "业主", "欠费金额"]]
    assert find_header_row(rows, {}) == 1


def test_find_header_row_first_of_equal_rows():
    # A header repeated on every printed page: the first one counts.
    rows = [HEADER, ["8-2-1201", "王五", "", "2026-11", "100"], HEADER]
    assert find_header_row(rows, {}) == 0


def test_find_header_row_scans_only_the_top_rows():
    filler = [["说明"]] * HEADER_SCAN_ROWS
    assert find_header_row([*filler, HEADER], {}) is None
    assert find_header_row([*filler[:-1], HEADER], {}) == HEADER_SCAN_ROWS - 1


def test_find_header_row_honours_column_overrides():
    rows = [["物业欠费表", "", ""], ["户号", "业主", "欠费金额"], ["A1201", "王五", "100"]]
    assert find_header_row(rows, {}) is None
    assert find_header_row(rows, {"room": "户号"}) == 1
    assert find_header_row(rows, {"room": "*户号（必填）"}) == 1  # the override is normalised too


# ---- map_columns ------------------------------------------------------------------------------------------


def test_map_columns_long_layout():
    cmap = map_columns(3, HEADER, {})
    assert cmap.header_row == 3
    assert cmap.fields == {"room": 0, "owner": 1, "phones": 2, "period": 3, "outstanding": 4}
    assert cmap.phone_columns == [2]
    assert cmap.units == {}
    assert cmap.wide_items == {}
    assert cmap.ignored == []
    assert cmap.layout == "long"
    assert cmap.describe() == {
        "room": "*房号(必填)", "owner": "业主姓名", "period": "所属期间", "outstanding": "欠费金额（元）",
        "phones": "联系电话",
    }


def test_map_columns_full_long_layout():
    cells = ["管理处", "楼栋", "单元", "房号", "客户名称", "建筑面积", "收费项目", "开始日期", "结束日期",
             "应缴日期", "应收金额", "实收金额", "减免金额", "欠费金额", "滞纳金", "备注"]
    cmap = map_columns(0, cells, {})
    expected = ["estate", "building", "unit", "room", "owner", "area", "fee_item", "period_start", "period_end",
                "due_date", "amount_due", "paid", "discount", "outstanding", "late_fee", "remark"]
    assert cmap.fields == {name: col for col, name in enumerate(expected)}
    assert cmap.layout == "long"
    assert missing_fields(cmap) == []


def test_map_columns_several_phone_columns():
    cells = ["小区", "房号", "业主", "电话", "手机", "联系方式", "所属期间", "欠费金额"]
    cmap = map_columns(0, cells, {})
    assert cmap.phone_columns == [3, 4, 5]
    assert cmap.fields["phones"] == 3
    assert cmap.describe()["phones"] == "电话 + 手机 + 联系方式"
    assert cmap.ignored == []


def test_map_columns_second_column_of_a_role_is_kept_not_dropped():
    cmap = map_columns(0, ["房号", "房间号", "业主", "欠费"], {})
    assert cmap.fields == {"room": 0, "owner": 2, "outstanding": 3}
    assert cmap.extra == {"room": [1]} and cmap.ignored == []
    assert role_conflicts(cmap) == []  # two room columns are compared row by row (normalize.py), not refused
    owners = map_columns(0, ["房号", "业主", "客户名称", "欠费"], {})
    assert role_conflicts(owners) == ["业主（“业主”、“客户名称”）"]  # which one is meant: refused, naming both


def test_two_discount_columns_are_summed_not_dropped():
    cmap = map_columns(0, ["房号", "所属期间", "应收金额", "优惠金额", "减免金额", "赠送金额", "欠费金额"], {})
    assert cmap.fields["discount"] == 3 and cmap.extra == {"discount": [4, 5]}
    assert role_conflicts(cmap) == []  # amounts of one role add up
    assert cmap.describe()["discount"] == "优惠金额 + 减免金额 + 赠送金额"


def test_totals_only_layout_reads_its_total_as_arrears():
    cmap = map_columns(0, ["房号", "业主", "合计"], {})
    assert cmap.fields == {"room": 0, "owner": 1, "outstanding": 2} and cmap.layout == "long"


@pytest.mark.parametrize(("rows", "estate"), [
    ([["欠费明细表"], ["项目：锦绣家园", "", "截止日期：2026-11-25"]], "锦绣家园"),
    ([["小区名称: 观山水"]], "观山水"),
    ([["管理处：东区管理处 打印人：张三"]], "东区管理处"),
    ([["欠费明细表"], ["截止日期：2026-11-25"]], None),
])
def test_title_estate(rows, estate):
    assert title_estate(rows) == estate


def test_map_columns_fen_units():
    cells = ["小区", "房号", "所属期间", "应收金额(分)", "实收金额（单位：分）", "欠费金额（元）", "滞纳金/分"]
    cmap = map_columns(0, cells, {})
    assert cmap.fields == {"estate": 0, "room": 1, "period": 2, "amount_due": 3, "paid": 4, "outstanding": 5,
                           "late_fee": 6}
    assert cmap.units == {3: "fen", 4: "fen", 6: "fen"}


def test_map_columns_unknown_columns_ignored():
    cmap = map_columns(0, ["房号", "所属期间", "欠费金额", "乱七八糟", "", None, "装修押金"], {})
    assert cmap.ignored == [3, 6]  # empty header cells are neither mapped nor listed
    assert cmap.headers == ["房号", "所属期间", "欠费金额", "乱七八糟", "", "", "装修押金"]


def test_map_columns_overrides():
    cells = ["户号", "业主", "账单月", "欠款"]
    assert "room" not in map_columns(0, cells, {}).fields
    cmap = map_columns(0, cells, {"room": "户号", "period": "账单月"})
    assert cmap.fields == {"room": 0, "owner": 1, "period": 2, "outstanding": 3}


def test_map_columns_override_beats_synonym():
    # "备注" normally means remark; a company that writes the fee item there can say so.
    cmap = map_columns(0, ["房号", "所属期间", "欠费", "备注"], {"fee_item": "备注"})
    assert cmap.fields["fee_item"] == 3
    assert "remark" not in cmap.fields


WIDE = ["小区", "房号", "业主", "所属期间", "物业费", "电梯费", "车位费", "合计", "垃圾处理费", "备注",
        "装修押金", "欠费合计"]


def test_map_columns_wide_layout():
    cmap = map_columns(0, WIDE, {})
    assert cmap.layout == "wide"
    assert cmap.fields == {"estate": 0, "room": 1, "owner": 2, "period": 3, "remark": 9}
    # 垃圾处理费 is in no list but ends in 费; 合计 and 欠费合计 are totals; 装修押金 is nothing.
    assert cmap.wide_items == {4: "物业费", 5: "电梯费", 6: "车位费", 8: "垃圾处理费"}
    assert cmap.wide_total == 7 and cmap.ignored == [10, 11]  # the first total is checked against the items
    assert missing_fields(cmap) == []
    assert cmap.describe()["wide:垃圾处理费"] == "垃圾处理费"


def test_map_columns_wide_items_keep_their_written_name_and_unit():
    cmap = map_columns(0, ["房号", "所属期间", "物业服务费（分）", "电梯费(元)", "公摊水电\n（单位：元）"], {})
    assert cmap.wide_items == {2: "物业服务费", 3: "电梯费", 4: "公摊水电"}
    assert cmap.units == {2: "fen"}


def test_map_columns_wide_item_names_are_clean():
    cmap = map_columns(0, ["房号", "所属期间", "*物业费", "物业\n服务费", "电 梯 费"], {})
    assert cmap.wide_items == {2: "物业费", 3: "物业服务费", 4: "电梯费"}


@pytest.mark.parametrize("amount", ["欠费金额", "欠费金额（元）", "*欠费", "应收金额", "应收金额(分)"])
def test_map_columns_with_amount_column_is_never_wide(amount):
    cmap = map_columns(0, ["小区", "房号", "所属期间", "物业费", "电梯费", "车位费", "垃圾处理费", amount], {})
    assert cmap.layout == "long"
    assert cmap.wide_items == {}
    assert cmap.ignored == [3, 4, 5, 6]


_FEE_COLUMNS = ["物业费", "电梯费", "车位费", "停车费", "公摊水电费", "垃圾清运费", "垃圾处理费", "代收水费",
                "合计", "小计", "备注"]


@given(st.lists(st.sampled_from(_FEE_COLUMNS), unique=True, max_size=8), st.randoms(use_true_random=False))
def test_sheet_with_outstanding_column_is_never_wide(fee_columns, rnd):
    cells = ["房号", "所属期间", "欠费金额", *fee_columns]
    rnd.shuffle(cells)
    cmap = map_columns(0, cells, {})
    assert cmap.layout == "long"
    assert cmap.wide_items == {}
    assert cmap.fields["outstanding"] == cells.index("欠费金额")


# ---- missing_fields ---------------------------------------------------------------------------------------


def test_missing_fields_all_missing():
    cmap = map_columns(0, ["业主", "电话"], {})
    # the estate may come from the title, --estate, the config or the store; the period may be unknown
    assert missing_fields(cmap) == ["房号", "欠费金额（或应收金额）"]


def test_missing_fields_needs_no_estate_column():
    assert missing_fields(map_columns(3, HEADER, {})) == []


@pytest.mark.parametrize(
    ("cells", "missing"),
    [
        (["小区", "房号", "所属期间", "应收金额"], []),
        (["小区", "房号", "开始日期", "欠费"], []),
        (["小区", "房号", "结束日期", "欠费"], []),  # an end alone is no period: 期间不详
        (["小区", "楼栋", "所属期间", "欠费"], ["房号"]),
        (["小区", "房号", "所属期间", "实收金额"], ["欠费金额（或应收金额）"]),
        (["小区", "房号", "所属期间", "物业费"], []),  # wide: the fee-item columns are the amounts
        (["小区", "房号", "物业费"], []),  # no period at all: imported with the period unknown
    ],
)
def test_missing_fields_cases(cells, missing):
    assert missing_fields(map_columns(0, cells, {})) == missing


# ---- title_date -----------------------------------------------------------------------------------------


def test_title_date_prefers_cut_off_over_print_time():
    assert title_date(SHEET[:3]) == (2026, 11, 25)


def test_title_date_prefers_keyword_cell_whatever_its_position():
    rows = [["2026-11-30 10:00 打印"], ["", None, "截止日期：2026年11月25日"], ["导出于 2026/12/01"]]
    assert title_date(rows) == (2026, 11, 25)


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("截止日期：2026年11月25日", (2026, 11, 25)),
        ("截至2026.11.25", (2026, 11, 25)),
        ("统计日期: 2026-11-25", (2026, 11, 25)),
        ("报表 截至 ２０２６年１１月２５日", (2026, 11, 25)),
        ("数据日期 2026/1/5", (2026, 1, 5)),
    ],
)
def test_title_date_forms(cell, expected):
    assert title_date([["阳光花园欠费表"], [cell]]) == expected


def test_title_date_falls_back_to_any_date():
    assert title_date([["打印时间：2026-11-30 10:00"]]) == (2026, 11, 30)


def test_title_date_none_without_a_date():
    assert title_date([["阳光花园欠费明细表"], [None, ""], ["第1页"]]) is None
    assert title_date([]) is None


@pytest.mark.parametrize("printed", ["打印日期：2026-11-30", "制表日期：2026-11-30"])
def test_title_date_prefers_cut_off_over_print_date(printed):
    assert title_date([[printed], ["截止日期：2026年11月25日"]]) == (2026, 11, 25)
