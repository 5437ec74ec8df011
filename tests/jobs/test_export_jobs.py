"""Large exports are made by a background job with progress and give the same file as the
direct download; small ones are sent at once (compapp.jobs.exports).

The contest is built through compapp's own services (tests/test_list_queries.build); the
limit of rows sent at once is lowered so that a handful of lines counts as large.
"""

from __future__ import annotations

import io
import json

import openpyxl
import pytest
from pypdf import PdfReader

from tests.conftest import AuthActions
from tests.test_list_queries import build

LIMIT = 5  # rows sent at once; the contest's lines are more


@pytest.fixture
def app_config() -> dict:
    return {"EXPORT_DIRECT_MAX_ROWS": LIMIT}


@pytest.fixture
def built(db, create_user) -> dict:
    admin = create_user("admin", "admin")
    second = create_user("admin2", "admin")
    finance_dq = create_user("finance_dq", "finance", jurisdiction_code="533400")
    return build(db, 6, 2024, admin, second, finance_dq, 900_000)


def rows_of(data: bytes) -> list[list]:
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    rows = [
        [sheet.title, *row]
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
    ]
    book.close()
    return rows


def made_by_job(client, url: str) -> tuple[bytes, str]:
    """Ask for ``url``: the offer page, its button, the job's page; return the file and the
    job page's address."""
    offer = client.get(url)
    assert offer.status_code == 200 and offer.mimetype == "text/html"
    assert "开始生成" in offer.get_data(as_text=True)
    started = client.post(url)
    assert started.status_code == 302
    job_url = started.headers["Location"]
    assert "/exports/" in job_url
    status = client.get(f"{job_url}/status").get_json()
    assert status["state"] == "done", status
    assert status["done"] == status["total"] > LIMIT
    page = client.get(job_url).get_data(as_text=True)
    assert status["download_url"] in page and "下载文件" in page
    download = client.get(status["download_url"])
    assert download.status_code == 200
    return download.data, job_url


def test_a_large_award_workbook_is_made_by_a_job_and_is_the_direct_file(app, client, built):
    AuthActions(client).login("admin")
    url = f"/contests/{built['contest']}/awards.xlsx"
    data, _job = made_by_job(client, url)
    app.config["EXPORT_DIRECT_MAX_ROWS"] = 100_000
    direct = client.get(url)
    assert direct.mimetype.endswith("spreadsheetml.sheet")
    assert rows_of(data) == rows_of(direct.data)
    assert any(row[0] == "奖励明细" and row[2] == "选手" for row in rows_of(data))


@pytest.mark.parametrize("scope", ["contest", "year"])
def test_a_long_budget_is_made_by_a_job_as_excel_and_pdf(app, client, built, scope):
    AuthActions(client).login("finance_dq")
    base = (
        f"/finance/contests/{built['contest']}/budget"
        if scope == "contest"
        else f"/finance/years/{built['year']}/budget"
    )
    workbook, _job = made_by_job(client, f"{base}.xlsx")
    pdf, _job = made_by_job(client, f"{base}.pdf")
    app.config["EXPORT_DIRECT_MAX_ROWS"] = 100_000
    assert rows_of(workbook) == rows_of(client.get(f"{base}.xlsx").data)
    by_job = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    direct = client.get(f"{base}.pdf").data
    assert by_job == "".join(page.extract_text() for page in PdfReader(io.BytesIO(direct)).pages)
    assert "迪庆藏族自治州" in by_job or "迪庆" in by_job


def test_the_job_writes_in_the_language_of_the_person_who_asked(app, client, built):
    AuthActions(client).login("admin")
    url = f"/contests/{built['contest']}/awards.xlsx"
    client.get("/?lang=en")
    data, _job = made_by_job_en(client, url)
    lines = [row for row in rows_of(data) if row[0] == "Award details"]  # the sheet's name
    assert any(row[2] == "Competitor" for row in lines)
    assert not any(row[2] == "选手" for row in lines)
    assert not any(row[0] == "奖励明细" for row in rows_of(data))


def made_by_job_en(client, url: str):
    started = client.post(url)
    assert started.status_code == 302
    job_url = started.headers["Location"]
    status = client.get(f"{job_url}/status").get_json()
    assert status["state"] == "done", status
    return client.get(status["download_url"]).data, job_url


