"""English all the way (issue 19 §7): every page of the demo, as each demo account reaches
it by following links from its home page, and every file those pages export, read in English
show no Chinese outside proper names, document titles and quoted clauses.

What may stay Chinese, and nothing else:
- proper names compapp holds: people, employers, coaches, contests, their venues and notes,
  events (as the organiser named them), organising bodies, jurisdictions, accounts' names;
- policy documents' titles, short titles, issuers, 文号 and clause numbers (as printed);
- a name masked for the public (此***), a bank's name;
- text quoted from a document: inside 《》, “” or 「」, in <blockquote>/<q>, or in an element
  marked lang="zh…" (a screen reader then reads it in Chinese); identifiers in <code>.

The crawl signs in as each demo account through the login form, opens the home page in
English, and follows every link on this site (at most a few per address shape, e.g. three
contests, three entries), downloads included. Runs on the demo data set.
"""

from __future__ import annotations

import io
import re
from collections import Counter, defaultdict
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from sqlalchemy import text

DEMO_PASSWORD = "compapp-demo"
ACCOUNTS = [
    "admin",
    "organiser1",
    "organiser_dq",
    "coach1",
    "finance_yn",
    "finance_dq",
    "finance_deqin",
    "winner1",
    None,  # not signed in: the public pages
]
PUBLIC = ["/", "/login", "/calculator", "/verify", "/help/", "/policies/"]
PER_SHAPE = 3  # addresses followed per shape (/contests/N/awards …)
HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
QUOTED = re.compile(r"《[^《》]*》|“[^“”]*”|「[^「」]*」")
SKIP = re.compile(r"/logout|[?&]lang=zh|/static/")

NAME_QUERIES = (
    "SELECT name FROM competitors",
    "SELECT employer FROM competitors",
    "SELECT name FROM coaches",
    "SELECT name FROM contests",
    "SELECT location FROM contests",
    "SELECT notes FROM contests",
    "SELECT occupation FROM events",
    "SELECT name FROM organising_bodies",
    "SELECT name FROM jurisdictions",
    "SELECT display_name FROM users",
    "SELECT recommended_by FROM honours",
    "SELECT bank_name FROM bank_accounts",
    "SELECT branch FROM bank_accounts",
    "SELECT source FROM calendar_years",  # the State Council notice's title, 文号 and date
)
# Short place names the policy documents use (迪庆州 for 迪庆藏族自治州).
SHORT_PLACE_NAMES = ("迪庆州",)

# What is known not to read in English yet, each with why. The check fails on anything else,
# and on a gap below that no longer occurs (then remove it here: the gap is closed).
# (why, pages: regex on the address, text: regex on the Chinese piece)
KNOWN_GAPS = [
    (
        "certificates are issued as Chinese documents (with an English heading)",
        r"^/certificates/(\d+/download|contests/\d+/preview)",
        r"",
    ),
    (
        "the audit log's CSV keeps each change's before and after as recorded (JSON data)",
        r"^/audit/export\.csv",
        r"^\{",
    ),
    (
        "the import template is the form the importer reads back: its column headers, sheet "
        "names and drop-down values are Chinese keys (its instructions read in English)",
        r"^/imports/contests/\d+/template\.xlsx",
        r"",
    ),
]
# A document number (文号) such as 云人社通〔2019〕98号: a document's reference.
DOCUMENT_NUMBER = re.compile(
    r"[\u3400-\u9fff]+〔\d{4}〕(?:\d+|X)号|国务院办公厅关于\d{4}年部分节假日安排的通知"
)
# A name masked for the public (此***): still a proper name.
MASKED_NAME = re.compile(r"[\u3400-\u9fff][\u3400-\u9fff·]{0,3}\*+|\*+[\u3400-\u9fff]")


