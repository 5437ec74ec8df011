"""Benchmark: what a person waits for on each page and export of a 100 / 1,000 / 10,000-entry contest.

Run: .venv/bin/python benchmarks/pages_bench.py [--sizes 100,1000,10000] [--runs 3]
     [--database-url postgresql+psycopg://…@127.0.0.1:…/db] [--only awards,budget]

Builds a throwaway SQLite database (or uses the URL given: give it a throwaway one) from the
migrations and fills it through compapp's own services: one provincial class-1 contest
per size, each in its own award year, imported from an .xlsx (compapp.imports: entries,
placements and their awards in bulk), half of each contest's results confirmed by a second
organiser, Diqing's budget confirmed by its finance officer, promotions evaluated and a
notice published, certificates issued. Then it serves compapp with gunicorn (production
configuration, one sync worker, the app wrapped in a counter of SQL statements and peak
memory) and asks, as an administrator (the payment roster: as Diqing's finance officer, the
only one who may have it), for every page and export of each contest: a warm-up
request, then --runs timed ones. A fresh worker serves each page, so its peak memory is that
page's own.

Prints per page and size: median server time (the worker's, from the request to the last
byte), SQL statements, bytes and the worker's peak resident memory, then the growth
factor 1,000 -> 10,000 of time and statements. Targets: every HTML page <= 300 ms at
10,000 entries with statements that do not grow; exports <= 250 MB. For the exports it
then prints their throughput beside the bare library writing the same rows in the same run
(openpyxl write-only; ReportLab with the same table): target ratio >= 0.5.

Bounded: loopback only; the worker is restarted per page; at most 300 s per request.
"""

from __future__ import annotations

import argparse
import http.client
import io
import json
import os
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

HOST = "127.0.0.1"
PASSWORD = "compapp-bench"
HTML_TARGET_S = 0.300
EXPORT_MEMORY_MB = 250
COUNTIES = [
    "德钦县（迪庆藏族自治州）",
    "香格里拉市（迪庆藏族自治州）",
    "维西傈僳族自治县（迪庆藏族自治州）",
    "龙陵县（保山市）",
    "红塔区（玉溪市）",
    "隆阳区（保山市）",
]
PER_EVENT = 100


# --- the served app: statements and peak memory per request ------------------------------


