"""The main journeys, as people do them: in chromium, through the pages, against the demo data.

Each journey sets up what it needs itself, so it passes alone and in any order.
"""

from __future__ import annotations

import re
import subprocess
from datetime import date

import pytest
from playwright.sync_api import Page, expect

from compapp.core.idnumber import make_id_number
from compapp.rewards.entries import save_and_price_entry

pytestmark = pytest.mark.browser

WORLDSKILLS = "第47届世界技能大赛"
PROVINCIAL = "云南省第二届职业技能大赛"


def open_menu(page: Page, label: str) -> None:
    page.locator("header nav").get_by_role("link", name=label, exact=True).click()


def entry_row(page: Page, text: str):
    return page.locator("#entries tbody tr").filter(has_text=text)


def enter_placement_as(live_server, username: str, contest_name: str) -> tuple[int, int]:
    """Set up, as ``username`` would through the forms: a contest, a pair event, a placement.

    Returns (event id, placement id).
    """
    from compapp.auth.models import User
    from compapp.contests.services import (
        ContestData,
        EntryData,
        MemberData,
        add_event,
        save_contest,
    )
    from compapp.extensions import db

    with live_server.app.app_context():
        user = db.session.scalar(db.select(User).filter_by(username=username))
        contest = save_contest(
            ContestData(
                name=contest_name,
                category="provincial_class1",
                organising_body=user.organising_body.name,
                starts_on=date(2026, 10, 12),
                ends_on=date(2026, 10, 14),
                award_on=date(2026, 10, 15),
            )
        )
        event = add_event(contest, "西式面点师", "pair", "prizes")
        members = [
            MemberData(id_number=make_id_number("53342219960303" + serial), name=name)
            for serial, name in (("801", "格桑拉姆"), ("802", "次仁央宗"))
        ]
        entry = save_and_price_entry(
            event,
            EntryData(sending_county="533422", members=members, rank=1, result="prize_1"),
            user.id,
            event.version,
        )
        ids = (event.id, entry.placement.id)
        db.session.commit()
        db.session.remove()
    return ids


def test_organiser_registers_a_contest_adds_a_pair_event_and_enters_a_placement(page, sign_in):
    """An organiser registers a contest, adds a pair event and enters a first prize."""
    sign_in("organiser1")
    open_menu(page, "赛事")
    page.get_by_role("link", name="登记赛事").click()
    page.get_by_label("赛事名称").fill("2026年云南省“技能云南”餐饮服务职业技能竞赛")
    page.get_by_label("赛事类别").select_option("provincial_class1")
    expect(page.get_by_label("主办单位")).to_have_value("云南省人力资源和社会保障厅")
    page.get_by_label("举办地点").fill("昆明")
    page.get_by_label("开始日期").fill("2026-10-12")
    page.get_by_label("结束日期").fill("2026-10-14")
    page.get_by_label("颁奖（成绩认定）日期").fill("2026-10-15")
    page.get_by_role("button", name="保存").click()
    expect(page.locator(".flash.success")).to_contain_text("已登记赛事")
    expect(page.locator("h1")).to_have_text("2026年云南省“技能云南”餐饮服务职业技能竞赛")

    page.get_by_label("职业（工种）").fill("餐厅服务员")
    page.get_by_label("赛项形式").select_option("pair")
    page.get_by_label("奖项设置").select_option("prizes")
    page.get_by_role("button", name="添加赛项").click()
    expect(page.locator(".flash.success")).to_contain_text("已添加赛项“餐厅服务员”")

    page.get_by_label("选派单位（县、市、区）").select_option("533422")
    for index, (serial, name) in enumerate((("701", "卓玛央金"), ("702", "扎西平措"))):
        page.locator(f"#members-{index}-id_number").fill(make_id_number("53342219970404" + serial))
        page.locator(f"#members-{index}-name").fill(name)
    page.locator("#coaches-0-name").fill("和建华")
    page.get_by_label("决赛名次").fill("1")
    page.get_by_label("奖项", exact=True).select_option("prize_1")
    page.get_by_role("button", name="保存").click()

    expect(page.locator(".flash.success")).to_contain_text("已保存参赛组（卓玛央金、扎西平措）")
    row = entry_row(page, "卓玛央金")
    expect(row.locator("td").nth(0)).to_have_text("1")
    expect(row).to_contain_text("一等奖")
    expect(row).to_contain_text("待复核")
    # The one who entered it cannot confirm it: no confirm button on their own row.
    expect(row.get_by_role("button", name="复核确认")).to_have_count(0)


def test_second_organiser_confirms_a_result_the_first_cannot_confirm(page, sign_in, live_server):
    """Four-eyes: the organiser who entered a result cannot confirm it; a second one can."""
    event_id, placement_id = enter_placement_as(
        live_server, "organiser1", "2026年云南省一类职业技能竞赛（西式面点）"
    )

    sign_in("organiser1")
    open_menu(page, "成绩复核")
    row = page.locator("#review tbody tr").filter(has_text="格桑拉姆、次仁央宗")
    expect(row).to_contain_text("由您录入，需他人复核")
    expect(row.get_by_role("button", name="确认")).to_have_count(0)
    # Even a hand-made confirmation request (a stale tab, a crafted form) is refused.
    token = page.locator("header input[name=csrf_token]").input_value()
    page.evaluate(
        """([action, token]) => {
            const form = document.createElement('form');
            form.method = 'post'; form.action = action;
            const input = document.createElement('input');
            input.name = 'csrf_token'; input.value = token; form.appendChild(input);
            document.body.appendChild(form); form.submit();
        }""",
        [f"/contests/placements/{placement_id}/confirm", token],
    )
    expect(page.locator(".flash.error")).to_contain_text("不能复核自己录入的成绩")
    page.goto(f"/contests/events/{event_id}")
    expect(entry_row(page, "格桑拉姆")).to_contain_text("待复核")
    page.locator("header").get_by_role("button", name="退出").click()

    sign_in("organiser2")
    open_menu(page, "成绩复核")
    row = page.locator("#review tbody tr").filter(has_text="格桑拉姆、次仁央宗")
    expect(row).to_contain_text("李组织（省人社厅）")
    row.get_by_role("button", name="确认").click()
    expect(page.locator(".flash.success")).to_contain_text("已确认成绩")
    expect(page.locator("#review tbody tr").filter(has_text="格桑拉姆")).to_have_count(0)
    page.goto(f"/contests/events/{event_id}")
    expect(entry_row(page, "格桑拉姆")).to_contain_text("已确认")


