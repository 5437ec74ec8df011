"""Promotion pages: eligibility per contest, decisions, titles, public notices, grade history."""

from __future__ import annotations

from datetime import date

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from compapp import labels
from compapp.auth.access import admin_required, organiser_required
from compapp.binding import refusal_message, seen_from_form, seen_token
from compapp.certificates.fonts import FontMissing, GlyphMissing
from compapp.contests.access import in_scope, scoped
from compapp.contests.models import Competitor, Contest
from compapp.core.seen import AlreadyDone, Changed
from compapp.downloads import PDF, XLSX, download
from compapp.extensions import db
from compapp.formtools import ConfirmForm
from compapp.i18n import refusal_text
from compapp.paging import page_of, page_of_list
from compapp.promotion import calendar as working_days
from compapp.promotion import notices, queries, services
from compapp.promotion.exports import notice_pdf, notice_workbook
from compapp.promotion.forms import (
    CalendarDecisionForm,
    CalendarYearForm,
    DecisionForm,
    NoticeForm,
    ObjectionForm,
    ResolutionForm,
    TitleForm,
)
from compapp.promotion.models import CalendarYear, NoticeObjection, PromotionCase, PublicNotice

bp = Blueprint("promotion", __name__)


def today() -> date:
    """Return today's date where the offices are (the app's time zone, Asia/Shanghai)."""
    return notices.office_today()


def get_or_404(model, ident: int):
    """Return the row, or 404 when it is missing or belongs to another organiser's contest."""
    row = db.session.get(model, ident) or abort(404)
    contest = row if isinstance(row, Contest) else getattr(row, "contest", None)
    if contest is not None and not in_scope(contest):
        abort(404)
    return row


@bp.app_context_processor
def calendar_warning_helper():
    """Administrators see, on every page, when the working-day calendar is about to run out."""

    def calendar_warning():
        if not (current_user.is_authenticated and current_user.is_admin):
            return None
        warning = working_days.calendar_warning(today())
        return warning.message() if warning else None

    return {"calendar_warning": calendar_warning}


@bp.context_processor
def promotion_helpers():
    return {
        "status_name": services.status_name,
        "title_status_name": services.title_status_name,
        "placing_text": services.placing_text,
        "stage_name": services.stage_name,
        "objection_status_name": services.objection_status_name,
    }


@bp.route("/promotion/")
@organiser_required
def index():
    return render_template(
        "promotion/index.html",
        summaries=queries.promotion_contests(scope=scoped),
        categories=services.promotion_categories(),
    )


def contest_page(contest: Contest, notice_form: NoticeForm | None = None, status: int = 200):
    eligible = page_of(queries.contest_cases_query(contest, True))
    left_out = page_of(queries.contest_cases_query(contest, False), arg="out_page")
    if notice_form is None:
        notice_form = NoticeForm()
        notice_form.published_on.data = today()
        notice_form.working_days.data = notices.notice_working_days()
        notice_form.issuer.data = notices.default_issuer(contest)
        notice_form.contact.data = _(
            "如有异议，请于公示期内向%(issuer)s反映。联系电话：",
            issuer=notice_form.issuer.data,
        )
    published = db.session.scalars(
        db.select(PublicNotice).filter_by(contest_id=contest.id).order_by(PublicNotice.id)
    ).all()
    awaiting = queries.awaiting_notice(contest)
    return render_template(
        "promotion/contest.html",
        contest=contest,
        eligible=eligible,
        left_out=left_out,
        notices=published,
        notice_sizes=queries.notice_sizes(contest),
        evaluated_at=queries.last_evaluated(contest),
        awaiting=awaiting,
        decision_form=DecisionForm(),
        title_form=TitleForm(),
        seen={
            c.id: seen_token("promotion_case", c.id, services.case_view(c))
            for c in [*eligible.items, *left_out.items]
        },
        notice_form=notice_form,
        confirm_form=ConfirmForm(),
        today=today(),
        refused=session.pop("refused_case", None),
    ), status


@bp.route("/promotion/contests/<int:contest_id>")
@organiser_required
def contest(contest_id: int):
    return contest_page(get_or_404(Contest, contest_id))


