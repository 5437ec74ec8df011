"""Contest registry and result entry: load rows, apply the pure checks, write, flush.

Functions here never commit; the view or CLI command that calls them commits once. A
function that finds problems returns them without writing anything.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import update
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.exc import StaleDataError

from compapp.audit.services import record_change, says
from compapp.auth.models import User, utcnow
from compapp.certificates.issuing import supersede_entry_certificates
from compapp.contests import rules
from compapp.contests.models import (
    Coach,
    Competitor,
    Contest,
    Entry,
    EntryCoach,
    EntryMember,
    Event,
    OrganisingBody,
    Placement,
)
from compapp.contests.rules import Problem
from compapp.core.idnumber import normalise_id_number
from compapp.core.messages import N_
from compapp.core.refusals import PROBLEMS, Refusal
from compapp.core.seen import AlreadyDone, Changed, changes
from compapp.core.seen import check as check_seen
from compapp.core.vocab import JurisdictionLevel, SupersededReason, Tier
from compapp.extensions import db
from compapp.promotion.models import PromotionCase
from compapp.promotion.services import reopen_case_decisions, status_name
from compapp.reference.models import Jurisdiction
from compapp.revocation.models import PersonBar
from compapp.rewards.models import AwardComputation


def _(msgid: str, **params: object) -> str:
    """Translate ``msgid`` for the request's language; plain Chinese outside a request (CLI)."""
    from flask import has_request_context
    from flask_babel import gettext

    if has_request_context():
        return gettext(msgid, **params)
    return msgid % params if params else msgid


class InUse(Exception):
    """A record cannot be deleted because results depend on it; ``count`` says how many."""

    def __init__(self, record, count: int):
        super().__init__(f"{record!r} has {count} dependent results")
        self.count = count


class ConfirmRefused(Refusal):
    """A result cannot be confirmed or reopened; the message says why."""


def placement_view(placement: Placement) -> dict:
    """What the review pages show of a result, and so what its confirmation binds to.

    The keys are msgids naming each field (compapp.labels.seen_value shows them). Everything a
    price or an eligibility depends on is here: the contest's price-relevant facts, the event's
    format, the sending county, the team and its coaches with the division of their award, the
    rank and the medal or prize.
    """
    entry = placement.entry
    event = entry.event
    return {
        **contest_price_view(event.contest),
        N_("赛事"): event.contest.name,
        N_("赛项"): event.occupation,
        N_("赛项形式"): event.format,
        N_("选派单位"): entry.sending_county.name if entry.sending_county else None,
        N_("选手"): [m.competitor.name for m in entry.members],
        N_("教练团队"): [ec.coach.name for ec in entry.coaches],
        # How the team's award is divided among them (the payment roster pays these shares).
        N_("教练团队分配比例"): [ec.share_percent for ec in entry.coaches],
        N_("名次"): placement.rank,
        N_("并列"): bool(placement.is_tie),
        N_("奖项"): [placement.medal, placement.prize],
        N_("复核状态"): placement.status,
    }


def _who(user_id: int | None) -> str | None:

    user = db.session.get(User, user_id) if user_id else None
    return user.display_name if user is not None else None


def _fresh(placement_id: int) -> Placement | None:
    """The placement as committed now (after a compare-and-set lost): rolled back, reloaded."""
    db.session.rollback()
    return db.session.get(Placement, placement_id)