def test_diqing_finance_officer_confirms_the_prefecture_share_of_a_contest(page, sign_in):
    """The 迪庆州 finance officer sees the prefecture's 20% lines and confirms them (dq-2022 (6))."""
    sign_in("finance_dq")
    open_menu(page, "奖励资金预算")
    expect(page.locator("h1")).to_have_text("奖励资金预算：迪庆藏族自治州")
    page.get_by_role("link", name=PROVINCIAL, exact=True).click()
    expect(page.locator("h1")).to_have_text(f"迪庆藏族自治州：{PROVINCIAL}")

    lines = page.locator("#budget-lines tbody tr")
    expect(lines).to_have_count(6)
    for i in range(6):
        expect(lines.nth(i)).to_contain_text("¥6,000.00")
        expect(lines.nth(i)).to_contain_text("省级标准 ¥30,000 × 20% = ¥6,000")
        expect(lines.nth(i)).to_contain_text("待财务确认")
    expect(page.locator("#budget-lines tfoot")).to_contain_text("¥36,000.00")

    page.get_by_label("备注（可选）").fill("2026年州级预算")
    page.get_by_role("button", name="确认预算").click()
    expect(page.locator(".flash.success")).to_have_text("已确认 6 条明细，合计 ¥36,000.00。")
    for i in range(6):
        expect(lines.nth(i)).to_contain_text("已确认")
    expect(page.get_by_text("没有待确认的明细")).to_be_visible()
    expect(page.locator("main ul li")).to_contain_text("迪庆州财政局 卓玛")


def test_coach_sees_the_team_award_and_its_shares(page, sign_in):
    """A coach sees the coaching team's award for their entry and how it is divided."""
    sign_in("coach1")
    open_menu(page, "我的参赛队")
    card = page.locator(".coach-entry").filter(has_text=f"{WORLDSKILLS} · 砌筑")
    expect(card).to_contain_text("此里农布")
    expect(card).to_contain_text("金牌")
    expect(card.locator("tfoot")).to_contain_text("¥900,000.00")
    shares = card.locator("table.shares tbody tr")
    expect(shares.filter(has_text="和建华")).to_contain_text("60%")
    expect(shares.filter(has_text="和建华")).to_contain_text("¥540,000.00")
    expect(shares.filter(has_text="木文军")).to_contain_text("¥360,000.00")
    # Only the coach's own teams: 杨丽萍's Longling entries are not shown.
    expect(page.locator(".coach-entry").filter(has_text="段永明")).to_have_count(0)


def decode_qr(pdf: bytes, folder) -> str:
    """Render the PDF's first page and read its QR code with zbarimg."""
    path = folder / "certificate.pdf"
    path.write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-r", "200", "-png", "-f", "1", "-l", "1", str(path), str(folder / "page")],
        check=True,
        timeout=60,
    )
    image = next(folder.glob("page*.png"))
    found = subprocess.run(
        ["zbarimg", "--quiet", "--raw", str(image)], capture_output=True, text=True, timeout=60
    )
    assert found.returncode == 0, found.stderr
    return found.stdout.strip()


def test_winner_downloads_a_certificate_whose_qr_code_verifies_as_valid(
    page, sign_in, live_server, tmp_path
):
    """An organiser issues the contest's certificates; the winner's QR code says 有效."""
    sign_in("organiser1")
    open_menu(page, "证书")
    page.get_by_role("link", name=WORLDSKILLS, exact=True).click()
    page.get_by_role("button", name=re.compile(r"颁发全部 \d+ 份证书")).click()
    expect(page.locator(".flash.success")).to_contain_text("已颁发")
    page.locator("header").get_by_role("button", name="退出").click()

    sign_in("winner1")
    open_menu(page, "我的成绩")
    page.get_by_role("link", name="我的证书").click()
    row = page.locator("main table tbody tr").filter(has_text=WORLDSKILLS)
    expect(row).to_contain_text("砌筑")
    expect(row).to_contain_text("金牌")
    serial = re.sub(r"[\s-]", "", row.locator("code").inner_text())
    with page.expect_download() as download_info:
        row.get_by_role("link", name="下载 PDF").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".pdf")
    pdf = tmp_path / "download.pdf"
    download.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF")

    url = decode_qr(pdf.read_bytes(), tmp_path)
    assert url.startswith(live_server.url + "/verify/"), url
    assert url.endswith(serial), (url, serial)
    page.goto(url)
    expect(page.locator("h1")).to_have_text("证书核验")
    expect(page.locator(".badge.confirmed")).to_contain_text("有效")
    expect(page.locator("main")).to_contain_text(WORLDSKILLS)
    expect(page.locator("main")).to_contain_text("此**")
