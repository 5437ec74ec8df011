"""Check an uploaded results sheet against a contest and work out what saving would do.

The checks are the entry form's: the pure ``compapp.contests.rules`` checks, and the
database checks of ``compapp.contests.services.check_entry`` (same person, same name, one
entry per person per event, rank clashes) done against rows loaded once for the whole
file, so 10,000 rows need a handful of queries instead of tens of thousands.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.orm import selectinload

from compapp.contests import rules
from compapp.contests import services as contest_services
from compapp.contests.models import (
    Competitor,
    Contest,
    Entry,
    EntryCoach,
    EntryMember,
    Event,
)
from compapp.core.messages import N_
from compapp.core.vocab import JurisdictionLevel
from compapp.extensions import db
from compapp.imports import layout
from compapp.imports.entries import ImportedEntry, build_entries
from compapp.imports.reading import CellProblem, Table
from compapp.policy.categories import result_key, result_key_name
from compapp.reference.models import Jurisdiction

CHUNK = 500
LISTED = 500  # entries of each kind kept on the batch for the page (counts are complete)


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
        .filter_by(level=JurisdictionLevel.COUNTY)
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


def known_people(id_numbers: set[str]) -> dict[str, tuple[int, str]]:
    """ID number → (competitor id, name) of the stored competitors among ``id_numbers``."""
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
                + ("" if role == "coach" else f"（{layout.ROLE_LABELS.get(role, role)}）")
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
            column = layout.NAME if attribute == "name" else layout.ID_NUMBER
            return self.cell(member_row, column, problem)
        column = {
            "sending_county": layout.COUNTY,
            "members": layout.ID_NUMBER,
            "rank": layout.RANK,
            "result": layout.RESULT,
            "format": layout.FORMAT,
            "result_kind": layout.RESULT,
            "coaches": layout.coach_headers(1)[0],
        }.get(name, layout.OCCUPATION)
        return self.cell(item.first_row, column, problem)


@dataclass
class _Known:
    """What the database holds of the contest's entries and the file's people (loaded once)."""

    events: dict[tuple[str, str], Event]
    stored: list[Entry]
    people: dict[str, tuple[int, str]]  # ID number → (competitor id, name)
    coaches: dict
    bars: dict[int, tuple]
    named: set[int]
    counties: dict[str, Jurisdiction]

    def stored_by_event_person(self) -> dict[int, dict[str, Entry]]:
        found: dict[int, dict[str, Entry]] = defaultdict(dict)
        for entry in self.stored:
            for member in entry.members:
                found[entry.event_id][member.competitor.id_number] = entry
        return found


def _load_known(contest: Contest, entries: list[ImportedEntry], counties) -> _Known:
    people = known_people({m.id_number for item in entries for m in item.members})
    coaches = contest_services.find_coaches(
        {c.id_number for item in entries for c in item.coaches if c.id_number}
    )
    # People barred after a revoked award (for fraud) cannot be entered anew (chunked lookup).
    known_ids = [person[0] for person in people.values()]
    bars: dict[int, tuple] = {}
    for start in range(0, len(known_ids), CHUNK):
        bars.update(contest_services.bars_in_force(known_ids[start : start + CHUNK], date.today()))
    # People only other bodies' contests know are matched without being named (stored problems
    # are read later, by whoever opens the batch).
    named = contest_services.competitors_known_to(
        contest.organising_body_id, (person_id for person_id, _name in people.values())
    )
    return _Known(
        events={(e.occupation, e.format): e for e in contest.events},
        stored=_contest_entries(contest),
        people=people,
        coaches=coaches,
        bars=bars,
        named=named,
        counties=counties,
    )


def check_import(contest: Contest, table: Table) -> ImportPlan:
    """Dry run: check every row as the entry form would and work out what saving would do."""
    plan = ImportPlan(problems=list(table.problems), rows=len(table.rows))
    if any(p.row is None or p.message.startswith("缺少必需的列") for p in table.problems):
        return plan
    spellings, counties = county_lookup()
    entries, problems = build_entries(table, spellings)
    plan.problems += problems
    plan.entries = entries
    locate = _Located(table)
    known = _load_known(contest, entries, counties)
    first_rows = _plan_new_events(plan, contest.category, known.events, locate)
    claimed = _match_entries(plan, known)
    checker = _EntryChecks(plan, contest.category, known, locate, claimed)
    for index, item in enumerate(entries):
        plan.problems += checker.problems_of(index, item)
        plan.changes.append(_change(item, plan.matched[index], counties))
    _list_removed(plan, known, claimed, first_rows)
    plan.problems.sort(
        key=lambda p: (
            p.row or 0,
            layout.HEADERS.index(p.column) if p.column in layout.HEADERS else -1,
        )
    )
    return plan


def _plan_new_events(
    plan: ImportPlan, category: str, events: dict, locate: _Located
) -> dict[tuple[str, str], int]:
    """Record each event's result kind; events the file names but the contest lacks are
    created on save, checked like the form. Return each event's first row in the file."""
    file_results: dict[tuple[str, str], set[str]] = defaultdict(set)
    first_rows: dict[tuple[str, str], int] = {}
    for item in plan.entries:
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
                    layout.RESULT,
                    message=N_("同一赛项不能同时设奖牌和等级奖（一、二、三等奖）。"),
                )
            )
            continue
        kind = next(iter(wanted)) if wanted else kinds[0]
        plan.result_kinds[key] = kind
        for problem in rules.check_event(category, key[1], kind):
            plan.problems.append(locate.problem(_first_entry(plan.entries, key), problem))
        plan.new_events.append((key[0], key[1], kind))
    return first_rows


