"""Bulk review of entered results: the queue filtered by contest and event, confirmation of a
selection (or of everything shown) in one go, and return to the person who entered them.

Each result stays bound to what the reviewer saw, exactly as a single confirmation is
(compapp.core.seen): the page carries, per result, a signed token of ``placement_view``; the
confirmation compares it with the result as it stands and the version compare-and-set in the
database refuses a change that lands meanwhile. A result that changed is refused on its own,
with what changed (the others are confirmed). Four-eyes and the audit entry hold per result,
and each result is committed on its own: a refusal of one never undoes another.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy.orm import contains_eager, joinedload, selectinload
from sqlalchemy.orm.exc import StaleDataError

from compapp.audit.services import record_change, says
from compapp.auth.models import utcnow
from compapp.binding import refusal_message
from compapp.contests import services
from compapp.contests.models import Contest, Entry, EntryCoach, EntryMember, Event, Placement
from compapp.contests.services import placement_view
from compapp.core.messages import N_
from compapp.core.seen import AlreadyDone, Changed, check
from compapp.core.vocab import rank_text
from compapp.extensions import db
from compapp.i18n import refusal_text
from compapp.reference.models import Jurisdiction

PAGE_SIZE = 100


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
    """What a bulk action did: the results done and those refused (described as the page
    names them: event, rank, competitors), each with the reason."""

    done: list[str] = field(default_factory=list)
    refused: list[tuple[str | None, str]] = field(default_factory=list)


def _describe(placement: Placement) -> str:
    return f"{placement.entry.event.occupation} {rank_text(placement.rank)} " + "、".join(
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


def _refusal(exc: Changed | AlreadyDone) -> str:

    return refusal_message(exc)


def confirm_many(ids: list[int], seen: dict[int, dict | None], user, in_scope) -> Outcome:
    """Confirm each named result that is still as the reviewer saw it (``seen``: the view each
    row's token was made with, None when missing or forged). Commits each result on its own."""
    outcome = Outcome()
    placements, missing = _load(ids, in_scope)
    for _id in missing:
        outcome.refused.append((None, _("有一项成绩已不存在或不在您的范围内。")))
    for placement_id in [p.id for p in placements]:
        placement = db.session.get(Placement, placement_id)
        if placement is None:
            outcome.refused.append((None, _("有一项成绩已不存在或不在您的范围内。")))
            continue
        what = _describe(placement)
        if placement.revoked_at is not None:
            outcome.refused.append((what, _("已撤销。")))
            continue
        if placement.returned_at is not None and placement.status == "entered":
            outcome.refused.append((what, _("已退回录入人修改。")))
            continue
        try:
            services.confirm_placement(placement, user, seen.get(placement_id))
        except services.ConfirmRefused as exc:
            db.session.rollback()
            outcome.refused.append((what, refusal_text(exc)))
            continue
        except (Changed, AlreadyDone) as exc:
            db.session.rollback()
            outcome.refused.append((what, _refusal(exc)))
            continue
        record_change(
            "confirm_placement",
            "placement",
            placement_id,
            says(N_("批量复核确认成绩：%(what)s"), what=what),
            before={"status": "entered"},
            after={"status": "confirmed"},
            user=user,
        )
        db.session.commit()
        outcome.done.append(what)
    return outcome


def return_many(
    ids: list[int], seen: dict[int, dict | None], reason: str, user, in_scope
) -> Outcome:
    """Send results back to the person who entered them, with the reason, each as the
    reviewer saw it (the same binding as a confirmation). Commits each result on its own."""

    outcome = Outcome()
    placements, missing = _load(ids, in_scope)
    for _id in missing:
        outcome.refused.append((None, _("有一项成绩已不存在或不在您的范围内。")))
    for placement_id in [p.id for p in placements]:
        placement = db.session.get(Placement, placement_id)
        if placement is None:
            outcome.refused.append((None, _("有一项成绩已不存在或不在您的范围内。")))
            continue
        what = _describe(placement)
        if placement.status != "entered" or placement.revoked_at is not None:
            outcome.refused.append((what, _("已由他人确认或已撤销。")))
            continue
        if placement.entered_by_id == user.id:
            outcome.refused.append((what, _("这是您自己录入的成绩，请直接修改。")))
            continue
        try:
            check(seen.get(placement_id), placement_view(placement))
            placement.returned_at = utcnow()
            placement.returned_by_id = user.id
            placement.return_reason = reason
            db.session.flush()  # compares the version: a change meanwhile is refused
        except Changed as exc:
            db.session.rollback()
            outcome.refused.append((what, _refusal(exc)))
            continue
        except StaleDataError:
            db.session.rollback()
            outcome.refused.append((what, _refusal(Changed([], unknown=True))))
            continue
        record_change(
            "return_placement",
            "placement",
            placement_id,
            says(N_("退回录入人修改：%(what)s（%(why)s）"), what=what, why=reason),
            before={"status": "entered"},
            after={"status": "entered", "returned": True, "reason": reason},
            user=user,
        )
        db.session.commit()
        outcome.done.append(what)
    return outcome
