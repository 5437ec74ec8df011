"""Certificates in the application: issue, download, ZIP, verify, revoke, re-issue, CLI, audit.

Issue 6: certificates for each competitor and coaching-team member of a confirmed placement;
winners download only their own; anyone can verify a serial from its QR code, which shows
a masked name and valid or revoked; revocation and re-issue need a reason and are recorded.
"""

from __future__ import annotations

import io
import subprocess
import time
import zipfile
from urllib.parse import unquote, urlparse

import pytest
from pypdf import PdfReader

from compapp.audit.models import AuditEntry
from compapp.certificates import holders as certificate_holders
from compapp.certificates import issuing as certificate_issuing
from compapp.certificates import services
from compapp.certificates.models import Certificate, CertificateVerification
from compapp.contests.models import Coach, EntryCoach
from tests.queries import counted

HOLDER = "欧阳娜娜"
OTHER = "司马光明"


@pytest.fixture
def app_config(tmp_path) -> dict:
    """Build contest ZIPs under the test's own folder, not the checkout's instance/."""
    return {"CERTIFICATE_ZIP_DIR": str(tmp_path / "zips")}


@pytest.fixture
def contest_with_results(db, create_contest, create_event, create_entry):
    """A contest with: a confirmed gold (competitor + coach), a confirmed silver, an unconfirmed
    bronze and a confirmed rank-only placement."""
    contest = create_contest("2025年全国职业技能大赛", category="national_skills_competition")
    event = create_event(contest, "焊接")
    gold = create_entry(event, rank=1, result="gold", names=[HOLDER])
    silver = create_entry(event, rank=2, result="silver", names=[OTHER])
    create_entry(event, rank=3, result="bronze", names=["未确认"])
    rank_only = create_entry(event, rank=4, names=["只有名次"])
    coach = Coach(name="王教练")
    db.session.add(coach)
    db.session.flush()
    db.session.add(EntryCoach(entry_id=gold.id, coach_id=coach.id, role="coach"))
    for entry in (gold, silver, rank_only):
        entry.placement.status = "confirmed"
    db.session.commit()
    return {"contest": contest, "gold": gold, "silver": silver, "coach": coach}


def certificate_of(db, name: str) -> Certificate:
    certs = db.session.scalars(db.select(Certificate)).all()
    return next(c for c in certs if c.content["holder_name"] == name and c.is_valid)


def issue(db, contest) -> certificate_issuing.IssueResult:
    result = certificate_issuing.issue_award_certificates(contest)
    db.session.commit()
    return result