def test_an_export_job_is_seen_only_by_the_person_who_started_it(app, client, built):
    AuthActions(client).login("admin")
    _data, job_url = made_by_job(client, f"/contests/{built['contest']}/awards.xlsx")
    other = app.test_client()
    AuthActions(other).login("admin2")
    for url in (job_url, f"{job_url}/status", f"{job_url}/download"):
        assert other.get(url).status_code == 404
    assert other.get("/exports/" + "0" * 32).status_code == 404


def test_a_small_export_is_sent_at_once(app, client, built):
    app.config["EXPORT_DIRECT_MAX_ROWS"] = 100_000
    AuthActions(client).login("admin")
    response = client.get(f"/contests/{built['contest']}/awards.xlsx")
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")


def test_the_job_records_its_progress_as_rows_are_written(app, built, create_user, monkeypatch):
    """Progress is recorded every PROGRESS_EVERY rows (and PROGRESS_SECONDS) while the file
    is written (committed, so another host's page reads it), and the rows come from a spool,
    not an open query."""
    from compapp.extensions import db
    from compapp.jobs import exports
    from compapp.jobs import services as jobs
    from compapp.jobs.models import Job

    monkeypatch.setattr(exports, "PROGRESS_EVERY", 2)
    monkeypatch.setattr(exports, "PROGRESS_SECONDS", 0)
    seen = []
    job = Job(
        id="a" * 32,
        kind="awards_xlsx",
        request_key="k" * 64,
        params=json.dumps(
            {
                "contest_id": built["contest"],
                "locale": "zh",
                "file_name": "a.xlsx",
                "back": "/",
                "mimetype": "x",
                "user_id": None,
            }
        ),
        state="queued",
        total=6,
    )
    db.session.add(job)
    db.session.commit()

    def progress(done, total):
        seen.append((done, total))
        db.session.commit()  # as run_job's progress does, while rows are being written

    from compapp.rewards.views import awards_xlsx_job

    summary = awards_xlsx_job(job, progress)
    db.session.commit()
    assert summary["rows"] > 4
    assert seen[:2] == [(2, 6), (4, 6)]
    assert jobs.get_job(job.id).file_size > 0


def test_an_export_refused_by_the_job_caps_says_why_and_starts_nothing(
    app, db, client, built, monkeypatch
):
    """Too many background jobs already: the person reads why, back on the page they came
    from (the refusal used to be read from an attribute it does not have: a 500)."""
    from compapp.jobs.models import Job

    monkeypatch.setitem(app.config, "JOB_MAX_ACTIVE", 0)
    AuthActions(client).login("admin")
    url = f"/contests/{built['contest']}/awards.xlsx"
    page = client.post(url, follow_redirects=True)
    assert page.status_code == 200
    assert "后台任务" in page.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(Job.id))) == 0


def test_the_job_records_its_progress_at_most_once_per_progress_seconds(app, db, monkeypatch):
    """Each progress record is a commit: a long export records it every PROGRESS_EVERY rows
    but no more often than every PROGRESS_SECONDS; the file still gets every row."""
    from compapp.jobs import exports
    from compapp.jobs import services as jobs
    from compapp.jobs.models import Job

    monkeypatch.setattr(exports, "PROGRESS_EVERY", 2)
    monkeypatch.setattr(exports, "PROGRESS_SECONDS", 3600)
    job = Job(
        id="b" * 32,
        kind="awards_xlsx",
        request_key="p" * 64,
        params=json.dumps({"locale": "zh", "file_name": "rows.txt"}),
        state="queued",
        total=10,
    )
    db.session.add(job)
    db.session.commit()
    seen = []

    def write(_params, track, out):
        out.write(",".join(str(row) for row in track(range(10))).encode())

    summary = exports.run_export(job, lambda done, total: seen.append((done, total)), write)
    db.session.commit()
    assert summary == {"rows": 10} and seen == [(2, 10)]
    assert b"".join(jobs.iter_result(jobs.get_job(job.id))) == b"0,1,2,3,4,5,6,7,8,9"
