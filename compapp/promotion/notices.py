"""Public notices (公示): publish, record and decide objections (异议), make cases final.

A notice lasts at least the configured working days by the working-day calendar; a case
becomes final only after its notice has ended with no open objection. Refused steps raise
``PromotionRefused``; the view or command that calls these commits once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import update
from sqlalchemy.orm import joinedload

from compapp.audit.services import record_change, says, snapshot
from compapp.auth.models import User, utcnow
from compapp.contests.models import Contest
from compapp.core.messages import N_
from compapp.core.vocab import GRADE_ORDER, CaseStatus, rank_text
from compapp.core.workdays import CalendarNotCovered, HolidayCalendar
from compapp.extensions import db
from compapp.policy.categories import CATEGORY_NAMES, FORMAT_NAMES
from compapp.promotion.calendar import working_calendar
from compapp.promotion.exports import NoticeDocument, NoticeRow
from compapp.promotion.models import (
    GradeChange,
    NoticeObjection,
    PromotionCase,
    PublicNotice,
)
from compapp.promotion.queries import case_order
from compapp.promotion.services import (
    PromotionRefused,
    _,
    _case_citation,
    _change_case,
    _require,
    case_policy,
    grade_name,
    placing_text,
    policy_issuer,
    promotion_rules,
    status_name,
)

DEFAULT_NOTICE_WORKING_DAYS = 5  # "不少于 5 个工作日", 003_a0dee99659bd7bcf.txt:3520

# Why a notice reaching a year cannot be computed, and exactly what to do.
CALENDAR_MISSING = N_(
    "公示期将延续到 %(year)s 年，而 %(year)s 年的法定节假日和调休安排尚未录入本系统，"
    "无法计算公示截止日期，公示没有发布。请管理员打开“工作日历”页面，按国务院办公厅"
    "关于 %(year)s 年部分节假日安排的通知录入放假日期和调休上班日期并注明通知文号，"
    "再由另一名管理员核对确认；确认后即可重新发布本公示。"
)


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
            N_(
                "公示期不得少于 %(n)s 个工作日（《云南省企业职业技能等级认定工作方案（试行）》"
                "云人社通〔2019〕98号 五（四）：公示时间不少于5个工作日）。"
            ),
            n=minimum,
        )
    if published_on < today:
        raise PromotionRefused(
            N_(
                "公示开始日期不能早于在本系统发布的当天（%(today)s）：公示期从公众能看到公示时起算。"
                "请把公示日期改为 %(today)s 或之后。"
            ),
            today=today.isoformat(),
        )
    if published_on < contest.award_on:
        raise PromotionRefused(
            N_("公示开始日期不能早于本赛事的颁奖日期（%(award)s）。"),
            award=contest.award_on.isoformat(),
        )
    cases = [
        c
        for c in db.session.scalars(
            db.select(PromotionCase).filter_by(contest_id=contest.id, status="confirmed")
        )
        if c.notice_id is None
    ]
    if not cases:
        raise PromotionRefused(N_("没有已确认、待公示的晋升，请先确认晋升名单。"))
    calendar = holiday_calendar()
    try:
        ends_on = calendar.add_working_days(published_on, days)
    except CalendarNotCovered as exc:
        raise PromotionRefused(CALENDAR_MISSING, year=exc.year) from exc
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
    for case in sorted(cases, key=case_order):
        _change_case(
            case,
            user,
            "notice_promotion",
            says(
                N_("列入公示：%(name)s，公示期至 %(end)s"),
                name=case.competitor.name,
                end=ends_on.isoformat(),
            ),
            status="noticed",
            notice_id=notice.id,
        )
    notice.content = notice_content(contest, cases)
    db.session.flush()
    record_change(
        "publish_notice",
        "public_notice",
        notice.id,
        says(
            N_("发布晋升公示：%(contest)s，%(n)s 人，%(start)s 起 %(days)s 个工作日，至 %(end)s"),
            contest=contest.name,
            n=len(cases),
            start=published_on.isoformat(),
            days=days,
            end=ends_on.isoformat(),
        ),
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
        raise PromotionRefused(N_("不能以今天之后的日期确认晋升结果。"))
    if not notice.has_ended(on):
        raise PromotionRefused(
            N_("公示期至 %(end)s 止，尚未期满；%(after)s 起方可确认为最终结果。"),
            end=notice.ends_on.isoformat(),
            after=date.fromordinal(notice.ends_on.toordinal() + 1).isoformat(),
        )
    if case.placement.status != "confirmed":
        raise PromotionRefused(
            N_("该晋升所依据的成绩已撤回确认：须由第二人重新复核确认成绩，并重新公示后才能生效。")
        )
    competitor = case.competitor
    if competitor.grade_code != case.from_grade:
        # Most often someone made this very case final a moment ago: say that plainly.
        db.session.refresh(case, ["status"])
        _refuse_unless_noticed(case)
        raise PromotionRefused(
            N_(
                "选手现有等级为%(now)s，与认定晋升时的%(then)s不一致（可能已因其他晋升改变），"
                "请核实后处理。"
            ),
            now=grade_name(competitor.grade_code),
            then=grade_name(case.from_grade),
        )
    if GRADE_ORDER[case.to_grade] <= GRADE_ORDER[competitor.grade_code]:
        raise PromotionRefused(N_("拟晋升等级不高于选手现有等级，不能确认。"))
    facts = case.facts
    basis = (
        f"{case.contest.name}（{CATEGORY_NAMES.get(facts['category'], facts['category'])}，"
        f"{facts['award_on']}）{facts['occupation']}"
        f"{FORMAT_NAMES.get(facts['event_format'], '')}决赛{rank_text(facts['rank'])}；"
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
        raise PromotionRefused(N_("该晋升的状态刚刚已改变，请刷新页面后查看。"))
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
        says(
            N_("晋升生效：%(name)s %(from_grade)s → %(to_grade)s"),
            name=competitor.name,
            from_grade=grade_name(before_grade),
            to_grade=grade_name(case.to_grade),
        ),
        status="final",
        finalized_on=on,
        finalized_by_id=user.id,
        finalized_at=utcnow(),
    )
    record_change(
        "change_grade",
        "competitor",
        competitor.id,
        says(
            N_("%(name)s 等级由%(from_grade)s变为%(to_grade)s（%(on)s，晋升案 #%(case)s）"),
            name=competitor.name,
            from_grade=grade_name(before_grade),
            to_grade=grade_name(case.to_grade),
            on=on.isoformat(),
            case=case.id,
        ),
        {"grade_code": before_grade},
        {"grade_code": case.to_grade, "grade_change_id": change.id, "basis": basis},
        user=user,
    )
    return change


def _refuse_unless_noticed(case: PromotionCase) -> None:
    if case.status == "final":
        raise PromotionRefused(N_("该晋升已是最终结果。"))
    if case.status == "objected":
        raise PromotionRefused(
            N_("该晋升有尚未处理的异议：请先由组织者调查处理异议（成立或不成立），再确认生效。")
        )
    if case.status == CaseStatus.WITHDRAWN:
        raise PromotionRefused(N_("该晋升因异议成立已撤销，不能确认生效。"))
    if case.status != "noticed" or case.notice is None:
        raise PromotionRefused(N_("该晋升尚未公示，公示期满后才能确认为最终结果。"))


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
        raise PromotionRefused(N_("请填写提出异议的单位或个人（实名）。"))
    if not content:
        raise PromotionRefused(N_("请填写异议的内容。"))
    notice = case.notice
    if notice is None or case.status not in ("noticed", "objected"):
        raise PromotionRefused(
            N_("只能对公示中的晋升登记异议（当前状态：%(status)s）。"),
            status=status_name(case.status),
        )
    if today < notice.published_on:
        raise PromotionRefused(
            N_("公示 %(start)s 开始，开始后才能登记异议。"), start=notice.published_on.isoformat()
        )
    if notice.has_ended(today):
        raise PromotionRefused(
            N_("公示期已于 %(end)s 结束，不再受理异议。"), end=notice.ends_on.isoformat()
        )
    moved = db.session.execute(
        update(PromotionCase)
        .where(PromotionCase.id == case.id, PromotionCase.status.in_(("noticed", "objected")))
        .values(status="objected")
        .execution_options(synchronize_session=False)
    )
    if moved.rowcount != 1:
        raise PromotionRefused(N_("该晋升的状态刚刚已改变，异议没有登记；请刷新页面后查看。"))
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
        says(
            N_("登记异议：%(name)s，异议人 %(objector)s（%(on)s）"),
            name=case.competitor.name,
            objector=objector,
            on=today.isoformat(),
        ),
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
            N_("请写明调查结论：异议成立时写明撤销晋升的理由，不成立时写明不予采纳的理由。")
        )
    if user.role != "admin" and objection.recorded_by_id == user.id:
        raise PromotionRefused(
            N_("异议须由登记人以外的另一名组织者（或管理员）调查处理，以免一人既登记又裁决。")
        )
    status = "upheld" if upheld else "dismissed"
    decided = db.session.execute(
        update(NoticeObjection)
        .where(NoticeObjection.id == objection.id, NoticeObjection.status == "open")
        .values(status=status, resolved_by_id=user.id, resolved_at=utcnow(), resolution_note=note)
        .execution_options(synchronize_session=False)
    )
    if decided.rowcount != 1:
        raise PromotionRefused(N_("该异议已经处理过了，请刷新页面查看处理结果。"))
    db.session.refresh(objection)
    case = objection.case
    if upheld:
        _change_case(
            case,
            user,
            "withdraw_promotion",
            says(
                N_("异议成立，撤销晋升：%(name)s（%(note)s）"), name=case.competitor.name, note=note
            ),
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
                says(N_("异议不成立：%(name)s（%(note)s）"), name=case.competitor.name, note=note),
                status="noticed",
            )
    record_change(
        "resolve_objection",
        "promotion_case",
        case.id,
        says(
            (
                N_("处理异议（成立）：%(name)s，异议人 %(objector)s；%(note)s")
                if upheld
                else N_("处理异议（不成立）：%(name)s，异议人 %(objector)s；%(note)s")
            ),
            name=case.competitor.name,
            objector=objection.objector,
            note=note,
        ),
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


# ---------------------------------------------------------------------------- content


def notice_content(contest: Contest, cases: Iterable[PromotionCase]) -> dict:
    """Return what a notice of ``cases`` prints: the policy and one row per case (JSON-safe)."""
    cases = sorted(cases, key=case_order)
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
