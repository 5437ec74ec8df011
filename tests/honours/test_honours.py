"""Honours (POLICY.md §4.7; 云政发〔2017〕40号 第18条, 003_…txt:401, :403)."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy.exc import IntegrityError

from compapp.honours import services
from compapp.honours.models import Honour
from compapp.honours.rules import price_honour
from compapp.policy.loader import load_policies
from tests.helpers import id_number_for

POLICIES = load_policies()


@pytest.fixture
def create_competitor(db):
    from compapp.contests.models import Competitor

    def create_competitor():
        person = Competitor(name="杨技能", id_number=id_number_for("530102"), is_employee=True)
        db.session.add(person)
        db.session.commit()
        return person

    return create_competitor


@pytest.mark.parametrize(
    ("kind", "on", "amount", "clause"),
    [
        ("zhonghua_skills_award", date(2017, 7, 1), "200000.00", "18（荣誉）"),
        ("national_technical_expert", date(2019, 5, 1), "100000.00", "18（荣誉）"),
        ("yunnan_skills_award", date(2020, 12, 31), "50000.00", "18（荣誉）"),
        ("yunnan_technical_expert", date(2018, 3, 1), "20000.00", "18（荣誉）"),
        ("national_training_team", date(2019, 1, 1), "0.00", "18"),
        ("zhonghua_skills_award", date(2021, 1, 1), "0.00", None),
        ("yunnan_technical_expert", date(2017, 6, 30), "0.00", None),
    ],
)
def test_honour_is_priced_under_the_plan_in_its_dates(kind, on, amount, clause):
    """§4.7: yn-2017-40 amounts from 2017-07-01 to 2020-12-31; outside them, no amount."""
    price = price_honour(kind, on, POLICIES)
    assert price.amount == Decimal(amount)
    assert price.clause == clause
    if clause is None:
        assert "没有施行中的政策" in price.notice and price.cited is None
    elif price.amount:
        assert price.cited.text == "技能强省行动计划（云政发〔2017〕40号）二（六）第18条"
    else:
        assert "云南省技术能手" in price.notice


def test_an_honour_needs_a_second_person(app, db, create_user, create_competitor):
    """Four eyes: the recorder cannot confirm, at the service and in the database."""
    first = create_user("o1", "organiser")
    second = create_user("o2", "organiser")
    person = create_competitor()
    honour = services.record_honour(
        services.HonourData(
            person.id, "national_technical_expert", date(2019, 5, 1), "云南省人社厅"
        ),
        first,
    )
    db.session.commit()
    assert honour.amount_fen == 10_000_000 and honour.payer_code == "530000"
    with pytest.raises(services.HonourRefused, match="登记人不能确认"):
        services.confirm_honour(honour, first)
    honour.confirmed_by_id, honour.confirmed_at = first.id, honour.recorded_at
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()
    services.confirm_honour(db.session.get(Honour, honour.id), second)
    db.session.commit()
    assert services.confirmed_honours_total_fen("530000", 2019) == (1, 10_000_000)
    assert services.confirmed_honours_total_fen("530000", 2020) == (0, 0)


def test_honours_page_records_confirms_and_shows_the_winner(
    client, auth, db, create_user, create_competitor
):
    """The organiser records; another confirms; the winner and the budget see it."""
    create_user("organiser", "organiser")
    create_user("organiser2", "organiser")
    person = create_competitor()
    auth.login("organiser")
    page = client.post(
        "/honours/",
        data={
            "id_number": person.id_number,
            "kind": "yunnan_skills_award",
            "awarded_on": "2020-06-01",
            "recommended_by": "云南省人力资源和社会保障厅",
        },
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "待确认" in page and "¥50,000.00" in page
    assert "技能强省行动计划（云政发〔2017〕40号）二（六）第18条" in page
    honour = db.session.scalar(db.select(Honour))
    assert f'action="/honours/{honour.id}/confirm"' not in page  # not for the recorder
    auth.login("organiser2")
    client.post(f"/honours/{honour.id}/confirm")
    db.session.expire_all()
    assert db.session.get(Honour, honour.id).confirmed_by_id is not None
    late = client.post(
        "/honours/",
        data={
            "id_number": person.id_number,
            "kind": "zhonghua_skills_award",
            "awarded_on": "2024-06-01",
            "recommended_by": "云南省人力资源和社会保障厅",
        },
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "没有施行中的政策" in late and "¥0.00" in late
    assert not re.search(r"\.txt|POLICY\.md|yn-2017-40", re.sub(r"<[^>]+>", " ", late))
