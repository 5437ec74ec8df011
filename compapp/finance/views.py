"""Finance pages: the budget a jurisdiction pays, its confirmation, payments and exports."""

from __future__ import annotations

from dataclasses import replace
from datetime import MAXYEAR, MINYEAR, date
from functools import cache

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from compapp import labels
from compapp.auth.access import require_role
from compapp.auth.models import User
from compapp.binding import refusal_message, seen_from_form, seen_token
from compapp.certificates.services import today_local
from compapp.citing.services import award_citation
from compapp.contests.models import Contest
from compapp.core.dates import format_datetime
from compapp.core.messages import N_
from compapp.core.money import MoneyError, format_yuan, from_fen, to_fen
from compapp.core.seen import AlreadyDone, Changed
from compapp.core.vocab import AwardLineKind, FundingSource
from compapp.dashboards.charts import Chart
from compapp.downloads import PDF, XLSX, download, download_written
from compapp.english import shown
from compapp.extensions import db
from compapp.finance import queries, services
from compapp.finance import reconciliation as recon
from compapp.finance.exports import (
    BudgetRow,
    BudgetSheet,
    write_budget_pdf,
    write_budget_workbook,
)
from compapp.finance.payment_sheet import read_payment_sheet
from compapp.finance.report import annual_report as build
from compapp.finance.report_exports import report_pdf, report_workbook
from compapp.finance.roster import roster_rows, roster_scope, roster_size
from compapp.finance.roster_exports import RosterSheet, write_roster_pdf, write_roster_workbook
from compapp.formtools import ConfirmForm
from compapp.honours.services import confirmed_honours_total_fen
from compapp.i18n import refusal_text
from compapp.jobs.exports import export_or_job, run_export
from compapp.jobs.services import JobFailed
from compapp.paging import page_of, search_text
from compapp.payees.services import record_full_read
from compapp.reference.models import Jurisdiction
from compapp.reference.queries import jurisdictions
from compapp.rewards.models import AwardLineRecord
from compapp.routing import MAX_ID, record_id

bp = Blueprint("finance", __name__, url_prefix="/finance")


@bp.before_request
@require_role("admin", "finance")
def finance_only():
    return None


def payer_code() -> str:
    """The jurisdiction whose budget is shown: the officer's own; an admin may choose."""
    if current_user.role == "finance":
        asked = request.args.get("payer")
        if asked and asked != current_user.jurisdiction_code:
            abort(403)
        return current_user.jurisdiction_code
    code = request.args.get("payer") or "530000"
    if db.session.get(Jurisdiction, code) is None:
        abort(404)
    return code


def payee_text(line: AwardLineRecord) -> str:
    if line.payee == "competitor":
        return f"{_('选手')} {line.competitor.name}"
    names = "、".join(c.coach.name for c in line.entry.coaches)
    return f"{_('教练团队')}（{names}）"


def result_text(line: AwardLineRecord) -> str:
    p = line.entry.placement
    if p is None:
        return _("成绩已删除")
    return labels.placement(p)


@bp.route("/")
def index():
    code = payer_code()
    payers = []
    if current_user.role == "admin":
        payers = jurisdictions()
    return render_template(
        "finance/index.html",
        payer=db.session.get(Jurisdiction, code),
        years=services.payer_overview(code),
        payers=payers,
        statuses=services.STATUSES,
    )


def _contest(contest_id: int) -> Contest:
    return db.session.get(Contest, contest_id) or abort(404)


def budget_page(code: str, contest: Contest | None = None, year: int | None = None):
    """The SQL totals of a payer's contest or year and one page of its lines (``?status=``,
    ``?q=`` payee name); with the figures per status (``services.status_figures``) the page's
    forms bind to."""
    status = request.args.get("status")
    status = status if status in services.STATUSES else None
    search = search_text()
    figures = services.status_figures(code, contest, year)
    totals = services.budget_totals(code, contest, year, figures)
    # The totals count the lines of each status: counted again only for a name search.
    counted = None if search else (totals[1].get(status, 0) if status else sum(totals[1].values()))
    page = page_of(services.budget_lines_query(code, contest, year, status, search), total=counted)
    budget = services.budget_summary(code, page.items, contest, year, totals)
    return budget, page, {"status": status, "q": search}, figures


