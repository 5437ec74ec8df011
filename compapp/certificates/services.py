"""Issue, revoke, re-issue, render and verify certificates; build a contest's ZIP in the background.

Services load rows, build plain content with the pure ``content`` module, write and flush;
the view or CLI command that calls them commits once.

Who receives an award certificate (获奖证书): each competitor and each coaching-team member of
a placement whose result is confirmed (``placement.status == "confirmed"``) and that carries a
medal (including 优胜奖) or a prize. A rank alone is not an award: rank-only placements get no
award certificate (their ranks drive grade promotion, which has its own confirmation).
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from flask import current_app, has_request_context, request
from sqlalchemy.orm import joinedload, selectinload

from compapp.audit.services import record_change, says
from compapp.auth.models import utcnow
from compapp.certificates.content import (
    CertificateContent,
    Placing,
    award_certificate,
    file_name,
    promotion_certificate,
    safe_part,
    title_certificate,
    verify_url,
)
from compapp.certificates.fonts import GlyphMissing
from compapp.certificates.models import Certificate, CertificateVerification
from compapp.certificates.pdf import check_printable, render_certificate, render_preview
from compapp.certificates.serials import new_serial, normalize_serial
from compapp.contests.models import (
    Coach,
    Competitor,
    Contest,
    Entry,
    EntryCoach,
    EntryMember,
    Event,
    Placement,
)
from compapp.contests.queries import contest_entries
from compapp.core.messages import N_
from compapp.core.refusals import PROBLEMS, Refusal
from compapp.core.vocab import GRADE_NAMES, CoachRole
from compapp.extensions import db
from compapp.jobs.models import Job
from compapp.jobs.services import (
    JobFailed,
    JobRequest,
    params_of,
    start_job,
    store_result,
)
from compapp.policy.categories import result_name
from compapp.promotion import services as promotion

LOCAL_TZ = ZoneInfo("Asia/Shanghai")
# What is printed is Chinese whatever the language of the page that issued it.
COACH_ROLE_TEXT = CoachRole.names()
# Chinese in the audit log; the pages translate them (N_ marks them for the catalog).
KIND_TEXT = {
    "award": N_("获奖证书"),
    "promotion": N_("晋升职业技能等级确认书"),
    "title": N_("荣誉称号证书"),
    "honour": N_("荣誉奖励证书"),
}
REASON_MAX = 500


class CertificateRefused(Refusal):
    """A certificate action that may not happen; the message says why."""


def today_local() -> date:
    """Return today's date in Yunnan (the date printed on a certificate issued now)."""
    return datetime.now(LOCAL_TZ).date()


def local_date(at: datetime) -> date:
    """Return the Yunnan date of a naive UTC timestamp."""
    return at.replace(tzinfo=UTC).astimezone(LOCAL_TZ).date()


class BaseUrlUnknown(RuntimeError):
    """Neither COMPAPP_BASE_URL nor a request says at which address compapp is served."""


# Stands for the address while only checking that a certificate prints (its length is what
# a public address's is; nothing is rendered with it).
CHECK_BASE_URL = "https://compapp.example.cn"


def base_url() -> str:
    """Return the address the QR codes point under: COMPAPP_BASE_URL when set, else the
    address the app is being served at (the request's, as the person's browser reached it;
    behind a proxy ProxyFix gives the original scheme). Never a fixed port."""
    configured = (current_app.config.get("COMPAPP_BASE_URL") or "").strip().rstrip("/")
    if configured:
        return configured
    if has_request_context():
        return request.url_root.rstrip("/")
    raise BaseUrlUnknown(
        "compapp does not know its public address here: set COMPAPP_BASE_URL "
        "(for example https://compapp.example.cn) so that certificate QR codes point at it"
    )


def verify_url_for(serial: str, base: str | None = None) -> str:
    """Return the public verification address printed in ``serial``'s QR code."""
    return verify_url(base or base_url(), serial)


