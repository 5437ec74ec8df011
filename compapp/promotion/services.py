"""Promotion workflow: evaluate placements, decide cases, publish notices, finalise grades.

Services load rows, build plain facts, call the pure rules (compapp.promotion.rules), write
and flush; the view or command that calls them commits once. Every write is recorded in the
audit log. A refused step raises ``PromotionRefused`` with a sentence a person can act on.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import current_app, has_request_context
from flask_babel import gettext
from sqlalchemy import update
from sqlalchemy.orm import joinedload, selectinload

from compapp.audit.services import record_change, snapshot
from compapp.auth.models import User, utcnow
from compapp.contests.models import Competitor, Contest, Entry, EntryMember, Event, Placement
from compapp.core.messages import N_
from compapp.core.vocab import GRADE_NAMES, GRADE_ORDER
from compapp.core.workdays import CalendarNotCovered, HolidayCalendar
from compapp.extensions import app_cached, db
from compapp.policy.categories import CATEGORY_NAMES, FORMAT_NAMES
from compapp.promotion.calendar import working_calendar
from compapp.promotion.models import (
    UNDECIDED_STATUSES,
    GradeChange,
    NoticeObjection,
    PromotionCase,
    PublicNotice,
)
from compapp.promotion.policy import NoPromotionRuleInForce, PromotionPolicy, PromotionRuleSet
from compapp.promotion.rules import Eligibility, PromotionFacts, check_eligibility

__all__ = [
    "DEFAULT_NOTICE_WORKING_DAYS",
    "EvaluationSummary",
    "PromotionRefused",
    "approve_title",
    "case_basis",
    "case_policy",
    "confirm_case",
    "contest_cases",
    "default_issuer",
    "evaluate_contest_promotions",
    "finalize_case",
    "grade_history",
    "holiday_calendar",
    "lodge_objection",
    "office_today",
    "resolve_objection",
    "notice_rows",
    "notice_published_content",
    "notice_objections",
    "notice_awaits_decision",
    "notice_working_days",
    "policy_issuer",
    "promotion_categories",
    "promotion_contests",
    "promotion_rules",
    "publish_notice",
    "reject_case",
    "reject_title",
]

DEFAULT_NOTICE_WORKING_DAYS = 5  # "不少于 5 个工作日", 003_a0dee99659bd7bcf.txt:3520
CASE_FIELDS = [
    "status", "eligible", "from_grade", "to_grade", "title", "title_status", "policy_id",
    "clause", "reason", "decision_note", "title_note", "notice_id", "finalized_on",
]  # fmt: skip


def _(msgid: str, **params: object) -> str:
    """Translate ``msgid`` for the request's language; plain Chinese outside a request (CLI)."""
    if has_request_context():
        return gettext(msgid, **params)
    return msgid % params if params else msgid


class PromotionRefused(Exception):
    """A workflow step that may not happen now; the message says why and what to do."""


def promotion_rules() -> PromotionRuleSet:
    """Return the promotion rule set the application loaded (strictly, once)."""
    from compapp.promotion.policy import load_promotion_rules

    return app_cached("promotion_rules", load_promotion_rules)


def promotion_categories(rules: PromotionRuleSet | None = None) -> list[str]:
    """Return the contest categories some promotion rule is stated for, in table order."""
    rules = rules or promotion_rules()
    found = {
        category
        for p in rules.policies
        for v in p.versions
        for rule in v.rules
        for category in rule.categories
    }
    return [code for code in CATEGORY_NAMES if code in found]


def office_today() -> date:
    """Return today's date where the offices are (the app's time zone, Asia/Shanghai)."""
    zone = ZoneInfo(current_app.config.get("BABEL_DEFAULT_TIMEZONE") or "Asia/Shanghai")
    return datetime.now(zone).date()


def notice_working_days() -> int:
    """Return the shortest notice the configuration allows (PROMOTION_NOTICE_WORKING_DAYS).

    The policy's 5 working days (003_a0dee99659bd7bcf.txt:3520) are a floor: the setting
    may raise it, never lower it.
    """
    days = current_app.config.get("PROMOTION_NOTICE_WORKING_DAYS", DEFAULT_NOTICE_WORKING_DAYS)
    if type(days) is not int or days < DEFAULT_NOTICE_WORKING_DAYS:
        raise RuntimeError(
            f"PROMOTION_NOTICE_WORKING_DAYS must be a whole number of at least "
            f"{DEFAULT_NOTICE_WORKING_DAYS} (the policy's minimum), not {days!r}"
        )
    return days


def _extra_holidays() -> frozenset[date]:
    values = current_app.config.get("PROMOTION_EXTRA_HOLIDAYS") or ()
    days = set()
    for value in values:
        if isinstance(value, date):
            days.add(value)
            continue
        try:
            days.add(date.fromisoformat(str(value)))
        except ValueError as exc:
            raise RuntimeError(
                f"PROMOTION_EXTRA_HOLIDAYS: {value!r} is not a date (write it as YYYY-MM-DD)"
            ) from exc
    return frozenset(days)


def holiday_calendar() -> HolidayCalendar:
    """Return the working-day calendar: holidays.toml, the years administrators entered and
    confirmed (compapp.promotion.calendar), and the PROMOTION_EXTRA_HOLIDAYS setting."""
    calendar = working_calendar()
    extra = _extra_holidays()
    if not extra:
        return calendar
    # A local day off is a rest day even if the national notice made it a 调休 working day.
    return replace(
        calendar,
        holidays=calendar.holidays | extra,
        extra_workdays=calendar.extra_workdays - extra,
    )


# ---------------------------------------------------------------------------- evaluation


