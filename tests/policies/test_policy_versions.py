"""Policy versions entered by an administrator: stored in the file shape, checked strictly,
exported and imported, previewed in the background, activated by a second administrator,
then applied to the stored awards (issue 21, points 2-5).

Yuxi's amounts are not in the sources (POLICY.md §4.5, ``001_da08546dd4712789.txt:42``): the
figures here are invented test figures, entered with an invented citation as a user would.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from io import BytesIO
from pathlib import Path

import pytest

from compapp.audit.models import AuditEntry
from compapp.policies import services
from compapp.policies.models import PolicyRevision
from compapp.policy.loader import PolicyFileError, load_policies, load_policy_file
from compapp.rewards.models import AwardLineRecord
from tests.helpers import PASSWORD

YUXI_QUOTE = "对获得全国职业技能大赛金、银、铜牌的选手，分别给予每人5万元、3万元、2万元一次性奖励（测试用虚构条文）。"
YUXI_NOTICE = "compapp 尚未配置玉溪市的奖励金额"


def yuxi_form(**overrides) -> dict:
    """The new-version form of yx-2022-8 as admin A fills it in (invented test figures)."""
    data = {
        "summary": "录入兴玉英才支持计划的奖励金额",
        "effective_from": "2022-01-01",
        "date_assumed": "y",
        "date_note": "来源文件只印年份，假定自 2022年1月1日起施行。",
        "schedule-0-categories": ["national_skills_competition"],
        "schedule-0-payer": "prefecture",
        "schedule-0-applies_to": "sent_by_jurisdiction",
        "schedule-0-gold": "50000",
        "schedule-0-silver": "30000",
        "schedule-0-bronze": "20000",
        "schedule-0-coaching_team": "same_standard",
        "schedule-0-document": "《玉溪市“兴玉英才支持计划”实施办法》",
        "schedule-0-section": "第五条",
        "schedule-0-item": "(二)",
        "schedule-0-quote": YUXI_QUOTE,
        "schedule-1-coaching_team": "same_standard",
        "schedule-1-applies_to": "sent_by_jurisdiction",
        "schedule-2-coaching_team": "same_standard",
        "schedule-2-applies_to": "sent_by_jurisdiction",
        "topup-0-coaching_team": "same_standard",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def admins(create_user):
    return create_user("admin_a", "admin", display_name="管理员甲"), create_user(
        "admin_b", "admin", display_name="管理员乙"
    )


@pytest.fixture
def yuxi_bronze(db, dummy_contest, create_event, create_entry):
    """A 江川区 pair's bronze at the national skills competition (2024), result confirmed."""
    event = create_event(dummy_contest, "移动机器人", "pair", "medals")
    entry = create_entry(
        event, county="530403", rank=3, result="bronze", names=["王建国", "普文华"]
    )
    entry.placement.status = "confirmed"
    db.session.commit()
    return entry


def enter_yuxi(client, auth, **overrides):
    auth.login("admin_a")
    response = client.post("/policies/admin/yx-2022-8/new-version", data=yuxi_form(**overrides))
    return response


def only_revision(db) -> PolicyRevision:
    return db.session.scalars(db.select(PolicyRevision)).one()


def test_an_entered_version_is_stored_as_a_policy_file_that_loads_strictly(
    db, client, auth, admins, tmp_path
):
    """Point 2: the form makes a file of the shipped shape; exported, the strict loader reads it."""
    response = enter_yuxi(client, auth)
    assert response.status_code == 302, response.get_data(as_text=True)
    revision = only_revision(db)
    assert revision.state == "pending" and revision.policy_id == "yx-2022-8"
    exported = client.get(f"/policies/admin/revisions/{revision.id}/export")
    assert exported.status_code == 200
    path = tmp_path / "yx-2022-8.toml"
    path.write_bytes(exported.data)
    policy = load_policy_file(path)
    version = policy.version_on(date(2024, 9, 15))
    row = version.schedule[0]
    assert row.amounts == {
        "gold": Decimal(50000),
        "silver": Decimal(30000),
        "bronze": Decimal(20000),
    }
    clause = policy.header.clauses[row.clause]
    assert clause.quote == YUXI_QUOTE and clause.document.startswith("《玉溪市")
    assert policy.header.cite(row.clause).text == "《玉溪市“兴玉英才支持计划”实施办法》第五条(二)"
    assert "amounts_configured" not in version.settings  # the notice goes with it
    # The whole shipped set reads with it in place of the shipped file.
    assert "yx-2022-8" in load_policies(revisions={"yx-2022-8": (revision.text, "yx-2022-8.toml")})


