"""Certificates: the shared basics (the office's date, the verify address, what a certificate
holds), and rendering, downloading and verifying one.

Who receives what and what is due: ``holders``; issuing, superseding, revoking and re-issuing:
``issuing``; the counts and pages of a contest's certificates: ``queries``; a contest's ZIP
built in the background: ``zips``. Services flush; the view or CLI command commits once.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from flask import current_app, has_request_context, request

from compapp.audit.services import record_change, says
from compapp.auth.models import utcnow
from compapp.certificates.content import (
    CertificateContent,
    file_name,
    verify_url,
)
from compapp.certificates.models import Certificate, CertificateVerification
from compapp.certificates.pdf import render_certificate
from compapp.core.messages import N_
from compapp.core.refusals import Refusal
from compapp.core.vocab import CertificateKind, VerificationOutcome
from compapp.extensions import db

LOCAL_TZ = ZoneInfo("Asia/Shanghai")


# Chinese in the audit log; the pages translate them (N_ marks them for the catalog).
KIND_TEXT = CertificateKind.names()


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


def render_pdf(cert: Certificate) -> bytes:
    """Return ``cert`` as a PDF, drawn from its snapshot with its QR code to the verify page."""
    return render_certificate(content_of(cert), verify_url_for(cert.serial))


def download_name(cert: Certificate) -> str:
    """Return the PDF's file name: kind, holder name, contest and the serial's start."""
    return file_name(content_of(cert))


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


def log_verification(
    text: str, cert: Certificate | None, ip: str | None, user_agent: str | None
) -> CertificateVerification:
    """Log one look-up on the public verification page, found or not."""
    if cert is None:
        outcome = VerificationOutcome.UNKNOWN
    else:
        outcome = VerificationOutcome.VALID if cert.is_valid else VerificationOutcome.REVOKED
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
