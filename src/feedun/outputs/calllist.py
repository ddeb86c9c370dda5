"""`feedun calls`: one workbook per collector (today's list within capacity, scripts, tactic sheets) and an overview.

The collector fills the entry columns and hands the file back: `feedun import` reads it by the hidden key column.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from feedun.config import Settings
from feedun.core.money import mask_phone, yuan
from feedun.core.periods import period_text
from feedun.core.tactics import FACTS, Tactic, label
from feedun.core.vocab import LIST_OUTCOME_LABELS, NodeKind
from feedun.decide.decisions import Decisions
from feedun.decide.nodes import nodes_on, reached
from feedun.memory.contacts import CHANNELS, OUTCOMES
from feedun.outputs.safe import safe_filename
from feedun.outputs.templating import render, renderer
from feedun.outputs.xlsx import MONEY, Choice, display_width, new_book, write_table
from feedun.store import Store

KEY_HEADER = "键（勿改）"
UNASSIGNED = "未分配管家"  # the list of rooms no collector is assigned to (feedun.toml [collectors] or feedun tag)
OWNER_KEY_HEADER = "业主键（勿改）"
# The printed columns come first (A4 landscape at 10 pt: what a collector reads and writes on the call), then the
# columns kept on screen only: the full script, history and the entry columns typed in after the calls.
PRINTED_HEADERS = ["序号", "房号", "称呼", "电话", "欠费金额(元)", "欠费月数", "策略", "提示", "结果", "承诺日期",
                   "承诺金额", "备注"]
SCREEN_HEADERS = ["联系时间", "联系方式", "回电时间", "管理处", "业主", "最早欠费月份", "下一步", "话术", "上次联系",
                  "上次承诺日期"]
ENTRY_HEADERS = ["联系时间", "联系方式", "结果", "承诺日期", "承诺金额", "回电时间", "备注"]
CALL_HEADERS = [*PRINTED_HEADERS, *SCREEN_HEADERS, KEY_HEADER, OWNER_KEY_HEADER]
# Printed widths add up to 143 units: one A4 landscape width at 100 %, so the list prints at 10 pt.
WIDTHS = {"序号": 5, "房号": 11, "称呼": 11, "电话": 15, "欠费金额(元)": 12, "欠费月数": 9, "策略": 14, "提示": 20,
          "结果": 10, "承诺日期": 10, "承诺金额": 10, "备注": 16,
          "联系时间": 17, "联系方式": 9, "回电时间": 17, "管理处": 10, "业主": 9, "最早欠费月份": 12, "下一步": 34,
          "话术": 60, "上次联系": 22, "上次承诺日期": 13}
WRITE_LINES = 2  # a printed row is at least two lines high: room to write the result by hand
TOTAL_LABEL = "合计"  # in the 序号 column of the totals row; the call-list import skips that row


_DIGITS = re.compile(r"(\d+)")


def walking_key(room: str) -> tuple:
    """Sort key that walks a building in order: '8-2-1201' by building, unit, floor and room as numbers.

    >>> sorted(["10-1-201", "8-2-1201", "8-10-101", "8-2-301", "商铺A"], key=walking_key)
    ['8-2-301', '8-2-1201', '8-10-101', '10-1-201', '商铺A']
    """
    parts = _DIGITS.split(room)
    return (not room[:1].isdigit(), *((0, int(p)) if p.isdigit() else (1, p) for p in parts if p))


def building_of(room: str) -> str:
    """The building is the canonical room code's first part (as for collectors): '8' of '8-2-1201'."""
    return room.split("-")[0] if "-" in room else ""


@dataclass
class CollectorList:
    collector: str
    path: Path
    today: int
    backlog: int
    days_needed: int
    amount_today: int


@dataclass
class CallLists:
    as_of: date
    work_day: date
    lists: list[CollectorList] = field(default_factory=list)
    overview: Path | None = None
    watch_list: Path | None = None
    held: int = 0


def salutation(owner: str) -> str:
    from feedun.outputs.sms import salutation as _salutation

    return _salutation(owner)


