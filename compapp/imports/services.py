"""Check an uploaded results sheet against a contest, show what it would change, save it.

The checks are the entry form's: the pure ``compapp.contests.rules`` checks, and the
database checks of ``compapp.contests.services.check_entry`` (same person, same name, one
entry per person per event, rank clashes) done against rows loaded once for the whole
file, so 10,000 rows need a handful of queries instead of tens of thousands. Changed
entries are saved through ``contests.services.save_entry``; new entries are written in bulk
and priced with the same award functions ``grant_awards`` uses. Nothing here commits.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import insert
from sqlalchemy.orm import selectinload

from compapp.auth.models import utcnow
from compapp.contests import rules
from compapp.contests import services as contest_services
from compapp.contests.models import (
    Coach,
    Competitor,
    Contest,
    Entry,
    EntryCoach,
    EntryMember,
    Event,
    Placement,
)
from compapp.core.messages import N_
from compapp.extensions import db
from compapp.imports import reading
from compapp.imports.models import ImportBatch
from compapp.imports.reading import CellProblem, ImportedEntry, Table
from compapp.policy.categories import result_key, result_key_name
from compapp.reference.models import Jurisdiction

CHUNK = 500
LISTED = 500  # entries of each kind kept on the batch for the page (counts are complete)
AWARD_REASON = "成绩录入"


class ImportRefused(Exception):
    """The file still has problems (or changed since it was checked); nothing was saved."""

    def __init__(self, plan: ImportPlan):
        super().__init__(f"{len(plan.problems)} problems")
        self.plan = plan


@dataclass
class EntryChange:
    """One entry of the file (or of the database) and what saving would do to it."""

    kind: str  # added | changed | unchanged | confirmed | removed
    occupation: str
    event_format: str
    group: str
    rows: list[int]
    names: list[str]
    before: str | None = None
    after: str | None = None
    entry_id: int | None = None

    def as_dict(self) -> dict:
        return dict(self.__dict__)


@dataclass
class ImportPlan:
    """The outcome of a dry run: problems, or what saving would add, change and leave."""

    problems: list[CellProblem] = field(default_factory=list)
    changes: list[EntryChange] = field(default_factory=list)
    new_events: list[tuple[str, str, str]] = field(default_factory=list)
    rows: int = 0
    entries: list[ImportedEntry] = field(default_factory=list)
    # internal: the matched entry of each file entry (index → Entry or None), events by key
    matched: dict[int, Entry | None] = field(default_factory=dict, repr=False)
    result_kinds: dict[tuple[str, str], str] = field(default_factory=dict, repr=False)

    @property
    def ok(self) -> bool:
        return not self.problems

    def of_kind(self, kind: str) -> list[EntryChange]:
        return [c for c in self.changes if c.kind == kind]

    @property
    def has_changes(self) -> bool:
        return bool(self.new_events or self.of_kind("added") or self.of_kind("changed"))

    def summary(self) -> dict:
        """Counts and the lists the batch page shows (JSON-safe)."""
        out = {
            kind: [c.as_dict() for c in self.of_kind(kind)[:LISTED]]
            for kind in ("added", "changed", "confirmed", "removed")
        }
        out["counts"] = {
            kind: len(self.of_kind(kind))
            for kind in ("added", "changed", "unchanged", "confirmed", "removed")
        }
        out["counts"]["rows"] = self.rows
        out["new_events"] = [list(e) for e in self.new_events]
        return out


def county_lookup() -> tuple[dict[str, str], dict[str, Jurisdiction]]:
    """Return accepted spellings of each county → code, and code → county (with parent)."""
    counties = db.session.scalars(
        db.select(Jurisdiction)
        .filter_by(level="county")
        .options(selectinload(Jurisdiction.parent))
        .order_by(Jurisdiction.code)
    ).all()
    names: dict[str, list[str]] = defaultdict(list)
    for county in counties:
        names[county.name].append(county.code)
        names[county.short_name].append(county.code)
    spellings: dict[str, str] = {}
    for county in counties:
        spellings[county.code] = county.code
        spellings[county.label.replace(" ", "")] = county.code
        for name in (county.name, county.short_name):
            if len(set(names[name])) == 1:  # a bare name only when it is unambiguous
                spellings[name] = county.code
    return spellings, {c.code: c for c in counties}


def result_labels(category: str) -> list[str]:
    """The Chinese names of the results a category awards, for the template's list."""
    codes = []
    for kind in rules.allowed_result_kinds(category):
        codes += rules.result_choices(category, kind)
    return [result_key_name(c) for c in codes]


