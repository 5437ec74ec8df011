"""Benchmark: dry run and save of a 10,000-row results file (target: under 10 s in all).

Run: .venv/bin/python benchmarks/import_bench.py [--rows 10000]
Builds a throwaway SQLite database from the migrations, a contest, and an .xlsx of
individual and pair entries; times reading, the dry run, the save (one transaction) and a
re-import of the same file, and prints rows per second.
"""

from __future__ import annotations

import argparse
import io
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import openpyxl  # noqa: E402

from compapp import create_app  # noqa: E402
from compapp.core.idnumber import make_id_number  # noqa: E402
from compapp.imports import layout  # noqa: E402

COUNTIES = [
    "德钦县（迪庆藏族自治州）",
    "香格里拉市（迪庆藏族自治州）",
    "龙陵县（保山市）",
    "红塔区（玉溪市）",
]


def build_file(rows: int) -> bytes:
    """An .xlsx with ``rows`` competitor rows: 60% individual events, 40% pair events."""
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet(layout.SHEET)
    sheet.append(list(layout.HEADERS))
    serial = 0

    def person() -> str:
        # Day, month and sequence vary fastest: unique for up to 336,000 people.
        nonlocal serial
        serial += 1
        return make_id_number(
            f"5334221985{(serial // 28) % 12 + 1:02d}{serial % 28 + 1:02d}"
            f"{(serial // 336) % 1000:03d}"
        )

    individual = rows * 6 // 10
    per_event = 300
    for i in range(individual):
        event, rank = divmod(i, per_event)
        sheet.append(
            _row(
                f"工种{event + 1:02d}",
                "单人",
                "",
                f"选手{i}",
                person(),
                rank + 1,
                COUNTIES[i % len(COUNTIES)],
            )
        )
    pairs = (rows - individual) // 2
    for j in range(pairs):
        event, rank = divmod(j, per_event // 2)
        for k in range(2):
            sheet.append(
                _row(
                    f"双人工种{event + 1:02d}",
                    "双人",
                    str(rank + 1),
                    f"队员{j}-{k}",
                    person(),
                    rank + 1,
                    COUNTIES[j % len(COUNTIES)],
                )
            )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _row(occupation, fmt, group, name, number, rank, county):
    result = {1: "金牌", 2: "银牌", 3: "铜牌"}.get(rank, "优胜奖" if rank <= 10 else "")
    values = {
        layout.OCCUPATION: occupation,
        layout.FORMAT: fmt,
        layout.GROUP: group,
        layout.NAME: name,
        layout.ID_NUMBER: number,
        layout.EMPLOYER: "某某公司",
        layout.EMPLOYEE: "是",
        layout.GRADE: "三级/高级工",
        layout.COUNTY: county,
        layout.RANK: rank,
        layout.RESULT: result,
        "教练1": f"教练{rank % 50}",
    }
    return [values.get(h) for h in layout.HEADERS]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    args = parser.parse_args()
    from flask_migrate import upgrade

    from compapp.contests.services import ContestData, save_contest
    from compapp.extensions import db
    from compapp.imports import services

    workdir = tempfile.mkdtemp(prefix="compapp-import-bench-")
    app = create_app(
        {"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{workdir}/bench.sqlite"}
    )
    with app.app_context():
        upgrade()
        contest = save_contest(
            ContestData(
                name="基准测试赛事",
                category="national_skills_competition",
                organising_body="云南省人力资源和社会保障厅",
                starts_on=date(2024, 9, 10),
                ends_on=date(2024, 9, 14),
                award_on=date(2024, 9, 15),
            )
        )
        db.session.commit()
        t0 = time.perf_counter()
        data = build_file(args.rows)
        built = time.perf_counter() - t0
        print(f"file: {args.rows} rows, {len(data) / 1e6:.2f} MB (built in {built:.2f} s)")

        t0 = time.perf_counter()
        batch, plan = services.create_batch(contest, data, "bench.xlsx", None)
        db.session.commit()
        dry = time.perf_counter() - t0
        assert plan.ok, [p.text() for p in plan.problems[:5]]
        print(
            f"dry run (read + check + store batch): {dry:.2f} s, {args.rows / dry:,.0f} rows/s;"
            f" {len(plan.of_kind('added'))} entries to add"
        )

        t0 = time.perf_counter()
        services.confirm_batch(batch, batch.digest, None)
        db.session.commit()
        save = time.perf_counter() - t0
        print(
            f"save (re-check + write, one transaction): {save:.2f} s, "
            f"{args.rows / save:,.0f} rows/s"
        )
        print(f"total dry run + save: {dry + save:.2f} s (target < 10 s)")

        t0 = time.perf_counter()
        _batch, again = services.create_batch(contest, data, "bench.xlsx", None)
        db.session.commit()
        rerun = time.perf_counter() - t0
        print(
            f"re-import of the same file (dry run): {rerun:.2f} s; unchanged "
            f"{len(again.of_kind('unchanged'))}, added {len(again.of_kind('added'))}, "
            f"changed {len(again.of_kind('changed'))}"
        )


if __name__ == "__main__":
    main()
