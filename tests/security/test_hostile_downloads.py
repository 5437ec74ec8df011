"""Every download route and every page that shows typed text, over the same hostile names
(issue 15 §2–§4): the public notice's PDF and Excel, certificates (one, the sample, the
contest's ZIP built as a background job), and the pages that list names — dashboards, the
to-do list and notifications, the person page, results, budgets, the winner's pages.

A guard lists the application's download routes, so a new export that nobody sweeps fails
here until it is added to the sweep.
"""

from __future__ import annotations

import ast
import io
import re
import time
import zipfile
from datetime import date
from pathlib import Path
from urllib.parse import quote

import pytest
from markupsafe import escape
from werkzeug.http import parse_options_header

from compapp.certificates.models import Certificate
from compapp.contests.models import Coach, Competitor, EntryCoach, Placement
from compapp.promotion import notices
from compapp.promotion import services as promotion
from compapp.promotion.models import PromotionCase
from tests.pages import submit
from tests.security.test_hostile_exports import (
    HOSTILE_NAMES,
    assert_download_name,
    assert_safe_pdf,
    assert_safe_workbook,
)

PUBLISHED_ON = date(2026, 11, 27)

# Every route that answers with a file, and the test that sweeps it with the hostile names.
SWEPT = {
    "rewards.contest_awards_xlsx": "test_hostile_exports",
    "exports.download": "test_hostile_exports (a large export made by a background job)",
    "imports.download_template": "test_hostile_exports",
    "imports.download_report": "test_hostile_exports",
    "finance.contest_export": "test_hostile_exports (xlsx and pdf)",
    "finance.year_export": "test_hostile_exports (xlsx and pdf)",
    "accounts.audit_export": "test_hostile_exports",
    "promotion.notice_pdf_download": "test_notice_downloads_keep_a_hostile_name_as_typed",
    "promotion.notice_xlsx_download": "test_notice_downloads_keep_a_hostile_name_as_typed",
    "certificates.download": "test_certificate_downloads_keep_a_hostile_name_as_typed",
    "certificates.preview": "test_certificate_downloads_keep_a_hostile_name_as_typed",
    "certificates.zip_download": "test_certificate_downloads_keep_a_hostile_name_as_typed",
    "finance.contest_roster": "test_finance_office_downloads_keep_a_hostile_name_as_typed",
    "finance.year_roster": "test_finance_office_downloads_keep_a_hostile_name_as_typed",
    "finance.annual_report_export": "test_finance_office_downloads_keep_a_hostile_name_as_typed",
    "disclosure.internal_export": "test_finance_office_downloads_keep_a_hostile_name_as_typed",
    "disclosure.public_pdf": "test_finance_office_downloads_keep_a_hostile_name_as_typed",
    "policies.admin_export_revision": "test_policy_files_keep_a_hostile_name_as_typed",
    "policies.admin_export": "test_policy_files_keep_a_hostile_name_as_typed",
    "policies.admin_attachment": "test_policy_files_keep_a_hostile_name_as_typed",
}
# Routes that answer with a machine-readable document holding no typed text.
NOT_TYPED_TEXT = {"api.openapi", "observability.metrics", "static"}
FILE_SUFFIX = re.compile(r"(\.(xlsx|csv|pdf|zip|<fmt>)|/download|/preview|/export|/attachment)$")

# Raw markup that must never reach a page: it would be obeyed, not shown.
OBEYED = ('<a href="javascript:', '<img src="/usr/share', "<br/>")


def test_every_download_route_is_swept_with_the_hostile_names(app):
    """A route that answers with a file (its path ends like one) must be in the sweep."""
    routes = {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if "GET" in rule.methods
        and FILE_SUFFIX.search(rule.rule)
        and rule.endpoint not in NOT_TYPED_TEXT
    }
    assert routes == set(SWEPT), routes ^ set(SWEPT)


