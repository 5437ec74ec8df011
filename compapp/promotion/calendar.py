"""The working-day calendar of public notices: shipped years plus years administrators enter.

compapp ships the State Council's holiday notices it knew of (holidays.toml). Each later year
is entered in the app by an administrator from that year's notice, with its citation, and
counts only once a second administrator has confirmed it (the database refuses the same
person twice). From 60 days before the calendar runs out administrators are warned; a notice
that would end beyond it is refused with what to do (notices.CALENDAR_MISSING).
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, replace
from datetime import date, timedelta

from flask import has_request_context
from flask_babel import gettext
from sqlalchemy import update

from compapp.audit.services import record_change, says
from compapp.auth.models import User, utcnow
from compapp.core.messages import N_
from compapp.core.refusals import PROBLEMS, Refusal
from compapp.core.vocab import CalendarStatus
from compapp.core.workdays import HolidayCalendar, load_holiday_calendar
from compapp.extensions import app_cached, db
from compapp.promotion.models import CalendarYear

WARNING_DAYS = 60
_RANGE = re.compile(r"^(\d{4}-\d{2}-\d{2})\s*(?:~|～|至|--|—|到)\s*(\d{4}-\d{2}-\d{2})$")
_SPLIT = re.compile(r"[\s,，、;；]+")


def _(msgid: str, **params: object) -> str:
    if has_request_context():
        return gettext(msgid, **params)
    return msgid % params if params else msgid


class CalendarRefused(Refusal):
    """A calendar entry or decision that may not happen; the message says what to do."""


def shipped_calendar() -> HolidayCalendar:
    """Return the calendar shipped with compapp (holidays.toml), loaded once."""
    return app_cached("holiday_calendar", load_holiday_calendar)


def confirmed_years() -> list[CalendarYear]:
    """Return the confirmed entered years in force (one per year), by year."""
    return db.session.scalars(
        db.select(CalendarYear)
        .filter_by(status=CalendarStatus.CONFIRMED)
        .order_by(CalendarYear.year)
    ).all()


def working_calendar() -> HolidayCalendar:
    """Return the shipped calendar with the confirmed entered years added."""
    shipped = shipped_calendar()
    entered = [row for row in confirmed_years() if row.year not in shipped.years]
    if not entered:
        return shipped
    holidays, workdays = set(shipped.holidays), set(shipped.extra_workdays)
    sources = dict(shipped.sources)
    for row in entered:
        holidays.update(date.fromisoformat(d) for d in row.holidays)
        workdays.update(date.fromisoformat(d) for d in row.workdays)
        sources[row.year] = row.source
    digest = hashlib.sha256(
        (
            shipped.digest + json.dumps([[r.id, r.year, r.holidays, r.workdays] for r in entered])
        ).encode()
    ).hexdigest()
    return replace(
        shipped,
        years=shipped.years | {row.year for row in entered},
        holidays=frozenset(holidays),
        extra_workdays=frozenset(workdays),
        sources=sources,
        digest=digest,
    )


def covered_until(calendar: HolidayCalendar, today: date) -> date | None:
    """Return the last day of the unbroken run of configured years from ``today``'s year."""
    year = today.year
    if year not in calendar.years:
        return None
    while year + 1 in calendar.years:
        year += 1
    return date(year, 12, 31)


@dataclass(frozen=True)
class CalendarWarning:
    """The calendar runs out soon (or has): until when, and which year to enter."""

    until: date | None
    days_left: int
    next_year: int

    def message(self) -> str:
        if self.until is None or self.days_left < 0:
            return _(
                "工作日历没有 %(year)s 年的节假日安排：截止日期落在 %(year)s 年的公示都无法发布。"
                "请在“工作日历”页面按国务院办公厅的通知录入 %(year)s 年的放假和调休日期，"
                "并请另一名管理员确认。",
                year=self.next_year,
            )
        return _(
            "工作日历只录入到 %(until)s（还剩 %(days)s 天）。请在“工作日历”页面按国务院"
            "办公厅关于 %(year)s 年部分节假日安排的通知录入放假和调休日期，并请另一名管理员"
            "确认；否则截止日期在 %(until)s 之后的公示将无法发布。",
            until=self.until.isoformat(),
            days=self.days_left,
            year=self.next_year,
        )


