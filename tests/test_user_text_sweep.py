"""Sweep: no page, export or API error a user sees names a source file, a line of one, a
digest, "POLICY.md", a policy id or an internal clause key (POLICY.md §8; issue 13 point 6).

On the demo data, with certificates issued, a notice published and an honour confirmed and
certified, every role (and an anonymous visitor) follows every link it is shown, in Chinese
and in English: each HTML page's visible text, each PDF's text, each Excel or CSV file's
cells are checked. Administrators may see ids and digests inside a details view (the
<details> of a page) and on the audit log, which are their details views.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections import Counter, deque
from datetime import date
from urllib.parse import urljoin, urlparse

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

DEMO_PASSWORD = "compapp-demo"
ROLES = ("admin", "organiser1", "organiser_dq", "coach1", "finance_yn", "finance_dq",
         "finance_deqin", "winner1", None)  # fmt: skip
POLICY_IDS = ("yn-2017-40", "yn-2021-28", "dq-2022", "ll-2022-64", "yx-2022-8", "bs-2022-9",
              "yn-hrss-2018-71")  # fmt: skip
INTERNAL = re.compile(
    r"\d{3}_[0-9a-f]{16}(?:\.txt)?"  # a seed file
    r"|\.txt:\d+"  # a line of one
    r"|\b(?=[0-9a-f]*[a-f])(?=[0-9a-f]*[0-9])[0-9a-f]{16,64}\b"  # a digest
    r"|POLICY\.md|POLICY §|政策说明 ?§"  # this project's notes
    r"|(?<![\w-])(?:" + "|".join(re.escape(p) for p in POLICY_IDS) + r")(?![\w-])"
    r"|\(4\)省级|18（荣誉）|27（"  # clause keys of the policy data, never their reading
)
# Pages per address shape (ids replaced by #, the query by its keys) a role visits: enough
# to see each kind of row; English reads the same rows, so one of each there.
PER_SHAPE = {"zh": 2, "en": 1}
# Not followed: signing out, static files, metrics, and contest ZIPs (background jobs).
SKIP = re.compile(r"^/(logout|static/|metrics|healthz)|/zips?(/|$)")


@pytest.fixture
def demo_state(app, db, runner):
    """The demo data with a certificate of each kind, a published notice and an honour."""
    from compapp.auth.models import User
    from compapp.certificates import services as certificates
    from compapp.contests.models import Contest, Placement
    from compapp.honours import services as honours
    from compapp.promotion import services as promotion
    from compapp.promotion.models import PromotionCase

    result = runner.invoke(args=["seed", "demo"])
    assert result.exit_code == 0, result.output
    users = {u.username: u for u in db.session.scalars(db.select(User))}
    for placement in db.session.scalars(db.select(Placement)):
        placement.status = "confirmed"
    db.session.flush()
    # Promotions of one contest confirmed and published (a 公示), certificates issued.
    case = db.session.scalar(
        db.select(PromotionCase).filter_by(eligible=True).order_by(PromotionCase.id)
    )
    contest = case.contest
    for c in db.session.scalars(
        db.select(PromotionCase).filter_by(contest_id=contest.id, eligible=True)
    ):
        promotion.confirm_case(c, users["admin"], seen=promotion.case_view(c))
    promotion.publish_notice(contest, date(2026, 11, 27), users["admin"], today=date(2026, 11, 27))
    for each in db.session.scalars(db.select(Contest)):
        certificates.issue_all_certificates(each, users["admin"])
    # An honour of a demo winner, confirmed by a second person and certified.
    winner = users["winner1"]
    for kind, on in (("yunnan_technical_expert", date(2019, 9, 10)),
                     ("zhonghua_skills_award", date(2023, 5, 1))):  # fmt: skip
        honour = honours.record_honour(
            honours.HonourData(winner.competitor_id, kind, on, "迪庆州人力资源和社会保障局"),
            users["organiser1"],
        )
        honours.confirm_honour(honour, users["organiser2"])
        certificates.issue_honour_certificate(honour, users["organiser1"])
    db.session.commit()
    serials = db.session.scalars(db.select(certificates.Certificate.serial)).all()
    assert serials
    return {"serials": serials}


def shape(url: str) -> str:
    parsed = urlparse(url)
    keys = sorted(k.split("=")[0] for k in parsed.query.split("&") if k)
    return re.sub(r"\d+", "#", parsed.path) + "?" + "&".join(keys)


def html_text(body: str, role: str | None) -> str:
    """What a person reads on a page: the text, without markup, scripts or styles; an
    administrator's details views left out."""
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S)
    if role == "admin":
        body = re.sub(r"<details\b.*?</details>", " ", body, flags=re.S)
    body = re.sub(r"<[^>]+>", " ", body)
    return re.sub(r"\s+", " ", body)


