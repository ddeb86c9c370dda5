"""Owner profiles: tags, disputes, vehicles, alternate contacts, do-not-contact and collector overrides.

A profile belongs to the room's current owner: a sale starts a clean one (docs/design.md, "Owner profiles").
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from feedun.config import Settings
from feedun.core.errors import UsageError
from feedun.core.vocab import DISPUTE_LABELS, TAG_LABELS, Dispute, Tag, choices
from feedun.store.history import add_room_event
from feedun.store.profiles import ProfileFields, owner_profile, save_profile, set_room_collector
from feedun.store.rooms import find_room

if TYPE_CHECKING:
    from feedun.store import Store
    from feedun.store.handle import Connection
    from feedun.store.rooms import Room

# The vocabularies live in core/vocab.py; these names stay for the modules that import them from here
# (the policy grammar, the profile-sheet import, views).
TAGS = TAG_LABELS
DISPUTES = DISPUTE_LABELS


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


def _by_code_or_label(labels: dict) -> dict[str, str]:
    """'rapport' and '关系融洽' -> 'rapport' for one vocabulary (core/vocab.py)."""
    return {str(code): str(code) for code in labels} | {label: str(code) for code, label in labels.items()}


def parse_tag_words(words: list[str]) -> tuple[list[str], list[str]]:
    """'+rapport', '-hot_tempered', '+关系融洽', '-脾气急躁' (or a bare 'leader' / '带头人' to add; full-width ＋/－ too)
    -> (added, removed) as tag codes; unknown tags refused."""
    known = _by_code_or_label(TAG_LABELS)
    add: list[str] = []
    remove: list[str] = []
    for word in words:
        typed = unicodedata.normalize("NFKC", word).strip()
        sign, name = (typed[0], typed[1:].strip()) if typed[:1] in "+-" else ("+", typed)
        code = known.get(name) or known.get(name.lower())
        if code is None:
            raise UsageError(f"不认识的标签“{name}”。", hint=f"可用的标签（代码或中文均可）：{choices(TAG_LABELS)}。")
        (add if sign == "+" else remove).append(Tag(code))
    return add, remove


def parse_dispute_word(word: str | None) -> str | None:
    """'service' or '服务问题' -> 'service' for --dispute; None stays None; unknown types refused."""
    if word is None:
        return None
    typed = unicodedata.normalize("NFKC", word).strip()
    known = _by_code_or_label(DISPUTE_LABELS)
    code = known.get(typed) or known.get(typed.lower())
    if code is None:
        raise UsageError(f"不认识的纠纷类型“{word}”。", hint=f"可用的类型（代码或中文均可）：{choices(DISPUTE_LABELS)}。")
    return code


def check_tag_request(request: TagRequest) -> None:
    """Refuse what no profile could hold before anything is read or written (pure, so the CLI can call it before
    it opens the store)."""
    if request.dispute is not None and request.dispute not in DISPUTE_LABELS:
        raise UsageError(f"不认识的纠纷类型“{request.dispute}”。", hint=f"可用的类型：{choices(DISPUTE_LABELS)}。")
    overlap = set(request.add) & set(request.remove)
    if overlap:
        raise UsageError(f"同一个标签既要加又要去：{'、'.join(sorted(overlap))}。", hint="每个标签只写一次。")


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


def describe_changes(before: ProfileFields, after: ProfileFields) -> list[str]:
    """What changed, in the words of the timeline and the `feedun tag` summary."""
    changes = []
    for tag in sorted(set(after.tags) - set(before.tags)):
        changes.append(f"加标签：{TAG_LABELS[Tag(tag)]}")
    for tag in sorted(set(before.tags) - set(after.tags)):
        changes.append(f"去标签：{TAG_LABELS[Tag(tag)]}")
    if (before.dispute, before.dispute_open) != (after.dispute, after.dispute_open) and after.dispute:
        state = "处理中" if after.dispute_open else "已解决"
        changes.append(f"纠纷：{DISPUTE_LABELS[Dispute(after.dispute)]}（{state}）")
    for old, new, label in ((before.plate, after.plate, "车牌"), (before.slot, after.slot, "车位")):
        if old != new:
            changes.append(f"{label}：{new or '（清除）'}")
    for contact in after.alt_contacts:
        if contact not in before.alt_contacts:
            changes.append(f"备用联系人：{contact}")
    if before.workplace != after.workplace and after.workplace:
        changes.append(f"工作单位：{after.workplace}")
    if before.do_not_contact != after.do_not_contact:
        changes.append("勿扰：不再主动联系" if after.do_not_contact else "取消勿扰")
    return changes


def merged(before: ProfileFields, request: TagRequest) -> ProfileFields:
    """The profile after the request: fields the request leaves out (None) keep their value; lists only grow,
    except tags, which the request removes explicitly."""
    if request.dispute_open is not None and request.dispute is None and before.dispute is None:
        raise UsageError("这个房间还没有记录纠纷，无法标记处理中/已解决。", hint="同时用 --dispute 指明纠纷类型。")
    tags = [t for t in before.tags if t not in request.remove]
    tags += [t for t in request.add if t not in tags]
    return ProfileFields(
        tags=tags,
        dispute=request.dispute or before.dispute,
        dispute_open=(request.dispute_open if request.dispute_open is not None
                      else (True if request.dispute else before.dispute_open)),
        plate=request.plate if request.plate is not None else before.plate,
        slot=request.slot if request.slot is not None else before.slot,
        alt_contacts=before.alt_contacts + [c for c in request.alt_contacts if c not in before.alt_contacts],
        do_not_contact=request.do_not_contact if request.do_not_contact is not None else before.do_not_contact,
        workplace=request.workplace if request.workplace is not None else before.workplace,
    )


def tag_room(store: Store, settings: Settings, request: TagRequest, *, now: datetime | None = None) -> Profile:
    """Apply tag and profile changes to the room's current owner, in one transaction.

    `settings` is taken like every memory command's library call, for a uniform signature.
    """
    check_tag_request(request)
    now = (now or datetime.now()).replace(microsecond=0)
    with store.write() as conn:
        room = find_room(conn, request.room, request.estate)
        return apply_profile(conn, room, request, now)


def apply_profile(conn: Connection, room: Room, request: TagRequest, now: datetime, source: str = "") -> Profile:
    """Merge a request into the current owner's profile inside the caller's transaction (never opens its own);
    log what changed. The profile-sheet import calls this for each row, in its one transaction."""
    stored = owner_profile(conn, room.id, room.owner)
    before = stored.fields if stored is not None else ProfileFields()
    after = merged(before, request)
    changes = describe_changes(before, after)
    save_profile(conn, room.id, room.owner, after, now, profile_id=stored.id if stored is not None else None)
    collector = room.collector
    if request.collector is not None:
        collector = request.collector.strip() or None
        if collector != room.collector:
            set_room_collector(conn, room.id, collector)
            changes.append(f"负责管家：{collector or '（按配置）'}")
    if changes:
        add_room_event(conn, room.id, now, "profile", source + "；".join(changes))
    return Profile(estate=room.estate, room=room.room, owner=room.owner, tags=after.tags, dispute=after.dispute,
                   dispute_open=after.dispute_open, plate=after.plate, slot=after.slot,
                   alt_contacts=after.alt_contacts, do_not_contact=after.do_not_contact, collector=collector,
                   changes=changes)