def test_a_value_without_its_quoted_sentence_is_refused_next_to_the_field(db, client, auth, admins):
    page = enter_yuxi(client, auth, **{"schedule-0-quote": ""}).get_data(as_text=True)
    assert 'id="schedule-0-quote-error"' in page and "逐字摘录" in page
    assert db.session.scalar(db.select(db.func.count(PolicyRevision.id))) == 0


def test_the_strict_loaders_refusal_is_shown_next_to_the_amount_it_concerns(
    db, client, auth, admins
):
    """A world-skills row cannot pay a 一等奖: the strict reader's message sits by that amount."""
    page = enter_yuxi(
        client,
        auth,
        **{"schedule-0-categories": ["worldskills"], "schedule-0-prize_1": "1000"},
    ).get_data(as_text=True)
    assert 'id="schedule-0-prize_1-error"' in page
    assert "未通过政策文件校验" in page and "prize_1" in page
    assert db.session.scalar(db.select(db.func.count(PolicyRevision.id))) == 0


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("schedule-0-gold", "-5", "不能为负数"),
        ("schedule-0-gold", "1e12", "不超过一千万元"),
        ("schedule-0-gold", "20000000", "不超过一千万元"),
        ("schedule-0-gold", "五万", "请填写金额"),
        ("schedule-0-gold", "12.345", "两位小数"),
    ],
)
def test_amounts_are_checked_with_a_message_by_the_field(
    db, client, auth, admins, field, value, message
):
    page = enter_yuxi(client, auth, **{field: value}).get_data(as_text=True)
    assert f'id="{field}-error"' in page and message in page
    assert db.session.scalar(db.select(db.func.count(PolicyRevision.id))) == 0


def test_an_attachment_must_be_a_pdf(db, client, auth, admins):
    data = yuxi_form()
    data["attachment"] = (BytesIO(b"MZ\x90\x00 not a pdf"), "amounts.pdf")
    auth.login("admin_a")
    page = client.post(
        "/policies/admin/yx-2022-8/new-version", data=data, content_type="multipart/form-data"
    ).get_data(as_text=True)
    assert "不是 PDF" in page
    assert db.session.scalar(db.select(db.func.count(PolicyRevision.id))) == 0


def test_an_attached_pdf_is_kept_and_cited_by_its_digest(db, client, auth, admins):
    from reportlab.pdfgen import canvas

    buffer = BytesIO()
    pdf = canvas.Canvas(buffer)
    pdf.drawString(72, 720, "Xingyu talent plan")
    pdf.save()
    data = yuxi_form()
    data["attachment"] = (BytesIO(buffer.getvalue()), "xingyu.pdf")
    auth.login("admin_a")
    response = client.post(
        "/policies/admin/yx-2022-8/new-version", data=data, content_type="multipart/form-data"
    )
    assert response.status_code == 302
    revision = only_revision(db)
    assert revision.attachment == buffer.getvalue()
    assert f'"attachment:{revision.attachment_digest}"' in revision.text
    download = client.get(f"/policies/admin/revisions/{revision.id}/attachment")
    assert download.status_code == 200 and download.data.startswith(b"%PDF-")


