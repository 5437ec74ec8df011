"""Grant the first awards of many placements at once (bulk import, benchmarks).

Same records as ``grant_awards`` entry by entry — same facts, same pure rules, same
computations and lines — but set-based. The distinct cases among the unpriced placements
are read (a handful per contest: a case is date, category, format, result and county), the
pure rules price each case once, and the database then writes every computation and every
line with one ``INSERT … SELECT`` each, joining the placements to their case. Python never
handles the placements one by one.

The audit log gets one entry per contest and batch (how many placements, which
computations, how many lines, the total per payer); each computation itself records who
priced the entry, when, why, and the placement as priced.
"""

from __future__ import annotations

from sqlalchemy import (
    Column,
    Date,
    DateTime,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    and_,
    case,
    cast,
    exists,
    func,
    insert,
    literal,
    literal_column,
    select,
    text,
    true,
    union_all,
)

from compapp.audit.services import record_change, says
from compapp.auth.models import User, utcnow
from compapp.contests.models import Contest, Entry, EntryCoach, EntryMember, Event, Placement
from compapp.core.messages import N_
from compapp.extensions import db
from compapp.policy.model import NoPolicyInForce, PolicySet
from compapp.rewards.models import AwardBasis, AwardComputation, AwardLineRecord
from compapp.rewards.queries import FACT_COLUMNS, facts_of, placed
from compapp.rewards.rules import InvalidFacts, compute_awards
from compapp.rewards.services import basis_fields, basis_key, plan_lines_for

# Scratch tables of one bulk run (temporary: private to the connection, gone with it).
_scratch = MetaData()
_cases = Table(
    "compapp_bulk_cases",
    _scratch,
    Column("award_on", Date),
    Column("category", String(60)),
    Column("event_format", String(20)),
    Column("medal", String(20)),
    Column("prize", Integer),
    Column("county_code", String(12)),
    Column("organiser_code", String(12)),
    Column("basis_id", Integer),
    Column("error", Text),
    Index("compapp_bulk_cases_key", "county_code", "category", "award_on", "event_format"),
    prefixes=["TEMPORARY"],
)
_case_lines = Table(
    "compapp_bulk_case_lines",
    _scratch,
    Column("basis_id", Integer),
    Column("payee", String(20)),
    Column("seq", Integer),
    Column("payer_level", String(20)),
    Column("payer_code", String(12)),
    Column("amount_fen", Integer),
    Column("policy_id", String(40)),
    Column("version_from", Date),
    Column("policy_digest", String(64)),
    Column("clause", String(40)),
    Column("citation", String(200)),
    Column("explanation", Text),
    Index("compapp_bulk_case_lines_basis", "basis_id"),
    prefixes=["TEMPORARY"],
)


def _placed(*columns, contest_ids: list[int], unpriced_only: bool = True):
    """Select ``columns`` over the placed entries of the contests (those not yet priced)."""
    query = placed(*columns).where(Event.contest_id.in_(contest_ids))
    if unpriced_only:
        query = query.where(~exists().where(AwardComputation.entry_id == Entry.id))
    return query


def placement_rows_query(contest_ids: list[int]):
    """The rows the award rules read, one per placed entry of the contests (the benchmark
    reads these to compare with computing and storing their awards)."""
    return _placed(
        Entry.id,
        *FACT_COLUMNS,
        Placement.rank,
        Placement.is_tie,
        contest_ids=contest_ids,
        unpriced_only=False,
    ).order_by(Entry.id)


