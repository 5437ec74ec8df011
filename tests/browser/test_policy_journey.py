"""Issue 21's journey: a Yuxi policy version entered, previewed, activated by a second
administrator, then in force — in chromium, through the pages, against the demo data.

Yuxi's amounts are not in the sources (POLICY.md §4.5, ``001_da08546dd4712789.txt:42``): the
figures and the quoted sentence here are invented test figures, entered as a user would.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from compapp.policy.loader import load_policy_file

pytestmark = pytest.mark.browser

NATIONAL = "第二届全国技能大赛"
YUXI_NOTICE = "compapp 尚未配置玉溪市的奖励金额"
QUOTE = "对获得全国职业技能大赛金、银、铜牌的选手和教练团队，分别给予每人5万元、3万元、2万元一次性奖励（测试用虚构条文）。"


def contest_awards_url(live_server, name: str) -> str:
    from compapp.contests.models import Contest
    from compapp.extensions import db

    with live_server.app.app_context():
        contest_id = db.session.scalar(db.select(Contest.id).filter_by(name=name))
        db.session.remove()
    return f"/contests/{contest_id}/awards?q=王建国"


def robot_entry(page: Page):
    """The 江川区 pair's card (移动机器人, bronze) on the contest's awards page."""
    return page.locator(".award-entry").filter(has_text="王建国")


def test_yuxi_amounts_entered_previewed_activated_and_in_force(
    page: Page, sign_in, live_server, tmp_path
):
    # The province's finance officer has confirmed the contest's provincial lines.
    sign_in("finance_yn")
    page.goto("/finance/")
    page.get_by_role("link", name=NATIONAL, exact=True).first.click()
    page.get_by_role("button", name="确认预算").click()
    expect(page.locator(".flash.success")).to_contain_text("已确认")

    # Before: the Yuxi pair's awards say Yuxi's amounts are not configured.
    sign_in("admin")
    awards_url = contest_awards_url(live_server, NATIONAL)
    page.goto(awards_url)
    expect(robot_entry(page)).to_contain_text(YUXI_NOTICE)

    # Admin A enters Yuxi's amounts as a new version of yx-2022-8, with a citation.
    page.goto("/policies/")
    page.locator("#policy-admin-link").click()
    page.locator("#policy-list tr").filter(has_text="玉政发〔2022〕8号").get_by_role(
        "link", name="录入新版本"
    ).click()
    page.get_by_label("本次变更（一句话说明）").fill("录入兴玉英才支持计划的奖励金额")
    page.get_by_label("施行日期（自）").fill("2022-01-01")
    page.get_by_label("文件未载明施行日期，此日期为假定").check()
    page.get_by_label("日期说明（假定日期时必填）").fill(
        "来源文件只印年份，假定自 2022年1月1日起施行。"
    )
    row = page.locator("#schedule-0")
    row.get_by_label("全国职业技能大赛", exact=True).check()
    row.get_by_label("承担").select_option("prefecture")
    row.get_by_label("金牌").fill("50000")
    row.get_by_label("银牌").fill("30000")
    row.get_by_label("铜牌").fill("20000")
    row.get_by_label(re.compile("^所依据的文件")).fill("《玉溪市“兴玉英才支持计划”实施办法》")
    row.get_by_label("章节").fill("第五条")
    row.get_by_label(re.compile("^条、款、项")).fill("(二)")
    row.get_by_label(re.compile("^原文")).fill(QUOTE)
    page.get_by_role("button", name="校验并保存，提交另一位管理员审核").click()
    expect(page.locator("#revision-meta")).to_contain_text("待另一位管理员审核")
    revision_url = page.url
    expect(page.get_by_text("该版本由您录入")).to_be_visible()
    expect(page.get_by_role("button", name="审核通过，生效")).to_have_count(0)

    # The preview lists the Yuxi winners affected, with totals per payer.
    page.get_by_role("button", name="开始试算").click()
    entries = page.locator("#preview-entries")
    expect(entries).to_contain_text("王建国、普文华", timeout=30_000)
    expect(entries).to_contain_text("江川区")
    payers = page.locator("#preview-payers")
    # Two competitors and the coaching team, ¥20,000 each from 玉溪市 (invented figures).
    expect(payers.locator("tr").filter(has_text="玉溪市")).to_contain_text("+¥60,000.00")
    expect(page.locator("#preview-total-delta")).to_have_text("+¥60,000.00")

    # The exported file of that version loads with the strict loader.
    with page.expect_download() as download:
        page.locator("#export-link").click()
    path = tmp_path / "yx-2022-8.toml"
    download.value.save_as(path)
    policy = load_policy_file(path)
    assert policy.id == "yx-2022-8"
    assert policy.versions[-1].schedule[0].amounts["bronze"] == 20000

    # Admin B (the demo's second administrator) activates it.
    sign_in("admin2")
    page.goto(revision_url)
    page.get_by_role("button", name="审核通过，生效").click()
    expect(page.locator(".flash.success")).to_contain_text("新版本已生效")
    expect(page.locator("#revision-meta")).to_contain_text("已生效")
    for _ in range(30):
        if "已按新版本重新计算" in page.locator("#apply-state").inner_text():
            break
        page.wait_for_timeout(500)
        page.reload()
    expect(page.locator("#apply-state")).to_contain_text("已按新版本重新计算")

    # The Yuxi notice is gone from their awards; the confirmed lines got adjustment lines
    # for 玉溪市, awaiting its confirmation, citing the new version.
    page.goto(awards_url)
    card = robot_entry(page)
    expect(card).not_to_contain_text(YUXI_NOTICE)
    yuxi_rows = card.locator("tr").filter(has_text="玉溪市")
    expect(yuxi_rows).to_have_count(3)
    for i in range(3):
        expect(yuxi_rows.nth(i)).to_contain_text("¥20,000.00")
        expect(yuxi_rows.nth(i)).to_contain_text("调整")
        expect(yuxi_rows.nth(i)).to_contain_text("待财务确认")
        expect(yuxi_rows.nth(i)).to_contain_text("《玉溪市“兴玉英才支持计划”实施办法》第五条(二)")
    province = card.locator("tr").filter(has_text="云南省（省级）")
    expect(province.first).to_contain_text("已确认")

    # 玉溪市's finance officer finds them awaiting confirmation in the city's budget.
    sign_in("finance_yx")
    page.goto("/finance/")
    page.get_by_role("link", name=NATIONAL, exact=True).first.click()
    lines = page.locator("#budget-lines tbody tr")
    expect(lines).to_have_count(3)
    for i in range(3):
        expect(lines.nth(i)).to_contain_text("¥20,000.00")
        expect(lines.nth(i)).to_contain_text("待财务确认")
    expect(page.locator("#budget-lines tfoot")).to_contain_text("¥60,000.00")