def peak_kb() -> int:
    """This process's peak resident set size (VmHWM), in KB."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


def counting_app():
    """The WSGI app gunicorn serves here: compapp, counting each request's SQL statements,
    server time and peak memory, written as one JSON line per request to $BENCH_STATS."""
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    from wsgi import app

    stats_path = os.environ["BENCH_STATS"]
    state = {"statements": 0}

    @event.listens_for(Engine, "before_cursor_execute")
    def _count(*_args):
        state["statements"] += 1

    class Finished:
        """Wraps the response body: the request ends when the server closes it."""

        def __init__(self, body, began):
            self.body, self.began, self.size = body, began, 0

        def __iter__(self):
            for chunk in self.body:
                self.size += len(chunk)
                yield chunk

        def close(self):
            if hasattr(self.body, "close"):
                self.body.close()
            record = {
                "path": self.path,
                "seconds": time.perf_counter() - self.began,
                "statements": state["statements"],
                "bytes": self.size,
                "peak_mb": peak_kb() / 1024,
                "pid": os.getpid(),
            }
            with open(stats_path, "a") as out:
                out.write(json.dumps(record) + "\n")

    def wrapped(environ, start_response):
        state["statements"] = 0
        try:  # reset the peak resident set size to the current one (Linux >= 4.0)
            if not environ.get("HTTP_X_BENCH_KEEP_PEAK"):  # a background job's polls keep it
                with open("/proc/self/clear_refs", "w") as refs:
                    refs.write("5")
        except OSError:
            pass
        began = time.perf_counter()
        body = Finished(app(environ, start_response), began)
        body.path = environ.get("PATH_INFO", "") + "?" + environ.get("QUERY_STRING", "")
        return body

    return wrapped


# --- building the data through compapp's services -----------------------------------------


SERIAL = 0  # id numbers stay distinct across the contests of one run


def build_file(entries: int) -> bytes:
    """An .xlsx of ``entries`` entries: 70% individual, 30% pairs, events of 100 entries."""
    import openpyxl

    from compapp.core.idnumber import make_id_number
    from compapp.imports import layout

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet(layout.SHEET)
    sheet.append(list(layout.HEADERS))

    def person() -> str:
        global SERIAL
        SERIAL += 1
        day, rest = SERIAL % 28 + 1, SERIAL // 28
        month, rest = rest % 12 + 1, rest // 12
        return make_id_number(
            f"53342219{80 + rest // 1000:02d}{month:02d}{day:02d}{rest % 1000:03d}"
        )

    individual = entries * 7 // 10
    for i in range(entries):
        pair = i >= individual
        k = i - individual if pair else i
        event, rank = divmod(k, PER_EVENT)
        occupation = f"{'双人' if pair else ''}工种{event + 1:03d}"
        for _member in range(2 if pair else 1):
            sheet.append(
                _row(
                    occupation,
                    "双人" if pair else "单人",
                    str(rank + 1) if pair else "",
                    f"选手{SERIAL + 1}",
                    person(),
                    rank + 1,
                    COUNTIES[(i + event) % len(COUNTIES)],
                )
            )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _row(occupation, fmt, group, name, number, rank, county):
    from compapp.imports import layout

    # Stress: many cash results per event (a payer's year then holds many lines).
    result = "金牌" if rank <= 10 else "银牌" if rank <= 30 else "铜牌" if rank <= 60 else ""
    values = {
        layout.OCCUPATION: occupation,
        layout.FORMAT: fmt,
        layout.GROUP: group,
        layout.NAME: name,
        layout.ID_NUMBER: number,
        layout.EMPLOYER: "某某公司",
        layout.EMPLOYEE: "是",
        layout.GRADE: "四级/中级工",
        layout.COUNTY: county,
        layout.RANK: rank,
        layout.RESULT: result,
        "教练1": f"教练{rank % 40}",
    }
    return [values.get(h) for h in layout.HEADERS]


def make_user(username: str, role: str, **scope):
    from compapp.auth.models import User
    from compapp.extensions import db

    user = db.session.scalar(db.select(User).filter_by(username=username))
    if user is None:
        user = User(username=username, display_name=username, role=role, **scope)
        user.set_password(PASSWORD)
        db.session.add(user)
        db.session.flush()
    return user


@dataclass
class Built:
    size: int
    contest_id: int
    year: int
    event_id: int
    notice_id: int | None
    setup_s: float


def build_contest(size: int, year: int, admin, second, finance_dq) -> Built:
    """One contest of ``size`` entries through the import, confirmation, budget, promotion
    and certificate services."""
    from compapp.certificates import issuing as certificate_issuing
    from compapp.certificates.services import today_local
    from compapp.contests.models import Entry, Event, Placement
    from compapp.contests.services import (
        ContestData,
        confirm_placement,
        placement_view,
        save_contest,
    )
    from compapp.extensions import db
    from compapp.finance.services import budget_view, confirm_budget
    from compapp.imports import services as imports
    from compapp.promotion import notices
    from compapp.promotion import queries as promotion_queries
    from compapp.promotion import services as promotion

    began = time.perf_counter()
    contest = save_contest(
        ContestData(
            name=f"{year}年全省职业技能竞赛（{size:,} 组）",
            category="provincial_class1",
            organising_body="云南省人力资源和社会保障厅",
            starts_on=date(year, 7, 8),
            ends_on=date(year, 7, 11),
            award_on=date(year, 7, 12),
        )
    )
    db.session.commit()
    batch, plan = imports.create_batch(contest, build_file(size), "bench.xlsx", admin.id)
    db.session.commit()
    if not plan.ok:
        raise SystemExit([p.text() for p in plan.problems[:5]])
    imports.confirm_batch(batch, batch.digest, admin)
    db.session.commit()
    phases = {"import": time.perf_counter() - began}
    # Half the events: results confirmed by a second person (four-eyes), one by one.
    events = db.session.scalars(
        db.select(Event).filter_by(contest_id=contest.id).order_by(Event.id)
    ).all()
    halfway = {e.id for e in events[: max(1, len(events) // 2)]}
    placements = db.session.scalars(
        db.select(Placement).join(Entry).where(Entry.event_id.in_(halfway))
    ).all()
    for placement in placements:
        confirm_placement(placement, second, placement_view(placement))
    db.session.commit()
    phases["confirm results"] = time.perf_counter() - began - sum(phases.values())
    confirm_budget(contest, "533400", finance_dq, "基准测试", seen=budget_view("533400", contest))
    db.session.commit()
    promotion.evaluate_contest_promotions(contest, user=admin)
    db.session.commit()
    notice_id = None
    cases = promotion_queries.contest_cases(contest)[0]
    for case in cases:
        if case.eligible and case.status == "proposed" and case.placement.status == "confirmed":
            promotion.confirm_case(case, admin, seen=promotion.case_view(case))
    db.session.commit()
    try:
        notice = notices.publish_notice(contest, today_local(), admin)  # Beijing date
        db.session.commit()
        notice_id = notice.id
    except Exception as exc:  # noqa: BLE001 - reported, the rest of the benchmark goes on
        db.session.rollback()
        print(f"  (no notice for {size}: {exc})")
    phases["budget, promotion"] = time.perf_counter() - began - sum(phases.values())
    certificate_issuing.issue_all_certificates(contest, admin)
    db.session.commit()
    phases["certificates"] = time.perf_counter() - began - sum(phases.values())
    print("  " + ", ".join(f"{k} {v:.1f} s" for k, v in phases.items()), flush=True)
    biggest = db.session.scalar(
        db.select(Entry.event_id)
        .join(Event)
        .where(Event.contest_id == contest.id)
        .group_by(Entry.event_id)
        .order_by(db.func.count().desc(), Entry.event_id)
        .limit(1)
    )
    return Built(size, contest.id, year, biggest, notice_id, time.perf_counter() - began)


def build(url: str, sizes: list[int]) -> list[Built]:
    from flask_migrate import upgrade

    from compapp import create_app
    from compapp.extensions import db

    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": url,
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        }
    )
    built = []
    with app.app_context():
        upgrade()
        admin = make_user("bench_admin", "admin")
        second = make_user("bench_admin2", "admin")
        finance_dq = make_user("bench_finance_dq", "finance", jurisdiction_code="533400")
        db.session.commit()
        for index, size in enumerate(sizes):
            one = build_contest(size, 2022 + index, admin, second, finance_dq)
            print(f"built: {size:,} entries in {one.setup_s:.1f} s (contest {one.contest_id})")
            built.append(one)
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect() as connection:
                connection.exec_driver_sql("ANALYZE")
                connection.commit()
        db.session.remove()
        db.engine.dispose()
    return built


# --- the pages -----------------------------------------------------------------------------


def pages_of(b: Built) -> list[tuple[str, str, bool]]:
    """(name, path, is an export) for one contest."""
    c, y, p = b.contest_id, b.year, "payer=530000"
    pages = [
        ("contest page", f"/contests/{c}", False),
        ("results", f"/contests/{c}/results", False),
        ("event (largest)", f"/contests/events/{b.event_id}", False),
        ("awards page", f"/contests/{c}/awards", False),
        ("awards, one payer", f"/contests/{c}/awards/payers/530000", False),
        ("finance index (all)", f"/finance/?{p}", False),
        ("finance budget, contest", f"/finance/contests/{c}?{p}", False),
        ("finance budget, year", f"/finance/years/{y}?{p}", False),
        ("certificates contest", f"/certificates/contests/{c}", False),
        ("certificates index (all)", "/certificates/", False),
        ("promotion contest", f"/promotion/contests/{c}", False),
        ("promotion index (all)", "/promotion/", False),
        ("results review (all)", "/contests/review", False),
        ("payees", f"/contests/{c}/payees", False),
        ("award list (preview)", f"/contests/{c}/award-list", False),
        ("awards.xlsx", f"/contests/{c}/awards.xlsx", True),
        ("budget.xlsx", f"/finance/contests/{c}/budget.xlsx?{p}", True),
        ("budget.pdf", f"/finance/contests/{c}/budget.pdf?{p}", True),
        ("year budget.xlsx", f"/finance/years/{y}/budget.xlsx?{p}", True),
        ("year budget.pdf", f"/finance/years/{y}/budget.pdf?{p}", True),
        # Asked by Diqing's finance officer: only the paying level's officer gets the roster.
        ("roster.xlsx", f"/finance/contests/{c}/roster.xlsx", True),
        ("roster.pdf", f"/finance/contests/{c}/roster.pdf", True),
    ]
    if b.notice_id:
        pages += [
            ("notice page", f"/promotion/notices/{b.notice_id}", False),
            ("notice.xlsx", f"/promotion/notices/{b.notice_id}.xlsx", True),
            ("notice.pdf", f"/promotion/notices/{b.notice_id}.pdf", True),
        ]
    return pages


@dataclass
class Measure:
    seconds: list[float] = field(default_factory=list)
    statements: int = 0
    size: int = 0
    peak_mb: float = 0.0
    status: int = 200
    body: bytes = b""
    pid: int = 0

    @property
    def median(self) -> float:
        return statistics.median(self.seconds) if self.seconds else float("nan")


class Server:
    """gunicorn with one sync worker serving counting_app(); one fresh worker per page."""

    def __init__(self, url: str, work: Path, timeout: int = 300):
        from load_test import free_port

        self.timeout = timeout
        self.port = free_port()
        self.stats = work / "stats.jsonl"
        self.stats.touch()
        self.log = work / "gunicorn.log"
        env = {k: v for k, v in os.environ.items() if not k.startswith("COMPAPP_")}
        env.update(
            COMPAPP_ENV="production",
            COMPAPP_SECRET_KEY=secrets.token_hex(32),
            COMPAPP_DATABASE_URL=url,
            COMPAPP_BASE_URL=f"http://{HOST}:{self.port}",
            BENCH_STATS=str(self.stats),
            PYTHONPATH=f"{ROOT}:{HERE}",
        )
        bin_dir = Path(sys.executable).parent
        with open(self.log, "w") as out:
            self.process = subprocess.Popen(
                [
                    str(bin_dir / "gunicorn"),
                    "--bind",
                    f"{HOST}:{self.port}",
                    "--workers",
                    "1",
                    "--timeout",
                    str(timeout),
                    "pages_bench:counting_app()",
                ],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        self.wait_ready()

    def wait_ready(self) -> None:
        from load_test import fetch

        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(self.log.read_text()[-3000:])
            try:
                if fetch(self.port, "GET", "/healthz")[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise SystemExit("gunicorn did not answer within 60 s")

    def records(self) -> list[dict]:
        return [json.loads(line) for line in self.stats.read_text().splitlines() if line]

    def get(self, path: str, cookie: str) -> tuple[int, bytes, dict]:
        status, body, _headers, record = self.request("GET", path, cookie)
        return status, body, record

    def request(
        self, method: str, path: str, cookie: str, form: dict | None = None, keep_peak=False
    ) -> tuple[int, bytes, dict, dict]:
        before = len(self.records())
        headers = {"Cookie": cookie}
        data = None
        if form is not None:
            data = urllib.parse.urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if keep_peak:
            headers["X-Bench-Keep-Peak"] = "1"
        conn = http.client.HTTPConnection(HOST, self.port, timeout=self.timeout + 5)
        try:
            conn.request(method, path, body=data, headers=headers)
            response = conn.getresponse()
            status, body = response.status, response.read()
            response_headers = response.getheaders()
        finally:
            conn.close()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            records = self.records()
            if len(records) > before:
                return status, body, response_headers, records[-1]
            time.sleep(0.01)
        raise SystemExit(f"no statistics for {path}")

    def fresh_worker(self, last_pid: int) -> None:
        """End the worker that served the last page (gunicorn starts a new one)."""
        try:
            os.kill(last_pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                os.kill(last_pid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.05)
        self.wait_ready()

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()


def measure(
    server: Server, cookie: str, path: str, runs: int, pid: int | None, export: bool = False
) -> Measure:
    if pid:
        server.fresh_worker(pid)
    try:
        status, body, first = server.get(path, cookie)  # warm-up: templates, caches, …
    except (TimeoutError, ConnectionError, http.client.HTTPException):
        # Longer than --timeout: gunicorn ends the worker; reported as such.
        server.wait_ready()
        return Measure(seconds=[float("inf")], status=0)
    if export and body[:200].lower().lstrip().startswith(b"<!doctype html"):
        # A large export: offered as a background job (compapp.jobs.exports).
        return measure_job(server, cookie, path, body)
    result = Measure(status=status, body=body, size=len(body))
    result.peak_mb = first["peak_mb"]
    # A page that takes more than 10 s is timed once more rather than --runs times.
    for _ in range(runs if first["seconds"] < 10 else 1):
        status, body, record = server.get(path, cookie)
        result.seconds.append(record["seconds"])
        result.statements = record["statements"]
        result.peak_mb = max(result.peak_mb, record["peak_mb"])
        result.status = status
        result.body = body
    result.pid = first["pid"]
    return result


def measure_job(server: Server, cookie: str, path: str, offer: bytes) -> Measure:
    """A large export, as a person gets it: the offer's button (POST), the job's progress
    polled until done, the file downloaded. Time: from the button to the last byte; peak
    memory: the worker's (the job runs in a thread of it) over all of that."""
    import re

    from load_test import session_cookie

    # The offer again, keeping the session cookie that holds its form's CSRF token.
    _status, offer, headers, _record = server.request("GET", path, cookie)
    cookie = session_cookie(headers) or cookie
    token = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', offer)
    began = time.perf_counter()
    status, _body, headers, _record = server.request(
        "POST", path, cookie, {"csrf_token": token.group(1).decode()}
    )
    if status != 302:
        return Measure(seconds=[float("inf")], status=status)
    location = next((v for k, v in headers if k.lower() == "location"), "")
    job = urllib.parse.urlsplit(location).path
    statements = 0
    while True:
        status, body, _headers, record = server.request(
            "GET", f"{job}/status", cookie, keep_peak=True
        )
        job_state = json.loads(body)
        if job_state["state"] in ("done", "failed") or time.perf_counter() - began > 1800:
            break
        time.sleep(0.25)
    if job_state["state"] != "done":
        return Measure(seconds=[float("inf")], status=0, pid=record["pid"])
    status, data, _headers, record = server.request(
        "GET", job_state["download_url"], cookie, keep_peak=True
    )
    statements = record["statements"]
    result = Measure(
        seconds=[time.perf_counter() - began],
        statements=statements,
        size=len(data),
        peak_mb=record["peak_mb"],
        status=status,
        body=data,
        pid=record["pid"],
    )
    result.job = True
    return result


