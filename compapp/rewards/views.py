"""Award pages: per-contest awards with explanations, payer totals, Excel, history, what-if."""

from __future__ import annotations

from functools import cache

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from compapp import labels
from compapp.auth.access import admin_required, organiser_required
from compapp.citing.services import award_citation
from compapp.contests.access import get_contest, get_entry
from compapp.contests.models import Contest
from compapp.contests.queries import placed_entries_query
from compapp.core.messages import N_
from compapp.core.money import from_fen
from compapp.core.vocab import JobState
from compapp.downloads import XLSX, download_written
from compapp.english import shown
from compapp.extensions import db
from compapp.formtools import ConfirmForm
from compapp.jobs import services as jobs
from compapp.jobs.exports import export_or_job, run_export
from compapp.jobs.pages import start_and_show
from compapp.jobs.services import JobFailed
from compapp.paging import CARDS_PAGE, page_of, search_text
from compapp.policy.loader import PolicyFileError, load_policy_text
from compapp.rewards import queries, services
from compapp.rewards.exports import write_awards_workbook
from compapp.rewards.history import history_steps
from compapp.routing import record_id

bp = Blueprint("rewards", __name__)


@bp.before_request
@organiser_required
def organisers_only():
    return None


def contest_status(summaries: list) -> str:
    """Whether the contest's amounts are provisional (some result awaits confirmation), from
    its ``event_summaries`` (each event counts its results awaiting confirmation)."""
    if any(s.unconfirmed for s in summaries):
        return _("部分成绩待复核：相关金额为暂定数")
    return _("成绩均已复核确认；预算以各承担单位财务确认为准")


@bp.route("/contests/<int:contest_id>/awards")
def contest_awards(contest_id: int):
    """Totals per payer and per event (SQL), then one page of entries with their lines: all
    events, or one (``?event=``), or those with a name containing ``?q=``."""
    contest = get_contest(contest_id)
    sums = services.line_sums(contest)
    summaries = services.event_summaries(contest, sums)
    event_id = request.args.get("event", type=record_id)
    if event_id not in {s.event.id for s in summaries}:
        event_id = None
    search = search_text()
    # The summaries count the placed entries of each event: counted again only for a search.
    counted = (
        None
        if search
        else sum(s.placed for s in summaries if event_id is None or s.event.id == event_id)
    )
    page = page_of(
        placed_entries_query(contest, event_id, search), per_page=CARDS_PAGE, total=counted
    )
    totals = services.payer_totals(contest, sums)
    return render_template(
        "rewards/contest.html",
        contest=contest,
        events=services.entries_awards(page.items),
        page=page,
        summaries=summaries,
        selected={"event": event_id, "q": search},
        totals=totals,
        grand_total=services.grand_total(totals),
        form=ConfirmForm(),
        status_text=contest_status(summaries),
    )


@bp.route("/contests/<int:contest_id>/awards/payers/<code>")
def payer_lines(contest_id: int, code: str):
    """One page of the lines a payer pays for the contest; the total and count from SQL."""
    contest = get_contest(contest_id)
    totals = {t.payer.code: t for t in services.payer_totals(contest)}
    if code not in totals:
        abort(404)
    page = page_of(services.payer_lines_query(contest, code))
    return render_template(
        "rewards/payer.html",
        contest=contest,
        lines=page.items,
        page=page,
        payer=totals[code].payer,
        total=totals[code].total,
        count=totals[code].lines,
        notices=services.contest_notices(contest, code),
    )