def test_a_file_is_imported_through_the_same_strict_checks(db, client, auth, admins):
    auth.login("admin_a")
    shipped = Path("compapp/policy/data/awards/ll-2022-64.toml").read_text(encoding="utf-8")
    changed = shipped.replace("gold = 150000", "gold = 160000")
    response = client.post(
        "/policies/admin/import",
        data={"file": (BytesIO(changed.encode()), "ll-2022-64.toml")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    assert only_revision(db).source == "import"
    broken = changed.replace("gold = 160000", "gold = 160000.5")
    page = client.post(
        "/policies/admin/import",
        data={"file": (BytesIO(broken.encode()), "ll-2022-64.toml")},
        content_type="multipart/form-data",
    ).get_data(as_text=True)
    assert 'id="file-error"' in page and "未通过政策文件校验" in page
    huge = client.post(
        "/policies/admin/import",
        data={"file": (BytesIO(b"#" * (300 * 1024)), "big.toml")},
        content_type="multipart/form-data",
    ).get_data(as_text=True)
    assert "256 KB" in huge
    assert db.session.scalar(db.select(db.func.count(PolicyRevision.id))) == 1


def test_only_administrators_reach_the_policy_forms(client, auth, dummy_organiser):
    auth.login("organiser")
    assert client.get("/policies/admin/yx-2022-8/new-version").status_code == 403
    assert client.get("/policies/admin").status_code == 403


def test_the_author_cannot_activate_their_own_version(db, client, auth, admins):
    """Point 4: four eyes, held by the service (and the database), not by the page."""
    admin_a, _admin_b = admins
    enter_yuxi(client, auth)
    revision = only_revision(db)
    with pytest.raises(services.PolicyRefused):
        services.activate_revision(revision, admin_a)
    db.session.rollback()
    response = client.post(f"/policies/admin/revisions/{revision.id}/activate")
    assert response.status_code == 409
    assert db.session.get(PolicyRevision, revision.id).state == "pending"


def test_the_database_refuses_a_decision_by_the_author(db, client, auth, admins):
    from sqlalchemy.exc import IntegrityError

    enter_yuxi(client, auth)
    revision = only_revision(db)
    with pytest.raises(IntegrityError):
        db.session.execute(
            db.update(PolicyRevision)
            .where(PolicyRevision.id == revision.id)
            .values(state="active", reviewed_by_id=revision.created_by_id, reviewed_at=date.today())
        )
        db.session.flush()
    db.session.rollback()


def test_a_second_administrator_sends_a_version_back_with_a_reason(db, client, auth, admins):
    enter_yuxi(client, auth)
    revision = only_revision(db)
    auth.logout()
    auth.login("admin_b")
    client.post(f"/policies/admin/revisions/{revision.id}/return", data={"reason": ""})
    assert db.session.get(PolicyRevision, revision.id).state == "pending"
    client.post(
        f"/policies/admin/revisions/{revision.id}/return", data={"reason": "条文摘录不完整"}
    )
    db.session.expire_all()
    returned = db.session.get(PolicyRevision, revision.id)
    assert returned.state == "returned" and returned.return_reason == "条文摘录不完整"
    page = client.get(f"/policies/admin/revisions/{revision.id}").get_data(as_text=True)
    assert "条文摘录不完整" in page


def test_preview_lists_the_yuxi_winners_affected_with_totals_per_payer(
    db, client, auth, admins, yuxi_bronze
):
    """Point 3: the placements in the version's period, priced under it and in force."""
    enter_yuxi(client, auth)
    revision = only_revision(db)
    response = client.post(f"/policies/admin/revisions/{revision.id}/preview")
    assert response.status_code == 302
    page = client.get(f"/policies/admin/revisions/{revision.id}").get_data(as_text=True)
    entries = page[page.index('id="preview-entries"') :]
    assert "王建国、普文华" in entries and "江川区" in entries
    payers = page[page.index('id="preview-payers"') : page.index('id="preview-entries"')]
    # Two competitors (no coaching team), ¥20,000 each from 玉溪市 (invented figures).
    assert "玉溪市" in payers and "+¥40,000.00" in payers
    assert "云南省" in payers
    result = services.preview(db.session.get(PolicyRevision, revision.id))
    assert result["total"]["delta"] == 40_000_00 and result["changed_entries"] == 1
    assert [(p["code"], p["delta"]) for p in result["payers"]] == [
        ("530000", 0),
        ("530400", 40_000_00),
    ]


def test_activation_replaces_unconfirmed_lines_and_adjusts_confirmed_ones(
    db, client, auth, admins, yuxi_bronze, create_user
):
    """Point 5: confirmed money changes only by adjustment lines awaiting the payer's
    confirmation, citing the new version; the Yuxi notice goes."""
    from compapp.finance.services import budget_view, confirm_budget
    from compapp.rewards.services import award_policies, contest_notices

    contest = yuxi_bronze.event.contest
    assert any(YUXI_NOTICE in n for n in contest_notices(contest))
    finance = create_user("finance_yn", "finance", jurisdiction_code="530000")
    confirm_budget(contest, "530000", finance, seen=budget_view("530000", contest))
    db.session.commit()
    enter_yuxi(client, auth)
    revision = only_revision(db)
    auth.logout()
    auth.login("admin_b")
    response = client.post(f"/policies/admin/revisions/{revision.id}/activate")
    assert response.status_code == 302
    db.session.expire_all()
    revision = db.session.get(PolicyRevision, revision.id)
    assert revision.state == "active"
    audit = db.session.scalars(
        db.select(AuditEntry).filter_by(action="activate_policy_version")
    ).one()
    assert revision.digest in audit.summary
    assert award_policies()["yx-2022-8"].versions[-1].digest == revision.digest
    lines = db.session.scalars(
        db.select(AwardLineRecord).filter_by(entry_id=yuxi_bronze.id, is_current=True)
    ).all()
    yuxi = [ln for ln in lines if ln.payer_code == "530400"]
    assert len(yuxi) == 2 and {ln.kind for ln in yuxi} == {"adjustment"}
    assert all(ln.amount_fen == 20_000_00 and ln.budget_confirmation_id is None for ln in yuxi)
    assert all(ln.policy_id == "yx-2022-8" and ln.policy_digest == revision.digest for ln in yuxi)
    province = [ln for ln in lines if ln.payer_code == "530000"]
    assert province and all(ln.budget_confirmation_id is not None for ln in province)
    assert not any(YUXI_NOTICE in n for n in contest_notices(contest))


def test_activation_replaces_lines_nobody_has_confirmed(db, client, auth, admins, yuxi_bronze):
    enter_yuxi(client, auth)
    revision = only_revision(db)
    services.activate_revision(revision, admins[1])
    job, _new = services.start_apply(revision, admins[1])
    db.session.commit()
    from compapp.jobs.services import run_job

    assert run_job(job.id) == "done"
    lines = db.session.scalars(
        db.select(AwardLineRecord).filter_by(entry_id=yuxi_bronze.id, is_current=True)
    ).all()
    assert {ln.kind for ln in lines} == {"award"}
    assert sum(ln.amount_fen for ln in lines if ln.payer_code == "530400") == 40_000_00


def test_a_version_drafted_before_another_was_activated_cannot_be_activated(
    db, client, auth, admins
):
    enter_yuxi(client, auth)
    enter_yuxi(client, auth, **{"schedule-0-gold": "60000", "summary": "另一稿"})
    first, second = db.session.scalars(db.select(PolicyRevision).order_by(PolicyRevision.id)).all()
    services.activate_revision(first, admins[1])
    db.session.commit()
    with pytest.raises(services.PolicyRefused):
        services.activate_revision(second, admins[1])
    db.session.rollback()
    assert db.session.get(PolicyRevision, second.id).state == "pending"


def test_a_stored_text_that_fails_the_strict_reader_is_never_put_in_force(db, admins):
    revision = PolicyRevision(
        policy_id="yx-2022-8",
        state="pending",
        text='id = "yx-2022-8"\n',
        digest="0" * 64,
        version_from=date(2022, 1, 1),
        summary="坏文件",
        source="import",
        created_by_id=admins[0].id,
    )
    db.session.add(revision)
    db.session.commit()
    with pytest.raises(PolicyFileError):
        services.activate_revision(revision, admins[1])
    db.session.rollback()


def test_signed_in_users_read_the_yuxi_notice_once_on_the_policies_page(client, auth, dummy_admin):
    """Reproduction: the amounts-not-configured notice showed as a warning and as a reading."""
    auth.login("admin")
    page = client.get("/policies/").get_data(as_text=True)
    section = page[page.index('id="yx-2022-8"') :]
    section = section[: section.index("</section>")]
    assert section.count(YUXI_NOTICE) == 1


def test_admin_b_signs_in_with_the_shared_password(client, auth, admins):
    assert auth.login("admin_b", PASSWORD).status_code == 302


def test_correcting_an_assumed_date_is_previewed_and_applied_like_a_new_version(
    db, client, auth, admins, create_contest, create_event, create_entry, create_user
):
    """Point 5: 云政发〔2021〕28号's date is assumed (2021-01-01, POLICY.md §5.4). If its real
    date were found to be later (an invented correction), a confirmed award in between is
    taken back only by an adjustment line awaiting the province's confirmation."""
    from compapp.finance.services import budget_view, confirm_budget

    contest = create_contest("省级一类竞赛", "provincial_class1", date(2021, 3, 1))
    event = create_event(contest, "电工", "individual", "medals")
    entry = create_entry(event, county="533422", rank=1, result="gold")
    entry.placement.status = "confirmed"
    db.session.commit()
    finance = create_user("finance_yn", "finance", jurisdiction_code="530000")
    confirm_budget(contest, "530000", finance, seen=budget_view("530000", contest))
    db.session.commit()
    auth.login("admin_a")
    form = client.get("/policies/admin/yn-2021-28/correct-dates").get_data(as_text=True)
    assert "2021-01-01 起（假定日期）" in form
    response = client.post(
        "/policies/admin/yn-2021-28/correct-dates",
        data={
            "version_from": "2021-01-01",
            "summary": "更正施行日期（测试用虚构日期）",
            "effective_from": "2021-06-01",
            "date_note": "测试用：假设在文件落款处找到的施行日期。",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    revision = only_revision(db)
    assert (revision.version_from, revision.version_to) == (date(2021, 1, 1), None)
    result = services.preview(revision)
    assert result["changed_entries"] == 1
    assert [(p["code"], p["delta"]) for p in result["payers"]] == [("530000", -30_000_00)]
    services.activate_revision(revision, admins[1])
    job, _new = services.start_apply(revision, admins[1])
    db.session.commit()
    from compapp.jobs.services import run_job

    assert run_job(job.id) == "done"
    lines = db.session.scalars(
        db.select(AwardLineRecord).filter_by(entry_id=entry.id, is_current=True)
    ).all()
    adjustments = [ln for ln in lines if ln.kind == "adjustment"]
    assert [(ln.payer_code, ln.amount_fen) for ln in adjustments] == [("530000", -30_000_00)]
    assert all(ln.budget_confirmation_id is None for ln in adjustments)
    assert sum(ln.amount_fen for ln in lines) == 0


def test_a_date_correction_ending_before_it_starts_is_refused_next_to_the_date(
    db, client, auth, admins
):
    auth.login("admin_a")
    page = client.post(
        "/policies/admin/yx-2022-8/correct-dates",
        data={
            "version_from": "2022-01-01",
            "summary": "更正",
            "effective_from": "2022-03-01",
            "effective_to": "2022-02-01",
            "date_note": "测试。",
        },
    ).get_data(as_text=True)
    assert 'id="effective_to-error"' in page
    assert db.session.scalar(db.select(db.func.count(PolicyRevision.id))) == 0


def test_the_policies_commands_read_the_stored_version_in_force(db, runner, client, auth, admins):
    enter_yuxi(client, auth)
    services.activate_revision(only_revision(db), admins[1])
    db.session.commit()
    checked = runner.invoke(args=["policies", "check"])
    assert checked.exit_code == 0, checked.output
    assert "yx-2022-8 (stored version in force)" in checked.output
    shown = runner.invoke(args=["policies", "show", "yx-2022-8", "--on", "2024-09-15"])
    assert shown.exit_code == 0, shown.output
    assert "金牌 ¥50,000" in shown.output
