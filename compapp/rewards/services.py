"""Compute, store and total the awards of placements.

Services load rows, build plain facts, call the pure rules, write records and flush; the
caller commits. Stored lines are never edited or deleted: a change adds a new computation
and marks the previous one superseded.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from compapp.audit.services import record_change, says
from compapp.auth.models import User, utcnow
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
from compapp.contests.queries import contest_entries, sorted_entries
from compapp.core.messages import N_
from compapp.core.money import format_yuan, from_fen, to_fen
from compapp.core.vocab import AwardLineKind
from compapp.extensions import db
from compapp.jobs.services import JobFailed, JobRequest, params_of, start_job
from compapp.policies.queries import policies_in_force
from compapp.policy.model import NoPolicyInForce, PolicySet
from compapp.reference.models import Jurisdiction
from compapp.rewards.models import (
    AwardBasis,
    AwardComputation,
    AwardLineRecord,
    line_status_sql,
)
from compapp.rewards.rules import AwardFacts, AwardResult, InvalidFacts, compute_awards


def line_loading():
    """Load what a page shows of each line in a few queries instead of several per line."""
    from sqlalchemy.orm import joinedload, selectinload

    return (
        joinedload(AwardLineRecord.competitor),
        joinedload(AwardLineRecord.payer),
        # Not the line's computation: its basis (facts, trace) is decoded per row and no page
        # of lines reads it (line_notices and entries_awards load computations once).
        selectinload(AwardLineRecord.entry).options(
            selectinload(Entry.placement),
            selectinload(Entry.coaches).joinedload(EntryCoach.coach),
            selectinload(Entry.members).joinedload(EntryMember.competitor),
            joinedload(Entry.sending_county).joinedload(Jurisdiction.parent),
            joinedload(Entry.event).joinedload(Event.contest),
        ),
    )


def line_notices(lines) -> list[str]:
    """The distinct notices of the computations behind ``lines``, in order of appearance.

    POLICY.md §4.5, §5.4: a notice (amounts not configured, a date assumed) is shown wherever
    an award it concerns is shown.
    """
    from sqlalchemy.orm import joinedload

    lines = list(lines)
    entry_ids = list(dict.fromkeys(line.entry_id for line in lines))
    if not entry_ids:
        return []
    # The entries' current computations: a line confirmed under an older computation keeps
    # its figures, but what is said about the award now (a policy since configured) is current.
    bases = {
        c.entry_id: c.basis
        for c in db.session.scalars(
            db.select(AwardComputation)
            .where(
                AwardComputation.entry_id.in_(entry_ids), AwardComputation.superseded_at.is_(None)
            )
            .options(joinedload(AwardComputation.basis))
        )
    }
    seen: dict[str, None] = {}
    for entry_id in entry_ids:
        basis = bases.get(entry_id)
        for notice in basis.notices if basis is not None else ():
            seen.setdefault(notice)
    return list(seen)


def award_policies() -> PolicySet:
    """The award policy set in force: the shipped files, each replaced by its active version
    kept in the database, if any (``compapp.policies.queries.policies_in_force``)."""

    return policies_in_force()


def has_award_history(entry_ids) -> bool:
    """Whether any of the entries was ever priced (its records must then stay)."""
    ids = list(entry_ids)
    if not ids:
        return False
    return (
        db.session.scalar(
            db.select(db.func.count(AwardComputation.id)).where(AwardComputation.entry_id.in_(ids))
        )
        > 0
    )


def facts_for(entry: Entry) -> AwardFacts | None:
    """Return the award facts of an entry's placement, or None when it has no placement."""
    placement = entry.placement
    if placement is None:
        return None
    county = entry.sending_county
    prefecture = county.parent
    contest = entry.event.contest
    return AwardFacts(
        award_on=contest.award_on,
        category=contest.category,
        event_format=entry.event.format,
        medal=placement.medal,
        prize=placement.prize,
        # Cash depends on the medal or prize, never on the rank (POLICY.md §4); leaving the
        # rank out lets identical cases share one basis. The rank is kept in the snapshot.
        rank=None,
        county_code=county.code,
        county_name=county.name,
        prefecture_code=prefecture.code if prefecture else "",
        prefecture_name=prefecture.name if prefecture else "",
        organiser_code=contest.organiser_code,
        organiser_name=contest.organiser.name if contest.organiser else "",
    )


