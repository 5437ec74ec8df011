"""A person only another organising body's contests know is matched by ID number without
being revealed: not by the entry form's messages, not by a results import, not by the
promotion competitor page's grade history."""

from __future__ import annotations

from datetime import date

import pytest

from tests.helpers import PASSWORD

PROVINCE = "云南省人力资源和社会保障厅"
DIQING = "迪庆州人力资源和社会保障局"


@pytest.fixture
def two_bodies(db, create_user, create_contest, create_event, create_entry):
    """The province's contest knows 段永明; Diqing's organiser runs a contest of their own."""
    from compapp.contests.models import OrganisingBody

    province_contest = create_contest(
        "省赛", category="provincial_class1", organising_body=PROVINCE
    )
    event = create_event(province_contest, "玉雕", "individual", "medals")
    entry = create_entry(event, "530523", rank=1, result="gold", names=["段永明"])
    person = entry.members[0].competitor
    person.employer = "龙陵县黄龙玉雕刻厂"
    dq_contest = create_contest(
        "州赛", category="prefecture_class1", organising_body=DIQING, award_on=date(2025, 8, 1)
    )
    dq_event = create_event(dq_contest, "木雕", "individual", "prizes")
    bodies = {b.name: b.id for b in db.session.scalars(db.select(OrganisingBody))}
    create_user("organiser_dq", "organiser", organising_body_id=bodies[DIQING])
    create_user("organiser1", "organiser", organising_body_id=bodies[PROVINCE])
    db.session.commit()
    return person, dq_event, event


def signed_in(app, username):
    client = app.test_client()
    assert (
        client.post("/login", data={"username": username, "password": PASSWORD}).status_code == 302
    )
    return client


def entry_form(number: str, name: str) -> dict:
    return {
        "version": "1",
        "sending_county": "533401",
        "members-0-id_number": number,
        "members-0-name": name,
        "members-0-grade": "none",
        "rank": "",
        "result": "",
    }


def test_another_bodys_competitor_is_not_named_by_the_entry_form(app, db, two_bodies):
    """Reproduction: typing an ID number in organiser_dq's entry form showed 段永明."""
    person, dq_event, _ = two_bodies
    client = signed_in(app, "organiser_dq")
    response = client.post(
        f"/contests/events/{dq_event.id}", data=entry_form(person.id_number, "张三")
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "该身份证号码已登记在另一个姓名下" in page
    assert "段永明" not in page and "黄龙玉" not in page


def test_an_organiser_is_named_their_own_bodys_competitor(app, db, two_bodies):
    person, _, event = two_bodies
    from compapp.contests.services import add_event

    other = add_event(event.contest, "石雕", "individual", "medals")
    db.session.commit()
    client = signed_in(app, "organiser1")
    page = client.post(f"/contests/events/{other.id}", data=entry_form(person.id_number, "张三"))
    assert "身份证号码已登记为“段永明”" in page.get_data(as_text=True)


def test_an_administrator_is_named_anyone(app, db, two_bodies, dummy_admin):
    person, dq_event, _ = two_bodies
    client = signed_in(app, "admin")
    page = client.post(f"/contests/events/{dq_event.id}", data=entry_form(person.id_number, "张三"))
    assert "身份证号码已登记为“段永明”" in page.get_data(as_text=True)


def test_a_results_import_does_not_name_another_bodys_competitor(app, db, two_bodies):
    from compapp.imports import layout, reading
    from compapp.imports import plan as import_plan
    from tests.imports.import_helpers import person_rows, table_rows, xlsx

    person, dq_event, _ = two_bodies
    rows = person_rows(1, occupation="木雕")
    rows[0][layout.ID_NUMBER], rows[0][layout.NAME] = person.id_number, "张三"
    plan = import_plan.check_import(dq_event.contest, reading.read_upload(xlsx(table_rows(rows))))
    texts = " ".join(p.text() for p in plan.problems)
    assert "该身份证号码已登记在另一个姓名下" in texts
    assert "段永明" not in texts


def test_the_competitor_page_shows_an_organiser_only_their_bodys_grade_history(
    app, db, two_bodies, dummy_admin
):
    """Reproduction: the promotion competitor page showed another body's grade history."""
    from compapp.promotion.models import GradeChange, PromotionCase, PublicNotice

    person, dq_event, province_event = two_bodies
    # 段永明 also takes part in Diqing's contest, so organiser_dq may open his page.
    from compapp.contests.services import EntryData, MemberData
    from compapp.rewards.entries import save_and_price_entry

    dq_entry = save_and_price_entry(
        dq_event,
        EntryData(
            sending_county="533401",
            members=[MemberData(id_number=person.id_number, name=person.name)],
            rank=2,
            result="prize_2",
        ),
        None,
        dq_event.version,
    )
    changes = {}
    for label, contest, placement in (
        ("省赛晋升依据", province_event.contest, province_event.entries[0].placement),
        ("州赛晋升依据", dq_event.contest, dq_entry.placement),
    ):
        notice = PublicNotice(
            contest_id=contest.id,
            published_on=date(2025, 10, 9),
            working_days=5,
            ends_on=date(2025, 10, 15),
            calendar_digest="x" * 64,
            issuer="人社局",
            contact="0887-0000000",
        )
        db.session.add(notice)
        db.session.flush()
        case = PromotionCase(
            contest_id=contest.id,
            placement_id=placement.id,
            competitor_id=person.id,
            facts={"occupation": "玉雕", "event_format": "individual", "rank": 1},
            eligible=True,
            from_grade="senior",
            to_grade="technician",
            reason="…",
            status="final",
            notice_id=notice.id,
        )
        db.session.add(case)
        db.session.flush()
        changes[label] = GradeChange(
            competitor_id=person.id,
            from_grade="senior",
            to_grade="technician",
            changed_on=date(2025, 10, 16),
            basis=label,
            case_id=case.id,
        )
        db.session.add(changes[label])
    db.session.commit()
    page = signed_in(app, "organiser_dq").get(f"/promotion/competitors/{person.id}")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "州赛晋升依据" in text and "省赛晋升依据" not in text
    text = signed_in(app, "admin").get(f"/promotion/competitors/{person.id}").get_data(as_text=True)
    assert "州赛晋升依据" in text and "省赛晋升依据" in text
