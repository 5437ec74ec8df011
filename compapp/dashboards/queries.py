"""The numbers behind the home-page dashboards: every sum and count is grouped in SQL.

``scope`` is a condition on ``Contest`` (an organiser's body) or None for every contest.
"""

from __future__ import annotations

from collections import defaultdict

from flask_babel import gettext as _

from compapp import labels
from compapp.contests.models import Contest, Entry, Event, Placement
from compapp.dashboards.charts import Chart
from compapp.extensions import db
from compapp.promotion.models import PromotionCase
from compapp.promotion.services import STATUS_NAMES as CASE_STATUS_NAMES
from compapp.promotion.services import status_name
from compapp.reference.models import Jurisdiction
from compapp.rewards.models import AwardLineRecord, line_status_sql

LINE_STATUSES = ("provisional", "awaiting_budget", "confirmed", "paid")
PAYER_LEVELS = ("province", "prefecture", "county")
MATRIX_CONTESTS = 12


def _lines(*columns):
    """Current award lines joined to their entry, event, contest (and placement, outer)."""
    return (
        db.select(*columns)
        .select_from(AwardLineRecord)
        .join(Entry, Entry.id == AwardLineRecord.entry_id)
        .join(Event, Event.id == Entry.event_id)
        .join(Contest, Contest.id == Event.contest_id)
        .outerjoin(Placement, Placement.entry_id == Entry.id)
        .where(AwardLineRecord.is_current.is_(True))
    )


def _scoped(query, scope):
    return query if scope is None else query.where(scope)


def _grouped(query) -> dict:
    """Rows (key, series, value) as {key: {series: value}}, in first-seen key order."""
    grouped: dict = defaultdict(dict)
    for key, series, value in db.session.execute(query):
        grouped[key][series] = grouped[key].get(series, 0) + int(value or 0)
    return grouped


def _levels() -> list[tuple[str, str]]:
    return [(code, labels.payer_level(code)) for code in PAYER_LEVELS]


def _line_statuses() -> list[tuple[str, str]]:
    return [(code, labels.line_status(code)) for code in LINE_STATUSES]


def awards_by_prefecture(scope=None) -> Chart:
    """Award money by the competitors' sending prefecture, split by the paying level."""
    prefecture = db.aliased(Jurisdiction)
    county = db.aliased(Jurisdiction)
    query = (
        _lines(
            prefecture.name, AwardLineRecord.payer_level, db.func.sum(AwardLineRecord.amount_fen)
        )
        .join(county, county.code == Entry.sending_county_code)
        .join(prefecture, prefecture.code == county.parent_code)
        .group_by(prefecture.name, AwardLineRecord.payer_level)
    )
    grouped = _grouped(_scoped(query, scope))
    rows = sorted(grouped.items(), key=lambda item: -sum(item[1].values()))
    return Chart(
        "by-prefecture",
        _("按选送州（市）统计的奖励金额"),
        _levels(),
        rows,
        unit="fen",
        note=_("含教练团队奖励；按承担财政级别分色。"),
    )


def awards_by_year(scope=None) -> Chart:
    """Award money by the contests' award year, split by the lines' status."""
    year = db.cast(db.extract("year", Contest.award_on), db.Integer)
    status = line_status_sql()
    query = _lines(year, status, db.func.sum(AwardLineRecord.amount_fen)).group_by(year, status)
    grouped = _grouped(_scoped(query, scope))
    rows = [(str(y), grouped[y]) for y in sorted(grouped, reverse=True)]
    return Chart("by-year", _("按颁奖年度统计的奖励金额"), _line_statuses(), rows, unit="fen")


def awards_by_category(scope=None) -> Chart:
    """Award money by contest category, split by the paying level."""
    query = _lines(
        Contest.category, AwardLineRecord.payer_level, db.func.sum(AwardLineRecord.amount_fen)
    ).group_by(Contest.category, AwardLineRecord.payer_level)
    grouped = _grouped(_scoped(query, scope))
    order = list(labels.CATEGORY_NAMES)
    rows = [
        (labels.category(code), grouped[code])
        for code in sorted(grouped, key=lambda c: order.index(c) if c in order else len(order))
    ]
    return Chart("by-category", _("按赛事类别统计的奖励金额"), _levels(), rows, unit="fen")