def _check_url(serial: str) -> str:
    try:
        return verify_url_for(serial)
    except BaseUrlUnknown:
        return verify_url(CHECK_BASE_URL, serial)


# --- content snapshots -------------------------------------------------------------------


def snapshot_of(content: CertificateContent) -> dict:
    """Return ``content`` as JSON-safe values (issued_on as an ISO date)."""
    data = asdict(content)
    data["issued_on"] = content.issued_on.isoformat()
    return data


def content_of(cert: Certificate) -> CertificateContent:
    """Rebuild what was printed on ``cert`` from its snapshot."""
    data = dict(cert.content)
    data["issued_on"] = date.fromisoformat(data["issued_on"])
    return CertificateContent(**data)


def result_text(placement: Placement) -> str:
    """Return the medal or prize of a placement as printed ("金牌", "一等奖")."""
    if placement.medal or placement.prize:
        return result_name(placement.medal, placement.prize)
    return f"第 {placement.rank} 名"


def holder_result_text(holder: Holder) -> str:
    """Return the result printed for ``holder``: an award's medal or prize, else the placing
    the promotion rests on with its format and tie marker (双人赛项第 2 名（并列）)."""
    if holder.kind == "award":
        return result_text(holder.entry.placement)
    facts = holder.promotion_case.facts or {}
    if "rank" in facts and "event_format" in facts:
        return promotion.placing_text(facts)
    return f"第 {holder.entry.placement.rank} 名"  # a case that recorded no facts


def awards_certificate(placement: Placement | None) -> bool:
    """Tell whether a placement earns award certificates: confirmed, with a medal or prize."""
    return (
        placement is not None
        and placement.status == "confirmed"
        and placement.revoked_at is None
        and bool(placement.medal or placement.prize)
    )


# --- who receives what -------------------------------------------------------------------


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
        return "competitor" if self.competitor is not None else "coach"

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
            holders.append(Holder("award", entry, competitor=member.competitor))
        for ec in entry.coaches:
            holders.append(
                Holder("award", entry, coach=ec.coach, role=COACH_ROLE_TEXT.get(ec.role, "教练"))
            )
    return holders


def promotion_holders(contest: Contest) -> list[Holder]:
    """Return the promotion confirmations and title certificates due for ``contest``.

    A confirmation once the case is final (confirmed, published, finalised: POLICY.md §6);
    the 云南竞赛技术能手 title once approved ("经核准") and the case is final.
    """
    from compapp.promotion.models import PromotionCase

    cases = db.session.scalars(
        db.select(PromotionCase)
        .where(PromotionCase.contest_id == contest.id, PromotionCase.status == "final")
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
        holders.append(Holder("promotion", entry, competitor=case.competitor, promotion_case=case))
        if case.title and case.title_status == "approved":
            holders.append(Holder("title", entry, competitor=case.competitor, promotion_case=case))
    return holders


def due_holders(contest: Contest) -> list[Holder]:
    """Return every certificate holder of ``contest``: awards, then promotions and titles."""
    return award_holders(contest) + promotion_holders(contest)


def build_content(holder: Holder, serial: str, issued_on: date) -> CertificateContent:
    """Return what ``holder``'s certificate says, from the current records."""
    entry = holder.entry
    event = entry.event
    contest = event.contest
    placing = Placing(
        serial=serial,
        holder_name=holder.name,
        contest_name=contest.name,
        event_name=event.occupation,
        result_text=holder_result_text(holder),
        issued_on=issued_on,
    )
    if holder.kind == "award":
        # The body that ran the contest awards it (award.toml leaves the issuer to the contest).
        return award_certificate(
            placing, holder_role=holder.role, issuing_body=contest.organising_body.name
        )
    case = holder.promotion_case
    # The basis and issuer come from the policy the case was decided under; the template's
    # wording stays for a case that names no loaded policy.
    policy = promotion.case_policy(case)
    decided = dict(
        basis=promotion.case_basis(case),
        issuing_body=promotion.policy_issuer(policy) if policy is not None else None,
    )
    if holder.kind == "promotion":
        return promotion_certificate(
            placing,
            from_grade=GRADE_NAMES.get(case.from_grade, case.from_grade),
            to_grade=GRADE_NAMES.get(case.to_grade, case.to_grade),
            **decided,
        )
    return title_certificate(placing, title=case.title, **decided)


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
    person = cert.competitor_id if cert.holder_type == "competitor" else cert.coach_id
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


# --- the same holders in SQL: counts and pages for 10,000-entry contests -------------------


def due_keys_query(contest_ids):
    """Every due holder's key of the contests, in SQL: (contest_id, kind, kind_order,
    entry_id, event_id, holder_type, person_id). The same people as ``due_holders``: members
    and coaches of confirmed placements with a medal or prize; final promotion cases, and
    their approved titles."""
    from compapp.promotion.models import PromotionCase

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
                db.literal("award").label("kind"),
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
                db.literal("competitor"),
                PromotionCase.competitor_id,
            )
            .join(Placement, Placement.id == PromotionCase.placement_id)
            .join(Entry, Entry.id == Placement.entry_id)
            .where(PromotionCase.contest_id.in_(ids), PromotionCase.status == "final", *conditions)
        )

    return db.union_all(
        award(EntryMember.competitor_id, "competitor", EntryMember),
        award(EntryCoach.coach_id, "coach", EntryCoach),
        case("promotion", 1),
        case(
            "title",
            2,
            PromotionCase.title.is_not(None),
            PromotionCase.title_status == "approved",
        ),
    ).subquery("due")


