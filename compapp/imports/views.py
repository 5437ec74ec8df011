"""Pages of the imports domain: template download, upload and dry run, report, confirm."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from compapp import labels
from compapp.auth.access import organiser_required
from compapp.contests import queries as contest_queries
from compapp.contests.access import get_contest, scoped
from compapp.contests.models import Contest
from compapp.core.dates import format_day
from compapp.core.vocab import ImportStatus
from compapp.downloads import XLSX, download
from compapp.extensions import db
from compapp.i18n import refusal_text
from compapp.imports import plan as import_plan
from compapp.imports import queries, reading, report, services, template
from compapp.imports.forms import ConfirmImportForm, UploadForm
from compapp.imports.models import ImportBatch
from compapp.policy.categories import FORMAT_NAMES

bp = Blueprint("imports", __name__, url_prefix="/imports")

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
SHOWN = 300  # rows of each list shown on the page; the report has them all


def max_bytes() -> int:
    """The upload limit of the import page (lower than the app's MAX_CONTENT_LENGTH)."""
    return int(current_app.config.get("IMPORT_MAX_CONTENT_LENGTH", DEFAULT_MAX_BYTES))


def limit_text() -> str:
    return f"{max_bytes() // (1024 * 1024)} MB"


def get_batch(batch_id: int) -> ImportBatch:
    batch = db.session.get(ImportBatch, batch_id)
    if batch is None:
        abort(404)
    get_contest(batch.contest_id)
    return batch


@bp.route("/")
@organiser_required
def index():
    contests = contest_queries.recent_contests(scoped)
    batches = queries.recent_batches(scoped)
    return render_template("imports/index.html", contests=contests, batches=batches)


@bp.route("/contests/<int:contest_id>/template.xlsx")
@organiser_required
def download_template(contest_id: int):
    contest = get_contest(contest_id)
    _spellings, counties = import_plan.county_lookup()
    data = template.build_template(
        contest.name,
        labels.category(contest.category),
        format_day(contest.award_on, str(get_locale())),
        import_plan.result_labels(contest.category),
        [c.label for c in counties.values()],
        [(e.occupation, FORMAT_NAMES[e.format]) for e in contest.events],
        say=_,
    )
    return download(data, f"{_('导入模板')}-{contest.name}.xlsx", XLSX)


def _upload_page(contest: Contest, form: UploadForm, status: int = 200):
    return render_template(
        "imports/upload.html",
        contest=contest,
        form=form,
        limit=limit_text(),
        max_rows=reading.MAX_ROWS,
        last_saved=services.last_saved_batch(contest),
    ), status


def _too_large(contest: Contest):
    form = UploadForm(formdata=None)
    form.file.errors = [
        _(
            "文件超过导入页面允许的 %(limit)s，没有读取。请删去多余的工作表、图片和空行，"
            "或把数据分成几个文件上传。",
            limit=limit_text(),
        )
    ]
    return _upload_page(contest, form, 413)


@bp.errorhandler(413)
def upload_too_large(_error):
    contest_id = (request.view_args or {}).get("contest_id")
    contest = db.session.get(Contest, contest_id) if contest_id else None
    if contest is None:
        return render_template(
            "error.html",
            status=413,
            title=_("文件过大"),
            message=_("上传的文件超过 %(limit)s。", limit=limit_text()),
        ), 413
    return _too_large(contest)


@bp.route("/contests/<int:contest_id>", methods=["GET", "POST"])
@organiser_required
def upload(contest_id: int):
    contest = get_contest(contest_id)
    if request.method == "POST":
        # Refuse before reading the body: the app-wide limit is higher than this page's.
        if (request.content_length or 0) > max_bytes():
            return _too_large(contest)
        request.max_content_length = max_bytes()
    form = UploadForm()
    if form.validate_on_submit():
        upload = form.file.data
        data = upload.read(max_bytes() + 1)
        if len(data) > max_bytes():
            return _too_large(contest)
        batch, plan = services.create_batch(contest, data, upload.filename or "", current_user.id)
        db.session.commit()
        return redirect(url_for("imports.show", batch_id=batch.id))
    return _upload_page(contest, form, 422 if request.method == "POST" else 200)


@bp.route("/batches/<int:batch_id>")
@organiser_required
def show(batch_id: int):
    batch = get_batch(batch_id)
    contest = get_contest(batch.contest_id)
    form = ConfirmImportForm(formdata=None, digest=batch.digest)
    return render_template(
        "imports/batch.html",
        batch=batch,
        contest=contest,
        form=form,
        problems=[(p, p.text(_)) for p in services.batch_problems(batch)],
        summary=batch.summary or {},
        shown=SHOWN,
    )


@bp.route("/batches/<int:batch_id>/report.xlsx")
@organiser_required
def download_report(batch_id: int):
    batch = get_batch(batch_id)
    table = reading.Table.from_dict(batch.cells) if batch.cells else None
    data = report.build_report(table, services.batch_problems(batch), _)
    return download(data, f"导入问题报告-{batch.id}.xlsx", XLSX)


@bp.route("/batches/<int:batch_id>/confirm", methods=["POST"])
@organiser_required
def confirm(batch_id: int):
    batch = get_batch(batch_id)
    form = ConfirmImportForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        plan = services.confirm_batch(batch, form.digest.data or "", current_user)
    except services.ImportRefused as refused:
        db.session.rollback()
        batch = get_batch(batch_id)
        if not refused.plan.rows:
            # Refused before reading the rows (saved, discarded, changed): say why.
            why = "".join(p.text(_) for p in refused.plan.problems)
            flash(_("没有保存：%(why)s", why=why), "error")
            return redirect(url_for("imports.show", batch_id=batch_id))
        if batch.status == ImportStatus.CHECKED:
            # The contest changed since the dry run: keep the new problems on the batch.
            batch.status = ImportStatus.INVALID
            batch.problems = [p.as_dict() for p in refused.plan.problems]
            batch.summary = refused.plan.summary()
            db.session.commit()
        flash(refusal_text(refused), "error")
        return redirect(url_for("imports.show", batch_id=batch_id))
    db.session.commit()
    counts = plan.summary()["counts"]
    flash(
        _(
            "已保存：新增 %(added)s 组，修改 %(changed)s 组，%(unchanged)s 组未变。",
            added=counts["added"],
            changed=counts["changed"],
            unchanged=counts["unchanged"],
        ),
        "success",
    )
    return redirect(url_for("imports.show", batch_id=batch_id))