def calendar_warning(today: date) -> CalendarWarning | None:
    """Return a warning from WARNING_DAYS days before the calendar runs out, else None."""
    calendar = working_calendar()
    until = covered_until(calendar, today)
    if until is None:
        return CalendarWarning(None, -1, today.year)
    days_left = (until - today).days
    if days_left > WARNING_DAYS:
        return None
    return CalendarWarning(until, days_left, until.year + 1)


# ---------------------------------------------------------------------------- entering years


def parse_dates(text: str, year: int, field: str) -> tuple[list[date], list[str]]:
    """Read dates and ranges (2027-02-05 至 2027-02-13) from ``text``; return dates, problems."""
    days: list[date] = []
    problems: list[str] = []
    text = (text or "").strip()
    # A range may be written with spaces around its dash or 至: join those first.
    text = re.sub(r"\s*(~|～|至|--|—|到)\s*", r"\1", text)
    for token in (t for t in _SPLIT.split(text) if t):
        match = _RANGE.match(token)
        try:
            if match:
                start, end = (date.fromisoformat(match.group(i)) for i in (1, 2))
                if end < start or (end - start).days > 31:
                    raise ValueError
                days.extend(start + timedelta(days=i) for i in range((end - start).days + 1))
            else:
                days.append(date.fromisoformat(token))
        except ValueError:
            problems.append(
                _(
                    "%(field)s：“%(token)s”不是日期或日期范围（请写成 %(year)s-10-01 或 "
                    "%(year)s-10-01 至 %(year)s-10-07）。",
                    field=field,
                    token=token[:40],
                    year=year,
                )
            )
    return days, problems


def check_year(year: int, holidays: list[date], workdays: list[date]) -> list[str]:
    """Return what is wrong with a year's entry (empty when it may be proposed)."""
    problems = []
    if year in shipped_calendar().years:
        problems.append(_("%(year)s 年的安排已随系统提供，不需要录入。", year=year))
    if not holidays:
        problems.append(_("请填写放假日期（国务院办公厅通知中的全部放假日）。"))
    for label, days in ((_("放假日期"), holidays), (_("调休上班日期"), workdays)):
        for day in days:
            if day.year != year:
                problems.append(
                    _("%(label)s %(day)s 不在 %(year)s 年。", label=label, day=day, year=year)
                )
        twice = sorted({d for d in days if days.count(d) > 1})
        if twice:
            problems.append(
                _("%(label)s %(day)s 重复填写。", label=label, day=twice[0].isoformat())
            )
    for day in workdays:
        if day.weekday() < 5:
            problems.append(
                _(
                    "调休上班日期 %(day)s 是周一至周五，本来就是工作日：这里只填调为上班的周六、周日。",
                    day=day.isoformat(),
                )
            )
    both = sorted(set(holidays) & set(workdays))
    if both:
        problems.append(_("%(day)s 既填为放假又填为上班。", day=both[0].isoformat()))
    return problems


