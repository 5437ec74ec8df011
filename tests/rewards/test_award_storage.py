"""Stored awards, their pages and exports, the calculator API over HTTP, and what-if."""

import re
from decimal import Decimal
from io import BytesIO
from pathlib import Path

import pytest
from openpyxl import load_workbook

from compapp.contests import services as contest_services
from compapp.contests.models import Placement
from compapp.rewards.models import AwardBasis, AwardComputation, AwardLineRecord
from tests.helpers import id_number_for

QUOTE = {
    "award_date": "2024-09-15",
    "category": "national_skills_competition",
    "event_format": "individual",
    "result": {"medal": "gold"},
    "county": "533422",
}


@pytest.fixture
def deqin_gold(db, dummy_contest, create_event):
    """A 德钦县 competitor's national gold, with a two-person coaching team."""
    event = create_event(dummy_contest, "电工", "individual", "medals")
    data = contest_services.EntryData(
        sending_county="533422",
        members=[contest_services.MemberData(id_number_for("533422"), "斯那品初")],
        coaches=[
            contest_services.CoachData("和建华", "coach", 60),
            contest_services.CoachData("木文军", "translator", 40),
        ],
        rank=1,
        result="gold",
    )
    assert not contest_services.check_entry(event, data)
    entry = contest_services.save_entry(event, data, None, event.version)
    db.session.commit()
    return entry


def current_lines(db, entry, payee):
    return db.session.scalars(
        db.select(AwardLineRecord)
        .filter_by(entry_id=entry.id, payee=payee, is_current=True)
        .order_by(AwardLineRecord.id)
    ).all()


def test_deqin_national_gold_is_stored_with_every_payer_and_clause(db, deqin_gold):
    """yn-2021-28 (2) ¥200,000 by the province; dq-2022 (6) 20% prefecture, 30% county; the
    coaching team the same (POLICY.md §4.1, §4.3)."""
    for payee in ("competitor", "coaching_team"):
        lines = current_lines(db, deqin_gold, payee)
        assert [(ln.payer_code, ln.amount, ln.policy_id, ln.clause) for ln in lines] == [
            ("530000", Decimal("200000.00"), "yn-2021-28", "(2)"),
            ("533400", Decimal("40000.00"), "dq-2022", "(6)"),
            ("533422", Decimal("60000.00"), "dq-2022", "(6)"),
        ]
        assert all(len(ln.policy_digest) == 64 and ".txt:" in ln.citation for ln in lines)
    county = current_lines(db, deqin_gold, "competitor")[2]
    assert "¥200,000 × 30% = ¥60,000" in county.explanation and "德钦县" in county.explanation
    computation = db.session.scalar(db.select(AwardComputation))
    assert computation.basis.facts["county_code"] == "533422"
    assert computation.basis.trace and computation.basis.policies["dq-2022"][0] == "2022-05-27"
    assert computation.placement == {"rank": 1, "is_tie": False, "medal": "gold", "prize": None}


def test_changing_a_placement_recomputes_and_keeps_the_old_lines(db, deqin_gold):
    """A change adds a computation and supersedes the previous one; nothing is deleted."""
    event = deqin_gold.event
    data = contest_services.EntryData(
        sending_county="533422",
        members=[
            contest_services.MemberData(deqin_gold.members[0].competitor.id_number, "斯那品初")
        ],
        coaches=[
            contest_services.CoachData("和建华", "coach", 60),
            contest_services.CoachData("木文军", "translator", 40),
        ],
        rank=2,
        result="silver",
    )
    assert not contest_services.check_entry(event, data, deqin_gold)
    contest_services.save_entry(event, data, None, event.version, deqin_gold)
    db.session.commit()
    computations = db.session.scalars(
        db.select(AwardComputation).order_by(AwardComputation.id)
    ).all()
    assert len(computations) == 2
    assert computations[0].superseded_by_id == computations[1].id
    assert computations[1].reason == "成绩修改"
    assert db.session.scalar(db.select(db.func.count(AwardLineRecord.id))) == 12
    assert [ln.amount for ln in current_lines(db, deqin_gold, "competitor")] == [
        Decimal("150000.00"),
        Decimal("30000.00"),
        Decimal("45000.00"),
    ]
    old = [ln for ln in computations[0].lines if ln.payee == "competitor"]
    assert [ln.amount_fen for ln in old] == [20_000_000, 4_000_000, 6_000_000]
    assert not any(ln.is_current for ln in old)