def assert_escaped_page(response, name: str, shown: bool = True) -> None:
    """The page answers, the markup in ``name`` is not in it as markup, and (when the page
    is one that shows the name) it is there as escaped text."""
    assert response.status_code == 200, response.request.path
    html = response.get_data(as_text=True)
    for markup in OBEYED:
        if markup in name:
            assert markup not in html, (response.request.path, markup)
            if shown:
                assert escape(markup) in html, (response.request.path, markup)


@pytest.fixture
def office_today(monkeypatch):
    monkeypatch.setattr(notices, "office_today", lambda: PUBLISHED_ON)


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_notice_downloads_keep_a_hostile_name_as_typed(
    name, db, client, auth, dummy_organiser, create_contest, create_event, create_entry,
    office_today,
):  # fmt: skip
    """The public notice (公示) of a contest, event, competitor, employer, issuer and contact
    all named by the hostile text: its page, PDF and Excel show the text as typed."""
    contest = create_contest(name, category="provincial_class1", award_on=date(2025, 8, 22))
    event = create_event(contest, "中式烹调师", "individual", "prizes")
    create_entry(event, "533422", rank=1, result="prize_1", names=["格桑次仁"])
    event.occupation = name
    person = db.session.scalar(db.select(Competitor))
    person.name, person.employer = name, name
    person.grade_code, person.is_employee = "senior", True
    for placement in db.session.scalars(db.select(Placement)):
        placement.status = "confirmed"
    db.session.commit()
    promotion.evaluate_contest_promotions(contest)
    case = db.session.scalar(db.select(PromotionCase))
    assert case is not None and case.eligible
    promotion.confirm_case(case, dummy_organiser, seen=promotion.case_view(case))
    notice = notices.publish_notice(
        contest, PUBLISHED_ON, dummy_organiser, issuer=name, contact=name
    )
    db.session.commit()

    auth.login("organiser")
    assert_escaped_page(client.get(f"/promotion/notices/{notice.id}"), name)
    assert_escaped_page(client.get(f"/promotion/contests/{contest.id}"), name)
    pdf = client.get(f"/promotion/notices/{notice.id}.pdf")
    assert pdf.status_code == 200
    assert_download_name(pdf)
    assert_safe_pdf(pdf.data, name)
    workbook = client.get(f"/promotion/notices/{notice.id}.xlsx")
    assert workbook.status_code == 200
    assert_download_name(workbook)
    assert_safe_workbook(workbook.data, name)


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_certificate_downloads_keep_a_hostile_name_as_typed(
    name, app, db, client, auth, dummy_organiser, create_user, create_contest, create_event,
    create_entry, tmp_path, monkeypatch,
):  # fmt: skip
    """Certificates of a holder, coach, contest and event all named by the hostile text:
    the sample, the certificate and the contest's ZIP (a background job's result) print it
    as typed, and every file in the ZIP has a plain name (no folders, no control marks)."""
    monkeypatch.setitem(app.config, "CERTIFICATE_ZIP_DIR", str(tmp_path / "zips"))
    contest = create_contest(name)
    event = create_event(contest, "焊接")
    entry = create_entry(event, rank=1, result="gold", names=["张三"])
    event.occupation = name
    person = db.session.scalar(db.select(Competitor))
    person.name = name
    coach = Coach(name=name)
    db.session.add(coach)
    db.session.flush()
    db.session.add(EntryCoach(entry_id=entry.id, coach_id=coach.id, role="coach"))
    entry.placement.status = "confirmed"
    db.session.commit()
    create_user("win", "winner", competitor_id=person.id)

    auth.login("organiser")
    page = client.get(f"/certificates/contests/{contest.id}")
    assert_escaped_page(page, name)
    link = next(
        part.split('"')[0]
        for part in page.get_data(as_text=True).split('href="')
        if "/preview?" in part
    )
    sample = client.get(link.replace("&amp;", "&"))
    assert sample.status_code == 200
    assert_download_name(sample)
    assert_safe_pdf(sample.data, name, images=True)
    assert client.post(f"/certificates/contests/{contest.id}/issue").status_code == 302
    certs = db.session.scalars(db.select(Certificate).order_by(Certificate.id)).all()
    assert len(certs) == 2  # the competitor's and the coach's
    for cert in certs:
        one = client.get(f"/certificates/{cert.id}/download")
        assert one.status_code == 200
        assert_download_name(one)
        assert_safe_pdf(one.data, name, images=True)

    response = client.post(f"/certificates/contests/{contest.id}/zip")
    assert response.status_code == 302
    status_url = response.headers["Location"].rstrip("/") + "/status"
    deadline = time.monotonic() + 120
    status = client.get(status_url).get_json()
    while status["state"] in ("queued", "running") and time.monotonic() < deadline:
        time.sleep(0.3)
        status = client.get(status_url).get_json()
    assert status["state"] == "done", status
    archive = client.get(status["download_url"])
    assert archive.status_code == 200
    assert_download_name(archive)
    with zipfile.ZipFile(io.BytesIO(archive.data)) as bundle:
        names = bundle.namelist()
        assert len(names) == 2
        for entry_name in names:
            assert not re.search(r'[\\/:*?"<>|\x00-\x1f\x7f]', entry_name), entry_name
            assert not entry_name.startswith(".")
            assert_safe_pdf(bundle.read(entry_name), name, images=True)
    auth.logout()

    # The holder's own pages and the notification of the certificate issued.
    auth.login("win")
    for url in ("/my/certificates", "/my/results", "/todo", "/"):
        assert_escaped_page(client.get(url, follow_redirects=True), name)


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_pages_that_list_names_show_a_hostile_name_as_text(
    name, db, client, auth, create_user, create_contest, create_event, create_entry
):
    """Dashboards, the to-do list, the person page, results, review and budget pages of a
    contest, event, competitor and employer named by the hostile text show it as text."""
    contest = create_contest(name)
    event = create_event(contest, "电工")
    create_entry(event, "533422", rank=1, result="gold", names=["张三"])
    event.occupation = name
    person = db.session.scalar(db.select(Competitor))
    person.name, person.employer = name, name
    db.session.commit()
    create_user("adm", "admin")
    create_user("fin", "finance", jurisdiction_code="530000")

    auth.login("adm")
    for url in ("/", "/todo", "/audit/", "/certificates/", "/promotion/"):
        assert_escaped_page(client.get(url, follow_redirects=True), name, shown=False)
    for url in (
        f"/contests/{contest.id}",
        f"/contests/{contest.id}/results",
        f"/contests/events/{event.id}",
        f"/contests/{contest.id}/awards",
        "/contests/review",
        f"/people/{person.id}",
        "/people/?q=" + quote(name[:2]),
    ):
        assert_escaped_page(client.get(url, follow_redirects=True), name)
    for placement in db.session.scalars(db.select(Placement)):
        placement.status = "confirmed"
    db.session.commit()
    auth.logout()
    auth.login("fin")
    year = contest.award_on.year
    for url in ("/", "/todo"):
        assert_escaped_page(client.get(url, follow_redirects=True), name, shown=False)
    for url in (f"/finance/contests/{contest.id}", f"/finance/years/{year}"):
        assert_escaped_page(client.get(url, follow_redirects=True), name)


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_finance_office_downloads_keep_a_hostile_name_as_typed(
    name, app, db, client, auth, create_user, create_contest, create_event, create_entry
):
    """The payment roster, the annual report and the award list (internal and public) of a
    contest, event, competitor and employer named by the hostile text."""
    contest = create_contest(name)
    event = create_event(contest, "电工")
    create_entry(event, "533422", rank=1, result="gold", names=["张三"])
    event.occupation = name
    person = db.session.scalar(db.select(Competitor))
    person.name, person.employer = name, name
    for placement in db.session.scalars(db.select(Placement)):
        placement.status = "confirmed"
    db.session.commit()
    create_user("fin", "finance", jurisdiction_code="530000")
    create_user("org", "organiser")
    year = contest.award_on.year

    auth.login("fin")
    page = f"/finance/contests/{contest.id}"
    response = submit(client, page, f"{page}/confirm", {"funding_source": "budget", "note": ""})
    assert response.status_code == 302
    assert "本次没有确认" not in client.get(page).get_data(as_text=True)
    # The report lists contests, whose names are stored trimmed; the rosters list people.
    for url, shown in (
        (f"/finance/contests/{contest.id}/roster", name),
        (f"/finance/years/{year}/roster", name),
        (f"/finance/years/{year}/report", contest.name),
    ):
        workbook = client.get(url + ".xlsx")
        assert workbook.status_code == 200, url
        assert_download_name(workbook)
        assert_safe_workbook(workbook.data, shown)
        pdf = client.get(url + ".pdf")
        assert pdf.status_code == 200, url
        assert_download_name(pdf)
        assert_safe_pdf(pdf.data, shown)
    auth.logout()

    auth.login("org")
    assert client.post(f"/contests/{contest.id}/award-list/publish").status_code == 302
    assert_escaped_page(client.get(f"/contests/{contest.id}/award-list"), name)
    workbook = client.get(f"/contests/{contest.id}/award-list.xlsx")
    assert workbook.status_code == 200
    assert_download_name(workbook)
    assert_safe_workbook(workbook.data, name)
    pdf = client.get(f"/contests/{contest.id}/award-list.pdf")
    assert pdf.status_code == 200
    assert_download_name(pdf)
    assert_safe_pdf(pdf.data, name)
    auth.logout()

    anonymous = app.test_client()
    assert_escaped_page(anonymous.get(f"/awards/{contest.id}"), name)
    public = anonymous.get(f"/awards/{contest.id}.pdf")
    assert public.status_code == 200
    assert_download_name(public)
    assert_safe_pdf(public.data, contest.name)  # people's names are masked here


