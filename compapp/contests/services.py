"""Contest registry and result entry: load rows, apply the pure checks, write, flush.

Functions here never commit; the view or CLI command that calls them commits once. A
function that finds problems returns them without writing anything.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import update
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from compapp.auth.models import utcnow
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
from compapp.extensions import db
from compapp.reference.models import Jurisdiction


class InUse(Exception):
    """A record cannot be deleted because results depend on it; ``count`` says how many."""

    def __init__(self, record, count: int):
        super().__init__(f"{record!r} has {count} dependent results")
        self.count = count


class ConfirmRefused(Exception):
    """A result cannot be confirmed or reopened; the message says why."""


def confirm_placement(placement: Placement, user) -> None:
    """Confirm a result entered by someone else (four-eyes); refused for one's own entry."""
    from flask_babel import gettext as _

    if placement.status == "confirmed":
        raise ConfirmRefused(_("该成绩已确认。"))
    if placement.entered_by_id is not None and placement.entered_by_id == user.id:
        raise ConfirmRefused(_("不能复核自己录入的成绩：须由另一名组织者或管理员确认。"))
    placement.status = "confirmed"
    placement.confirmed_by_id = user.id
    placement.confirmed_at = utcnow()
    db.session.flush()


def reopen_placement(placement: Placement, user, note: str) -> None:
    """Withdraw a confirmation so the result can be corrected; a reason is required."""
    from flask_babel import gettext as _

    if placement.status != "confirmed":
        raise ConfirmRefused(_("该成绩尚未确认，可直接修改。"))
    if not note:
        raise ConfirmRefused(_("撤回确认须填写原因。"))
    placement.status = "entered"
    placement.entered_by_id = user.id
    placement.confirmed_by_id = None
    placement.confirmed_at = None
    db.session.flush()


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
    """Return the organising body called ``name``, creating it if new."""
    name = name.strip()
    body = db.session.scalar(db.select(OrganisingBody).filter_by(name=name))
    if body is None:
        body = OrganisingBody(name=name)
        db.session.add(body)
        db.session.flush()
    return body


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


def organisers() -> list[Jurisdiction]:
    """The jurisdictions that can organise a contest: the province, then its prefectures."""
    return db.session.scalars(
        db.select(Jurisdiction)
        .where(Jurisdiction.level.in_(("province", "prefecture")))
        .order_by(Jurisdiction.level.desc(), Jurisdiction.code)
    ).all()


def check_organiser(category: str, code: str | None) -> list[Problem]:
    """A prefecture-tier contest is run by a prefecture; any other by the province (§3)."""
    found = db.session.get(Jurisdiction, code or "")
    if found is None or found.level not in ("province", "prefecture"):
        return [Problem("organiser", "请选择云南省或一个州（市）作为主办地。")]
    if rules.CATEGORIES[category].tier == "prefecture" and found.level != "prefecture":
        return [Problem("organiser", "州（市）级竞赛请选择主办该竞赛的州（市）。")]
    if rules.CATEGORIES[category].tier != "prefecture" and found.level != "province":
        return [Problem("organiser", "省级及以上竞赛的主办地为云南省。")]
    return []


def save_contest(data: ContestData, contest: Contest | None = None) -> Contest:
    """Create a contest, or update ``contest``, from checked data."""
    body = get_or_create_body(data.organising_body)
    if contest is None:
        contest = Contest()
        db.session.add(contest)
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
    return contest


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
    from compapp.rewards.models import AwardComputation

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
    if county is None or county.level != "county":
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
    from compapp.revocation.models import PersonBar

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
    """Create or update an entry with its team, coaches and placement (data already checked)."""
    claim_event_version(event, seen_version)
    is_new = entry is None
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
    from compapp.rewards.services import award_policies, grant_awards

    db.session.refresh(entry)
    grant_awards(entry, award_policies(), user_id, "成绩录入" if is_new else "成绩修改")
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
        .filter_by(level="county")
        .options(joinedload(Jurisdiction.parent))
        .order_by(Jurisdiction.code)
    ).all()


def entry_loading() -> tuple:
    """Load what the pages show of each entry (team, coaches, result, county) in a few queries."""
    return (
        selectinload(Entry.placement),
        selectinload(Entry.members).joinedload(EntryMember.competitor),
        selectinload(Entry.coaches).joinedload(EntryCoach.coach),
        joinedload(Entry.sending_county).joinedload(Jurisdiction.parent),
    )


def placed_entries_query(contest: Contest, event_id: int | None = None, search: str = ""):
    """The contest's placed entries in event and rank order, optionally one event's or those
    with a competitor or coach whose name contains ``search``; loaded for display (for a
    page of them: compapp.paging)."""
    query = (
        db.select(Entry)
        .join(Event, Event.id == Entry.event_id)
        .join(Placement, Placement.entry_id == Entry.id)
        .where(Event.contest_id == contest.id)
        .order_by(Event.id, Placement.rank, Entry.id)
        .options(
            contains_eager(Entry.placement),
            contains_eager(Entry.event),
            selectinload(Entry.members).joinedload(EntryMember.competitor),
            selectinload(Entry.coaches).joinedload(EntryCoach.coach),
            joinedload(Entry.sending_county).joinedload(Jurisdiction.parent),
        )
    )
    if event_id is not None:
        query = query.where(Entry.event_id == event_id)
    if search:
        by_member = (
            db.select(EntryMember.entry_id)
            .join(Competitor, Competitor.id == EntryMember.competitor_id)
            .where(Competitor.name.contains(search, autoescape=True))
        )
        by_coach = (
            db.select(EntryCoach.entry_id)
            .join(Coach, Coach.id == EntryCoach.coach_id)
            .where(Coach.name.contains(search, autoescape=True))
        )
        query = query.where(db.or_(Entry.id.in_(by_member), Entry.id.in_(by_coach)))
    return query


def event_counts(contest: Contest) -> dict[int, tuple[int, int]]:
    """Event id -> (entries, placed entries) of the contest's events, counted in SQL."""
    rows = db.session.execute(
        db.select(Event.id, db.func.count(Entry.id), db.func.count(Placement.id))
        .outerjoin(Entry, Entry.event_id == Event.id)
        .outerjoin(Placement, Placement.entry_id == Entry.id)
        .where(Event.contest_id == contest.id)
        .group_by(Event.id)
    ).all()
    return {event_id: (entries, placed) for event_id, entries, placed in rows}


def contest_events(contest: Contest, *entry_options) -> list[Event]:
    """The contest's events with their entries, loaded with ``entry_options`` (by id)."""
    return db.session.scalars(
        db.select(Event)
        .filter_by(contest_id=contest.id)
        .order_by(Event.id)
        .options(selectinload(Event.entries).options(*entry_options))
    ).all()


def event_with_entries(event_id: int) -> Event | None:
    """The event with its contest and its entries loaded for the event page."""
    return db.session.scalar(
        db.select(Event)
        .filter_by(id=event_id)
        .options(
            joinedload(Event.contest),
            selectinload(Event.entries).options(*entry_loading()),
        )
    )


def contest_entries(contest: Contest, *options) -> list[Entry]:
    """The contest's entries in event order, loaded with the given loader ``options``."""
    return db.session.scalars(
        db.select(Entry)
        .join(Event)
        .where(Event.contest_id == contest.id)
        .order_by(Event.id, Entry.id)
        .options(*options)
    ).all()


def sorted_entries(event: Event) -> list[Entry]:
    """The event's entries, placed ones by rank first."""
    return sorted(
        event.entries,
        key=lambda e: (e.placement is None, e.placement.rank if e.placement else 0, e.id),
    )
