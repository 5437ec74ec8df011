"""Roles and scopes, four-eyes confirmation, finance budgets with adjustments, audit (issue 5).

Runs on the demo data set, with its accounts (password compapp-demo).
"""

import re
import subprocess
from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
from openpyxl import load_workbook

from compapp.audit.models import AuditEntry, AuditLogIsAppendOnly
from compapp.auth.models import User
from compapp.contests.models import Contest, Entry, Placement
from compapp.rewards.models import AwardLineRecord
from tests.helpers import signed_in
from tests.pages import submit

NATIONAL = "第二届全国技能大赛"


@pytest.fixture
def demo(runner, db):
    result = runner.invoke(args=["seed", "demo"])
    assert result.exit_code == 0, result.output


def contest_named(db, name) -> Contest:
    return db.session.scalar(db.select(Contest).filter_by(name=name))


def confirm_result(client, placement):
    """Confirm a result from its event page, as the reviewer sees it."""
    event = f"/contests/events/{placement.entry.event_id}"
    return submit(client, event, f"/contests/placements/{placement.id}/confirm")


def confirm_budget(client, contest, **kwargs):
    """Confirm a budget from its page, as the finance officer sees it."""
    page = f"/finance/contests/{contest.id}"
    return submit(client, page, f"{page}/confirm", **kwargs)


def flashes(response) -> list[str]:
    return re.findall(r'class="flash \w+">([^<]*)<', response.get_data(as_text=True))


@pytest.mark.parametrize(
    ("username", "url", "status"),
    [
        ("organiser1", "/contests/", 200),
        ("organiser1", "/contests/review", 200),
        ("organiser1", "/finance/", 403),
        ("organiser1", "/accounts/", 403),
        ("organiser1", "/audit/", 403),
        ("organiser1", "/my/team", 403),
        ("coach1", "/my/team", 200),
        ("coach1", "/contests/", 403),
        ("coach1", "/finance/", 403),
        ("coach1", "/my/results", 403),
        ("finance_dq", "/finance/", 200),
        ("finance_dq", "/contests/", 403),
        ("finance_dq", "/finance/?payer=530000", 403),
        ("finance_dq", "/accounts/", 403),
        ("winner1", "/my/results", 200),
        ("winner1", "/my/team", 403),
        ("winner1", "/contests/", 403),
        ("winner1", "/finance/", 403),
        ("admin", "/accounts/", 200),
        ("admin", "/audit/", 200),
        ("admin", "/finance/?payer=533400", 200),
    ],
)
def test_each_role_reaches_only_its_pages(app, demo, username, url, status):
    assert signed_in(app, username).get(url).status_code == status


def test_another_scope_reached_by_changing_an_id_gives_no_data(app, db, demo):
    """An organiser of 迪庆州 cannot open the province's contests; a finance officer only
    the contests their jurisdiction pays for."""
    provincial = contest_named(db, "云南省第二届职业技能大赛")
    diqing = contest_named(db, "迪庆州第一届职业技能大赛")
    organiser_dq = signed_in(app, "organiser_dq")
    assert organiser_dq.get(f"/contests/{provincial.id}").status_code == 404
    assert organiser_dq.get(f"/contests/{provincial.id}/awards").status_code == 404
    assert organiser_dq.get(f"/contests/{diqing.id}").status_code == 200
    longling_only = contest_named(db, "第二届全国乡村振兴职业技能大赛")
    finance_deqin = signed_in(app, "finance_deqin")
    assert finance_deqin.get(f"/finance/contests/{longling_only.id}").status_code == 404
    entry_id = db.session.scalar(
        db.select(Entry.id).join(Entry.event).where(Entry.sending_county_code == "530523")
    )
    assert organiser_dq.get(f"/contests/entries/{entry_id}/edit").status_code == 404


def test_coach_and_winner_see_only_their_own(app, db, demo):
    coach1 = signed_in(app, "coach1").get("/my/team").get_data(as_text=True)
    coach2 = signed_in(app, "coach2").get("/my/team").get_data(as_text=True)
    assert "斯那品初" in coach1 and "斯那品初" not in coach2
    assert "段永明" in coach2 and "段永明" not in coach1
    assert "和建华" in coach1 and "60%" in coach1 and "¥360,000.00" in coach1  # 60% of ¥600,000
    winner = signed_in(app, "winner1").get("/my/results").get_data(as_text=True)
    assert "此里农布" in winner  # the page is theirs; names of others must not show
    assert "鲁茸卓玛" not in winner and "斯那品初" not in winner
    assert "第47届世界技能大赛" in winner and "¥600,000.00" in winner


