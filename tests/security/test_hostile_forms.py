"""Numbers typed into the entry form or an uploaded sheet that no database column holds, and
a garbled hidden version, get a message beside the field or cell or the "changed meanwhile"
notice, never a 500, and nothing is saved (issue 15 §4)."""

from __future__ import annotations

import io

import pytest

from compapp.contests.models import Entry, Placement
from compapp.imports import layout
from tests.helpers import id_number_for
from tests.imports.import_helpers import person_rows, table_rows

TOO_LARGE = [str(100_001), str(2**31), str(2**63), "9" * 23, "9" * 5000]


def entry_form(event, **values) -> dict:
    data = {
        "version": str(event.version),
        "sending_county": "533422",
        "rank": "3",
        "result": "gold",
        "members-0-id_number": id_number_for(),
        "members-0-name": "次仁",
        "members-0-grade": "senior",
    }
    data.update(values)
    return data


@pytest.fixture
def event(db, dummy_contest, create_event):
    return create_event(dummy_contest, "砌筑", "individual", "medals")


def saved(db) -> tuple[int, int]:
    return (
        db.session.scalar(db.select(db.func.count(Entry.id))),
        db.session.scalar(db.select(db.func.count(Placement.id))),
    )


@pytest.mark.parametrize("rank", TOO_LARGE)
def test_a_rank_too_large_is_refused_beside_the_field(
    client, auth, db, dummy_organiser, event, rank
):
    """A rank of 2^63 used to overflow the database (a 500); it is now refused by the form
    with the range it must lie in."""
    auth.login("organiser")
    response = client.post(f"/contests/events/{event.id}", data=entry_form(event, rank=rank))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "决赛名次应为 1 到 100000 之间的整数。" in html or "请填写整数" in html
    assert saved(db) == (0, 0)


@pytest.mark.parametrize("rank", ["0", "-5"])
def test_a_rank_below_one_is_refused_beside_the_field(
    client, auth, db, dummy_organiser, event, rank
):
    auth.login("organiser")
    response = client.post(f"/contests/events/{event.id}", data=entry_form(event, rank=rank))
    assert response.status_code == 422
    assert "决赛名次应为 1 到 100000 之间的整数。" in response.get_data(as_text=True)
    assert saved(db) == (0, 0)


def test_the_largest_rank_allowed_is_saved(client, auth, db, dummy_organiser, event):
    auth.login("organiser")
    response = client.post(
        f"/contests/events/{event.id}", data=entry_form(event, rank="100000", result="")
    )
    assert response.status_code == 302
    assert db.session.scalar(db.select(Placement.rank)) == 100_000


def test_the_rank_message_is_in_english_on_english_pages(client, auth, dummy_organiser, event):
    auth.login("organiser")
    client.get("/?lang=en")
    response = client.post(f"/contests/events/{event.id}", data=entry_form(event, rank=str(2**63)))
    assert response.status_code == 422
    assert "The final rank must be a whole number from 1 to 100000." in response.get_data(
        as_text=True
    )


@pytest.mark.parametrize("version", ["abc", "1e9", "-1", str(2**63), "9" * 5000])
def test_a_garbled_version_reads_as_changed_meanwhile(
    client, auth, db, dummy_organiser, event, version
):
    """The hidden version is compared in the database; one no event has (not a number, or
    beyond any integer column) is the "changed meanwhile" notice, not an overflow."""
    auth.login("organiser")
    response = client.post(f"/contests/events/{event.id}", data=entry_form(event, version=version))
    assert response.status_code == 409
    assert "在您编辑期间，其他人修改了本赛项的成绩" in response.get_data(as_text=True)
    assert saved(db) == (0, 0)


@pytest.mark.parametrize("version", ["abc", str(2**63)])
def test_deleting_with_a_garbled_version_reads_as_changed_meanwhile(
    client, auth, db, dummy_organiser, event, create_entry, version
):
    entry = create_entry(event)
    auth.login("organiser")
    response = client.post(f"/contests/entries/{entry.id}/delete", data={"version": version})
    assert response.status_code == 302
    assert db.session.get(Entry, entry.id) is not None
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "在您操作期间，本赛项的成绩已被他人修改" in page


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        (layout.RANK, "9" * 23, "决赛名次应为 1 到 100000 之间的整数。"),
        (layout.RANK, "9" * 5000, "决赛名次应为 1 到 100000 之间的整数。"),
        (layout.RANK, "100001", "决赛名次应为 1 到 100000 之间的整数。"),
        (layout.RANK, "第99999999999名", "决赛名次应为 1 到 100000 之间的整数。"),
        (layout.coach_headers(1)[2], "9" * 5000, "比例应在 0 到 100 之间。"),
    ],
)
def test_an_imported_number_too_large_is_a_cell_message(
    client, auth, db, dummy_organiser, dummy_contest, column, value, message
):
    """The same numbers in an uploaded sheet: a message on the cell (not an overflow when
    saving, nor int()'s refusal of 5,000 digits), and nothing imported."""
    rows = person_rows(2)
    rows[0][column] = value
    data = "\n".join(",".join(row) for row in table_rows(rows)).encode()
    auth.login("organiser")
    response = client.post(
        f"/imports/contests/{dummy_contest.id}",
        data={"file": (io.BytesIO(data), "成绩.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    page = client.get(response.location)
    assert page.status_code == 200
    assert message in page.get_data(as_text=True)
    assert saved(db) == (0, 0)


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("99999999999", "金额过大：最多可记录 21,474,836.47 元。"),
        ("9" * 30, "请填写本单位账面已支付金额（元），如 240000.00。"),
        ("9" * 5000, "请填写本单位账面已支付金额（元），如 240000.00。"),
        ("1e400", "请填写本单位账面已支付金额（元），如 240000.00。"),
        ("21474836.48", "金额过大：最多可记录 21,474,836.47 元。"),
        ("Infinity", "请填写本单位账面已支付金额（元），如 240000.00。"),
    ],
)
def test_a_ledger_amount_too_large_is_refused_with_a_message(
    client, auth, db, create_user, typed, message
):
    """The officer's ledger figure in a reconciliation: a number beyond the decimal context
    or the column's integer fen is a message, not a 500, and nothing is recorded."""
    from compapp.finance.models import Reconciliation

    create_user("fin", "finance", jurisdiction_code="530000")
    auth.login("fin")
    response = client.post(
        "/finance/reconciliation?year=2024", data={"ledger_paid": typed, "explanation": "核对"}
    )
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(Reconciliation.id))) == 0


@pytest.mark.parametrize("number", [str(2**31), str(2**63), "9" * 40])
def test_ids_beyond_any_record_in_bulk_pages_are_no_record(
    client, auth, db, dummy_organiser, dummy_contest, number
):
    """The bulk review and bulk promotion pages take ids from the query and the form: one
    beyond the database's integers is no record (ignored or 404), never an overflow."""
    auth.login("organiser")
    for query in (f"contest={number}", f"event={number}", f"contest={number}&event={number}"):
        response = client.get(f"/contests/review/bulk?{query}")
        assert response.status_code in (200, 404), query
    response = client.post(
        "/contests/review/bulk", data={"action": "confirm", "ids": [number], "shown": [number]}
    )
    assert response.status_code in (302, 400, 404)
    response = client.post(
        f"/promotion/contests/{dummy_contest.id}/bulk", data={"action": "confirm", "ids": [number]}
    )
    assert response.status_code in (302, 400, 404)
    assert saved(db) == (0, 0)