@dataclass
class EvaluationSummary:
    """What an evaluation of a contest did."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    kept_decided: int = 0
    removed: int = 0
    # Decided cases whose placement facts differ now from those they were decided on.
    changed_after_decision: list[PromotionCase] = field(default_factory=list)


def _facts(placement: Placement, competitor: Competitor) -> tuple[dict, PromotionFacts]:
    entry = placement.entry
    event = entry.event
    contest = event.contest
    county = entry.sending_county
    prefecture = county.prefecture if county is not None else None
    facts = PromotionFacts(
        award_on=contest.award_on,
        category=contest.category,
        event_format=event.format,
        rank=placement.rank,
        current_grade=competitor.grade_code or "none",
        is_employee=bool(competitor.is_employee),
        county_code=entry.sending_county_code,
        prefecture_code=prefecture.code if prefecture is not None else "",
        organiser_code=contest.organiser_code,
        organiser_name=contest.organiser.name if contest.organiser is not None else "",
    )
    snapshot_ = {
        "award_on": facts.award_on.isoformat(),
        "category": facts.category,
        "event_id": event.id,
        "occupation": event.occupation,
        "event_format": facts.event_format,
        "rank": facts.rank,
        "is_tie": bool(placement.is_tie),
        "placement_status": placement.status,
        "current_grade": facts.current_grade,
        "is_employee": facts.is_employee,
        "county_code": facts.county_code,
        "county_name": county.name if county is not None else None,
        "prefecture_code": facts.prefecture_code,
        "prefecture_name": prefecture.name if prefecture is not None else None,
        "organiser_code": contest.organiser_code,
    }
    return snapshot_, facts


def _decide(facts: PromotionFacts, rules: PromotionRuleSet) -> Eligibility:
    try:
        return check_eligibility(facts, rules)
    except NoPromotionRuleInForce as exc:
        # The competitor's prefecture has a policy, but not on this award date: say so.
        policy = next(p for p in rules.policies if p.id == exc.policy_id)
        return Eligibility.ineligible(facts, str(exc), policy)


def _comparable(facts: dict) -> dict:
    # The placement's status and the grade are not facts of the placing: a finalised case
    # raises the grade, which must not read as "the result changed".
    return {k: v for k, v in facts.items() if k not in ("placement_status", "current_grade")}


def _apply_outcome(case: PromotionCase, facts: dict, outcome: Eligibility):
    case.facts = facts
    case.eligible = outcome.eligible
    case.from_grade = outcome.from_grade
    case.to_grade = outcome.to_grade
    case.title = outcome.title
    case.policy_id = outcome.policy_id
    case.version_from = outcome.version_from
    case.policy_digest = outcome.policy_digest
    case.clause = outcome.clause
    case.citation = outcome.citation
    case.reason = outcome.reason
    case.band = outcome.band
    case.evaluated_at = utcnow()
    case.status = "proposed" if outcome.eligible else "ineligible"
    if outcome.title is None:
        case.title_status = "none"
    elif outcome.title_needs_approval:
        case.title_status = "proposed"
    else:
        # A rule may grant its title without approval; record it as approved by the rule.
        case.title_status = "approved"


def _placement_loading() -> tuple:
    # What _facts and the member loop read of each placement, in a few queries in all.
    from compapp.reference.models import Jurisdiction

    return (
        joinedload(Placement.entry).options(
            selectinload(Entry.members).joinedload(EntryMember.competitor),
            joinedload(Entry.sending_county).joinedload(Jurisdiction.parent),
            joinedload(Entry.event).joinedload(Event.contest),
        ),
    )


def case_loading() -> tuple:
    """Load what the contest page shows of each case with the cases, not one query per case."""
    return (
        joinedload(PromotionCase.competitor),
        joinedload(PromotionCase.placement),
        joinedload(PromotionCase.decided_by),
        joinedload(PromotionCase.title_decided_by),
        joinedload(PromotionCase.notice),
    )


def evaluate_contest_promotions(
    contest: Contest, rules: PromotionRuleSet | None = None, user: User | None = None
) -> EvaluationSummary:
    """Build or refresh the promotion case of every placed competitor of ``contest``.

    Undecided cases take the current outcome; decided ones (confirmed, rejected, in a
    notice, final, or with a title decision) are kept as decided and only reported when
    their placement has changed since.
    """
    rules = rules or promotion_rules()
    summary = EvaluationSummary()
    existing = {
        (c.placement_id, c.competitor_id): c
        for c in db.session.scalars(
            db.select(PromotionCase)
            .filter_by(contest_id=contest.id)
            .options(joinedload(PromotionCase.competitor))
        )
    }
    seen: set[tuple[int, int]] = set()
    placements = db.session.scalars(
        db.select(Placement)
        .join(Entry)
        .join(Event)
        # A result revoked for fraud earns no promotion (compapp.revocation).
        .where(Event.contest_id == contest.id, Placement.revoked_at.is_(None))
        .order_by(Event.id, Placement.rank, Entry.id)
        .options(*_placement_loading())
    ).all()
    for placement in placements:
        for member in placement.entry.members:
            competitor = member.competitor
            key = (placement.id, competitor.id)
            seen.add(key)
            facts, plain = _facts(placement, competitor)
            case = existing.get(key)
            if case is not None and case.is_decided:
                summary.kept_decided += 1
                if _comparable(case.facts) != _comparable(facts):
                    summary.changed_after_decision.append(case)
                continue
            outcome = _decide(plain, rules)
            if case is None:
                case = PromotionCase(
                    contest_id=contest.id, placement_id=placement.id, competitor_id=competitor.id
                )
                _apply_outcome(case, facts, outcome)
                db.session.add(case)
                db.session.flush()
                summary.created += 1
                record_change(
                    "create_promotion_case",
                    "promotion_case",
                    case.id,
                    f"{competitor.name}：{case.reason}",
                    None,
                    snapshot(case, CASE_FIELDS),
                    user=user,
                )
                continue
            before = snapshot(case, CASE_FIELDS)
            old_facts = dict(case.facts)
            _apply_outcome(case, facts, outcome)
            after = snapshot(case, CASE_FIELDS)
            if before == after and old_facts == facts:
                summary.unchanged += 1
                continue
            db.session.flush()
            summary.updated += 1
            record_change(
                "refresh_promotion_case",
                "promotion_case",
                case.id,
                f"{competitor.name}：重新评估，{case.reason}",
                {**before, "facts": old_facts},
                {**after, "facts": facts},
                user=user,
            )
    for key, case in existing.items():
        if key in seen:
            continue
        if case.is_decided:
            # The placement or the member is gone but someone decided on it: keep the record.
            summary.kept_decided += 1
            summary.changed_after_decision.append(case)
            continue
        record_change(
            "delete_promotion_case",
            "promotion_case",
            case.id,
            f"{case.competitor.name}：名次或参赛组已删除，撤销未决的晋升评估",
            snapshot(case, CASE_FIELDS),
            None,
            user=user,
        )
        db.session.delete(case)
        summary.removed += 1
    db.session.flush()
    return summary


# ---------------------------------------------------------------------------- queries


def _case_order(case: PromotionCase) -> tuple:
    facts = case.facts or {}
    return (facts.get("event_id") or 0, facts.get("rank") or 0, case.placement_id, case.id)


def contest_cases(contest: Contest) -> tuple[list[PromotionCase], list[PromotionCase]]:
    """Return the contest's cases: (eligible ones, those left out), each by event and rank."""
    cases = db.session.scalars(
        db.select(PromotionCase).filter_by(contest_id=contest.id).options(*case_loading())
    ).all()
    eligible = sorted((c for c in cases if c.eligible), key=_case_order)
    left_out = sorted((c for c in cases if not c.eligible), key=_case_order)
    return eligible, left_out


