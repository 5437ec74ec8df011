"""Who receives a certificate, and what each holder's certificates are.

Who receives an award certificate (获奖证书): each competitor and each coaching-team member of
a placement whose result is confirmed (``placement.status == "confirmed"``) and that carries a
medal (including 优胜奖) or a prize. A rank alone is not an award: rank-only placements get no
award certificate (their ranks drive grade promotion, which has its own confirmation).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import joinedload, selectinload

from compapp.certificates.models import Certificate
from compapp.certificates.queries import (
    contest_certificates,
)
from compapp.contests.models import (
    Coach,
    Competitor,
    Contest,
    Entry,
    EntryCoach,
    EntryMember,
    Placement,
)
from compapp.contests.queries import contest_entries
from compapp.core.vocab import (
    CaseStatus,
    CertificateKind,
    CoachRole,
    HolderType,
    TitleStatus,
    rank_text,
)
from compapp.extensions import db
from compapp.policy.categories import result_name
from compapp.promotion import services as promotion
from compapp.promotion.models import PromotionCase

# What is printed is Chinese whatever the language of the page that issued it.
COACH_ROLE_TEXT = CoachRole.names()


def result_text(placement: Placement) -> str:
    """Return the medal or prize of a placement as printed ("金牌", "一等奖")."""
    if placement.medal or placement.prize:
        return result_name(placement.medal, placement.prize)
    return rank_text(placement.rank)


def holder_result_text(holder: Holder) -> str:
    """Return the result printed for ``holder``: an award's medal or prize, else the placing
    the promotion rests on with its format and tie marker (双人赛项第 2 名（并列）)."""
    if holder.kind == CertificateKind.AWARD:
        return result_text(holder.entry.placement)
    facts = holder.promotion_case.facts or {}
    if "rank" in facts and "event_format" in facts:
        return promotion.placing_text(facts)
    return rank_text(holder.entry.placement.rank)  # a case that recorded no facts


def awards_certificate(placement: Placement | None) -> bool:
    """Tell whether a placement earns award certificates: confirmed, with a medal or prize."""
    return (
        placement is not None
        and placement.status == "confirmed"
        and placement.revoked_at is None
        and bool(placement.medal or placement.prize)
    )


@dataclass
class Holder:
    """One person who should hold a certificate of ``kind`` for ``entry``."""

    kind: str
    entry: Entry
    competitor: Competitor | None = None
    coach: Coach | None = None
    role: str = "选手"
    promotion_case: object | None = None

    @property
    def holder_type(self) -> str:
        return HolderType.COMPETITOR if self.competitor is not None else HolderType.COACH

    @property
    def name(self) -> str:
        return (self.competitor or self.coach).name

    @property
    def key(self) -> tuple:
        person = self.competitor.id if self.competitor is not None else self.coach.id
        return (self.kind, self.entry.id, self.holder_type, person)


def _entries(contest: Contest) -> list[Entry]:
    return contest_entries(
        contest,
        selectinload(Entry.placement),
        selectinload(Entry.members).joinedload(EntryMember.competitor),
        selectinload(Entry.coaches).joinedload(EntryCoach.coach),
    )


def award_holders(contest: Contest) -> list[Holder]:
    """Return everyone an award certificate is due to, in event and entry order."""
    holders = []
    for entry in _entries(contest):
        if not awards_certificate(entry.placement):
            continue
        for member in entry.members:
            holders.append(Holder(CertificateKind.AWARD, entry, competitor=member.competitor))
        for ec in entry.coaches:
            holders.append(
                Holder(
                    CertificateKind.AWARD,
                    entry,
                    coach=ec.coach,
                    role=COACH_ROLE_TEXT.get(ec.role, "教练"),
                )
            )
    return holders


def promotion_holders(contest: Contest) -> list[Holder]:
    """Return the promotion confirmations and title certificates due for ``contest``.

    A confirmation once the case is final (confirmed, published, finalised: POLICY.md §6);
    the 云南竞赛技术能手 title once approved ("经核准") and the case is final.
    """

    cases = db.session.scalars(
        db.select(PromotionCase)
        .where(PromotionCase.contest_id == contest.id, PromotionCase.status == CaseStatus.FINAL)
        .order_by(PromotionCase.id)
        .options(
            joinedload(PromotionCase.competitor),
            joinedload(PromotionCase.placement).joinedload(Placement.entry),
        )
    ).all()
    holders = []
    for case in cases:
        entry = case.placement.entry
        # A final case was eligible, so it has a grade to promote to.
        holders.append(
            Holder(
                CertificateKind.PROMOTION, entry, competitor=case.competitor, promotion_case=case
            )
        )
        if case.title and case.title_status == TitleStatus.APPROVED:
            holders.append(
                Holder(
                    CertificateKind.TITLE, entry, competitor=case.competitor, promotion_case=case
                )
            )
    return holders


def due_holders(contest: Contest) -> list[Holder]:
    """Return every certificate holder of ``contest``: awards, then promotions and titles."""
    return award_holders(contest) + promotion_holders(contest)


def _certificates_for(holder: Holder) -> list[Certificate]:
    query = db.select(Certificate).where(
        Certificate.kind == holder.kind, Certificate.entry_id == holder.entry.id
    )
    if holder.competitor is not None:
        query = query.where(Certificate.competitor_id == holder.competitor.id)
    else:
        query = query.where(Certificate.coach_id == holder.coach.id)
    return db.session.scalars(query).all()


def certificate_key(cert: Certificate) -> tuple:
    """Return the ``Holder.key`` of the person ``cert`` was issued to."""
    person = cert.competitor_id if cert.holder_type == HolderType.COMPETITOR else cert.coach_id
    return (cert.kind, cert.entry_id, cert.holder_type, person)


@dataclass
class HolderStates:
    """A contest's due holders and its certificates, grouped by holder (loaded once)."""

    due: list[Holder]
    certificates: list[Certificate]  # every certificate of the contest, in issue order
    by_holder: dict[tuple, list[Certificate]]

    def certificates_of(self, holder: Holder) -> list[Certificate]:
        """Return the certificates issued to ``holder``, valid and revoked."""
        return self.by_holder.get(holder.key, [])

    @property
    def pending(self) -> list[Holder]:
        """The holders who never received a certificate (issue all issues these).

        A holder whose certificate was revoked without re-issue is not pending: a revocation
        (say, for fraud) must not be undone by the next "issue all"; see ``revoked``.
        """
        return [h for h in self.due if not self.certificates_of(h)]

    @property
    def revoked(self) -> list[Holder]:
        """The holders still due a certificate whose certificates are all revoked by hand."""
        return [
            h
            for h in self.due
            if (certs := self.certificates_of(h))
            and not any(c.is_valid for c in certs)
            and not certs[-1].is_superseded
        ]

    @property
    def to_reissue(self) -> list[Holder]:
        """The holders due a certificate again after a correction made theirs stop standing.

        Their last certificate was superseded (its result reopened, corrected or withdrawn) and
        the result is confirmed again: "issue all" issues them a new one in its place.
        """
        return [
            h
            for h in self.due
            if (certs := self.certificates_of(h))
            and not any(c.is_valid for c in certs)
            and certs[-1].is_superseded
        ]

    @property
    def awaiting_result(self) -> list[Certificate]:
        """Superseded certificates not replaced yet whose holder is not due one now (the result
        awaits its second confirmation, or was withdrawn)."""
        due = {h.key for h in self.due}
        return [
            c
            for c in self.certificates
            if c.is_superseded and c.replaced_by_id is None and certificate_key(c) not in due
        ]


