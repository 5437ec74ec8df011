"""Loading recipes of the certificates: what is due and issued per contest, counted and paged in
SQL, and the certificates of a contest, a holder or an honour."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import joinedload

from compapp.certificates.models import Certificate
from compapp.certificates.serials import normalize_serial
from compapp.contests.models import (
    Contest,
    Entry,
    EntryCoach,
    EntryMember,
    Event,
    Placement,
)
from compapp.core.vocab import CertificateKind, CertificateStatus, HolderType, TitleStatus
from compapp.extensions import db
from compapp.promotion.models import PromotionCase


def due_keys_query(contest_ids):
    """Every due holder's key of the contests, in SQL: (contest_id, kind, kind_order,
    entry_id, event_id, holder_type, person_id). The same people as ``due_holders``: members
    and coaches of confirmed placements with a medal or prize; final promotion cases, and
    their approved titles."""

    ids = list(contest_ids)
    awarded = db.and_(
        Placement.status == "confirmed",
        db.or_(Placement.medal.is_not(None), Placement.prize.is_not(None)),
        Event.contest_id.in_(ids),
    )

    def award(person, holder_type: str, table):
        return (
            db.select(
                Event.contest_id.label("contest_id"),
                db.literal(CertificateKind.AWARD.value).label("kind"),
                db.literal(0).label("kind_order"),
                Entry.id.label("entry_id"),
                Event.id.label("event_id"),
                db.literal(holder_type).label("holder_type"),
                person.label("person_id"),
            )
            .select_from(table)
            .join(Entry, Entry.id == table.entry_id)
            .join(Event, Event.id == Entry.event_id)
            .join(Placement, Placement.entry_id == Entry.id)
            .where(awarded)
        )

    def case(kind: str, order: int, *conditions):
        return (
            db.select(
                PromotionCase.contest_id,
                db.literal(kind),
                db.literal(order),
                Entry.id,
                Entry.event_id,
                db.literal(HolderType.COMPETITOR.value),
                PromotionCase.competitor_id,
            )
            .join(Placement, Placement.id == PromotionCase.placement_id)
            .join(Entry, Entry.id == Placement.entry_id)
            .where(PromotionCase.contest_id.in_(ids), PromotionCase.status == "final", *conditions)
        )

    return db.union_all(
        award(EntryMember.competitor_id, HolderType.COMPETITOR.value, EntryMember),
        award(EntryCoach.coach_id, HolderType.COACH.value, EntryCoach),
        case(CertificateKind.PROMOTION.value, 1),
        case(
            CertificateKind.TITLE.value,
            2,
            PromotionCase.title.is_not(None),
            PromotionCase.title_status == TitleStatus.APPROVED,
        ),
    ).subquery("due")


def _with_tallies(keys, contest_ids):
    """``keys`` outer-joined to how many certificates (and valid ones) each holder has: one
    grouped pass over the contests' certificates, joined once (no lookup per holder)."""
    person = db.case(
        (Certificate.holder_type == HolderType.COMPETITOR, Certificate.competitor_id),
        else_=Certificate.coach_id,
    )
    tallies = (
        db.select(
            Certificate.entry_id,
            Certificate.kind,
            Certificate.holder_type,
            person.label("person_id"),
            db.func.count().label("issued"),
            db.func.sum(db.case((Certificate.status == CertificateStatus.VALID, 1), else_=0)).label(
                "valid"
            ),
        )
        .where(Certificate.contest_id.in_(list(contest_ids)))
        .group_by(Certificate.entry_id, Certificate.kind, Certificate.holder_type, person)
        .subquery("tallies")
    )
    joined = keys.outerjoin(
        tallies,
        db.and_(
            tallies.c.entry_id == keys.c.entry_id,
            tallies.c.kind == keys.c.kind,
            tallies.c.holder_type == keys.c.holder_type,
            tallies.c.person_id == keys.c.person_id,
        ),
    )
    never = tallies.c.issued.is_(None)
    all_revoked = db.and_(tallies.c.issued > 0, tallies.c.valid == 0)
    return joined, never, all_revoked


