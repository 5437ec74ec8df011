"""Notifications follow the audit log: an audited change that concerns someone gives them a
notification (read and dismissed by them only), and the 待我处理 list counts what awaits each
person, live from the records.

Notifications are written when the change's audit entry is flushed (a session listener), so
every path that records a result, a confirmation, a certificate or a payment — form, import,
bulk action or command — notifies the same people, and nothing is notified that was not saved.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import event
from sqlalchemy.orm import Session

from compapp.audit.models import AuditEntry
from compapp.auth.models import User, utcnow
from compapp.certificates.models import Certificate
from compapp.contests.models import Contest, Entry, EntryCoach, Event, Placement
from compapp.core.messages import N_
from compapp.core.vocab import CertificateStatus
from compapp.extensions import db
from compapp.notifications.models import Notification
from compapp.promotion.models import NoticeObjection, PromotionCase
from compapp.promotion.notices import holiday_calendar
from compapp.rewards.models import AwardLineRecord

# kind → (message with %(name)s placeholders, endpoint of its link)
MESSAGES = {
    "result_entered": (N_("%(contest)s 有成绩录入，等待您复核。"), "contests.review"),
    "lines_awaiting": (
        N_("%(contest)s 有本级财政承担的奖励明细等待您确认。"),
        "finance.contest_budget",
    ),
    "certificate_issued": (N_("您的证书已颁发：%(contest)s。"), "certificates.mine"),
    "payment_made": (N_("%(contest)s 的奖励已登记支付。"), "portal.winner"),
    "team_payment_made": (N_("%(contest)s 的教练团队奖励已登记支付。"), "portal.coach"),
}

RESULT_ACTIONS = ("create_entry", "update_entry", "import_entry", "import_results")
CERTIFICATE_ACTIONS = ("issue_certificate", "reissue_certificate")


def notify(user_ids, kind: str, params: dict, args: dict | None = None) -> int:
    """Give each user a notification of ``kind``, unless an unread one saying the same is
    still waiting for them (a bulk change notifies once). Returns how many were added."""
    added = 0
    link_args = dict(args or {})
    stored = {**params, "_args": link_args}
    for user_id in sorted(set(user_ids)):
        waiting = db.session.scalars(
            db.select(Notification).where(
                Notification.user_id == user_id,
                Notification.kind == kind,
                Notification.read_at.is_(None),
                Notification.dismissed_at.is_(None),
            )
        ).all()
        if any(n.params == stored for n in waiting):
            continue
        db.session.add(
            Notification(
                user_id=user_id,
                kind=kind,
                params=stored,
                link=MESSAGES[kind][1],
            )
        )
        added += 1
    return added


def _active(*conditions) -> list[int]:
    return list(db.session.scalars(db.select(User.id).where(User.active.is_(True), *conditions)))


def _on_result(entry: AuditEntry) -> None:

    if entry.target_type == "contest":
        contest = db.session.get(Contest, int(entry.target_id))
        if contest is None:
            return
        waiting = db.session.scalar(
            db.select(db.func.count(Placement.id))
            .join(Entry, Entry.id == Placement.entry_id)
            .join(Event, Event.id == Entry.event_id)
            .where(Event.contest_id == contest.id, Placement.status == "entered")
        )
        if not waiting:
            return
    else:
        row = db.session.get(Entry, int(entry.target_id))
        if row is None or row.placement is None or row.placement.status != "entered":
            return
        contest = row.event.contest
    reviewers = _active(
        User.role == "organiser",
        User.organising_body_id == contest.organising_body_id,
        User.id != entry.user_id if entry.user_id is not None else db.true(),
    )
    notify(reviewers, "result_entered", {"contest": contest.name})


def _on_confirmed(entry: AuditEntry) -> None:

    placement = db.session.get(Placement, int(entry.target_id))
    if placement is None:
        return
    payers = db.session.scalars(
        db.select(AwardLineRecord.payer_code)
        .where(
            AwardLineRecord.entry_id == placement.entry_id,
            AwardLineRecord.is_current.is_(True),
            AwardLineRecord.budget_confirmation_id.is_(None),
            AwardLineRecord.amount_fen != 0,
        )
        .distinct()
    ).all()
    if not payers:
        return
    contest = placement.entry.event.contest
    officers = _active(User.role == "finance", User.jurisdiction_code.in_(payers))
    notify(officers, "lines_awaiting", {"contest": contest.name}, {"contest_id": contest.id})


def _on_certificate(entry: AuditEntry) -> None:

    cert = db.session.get(Certificate, int(entry.target_id))
    if cert is None:
        return
    if cert.competitor_id is not None:
        holders = _active(User.role == "winner", User.competitor_id == cert.competitor_id)
    else:
        holders = _active(User.role == "coach", User.coach_id == cert.coach_id)
    # An honour's certificate names the honour where a contest's names the contest.
    name = cert.contest.name if cert.contest is not None else cert.content["contest_name"]
    notify(holders, "certificate_issued", {"contest": name})


def _on_paid(entry: AuditEntry) -> None:

    line = db.session.get(AwardLineRecord, int(entry.target_id))
    if line is None:
        return
    contest = line.entry.event.contest
    if line.competitor_id is not None:
        winners = _active(User.role == "winner", User.competitor_id == line.competitor_id)
        notify(winners, "payment_made", {"contest": contest.name})
    else:
        coach_ids = db.select(EntryCoach.coach_id).where(EntryCoach.entry_id == line.entry_id)
        coaches = _active(User.role == "coach", User.coach_id.in_(coach_ids))
        notify(coaches, "team_payment_made", {"contest": contest.name})


HANDLERS = {
    **dict.fromkeys(RESULT_ACTIONS, _on_result),
    "confirm_placement": _on_confirmed,
    **dict.fromkeys(CERTIFICATE_ACTIONS, _on_certificate),
    "mark_line_paid": _on_paid,
}


@event.listens_for(Session, "before_flush")
def _notify_on_audit(session: Session, _context, _instances) -> None:
    entries = [obj for obj in session.new if isinstance(obj, AuditEntry) and obj.action in HANDLERS]
    if not entries:
        return
    with session.no_autoflush:
        for entry in entries:
            if entry.target_id is not None:
                HANDLERS[entry.action](entry)


# ------------------------------------------------------------------ reading and dismissing


def visible(user_id: int, limit: int = 50) -> list[Notification]:
    """The user's notifications not dismissed, unread first, newest first."""
    return db.session.scalars(
        db.select(Notification)
        .where(Notification.user_id == user_id, Notification.dismissed_at.is_(None))
        .order_by(Notification.read_at.is_not(None), Notification.created_at.desc())
        .limit(limit)
    ).all()


