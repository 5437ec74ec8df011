"""Display names for codes, in the page's language (msgids are the Chinese names)."""

from __future__ import annotations

from collections.abc import Mapping

from flask_babel import lazy_gettext as _l

from compapp.core.vocab import PRIZE_NAMES as PRIZE_NAMES_ZH
from compapp.core.vocab import (
    CoachRole,
    EventFormat,
    FundingSource,
    ImportStatus,
    LineStatus,
    Medal,
    PayerLevel,
    PlacementStatus,
    RecoveryKind,
    ResultKind,
    RevisionState,
    RevocationStatus,
    Role,
    SkillGrade,
    Tier,
)
from compapp.policy.categories import CATEGORY_NAMES as CATEGORY_ZH
from compapp.policy.categories import CATEGORY_TIER, HONOUR_NAMES


def _translated(names: Mapping) -> dict:
    """A name table whose names are translated where they are shown."""
    return {code: _l(name) for code, name in names.items()}


TIER_NAMES = _translated(Tier.names())
FORMAT_NAMES = _translated(EventFormat.names())
RESULT_KIND_NAMES = _translated(ResultKind.names())
MEDAL_NAMES = _translated(Medal.names())
PRIZE_NAMES = _translated(PRIZE_NAMES_ZH)
PAYER_LEVEL_NAMES = _translated(PayerLevel.names())
COACH_ROLE_NAMES = _translated(CoachRole.names())
ROLE_NAMES = _translated(Role.names())
STATUS_NAMES = _translated(PlacementStatus.names())
CATEGORY_NAMES = _translated(CATEGORY_ZH)
GRADE_NAMES = _translated(SkillGrade.names())


def category(code: str) -> str:
    return str(CATEGORY_NAMES.get(code, code))


def tier(code: str) -> str:
    return str(TIER_NAMES.get(code, code))


def category_tier(code: str) -> str:
    return tier(CATEGORY_TIER.get(code, ""))


def event_format(code: str) -> str:
    return str(FORMAT_NAMES.get(code, code))


def result_kind(code: str) -> str:
    return str(RESULT_KIND_NAMES.get(code, code))


def medal(code: str | None) -> str:
    return str(MEDAL_NAMES.get(code, code or ""))


def prize(number: int | None) -> str:
    return str(PRIZE_NAMES.get(number, "")) if number else ""


def result(medal_code: str | None, prize_number: int | None) -> str:
    """The medal or prize of a placement, or a dash when it has only a rank."""
    if medal_code:
        return medal(medal_code)
    if prize_number:
        return prize(prize_number)
    return "—"


def placement(p) -> str:
    """ "第 1 名 金牌": the rank and result of a placement (or of its stored snapshot, a dict)."""
    if isinstance(p, Mapping):
        rank, medal_code, prize_number = p["rank"], p.get("medal"), p.get("prize")
    else:
        rank, medal_code, prize_number = p.rank, p.medal, p.prize
    return str(_l("第 %(n)s 名 %(result)s", n=rank, result=result(medal_code, prize_number)))


def grade(code: str | None) -> str:
    """The grade's name in the page's language ("无等级" when there is none)."""
    return str(GRADE_NAMES.get(code or SkillGrade.NONE, code or ""))


def payer_level(code: str) -> str:
    return str(PAYER_LEVEL_NAMES.get(code, code))


def coach_role(code: str) -> str:
    return str(COACH_ROLE_NAMES.get(code, code))


def role(code: str) -> str:
    return str(ROLE_NAMES.get(code, code))


def status(code: str) -> str:
    return str(STATUS_NAMES.get(code, code))


LINE_STATUS_NAMES = _translated(LineStatus.names())


def honour_name(code: str) -> str:

    return str(_l(HONOUR_NAMES[code])) if code in HONOUR_NAMES else code


def line_status(code: str) -> str:
    """The status of an award line: provisional, awaiting budget, confirmed or paid."""
    return str(LINE_STATUS_NAMES.get(code, code))


FUNDING_SOURCE_NAMES = _translated(FundingSource.names())


def funding_source(code: str | None) -> str:
    """Where an award line's money comes from (财政预算 / 专项资金 / 省级竞赛经费)."""
    return str(FUNDING_SOURCE_NAMES.get(code, code or ""))


RECOVERY_KIND_NAMES = _translated(RecoveryKind.names())
REVOCATION_STATUS_NAMES = _translated(RevocationStatus.names())
IMPORT_STATUS_NAMES = _translated(ImportStatus.names())
REVISION_STATE_NAMES = _translated(RevisionState.names())


def recovery_kind(code: str) -> str:
    """What a payer does about a revoked award: recover paid money, or stop the payment."""
    return str(RECOVERY_KIND_NAMES.get(code, code))


def revocation_status(code: str) -> str:
    return str(REVOCATION_STATUS_NAMES.get(code, code))


def import_status(code: str) -> str:
    return str(IMPORT_STATUS_NAMES.get(code, code))


def revision_state(code: str) -> str:
    """A policy revision's state: awaiting review, returned, in force or superseded."""
    return str(REVISION_STATE_NAMES.get(code, code))