def _with_tallies(keys, contest_ids):
    """``keys`` outer-joined to how many certificates (and valid ones) each holder has: one
    grouped pass over the contests' certificates, joined once (no lookup per holder)."""
    person = db.case(
        (Certificate.holder_type == "competitor", Certificate.competitor_id),
        else_=Certificate.coach_id,
    )
    tallies = (
        db.select(
            Certificate.entry_id,
            Certificate.kind,
            Certificate.holder_type,
            person.label("person_id"),
            db.func.count().label("issued"),
            db.func.sum(db.case((Certificate.status == "valid", 1), else_=0)).label("valid"),
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
        if status == "valid":
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
            db.case((keys.c.holder_type == "competitor", 0), else_=1),
            keys.c.person_id,
        )
    )


def _certificate_person():
    return db.case(
        (Certificate.holder_type == "competitor", Certificate.competitor_id),
        else_=Certificate.coach_id,
    )


def _superseded_unreplaced(contest: Contest):
    """Conditions of the contest's certificates a correction superseded and nobody replaced."""
    return (
        Certificate.contest_id == contest.id,
        Certificate.superseded_reason.is_not(None),
        Certificate.replaced_by_id.is_(None),
    )


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


def holders_for(keys: list[tuple]) -> list[Holder]:
    """The Holder of each key (kind, entry id, holder type, person id), in the keys' order,
    loaded in a few queries."""
    from compapp.promotion.models import PromotionCase

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
            .where(Placement.entry_id.in_(entry_ids), PromotionCase.status == "final")
            .options(joinedload(PromotionCase.competitor), joinedload(PromotionCase.placement))
        )
    }
    holders = []
    for kind, entry_id, holder_type, person in keys:
        entry = entries[entry_id]
        if kind != "award":
            case = cases[(entry_id, person)]
            holders.append(Holder(kind, entry, competitor=case.competitor, promotion_case=case))
        elif holder_type == "competitor":
            member = next(m for m in entry.members if m.competitor_id == person)
            holders.append(Holder("award", entry, competitor=member.competitor))
        else:
            ec = next(c for c in entry.coaches if c.coach_id == person)
            role = COACH_ROLE_TEXT.get(ec.role, "教练")
            holders.append(Holder("award", entry, coach=ec.coach, role=role))
    return holders