def _contest_entries(contest: Contest) -> list[Entry]:
    return db.session.scalars(
        db.select(Entry)
        .join(Event)
        .where(Event.contest_id == contest.id)
        .options(
            selectinload(Entry.members).selectinload(EntryMember.competitor),
            selectinload(Entry.coaches).selectinload(EntryCoach.coach),
            selectinload(Entry.placement),
        )
        .order_by(Entry.id)
    ).all()


def _known_people(id_numbers: set[str]) -> dict[str, tuple[int, str]]:
    known: dict[str, tuple[int, str]] = {}
    numbers = sorted(id_numbers)
    for start in range(0, len(numbers), CHUNK):
        chunk = numbers[start : start + CHUNK]
        for person_id, number, name in db.session.execute(
            db.select(Competitor.id, Competitor.id_number, Competitor.name).where(
                Competitor.id_number.in_(chunk)
            )
        ):
            known[number] = (person_id, name)
    return known


def _stored_state(entry: Entry) -> tuple:
    placement = entry.placement
    result = result_key(placement.medal, placement.prize) if placement else None
    return (
        entry.sending_county_code,
        tuple(m.competitor.id_number for m in entry.members),
        tuple((c.coach.name, c.role, c.share_percent) for c in entry.coaches),
        placement.rank if placement else None,
        bool(placement.is_tie) if placement else False,
        result,
    )


def _file_state(item: ImportedEntry) -> tuple:
    return (
        item.sending_county,
        tuple(m.id_number for m in item.members),
        tuple((c.name, c.role, c.share_percent) for c in item.coaches),
        item.rank,
        item.is_tie if item.rank is not None else False,
        item.result if item.rank is not None or item.result else None,
    )


def describe_state(state: tuple, counties: dict[str, Jurisdiction]) -> str:
    """A short Chinese description of an entry's stored or imported state, for the diff."""
    county_code, numbers, coaches, rank, is_tie, result = state
    county = counties.get(county_code)
    parts = [
        county.name if county else (county_code or "—"),
        "、".join(n[:4] + "…" + n[-4:] for n in numbers),
    ]
    if rank is not None:
        parts.append(f"第{rank}名" + ("（并列）" if is_tie else ""))
    if result:
        parts.append(result_key_name(result))
    if coaches:
        parts.append(
            "教练："
            + "、".join(
                name
                + ("" if role == "coach" else f"（{reading.ROLE_LABELS.get(role, role)}）")
                + ("" if share is None else f" {share}%")
                for name, role, share in coaches
            )
        )
    return "；".join(parts)


class _Located:
    """Turn a rules ``Problem`` of one entry into a ``CellProblem`` at the right cell."""

    def __init__(self, table: Table):
        self.sheet = table.sheet
        self.rows = dict(table.rows)

    def cell(
        self,
        row: int,
        column: str,
        /,
        problem: rules.Problem | None = None,
        message: str | None = None,
        **params,
    ) -> CellProblem:
        value = self.rows.get(row, {}).get(column, "")
        if problem is not None:
            return CellProblem(self.sheet, row, column, value, problem.message, problem.params)
        return CellProblem(
            self.sheet, row, column, value, message or "", tuple(sorted(params.items()))
        )

    def problem(self, item: ImportedEntry, problem: rules.Problem) -> CellProblem:
        name = problem.field
        if name.startswith("members-"):
            _m, index, attribute = name.split("-", 2)
            member_row = item.members[int(index)].row
            column = reading.NAME if attribute == "name" else reading.ID_NUMBER
            return self.cell(member_row, column, problem)
        column = {
            "sending_county": reading.COUNTY,
            "members": reading.ID_NUMBER,
            "rank": reading.RANK,
            "result": reading.RESULT,
            "format": reading.FORMAT,
            "result_kind": reading.RESULT,
            "coaches": reading.coach_headers(1)[0],
        }.get(name, reading.OCCUPATION)
        return self.cell(item.first_row, column, problem)


