"""Promotion cases: evaluate placements against the rules and decide cases.

Services load rows, build plain facts, call the pure rules (compapp.promotion.rules), write
and flush; the view or command that calls them commits once. Every write is recorded in the
audit log. A refused step raises ``PromotionRefused`` with a sentence a person can act on.
Public notices, objections and finalisation: compapp.promotion.notices; loading recipes:
compapp.promotion.queries.
"""

from __future__ import annotations

from collections.abc import Iterable
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date

from flask import has_request_context
from flask_babel import gettext
from sqlalchemy.orm import joinedload, selectinload

from compapp.audit.services import Said, record_change, says, snapshot
from compapp.auth.models import User, utcnow
from compapp.contests.models import Competitor, Contest, Entry, EntryMember, Event, Placement
from compapp.core.messages import N_
from compapp.core.refusals import Refusal
from compapp.core.seen import Changed, check
from compapp.core.vocab import GRADE_NAMES, CaseStatus, ObjectionStatus, TitleStatus, rank_text
from compapp.extensions import db
from compapp.policies.queries import promotion_rules_in_force
from compapp.policy.categories import CATEGORY_NAMES, FORMAT_NAMES
from compapp.policy.promotion import NoPromotionRuleInForce, PromotionPolicy, PromotionRuleSet
from compapp.promotion.models import (
    UNDECIDED_STATUSES,
    PromotionCase,
)
from compapp.promotion.rules import Eligibility, PromotionFacts, check_eligibility
from compapp.reference.models import Jurisdiction

CASE_FIELDS = [
    "status", "eligible", "from_grade", "to_grade", "title", "title_status", "policy_id",
    "clause", "reason", "decision_note", "title_note", "notice_id", "finalized_on",
]  # fmt: skip


def _(msgid: str, **params: object) -> str:
    """Translate ``msgid`` for the request's language; plain Chinese outside a request (CLI)."""
    if has_request_context():
        return gettext(msgid, **params)
    return msgid % params if params else msgid


class PromotionRefused(Refusal):
    """A workflow step that may not happen now; the message says why and what to do."""


def promotion_rules() -> PromotionRuleSet:
    """Return the promotion rules in force: the shipped files, each replaced by its active
    stored version (read strictly, once per set of active versions)."""
    return promotion_rules_in_force()


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

    return (
        joinedload(Placement.entry).options(
            selectinload(Entry.members).joinedload(EntryMember.competitor),
            joinedload(Entry.sending_county).joinedload(Jurisdiction.parent),
            joinedload(Entry.event).joinedload(Event.contest),
        ),
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
                    says(
                        N_("%(name)s：%(case_reason)s"),
                        name=competitor.name,
                        case_reason=case.reason,
                    ),
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
                says(
                    N_("%(name)s：重新评估，%(case_reason)s"),
                    name=competitor.name,
                    case_reason=case.reason,
                ),
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
            says(N_("%(name)s：名次或参赛组已删除，撤销未决的晋升评估"), name=case.competitor.name),
            snapshot(case, CASE_FIELDS),
            None,
            user=user,
        )
        db.session.delete(case)
        summary.removed += 1
    db.session.flush()
    return summary


# ---------------------------------------------------------------------------- decisions


def _require(user: User | None, roles: Iterable[str], what: str) -> None:
    if user is None or user.role not in roles:
        raise PromotionRefused(N_("您的账户无权%(what)s。"), what=what)


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

    check(seen, case_view(case))


@contextmanager
def _versioned(case: PromotionCase, seen: dict | None):
    """Write a decision; one that lost the version check (a change landed meanwhile) is
    rolled back and reported with what changed (``seen.Changed``)."""
    from sqlalchemy.orm.exc import StaleDataError

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
            says(N_("%(name)s：成绩撤回确认，晋升待重新决定"), name=case.competitor.name),
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
        raise PromotionRefused(N_("该选手不符合晋升条件，不能确认晋升。"))
    if case.status != "proposed":
        raise PromotionRefused(
            N_("该晋升已处理（当前状态：%(status)s），不能再次确认。"),
            status=status_name(case.status),
        )
    if case.placement.status != "confirmed":
        raise PromotionRefused(N_("该名次尚未复核确认，请先在成绩页面确认成绩，再确认晋升。"))
    if case.placement.revoked_at is not None:
        raise PromotionRefused(N_("该获奖已撤销，不能确认晋升。"))
    _bind(case, seen)
    with _versioned(case, seen):
        _decide_case(
            case, user, "confirmed", _clean_note(note), "confirm_promotion", N_("确认晋升")
        )