def pending_holders(contest: Contest) -> list[Holder]:
    """Return the holders of ``contest`` who never received a certificate (``HolderStates``)."""
    return holder_states(contest).pending


def revoked_holders(contest: Contest) -> list[Holder]:
    """Return the holders still due a certificate whose certificates are all revoked."""
    return holder_states(contest).revoked


# --- issue, revoke, re-issue -------------------------------------------------------------


CERT_FIELDS = [
    "serial",
    "kind",
    "holder_type",
    "competitor_id",
    "coach_id",
    "entry_id",
    "honour_id",
    "promotion_case_id",
    "issued_on",
    "status",
    "revoked_at",
    "revocation_reason",
    "replaced_by_id",
    "superseded_reason",
]


def _audit_fields(cert: Certificate) -> dict:
    return {name: getattr(cert, name) for name in CERT_FIELDS}


def _write(holder: Holder, content: CertificateContent, user) -> Certificate:
    cert = Certificate(
        serial=content.serial,
        kind=holder.kind,
        holder_type=holder.holder_type,
        competitor_id=holder.competitor.id if holder.competitor is not None else None,
        coach_id=holder.coach.id if holder.coach is not None else None,
        contest_id=holder.entry.event.contest_id,
        entry_id=holder.entry.id,
        promotion_case_id=getattr(holder.promotion_case, "id", None),
        content=snapshot_of(content),
        issued_on=content.issued_on,
        issued_at=utcnow(),
        issued_by_id=getattr(user, "id", None),
        status="valid",
    )
    db.session.add(cert)
    db.session.flush()
    return cert


@dataclass
class IssueResult:
    """What an issue run did: the certificates written, how many existed, who was refused."""

    issued: list[Certificate] = field(default_factory=list)
    already: int = 0
    revoked: int = 0  # holders left out because their certificate was revoked
    reissued: int = 0  # of ``issued``: in place of a certificate a correction superseded
    problems: list[str] = field(default_factory=list)  # one sentence per holder not issued


def _issue(
    holders: Iterable[Holder],
    certificates_of: Callable[[Holder], list[Certificate]],
    user,
    issued_on: date | None,
    after_revocation: bool = False,
) -> IssueResult:
    issued_on = issued_on or today_local()
    result = IssueResult()
    seen: set[tuple] = set()
    for holder in holders:
        if holder.key in seen:  # one person listed twice for one entry: one certificate
            continue
        seen.add(holder.key)
        existing = certificates_of(holder)
        if any(c.is_valid for c in existing):
            result.already += 1
            continue
        superseded = existing[-1] if existing and existing[-1].is_superseded else None
        if existing and not after_revocation and superseded is None:
            result.revoked += 1
            continue
        content = build_content(holder, new_serial(), issued_on)
        try:
            check_printable(content, _check_url(content.serial))
        except GlyphMissing as exc:
            result.problems.append(f"{holder.name}（{holder.entry.event.occupation}）：{exc}")
            continue
        cert = _write(holder, content, user)
        if superseded is not None:
            superseded.replaced_by_id = cert.id
            result.reissued += 1
        record_change(
            "issue_certificate",
            "certificate",
            cert.id,
            says(
                N_("颁发%(kind)s %(serial)s（%(holder)s，%(contest)s %(event)s %(result)s）"),
                kind=KIND_TEXT[cert.kind],
                serial=cert.serial,
                holder=holder.name,
                contest=content.contest_name,
                event=content.event_name,
                result=content.result_text,
            ),
            after=_audit_fields(cert),
            user=user,
        )
        result.issued.append(cert)
    return result


def issue_award_certificates(
    contest: Contest, user=None, issued_on: date | None = None
) -> IssueResult:
    """Issue the award certificates of ``contest`` that are due and not yet valid.

    Idempotent: a holder who already has a valid award certificate for the entry is skipped.
    """
    states = holder_states(contest, award_holders(contest))
    with _one_issuer(contest):
        return _issue(states.due, states.certificates_of, user, issued_on)


