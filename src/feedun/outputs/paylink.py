"""Pay in one tap: the room's payment URL from [company] payment_url, and its QR code.

The seed's advice for busy owners is to make paying easy; a code on the paper they hold (a notice, a letter, the
visit sheet at their door) opens the company's own payment page for their room. feedun never handles payments.
"""

from __future__ import annotations

import io
from urllib.parse import quote

from feedun.config import Settings


def pay_url(settings: Settings, estate: str, room: str) -> str | None:
    """The payment page for one room, or None when the company has none.

    >>> s = Settings.model_validate({"company": {"payment_url": "https://pay.example.com/r/{estate}/{room}"}})
    >>> pay_url(s, "阳光花园", "8-2-1201")
    'https://pay.example.com/r/%E9%98%B3%E5%85%89%E8%8A%B1%E5%9B%AD/8-2-1201'
    >>> pay_url(Settings(), "阳光花园", "8-2-1201") is None
    True
    """
    template = settings.company.payment_url
    if not template:
        return None
    return template.replace("{estate}", quote(estate, safe="")).replace("{room}", quote(room, safe=""))


def qr_png(url: str, *, scale: int = 4) -> bytes:
    """A QR code of `url` as PNG bytes (error correction M: still reads with a fold or a stamp across it)."""
    import segno

    buffer = io.BytesIO()
    segno.make(url, error="m", micro=False).save(buffer, kind="png", scale=scale, border=2)
    return buffer.getvalue()