def _priority(frame: pd.DataFrame) -> pd.DataFrame:
    """Promises due today first, then the rooms a call node reaches today (tactic 1's calendar), then rooms whose
    quiet period ends today, then tactic severity and amount."""
    severity = frame["tactic"].map(lambda t: FACTS[Tactic(t)].number)
    return frame.assign(
        _promise=frame["promises_due"] > 0,
        _quiet_ends=frame["days_since_last_demand"] == 7,
        _severity=severity,
    ).sort_values(["_promise", "node_call", "_quiet_ends", "_severity", "outstanding_fen", "room"],
                  ascending=[False, False, False, False, False, True], kind="stable")


def _script(scripts: dict[str, Callable[[dict[str, Any]], str]], settings: Settings,
            tactic: str) -> Callable[[dict[str, Any]], str]:
    if tactic not in scripts:
        scripts[tactic] = renderer(settings, f"scripts/{tactic}.short.j2")
    return scripts[tactic]


def _context(settings: Settings, row: Any, collector: str) -> dict[str, Any]:
    owner = row.owner or ""
    # A missing detail is left out by the templates ({% if company_phone %}), never filled with its label; a room
    # nobody is assigned to is called by "管家", the role, not by the list's name 未分配管家.
    return {"company": settings.company.name, "company_phone": settings.company.phone.strip(),
            "payment_methods": settings.company.payment_methods,
            "collector": "管家" if collector in ("", UNASSIGNED) else collector,
            "owner": owner, "surname": owner[:1], "salutation": salutation(owner), "estate": row.estate,
            "room": row.room, "amount": yuan(int(row.outstanding_fen)), "months": int(row.unpaid_periods),
            "oldest_period": row.oldest_period, "promise_date": row.promise_date or ""}


@dataclass(frozen=True)
class ListMemory:
    """What the lists show from the store: read before any list is written, so that writing them reads no
    store (the daily run writes them in a second process, core/background.py)."""

    last: dict[tuple[str, str], str]  # (estate, room) -> '2026-11-03 电话：无人接听', the current owner's last contact
    promised: dict[tuple[str, str], str]  # -> the latest promise date, '2026-12-05'
    vehicles: dict[tuple[str, str], tuple[str, str]]  # -> (plates, parking spaces) for the watch list


def read_list_memory(store: Store) -> ListMemory:
    from feedun.store.calllists import last_contacts, latest_promise_dates, vehicles

    with store.read() as conn:
        contacts, promised, cars = last_contacts(conn), latest_promise_dates(conn), vehicles(conn)
    last = {key: f"{at:%Y-%m-%d %H:%M} {CHANNELS.get(channel, channel)}：{OUTCOMES.get(outcome, outcome)}"
            for key, (at, channel, outcome) in contacts.items()}
    return ListMemory(last, {key: day.isoformat() for key, day in promised.items()}, cars)


LIST_COLUMNS = ("estate", "room", "owner", "phones", "collector", "tactic", "next_action", "outstanding_fen",
                "unpaid_periods", "oldest_period", "promises_due", "days_since_last_demand", "alt_contacts")


def write_call_lists(store: Store, settings: Settings, decisions: Decisions, *, collector: str | None = None,
                     out_dir: Path | None = None) -> CallLists:
    """The day's call lists from the day's decisions (made once by classify; nothing is decided here)."""
    return write_lists(read_list_memory(store), settings, decisions, collector=collector, out_dir=out_dir)


