"""Issuing certificates (award, promotion, title, honour), and superseding, revoking and
re-issuing them: each written with its audit record, one issuer per contest at a time."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date

from compapp.audit.services import record_change, says
from compapp.auth.models import utcnow
from compapp.certificates.content import (
    CertificateContent,
    Honoured,
    Placing,
    award_certificate,
    honour_certificate,
    promotion_certificate,
    title_certificate,
    verify_url,
)
from compapp.certificates.fonts import GlyphMissing
from compapp.certificates.holders import (
    COACH_ROLE_TEXT,
    Holder,
    _certificates_for,
    award_holders,
    awards_certificate,
    holder_result_text,
    holder_states,
)
from compapp.certificates.models import Certificate
from compapp.certificates.pdf import check_printable, render_preview
from compapp.certificates.queries import (
    honour_certificates,
)
from compapp.certificates.serials import new_serial
from compapp.certificates.services import (
    KIND_TEXT,
    REASON_MAX,
    BaseUrlUnknown,
    CertificateRefused,
    snapshot_of,
    today_local,
    verify_url_for,
)
from compapp.contests.models import (
    Contest,
)
from compapp.core.dates import format_date
from compapp.core.messages import N_
from compapp.core.refusals import PROBLEMS
from compapp.core.seen import AlreadyDone
from compapp.core.vocab import (
    GRADE_NAMES,
    CertificateKind,
    CertificateStatus,
    HolderType,
    SupersededReason,
)
from compapp.extensions import db
from compapp.policy.categories import HONOUR_NAMES
from compapp.promotion import services as promotion

# Stands for the address while only checking that a certificate prints (its length is what
# a public address's is; nothing is rendered with it).
CHECK_BASE_URL = "https://compapp.example.cn"
PROGRESS_EVERY = 200  # holders between two progress records of an issuing job


def _check_url(serial: str) -> str:
    try:
        return verify_url_for(serial)
    except BaseUrlUnknown:
        return verify_url(CHECK_BASE_URL, serial)


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
    if holder.kind == CertificateKind.AWARD:
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
    if holder.kind == CertificateKind.PROMOTION:
        return promotion_certificate(
            placing,
            from_grade=GRADE_NAMES.get(case.from_grade, case.from_grade),
            to_grade=GRADE_NAMES.get(case.to_grade, case.to_grade),
            **decided,
        )
    return title_certificate(placing, title=case.title, **decided)


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
        status=CertificateStatus.VALID,
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
    progress: Callable[[int], None] | None = None,
) -> IssueResult:
    issued_on = issued_on or today_local()
    result = IssueResult()
    seen: set[tuple] = set()
    for number, holder in enumerate(holders, 1):
        if progress is not None and number % PROGRESS_EVERY == 0:
            progress(number)
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
    contest: Contest,
    user=None,
    issued_on: date | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> IssueResult:
    """Issue every certificate of ``contest`` that is due: awards, promotions, titles.

    Of two people issuing at the same moment exactly one issues: the database allows one valid
    certificate per holder (a unique index), the other's whole run is rolled back and
    ``AlreadyDone`` says so.

    :param progress: called with (holders done, holders in all) every PROGRESS_EVERY holders
        (a background job records it, committing what was issued so far)
    """
    states = holder_states(contest)
    total = len(states.due)
    step = (lambda done: progress(done, total)) if progress is not None else None
    with _one_issuer(contest):
        return _issue(states.due, states.certificates_of, user, issued_on, progress=step)


@contextmanager
def _one_issuer(contest: Contest):
    """Turn the unique index's refusal of a second valid certificate into ``AlreadyDone``."""
    from sqlalchemy.exc import IntegrityError

    try:
        yield
    except IntegrityError:
        db.session.rollback()
        raise AlreadyDone("issue_certificates") from None


# General words the public verification page gives for a certificate a correction superseded
# (never the internal reason or note).
SUPERSEDED_TEXT = SupersededReason.names()