def reject_case(
    case: PromotionCase, user: User, note: str | None, seen: dict | None = None
) -> None:
    """Reject an eligible, proposed case with a note saying why (organiser or admin)."""
    _require(user, ("admin", "organiser"), _("不予晋升"))
    note = _clean_note(note)
    if not note:
        raise PromotionRefused(N_("不予晋升时请在备注中写明理由。"))
    if case.status != "proposed":
        raise PromotionRefused(
            N_("该晋升已处理（当前状态：%(status)s），不能再改为不予晋升。"),
            status=status_name(case.status),
        )
    _bind(case, seen)
    with _versioned(case, seen):
        _decide_case(case, user, "rejected", note, "reject_promotion", N_("不予晋升"))


def _change_case(case: PromotionCase, user: User, action: str, summary: Said, **fields) -> None:
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
        says(
            N_("%(verb)s：%(name)s %(from_grade)s → %(to_grade)s（%(note)s）")
            if note
            else N_("%(verb)s：%(name)s %(from_grade)s → %(to_grade)s"),
            verb=verb,
            name=case.competitor.name,
            from_grade=grade_name(case.from_grade),
            to_grade=grade_name(case.to_grade),
            note=note,
        ),
        status=status,
        decided_by_id=user.id,
        decided_at=utcnow(),
        decision_note=note,
    )


def approve_title(
    case: PromotionCase, user: User, note: str | None = None, seen: dict | None = None
) -> None:
    """Approve the proposed title (经核准): administrators only, as the case was seen."""
    _title_decision(
        case, user, "approved", _clean_note(note), "approve_title", N_("核准称号"), seen
    )


def reject_title(
    case: PromotionCase, user: User, note: str | None, seen: dict | None = None
) -> None:
    """Refuse the proposed title with a note saying why: administrators only."""
    note = _clean_note(note)
    if not note:
        raise PromotionRefused(N_("不予核准称号时请在备注中写明理由。"))
    _title_decision(case, user, "rejected", note, "reject_title", N_("不予核准称号"), seen)


def _title_decision(case, user, title_status, note, action, verb, seen) -> None:
    # 000_506faec866124176.txt:95 (1): the title is granted "经核准" — by an administrator.
    _require(user, ("admin",), _("核准称号（仅管理员）"))
    if case.title_status != "proposed":
        raise PromotionRefused(N_("该选手没有待核准的称号。"))
    if case.status == "rejected":
        raise PromotionRefused(N_("该晋升已不予确认，称号不再核准。"))
    _bind(case, seen)
    with _versioned(case, seen):
        _record_title(case, user, title_status, note, action, verb)


def _record_title(case, user, title_status, note, action, verb) -> None:
    _change_case(
        case,
        user,
        action,
        says(
            N_("%(verb)s：%(name)s“%(title)s”（%(note)s）")
            if note
            else N_("%(verb)s：%(name)s“%(title)s”"),
            verb=verb,
            name=case.competitor.name,
            title=case.title,
            note=note,
        ),
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


# ---------------------------------------------------------------------------- names


STATUS_NAMES = CaseStatus.names()
# Shown instead of 公示中 once the notice has ended and nothing is open.
AWAITING_NAME = N_("期满待生效")
OBJECTION_STATUS_NAMES = ObjectionStatus.names()


def stage_name(case: PromotionCase, today: date) -> str:
    """Return the case's status as a person reads it on ``today``: 公示中 / 期满待生效 / 已生效 /
    有异议 and the earlier states."""
    if case.status == "noticed" and case.notice is not None and case.notice.has_ended(today):
        return _(AWAITING_NAME)
    return status_name(case.status)


def objection_status_name(status: str) -> str:
    """Return an objection's status in the page's language."""
    return _(OBJECTION_STATUS_NAMES[status]) if status in OBJECTION_STATUS_NAMES else status


TITLE_STATUS_NAMES = TitleStatus.names()


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
    return FORMAT_NAMES.get(facts["event_format"], "") + rank_text(
        facts["rank"], bool(facts.get("is_tie"))
    )
