"""Home-page dashboards: the numbers are the award lines' sums, each chart has its table,
and each person sees only what their scope allows. Runs on the demo data set."""

from __future__ import annotations

import re

import pytest

from compapp.dashboards.charts import BAR_AREA, LABEL_WIDTH, Chart
from compapp.rewards.models import AwardLineRecord
from tests.helpers import signed_in


@pytest.fixture
def demo(runner, db):
    result = runner.invoke(args=["seed", "demo"])
    assert result.exit_code == 0, result.output


def chart_table(html: str, key: str) -> str:
    start = html.index(f'id="chart-{key}"')
    return html[start : html.index("</figure>", start)]


def test_largest_bar_fills_the_bar_area_and_segments_stack_in_order():
    chart = Chart(
        "t",
        "t",
        [("a", "A"), ("b", "B")],
        [("one", {"a": 300, "b": 100}), ("two", {"b": 200})],
    )
    one, two = chart.bars
    assert [s.series for s in one.segments] == ["A", "B"]
    assert one.segments[0].x == LABEL_WIDTH
    assert one.segments[1].x == LABEL_WIDTH + BAR_AREA * 0.75
    assert sum(s.width for s in one.segments) == BAR_AREA
    assert two.segments[0].width == BAR_AREA / 2
    assert (one.total, two.total, chart.grand_total) == (400, 200, 600)
    assert chart.series_total("b") == 300


def test_empty_chart_draws_no_bars():
    chart = Chart("t", "t", [("a", "A")], [])
    assert chart.empty and chart.bars == []


def test_province_dashboard_totals_are_the_current_award_lines(app, db, demo):
    """The award money charts add up to the sum of all current award lines."""
    total_fen = db.session.scalar(
        db.select(db.func.sum(AwardLineRecord.amount_fen)).where(
            AwardLineRecord.is_current.is_(True)
        )
    )
    html = signed_in(app, "admin").get("/").get_data(as_text=True)
    from compapp.core.money import format_yuan_short, from_fen

    expected = format_yuan_short(from_fen(total_fen))
    for key in ("by-prefecture", "by-year", "by-category"):
        figure = chart_table(html, key)
        assert "<svg" in figure and "<table" in figure, key
        assert re.search(r"<tfoot>.*" + re.escape(expected), figure, re.S), (key, expected)
    assert 'id="payer-matrix"' in html
    assert "迪庆藏族自治州" in chart_table(html, "by-prefecture")


def test_organiser_dashboard_shows_only_the_organisers_contests(app, db, demo):
    """迪庆州's organiser sees Diqing's contests in the charts and matrix, not the province's."""
    html = signed_in(app, "organiser_dq").get("/").get_data(as_text=True)
    assert "迪庆州第一届职业技能大赛" in chart_table(html, "results")
    assert "第47届世界技能大赛" not in html
    assert "云南省第二届职业技能大赛" not in html
    assert 'id="chart-promotions"' in html


def test_finance_officer_sees_their_budget_by_year_and_status(app, db, demo):
    """A county finance officer's home page charts the county's lines by year and status,
    and nothing of other payers."""
    lines = db.session.scalar(
        db.select(db.func.sum(AwardLineRecord.amount_fen)).where(
            AwardLineRecord.is_current.is_(True), AwardLineRecord.payer_code == "533422"
        )
    )
    from compapp.core.money import format_yuan_short, from_fen

    html = signed_in(app, "finance_deqin").get("/").get_data(as_text=True)
    figure = chart_table(html, "payer-by-year")
    assert format_yuan_short(from_fen(lines)) in figure
    assert "暂定（成绩待复核）" in figure and "已支付" in figure
    assert 'id="chart-by-prefecture"' not in html and 'id="payer-matrix"' not in html


def test_provincial_finance_office_also_sees_the_payer_matrix(app, db, demo):
    html = signed_in(app, "finance_yn").get("/").get_data(as_text=True)
    assert 'id="chart-payer-by-year"' in html and 'id="payer-matrix"' in html


def test_dashboard_speaks_english_in_english(app, db, demo):
    client = signed_in(app, "admin")
    html = client.get("/?lang=en").get_data(as_text=True)
    assert "Award money by sending prefecture" in html
    assert "Provisional" in chart_table(html, "by-year")