def contest_cases_query(contest: Contest, eligible: bool):
    """The contest's eligible (or left-out) cases by event and rank, loaded for the contest
    page (for a page of them: compapp.paging)."""
    return (
        db.select(PromotionCase)
        .join(Placement, Placement.id == PromotionCase.placement_id)
        .join(Entry, Entry.id == Placement.entry_id)
        .where(PromotionCase.contest_id == contest.id, PromotionCase.eligible.is_(eligible))
        .order_by(Entry.event_id, Placement.rank, PromotionCase.placement_id, PromotionCase.id)
        .options(*case_loading())
    )


def last_evaluated(contest: Contest):
    """When the contest's cases were last evaluated (None before the first evaluation)."""
    return db.session.scalar(
        db.select(db.func.max(PromotionCase.evaluated_at)).filter_by(contest_id=contest.id)
    )


def awaiting_notice(contest: Contest) -> list[PromotionCase]:
    """The confirmed cases not yet in a notice (the next notice publishes them)."""
    return db.session.scalars(
        db.select(PromotionCase)
        .filter_by(contest_id=contest.id, status="confirmed", notice_id=None)
        .order_by(PromotionCase.id)
        .options(joinedload(PromotionCase.competitor))
    ).all()


def notice_sizes(contest: Contest) -> dict[int, int]:
    """Notice id -> how many cases it published, counted in SQL."""
    return dict(
        db.session.execute(
            db.select(PromotionCase.notice_id, db.func.count())
            .where(PromotionCase.contest_id == contest.id, PromotionCase.notice_id.is_not(None))
            .group_by(PromotionCase.notice_id)
        ).all()
    )


@dataclass
class ContestSummary:
    """A contest with promotion rules and how far its cases have come."""

    contest: Contest
    placed: int
    counts: dict[str, int]

    @property
    def evaluated(self) -> int:
        return sum(self.counts.values())

    @property
    def eligible(self) -> int:
        return self.evaluated - self.counts.get("ineligible", 0)


def promotion_contests(
    rules: PromotionRuleSet | None = None, scope: Callable | None = None
) -> list[ContestSummary]:
    """Return every contest of a category with promotion rules, newest first, with counts.

    :param scope: narrows the contest query (the pages pass ``contests.views.scoped``).
    """
    categories = promotion_categories(rules)
    query = db.select(Contest).where(Contest.category.in_(categories))
    if scope is not None:
        query = scope(query)
    contests = db.session.scalars(query.order_by(Contest.award_on.desc(), Contest.id.desc())).all()
    ids = [c.id for c in contests]
    counts: dict[int, dict[str, int]] = {}
    for contest_id, status, n in db.session.execute(
        db.select(PromotionCase.contest_id, PromotionCase.status, db.func.count(PromotionCase.id))
        .where(PromotionCase.contest_id.in_(ids))
        .group_by(PromotionCase.contest_id, PromotionCase.status)
    ):
        counts.setdefault(contest_id, {})[status] = n
    placed = dict(
        db.session.execute(
            db.select(Event.contest_id, db.func.count(Placement.id))
            .join(Entry, Entry.event_id == Event.id)
            .join(Placement, Placement.entry_id == Entry.id)
            .where(Event.contest_id.in_(ids))
            .group_by(Event.contest_id)
        ).all()
    )
    return [ContestSummary(c, placed.get(c.id, 0), counts.get(c.id, {})) for c in contests]


def grade_history(competitor: Competitor, body_id: int | None = None) -> list[GradeChange]:
    """Return the competitor's grade changes, oldest first.

    :param body_id: only the changes made on cases of this organising body's contests (an
        organiser sees their own body's records, not another body's); ``None``: all.
    """
    query = db.select(GradeChange).filter_by(competitor_id=competitor.id)
    if body_id is not None:
        query = (
            query.join(PromotionCase, PromotionCase.id == GradeChange.case_id)
            .join(Contest, Contest.id == PromotionCase.contest_id)
            .where(Contest.organising_body_id == body_id)
        )
    return db.session.scalars(query.order_by(GradeChange.changed_on, GradeChange.id)).all()


# ---------------------------------------------------------------------------- decisions


def _require(user: User | None, roles: Iterable[str], what: str) -> None:
    if user is None or user.role not in roles:
        raise PromotionRefused(_("您的账户无权%(what)s。", what=what))


def _clean_note(note: str | None) -> str | None:
    note = (note or "").strip()
    return note or None


