"""Load test: gunicorn (production configuration) on 127.0.0.1 with PostgreSQL, N users for T s.

Run: .venv/bin/python benchmarks/load_test.py [--users 50] [--seconds 60] [--think-ms 1000]
     [--database-url postgresql+psycopg://…@127.0.0.1:…/db] [--workers N] [--pg-port 25470]

Without --database-url it starts a throwaway PostgreSQL of its own (scripts/pg_throwaway.sh on
--pg-port) and removes it afterwards; a given database is upgraded, seeded with the demo data
and gets certificates issued, so give it a throwaway one. At realistic size: it also gets, through
compapp's own services (benchmarks/pages_bench.py builds them), a 1,000-entry contest (--entries)
and, in the same award year, three more contests of 300 entries: a year of lines for the
province and for Diqing. Then it serves compapp with gunicorn as `make serve` does, signs in
organiser1, finance_dq and winner1 once each, and runs the users: each user repeatedly picks a
request (the quote API, a contest page, a results page, a budget page, the large contest's
awards and results pages, the year's budget, or a certificate PDF download), sends it and
waits a think time (uniform between half and one and a half times --think-ms; 0 sends back
to back). It prints requests per second,
p50/p95/p99 per kind and the errors, and exits 1 when a target is missed: no errors, and p95
under 200 ms for pages and the quote API.

Bounded: loopback only (the server and the database must be on this machine), at most
--max-requests requests (default 100,000), at most 300 s and 200 users.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

BIN = Path(sys.executable).parent
HOST = "127.0.0.1"
DEMO_PASSWORD = "compapp-demo"
LOOPBACK = {"127.0.0.1", "localhost", "::1", ""}
TARGET_P95_MS = 200.0
# kind -> (weight, has the p95 target)
KINDS = {
    "quote_api": (25, True),
    "contest_page": (15, True),
    "results_page": (15, True),
    "budget_page": (15, True),
    "large_awards": (10, True),
    "large_results": (5, True),
    "year_budget": (5, True),
    "certificate_pdf": (10, False),
}
LARGE_YEAR = 2025
QUOTES = [
    {
        "award_date": "2024-09-15",
        "category": "worldskills",
        "event_format": "individual",
        "result": {"medal": "gold", "rank": 1},
        "county": "533422",
    },
    {
        "award_date": "2025-08-22",
        "category": "provincial_class1",
        "event_format": "pair",
        "result": {"prize": 1, "rank": 2},
        "county": "530523",
    },
    {
        "award_date": "2024-07-12",
        "category": "provincial_comprehensive",
        "event_format": "trio",
        "result": {"medal": "silver", "rank": 2},
        "county": "533401",
    },
    {
        "award_date": "2023-06-08",
        "category": "prefecture_comprehensive",
        "event_format": "individual",
        "result": {"medal": "bronze", "rank": 3},
        "county": "533423",
    },
    {
        "award_date": "2023-09-20",
        "category": "national_skills_competition",
        "event_format": "pair",
        "result": {"medal": "excellence", "rank": 8},
        "county": "530403",
    },
]


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument(
        "--think-ms",
        type=float,
        default=1000,
        help="mean pause between a user's requests (0: back to back)",
    )
    parser.add_argument("--database-url", help="a throwaway PostgreSQL database on this machine")
    parser.add_argument(
        "--pg-port",
        type=int,
        default=25470,
        help="port of the throwaway PostgreSQL started when no URL is given",
    )
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
    parser.add_argument("--port", type=int, default=0, help="gunicorn's port (0: a free one)")
    parser.add_argument(
        "--warmup-seconds",
        type=float,
        default=5,
        help="run this long first without recording (workers load policies, "
        "compile templates, open connections)",
    )
    parser.add_argument("--max-requests", type=int, default=100_000)
    parser.add_argument(
        "--entries",
        type=int,
        default=1000,
        help="entries of the large contest (three more of 300 share its award year)",
    )
    args = parser.parse_args()
    if not 1 <= args.users <= 200:
        parser.error("--users must be between 1 and 200")
    if not 0 < args.seconds <= 300 or not 0 <= args.warmup_seconds <= 60:
        parser.error("--seconds must be in (0, 300] and --warmup-seconds in [0, 60]")
    if args.database_url:
        host = urllib.parse.urlsplit(args.database_url).hostname or ""
        if host not in LOOPBACK:
            parser.error("--database-url must point at this machine (127.0.0.1 or localhost)")
    return args


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


# --- setting up: database, demo data, certificates, gunicorn -------------------------------


@dataclass
class Targets:
    """What the users request: ids found in the seeded demo data."""

    organiser_contests: list[int]
    finance_contests: list[int]
    certificates: list[int]
    large_contests: list[int]


def add_large_contests(entries: int) -> list[int]:
    """A contest of ``entries`` entries and three of 300 in LARGE_YEAR, built through the
    import, confirmation, budget, promotion and certificate services (pages_bench)."""
    from pages_bench import build_contest, make_user

    from compapp.auth.models import User
    from compapp.contests.models import Contest
    from compapp.extensions import db

    if db.session.scalar(db.select(Contest).filter(Contest.name.like("%组）"))) is not None:
        return db.session.scalars(
            db.select(Contest.id).filter(Contest.name.like("%组）")).order_by(Contest.id)
        ).all()
    admin = db.session.scalar(db.select(User).filter_by(username="admin"))
    second = make_user("load_admin2", "admin")
    finance_dq = db.session.scalar(db.select(User).filter_by(username="finance_dq"))
    ids = []
    for size in (entries, 300, 300, 300):
        built = build_contest(size, LARGE_YEAR, admin, second, finance_dq)
        ids.append(built.contest_id)
    return ids


def prepare_database(url: str, base_url: str, entries: int = 1000) -> Targets:
    """Upgrade to head, load the demo data and the large contests, issue the demo
    certificates; return the ids."""
    from flask_migrate import upgrade

    from compapp import create_app
    from compapp.auth.models import User
    from compapp.certificates import issuing as certificate_issuing
    from compapp.certificates import queries as certificate_queries
    from compapp.contests.models import Contest
    from compapp.demo import load_demo
    from compapp.extensions import db
    from compapp.finance.services import payer_overview

    app = create_app(
        {
            "ENV_NAME": "production",
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": "load-test-setup",
            "COMPAPP_BASE_URL": base_url,
        }
    )
    with app.app_context():
        upgrade()
        if db.session.scalar(db.select(User).filter_by(username="admin")) is None:
            load_demo()
        large = add_large_contests(entries)
        db.session.commit()
        admin = db.session.scalar(db.select(User).filter_by(username="admin"))
        organiser = db.session.scalar(db.select(User).filter_by(username="organiser1"))
        winner = db.session.scalar(db.select(User).filter_by(username="winner1"))
        for contest in db.session.scalars(db.select(Contest)):
            certificate_issuing.issue_all_certificates(contest, admin)
        db.session.commit()
        targets = Targets(
            organiser_contests=db.session.scalars(
                db.select(Contest.id).filter_by(organising_body_id=organiser.organising_body_id)
            ).all(),
            finance_contests=[
                s.contest.id for items in payer_overview("533400").values() for s in items
            ],
            certificates=[
                c.id
                for c in certificate_queries.holder_certificates(competitor_id=winner.competitor_id)
            ],
            large_contests=large[:1],
        )
        db.session.remove()
        db.engine.dispose()
    for name, ids in vars(targets).items():
        if not ids:
            raise SystemExit(f"the demo data gave no {name}: cannot run the load test")
    return targets


def start_postgresql(port: int) -> tuple[str, dict]:
    env = {
        **os.environ,
        "COMPAPP_PG_PORT": str(port),
        "COMPAPP_PG_DIR": f"/tmp/compapp-pg-load-{port}",
    }
    started = subprocess.run(
        ["sh", str(ROOT / "scripts" / "pg_throwaway.sh"), "start"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    if started.returncode != 0:
        raise SystemExit(f"could not start PostgreSQL: {started.stderr.strip()}")
    return started.stdout.strip().splitlines()[-1], env


def stop_postgresql(env: dict) -> None:
    subprocess.run(
        ["sh", str(ROOT / "scripts" / "pg_throwaway.sh"), "stop"],
        env=env,
        capture_output=True,
        timeout=120,
    )


def start_gunicorn(url: str, port: int, workers: int, log: Path) -> subprocess.Popen:
    """Serve compapp as `make serve` does: production configuration, a secret key."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("COMPAPP_")}
    env.update(
        COMPAPP_ENV="production",
        COMPAPP_SECRET_KEY=secrets.token_hex(32),
        COMPAPP_DATABASE_URL=url,
        COMPAPP_BASE_URL=f"http://{HOST}:{port}",
    )
    with open(log, "w") as out:
        server = subprocess.Popen(
            [
                str(BIN / "gunicorn"),
                "--bind",
                f"{HOST}:{port}",
                "--workers",
                str(workers),
                "--access-logfile",
                "-",
                "wsgi:app",
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            print(log.read_text()[-3000:], file=sys.stderr)
            raise SystemExit(f"gunicorn exited with code {server.returncode}")
        try:
            status, _body, _headers = fetch(port, "GET", "/login")
            if status == 200:
                return server
        except OSError:
            pass
        time.sleep(0.2)
    server.terminate()
    print(log.read_text()[-3000:], file=sys.stderr)
    raise SystemExit("gunicorn did not answer within 60 s")


# --- HTTP: one connection per user; cookies by hand (production cookies are Secure-only) ----


def fetch(
    port: int,
    method: str,
    path: str,
    body: bytes | None = None,
    headers: dict | None = None,
    conn: http.client.HTTPConnection | None = None,
):
    own = conn is None
    conn = conn or http.client.HTTPConnection(HOST, port, timeout=30)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        data = response.read()
        if response.getheader("Connection", "").lower() == "close":
            conn.close()  # the next request opens a fresh connection
        return response.status, data, response.getheaders()
    except (OSError, http.client.HTTPException):
        conn.close()
        raise
    finally:
        if own:
            conn.close()


def session_cookie(headers) -> str | None:
    for name, value in headers:
        if name.lower() == "set-cookie" and value.startswith("session="):
            return value.split(";", 1)[0]
    return None


def sign_in(port: int, username: str) -> str:
    """Sign in through the login form (CSRF token and all); return the session cookie."""
    status, body, headers = fetch(port, "GET", "/login")
    token = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', body) or re.search(
        rb'name="csrf_token"[^>]*value="([^"]+)"', body
    )
    if status != 200 or token is None:
        raise SystemExit(f"login page: HTTP {status}, no CSRF token")
    cookie = session_cookie(headers)
    form = urllib.parse.urlencode(
        {"csrf_token": token.group(1).decode(), "username": username, "password": DEMO_PASSWORD}
    ).encode()
    status, _body, headers = fetch(
        port,
        "POST",
        "/login",
        form,
        {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie},
    )
    signed_in = session_cookie(headers)
    if status != 302 or signed_in is None:
        raise SystemExit(f"sign-in as {username} failed: HTTP {status}")
    return signed_in


# --- the users -----------------------------------------------------------------------------


@dataclass
class Results:
    times: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    samples: list[str] = field(default_factory=list)
    count: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


def request_for(kind: str, targets: Targets, cookies: dict, rng: random.Random):
    """Return (method, path, body, headers, check) for one request of ``kind``."""
    if kind == "quote_api":
        body = json.dumps(rng.choice(QUOTES)).encode()
        return (
            "POST",
            "/api/v1/quote",
            body,
            {"Content-Type": "application/json"},
            lambda data: b'"competitor"' in data,
        )
    if kind == "contest_page":
        contest = rng.choice(targets.organiser_contests)
        return (
            "GET",
            f"/contests/{contest}",
            None,
            {"Cookie": cookies["organiser1"]},
            lambda data: "赛项".encode() in data,
        )
    if kind == "results_page":
        contest = rng.choice(targets.organiser_contests)
        return (
            "GET",
            f"/contests/{contest}/results",
            None,
            {"Cookie": cookies["organiser1"]},
            lambda data: "名次".encode() in data,
        )
    if kind == "budget_page":
        path = rng.choice(
            ["/finance/"] + [f"/finance/contests/{c}" for c in targets.finance_contests]
        )
        return (
            "GET",
            path,
            None,
            {"Cookie": cookies["finance_dq"]},
            lambda data: "迪庆藏族自治州".encode() in data,
        )
    if kind in ("large_awards", "large_results"):
        contest = rng.choice(targets.large_contests)
        page = rng.randint(1, 5)
        path = f"/contests/{contest}/{'awards' if kind == 'large_awards' else 'results'}"
        return (
            "GET",
            f"{path}?page={page}",
            None,
            {"Cookie": cookies["organiser1"]},
            lambda data: "条，共".encode() in data,
        )
    if kind == "year_budget":
        return (
            "GET",
            f"/finance/years/{LARGE_YEAR}?page={rng.randint(1, 5)}",
            None,
            {"Cookie": cookies["finance_dq"]},
            lambda data: "迪庆藏族自治州".encode() in data,
        )
    cert = rng.choice(targets.certificates)
    return (
        "GET",
        f"/certificates/{cert}/download",
        None,
        {"Cookie": cookies["winner1"]},
        lambda data: data.startswith(b"%PDF"),
    )


@dataclass(frozen=True)
class Run:
    """What every simulated user shares: the server, its data, the clock and the tally."""

    port: int
    targets: Targets
    cookies: dict
    measure_from: float
    deadline: float
    think: float
    limit: int
    results: Results


def user(run: Run, seed: int) -> None:
    port, targets, cookies, results = run.port, run.targets, run.cookies, run.results
    measure_from, deadline, think, limit = run.measure_from, run.deadline, run.think, run.limit
    rng = random.Random(seed)
    kinds, weights = list(KINDS), [w for w, _t in KINDS.values()]
    conn = http.client.HTTPConnection(HOST, port, timeout=30)
    time.sleep(rng.uniform(0, think or 0.05))  # users arrive spread out, not in one burst
    while time.monotonic() < deadline:
        with results.lock:
            if results.count >= limit:
                break
            results.count += 1
        kind = rng.choices(kinds, weights)[0]
        method, path, body, headers, check = request_for(kind, targets, cookies, rng)
        started = time.monotonic()
        began = time.perf_counter()
        problem = None
        try:
            status, data, _headers = fetch(port, method, path, body, headers, conn)
            if status != 200:
                problem = f"HTTP {status}"
            elif not check(data):
                problem = "unexpected content"
        except (OSError, http.client.HTTPException) as exc:
            problem = f"{type(exc).__name__}: {exc}"
            conn = http.client.HTTPConnection(HOST, port, timeout=30)
        elapsed = time.perf_counter() - began
        with results.lock:
            # Timings count from the end of the warm-up; errors count whenever they happen.
            if started >= measure_from:
                results.times[kind].append(elapsed)
            if problem:
                results.errors[kind] += 1
                if len(results.samples) < 10:
                    results.samples.append(f"{kind} {method} {path}: {problem}")
        if think:
            time.sleep(rng.uniform(0.5 * think, 1.5 * think))
    conn.close()


def percentile(sorted_values: list[float], p: float) -> float:
    """Nearest-rank percentile of an ascending list."""
    if not sorted_values:
        return float("nan")
    rank = max(1, -(-len(sorted_values) * p // 100))
    return sorted_values[int(rank) - 1]


def report(results: Results, wall: float, args: argparse.Namespace) -> bool:
    """Print the table; return whether every target was met."""
    print()
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(
        f"{args.users} users, {wall:.1f} s measured after {args.warmup_seconds:.0f} s warm-up, "
        f"think time {args.think_ms:.0f} ms (mean), gunicorn --workers {args.workers}, "
        f"PostgreSQL; {os.cpu_count()} cores, load average {load}"
    )
    header = (
        f"{'kind':<16}{'requests':>9}{'req/s':>8}{'p50 ms':>9}{'p95 ms':>9}"
        f"{'p99 ms':>9}{'max ms':>9}{'errors':>8}  target"
    )
    print(header)
    print("-" * len(header))
    ok = True
    every: list[float] = []
    for kind, (_weight, has_target) in KINDS.items():
        times = sorted(results.times.get(kind, []))
        every += times
        errors = results.errors.get(kind, 0)
        p95 = percentile(times, 95) * 1000
        met = errors == 0 and (not has_target or p95 < TARGET_P95_MS)
        ok = ok and met and bool(times)
        target = f"p95<{TARGET_P95_MS:.0f}ms, no errors" if has_target else "no errors"
        print(
            f"{kind:<16}{len(times):>9}{len(times) / wall:>8.1f}"
            f"{percentile(times, 50) * 1000:>9.1f}{p95:>9.1f}"
            f"{percentile(times, 99) * 1000:>9.1f}{(times[-1] if times else 0) * 1000:>9.1f}"
            f"{errors:>8}  {target}: {'met' if met else 'MISSED'}"
        )
    every.sort()
    errors = sum(results.errors.values())
    print("-" * len(header))
    print(
        f"{'all':<16}{len(every):>9}{len(every) / wall:>8.1f}"
        f"{percentile(every, 50) * 1000:>9.1f}{percentile(every, 95) * 1000:>9.1f}"
        f"{percentile(every, 99) * 1000:>9.1f}{(every[-1] if every else 0) * 1000:>9.1f}"
        f"{errors:>8}"
    )
    for sample in results.samples:
        print("  error:", sample)
    print("targets met" if ok else "TARGETS MISSED")
    return ok


def main() -> int:
    args = parse_args()
    work = Path(tempfile.mkdtemp(prefix="compapp-load-"))
    pg_env = None
    server = None
    try:
        url = args.database_url
        if not url:
            url, pg_env = start_postgresql(args.pg_port)
            print(f"throwaway PostgreSQL on 127.0.0.1:{args.pg_port}")
        port = args.port or free_port()
        t0 = time.monotonic()
        targets = prepare_database(url, f"http://{HOST}:{port}", args.entries)
        print(
            f"database upgraded, demo data, a {args.entries:,}-entry contest and a year of lines,"
            f" certificates ready ({time.monotonic() - t0:.1f} s)"
        )
        server = start_gunicorn(url, port, args.workers, work / "gunicorn.log")
        print(f"gunicorn on http://{HOST}:{port} with {args.workers} workers")
        cookies = {name: sign_in(port, name) for name in ("organiser1", "finance_dq", "winner1")}
        results = Results()
        think = args.think_ms / 1000
        measure_from = time.monotonic() + args.warmup_seconds
        deadline = measure_from + args.seconds
        users = [
            threading.Thread(
                target=user,
                args=(
                    Run(
                        port,
                        targets,
                        cookies,
                        measure_from,
                        deadline,
                        think,
                        args.max_requests,
                        results,
                    ),
                    n,
                ),
                daemon=True,
            )
            for n in range(args.users)
        ]
        for thread in users:
            thread.start()
        for thread in users:
            thread.join(timeout=args.warmup_seconds + args.seconds + 60)
        wall = time.monotonic() - measure_from
        return 0 if report(results, wall, args) else 1
    finally:
        if server is not None:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
        if pg_env is not None:
            stop_postgresql(pg_env)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
