"""Real exports import as they are (issue 14): estates, rooms, amounts, totals and footers, periods, --check,
errors as JSON. Each case is a shape seen in a real property system's export (tests/intake/golden/erp/ has the
layouts themselves, with their sources)."""

from __future__ import annotations

import json
import random
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from feedun.config import Settings, load_settings
from feedun.core.errors import FeedunError
from feedun.intake.importer import import_file, parse_ledger
from feedun.memory.debtors import list_debtors
from feedun.store import Store
from helpers import db_url, run_feedun, write_xlsx

AS_OF = date(2026, 11, 25)


def _store(tmp_path: Path) -> Store:
    return Store.open(db_url(tmp_path))


def _debtors(store: Store, s: Settings, as_of: date = AS_OF) -> dict[tuple[str, str], int]:
    return {(d.estate, d.room): d.outstanding for d in list_debtors(store, s, as_of=as_of)}


def test_two_buildings_with_the_same_room_cell_stay_two_rooms(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "l.xlsx", [
        ["小区", "楼栋", "房号", "业主", "所属期间", "欠费金额"],
        ["观山水", "8栋", "2-1201", "张伟", "2026-10", "300"],
        ["观山水", "9栋", "2-1201", "李娜", "2026-10", "200"],
        ["观山水", "8栋", "8-2-1202", "王强", "2026-10", "100"],  # already names its building: taken as it is
    ])
    s = Settings(workspace=tmp_path)
    store = _store(tmp_path)
    import_file(path, s, store=store, as_of=AS_OF)
    assert _debtors(store, s) == {("观山水", "8-2-1201"): 30000, ("观山水", "9-2-1201"): 20000,
                                  ("观山水", "8-2-1202"): 10000}


def test_several_discount_columns_are_summed_never_dropped(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "l.xlsx", [
        ["小区", "房号", "所属期间", "应收金额", "优惠金额", "减免金额", "赠送金额", "空置房减免"],
        ["观山水", "1-101", "2026-10", "300", "10", "20", "5", "15"],
    ])
    s = Settings(workspace=tmp_path)
    store = _store(tmp_path)
    result = import_file(path, s, store=store, as_of=AS_OF)
    assert _debtors(store, s) == {("观山水", "1-101"): 25000}
    assert any("已按每行相加" in w for w in result.warnings)


def test_two_columns_of_one_role_that_cannot_be_summed_are_refused_naming_both(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "l.xlsx", [["小区", "房号", "所属期间", "欠费金额", "欠费"],
                                            ["观山水", "1-101", "2026-10", "300", "200"]])
    with pytest.raises(FeedunError, match="“欠费金额”、“欠费”") as caught:
        import_file(path, Settings(workspace=tmp_path), store=_store(tmp_path), as_of=AS_OF)
    assert "[import.columns]" in (caught.value.hint or "")


@pytest.mark.parametrize(("title", "config", "option", "rule", "estate"), [
    ([["项目：锦绣家园"]], None, None, "title", "锦绣家园"),
    ([["欠费明细表"]], "枫林小区", None, "config", "枫林小区"),
    ([["小区：锦绣家园"]], None, "观山水", "option", "观山水"),  # what the person typed wins over the title
])
def test_estate_rules_in_order(tmp_path: Path, title, config, option, rule, estate) -> None:
    path = write_xlsx(tmp_path / "l.xlsx", [*title, ["房屋编码", "业主", "账单月份", "需收金额", "已付金额"],
                                            ["1栋-1单元-1101", "张伟", "2026-10", "300", "100"]])
    s = Settings.model_validate({"import": {"estate": config}} if config else {})
    s.workspace = tmp_path
    store = _store(tmp_path)
    result = import_file(path, s, store=store, as_of=AS_OF, estate=option)
    assert result.estate_rule == rule and result.estates == [estate]
    assert _debtors(store, s) == {(estate, "1-1-1101"): 20000}