class _Page(HTMLParser):
    """The text a person reads (attributes they hear included), without Chinese-marked parts,
    and the page's links."""

    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "wbr"}
    QUOTING = {"blockquote", "q", "code"}  # quotations; <code>: identifiers (serials, ids)

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.texts: list[str] = []
        self.stack: list[bool] = []  # per open element: is it skipped (Chinese, quote, script)?

    def _skipping(self) -> bool:
        return any(self.stack)

    def handle_starttag(self, tag, attrs):
        found = dict(attrs)
        skip = (
            tag in ("script", "style")
            or tag in self.QUOTING
            or (found.get("lang") or "").lower().startswith("zh")
        )
        if tag == "a" and found.get("href"):
            self.links.append(found["href"])
        if not (skip or self._skipping()):
            for name in ("title", "aria-label", "placeholder", "alt"):
                if found.get(name):
                    self.texts.append(found[name])
            if tag in ("input", "button") and found.get("type") in ("submit", "button"):
                self.texts.append(found.get("value") or "")
        if tag == "html":
            return
        if tag not in self.VOID:
            self.stack.append(skip)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in self.VOID and self.stack:
            self.stack.pop()

    def handle_endtag(self, tag):
        if tag in self.VOID or tag == "html":
            return
        if self.stack:
            self.stack.pop()

    def handle_data(self, data):
        if not self._skipping():
            self.texts.append(data)


@pytest.fixture(scope="module")
def english_site(tmp_path_factory):
    """The demo data set, certificates issued and a notice published, served by a test
    client per account (CSRF and sign-in limits off: the crawl only reads)."""
    from flask_migrate import upgrade

    from compapp import create_app
    from compapp.demo import load_demo
    from compapp.extensions import db

    folder = tmp_path_factory.mktemp("english")
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": "sqlite:///" + str(folder / "demo.sqlite"),
            "CERTIFICATE_ZIP_DIR": str(folder / "zips"),
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
        }
    )
    with app.app_context():
        upgrade()
        load_demo()
        db.session.commit()
        _issue_certificates()
        names = _allowed_names()
        db.session.remove()
    yield app, names
    with app.app_context():
        db.engine.dispose()


def _issue_certificates() -> None:
    from compapp.auth.models import User
    from compapp.certificates.issuing import issue_all_certificates
    from compapp.contests.models import Contest
    from compapp.extensions import db

    organiser = db.session.scalar(db.select(User).filter_by(username="organiser1"))
    for contest in db.session.scalars(db.select(Contest)).all():
        if contest.organising_body_id == organiser.organising_body_id:
            issue_all_certificates(contest, organiser)
    db.session.commit()


DOCUMENT_KEYS = {
    "title",
    "short_title",
    "document",
    "issuer",
    "document_number",
    "jurisdiction_name",
    "section",
    "item",
}


def _document_names(data, found: set[str]) -> None:
    """Titles, issuers, 文号 and clause numbers anywhere in a policy file."""
    if isinstance(data, dict):
        for key, value in data.items():
            if key in DOCUMENT_KEYS and isinstance(value, str) and value:
                found.add(value)
            _document_names(value, found)
    elif isinstance(data, list):
        for value in data:
            _document_names(value, found)


def _allowed_names() -> list[str]:
    """Proper names and document references that stay Chinese, longest first."""
    import tomllib

    from compapp import ROOT
    from compapp.extensions import db

    names: set[str] = set()
    for query in NAME_QUERIES:
        names.update(v for (v,) in db.session.execute(text(query)) if v)
    for path in sorted((ROOT / "compapp" / "policy" / "data").rglob("*.toml")):
        _document_names(tomllib.loads(path.read_text(encoding="utf-8")), names)
    names.update(SHORT_PLACE_NAMES)
    return sorted(names, key=len, reverse=True)