def case_view(case: PromotionCase) -> dict:
    """What the promotion page shows of a case, and so what a decision on it binds to."""
    facts = case.facts or {}
    return {
        N_("选手"): case.competitor.name,
        N_("赛事类别"): facts.get("category"),
        N_("颁奖日期"): facts.get("award_on"),
        N_("赛项形式"): facts.get("event_format"),
        N_("名次"): facts.get("rank"),
        N_("现有等级"): case.from_grade,
        N_("拟晋升等级"): case.to_grade,
        N_("称号"): case.title,
        N_("称号核准"): case.title_status,
        N_("晋升状态"): case.status,
        N_("成绩复核状态"): case.placement.status,
    }


def _bind(case: PromotionCase, seen: dict | None) -> None:
    """Refuse (``seen.Changed``) unless the case is as the person saw it (compapp.core.seen)."""
    from compapp.core.seen import check

    check(seen, case_view(case))


@contextmanager
def _versioned(case: PromotionCase, seen: dict | None):
    """Write a decision; one that lost the version check (a change landed meanwhile) is
    rolled back and reported with what changed (``seen.Changed``)."""
    from sqlalchemy.orm.exc import StaleDataError

    from compapp.core.seen import Changed

    case_id = case.id
    try:
        yield
    except StaleDataError:
        db.session.rollback()
        _bind(db.session.get(PromotionCase, case_id), seen)
        raise Changed([], unknown=True) from None


def reopen_case_decisions(contest: Contest, placement_ids: list[int], user) -> int:
    """Undo the decisions (confirmed, rejected, title decided) on cases of reopened results.

    The facts they were decided on changed; the cases are evaluated again and need a new
    decision. Cases in a notice or final are never reopened here (the contest change that
    reopens results is refused while such cases exist). Returns how many were reopened.
    """
    if not placement_ids:
        return 0
    cases = db.session.scalars(
        db.select(PromotionCase)
        .where(
            PromotionCase.placement_id.in_(placement_ids),
            PromotionCase.status.in_(("confirmed", "rejected")),
        )
        .order_by(PromotionCase.id)
    ).all()
    cases += db.session.scalars(
        db.select(PromotionCase)
        .where(
            PromotionCase.placement_id.in_(placement_ids),
            PromotionCase.status.in_(UNDECIDED_STATUSES),
            PromotionCase.title_decided_by_id.is_not(None),
        )
        .order_by(PromotionCase.id)
    ).all()
    for case in cases:
        fields = {}
        if case.status in ("confirmed", "rejected"):
            fields.update(
                status="proposed", decided_by_id=None, decided_at=None, decision_note=None
            )
        if case.title_decided_by_id is not None:
            fields.update(
                title_status="proposed",
                title_decided_by_id=None,
                title_decided_at=None,
                title_note=None,
            )
        _change_case(
            case,
            user,
            "reopen_promotion",
            f"{case.competitor.name}：成绩撤回确认，晋升待重新决定",
            **fields,
        )
    if db.session.scalar(db.select(PromotionCase.id).filter_by(contest_id=contest.id).limit(1)):
        evaluate_contest_promotions(contest, user=user)
    return len(cases)


def confirm_case(
    case: PromotionCase, user: User, note: str | None = None, seen: dict | None = None
) -> None:
    """Confirm an eligible, proposed case (organiser or admin), as the organiser saw it."""
    _require(user, ("admin", "organiser"), _("确认晋升"))
    if not case.eligible:
        raise PromotionRefused(_("该选手不符合晋升条件，不能确认晋升。"))
    if case.status != "proposed":
        raise PromotionRefused(
            _(
                "该晋升已处理（当前状态：%(status)s），不能再次确认。",
                status=status_name(case.status),
            )
        )
    if case.placement.status != "confirmed":
        raise PromotionRefused(_("该名次尚未复核确认，请先在成绩页面确认成绩，再确认晋升。"))
    if case.placement.revoked_at is not None:
        raise PromotionRefused(_("该获奖已撤销，不能确认晋升。"))
    _bind(case, seen)
    with _versioned(case, seen):
        _decide_case(case, user, "confirmed", _clean_note(note), "confirm_promotion", _("确认晋升"))


def reject_case(
    case: PromotionCase, user: User, note: str | None, seen: dict | None = None
) -> None:
    """Reject an eligible, proposed case with a note saying why (organiser or admin)."""
    _require(user, ("admin", "organiser"), _("不予晋升"))
    note = _clean_note(note)
    if not note:
        raise PromotionRefused(_("不予晋升时请在备注中写明理由。"))
    if case.status != "proposed":
        raise PromotionRefused(
            _(
                "该晋升已处理（当前状态：%(status)s），不能再改为不予晋升。",
                status=status_name(case.status),
            )
        )
    _bind(case, seen)
    with _versioned(case, seen):
        _decide_case(case, user, "rejected", note, "reject_promotion", _("不予晋升"))


def _change_case(case: PromotionCase, user: User, action: str, summary: str, **fields) -> None:
    """Set ``fields`` on ``case``, flush, and record the change with the case before and after."""
    before = snapshot(case, CASE_FIELDS)
    for name, value in fields.items():
        setattr(case, name, value)
    db.session.flush()
    record_change(
        action, "promotion_case", case.id, summary, before, snapshot(case, CASE_FIELDS), user=user
    )


def _decide_case(case, user, status, note, action, verb) -> None:
    _change_case(
        case,
        user,
        action,
        f"{verb}：{case.competitor.name} {grade_name(case.from_grade)} → "
        f"{grade_name(case.to_grade)}" + (f"（{note}）" if note else ""),
        status=status,
        decided_by_id=user.id,
        decided_at=utcnow(),
        decision_note=note,
    )


def approve_title(
    case: PromotionCase, user: User, note: str | None = None, seen: dict | None = None
) -> None:
    """Approve the proposed title (经核准): administrators only, as the case was seen."""
    _title_decision(case, user, "approved", _clean_note(note), "approve_title", _("核准称号"), seen)


