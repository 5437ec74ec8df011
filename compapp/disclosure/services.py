"""Public disclosure of a contest's award list (获奖名单, 003_…txt:2401 公开) and the internal list.

The public list is frozen at publication: names masked as the certificate verification page
masks them (core.names.mask_name), the sending county, the result and the award amounts per
payer level. No ID number, no bank data, nothing else about the person. Publication and
withdrawal are audited; a withdrawn list stays on record and leaves the public page.
"""

from __future__ import annotations

from collections import defaultdict

from flask_babel import gettext as _
from sqlalchemy.orm import joinedload, selectinload

from compapp import labels
from compapp.audit.services import record_change, says
from compapp.auth.models import utcnow
from compapp.contests.models import Contest, Entry, EntryCoach, EntryMember, Event, Placement
from compapp.core.messages import N_
from compapp.core.names import mask_name
from compapp.core.refusals import Refusal
from compapp.disclosure.models import Disclosure
from compapp.extensions import db
from compapp.paging import Page
from compapp.rewards.models import AwardLineRecord

LEVELS = ("province", "prefecture", "county")


class DisclosureRefused(Refusal):
    """A publication or withdrawal is not allowed; the message says why (translated)."""


def _confirmed(contest: Contest):
    """The contest's entries whose result is confirmed and not revoked (a where clause)."""
    return (
        Event.contest_id == contest.id,
        Placement.status == "confirmed",
        Placement.revoked_at.is_(None),
    )


def award_rows(contest: Contest, masked: bool) -> list[dict]:
    """One row per competitor and one per coaching team of the contest's confirmed results,
    with the amounts per payer level in fen (current lines)."""
    return [_plain(row) for row in _keyed_rows(contest, masked)]


def _plain(row: dict) -> dict:
    return {k: v for k, v in row.items() if k != "_key"}


