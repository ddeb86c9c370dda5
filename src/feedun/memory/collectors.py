"""Who looks after a room: a per-room override, else feedun.toml [collectors] by building, else by estate."""

from __future__ import annotations

from feedun.config import Settings


def collector_for(settings: Settings, estate: str, room: str, override: str | None = None) -> str | None:
    """The collector for a room; the building is the canonical room code's first part ('8' of '8-2-1201')."""
    if override:
        return override
    building = room.split("-")[0] if "-" in room else ""
    table = settings.collectors
    return table.get(f"{estate}/{building}") or table.get(estate)
