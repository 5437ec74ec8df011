"""Save a checked results sheet (compapp.imports.plan checks it) and keep upload batches.

Changed entries are saved through ``contests.services.save_entry``; new entries are written in bulk
and priced with the same award functions ``grant_awards`` uses. Nothing here commits.
"""

from __future__ import annotations

import hashlib

from sqlalchemy import insert

from compapp.audit.services import record_change, says
from compapp.auth.models import User, utcnow
from compapp.contests import rules
from compapp.contests import services as contest_services
from compapp.contests.models import (
    Coach,
    Competitor,
    Contest,
    Entry,
    EntryCoach,
    EntryMember,
    Placement,
)
from compapp.core.bank import mask_account
from compapp.core.messages import N_
from compapp.core.refusals import Refusal
from compapp.core.vocab import ImportStatus
from compapp.extensions import db
from compapp.imports import layout, reading
from compapp.imports.entries import ImportedEntry
from compapp.imports.models import ImportBatch
from compapp.imports.plan import CHUNK, ImportPlan, check_import, known_people
from compapp.imports.reading import CellProblem, Table
from compapp.payees.services import save_imported_bank_details
from compapp.rewards.bulk import grant_awards_bulk
from compapp.rewards.entries import save_and_price_entry
from compapp.rewards.services import award_policies

AWARD_REASON = "成绩录入"


class ImportRefused(Refusal):
    """The file still has problems (or changed since it was checked); nothing was saved."""

    def __init__(self, plan: ImportPlan):
        super().__init__(
            N_("没有保存：文件中仍有问题，或赛事成绩在检查之后已被修改。请查看下方的问题。")
        )
        self.plan = plan


def entry_data(item: ImportedEntry) -> contest_services.EntryData:
    """The entry form's data for one file entry."""
    return contest_services.EntryData(
        sending_county=item.sending_county or "",
        members=[
            contest_services.MemberData(
                id_number=m.id_number,
                name=m.name,
                employer=m.employer,
                is_employee=m.is_employee,
                grade=m.grade,
            )
            for m in item.members
        ],
        coaches=[
            contest_services.CoachData(c.name, c.role, c.share_percent, c.id_number)
            for c in item.coaches
        ],
        rank=item.rank,
        is_tie=item.is_tie if item.rank is not None else False,
        result=item.result,
    )


def save_import(contest: Contest, table: Table, user_id: int | None) -> ImportPlan:
    """Check the file again and, if it has no problems, save all of it (flushes, no commit).

    Raises ``ImportRefused`` with the plan when any row is wrong: nothing is written.
    """
    plan = check_import(contest, table)
    if not plan.ok:
        raise ImportRefused(plan)
    events = {(e.occupation, e.format): e for e in contest.events}
    for occupation, event_format, kind in plan.new_events:
        events[(occupation, event_format)] = contest_services.add_event(
            contest, occupation, event_format, kind
        )
    changed = [
        (i, item) for i, item in enumerate(plan.entries) if plan.changes[i].kind == "changed"
    ]
    # Members moving between changed entries: free them all before any entry takes them.
    for index, _item in changed:
        entry = plan.matched[index]
        entry.members.clear()
    if changed:
        db.session.flush()
    for index, item in changed:
        entry = plan.matched[index]
        before = plan.changes[index].before
        save_and_price_entry(events[item.event_key], entry_data(item), user_id, None, entry)

        record_change(
            "import_entry",
            "entry",
            entry.id,
            says(
                N_("批量导入修改参赛组：%(occupation)s %(names)s"),
                occupation=item.occupation,
                names="、".join(m.name for m in item.members),
            ),
            before={"entry": before},
            after={"entry": plan.changes[index].after},
        )
    added = [(i, item) for i, item in enumerate(plan.entries) if plan.changes[i].kind == "added"]
    new_ids = _insert_entries(contest, events, [item for _i, item in added], user_id)
    for (index, _item), entry_id in zip(added, new_ids, strict=True):
        plan.changes[index].entry_id = entry_id
    _save_bank_details(plan.entries, user_id)
    return plan


