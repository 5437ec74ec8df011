"""The bulk path stores exactly what the entry-by-entry path stores."""

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


def test_bulk_and_single_paths_store_the_same_lines(db, runner):
    runner.invoke(args=["seed", "demo"])
    single = stored(db)
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
    again = {c.entry_id: c.basis_id for c in db.session.scalars(db.select(AwardComputation))}
    assert again == bases
    # A second bulk run prices nothing, and the single path sees nothing to change.
    assert grant_awards_bulk(ids, award_policies()) == 0
    from compapp.contests.models import Entry

    for entry in db.session.scalars(db.select(Entry)):
        assert grant_awards(entry, award_policies()) is None
