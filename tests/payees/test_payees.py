"""Payees a bank can pay (issue 18, point 1): coaches told apart by ID number, bank details
entered by the organiser or the person, checked with clear messages, shown masked, audited."""

from __future__ import annotations

import pytest

from compapp.audit.models import AuditEntry
from compapp.contests.models import Coach, Competitor
from compapp.contests.services import CoachData, EntryData, MemberData, check_entry
from compapp.core.bank import account_problem, bank_problems, mask_account, normalise_account
from compapp.payees.models import BankAccount
from compapp.rewards.entries import save_and_price_entry
from tests.helpers import id_number_for, signed_in

ACCOUNT = "6228 4800 1234 5678 901"


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("6228 4800 1234 5678 901", None),
        ("6228-4800-1234-5678", None),
        ("６２２８４８００１２３４５６７８", None),
        ("", "请填写银行账号。"),
        ("6228 48OO 1234 5678", "银行账号只能由数字组成（可用空格分组）。"),
        ("12345678901", "银行账号应为 12 到 30 位数字（借记卡一般为 16–19 位），请核对。"),
        ("1" * 31, "银行账号应为 12 到 30 位数字（借记卡一般为 16–19 位），请核对。"),
    ],
)
def test_account_numbers_are_checked_with_a_sentence_a_person_can_act_on(text, problem):
    assert account_problem(text) == problem


def test_bank_names_and_branches_are_required_and_masking_keeps_the_last_four_digits():
    assert set(bank_problems("", "", ACCOUNT)) == {"bank_name", "branch"}
    assert bank_problems("某某公司", "支行", ACCOUNT) == {
        "bank_name": "开户银行应为银行或信用社的名称（如：中国农业银行），不超过 60 字。"
    }
    assert bank_problems("云南省农村信用社", "德钦县联社", ACCOUNT) == {}
    assert normalise_account(ACCOUNT) == "6228480012345678901"
    assert mask_account(ACCOUNT) == "**** **** **** 8901"


def entry_with_coach(db, event, county, coach_name, coach_number=""):
    data = EntryData(
        sending_county=county,
        members=[MemberData(id_number_for(county), f"选手{coach_number[-3:] or 'x'}")],
        coaches=[CoachData(coach_name, "coach", None, coach_number)],
        rank=None,
    )
    assert check_entry(event, data) == []
    entry = save_and_price_entry(event, data, None, event.version)
    db.session.commit()
    return entry


def test_two_coaches_with_one_name_stay_two_people_told_apart_by_id_number(
    db, dummy_contest, create_event
):
    """Two coaches named 和建华 must not merge; a new entry naming 和建华 without an ID number
    does not link to an existing 和建华 (whose account would then see it)."""
    event = create_event(dummy_contest)
    first, second = id_number_for("533401"), id_number_for("533422")
    a = entry_with_coach(db, event, "533422", "和建华", first)
    b = entry_with_coach(db, event, "533401", "和建华", second)
    c = entry_with_coach(db, event, "533423", "和建华")
    d = entry_with_coach(db, event, "533422", "和建华", first)
    coaches = [e.coaches[0].coach for e in (a, b, c, d)]
    assert coaches[0].id != coaches[1].id != coaches[2].id
    assert coaches[2].id not in (coaches[0].id, coaches[1].id) and coaches[2].id_number is None
    assert coaches[3].id == coaches[0].id
    assert db.session.scalar(db.select(db.func.count()).select_from(Coach)) == 3


def test_a_coach_id_number_registered_under_another_name_is_refused(
    db, dummy_contest, create_event
):
    event = create_event(dummy_contest)
    number = id_number_for("533401")
    entry_with_coach(db, event, "533422", "和建华", number)
    data = EntryData(
        sending_county="533401",
        members=[MemberData(id_number_for("533401"), "扎西")],
        coaches=[CoachData("杨丽萍", "coach", None, number)],
    )
    problems = check_entry(event, data)
    assert [p.text() for p in problems] == [
        "该身份证号码已登记为教练“和建华”，姓名不一致；同一人不能登记两次。"
    ]


