"""The public calculator page is a form: what the quote API answers, shown with explanations."""

from __future__ import annotations

import re

QUERY = (
    "/calculator?award_date=2024-09-15&category=national_skills_competition"
    "&event_format=individual&result=medal:gold&county=533422"
)


def test_calculator_without_values_is_a_form(client):
    html = client.get("/calculator").get_data(as_text=True)
    for name in ("award_date", "category", "event_format", "result", "rank", "county", "organiser"):
        assert f'name="{name}"' in html, name
    assert 'id="quote"' not in html


def test_calculator_shows_the_lines_the_api_answers(client):
    """A 德钦县 gold at the national skills competition: the same lines and totals as the API."""
    api = client.post(
        "/api/v1/quote",
        json={
            "award_date": "2024-09-15",
            "category": "national_skills_competition",
            "event_format": "individual",
            "result": {"medal": "gold"},
            "county": "533422",
        },
    ).get_json()
    response = client.get(QUERY)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    quote = html[html.index('id="quote"') :]
    assert "每位选手：¥300,000.00" in quote and "教练团队：¥300,000.00" in quote
    for line in api["competitor"]["lines"]:
        assert line["payer_name"] in quote
        assert line["explanation"] in quote
    assert (
        len(re.findall(r"<td class=\"num\">¥", quote))
        == len(api["competitor"]["lines"]) + len(api["coaching_team"]["lines"]) + 2
    )  # plus the two totals


def test_calculator_refusal_is_shown_next_to_the_field(client):
    """A prize at a contest that awards medals is refused beside 奖项, and listed on top."""
    response = client.get(QUERY.replace("medal:gold", "prize:1"))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'class="error-summary"' in html and '<a href="#result">' in html
    assert re.search(
        r'id="result"[^>]*aria-invalid="true"|aria-invalid="true"[^>]*id="result"', html
    )
    assert 'id="quote"' not in html


def test_calculator_needs_a_county(client):
    response = client.get(QUERY.replace("county=533422", "county="))
    assert response.status_code == 422
    assert '<a href="#county">' in response.get_data(as_text=True)


def test_calculator_prices_a_prefecture_contest_run_by_its_organiser(client):
    """迪庆州's own prefecture contest: the organiser chosen on the form is read as the API
    reads it, and 迪庆州 pays its (7) award (POLICY.md §4.3)."""
    query = (
        "/calculator?award_date=2024-09-15&category=prefecture_comprehensive"
        "&event_format=individual&result=medal:gold&county=533422&organiser=533400"
    )
    response = client.get(query)
    html = response.get_data(as_text=True)
    assert response.status_code == 200, html[html.find("error") : html.find("error") + 400]
    quote = html[html.index('id="quote"') :]
    assert "迪庆藏族自治州" in quote and "¥10,000.00" in quote