def payer_budget_by_year(payer_code: str) -> Chart:
    """One payer's award money per award year, split by status (暂定 → 已支付)."""
    year = db.cast(db.extract("year", Contest.award_on), db.Integer)
    status = line_status_sql()
    query = (
        _lines(year, status, db.func.sum(AwardLineRecord.amount_fen))
        .where(AwardLineRecord.payer_code == payer_code)
        .group_by(year, status)
    )
    grouped = _grouped(query)
    rows = [(str(y), grouped[y]) for y in sorted(grouped)]
    return Chart(
        "payer-by-year",
        _("本级财政承担的奖励金额（按年度和状态）"),
        _line_statuses(),
        rows,
        unit="fen",
    )


def results_by_contest(scope=None, limit: int = 10) -> Chart:
    """Results entered and confirmed, for the most recent contests."""
    recent = _scoped(
        db.select(Contest.id).order_by(Contest.award_on.desc(), Contest.id.desc()).limit(limit),
        scope,
    ).subquery()
    query = (
        db.select(Contest.id, Contest.name, Placement.status, db.func.count(Placement.id))
        .select_from(Placement)
        .join(Entry, Entry.id == Placement.entry_id)
        .join(Event, Event.id == Entry.event_id)
        .join(Contest, Contest.id == Event.contest_id)
        .where(Contest.id.in_(db.select(recent.c.id)))
        .group_by(Contest.id, Contest.name, Placement.status)
        .order_by(Contest.award_on.desc(), Contest.id.desc())
    )
    grouped: dict = {}
    for _id, name, status, n in db.session.execute(query):
        grouped.setdefault(name, {})[status] = int(n)
    series = [("confirmed", labels.status("confirmed")), ("entered", labels.status("entered"))]
    return Chart("results", _("各赛事成绩录入与复核"), series, list(grouped.items()))


def promotions_by_status(scope=None) -> Chart:
    """Promotion cases by status."""
    query = (
        db.select(PromotionCase.status, db.func.count(PromotionCase.id))
        .join(Contest, Contest.id == PromotionCase.contest_id)
        .group_by(PromotionCase.status)
    )
    counts = dict(db.session.execute(_scoped(query, scope)).all())
    rows = [
        (status_name(code), {"cases": int(counts[code])})
        for code in CASE_STATUS_NAMES
        if counts.get(code)
    ]
    return Chart("promotions", _("晋升案件（按状态）"), [("cases", _("人数"))], rows)


def payer_matrix(scope=None, limit: int = MATRIX_CONTESTS) -> dict:
    """For the most recent contests with award lines: each payer's state for the contest.

    A cell is the least advanced status of that payer's lines in the contest (暂定 while a
    result awaits review, then 待财务确认, 已确认, 已支付), with the payer's total.
    """
    status = line_status_sql()
    recent = _scoped(
        db.select(Contest.id)
        .where(Contest.id.in_(db.select(_lines(Event.contest_id).subquery().c.contest_id)))
        .order_by(Contest.award_on.desc(), Contest.id.desc())
        .limit(limit),
        scope,
    ).subquery()
    query = (
        _lines(
            Contest.id, AwardLineRecord.payer_code, status, db.func.sum(AwardLineRecord.amount_fen)
        )
        .where(Contest.id.in_(db.select(recent.c.id)))
        .group_by(Contest.id, AwardLineRecord.payer_code, status)
    )
    cells: dict[tuple[int, str], dict] = {}
    for contest_id, payer, line_status, fen in db.session.execute(query):
        cell = cells.setdefault((contest_id, payer), {"status": "paid", "fen": 0})
        cell["fen"] += int(fen or 0)
        if LINE_STATUSES.index(line_status) < LINE_STATUSES.index(cell["status"]):
            cell["status"] = line_status
    contests = db.session.scalars(
        db.select(Contest)
        .where(Contest.id.in_(db.select(recent.c.id)))
        .order_by(Contest.award_on.desc(), Contest.id.desc())
    ).all()
    codes = sorted({payer for _contest, payer in cells}, key=lambda c: (len(c.rstrip("0")), c))
    payers = db.session.scalars(db.select(Jurisdiction).where(Jurisdiction.code.in_(codes))).all()
    by_code = {p.code: p for p in payers}
    return {
        "payers": [by_code[c] for c in codes if c in by_code],
        "contests": contests,
        "cells": cells,
    }