def chinese_left(texts, names: list[str]) -> list[str]:
    """The pieces of ``texts`` that are Chinese and neither a name nor a quotation."""
    found = []
    for piece in texts:
        if not HAN.search(piece):
            continue
        rest = piece
        # A name cut short on a chart ("2025年云南省“技能云南”乡村工匠职业技…").
        for cut in re.findall(r"(\S+)…", rest):
            if any(name.startswith(cut) for name in names):
                rest = rest.replace(cut + "…", " ")
        for name in names:
            if name in rest:
                rest = rest.replace(name, " ")

        rest = MASKED_NAME.sub(" ", DOCUMENT_NUMBER.sub(" ", QUOTED.sub(" ", rest)))
        if HAN.search(rest):
            found.append(" ".join(piece.split())[:120])
    return found


def known_gap(path: str, piece: str) -> str | None:
    """The KNOWN_GAPS entry that covers ``piece`` on ``path``, if any."""
    for why, pages, texts in KNOWN_GAPS:
        if re.search(pages, path) and re.search(texts, piece):
            return why
    return None


def _file_texts(data: bytes, content_type: str) -> list[str] | None:
    if "pdf" in content_type:
        from pypdf import PdfReader

        return [page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages]
    if "spreadsheet" in content_type:
        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(data), read_only=True)
        texts = list(book.sheetnames)
        for sheet in book.worksheets:
            for row in sheet.iter_rows(values_only=True):
                texts.extend(str(v) for v in row if isinstance(v, str))
        return texts
    if "csv" in content_type:
        import csv

        text = data.decode("utf-8-sig", "replace")
        return [field for row in csv.reader(io.StringIO(text)) for field in row]
    if "text/plain" in content_type:
        return data.decode("utf-8-sig", "replace").splitlines()
    return None


def _shape(path: str) -> str:
    parts = urlsplit(path)
    query = "&".join(sorted(k.split("=")[0] for k in parts.query.split("&") if k))
    return re.sub(r"\d+", "N", parts.path) + "?" + query


def _outside_gaps(path: str, pieces: list[str], gaps_seen: set) -> list[str]:
    left = []
    for piece in pieces:
        why = known_gap(path, piece)
        if why is None:
            left.append(piece)
        else:
            gaps_seen.add(why)
    return left


def _redirect_path(location: str) -> str:
    """Return the path of a redirect's Location (absolute or relative)."""
    location = location.split("://", 1)[-1].split("/", 1)[-1] if "://" in location else location
    return "/" + location.lstrip("/")


def crawl(app, username: str | None) -> tuple[dict[str, list[str]], int]:
    """Every page and file ``username`` reaches in English → the Chinese left on it."""
    client = app.test_client()
    client.get("/?lang=en")
    if username:
        response = client.post("/login", data={"username": username, "password": DEMO_PASSWORD})
        assert response.status_code == 302, username
    names = app.config["_ENGLISH_NAMES"]
    seen: set[str] = set()
    shapes: Counter = Counter()
    queue = ["/"] + PUBLIC
    problems: dict[str, list[str]] = defaultdict(list)
    gaps_seen = app.config["_ENGLISH_GAPS_SEEN"]
    while queue:
        path = queue.pop(0)
        if path in seen:
            continue
        seen.add(path)
        response = client.get(path)
        if response.status_code in (301, 302, 303):
            queue.append(_redirect_path(response.headers["Location"]))
            continue
        assert response.status_code < 500, (username, path, response.status_code)
        if response.status_code != 200:
            continue
        content_type = response.headers.get("Content-Type", "")
        if "html" not in content_type:
            texts = _file_texts(response.data, content_type)
            if texts is not None:
                left = _outside_gaps(path, chinese_left(texts, names), gaps_seen)
                if left:
                    problems[path] = left
            continue
        page = _Page()
        page.feed(response.get_data(as_text=True))
        left = _outside_gaps(path, chinese_left(page.texts, names), gaps_seen)
        if left:
            problems[path] = left
        queue += _links_to_follow(page.links, seen, shapes)
    return problems, len(seen)