def confirm_placement(placement: Placement, user, seen: dict | None) -> None:
    """Confirm a result entered by someone else (four-eyes), as the reviewer saw it.

    Refused for one's own entry. ``seen`` is the view the review page showed (read from its
    token, compapp.core.seen): if the result changed since, ``seen.Changed`` is raised and
    nothing is confirmed; if someone else confirmed it first, ``seen.AlreadyDone``. The
    UPDATE compares the placement's version, so a change or a confirmation that lands while
    this one runs is refused by the database (exactly one of two simultaneous confirms wins).
    """
    if placement.status == "confirmed":
        raise AlreadyDone(
            "confirm_placement", _who(placement.confirmed_by_id), placement.confirmed_at
        )
    if placement.entered_by_id is not None and placement.entered_by_id == user.id:
        raise ConfirmRefused(N_("不能复核自己录入的成绩：须由另一名组织者或管理员确认。"))
    check_seen(seen, placement_view(placement))
    placement_id = placement.id
    placement.status = "confirmed"
    placement.confirmed_by_id = user.id
    placement.confirmed_at = utcnow()
    try:
        db.session.flush()
    except StaleDataError:
        now = _fresh(placement_id)
        if now is not None and now.status == "confirmed":
            raise AlreadyDone(
                "confirm_placement", _who(now.confirmed_by_id), now.confirmed_at
            ) from None
        check_seen(seen, placement_view(now) if now is not None else {})
        raise Changed([], unknown=True) from None


def reopen_placement(placement: Placement, user, note: str) -> None:
    """Withdraw a confirmation so the result can be corrected; a reason is required.

    The person who reopens counts as the one who entered the result: another person must
    confirm it again. Certificates resting on it stop standing at once (pending reissue), and
    promotion decisions not yet in a notice are undone (decided again after the correction).
    """
    if placement.status != "confirmed":
        raise ConfirmRefused(N_("该成绩尚未确认，可直接修改。"))
    if not note:
        raise ConfirmRefused(N_("撤回确认须填写原因。"))

    blocking = _blocking_cases(placement.entry.event.contest, [placement.id])
    if blocking:
        raise ConfirmRefused(
            PROBLEMS,
            problems="；".join(
                _(
                    "%(name)s 的晋升已公示或已生效（%(status)s），该成绩不能撤回确认；"
                    "公示期间对成绩有异议的，请在公示页登记异议，由另一名组织者调查处理。",
                    name=case.competitor.name,
                    status=status_name(case.status),
                )
                for case in blocking
            ),
        )
    placement_id = placement.id
    _reopen(placement, user)
    try:
        db.session.flush()
    except StaleDataError:
        _fresh(placement_id)
        raise ConfirmRefused(N_("在您操作期间，该成绩已被他人修改，请刷新后重试。")) from None

    supersede_entry_certificates([placement.entry_id], SupersededReason.RESULT_REOPENED, user, note)
    # A promotion confirmed or rejected on this result is decided again once it is corrected.
    reopen_case_decisions(placement.entry.event.contest, [placement_id], user)


def _reopen(placement: Placement, user) -> None:
    placement.status = "entered"
    placement.entered_by_id = getattr(user, "id", None)
    placement.confirmed_by_id = None
    placement.confirmed_at = None


# --- what counts as price-relevant (issue: four-eyes after confirmation) ----------------------
#
# A contest's facts that an award amount or a promotion eligibility depends on: the category
# (which also fixes the tier), the award date (which policy version is in force, POLICY.md
# §5.4). A change to any of them after a result was confirmed reopens the result: it needs a
# second person's confirmation again. The name, location, notes, the start and end dates and
# the organising body change no amount and no eligibility. The event's format and result kind,
# an entry's sending county, team, coaches, rank and result are price-relevant too; they are
# refused outright once a result is confirmed (check_entry, save_entry, check_event): the
# result must be reopened first.
# The organising jurisdiction decides whose prefecture-tier rules apply (POLICY.md §3).
PRICE_RELEVANT = {
    "category": N_("赛事类别"),
    "award_on": N_("颁奖日期"),
    "organiser_code": N_("主办地区"),
}
# Where ContestData names a fact differently from the contest's column.
DATA_NAMES = {"organiser_code": "organiser"}


def contest_price_view(contest: Contest) -> dict:
    """The price-relevant facts of a contest, keyed by their msgid (PRICE_RELEVANT)."""
    return {label: _plain_value(getattr(contest, field)) for field, label in PRICE_RELEVANT.items()}


