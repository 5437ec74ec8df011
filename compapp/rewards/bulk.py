"""Grant the first awards of many placements at once (bulk import, benchmarks).

Same results as ``grant_awards`` entry by entry — same facts, same pure rules, same records —
but read in one query, computed once per distinct case, and written with executemany.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict

from flask import has_request_context, request
from sqlalchemy import select

from compapp.audit.models import AuditEntry
from compapp.auth.models import User, utcnow
from compapp.contests.models import Contest, Entry, EntryCoach, EntryMember, Event, Placement
from compapp.extensions import db
from compapp.policy.loader import NoPolicyInForce, PolicySet
from compapp.reference.models import Jurisdiction
from compapp.rewards.models import AwardBasis, AwardComputation, AwardLineRecord
from compapp.rewards.rules import AwardFacts, InvalidFacts, compute_awards
from compapp.rewards.services import basis_key, facts_dict, plan_lines_for


def placement_rows_query(contest_ids: list[int]):
    """The rows the award rules need, one per placed entry of the contests."""
    county = Jurisdiction.__table__.alias("county")
    prefecture = Jurisdiction.__table__.alias("prefecture")
    return (
        select(
            Entry.id,
            Contest.award_on,
            Contest.category,
            Event.format,
            Placement.medal,
            Placement.prize,
            Placement.rank,
            Placement.is_tie,
            county.c.code,
            county.c.name,
            prefecture.c.code,
            prefecture.c.name,
        )
        .select_from(Placement)
        .join(Entry, Entry.id == Placement.entry_id)
        .join(Event, Event.id == Entry.event_id)
        .join(Contest, Contest.id == Event.contest_id)
        .join(county, county.c.code == Entry.sending_county_code)
        .join(prefecture, prefecture.c.code == county.c.parent_code)
        .where(Event.contest_id.in_(contest_ids))
        .order_by(Entry.id)
    )


def grant_awards_bulk(
    contest_ids: list[int],
    policies: PolicySet,
    user_id: int | None = None,
    reason: str = "批量计算",
) -> int:
    """Price every placed entry of the contests that has no computation yet; return how many."""
    done = set(
        db.session.scalars(
            select(AwardComputation.entry_id)
            .join(Entry)
            .join(Event)
            .where(Event.contest_id.in_(contest_ids))
        )
    )
    rows = [r for r in db.session.execute(placement_rows_query(contest_ids)) if r[0] not in done]
    if not rows:
        return 0
    entry_ids = [r[0] for r in rows]
    members: dict[int, list[int]] = defaultdict(list)
    coached: set[int] = set()
    for chunk_start in range(0, len(entry_ids), 20000):
        chunk = entry_ids[chunk_start : chunk_start + 20000]
        for entry_id, competitor_id in db.session.execute(
            select(EntryMember.entry_id, EntryMember.competitor_id)
            .where(EntryMember.entry_id.in_(chunk))
            .order_by(EntryMember.position)
        ):
            members[entry_id].append(competitor_id)
        coached.update(
            db.session.scalars(
                select(EntryCoach.entry_id).where(EntryCoach.entry_id.in_(chunk)).distinct()
            )
        )

    # One computation per distinct case, keyed by the row's fact columns (a plain tuple
    # hashes faster than building AwardFacts for every row).
    outcomes: dict[tuple, tuple] = {}
    for row in rows:
        case = (row[1], row[2], row[3], row[4], row[5], row[8], row[9], row[10], row[11])
        if case in outcomes:
            continue
        award_on, category, fmt, medal, prize, c_code, c_name, p_code, p_name = case
        facts = AwardFacts(
            award_on, category, fmt, medal, prize, None, c_code, c_name, p_code, p_name
        )  # rank left out, as in services.facts_for
        try:
            result = compute_awards(facts, policies)
            outcomes[case] = (result, None, basis_key(facts, result), facts)
        except (NoPolicyInForce, InvalidFacts) as exc:
            outcomes[case] = (None, str(exc), None, facts)
    keys = {o[2] for o in outcomes.values() if o[2] is not None}
    bases: dict[str, int] = dict(
        db.session.execute(
            select(AwardBasis.key, AwardBasis.id).where(AwardBasis.key.in_(keys))
        ).all()
    )
    new_bases = {}
    for result, _error, key, facts in outcomes.values():
        if key is not None and key not in bases and key not in new_bases:
            new_bases[key] = {
                "key": key,
                "facts": facts_dict(facts),
                "trace": list(result.trace),
                "notices": list(result.notices),
                "policies": {k: [v[0].isoformat(), v[1]] for k, v in result.policies_used.items()},
            }
    if new_bases:
        db.session.execute(AwardBasis.__table__.insert(), list(new_bases.values()))
        bases.update(
            db.session.execute(
                select(AwardBasis.key, AwardBasis.id).where(AwardBasis.key.in_(list(new_bases)))
            ).all()
        )
    now = utcnow()
    computations = []
    pending = []
    for row in rows:
        entry_id, rank, is_tie = row[0], row[6], row[7]
        outcome = outcomes[
            (row[1], row[2], row[3], row[4], row[5], row[8], row[9], row[10], row[11])
        ]
        computations.append(
            {
                "entry_id": entry_id,
                "basis_id": bases.get(outcome[2]),
                "computed_at": now,
                "computed_by_id": user_id,
                "reason": reason,
                "error": outcome[1],
                "placement": {"rank": rank, "is_tie": is_tie, "medal": row[4], "prize": row[5]},
            }
        )
        pending.append(outcome)
    # Core executemany, no RETURNING (SQLite would fall back to one statement per row); the
    # entries had no computation before, so each now has exactly one and the ids are read back.
    _insert_many(AwardComputation.__table__, computations)
    by_entry = dict(
        db.session.execute(
            select(AwardComputation.entry_id, AwardComputation.id)
            .join(Entry)
            .join(Event)
            .where(Event.contest_id.in_(contest_ids), AwardComputation.superseded_at.is_(None))
        ).all()
    )
    ids = [by_entry[params["entry_id"]] for params in computations]
    lines = []
    audit = []
    user = db.session.get(User, user_id) if user_id else None
    for computation_id, params, outcome in zip(ids, computations, pending, strict=True):
        entry_id = params["entry_id"]
        result = outcome[0]
        planned = plan_lines_for(members[entry_id], entry_id in coached, result) if result else []
        lines += [
            {
                **asdict(p),
                "computation_id": computation_id,
                "entry_id": entry_id,
                "is_current": True,
                "kind": "award",
            }
            for p in planned
        ]
        # The same audit entry grant_awards records for each computation, written in bulk.
        audit.append(
            {
                "at": now,
                "user_id": user_id,
                "username": getattr(user, "username", None),
                "action": "compute_awards",
                "target_type": "entry",
                "target_id": str(entry_id),
                "summary": f"奖励计算（{reason}）#{computation_id}",
                "before": {"computation_id": None},
                "after": {
                    "computation_id": computation_id,
                    "placement": params["placement"],
                    "error": params["error"],
                    "lines": [
                        [p.payee, p.competitor_id, p.payer_code, p.amount_fen] for p in planned
                    ],
                },
                "ip": request.remote_addr if has_request_context() else None,
            }
        )
    _insert_many(AwardLineRecord.__table__, lines)
    _insert_many(AuditEntry.__table__, audit)
    db.session.flush()
    return len(ids)


def _insert_many(table, rows: list[dict]) -> None:
    """Insert rows with as few statements as the database needs.

    SQLite: the driver's executemany (in process, no round trips). Elsewhere an INSERT with
    RETURNING, which SQLAlchemy sends as multi-row statements ("insertmanyvalues") instead
    of one statement per row.
    """
    sqlite = db.session.get_bind().dialect.name == "sqlite"
    statement = table.insert() if sqlite else table.insert().returning(table.c.id)
    for start in range(0, len(rows), 50000):
        db.session.execute(statement, rows[start : start + 50000])
