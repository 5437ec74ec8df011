"""Award lists: the public page of a published list, and the organiser's page to publish,
withdraw and export (the internal list with full names)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from compapp.auth.access import organiser_required, public
from compapp.contests.access import get_contest
from compapp.disclosure import services
from compapp.disclosure.exports import award_list_pdf, award_list_workbook
from compapp.downloads import PDF, XLSX, download
from compapp.extensions import db
from compapp.formtools import ConfirmForm
from compapp.i18n import refusal_text
from compapp.paging import page_of_list

AWARD_LIST_PAGE = 50  # rows of an award list shown on one page

bp = Blueprint("disclosure", __name__)

PUBLIC_NOTE = (
    "本名单依据职业技能竞赛奖励资金管理规定公开；姓名已部分隐去，不含身份证号码和银行账户等个人信息。"
    "金额为按政策文件计算的奖励标准，以各级财政实际发放为准。"
)


@bp.route("/awards/")
@public
def public_index():
    return render_template("disclosure/public_index.html", items=services.public_disclosures())


def _live(contest_id: int):
    disclosure = services.live_disclosure(contest_id)
    if disclosure is None:
        abort(404)
    return disclosure


@bp.route("/awards/<int:contest_id>")
@public
def public_page(contest_id: int):
    disclosure = _live(contest_id)
    rows_page, _window = page_of_list(disclosure.content["rows"], AWARD_LIST_PAGE)
    return render_template(
        "disclosure/public.html", d=disclosure, c=disclosure.content, rows_page=rows_page
    )


@bp.route("/awards/<int:contest_id>.pdf")
@public
def public_pdf(contest_id: int):
    disclosure = _live(contest_id)
    content = disclosure.content
    data = award_list_pdf(content, f"{content['contest']} 获奖名单（公示）", PUBLIC_NOTE)
    return download(data, f"{content['contest']}_获奖名单.pdf", PDF, inline=True)


@bp.route("/contests/<int:contest_id>/award-list")
@organiser_required
def manage(contest_id: int):
    contest = get_contest(contest_id)
    # A page of rows read in SQL; the count and the totals are the whole list's.
    asked = request.args.get("page", 1, type=int)
    preview, rows_page = services.preview_page(contest, asked, AWARD_LIST_PAGE)
    return render_template(
        "disclosure/manage.html",
        contest=contest,
        live=services.live_disclosure(contest.id),
        history=services.disclosure_history(contest.id),
        preview=preview,
        rows_page=rows_page,
        form=ConfirmForm(),
    )


@bp.route("/contests/<int:contest_id>/award-list/publish", methods=["POST"])
@organiser_required
def publish(contest_id: int):
    contest = get_contest(contest_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        services.publish(contest, current_user)
    except services.DisclosureRefused as exc:
        db.session.rollback()
        flash(refusal_text(exc), "error")
    else:
        db.session.commit()
        flash(_("已公开获奖名单。"), "success")
    return redirect(url_for("disclosure.manage", contest_id=contest.id))


@bp.route("/contests/<int:contest_id>/award-list/withdraw", methods=["POST"])
@organiser_required
def withdraw(contest_id: int):
    contest = get_contest(contest_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        services.withdraw(contest, current_user, (request.form.get("reason") or "")[:400])
    except services.DisclosureRefused as exc:
        db.session.rollback()
        flash(refusal_text(exc), "error")
    else:
        db.session.commit()
        flash(_("已撤回公开的获奖名单。"), "success")
    return redirect(url_for("disclosure.manage", contest_id=contest.id))


@bp.route("/contests/<int:contest_id>/award-list.<fmt>")
@organiser_required
def internal_export(contest_id: int, fmt: str):
    """The internal 获奖名单 with full names (no ID or bank data), for the office's files."""
    contest = get_contest(contest_id)
    content = services.internal_content(contest)
    title = _("%(contest)s 获奖名单（内部使用）", contest=contest.name)
    name = f"{contest.name}_{_('获奖名单')}"
    if fmt == "xlsx":
        return download(award_list_workbook(content, title, say=_), f"{name}.xlsx", XLSX)
    if fmt == "pdf":
        note = _("内部使用：含完整姓名，请勿对外公开。公开版本请使用“公开获奖名单”。")
        return download(
            award_list_pdf(content, title, note, say=_, language=str(get_locale())),
            f"{name}.pdf",
            PDF,
        )
    abort(404)
