"""Saving a result or a contest and pricing it, the two steps every writer takes.

``contests.services.save_entry`` saves a team and its result, ``save_contest`` a contest's
facts, and both know nothing of money; ``rewards.services`` prices. The entry form, the
spreadsheet import and the contest form call them together through here.
"""

from __future__ import annotations

from compapp.contests.models import Contest, Entry, Event
from compapp.contests.services import ContestData, EntryData, Reopened, save_contest, save_entry
from compapp.rewards.services import award_policies, grant_awards, grant_contest_awards


def save_and_price_entry(
    event: Event,
    data: EntryData,
    user_id: int | None,
    seen_version: int | None,
    entry: Entry | None = None,
) -> Entry:
    """Save an entry's team and result (with ``save_entry``'s checks of confirmation and of
    the event's version) and compute its awards."""
    is_new = entry is None
    entry = save_entry(event, data, user_id, seen_version, entry)
    grant_awards(entry, award_policies(), user_id, "成绩录入" if is_new else "成绩修改")
    return entry


def save_and_price_contest(
    data: ContestData, contest: Contest | None = None, user=None, report: Reopened | None = None
) -> Contest:
    """Save a contest (with ``save_contest``'s refusal and reopening) and, when a
    price-relevant fact changed, reprice its results (``report``: what reopened)."""
    report = report if report is not None else Reopened()
    contest = save_contest(data, contest, user, report)
    if report.changes:
        grant_contest_awards(contest, award_policies(), getattr(user, "id", None), "赛事信息变更")
    return contest