def write_lists(memory: ListMemory, settings: Settings, decisions: Decisions, *, collector: str | None = None,
                out_dir: Path | None = None) -> CallLists:
    """`write_call_lists` with the store already read: writes files only."""
    from feedun.core.calendar import next_workday, workday_after

    as_of = decisions.as_of
    # Only the columns the lists show or sort by: itertuples makes a Series of every column on each call, and a
    # decisions frame has some fifty, for each of ~200 collectors' sheets (7 s of a 100k-room run).
    shown = [c for c in LIST_COLUMNS if c in decisions.frame.columns]
    decided = decisions.frame[shown]
    out_dir = out_dir or settings.workspace / "calls" / as_of.isoformat()
    out_dir.mkdir(parents=True, exist_ok=True)
    work_day = next_workday(as_of)
    result = CallLists(as_of=as_of, work_day=work_day, held=decisions.held)
    # A room is one row whatever brings it to the list (a call node and its tactic alike): never called twice a day.
    node_call = reached(nodes_on(settings, as_of, NodeKind.CALL), decisions.active())
    active = decisions.active()[shown].copy()
    active["node_call"] = node_call
    active["collector"] = active["collector"].fillna(UNASSIGNED)
    last, promised = memory.last, memory.promised
    active["last_contact"] = [last.get((e, r), "") for e, r in zip(active["estate"], active["room"], strict=True)]
    active["promise_date"] = [promised.get((e, r), "") for e, r in zip(active["estate"], active["room"], strict=True)]
    capacity = settings.calls.daily_capacity
    # Each collector's rooms, held ones included (trace and promise sheets), split off in one pass: filtering the
    # whole frame once per collector would grow as rooms × collectors, and collectors grow with the rooms.
    mine = dict(tuple(decided.groupby(decided["collector"].fillna(UNASSIGNED), sort=False))) if len(decided) else {}
    overview_rows = []
    for name, part in sorted(active.groupby("collector"), key=lambda item: item[0]):
        if collector and name != collector:
            continue
        ordered = _priority(part)
        today = ordered.iloc[:capacity]
        path = out_dir / f"催缴清单-{safe_filename(name)}-{as_of.isoformat()}.xlsx"
        _write_collector_book(settings, path, name, today, mine.get(name, decided.iloc[:0]), as_of)
        backlog = len(ordered) - len(today)
        days = -(-len(ordered) // capacity)
        last_day = work_day
        for _ in range(days - 1):
            last_day = workday_after(last_day)
        result.lists.append(CollectorList(name, path, len(today), backlog, days, int(today["outstanding_fen"].sum())))
        overview_rows.append((name, ordered, backlog, days, last_day))
    if not collector:
        result.overview = out_dir / f"催缴总览-{as_of.isoformat()}.xlsx"
        _write_overview(settings, result.overview, overview_rows, capacity, as_of)
        result.watch_list = out_dir / f"全员提醒-门岗车管前台-{as_of.isoformat()}.xlsx"
        _write_watch_book(result.watch_list, active[active["tactic"] == Tactic.ALL_HANDS], memory.vehicles, as_of)
    return result


# ---- workbook writing --------------------------------------------------------------------------------


def contact_hours(settings: Settings) -> str:
    """'联系时间 08:00–21:00': the hours owners may be called or visited (the SMS quiet hours' complement)."""
    quiet_from, quiet_until = settings.sms.quiet_hours
    return f"联系时间 {quiet_until}–{quiet_from}"


def _hint(row: Any) -> str:
    """The printed one-line hint: a promise due today comes first, then the tactic's own line."""
    if int(row.promises_due) > 0:
        # '2026-12-05' -> 回访承诺（12-05）: one printed line; the full date is in 上次承诺日期 on screen
        return f"回访承诺（{row.promise_date[5:]}）" if row.promise_date else "今天回访承诺"
    if row.node_call and row.tactic == Tactic.REMINDER:
        return "节点提醒，约缴费时间"
    return FACTS[Tactic(row.tactic)].hint


def _write_collector_book(settings: Settings, path: Path, collector: str, today: pd.DataFrame,
                          mine: pd.DataFrame, as_of: date) -> None:
    """today: the rooms to call today; mine: every room of the day's decisions this collector looks after."""
    book = new_book(path)
    # Chosen by priority (write_call_lists), printed in walking order: estate, building, unit, floor.
    walk = today.assign(_walk=today["room"].map(walking_key)).sort_values(["estate", "_walk"], kind="stable")
    rows, starts = [], []
    previous = None
    scripts: dict[str, Callable[[dict[str, Any]], str]] = {}  # tactic -> its short script, looked up once
    for number, row in enumerate(walk.itertuples(index=False), start=1):
        ctx = _context(settings, row, collector)
        place = (row.estate, building_of(row.room))
        if place != previous and number > 1:
            starts.append(number - 1)  # the body row where a new building begins
        previous = place
        values = {"序号": number, "房号": row.room, "称呼": ctx["salutation"], "电话": "\n".join(row.phones.split(",")),
                  "欠费金额(元)": float(int(row.outstanding_fen)) / 100, "欠费月数": int(row.unpaid_periods),
                  "策略": label(row.tactic), "提示": _hint(row), "管理处": row.estate, "业主": row.owner,
                  "最早欠费月份": period_text(row.oldest_period), "下一步": row.next_action,
                  "话术": _script(scripts, settings, row.tactic)(ctx), "上次联系": row.last_contact,
                  "上次承诺日期": row.promise_date, KEY_HEADER: f"{row.estate}|{row.room}", OWNER_KEY_HEADER: row.owner}
        rows.append([values.get(h) for h in CALL_HEADERS])
    total_fen = int(today["outstanding_fen"].sum())
    estates = "、".join(sorted(set(today["estate"]))) or "无"
    totals = [TOTAL_LABEL, f"{len(rows)} 户", None, None, total_fen / 100]
    header = f"催缴清单　{collector}　{as_of.isoformat()}　{estates}　{contact_hours(settings)}"
    choices = {"结果": Choice(LIST_OUTCOME_LABELS, strict=True, title="结果", message="请从下拉列表中选择联系结果"),
               "联系方式": Choice(list(CHANNELS.values()))}
    write_table(book, "今日清单", CALL_HEADERS, rows, WIDTHS, formats={"欠费金额(元)": MONEY}, totals=totals,
                page_header=header, printed=len(PRINTED_HEADERS),
                wrap={"称呼", "电话", "策略", "提示", "备注"},  # screen-only columns stay one line: rows print compact
                min_lines=WRITE_LINES, rules=starts, hidden={KEY_HEADER, OWNER_KEY_HEADER}, choices=choices)

    script_rows = []
    for tactic in sorted(FACTS, key=lambda t: -FACTS[t].number):
        sample = {"company": settings.company.name, "company_phone": settings.company.phone.strip(),
                  "payment_methods": settings.company.payment_methods,
                  "collector": "管家" if collector == UNASSIGNED else collector, "owner": "【业主】",
                  "surname": "【姓】", "salutation": "【称呼】", "estate": "【小区】", "room": "【房号】",
                  "amount": "【金额】", "months": "【月数】", "oldest_period": "【最早欠费月份】",
                  "promise_date": "【承诺日期】"}
        script_rows.append([label(tactic.value), FACTS[tactic].next_action,
                            render(settings, f"scripts/{tactic.value}.j2", sample)])
    write_table(book, "话术", ["招数", "做法", "话术"], script_rows, {"招数": 20, "做法": 40, "话术": 90})

    trace = mine[mine["tactic"] == Tactic.TRACE]
    trace_rows = [[r.estate, r.room, r.owner, "；".join(_alternates(r)) or "暂无：查开发商资料、中介、租户、物业档案",
                   render(settings, "scripts/trace_third_party.j2",
                          {"company": settings.company.name, "company_phone": settings.company.phone.strip(),
                           "collector": "管家" if collector == UNASSIGNED else collector, "owner": r.owner,
                           "salutation": salutation(r.owner)})]
                  for r in trace.itertuples(index=False)]
    write_table(book, "查找联系方式", ["管理处", "房号", "业主", "已知线索", "向第三方询问时这样说（不提欠费）"], trace_rows,
                {"已知线索": 40, "向第三方询问时这样说（不提欠费）": 70})
    due = mine[(mine["promises_due"] > 0)]
    write_table(book, "承诺回访", ["管理处", "房号", "业主", "电话", "欠费金额(元)", "要做的事"],
                [[r.estate, r.room, r.owner, " ".join(r.phones.split(",")), float(int(r.outstanding_fen)) / 100,
                  "承诺日期已到：今天回访，确认是否已缴；未缴的约定新的具体日期和金额"] for r in due.itertuples(index=False)])
    book.close()


def _alternates(row: Any) -> list[str]:
    return list(getattr(row, "alt_contacts", None) or [])


def _phone_width(cells: list[str]) -> int:
    """A column wide enough that no phone cell wraps (masked numbers are 11 characters each)."""
    return min(max((display_width(c) for c in cells), default=0) + 2, 40) or 13


def _write_overview(settings: Settings, path: Path, rows: list[tuple], capacity: int, as_of: date) -> None:
    book = new_book(path)
    summary = [[name, len(ordered) - backlog, backlog, days, last_day.isoformat(), len(ordered),
                int(ordered["outstanding_fen"].sum()) / 100] for name, ordered, backlog, days, last_day in rows]
    total_fen = sum(int(ordered["outstanding_fen"].sum()) for _, ordered, _, _, _ in rows)
    days_header = f"需要天数（每天 {capacity} 户）"
    write_table(book, "按管家", ["管家", "今日清单", "顺延", days_header, "预计完成日", "合计户数", "欠费金额(元)"], summary,
                {"管家": 14, "今日清单": 10, "顺延": 8, days_header: 24, "预计完成日": 12, "合计户数": 10,
                 "欠费金额(元)": 15},
                formats={"欠费金额(元)": MONEY}, wrap=(), portrait=True, page_header=f"催缴总览　{as_of.isoformat()}",
                totals=[TOTAL_LABEL, sum(r[1] for r in summary), sum(r[2] for r in summary), None, None,
                        sum(r[5] for r in summary), total_fen / 100])
    detail, phones = [], []
    for name, ordered, _, _, _ in rows:
        for position, r in enumerate(ordered.itertuples(index=False)):
            masked = " ".join(mask_phone(p) for p in r.phones.split(",") if p)
            phones.append(masked)
            detail.append([name, "今日" if position < capacity else "顺延", r.estate, r.room, r.owner, masked,
                           int(r.outstanding_fen) / 100, int(r.unpaid_periods), label(r.tactic)])
    headers = ["管家", "安排", "管理处", "房号", "业主", "电话", "欠费金额(元)", "欠费月数", "策略"]
    write_table(book, "全部明细", headers, detail,
                {"管家": 12, "安排": 6, "管理处": 12, "房号": 12, "业主": 10, "电话": _phone_width(phones),
                 "欠费金额(元)": 13, "欠费月数": 9, "策略": 22},
                formats={"欠费金额(元)": MONEY}, wrap=(), page_header=f"催缴总览·全部明细　{as_of.isoformat()}",
                totals=[TOTAL_LABEL, None, None, f"{len(detail)} 户", None, None, total_fen / 100])
    book.close()


def _write_watch_book(path: Path, rows: pd.DataFrame, vehicles: dict[tuple[str, str], tuple[str, str]],
                      as_of: date) -> None:
    """For gate, parking and front desk: who to remind in person. No amounts, no phone numbers."""
    book = new_book(path)
    walk = rows.assign(_walk=rows["room"].map(walking_key)).sort_values(["estate", "_walk"], kind="stable")
    body = [[r.estate, r.room, salutation(r.owner), *vehicles.get((r.estate, r.room), ("", "")),
             "见到业主时礼貌提醒缴费，可请其到前台办理"] for r in walk.itertuples(index=False)]
    write_table(book, "全员提醒", ["管理处", "房号", "称呼", "车牌", "车位", "请做"], body,
                # 称呼: 13 holds 欧阳先生/女士 on one line; a longer one wraps rather than running into 车牌
                {"管理处": 12, "房号": 12, "称呼": 13, "车牌": 12, "车位": 10, "请做": 40},
                wrap={"称呼", "请做"}, portrait=True, page_header=f"全员提醒（门岗·车管·前台）　{as_of.isoformat()}",
                totals=[TOTAL_LABEL, f"{len(body)} 户"])
    book.close()
