"""Out-of-range ids, years and dates, deep JSON and long values get a clear answer, not a 500
(issue 15 §4)."""

from __future__ import annotations

import json

import pytest

from compapp.imports import layout, reading, services
from tests.helpers import id_number_for
from tests.imports.import_helpers import person_rows, table_rows, xlsx

HUGE_IDS = [2**31, 2**63, 2**64 + 1, 10**30]


@pytest.mark.parametrize("number", HUGE_IDS)
@pytest.mark.parametrize(
    "template",
    [
        "/contests/{n}",
        "/contests/{n}/awards.xlsx",
        "/finance/contests/{n}",
        "/finance/contests/{n}/budget.pdf",
        "/imports/batches/{n}",
        "/certificates/{n}/download",
        "/promotion/notices/{n}.pdf",
    ],
)
def test_an_id_beyond_any_record_is_not_found(client, auth, dummy_admin, template, number):
    """An id larger than the database's integers is no record: 404, not an overflow."""
    auth.login("admin")
    assert client.get(template.format(n=number)).status_code == 404


@pytest.mark.parametrize("year", [0, 9999, 10000, 2**40])
def test_a_year_no_calendar_holds_is_not_found(client, auth, dummy_admin, year):
    auth.login("admin")
    for url in (f"/finance/years/{year}", f"/finance/years/{year}/budget.xlsx"):
        assert client.get(url).status_code == 404, url


@pytest.mark.parametrize("query", ["to=9999-12-31", "from=9999-12-31", "to=0001-01-01&from=x"])
def test_audit_filters_at_the_ends_of_the_calendar_answer(client, auth, dummy_admin, query):
    auth.login("admin")
    assert client.get(f"/audit/?{query}").status_code == 200
    assert client.get(f"/audit/export.csv?{query}").status_code == 200


def test_paying_lines_named_by_huge_ids_is_refused_not_a_crash(
    client, auth, create_user, create_contest
):
    contest = create_contest()
    create_user("fin", "finance", jurisdiction_code="530000")
    auth.login("fin")
    response = client.post(
        f"/finance/contests/{contest.id}/paid",
        data={"line_ids": [str(2**63), "1"], "paid_on": "2024-10-01", "payment_reference": "x"},
    )
    assert response.status_code in (302, 404)


@pytest.mark.parametrize("endpoint", ["/api/v1/quote", "/api/v1/promotion"])
@pytest.mark.parametrize("opening", ["[", '{"a":'])
def test_deeply_nested_json_is_the_contracts_400(client, endpoint, opening):
    """CONTRACT.md: malformed JSON is a 400 with the error body; so is JSON nested deeper
    than any parser goes."""
    body = opening * 100_000
    response = client.post(endpoint, data=body, content_type="application/json")
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "bad_request"


@pytest.mark.parametrize(
    "field, value",
    [
        ("award_date", "9" * 10_000_000),
        ("category", "x" * 10_000_000),
        ("event_format", "y" * 10_000_000),
        ("county", "5" * 10_000_000),
        ("award_date", [[[[[[[[["deep"]]]]]]]]] * 1000),
        ("result", {"medal": "z" * 10_000_000}),
        ("result", {"k" * 10_000_000: 1}),
    ],
)
def test_an_error_body_quotes_only_an_excerpt_of_the_value(client, field, value):
    """A 10 MB value is not echoed back: the message quotes a short excerpt."""
    body = {
        "award_date": "2024-09-15",
        "category": "national_skills_competition",
        "event_format": "individual",
        "result": {"medal": "gold"},
        "county": "533422",
        field: value,
    }
    response = client.post("/api/v1/quote", data=json.dumps(body), content_type="application/json")
    assert response.status_code == 422
    assert len(response.data) < 2_000
    error = response.get_json()["error"]
    assert error["message"] and len(error["field"]) < 60


def test_one_id_number_on_two_rows_with_two_names_is_a_cell_message(db, create_contest):
    """An organiser's slip (one ID number, two names) is reported on the row, not a 500."""
    contest = create_contest()
    rows = person_rows(2)
    rows[1][layout.ID_NUMBER] = rows[0][layout.ID_NUMBER]
    rows[1][layout.NAME] = "另一个名字"
    rows[1][layout.OCCUPATION] = "焊工"
    table = reading.read_upload(xlsx(table_rows(rows)))
    plan = services.check_import(contest, table)
    found = [p for p in plan.problems if p.column == layout.NAME]
    assert len(found) == 1
    assert found[0].row == 3
    assert found[0].text() == "同一身份证号码在第 2 行填写的姓名是“选手1”，与本行不一致。"


def test_the_same_slip_uploaded_shows_the_problem_page(
    client, auth, dummy_organiser, create_contest
):
    contest = create_contest()
    rows = person_rows(2)
    rows[1][layout.ID_NUMBER] = id_number_for("533422", 424_242)
    rows[0][layout.ID_NUMBER] = rows[1][layout.ID_NUMBER]
    rows[1][layout.OCCUPATION] = "焊工"
    auth.login("organiser")
    import io

    response = client.post(
        f"/imports/contests/{contest.id}",
        data={"file": (io.BytesIO(xlsx(table_rows(rows))), "成绩.xlsx")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    page = client.get(response.location).get_data(as_text=True)
    assert "与本行不一致" in page