def test_the_one_who_entered_cannot_confirm(app, db, demo):
    """Four-eyes: organiser1 entered the result; organiser1 is refused, organiser2 confirms."""
    placement = db.session.scalar(
        db.select(Placement)
        .filter_by(status="entered")
        .join(Placement.entered_by)
        .where(User.username == "organiser1")
    )
    response = signed_in(app, "organiser1").post(
        f"/contests/placements/{placement.id}/confirm", follow_redirects=True
    )
    assert any("不能复核自己录入的成绩" in f for f in flashes(response))
    db.session.refresh(placement)
    assert placement.status == "entered"
    confirm_result(signed_in(app, "organiser2"), placement)
    db.session.refresh(placement)
    assert placement.status == "confirmed"
    assert placement.confirmed_by.username == "organiser2"


def diqing_lines(db, contest):
    return db.session.scalars(
        db.select(AwardLineRecord)
        .join(Entry)
        .join(Entry.event)
        .where(AwardLineRecord.payer_code == "533400", AwardLineRecord.is_current.is_(True))
        .filter(Entry.event.has(contest_id=contest.id))
        .order_by(AwardLineRecord.id)
    ).all()


def test_finance_confirms_the_prefecture_lines_and_a_change_adds_an_adjustment(app, db, demo):
    """迪庆州 sees exactly its 20% lines and confirms them; a later change never edits them."""
    contest = contest_named(db, NATIONAL)
    finance = signed_in(app, "finance_dq")
    page = finance.get(f"/finance/contests/{contest.id}").get_data(as_text=True)
    lines = diqing_lines(db, contest)
    # 斯那品初 (德钦县) gold: ¥40,000 for the competitor and ¥40,000 for the coaching team;
    # 扎西顿珠 and 阿布 (香格里拉市) pair excellence: no top-up for 优胜奖.
    assert [ln.amount for ln in lines] == [Decimal("40000.00"), Decimal("40000.00")]
    table = page[
        page.index('id="budget-lines"') : page.index("</table>", page.index("budget-lines"))
    ]
    assert table.count("¥40,000.00") == 2 and "云南省" not in table and "¥200,000.00" not in table
    assert "¥80,000.00" in table
    response = confirm_budget(finance, contest, data={"note": "2024 预算"})
    assert response.status_code == 302
    confirmed = diqing_lines(db, contest)
    assert all(ln.budget_confirmation_id for ln in confirmed)

    # The result turns out to be bronze: reopen with a reason, correct, confirm by another.
    entry = confirmed[0].entry
    organiser1, organiser2 = signed_in(app, "organiser1"), signed_in(app, "organiser2")
    organiser1.post(
        f"/contests/placements/{entry.placement.id}/reopen", data={"note": "裁判组更正成绩"}
    )
    form = {
        "version": str(entry.event.version),
        "sending_county": "533422",
        "members-0-id_number": entry.members[0].competitor.id_number,
        "members-0-name": entry.members[0].competitor.name,
        "coaches-0-name": "和建华",
        "coaches-0-role": "coach",
        "rank": "3",
        "result": "bronze",
    }
    response = organiser1.post(f"/contests/entries/{entry.id}/edit", data=form)
    assert response.status_code == 302, response.get_data(as_text=True)[-2000:]
    confirm_result(organiser2, entry.placement)

    after = diqing_lines(db, contest)
    originals = [ln for ln in after if ln.kind == "award"]
    adjustments = [ln for ln in after if ln.kind == "adjustment"]
    assert [(ln.id, ln.amount) for ln in originals] == [(ln.id, ln.amount) for ln in confirmed]
    # Bronze: 20% of ¥80,000 = ¥16,000, so −¥24,000 against each confirmed ¥40,000.
    assert [ln.amount for ln in adjustments] == [Decimal("-24000.00"), Decimal("-24000.00")]
    assert all(ln.budget_confirmation_id is None for ln in adjustments)
    assert "调整" in adjustments[0].explanation
    # The text names the reason, the confirmed and the due amount with its explanation.
    text = adjustments[0].explanation
    assert text.startswith("调整（成绩修改）：已确认 ¥40,000.00，现应为 ¥16,000.00（")
    assert "省级标准 ¥80,000 × 20% = ¥16,000" in text and "差额 −¥24,000.00" in text
    response = confirm_budget(finance, contest, follow_redirects=True)
    assert "已确认 2 条明细，合计 -¥48,000.00。" in flashes(response)  # the sign before ¥
    assert all(ln.budget_confirmation_id for ln in diqing_lines(db, contest))
    assert sum(ln.amount for ln in diqing_lines(db, contest)) == Decimal("32000.00")


def test_finance_cannot_confirm_provisional_lines(app, db, demo):
    """Lines of results not yet confirmed by a second person stay provisional."""
    contest = contest_named(db, "2024年全国行业职业技能竞赛（电力行业）")  # results only entered
    finance = signed_in(app, "finance_dq")
    response = finance.post(f"/finance/contests/{contest.id}/confirm", follow_redirects=True)
    assert any("成绩须先经第二人复核确认" in f for f in flashes(response))
    assert not any(ln.budget_confirmation_id for ln in diqing_lines(db, contest))