def _insert_entries(
    contest: Contest, events: dict, items: list[ImportedEntry], user_id: int | None
) -> list[int]:
    """Write new entries with their people, coaches, placements and awards in bulk."""
    if not items:
        return []
    for key in {item.event_key for item in items}:
        contest_services.claim_event_version(events[key], None)
    people = _competitors_of(items)
    coach_ids = _coach_ids(items)
    entry_ids = [
        row_id
        for _k, row_id in _insert_returning(
            Entry,
            [
                {
                    "event_id": events[item.event_key].id,
                    "sending_county_code": item.sending_county,
                    "created_at": utcnow(),
                }
                for item in items
            ],
        )
    ]
    members, coaches, placements = [], [], []
    for item, entry_id in zip(items, entry_ids, strict=True):
        event_id = events[item.event_key].id
        for position, m in enumerate(item.members, start=1):
            members.append(
                {
                    "entry_id": entry_id,
                    "event_id": event_id,
                    "competitor_id": people[m.id_number][0],
                    "position": position,
                }
            )
        for slot, c in enumerate(item.coaches):
            coaches.append(
                {
                    "entry_id": entry_id,
                    "coach_id": coach_ids[c.id_number]
                    if c.id_number
                    else coach_ids[(id(item), slot)],
                    "role": c.role,
                    "share_percent": c.share_percent,
                }
            )
        if item.rank is not None:
            medal, prize = rules.parse_result(item.result)
            placements.append(
                {
                    "entry_id": entry_id,
                    "rank": item.rank,
                    "is_tie": item.is_tie,
                    "medal": medal,
                    "prize": prize,
                    "status": "entered",
                    "entered_by_id": user_id,
                    "entered_at": utcnow(),
                }
            )
    for model, rows in ((EntryMember, members), (EntryCoach, coaches), (Placement, placements)):
        for start in range(0, len(rows), CHUNK * 4):
            db.session.execute(insert(model), rows[start : start + CHUNK * 4])
    _grant_new_awards(contest, user_id)
    return entry_ids


def _competitors_of(items: list[ImportedEntry]) -> dict[str, tuple[int, str]]:
    """ID number → (competitor id, name) of every member, writing the people not yet known."""
    people = known_people({m.id_number for item in items for m in item.members})
    new_people = {}
    for item in items:
        for m in item.members:
            if m.id_number not in people and m.id_number not in new_people:
                new_people[m.id_number] = {
                    "id_number": m.id_number,
                    "name": m.name,
                    "employer": m.employer,
                    "is_employee": m.is_employee,
                    "grade_code": m.grade or "none",
                    "home_county_code": None,
                    "created_at": utcnow(),
                }
    for number, person_id in _insert_returning(Competitor, list(new_people.values()), "id_number"):
        people[number] = (person_id, new_people[number]["name"])
    return people


def _insert_returning(model, rows: list[dict], key: str | None = None) -> list[tuple]:
    """Insert rows in chunks; return (key value, new id) in the rows' order."""
    out = []
    for start in range(0, len(rows), CHUNK * 4):
        chunk = rows[start : start + CHUNK * 4]
        ids = db.session.scalars(
            insert(model).returning(model.id, sort_by_parameter_order=True), chunk
        ).all()
        out += [
            (row.get(key) if key else None, row_id) for row, row_id in zip(chunk, ids, strict=True)
        ]
    return out


def _coach_ids(items: list[ImportedEntry]) -> dict:
    """The coach record of each coaching-team member: by ID number (found or created), never by
    name; a member without an ID number gets a record of their own, linked to nobody.

    Keys: the ID number, or (id(item), slot) for a member without one.
    """
    numbers = {c.id_number: c.name for item in items for c in item.coaches if c.id_number}
    ids: dict = {
        number: coach.id for number, coach in contest_services.find_coaches(list(numbers)).items()
    }
    missing = [
        {"name": name, "id_number": n} for n, name in sorted(numbers.items()) if n not in ids
    ]
    for number, coach_id in _insert_returning(Coach, missing, "id_number"):
        ids[number] = coach_id
    anonymous = [
        ((id(item), slot), c.name)
        for item in items
        for slot, c in enumerate(item.coaches)
        if not c.id_number
    ]
    new_ids = _insert_returning(Coach, [{"name": name} for _key, name in anonymous])
    for (key, _name), (_k, coach_id) in zip(anonymous, new_ids, strict=True):
        ids[key] = coach_id
    return ids


def _save_bank_details(items: list[ImportedEntry], user_id: int | None) -> None:
    """Store the bank details the file gives for its competitors (one audit entry, no numbers)."""

    wanted = {m.id_number: m.bank for item in items for m in item.members if m.bank}
    if not wanted:
        return
    people = known_people(set(wanted))
    save_imported_bank_details(
        [(people[n][0], bank) for n, bank in wanted.items() if n in people],
        db.session.get(User, user_id) if user_id else None,
    )