def holder_states(contest: Contest, holders: list[Holder] | None = None) -> HolderStates:
    """Return ``contest``'s due holders (or ``holders``) with its certificates, in two queries."""
    certificates = contest_certificates(contest)
    by_holder: dict[tuple, list[Certificate]] = {}
    for cert in certificates:
        by_holder.setdefault(certificate_key(cert), []).append(cert)
    due = due_holders(contest) if holders is None else holders
    return HolderStates(due, certificates, by_holder)


def holders_for(keys: list[tuple]) -> list[Holder]:
    """The Holder of each key (kind, entry id, holder type, person id), in the keys' order,
    loaded in a few queries."""

    if not keys:
        return []
    entry_ids = {k[1] for k in keys}
    entries = {
        e.id: e
        for e in db.session.scalars(
            db.select(Entry)
            .where(Entry.id.in_(entry_ids))
            .options(
                joinedload(Entry.event),
                selectinload(Entry.placement),
                selectinload(Entry.members).joinedload(EntryMember.competitor),
                selectinload(Entry.coaches).joinedload(EntryCoach.coach),
            )
        )
    }
    cases = {
        (c.placement.entry_id, c.competitor_id): c
        for c in db.session.scalars(
            db.select(PromotionCase)
            .join(Placement, Placement.id == PromotionCase.placement_id)
            .where(Placement.entry_id.in_(entry_ids), PromotionCase.status == CaseStatus.FINAL)
            .options(joinedload(PromotionCase.competitor), joinedload(PromotionCase.placement))
        )
    }
    holders = []
    for kind, entry_id, holder_type, person in keys:
        entry = entries[entry_id]
        if kind != CertificateKind.AWARD:
            case = cases[(entry_id, person)]
            holders.append(Holder(kind, entry, competitor=case.competitor, promotion_case=case))
        elif holder_type == HolderType.COMPETITOR:
            member = next(m for m in entry.members if m.competitor_id == person)
            holders.append(Holder(CertificateKind.AWARD, entry, competitor=member.competitor))
        else:
            ec = next(c for c in entry.coaches if c.coach_id == person)
            role = COACH_ROLE_TEXT.get(ec.role, "教练")
            holders.append(Holder(CertificateKind.AWARD, entry, coach=ec.coach, role=role))
    return holders


def pending_holders(contest: Contest) -> list[Holder]:
    """Return the holders of ``contest`` who never received a certificate (``HolderStates``)."""
    return holder_states(contest).pending


def revoked_holders(contest: Contest) -> list[Holder]:
    """Return the holders still due a certificate whose certificates are all revoked."""
    return holder_states(contest).revoked