def test_confirmed_lines_are_marked_paid_with_a_reference(app, db, demo):
    contest = contest_named(db, NATIONAL)
    finance = signed_in(app, "finance_dq")
    confirm_budget(finance, contest)
    line = diqing_lines(db, contest)[0]
    response = submit(
        finance,
        f"/finance/contests/{contest.id}",
        f"/finance/contests/{contest.id}/paid",
        data={
            "line_ids": [line.id],
            "payment_reference": "DQCZ-2024-0915",
            "paid_on": "2024-10-08",
        },
    )
    assert response.status_code == 302
    db.session.refresh(line)
    assert (line.status(), line.payment_reference, line.paid_on) == (
        "paid",
        "DQCZ-2024-0915",
        date(2024, 10, 8),
    )
    other = db.session.scalar(
        db.select(AwardLineRecord).filter_by(payer_code="530000", entry_id=line.entry_id)
    )
    response = finance.post(
        f"/finance/contests/{contest.id}/paid",
        data={"line_ids": [other.id], "payment_reference": "X", "paid_on": "2024-10-08"},
        follow_redirects=True,
    )
    assert any("只能登记本单位" in f for f in flashes(response))


def test_a_line_of_another_contest_cannot_be_marked_paid_through_this_one(app, db, demo):
    contest = contest_named(db, NATIONAL)
    finance = signed_in(app, "finance_dq")
    confirm_budget(finance, contest)
    line = diqing_lines(db, contest)[0]
    elsewhere = contest_named(db, "迪庆州第一届职业技能大赛")
    response = finance.post(
        f"/finance/contests/{elsewhere.id}/paid",
        data={"line_ids": [line.id], "payment_reference": "X", "paid_on": "2024-10-08"},
    )
    assert response.status_code == 404
    db.session.refresh(line)
    assert line.status() == "confirmed" and line.payment_reference is None
    response = finance.post(
        f"/finance/contests/{contest.id}/paid",
        data={"payment_reference": "X", "paid_on": "2024-10-08"},
        follow_redirects=True,
    )
    assert any("请选择要登记支付的明细" in f for f in flashes(response))


def test_budget_exports_read_correctly(app, db, demo, tmp_path):
    contest = contest_named(db, NATIONAL)
    finance = signed_in(app, "finance_dq")
    book = load_workbook(BytesIO(finance.get(f"/finance/contests/{contest.id}/budget.xlsx").data))
    rows = list(book["预算明细"].iter_rows(min_row=3, values_only=True))
    assert rows[-2][0] == "合计" and Decimal(str(rows[-2][6])) == Decimal("80000")
    assert rows[-1][1] == "人民币捌万元整"
    sheet = book["预算明细"]  # caption, shaded bold header, money format (core.xlsx)
    assert sheet["A1"].font.bold and sheet["A2"].font.bold and sheet.freeze_panes == "A3"
    assert sheet.cell(row=3, column=7).number_format == "#,##0.00"
    pdf = finance.get(f"/finance/contests/{contest.id}/budget.pdf").data
    assert pdf.startswith(b"%PDF")
    path = tmp_path / "budget.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "人民币捌万元整" in text and "迪庆藏族自治州" in text and "财务负责人" in text
    # POLICY §8: the basis names documents and clauses with the quoted sentence, no files.
    assert "迪庆方案（未印文号）四（四）2.(6)" in text
    assert "州级承担20%" in text  # the quoted sentence of (6)
    for unreadable in (".txt", "POLICY.md", "dq-2022", "yn-2021-28", "sha256"):
        assert unreadable not in text
    cells = [str(c) for r in book["预算明细"].iter_rows(values_only=True) for c in r if c]
    cells += [str(c) for r in book["政策依据"].iter_rows(values_only=True) for c in r if c]
    assert any("迪庆方案（未印文号）四（四）2.(6)" in c for c in cells)
    assert not any(u in c for c in cells for u in (".txt", "dq-2022", "yn-2021-28"))
    fonts = subprocess.run(
        ["pdffonts", str(path)], capture_output=True, text=True, check=True
    ).stdout
    assert "WenQuanYi" in fonts and " yes " in fonts