def test_the_only_estate_in_the_store_is_the_last_rule_and_none_is_refused_naming_all(tmp_path: Path) -> None:
    s = Settings(workspace=tmp_path)
    store = _store(tmp_path)
    header = ["房号", "业主", "所属期间", "欠费金额"]
    bare = write_xlsx(tmp_path / "bare.xlsx", [header, ["1-101", "张伟", "2026-10", "300"]])
    with pytest.raises(FeedunError) as caught:
        import_file(bare, s, store=store, as_of=AS_OF)
    for way in ("--estate", "标题行", "[import] estate", "数据库中唯一已有的小区"):
        assert way in caught.value.message + (caught.value.hint or ""), way
    first = write_xlsx(tmp_path / "first.xlsx", [["小区名称：锦绣家园"], header, ["1-101", "张伟", "2026-10", "300"]])
    import_file(first, s, store=store, as_of=AS_OF)
    later = write_xlsx(tmp_path / "later.xlsx", [header, ["1-101", "张伟", "2026-11", "250"]])
    result = import_file(later, s, store=store, as_of=date(2026, 11, 30))
    assert result.estate_rule == "store" and result.estates == ["锦绣家园"]


def test_run_takes_a_ledger_without_an_estate_column(tmp_path: Path) -> None:
    assert run_feedun(["init", "."], tmp_path).returncode == 0
    config = tmp_path / "feedun.toml"
    config.write_text(config.read_text("utf-8") + "\n", encoding="utf-8")
    (tmp_path / "inbox").mkdir()
    write_xlsx(tmp_path / "inbox" / "欠费.xlsx", [["项目：锦绣家园", "", "截止日期：2026年11月25日"],
                                                  ["房屋编码", "业主", "账单月份", "需收金额"],
                                                  ["1栋-1单元-1101", "张伟", "2026-10", "300"]])
    proc = run_feedun(["run", "--as-of", "2026-11-27", "--json", "--db", db_url(tmp_path)], tmp_path)
    assert proc.returncode == 0, proc.stderr
    summary = json.loads(proc.stdout)
    assert summary["failed"] == [] and summary["imported"][0]["accepted"] == 1


def test_totals_subtotals_and_footers_are_skipped_and_counted(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "l.xlsx", [
        ["管理处", "楼栋", "房号", "业主", "所属期间", "欠费金额"],
        ["观山水", "8栋", "101", "张伟", "2026-10", "300"],
        ["观山水", "8栋小计", "", "", "", "300"],
        ["观山水 小计", "", "", "", "", "300"],
        ["总欠费", "", "", "", "", "300"],
        ["制表：张会计 审核：", "", "", "", "", ""],
    ])
    s = Settings(workspace=tmp_path)
    result = import_file(path, s, store=_store(tmp_path), as_of=AS_OF)
    assert (result.rows_read, result.accepted, result.rejected) == (5, 1, 0)
    assert result.skipped_detail == {"合计/小计行": 3, "表尾（制表、审核等）": 1}


def test_amount_roles_owner_cells_and_phone_extensions(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "l.xlsx", [
        ["小区", "房屋编码", "业主", "联系电话", "费用名称", "账单月份", "收费金额", "已付金额"],
        ["观山水", "1栋-1单元-1101", "张伟(13812345678)", "0571-88888888转8001", "物业费", "2026-10", "300", "100"],
    ])
    s = Settings(workspace=tmp_path)
    store = _store(tmp_path)
    import_file(path, s, store=store, as_of=AS_OF)
    [debtor] = list_debtors(store, s, as_of=AS_OF)
    assert (debtor.room, debtor.owner, debtor.outstanding) == ("1-1-1101", "张伟", 20000)
    assert debtor.phones == ["13812345678", "0571-88888888"]
    parsed = parse_ledger(path, s, as_of=AS_OF)
    assert parsed.result.lines["remark"].tolist() == ["0571-88888888 转 8001"]  # the extension is not lost


def test_a_wide_layout_total_that_disagrees_with_its_items_rejects_the_row_with_both_figures(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "l.xlsx", [
        ["小区", "收费对象", "业主名称", "开始时间", "结束时间", "物业费", "停车费", "合计"],
        ["观山水", "1-1-101", "张伟", "2026-09-01", "2026-10-31", "300", "100", "400"],
        ["观山水", "1-1-102", "李娜", "2026-09-01", "2026-10-31", "300", "100", "450"],
    ])
    parsed = parse_ledger(path, Settings(workspace=tmp_path), as_of=AS_OF)
    assert parsed.result.accepted == 1
    [reject] = parsed.result.rejects
    assert reject.row == 3 and "450.00" in reject.reason and "400.00" in reject.reason


