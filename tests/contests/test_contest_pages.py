"""Organiser pages: a whole contest from registration to results table, and every refusal."""

import re

import pytest

from compapp.contests.models import Competitor, Contest, Entry, Event, Placement
from tests.helpers import id_number_for


def errors(response) -> list[str]:
    return re.findall(r'class="error">([^<]*)<', response.get_data(as_text=True))


def count(db, model) -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(model))


CONTEST_FORM = {
    "name": "2025年云南省第三届职业技能大赛",
    "category": "provincial_comprehensive",
    "organising_body": "云南省人力资源和社会保障厅",
    "location": "昆明",
    "starts_on": "2025-07-01",
    "ends_on": "2025-07-04",
    "award_on": "2025-07-05",
    "organiser": "530000",
}


def pair_entry(county, numbers, names, rank=None, result="", version="1", **extra):
    data = {"version": version, "sending_county": county, "rank": rank or "", "result": result}
    for i, (number, name) in enumerate(zip(numbers, names, strict=True)):
        data[f"members-{i}-id_number"] = number
        data[f"members-{i}-name"] = name
        data[f"members-{i}-grade"] = "senior"
        data[f"members-{i}-home_county"] = county
    data.update(extra)
    return data


def test_pages_require_sign_in(client):
    for url in ("/", "/contests/", "/contests/new", "/jurisdictions/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response.location.startswith("/login")


def test_wrong_password_is_refused_next_to_the_field(client, dummy_organiser):
    response = client.post("/login", data={"username": "organiser", "password": "nope"})
    assert response.status_code == 200
    assert "用户名或密码不正确。" in errors(response)


def test_organiser_runs_a_whole_contest(client, auth, db, dummy_organiser):
    """Create a contest, add a pair event, enter two entries with placements, see the results."""
    auth.login("organiser")
    response = client.post("/contests/new", data=CONTEST_FORM)
    assert response.status_code == 302
    contest = db.session.scalar(db.select(Contest))
    assert contest.name == CONTEST_FORM["name"]
    assert contest.organising_body.name == "云南省人力资源和社会保障厅"

    response = client.post(
        f"/contests/{contest.id}/events",
        data={"occupation": "移动机器人", "format": "pair", "result_kind": "medals"},
    )
    assert response.status_code == 302
    event = db.session.scalar(db.select(Event))
    assert (event.format, event.team_size) == ("pair", 2)

    first = [id_number_for("533422"), id_number_for("533422")]
    response = client.post(
        f"/contests/events/{event.id}",
        data=pair_entry(
            "533422",
            first,
            ["此里农布", "鲁茸卓玛"],
            rank=1,
            result="gold",
            **{"coaches-0-name": "和建华", "coaches-0-role": "coach"},
        ),
    )
    assert response.status_code == 302, errors(response)
    second = [id_number_for("530523"), id_number_for("530523")]
    response = client.post(
        f"/contests/events/{event.id}",
        data=pair_entry(
            "530523", second, ["段永明", "杨晓东"], rank=2, result="silver", version="2"
        ),
    )
    assert response.status_code == 302, errors(response)

    page = client.get(f"/contests/{contest.id}/results").get_data(as_text=True)
    assert "移动机器人" in page and "双人赛项" in page
    assert page.index("此里农布、鲁茸卓玛") < page.index("段永明、杨晓东")
    assert "金牌" in page and "银牌" in page and "德钦县（迪庆藏族自治州）" in page
    event_page = client.get(f"/contests/events/{event.id}").get_data(as_text=True)
    assert first[0][:4] + "**********" + first[0][-4:] in event_page
    assert first[0] not in event_page


def test_contest_dates_are_checked_and_nothing_is_saved(client, auth, db, dummy_organiser):
    auth.login("organiser")
    response = client.post("/contests/new", data={**CONTEST_FORM, "ends_on": "2025-06-30"})
    assert "结束日期不能早于开始日期。" in errors(response)
    assert count(db, Contest) == 0


def test_english_is_selectable(client, auth, dummy_organiser):
    auth.login("organiser")
    page = client.get("/contests/?lang=en").get_data(as_text=True)
    assert 'lang="en"' in page
    assert "Contests" in page


@pytest.fixture
def pair_event(dummy_contest, create_event):
    return create_event(dummy_contest, "移动机器人", "pair", "medals")


def test_team_size_must_match_the_format(client, auth, db, dummy_organiser, pair_event):
    auth.login("organiser")
    data = pair_entry("533422", [id_number_for(), ""], ["此里农布", ""], rank=1, result="gold")
    response = client.post(f"/contests/events/{pair_event.id}", data=data)
    assert response.status_code == 422
    assert "本赛项每组应有 2 名选手，实际填写了 1 名。" in errors(response)
    assert count(db, Entry) == 0 and count(db, Competitor) == 0


def test_medal_the_category_does_not_award_is_refused(
    client, auth, db, dummy_organiser, create_contest, create_event
):
    contest = create_contest(category="prefecture_class1")
    event = create_event(contest, "电工", "individual", "medals")
    auth.login("organiser")
    data = pair_entry("533422", [id_number_for()], ["此里农布"], rank=1, result="excellence")
    response = client.post(f"/contests/events/{event.id}", data=data)
    assert "本赛项设金牌、银牌、铜牌，不设优胜奖，也不设一、二、三等奖。" in errors(response)
    assert count(db, Placement) == 0


def test_event_result_kind_must_suit_the_category(
    client, auth, db, dummy_organiser, create_contest
):
    contest = create_contest(category="worldskills")
    auth.login("organiser")
    response = client.post(
        f"/contests/{contest.id}/events",
        data={"occupation": "砌筑", "format": "individual", "result_kind": "prizes"},
    )
    assert response.status_code == 422
    assert count(db, Event) == 0


def test_duplicate_rank_needs_a_tie(client, auth, db, dummy_organiser, pair_event, create_entry):
    create_entry(pair_event, rank=1, result="gold")
    auth.login("organiser")
    data = pair_entry(
        "530523",
        [id_number_for("530523"), id_number_for("530523")],
        ["段永明", "杨晓东"],
        rank=1,
        result="gold",
        version=str(pair_event.version),
    )
    response = client.post(f"/contests/events/{pair_event.id}", data=data)
    assert "第 1 名已有其他参赛组；如为并列，请在两组都勾选“并列”。" in errors(response)
    assert count(db, Placement) == 1


def test_invalid_id_number_is_refused(client, auth, db, dummy_organiser, pair_event):
    auth.login("organiser")
    good = id_number_for()
    bad = good[:17] + ("1" if good[17] != "1" else "2")
    data = pair_entry("533422", [bad, id_number_for()], ["甲", "乙"], rank=1, result="gold")
    response = client.post(f"/contests/events/{pair_event.id}", data=data)
    assert "身份证号码校验位不正确，请核对（GB 11643）。" in errors(response)
    assert count(db, Competitor) == 0


def test_form_problems_speak_english_in_english(client, auth, db, dummy_organiser, pair_event):
    from flask_babel import refresh

    auth.login("organiser")
    client.get("/contests/?lang=en")
    refresh()  # the test's app context outlives requests; forget its cached locale
    good = id_number_for()
    bad = good[:17] + ("1" if good[17] != "1" else "2")
    data = pair_entry("533422", [bad, id_number_for()], ["", "乙"], rank=0, result="gold")
    messages = errors(client.post(f"/contests/events/{pair_event.id}", data=data))
    assert "The ID number&#39;s check digit is wrong; please check it (GB 11643)." in messages
    assert "Please enter the name." in messages
    assert "The rank must be a whole number of at least 1." in messages
    assert not [m for m in messages if re.search(r"[\u4e00-\u9fff]", m)], messages
    assert count(db, Competitor) == 0


def test_same_person_is_not_created_twice(
    client, auth, db, dummy_organiser, pair_event, create_contest, create_event
):
    """An ID number already registered links to that person; a different name is refused."""
    auth.login("organiser")
    number = id_number_for()
    data = pair_entry(
        "533422", [number, id_number_for()], ["此里农布", "鲁茸卓玛"], rank=1, result="gold"
    )
    assert client.post(f"/contests/events/{pair_event.id}", data=data).status_code == 302
    other = create_event(create_contest(), "焊工", "pair", "medals")
    clash = pair_entry("533422", [number, id_number_for()], ["张三", "李四"], rank=1, result="gold")
    response = client.post(f"/contests/events/{other.id}", data=clash)
    assert any("姓名不一致" in e for e in errors(response))
    same = pair_entry(
        "533422", [number, id_number_for()], ["此里农布", "李四"], rank=1, result="gold"
    )
    assert client.post(f"/contests/events/{other.id}", data=same).status_code == 302
    assert count(db, Competitor) == 3


def test_stale_page_is_told_what_changed(client, auth, db, dummy_organiser, pair_event):
    """Optimistic locking: a save based on an old version of the event is refused, not lost."""
    auth.login("organiser")
    data = pair_entry(
        "533422",
        [id_number_for(), id_number_for()],
        ["甲", "乙"],
        rank=1,
        result="gold",
        version="1",
    )
    assert client.post(f"/contests/events/{pair_event.id}", data=data).status_code == 302
    late = pair_entry(
        "530523",
        [id_number_for("530523"), id_number_for("530523")],
        ["丙", "丁"],
        rank=2,
        result="silver",
        version="1",
    )
    response = client.post(f"/contests/events/{pair_event.id}", data=late)
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "其他人修改了本赛项的成绩" in page and "甲" in page
    assert count(db, Entry) == 1


def test_delete_asks_for_confirmation_then_deletes(
    client, auth, db, dummy_organiser, dummy_contest
):
    auth.login("organiser")
    page = client.get(f"/contests/{dummy_contest.id}/delete").get_data(as_text=True)
    assert "确认删除" in page
    assert count(db, Contest) == 1
    assert client.post(f"/contests/{dummy_contest.id}/delete").status_code == 302
    assert count(db, Contest) == 0


def test_delete_is_refused_once_results_depend_on_it(
    client, auth, db, dummy_organiser, pair_event, create_entry
):
    create_entry(pair_event, rank=1, result="gold")
    auth.login("organiser")
    contest_id = pair_event.contest_id
    page = client.get(f"/contests/{contest_id}/delete").get_data(as_text=True)
    assert "不能删除" in page
    client.post(f"/contests/{contest_id}/delete")
    client.post(f"/contests/events/{pair_event.id}/delete")
    assert count(db, Contest) == 1 and count(db, Event) == 1


def test_category_change_is_refused_naming_the_event_and_the_problem(
    client, auth, db, dummy_organiser, create_contest, create_event
):
    """A new category must still award each event's results (§3); the refusal says which."""
    contest = create_contest("世赛", category="worldskills")
    create_event(contest, "砌筑", "individual", "medals")
    create_event(contest, "焊接", "individual", "medals")
    auth.login("organiser")
    response = client.post(
        f"/contests/{contest.id}/edit",
        data={**CONTEST_FORM, "name": "世赛", "category": "national_class2"},
    )
    for occupation in ("砌筑", "焊接"):
        assert (
            f"赛项“{occupation}”的设置不适用于新类别：该类赛事只记名次，不设奖牌或一、二、三等奖。"
            "请先调整该赛项。"
        ) in errors(response)
    db.session.refresh(contest)
    assert contest.category == "worldskills"


def test_refused_delete_says_how_many_results_depend_on_it_after_one_check(
    client, auth, db, dummy_organiser, pair_event, create_entry
):
    """The refusal counts placements, plus one when awards were priced, in a single query."""
    from tests.queries import counted

    entry = create_entry(pair_event, rank=1, result="gold")
    create_entry(pair_event, rank=2, result="silver")
    unplaced = create_entry(pair_event)
    auth.login("organiser")
    with counted(db) as statements:
        response = client.post(
            f"/contests/entries/{unplaced.id}/delete", data={"version": pair_event.version}
        )
    assert response.status_code == 302
    assert sum("award_computations" in s for s in statements) == 1
    for url, dependent in (
        (f"/contests/{pair_event.contest_id}/delete", 3),
        (f"/contests/events/{pair_event.id}/delete", 3),
        (f"/contests/entries/{entry.id}/delete", 2),
    ):
        with counted(db) as statements:
            page = client.post(url).get_data(as_text=True)
        assert f"不能删除：已有 {dependent} 条成绩依赖于它。" in page
        assert sum("award_computations" in s for s in statements) == 1
    assert count(db, Contest) == 1 and count(db, Event) == 1 and count(db, Entry) == 2


def test_contests_are_filtered_by_tier_category_and_year(
    client, auth, dummy_organiser, create_contest
):
    from datetime import date

    create_contest("世赛甲", "worldskills", date(2024, 9, 15))
    create_contest("省赛乙", "provincial_class1", date(2025, 8, 22))
    create_contest("州赛丙", "prefecture_class1", date(2023, 6, 8))
    auth.login("organiser")
    page = client.get("/contests/?tier=provincial").get_data(as_text=True)
    assert "省赛乙" in page and "世赛甲" not in page and "州赛丙" not in page
    page = client.get("/contests/?year=2023").get_data(as_text=True)
    assert "州赛丙" in page and "省赛乙" not in page
    page = client.get("/contests/?category=worldskills").get_data(as_text=True)
    assert "世赛甲" in page and "州赛丙" not in page


def test_admin_adds_a_jurisdiction(client, auth, db, dummy_admin):
    from compapp.reference.models import Jurisdiction

    auth.login("admin")
    response = client.post(
        "/jurisdictions/new",
        data={
            "code": "530199",
            "name": "新设区",
            "short_name": "新设",
            "level": "county",
            "parent_code": "530100",
        },
    )
    assert response.status_code == 302
    assert db.session.get(Jurisdiction, "530199").parent.name == "昆明市"
    response = client.post(
        "/jurisdictions/new",
        data={"code": "530198", "name": "新设区", "level": "county", "parent_code": "533400"},
    )
    assert "代码与上级的代码前缀不一致。" in errors(response)


def test_organiser_cannot_add_a_jurisdiction(client, auth, dummy_organiser):
    auth.login("organiser")
    assert client.get("/jurisdictions/new").status_code == 403


def test_every_contest_page_is_for_organisers_only(
    client, auth, create_user, pair_event, create_entry
):
    """One blueprint-wide check refuses other roles on every page, reading or writing."""
    entry = create_entry(pair_event, rank=1, result="gold")
    contest_id, event_id = pair_event.contest_id, pair_event.id
    placement_id = entry.placement.id
    create_user("fin", "finance")
    auth.login("fin")
    for method, url in (
        ("get", "/contests/"),
        ("get", "/contests/new"),
        ("post", "/contests/new"),
        ("get", f"/contests/{contest_id}"),
        ("post", f"/contests/{contest_id}/edit"),
        ("post", f"/contests/{contest_id}/events"),
        ("post", f"/contests/{contest_id}/delete"),
        ("get", f"/contests/{contest_id}/results"),
        ("post", f"/contests/events/{event_id}"),
        ("post", f"/contests/events/{event_id}/delete"),
        ("post", f"/contests/entries/{entry.id}/edit"),
        ("post", f"/contests/entries/{entry.id}/delete"),
        ("get", "/contests/review"),
        ("post", f"/contests/placements/{placement_id}/confirm"),
        ("post", f"/contests/placements/{placement_id}/reopen"),
    ):
        assert getattr(client, method)(url).status_code == 403, (method, url)


def test_contest_form_records_the_organising_jurisdiction(client, auth, db, dummy_organiser):
    """POLICY §3: a prefecture-tier contest is run by a prefecture, shown on its page."""
    auth.login("organiser")
    form = {**CONTEST_FORM, "name": "大理州木雕竞赛", "category": "prefecture_class1"}
    refused = client.post("/contests/new", data=form)
    assert "州（市）级竞赛请选择主办该竞赛的州（市）。" in errors(refused)
    response = client.post("/contests/new", data={**form, "organiser": "532900"})
    assert response.status_code == 302
    contest = db.session.scalar(db.select(Contest).filter_by(name="大理州木雕竞赛"))
    assert contest.organiser_code == "532900"
    page = client.get(f"/contests/{contest.id}").get_data(as_text=True)
    assert "大理白族自治州（532900）" in page
    provincial = client.post(
        "/contests/new", data={**CONTEST_FORM, "name": "省赛", "organiser": "533400"}
    )
    assert "省级及以上竞赛的主办地为云南省。" in errors(provincial)


def test_any_county_of_yunnan_can_send_an_entry(client, auth, db, dummy_organiser, pair_event):
    """Issue reproduction: 五华区 (530102) was not in the list; all 129 are, grouped."""
    auth.login("organiser")
    page = client.get(f"/contests/events/{pair_event.id}").get_data(as_text=True)
    assert 'data-searchable="' in page and "select-filter.js" in page
    assert '<optgroup label="昆明市">' in page and "五华区（昆明市）" in page
    data = pair_entry("530102", [id_number_for(), id_number_for()], ["李明轩", "陈晓峰"], rank=1)
    response = client.post(f"/contests/events/{pair_event.id}", data=data)
    assert response.status_code == 302, errors(response)
    entry = db.session.scalar(db.select(Entry).filter_by(sending_county_code="530102"))
    assert entry is not None and entry.sending_county.parent.name == "昆明市"