def _plain_value(value):
    return value.isoformat() if isinstance(value, date) else value


class ContestChangeRefused(Refusal):
    """A price-relevant change cannot be made: ``blocking`` lists what stands in its way."""

    def __init__(self, blocking: list[str]):
        super().__init__(PROBLEMS, problems="; ".join(blocking))
        self.blocking = blocking


@dataclass
class Reopened:
    """What a price-relevant contest change did to the contest's confirmed results."""

    changes: list = field(default_factory=list)  # core.seen.Change per changed fact
    placements: int = 0
    certificates: int = 0
    promotion_cases: int = 0


class StaleEvent(Exception):
    """The event's results changed since the user loaded the page."""

    def __init__(self, event: Event):
        super().__init__(f"event {event.id} is at version {event.version}")
        self.event = event


@dataclass
class ContestData:
    name: str
    category: str
    organising_body: str
    starts_on: date
    ends_on: date
    award_on: date
    location: str | None = None
    notes: str | None = None
    organiser: str = "530000"


@dataclass
class MemberData:
    id_number: str
    name: str
    employer: str | None = None
    is_employee: bool = False
    grade: str = "none"
    home_county: str | None = None


@dataclass
class CoachData:
    name: str
    role: str = "coach"
    share_percent: int | None = None
    id_number: str = ""


@dataclass
class EntryData:
    sending_county: str
    members: list[MemberData]
    coaches: list[CoachData] = field(default_factory=list)
    rank: int | None = None
    is_tie: bool = False
    result: str | None = None


def get_or_create_body(name: str) -> OrganisingBody:
    """Return the organising body called ``name``, creating it if new.

    Two people registering the same new body at the same moment get the same row: the insert
    skips a name that exists (the name is unique in the database), then the row is read back.
    """
    name = name.strip()
    body = db.session.scalar(db.select(OrganisingBody).filter_by(name=name))
    if body is not None:
        return body
    if db.engine.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    db.session.execute(insert(OrganisingBody).values(name=name).on_conflict_do_nothing())
    return db.session.scalar(db.select(OrganisingBody).filter_by(name=name))


def check_contest(data: ContestData, contest: Contest | None = None) -> list[Problem]:
    """Check a contest's dates and, when editing, that its category still fits its results."""
    problems = rules.check_contest_dates(data.starts_on, data.ends_on, data.award_on)
    if data.category not in rules.CATEGORIES:
        problems.append(Problem("category", "未知的赛事类别。"))
        return problems
    problems += check_organiser(data.category, data.organiser)
    if contest is not None and data.category != contest.category:
        for event in contest.events:
            for problem in rules.check_event(data.category, event.format, event.result_kind):
                problems.append(
                    Problem(
                        "category",
                        "赛项“%(event)s”的设置不适用于新类别：%(problem)s请先调整该赛项。",
                        (("event", event.occupation), ("problem", problem)),
                    )
                )
    return problems


# Who may organise a contest: the province or a prefecture (§3), never a county.
ORGANISER_LEVELS = (JurisdictionLevel.PROVINCE, JurisdictionLevel.PREFECTURE)


def organisers() -> list[Jurisdiction]:
    """The jurisdictions that can organise a contest: the province, then its prefectures."""
    return db.session.scalars(
        db.select(Jurisdiction)
        .where(Jurisdiction.level.in_(ORGANISER_LEVELS))
        .order_by(Jurisdiction.level.desc(), Jurisdiction.code)
    ).all()


def check_organiser(category: str, code: str | None) -> list[Problem]:
    """A prefecture-tier contest is run by a prefecture; any other by the province (§3)."""
    found = db.session.get(Jurisdiction, code or "")
    if found is None or found.level not in ORGANISER_LEVELS:
        return [Problem("organiser", "请选择云南省或一个州（市）作为主办地。")]
    by_prefecture = rules.CATEGORIES[category].tier == Tier.PREFECTURE
    if by_prefecture and found.level != JurisdictionLevel.PREFECTURE:
        return [Problem("organiser", "州（市）级竞赛请选择主办该竞赛的州（市）。")]
    if not by_prefecture and found.level != JurisdictionLevel.PROVINCE:
        return [Problem("organiser", "省级及以上竞赛的主办地为云南省。")]
    return []


