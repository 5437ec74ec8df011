"""The finance office's journey (issue 18, done-when): a 30-row import confirmed in one bulk
action by a second organiser; 迪庆州's officer confirms the budget and downloads the payment
roster (every payee with bank data, coaching-team shares adding up to the lines); a payment
sheet marks every line paid; the reconciliation shows nothing outstanding; the annual report
PDF renders with its charts."""

from __future__ import annotations

import io
import subprocess
from decimal import Decimal

import openpyxl
import pytest
from playwright.sync_api import Page, expect

from compapp.core.idnumber import make_id_number
from compapp.imports import layout

pytestmark = pytest.mark.browser

CONTEST = "2026年云南省一类职业技能竞赛（电工）"
# Demo coaches (compapp/demo.py COACHES): linked by ID number, with bank details on record.
HE_JIANHUA = make_id_number("53340119780215021")
MU_WENJUN = make_id_number("53342319751130023")
COUNTIES = (
    "德钦县（迪庆藏族自治州）",
    "香格里拉市（迪庆藏族自治州）",
    "维西傈僳族自治县（迪庆藏族自治州）",
)


def thirty_rows() -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = layout.SHEET
    sheet.append(list(layout.HEADERS))
    for n in range(1, 31):
        row = {
            layout.OCCUPATION: "电工",
            layout.FORMAT: "单人",
            layout.NAME: f"迪庆电工{n:02d}",
            layout.ID_NUMBER: make_id_number(
                f"5334221990{(n % 9) + 1:02d}{(n % 28) + 1:02d}{n:03d}"
            ),
            layout.COUNTY: COUNTIES[n % 3],
            layout.RANK: str(n),
            layout.RESULT: {1: "金牌", 2: "银牌", 3: "铜牌"}.get(n, ""),
            layout.BANK_NAME: "中国农业银行",
            layout.BRANCH: "迪庆分行营业部",
            layout.ACCOUNT: f"6228 4800 {n:04d} 7788 {n % 10}",
        }
        if n <= 3:
            row.update(
                {
                    "教练1": "和建华",
                    "教练1比例（%）": "60",
                    layout.coach_id_header(1): HE_JIANHUA,
                    "教练2": "木文军",
                    "教练2角色": "翻译",
                    "教练2比例（%）": "40",
                    layout.coach_id_header(2): MU_WENJUN,
                }
            )
        sheet.append([row.get(h, "") for h in layout.HEADERS])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def download(page: Page, selector: str, path) -> bytes:
    with page.expect_download() as info:
        page.locator(selector).click()
    info.value.save_as(path)
    return path.read_bytes()


def test_finance_office_journey(page: Page, sign_in, tmp_path):
    # An organiser registers the contest and imports 30 rows.
    sign_in("organiser1")
    page.goto("/contests/new")
    page.get_by_label("赛事名称").fill(CONTEST)
    page.get_by_label("赛事类别").select_option("provincial_class1")
    page.get_by_label("开始日期").fill("2026-06-10")
    page.get_by_label("结束日期").fill("2026-06-12")
    page.get_by_label("颁奖（成绩认定）日期").fill("2026-06-12")
    page.get_by_role("button", name="保存").click()
    expect(page.locator(".flash.success")).to_contain_text("已登记赛事")
    contest_id = int(page.url.rstrip("/").rsplit("/", 1)[1])
    page.goto(f"/imports/contests/{contest_id}")
    page.locator("input[type=file]").set_input_files(
        files=[
            {
                "name": "电工成绩.xlsx",
                "mimeType": "application/octet-stream",
                "buffer": thirty_rows(),
            }
        ]
    )
    page.get_by_role("button", name="上传并检查").click()
    page.get_by_role("button", name="确认保存").click()
    expect(page.locator(".flash.success")).to_be_visible()

    # A second organiser confirms all 30 in one bulk action.
    sign_in("organiser2")
    page.goto(f"/contests/review/bulk?contest={contest_id}")
    expect(page.locator("#bulk-count")).to_contain_text("共 30 条待复核")
    page.locator("#bulk-confirm-all").click()
    expect(page.locator(".flash.success")).to_contain_text("已确认 30 项成绩")
    expect(page.locator("#bulk-count")).to_contain_text("共 0 条待复核")

    # 迪庆州's officer confirms the budget and downloads the roster.
    sign_in("finance_dq")
    page.goto(f"/finance/contests/{contest_id}")
    page.get_by_label("资金来源").select_option("budget")
    page.get_by_role("button", name="确认预算").click()
    expect(page.locator(".flash.success")).to_contain_text("已确认")
    lines_total = Decimal(
        page.locator("#budget-lines tfoot td.num").inner_text().replace("¥", "").replace(",", "")
    )
    data = download(page, "#roster-xlsx", tmp_path / "roster.xlsx")
    book = openpyxl.load_workbook(io.BytesIO(data))
    ws = book.active
    header = [c.value for c in ws[2]]
    rows = []
    for values in ws.iter_rows(min_row=3, values_only=True):
        if values[0] == "合计":
            break
        rows.append(dict(zip(header, values, strict=False)))
    assert len(rows) == 9  # three medallists and two coaches each
    for row in rows:
        assert len(row["身份证号码"]) == 18
        assert row["开户银行"] and row["开户网点"]
        assert row["银行账号"].replace(" ", "").isdigit()
    assert sum(Decimal(str(r["金额（元）"])) for r in rows) == lines_total
    gold_team = [r for r in rows if r["成绩"].endswith("金牌") and r["身份"] != "选手"]
    assert {r["姓名"] for r in gold_team} == {"和建华", "木文军"}
    he = next(r for r in gold_team if r["姓名"] == "和建华")["金额（元）"]
    mu = next(r for r in gold_team if r["姓名"] == "木文军")["金额（元）"]
    assert Decimal(str(he)) * 2 == Decimal(str(mu)) * 3  # 60% / 40%

    # The payment sheet: a voucher per row, uploaded back; every line is paid.
    voucher, paid_on = header.index("支付凭证号") + 1, header.index("支付日期") + 1
    for r in range(3, 3 + len(rows)):
        ws.cell(r, voucher).value = f"DQCZ-2026-{r:03d}"
        ws.cell(r, paid_on).value = "2026-07-01"
    out = io.BytesIO()
    book.save(out)
    page.locator("#payment-sheet").set_input_files(
        files=[
            {
                "name": "支付表.xlsx",
                "mimeType": "application/octet-stream",
                "buffer": out.getvalue(),
            }
        ]
    )
    page.get_by_role("button", name="上传并登记支付").click()
    expect(page.locator(".flash.success")).to_contain_text("已按上传的支付表登记")
    expect(page.locator("#budget-lines tbody")).not_to_contain_text("已确认")

    # The reconciliation shows nothing outstanding.
    page.goto("/finance/reconciliation?start=2026-06-01&end=2026-06-30")
    expect(page.locator("#ledger-outstanding")).to_have_text("¥0.00")
    expect(page.locator("#ledger-paid")).to_have_text(f"¥{lines_total:,.2f}")

    # The annual report PDF renders with its charts.
    page.goto("/finance/years/2026/report")
    pdf = tmp_path / "report.pdf"
    download(page, "#report-pdf", pdf)
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "奖励资金执行情况" in text and "按月份" in text and CONTEST in text
    subprocess.run(
        ["pdftoppm", "-r", "50", "-png", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "r")],
        check=True,
    )
    assert (tmp_path / "r-1.png").stat().st_size > 5000