def issue_all_certificates(
    contest: Contest, user=None, issued_on: date | None = None
) -> IssueResult:
    """Issue every certificate of ``contest`` that is due: awards, promotions, titles.

    Of two people issuing at the same moment exactly one issues: the database allows one valid
    certificate per holder (a unique index), the other's whole run is rolled back and
    ``AlreadyDone`` says so.
    """
    states = holder_states(contest)
    with _one_issuer(contest):
        return _issue(states.due, states.certificates_of, user, issued_on)


@contextmanager
def _one_issuer(contest: Contest):
    """Turn the unique index's refusal of a second valid certificate into ``AlreadyDone``."""
    from sqlalchemy.exc import IntegrityError

    from compapp.core.seen import AlreadyDone

    try:
        yield
    except IntegrityError:
        db.session.rollback()
        raise AlreadyDone("issue_certificates") from None


# General words the public verification page gives for a certificate a correction superseded
# (never the internal reason or note).
SUPERSEDED_TEXT = {
    "result_reopened": N_(
        "证书所依据的成绩已撤回确认、正在更正，本证书不再作为有效凭证；"
        "成绩重新确认后将另行颁发新证书。"
    ),
    "result_withdrawn": N_("证书所依据的成绩已撤销，本证书不再有效。"),
    "promotion_reopened": N_("证书所依据的晋升决定已撤回，本证书不再有效。"),
}


def supersede_entry_certificates(entry_ids, reason: str, user, note: str | None = None) -> int:
    """Mark the valid certificates resting on these entries' results as no longer standing.

    Called at once by every correction, reopening or withdrawal of a result (the certificate
    is revoked with ``superseded_reason`` and awaits reissue). Returns how many were marked.
    """
    ids = list(entry_ids)
    if not ids:
        return 0
    certs = db.session.scalars(
        db.select(Certificate)
        .where(Certificate.entry_id.in_(ids), Certificate.status == "valid")
        .order_by(Certificate.id)
    ).all()
    return _supersede(certs, reason, user, note)


def supersede_case_certificates(case_ids, reason: str, user, note: str | None = None) -> int:
    """Mark the valid certificates resting on these promotion cases as no longer standing."""
    ids = list(case_ids)
    if not ids:
        return 0
    certs = db.session.scalars(
        db.select(Certificate)
        .where(Certificate.promotion_case_id.in_(ids), Certificate.status == "valid")
        .order_by(Certificate.id)
    ).all()
    return _supersede(certs, reason, user, note)


def _supersede(certs: list[Certificate], reason: str, user, note: str | None) -> int:
    general = SUPERSEDED_TEXT[reason]
    for cert in certs:
        before = _audit_fields(cert)
        cert.status = "revoked"
        cert.revoked_at = utcnow()
        cert.revoked_by_id = getattr(user, "id", None)
        cert.revocation_reason = (general + (f"（{note}）" if note else ""))[:REASON_MAX]
        cert.superseded_reason = reason
        db.session.flush()
        record_change(
            "supersede_certificate",
            "certificate",
            cert.id,
            f"{KIND_TEXT[cert.kind]} {cert.serial}（{cert.holder_name}）不再有效，待重新颁发："
            + (note or general),
            before=before,
            after=_audit_fields(cert),
            user=user,
        )
    return len(certs)


def issue_after_revocation(holder: Holder, reason: str, user) -> Certificate:
    """Issue ``holder`` a new certificate after all earlier ones were revoked; needs a reason."""
    reason = _clean_reason(reason)
    with _one_issuer(holder.entry.event.contest):
        result = _issue([holder], _certificates_for, user, None, after_revocation=True)
    if result.problems:
        raise CertificateRefused(PROBLEMS, problems=result.problems[0])
    if not result.issued:
        raise CertificateRefused(N_("该持证人已有有效证书。"))
    cert = result.issued[0]
    record_change(
        "reissue_certificate",
        "certificate",
        cert.id,
        f"撤销后重新颁发{KIND_TEXT[cert.kind]} {cert.serial}（{holder.name}）：{reason}",
        after=_audit_fields(cert),
        user=user,
    )
    return cert