def save_contest(
    data: ContestData, contest: Contest | None = None, user=None, report: Reopened | None = None
) -> Contest:
    """Create a contest, or update ``contest``, from checked data (``report``: what reopened).

    A change to a price-relevant fact (PRICE_RELEVANT) of a contest with results reopens every
    confirmed result (a second person must confirm it again; its certificates stop standing).
    It is refused, listing why, while a promotion resting on one of its results is in its
    public notice or final. ``contest`` is then left unchanged.

    Saving does not price: after a price-relevant change (``report.changes``) the caller
    reprices the contest (``compapp.rewards.entries.save_and_price_contest`` does both).
    """
    body = get_or_create_body(data.organising_body)
    reopened = report if report is not None else Reopened()
    if contest is None:
        contest = Contest()
        db.session.add(contest)
    else:
        before = contest_price_view(contest)
        after = {
            label: _plain_value(getattr(data, DATA_NAMES.get(name, name), None))
            for name, label in PRICE_RELEVANT.items()
        }
        reopened.changes = changes(before, after)
    if reopened.changes:
        blocking = _reopen_blockers(contest)
        if blocking:
            raise ContestChangeRefused(blocking)
    contest.name = data.name.strip()
    contest.category = data.category
    contest.organising_body = body
    contest.organiser_code = data.organiser
    contest.location = (data.location or "").strip() or None
    contest.starts_on, contest.ends_on, contest.award_on = (
        data.starts_on,
        data.ends_on,
        data.award_on,
    )
    contest.notes = (data.notes or "").strip() or None
    db.session.flush()
    if reopened.changes:
        _reopen_contest_results(contest, reopened, user)
    return contest


# A promotion in its public notice (objected or not) or final rests on its result as it was
# published: the result cannot be reopened under it (the notice would show one rank and the
# grade follow another).
BLOCKING_CASE_STATUSES = ("noticed", "objected", "final")


def _blocking_cases(contest: Contest, placement_ids: list[int] | None = None) -> list:
    """The promotion cases in a notice or final that rest on the contest's (or these) results."""

    query = db.select(PromotionCase).where(
        PromotionCase.contest_id == contest.id,
        PromotionCase.status.in_(BLOCKING_CASE_STATUSES),
    )
    if placement_ids is not None:
        query = query.where(PromotionCase.placement_id.in_(placement_ids))
    return db.session.scalars(
        query.order_by(PromotionCase.id).options(joinedload(PromotionCase.competitor))
    ).all()


def _reopen_blockers(contest: Contest) -> list[str]:
    """What forbids reopening the contest's results: promotions noticed, objected or final."""

    return [
        _(
            "%(name)s 的晋升已公示或已生效（%(status)s），不能再改变其所依据的赛事信息。",
            name=case.competitor.name,
            status=status_name(case.status),
        )
        for case in _blocking_cases(contest)
    ]


