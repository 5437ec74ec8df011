"""Dates written the Chinese way: 2024年9月15日, or in characters 二〇二四年九月十五日; times in
Beijing time."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from typing import Literal

_HANZI_DIGITS = "〇一二三四五六七八九"


def _hanzi_number(n: int) -> str:
    """Write 1–31 the way dates are written on certificates: 十, 十一, 二十五."""
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else _HANZI_DIGITS[tens] + "十")
    return head + (_HANZI_DIGITS[ones] if ones or not head else "")


def format_date(d: date, style: Literal["hanzi", "arabic"] = "hanzi") -> str:
    """Write ``d`` as on a certificate: 二〇二四年九月十五日 (hanzi) or 2024年9月15日."""
    if style == "arabic":
        return f"{d.year}年{d.month}月{d.day}日"
    year = "".join(_HANZI_DIGITS[int(ch)] for ch in str(d.year))
    return f"{year}年{_hanzi_number(d.month)}月{_hanzi_number(d.day)}日"


# China Standard Time: UTC+8 all year (no daylight saving since 1991), so a fixed offset
# needs no time-zone database on the server.
BEIJING = timezone(timedelta(hours=8), "Asia/Shanghai")


def beijing_time(at: datetime) -> datetime:
    """Return ``at`` in Beijing time; a naive ``at`` is UTC (as compapp stores timestamps)."""
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    return at.astimezone(BEIJING)


def format_datetime(at: datetime, language: str = "zh") -> str:
    """Write a stored timestamp in Beijing time: 2026年12月3日 14:05 (English: 2026-12-03 14:05)."""
    local = beijing_time(at)
    if language == "en":
        return local.strftime("%Y-%m-%d %H:%M")
    return f"{format_date(local.date(), 'arabic')} {local:%H:%M}"


def format_day(d: date, language: str = "zh") -> str:
    """Write a day as a page or export in ``language`` does: 2026年12月3日, or 2026-12-03."""
    return d.isoformat() if language == "en" else format_date(d, "arabic")
