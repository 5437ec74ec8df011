"""The contest awards page: its summaries and what it says about provisional amounts."""

from compapp.contests.models import Contest
from compapp.rewards import services
from compapp.rewards.views import contest_status
from tests.helpers import signed_in


def test_every_demo_contest_says_whether_its_amounts_are_provisional(app, db, demo):
    """Said from the event summaries (on the page and in the workbook alike), it is what the
    results' statuses say: provisional while a result awaits confirmation."""
    said = set()
    client = signed_in(app, "admin")
    for contest in db.session.scalars(db.select(Contest).order_by(Contest.id)):
        summaries = services.event_summaries(contest)
        waiting = any(
            e.placement is not None and e.placement.status != "confirmed"
            for event in contest.events
            for e in event.entries
        )
        with app.test_request_context("/"):
            text = contest_status(summaries)
        assert ("部分成绩待复核" in text) == waiting, contest.name
        page = client.get(f"/contests/{contest.id}/awards").get_data(as_text=True)
        assert text in page
        said.add(waiting)
    assert said == {True, False}
