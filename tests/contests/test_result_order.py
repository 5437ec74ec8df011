"""A result whose order contradicts another entry's (rank-3 gold above a rank-2 silver) is
asked about before it is saved; the person confirms it with “名次与奖项已核对”."""

from __future__ import annotations

import pytest

from compapp.contests.models import Placement
from compapp.contests.rules import check_result_order
from tests.helpers import id_number_for


@pytest.mark.parametrize(
    ("rank", "result", "others", "asked"),
    [
        (3, "gold", [(2, "silver")], True),
        (1, "bronze", [(2, "silver")], True),
        (1, "gold", [(2, "silver")], False),
        (3, "bronze", [(2, "silver"), (1, "gold")], False),
        (2, "prize_1", [(1, "prize_2")], True),
        (2, "silver", [(2, "silver")], False),
        (None, "gold", [(1, "silver")], False),
        (4, None, [(1, "gold")], False),
    ],
)
def test_contradicting_order_is_asked_about(rank, result, others, asked):
    assert bool(check_result_order(rank, result, others)) is asked


def entry_form(rank, result, **extra):
    data = {"version": "1", "sending_county": "533422", "rank": str(rank), "result": result}
    data["members-0-id_number"] = id_number_for()
    data["members-0-name"] = "次仁"
    data["members-0-grade"] = "senior"
    data.update(extra)
    return data


def test_rank_three_gold_above_rank_two_silver_needs_confirmation(
    client, auth, db, dummy_organiser, dummy_contest, create_event, create_entry
):
    event = create_event(dummy_contest, "砌筑", "individual", "medals")
    create_entry(event, rank=2, result="silver")
    auth.login("organiser")
    data = entry_form(3, "gold", version=str(event.version))
    response = client.post(f"/contests/events/{event.id}", data=data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "奖项与名次的先后不一致" in html and 'name="order_checked"' in html
    assert db.session.scalar(db.select(db.func.count(Placement.id))) == 1
    data["order_checked"] = "y"
    response = client.post(f"/contests/events/{event.id}", data=data)
    assert response.status_code == 302
    assert db.session.scalar(db.select(db.func.count(Placement.id))) == 2