def check_import(contest: Contest, table: Table) -> ImportPlan:
    """Dry run: check every row as the entry form would and work out what saving would do."""
    plan = ImportPlan(problems=list(table.problems), rows=len(table.rows))
    if any(p.row is None or p.message.startswith("缺少必需的列") for p in table.problems):
        return plan
    spellings, counties = county_lookup()
    entries, problems = reading.build_entries(table, spellings)
    plan.problems += problems
    plan.entries = entries
    locate = _Located(table)
    category = contest.category

    events = {(e.occupation, e.format): e for e in contest.events}
    stored = _contest_entries(contest)
    by_event_person: dict[int, dict[str, Entry]] = defaultdict(dict)
    for entry in stored:
        for member in entry.members:
            by_event_person[entry.event_id][member.competitor.id_number] = entry
    known = _known_people({m.id_number for item in entries for m in item.members})
    known_coaches = contest_services.find_coaches(
        {c.id_number for item in entries for c in item.coaches if c.id_number}
    )
    # People barred after a revoked award (for fraud) cannot be entered anew (chunked lookup).
    known_ids = [person[0] for person in known.values()]
    bars: dict[int, tuple] = {}
    for start in range(0, len(known_ids), CHUNK):
        bars.update(contest_services.bars_in_force(known_ids[start : start + CHUNK], date.today()))
    # People only other bodies' contests know are matched without being named (stored problems
    # are read later, by whoever opens the batch).
    named = contest_services.competitors_known_to(
        contest.organising_body_id, (person_id for person_id, _name in known.values())
    )

    # Events the file names but the contest lacks: created on save, checked like the form.
    file_results: dict[tuple[str, str], set[str]] = defaultdict(set)
    first_rows: dict[tuple[str, str], int] = {}
    for item in entries:
        first_rows.setdefault(item.event_key, item.first_row)
        if item.result:
            file_results[item.event_key].add(
                "prizes" if item.result.startswith("prize_") else "medals"
            )
    for key, first_row in first_rows.items():
        if key in events:
            plan.result_kinds[key] = events[key].result_kind
            continue
        kinds = rules.allowed_result_kinds(category)
        # Results the category does not award are reported row by row by check_placement.
        wanted = file_results.get(key, set()) & set(kinds)
        if len(wanted) > 1:
            plan.problems.append(
                locate.cell(
                    first_row,
                    reading.RESULT,
                    message="同一赛项不能同时设奖牌和等级奖（一、二、三等奖）。",
                )
            )
            continue
        kind = next(iter(wanted)) if wanted else kinds[0]
        plan.result_kinds[key] = kind
        for problem in rules.check_event(category, key[1], kind):
            plan.problems.append(locate.problem(_first_entry(entries, key), problem))
        plan.new_events.append((key[0], key[1], kind))

    # Match file entries to stored ones by event and ID number; each stored entry once.
    claimed: set[int] = set()
    for index, item in enumerate(entries):
        event = events.get(item.event_key)
        match = None
        if event is not None:
            for member in item.members:
                candidate = by_event_person[event.id].get(member.id_number)
                if candidate is not None and candidate.id not in claimed:
                    match = candidate
                    break
        if match is not None:
            claimed.add(match.id)
        plan.matched[index] = match

    # The event's results after saving: the file's entries plus stored entries it leaves.
    final_ranks: dict[tuple[str, str], dict[int, list[tuple[int, bool]]]] = defaultdict(
        lambda: defaultdict(list)
    )
    kept_people: dict[tuple[str, str], set[str]] = defaultdict(set)
    for entry in stored:
        if entry.id in claimed:
            continue
        key = (entry.event.occupation, entry.event.format)
        if entry.placement is not None:
            final_ranks[key][entry.placement.rank].append((-entry.id, entry.placement.is_tie))
        kept_people[key].update(m.competitor.id_number for m in entry.members)
    for index, item in enumerate(entries):
        match = plan.matched[index]
        if (
            match is not None
            and match.placement is not None
            and match.placement.status == "confirmed"
        ):
            placement = match.placement
            final_ranks[item.event_key][placement.rank].append((index, placement.is_tie))
        elif item.rank is not None:
            final_ranks[item.event_key][item.rank].append((index, item.is_tie))

    names_seen: dict[str, tuple[int, str]] = {}
    people_seen: dict[tuple[str, str], dict[str, int]] = defaultdict(dict)
    for index, item in enumerate(entries):
        found: list[CellProblem] = []
        if item.sending_county is None and not item_has(
            plan.problems, item.first_row, reading.COUNTY
        ):
            found.append(
                locate.cell(item.first_row, reading.COUNTY, message="请选择选派的县（市、区）。")
            )
        numbers = [m.id_number for m in item.members if m.id_number or m.name]
        for problem in rules.check_team(item.event_format, numbers):
            found.append(locate.problem(item, problem))
        for position, member in enumerate(item.members):
            if not (member.id_number or member.name):
                continue
            person = known.get(member.id_number)
            other = people_seen[item.event_key].setdefault(member.id_number, index)
            found += [
                locate.problem(item, problem)
                for problem in rules.check_member(
                    f"members-{position}-",
                    member.id_number,
                    member.name,
                    registered_name=person[1] if person else None,
                    entered_elsewhere=other != index
                    or member.id_number in kept_people[item.event_key],
                    reveal_name=person is not None and person[0] in named,
                )
            ]
            bar = bars.get(person[0]) if person else None
            if bar is not None and plan.matched[index] is None:
                found += [
                    locate.problem(item, problem)
                    for problem in rules.check_bar(
                        f"members-{position}-", member.name, bar[0], bar[1]
                    )
                ]
            if not member.name or rules.check_id_number("", member.id_number):
                continue
            earlier = names_seen.setdefault(member.id_number, (member.row, member.name))
            if earlier[1] != member.name:
                found.append(
                    locate.cell(
                        member.row,
                        reading.NAME,
                        message="同一身份证号码在第 %(row)s 行填写的姓名是“%(name)s”，与本行不一致。",
                        row=earlier[0],
                        name=earlier[1],
                    )
                )
        for slot, coach in enumerate(item.coaches, start=1):
            registered = known_coaches.get(coach.id_number) if coach.id_number else None
            if registered is not None and registered.name != coach.name:
                found.append(
                    locate.cell(
                        item.first_row,
                        reading.coach_headers(slot)[0],
                        message="该身份证号码已登记为教练“%(name)s”，姓名不一致；同一人不能登记两次。",
                        name=registered.name,
                    )
                )
        coach_names = [c.id_number or c.name for c in item.coaches]
        if len(set(coach_names)) != len(coach_names):
            found.append(
                locate.cell(
                    item.first_row,
                    reading.coach_headers(1)[0],
                    message="同一教练在本组中出现了两次。",
                )
            )
        for problem in rules.check_coach_shares(c.share_percent for c in item.coaches):
            found.append(locate.problem(item, problem))
        kind = plan.result_kinds.get(item.event_key)
        if kind is not None and (item.rank is not None or item.result):
            others = [r for r in final_ranks[item.event_key].get(item.rank, []) if r[0] != index]
            for problem in rules.check_placement(
                category,
                kind,
                item.rank,
                item.is_tie,
                item.result,
                [(item.rank, tied) for _i, tied in others],
            ):
                found.append(locate.problem(item, problem))
        plan.problems += found
        plan.changes.append(_change(item, plan.matched[index], counties))

    for entry in stored:
        # Only events the file covers: a file of one event says nothing about the others.
        if entry.id not in claimed and (entry.event.occupation, entry.event.format) in first_rows:
            plan.changes.append(
                EntryChange(
                    "removed",
                    entry.event.occupation,
                    entry.event.format,
                    "",
                    [],
                    [m.competitor.name for m in entry.members],
                    before=describe_state(_stored_state(entry), counties),
                    entry_id=entry.id,
                )
            )
    plan.problems.sort(
        key=lambda p: (
            p.row or 0,
            reading.HEADERS.index(p.column) if p.column in reading.HEADERS else -1,
        )
    )
    return plan


