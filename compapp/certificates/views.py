"""Pages of the certificates domain (blueprint listed in compapp.create_app).

Public: the verification page /verify/<serial> and its look-up form /verify. Signed in:
organisers and administrators issue, preview, revoke, re-issue and download; winners (and
coaches) download their own certificates from /my/certificates.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    flash,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import InputRequired, Length

from compapp import downloads
from compapp.auth.access import organiser_required, public
from compapp.certificates import holders, issue_jobs, issuing, queries, services, zips
from compapp.certificates.models import Certificate
from compapp.certificates.serials import group_serial, normalize_serial
from compapp.contests.access import get_contest, in_scope, scoped
from compapp.contests.models import Contest
from compapp.core.names import mask_name
from compapp.core.seen import AlreadyDone
from compapp.core.vocab import CertificateKind, JobState
from compapp.extensions import db, limiter
from compapp.formtools import ConfirmForm
from compapp.i18n import refusal_text
from compapp.jobs import services as jobs
from compapp.jobs.pages import job_status, start_and_show
from compapp.paging import page_of
from compapp.routing import record_id

bp = Blueprint("certificates", __name__)

# The kinds' names in the page's language (services.KIND_TEXT holds the Chinese, marked N_).
KIND_NAMES = {kind: _l(text) for kind, text in services.KIND_TEXT.items()}


class ReasonForm(FlaskForm):
    reason = TextAreaField(
        _l("原因"),
        validators=[InputRequired(_l("请填写原因。")), Length(max=services.REASON_MAX)],
        description=_l("记入证书记录和审计日志；核验页面只显示“已撤销”，不显示原因。"),
    )


def get_certificate(cert_id: int) -> Certificate:
    """Return a certificate an organiser or administrator may manage (404 otherwise)."""
    cert = db.session.get(Certificate, cert_id)
    if cert is None or not cert_in_scope(cert):
        abort(404)
    return cert


def cert_in_scope(cert: Certificate) -> bool:
    """A contest's certificate: organisers of its body; an honour's: every organiser, as on
    the honours page (honours are the province's, not a contest's)."""
    return cert.contest is None or in_scope(cert.contest)


def back_to(cert: Certificate) -> str:
    """The page a certificate is managed on: its contest's, or the honours page."""
    if cert.honour_id is not None:
        return url_for("honours.index", _anchor=f"honour-{cert.honour_id}")
    return url_for("certificates.contest", contest_id=cert.contest_id)


def may_download(cert: Certificate) -> bool:
    """Winners and coaches: their own valid certificates; organisers in scope; admins: all."""
    role = current_user.role
    if role == "admin":
        return True
    if role == "organiser":
        return cert_in_scope(cert)
    if not cert.is_valid:
        return False
    if role == "winner":
        return cert.competitor_id is not None and cert.competitor_id == current_user.competitor_id
    if role == "coach":
        return cert.coach_id is not None and cert.coach_id == current_user.coach_id
    return False


# --- organiser pages ---------------------------------------------------------------------


@bp.route("/certificates/")
@organiser_required
def index():
    contests = queries.contests_with_confirmed_results(scoped)
    counts = queries.certificate_counts(c.id for c in contests)
    rows = [
        {
            "contest": contest,
            "due": counts[contest.id].due,
            "valid": counts[contest.id].valid_certificates,
            "revoked": counts[contest.id].revoked_certificates,
            "pending": counts[contest.id].pending,
        }
        for contest in contests
    ]
    return render_template("certificates/index.html", rows=rows)


def holder_rows(contest: Contest, people: list[holders.Holder]) -> list[dict]:
    rows = []
    for holder in people:
        kind, entry_id, holder_type, person_id = holder.key
        rows.append(
            {
                "holder": holder,
                "result": holders.holder_result_text(holder),
                "key": {
                    "kind": kind,
                    "entry": entry_id,
                    "holder_type": holder_type,
                    "person": person_id,
                },
                "preview": url_for(
                    "certificates.preview",
                    contest_id=contest.id,
                    kind=kind,
                    entry=entry_id,
                    holder_type=holder_type,
                    person=person_id,
                ),
            }
        )
    return rows


