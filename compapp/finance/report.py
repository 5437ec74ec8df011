"""The annual execution report (年度执行情况) of one payer: confirmed and paid award money of
the contests awarded in a year, by contest, category, sending prefecture and county, month and
clause. Every figure is a SQL sum; the report holds no personal data."""

from __future__ import annotations

from datetime import date

from babel.dates import get_month_names
from flask_babel import get_locale

from compapp import labels
from compapp.contests.models import Contest, Entry, Event, Placement
from compapp.english import shown
from compapp.extensions import db
from compapp.finance.report_exports import Report, ReportRow
from compapp.finance.roster import clause_text
from compapp.reference.models import Jurisdiction
from compapp.rewards.models import AwardLineRecord


def _grouped(payer_code: str, year: int, *columns):
    confirmed = db.and_(
        AwardLineRecord.budget_confirmation_id.is_not(None),
        db.or_(Placement.revoked_at.is_(None), AwardLineRecord.paid_on.is_not(None)),
    )
    paid = AwardLineRecord.paid_on.is_not(None)
    query = (
        db.select(
            *columns,
            db.func.sum(db.case((confirmed, AwardLineRecord.amount_fen), else_=0)),
            db.func.sum(db.case((paid, AwardLineRecord.amount_fen), else_=0)),
            db.func.count(db.distinct(AwardLineRecord.entry_id)),
        )
        .select_from(AwardLineRecord)
        .join(Entry, Entry.id == AwardLineRecord.entry_id)
        .join(Event, Event.id == Entry.event_id)
        .join(Contest, Contest.id == Event.contest_id)
        .join(Placement, Placement.entry_id == Entry.id)
        .where(
            AwardLineRecord.payer_code == payer_code,
            AwardLineRecord.is_current.is_(True),
            AwardLineRecord.budget_confirmation_id.is_not(None),
            Contest.award_on >= date(year, 1, 1),
            Contest.award_on < date(year + 1, 1, 1),
        )
        .group_by(*columns)
        .order_by(*columns)
    )
    return query


def _rows(query) -> list[tuple]:
    return db.session.execute(query).all()


def annual_report(payer_code: str, year: int) -> Report:
    """The payer's report for ``year`` (contests by their award date)."""
    payer = db.session.get(Jurisdiction, payer_code)
    report = Report(payer.name, year)
    query = _grouped(payer_code, year, Contest.name, Contest.award_on)
    report.by_contest = [
        ReportRow(f"{name}（{on.isoformat()}）", int(c), int(p), int(n))
        for name, on, c, p, n in _rows(query)
    ]
    query = _grouped(payer_code, year, Contest.category)
    report.by_category = [
        ReportRow(str(labels.category(code)), int(c), int(p), int(n))
        for code, c, p, n in _rows(query)
    ]
    base = _grouped(payer_code, year, Entry.sending_county_code)
    names = {
        j.code: j
        for j in db.session.scalars(
            db.select(Jurisdiction).where(Jurisdiction.level.in_(("county", "prefecture")))
        )
    }
    by_county = _rows(base)
    report.by_county = []
    prefectures: dict[str, list[int]] = {}
    for code, c, p, n in by_county:
        place = names.get(code)
        parent = names.get(place.parent_code) if place is not None else None
        label = f"{parent.name if parent else ''} {place.name if place else code}".strip()
        report.by_county.append(ReportRow(label, int(c), int(p), int(n)))
        totals = prefectures.setdefault(parent.name if parent else "—", [0, 0, 0])
        totals[0] += int(c)
        totals[1] += int(p)
        totals[2] += int(n)
    report.by_prefecture = [ReportRow(k, *v) for k, v in sorted(prefectures.items())]
    month = db.func.extract("month", Contest.award_on)
    query = _grouped(payer_code, year, month)
    by_month = {int(m): (int(c), int(p), int(n)) for m, c, p, n in _rows(query)}
    months = get_month_names("abbreviated", locale=str(get_locale() or "zh"))  # 9月 / Sep
    report.by_month = [ReportRow(months[m], *by_month.get(m, (0, 0, 0))) for m in range(1, 13)]
    query = _grouped(payer_code, year, AwardLineRecord.policy_id, AwardLineRecord.clause)
    report.by_clause = [
        ReportRow(shown(clause_text(pid, clause)), int(c), int(p), int(n))
        for pid, clause, c, p, n in _rows(query)
    ]
    return report