def test_a_ledger_without_periods_says_period_unknown_and_ages_from_its_first_snapshot(tmp_path: Path) -> None:
    s = Settings(workspace=tmp_path)
    store = _store(tmp_path)
    header = ["小区", "房号", "业主", "费用名称", "欠费金额"]
    for day, amount in ((date(2026, 8, 25), "300"), (date(2026, 9, 25), "600"), (date(2026, 11, 25), "900")):
        path = write_xlsx(tmp_path / f"l-{day}.xlsx", [header, ["观山水", "1-101", "张伟", "物业费", amount],
                                                       ["观山水", "1-102", "李娜", "物业费", "100" if day.month == 11
                                                        else "0"]])
        import_file(path, s, store=store, as_of=day)
    debtors = {d.room: d for d in list_debtors(store, s, as_of=date(2026, 11, 30))}
    assert debtors["1-101"].oldest_period == "" and debtors["1-101"].months_overdue == 3  # since 2026-08-25
    assert debtors["1-102"].months_overdue == 0  # its arrears appeared in the newest snapshot
    from feedun.decide.features import feature_table

    f = feature_table(store, s, date(2026, 11, 30)).set_index("room")
    assert f.loc["1-101", "late_fee_fen"] == 0 and f.loc["1-101", "unpaid_periods"] == 0  # nothing invented
    proc = run_feedun(["debtors", "--db", db_url(tmp_path), "--as-of", "2026-11-30"], tmp_path)
    assert "期间不详" in proc.stdout and "nan" not in proc.stdout


def test_a_sheet_without_rooms_is_refused_saying_why_rooms_are_needed(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "l.xlsx", [["客户名称", "联系电话", "欠费金额"], ["张伟", "13812345678", "300"]])
    proc = run_feedun(["import", str(path), "--json", "--db", db_url(tmp_path)], tmp_path)
    assert proc.returncode == 1
    error = json.loads(proc.stdout)  # under --json the failure is JSON on stdout too
    assert "房号" in error["error"] and "按房间催缴" in error["hint"] and error["where"]["row"] == 1


def test_check_reads_and_writes_nothing_and_proposes_columns_for_an_unknown_header(tmp_path: Path) -> None:
    good = write_xlsx(tmp_path / "good.xlsx", [["项目：锦绣家园"], ["房屋编码", "业主", "账单月份", "需收金额", "备注"],
                                                ["1栋-1单元-1101", "张伟", "2026-10", "300", ""],
                                                ["合计", "", "", "300", ""]])
    proc = run_feedun(["import", str(good), "--check", "--json", "--db", db_url(tmp_path)], tmp_path)
    assert proc.returncode == 0, proc.stderr
    check = json.loads(proc.stdout)
    assert check["estate_rule"] == "title" and check["estate"] == "锦绣家园" and check["header_row"] == 2
    assert check["mapping"]["room"] == "房屋编码" and check["skipped"] == {"合计/小计行": 1}
    assert check["first_lines"][0]["room"] == "1-1-1101" and check["first_lines"][0]["outstanding"] == 30000
    shown = run_feedun(["import", str(good), "--check", "--db", db_url(tmp_path)], tmp_path)
    assert "只检查，没有导入" in shown.stdout and "来自表头上方标题行" in shown.stdout
    status = json.loads(run_feedun(["db", "status", "--json", "--db", db_url(tmp_path)], tmp_path).stdout)
    assert status["tables"].get("imports", 0) == 0  # nothing written
    odd = write_xlsx(tmp_path / "odd.xlsx", [["户号", "姓名", "欠款额"], ["1-101", "张伟", "300"]])
    proc = run_feedun(["import", str(odd), "--check", "--json", "--db", db_url(tmp_path)], tmp_path)
    assert proc.returncode == 1
    check = json.loads(proc.stdout)
    assert check["error"] and check["suggested_columns"].get("room") == "户号"


# ---- property: the debtors depend on the rows, not on their order or the noise around them ----------------