def _clean_reason(reason: str | None) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise CertificateRefused(N_("请填写原因。"))
    if len(reason) > REASON_MAX:
        raise CertificateRefused(N_("原因请控制在 %(n)s 字以内。"), n=REASON_MAX)
    return reason


def revoke(cert: Certificate, reason: str, user) -> None:
    """Revoke a valid certificate, recording who, when and why."""
    reason = _clean_reason(reason)
    if not cert.is_valid:
        raise CertificateRefused(N_("该证书已撤销。"))
    before = _audit_fields(cert)
    cert.status = "revoked"
    cert.revoked_at = utcnow()
    cert.revoked_by_id = getattr(user, "id", None)
    cert.revocation_reason = reason
    db.session.flush()
    record_change(
        "revoke_certificate",
        "certificate",
        cert.id,
        f"撤销{KIND_TEXT[cert.kind]} {cert.serial}（{cert.holder_name}）：{reason}",
        before=before,
        after=_audit_fields(cert),
        user=user,
    )


def _holder_of(cert: Certificate) -> Holder:
    return Holder(
        cert.kind,
        cert.entry,
        competitor=cert.competitor,
        coach=cert.coach,
        role=cert.content.get("holder_role", "选手"),
        promotion_case=cert.promotion_case,
    )


def reissue(cert: Certificate, reason: str, user, issued_on: date | None = None) -> Certificate:
    """Revoke ``cert`` and issue its replacement with a new serial, from the current records.

    An award certificate is rebuilt from the entry as it stands (a corrected name prints
    corrected); it is refused once the placement no longer earns one.
    """
    reason = _clean_reason(reason)
    if not cert.is_valid:
        raise CertificateRefused(N_("只能补发有效的证书；已撤销的证书请重新颁发。"))
    if cert.kind == "honour":
        raise CertificateRefused(N_("荣誉奖励证书请先撤销，再在荣誉奖励页面重新颁发。"))
    holder = _holder_of(cert)
    if cert.kind == "award" and not awards_certificate(cert.entry.placement):
        raise CertificateRefused(N_("该成绩已不再确认或不再有奖项，不能补发获奖证书。"))
    if holder.kind == "award" and holder.coach is not None:
        role = next((ec.role for ec in cert.entry.coaches if ec.coach_id == cert.coach_id), None)
        if role is None:
            raise CertificateRefused(N_("该教练已不在这一参赛组的教练团队中，不能补发。"))
        holder.role = COACH_ROLE_TEXT.get(role, "教练")
    content = build_content(holder, new_serial(), issued_on or today_local())
    try:
        check_printable(content, _check_url(content.serial))
    except GlyphMissing as exc:
        raise CertificateRefused(PROBLEMS, problems=str(exc)) from exc
    with _one_issuer(cert.contest):
        revoke(cert, f"补发：{reason}", user)
        new = _write(holder, content, user)
        cert.replaced_by_id = new.id
        db.session.flush()
    record_change(
        "reissue_certificate",
        "certificate",
        new.id,
        f"补发{KIND_TEXT[new.kind]} {new.serial}，替代 {cert.serial}（{holder.name}）：{reason}",
        before=_audit_fields(cert),
        after=_audit_fields(new),
        user=user,
    )
    return new


# --- honours (POLICY.md §4.7) -------------------------------------------------------------

# The wording of honour.toml's [body] for each honour (its holder_role), and the title printed.
HONOUR_GROUPS = {
    "zhonghua_skills_award": ("全国荣誉", None),
    "national_technical_expert": ("全国荣誉", None),
    "yunnan_skills_award": ("省级荣誉称号", None),
    "yunnan_technical_expert": ("省级荣誉称号", None),
    # 003_…txt:403: a national-training-team member sent by Yunnan receives 云南省技术能手.
    "national_training_team": ("国家集训队", "云南省技术能手"),
}


