"""The contest awards page: its summaries and what it says about provisional amounts."""

from compapp.contests.models import Contest
from compapp.rewards import services
from compapp.rewards.views import contest_status
from tests.helpers import signed_in


def test_every_demo_contest_says_whether_its_amounts_are_provisional(app, db, demo):
    """Said from the event summaries the page shows (no query of its own), it is what the
    results' statuses say: provisional while a result awaits confirmation."""
    said = set()
    client = signed_in(app, "admin")
    for contest in db.session.scalars(db.select(Contest).order_by(Contest.id)):
        summaries = services.event_summaries(contest)
        waiting = any(
            status != "confirmed" and n
            for status, n in services.placement_status_counts(contest).items()
        )
        with app.test_request_context("/"):
            text = contest_status(contest, summaries)
            assert text == contest_status(contest)
        assert ("部分成绩待复核" in text) == waiting, contest.name
        page = client.get(f"/contests/{contest.id}/awards").get_data(as_text=True)
        assert text in page
        said.add(waiting)
    assert said == {True, False}