@bp.route("/contests/<int:contest_id>/awards/recompute", methods=["POST"])
@organiser_required
def recompute(contest_id: int):
    contest = get_contest(contest_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    return start_and_show(
        lambda: services.start_contest_recompute(contest, current_user),
        url_for("rewards.contest_awards", contest_id=contest.id),
        lambda job: url_for("rewards.recompute_job", contest_id=contest.id, job_id=job.id),
    )


@bp.route("/contests/<int:contest_id>/awards/recompute/<job_id>")
@organiser_required
def recompute_job(contest_id: int, job_id: str):
    contest = get_contest(contest_id)
    job = jobs.get_job(job_id, "contest_recompute")
    if job is None or job.contest_id != contest.id:
        abort(404)
    if request.args.get("format") == "json":
        return jobs.status_of(job)
    if job.state == JobState.DONE:
        changed = jobs.status_of(job)["result"]["changed"]
        flash(_("已重新计算：%(n)s 个参赛组的奖励有变化。", n=changed), "success")
        return redirect(url_for("rewards.contest_awards", contest_id=contest.id))
    return render_template("rewards/recompute.html", contest=contest, job=job)


def line_rows(contest: Contest):
    """The export's rows of the contest's current lines, streamed (compapp.rewards.services
    .contest_line_rows) with the labels of the user's language."""
    teams = services.contest_coach_names(contest)
    competitor, team = _("选手"), _("教练团队")
    # Labels and citations repeat across lines: each distinct one is made once per export.
    placement = cache(lambda rank, medal, prize: labels.placement(
        {"rank": rank, "medal": medal, "prize": prize}
    ))  # fmt: skip
    citation = cache(lambda policy_id, clause: shown(award_citation(policy_id, clause).text))
    explained = cache(shown)  # stored Chinese sentences, in the page's language
    level, status = cache(labels.payer_level), cache(labels.line_status)
    for row in services.contest_line_rows(contest):
        is_competitor = row.payee == "competitor"
        yield [
            row.occupation,
            competitor if is_competitor else team,
            row.competitor_name if is_competitor else teams.get(row.entry_id, ""),
            row.county,
            placement(row.rank, row.medal, row.prize),
            level(row.payer_level),
            row.payer_name,
            from_fen(row.amount_fen),
            citation(row.policy_id, row.clause),
            explained(row.explanation),
            status(row.status),
        ]


def write_awards_file(contest: Contest, out, track=lambda rows: rows) -> int:
    """Write the contest's award workbook to ``out`` (the download and the job alike)."""
    totals = services.payer_totals(contest)
    total_rows = [
        [
            labels.payer_level(t.payer.level),
            t.payer.name,
            from_fen(t.competitor_fen),
            from_fen(t.team_fen),
            t.total,
            t.lines,
        ]
        for t in totals
    ]
    return write_awards_workbook(
        out,
        contest.name,
        contest_status(services.event_summaries(contest)),
        track(line_rows(contest)),
        total_rows,
        services.grand_total(totals),
        [shown(n) for n in services.contest_notices(contest)],
        say=_,
    )


@bp.route("/contests/<int:contest_id>/awards.xlsx", methods=["GET", "POST"])
def contest_awards_xlsx(contest_id: int):
    """Every current line of the contest, written as a stream (memory flat at any size); a
    large contest's file is made by a background job with progress (compapp.jobs.exports)."""
    contest = get_contest(contest_id)
    name = f"{contest.name}_{_('奖励明细')}.xlsx"
    offered = export_or_job(
        "awards_xlsx",
        {"contest_id": contest.id, "mimetype": XLSX},
        sum(t.lines for t in services.payer_totals(contest)),
        name,
        url_for("rewards.contest_awards", contest_id=contest.id),
        contest_id=contest.id,
    )
    if offered is not None:
        return offered
    return download_written(lambda out: write_awards_file(contest, out), name, XLSX)


def awards_xlsx_job(job, progress) -> dict:
    """Job handler (compapp.jobs HANDLERS "awards_xlsx"): the contest's award workbook."""

    def write(params, track, out):
        contest = db.session.get(Contest, params["contest_id"])
        if contest is None:
            raise JobFailed(N_("该赛事已不存在。"))
        write_awards_file(contest, out, track)

    return run_export(job, progress, write)


@bp.route("/entries/<int:entry_id>/awards/history")
def entry_history(entry_id: int):
    entry = get_entry(entry_id)

    return render_template("rewards/history.html", entry=entry, steps=history_steps(entry))


@bp.route("/policies/what-if", methods=["GET", "POST"])
@admin_required
def what_if():

    contests = queries.contests_newest_first()
    rows, error, draft_name, text = None, None, None, ""
    chosen = request.form.getlist("contest_ids", type=record_id)
    if request.method == "POST":
        if not ConfirmForm().validate_on_submit():
            abort(400)
        upload = request.files.get("draft")
        text = request.form.get("draft_text", "")
        name = "draft.toml"
        if upload is not None and upload.filename:
            name = upload.filename
            try:
                text = upload.read().decode("utf-8")
            except UnicodeDecodeError:
                text = request.form.get("draft_text", "")
                error = _("草案文件应为 UTF-8 编码的 TOML 文本。")
        if not error and not text.strip():
            error = _("请上传或粘贴一个政策草案文件（TOML）。")
        if not error:
            try:
                draft = load_policy_text(text, name)
            except PolicyFileError as exc:
                error = _("草案未通过校验：%(problem)s", problem=str(exc))
            else:
                draft_name = draft.id
                policies = services.award_policies()
                draft_set = policies.with_draft(draft)
                selected = [c for c in contests if c.id in chosen] or contests
                rows = []
                for contest in selected:
                    rows.extend(
                        dict(row, contest=contest)
                        for row in services.what_if(contest, policies, draft_set)
                    )
    return render_template(
        "rewards/what_if.html",
        contests=contests,
        rows=rows,
        error=error,
        draft_name=draft_name,
        # The draft stays in the box (an uploaded one too): mend it and try again.
        draft_text=text,
        chosen=chosen,
        form=ConfirmForm(),
    )