@bp.route("/certificates/contests/<int:contest_id>")
@organiser_required
def contest(contest_id: int):
    """Counts from SQL; a page each of the pending holders, of those whose certificates are
    all revoked, and of the certificates issued."""
    contest = get_contest(contest_id)
    counts = queries.certificate_counts([contest.id])[contest.id]
    # The counts just made in SQL are the lists' lengths: no second count of each.
    pending = page_of(
        queries.holders_query(contest, pending=True), scalars=False, total=counts.pending
    )
    revoked = page_of(
        queries.holders_query(contest, pending=False),
        scalars=False,
        arg="rpage",
        total=counts.revoked,
    )
    certs = page_of(
        queries.contest_certificates_query(contest),
        arg="cpage",
        total=counts.valid_certificates + counts.revoked_certificates,
    )
    # Holders whose certificate a correction superseded, due one again: "issue all" reissues
    # them (counted and paged in SQL, beside the pending ones); certificates whose result is
    # being corrected wait apart.
    reissue = page_of(queries.reissue_keys_query(contest), scalars=False, arg="xpage")
    reissue_holders = holders.holders_for([tuple(r) for r in reissue.items])
    awaiting = page_of(queries.awaiting_reissue_query(contest), arg="apage")
    revoked_holders = holders.holders_for([tuple(r) for r in revoked.items])
    again = (
        queries.reissue_keys_among(contest, [h.key for h in revoked_holders])
        if reissue.total
        else set()
    )
    unconfirmed = {
        c.id
        for c in certs.items
        if c.is_valid
        and c.kind == CertificateKind.AWARD
        and not holders.awards_certificate(c.entry.placement)
    }
    return render_template(
        "certificates/contest.html",
        contest=contest,
        counts=counts,
        certs=certs,
        pending=holder_rows(
            contest,
            holders.holders_for([tuple(r) for r in pending.items]) + reissue_holders,
        ),
        pending_page=pending,
        to_reissue={h.key for h in reissue_holders},
        reissue_page=reissue,
        awaiting_page=awaiting,
        revoked=holder_rows(contest, [h for h in revoked_holders if h.key not in again]),
        revoked_page=revoked,
        reason_form=ReasonForm(),
        unconfirmed=unconfirmed,
        form=ConfirmForm(),
        kind_names=KIND_NAMES,
        group_serial=group_serial,
        issuing_job=issue_jobs.running_issue_job(contest),
    )


def holder_key(values) -> tuple:
    """Read a holder's key (kind, entry, holder type, person) from request values."""
    return (
        values.get("kind"),
        values.get("entry", type=record_id),
        values.get("holder_type"),
        values.get("person", type=record_id),
    )


def find_holder(contest: Contest, key: tuple) -> holders.Holder:
    holder = next((h for h in holders.due_holders(contest) if h.key == key), None)
    if holder is None:
        abort(404)
    return holder


@bp.route("/certificates/contests/<int:contest_id>/preview")
@organiser_required
def preview(contest_id: int):
    contest = get_contest(contest_id)
    holder = find_holder(contest, holder_key(request.args))
    data = issuing.preview_pdf(holder)
    return downloads.download(data, f"样本_{holder.name}.pdf", downloads.PDF, inline=True)


@bp.route("/certificates/contests/<int:contest_id>/issue-again", methods=["POST"])
@organiser_required
def issue_again(contest_id: int):
    contest = get_contest(contest_id)
    holder = find_holder(contest, holder_key(request.form))
    form = ReasonForm()
    if not form.validate_on_submit():
        flash(_("重新颁发须填写原因。"), "error")
        return redirect(url_for("certificates.contest", contest_id=contest.id))
    try:
        cert = issuing.issue_after_revocation(holder, form.reason.data, current_user)
    except services.CertificateRefused as exc:
        db.session.rollback()
        flash(refusal_text(exc), "error")
    except AlreadyDone:
        flash(_("另一位用户刚刚为此人颁发了证书，您的这次颁发没有执行。"), "error")
    else:
        db.session.commit()
        flash(
            _("已为%(name)s重新颁发证书 %(serial)s。", name=holder.name, serial=cert.serial),
            "success",
        )
    return redirect(url_for("certificates.contest", contest_id=contest.id))