@bp.route("/contests/<int:contest_id>")
def contest_budget(contest_id: int):
    contest = _contest(contest_id)
    code = payer_code()
    budget, page, selected, figures = budget_page(code, contest)
    if not budget.count:
        abort(404)
    return render_template(
        "finance/budget.html",
        funding_sources=FundingSource.codes(),
        contest=contest,
        year=None,
        budget=budget,
        seen_budget=seen_token(
            "budget", f"{contest.id}:{code}", services.budget_view(code, contest, figures)
        ),
        seen_payment=seen_token(
            "payment", f"{contest.id}:{code}", services.payment_view(code, contest, figures)
        ),
        page=page,
        selected=selected,
        confirmations=services.confirmations(contest, code),
        form=ConfirmForm(),
        statuses=services.STATUSES,
        payee_text=payee_text,
        result_text=result_text,
        today=date.today(),
    )


def _year(year: int) -> int:
    """An award year a budget can cover; any other number is no page (404)."""
    if not MINYEAR < year < MAXYEAR:
        abort(404)
    return year


@bp.route("/years/<int:year>")
def year_budget(year: int):
    year = _year(year)
    code = payer_code()
    budget, page, selected, _figures = budget_page(code, year=year)

    return render_template(
        "finance/budget.html",
        funding_sources=FundingSource.codes(),
        contest=None,
        year=year,
        budget=budget,
        page=page,
        selected=selected,
        honours=confirmed_honours_total_fen(code, year),
        confirmations=[],
        form=ConfirmForm(),
        statuses=services.STATUSES,
        payee_text=payee_text,
        result_text=result_text,
        today=date.today(),
    )