def _unescaped_reads(node: ast.AST) -> list[str]:
    """Attribute and item reads (``row.name``, ``content["x"]``) not inside a markup() call."""
    if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "markup":
        return []
    if isinstance(node, ast.Attribute | ast.Subscript):
        return [ast.unparse(node)]
    return [found for child in ast.iter_child_nodes(node) for found in _unescaped_reads(child)]


def test_pdf_text_is_escaped_in_one_place():
    """Markup escaping for ReportLab lives in compapp/core/pdftext.py (para, markup, lines):
    no other module escapes by hand, and a paragraph built elsewhere reads data only through
    markup(), so no PDF can forget it in its own way."""
    root = Path(__file__).resolve().parents[2] / "compapp"
    found = []
    for path in sorted(root.rglob("*.py")):
        if path.name == "pdftext.py":
            continue
        where = path.relative_to(root)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module in ("xml.sax.saxutils", "html"):
                found.append(f"{where}: imports {node.module}")
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", None) == "Paragraph"
                and node.args
            ):
                found += [
                    f"{where}:{node.lineno}: {read}" for read in _unescaped_reads(node.args[0])
                ]
    assert not found, found


# Names that trick a downloaded file's name: a right-to-left override ("报告\u202efdp.exe" shows
# as "报告exe.pdf"), quotes and a parameter of its own, a path, invisible marks.
FILE_NAME_TRICKS = [
    "玉溪市办法\u202efdp.exe",
    'a"; filename="evil.exe',
    "..\\..\\windows\\system32",
    "零\u200b宽\u2066隔离\u2069",
]
_TRICK = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f\u061c\u200b-\u200f\u2028-\u202e\u2066-\u2069]')