def _reopen_contest_results(contest: Contest, reopened: Reopened, user) -> None:
    """Reopen the contest's confirmed results and mark what rested on them."""

    entry_ids = db.select(Entry.id).join(Event).where(Event.contest_id == contest.id)
    # Every result of the contest changes version (row locks on PostgreSQL): a review page
    # opened before this change can no longer confirm what it showed.
    db.session.execute(
        update(Placement)
        .where(Placement.entry_id.in_(entry_ids))
        .values(version=Placement.version + 1)
        .execution_options(synchronize_session=False)
    )
    db.session.expire_all()
    confirmed = db.session.scalars(
        db.select(Placement)
        .where(Placement.entry_id.in_(entry_ids), Placement.status == "confirmed")
        .order_by(Placement.id)
    ).all()
    for placement in confirmed:
        _reopen(placement, user)
    db.session.flush()
    reopened.placements = len(confirmed)
    reason = "；".join(f"{c.field}：{c.before or '—'} → {c.now or '—'}" for c in reopened.changes)

    ids = [p.entry_id for p in confirmed]
    reopened.certificates = supersede_entry_certificates(
        ids, SupersededReason.RESULT_REOPENED, user, reason
    )
    reopened.promotion_cases = reopen_case_decisions(contest, [p.id for p in confirmed], user)
    if confirmed:
        record_change(
            "reopen_results",
            "contest",
            contest.id,
            says(
                N_("赛事信息变更（%(why)s），%(n)s 项已确认成绩撤回确认，须另一人重新复核"),
                why=reason,
                n=len(confirmed),
            ),
            before={"confirmed_placement_ids": [p.id for p in confirmed]},
            after={"status": "entered", "changes": [c.__dict__ for c in reopened.changes]},
            user=user,
        )


def placement_count(contest: Contest | None = None, event: Event | None = None) -> int:
    """Count the placements of a contest or an event."""
    query = db.select(db.func.count(Placement.id)).join(Entry).join(Event)
    if event is not None:
        query = query.where(Event.id == event.id)
    elif contest is not None:
        query = query.where(Event.contest_id == contest.id)
    return db.session.scalar(query)


def results_depending_on(
    contest: Contest | None = None, event: Event | None = None, entry: Entry | None = None
) -> int:
    """Count what forbids deleting the record: placements, plus 1 if awards were ever priced.

    Award records are never deleted, so an entry once priced keeps its contest and event.
    One query, whatever the number of events and entries.
    """

    entries = db.select(Entry.id)
    if entry is not None:
        entries = entries.where(Entry.id == entry.id)
    elif event is not None:
        entries = entries.where(Entry.event_id == event.id)
    else:
        entries = entries.join(Event).where(Event.contest_id == contest.id)
    placements = (
        db.select(db.func.count(Placement.id))
        .where(Placement.entry_id.in_(entries))
        .scalar_subquery()
    )
    priced = db.exists().where(AwardComputation.entry_id.in_(entries))
    return db.session.scalar(db.select(placements + db.case((priced, 1), else_=0)))


def delete_contest(contest: Contest) -> None:
    """Delete a contest with its events and entries; refused once it has results."""
    blocked = results_depending_on(contest=contest)
    if blocked:
        raise InUse(contest, blocked)
    db.session.delete(contest)
    db.session.flush()


def check_event(
    contest: Contest,
    occupation: str,
    event_format: str,
    result_kind: str,
    event: Event | None = None,
) -> list[Problem]:
    """Check an event's format and result kind against the contest's category."""
    problems = rules.check_event(contest.category, event_format, result_kind)
    clash = db.session.scalar(
        db.select(Event).filter_by(
            contest_id=contest.id, occupation=occupation.strip(), format=event_format
        )
    )
    if clash is not None and clash is not event:
        problems.append(Problem("occupation", "本赛事已有同一职业（工种）、同一形式的赛项。"))
    if (
        event is not None
        and event.entries
        and (event.format != event_format or event.result_kind != result_kind)
    ):
        problems.append(Problem("format", "赛项已有参赛组，不能再修改形式或奖项设置。"))
    return problems


def add_event(contest: Contest, occupation: str, event_format: str, result_kind: str) -> Event:
    """Add an event to ``contest``."""
    event = Event(
        contest=contest,
        occupation=occupation.strip(),
        format=event_format,
        result_kind=result_kind,
    )
    db.session.add(event)
    db.session.flush()
    return event


def delete_event(event: Event) -> None:
    """Delete an event and its entries; refused once it has results."""
    blocked = results_depending_on(event=event)
    if blocked:
        raise InUse(event, blocked)
    db.session.delete(event)
    db.session.flush()