@dataclass
class CertificateCounts:
    due: int = 0
    pending: int = 0  # due, never issued
    revoked: int = 0  # due, every certificate revoked (see HolderStates.revoked)
    valid_certificates: int = 0
    revoked_certificates: int = 0


def contests_with_confirmed_results(scope) -> list[Contest]:
    """The contests in ``scope`` (contests.access.scoped) with a confirmed result: those that
    may have certificates to issue, newest first."""
    with_results = (
        db.select(Event.contest_id)
        .join(Entry)
        .join(Placement)
        .where(Placement.status == "confirmed")
        .distinct()
    )
    return db.session.scalars(
        scope(db.select(Contest).where(Contest.id.in_(with_results))).order_by(
            Contest.award_on.desc(), Contest.id.desc()
        )
    ).all()


def certificate_counts(contest_ids) -> dict[int, CertificateCounts]:
    """Contest id -> its holders and certificates counted in SQL (two queries in all)."""
    ids = list(contest_ids)
    out = {i: CertificateCounts() for i in ids}
    keys = due_keys_query(ids)
    joined, never, all_revoked = _with_tallies(keys, ids)
    for contest_id, due, pending, revoked in db.session.execute(
        db.select(
            keys.c.contest_id,
            db.func.count(),
            db.func.sum(db.case((never, 1), else_=0)),
            db.func.sum(db.case((all_revoked, 1), else_=0)),
        )
        .select_from(joined)
        .group_by(keys.c.contest_id)
    ):
        out[contest_id].due, out[contest_id].pending = due, int(pending or 0)
        out[contest_id].revoked = int(revoked or 0)
    for contest_id, status, n in db.session.execute(
        db.select(Certificate.contest_id, Certificate.status, db.func.count())
        .where(Certificate.contest_id.in_(ids))
        .group_by(Certificate.contest_id, Certificate.status)
    ):
        if status == CertificateStatus.VALID:
            out[contest_id].valid_certificates += n
        else:
            out[contest_id].revoked_certificates += n
    return out


def holders_query(contest: Contest, pending: bool):
    """The keys of the contest's pending holders (never issued), or of those whose
    certificates are all revoked, in the order of ``due_holders``."""
    keys = due_keys_query([contest.id])
    joined, never, all_revoked = _with_tallies(keys, [contest.id])
    return (
        db.select(keys.c.kind, keys.c.entry_id, keys.c.holder_type, keys.c.person_id)
        .select_from(joined)
        .where(never if pending else all_revoked)
        .order_by(
            keys.c.kind_order,
            keys.c.event_id,
            keys.c.entry_id,
            db.case((keys.c.holder_type == HolderType.COMPETITOR.value, 0), else_=1),
            keys.c.person_id,
        )
    )


def _certificate_person():
    return db.case(
        (Certificate.holder_type == HolderType.COMPETITOR, Certificate.competitor_id),
        else_=Certificate.coach_id,
    )


def _superseded_unreplaced(contest: Contest):
    """Conditions of the contest's certificates a correction superseded and nobody replaced."""
    return (
        Certificate.contest_id == contest.id,
        Certificate.superseded_reason.is_not(None),
        Certificate.replaced_by_id.is_(None),
    )


def to_issue_count(contest: Contest) -> int:
    """How many certificates "issue all" would write now: the pending holders and those due
    one again after a correction (in SQL, three queries)."""
    pending = certificate_counts([contest.id])[contest.id].pending
    reissue = db.session.scalar(
        db.select(db.func.count()).select_from(reissue_keys_query(contest).subquery())
    )
    return pending + (reissue or 0)