@bp.route("/contests/<int:contest_id>/confirm", methods=["POST"])
@require_role("finance")
def confirm(contest_id: int):
    contest = _contest(contest_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    code = current_user.jurisdiction_code
    try:
        confirmation = services.confirm_budget(
            contest,
            code,
            current_user,
            (request.form.get("note") or "").strip()[:400] or None,
            request.form.get("funding_source") or "budget",
            seen_from_form("budget", f"{contest.id}:{code}"),
        )
    except services.BudgetRefused as exc:
        db.session.rollback()
        flash(refusal_text(exc), "error")
    except (Changed, AlreadyDone) as exc:
        db.session.rollback()
        flash(refusal_message(exc), "error")
    else:
        db.session.commit()
        flash(
            _(
                "已确认 %(n)s 条明细，合计 %(total)s。",
                n=confirmation.line_count,
                total=format_yuan(confirmation.total),
            ),
            "success",
        )
    return redirect(url_for("finance.contest_budget", contest_id=contest.id))


@bp.route("/contests/<int:contest_id>/paid", methods=["POST"])
@require_role("finance")
def mark_paid(contest_id: int):
    contest = _contest(contest_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    ids = request.form.getlist("line_ids", type=record_id)
    reference = request.form.get("payment_reference", "")
    try:
        paid_on = date.fromisoformat(request.form.get("paid_on", ""))
    except ValueError:
        flash(_("请填写有效的支付日期。"), "error")
        return redirect(url_for("finance.contest_budget", contest_id=contest.id))
    if not ids:
        flash(_("请选择要登记支付的明细。"), "error")
        return redirect(url_for("finance.contest_budget", contest_id=contest.id))
    lines = queries.contest_lines(contest.id, ids)
    if len(lines) != len(set(ids)):  # an id that is no line of this contest
        abort(404)
    code = current_user.jurisdiction_code
    try:
        services.mark_paid(
            lines,
            code,
            reference,
            paid_on,
            current_user,
            seen_from_form("payment", f"{contest.id}:{code}"),
            contest,
        )
    except services.BudgetRefused as exc:
        db.session.rollback()
        flash(refusal_text(exc), "error")
    except (Changed, AlreadyDone) as exc:
        db.session.rollback()
        flash(refusal_message(exc), "error")
    else:
        db.session.commit()
        flash(_("已登记 %(n)s 条明细的支付。", n=len(lines)), "success")
    return redirect(url_for("finance.contest_budget", contest_id=contest.id))


def budget_rows(code: str, contest: Contest | None = None, year: int | None = None):
    """The export rows of a payer's lines, streamed, with the labels of the user's language."""
    competitor, team = _("选手"), _("教练团队")
    adjustment, award, deleted = _("调整"), _("奖励"), _("成绩已删除")
    teams = services.budget_teams(code, contest, year)
    # Labels, citations and amounts repeat across lines: each distinct one is made once per
    # export (a 10,000-entry budget has a few hundred).
    placement = cache(lambda rank, medal, prize: labels.placement(
        {"rank": rank, "medal": medal, "prize": prize}
    ))  # fmt: skip
    citation = cache(lambda policy_id, clause: shown(award_citation(policy_id, clause).text))
    status = cache(labels.line_status)
    amount = cache(from_fen)
    for row in services.budget_line_rows(code, contest, year):
        yield BudgetRow(
            row.contest,
            row.occupation,
            f"{competitor} {row.competitor_name}"
            if row.payee == "competitor"
            else f"{team}（{teams.get(row.entry_id, '')}）",
            row.county,
            deleted if row.placement_id is None else placement(row.rank, row.medal, row.prize),
            amount(row.amount_fen),
            adjustment if row.kind == AwardLineKind.ADJUSTMENT else award,
            status(row.status),
            citation(row.policy_id, row.clause),
        )


def budget_sheet(
    code: str, scope: str, contest: Contest | None = None, year: int | None = None
) -> BudgetSheet | None:
    """The export of a payer's contest or year (None when it has no lines): totals, citations
    and notices from SQL, the lines as a stream."""
    by_status, _counts = services.budget_totals(code, contest, year)
    if not by_status:
        return None
    confirmed = [
        _(
            "%(who)s 于 %(when)s 确认 %(n)s 条，合计 %(total)s",
            who=c.confirmed_by.display_name,
            when=format_datetime(c.confirmed_at, str(get_locale())),
            n=c.line_count,
            total=format_yuan(c.total),
        )
        for c in (services.confirmations(contest, code) if contest else [])
    ]
    return BudgetSheet(
        db.session.get(Jurisdiction, code).name,
        scope,
        budget_rows(code, contest, year),
        from_fen(sum(by_status.values())),
        [
            (labels.line_status(s), from_fen(by_status[s]))
            for s in services.STATUSES
            if s in by_status
        ],
        [shown(c) for c in services.budget_citations(code, contest, year)],
        today_local(),
        confirmed,
        [shown(n) for n in services.budget_notices(code, contest, year)],
        say=_,
        language=str(get_locale()),
    )


@bp.route("/contests/<int:contest_id>/budget.<fmt>", methods=["GET", "POST"])
def contest_export(contest_id: int, fmt: str):
    contest = _contest(contest_id)
    code = payer_code()
    return _export(code, contest=contest)


@bp.route("/years/<int:year>/budget.<fmt>", methods=["GET", "POST"])
def year_export(year: int, fmt: str):
    year = _year(year)
    code = payer_code()
    return _export(code, year=year)


def export_stem(code: str, contest: Contest | None = None, year: int | None = None) -> str:
    payer = db.session.get(Jurisdiction, code).name
    return (
        f"{payer}_{contest.name}_{_('奖励预算')}"
        if contest is not None
        else f"{payer}_{_('%(year)s 年度', year=year)}_{_('奖励预算')}"
    )


def export_sheet(code: str, contest: Contest | None = None, year: int | None = None):
    """The export of a payer's contest or year (a year without lines: an empty budget, as
    the year page shows; a contest without: None)."""
    if contest is not None:
        return budget_sheet(code, contest.name, contest=contest)
    scope = _("%(year)s 年度", year=year)
    sheet = budget_sheet(code, scope, year=year)
    if sheet is None:
        payer = db.session.get(Jurisdiction, code).name
        sheet = BudgetSheet(
            payer,
            scope,
            [],
            from_fen(0),
            [],
            [],
            today_local(),
            [],
            [],
            say=_,
            language=str(get_locale()),
        )
    return sheet


def write_export(sheet: BudgetSheet, fmt: str, out) -> None:
    if fmt == "xlsx":
        write_budget_workbook(out, sheet)
    else:
        write_budget_pdf(out, sheet)


def _mimetype(fmt: str) -> str:
    return XLSX if fmt == "xlsx" else PDF


def _offer_job(kind: str, code: str, contest: Contest | None, year: int | None, rows, name, back):
    """export_or_job for a payer's contest or year file (budget or roster, in the format the
    address names): None to write it now, else the offer page or the started job's page."""
    fmt = request.view_args["fmt"]
    return export_or_job(
        kind,
        {
            "payer": code,
            "contest_id": contest.id if contest else None,
            "year": year,
            "fmt": fmt,
            "mimetype": _mimetype(fmt),
        },
        rows,
        name,
        back,
        contest_id=contest.id if contest else None,
        weight=3 if fmt == "pdf" else 1,
    )


def _job_contest(params: dict) -> Contest | None:
    """The contest a budget or roster job writes (None: a year's), gone meanwhile: refused."""
    if params["contest_id"] is None:
        return None
    contest = db.session.get(Contest, params["contest_id"])
    if contest is None:
        raise JobFailed(N_("该赛事已不存在。"))
    return contest


def _export(code: str, contest: Contest | None = None, year: int | None = None) -> Response:
    """budget.xlsx / budget.pdf of a payer's contest or year: sent at once, or for a long
    budget made by a background job with progress (compapp.jobs.exports)."""
    fmt = request.view_args["fmt"]
    if fmt not in ("xlsx", "pdf"):
        abort(404)
    _by_status, counts = services.budget_totals(code, contest, year)
    if contest is not None and not counts:
        abort(404)
    name = f"{export_stem(code, contest, year)}.{fmt}"
    mimetype = _mimetype(fmt)
    payer = {} if current_user.role == "finance" else {"payer": code}
    back = (
        url_for("finance.contest_budget", contest_id=contest.id, **payer)
        if contest is not None
        else url_for("finance.year_budget", year=year, **payer)
    )
    offered = _offer_job("budget_export", code, contest, year, sum(counts.values()), name, back)
    if offered is not None:
        return offered
    sheet = export_sheet(code, contest, year)
    return download_written(lambda out: write_export(sheet, fmt, out), name, mimetype)


def budget_export_job(job, progress) -> dict:
    """Job handler (compapp.jobs HANDLERS "budget_export"): a payer's budget.xlsx or .pdf."""

    def write(params, track, out):
        contest = _job_contest(params)
        sheet = export_sheet(params["payer"], contest, params["year"])
        if sheet is None:
            raise JobFailed(N_("该赛事已不存在。"))
        write_export(replace(sheet, rows=track(sheet.rows)), params["fmt"], out)

    return run_export(job, progress, write)


# --- payment roster (发放花名册) and payment sheets -------------------------------------------


def paying_officer(payer: str) -> None:
    """Full ID and account numbers go to the paying level's finance officer only."""
    if current_user.role != "finance" or current_user.jurisdiction_code != payer:
        abort(403)


def roster_sheet(code: str, contest: Contest | None = None, year: int | None = None):
    """The roster of a payer's contest or year, its rows a stream, in the asker's language."""
    return RosterSheet(
        db.session.get(Jurisdiction, code).name,
        roster_scope(contest, year),
        roster_rows(code, contest, year),
        today_local(),
        several=contest is None,
        say=_,
        language=str(get_locale()),
    )


def write_roster(sheet: RosterSheet, fmt: str, out) -> int:
    if fmt == "xlsx":
        return write_roster_workbook(out, sheet)
    return write_roster_pdf(out, sheet)


def _audit_scope(contest: Contest | None, year: int | None) -> str:
    # The audit log is the office's record, in Chinese whatever the page language.
    return contest.name if contest is not None else f"{year} 年度"


def _roster(code: str, contest: Contest | None = None, year: int | None = None) -> Response:
    """roster.xlsx / roster.pdf of a payer's contest or year: written as the rows stream from
    the database, sent at once, or for a long roster made by a background job with progress
    (compapp.jobs.exports). Each reading of the full numbers is audited."""
    fmt = request.view_args["fmt"]
    if fmt not in ("xlsx", "pdf"):
        abort(404)
    back = (
        url_for("finance.contest_budget", contest_id=contest.id)
        if contest is not None
        else url_for("finance.year_budget", year=year)
    )
    lines, payees = roster_size(code, contest, year)
    if not lines:
        flash(_("还没有已确认的明细：确认预算后才能生成发放花名册。"), "error")
        return redirect(back)
    payer = db.session.get(Jurisdiction, code).name
    name = f"{payer}_{roster_scope(contest, year)}_{_('发放花名册')}.{fmt}"
    mimetype = _mimetype(fmt)
    # The job's progress counts the file's rows: one per payee.
    offered = _offer_job("payment_roster", code, contest, year, payees, name, back)
    if offered is not None:
        return offered
    sheet = roster_sheet(code, contest, year)
    written = {}
    response = download_written(
        lambda out: written.update(payees=write_roster(sheet, fmt, out)), name, mimetype
    )
    record_full_read(current_user, code, _audit_scope(contest, year), written["payees"], fmt)
    db.session.commit()
    return response


def roster_export_job(job, progress) -> dict:
    """Job handler (compapp.jobs HANDLERS "payment_roster"): a payer's roster.xlsx or .pdf,
    its reading of the full numbers audited under the person who asked."""

    def write(params, track, out):
        contest = _job_contest(params)
        sheet = roster_sheet(params["payer"], contest, params["year"])
        payees = write_roster(replace(sheet, rows=track(sheet.rows)), params["fmt"], out)
        user = db.session.get(User, params["user_id"])
        scope = _audit_scope(contest, params["year"])
        record_full_read(user, params["payer"], scope, payees, params["fmt"])

    return run_export(job, progress, write)


@bp.route("/contests/<int:contest_id>/roster.<fmt>", methods=["GET", "POST"])
@require_role("finance")
def contest_roster(contest_id: int, fmt: str):

    contest = _contest(contest_id)
    code = payer_code()
    paying_officer(code)
    return _roster(code, contest=contest)


@bp.route("/years/<int:year>/roster.<fmt>", methods=["GET", "POST"])
@require_role("finance")
def year_roster(year: int, fmt: str):
    year = _year(year)
    code = payer_code()
    paying_officer(code)
    return _roster(code, year=year)


@bp.route("/contests/<int:contest_id>/payment-sheet", methods=["POST"])
@require_role("finance")
def payment_sheet(contest_id: int):
    """Register payments from the roster's Excel with a voucher (and date) filled per row."""

    contest = _contest(contest_id)
    back = redirect(url_for("finance.contest_budget", contest_id=contest.id))
    if not ConfirmForm().validate_on_submit():
        abort(400)
    upload = request.files.get("sheet")
    data = upload.read(MAX_SHEET_BYTES + 1) if upload else b""
    if not data:
        flash(_("请选择填好支付凭证号的发放花名册文件。"), "error")
        return back
    if len(data) > MAX_SHEET_BYTES:
        flash(_("文件太大（超过 5 MB）。"), "error")
        return back
    sheet = read_payment_sheet(data, date.today())
    if sheet.problems:
        for _row, message, params in sheet.problems[:20]:
            flash(_(message, **params), "error")
        return back
    if not sheet.rows:
        flash(_("文件中没有填写支付凭证号的行。"), "error")
        return back
    try:
        count = services.register_sheet_payments(
            contest, current_user.jurisdiction_code, sheet.rows, current_user
        )
    except services.BudgetRefused as exc:
        db.session.rollback()
        flash(refusal_text(exc), "error")
        return back
    db.session.commit()
    flash(_("已按上传的支付表登记 %(n)s 条明细的支付。", n=count), "success")
    return back


MAX_SHEET_BYTES = 5 * 1024 * 1024


# --- reconciliation (对账) -------------------------------------------------------------------


def _period() -> tuple[date, date]:
    """The period asked for (start, end dates), by default the calendar year asked or this one."""
    year = request.args.get("year", type=int) or date.today().year
    try:
        start = date.fromisoformat(request.args.get("start") or f"{year:04d}-01-01")
        end = date.fromisoformat(request.args.get("end") or f"{year:04d}-12-31")
    except ValueError:
        abort(400)
    if end < start:
        start, end = end, start
    return start, end


@bp.route("/reconciliation", methods=["GET", "POST"])
def reconciliation():

    code = payer_code()
    start, end = _period()
    figures = recon.ledger(code, start, end)
    error = None
    if request.method == "POST":
        if current_user.role != "finance" or not ConfirmForm().validate_on_submit():
            abort(403 if current_user.role != "finance" else 400)
        try:
            ledger_paid = to_fen((request.form.get("ledger_paid") or "").strip() or "x")
        except MoneyError:
            error = _("请填写本单位账面已支付金额（元），如 240000.00。")
        else:
            if not -MAX_ID <= ledger_paid <= MAX_ID:  # the column's integer fen
                error = _("金额过大：最多可记录 21,474,836.47 元。")
        if error is None:
            try:
                recon.record_reconciliation(
                    figures, ledger_paid, request.form.get("explanation", ""), current_user
                )
            except recon.ReconciliationRefused as exc:
                db.session.rollback()
                error = refusal_text(exc)
            else:
                db.session.commit()
                flash(_("已记录对账。"), "success")
                return redirect(
                    url_for("finance.reconciliation", start=start.isoformat(), end=end.isoformat())
                )
    return render_template(
        "finance/reconciliation.html",
        payer=db.session.get(Jurisdiction, code),
        figures=figures,
        history=recon.reconciliations(code),
        form=ConfirmForm(),
        error=error,
    ), (422 if error else 200)


# --- annual execution report ----------------------------------------------------------------


@bp.route("/years/<int:year>/report")
def annual_report(year: int):

    report = build(payer_code(), year)
    return render_template(
        "finance/report.html", report=report, year=year, charts=_report_charts(report)
    )


def _report_charts(report) -> dict:
    """Paid and unpaid money by month, category and sending prefecture as bars, keyed by the
    report section each pictures (the PDF and the Excel file draw their own)."""

    series = [("paid", _("已支付")), ("unpaid", _("未支付"))]
    if not report.confirmed_fen:
        return {}
    pictured = {
        N_("按月份"): ("report-by-month", report.by_month),
        N_("按赛事类别"): ("report-by-category", report.by_category),
        N_("按州（市）"): ("report-by-prefecture", report.by_prefecture),
    }
    return {
        title: Chart(
            key,
            _(title),
            series,
            [(r.label, {"paid": r.paid_fen, "unpaid": r.unpaid_fen}) for r in rows],
            unit="fen",
        )
        for title, (key, rows) in pictured.items()
    }


@bp.route("/years/<int:year>/report.<fmt>")
def annual_report_export(year: int, fmt: str):
    from dataclasses import replace

    # In the language of the page that asked, one language inside (labels, months, notes).
    report = replace(build(payer_code(), year), say=_, language=str(get_locale()))
    stem = f"{report.payer}_{_('%(year)s 年度', year=year)}_{_('奖励资金执行情况')}"
    if fmt == "xlsx":
        return download(report_workbook(report), f"{stem}.xlsx", XLSX)
    if fmt == "pdf":
        return download(report_pdf(report), f"{stem}.pdf", PDF)
    abort(404)