def _keyed_rows(contest: Contest, masked: bool, entry_ids: list[int] | None = None) -> list[dict]:
    """``award_rows``, each with its place in the list (``_key``, as ``_row_keys`` gives it);
    only the rows of ``entry_ids`` when given."""
    query = (
        db.select(Entry)
        .join(Event)
        .join(Placement, Placement.entry_id == Entry.id)
        .where(*_confirmed(contest))
        .order_by(Event.id, Placement.rank, Entry.id)
        .options(
            joinedload(Entry.event),
            selectinload(Entry.placement),
            selectinload(Entry.members).joinedload(EntryMember.competitor),
            selectinload(Entry.coaches).joinedload(EntryCoach.coach),
            joinedload(Entry.sending_county),
        )
    )
    if entry_ids is not None:
        query = query.where(Entry.id.in_(entry_ids))
    entries = db.session.scalars(query).all()
    amounts: dict[tuple, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    if entries:
        lines = (
            db.select(
                AwardLineRecord.entry_id,
                AwardLineRecord.payee,
                AwardLineRecord.competitor_id,
                AwardLineRecord.payer_level,
                db.func.sum(AwardLineRecord.amount_fen),
            )
            .join(Entry, Entry.id == AwardLineRecord.entry_id)
            .join(Event, Event.id == Entry.event_id)
            .where(Event.contest_id == contest.id, AwardLineRecord.is_current.is_(True))
            .group_by(
                AwardLineRecord.entry_id,
                AwardLineRecord.payee,
                AwardLineRecord.competitor_id,
                AwardLineRecord.payer_level,
            )
        )
        if entry_ids is not None:
            lines = lines.where(AwardLineRecord.entry_id.in_(entry_ids))
        for entry_id, payee, competitor_id, level, fen in db.session.execute(lines):
            amounts[(entry_id, payee, competitor_id)][level] += int(fen)
    show = mask_name if masked else (lambda name: name)
    rows = []
    for entry in entries:
        base = {
            "event": entry.event.occupation,
            "format": str(labels.event_format(entry.event.format)),
            "result": str(labels.placement(entry.placement)),
            "county": entry.sending_county.name,
        }
        for member in entry.members:
            fen = amounts.get((entry.id, "competitor", member.competitor_id), {})
            row = _row(base, show(member.competitor.name), _("选手"), fen)
            rows.append({**row, "_key": (entry.id, 0, member.position)})
        if entry.coaches:
            fen = amounts.get((entry.id, "coaching_team", None), {})
            names = "、".join(show(ec.coach.name) for ec in entry.coaches)
            rows.append({**_row(base, names, _("教练团队"), fen), "_key": (entry.id, 1, 0)})
    return rows


def _row_keys(contest: Contest):
    """Every row of the list as (entry, 0 member / 1 coaching team, position), in its order:
    a member row per competitor, one row per entry that has coaches."""
    ordered = (
        Event.id.label("event_id"),
        Placement.rank.label("rank"),
        Entry.id.label("entry_id"),
    )
    members = (
        db.select(*ordered, db.literal(0).label("part"), EntryMember.position.label("pos"))
        .select_from(Entry)
        .join(Event, Event.id == Entry.event_id)
        .join(Placement, Placement.entry_id == Entry.id)
        .join(EntryMember, EntryMember.entry_id == Entry.id)
        .where(*_confirmed(contest))
    )
    coached = (
        db.select(*ordered, db.literal(1).label("part"), db.literal(0).label("pos"))
        .select_from(Entry)
        .join(Event, Event.id == Entry.event_id)
        .join(Placement, Placement.entry_id == Entry.id)
        .where(*_confirmed(contest), db.exists().where(EntryCoach.entry_id == Entry.id))
    )
    return db.union_all(members, coached).subquery()


def preview_page(contest: Contest, asked: int, per_page: int) -> tuple[dict, Page]:
    """The public list as it would be published, one page of it (``asked``, kept within the
    list): its head and totals, and the page of rows with how many there are in all. Rows,
    count and totals are read in SQL: a 10,000-entry contest loads only the page's entries."""
    from flask_babel import force_locale

    keys = _row_keys(contest)
    total = db.session.scalar(db.select(db.func.count()).select_from(keys)) or 0
    pages = max(1, -(-total // per_page))
    page = min(max(asked, 1), pages)
    window = db.session.execute(
        db.select(keys.c.entry_id, keys.c.part, keys.c.pos)
        .order_by(keys.c.event_id, keys.c.rank, keys.c.entry_id, keys.c.part, keys.c.pos)
        .offset((page - 1) * per_page)
        .limit(per_page)
    ).all()
    wanted = [tuple(k) for k in window]
    with force_locale("zh"):
        rows = _keyed_rows(contest, masked=True, entry_ids=sorted({k[0] for k in wanted}))
        head = _content(contest, [])
    by_key = {r["_key"]: r for r in rows}
    shown = [_plain(by_key[key]) for key in wanted if key in by_key]
    head["totals"] = _totals_in_sql(contest)
    return head, Page(shown, total, page, pages, per_page)


def _totals_in_sql(contest: Contest) -> dict[str, int]:
    """What ``totals(award_rows(contest, …))`` adds up, summed in SQL: the current lines of the
    confirmed entries' members and of the coaching teams of entries that have coaches."""
    member = db.exists().where(
        EntryMember.entry_id == AwardLineRecord.entry_id,
        EntryMember.competitor_id == AwardLineRecord.competitor_id,
    )
    coached = db.exists().where(EntryCoach.entry_id == AwardLineRecord.entry_id)
    sums = dict(
        db.session.execute(
            db.select(AwardLineRecord.payer_level, db.func.sum(AwardLineRecord.amount_fen))
            .join(Entry, Entry.id == AwardLineRecord.entry_id)
            .join(Event, Event.id == Entry.event_id)
            .join(Placement, Placement.entry_id == Entry.id)
            .where(
                *_confirmed(contest),
                AwardLineRecord.is_current.is_(True),
                db.or_(
                    db.and_(AwardLineRecord.payee == "competitor", member),
                    db.and_(AwardLineRecord.payee == "coaching_team", coached),
                ),
            )
            .group_by(AwardLineRecord.payer_level)
        ).all()
    )
    levels = {f"{level}_fen": int(sums.get(level) or 0) for level in LEVELS}
    return {**levels, "total_fen": sum(levels.values())}


AMOUNT_KEYS = tuple(f"{level}_fen" for level in LEVELS) + ("total_fen",)


def _row(base: dict, name: str, kind: str, fen: dict) -> dict:
    levels = {f"{level}_fen": int(fen.get(level, 0)) for level in LEVELS}
    return {**base, "name": name, "kind": kind, **levels, "total_fen": sum(levels.values())}


def totals(rows: list[dict]) -> dict[str, int]:
    return {key: sum(r[key] for r in rows) for key in AMOUNT_KEYS}


def public_content(contest: Contest) -> dict:
    """What the public page shows, frozen: masked names, results, amounts per payer level.

    Written in Chinese whatever the language of the page it is published from.
    """
    from flask_babel import force_locale

    with force_locale("zh"):
        return _content(contest, award_rows(contest, masked=True))


def internal_content(contest: Contest) -> dict:
    """The internal award list: full names (never ID or bank data), in the page's language."""
    return _content(contest, award_rows(contest, masked=False))


def _content(contest: Contest, rows: list[dict]) -> dict:
    return {
        "contest": contest.name,
        "category": str(labels.category(contest.category)),
        "award_on": contest.award_on.isoformat(),
        "organiser": contest.organising_body.name,
        "rows": rows,
        "totals": totals(rows),
    }


def live_disclosure(contest_id: int) -> Disclosure | None:
    return db.session.scalar(
        db.select(Disclosure)
        .filter_by(contest_id=contest_id, withdrawn_at=None)
        .order_by(Disclosure.id.desc())
    )


def disclosure_history(contest_id: int) -> list[Disclosure]:
    """Every publication of the contest's award list, newest first (live or withdrawn)."""
    return db.session.scalars(
        db.select(Disclosure).filter_by(contest_id=contest_id).order_by(Disclosure.id.desc())
    ).all()


def publish(contest: Contest, user) -> Disclosure:
    """Publish the contest's award list (a newer publication replaces the live one)."""

    content = public_content(contest)
    if not content["rows"]:
        raise DisclosureRefused(N_("本赛事还没有经复核确认的成绩，无法公示获奖名单。"))
    current = live_disclosure(contest.id)
    if current is not None:
        _withdraw(current, user, "已发布更新的获奖名单")
    disclosure = Disclosure(contest_id=contest.id, content=content, published_by_id=user.id)
    db.session.add(disclosure)
    db.session.flush()
    record_change(
        "publish_award_list",
        "disclosure",
        disclosure.id,
        says(
            N_("公开获奖名单：%(contest)s（%(n)s 行）"),
            contest=contest.name,
            n=len(content["rows"]),
        ),
        after={"contest_id": contest.id, "rows": len(content["rows"])},
        user=user,
    )
    return disclosure


def _withdraw(disclosure: Disclosure, user, reason: str) -> None:
    disclosure.withdrawn_at = utcnow()
    disclosure.withdrawn_by_id = user.id
    disclosure.withdrawal_reason = reason[:400]
    db.session.flush()
    record_change(
        "withdraw_award_list",
        "disclosure",
        disclosure.id,
        says(
            N_("撤回公开的获奖名单：%(contest)s（%(why)s）"),
            contest=disclosure.contest.name,
            why=reason,
        ),
        before={"live": True},
        after={"live": False, "reason": reason},
        user=user,
    )


def withdraw(contest: Contest, user, reason: str) -> Disclosure:
    """Take the contest's award list off the public page; a reason is required."""

    if not reason.strip():
        raise DisclosureRefused(N_("撤回公示须填写原因。"))
    current = live_disclosure(contest.id)
    if current is None:
        raise DisclosureRefused(N_("本赛事的获奖名单目前没有公开。"))
    _withdraw(current, user, reason.strip())
    return current


def public_disclosures() -> list[Disclosure]:
    """The live disclosures, newest first (at most 200 on the index)."""
    return db.session.scalars(
        db.select(Disclosure)
        .filter_by(withdrawn_at=None)
        .order_by(Disclosure.published_at.desc())
        .limit(200)
    ).all()