def test_an_organiser_enters_bank_details_shown_masked_and_audited_without_the_number(
    app, db, demo
):
    person = db.session.scalar(db.select(Competitor).filter_by(name="鲁茸卓玛"))
    db.session.execute(db.delete(BankAccount).filter_by(competitor_id=person.id))
    db.session.commit()
    client = signed_in(app, "organiser1")
    url = f"/payees/competitors/{person.id}"
    refused = client.post(
        url,
        data={"bank_name": "中国农业银行", "branch": "德钦县支行", "account_number": "62284 8OO"},
    )
    assert refused.status_code == 422
    assert "银行账号只能由数字组成（可用空格分组）。" in refused.get_data(as_text=True)
    assert db.session.scalar(db.select(BankAccount).filter_by(competitor_id=person.id)) is None
    saved = client.post(
        url, data={"bank_name": "中国农业银行", "branch": "德钦县支行", "account_number": ACCOUNT}
    )
    assert saved.status_code == 302
    page = client.get(url).get_data(as_text=True)
    assert "**** **** **** 8901" in page and "6228480012345678901" not in page
    assert "62284800" not in page
    entry = db.session.scalar(
        db.select(AuditEntry).filter_by(action="update_bank_account").order_by(AuditEntry.id.desc())
    )
    assert "**** **** **** 8901" in entry.summary
    assert "6228480012345678901" not in str((entry.summary, entry.before, entry.after))


def test_a_coach_enters_their_own_account_on_their_portal_page(app, db, demo):
    client = signed_in(app, "coach2")
    page = client.get("/my/bank").get_data(as_text=True)
    assert "现登记账户" in page and "杨丽萍" in page
    response = client.post(
        "/my/bank",
        data={
            "bank_name": "中国工商银行",
            "branch": "香格里拉支行",
            "account_number": "6212 2624 0000 1111 222",
        },
    )
    assert response.status_code == 302
    coach = db.session.scalar(db.select(Coach).filter_by(name="杨丽萍"))
    account = db.session.scalar(db.select(BankAccount).filter_by(coach_id=coach.id))
    assert account.account_number == "6212262400001111222" and account.bank_name == "中国工商银行"
    assert signed_in(app, "winner1").get("/my/bank").status_code == 200
    assert signed_in(app, "finance_dq").get("/my/bank").status_code == 403


def test_an_organiser_of_another_body_cannot_reach_a_person_of_another_bodys_contests(
    app, db, demo
):
    person = db.session.scalar(db.select(Competitor).filter_by(name="张玉兰"))
    assert signed_in(app, "organiser_dq").get(f"/payees/competitors/{person.id}").status_code == 404


def test_accounts_link_coaches_by_id_number_in_the_demo_data(app, db, demo):
    from compapp.auth.models import User

    coach1 = db.session.scalar(db.select(User).filter_by(username="coach1"))
    coach = db.session.get(Coach, coach1.coach_id)
    assert coach.name == "和建华" and coach.id_number


def test_the_contest_payee_page_lists_everyone_masked_with_what_is_missing(app, db, demo):
    from tests.finance.finance_helpers import WORLDSKILLS
    from tests.helpers import contest_named

    contest = contest_named(db, WORLDSKILLS)
    person = db.session.scalar(db.select(Competitor).filter_by(name="张玉兰"))
    db.session.execute(db.delete(BankAccount).filter_by(competitor_id=person.id))
    db.session.commit()
    page = signed_in(app, "organiser1").get(f"/contests/{contest.id}/payees").get_data(as_text=True)
    assert "此里农布" in page and "和建华" in page and "木文军" in page
    assert "还有 1 人缺少身份证号码或收款账户。" in page
    for account in db.session.scalars(db.select(BankAccount)):
        assert account.account_number not in page
    winner = db.session.scalar(db.select(Competitor).filter_by(name="此里农布"))
    assert (
        db.session.scalar(db.select(BankAccount).filter_by(competitor_id=winner.id)).masked in page
    )
    assert f"/payees/competitors/{person.id}?back=" in page