@bp.route("/certificates/contests/<int:contest_id>/issue", methods=["POST"])
@organiser_required
def issue(contest_id: int):
    contest = get_contest(contest_id)
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    to_issue = queries.to_issue_count(contest)
    if to_issue > issue_jobs.direct_limit():
        return _start_issue_job(contest, to_issue)
    try:
        result = issuing.issue_all_certificates(contest, current_user)
    except AlreadyDone:
        flash(
            _(
                "另一位用户刚刚颁发了本赛事的证书，您的这次颁发没有执行，也没有重复颁发。"
                "请查看下方已颁发的证书。"
            ),
            "error",
        )
        return redirect(url_for("certificates.contest", contest_id=contest.id))
    db.session.commit()
    if result.issued:
        flash(_("已颁发 %(n)s 份证书。", n=len(result.issued)), "success")
    else:
        flash(_("没有需要颁发的证书：应发证书均已颁发。"), "info")
    if result.reissued:
        flash(_("其中 %(n)s 份替代因成绩更正而不再有效的证书。", n=result.reissued), "success")
    if result.revoked:
        flash(
            _(
                "%(n)s 人的证书已撤销，未自动重新颁发；如确需颁发，请在“已撤销、未补发”中逐一处理。",
                n=result.revoked,
            ),
            "info",
        )
    for problem in result.problems:
        flash(_("未颁发：%(problem)s", problem=problem), "error")
    return redirect(url_for("certificates.contest", contest_id=contest.id))


def _start_issue_job(contest: Contest, to_issue: int):
    """Start (or find) the contest's issuing job and show its page."""
    return start_and_show(
        lambda: issue_jobs.start_issue_all(contest, current_user, to_issue),
        url_for("certificates.contest", contest_id=contest.id),
        lambda job: url_for("certificates.issue_job", job_id=job.id),
    )


def contest_job(job_id: str, kind: str):
    """The job ``job_id`` of ``kind`` and its contest, when the organiser reaches the contest."""
    job = jobs.get_job(job_id, kind)
    if job is None:
        abort(404)
    contest = db.session.get(Contest, job.contest_id)
    if contest is None or not in_scope(contest):
        abort(404)
    return job, contest


def issue_status_json(job) -> dict:
    return job_status(job, keep_result=True)


@bp.route("/certificates/issuing/<job_id>")
@organiser_required
def issue_job(job_id: str):
    job, contest = contest_job(job_id, issue_jobs.KIND)
    return render_template(
        "certificates/issue_job.html",
        job_id=job.id,
        status=issue_status_json(job),
        contest=contest,
    )


@bp.route("/certificates/issuing/<job_id>/status")
@organiser_required
def issue_job_status(job_id: str):
    job, _contest = contest_job(job_id, issue_jobs.KIND)
    return jsonify(issue_status_json(job))


def _reason_page(cert: Certificate, action: str):
    form = ReasonForm()
    if form.validate_on_submit():
        try:
            if action == "revoke":
                issuing.revoke(cert, form.reason.data, current_user)
                message = _("已撤销证书 %(serial)s。", serial=cert.serial)
            else:
                new = issuing.reissue(cert, form.reason.data, current_user)
                message = _(
                    "已补发证书 %(serial)s，原证书 %(old)s 已撤销。",
                    serial=new.serial,
                    old=cert.serial,
                )
        except services.CertificateRefused as exc:
            db.session.rollback()
            form.reason.errors.append(refusal_text(exc))
        except AlreadyDone:
            flash(_("另一位用户刚刚处理了这份证书，您的这次操作没有执行。"), "error")
            return redirect(url_for("certificates.contest", contest_id=cert.contest_id))
        else:
            db.session.commit()
            flash(message, "success")
            return redirect(back_to(cert))
    return render_template(
        "certificates/confirm.html",
        cert=cert,
        form=form,
        action=action,
        back=back_to(cert),
        kind_names=KIND_NAMES,
        group_serial=group_serial,
    )


@bp.route("/certificates/<int:cert_id>/revoke", methods=["GET", "POST"])
@organiser_required
def revoke(cert_id: int):
    return _reason_page(get_certificate(cert_id), "revoke")


@bp.route("/certificates/<int:cert_id>/reissue", methods=["GET", "POST"])
@organiser_required
def reissue(cert_id: int):
    return _reason_page(get_certificate(cert_id), "reissue")


@bp.route("/certificates/<int:cert_id>/download")
def download(cert_id: int):
    cert = db.session.get(Certificate, cert_id)
    if cert is None or not may_download(cert):
        abort(404)  # another person's certificate is not even acknowledged to exist
    data = services.render_pdf(cert)
    if current_user.role in ("admin", "organiser"):
        services.record_download(cert, current_user)
        db.session.commit()
    return downloads.download(data, services.download_name(cert), downloads.PDF)