def reissue_keys_query(contest: Contest, entry_ids=None):
    """The keys of the holders due a certificate again ("issue all" reissues them): due now,
    no valid certificate, and one that a correction superseded and nobody replaced — in SQL,
    in the order of entries (``entry_ids``: only these entries')."""
    keys = due_keys_query([contest.id])
    joined, _never, all_revoked = _with_tallies(keys, [contest.id])
    superseded = (
        db.select(Certificate.id)
        .where(
            *_superseded_unreplaced(contest),
            Certificate.entry_id == keys.c.entry_id,
            Certificate.kind == keys.c.kind,
            Certificate.holder_type == keys.c.holder_type,
            _certificate_person() == keys.c.person_id,
        )
        .exists()
    )
    query = (
        db.select(keys.c.kind, keys.c.entry_id, keys.c.holder_type, keys.c.person_id)
        .select_from(joined)
        .where(all_revoked, superseded)
        .order_by(keys.c.entry_id, keys.c.kind, keys.c.person_id)
    )
    if entry_ids is not None:
        query = query.where(keys.c.entry_id.in_(list(entry_ids)))
    return query


def reissue_keys_among(contest: Contest, keys: list[tuple]) -> set[tuple]:
    """Which of ``keys`` (a page of holders) are due a certificate again, in one query."""
    if not keys:
        return set()
    rows = db.session.execute(reissue_keys_query(contest, {k[1] for k in keys}))
    return {tuple(row) for row in rows} & set(keys)


def awaiting_reissue_query(contest: Contest):
    """The contest's superseded, unreplaced certificates whose holder is not due now (the
    result awaits its second confirmation, or was withdrawn), in issue order."""
    keys = due_keys_query([contest.id])
    due = (
        db.select(keys.c.entry_id)
        .where(
            keys.c.entry_id == Certificate.entry_id,
            keys.c.kind == Certificate.kind,
            keys.c.holder_type == Certificate.holder_type,
            keys.c.person_id == _certificate_person(),
        )
        .exists()
    )
    return (
        db.select(Certificate)
        .where(*_superseded_unreplaced(contest), ~due)
        .order_by(Certificate.id)
    )


def honour_certificates(honour_ids) -> dict[int, list[Certificate]]:
    """Honour id -> its certificates, valid and revoked, in issue order (one query)."""
    ids = list(honour_ids)
    out: dict[int, list[Certificate]] = {i: [] for i in ids}
    if ids:
        for cert in db.session.scalars(
            db.select(Certificate).where(Certificate.honour_id.in_(ids)).order_by(Certificate.id)
        ):
            out[cert.honour_id].append(cert)
    return out


def find_by_serial(text: str) -> Certificate | None:
    """Return the certificate ``text`` names (typed or scanned), or None."""
    serial = normalize_serial(text or "")
    if serial is None:
        return None
    return db.session.scalar(db.select(Certificate).filter_by(serial=serial))


def contest_certificates(contest: Contest) -> list[Certificate]:
    """Return every certificate of ``contest``, valid and revoked, in issue order."""
    return db.session.scalars(
        db.select(Certificate).filter_by(contest_id=contest.id).order_by(Certificate.id)
    ).all()


def contest_certificates_query(contest: Contest):
    """The contest's certificates in issue order, loaded for the contest page (for a page of
    them: compapp.paging)."""
    return (
        db.select(Certificate)
        .filter_by(contest_id=contest.id)
        .order_by(Certificate.id)
        .options(
            joinedload(Certificate.replaced_by),
            joinedload(Certificate.entry).selectinload(Entry.placement),
        )
    )


def holder_certificates(
    *, competitor_id: int | None = None, coach_id: int | None = None
) -> list[Certificate]:
    """Return the valid certificates of one competitor or one coach, newest first."""
    if competitor_id is None and coach_id is None:
        return []
    query = db.select(Certificate).where(Certificate.status == CertificateStatus.VALID)
    if competitor_id is not None:
        query = query.where(Certificate.competitor_id == competitor_id)
    else:
        query = query.where(Certificate.coach_id == coach_id)
    return db.session.scalars(
        query.order_by(Certificate.issued_on.desc(), Certificate.id.desc())
    ).all()