# --- baselines: the bare libraries writing the same rows ------------------------------------


def xlsx_rows(data: bytes) -> list[list]:
    """Every row of every sheet of an .xlsx (read-only), as values."""
    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    rows = [list(row) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True)]
    book.close()
    return rows


def bare_xlsx(rows: list[list]) -> float:
    """Seconds for openpyxl's write-only mode to write ``rows`` into a file."""
    import openpyxl

    began = time.perf_counter()
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("rows")
    for row in rows:
        sheet.append(row)
    with tempfile.TemporaryFile() as out:
        book.save(out)
    return time.perf_counter() - began


def bare_pdf(rows: list[list]) -> float:
    """Seconds for ReportLab to lay out ``rows`` as a table across A4 landscape pages:
    Paragraph cells for text in the same embedded font, columns sharing the page width, the
    rows in tables of 40 with the header repeated (one Table of every row costs ReportLab
    time that grows faster than the rows; this is its plain fast use)."""
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Table

    from compapp.certificates.fonts import ensure_font

    font = ensure_font()
    style = ParagraphStyle("base", fontName=font, fontSize=9, leading=12)
    rows = [r for r in rows if sum(v is not None for v in r) > 1]  # lines, not captions
    width = max(len(r) for r in rows)
    began = time.perf_counter()
    data = [
        [Paragraph(str(v), style) if isinstance(v, str) else str(v or "") for v in row]
        + [""] * (width - len(row))
        for row in rows
    ]
    with tempfile.TemporaryFile() as out:
        doc = SimpleDocTemplate(
            out, pagesize=landscape(A4), leftMargin=14 * mm, rightMargin=14 * mm
        )
        widths = [doc.width / width] * width
        doc.build(
            [
                Table([data[0], *data[i : i + 40]], repeatRows=1, colWidths=widths)
                for i in range(1, len(data), 40)
            ]
        )
    return time.perf_counter() - began


