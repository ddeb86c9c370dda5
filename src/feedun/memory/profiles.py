"""Owner profiles: tags, disputes, vehicles, alternate contacts, do-not-contact and collector overrides."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from feedun.config import Settings
from feedun.core.errors import UsageError

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from feedun.store.rooms import Room

# A fixed vocabulary: the policy reads these ids, people read the labels.
TAGS: dict[str, str] = {
    "rapport": "关系融洽",
    "hot_tempered": "脾气急躁",
    "leader": "带头人",
    "timid": "胆小怕事",
    "absentee": "长期不在本地",
}
DISPUTES: dict[str, str] = {
    "quality": "房屋质量/整改",
    "service": "服务问题",
    "neighbor": "邻里纠纷",
    "vacancy": "空置房收费",
    "shared_cost": "公摊费用",
    "other": "其他",
}


@dataclass
class TagRequest:
    room: str
    estate: str | None = None
    add: list[str] = field(default_factory=list)
    remove: list[str] = field(default_factory=list)
    dispute: str | None = None
    dispute_open: bool | None = None
    plate: str | None = None
    slot: str | None = None
    alt_contacts: list[str] = field(default_factory=list)
    do_not_contact: bool | None = None
    collector: str | None = None
    workplace: str | None = None


def parse_tag_words(words: list[str]) -> tuple[list[str], list[str]]:
    """'+rapport', '-hot_tempered' (or a bare 'leader' to add) -> (added, removed); unknown tags refused."""
    add, remove = [], []
    for word in words:
        sign, name = (word[0], word[1:]) if word[:1] in "+-" else ("+", word)
        if name not in TAGS:
            raise UsageError(f"不认识的标签“{name}”。",
                             hint="可用的标签：" + "、".join(f"{k}（{v}）" for k, v in TAGS.items()) + "。")
        (add if sign == "+" else remove).append(name)
    return add, remove


@dataclass
class Profile:
    estate: str
    room: str
    owner: str
    tags: list[str]
    dispute: str | None
    dispute_open: bool | None
    plate: str | None
    slot: str | None
    alt_contacts: list[str]
    do_not_contact: bool
    collector: str | None
    changes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k != "changes"} | {"changes": self.changes}


def _describe_changes(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    changes = []
    for tag in sorted(set(after["tags"]) - set(before["tags"])):
        changes.append(f"加标签：{TAGS[tag]}")
    for tag in sorted(set(before["tags"]) - set(after["tags"])):
        changes.append(f"去标签：{TAGS[tag]}")
    if (before["dispute"], before["dispute_open"]) != (after["dispute"], after["dispute_open"]) and after["dispute"]:
        state = "处理中" if after["dispute_open"] else "已解决"
        changes.append(f"纠纷：{DISPUTES[after['dispute']]}（{state}）")
    for key, label in (("plate", "车牌"), ("slot", "车位")):
        if before[key] != after[key]:
            changes.append(f"{label}：{after[key] or '（清除）'}")
    for contact in after["alt_contacts"]:
        if contact not in before["alt_contacts"]:
            changes.append(f"备用联系人：{contact}")
    if before["workplace"] != after["workplace"] and after["workplace"]:
        changes.append(f"工作单位：{after['workplace']}")
    if before["do_not_contact"] != after["do_not_contact"]:
        changes.append("勿扰：不再主动联系" if after["do_not_contact"] else "取消勿扰")
    return changes


def tag_room(settings: Settings, request: TagRequest, *, db_url: str | None = None,
             now: datetime | None = None) -> Profile:
    """Apply tag and profile changes to the room's current owner, in one transaction."""
    from feedun.store import open_store
    from feedun.store.rooms import find_room

    if request.dispute is not None and request.dispute not in DISPUTES:
        raise UsageError(f"不认识的纠纷类型“{request.dispute}”。",
                         hint="可用的类型：" + "、".join(f"{k}（{v}）" for k, v in DISPUTES.items()) + "。")
    overlap = set(request.add) & set(request.remove)
    if overlap:
        raise UsageError(f"同一个标签既要加又要去：{'、'.join(sorted(overlap))}。", hint="每个标签只写一次。")
    now = (now or datetime.now()).replace(microsecond=0)
    with open_store(settings.db_url(db_url)).begin() as conn:
        room = find_room(conn, request.room, request.estate)
        return apply_profile(conn, room, request, now)


def apply_profile(conn: Connection, room: Room, request: TagRequest, now: datetime, source: str = "") -> Profile:
    """Merge a request into the current owner's profile inside the caller's transaction; log what changed."""
    from sqlalchemy import select

    from feedun.store.schema import profiles, room_events, rooms

    row = conn.execute(select(profiles).where(profiles.c.room_id == room.id,
                                              profiles.c.owner == room.owner)).mappings().first()
    before = {
        "tags": row["tags"].split(",") if row and row["tags"] else [],
        "dispute": row["dispute"] if row else None,
        "dispute_open": bool(row["dispute_open"]) if row and row["dispute_open"] is not None else None,
        "plate": row["plate"] if row else None, "slot": row["slot"] if row else None,
        "alt_contacts": json.loads(row["alt_contacts"]) if row else [],
        "do_not_contact": bool(row["do_not_contact"]) if row else False,
        "workplace": row["workplace"] if row else None,
    }
    if request.dispute_open is not None and request.dispute is None and before["dispute"] is None:
        raise UsageError("这个房间还没有记录纠纷，无法标记处理中/已解决。", hint="同时用 --dispute 指明纠纷类型。")
    tags = [t for t in before["tags"] if t not in request.remove]
    tags += [t for t in request.add if t not in tags]
    after = {
        "tags": tags,
        "dispute": request.dispute or before["dispute"],
        "dispute_open": (request.dispute_open if request.dispute_open is not None
                         else (True if request.dispute else before["dispute_open"])),
        "plate": request.plate if request.plate is not None else before["plate"],
        "slot": request.slot if request.slot is not None else before["slot"],
        "alt_contacts": before["alt_contacts"] + [c for c in request.alt_contacts if c not in before["alt_contacts"]],
        "do_not_contact": request.do_not_contact if request.do_not_contact is not None else before["do_not_contact"],
        "workplace": request.workplace if request.workplace is not None else before["workplace"],
    }
    changes = _describe_changes(before, after)
    values = {**after, "tags": ",".join(after["tags"]),
              "alt_contacts": json.dumps(after["alt_contacts"], ensure_ascii=False),
              "dispute_open": None if after["dispute_open"] is None else int(after["dispute_open"]),
              "do_not_contact": int(after["do_not_contact"]), "updated_at": now}
    if row is None:
        conn.execute(profiles.insert().values(room_id=room.id, owner=room.owner, **values))
    else:
        conn.execute(profiles.update().where(profiles.c.id == row["id"]).values(**values))
    collector = room.collector
    if request.collector is not None:
        collector = request.collector.strip() or None
        if collector != room.collector:
            conn.execute(rooms.update().where(rooms.c.id == room.id).values(collector=collector))
            changes.append(f"负责管家：{collector or '（按配置）'}")
    if changes:
        conn.execute(room_events.insert().values(room_id=room.id, at=now, kind="profile",
                                                 detail=source + "；".join(changes)))
    return Profile(estate=room.estate, room=room.room, owner=room.owner, tags=after["tags"], dispute=after["dispute"],
                   dispute_open=after["dispute_open"], plate=after["plate"], slot=after["slot"],
                   alt_contacts=after["alt_contacts"], do_not_contact=after["do_not_contact"], collector=collector,
                   changes=changes)