def item_has(problems: list[CellProblem], row: int, column: str) -> bool:
    return any(p.row == row and p.column == column for p in problems)


def _first_entry(entries: list[ImportedEntry], key: tuple[str, str]) -> ImportedEntry:
    return next(item for item in entries if item.event_key == key)


def _change(item: ImportedEntry, match: Entry | None, counties) -> EntryChange:
    names = [m.name for m in item.members]
    after = _file_state(item)
    change = EntryChange(
        "added",
        item.occupation,
        item.event_format,
        item.group,
        item.rows,
        names,
        after=describe_state(after, counties),
    )
    if match is None:
        return change
    before = _stored_state(match)
    change.entry_id = match.id
    change.before = describe_state(before, counties)
    if before == after:
        change.kind = "unchanged"
    elif match.placement is not None and match.placement.status == "confirmed":
        change.kind = "confirmed"
    else:
        change.kind = "changed"
    return change


def entry_data(item: ImportedEntry) -> contest_services.EntryData:
    """The entry form's data for one file entry."""
    return contest_services.EntryData(
        sending_county=item.sending_county or "",
        members=[
            contest_services.MemberData(
                id_number=m.id_number,
                name=m.name,
                employer=m.employer,
                is_employee=m.is_employee,
                grade=m.grade,
            )
            for m in item.members
        ],
        coaches=[
            contest_services.CoachData(c.name, c.role, c.share_percent, c.id_number)
            for c in item.coaches
        ],
        rank=item.rank,
        is_tie=item.is_tie if item.rank is not None else False,
        result=item.result,
    )