def test_recomputing_unchanged_placements_adds_nothing(db, deqin_gold):
    from compapp.rewards.services import award_policies, grant_contest_awards

    assert grant_contest_awards(deqin_gold.event.contest, award_policies()) == 0
    assert db.session.scalar(db.select(db.func.count(AwardComputation.id))) == 1


def test_identical_cases_share_one_basis(db, deqin_gold, create_entry):
    """Cash depends on the medal, not the rank: a tied second gold shares the first's basis."""
    create_entry(deqin_gold.event, "533422", rank=2, result="gold", names=["鲁茸卓玛"])
    assert db.session.scalar(db.select(db.func.count(AwardBasis.id))) == 1
    create_entry(deqin_gold.event, "533401", rank=3, result="gold", names=["扎西"])
    assert db.session.scalar(db.select(db.func.count(AwardBasis.id))) == 2


def test_pair_members_each_get_the_full_amount(db, dummy_contest, create_event, create_entry):
    """POLICY.md §5.3: every member of a pair receives the full per-person amount."""
    event = create_event(dummy_contest, "移动机器人", "pair", "medals")
    entry = create_entry(event, "533401", rank=1, result="gold")
    lines = current_lines(db, entry, "competitor")
    per_member = {}
    for line in lines:
        per_member.setdefault(line.competitor_id, []).append(line.amount)
    assert len(per_member) == 2
    assert all(sum(v) == Decimal("300000.00") for v in per_member.values())


def test_contest_awards_page_explains_each_amount_and_totals_payers(
    client, auth, dummy_organiser, deqin_gold
):
    auth.login("organiser")
    contest_id = deqin_gold.event.contest_id
    page = client.get(f"/contests/{contest_id}/awards").get_data(as_text=True)
    assert "省级标准 ¥200,000 × 30% = ¥60,000，德钦县承担" in page
    assert "暂定" in page
    totals = page[
        page.index('id="payer-totals"') : page.index("</table>", page.index("payer-totals"))
    ]
    for payer, amount in (
        ("云南省", "¥400,000.00"),
        ("迪庆藏族自治州", "¥80,000.00"),
        ("德钦县", "¥120,000.00"),
    ):
        assert payer in totals and amount in totals
    assert "¥600,000.00" in totals
    drill = client.get(f"/contests/{contest_id}/awards/payers/533400").get_data(as_text=True)
    assert drill.count("¥40,000.00") == 2 and "¥80,000.00" in drill and "斯那品初" in drill
    assert client.get(f"/contests/{contest_id}/awards/payers/530523").status_code == 404


def test_awards_export_to_excel(client, auth, dummy_organiser, deqin_gold):
    auth.login("organiser")
    response = client.get(f"/contests/{deqin_gold.event.contest_id}/awards.xlsx")
    assert response.status_code == 200
    assert "UTF-8''" in response.headers["Content-Disposition"]
    book = load_workbook(BytesIO(response.data))
    lines = list(book["奖励明细"].iter_rows(min_row=2, values_only=True))
    assert len(lines) == 7  # six lines and the total row
    assert {row[4] for row in lines[:-1]} == {"第 1 名 金牌"}
    sheet = book["奖励明细"]
    assert sheet["A1"].font.bold and sheet.freeze_panes == "A2"
    assert sheet.cell(row=2, column=8).number_format == "#,##0.00"
    assert lines[-1][0] == "合计" and Decimal(str(lines[-1][7])) == Decimal("600000")
    totals = list(book["按承担单位汇总"].iter_rows(min_row=2, values_only=True))
    assert [r[1] for r in totals[:-1]] == ["云南省", "迪庆藏族自治州", "德钦县"]
    # POLICY §8: the basis column reads as a citation, never a file, line or id.
    assert {row[8] for row in lines[:-1]} == {
        "“技能云南”行动意见（云政发〔2021〕28号，据迪庆方案四（四）2.(2)转述）",
        "迪庆方案（未印文号）四（四）2.(6)",
    }


