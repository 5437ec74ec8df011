"""The bulk path stores exactly what the entry-by-entry path stores."""

from compapp.contests.models import Entry, Event
from compapp.rewards.bulk import grant_awards_bulk
from compapp.rewards.models import AwardComputation, AwardLineRecord
from compapp.rewards.services import award_policies, grant_awards


def stored(db):
    return sorted(
        (
            ln.entry_id,
            ln.payee,
            ln.competitor_id,
            ln.payer_code,
            ln.amount_fen,
            ln.policy_id,
            ln.clause,
            ln.citation,
            ln.explanation,
            ln.policy_digest,
        )
        for ln in db.session.scalars(db.select(AwardLineRecord))
    )


def in_order(db):
    """Each entry's computation (placement as priced, error) and its lines in id order."""
    return {
        c.entry_id: (
            c.placement,
            c.error,
            [(ln.payee, ln.competitor_id, ln.payer_code, ln.amount_fen) for ln in c.lines],
        )
        for c in db.session.scalars(db.select(AwardComputation))
    }


def test_bulk_and_single_paths_store_the_same_lines(db, runner):
    runner.invoke(args=["seed", "demo"])
    single = stored(db)
    single_order = in_order(db)
    assert any(len(lines) > 3 for _p, _e, lines in single_order.values())  # a team's lines
    bases = {c.entry_id: c.basis_id for c in db.session.scalars(db.select(AwardComputation))}
    db.session.execute(AwardLineRecord.__table__.delete())
    db.session.execute(AwardComputation.__table__.delete())
    db.session.commit()
    from compapp.contests.models import Contest

    ids = list(db.session.scalars(db.select(Contest.id)))
    priced = grant_awards_bulk(ids, award_policies())
    db.session.commit()
    assert priced == len(bases)
    assert stored(db) == single
    assert in_order(db) == single_order
    again = {c.entry_id: c.basis_id for c in db.session.scalars(db.select(AwardComputation))}
    assert again == bases
    # A second bulk run prices nothing, and the single path sees nothing to change.
    assert grant_awards_bulk(ids, award_policies()) == 0
    from compapp.contests.models import Entry

    for entry in db.session.scalars(db.select(Entry)):
        assert grant_awards(entry, award_policies()) is None


def test_bulk_path_stores_the_same_refusal_when_no_policy_applies(
    db, create_contest, create_event, create_entry
):
    from datetime import date

    contest = create_contest(award_on=date(2012, 5, 1))
    entry = create_entry(create_event(contest, event_format="pair"), rank=1, result="gold")
    single = db.session.scalars(db.select(AwardComputation).filter_by(entry_id=entry.id)).one()
    assert single.error and single.basis_id is None and not single.lines
    expected = (single.placement, single.error)
    db.session.execute(AwardComputation.__table__.delete())
    db.session.commit()

    assert grant_awards_bulk([contest.id], award_policies()) == 1
    db.session.commit()
    bulk = db.session.scalars(db.select(AwardComputation).filter_by(entry_id=entry.id)).one()
    assert (bulk.placement, bulk.error) == expected
    assert bulk.basis_id is None and not bulk.lines
    assert grant_awards(entry, award_policies()) is None


def test_bulk_path_records_one_audit_entry_per_contest(
    db, create_contest, create_event, create_entry
):
    from compapp.audit.models import AuditEntry

    contests = [create_contest(), create_contest()]
    for contest in contests:
        event = create_event(contest, event_format="pair")
        create_entry(event, rank=1, result="gold")
        create_entry(event, county="530402", rank=2, result="silver")
    db.session.execute(AwardLineRecord.__table__.delete())
    db.session.execute(AwardComputation.__table__.delete())
    db.session.commit()
    before = db.session.scalar(db.select(db.func.count(AuditEntry.id)))

    assert grant_awards_bulk([c.id for c in contests], award_policies(), reason="导入") == 4
    db.session.commit()
    batch = db.session.scalars(db.select(AuditEntry).order_by(AuditEntry.id).offset(before)).all()
    assert [(a.action, a.target_type, a.target_id) for a in batch] == [
        ("compute_awards", "contest", str(c.id)) for c in contests
    ]
    for audit, contest in zip(batch, contests, strict=True):
        lines = db.session.scalars(
            db.select(AwardLineRecord)
            .join(AwardComputation)
            .join(Entry)
            .join(Event)
            .where(Event.contest_id == contest.id)
        ).all()
        assert audit.after["computations"] == 2
        assert audit.after["lines"] == len(lines)
        totals = {}
        for line in lines:
            count, fen = totals.get(line.payer_code, [0, 0])
            totals[line.payer_code] = [count + 1, fen + line.amount_fen]
        assert audit.after["by_payer"] == totals
        assert "导入" in audit.summary and "2 个名次" in audit.summary