def save_import(contest: Contest, table: Table, user_id: int | None) -> ImportPlan:
    """Check the file again and, if it has no problems, save all of it (flushes, no commit).

    Raises ``ImportRefused`` with the plan when any row is wrong: nothing is written.
    """
    plan = check_import(contest, table)
    if not plan.ok:
        raise ImportRefused(plan)
    events = {(e.occupation, e.format): e for e in contest.events}
    for occupation, event_format, kind in plan.new_events:
        events[(occupation, event_format)] = contest_services.add_event(
            contest, occupation, event_format, kind
        )
    changed = [
        (i, item) for i, item in enumerate(plan.entries) if plan.changes[i].kind == "changed"
    ]
    # Members moving between changed entries: free them all before any entry takes them.
    for index, _item in changed:
        entry = plan.matched[index]
        entry.members.clear()
    if changed:
        db.session.flush()
    for index, item in changed:
        entry = plan.matched[index]
        before = plan.changes[index].before
        contest_services.save_entry(events[item.event_key], entry_data(item), user_id, None, entry)
        from compapp.audit.services import record_change

        record_change(
            "import_entry",
            "entry",
            entry.id,
            f"批量导入修改参赛组：{item.occupation} {'、'.join(m.name for m in item.members)}",
            before={"entry": before},
            after={"entry": plan.changes[index].after},
        )
    added = [(i, item) for i, item in enumerate(plan.entries) if plan.changes[i].kind == "added"]
    new_ids = _insert_entries(contest, events, [item for _i, item in added], user_id)
    for (index, _item), entry_id in zip(added, new_ids, strict=True):
        plan.changes[index].entry_id = entry_id
    _save_bank_details(plan.entries, user_id)
    return plan