def file_text(data: bytes, mimetype: str) -> str:
    if mimetype == "application/pdf":
        return "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    if "spreadsheetml" in mimetype:
        wb = load_workbook(io.BytesIO(data), read_only=True)
        return " ".join(
            str(v) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for v in row
            if v is not None
        )  # fmt: skip
    if mimetype == "application/zip":
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            return " ".join(z.namelist())
    return data.decode("utf-8", "replace")


def links(body: str, base: str) -> list[str]:
    out = []
    for href in re.findall(r'href="([^"#]+)', body):
        url = urlparse(urljoin(base, href.replace("&amp;", "&")))
        if url.netloc not in ("", "localhost"):
            continue
        out.append(url.path + (f"?{url.query}" if url.query else ""))
    return out


def crawl(app, role: str | None, start: list[str], lang: str) -> tuple[dict, int]:
    """Follow every link ``role`` is shown; return {url: [leaks]} and the count of pages.

    A link that leads nowhere (404) is reported too: a citation must open its page.
    """
    client = app.test_client()
    if role is not None:
        response = client.post("/login", data={"username": role, "password": DEMO_PASSWORD})
        assert response.status_code == 302, role
    client.get(f"/?lang={lang}")
    seen, shapes, leaks = set(), Counter(), {}
    queue = deque(start)
    while queue:
        url = queue.popleft()
        path = urlparse(url).path
        if url in seen or SKIP.search(path) or shapes[shape(url)] >= PER_SHAPE[lang]:
            continue
        seen.add(url)
        shapes[shape(url)] += 1
        response = client.get(url)
        assert response.status_code < 500, (role, url, response.status_code)
        if response.status_code == 404 and url not in start:
            leaks[url] = ["a link that leads to no page (404)"]
            continue
        if response.status_code in (301, 302, 303):
            queue.append(urlparse(response.headers["Location"]).path)
            continue
        if response.mimetype == "text/html":
            body = response.get_data(as_text=True)
            text = html_text(body, role)
            if not (role == "admin" and path.startswith("/audit")):
                queue.extend(links(body, url))
        else:
            text = file_text(response.data, response.mimetype)
        if role == "admin" and path.startswith("/audit"):
            continue
        found = sorted({m.group(0) for m in INTERNAL.finditer(text)})
        if found:
            leaks[url] = found
    return leaks, len(seen)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_no_page_or_export_shows_a_file_name_digest_or_internal_id(app, demo_state, lang):
    verify = [f"/verify/{serial}" for serial in demo_state["serials"]]
    public = ["/", "/policies/", "/readings", "/verify", *verify]
    leaks, total = {}, 0
    for role in ROLES:
        found, pages = crawl(app, role, ["/", *public], lang)
        leaks.update({f"{role} {url}": words for url, words in found.items()})
        total += pages
    assert total > 200  # the sweep reached the application, not only its front page
    assert not leaks, leaks


API_ERRORS = [
    {"category": "worldskills"},
    {"award_date": "2024-09-15", "category": "national_class2", "sending_county": "533422",
     "event_format": "individual", "result": {"medal": "gold"}},
    {"award_date": "2016-01-01", "category": "worldskills", "sending_county": "533422",
     "event_format": "individual", "result": {"medal": "gold"}},
    {"award_date": "2024-09-15", "category": "prefecture_class1", "sending_county": "533422",
     "organiser": "530000", "event_format": "individual", "result": {"medal": "gold"}},
    {"award_date": "2024-09-15", "category": "worldskills", "sending_county": "999999",
     "event_format": "individual", "result": {"medal": "gold"}},
]  # fmt: skip


@pytest.mark.parametrize("body", API_ERRORS)
def test_api_errors_name_no_file_digest_or_internal_id(client, body):
    response = client.post("/api/v1/quote", json=body)
    assert response.status_code < 500
    text = response.get_data(as_text=True)
    assert not INTERNAL.search(text), (response.status_code, text)