def propose_year(
    year: int, holidays: list[date], workdays: list[date], source: str, user: User
) -> CalendarYear:
    """Record an administrator's entry of a year; it counts once another administrator confirms."""
    if user.role != "admin":
        raise CalendarRefused(N_("只有管理员可以录入工作日历。"))
    source = (source or "").strip()
    if not source:
        raise CalendarRefused(
            N_("请填写依据：国务院办公厅关于该年部分节假日安排的通知的标题、文号和日期。")
        )
    problems = check_year(year, holidays, workdays)
    if problems:
        raise CalendarRefused(PROBLEMS, problems=" ".join(problems))
    row = CalendarYear(
        year=year,
        holidays=sorted(d.isoformat() for d in set(holidays)),
        workdays=sorted(d.isoformat() for d in set(workdays)),
        source=source[:400],
        entered_by_id=user.id,
    )
    db.session.add(row)
    db.session.flush()
    record_change(
        "propose_calendar_year",
        "calendar_year",
        row.id,
        says(
            N_(
                "录入 %(year)s 年工作日历（待另一名管理员确认）：放假 %(holidays)s 天，"
                "调休上班 %(workdays)s 天；依据 %(source)s"
            ),
            year=year,
            holidays=len(row.holidays),
            workdays=len(row.workdays),
            source=row.source,
        ),
        None,
        {"year": year, "holidays": row.holidays, "workdays": row.workdays, "source": row.source},
        user=user,
    )
    return row


def decide_year(row: CalendarYear, user: User, confirm: bool, note: str | None = None) -> None:
    """Confirm (or reject, with a reason) another administrator's entry of a year."""
    if user.role != "admin":
        raise CalendarRefused(N_("只有管理员可以确认工作日历。"))
    if row.entered_by_id == user.id:
        raise CalendarRefused(
            N_("录入人不能确认自己录入的日历：请另一名管理员对照通知原文核对后确认。")
        )
    note = (note or "").strip() or None
    if not confirm and not note:
        raise CalendarRefused(N_("退回时请写明哪里与通知不符。"))
    if confirm:
        # One confirmed entry per year (a unique index): a correction supersedes the old one.
        db.session.execute(
            update(CalendarYear)
            .where(
                CalendarYear.year == row.year,
                CalendarYear.status == CalendarStatus.CONFIRMED,
                CalendarYear.id != row.id,
            )
            .values(status=CalendarStatus.SUPERSEDED)
            .execution_options(synchronize_session=False)
        )
    decided = db.session.execute(
        update(CalendarYear)
        .where(CalendarYear.id == row.id, CalendarYear.status == CalendarStatus.PROPOSED)
        .values(
            status=CalendarStatus.CONFIRMED if confirm else CalendarStatus.REJECTED,
            decided_by_id=user.id,
            decided_at=utcnow(),
            decision_note=note,
        )
        .execution_options(synchronize_session=False)
    )
    if decided.rowcount != 1:
        raise CalendarRefused(N_("该录入已由其他管理员处理，请刷新页面查看。"))
    db.session.refresh(row)
    record_change(
        "confirm_calendar_year" if confirm else "reject_calendar_year",
        "calendar_year",
        row.id,
        says(
            {
                (True, False): N_("确认 %(year)s 年工作日历（录入人 %(user)s）"),
                (True, True): N_("确认 %(year)s 年工作日历（录入人 %(user)s）：%(note)s"),
                (False, False): N_("退回 %(year)s 年工作日历（录入人 %(user)s）"),
                (False, True): N_("退回 %(year)s 年工作日历（录入人 %(user)s）：%(note)s"),
            }[confirm, bool(note)],
            year=row.year,
            user=row.entered_by.username,
            note=note,
        ),
        {"status": "proposed"},
        {"status": row.status, "note": note},
        user=user,
    )


def calendar_rows() -> list[CalendarYear]:
    """Return every entered year, newest entry first, with who entered and decided it."""
    from sqlalchemy.orm import joinedload

    return db.session.scalars(
        db.select(CalendarYear)
        .options(joinedload(CalendarYear.entered_by), joinedload(CalendarYear.decided_by))
        .order_by(CalendarYear.year.desc(), CalendarYear.id.desc())
    ).all()


STATUS_NAMES = CalendarStatus.names()


def status_name(status: str) -> str:
    """Return an entered year's status in the page's language."""
    return _(STATUS_NAMES[status]) if status in STATUS_NAMES else status