def test_history_page_says_what_changed_in_words_an_organiser_files(
    db, client, auth, dummy_organiser, create_user, deqin_gold
):
    """POLICY §8: who, when, why, under which documents and what changed — documents by
    title and 文号, never a policy id, digest, computation id or the raw facts."""
    from compapp.rewards.services import award_policies, grant_awards

    corrector = create_user("org_b", "organiser", display_name="李复核")
    deqin_gold.placement.rank, deqin_gold.placement.medal = 2, "silver"
    grant_awards(deqin_gold, award_policies(), corrector.id, "成绩修改")
    db.session.commit()
    auth.login("organiser")
    page = client.get(f"/entries/{deqin_gold.id}/awards/history").get_data(as_text=True)
    assert page.index("第 2 次计算") < page.index("第 1 次计算")  # newest first
    assert "李复核 · 成绩修改" in page and "首次计算。" in page
    assert "成绩：第 1 名 金牌 → 第 2 名 银牌" in page
    # yn-2021-28 (as restated by Diqing's plan) at the national skills competition: gold
    # 20万, silver 15万; Diqing's top-ups follow as percentages of it.
    assert "斯那品初 · 云南省承担：¥200,000.00 → ¥150,000.00" in page
    assert "教练团队 · 德钦县承担：¥60,000.00 → ¥45,000.00" in page
    assert page.index("斯那品初 · 云南省") < page.index("斯那品初 · 迪庆藏族自治州")
    assert page.index("斯那品初 · 德钦县") < page.index("教练团队 · 云南省")
    assert (
        "“技能云南”行动意见（云政发〔2021〕28号），2021-01-01 起施行的版本（文件未写明施行日期，"
        "按假定日期）"
    ) in page
    assert "迪庆方案（未印文号），2022-05-27 起施行的版本" in page
    assert "第 1 名 金牌" in page  # labels.placement of the stored snapshot (a dict)
    # What a person reads: the text of the page (links may carry ids in their address).
    main = re.sub(r"<[^>]+>", " ", page.split("<main", 1)[1].split("</main>", 1)[0])
    for internal in ("yn-2021-28", "dq-2022", "SHA-256", "技术细节", "national_skills"):
        assert internal not in main, internal
    assert not re.search(r"#\d|[0-9a-f]{16}", main)


def test_history_details_keep_ids_and_digests_for_administrators(
    client, auth, dummy_admin, deqin_gold
):
    auth.login("admin")
    page = client.get(f"/entries/{deqin_gold.id}/awards/history").get_data(as_text=True)
    assert "技术细节（仅管理员可见）" in page
    assert "yn-2021-28" in page and "2022-05-27" in page and "533422" in page


def test_quote_api_answers_the_contract_example(client):
    response = client.post("/api/v1/quote", json=QUOTE)
    assert response.status_code == 200
    body = response.get_json()
    assert body["currency"] == "CNY" and body["award_date"] == "2024-09-15"
    assert body["competitor"]["total"] == "300000.00"
    assert body["coaching_team"]["total"] == "300000.00"
    assert [(ln["payer_code"], ln["amount"]) for ln in body["competitor"]["lines"]] == [
        ("530000", "200000.00"),
        ("533400", "40000.00"),
        ("533422", "60000.00"),
    ]
    assert any("2021-01-01" in n for n in body["notices"])


@pytest.mark.parametrize(
    ("change", "status", "code", "field"),
    [
        ({"county": "999999"}, 422, "invalid_value", "county"),
        ({"category": "olympics"}, 422, "invalid_value", "category"),
        (
            {"result": {"medal": "excellence"}, "category": "prefecture_class1"},
            422,
            "invalid_value",
            None,
        ),
        ({"result": {"rank": 0}}, 422, "invalid_value", None),
        ({"award_date": "2024-02-30"}, 422, "invalid_value", "award_date"),
        ({"award_date": "2016-05-01"}, 422, "no_policy", "award_date"),
        ({"county": None}, 400, "missing_field", "county"),
        # CONTRACT.md organiser: a county's code or an unknown code is 422.
        ({"category": "prefecture_class1", "organiser": "533422"}, 422, "invalid_value",
         "organiser"),
        ({"category": "prefecture_class1", "organiser": "999999"}, 422, "invalid_value",
         "organiser"),
        ({"category": "prefecture_class1", "organiser": 533400}, 422, "invalid_value",
         "organiser"),
        ({"category": "prefecture_class1", "organiser": "530000"}, 422, "invalid_value",
         "organiser"),
        ({"organiser": "533400"}, 422, "invalid_value", "organiser"),
    ],
)  # fmt: skip
def test_quote_api_errors(client, change, status, code, field):
    body = {k: v for k, v in {**QUOTE, **change}.items() if v is not None}
    response = client.post("/api/v1/quote", json=body)
    assert response.status_code == status
    error = response.get_json()["error"]
    assert error["code"] == code and error["message"]
    if field:
        assert error["field"] == field