def _insert_entries(
    contest: Contest, events: dict, items: list[ImportedEntry], user_id: int | None
) -> list[int]:
    """Write new entries with their people, coaches, placements and awards in bulk."""
    if not items:
        return []
    for key in {item.event_key for item in items}:
        contest_services.claim_event_version(events[key], None)
    people = _known_people({m.id_number for item in items for m in item.members})
    new_people = {}
    for item in items:
        for m in item.members:
            if m.id_number not in people and m.id_number not in new_people:
                new_people[m.id_number] = {
                    "id_number": m.id_number,
                    "name": m.name,
                    "employer": m.employer,
                    "is_employee": m.is_employee,
                    "grade_code": m.grade or "none",
                    "home_county_code": None,
                    "created_at": utcnow(),
                }
    for number, person_id in _insert_returning(Competitor, list(new_people.values()), "id_number"):
        people[number] = (person_id, new_people[number]["name"])
    coach_ids = _coach_ids(items)
    entry_ids = [
        row_id
        for _k, row_id in _insert_returning(
            Entry,
            [
                {
                    "event_id": events[item.event_key].id,
                    "sending_county_code": item.sending_county,
                    "created_at": utcnow(),
                }
                for item in items
            ],
        )
    ]
    members, coaches, placements = [], [], []
    for item, entry_id in zip(items, entry_ids, strict=True):
        event_id = events[item.event_key].id
        for position, m in enumerate(item.members, start=1):
            members.append(
                {
                    "entry_id": entry_id,
                    "event_id": event_id,
                    "competitor_id": people[m.id_number][0],
                    "position": position,
                }
            )
        for slot, c in enumerate(item.coaches):
            coaches.append(
                {
                    "entry_id": entry_id,
                    "coach_id": coach_ids[c.id_number]
                    if c.id_number
                    else coach_ids[(id(item), slot)],
                    "role": c.role,
                    "share_percent": c.share_percent,
                }
            )
        if item.rank is not None:
            medal, prize = rules.parse_result(item.result)
            placements.append(
                {
                    "entry_id": entry_id,
                    "rank": item.rank,
                    "is_tie": item.is_tie,
                    "medal": medal,
                    "prize": prize,
                    "status": "entered",
                    "entered_by_id": user_id,
                    "entered_at": utcnow(),
                }
            )
    for model, rows in ((EntryMember, members), (EntryCoach, coaches), (Placement, placements)):
        for start in range(0, len(rows), CHUNK * 4):
            db.session.execute(insert(model), rows[start : start + CHUNK * 4])
    _grant_new_awards(contest, user_id)
    return entry_ids


def _insert_returning(model, rows: list[dict], key: str | None = None) -> list[tuple]:
    """Insert rows in chunks; return (key value, new id) in the rows' order."""
    out = []
    for start in range(0, len(rows), CHUNK * 4):
        chunk = rows[start : start + CHUNK * 4]
        ids = db.session.scalars(
            insert(model).returning(model.id, sort_by_parameter_order=True), chunk
        ).all()
        out += [
            (row.get(key) if key else None, row_id) for row, row_id in zip(chunk, ids, strict=True)
        ]
    return out


def _coach_ids(items: list[ImportedEntry]) -> dict:
    """The coach record of each coaching-team member: by ID number (found or created), never by
    name; a member without an ID number gets a record of their own, linked to nobody.

    Keys: the ID number, or (id(item), slot) for a member without one.
    """
    numbers = {c.id_number: c.name for item in items for c in item.coaches if c.id_number}
    ids: dict = {
        number: coach.id for number, coach in contest_services.find_coaches(list(numbers)).items()
    }
    missing = [
        {"name": name, "id_number": n} for n, name in sorted(numbers.items()) if n not in ids
    ]
    for number, coach_id in _insert_returning(Coach, missing, "id_number"):
        ids[number] = coach_id
    anonymous = [
        ((id(item), slot), c.name)
        for item in items
        for slot, c in enumerate(item.coaches)
        if not c.id_number
    ]
    new_ids = _insert_returning(Coach, [{"name": name} for _key, name in anonymous])
    for (key, _name), (_k, coach_id) in zip(anonymous, new_ids, strict=True):
        ids[key] = coach_id
    return ids


def _save_bank_details(items: list[ImportedEntry], user_id: int | None) -> None:
    """Store the bank details the file gives for its competitors (one audit entry, no numbers)."""
    from compapp.auth.models import User
    from compapp.payees.services import save_imported_bank_details

    wanted = {m.id_number: m.bank for item in items for m in item.members if m.bank}
    if not wanted:
        return
    people = _known_people(set(wanted))
    save_imported_bank_details(
        [(people[n][0], bank) for n, bank in wanted.items() if n in people],
        db.session.get(User, user_id) if user_id else None,
    )