def _links_to_follow(links, seen: set[str], shapes: Counter) -> list[str]:
    """Return the page's links to visit: compapp's own, new, at most PER_SHAPE per shape."""
    follow = []
    for href in links:
        href = href.split("#")[0]
        if not href.startswith("/") or href.startswith("//") or SKIP.search(href):
            continue
        shape = _shape(href)
        if href in seen or shapes[shape] >= PER_SHAPE:
            continue
        shapes[shape] += 1
        follow.append(href)
    return follow


@pytest.mark.parametrize("username", ACCOUNTS, ids=[a or "public" for a in ACCOUNTS])
def test_every_page_and_export_reads_in_english(english_site, username):
    app, names = english_site
    app.config["_ENGLISH_NAMES"] = names
    app.config.setdefault("_ENGLISH_GAPS_SEEN", set())
    problems, visited = crawl(app, username)
    assert visited > (3 if username in (None, "winner1", "coach1") else 20), visited
    report = "\n".join(
        f"{path}\n    " + "\n    ".join(sorted(set(texts))[:8]) for path, texts in problems.items()
    )
    assert not problems, f"Chinese on {len(problems)} English page(s):\n{report}"


def test_every_known_gap_still_occurs(english_site):
    """A gap listed in KNOWN_GAPS that the crawl no longer meets is closed: remove it."""
    app, _ = english_site
    seen = app.config.get("_ENGLISH_GAPS_SEEN")
    assert seen is not None, "runs after the crawls (same module)"
    assert {why for why, _p, _t in KNOWN_GAPS} <= seen, {why for why, _p, _t in KNOWN_GAPS} - seen


def test_the_check_sees_chinese_that_is_not_a_name(english_site):
    """The check itself: a name passes, a quoted clause passes, a sentence fails."""
    _, names = english_site
    assert chinese_left(["Winner: 此里农布", "“省级标准”", "<q>"], names) == []
    assert chinese_left(["Status: 已确认"], names) == ["Status: 已确认"]
    page = _Page()
    page.feed('<p lang="zh-CN">中文</p><blockquote>第一条</blockquote><p>待确认</p>')
    assert chinese_left(page.texts, names) == ["待确认"]


@pytest.mark.parametrize(
    ("stored", "english"),
    [
        ("第 1 名 金牌", "1st place, gold"),
        ("双人赛项第 2 名（并列）", "Pair event, 2nd place (tied)"),
        (
            "省级标准：全省综合性职业技能大赛金牌每人 ¥30,000，云南省承担",
            "Provincial standard: Province-wide comprehensive skills competition, Gold, "
            "¥30,000 each, paid by 云南省",
        ),
        (
            "教练团队按同等标准：省级标准 ¥30,000 × 20% = ¥6,000，迪庆藏族自治州承担",
            "Coaching team at the same standard: provincial standard ¥30,000 × 20% = ¥6,000, "
            "paid by 迪庆藏族自治州",
        ),
        (
            "compapp 未配置曲靖市或麒麟区的本地奖励政策：以上只计省级奖励。",
            "compapp has no local award policy of 曲靖市 or 麒麟区: only the provincial award "
            "is counted above.",
        ),
        ("迪庆方案（未印文号）四（四）2.(7)，按 compapp 读法", None),
    ],
)
def test_stored_sentences_read_in_english(app, stored, english):
    """The sentences compapp stores in Chinese read in English on English pages, their
    proper names and document references kept; Chinese pages show them as stored."""
    from flask_babel import refresh

    from compapp.english import shown

    with app.test_request_context("/?lang=en"):
        refresh()
        from compapp.i18n import select_locale

        assert select_locale() == "en"
        refresh()
        result = shown(stored)
        if english is None:
            assert result == "迪庆方案 (no document number) 四（四）2.(7), as compapp reads it"
        else:
            assert result == english
    with app.test_request_context("/?lang=zh"):
        refresh()
        assert shown(stored) == stored