def _price_cases(contest_ids: list[int], policies: PolicySet) -> tuple[list[dict], list[dict]]:
    """Price each distinct case once; return the case rows and the line rows of their bases."""
    distinct_cases = _placed(*FACT_COLUMNS, contest_ids=contest_ids).distinct()
    priced = []
    for row in db.session.execute(distinct_cases):
        facts = facts_of(row)
        try:
            result = compute_awards(facts, policies)
            priced.append((facts, result, None))
        except (NoPolicyInForce, InvalidFacts) as exc:
            priced.append((facts, None, str(exc)))

    keys = {basis_key(f, r): (f, r) for f, r, _ in priced if r is not None}
    bases: dict[str, int] = dict(
        db.session.execute(
            select(AwardBasis.key, AwardBasis.id).where(AwardBasis.key.in_(list(keys)))
        ).all()
    )
    new_bases = [
        {"key": key, **basis_fields(facts, result)}
        for key, (facts, result) in keys.items()
        if key not in bases
    ]
    if new_bases:
        db.session.execute(insert(AwardBasis), new_bases)
        bases.update(
            db.session.execute(
                select(AwardBasis.key, AwardBasis.id).where(
                    AwardBasis.key.in_([b["key"] for b in new_bases])
                )
            ).all()
        )

    cases, case_lines, planned_bases = [], [], set()
    for facts, result, error in priced:
        basis_id = bases[basis_key(facts, result)] if result is not None else None
        cases.append(
            {
                "award_on": facts.award_on,
                "category": facts.category,
                "event_format": facts.event_format,
                "medal": facts.medal,
                "prize": facts.prize,
                "county_code": facts.county_code,
                "organiser_code": facts.organiser_code,
                "basis_id": basis_id,
                "error": error,
            }
        )
        if basis_id is None or basis_id in planned_bases:
            continue
        planned_bases.add(basis_id)
        # One competitor's lines and the coaching team's, as the entry form plans them; the
        # database repeats the competitor's for every member of every entry of the case.
        seq = {"competitor": 0, "coaching_team": 0}
        for p in plan_lines_for([None], True, result):
            seq[p.payee] += 1
            case_lines.append(
                {
                    "basis_id": basis_id,
                    "payee": p.payee,
                    "seq": seq[p.payee],
                    "payer_level": p.payer_level,
                    "payer_code": p.payer_code,
                    "amount_fen": p.amount_fen,
                    "policy_id": p.policy_id,
                    "version_from": p.version_from,
                    "policy_digest": p.policy_digest,
                    "clause": p.clause,
                    "citation": p.citation,
                    "explanation": p.explanation,
                }
            )
    return cases, case_lines


def _placement_snapshot(dialect: str):
    """SQL for services.placement_snapshot: {"rank", "is_tie", "medal", "prize"}."""
    if dialect == "postgresql":
        return func.json_build_object(
            literal_column("'rank'"),
            Placement.rank,
            literal_column("'is_tie'"),
            Placement.is_tie,
            literal_column("'medal'"),
            Placement.medal,
            literal_column("'prize'"),
            Placement.prize,
        )
    return func.json_object(
        literal_column("'rank'"),
        Placement.rank,
        literal_column("'is_tie'"),
        case(
            (Placement.is_tie, func.json(literal_column("'true'"))),
            else_=func.json(literal_column("'false'")),
        ),
        literal_column("'medal'"),
        Placement.medal,
        literal_column("'prize'"),
        Placement.prize,
    )


def grant_awards_bulk(
    contest_ids: list[int],
    policies: PolicySet,
    user_id: int | None = None,
    reason: str = "批量计算",
) -> int:
    """Price every placed entry of the contests that has no computation yet; return how many.

    Flushes, never commits: all of it is saved with the caller's transaction or none of it.
    """
    session = db.session
    session.flush()
    connection = session.connection()
    dialect = connection.dialect.name
    cases, case_lines = _price_cases(contest_ids, policies)
    if not cases:
        return 0
    # Scratch tables, made afresh by each run and dropped at its end; if the transaction
    # fails, rolling it back removes them as well (or the next run's DROP does).
    for table in (_cases, _case_lines):
        connection.execute(text(f"DROP TABLE IF EXISTS {table.name}"))
        table.create(connection)
    connection.execute(insert(_cases), cases)
    if case_lines:
        connection.execute(insert(_case_lines), case_lines)
    if dialect == "postgresql":  # temporary tables get no statistics by themselves
        connection.execute(text(f"ANALYZE {_cases.name}, {_case_lines.name}"))

    now = utcnow()
    last_before = session.scalar(select(func.max(AwardComputation.id))) or 0
    computations = _placed(
        Entry.id,
        _cases.c.basis_id,
        literal(now, DateTime()),
        cast(literal(user_id, Integer()), Integer()),
        cast(literal(reason, String()), String()),
        _cases.c.error,
        _placement_snapshot(dialect),
        contest_ids=contest_ids,
    ).join(
        _cases,
        and_(
            _cases.c.county_code == Entry.sending_county_code,
            _cases.c.category == Contest.category,
            _cases.c.organiser_code == Contest.organiser_code,
            _cases.c.award_on == Contest.award_on,
            _cases.c.event_format == Event.format,
            _cases.c.medal.is_not_distinct_from(Placement.medal),
            _cases.c.prize.is_not_distinct_from(Placement.prize),
        ),
    )
    connection.execute(
        insert(AwardComputation).from_select(
            [
                "entry_id",
                "basis_id",
                "computed_at",
                "computed_by_id",
                "reason",
                "error",
                "placement",
            ],
            computations.order_by(Entry.id),
        )
    )

    ac = AwardComputation.__table__.alias("ac")
    new = and_(
        ac.c.id > last_before,
        ac.c.computed_at == now,
        ac.c.reason == reason,
        ac.c.superseded_at.is_(None),
    )
    # (rowcount of INSERT … SELECT is not reported by every driver.)
    priced = session.scalar(select(func.count()).select_from(ac).where(new))
    line_columns = (
        _case_lines.c.payer_level,
        _case_lines.c.payer_code,
        _case_lines.c.amount_fen,
        _case_lines.c.policy_id,
        _case_lines.c.version_from,
        _case_lines.c.policy_digest,
        _case_lines.c.clause,
        _case_lines.c.citation,
        _case_lines.c.explanation,
    )
    competitor_lines = (
        select(
            ac.c.id.label("computation_id"),
            ac.c.entry_id,
            literal_column("'competitor'").label("payee"),
            EntryMember.competitor_id,
            *line_columns,
            literal_column("0").label("payee_order"),
            EntryMember.position.label("position"),
            _case_lines.c.seq,
        )
        .select_from(ac)
        .join(_case_lines, _case_lines.c.basis_id == ac.c.basis_id)
        .join(EntryMember, EntryMember.entry_id == ac.c.entry_id)
        .where(new, _case_lines.c.payee == "competitor")
    )
    team_lines = (
        select(
            ac.c.id.label("computation_id"),
            ac.c.entry_id,
            literal_column("'coaching_team'").label("payee"),
            cast(literal(None), Integer()).label("competitor_id"),
            *line_columns,
            literal_column("1").label("payee_order"),
            literal_column("0").label("position"),
            _case_lines.c.seq,
        )
        .select_from(ac)
        .join(_case_lines, _case_lines.c.basis_id == ac.c.basis_id)
        .where(
            new,
            _case_lines.c.payee == "coaching_team",
            exists().where(EntryCoach.entry_id == ac.c.entry_id),
        )
    )
    both = union_all(competitor_lines, team_lines).subquery("planned")
    # Ordered as plan_lines_for orders one entry's lines: members, then the team.
    rows = select(
        both.c.computation_id,
        both.c.entry_id,
        both.c.payee,
        both.c.competitor_id,
        *(both.c[c.name] for c in line_columns),
        true(),
        literal_column("'award'"),
    ).order_by(both.c.computation_id, both.c.payee_order, both.c.position, both.c.seq)
    connection.execute(
        insert(AwardLineRecord).from_select(
            [
                "computation_id",
                "entry_id",
                "payee",
                "competitor_id",
                *(c.name for c in line_columns),
                "is_current",
                "kind",
            ],
            rows,
        )
    )
    _record_batches(ac, new, user_id, reason)
    for table in (_case_lines, _cases):
        connection.execute(text(f"DROP TABLE IF EXISTS {table.name}"))
    return priced