@pytest.mark.parametrize(
    ("county", "prefecture"),
    [("530102", "昆明市"), ("532901", "大理白族自治州"), ("532301", "楚雄彝族自治州"),
     ("533103", "德宏傣族景颇族自治州"), ("530681", "昭通市")],
)  # fmt: skip
def test_quote_api_prices_any_county_of_yunnan_with_a_no_local_policy_notice(
    client, county, prefecture
):
    """Issue reproduction: 五华区 (530102) was a 422. POLICY §4.6: provincial award + notice."""
    body = {**QUOTE, "county": county, "category": "provincial_class1"}
    response = client.post("/api/v1/quote", json=body)
    assert response.status_code == 200, response.get_json()
    answer = response.get_json()
    assert [(ln["payer_code"], ln["amount"]) for ln in answer["competitor"]["lines"]] == [
        ("530000", "30000.00")
    ]
    assert any(prefecture in n and "本地奖励政策" in n for n in answer["notices"])


def test_quote_api_organiser_decides_the_prefecture_contest_rule(client):
    """POLICY §3, §4.3 (7): Diqing pays at contests it runs, for anyone; not elsewhere."""
    kunming_at_diqing = {
        **QUOTE,
        "category": "prefecture_class1",
        "county": "530102",
        "organiser": "533400",
    }
    answer = client.post("/api/v1/quote", json=kunming_at_diqing).get_json()
    assert [
        (ln["payer_code"], ln["amount"], ln["clause"]) for ln in answer["competitor"]["lines"]
    ] == [("533400", "10000.00", "(7)")]
    assert "按 compapp 读法" in answer["competitor"]["lines"][0]["citation"]
    diqing_at_kunming = {**kunming_at_diqing, "county": "533422", "organiser": "530100"}
    answer = client.post("/api/v1/quote", json=diqing_at_kunming).get_json()
    assert answer["competitor"]["lines"] == []
    assert any("本赛事由昆明市主办" in n for n in answer["notices"])
    # Without organiser: the sending county's prefecture (CONTRACT.md default).
    default = {**kunming_at_diqing, "county": "533422"}
    del default["organiser"]
    answer = client.post("/api/v1/quote", json=default).get_json()
    assert answer["competitor"]["total"] == "10000.00"


def test_promotion_api_takes_the_organiser(client):
    """POLICY §6 rule (3) belongs to contests run by 迪庆州, whoever places."""
    body = {
        "award_date": "2024-09-15",
        "category": "prefecture_class1",
        "event_format": "individual",
        "rank": 1,
        "current_grade": "senior",
        "is_employee": True,
        "county": "530102",
        "organiser": "533400",
    }
    answer = client.post("/api/v1/promotion", json=body).get_json()
    assert answer["eligible"] is True and answer["clause"] == "(3)"
    answer = client.post(
        "/api/v1/promotion", json={**body, "county": "533401", "organiser": "530100"}
    ).get_json()
    assert answer["eligible"] is False and "昆明市" in answer["reason"]
    bad = client.post("/api/v1/promotion", json={**body, "organiser": "533401"})
    assert bad.status_code == 422 and bad.get_json()["error"]["field"] == "organiser"


def test_quote_api_refuses_malformed_json(client):
    response = client.post("/api/v1/quote", data="{", content_type="application/json")
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "bad_request"


def test_promotion_api_answers_over_http(client):
    response = client.post(
        "/api/v1/promotion",
        json={
            "award_date": "2024-09-15",
            "category": "provincial_class1",
            "event_format": "pair",
            "rank": 2,
            "current_grade": "senior",
            "is_employee": True,
            "county": "533401",
        },
    )
    body = response.get_json()
    assert response.status_code == 200
    assert (body["eligible"], body["to_grade"], body["title"]) == (
        True,
        "technician",
        "云南竞赛技术能手",
    )


