"""Award pages: per-contest awards with explanations, payer totals, Excel, history, what-if."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from compapp import labels
from compapp.auth.access import admin_required, organiser_required
from compapp.contests.forms import ConfirmForm
from compapp.contests.models import Contest
from compapp.contests.views import get_contest, get_entry
from compapp.core.money import from_fen
from compapp.downloads import XLSX, download
from compapp.extensions import db
from compapp.jobs import services as jobs
from compapp.rewards import services
from compapp.rewards.exports import awards_workbook

bp = Blueprint("rewards", __name__)


@bp.before_request
@organiser_required
def organisers_only():
    return None


def contest_status(contest: Contest) -> str:
    """Whether the contest's amounts are provisional (some result awaits confirmation)."""
    placements = [e.placement for ev in contest.events for e in ev.entries if e.placement]
    if any(p.status != "confirmed" for p in placements):
        return _("部分成绩待复核：相关金额为暂定数")
    return _("成绩均已复核确认；预算以各承担单位财务确认为准")


@bp.route("/contests/<int:contest_id>/awards")
def contest_awards(contest_id: int):
    contest = get_contest(contest_id)
    events = services.contest_awards(contest)
    totals = services.payer_totals(contest)
    return render_template(
        "rewards/contest.html",
        contest=contest,
        events=events,
        totals=totals,
        grand_total=services.grand_total(totals),
        form=ConfirmForm(),
        status_text=contest_status(contest),
    )


@bp.route("/contests/<int:contest_id>/awards/payers/<code>")
def payer_lines(contest_id: int, code: str):
    contest = get_contest(contest_id)
    lines = services.payer_lines(contest, code)
    if not lines:
        abort(404)
    return render_template(
        "rewards/payer.html",
        contest=contest,
        lines=lines,
        payer=lines[0].payer,
        total=from_fen(sum(line.amount_fen for line in lines)),
        notices=services.line_notices(lines),
    )


@bp.route("/contests/<int:contest_id>/awards/recompute", methods=["POST"])
@organiser_required
def recompute(contest_id: int):
    contest = get_contest(contest_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        job, new = services.start_contest_recompute(contest, current_user)
    except jobs.JobRefused as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("rewards.contest_awards", contest_id=contest.id))
    db.session.commit()
    if new:
        jobs.dispatch(job)
    return redirect(url_for("rewards.recompute_job", contest_id=contest.id, job_id=job.id))


@bp.route("/contests/<int:contest_id>/awards/recompute/<job_id>")
@organiser_required
def recompute_job(contest_id: int, job_id: str):
    contest = get_contest(contest_id)
    job = jobs.get_job(job_id, "contest_recompute")
    if job is None or job.contest_id != contest.id:
        abort(404)
    if request.args.get("format") == "json":
        return jobs.status_of(job)
    if job.state == "done":
        changed = jobs.status_of(job)["result"]["changed"]
        flash(_("已重新计算：%(n)s 个参赛组的奖励有变化。", n=changed), "success")
        return redirect(url_for("rewards.contest_awards", contest_id=contest.id))
    return render_template("rewards/recompute.html", contest=contest, job=job)


def line_rows(events) -> list[list]:
    rows = []
    for event, entries in events:
        for awards in entries:
            entry = awards.entry
            result = labels.placement(entry.placement)
            team = "、".join(c.coach.name for c in entry.coaches)
            payees = [
                (
                    _("选手"),
                    member.competitor.name,
                    awards.competitor_lines.get(member.competitor_id, []),
                )
                for member in entry.members
            ]
            payees.append((_("教练团队"), team, awards.team_lines))
            for payee, name, lines in payees:
                for line in lines:
                    rows.append(
                        [
                            event.occupation,
                            payee,
                            name,
                            entry.sending_county.label,
                            result,
                            labels.payer_level(line.payer_level),
                            line.payer.name,
                            line.amount,
                            line.policy_id,
                            line.clause,
                            line.explanation,
                            labels.line_status(line.status()),
                        ]
                    )
    return rows


@bp.route("/contests/<int:contest_id>/awards.xlsx")
def contest_awards_xlsx(contest_id: int):
    contest = get_contest(contest_id)
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
    events = services.contest_awards(contest)
    shown = (
        line
        for _event, entries in events
        for awards in entries
        for lines in (*awards.competitor_lines.values(), awards.team_lines)
        for line in lines
    )
    data = awards_workbook(
        contest.name,
        contest_status(contest),
        line_rows(events),
        total_rows,
        services.grand_total(totals),
        services.line_notices(shown),
    )
    return download(data, f"{contest.name}_奖励明细.xlsx", XLSX)


@bp.route("/entries/<int:entry_id>/awards/history")
def entry_history(entry_id: int):
    entry = get_entry(entry_id)
    return render_template(
        "rewards/history.html", entry=entry, computations=services.history(entry)
    )


@bp.route("/policies/what-if", methods=["GET", "POST"])
@admin_required
def what_if():
    from compapp.policy.loader import PolicyFileError, load_policy_text

    contests = db.session.scalars(db.select(Contest).order_by(Contest.award_on.desc())).all()
    rows, error, draft_name = None, None, None
    chosen = request.form.getlist("contest_ids", type=int)
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
        chosen=chosen,
        form=ConfirmForm(),
    )