def pdf_text(data: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def audit_actions(db) -> list[str]:
    return db.session.scalars(db.select(AuditEntry.action).order_by(AuditEntry.id)).all()


def test_award_certificates_go_to_confirmed_medal_placements_and_their_coaches(
    db, contest_with_results
):
    """Issue 6 §1: one per competitor and coaching-team member of a confirmed placement;
    unconfirmed and rank-only placements get none."""
    result = issue(db, contest_with_results["contest"])
    holders = {
        (c.content["holder_name"], c.content["holder_role"], c.content["result_text"])
        for c in result.issued
    }
    assert holders == {
        (HOLDER, "选手", "金牌"),
        (OTHER, "选手", "银牌"),
        ("王教练", "教练", "金牌"),
    }
    assert all(len(c.serial) == 26 for c in result.issued)


def test_issuing_again_writes_no_second_valid_certificate(db, contest_with_results):
    """Idempotent: never two valid certificates for the same holder, entry and kind."""
    issue(db, contest_with_results["contest"])
    again = issue(db, contest_with_results["contest"])
    assert again.issued == [] and again.already == 3
    assert db.session.scalar(db.select(db.func.count(Certificate.id))) == 3
    assert audit_actions(db).count("issue_certificate") == 3


def test_winner_downloads_own_certificate_with_name_in_the_pdf(
    db, client, auth, create_user, contest_with_results
):
    """Issue 6 §4: winners download their own certificates; the file name has name and contest."""
    issue(db, contest_with_results["contest"])
    cert = certificate_of(db, HOLDER)
    create_user("winner", "winner", competitor_id=cert.competitor_id)
    auth.login("winner")
    response = client.get(f"/certificates/{cert.id}/download")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert HOLDER in pdf_text(response.data)
    assert cert.serial in pdf_text(response.data)
    disposition = response.headers["Content-Disposition"]
    assert "filename*=UTF-8''" in disposition
    name = unquote(disposition.split("filename*=UTF-8''")[1])
    assert HOLDER in name and "2025年全国职业技能大赛" in name and name.endswith(".pdf")


def test_winner_cannot_download_another_persons_certificate(
    db, client, auth, create_user, contest_with_results
):
    """Issue 6 §5: a winner cannot download another's certificate (404, not even 403)."""
    issue(db, contest_with_results["contest"])
    mine, theirs = certificate_of(db, HOLDER), certificate_of(db, OTHER)
    create_user("winner", "winner", competitor_id=mine.competitor_id)
    auth.login("winner")
    assert client.get(f"/certificates/{theirs.id}/download").status_code == 404
    page = client.get("/my/certificates").get_data(as_text=True)
    assert f"/certificates/{mine.id}/download" in page
    assert f"/certificates/{theirs.id}/download" not in page


def test_organiser_outside_the_contests_body_gets_404(
    db, client, auth, create_user, contest_with_results
):
    """Organisers reach the certificates of their own body's contests only."""
    issue(db, contest_with_results["contest"])
    cert = certificate_of(db, HOLDER)
    from compapp.contests.services import get_or_create_body

    other_body = get_or_create_body("迪庆州人力资源和社会保障局")
    db.session.commit()
    create_user("other", "organiser", organising_body_id=other_body.id)
    auth.login("other")
    assert client.get(f"/certificates/{cert.id}/download").status_code == 404
    assert client.get(f"/certificates/contests/{cert.contest_id}").status_code == 404


def test_organiser_previews_a_sample_before_issuing_without_storing_it(
    db, client, auth, dummy_organiser, contest_with_results
):
    """Organisers preview a certificate (marked 样本) before issuing; nothing is written."""
    contest = contest_with_results["contest"]
    auth.login("organiser")
    page = client.get(f"/certificates/contests/{contest.id}").get_data(as_text=True)
    link = next(part.split('"')[0] for part in page.split('href="') if "/preview?" in part)
    response = client.get(link.replace("&amp;", "&"))
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "样本" in pdf_text(response.data)
    assert db.session.scalar(db.select(db.func.count(Certificate.id))) == 0


def test_issue_all_button_issues_and_audits(
    db, client, auth, dummy_organiser, contest_with_results
):
    """The organiser's 'issue all' writes the due certificates and one audit entry each."""
    contest = contest_with_results["contest"]
    auth.login("organiser")
    response = client.post(f"/certificates/contests/{contest.id}/issue")
    assert response.status_code == 302
    assert db.session.scalar(db.select(db.func.count(Certificate.id))) == 3
    entry = db.session.scalar(db.select(AuditEntry).filter_by(action="issue_certificate"))
    assert entry.username == "organiser"


def test_issue_all_above_the_direct_limit_runs_as_a_job_that_issues_every_certificate(
    app, db, client, auth, dummy_organiser, contest_with_results, monkeypatch
):
    """Issue 17: "issue all" for a contest with more certificates than the direct limit
    answers with a job page at once; the job issues every due certificate, one audit entry
    each, recording progress (and committing) between holders; the page shows the result."""
    monkeypatch.setitem(app.config, "CERTIFICATE_ISSUE_DIRECT_MAX", 2)
    monkeypatch.setattr(certificate_issuing, "PROGRESS_EVERY", 1)
    contest = contest_with_results["contest"]
    auth.login("organiser")
    response = client.post(f"/certificates/contests/{contest.id}/issue")
    assert response.status_code == 302
    job_page = response.headers["Location"]
    assert "/certificates/issuing/" in job_page
    status = client.get(job_page.rstrip("/") + "/status").get_json()
    assert (status["state"], status["done"], status["total"]) == ("done", 3, 3), status
    assert status["result"]["issued"] == 3
    db.session.expire_all()
    assert db.session.scalar(db.select(db.func.count(Certificate.id))) == 3
    audits = db.session.scalars(db.select(AuditEntry).filter_by(action="issue_certificate")).all()
    assert len(audits) == 3 and {a.username for a in audits} == {"organiser"}
    page = client.get(job_page).get_data(as_text=True)
    assert "已颁发 3 份证书。" in page and 'id="issue-progress"' in page
    # Nothing left to issue: a second run finds nothing due (no duplicate certificate).
    client.post(f"/certificates/contests/{contest.id}/issue")
    assert db.session.scalar(db.select(db.func.count(Certificate.id))) == 3


def test_a_second_issue_all_click_finds_the_contests_running_issuing_job(
    app, db, client, auth, dummy_organiser, contest_with_results, monkeypatch
):
    """Issue 17: while a contest's issuing job is queued or running, clicking "issue all"
    again shows that job instead of starting a second one."""
    from compapp.auth.models import User
    from compapp.certificates import issue_jobs
    from compapp.jobs.models import Job

    monkeypatch.setitem(app.config, "CERTIFICATE_ISSUE_DIRECT_MAX", 2)
    contest = contest_with_results["contest"]
    organiser = db.session.scalar(db.select(User).filter_by(username="organiser"))
    job, new = issue_jobs.start_issue_all(contest, organiser, 3)  # queued, not yet handed over
    db.session.commit()
    assert new
    auth.login("organiser")
    response = client.post(f"/certificates/contests/{contest.id}/issue")
    assert response.headers["Location"].endswith(f"/certificates/issuing/{job.id}")
    assert db.session.scalar(db.select(db.func.count(Job.id))) == 1
    assert db.session.scalar(db.select(db.func.count(Certificate.id))) == 0
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "已处理 0 / 3 人" in page
    # The certificates page says the job is under way and links to it.
    page = client.get(f"/certificates/contests/{contest.id}").get_data(as_text=True)
    assert 'id="issuing-job"' in page and f"/certificates/issuing/{job.id}" in page


def test_issue_all_job_refused_by_the_job_caps_is_said_in_the_pages_language(
    app, db, client, auth, dummy_organiser, contest_with_results, monkeypatch
):
    """A job the caps refuse is not started; the certificates page says why, in English on
    English pages."""
    from compapp.jobs.models import Job

    monkeypatch.setitem(app.config, "CERTIFICATE_ISSUE_DIRECT_MAX", 2)
    monkeypatch.setitem(app.config, "JOB_MAX_ACTIVE", 0)
    contest = contest_with_results["contest"]
    auth.login("organiser")
    client.get("/?lang=en")
    page = client.post(
        f"/certificates/contests/{contest.id}/issue", follow_redirects=True
    ).get_data(as_text=True)
    assert "background jobs" in page.lower(), page[:2000]
    assert db.session.scalar(db.select(db.func.count(Job.id))) == 0
    assert db.session.scalar(db.select(db.func.count(Certificate.id))) == 0


def test_organiser_contest_zip_is_built_in_the_background_and_holds_every_file(
    db, client, auth, dummy_organiser, contest_with_results
):
    """Issue 6 §4: a contest's certificates as one ZIP, built in the background with progress."""
    contest = contest_with_results["contest"]
    issue(db, contest)
    auth.login("organiser")
    response = client.post(f"/certificates/contests/{contest.id}/zip")
    assert response.status_code == 302
    job_page = response.headers["Location"]
    assert "zip-progress" in client.get(job_page).get_data(as_text=True)
    status_url = job_page.rstrip("/") + "/status"
    deadline = time.monotonic() + 90
    while True:
        status = client.get(status_url).get_json()
        if status["state"] != "running" or time.monotonic() > deadline:
            break
        time.sleep(0.3)
    assert status["state"] == "done", status
    assert status["done"] == status["total"] == 3
    with client.get(status["download_url"]) as archive:
        assert archive.status_code == 200
        assert "filename*=UTF-8''" in archive.headers["Content-Disposition"]
        names = zipfile.ZipFile(io.BytesIO(archive.data)).namelist()
    certs = db.session.scalars(db.select(Certificate).order_by(Certificate.id)).all()
    assert names == [services.download_name(c) for c in certs]
    assert any(HOLDER in n for n in names)
    assert "download_certificate_zip" in audit_actions(db)


def qr_url(pdf: bytes, tmp_path) -> str:
    (tmp_path / "c.pdf").write_bytes(pdf)
    subprocess.run(
        [
            "pdftoppm",
            "-r",
            "150",
            "-png",
            "-singlefile",
            str(tmp_path / "c.pdf"),
            str(tmp_path / "c"),
        ],
        check=True,
    )
    out = subprocess.run(
        ["zbarimg", "--quiet", "--raw", str(tmp_path / "c.png")],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    return out


def download_at(client, cert, base_url: str) -> bytes:
    """The organiser's download of ``cert`` from compapp served at ``base_url``."""
    from tests.helpers import PASSWORD

    login = {"username": "organiser", "password": PASSWORD}
    assert client.post("/login", data=login, base_url=base_url).status_code == 302
    response = client.get(f"/certificates/{cert.id}/download", base_url=base_url)
    assert response.mimetype == "application/pdf"
    return response.data


def test_qr_code_opens_a_verify_page_that_says_valid_then_revoked(
    db, client, auth, dummy_organiser, contest_with_results, tmp_path
):
    """Issue 6 §3/§5: the QR decodes to /verify/<serial>; the public page shows a masked name
    and valid; after revocation it says revoked, without the reason."""
    issue(db, contest_with_results["contest"])
    cert = certificate_of(db, HOLDER)
    # Served at another address than anyone configured: the QR code follows the address.
    pdf = download_at(client, cert, "http://compapp.test:8123")
    url = qr_url(pdf, tmp_path)
    assert url == f"http://compapp.test:8123/verify/{cert.serial}"
    auth.logout()

    page = client.get(urlparse(url).path)  # not signed in: the page is public
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "有效" in text and "已撤销" not in text
    assert "欧***" in text and HOLDER not in text
    assert "2025年全国职业技能大赛" in text and "焊接" in text and "金牌" in text
    assert page.headers["X-Robots-Tag"].startswith("noindex")

    auth.login("organiser")
    reason = "获奖人身份证号码登记错误"
    response = client.post(f"/certificates/{cert.id}/revoke", data={"reason": reason})
    assert response.status_code == 302
    auth.logout()
    text = client.get(urlparse(url).path).get_data(as_text=True)
    assert "已撤销" in text and reason not in text
    outcomes = db.session.scalars(
        db.select(CertificateVerification.outcome).order_by(CertificateVerification.id)
    ).all()
    assert outcomes == ["valid", "revoked"]


def test_revocation_needs_a_reason_and_nothing_changes_without_one(
    db, client, auth, dummy_organiser, contest_with_results
):
    """Revocation needs a reason (issue 6 §3); an empty one is refused next to the field."""
    issue(db, contest_with_results["contest"])
    cert = certificate_of(db, HOLDER)
    auth.login("organiser")
    response = client.post(f"/certificates/{cert.id}/revoke", data={"reason": "  "})
    assert response.status_code == 200
    assert 'class="error"' in response.get_data(as_text=True)
    db.session.refresh(cert)
    assert cert.is_valid


def test_certificate_refusals_read_in_english_on_english_pages(
    db, client, auth, dummy_organiser, contest_with_results
):
    """A refused revocation or re-issue says why in the page's language (one refusal type,
    translated where it is shown), not in Chinese on an English page."""
    from flask_babel import refresh

    issue(db, contest_with_results["contest"])
    cert = certificate_of(db, HOLDER)
    certificate_issuing.revoke(cert, "证书信息有误，收回。", None)
    db.session.commit()
    auth.login("organiser")
    client.get("/?lang=en")
    refresh()  # the test's app context outlives requests; forget its cached locale
    again = client.post(f"/certificates/{cert.id}/revoke", data={"reason": "again"})
    text = again.get_data(as_text=True)
    assert "This certificate has already been revoked." in text
    assert "该证书已撤销" not in text
    replaced = client.post(f"/certificates/{cert.id}/reissue", data={"reason": "lost"})
    text = replaced.get_data(as_text=True)
    assert "Only a valid certificate can be replaced" in text
    assert "只能补发有效的证书" not in text


def test_unknown_serial_shows_not_found_and_is_logged(client, db):
    """Every verification is logged, unknown serials too; the page answers 404."""
    serial = "0" * 26
    response = client.get(f"/verify/{serial}")
    assert response.status_code == 404
    assert "未找到证书" in response.get_data(as_text=True)
    log = db.session.scalar(db.select(CertificateVerification))
    assert (log.serial_queried, log.outcome, log.certificate_id) == (serial, "unknown", None)


def test_lookup_form_accepts_a_serial_typed_with_spaces_and_lower_case(
    db, client, contest_with_results
):
    """The look-up form takes a serial as a person types it and opens its verify page."""
    issue(db, contest_with_results["contest"])
    cert = certificate_of(db, HOLDER)
    typed = " ".join(cert.serial[i : i + 5] for i in range(0, 26, 5)).lower()
    response = client.get("/verify", query_string={"serial": typed})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/verify/{cert.serial}")


def test_reissue_makes_a_new_serial_and_revokes_the_old(
    db, client, auth, dummy_organiser, contest_with_results
):
    """Re-issue (with a reason) gives a new serial; the old one is revoked and points to it."""
    issue(db, contest_with_results["contest"])
    old = certificate_of(db, HOLDER)
    auth.login("organiser")
    response = client.post(f"/certificates/{old.id}/reissue", data={"reason": "姓名更正"})
    assert response.status_code == 302
    db.session.refresh(old)
    new = certificate_of(db, HOLDER)
    assert new.serial != old.serial and new.is_valid
    assert old.status == "revoked" and old.replaced_by_id == new.id
    assert "姓名更正" in old.revocation_reason
    actions = audit_actions(db)
    assert "revoke_certificate" in actions and "reissue_certificate" in actions
    text = client.get(f"/verify/{old.serial}").get_data(as_text=True)
    assert "已撤销" in text


def test_organiser_download_is_audited(db, client, auth, dummy_organiser, contest_with_results):
    """Downloads by organisers are recorded in the audit log."""
    issue(db, contest_with_results["contest"])
    cert = certificate_of(db, HOLDER)
    auth.login("organiser")
    assert client.get(f"/certificates/{cert.id}/download").status_code == 200
    entry = db.session.scalar(db.select(AuditEntry).filter_by(action="download_certificate"))
    assert entry.target_id == str(cert.id) and entry.username == "organiser"


def test_cli_render_issues_then_writes_the_contests_pdfs(
    db, runner, contest_with_results, tmp_path
):
    """`certificates render --contest ID --out DIR` issues when none exist, then writes PDFs."""
    contest = contest_with_results["contest"]
    out = tmp_path / "out"
    result = runner.invoke(
        args=["certificates", "render", "--contest", str(contest.id), "--out", str(out)]
    )
    # No request tells the command the public address: it asks for one, writing nothing.
    assert result.exit_code != 0 and "COMPAPP_BASE_URL" in result.output
    assert not out.exists() or not any(out.iterdir())
    result = runner.invoke(
        args=[
            "certificates",
            "render",
            "--contest",
            str(contest.id),
            "--out",
            str(out),
            "--base-url",
            "https://compapp.example.cn/",
        ]
    )
    assert result.exit_code == 0, result.output
    assert "issued 3" in result.output and "wrote 3" in result.output
    files = sorted(p.name for p in out.iterdir())
    assert len(files) == 3 and all(f.endswith(".pdf") for f in files)
    assert any(HOLDER in f for f in files)
    again = runner.invoke(
        args=["certificates", "render", "--contest", str(contest.id), "--out", str(out)]
        + ["--base-url", "https://compapp.example.cn"]
    )
    assert "3 valid certificate(s) already issued" in again.output
    assert db.session.scalar(db.select(db.func.count(Certificate.id))) == 3


def test_issue_all_does_not_undo_a_revocation_but_a_reasoned_issue_again_does(
    db, client, auth, dummy_organiser, contest_with_results
):
    """A revoked certificate (say, for fraud) is not silently re-issued by 'issue all'; issuing
    again for that holder is a separate step with a reason, recorded in the audit log."""
    contest = contest_with_results["contest"]
    issue(db, contest)
    cert = certificate_of(db, HOLDER)
    auth.login("organiser")
    client.post(f"/certificates/{cert.id}/revoke", data={"reason": "成绩作弊，取消资格"})
    again = issue(db, contest)
    assert again.issued == [] and again.revoked == 1
    page = client.get(f"/certificates/contests/{contest.id}").get_data(as_text=True)
    assert "已撤销、未补发" in page
    key = {
        "kind": "award",
        "entry": cert.entry_id,
        "holder_type": "competitor",
        "person": cert.competitor_id,
    }
    refused = client.post(f"/certificates/contests/{contest.id}/issue-again", data=key)
    assert refused.status_code == 302
    assert db.session.scalar(db.select(db.func.count(Certificate.id))) == 3
    client.post(
        f"/certificates/contests/{contest.id}/issue-again", data={**key, "reason": "复核后恢复成绩"}
    )
    new = certificate_of(db, HOLDER)
    assert new.serial != cert.serial
    assert audit_actions(db)[-1] == "reissue_certificate"


def test_final_promotion_case_gets_a_confirmation_and_an_approved_title_a_title_certificate(
    db, contest_with_results
):
    """POLICY.md §6: certificates after confirmation and publication (case 'final'); the
    云南竞赛技术能手 title only once approved ("经核准")."""
    contest, gold = contest_with_results["contest"], contest_with_results["gold"]
    final_case(db, contest, gold, title="云南竞赛技术能手", title_status="approved")
    result = certificate_issuing.issue_all_certificates(contest)
    db.session.commit()
    by_kind = {c.kind: c.content for c in result.issued if c.content["holder_name"] == HOLDER}
    assert set(by_kind) == {"award", "promotion", "title"}
    assert (by_kind["promotion"]["from_grade"], by_kind["promotion"]["to_grade"]) == (
        "三级/高级工",
        "二级/技师",
    )
    assert by_kind["title"]["result_text"] == "第 1 名"


def final_case(db, contest, entry, **values):
    """Add a final promotion case (and its notice) for the first member of ``entry``."""
    from datetime import date

    from compapp.promotion.models import PromotionCase, PublicNotice

    notice = PublicNotice(
        contest_id=contest.id,
        published_on=date(2025, 10, 1),
        working_days=5,
        ends_on=date(2025, 10, 10),
        calendar_digest="x" * 64,
        issuer="人社局",
        contact="0887-0000000",
    )
    db.session.add(notice)
    db.session.flush()
    values = {
        "facts": {},
        "eligible": True,
        "from_grade": "senior",
        "to_grade": "technician",
        "reason": "…",
        **values,
    }
    case = PromotionCase(
        contest_id=contest.id,
        placement_id=entry.placement.id,
        competitor_id=entry.members[0].competitor_id,
        status="final",
        notice_id=notice.id,
        **values,
    )
    db.session.add(case)
    db.session.commit()
    return case


def test_promotion_and_title_certificates_print_the_cases_policy_clause_and_title(
    app, db, contest_with_results
):
    """The basis printed is the case's policy document and clause (dq-2022 第(1)项,
    000_506faec866124176.txt:95), the issuer that policy's prefecture bureau, and the title
    certificate confers the title the case records."""
    from compapp.certificates.content import body_text
    from compapp.promotion import services as promotion

    contest, gold = contest_with_results["contest"], contest_with_results["gold"]
    final_case(
        db,
        contest,
        gold,
        policy_id="dq-2022",
        clause="(1)",
        title="测试能手",
        title_status="approved",
    )
    result = certificate_issuing.issue_all_certificates(contest)
    db.session.commit()
    by_kind = {c.kind: c for c in result.issued if c.content["holder_name"] == HOLDER}
    policy = next(p for p in promotion.promotion_rules().policies if p.id == "dq-2022")
    for kind in ("promotion", "title"):
        content = services.content_of(by_kind[kind])
        assert content.basis == f"《{policy.document}》第(1)项"
        assert content.issuing_body == f"{policy.prefecture_name}人力资源和社会保障局"
        assert f"依据《{policy.document}》第(1)项" in body_text(content)
    title = services.content_of(by_kind["title"])
    assert "授予“测试能手”称号" in body_text(title)
    with app.test_request_context(base_url="https://compapp.example.cn"):
        text = pdf_text(services.render_pdf(by_kind["title"]))
    assert "测试能手" in text and "云南竞赛技术能手" not in text
    assert services.download_name(by_kind["title"]).startswith("测试能手证书_")


def test_promotion_certificates_print_the_placing_with_its_format_and_tie(
    db, client, auth, create_user, contest_with_results
):
    """The placing a promotion rests on reads as on the notice: format, rank, tie marker;
    the contest page's list of holders says the same."""
    contest, gold = contest_with_results["contest"], contest_with_results["gold"]
    final_case(
        db,
        contest,
        gold,
        facts={"event_format": "pair", "rank": 2, "is_tie": True},
        title_status="none",
    )
    create_user("org", "organiser")
    auth.login("org")
    page = client.get(f"/certificates/contests/{contest.id}").get_data(as_text=True)
    assert "双人赛项第 2 名（并列）" in page
    result = certificate_issuing.issue_all_certificates(contest)
    by_kind = {c.kind: c.content for c in result.issued if c.content["holder_name"] == HOLDER}
    assert by_kind["promotion"]["result_text"] == "双人赛项第 2 名（并列）"
    assert by_kind["award"]["result_text"] == "金牌"


def test_certificate_pages_read_the_contests_certificates_once(
    db, app, client, auth, create_user, contest_with_results
):
    """The index and the contest page read certificates in a fixed few queries (counts, the
    pending and revoked holders, one page of certificates), not one per holder; the
    query-count tests (tests/test_list_queries.py) hold them flat at two sizes."""

    contest = contest_with_results["contest"]
    issue(db, contest)
    certificate_issuing.revoke(certificate_of(db, OTHER), "测试撤销", None)
    db.session.commit()
    create_user("org", "organiser")
    auth.login("org")
    for url in ("/certificates/", f"/certificates/contests/{contest.id}"):
        with counted(db) as statements:
            response = client.get(url)
        assert response.status_code == 200
        reads = [s for s in statements if "FROM certificates" in s]
        # (one read of the certificates a correction superseded, pending reissue, included)
        assert 0 < len(reads) <= 9, (url, reads)
        if url != "/certificates/":
            assert OTHER in response.get_data(as_text=True)
    states = certificate_holders.holder_states(contest)
    assert [h.name for h in states.revoked] == [OTHER]
    assert states.pending == []


def test_quick_zip_clicks_share_one_job_until_the_certificates_change(
    db, client, auth, dummy_organiser, contest_with_results
):
    """Issue 15 §7: twelve clicks on "打包下载" make one job (the same ZIP is handed out again),
    not twelve processes; a revoked certificate makes a different ZIP, so a new job."""
    from compapp.jobs.models import Job

    contest = contest_with_results["contest"]
    issue(db, contest)
    auth.login("organiser")
    places = {
        client.post(f"/certificates/contests/{contest.id}/zip").headers["Location"]
        for _ in range(12)
    }
    assert len(places) == 1
    assert db.session.scalar(db.select(db.func.count(Job.id))) == 1
    certificate_issuing.revoke(certificate_of(db, HOLDER), "证书信息有误，收回。", None)
    db.session.commit()
    again = client.post(f"/certificates/contests/{contest.id}/zip").headers["Location"]
    assert again not in places
    assert db.session.scalar(db.select(db.func.count(Job.id))) == 2


@pytest.mark.parametrize("configured", ["https://zs.rst.yn.gov.cn", "https://zs.rst.yn.gov.cn/"])
def test_qr_code_points_at_the_configured_public_address(
    app, db, client, auth, dummy_organiser, contest_with_results, tmp_path, configured
):
    """COMPAPP_BASE_URL wins over the address a request came in at (a proxy's inner one)."""
    app.config["COMPAPP_BASE_URL"] = configured
    issue(db, contest_with_results["contest"])
    cert = certificate_of(db, HOLDER)
    pdf = download_at(client, cert, "http://10.0.0.5:8000")
    assert qr_url(pdf, tmp_path) == f"https://zs.rst.yn.gov.cn/verify/{cert.serial}"


def test_superseding_by_promotion_case_marks_only_that_cases_certificates(db, contest_with_results):
    """A withdrawn promotion decision marks the certificates resting on its case (the
    confirmation and the title), not the award certificate of the same result."""
    contest, gold = contest_with_results["contest"], contest_with_results["gold"]
    case = final_case(db, contest, gold, title="云南竞赛技术能手", title_status="approved")
    certificate_issuing.issue_all_certificates(contest)
    db.session.commit()
    marked = certificate_issuing.supersede_case_certificates([case.id], "promotion_reopened", None)
    db.session.commit()
    on_case = db.session.scalars(db.select(Certificate).filter_by(promotion_case_id=case.id)).all()
    assert marked == 2
    assert {(c.kind, c.status, c.superseded_reason) for c in on_case} == {
        ("promotion", "revoked", "promotion_reopened"),
        ("title", "revoked", "promotion_reopened"),
    }
    award = certificate_of(db, HOLDER)
    assert award.kind == "award" and award.is_valid
    assert certificate_issuing.supersede_case_certificates([], "promotion_reopened", None) == 0