@bp.route("/promotion/contests/<int:contest_id>/evaluate", methods=["POST"])
@organiser_required
def evaluate(contest_id: int):
    contest = get_or_404(Contest, contest_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    summary = services.evaluate_contest_promotions(contest, user=current_user)
    db.session.commit()
    flash(
        _(
            "已评估：新增 %(created)s 条，更新 %(updated)s 条，无变化 %(unchanged)s 条，"
            "已处理而保留 %(kept)s 条。",
            created=summary.created,
            updated=summary.updated,
            unchanged=summary.unchanged,
            kept=summary.kept_decided,
        ),
        "success",
    )
    for case in summary.changed_after_decision:
        flash(
            _(
                "%(name)s 的名次或参赛组在处理后发生了变化，原处理结果（%(status)s）保留，请核实。",
                name=case.competitor.name,
                status=services.status_name(case.status),
            ),
            "error",
        )
    return redirect(url_for("promotion.contest", contest_id=contest.id))


def back_to(case: PromotionCase, anchor: str = ""):
    """Back to the case's row, on the page of the list the decision was taken on."""
    page = request.form.get("page", type=int)
    args = {"page": page} if page and page > 1 else {}
    return redirect(
        url_for("promotion.contest", contest_id=case.contest_id, **args)
        + f"#{anchor or f'case-{case.id}'}"
    )


def refused(case: PromotionCase, field: str, message: str):
    """A refused decision: the message shows beside the case's row (where the person is on a
    long list), its note box marked invalid and focused, and in the messages at the top."""
    flash(message, "error")
    session["refused_case"] = {"case": case.id, "field": field, "message": message}
    return back_to(case, f"case-{case.id}-error")


def record_decision(case: PromotionCase, form, reject, accept, field: str = "note"):
    """Validate a decision form, apply ``reject`` or ``accept`` (each returns the flash text)."""
    if not form.validate_on_submit():
        errors = [str(e) for found in form.errors.values() for e in found]
        return refused(case, field, " ".join(errors))
    try:
        message = (reject if form.reject.data else accept)(form.note.data)
    except services.PromotionRefused as exc:
        db.session.rollback()
        return refused(case, field, refusal_text(exc))
    except (Changed, AlreadyDone) as exc:
        db.session.rollback()
        return refused(case, field, refusal_message(exc))
    db.session.commit()
    flash(message, "success")
    return back_to(case)


@bp.route("/promotion/cases/<int:case_id>/decision", methods=["POST"])
@organiser_required
def decide(case_id: int):
    case = get_or_404(PromotionCase, case_id)
    name = case.competitor.name

    def reject(note):
        services.reject_case(case, current_user, note, seen_from_form("promotion_case", case.id))
        return _("已记录不予晋升：%(name)s。", name=name)

    def accept(note):
        services.confirm_case(case, current_user, note, seen_from_form("promotion_case", case.id))
        return _("已确认晋升：%(name)s。", name=name)

    return record_decision(case, DecisionForm(), reject, accept)


@bp.route("/promotion/cases/<int:case_id>/title", methods=["POST"])
@admin_required
def decide_title(case_id: int):
    case = get_or_404(PromotionCase, case_id)
    name = case.competitor.name

    def reject(note):
        services.reject_title(case, current_user, note, seen_from_form("promotion_case", case.id))
        return _("已记录不予核准称号：%(name)s。", name=name)

    def accept(note):
        services.approve_title(case, current_user, note, seen_from_form("promotion_case", case.id))
        return _("已核准“%(title)s”称号：%(name)s。", title=case.title, name=name)

    return record_decision(case, TitleForm(), reject, accept, field="title-note")


@bp.route("/promotion/contests/<int:contest_id>/notices", methods=["POST"])
@organiser_required
def publish(contest_id: int):
    contest = get_or_404(Contest, contest_id)
    form = NoticeForm()
    if not form.validate_on_submit():
        return contest_page(contest, form, 422)
    try:
        notice = notices.publish_notice(
            contest,
            form.published_on.data,
            current_user,
            working_days=form.working_days.data,
            issuer=form.issuer.data,
            contact=form.contact.data,
            today=today(),
        )
    except services.PromotionRefused as exc:
        db.session.rollback()
        form.published_on.errors.append(refusal_text(exc))
        return contest_page(contest, form, 422)
    db.session.commit()
    flash(
        _(
            "已发布公示：%(n)s 人，公示期至 %(end)s。",
            n=len(notice.cases),
            end=notice.ends_on.isoformat(),
        ),
        "success",
    )
    return redirect(url_for("promotion.notice", notice_id=notice.id))


NOTICE_PAGE = 100  # names per page of a notice


@bp.route("/promotion/notices/<int:notice_id>")
@organiser_required
def notice(notice_id: int):
    """The notice as published, its names a page of 100 at a time (a province's notice lists
    thousands), every objection lodged against it."""
    notice = get_or_404(PublicNotice, notice_id)
    content = notices.notice_published_content(notice)
    page, _window = page_of_list(content["rows"], per_page=NOTICE_PAGE)
    lodged = notices.notice_objections(notice)
    objections: dict[int, list] = {}
    for objection in lodged:
        objections.setdefault(objection.case_id, []).append(objection)
    return render_template(
        "promotion/notice.html",
        notice=notice,
        doc={"policy_document": content["policy_document"], "policy_id": content["policy_id"]},
        page=page,
        rows=notices.notice_rows(notice, content, rows=page.items),
        objections=objections,
        lodged=lodged,
        awaiting=notices.notice_awaits_decision(notice),
        form=ConfirmForm(),
        objection_form=ObjectionForm(),
        resolution_form=ResolutionForm(),
        today=today(),
    )


def back_to_notice(case: PromotionCase, anchor: str = ""):
    target = url_for("promotion.notice", notice_id=case.notice_id) if case.notice_id else None
    return redirect((target or url_for("promotion.contest", contest_id=case.contest_id)) + anchor)


@bp.route("/promotion/cases/<int:case_id>/objections", methods=["POST"])
@organiser_required
def lodge_objection(case_id: int):
    case = get_or_404(PromotionCase, case_id)
    form = ObjectionForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for error in errors:
                flash(_("异议没有登记：%(why)s", why=error), "error")
        return back_to_notice(case, f"#case-{case.id}")
    try:
        notices.lodge_objection(
            case,
            current_user,
            form.objector.data,
            form.content.data,
            contact=form.objector_contact.data,
            today=today(),
        )
    except services.PromotionRefused as exc:
        db.session.rollback()
        flash(refusal_text(exc), "error")
        return back_to_notice(case, f"#case-{case.id}")
    db.session.commit()
    flash(
        _(
            "已登记对 %(name)s 的异议；异议处理完毕前，该晋升不能确认生效。",
            name=case.competitor.name,
        ),
        "success",
    )
    return back_to_notice(case, "#objections")


@bp.route("/promotion/objections/<int:objection_id>/resolution", methods=["POST"])
@organiser_required
def resolve_objection(objection_id: int):
    objection = db.session.get(NoticeObjection, objection_id) or abort(404)
    case = get_or_404(PromotionCase, objection.case_id)
    form = ResolutionForm()
    if not form.validate_on_submit():
        flash(
            _("请写明调查结论：异议成立时写明撤销晋升的理由，不成立时写明不予采纳的理由。"),
            "error",
        )
        return back_to_notice(case, f"#objection-{objection.id}")
    upheld = bool(form.uphold.data)
    try:
        notices.resolve_objection(objection, current_user, upheld, form.note.data)
    except services.PromotionRefused as exc:
        db.session.rollback()
        flash(refusal_text(exc), "error")
        return back_to_notice(case, f"#objection-{objection.id}")
    db.session.commit()
    if upheld:
        message = _("异议成立：%(name)s 的晋升已撤销。", name=case.competitor.name)
    else:
        message = _("异议不成立，已记录理由：%(name)s。", name=case.competitor.name)
    flash(message, "success")
    return back_to_notice(case, f"#objection-{objection.id}")


@bp.route("/promotion/notices/<int:notice_id>.pdf")
@organiser_required
def notice_pdf_download(notice_id: int):
    notice = get_or_404(PublicNotice, notice_id)
    try:
        data = notice_pdf(notices.notice_document(notice))
    except (GlyphMissing, FontMissing) as exc:
        flash(str(exc), "error")
        return redirect(url_for("promotion.notice", notice_id=notice.id))
    return download(data, f"{notice.contest.name}_晋升公示.pdf", PDF)


@bp.route("/promotion/notices/<int:notice_id>.xlsx")
@organiser_required
def notice_xlsx_download(notice_id: int):
    notice = get_or_404(PublicNotice, notice_id)
    return download(
        notice_workbook(notices.notice_document(notice)),
        f"{notice.contest.name}_晋升公示.xlsx",
        XLSX,
    )


@bp.route("/promotion/cases/<int:case_id>/finalize", methods=["POST"])
@organiser_required
def finalize(case_id: int):
    case = get_or_404(PromotionCase, case_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        change = notices.finalize_case(case, today(), current_user)
    except services.PromotionRefused as exc:
        db.session.rollback()
        flash(refusal_text(exc), "error")
    else:
        db.session.commit()
        flash(
            _(
                "晋升已生效：%(name)s 现为%(grade)s。",
                name=case.competitor.name,
                grade=labels.grade(change.to_grade),
            ),
            "success",
        )
    target = url_for("promotion.notice", notice_id=case.notice_id) if case.notice_id else None
    return redirect(target or url_for("promotion.contest", contest_id=case.contest_id))


@bp.route("/promotion/notices/<int:notice_id>/finalize", methods=["POST"])
@organiser_required
def finalize_notice(notice_id: int):
    notice = get_or_404(PublicNotice, notice_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    on = today()
    done, refused = 0, []
    for case in [c for c in notice.cases if c.status in ("noticed", "objected")]:
        try:
            notices.finalize_case(case, on, current_user)
        except services.PromotionRefused as exc:
            refused.append(f"{case.competitor.name}：{refusal_text(exc)}")
        else:
            done += 1
    db.session.commit()
    if done:
        flash(_("已确认 %(n)s 人的晋升为最终结果。", n=done), "success")
    for message in refused:
        flash(message, "error")
    return redirect(url_for("promotion.notice", notice_id=notice.id))


def own_body_id() -> int | None:
    """The organising body whose records the signed-in organiser sees (None: all of them)."""
    return None if current_user.is_admin else current_user.organising_body_id


@bp.route("/promotion/competitors/<int:competitor_id>")
@organiser_required
def competitor(competitor_id: int):
    person = get_or_404(Competitor, competitor_id)
    cases = db.session.scalars(
        db.select(PromotionCase)
        .filter_by(competitor_id=person.id)
        .order_by(PromotionCase.id.desc())
    ).all()
    # An organiser sees the people of their own contests only.
    cases = [c for c in cases if in_scope(c.contest)]
    if not cases and current_user.role != "admin":
        abort(404)
    return render_template(
        "promotion/competitor.html",
        person=person,
        history=queries.grade_history(person, body_id=own_body_id()),
        cases=cases,
        own_records_only=own_body_id() is not None,
    )


# ---------------------------------------------------------------------------- calendar


def calendar_page(form: CalendarYearForm | None = None, status: int = 200):
    shipped = working_days.shipped_calendar()
    return render_template(
        "promotion/calendar.html",
        shipped=[
            (
                year,
                shipped.sources[year],
                sum(1 for d in shipped.holidays if d.year == year),
                sum(1 for d in shipped.extra_workdays if d.year == year),
            )
            for year in sorted(shipped.years, reverse=True)
        ],
        rows=working_days.calendar_rows(),
        until=working_days.covered_until(notices.holiday_calendar(), today()),
        form=form or CalendarYearForm(),
        decision_form=CalendarDecisionForm(),
        status_name=working_days.status_name,
    ), status


@bp.route("/promotion/calendar", methods=["GET", "POST"])
@admin_required
def calendar():
    form = CalendarYearForm()
    if request.method == "GET":
        if form.year.data is None:
            until = working_days.covered_until(notices.holiday_calendar(), today())
            form.year.data = (until.year + 1) if until else today().year
        return calendar_page(form)
    if not form.validate_on_submit():
        return calendar_page(form, 422)
    year = form.year.data
    holidays, problems = working_days.parse_dates(form.holidays.data, year, _("放假日期"))
    workdays, more = working_days.parse_dates(form.workdays.data or "", year, _("调休上班日期"))
    if problems or more:
        form.holidays.errors.extend(problems + more)
        return calendar_page(form, 422)
    try:
        working_days.propose_year(year, holidays, workdays, form.source.data, current_user)
    except working_days.CalendarRefused as exc:
        db.session.rollback()
        form.holidays.errors.append(refusal_text(exc))
        return calendar_page(form, 422)
    db.session.commit()
    flash(
        _(
            "已录入 %(year)s 年工作日历；请另一名管理员对照通知原文核对并确认，确认后生效。",
            year=year,
        ),
        "success",
    )
    return redirect(url_for("promotion.calendar"))


@bp.route("/promotion/calendar/<int:row_id>/decision", methods=["POST"])
@admin_required
def decide_calendar(row_id: int):
    row = db.session.get(CalendarYear, row_id) or abort(404)
    form = CalendarDecisionForm()
    if not form.validate_on_submit():
        abort(400)
    confirm = not form.reject.data
    try:
        working_days.decide_year(row, current_user, confirm, form.note.data)
    except working_days.CalendarRefused as exc:
        db.session.rollback()
        flash(refusal_text(exc), "error")
        return redirect(url_for("promotion.calendar"))
    db.session.commit()
    if confirm:
        flash(_("%(year)s 年工作日历已确认生效。", year=row.year), "success")
    else:
        flash(_("已退回 %(year)s 年工作日历。", year=row.year), "info")
    return redirect(url_for("promotion.calendar"))