def export_baseline(name: str, body: bytes, xlsx_twin: bytes | None) -> float | None:
    """Seconds the bare library takes for the same rows (PDF: the rows of its .xlsx twin)."""
    if name.endswith(".xlsx"):
        return bare_xlsx(xlsx_rows(body))
    if name.endswith(".pdf") and xlsx_twin is not None:
        return bare_pdf(xlsx_rows(xlsx_twin))
    return None


# --- report --------------------------------------------------------------------------------


def report(sizes: list[int], table: dict, ratios: dict) -> bool:
    names = list(dict.fromkeys(name for size in sizes for name in table[size]))
    big, mid = sizes[-1], (sizes[-2] if len(sizes) > 1 else None)
    cols = "".join(f"{f'{s:,} s / stmts / KB / MB':>34}" for s in sizes)
    print()
    print(f"{'page':<26}{cols}{'growth x':>10}  target")
    print("-" * (26 + 34 * len(sizes) + 22))
    ok = True
    for name in names:
        cells = []
        for size in sizes:
            m = table[size].get(name)
            if m is None:
                cells.append(f"{'-':>34}")
                continue
            flag = "" if m.status == 200 else " timed out" if m.status == 0 else f" HTTP {m.status}"
            flag += " job" if getattr(m, "job", False) else ""
            cells.append(
                f"{m.median:>9.3f} {m.statements:>7} {m.size / 1024:>8.0f} {m.peak_mb:>6.0f}{flag}"
            )
        last = table[big].get(name)
        growth = ""
        if mid and last and table[mid].get(name):
            growth = f"{last.median / max(table[mid][name].median, 1e-6):.1f}"
        export = name.endswith((".xlsx", ".pdf"))
        verdict = ""
        if last is not None and big >= 10_000:
            if export:
                met = last.peak_mb <= EXPORT_MEMORY_MB and last.status == 200
                verdict = f"<= {EXPORT_MEMORY_MB} MB: {'met' if met else 'MISSED'}"
            else:
                flat = mid is None or last.statements <= table[mid][name].statements
                met = last.median <= HTML_TARGET_S and flat and last.status == 200
                verdict = f"<= 300 ms, flat statements: {'met' if met else 'MISSED'}" + (
                    "" if flat else " (statements grow)"
                )
            ok = ok and met
        print(f"{name:<26}{''.join(f'{c:>34}' for c in cells)}{growth:>10}  {verdict}")
    if ratios:
        print()
        print(f"exports at {big:,} entries: server time against the bare library, same rows")
        print(f"{'export':<26}{'rows':>8}{'server s':>10}{'bare s':>9}{'ratio':>8}  target")
        for name, (rows, server_s, bare_s) in ratios.items():
            ratio = bare_s / server_s if server_s else float("nan")
            met = ratio >= 0.5
            ok = ok and met
            print(
                f"{name:<26}{rows:>8}{server_s:>10.2f}{bare_s:>9.2f}{ratio:>8.2f}"
                f"  >= 0.5: {'met' if met else 'MISSED'}"
            )
    print()
    print("targets met" if ok else "TARGETS MISSED")
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,1000,10000")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--database-url", help="a throwaway database on this machine")
    parser.add_argument("--only", help="comma-separated words; pages whose name has one")
    parser.add_argument(
        "--timeout", type=int, default=300, help="seconds a request may take (then: timed out)"
    )
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    if not all(1 <= s <= 50_000 for s in sizes) or not 1 <= args.runs <= 10:
        parser.error("sizes must be between 1 and 50,000 and --runs between 1 and 10")
    if args.database_url:
        host = urllib.parse.urlsplit(args.database_url).hostname or ""
        if host not in {"127.0.0.1", "localhost", "::1"}:
            parser.error("--database-url must point at this machine")
    work = Path(tempfile.mkdtemp(prefix="compapp-pages-bench-"))
    server = None
    try:
        url = args.database_url or f"sqlite:///{work}/bench.sqlite"
        built = build(url, sizes)
        server = Server(url, work, args.timeout)
        import load_test
        from load_test import sign_in

        load_test.DEMO_PASSWORD = PASSWORD
        cookie = sign_in(server.port, "bench_admin")
        officer = sign_in(server.port, "bench_finance_dq")
        print(f"gunicorn on http://{HOST}:{server.port}, one worker; {os.cpu_count()} cores")
        only = [w.strip() for w in (args.only or "").split(",") if w.strip()]
        table: dict[int, dict[str, Measure]] = {}
        ratios: dict = {}
        pid = None
        for b in built:
            table[b.size] = {}
            bodies: dict[str, bytes] = {}
            for name, path, export in pages_of(b):
                if only and not any(w in name for w in only):
                    continue
                who = officer if name.startswith("roster") else cookie
                m = measure(server, who, path, args.runs, pid, export)
                pid = m.pid
                table[b.size][name] = m
                print(
                    f"  {b.size:>6,} {name:<26} {m.median:8.3f} s {m.statements:>6} statements "
                    f"{m.size / 1024:>8.0f} KB {m.peak_mb:>6.0f} MB"
                    + ("" if m.status == 200 else f"  HTTP {m.status}")
                    + (
                        "  (background job: button to download)" if getattr(m, "job", False) else ""
                    ),
                    flush=True,
                )
                if export and b is built[-1] and m.status == 200:
                    bodies[name] = m.body
            for name, body in bodies.items():
                twin = bodies.get(name.replace(".pdf", ".xlsx"))
                bare = export_baseline(name, body, twin)
                if bare is not None:
                    source = body if name.endswith(".xlsx") else twin
                    ratios[name] = (len(xlsx_rows(source)), table[b.size][name].median, bare)
        return 0 if report([b.size for b in built], table, ratios) else 1
    finally:
        if server is not None:
            server.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