def _grant_new_awards(contest, user_id) -> None:
    """Price the new placements exactly as the entry form does, in bulk."""
    from compapp.rewards.bulk import grant_awards_bulk
    from compapp.rewards.services import award_policies

    grant_awards_bulk([contest.id], award_policies(), user_id, AWARD_REASON)


# --- batches ---------------------------------------------------------------------------------


def digest_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def create_batch(
    contest: Contest, data: bytes, filename: str, user_id: int | None
) -> tuple[ImportBatch, ImportPlan]:
    """Read and dry-run an upload; store it as a batch (flushes) and return it with its plan."""
    table = reading.read_upload(data, filename)
    plan = check_import(contest, table)
    batch = ImportBatch(
        contest_id=contest.id,
        created_by_id=user_id,
        filename=(filename or "upload")[:200],
        digest=digest_of(data),
        size_bytes=len(data),
        status="checked" if plan.ok else "invalid",
        cells=table.as_dict() if table.rows else None,
        problems=[p.as_dict() for p in plan.problems],
        summary=plan.summary(),
    )
    db.session.add(batch)
    db.session.flush()
    return batch, plan


def batch_problems(batch: ImportBatch) -> list[CellProblem]:
    return [CellProblem.from_dict(p) for p in batch.problems or []]


def last_saved_batch(contest: Contest) -> ImportBatch | None:
    return db.session.scalar(
        db.select(ImportBatch)
        .filter_by(contest_id=contest.id, status="saved")
        .order_by(ImportBatch.id.desc())
    )


def _without_account_numbers(cells: dict | None) -> dict | None:
    """The stored cells with bank account numbers masked: once saved, the batch keeps no copy."""
    if not cells or reading.ACCOUNT not in cells.get("headers", ()):
        return cells
    from compapp.core.bank import mask_account

    rows = [
        [n, {**values, reading.ACCOUNT: mask_account(values.get(reading.ACCOUNT, ""))}]
        for n, values in cells["rows"]
    ]
    return {**cells, "rows": rows}


def confirm_batch(batch: ImportBatch, digest: str, user) -> ImportPlan:
    """Save a checked batch; ``digest`` must be the one the user saw (flushes, no commit).

    Raises ``ImportRefused`` when the batch is not saveable or the rows are no longer valid
    (someone changed the contest's results since the dry run); the batch then records why.
    """
    why = None
    if batch.status == "saved":
        why = N_("该导入已保存，不能再次保存。")
    elif batch.status == "discarded":
        why = N_("该导入已作废，请重新上传。")
    elif batch.status != "checked":
        why = N_("文件中有问题，没有保存。请按下方的问题改正后重新上传。")
    elif digest != batch.digest or batch.cells is None:
        why = N_("文件在检查之后已变化，请重新上传。")
    if why is not None:
        raise ImportRefused(ImportPlan(problems=[CellProblem("", None, None, "", why)]))
    contest = db.session.get(Contest, batch.contest_id)
    table = Table.from_dict(batch.cells)
    plan = save_import(contest, table, getattr(user, "id", None))
    from compapp.audit.services import record_change

    counts = plan.summary()["counts"]
    record_change(
        "import_results",
        "contest",
        contest.id,
        f"批量导入“{batch.filename}”：新增 {counts['added']} 组，修改 {counts['changed']} 组，"
        f"未变 {counts['unchanged']} 组，已确认未覆盖 {counts['confirmed']} 组",
        before=None,
        after={
            "batch": batch.id,
            "digest": batch.digest,
            "filename": batch.filename,
            "counts": counts,
            "new_events": [list(e) for e in plan.new_events],
            "added_entries": [c.entry_id for c in plan.of_kind("added")],
            "changed_entries": [c.entry_id for c in plan.of_kind("changed")],
        },
        user=user,
    )
    batch.status = "saved"
    batch.saved_at = utcnow()
    batch.saved_by_id = getattr(user, "id", None)
    batch.summary = plan.summary()
    batch.cells = _without_account_numbers(batch.cells)
    db.session.flush()
    return plan