def find_competitors(id_numbers) -> dict[str, Competitor]:
    """The known competitors with these ID numbers, by normalised number (one query)."""
    numbers = {normalise_id_number(n) for n in id_numbers if n.strip()}
    if not numbers:
        return {}
    return {
        person.id_number: person
        for person in db.session.scalars(
            db.select(Competitor).where(Competitor.id_number.in_(sorted(numbers)))
        )
    }


def competitors_known_to(body_id: int | None, competitor_ids) -> set[int]:
    """Return those of ``competitor_ids`` who are in some contest of organising body ``body_id``.

    A person only another body's contests know is matched by ID number without being shown:
    their name, employer and grade history stay with that body. ``None``: every body's.
    """
    ids = sorted(set(competitor_ids))
    if body_id is None or not ids:
        return set(ids)
    known: set[int] = set()
    for start in range(0, len(ids), 500):  # bounded IN lists, for a 10,000-row import too
        known.update(
            db.session.scalars(
                db.select(EntryMember.competitor_id)
                .join(Event, Event.id == EntryMember.event_id)
                .join(Contest, Contest.id == Event.contest_id)
                .where(
                    Contest.organising_body_id == body_id,
                    EntryMember.competitor_id.in_(ids[start : start + 500]),
                )
                .distinct()
            )
        )
    return known


def check_entry(
    event: Event, data: EntryData, entry: Entry | None = None, see_all: bool = False
) -> list[Problem]:
    """Check an entry against its event: team size, people, county, rank and result.

    :param see_all: whether the person checking may see every body's competitors (an
        administrator); otherwise only people the contest's organising body already knows are
        named in a message.
    """
    problems: list[Problem] = []
    county = db.session.get(Jurisdiction, data.sending_county or "")
    if county is None or county.level != JurisdictionLevel.COUNTY:
        problems.append(Problem("sending_county", "请选择选派的县（市、区）。"))
    filled = [
        (index, m) for index, m in enumerate(data.members) if m.id_number.strip() or m.name.strip()
    ]
    problems += rules.check_team(
        event.format, [normalise_id_number(m.id_number) for _i, m in filled]
    )
    people = find_competitors(m.id_number for _i, m in filled)
    own_ids = {m.competitor_id for m in entry.members} if entry else set()
    others = [p.id for p in people.values() if p.id not in own_ids]
    taken = set(
        db.session.scalars(
            db.select(EntryMember.competitor_id).where(
                EntryMember.event_id == event.id, EntryMember.competitor_id.in_(others)
            )
        )
        if others
        else ()
    )
    known = competitors_known_to(
        None if see_all else event.contest.organising_body_id, (p.id for p in people.values())
    )
    for index, member in filled:
        person = people.get(normalise_id_number(member.id_number))
        problems += rules.check_member(
            f"members-{index}-",
            member.id_number,
            member.name,
            registered_name=person.name if person else None,
            entered_elsewhere=person is not None and person.id in taken,
            reveal_name=person is not None and person.id in known,
        )
        if member.home_county and db.session.get(Jurisdiction, member.home_county) is None:
            problems.append(Problem(f"members-{index}-home_county", "未知的县（市、区）。"))
    problems += check_coaches(data.coaches)
    problems += check_bars(filled, people, already_in=own_ids)
    problems += rules.check_coach_shares(c.share_percent for c in data.coaches if c.name.strip())
    if data.rank is not None or data.result:
        others = [
            (e.placement.rank, e.placement.is_tie)
            for e in event.entries
            if e.placement is not None and e is not entry
        ]
        problems += rules.check_placement(
            event.contest.category, event.result_kind, data.rank, data.is_tie, data.result, others
        )
    if entry is not None and entry.placement is not None and entry.placement.status == "confirmed":
        problems.append(Problem("rank", "该成绩已确认，不能直接修改；请走更正流程。"))
    return problems