def assert_safe_file_name(response, extension: str) -> str:
    """The download's name (its RFC 5987 form decoded) has no control, direction or
    invisible marks, no path and no quote, and ends with the file's own extension."""
    assert_download_name(response)
    kind, params = parse_options_header(response.headers["Content-Disposition"])
    name = params["filename"]
    assert kind == "attachment" and name.endswith(extension), name
    assert not _TRICK.search(name), name
    return name


def as_sent(file_name: str) -> str:
    """A file name as a browser sends it in a form (HTML: line breaks and quotes escaped)."""
    return file_name.replace("\r", "%0D").replace("\n", "%0A").replace('"', "%22")


def _pdf() -> bytes:
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    sheet = canvas.Canvas(buffer)
    sheet.drawString(72, 720, "source document")
    sheet.save()
    return buffer.getvalue()


@pytest.mark.parametrize("name", HOSTILE_NAMES + FILE_NAME_TRICKS)
def test_policy_files_keep_a_hostile_name_as_typed(name, db, client, auth, create_user):
    """A new policy whose title, short title, issuer and summary are the hostile text, with a
    source PDF uploaded under it: stored or refused with a message (never a 500); its page
    shows the text escaped; the exported file reads back with the title as typed; the PDF
    and the files download under safe names; a file uploaded under the hostile name too."""
    from compapp.policies.models import PolicyRevision
    from compapp.policy.loader import load_policy_text
    from tests.policies.test_policy_overlaps import new_policy_form

    create_user("admin_a", "admin")
    auth.login("admin_a")
    form = new_policy_form(
        **{
            "schedule-0-payer": "county",
            "title": name,
            "short_title": name[:60],
            "issuer": name,
            "summary": name,
        }
    )
    form["attachment"] = (io.BytesIO(_pdf()), as_sent(f"{name}.pdf"))
    response = client.post("/policies/admin/new", data=form, content_type="multipart/form-data")
    assert response.status_code in (200, 302), response.status_code
    revision = db.session.scalar(db.select(PolicyRevision))
    if response.status_code == 200:
        # Refused (a line break in a title, say): said next to a field, nothing stored.
        assert 'class="error"' in response.get_data(as_text=True)
        assert revision is None
        assert re.search(r"[\x00-\x1f]", name), name  # only control characters are refused
    else:
        page = client.get(f"/policies/admin/revisions/{revision.id}")
        assert_escaped_page(page, name)
        exported = client.get(f"/policies/admin/revisions/{revision.id}/export")
        assert exported.status_code == 200
        assert assert_safe_file_name(exported, ".toml") == "dq-2024-1.toml"
        policy = load_policy_text(exported.data.decode("utf-8"), "dq-2024-1.toml")
        assert policy.header.title == name.strip()
        attachment = client.get(f"/policies/admin/revisions/{revision.id}/attachment")
        assert attachment.status_code == 200 and attachment.data.startswith(b"%PDF-")
        assert "原文" in assert_safe_file_name(attachment, ".pdf")

    in_force = client.get("/policies/admin/yx-2022-8/export")
    assert in_force.status_code == 200
    assert assert_safe_file_name(in_force, ".toml") == "yx-2022-8.toml"

    # The same text as an uploaded file's name and inside the file (as another document).
    text = (
        exported.data.decode("utf-8").replace('id = "dq-2024-1"', 'id = "dq-2024-2"', 1)
        if response.status_code == 302
        else f'title = "{name}"\n'
    )
    uploaded = client.post(
        "/policies/admin/import",
        data={"file": (io.BytesIO(text.encode("utf-8")), as_sent(f"{name}.toml"))},
        content_type="multipart/form-data",
    )
    assert uploaded.status_code in (200, 302), uploaded.status_code
    if uploaded.status_code == 200:
        assert 'class="error"' in uploaded.get_data(as_text=True)
        assert_escaped_page(uploaded, name, shown=False)