def facts_dict(facts: AwardFacts) -> dict:
    return {
        "award_on": facts.award_on.isoformat(),
        "category": facts.category,
        "event_format": facts.event_format,
        "medal": facts.medal,
        "prize": facts.prize,
        "rank": facts.rank,
        "county_code": facts.county_code,
        "county_name": facts.county_name,
        "prefecture_code": facts.prefecture_code,
        "prefecture_name": facts.prefecture_name,
        "organiser_code": facts.organiser[0],
        "organiser_name": facts.organiser[1],
    }


def placement_snapshot(placement: Placement | None) -> dict | None:
    if placement is None:
        return None
    # The status is left out: confirming a result changes the lines' status, not their amounts.
    return {
        "rank": placement.rank,
        "is_tie": placement.is_tie,
        "medal": placement.medal,
        "prize": placement.prize,
    }


def basis_key(facts: AwardFacts, result: AwardResult) -> str:
    payload = json.dumps(
        [
            facts_dict(facts),
            sorted((k, v[0].isoformat(), v[1]) for k, v in result.policies_used.items()),
        ],
        ensure_ascii=False,
        sort_keys=True,
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def basis_fields(facts: AwardFacts, result: AwardResult) -> dict:
    """The stored fields of a basis other than its key: facts, trace, notices, policies."""
    return {
        "facts": facts_dict(facts),
        "trace": list(result.trace),
        "notices": list(result.notices),
        "policies": {k: [v[0].isoformat(), v[1]] for k, v in result.policies_used.items()},
    }


def _basis(facts: AwardFacts, result: AwardResult, cache: dict | None = None) -> AwardBasis:
    key = basis_key(facts, result)
    if cache is not None and key in cache:
        return cache[key]
    basis = db.session.scalar(db.select(AwardBasis).filter_by(key=key))
    if basis is None:
        basis = AwardBasis(key=key, **basis_fields(facts, result))
        db.session.add(basis)
    if cache is not None:
        cache[key] = basis
    return basis


@dataclass
class PlannedLine:
    payee: str
    competitor_id: int | None
    payer_level: str
    payer_code: str
    amount_fen: int
    policy_id: str
    version_from: object
    policy_digest: str
    clause: str
    citation: str
    explanation: str


def plan_lines(entry: Entry, result: AwardResult) -> list[PlannedLine]:
    """Turn a result into stored lines: each competitor's lines per member, the team's once."""
    return plan_lines_for([m.competitor_id for m in entry.members], bool(entry.coaches), result)


def plan_lines_for(
    competitor_ids: list[int], has_coaches: bool, result: AwardResult
) -> list[PlannedLine]:
    """The lines of one entry, from its members' ids and whether it has a coaching team."""
    digests = {k: v[1] for k, v in result.policies_used.items()}

    def planned(payee: str, competitor_id: int | None, line) -> PlannedLine:
        return PlannedLine(
            payee,
            competitor_id,
            line.payer_level,
            line.payer_code,
            to_fen(line.amount),
            line.policy_id,
            line.version_from,
            digests.get(line.policy_id, ""),
            line.clause,
            line.citation,
            line.explanation,
        )

    lines = [
        planned("competitor", competitor_id, line)
        for competitor_id in competitor_ids
        for line in result.competitor_lines
    ]
    if has_coaches:
        lines += [planned("coaching_team", None, line) for line in result.coaching_team_lines]
    return lines


def current_computation(entry: Entry) -> AwardComputation | None:
    return db.session.scalar(
        db.select(AwardComputation)
        .filter_by(entry_id=entry.id, superseded_at=None)
        .order_by(AwardComputation.id.desc())
    )


def _line_key(line: PlannedLine | AwardLineRecord) -> tuple:
    """Who is paid by whom: the amounts of lines with the same key add up."""
    return (line.payee, line.competitor_id, line.payer_level, line.payer_code)


def live_lines(entry: Entry) -> list[AwardLineRecord]:
    """The entry's current lines: unconfirmed awards, confirmed awards and adjustments."""
    return db.session.scalars(
        db.select(AwardLineRecord)
        .filter_by(entry_id=entry.id, is_current=True)
        .order_by(AwardLineRecord.id)
    ).all()


def grant_awards(
    entry: Entry,
    policies: PolicySet,
    user_id: int | None = None,
    reason: str = "成绩录入",
    *,
    confirmed_by_adjustment: bool = False,
) -> AwardComputation | None:
    """Compute and store the awards of ``entry``; return the new computation, or None when the
    current lines already say the same.

    Lines a finance officer has confirmed are never changed: a different result adds
    adjustment lines (±) for the difference, which need their own confirmation.

    :param confirmed_by_adjustment: when any of the entry's lines is confirmed, new money of
        every payer (also one that had no line before) comes as adjustment lines (a new
        policy version put in force after the awards were confirmed).
    """
    if entry.placement is not None and entry.placement.revoked_at is not None:
        return None  # revoked for fraud: its awards were settled by compapp.revocation
    facts = facts_for(entry)
    current = current_computation(entry)
    snapshot = placement_snapshot(entry.placement)
    error, result = None, None
    if facts is not None:
        try:
            result = compute_awards(facts, policies)
        except (NoPolicyInForce, InvalidFacts) as exc:
            error = str(exc)
    if current is None and facts is None:
        return None
    planned = plan_lines(entry, result) if result is not None else []
    wanted: dict[tuple, list[PlannedLine]] = defaultdict(list)
    for p in planned:
        wanted[_line_key(p)].append(p)
    live = live_lines(entry)
    if current is not None and current.error == error and current.placement == snapshot:
        have: dict[tuple, int] = defaultdict(int)
        for line in live:
            have[_line_key(line)] += line.amount_fen
        due = {k: sum(p.amount_fen for p in ps) for k, ps in wanted.items()}
        if {k: v for k, v in due.items() if v} == {k: v for k, v in have.items() if v}:
            return None
    basis = _basis(facts, result) if result is not None else None
    if facts is None:
        reason = "成绩已删除"
    run = _Recompute(entry, current, snapshot, error, user_id, reason, confirmed_by_adjustment)
    return _replace(run, basis, planned, wanted, live)


@dataclass(frozen=True)
class _Recompute:
    """One recomputation of an entry's awards: what was current, who asks and why."""

    entry: Entry
    current: AwardComputation | None
    snapshot: dict | None
    error: str | None
    user_id: int | None
    reason: str
    confirmed_by_adjustment: bool = False


def _replace(run: _Recompute, basis, planned, by_key, live) -> AwardComputation:
    """Store a new computation in place of the current one, its lines and its audit record."""
    entry, current = run.entry, run.current
    computation = AwardComputation(
        entry_id=entry.id,
        basis=basis,
        computed_by_id=run.user_id,
        reason=run.reason,
        placement=run.snapshot,
        error=run.error,
    )
    db.session.add(computation)
    db.session.flush()
    if current is not None:
        current.superseded_at = utcnow()
        current.superseded_by_id = computation.id
    _write_lines(run, computation, by_key, live)
    db.session.flush()

    record_change(
        "compute_awards",
        "entry",
        entry.id,
        says(N_("奖励计算（%(reason)s）#%(id)s"), reason=run.reason, id=computation.id),
        before={"computation_id": current.id if current else None},
        after={
            "computation_id": computation.id,
            "placement": run.snapshot,
            "error": run.error,
            "lines": [[p.payee, p.competitor_id, p.payer_code, p.amount_fen] for p in planned],
        },
        user=db.session.get(User, run.user_id) if run.user_id else None,
    )
    return computation


def _write_lines(run: _Recompute, computation, by_key, live) -> None:
    """Retire unconfirmed lines and add the new ones; confirmed money changes by adjustments."""
    confirmed: dict[tuple, list[AwardLineRecord]] = defaultdict(list)
    for line in live:
        if line.budget_confirmation_id is None:
            line.is_current = False
        else:
            confirmed[_line_key(line)].append(line)
    for key in list(by_key) + [k for k in confirmed if k not in by_key]:
        wanted = by_key.get(key, [])
        settled = confirmed.get(key, [])
        if not settled and not (run.confirmed_by_adjustment and confirmed):
            for p in wanted:
                _add_line(
                    computation, run.entry, p, AwardLineKind.AWARD, p.amount_fen, p.explanation
                )
            continue
        settled_fen = sum(line.amount_fen for line in settled)
        wanted_fen = sum(p.amount_fen for p in wanted)
        delta = wanted_fen - settled_fen
        if delta == 0:
            continue
        source = wanted[0] if wanted else settled[-1]
        why = "；".join(p.explanation.rstrip("。") for p in wanted) or "现在的成绩无此项奖励"
        text = (
            f"调整（{run.reason}）：已确认 {format_yuan(from_fen(settled_fen))}，"
            f"现应为 {format_yuan(from_fen(wanted_fen))}（{why}），"
            f"差额 {'+' if delta > 0 else '−'}{format_yuan(from_fen(abs(delta)))}"
            "（已确认的明细不作修改）。"
        )
        _add_line(computation, run.entry, source, AwardLineKind.ADJUSTMENT, delta, text)


def _add_line(computation, entry, p, kind: str, amount_fen: int, explanation: str) -> None:
    db.session.add(
        AwardLineRecord(
            computation_id=computation.id,
            entry_id=entry.id,
            payee=p.payee,
            competitor_id=p.competitor_id,
            payer_level=p.payer_level,
            payer_code=p.payer_code,
            amount_fen=amount_fen,
            policy_id=p.policy_id,
            version_from=p.version_from,
            policy_digest=p.policy_digest,
            clause=p.clause,
            citation=p.citation,
            explanation=explanation,
            kind=kind,
        )
    )


def grant_contest_awards(
    contest: Contest, policies: PolicySet, user_id: int | None = None, reason: str = "重新计算"
) -> int:
    """Recompute every entry of a contest; return how many computations changed."""
    changed = 0
    for entry in _entries_to_price(contest):
        if grant_awards(entry, policies, user_id, reason) is not None:
            changed += 1
    return changed


def start_contest_recompute(contest: Contest, user, reason: str = "按现行政策重新计算"):
    """Return the job re-pricing ``contest`` (the one already queued or running for it, or a
    new one) and whether it is new; the caller commits, then dispatches a new one."""

    request = JobRequest(
        "contest_recompute",
        {"contest_id": contest.id, "reason": reason, "user_id": getattr(user, "id", None)},
        contest_id=contest.id,
        fingerprint=str(contest.id),
    )
    return start_job(request, user)


def recompute_contest_job(job, progress) -> dict:
    """Job handler: re-price every entry of the contest under the policies in force, in one
    transaction (all entries or none)."""

    params = params_of(job)
    contest = db.session.get(Contest, params["contest_id"])
    if contest is None:
        raise JobFailed("该赛事已不存在。")
    entries = _entries_to_price(contest)
    policies = award_policies()
    changed = 0
    for entry in entries:
        if grant_awards(entry, policies, params.get("user_id"), params["reason"]) is not None:
            changed += 1
    return {"changed": changed, "entries": len(entries)}


def _entries_to_price(contest: Contest) -> list[Entry]:
    """The contest's entries in event order, with what pricing reads (placement, county and
    prefecture, members, coaches, event and contest) loaded in a few queries, not per entry."""
    from sqlalchemy.orm import joinedload, selectinload

    return contest_entries(
        contest,
        selectinload(Entry.placement),
        selectinload(Entry.members),
        selectinload(Entry.coaches),
        joinedload(Entry.sending_county).joinedload(Jurisdiction.parent),
        joinedload(Entry.event).joinedload(Event.contest),
    )


# --- reading --------------------------------------------------------------------------------


@dataclass
class EntryAwards:
    entry: Entry
    computation: AwardComputation | None
    competitor_lines: dict[int, list[AwardLineRecord]] = field(default_factory=dict)
    team_lines: list[AwardLineRecord] = field(default_factory=list)

    @property
    def notices(self) -> list[str]:
        if self.computation is None or self.computation.basis is None:
            return []
        return self.computation.basis.notices

    def competitor_total(self, competitor_id: int) -> Decimal:
        return from_fen(
            sum(line.amount_fen for line in self.competitor_lines.get(competitor_id, []))
        )

    @property
    def team_total(self) -> Decimal:
        return from_fen(sum(line.amount_fen for line in self.team_lines))


def contest_awards(contest: Contest) -> list[tuple[Event, list[EntryAwards]]]:
    """Return each event with its entries' current award lines."""
    computations = {
        c.entry_id: c
        for c in db.session.scalars(
            db.select(AwardComputation)
            .join(Entry)
            .join(Event)
            .where(Event.contest_id == contest.id, AwardComputation.superseded_at.is_(None))
        )
    }
    lines = db.session.scalars(
        db.select(AwardLineRecord)
        .join(Entry)
        .join(Event)
        .where(Event.contest_id == contest.id, AwardLineRecord.is_current.is_(True))
        .order_by(AwardLineRecord.id)
        .options(*line_loading())
    ).all()
    by_entry: dict[int, list[AwardLineRecord]] = defaultdict(list)
    for line in lines:
        by_entry[line.entry_id].append(line)

    out = []
    for event in contest.events:
        rows = []
        for entry in sorted_entries(event):
            if entry.placement is None:
                continue
            awards = EntryAwards(entry, computations.get(entry.id))
            for line in by_entry.get(entry.id, []):
                if line.payee == "competitor":
                    awards.competitor_lines.setdefault(line.competitor_id, []).append(line)
                else:
                    awards.team_lines.append(line)
            rows.append(awards)
        out.append((event, rows))
    return out


@dataclass
class EventSummary:
    event: Event
    placed: int = 0
    unconfirmed: int = 0
    amount_fen: int = 0
    lines: int = 0

    @property
    def total(self) -> Decimal:
        return from_fen(self.amount_fen)


def line_sums(contest: Contest) -> list[tuple[int, str, str, int, int]]:
    """The contest's current lines summed per event, payer and payee kind in one scan:
    (event id, payer code, payee, fen, lines); what ``event_summaries`` and ``payer_totals``
    add up, so a page showing both reads the lines once."""
    return [
        (event_id, code, payee, int(fen or 0), n)
        for event_id, code, payee, fen, n in db.session.execute(
            db.select(
                Entry.event_id,
                AwardLineRecord.payer_code,
                AwardLineRecord.payee,
                db.func.sum(AwardLineRecord.amount_fen),
                db.func.count(),
            )
            .join(Entry, Entry.id == AwardLineRecord.entry_id)
            .join(Event, Event.id == Entry.event_id)
            .where(Event.contest_id == contest.id, AwardLineRecord.is_current.is_(True))
            .group_by(Entry.event_id, AwardLineRecord.payer_code, AwardLineRecord.payee)
        )
    ]


def event_summaries(contest: Contest, sums: list | None = None) -> list[EventSummary]:
    """Per event: placed entries, results awaiting confirmation, current award total (SQL;
    ``sums``: the contest's ``line_sums`` when the caller has them)."""
    events = db.session.scalars(
        db.select(Event).filter_by(contest_id=contest.id).order_by(Event.id)
    ).all()
    out = {e.id: EventSummary(e) for e in events}
    for event_id, placed, unconfirmed in db.session.execute(
        db.select(
            Entry.event_id,
            db.func.count(),
            db.func.sum(db.case((Placement.status != "confirmed", 1), else_=0)),
        )
        .join(Placement, Placement.entry_id == Entry.id)
        .where(Entry.event_id.in_(list(out)))
        .group_by(Entry.event_id)
    ):
        out[event_id].placed, out[event_id].unconfirmed = placed, int(unconfirmed or 0)
    for event_id, _code, _payee, fen, n in line_sums(contest) if sums is None else sums:
        out[event_id].amount_fen += fen
        out[event_id].lines += n
    return list(out.values())


def entries_awards(entries: list[Entry]) -> list[tuple[Event, list[EntryAwards]]]:
    """The current computations and lines of ``entries`` (already loaded, in order), grouped
    by event in that order: a few queries for any number of entries."""
    from sqlalchemy.orm import joinedload

    ids = [e.id for e in entries]
    computations = {
        c.entry_id: c
        for c in db.session.scalars(
            db.select(AwardComputation)
            .where(AwardComputation.entry_id.in_(ids), AwardComputation.superseded_at.is_(None))
            .options(joinedload(AwardComputation.basis))
        )
    }
    by_entry: dict[int, list[AwardLineRecord]] = defaultdict(list)
    for line in db.session.scalars(
        db.select(AwardLineRecord)
        .where(AwardLineRecord.entry_id.in_(ids), AwardLineRecord.is_current.is_(True))
        .order_by(AwardLineRecord.id)
        # Each line's computation is one of those just loaded (the identity map answers it):
        # joining it again would decode its basis (facts, trace) once per line.
        .options(joinedload(AwardLineRecord.payer))
    ):
        by_entry[line.entry_id].append(line)
    out: list[tuple[Event, list[EntryAwards]]] = []
    for entry in entries:
        awards = EntryAwards(entry, computations.get(entry.id))
        for line in by_entry.get(entry.id, []):
            if line.payee == "competitor":
                awards.competitor_lines.setdefault(line.competitor_id, []).append(line)
            else:
                awards.team_lines.append(line)
        if not out or out[-1][0] is not entry.event:
            out.append((entry.event, []))
        out[-1][1].append(awards)
    return out


def contest_notices(contest: Contest, payer_code: str | None = None) -> list[str]:
    """The distinct notices of the current computations of the entries behind the contest's
    current lines (of one payer's, if given): SQL picks the distinct bases (POLICY.md §4.5,
    §5.4)."""
    basis_ids = (
        db.select(AwardComputation.basis_id)
        .join(
            AwardLineRecord,
            db.and_(
                AwardLineRecord.entry_id == AwardComputation.entry_id,
                AwardComputation.superseded_at.is_(None),
            ),
        )
        .join(Entry, Entry.id == AwardLineRecord.entry_id)
        .join(Event, Event.id == Entry.event_id)
        .where(Event.contest_id == contest.id, AwardLineRecord.is_current.is_(True))
        .distinct()
    )
    if payer_code is not None:
        basis_ids = basis_ids.where(AwardLineRecord.payer_code == payer_code)
    seen: dict[str, None] = {}
    for basis in db.session.scalars(
        db.select(AwardBasis).where(AwardBasis.id.in_(basis_ids)).order_by(AwardBasis.id)
    ):
        for notice in basis.notices:
            seen.setdefault(notice)
    return list(seen)


@dataclass(frozen=True)
class LineRow:
    """One current award line as the export prints it: plain values, no ORM objects."""

    occupation: str
    payee: str
    competitor_name: str | None
    entry_id: int
    county: str
    rank: int
    medal: str | None
    prize: int | None
    payer_level: str
    payer_name: str
    amount_fen: int
    policy_id: str
    clause: str
    citation: str
    explanation: str
    status: str


def contest_line_rows(contest: Contest, chunk: int = 1000):
    """Yield the contest's current lines (placed entries), in event, rank and entry order,
    competitors' lines before the team's: one streamed query, memory flat at any size."""
    from sqlalchemy.orm import aliased

    county = aliased(Jurisdiction)
    prefecture = aliased(Jurisdiction)
    payer = aliased(Jurisdiction)
    query = (
        db.select(
            Event.occupation,
            AwardLineRecord.payee,
            Competitor.name,
            AwardLineRecord.entry_id,
            county.name,
            county.level,
            prefecture.name,
            Placement.rank,
            Placement.medal,
            Placement.prize,
            AwardLineRecord.payer_level,
            payer.name,
            AwardLineRecord.amount_fen,
            AwardLineRecord.policy_id,
            AwardLineRecord.clause,
            AwardLineRecord.citation,
            AwardLineRecord.explanation,
            AwardLineRecord.paid_on,
            line_status_sql(),
        )
        .select_from(AwardLineRecord)
        .join(Entry, Entry.id == AwardLineRecord.entry_id)
        .join(Event, Event.id == Entry.event_id)
        .join(Placement, Placement.entry_id == Entry.id)
        .join(county, county.code == Entry.sending_county_code)
        .outerjoin(prefecture, prefecture.code == county.parent_code)
        .join(payer, payer.code == AwardLineRecord.payer_code)
        .outerjoin(Competitor, Competitor.id == AwardLineRecord.competitor_id)
        .where(Event.contest_id == contest.id, AwardLineRecord.is_current.is_(True))
        .order_by(
            Event.id,
            Placement.rank,
            Entry.id,
            db.case((AwardLineRecord.payee == "competitor", 0), else_=1),
            AwardLineRecord.id,
        )
        .execution_options(yield_per=chunk)
    )
    for row in db.session.execute(query):
        (occupation, payee, name, entry_id, c_name, c_level, p_name, rank, medal, prize,
         level, payer_name, fen, policy_id, clause, citation, explanation, paid_on,
         status) = row  # fmt: skip
        yield LineRow(
            occupation,
            payee,
            name,
            entry_id,
            f"{c_name}（{p_name}）" if c_level == "county" and p_name else c_name,
            rank,
            medal,
            prize,
            level,
            payer_name,
            fen,
            policy_id,
            clause,
            citation,
            explanation,
            status,
        )


def contest_coach_names(contest: Contest) -> dict[int, str]:
    """Entry id -> its coaching team's names ("和建华、木文军"), for the contest's entries."""

    names: dict[int, list[str]] = defaultdict(list)
    for entry_id, name in db.session.execute(
        db.select(EntryCoach.entry_id, Coach.name)
        .join(Coach, Coach.id == EntryCoach.coach_id)
        .join(Entry, Entry.id == EntryCoach.entry_id)
        .join(Event, Event.id == Entry.event_id)
        .where(Event.contest_id == contest.id)
        .order_by(EntryCoach.entry_id, EntryCoach.id)
    ):
        names[entry_id].append(name)
    return {entry_id: "、".join(n) for entry_id, n in names.items()}


@dataclass
class PayerTotal:
    payer: Jurisdiction
    competitor_fen: int = 0
    team_fen: int = 0
    lines: int = 0

    @property
    def total(self) -> Decimal:
        return from_fen(self.competitor_fen + self.team_fen)


def payer_totals(contest: Contest, sums: list | None = None) -> list[PayerTotal]:
    """Totals per payer (province, each prefecture, each county) of a contest's current lines
    (``sums``: the contest's ``line_sums`` when the caller has them)."""
    rows = line_sums(contest) if sums is None else sums
    payers = {
        j.code: j
        for j in db.session.scalars(
            db.select(Jurisdiction).where(Jurisdiction.code.in_({r[1] for r in rows}))
        )
    }
    totals: dict[str, PayerTotal] = {}
    for _event_id, code, payee, fen, n in rows:
        total = totals.setdefault(code, PayerTotal(payers[code]))
        if payee == "competitor":
            total.competitor_fen += int(fen)
        else:
            total.team_fen += int(fen)
        total.lines += n
    order = {"province": 0, "prefecture": 1, "county": 2}
    return sorted(totals.values(), key=lambda t: (order[t.payer.level], t.payer.code))


def grand_total(totals: list[PayerTotal]) -> Decimal:
    """What all payers together pay for a contest."""
    return from_fen(sum(t.competitor_fen + t.team_fen for t in totals))


def payer_lines(contest: Contest, payer_code: str) -> list[AwardLineRecord]:
    """The current lines a payer pays for a contest."""
    return db.session.scalars(payer_lines_query(contest, payer_code)).all()


def payer_lines_query(contest: Contest, payer_code: str):
    """The current lines a payer pays for a contest, in entry order, loaded for display (for
    a page of them: compapp.paging)."""
    return (
        db.select(AwardLineRecord)
        .join(Entry)
        .join(Event)
        .where(
            Event.contest_id == contest.id,
            AwardLineRecord.is_current.is_(True),
            AwardLineRecord.payer_code == payer_code,
        )
        .order_by(AwardLineRecord.entry_id, AwardLineRecord.id)
        .options(*line_loading())
    )


def history(entry: Entry) -> list[AwardComputation]:
    """Every computation of an entry, newest first."""
    return db.session.scalars(
        db.select(AwardComputation)
        .filter_by(entry_id=entry.id)
        .order_by(AwardComputation.id.desc())
    ).all()


def what_if(contest: Contest, policies: PolicySet, draft: PolicySet) -> list[dict]:
    """For each placed entry, the per-competitor and team totals now and under ``draft``."""
    out = []
    for entry in _entries_to_price(contest):
        facts = facts_for(entry)
        if facts is None:
            continue
        row = {
            "entry": entry,
            "event": entry.event,
            "now": _outcome(facts, policies),
            "draft": _outcome(facts, draft),
        }
        row["changed"] = (row["now"]["competitor"], row["now"]["team"]) != (
            row["draft"]["competitor"],
            row["draft"]["team"],
        )
        out.append(row)
    return out


def _outcome(facts: AwardFacts, policies: PolicySet) -> dict:
    """One side of a what-if row: totals, lines and notices, or why nothing is due."""
    try:
        result = compute_awards(facts, policies)
    except (NoPolicyInForce, InvalidFacts) as exc:
        return {
            "competitor": Decimal("0.00"),
            "team": Decimal("0.00"),
            "lines": [],
            "notices": [],
            "error": str(exc),
        }
    return {
        "competitor": result.competitor_total,
        "team": result.coaching_team_total,
        "lines": result.lines,
        "notices": result.notices,
        "error": None,
    }