def find_coaches(id_numbers) -> dict[str, Coach]:
    """The known coaches with these ID numbers, by normalised number (one query)."""
    numbers = {normalise_id_number(n) for n in id_numbers if n and n.strip()}
    if not numbers:
        return {}
    return {
        coach.id_number: coach
        for coach in db.session.scalars(
            db.select(Coach).where(Coach.id_number.in_(sorted(numbers)))
        )
    }


def check_coaches(coaches: list[CoachData]) -> list[Problem]:
    """Each named coaching-team member's ID number is valid and matches the registered name."""
    known = find_coaches(c.id_number for c in coaches if c.name.strip())
    problems: list[Problem] = []
    seen: set[str] = set()
    for index, coach in enumerate(coaches):
        if not coach.name.strip():
            if coach.id_number.strip():
                problems.append(Problem(f"coaches-{index}-name", "请填写姓名。"))
            continue
        number = normalise_id_number(coach.id_number)
        registered = known.get(number)
        problems += rules.check_coach(
            f"coaches-{index}-",
            coach.name,
            coach.id_number,
            registered.name if registered else None,
        )
        if number and number in seen:
            problems.append(Problem(f"coaches-{index}-id_number", "同一教练在本组中出现了两次。"))
        seen.add(number)
    return problems


def bars_in_force(competitor_ids, on: date) -> dict[int, tuple[date, str]]:
    """The bars on new entries in force on ``on``, by competitor id: (last day, reason)."""

    ids = sorted(set(competitor_ids))
    if not ids:
        return {}
    rows = db.session.execute(
        db.select(PersonBar.competitor_id, PersonBar.until_on, PersonBar.reason)
        .where(
            PersonBar.competitor_id.in_(ids),
            PersonBar.starts_on <= on,
            PersonBar.until_on >= on,
        )
        .order_by(PersonBar.until_on)
    ).all()
    return {person: (until, reason) for person, until, reason in rows}


def check_bars(
    members: list[tuple[int, MemberData]],
    people: dict[str, Competitor],
    on: date | None = None,
    already_in: set[int] = frozenset(),
) -> list[Problem]:
    """Refuse members barred from new entries (after a revocation for fraud) on ``on`` (today).

    :param members: (form index, member) pairs.
    :param people: the known competitors by ID number (only they can be barred).
    :param already_in: competitors already in the entry being edited (not a new entry).
    """
    found = {
        index: (m, people[normalise_id_number(m.id_number)])
        for index, m in members
        if normalise_id_number(m.id_number) in people
        and people[normalise_id_number(m.id_number)].id not in already_in
    }
    bars = bars_in_force((p.id for _m, p in found.values()), on or date.today())
    problems = []
    for index, (member, person) in found.items():
        bar = bars.get(person.id)
        if bar is not None:
            # The name as typed: a person another body registered is not named back.
            problems += rules.check_bar(f"members-{index}-", member.name, bar[0], bar[1])
    return problems