def _record_batches(ac, new, user_id: int | None, reason: str) -> None:
    """One audit entry per contest: the computations made, their lines and payer totals."""

    per_contest = db.session.execute(
        select(
            Event.contest_id,
            func.count(ac.c.id),
            func.min(ac.c.id),
            func.max(ac.c.id),
            func.count(ac.c.error),
        )
        .select_from(ac)
        .join(Entry, Entry.id == ac.c.entry_id)
        .join(Event, Event.id == Entry.event_id)
        .where(new)
        .group_by(Event.contest_id)
        .order_by(Event.contest_id)
    ).all()
    totals: dict[int, dict[str, list[int]]] = {}
    for contest_id, payer_code, count, fen in db.session.execute(
        select(
            Event.contest_id,
            AwardLineRecord.payer_code,
            func.count(AwardLineRecord.id),
            func.sum(AwardLineRecord.amount_fen),
        )
        .select_from(ac)
        .join(AwardLineRecord, AwardLineRecord.computation_id == ac.c.id)
        .join(Entry, Entry.id == ac.c.entry_id)
        .join(Event, Event.id == Entry.event_id)
        .where(new)
        .group_by(Event.contest_id, AwardLineRecord.payer_code)
        .order_by(Event.contest_id, AwardLineRecord.payer_code)
    ):
        totals.setdefault(contest_id, {})[payer_code] = [count, int(fen)]
    user = db.session.get(User, user_id) if user_id else None
    for contest_id, count, first_id, last_id, errors in per_contest:
        by_payer = totals.get(contest_id, {})
        lines = sum(c for c, _ in by_payer.values())
        record_change(
            "compute_awards",
            "contest",
            contest_id,
            says(
                N_(
                    "奖励计算（%(reason)s）：%(n)s 个名次，计算 #%(first)s–#%(last)s，%(lines)s 条奖励明细"
                ),
                reason=reason,
                n=count,
                first=first_id,
                last=last_id,
                lines=lines,
            ),
            before={"computation_id": None},
            after={
                "computations": count,
                "first_computation_id": first_id,
                "last_computation_id": last_id,
                "errors": errors,
                "lines": lines,
                # payer code -> [lines, total fen]
                "by_payer": by_payer,
            },
            user=user,
        )