def reject_title(
    case: PromotionCase, user: User, note: str | None, seen: dict | None = None
) -> None:
    """Refuse the proposed title with a note saying why: administrators only."""
    note = _clean_note(note)
    if not note:
        raise PromotionRefused(_("不予核准称号时请在备注中写明理由。"))
    _title_decision(case, user, "rejected", note, "reject_title", _("不予核准称号"), seen)


def _title_decision(case, user, title_status, note, action, verb, seen) -> None:
    # 000_506faec866124176.txt:95 (1): the title is granted "经核准" — by an administrator.
    _require(user, ("admin",), _("核准称号（仅管理员）"))
    if case.title_status != "proposed":
        raise PromotionRefused(_("该选手没有待核准的称号。"))
    if case.status == "rejected":
        raise PromotionRefused(_("该晋升已不予确认，称号不再核准。"))
    _bind(case, seen)
    with _versioned(case, seen):
        _record_title(case, user, title_status, note, action, verb)


def _record_title(case, user, title_status, note, action, verb) -> None:
    _change_case(
        case,
        user,
        action,
        f"{verb}：{case.competitor.name}“{case.title}”" + (f"（{note}）" if note else ""),
        title_status=title_status,
        title_decided_by_id=user.id,
        title_decided_at=utcnow(),
        title_note=note,
    )


def case_policy(case: PromotionCase) -> PromotionPolicy | None:
    """Return the promotion policy ``case`` was decided under, if it names a loaded one."""
    return next((p for p in promotion_rules().policies if p.id == case.policy_id), None)


def policy_issuer(policy: PromotionPolicy) -> str:
    """Return who issues notices and certificates under ``policy``: its prefecture's HR bureau.

    The sources do not name the office (000_506faec866124176.txt:95); this is the default.
    """
    return f"{policy.prefecture_name}人力资源和社会保障局"


def case_basis(case: PromotionCase) -> str | None:
    """Return the document and clause ``case`` rests on: 《…迪庆方案的意见》第(1)项."""
    policy = case_policy(case)
    if policy is None:
        return None
    return f"《{policy.document}》" + (f"第{case.clause}项" if case.clause else "")


def _case_citation(case: PromotionCase) -> str:
    """Return the citation a person reads for ``case`` (POLICY §8), from the policy data."""
    policy = case_policy(case)
    if policy is None:
        return case.citation or "—"
    return policy.cite(case.clause).text


def default_issuer(contest: Contest) -> str:
    """Return the usual issuer of a notice: the HR bureau of the policy's prefecture."""
    cases = db.session.scalars(
        db.select(PromotionCase).filter_by(contest_id=contest.id, eligible=True)
    ).all()
    for case in cases:
        policy = case_policy(case)
        if policy is not None:
            return policy_issuer(policy)
    return contest.organising_body.name


def publish_notice(
    contest: Contest,
    published_on: date,
    user: User,
    working_days: int | None = None,
    issuer: str | None = None,
    contact: str | None = None,
    today: date | None = None,
) -> PublicNotice:
    """Publish the contest's confirmed cases not yet in a notice; compute the end date.

    The notice lasts at least the configured working days (never fewer than the policy's 5,
    003_a0dee99659bd7bcf.txt:3520) and starts no earlier than the day it is published in
    compapp (``today``, the office's date unless given) nor before the contest's award date.
    Raises ``PromotionRefused`` when one of these fails, there is nothing to publish, or the
    working-day calendar does not cover the period.
    """
    _require(user, ("admin", "organiser"), _("发布公示"))
    today = today or office_today()
    minimum = notice_working_days()
    days = working_days if working_days is not None else minimum
    if type(days) is not int or days < minimum:
        raise PromotionRefused(
            _(
                "公示期不得少于 %(n)s 个工作日（《云南省企业职业技能等级认定工作方案（试行）》"
                "云人社通〔2019〕98号 五（四）：公示时间不少于5个工作日）。",
                n=minimum,
            )
        )
    if published_on < today:
        raise PromotionRefused(
            _(
                "公示开始日期不能早于在本系统发布的当天（%(today)s）：公示期从公众能看到公示时起算。"
                "请把公示日期改为 %(today)s 或之后。",
                today=today.isoformat(),
            )
        )
    if published_on < contest.award_on:
        raise PromotionRefused(
            _(
                "公示开始日期不能早于本赛事的颁奖日期（%(award)s）。",
                award=contest.award_on.isoformat(),
            )
        )
    cases = [
        c
        for c in db.session.scalars(
            db.select(PromotionCase).filter_by(contest_id=contest.id, status="confirmed")
        )
        if c.notice_id is None
    ]
    if not cases:
        raise PromotionRefused(_("没有已确认、待公示的晋升，请先确认晋升名单。"))
    calendar = holiday_calendar()
    try:
        ends_on = calendar.add_working_days(published_on, days)
    except CalendarNotCovered as exc:
        raise PromotionRefused(calendar_missing_message(exc.year)) from exc
    rest_days = sorted(
        d.isoformat() for d in calendar.holidays if published_on <= d <= ends_on and d.weekday() < 5
    )
    issuer = (issuer or "").strip() or default_issuer(contest)
    # Objections go to whoever issues the notice, the default issuer or the one given.
    contact = (contact or "").strip() or _(
        "如有异议，请于公示期内向%(issuer)s反映。", issuer=issuer
    )
    notice = PublicNotice(
        contest_id=contest.id,
        published_on=published_on,
        working_days=days,
        ends_on=ends_on,
        holidays_in_period=rest_days,
        calendar_digest=calendar.digest,
        issuer=issuer,
        contact=contact,
        created_by_id=user.id,
    )
    db.session.add(notice)
    db.session.flush()
    for case in sorted(cases, key=_case_order):
        _change_case(
            case,
            user,
            "notice_promotion",
            f"列入公示：{case.competitor.name}，公示期至 {ends_on.isoformat()}",
            status="noticed",
            notice_id=notice.id,
        )
    notice.content = notice_content(contest, cases)
    db.session.flush()
    record_change(
        "publish_notice",
        "public_notice",
        notice.id,
        f"发布晋升公示：{contest.name}，{len(cases)} 人，{published_on.isoformat()} 起 "
        f"{days} 个工作日，至 {ends_on.isoformat()}",
        None,
        snapshot(
            notice,
            [
                "contest_id",
                "published_on",
                "working_days",
                "ends_on",
                "holidays_in_period",
                "issuer",
                "contact",
                "content",
            ],
        ),
        user=user,
    )
    return notice