def claim_event_version(event: Event, seen_version: int | None) -> None:
    """Bump the event's version if it is still ``seen_version``; raise StaleEvent otherwise.

    The compare-and-set runs in the database, so of two concurrent saves exactly one wins.
    """
    if seen_version is None:
        seen_version = event.version
    result = db.session.execute(
        update(Event)
        .where(Event.id == event.id, Event.version == seen_version)
        .values(version=Event.version + 1)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        db.session.rollback()
        raise StaleEvent(db.session.get(Event, event.id))
    db.session.refresh(event, ["version"])


def _competitor_for(member: MemberData, known: dict[str, Competitor]) -> Competitor:
    """The competitor with the member's ID number: a known one, or a new one (added to known)."""
    number = normalise_id_number(member.id_number)
    person = known.get(number)
    if person is None:
        person = Competitor(
            id_number=number,
            name=member.name.strip(),
            employer=(member.employer or "").strip() or None,
            is_employee=member.is_employee,
            grade_code=member.grade or "none",
            home_county_code=member.home_county or None,
        )
        db.session.add(person)
        db.session.flush()
        known[number] = person
    return person


def coach_for(data: CoachData, known: dict[str, Coach], previous: dict) -> Coach:
    """The coach record of a coaching-team member: found by ID number, never by name.

    Without an ID number, the entry keeps the record it already had under that name (its own,
    not another entry's); otherwise a new record is made, linked to no account.
    """
    name = data.name.strip()
    number = normalise_id_number(data.id_number)
    if number:
        coach = known.get(number)
        if coach is None:
            legacy = previous.get((name, None))
            coach = legacy or Coach(name=name)
            coach.id_number = number
            db.session.add(coach)
            known[number] = coach
        return coach
    coach = previous.get((name, None))
    if coach is None:
        coach = Coach(name=name)
        db.session.add(coach)
    return coach


def save_entry(
    event: Event,
    data: EntryData,
    user_id: int | None,
    seen_version: int | None,
    entry: Entry | None = None,
) -> Entry:
    """Create or update an entry with its team, coaches and placement (data already checked).

    Saving does not price: the caller computes the awards of what it saved
    (``compapp.rewards.entries.save_and_price_entry`` does both, as the entry form and the
    import do).

    Refused (``ConfirmRefused``) once the entry's result is confirmed: everything here is
    price-relevant, so the result must be reopened first (four-eyes). A confirmation that
    lands while this runs makes the placement's UPDATE fail its version check.
    """
    if entry is not None and entry.placement is not None and entry.placement.status == "confirmed":
        raise ConfirmRefused(N_("该成绩已确认，不能直接修改；请先撤回确认（须填写原因），再更正。"))
    claim_event_version(event, seen_version)
    if entry is None:
        entry = Entry(event=event)
        db.session.add(entry)
    entry.sending_county_code = data.sending_county
    members = [m for m in data.members if m.id_number.strip()]
    known = find_competitors(m.id_number for m in members)
    people = [_competitor_for(m, known) for m in members]
    if [m.competitor_id for m in entry.members] != [p.id for p in people]:
        # Deletes must reach the database before the inserts that reuse the same keys.
        entry.members.clear()
        db.session.flush()
        for position, person in enumerate(people, start=1):
            entry.members.append(
                EntryMember(event_id=event.id, competitor=person, position=position)
            )
    previous = {(ec.coach.name, ec.coach.id_number): ec.coach for ec in entry.coaches}
    entry.coaches.clear()
    db.session.flush()
    known = find_coaches(c.id_number for c in data.coaches if c.name.strip())
    for coach_data in data.coaches:
        if not coach_data.name.strip():
            continue
        coach = coach_for(coach_data, known, previous)
        entry.coaches.append(
            EntryCoach(coach=coach, role=coach_data.role, share_percent=coach_data.share_percent)
        )
    medal, prize = rules.parse_result(data.result)
    if data.rank is None:
        if entry.placement is not None:
            db.session.delete(entry.placement)
            entry.placement = None
    else:
        placement = entry.placement or Placement(entry=entry)
        placement.rank, placement.is_tie = data.rank, data.is_tie
        placement.medal, placement.prize = medal, prize
        placement.status = "entered"
        placement.entered_by_id = user_id
        # A result returned by a reviewer goes back into the queue once it is saved again.
        placement.returned_at = placement.returned_by_id = placement.return_reason = None
        db.session.add(placement)
    db.session.flush()
    db.session.refresh(entry)
    return entry


def delete_entry(entry: Entry, seen_version: int | None) -> None:
    """Delete an entry; refused once it has a result or award records."""
    blocked = results_depending_on(entry=entry)
    if blocked:
        raise InUse(entry, blocked)
    claim_event_version(entry.event, seen_version)
    db.session.delete(entry)
    db.session.flush()


def counties() -> list[Jurisdiction]:
    """All counties, ordered by code."""
    return db.session.scalars(
        db.select(Jurisdiction)
        .filter_by(level=JurisdictionLevel.COUNTY)
        .options(joinedload(Jurisdiction.parent))
        .order_by(Jurisdiction.code)
    ).all()