# --- contest ZIP -------------------------------------------------------------------------


@bp.route("/certificates/contests/<int:contest_id>/zip", methods=["POST"])
@organiser_required
def start_zip(contest_id: int):
    contest = get_contest(contest_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    return start_and_show(
        lambda: zips.start_contest_zip(contest, current_user),
        url_for("certificates.contest", contest_id=contest.id),
        lambda job: url_for("certificates.zip_job", job_id=job.id),
    )


def get_job(job_id: str):
    return contest_job(job_id, "certificate_zip")


def status_json(job) -> dict:
    return job_status(job, download="certificates.zip_download")


@bp.route("/certificates/zips/<job_id>")
@organiser_required
def zip_job(job_id: str):
    job, contest = get_job(job_id)
    return render_template(
        "certificates/zip.html",
        job_id=job.id,
        status=status_json(job),
        contest_id=contest.id,
        contest_name=contest.name,
    )


@bp.route("/certificates/zips/<job_id>/status")
@organiser_required
def zip_status(job_id: str):
    job, _contest = get_job(job_id)
    return jsonify(status_json(job))


@bp.route("/certificates/zips/<job_id>/download")
@organiser_required
def zip_download(job_id: str):
    job, _contest = get_job(job_id)
    if job.state != JobState.DONE:
        abort(404)
    response = send_file(
        jobs.open_result(job),
        mimetype="application/zip",
        as_attachment=True,
        download_name=downloads.file_name(job.file_name or "certificates.zip"),
        max_age=0,
    )
    response.content_length = job.file_size
    return response


# --- the holder's own certificates -------------------------------------------------------


@bp.route("/my/certificates")
def mine():
    if current_user.role == "winner":
        certs = queries.holder_certificates(competitor_id=current_user.competitor_id)
    elif current_user.role == "coach":
        certs = queries.holder_certificates(coach_id=current_user.coach_id)
    else:
        abort(403)
    return render_template(
        "certificates/mine.html", certs=certs, kind_names=KIND_NAMES, group_serial=group_serial
    )


# --- public verification -----------------------------------------------------------------


def _no_index(response):
    # A verification page is for the person holding the paper, not for search engines.
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    response.headers["Cache-Control"] = "no-store"
    return response


def _log(text: str, cert: Certificate | None) -> None:
    services.log_verification(text, cert, request.remote_addr, request.headers.get("User-Agent"))
    db.session.commit()


@bp.route("/verify")
@limiter.limit("30 per minute")
@public
def lookup():
    text = (request.args.get("serial") or "").strip()
    error = None
    if text:
        serial = normalize_serial(text)
        if serial is not None:
            return redirect(url_for("certificates.verify", serial=serial))
        _log(text, None)
        error = _("证书编号由 26 位字母和数字组成（可含空格或短横线），请核对后重新输入。")
    body = render_template("certificates/lookup.html", text=text, error=error)
    return _no_index(make_response(body, 200 if error is None else 404))


@bp.route("/verify/<serial>")
@limiter.limit("30 per minute")
@public
def verify(serial: str):
    canonical = normalize_serial(serial)
    if canonical is not None and canonical != serial:
        return redirect(url_for("certificates.verify", serial=canonical))
    cert = queries.find_by_serial(serial)
    _log(serial, cert)
    if cert is None:
        body = render_template("certificates/not_found.html", serial=serial[:64])
        return _no_index(make_response(body, 404))
    content = cert.content
    shown = {
        "kind": KIND_NAMES[cert.kind],
        # An honour's contest, event and result hold the honour, the body and the date.
        "honour": cert.kind == CertificateKind.HONOUR,
        "masked_name": mask_name(content["holder_name"]),
        "contest": content["contest_name"],
        "event": content["event_name"],
        "result": content["result_text"],
        "issued_on": cert.issued_on,
        "issuing_body": content["issuing_body"],
        "serial": group_serial(cert.serial),
        "valid": cert.is_valid,
        "revoked_on": services.local_date(cert.revoked_at) if cert.revoked_at else None,
        # A correction made it stop standing: say so in general words, never the note.
        "superseded": _(issuing.SUPERSEDED_TEXT[cert.superseded_reason])
        if cert.superseded_reason in issuing.SUPERSEDED_TEXT
        else None,
        "replaced": cert.replaced_by_id is not None,
    }
    return _no_index(make_response(render_template("certificates/verify.html", c=shown), 200))
