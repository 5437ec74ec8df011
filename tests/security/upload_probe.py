"""Upload one file to the import page in a fresh process and report what a worker went through.

Run: python tests/security/upload_probe.py DATABASE_URL CONTEST_ID USERNAME PASSWORD FILE
Prints one JSON line: the status, the batch's problems (message ids and rows) and the
process's peak resident memory in MB (VmHWM, measured after the request; unlike ru_maxrss
it starts afresh at exec, so the test process that forked this one does not count).
``python tests/security/upload_probe.py setup DATABASE_URL USERNAME PASSWORD`` prepares
the database (migrations, an organiser, a contest) and prints the contest's id.
"""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))


def peak_mb() -> int:
    """The process's peak resident memory in MB since it was started (VmHWM)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) // 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


def main(database_url: str, contest_id: str, username: str, password: str, path: str) -> None:
    from compapp import create_app
    from compapp.extensions import db
    from compapp.imports.models import ImportBatch

    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url})
    data = Path(path).read_bytes()
    before = peak_mb()
    with app.app_context():
        client = app.test_client()
        client.post("/login", data={"username": username, "password": password})
        response = client.post(
            f"/imports/contests/{contest_id}",
            data={"file": (io.BytesIO(data), Path(path).name)},
            content_type="multipart/form-data",
        )
        out = {"status": response.status_code, "problems": [], "rows": None}
        if response.status_code == 302 and "/imports/batches/" in response.location:
            batch = db.session.get(ImportBatch, int(response.location.rsplit("/", 1)[1]))
            out["problems"] = [
                [p["message"], p["row"], p["column"]] for p in (batch.problems or [])[:5]
            ]
            out["problem_count"] = len(batch.problems or [])
            out["rows"] = (batch.summary or {}).get("counts", {}).get("rows")
            page = client.get(response.location)
            out["page_status"] = page.status_code
            report = client.get(response.location + "/report.xlsx")
            out["report_status"] = report.status_code
    out["baseline_mb"] = before
    out["peak_mb"] = peak_mb()
    print(json.dumps(out, ensure_ascii=False))


def setup(database_url: str, username: str, password: str) -> None:
    from datetime import date

    from flask_migrate import upgrade

    from compapp import create_app
    from compapp.auth.models import User
    from compapp.contests.services import ContestData, save_contest
    from compapp.extensions import db

    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url})
    with app.app_context():
        upgrade()
        user = User(username=username, display_name="组织者", role="organiser")
        user.set_password(password)
        db.session.add(user)
        day = date(2024, 9, 15)
        contest = save_contest(
            ContestData(
                name="第二届全国技能大赛",
                category="national_skills_competition",
                organising_body="云南省人力资源和社会保障厅",
                starts_on=day,
                ends_on=day,
                award_on=day,
            )
        )
        db.session.commit()
        print(contest.id)


if __name__ == "__main__":
    if sys.argv[1] == "setup":
        setup(*sys.argv[2:5])
    else:
        main(*sys.argv[1:6])