def _match_entries(plan: ImportPlan, known: _Known) -> set[int]:
    """Match file entries to stored ones by event and ID number, each stored entry once;
    return the ids of the stored entries matched."""
    by_event_person = known.stored_by_event_person()
    claimed: set[int] = set()
    for index, item in enumerate(plan.entries):
        event = known.events.get(item.event_key)
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
    return claimed


class _EntryChecks:
    """The entry form's checks of each file entry, against the event's results after saving
    (the file's entries plus the stored entries it leaves) and the people seen so far."""

    def __init__(
        self, plan: ImportPlan, category: str, known: _Known, locate: _Located, claimed: set[int]
    ):
        self.plan, self.category, self.known, self.locate = plan, category, known, locate
        self.final_ranks: dict[tuple[str, str], dict[int, list[tuple[int, bool]]]] = defaultdict(
            lambda: defaultdict(list)
        )
        self.kept_people: dict[tuple[str, str], set[str]] = defaultdict(set)
        self.names_seen: dict[str, tuple[int, str]] = {}
        self.people_seen: dict[tuple[str, str], dict[str, int]] = defaultdict(dict)
        self._results_after_saving(claimed)

    def _results_after_saving(self, claimed: set[int]) -> None:
        for entry in self.known.stored:
            if entry.id in claimed:
                continue
            key = (entry.event.occupation, entry.event.format)
            if entry.placement is not None:
                self.final_ranks[key][entry.placement.rank].append(
                    (-entry.id, entry.placement.is_tie)
                )
            self.kept_people[key].update(m.competitor.id_number for m in entry.members)
        for index, item in enumerate(self.plan.entries):
            match = self.plan.matched[index]
            if (
                match is not None
                and match.placement is not None
                and match.placement.status == "confirmed"
            ):
                placement = match.placement
                self.final_ranks[item.event_key][placement.rank].append((index, placement.is_tie))
            elif item.rank is not None:
                self.final_ranks[item.event_key][item.rank].append((index, item.is_tie))

    def problems_of(self, index: int, item: ImportedEntry) -> list[CellProblem]:
        """Every problem of one file entry, in the order the form reports them."""
        found: list[CellProblem] = []
        if item.sending_county is None and not item_has(
            self.plan.problems, item.first_row, layout.COUNTY
        ):
            found.append(
                self.locate.cell(
                    item.first_row, layout.COUNTY, message=N_("请选择选派的县（市、区）。")
                )
            )
        numbers = [m.id_number for m in item.members if m.id_number or m.name]
        for problem in rules.check_team(item.event_format, numbers):
            found.append(self.locate.problem(item, problem))
        for position, member in enumerate(item.members):
            if member.id_number or member.name:
                found += self._member_problems(index, item, position, member)
        found += self._coach_problems(item)
        found += self._placement_problems(index, item)
        return found

    def _member_problems(self, index, item, position: int, member) -> list[CellProblem]:
        locate = self.locate
        person = self.known.people.get(member.id_number)
        other = self.people_seen[item.event_key].setdefault(member.id_number, index)
        found = [
            locate.problem(item, problem)
            for problem in rules.check_member(
                f"members-{position}-",
                member.id_number,
                member.name,
                registered_name=person[1] if person else None,
                entered_elsewhere=other != index
                or member.id_number in self.kept_people[item.event_key],
                reveal_name=person is not None and person[0] in self.known.named,
            )
        ]
        bar = self.known.bars.get(person[0]) if person else None
        if bar is not None and self.plan.matched[index] is None:
            found += [
                locate.problem(item, problem)
                for problem in rules.check_bar(f"members-{position}-", member.name, bar[0], bar[1])
            ]
        if not member.name or rules.check_id_number("", member.id_number):
            return found
        earlier = self.names_seen.setdefault(member.id_number, (member.row, member.name))
        if earlier[1] != member.name:
            found.append(
                locate.cell(
                    member.row,
                    layout.NAME,
                    message=N_(
                        "同一身份证号码在第 %(row)s 行填写的姓名是“%(name)s”，与本行不一致。"
                    ),
                    row=earlier[0],
                    name=earlier[1],
                )
            )
        return found

    def _coach_problems(self, item: ImportedEntry) -> list[CellProblem]:
        found = []
        for slot, coach in enumerate(item.coaches, start=1):
            registered = self.known.coaches.get(coach.id_number) if coach.id_number else None
            if registered is not None and registered.name != coach.name:
                found.append(
                    self.locate.cell(
                        item.first_row,
                        layout.coach_headers(slot)[0],
                        message=N_(
                            "该身份证号码已登记为教练“%(name)s”，姓名不一致；同一人不能登记两次。"
                        ),
                        name=registered.name,
                    )
                )
        coach_names = [c.id_number or c.name for c in item.coaches]
        if len(set(coach_names)) != len(coach_names):
            found.append(
                self.locate.cell(
                    item.first_row,
                    layout.coach_headers(1)[0],
                    message=N_("同一教练在本组中出现了两次。"),
                )
            )
        for problem in rules.check_coach_shares(c.share_percent for c in item.coaches):
            found.append(self.locate.problem(item, problem))
        return found

    def _placement_problems(self, index: int, item: ImportedEntry) -> list[CellProblem]:
        kind = self.plan.result_kinds.get(item.event_key)
        if kind is None or (item.rank is None and not item.result):
            return []
        others = [r for r in self.final_ranks[item.event_key].get(item.rank, []) if r[0] != index]
        return [
            self.locate.problem(item, problem)
            for problem in rules.check_placement(
                self.category,
                kind,
                item.rank,
                item.is_tie,
                item.result,
                [(item.rank, tied) for _i, tied in others],
            )
        ]


def _list_removed(plan: ImportPlan, known: _Known, claimed: set[int], first_rows: dict) -> None:
    """List the stored entries the file leaves out, of the events the file covers only (a
    file of one event says nothing about the others)."""
    for entry in known.stored:
        if entry.id not in claimed and (entry.event.occupation, entry.event.format) in first_rows:
            plan.changes.append(
                EntryChange(
                    "removed",
                    entry.event.occupation,
                    entry.event.format,
                    "",
                    [],
                    [m.competitor.name for m in entry.members],
                    before=describe_state(_stored_state(entry), known.counties),
                    entry_id=entry.id,
                )
            )


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