def test_every_kind_of_change_is_audited(app, db, demo):
    contest = contest_named(db, NATIONAL)
    placement = db.session.scalar(db.select(Placement).filter_by(status="entered"))
    confirm_result(signed_in(app, "organiser2"), placement)
    finance = signed_in(app, "finance_dq")
    confirm_budget(finance, contest)
    organiser = signed_in(app, "organiser1")
    organiser.post(
        "/contests/new",
        data={
            "name": "审计测试赛",
            "category": "provincial_class1",
            "organising_body": "x",
            "starts_on": "2025-01-01",
            "ends_on": "2025-01-02",
            "award_on": "2025-01-03",
        },
    )
    admin = signed_in(app, "admin")
    admin.post(
        "/accounts/new",
        data={
            "username": "newfin",
            "display_name": "新财务",
            "role": "finance",
            "jurisdiction_code": "533423",
            "active": "y",
        },
    )
    actions = set(db.session.scalars(db.select(AuditEntry.action)))
    assert {
        "confirm_placement",
        "confirm_budget",
        "create_contest",
        "create_user",
        "send_invitation",
        "compute_awards",
    } <= actions
    entry = db.session.scalar(db.select(AuditEntry).filter_by(action="confirm_placement"))
    assert entry.username == "organiser2" and entry.before == {"status": "entered"}
    page = admin.get("/audit/?action=confirm_budget").get_data(as_text=True)
    assert "confirm_budget" in page and "finance_dq" in page
    csv = admin.get("/audit/export.csv?action=create_contest").get_data(as_text=True)
    assert "审计测试赛" in csv and "confirm_budget" not in csv


def test_audit_entries_cannot_be_changed_or_deleted(db, demo):
    entry = db.session.scalar(db.select(AuditEntry))
    entry.summary = "changed"
    with pytest.raises(AuditLogIsAppendOnly):
        db.session.flush()
    db.session.rollback()
    db.session.delete(db.session.scalar(db.select(AuditEntry)))
    with pytest.raises(AuditLogIsAppendOnly):
        db.session.flush()
    db.session.rollback()


def test_invitation_link_sets_a_password_once(app, db, demo):
    from compapp.contests.models import Coach

    coach_id = db.session.scalar(db.select(Coach.id).filter_by(name="周红梅"))
    admin = signed_in(app, "admin")
    page = admin.post(
        "/accounts/new",
        data={
            "username": "coach3",
            "display_name": "新教练",
            "role": "coach",
            "coach_id": str(coach_id),
            "active": "y",
        },
    ).get_data(as_text=True)
    url = re.search(r'value="(http[^"]+/invitation/[^"]+)"', page).group(1)
    path = url.split("localhost", 1)[1]
    client = app.test_client()
    assert client.post(path, data={"password": "short", "confirm": "short"}).status_code == 200
    response = client.post(path, data={"password": "a-long-password", "confirm": "a-long-password"})
    assert response.status_code == 302
    assert (
        client.post(
            "/login", data={"username": "coach3", "password": "a-long-password"}
        ).status_code
        == 302
    )
    assert app.test_client().get(path).status_code == 410


def test_scope_is_required_for_scoped_roles(app, db, demo):
    admin = signed_in(app, "admin")
    page = admin.post(
        "/accounts/new",
        data={"username": "f2", "display_name": "x", "role": "finance", "active": "y"},
    )
    assert "该角色须指定其范围。" in page.get_data(as_text=True)
    page = admin.post(
        "/accounts/new",
        data={
            "username": "c9",
            "display_name": "x",
            "role": "coach",
            "coach_id": "999999",
            "active": "y",
        },
    )
    assert "所选范围不存在，请重新选择。" in page.get_data(as_text=True)
    assert db.session.scalar(db.select(User).filter(User.username.in_(["f2", "c9"]))) is None


@pytest.fixture
def app_config(request):
    return getattr(request, "param", {})


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True}], indirect=True)
def test_forms_without_a_csrf_token_are_rejected(app, client, create_user):
    """CSRF protection is on outside tests: a POST without the token is refused."""
    create_user("someone", "organiser")
    response = client.post("/login", data={"username": "someone", "password": "x"})
    assert response.status_code == 400


def test_home_page_shows_only_the_organisers_own_contests(app, db, demo):
    """迪庆州's organiser sees Diqing's contests on the home page, not the province's."""
    page = signed_in(app, "organiser_dq").get("/").get_data(as_text=True)
    assert "迪庆州第一届职业技能大赛" in page
    assert "云南省第二届职业技能大赛" not in page and "第47届世界技能大赛" not in page


def test_imports_are_limited_to_the_organisers_own_contests(app, db, demo):
    provincial = contest_named(db, "云南省第二届职业技能大赛")
    organiser_dq = signed_in(app, "organiser_dq")
    assert "云南省第二届职业技能大赛" not in organiser_dq.get("/imports/").get_data(as_text=True)
    assert organiser_dq.get(f"/imports/contests/{provincial.id}").status_code == 404
    assert organiser_dq.get(f"/imports/contests/{provincial.id}/template.xlsx").status_code == 404
    assert signed_in(app, "organiser1").get(f"/imports/contests/{provincial.id}").status_code == 200