def unread_count(user_id: int) -> int:
    return db.session.scalar(
        db.select(db.func.count(Notification.id)).where(
            Notification.user_id == user_id,
            Notification.read_at.is_(None),
            Notification.dismissed_at.is_(None),
        )
    )


def own_notification(user_id: int, notification_id: int) -> Notification | None:
    """The notification if it belongs to ``user_id`` (someone else's is never found)."""
    return db.session.scalar(
        db.select(Notification).where(
            Notification.id == notification_id, Notification.user_id == user_id
        )
    )


def mark_read(notification: Notification) -> None:
    if notification.read_at is None:
        notification.read_at = utcnow()
    db.session.flush()


def dismiss(notification: Notification) -> None:
    now = utcnow()
    notification.read_at = notification.read_at or now
    notification.dismissed_at = now
    db.session.flush()


def mark_all_read(user_id: int) -> int:
    result = db.session.execute(
        db.update(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )
    return result.rowcount


# ------------------------------------------------------------------------- 待我处理


@dataclass(frozen=True)
class Task:
    key: str
    count: int
    endpoint: str


def tasks_for(user, today: date) -> list[Task]:
    """What awaits ``user`` now, by kind, with how many (only kinds with something waiting)."""
    found: list[Task] = []
    if user.role in ("admin", "organiser"):
        found += _organiser_tasks(user, today)
    if user.role == "finance" and user.jurisdiction_code:
        found += _finance_tasks(user.jurisdiction_code)
    return [t for t in found if t.count]


def _organiser_tasks(user, today: date) -> list[Task]:

    def scoped(query):
        if user.role == "organiser" and user.organising_body_id is not None:
            return query.where(Contest.organising_body_id == user.organising_body_id)
        return query

    results = scoped(
        db.select(db.func.count(Placement.id))
        .join(Entry, Entry.id == Placement.entry_id)
        .join(Event, Event.id == Entry.event_id)
        .join(Contest, Contest.id == Event.contest_id)
        .where(
            Placement.status == "entered",
            db.or_(Placement.entered_by_id.is_(None), Placement.entered_by_id != user.id),
        )
    )
    cases = scoped(
        db.select(db.func.count(PromotionCase.id))
        .join(Contest, Contest.id == PromotionCase.contest_id)
        .where(PromotionCase.status == "proposed")
    )
    titles = scoped(
        db.select(db.func.count(PromotionCase.id))
        .join(Contest, Contest.id == PromotionCase.contest_id)
        .where(PromotionCase.title_status == "proposed")
    )
    # An objection is decided by someone other than who recorded it (an administrator may
    # decide any): promotion.services.resolve_objection refuses the recorder.
    objections = scoped(
        db.select(db.func.count(NoticeObjection.id))
        .join(PromotionCase, PromotionCase.id == NoticeObjection.case_id)
        .join(Contest, Contest.id == PromotionCase.contest_id)
        .where(NoticeObjection.status == "open")
    )
    if user.role != "admin":
        objections = objections.where(NoticeObjection.recorded_by_id != user.id)
    valid = db.aliased(Certificate)
    reissue = scoped(
        db.select(db.func.count(Certificate.id))
        .join(Contest, Contest.id == Certificate.contest_id)
        .where(
            Certificate.status == CertificateStatus.REVOKED,
            ~db.select(valid.id)
            .where(
                valid.status == CertificateStatus.VALID,
                valid.entry_id == Certificate.entry_id,
                valid.kind == Certificate.kind,
                db.or_(
                    valid.competitor_id == Certificate.competitor_id,
                    valid.coach_id == Certificate.coach_id,
                ),
            )
            .exists(),
        )
    )
    tasks = [
        Task("results", db.session.scalar(results), "contests.review"),
        Task("promotions", db.session.scalar(cases), "promotion.index"),
        Task("titles", db.session.scalar(titles), "promotion.index"),
        Task("objections", db.session.scalar(objections), "promotion.index"),
        Task("reissue", db.session.scalar(reissue), "certificates.index"),
    ]
    if user.role == "admin":
        tasks.append(Task("calendar", _calendar_running_out(today), "promotion.index"))
    return tasks


def _calendar_running_out(today: date, warn_days: int = 60) -> int:
    """1 when the working-day calendar ends within ``warn_days`` (notices need it), else 0."""

    years = holiday_calendar().years
    last = max(years) if years else today.year - 1
    return int((date(last, 12, 31) - today).days < warn_days)


def _finance_tasks(payer_code: str) -> list[Task]:

    lines = (
        db.select(db.func.count(AwardLineRecord.id))
        .join(Entry, Entry.id == AwardLineRecord.entry_id)
        .join(Placement, Placement.entry_id == Entry.id)
        .where(
            AwardLineRecord.payer_code == payer_code,
            AwardLineRecord.is_current.is_(True),
            AwardLineRecord.amount_fen != 0,
        )
    )
    awaiting = lines.where(
        Placement.status == "confirmed", AwardLineRecord.budget_confirmation_id.is_(None)
    )
    unpaid = lines.where(
        AwardLineRecord.budget_confirmation_id.is_not(None), AwardLineRecord.paid_on.is_(None)
    )
    return [
        Task("lines", db.session.scalar(awaiting), "finance.index"),
        Task("unpaid", db.session.scalar(unpaid), "finance.index"),
    ]
