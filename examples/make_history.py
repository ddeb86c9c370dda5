"""Generate the example company's October snapshot and a small contact history (for `feedun demo`).

Reads ledger.xlsx (the November snapshot, as of 2026-11-25) through feedun's own parser and writes:

* ``ledger-2026-10.csv`` -- the same estates a month earlier (as of 2026-10-25): every line of a period up
  to 2026-10 as November shows it, plus arrears for eight rooms that paid up during November.
* ``contacts.csv`` -- what collectors logged in early November: promises (some kept in November, some not),
  vague answers, no answers, busy owners.
* ``profiles.xlsx`` -- an owner profile sheet (业主档案) as the ERP exports it: tags, vehicles, alternate and
  emergency contacts, workplaces, one do-not-contact owner, and two rows that do not match the ledger.

Deterministic: re-run with ``python examples/make_history.py`` after make_examples.py.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd

from feedun.config import Settings
from feedun.intake.importer import parse_ledger

HERE = Path(__file__).resolve().parent
HEADER = ["管理处", "楼栋", "单元", "房号", "业主姓名", "联系电话", "收费项目", "所属期间", "应缴日期", "欠费金额(元)"]
CONTACT_HEADER = ["管理处", "房号", "联系时间", "方式", "结果", "承诺日期", "承诺金额", "经办人", "备注"]


def yuan(fen: int) -> str:
    return f"{fen // 100}.{fen % 100:02d}"


def main() -> None:
    parsed = parse_ledger(HERE / "ledger.xlsx", Settings(workspace=HERE))
    lines = parsed.result.lines
    owing = lines[lines["outstanding"] > 0]
    october = owing[owing["period"] <= "2026-10"]
    debtors = sorted(set(zip(october["estate"], october["room"], strict=True)))
    settled = sorted(set(zip(lines["estate"], lines["room"], strict=True)) - set(zip(owing["estate"], owing["room"],
                                                                                      strict=True)))
    paid_in_november = settled[::40][:8]  # rooms clear in November that owed two months in October

    rows = []
    for line in october.itertuples(index=False):
        rows.append([line.estate, line.building, line.unit, line.room, line.owner, line.phones.replace(",", "/"),
                     line.fee_item, line.period, line.due_date, yuan(int(line.outstanding))])
    for estate, room in paid_in_november:
        first = lines[(lines["estate"] == estate) & (lines["room"] == room)].iloc[0]
        for period in ("2026-09", "2026-10"):
            fee = lines[(lines["estate"] == estate) & (lines["room"] == room) & (lines["period"] == period)
                        & (lines["fee_item"] == "物业服务费")]
            amount = int(fee["amount_due"].iloc[0]) if len(fee) else 30000
            rows.append([estate, first.building, first.unit, room, first.owner, first.phones.replace(",", "/"),
                         "物业服务费", period, f"{period}-15", yuan(amount)])
    rows.sort(key=lambda r: (r[0], r[3], r[7], r[6]))
    with (HERE / "ledger-2026-10.csv").open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["阳光物业服务有限公司 欠费明细表"])
        writer.writerow(["截止日期：2026年10月25日"])
        writer.writerow(HEADER)
        writer.writerows(rows)

    still_owing = [d for d in debtors if d not in paid_in_november]
    contacts = []
    for i, (estate, room) in enumerate(paid_in_november[:3]):  # promised, and paid: kept
        contacts.append([estate, room, f"2026-11-0{2 + i} 10:30", "call", "promised", "2026-11-15", "", "李管家",
                         "说月中一次缴清"])
    for i, (estate, room) in enumerate(still_owing[:3]):  # promised, did not pay: broken
        contacts.append([estate, room, f"2026-11-0{2 + i} 15:00", "call", "promised", "2026-11-18", "300", "李管家",
                         "答应先缴 300 元"])
    for i, (estate, room) in enumerate(still_owing[3:6]):
        contacts.append([estate, room, f"2026-11-06 1{i}:00", "call", "vague", "", "", "王管家", "说过两天来交"])
    for i, (estate, room) in enumerate(still_owing[6:9]):
        contacts.append([estate, room, f"2026-11-07 1{i}:00", "call", "no_answer", "", "", "王管家", ""])
    for i, (estate, room) in enumerate(still_owing[9:11]):
        for day in ("08", "12"):
            contacts.append([estate, room, f"2026-11-{day} 1{i}:00", "wechat", "busy_away", "", "", "王管家",
                             "人在外地出差"])
    for i, (estate, room) in enumerate(still_owing[11:13]):
        contacts.append([estate, room, f"2026-11-09 1{i}:00", "visit", "refused_quality", "", "", "李管家",
                         "卫生间漏水一直没修好，修好再交"])
    estate, room = still_owing[13]
    contacts.append([estate, room, "2026-11-09 15:00", "call", "refused_service", "", "", "李管家",
                     "对保洁和保安不满意"])
    estate, room = still_owing[14]
    for day in ("10", "13", "16"):
        contacts.append([estate, room, f"2026-11-{day} 19:00", "call", "no_answer", "", "", "王管家", ""])
    oldest = october.groupby(["estate", "room"])["period"].min()
    long_overdue = [key for key in oldest[oldest <= "2026-04"].index if key in set(still_owing[15:])][:3]
    for i, (estate, room) in enumerate(long_overdue):  # private tactics tried: a demand letter is next
        for day, outcome in (("03", "no_answer"), ("10", "callback"), ("17", "refused_other")):
            contacts.append([estate, room, f"2026-11-{day} 1{i}:30", "call", outcome, "", "", "李管家", ""])
    with (HERE / "contacts.csv").open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(CONTACT_HEADER)
        writer.writerows(contacts)
    profiles = write_profiles(lines, debtors)
    print(f"ledger-2026-10.csv: {len(rows)} lines; contacts.csv: {len(contacts)} contacts; "
          f"profiles.xlsx: {profiles} rows")


def write_profiles(lines: pd.DataFrame, debtors: list[tuple[str, str]]) -> int:
    """业主档案 for a few dozen rooms, deterministic (every n-th debtor gets a given trait)."""
    from openpyxl import Workbook

    owners = dict(zip(zip(lines["estate"], lines["room"], strict=True), lines["owner"], strict=True))
    traits = ["关系融洽", "脾气急躁", "带头人", "胆小怕事", "长期不在本地", "关系融洽、带头人"]
    workplaces = ["市第一人民医院", "XX 银行支行", "区实验小学", "个体经营", ""]
    wb = Workbook()
    ws = wb.active
    ws.title = "业主档案"
    ws.append(["阳光物业 业主档案导出（2026-11-26）"])
    ws.append(["管理处", "房号", "业主", "联系电话", "备用联系人", "紧急联系人", "工作单位", "车牌", "车位", "标签", "勿扰"])
    count = 0
    for i, (estate, room) in enumerate(debtors[::3][:40]):
        plate = f"川A{10000 + i * 371:05d}" if i % 3 == 0 else None
        slot = f"B2-{100 + i}" if plate else None
        alt = f"配偶 139{i:08d}" if i % 4 == 0 else None
        emergency = f"子女 137{i:08d}" if i % 5 == 0 else None
        ws.append([estate, room, owners[(estate, room)], None, alt, emergency, workplaces[i % len(workplaces)] or None,
                   plate, slot, traits[i % len(traits)], "是" if i == 7 else None])
        count += 1
    ws.append(["阳光花园", "9-9-999", "不存在的房间", None, None, None, None, None, None, None, None])
    first = debtors[1]
    ws.append([first[0], first[1], "前业主张某", None, None, None, None, None, None, "带头人", None])
    wb.save(HERE / "profiles.xlsx")
    return count + 2


if __name__ == "__main__":
    main()