def supersede_entry_certificates(entry_ids, reason: str, user, note: str | None = None) -> int:
    """Mark the valid certificates resting on these entries' results as no longer standing.

    Called at once by every correction, reopening or withdrawal of a result (the certificate
    is revoked with ``superseded_reason`` and awaits reissue). Returns how many were marked.
    """
    return _supersede_where(Certificate.entry_id, entry_ids, reason, user, note)


def supersede_case_certificates(case_ids, reason: str, user, note: str | None = None) -> int:
    """Mark the valid certificates resting on these promotion cases as no longer standing."""
    return _supersede_where(Certificate.promotion_case_id, case_ids, reason, user, note)


def _supersede_where(column, ids, reason: str, user, note: str | None) -> int:
    """Supersede the valid certificates whose ``column`` (entry or case) is one of ``ids``."""
    ids = list(ids)
    if not ids:
        return 0
    certs = db.session.scalars(
        db.select(Certificate)
        .where(column.in_(ids), Certificate.status == CertificateStatus.VALID)
        .order_by(Certificate.id)
    ).all()
    return _supersede(certs, reason, user, note)


def _supersede(certs: list[Certificate], reason: str, user, note: str | None) -> int:
    general = SUPERSEDED_TEXT[reason]
    for cert in certs:
        before = _audit_fields(cert)
        cert.status = CertificateStatus.REVOKED
        cert.revoked_at = utcnow()
        cert.revoked_by_id = getattr(user, "id", None)
        cert.revocation_reason = (general + (f"（{note}）" if note else ""))[:REASON_MAX]
        cert.superseded_reason = reason
        db.session.flush()
        record_change(
            "supersede_certificate",
            "certificate",
            cert.id,
            says(
                N_("%(kind)s %(serial)s（%(holder)s）不再有效，待重新颁发：%(why)s"),
                kind=KIND_TEXT[cert.kind],
                serial=cert.serial,
                holder=cert.holder_name,
                why=note or general,
            ),
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
        says(
            N_("撤销后重新颁发%(kind)s %(serial)s（%(holder)s）：%(why)s"),
            kind=KIND_TEXT[cert.kind],
            serial=cert.serial,
            holder=holder.name,
            why=reason,
        ),
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
    cert.status = CertificateStatus.REVOKED
    cert.revoked_at = utcnow()
    cert.revoked_by_id = getattr(user, "id", None)
    cert.revocation_reason = reason
    db.session.flush()
    record_change(
        "revoke_certificate",
        "certificate",
        cert.id,
        says(
            N_("撤销%(kind)s %(serial)s（%(holder)s）：%(why)s"),
            kind=KIND_TEXT[cert.kind],
            serial=cert.serial,
            holder=cert.holder_name,
            why=reason,
        ),
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
    if cert.kind == CertificateKind.HONOUR:
        raise CertificateRefused(N_("荣誉奖励证书请先撤销，再在荣誉奖励页面重新颁发。"))
    holder = _holder_of(cert)
    if cert.kind == CertificateKind.AWARD and not awards_certificate(cert.entry.placement):
        raise CertificateRefused(N_("该成绩已不再确认或不再有奖项，不能补发获奖证书。"))
    if holder.kind == CertificateKind.AWARD and holder.coach is not None:
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
        says(
            N_("补发%(kind)s %(serial)s，替代 %(old)s（%(holder)s）：%(why)s"),
            kind=KIND_TEXT[new.kind],
            serial=new.serial,
            old=cert.serial,
            holder=holder.name,
            why=reason,
        ),
        before=_audit_fields(cert),
        after=_audit_fields(new),
        user=user,
    )
    return new


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
        kind=CertificateKind.HONOUR,
        holder_type=HolderType.COMPETITOR,
        competitor_id=honour.competitor_id,
        honour_id=honour.id,
        content=snapshot_of(content),
        issued_on=content.issued_on,
        issued_at=utcnow(),
        issued_by_id=getattr(user, "id", None),
        status=CertificateStatus.VALID,
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


def preview_pdf(holder: Holder) -> bytes:
    """Return ``holder``'s certificate as it would be issued today, marked 样本 (not stored)."""
    content = build_content(holder, new_serial(), today_local())
    return render_preview(content, verify_url_for(content.serial))