def honour_content(honour, serial: str, issued_on: date) -> CertificateContent:
    """Return what the certificate of ``honour`` says."""
    from compapp.certificates.content import Honoured, honour_certificate
    from compapp.core.dates import format_date
    from compapp.policy.categories import HONOUR_NAMES

    name = HONOUR_NAMES[honour.kind]
    group, title = HONOUR_GROUPS[honour.kind]
    return honour_certificate(
        serial=serial,
        holder_name=honour.competitor.name,
        honour=Honoured(
            name=name,
            group=group,
            title=title or name,
            recommended_by=honour.recommended_by,
            awarded_on_text=format_date(honour.awarded_on, "arabic"),
        ),
        issued_on=issued_on,
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


def issue_honour_certificate(
    honour, user, reason: str | None = None, issued_on: date | None = None
) -> Certificate:
    """Issue the certificate of a confirmed honour; after a revocation only with a reason.

    One valid certificate per honour: a second is refused here and, under simultaneous
    requests, by the database's unique index (the caller reports the IntegrityError).
    """
    if honour.confirmed_by_id is None:
        raise CertificateRefused(N_("该荣誉尚未由第二位工作人员确认，确认后才能颁发证书。"))
    existing = honour_certificates([honour.id])[honour.id]
    if any(c.is_valid for c in existing):
        raise CertificateRefused(N_("该荣誉已有有效的证书。"))
    if existing:
        reason = _clean_reason(reason)
    content = honour_content(honour, new_serial(), issued_on or today_local())
    try:
        check_printable(content, _check_url(content.serial))
    except GlyphMissing as exc:
        raise CertificateRefused(PROBLEMS, problems=str(exc)) from exc
    cert = Certificate(
        serial=content.serial,
        kind="honour",
        holder_type="competitor",
        competitor_id=honour.competitor_id,
        honour_id=honour.id,
        content=snapshot_of(content),
        issued_on=content.issued_on,
        issued_at=utcnow(),
        issued_by_id=getattr(user, "id", None),
        status="valid",
    )
    db.session.add(cert)
    db.session.flush()
    summary = says(
        N_("颁发%(kind)s %(serial)s（%(holder)s，%(honour)s，%(result)s）"),
        kind=KIND_TEXT["honour"],
        serial=cert.serial,
        holder=content.holder_name,
        honour=content.contest_name,
        result=content.result_text,
    )
    if existing:
        summary = says(
            N_("撤销后重新颁发%(kind)s %(serial)s（%(holder)s）：%(why)s"),
            kind=KIND_TEXT["honour"],
            serial=cert.serial,
            holder=content.holder_name,
            why=reason,
        )
    record_change(
        "issue_certificate", "certificate", cert.id, summary, after=_audit_fields(cert), user=user
    )
    return cert


# --- rendering ---------------------------------------------------------------------------


def render_pdf(cert: Certificate) -> bytes:
    """Return ``cert`` as a PDF, drawn from its snapshot with its QR code to the verify page."""
    return render_certificate(content_of(cert), verify_url_for(cert.serial))


def download_name(cert: Certificate) -> str:
    """Return the PDF's file name: kind, holder name, contest and the serial's start."""
    return file_name(content_of(cert))


def preview_pdf(holder: Holder) -> bytes:
    """Return ``holder``'s certificate as it would be issued today, marked 样本 (not stored)."""
    content = build_content(holder, new_serial(), today_local())
    return render_preview(content, verify_url_for(content.serial))


def record_download(cert: Certificate, user) -> None:
    """Record that an organiser or administrator downloaded a certificate."""
    record_change(
        "download_certificate",
        "certificate",
        cert.id,
        says(
            N_("下载%(kind)s %(serial)s（%(holder)s）"),
            kind=KIND_TEXT[cert.kind],
            serial=cert.serial,
            holder=cert.holder_name,
        ),
        user=user,
    )


# --- verification ------------------------------------------------------------------------


def find_by_serial(text: str) -> Certificate | None:
    """Return the certificate ``text`` names (typed or scanned), or None."""
    serial = normalize_serial(text or "")
    if serial is None:
        return None
    return db.session.scalar(db.select(Certificate).filter_by(serial=serial))


def log_verification(
    text: str, cert: Certificate | None, ip: str | None, user_agent: str | None
) -> CertificateVerification:
    """Log one look-up on the public verification page, found or not."""
    outcome = "unknown" if cert is None else ("valid" if cert.is_valid else "revoked")
    entry = CertificateVerification(
        certificate_id=None if cert is None else cert.id,
        serial_queried=(text or "")[:64],
        outcome=outcome,
        at=utcnow(),
        ip=(ip or None) and ip[:64],
        user_agent=(user_agent or None) and user_agent[:300],
    )
    db.session.add(entry)
    db.session.flush()
    return entry


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
    query = db.select(Certificate).where(Certificate.status == "valid")
    if competitor_id is not None:
        query = query.where(Certificate.competitor_id == competitor_id)
    else:
        query = query.where(Certificate.coach_id == coach_id)
    return db.session.scalars(
        query.order_by(Certificate.issued_on.desc(), Certificate.id.desc())
    ).all()


# --- contest ZIP as a background job ----------------------------------------------------

# Rendering processes per ZIP where forking is safe (an RQ work horse); one elsewhere.
ZIP_WORKERS = 2


def _zip_request(contest: Contest, certs: list[Certificate]) -> JobRequest:
    # The same valid certificates make the same ZIP: a finished one is handed out again.
    fingerprint = ",".join(str(c.id) for c in certs)
    return JobRequest(
        "certificate_zip",
        # The QR codes point at the address the ZIP was asked from (the job runs elsewhere).
        {"contest_id": contest.id, "base_url": base_url()},
        contest_id=contest.id,
        total=len(certs),
        fingerprint=fingerprint,
        reuse_done=True,
    )


def start_contest_zip(contest: Contest, user) -> tuple[Job, bool]:
    """Return the job building ``contest``'s valid certificates into a ZIP and whether it is
    new (the caller commits and then dispatches a new one); the same ZIP asked for again is
    the job already queued, running or done."""
    certs = [c for c in contest_certificates(contest) if c.is_valid]
    if not certs:
        raise CertificateRefused(N_("该赛事还没有有效的证书，请先颁发。"))
    job, new = start_job(_zip_request(contest, certs), user)  # may raise JobRefused
    record_change(
        "download_certificate_zip",
        "contest",
        contest.id,
        says(N_("打包下载赛事证书 %(contest)s（%(n)s 份）"), contest=contest.name, n=len(certs)),
        user=user,
    )
    return job, new


def build_contest_zip(job: Job, progress) -> dict:
    """Job handler: render the contest's valid certificates into a ZIP stored with the job."""
    from compapp.certificates.bundle import render_zip
    from compapp.jobs.runners import forking_allowed

    contest = db.session.get(Contest, params_of(job)["contest_id"])
    if contest is None:
        raise JobFailed("该赛事已不存在。")
    certs = [c for c in contest_certificates(contest) if c.is_valid]
    base = params_of(job).get("base_url")
    items = [(content_of(c), verify_url_for(c.serial, base)) for c in certs]
    name = zip_download_name(contest.name)
    with tempfile.TemporaryFile() as out:
        try:
            render_zip(
                items, out, workers=ZIP_WORKERS if forking_allowed() else 1, progress=progress
            )
        except (GlyphMissing, ValueError) as exc:
            raise JobFailed(str(exc)[:500]) from exc
        out.seek(0)
        store_result(job, out, name)
    return {"count": len(items)}


def zip_download_name(contest_name: str) -> str:
    """Return the ZIP's file name: 证书_<contest>.zip, without characters file systems refuse."""
    return f"证书_{safe_part(contest_name, 60, '赛事')}.zip"