def finalize_case(case: PromotionCase, on: date, user: User) -> GradeChange:
    """Make a noticed case final on ``on``: set the competitor's grade and record the change.

    Refused before the notice period has ended (``on`` must be after its end date), for a
    case not in a notice, and when the competitor's grade changed since the case was decided.
    """
    _require(user, ("admin", "organiser"), _("确认晋升结果"))
    _refuse_unless_noticed(case)
    notice = case.notice
    if on > office_today():
        raise PromotionRefused(_("不能以今天之后的日期确认晋升结果。"))
    if not notice.has_ended(on):
        raise PromotionRefused(
            _(
                "公示期至 %(end)s 止，尚未期满；%(after)s 起方可确认为最终结果。",
                end=notice.ends_on.isoformat(),
                after=date.fromordinal(notice.ends_on.toordinal() + 1).isoformat(),
            )
        )
    if case.placement.status != "confirmed":
        raise PromotionRefused(
            _("该晋升所依据的成绩已撤回确认：须由第二人重新复核确认成绩，并重新公示后才能生效。")
        )
    competitor = case.competitor
    if competitor.grade_code != case.from_grade:
        # Most often someone made this very case final a moment ago: say that plainly.
        db.session.refresh(case, ["status"])
        _refuse_unless_noticed(case)
        raise PromotionRefused(
            _(
                "选手现有等级为%(now)s，与认定晋升时的%(then)s不一致（可能已因其他晋升改变），"
                "请核实后处理。",
                now=grade_name(competitor.grade_code),
                then=grade_name(case.from_grade),
            )
        )
    if GRADE_ORDER[case.to_grade] <= GRADE_ORDER[competitor.grade_code]:
        raise PromotionRefused(_("拟晋升等级不高于选手现有等级，不能确认。"))
    facts = case.facts
    basis = (
        f"{case.contest.name}（{CATEGORY_NAMES.get(facts['category'], facts['category'])}，"
        f"{facts['award_on']}）{facts['occupation']}"
        f"{FORMAT_NAMES.get(facts['event_format'], '')}决赛第 {facts['rank']} 名；"
        f"依据 {_case_citation(case)}；"
        f"公示 {notice.published_on.isoformat()} 至 {notice.ends_on.isoformat()}；"
        f"晋升案 #{case.id}"
    )
    # Compare-and-set in the database: an objection lodged at the same moment (which moves the
    # case to objected) or a second finalisation makes this one refused, not both applied.
    claimed = db.session.execute(
        update(PromotionCase)
        .where(PromotionCase.id == case.id, PromotionCase.status == "noticed")
        .values(status="final")
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        # Nothing was written for this case: no rollback (other cases of a batch stay done).
        db.session.refresh(case, ["status"])
        _refuse_unless_noticed(case)
        raise PromotionRefused(_("该晋升的状态刚刚已改变，请刷新页面后查看。"))
    before_grade = competitor.grade_code
    change = GradeChange(
        competitor_id=competitor.id,
        from_grade=before_grade,
        to_grade=case.to_grade,
        changed_on=on,
        basis=basis,
        case_id=case.id,
        created_by_id=user.id,
    )
    db.session.add(change)
    competitor.grade_code = case.to_grade
    _change_case(
        case,
        user,
        "finalize_promotion",
        f"晋升生效：{competitor.name} {grade_name(before_grade)} → {grade_name(case.to_grade)}",
        status="final",
        finalized_on=on,
        finalized_by_id=user.id,
        finalized_at=utcnow(),
    )
    record_change(
        "change_grade",
        "competitor",
        competitor.id,
        f"{competitor.name} 等级由{grade_name(before_grade)}变为{grade_name(case.to_grade)}"
        f"（{on.isoformat()}，晋升案 #{case.id}）",
        {"grade_code": before_grade},
        {"grade_code": case.to_grade, "grade_change_id": change.id, "basis": basis},
        user=user,
    )
    return change


def _refuse_unless_noticed(case: PromotionCase) -> None:
    if case.status == "final":
        raise PromotionRefused(_("该晋升已是最终结果。"))
    if case.status == "objected":
        raise PromotionRefused(
            _("该晋升有尚未处理的异议：请先由组织者调查处理异议（成立或不成立），再确认生效。")
        )
    if case.status == "withdrawn":
        raise PromotionRefused(_("该晋升因异议成立已撤销，不能确认生效。"))
    if case.status != "noticed" or case.notice is None:
        raise PromotionRefused(_("该晋升尚未公示，公示期满后才能确认为最终结果。"))


def calendar_missing_message(year: int) -> str:
    """Say why a notice reaching ``year`` cannot be computed, and exactly what to do."""
    return _(
        "公示期将延续到 %(year)s 年，而 %(year)s 年的法定节假日和调休安排尚未录入本系统，"
        "无法计算公示截止日期，公示没有发布。请管理员打开“工作日历”页面，按国务院办公厅"
        "关于 %(year)s 年部分节假日安排的通知录入放假日期和调休上班日期并注明通知文号，"
        "再由另一名管理员核对确认；确认后即可重新发布本公示。",
        year=year,
    )


# ---------------------------------------------------------------------------- objections


def _note(text: str | None, limit: int) -> str | None:
    text = (text or "").strip()
    return text[:limit] if text else None


def lodge_objection(
    case: PromotionCase,
    user: User,
    objector: str,
    content: str,
    contact: str | None = None,
    today: date | None = None,
) -> NoticeObjection:
    """Record an objection (异议) to ``case`` received during its notice; the case waits.

    Organisers and administrators record objections the notice's contact office received
    (by visit, phone or letter), with who raised them; anonymous ones are not recorded.
    The case moves to objected by a compare-and-set, so it cannot become final at the
    same moment.
    """
    _require(user, ("admin", "organiser"), _("登记异议"))
    today = today or office_today()
    objector, content = _note(objector, 120), _note(content, 4000)
    if not objector:
        raise PromotionRefused(_("请填写提出异议的单位或个人（实名）。"))
    if not content:
        raise PromotionRefused(_("请填写异议的内容。"))
    notice = case.notice
    if notice is None or case.status not in ("noticed", "objected"):
        raise PromotionRefused(
            _(
                "只能对公示中的晋升登记异议（当前状态：%(status)s）。",
                status=status_name(case.status),
            )
        )
    if today < notice.published_on:
        raise PromotionRefused(
            _("公示 %(start)s 开始，开始后才能登记异议。", start=notice.published_on.isoformat())
        )
    if notice.has_ended(today):
        raise PromotionRefused(
            _(
                "公示期已于 %(end)s 结束，不再受理异议。",
                end=notice.ends_on.isoformat(),
            )
        )
    moved = db.session.execute(
        update(PromotionCase)
        .where(PromotionCase.id == case.id, PromotionCase.status.in_(("noticed", "objected")))
        .values(status="objected")
        .execution_options(synchronize_session=False)
    )
    if moved.rowcount != 1:
        raise PromotionRefused(_("该晋升的状态刚刚已改变，异议没有登记；请刷新页面后查看。"))
    db.session.refresh(case, ["status"])
    objection = NoticeObjection(
        case_id=case.id,
        notice_id=notice.id,
        objector=objector,
        objector_contact=_note(contact, 200),
        content=content,
        received_on=today,
        recorded_by_id=user.id,
    )
    db.session.add(objection)
    db.session.flush()
    record_change(
        "lodge_objection",
        "promotion_case",
        case.id,
        f"登记异议：{case.competitor.name}，异议人 {objector}（{today.isoformat()}）",
        None,
        {"objection_id": objection.id, "objector": objector, "content": content},
        user=user,
    )
    return objection


def resolve_objection(objection: NoticeObjection, user: User, upheld: bool, note: str) -> None:
    """Decide an open objection with a reason: upheld withdraws the case, dismissed lets it go on.

    Another organiser than the one who recorded it decides (or an administrator), after
    the investigation 云人社通〔2019〕98号 五（四） asks for.
    """
    _require(user, ("admin", "organiser"), _("处理异议"))
    note = _note(note, 4000)
    if not note:
        raise PromotionRefused(
            _("请写明调查结论：异议成立时写明撤销晋升的理由，不成立时写明不予采纳的理由。")
        )
    if user.role != "admin" and objection.recorded_by_id == user.id:
        raise PromotionRefused(
            _("异议须由登记人以外的另一名组织者（或管理员）调查处理，以免一人既登记又裁决。")
        )
    status = "upheld" if upheld else "dismissed"
    decided = db.session.execute(
        update(NoticeObjection)
        .where(NoticeObjection.id == objection.id, NoticeObjection.status == "open")
        .values(status=status, resolved_by_id=user.id, resolved_at=utcnow(), resolution_note=note)
        .execution_options(synchronize_session=False)
    )
    if decided.rowcount != 1:
        raise PromotionRefused(_("该异议已经处理过了，请刷新页面查看处理结果。"))
    db.session.refresh(objection)
    case = objection.case
    if upheld:
        _change_case(
            case,
            user,
            "withdraw_promotion",
            f"异议成立，撤销晋升：{case.competitor.name}（{note}）",
            status="withdrawn",
            decision_note=note,
        )
    else:
        still_open = db.session.scalar(
            db.select(db.func.count(NoticeObjection.id)).where(
                NoticeObjection.case_id == case.id, NoticeObjection.status == "open"
            )
        )
        if not still_open and case.status == "objected":
            _change_case(
                case,
                user,
                "dismiss_objection",
                f"异议不成立：{case.competitor.name}（{note}）",
                status="noticed",
            )
    record_change(
        "resolve_objection",
        "promotion_case",
        case.id,
        f"处理异议（{'成立' if upheld else '不成立'}）：{case.competitor.name}，"
        f"异议人 {objection.objector}；{note}",
        {"objection_id": objection.id, "status": "open"},
        {"objection_id": objection.id, "status": status, "note": note},
        user=user,
    )


def case_objections(case_ids: Iterable[int]) -> dict[int, list[NoticeObjection]]:
    """Return the objections of the given cases, oldest first, by case id (one query)."""
    ids = sorted(set(case_ids))
    found: dict[int, list[NoticeObjection]] = {}
    if not ids:
        return found
    for objection in db.session.scalars(
        db.select(NoticeObjection)
        .where(NoticeObjection.case_id.in_(ids))
        .options(joinedload(NoticeObjection.recorded_by), joinedload(NoticeObjection.resolved_by))
        .order_by(NoticeObjection.id)
    ):
        found.setdefault(objection.case_id, []).append(objection)
    return found


# ---------------------------------------------------------------------------- names


STATUS_NAMES = {
    "ineligible": N_("不符合条件"),
    "proposed": N_("待确认"),
    "confirmed": N_("已确认"),
    "rejected": N_("不予晋升"),
    "noticed": N_("公示中"),
    "objected": N_("有异议"),
    "withdrawn": N_("异议成立，已撤销"),
    "final": N_("已生效"),
}
# Shown instead of 公示中 once the notice has ended and nothing is open.
AWAITING_NAME = N_("期满待生效")
OBJECTION_STATUS_NAMES = {
    "open": N_("待处理"),
    "upheld": N_("异议成立"),
    "dismissed": N_("异议不成立"),
}


def stage_name(case: PromotionCase, today: date) -> str:
    """Return the case's status as a person reads it on ``today``: 公示中 / 期满待生效 / 已生效 /
    有异议 and the earlier states."""
    if case.status == "noticed" and case.notice is not None and case.notice.has_ended(today):
        return _(AWAITING_NAME)
    return status_name(case.status)


def objection_status_name(status: str) -> str:
    """Return an objection's status in the page's language."""
    return _(OBJECTION_STATUS_NAMES[status]) if status in OBJECTION_STATUS_NAMES else status


TITLE_STATUS_NAMES = {
    "none": "—",
    "proposed": N_("待核准"),
    "approved": N_("已核准"),
    "rejected": N_("不予核准"),
}


def status_name(status: str) -> str:
    """Return the case status in the page's language."""
    return _(STATUS_NAMES[status]) if status in STATUS_NAMES else status


def title_status_name(status: str) -> str:
    """Return the title status in the page's language."""
    return _(TITLE_STATUS_NAMES[status]) if status in TITLE_STATUS_NAMES else status


def grade_name(code: str | None) -> str:
    """Return a grade's Chinese name ("—" for none given)."""
    return GRADE_NAMES.get(code, code) if code else "—"


def placing_text(facts: dict) -> str:
    """Return a placing as printed: 双人赛项第 2 名."""
    tie = "（并列）" if facts.get("is_tie") else ""
    return f"{FORMAT_NAMES.get(facts['event_format'], '')}第 {facts['rank']} 名{tie}"


def notice_content(contest: Contest, cases: Iterable[PromotionCase]) -> dict:
    """Return what a notice of ``cases`` prints: the policy and one row per case (JSON-safe)."""
    cases = sorted(cases, key=_case_order)
    ids = sorted({c.policy_id for c in cases if c.policy_id})
    policies = [p for p in promotion_rules().policies if p.id in ids]
    sections = {p.id: p.section for p in policies}
    return {
        "policy_document": "》《".join(p.document for p in policies) or "—",
        # The 文号 a person reads (the key keeps its name for notices published before).
        "policy_id": "、".join(p.document_number or "未印文号" for p in policies) or "—",
        "rows": [
            {
                "case_id": c.id,
                "name": c.competitor.name,
                "employer": c.competitor.employer or "—",
                "county": c.facts.get("county_name") or c.facts.get("county_code") or "—",
                "occupation": c.facts.get("occupation", ""),
                "placing": placing_text(c.facts),
                "from_grade": grade_name(c.from_grade),
                "to_grade": grade_name(c.to_grade),
                "title": c.title if c.title_status == "approved" else "—",
                # The opening paragraph names the policy; the column gives the clause.
                "basis": f"{sections.get(c.policy_id, '')}{c.clause}" if c.clause else "—",
            }
            for c in cases
        ],
    }


def _published_content(notice: PublicNotice) -> dict:
    # Notices published before the content was stored are rebuilt from their cases.
    return notice.content or notice_content(notice.contest, notice.cases)


def notice_rows(
    notice: PublicNotice, content: dict | None = None, rows: list[dict] | None = None
) -> list[tuple]:
    """Return each row of ``notice`` as published (a ``NoticeRow``) with its case as it is now
    (of ``rows`` only, a page of the published rows, when given).

    The page shows the row as the PDF and Excel print it; the case gives its status and links.
    """
    from compapp.promotion.exports import NoticeRow

    content = content or _published_content(notice)
    if rows is None:
        rows = content["rows"]
        cases = {c.id: c for c in notice.cases}
    else:  # one page of the rows: only their cases are loaded
        ids = [row["case_id"] for row in rows if row.get("case_id")]
        cases = {
            c.id: c
            for c in db.session.scalars(db.select(PromotionCase).where(PromotionCase.id.in_(ids)))
        }
    return [
        (
            NoticeRow(**{k: v for k, v in row.items() if k != "case_id"}),
            cases.get(row.get("case_id")),
        )
        for row in rows
    ]


def notice_published_content(notice: PublicNotice) -> dict:
    """What ``notice`` printed when published (stored with it): its basis and its rows, each
    row with its case id."""
    return _published_content(notice)


def notice_objections(notice: PublicNotice) -> list[NoticeObjection]:
    """Every objection lodged against ``notice``'s cases, by case then as received (one
    query, with the case's competitor and the people who recorded and decided it)."""
    return db.session.scalars(
        db.select(NoticeObjection)
        .where(NoticeObjection.notice_id == notice.id)
        .options(
            joinedload(NoticeObjection.case).joinedload(PromotionCase.competitor),
            joinedload(NoticeObjection.recorded_by),
            joinedload(NoticeObjection.resolved_by),
        )
        .order_by(NoticeObjection.case_id, NoticeObjection.id)
    ).all()


def notice_awaits_decision(notice: PublicNotice) -> bool:
    """Whether any case of ``notice`` is still on notice (in SQL)."""
    return db.session.scalar(
        db.select(
            db.exists().where(
                PromotionCase.notice_id == notice.id, PromotionCase.status == "noticed"
            )
        )
    )


def notice_document(notice: PublicNotice):
    """Return the plain content of ``notice`` for the PDF and Excel exports, as published."""
    from compapp.promotion.exports import NoticeDocument

    contest = notice.contest
    content = _published_content(notice)
    rows = tuple(row for row, _case in notice_rows(notice, content))
    return NoticeDocument(
        contest_name=contest.name,
        category_name=CATEGORY_NAMES.get(contest.category, contest.category),
        award_on=contest.award_on,
        policy_document=content["policy_document"],
        policy_id=content["policy_id"],
        published_on=notice.published_on,
        working_days=notice.working_days,
        ends_on=notice.ends_on,
        holidays_in_period=tuple(date.fromisoformat(d) for d in notice.holidays_in_period or ()),
        issuer=notice.issuer,
        contact=notice.contact,
        rows=rows,
    )
