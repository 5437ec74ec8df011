"""Loading recipes of the promotion pages: cases, counts and grade histories in SQL."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import joinedload

from compapp.contests.models import Competitor, Contest, Entry, Event, Placement
from compapp.extensions import db
from compapp.policy.promotion import PromotionRuleSet
from compapp.promotion.models import (
    GradeChange,
    PromotionCase,
)
from compapp.promotion.services import promotion_categories


def case_loading() -> tuple:
    """Load what the contest page shows of each case with the cases, not one query per case."""
    return (
        joinedload(PromotionCase.competitor),
        joinedload(PromotionCase.placement),
        joinedload(PromotionCase.decided_by),
        joinedload(PromotionCase.title_decided_by),
        joinedload(PromotionCase.notice),
    )


def case_order(case: PromotionCase) -> tuple:
    """Order cases by event, rank and placement (as the pages and notices list them)."""
    facts = case.facts or {}
    return (facts.get("event_id") or 0, facts.get("rank") or 0, case.placement_id, case.id)


def contest_cases(contest: Contest) -> tuple[list[PromotionCase], list[PromotionCase]]:
    """Return the contest's cases: (eligible ones, those left out), each by event and rank."""
    cases = db.session.scalars(
        db.select(PromotionCase).filter_by(contest_id=contest.id).options(*case_loading())
    ).all()
    eligible = sorted((c for c in cases if c.eligible), key=case_order)
    left_out = sorted((c for c in cases if not c.eligible), key=case_order)
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