def _grant_new_awards(contest, user_id) -> None:
    """Price the new placements exactly as the entry form does, in bulk."""

    grant_awards_bulk([contest.id], award_policies(), user_id, AWARD_REASON)


# --- batches ---------------------------------------------------------------------------------


def digest_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def create_batch(
    contest: Contest, data: bytes, filename: str, user_id: int | None
) -> tuple[ImportBatch, ImportPlan]:
    """Read and dry-run an upload; store it as a batch (flushes) and return it with its plan."""
    table = reading.read_upload(data, filename)
    plan = check_import(contest, table)
    batch = ImportBatch(
        contest_id=contest.id,
        created_by_id=user_id,
        filename=(filename or "upload")[:200],
        digest=digest_of(data),
        size_bytes=len(data),
        status=ImportStatus.CHECKED if plan.ok else ImportStatus.INVALID,
        cells=table.as_dict() if table.rows else None,
        problems=[p.as_dict() for p in plan.problems],
        summary=plan.summary(),
    )
    db.session.add(batch)
    db.session.flush()
    return batch, plan


def batch_problems(batch: ImportBatch) -> list[CellProblem]:
    return [CellProblem.from_dict(p) for p in batch.problems or []]


def last_saved_batch(contest: Contest) -> ImportBatch | None:
    return db.session.scalar(
        db.select(ImportBatch)
        .filter_by(contest_id=contest.id, status=ImportStatus.SAVED)
        .order_by(ImportBatch.id.desc())
    )


def _without_account_numbers(cells: dict | None) -> dict | None:
    """The stored cells with bank account numbers masked: once saved, the batch keeps no copy."""
    if not cells or layout.ACCOUNT not in cells.get("headers", ()):
        return cells

    rows = [
        [n, {**values, layout.ACCOUNT: mask_account(values.get(layout.ACCOUNT, ""))}]
        for n, values in cells["rows"]
    ]
    return {**cells, "rows": rows}


def confirm_batch(batch: ImportBatch, digest: str, user) -> ImportPlan:
    """Save a checked batch; ``digest`` must be the one the user saw (flushes, no commit).

    Raises ``ImportRefused`` when the batch is not saveable or the rows are no longer valid
    (someone changed the contest's results since the dry run); the batch then records why.
    """
    why = None
    if batch.status == ImportStatus.SAVED:
        why = N_("该导入已保存，不能再次保存。")
    elif batch.status == ImportStatus.DISCARDED:
        why = N_("该导入已作废，请重新上传。")
    elif batch.status != ImportStatus.CHECKED:
        why = N_("文件中有问题，没有保存。请按下方的问题改正后重新上传。")
    elif digest != batch.digest or batch.cells is None:
        why = N_("文件在检查之后已变化，请重新上传。")
    if why is not None:
        raise ImportRefused(ImportPlan(problems=[CellProblem("", None, None, "", why)]))
    contest = db.session.get(Contest, batch.contest_id)
    table = Table.from_dict(batch.cells)
    plan = save_import(contest, table, getattr(user, "id", None))

    counts = plan.summary()["counts"]
    record_change(
        "import_results",
        "contest",
        contest.id,
        says(
            N_(
                "批量导入“%(file)s”：新增 %(added)s 组，修改 %(changed)s 组，未变 %(unchanged)s 组，"
                "已确认未覆盖 %(confirmed)s 组"
            ),
            file=batch.filename,
            added=counts["added"],
            changed=counts["changed"],
            unchanged=counts["unchanged"],
            confirmed=counts["confirmed"],
        ),
        before=None,
        after={
            "batch": batch.id,
            "digest": batch.digest,
            "filename": batch.filename,
            "counts": counts,
            "new_events": [list(e) for e in plan.new_events],
            "added_entries": [c.entry_id for c in plan.of_kind("added")],
            "changed_entries": [c.entry_id for c in plan.of_kind("changed")],
        },
        user=user,
    )
    batch.status = ImportStatus.SAVED
    batch.saved_at = utcnow()
    batch.saved_by_id = getattr(user, "id", None)
    batch.summary = plan.summary()
    batch.cells = _without_account_numbers(batch.cells)
    db.session.flush()
    return plan
