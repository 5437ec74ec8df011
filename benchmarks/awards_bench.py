"""Benchmark: compute and store the awards of 100,000 placements, beside reading the rows.

Usage: .venv/bin/python benchmarks/awards_bench.py [--placements 100000] [--database-url URL]

Builds a throwaway SQLite database (or uses the URL given) from the migrations, fills it with
placements across every tier and the Diqing, Longling, Yuxi and other counties, then in the
same run measures (a) reading the rows the award rules need and (b) computing and storing
every award line (compapp.rewards.bulk: distinct cases priced once by the pure rules, then
INSERT ... SELECT in the database). Prints placements per second and the ratio (target:
within 3x). Afterwards, outside the timing, a random sample of the entries is put through
the entry-by-entry path (grant_awards), which must find nothing to change.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, insert, select, text  # noqa: E402

from compapp import create_app  # noqa: E402
from compapp.contests.models import (  # noqa: E402
    Coach,
    Competitor,
    Contest,
    Entry,
    EntryCoach,
    EntryMember,
    Event,
    OrganisingBody,
    Placement,
)
from compapp.core.idnumber import make_id_number  # noqa: E402
from compapp.extensions import db  # noqa: E402
from compapp.rewards.bulk import grant_awards_bulk, placement_rows_query  # noqa: E402
from compapp.rewards.models import AwardLineRecord  # noqa: E402
from compapp.rewards.services import award_policies, grant_awards  # noqa: E402

CONTESTS = [
    ("worldskills", date(2024, 9, 15), ["gold", "silver", "bronze", "excellence"]),
    ("national_skills_competition", date(2023, 9, 20), ["gold", "silver", "bronze", "excellence"]),
    ("national_class1", date(2024, 10, 25), ["prize_1", "prize_2", "prize_3"]),
    ("provincial_comprehensive", date(2024, 7, 12), ["gold", "silver", "bronze"]),
    ("provincial_class1", date(2025, 8, 22), ["prize_1", "prize_2", "prize_3"]),
    ("prefecture_class1", date(2024, 5, 22), ["gold", "silver", "bronze"]),
    ("provincial_class2", date(2023, 11, 3), [None]),
]
COUNTIES = ["533422", "533401", "533423", "530523", "530402", "530403", "530502", "530581"]


def populate(n: int) -> list[int]:
    rng = random.Random(20261126)
    body = OrganisingBody(name="基准测试主办单位")
    db.session.add(body)
    coach = Coach(name="基准教练")
    db.session.add(coach)
    db.session.flush()
    contest_ids = []
    per_contest = n // len(CONTESTS)
    competitor_id = 0
    entry_id = 0
    for index, (category, award_on, results) in enumerate(CONTESTS):
        contest = Contest(
            name=f"基准赛事{index}",
            category=category,
            organising_body=body,
            starts_on=award_on,
            ends_on=award_on,
            award_on=award_on,
        )
        db.session.add(contest)
        db.session.flush()
        contest_ids.append(contest.id)
        count = per_contest if index < len(CONTESTS) - 1 else n - per_contest * index
        events_needed = (count + 999) // 1000
        kind = (
            "rank_only"
            if results == [None]
            else ("prizes" if results[0].startswith("prize") else "medals")
        )
        event_ids = (
            db.session.execute(
                insert(Event).returning(Event.id),
                [
                    {
                        "contest_id": contest.id,
                        "occupation": f"工种{e}",
                        "format": "individual",
                        "result_kind": kind,
                        "version": 1,
                    }
                    for e in range(events_needed)
                ],
            )
            .scalars()
            .all()
        )
        people, entries, members, placements, coaches = [], [], [], [], []
        for i in range(count):
            competitor_id += 1
            entry_id += 1
            county = rng.choice(COUNTIES)
            people.append(
                {
                    "id": competitor_id,
                    "name": f"选手{competitor_id}",
                    "id_number": make_id_number(f"{county}1990{competitor_id:07d}"[:17]),
                    "is_employee": False,
                    "grade_code": "none",
                }
            )
            event_id = event_ids[i // 1000]
            entries.append({"id": entry_id, "event_id": event_id, "sending_county_code": county})
            members.append(
                {
                    "entry_id": entry_id,
                    "event_id": event_id,
                    "competitor_id": competitor_id,
                    "position": 1,
                }
            )
            result = rng.choice(results)
            placements.append(
                {
                    "entry_id": entry_id,
                    "rank": (i % 1000) + 1,
                    "is_tie": False,
                    "medal": result if result and not result.startswith("prize") else None,
                    "prize": int(result[-1]) if result and result.startswith("prize") else None,
                    "status": "confirmed",
                }
            )
            if i % 3 == 0:
                coaches.append({"entry_id": entry_id, "coach_id": coach.id, "role": "coach"})
        for table, rows in (
            (Competitor, people),
            (Entry, entries),
            (EntryMember, members),
            (Placement, placements),
            (EntryCoach, coaches),
        ):
            for start in range(0, len(rows), 20000):
                db.session.execute(insert(table), rows[start : start + 20000])
    db.session.commit()
    return contest_ids


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--placements", type=int, default=100_000)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{tmp}/bench.sqlite"
        app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url})
        with app.app_context():
            from flask_migrate import upgrade

            upgrade()
            started = time.perf_counter()
            contest_ids = populate(args.placements)
            print(
                f"setup: {args.placements:,} placements in {time.perf_counter() - started:.1f} s"
                f" on {db.engine.dialect.name}"
            )
            if db.engine.dialect.name == "postgresql":
                # Statistics, as autovacuum keeps them on a database in use (not timed).
                with db.engine.connect() as connection:
                    connection.execute(text("ANALYZE"))
                    connection.commit()
            policies = award_policies()

            db.session.expire_all()
            started = time.perf_counter()
            rows = db.session.execute(placement_rows_query(contest_ids)).all()
            member_rows = db.session.execute(
                select(EntryMember.entry_id, EntryMember.competitor_id)
            ).all()
            read_s = time.perf_counter() - started
            assert len(rows) == args.placements, len(rows)
            db.session.rollback()

            started = time.perf_counter()
            priced = grant_awards_bulk(contest_ids, policies)
            db.session.commit()
            grant_s = time.perf_counter() - started
            lines = db.session.scalar(select(func.count(AwardLineRecord.id)))
            assert priced == args.placements, priced
            print(
                f"read rows:          {read_s:8.2f} s  "
                f"({len(rows) / read_s:,.0f} placements/s, {len(member_rows):,} member rows)"
            )
            print(
                f"compute and store:  {grant_s:8.2f} s  "
                f"({priced / grant_s:,.0f} placements/s, {lines:,} award lines written)"
            )
            sample = random.Random(7).sample(range(1, args.placements + 1), 500)
            changed = [
                entry_id
                for entry_id in sample
                if grant_awards(db.session.get(Entry, entry_id), policies) is not None
            ]
            assert not changed, f"bulk and single paths differ for entries {changed[:10]}"
            print(f"check: {len(sample)} sampled entries re-priced one by one, 0 differences")
            ratio = grant_s / read_s
            print(
                f"ratio compute+store / read = {ratio:.2f}x  (target <= 3x: "
                f"{'met' if ratio <= 3 else 'NOT met'})"
            )
            db.engine.dispose()


if __name__ == "__main__":
    main()