ROWS = [["观山水", f"{b}-{u}-{r}", f"业主{b}{u}{r}", f"2026-{m:02d}", f"{(b * 7 + r) % 5 * 100 + 50}.50"]
        for b in (1, 2) for u in (1, 2) for r in (101, 102) for m in (9, 10)]
NOISE = [[], ["合计", "", "", "", "99999"], ["观山水 小计", "", "", "", "1"], ["制表：张会计 审核："]]


def _totals(rows: list[list[str]]) -> dict[tuple[str, str], int]:
    totals: dict[tuple[str, str], int] = {}
    for estate, room, _, _, amount in rows:
        totals[(estate, room)] = totals.get((estate, room), 0) + round(float(amount) * 100)
    return totals


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 10_000), noise=st.lists(st.sampled_from(range(len(NOISE))), max_size=6),
       sheet=st.sampled_from(["欠费明细", "Sheet1", "导出数据 (2)"]))
def test_order_noise_and_sheet_name_never_change_the_debtors(tmp_path: Path, seed: int, noise: list[int],
                                                             sheet: str) -> None:
    rows = [list(r) for r in ROWS]
    random.Random(seed).shuffle(rows)
    for i, kind in enumerate(noise):
        rows.insert((seed + i * 7) % (len(rows) + 1), list(NOISE[kind]))
    path = write_xlsx(tmp_path / f"p-{seed}.xlsx", [["管理处", "房号", "业主", "所属期间", "欠费金额"], *rows],
                      title=sheet)
    result = parse_ledger(path, Settings(workspace=tmp_path), as_of=AS_OF).result
    got: dict[tuple[str, str], int] = {}
    for line in result.lines.itertuples(index=False):
        got[(line.estate, line.room)] = got.get((line.estate, line.room), 0) + int(line.outstanding)
    assert got == _totals(ROWS) and result.rejected == 0
    assert result.rows_read == result.accepted + sum(result.skipped.values())


def test_load_settings_accepts_an_import_estate(tmp_path: Path) -> None:
    (tmp_path / "feedun.toml").write_text('[import]\nestate = "锦绣家园"\n', encoding="utf-8")
    assert load_settings(tmp_path / "feedun.toml").import_.estate == "锦绣家园"


def test_run_refuses_an_estateless_ledger_with_advice_run_can_follow(tmp_path: Path) -> None:
    assert run_feedun(["init", "."], tmp_path).returncode == 0
    (tmp_path / "inbox").mkdir()
    write_xlsx(tmp_path / "inbox" / "欠费.xlsx", [["房号", "业主", "所属期间", "欠费金额"], ["1-101", "张伟", "2026-10", "300"]])
    proc = run_feedun(["run", "--as-of", "2026-11-27", "--db", db_url(tmp_path)], tmp_path)
    assert proc.returncode == 1
    reason = (tmp_path / "inbox" / "failed" / "欠费.xlsx.原因.txt").read_text("utf-8")
    assert "[import] estate" in reason and "加上 --estate" not in reason  # run has no --estate


def test_messages_naming_feedun_toml_sections_keep_their_brackets(tmp_path: Path) -> None:
    """'[import] estate' in a warning or a --check refusal is text, not rich markup that vanishes."""
    (tmp_path / "feedun.toml").write_text('[import]\nestate = "锦绣家园"\n', encoding="utf-8")
    path = write_xlsx(tmp_path / "l.xlsx", [["房号", "业主", "所属期间", "欠费金额"], ["1-101", "张伟", "2026-10", "300"]])
    proc = run_feedun(["import", str(path), "--db", db_url(tmp_path)], tmp_path)
    assert proc.returncode == 0 and "feedun.toml 的 [import] estate" in proc.stderr.replace("\n", ""), proc.stderr
    (tmp_path / "feedun.toml").write_text("", encoding="utf-8")
    other = tmp_path / "other"
    other.mkdir()
    (other / "feedun.toml").write_text("", encoding="utf-8")
    check = run_feedun(["import", str(path), "--check", "--db", f"sqlite:///{other}/feedun.db"], other)
    assert check.returncode == 1 and "[import] 小节" in check.stderr.replace("\n", ""), check.stderr
