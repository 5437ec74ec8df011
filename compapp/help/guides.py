"""The guides compapp has: one per role."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

GUIDES = {
    "organiser": _l("赛事组织者"),
    "finance": _l("财务人员"),
    "coach": _l("教练"),
    "winner": _l("获奖选手"),
    "admin": _l("管理员"),
}


def guide_for(role: str | None) -> str:
    """The guide that fits a role (everyone else: the organiser's, which names every step)."""
    return role if role in GUIDES else "organiser"
