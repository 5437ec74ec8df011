"""Saving an entry's result and pricing it, the two steps every writer of a result takes.

``contests.services.save_entry`` saves a team and its result and knows nothing of money;
``rewards.services.grant_awards`` prices an entry. The entry form and the spreadsheet import
call them together through here.
"""

from __future__ import annotations

from compapp.contests.models import Entry, Event
from compapp.contests.services import EntryData, save_entry
from compapp.rewards.services import award_policies, grant_awards


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