def test_what_if_compares_a_draft_with_current_awards(client, auth, dummy_admin, deqin_gold):
    """An administrator loads a draft version and sees who would receive what before it applies."""
    source = Path("compapp/policy/data/awards/dq-2022.toml").read_text(encoding="utf-8")
    assert "effective_from = 2022-05-27" in source
    draft = source.replace("effective_from = 2022-05-27", "effective_from = 2024-01-01", 1)
    draft = draft.replace("percent = 30", "percent = 40")
    assert draft != source
    auth.login("admin")
    response = client.post("/policies/what-if", data={"draft_text": draft})
    page = response.get_data(as_text=True)
    assert response.status_code == 200, page
    table = page[page.index('id="what-if"') :]
    assert "¥300,000.00" in table and "¥320,000.00" in table


def test_what_if_reports_a_broken_draft_and_keeps_it_to_mend(client, auth, dummy_admin):
    """Reproduction: the pasted draft was gone after an error; it stays in the box, which
    is marked invalid, described by the message and focused."""
    import re
    from html import unescape

    auth.login("admin")
    draft = 'id = "x"\ntitle = "草案 <测试>"\namount = 1.5\n'
    page = client.post("/policies/what-if", data={"draft_text": draft}).get_data(as_text=True)
    assert "草案未通过校验" in page
    box = re.search(r"<textarea([^>]*)>(.*?)</textarea>", page, re.S)
    assert unescape(box.group(2)) == draft
    assert 'aria-invalid="true"' in box.group(1) and 'aria-describedby="draft-error"' in box.group(
        1
    )
    assert "autofocus" in box.group(1) and 'id="draft-error"' in page


def test_only_admins_run_what_if(client, auth, dummy_organiser):
    auth.login("organiser")
    assert client.get("/policies/what-if").status_code == 403


def test_clearing_a_placement_supersedes_its_awards(db, deqin_gold):
    event = deqin_gold.event
    data = contest_services.EntryData(
        sending_county="533422",
        members=[
            contest_services.MemberData(deqin_gold.members[0].competitor.id_number, "斯那品初")
        ],
    )
    contest_services.save_entry(event, data, None, event.version, deqin_gold)
    db.session.commit()
    assert db.session.scalar(db.select(db.func.count(Placement.id))) == 0
    assert current_lines(db, deqin_gold, "competitor") == []
    assert db.session.scalar(db.select(db.func.count(AwardLineRecord.id))) == 6


def test_recompute_and_what_if_load_entries_in_bulk(db, create_contest, create_event, create_entry):
    """Recomputing a contest or trying a draft reads each entry's facts with the others, not one
    lazy load per entry: the SELECTs that read entries, placements, members and counties stay
    the same however many entries there are."""
    from compapp.contests.models import Contest, Event
    from compapp.rewards.services import award_policies, grant_contest_awards, what_if
    from tests.queries import counted

    contest = create_contest()
    contest_id, event_id = contest.id, create_event(contest, event_format="pair").id
    reading = ("FROM entries", "FROM placements", "FROM entry_members", "FROM jurisdictions")

    def reads(action) -> int:
        db.session.expunge_all()
        with counted(db) as statements:
            action(db.session.get(Contest, contest_id))
        return len([s for s in statements if any(table in s for table in reading)])

    def both(c):
        grant_contest_awards(c, award_policies())
        assert len(what_if(c, award_policies(), award_policies())) == len(c.events[0].entries)

    create_entry(db.session.get(Event, event_id), rank=1, result="gold")
    create_entry(db.session.get(Event, event_id), county="530402", rank=2, result="silver")
    few = reads(both)
    for rank in range(3, 9):
        create_entry(db.session.get(Event, event_id), rank=rank, result="bronze")
    assert reads(both) == few


def test_recompute_runs_as_a_background_job_and_reports_the_changes(
    db, client, auth, dummy_organiser, deqin_gold
):
    """Re-pricing a contest is a background job (issue 20 §2): the button starts it, its page
    follows it, and when it is done the awards page says how many entries changed."""
    from compapp.jobs.models import Job

    contest_id = deqin_gold.event.contest_id
    auth.login("organiser")
    started = client.post(f"/contests/{contest_id}/awards/recompute")
    assert started.status_code == 302
    job_page = started.headers["Location"]
    assert f"/contests/{contest_id}/awards/recompute/" in job_page
    job = db.session.scalar(db.select(Job))
    assert (job.kind, job.state, job.contest_id) == ("contest_recompute", "done", contest_id)
    assert client.get(job_page + "?format=json").get_json()["result"] == {
        "changed": 0,
        "entries": 1,
    }
    page = client.get(job_page, follow_redirects=True).get_data(as_text=True)
    assert "已重新计算：0 个参赛组的奖励有变化。" in page
