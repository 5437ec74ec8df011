"""Bulk review of entered results: the queue filtered by contest and event, confirmation of a
selection (or of everything shown) in one go, and return to the person who entered them.

Each result stays bound to what the reviewer saw: the page carries, per result, a digest of
what it shows (``seen_digest``); a result whose digest no longer matches is refused on its own
(the others are confirmed) and the reviewer is told which and why. Four-eyes and the audit
entry hold per result, exactly as for a single confirmation.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from compapp.audit.services import record_change
from compapp.auth.models import utcnow
from compapp.contests import services
from compapp.contests.models import Contest, Entry, EntryCoach, EntryMember, Event, Placement
from compapp.extensions import db
from compapp.reference.models import Jurisdiction

PAGE_SIZE = 100


def placement_facts(placement: Placement) -> dict:
    """What the review page shows of a result: the facts its awards and promotion rest on."""
    entry = placement.entry
    return {
        "contest": entry.event.contest_id,
        "category": entry.event.contest.category,
        "award_on": entry.event.contest.award_on.isoformat(),
        "event": [entry.event.occupation, entry.event.format],
        "county": entry.sending_county_code,
        "members": [m.competitor_id for m in entry.members],
        "coaches": [[c.coach_id, c.role, c.share_percent] for c in entry.coaches],
        "result": [placement.rank, placement.is_tie, placement.medal, placement.prize],
        "status": placement.status,
    }


def seen_digest(placement: Placement) -> str:
    """A short digest of ``placement_facts``: what a confirmation is bound to."""
    text = json.dumps(placement_facts(placement), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:20]


def queue(scoped, contest_id: int | None = None, event_id: int | None = None):
    """Results entered and waiting for a second person, in the user's scope, filtered."""
    query = scoped(
        db.select(Placement)
        .join(Entry, Entry.id == Placement.entry_id)
        .join(Event, Event.id == Entry.event_id)
        .join(Contest, Contest.id == Event.contest_id)
        .where(
            Placement.status == "entered",
            Placement.returned_at.is_(None),
            Placement.revoked_at.is_(None),
        )
    )
    if contest_id:
        query = query.where(Contest.id == contest_id)
    if event_id:
        query = query.where(Event.id == event_id)
    return query


def queue_page(query, page: int):
    """One page of the queue with what the rows show, loaded in a few queries; and the total."""
    total = db.session.scalar(db.select(db.func.count()).select_from(query.subquery()))
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(page, 1), pages)
    rows = db.session.scalars(
        query.order_by(Contest.award_on.desc(), Event.id, Placement.rank, Placement.id)
        .options(
            contains_eager(Placement.entry)
            .contains_eager(Entry.event)
            .contains_eager(Event.contest),
            contains_eager(Placement.entry).options(
                selectinload(Entry.members).joinedload(EntryMember.competitor),
                selectinload(Entry.coaches).joinedload(EntryCoach.coach),
                joinedload(Entry.sending_county).joinedload(Jurisdiction.parent),
            ),
            joinedload(Placement.entered_by),
        )
        .limit(PAGE_SIZE)
        .offset((page - 1) * PAGE_SIZE)
    ).all()
    return rows, total, page, pages


def returned_to(user) -> list[Placement]:
    """Results returned to ``user`` (who entered them), with the reviewer's reason."""
    return db.session.scalars(
        db.select(Placement)
        .where(
            Placement.entered_by_id == user.id,
            Placement.status == "entered",
            Placement.returned_at.is_not(None),
        )
        .order_by(Placement.returned_at.desc())
        .options(
            joinedload(Placement.entry).joinedload(Entry.event).joinedload(Event.contest),
            joinedload(Placement.entry)
            .selectinload(Entry.members)
            .joinedload(EntryMember.competitor),
        )
        .limit(200)
    ).all()


@dataclass
class Outcome:
    done: list[Placement] = field(default_factory=list)
    refused: list[tuple[Placement | None, str]] = field(default_factory=list)


def _describe(placement: Placement) -> str:
    return f"{placement.entry.event.occupation} 第 {placement.rank} 名 " + "、".join(
        c.name for c in placement.entry.competitors
    )


def _load(ids: list[int], in_scope) -> tuple[list[Placement], list[int]]:
    """The placements named, locked for the transaction (PostgreSQL); ids not found or not in
    the user's scope come back as missing."""
    found = db.session.scalars(
        db.select(Placement)
        .where(Placement.id.in_(sorted(set(ids))))
        .order_by(Placement.id)
        .with_for_update(of=Placement)
        .options(
            selectinload(Placement.entry).options(
                selectinload(Entry.event).selectinload(Event.contest),
                selectinload(Entry.members).joinedload(EntryMember.competitor),
                selectinload(Entry.coaches),
            )
        )
    ).all()
    visible = [p for p in found if in_scope(p.entry.event.contest)]
    missing = sorted(set(ids) - {p.id for p in visible})
    return visible, missing


def confirm_many(ids: list[int], seen: dict[int, str], user, in_scope) -> Outcome:
    """Confirm each named result that is still as the reviewer saw it (flushes, no commit)."""
    outcome = Outcome()
    placements, missing = _load(ids, in_scope)
    for _id in missing:
        outcome.refused.append((None, _("有一项成绩已不存在或不在您的范围内。")))
    for placement in placements:
        if placement.status != "entered" or placement.revoked_at is not None:
            outcome.refused.append((placement, _("已由他人确认或已撤销。")))
            continue
        if placement.returned_at is not None:
            outcome.refused.append((placement, _("已退回录入人修改。")))
            continue
        if seen.get(placement.id) != seen_digest(placement):
            outcome.refused.append(
                (placement, _("在您查看之后已被修改，没有确认；请重新查看后再确认。"))
            )
            continue
        try:
            services.confirm_placement(placement, user)
        except services.ConfirmRefused as exc:
            outcome.refused.append((placement, str(exc)))
            continue
        record_change(
            "confirm_placement",
            "placement",
            placement.id,
            f"批量复核确认成绩：{_describe(placement)}",
            before={"status": "entered", "seen": seen.get(placement.id)},
            after={"status": "confirmed"},
            user=user,
        )
        outcome.done.append(placement)
    db.session.flush()
    return outcome


def return_many(ids: list[int], seen: dict[int, str], reason: str, user, in_scope) -> Outcome:
    """Send results back to the person who entered them, with the reason (flushes)."""
    outcome = Outcome()
    placements, missing = _load(ids, in_scope)
    for _id in missing:
        outcome.refused.append((None, _("有一项成绩已不存在或不在您的范围内。")))
    for placement in placements:
        if placement.status != "entered":
            outcome.refused.append((placement, _("已由他人确认或已撤销。")))
            continue
        if placement.entered_by_id == user.id:
            outcome.refused.append((placement, _("这是您自己录入的成绩，请直接修改。")))
            continue
        if seen.get(placement.id) != seen_digest(placement):
            outcome.refused.append((placement, _("在您查看之后已被修改，没有退回；请重新查看。")))
            continue
        placement.returned_at = utcnow()
        placement.returned_by_id = user.id
        placement.return_reason = reason
        record_change(
            "return_placement",
            "placement",
            placement.id,
            f"退回录入人修改：{_describe(placement)}（{reason}）",
            before={"status": "entered"},
            after={"status": "entered", "returned": True, "reason": reason},
            user=user,
        )
        outcome.done.append(placement)
    db.session.flush()
    return outcome
