"""Organiser pages: contests, events, entries and results."""

from __future__ import annotations

from collections.abc import Callable
from datetime import MAXYEAR, MINYEAR

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from compapp import labels
from compapp.audit.services import record_change, says, snapshot
from compapp.auth.access import organiser_required
from compapp.binding import change_text, refusal_message, seen_from_form, seen_token
from compapp.contests import queries, rules, services
from compapp.contests.access import get_contest, get_entry, get_event, in_scope, scoped
from compapp.contests.forms import ContestForm, EntryForm, EventForm
from compapp.contests.models import (
    Contest,
    Entry,
    Event,
    Placement,
)
from compapp.core.messages import N_
from compapp.core.seen import AlreadyDone, Changed
from compapp.core.vocab import rank_text
from compapp.extensions import db
from compapp.formtools import ConfirmForm, options
from compapp.i18n import refusal_text
from compapp.paging import page_of, search_text
from compapp.policy.categories import CATEGORIES, CATEGORY_TIER, result_key
from compapp.rewards.entries import save_and_price_contest, save_and_price_entry
from compapp.routing import MAX_ID

bp = Blueprint("contests", __name__, url_prefix="/contests")


@bp.before_request
@organiser_required
def organisers_only():
    return None


CONTEST_FIELDS = [
    "name",
    "category",
    "organising_body_id",
    "organiser_code",
    "location",
    "starts_on",
    "ends_on",
    "award_on",
    "notes",
]


def entry_snapshot(entry: Entry) -> dict:
    p = entry.placement
    return {
        "sending_county": entry.sending_county_code,
        "members": [m.competitor.id_number[:6] + "…" + m.competitor.name for m in entry.members],
        "coaches": [
            (c.coach.name, c.coach.masked_id, c.role, c.share_percent) for c in entry.coaches
        ],
        "placement": None
        if p is None
        else {
            "rank": p.rank,
            "is_tie": p.is_tie,
            "medal": p.medal,
            "prize": p.prize,
            "status": p.status,
        },
    }


def show_problems(form, problems) -> None:
    """Put each problem next to its field (or at the top of the form)."""
    for problem in problems:
        target = form
        for part in problem.field.split("-"):
            if part.isdigit():
                target = target[int(part)]
            elif hasattr(target, part) or (hasattr(target, "form") and hasattr(target.form, part)):
                target = getattr(target, part, None) or getattr(target.form, part)
            else:
                target = None
                break
        message = problem.text(_)
        if target is not None and hasattr(target, "errors") and isinstance(target.errors, list):
            target.errors.append(message)
        else:
            form.form_errors.append(message)


@bp.route("/")
def index():
    tier = request.args.get("tier") or None
    category = request.args.get("category") or None
    year = request.args.get("year", type=int)
    categories = None
    if category in CATEGORIES:
        categories = [category]
    if tier in labels.TIER_NAMES:
        in_tier = [c for c, t in CATEGORY_TIER.items() if t == tier]
        categories = [c for c in categories or in_tier if c in in_tier]
    if not (year and MINYEAR < year < MAXYEAR):
        year = None
    return render_template(
        "contests/index.html",
        contests=queries.contest_listing(scoped, categories=categories, year=year),
        years=queries.contest_years(scoped),
        selected={"tier": tier, "category": category, "year": year},
    )


def contest_data(form: ContestForm) -> services.ContestData:
    body = form.organising_body.data
    if current_user.role == "organiser" and current_user.organising_body is not None:
        body = current_user.organising_body.name  # organisers register their own body's contests
    return services.ContestData(
        name=form.name.data,
        category=form.category.data,
        organising_body=body,
        starts_on=form.starts_on.data,
        ends_on=form.ends_on.data,
        award_on=form.award_on.data,
        location=form.location.data,
        notes=form.notes.data,
        organiser=form.organiser.data,
    )


def organiser_choices(form: ContestForm) -> None:
    form.organiser.choices = [(j.code, j.name) for j in services.organisers()]


@bp.route("/new", methods=["GET", "POST"])
def create():
    form = ContestForm()
    organiser_choices(form)
    if request.method == "GET" and current_user.organising_body is not None:
        form.organising_body.data = current_user.organising_body.name
    if request.method == "GET" and getattr(current_user, "jurisdiction", None) is not None:
        # A prefecture bureau's organiser usually registers its own prefecture's contests.
        prefecture = current_user.jurisdiction.prefecture
        if prefecture is not None:
            form.organiser.data = prefecture.code
    if form.validate_on_submit():
        data = contest_data(form)
        problems = services.check_contest(data)
        if not problems:
            contest = save_and_price_contest(data)
            record_change(
                "create_contest",
                "contest",
                contest.id,
                says(N_("登记赛事 %(name)s"), name=contest.name),
                after=snapshot(contest, CONTEST_FIELDS),
            )
            db.session.commit()
            flash(_("已登记赛事“%(name)s”。下一步：添加赛项。", name=contest.name), "success")
            return redirect(url_for("contests.show", contest_id=contest.id))
        show_problems(form, problems)
    return render_template(
        "contests/form.html", form=form, contest=None, bodies=queries.body_names()
    )


@bp.route("/<int:contest_id>/edit", methods=["GET", "POST"])
def edit(contest_id: int):
    contest = get_contest(contest_id)
    form = ContestForm(obj=contest)
    organiser_choices(form)
    if request.method == "GET":
        form.organising_body.data = contest.organising_body.name
        form.organiser.data = contest.organiser_code
    if form.validate_on_submit():
        data = contest_data(form)
        problems = services.check_contest(data, contest)
        if not problems:
            before = snapshot(contest, CONTEST_FIELDS)
            report = services.Reopened()
            try:
                save_and_price_contest(data, contest, current_user, report)
            except services.ContestChangeRefused as exc:
                db.session.rollback()
                form.form_errors.append(
                    _("这项修改会改变奖励金额或晋升资格，但以下情况不允许再改变，修改没有保存：")
                )
                form.form_errors.extend(exc.blocking)
                return render_template(
                    "contests/form.html", form=form, contest=contest, bodies=queries.body_names()
                ), 409
            record_change(
                "update_contest",
                "contest",
                contest.id,
                says(N_("修改赛事 %(name)s"), name=contest.name),
                before=before,
                after=snapshot(contest, CONTEST_FIELDS),
            )
            db.session.commit()
            flash(_("已保存修改。"), "success")
            if report.placements:
                flash(
                    _(
                        "修改了影响奖励或晋升的信息（%(changes)s）：%(n)s 项已确认的成绩已撤回确认，"
                        "须由另一人重新复核；奖励已按新信息重新计算。",
                        changes="；".join(change_text(c) for c in report.changes),
                        n=report.placements,
                    ),
                    "info",
                )
            if report.certificates:
                flash(
                    _(
                        "%(n)s 份证书已标记为不再有效、待重新颁发（见“证书”页）。",
                        n=report.certificates,
                    ),
                    "info",
                )
            return redirect(url_for("contests.show", contest_id=contest.id))
        show_problems(form, problems)
    return render_template(
        "contests/form.html", form=form, contest=contest, bodies=queries.body_names()
    )


@bp.route("/<int:contest_id>")
def show(contest_id: int):
    contest = get_contest(contest_id)
    return show_page(contest, event_form(contest))


def event_form(contest: Contest) -> EventForm:
    """The add-event form, offering the result kinds the contest's category awards."""
    form = EventForm()
    kinds = rules.allowed_result_kinds(contest.category)
    form.result_kind.choices = options((k, labels.RESULT_KIND_NAMES[k]) for k in kinds)
    return form


def show_page(contest: Contest, form: EventForm, status: int = 200):
    """The contest page: its details, its events with entry counts, the add-event form."""
    events = queries.events_of(contest.id)
    return render_template(
        "contests/show.html",
        contest=contest,
        events=events,
        counts=queries.event_counts(contest),
        form=form,
    ), status


@bp.route("/<int:contest_id>/events", methods=["POST"])
def add_event(contest_id: int):
    contest = get_contest(contest_id)
    form = event_form(contest)
    if form.validate_on_submit():
        problems = services.check_event(
            contest, form.occupation.data, form.format.data, form.result_kind.data
        )
        if not problems:
            event = services.add_event(
                contest, form.occupation.data, form.format.data, form.result_kind.data
            )
            record_change(
                "add_event",
                "event",
                event.id,
                says(
                    N_("%(contest)s 添加赛项 %(occupation)s"),
                    contest=contest.name,
                    occupation=event.occupation,
                ),
                after={
                    "contest_id": contest.id,
                    "occupation": event.occupation,
                    "format": event.format,
                    "result_kind": event.result_kind,
                },
            )
            db.session.commit()
            flash(_("已添加赛项“%(name)s”。", name=event.occupation), "success")
            return redirect(url_for("contests.event", event_id=event.id))
        show_problems(form, problems)
    return show_page(contest, form, 422)


def confirm_delete(delete: Callable[[], Response], count_dependent: Callable[[], int], **page):
    """Ask before deleting; once confirmed, ``delete`` runs and returns the page to go to.

    The service refuses (``InUse``) while results depend on the record; the page then says
    how many, as it does before the confirmation.
    """
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            return delete()
        except services.InUse as exc:
            blocked = exc.count
    else:
        blocked = count_dependent()
    return render_template("contests/confirm_delete.html", form=form, blocked=blocked, **page)


@bp.route("/<int:contest_id>/delete", methods=["GET", "POST"])
def delete(contest_id: int):
    contest = get_contest(contest_id)

    def delete_contest():
        name, before = contest.name, snapshot(contest, CONTEST_FIELDS)
        services.delete_contest(contest)
        record_change(
            "delete_contest",
            "contest",
            contest_id,
            says(N_("删除赛事 %(name)s"), name=name),
            before=before,
        )
        db.session.commit()
        flash(_("已删除赛事“%(name)s”。", name=name), "success")
        return redirect(url_for("contests.index"))

    return confirm_delete(
        delete_contest,
        lambda: services.results_depending_on(contest=contest),
        what=contest.name,
        kind=_("赛事"),
        cancel=url_for("contests.show", contest_id=contest_id),
        consequences=_(
            "其中的 %(events)s 个赛项及全部参赛组将一并删除。", events=len(contest.events)
        ),
    )


@bp.route("/events/<int:event_id>/delete", methods=["GET", "POST"])
def delete_event(event_id: int):
    event = get_event(event_id)
    contest_id = event.contest_id

    def delete_event():
        before = {"contest_id": contest_id, "occupation": event.occupation, "format": event.format}
        services.delete_event(event)
        record_change(
            "delete_event",
            "event",
            event_id,
            says(N_("删除赛项 %(occupation)s"), occupation=before["occupation"]),
            before=before,
        )
        db.session.commit()
        flash(_("已删除赛项。"), "success")
        return redirect(url_for("contests.show", contest_id=contest_id))

    return confirm_delete(
        delete_event,
        lambda: services.results_depending_on(event=event),
        what=event.occupation,
        kind=_("赛项"),
        cancel=url_for("contests.event", event_id=event_id),
        consequences=_("其中的 %(n)s 个参赛组将一并删除。", n=len(event.entries)),
    )


def prepare_entry_form(form: EntryForm, event: Event) -> None:
    # All 129 counties, grouped by prefecture; static/select-filter.js adds a search box.
    county_choices = [
        SelectChoice(j.code, j.label, optgroup=j.parent.name if j.parent else None)
        for j in services.counties()
    ]
    form.sending_county.choices = [SelectChoice("", _("— 请选择 —")), *county_choices]
    for sub in form.members:
        sub.form.home_county.choices = [SelectChoice("", "—"), *county_choices]
    form.result.choices = options(
        [("", _("无（仅名次）"))]
        + [
            (code, labels.result(*rules.parse_result(code)))
            for code in rules.result_choices(event.contest.category, event.result_kind)
        ]
    )


def entry_data(form: EntryForm, event: Event) -> services.EntryData:
    members = [
        services.MemberData(
            id_number=(sub.form.id_number.data or "").strip().upper(),
            name=(sub.form.name.data or "").strip(),
            employer=sub.form.employer.data,
            is_employee=sub.form.is_employee.data,
            grade=sub.form.grade.data,
            home_county=sub.form.home_county.data or None,
        )
        for sub in list(form.members)[: event.team_size]
    ]
    coaches = [
        services.CoachData(
            name=(sub.form.name.data or "").strip(),
            role=sub.form.role.data,
            share_percent=sub.form.share_percent.data,
            id_number=(sub.form.id_number.data or "").strip().upper(),
        )
        for sub in form.coaches
    ]
    return services.EntryData(
        sending_county=form.sending_county.data,
        members=members,
        coaches=coaches,
        rank=form.rank.data,
        is_tie=form.is_tie.data,
        result=form.result.data or None,
    )


def fill_entry_form(form: EntryForm, entry: Entry) -> None:
    form.sending_county.data = entry.sending_county_code
    for sub, member in zip(form.members, entry.members, strict=False):
        person = member.competitor
        sub.form.id_number.data, sub.form.name.data = person.id_number, person.name
        sub.form.employer.data, sub.form.is_employee.data = person.employer, person.is_employee
        sub.form.grade.data, sub.form.home_county.data = person.grade_code, person.home_county_code
    for sub, coach in zip(form.coaches, entry.coaches, strict=False):
        sub.form.name.data, sub.form.role.data = coach.coach.name, coach.role
        sub.form.id_number.data = coach.coach.id_number or ""
        sub.form.share_percent.data = coach.share_percent
    if entry.placement is not None:
        p = entry.placement
        form.rank.data, form.is_tie.data = p.rank, p.is_tie
        form.result.data = result_key(p.medal, p.prize) or ""


def order_question(event: Event, data, entry: Entry | None) -> list:
    """Ask before saving a result whose order contradicts another entry's (rank 3 gold above a
    rank 2 silver); the person confirms with “名次与奖项已核对”."""
    others = [
        (e.placement.rank, result_key(e.placement.medal, e.placement.prize))
        for e in event.entries
        if e.placement is not None and (entry is None or e.id != entry.id)
    ]
    return rules.check_result_order(data.rank, data.result, others)


def seen_version(text: object) -> int:
    """The event version a form was filled against. One no event has (not a number, or
    beyond the database's integers) reads as -1, so the save is refused as changed meanwhile
    rather than overflowing the comparison."""
    try:
        value = int(str(text))
    except ValueError:
        return -1
    return value if 0 <= value <= MAX_ID else -1


def handle_entry_form(event: Event, entry: Entry | None):
    form = EntryForm()
    prepare_entry_form(form, event)
    if request.method == "GET":
        form.version.data = str(event.version)
        if entry is not None:
            fill_entry_form(form, entry)
    stale = None
    if form.validate_on_submit():
        data = entry_data(form, event)
        problems = services.check_entry(event, data, entry, see_all=current_user.is_admin)
        if not problems and not form.order_checked.data:
            problems = order_question(event, data, entry)
        if not problems:
            before = entry_snapshot(entry) if entry is not None else None
            try:
                saved = save_and_price_entry(
                    event, data, current_user.id, seen_version(form.version.data or 0), entry
                )
            except services.ConfirmRefused as exc:
                db.session.rollback()
                event = queries.event_with_entries(event.id)
                stale = True
                form.form_errors.append(refusal_text(exc))
            except services.StaleEvent as exc:
                event = queries.event_with_entries(exc.event.id)
                stale = True
                form.version.data = str(event.version)
                form.form_errors.append(
                    _(
                        "在您编辑期间，其他人修改了本赛项的成绩，您的修改没有保存。"
                        "请查看下方最新的成绩，确认后重新提交。"
                    )
                )
            else:
                record_change(
                    "update_entry" if before else "create_entry",
                    "entry",
                    saved.id,
                    says(
                        N_("%(contest)s · %(occupation)s：保存参赛组 %(names)s"),
                        contest=event.contest.name,
                        occupation=event.occupation,
                        names="、".join(c.name for c in saved.competitors),
                    ),
                    before=before,
                    after=entry_snapshot(saved),
                )
                db.session.commit()
                flash(
                    _(
                        "已保存参赛组（%(names)s）。",
                        names="、".join(c.name for c in saved.competitors),
                    ),
                    "success",
                )
                return redirect(url_for("contests.event", event_id=event.id))
        else:
            show_problems(form, problems)
    status = 409 if stale else (422 if request.method == "POST" else 200)
    return render_template(
        "contests/event.html",
        event=event,
        form=form,
        entry=entry,
        entries=queries.sorted_entries(event),
        stale=stale,
        delete_form=ConfirmForm(),
        seen=placement_tokens(e.placement for e in event.entries if e.placement is not None),
    ), status


@bp.route("/events/<int:event_id>", methods=["GET", "POST"])
def event(event_id: int):
    return handle_entry_form(get_event(event_id), None)


@bp.route("/entries/<int:entry_id>/edit", methods=["GET", "POST"])
def edit_entry(entry_id: int):
    entry = get_entry(entry_id)
    return handle_entry_form(get_event(entry.event_id), entry)


@bp.route("/entries/<int:entry_id>/delete", methods=["GET", "POST"])
def delete_entry(entry_id: int):
    entry = get_entry(entry_id)
    event_id = entry.event_id

    def delete_entry():
        before = entry_snapshot(entry)
        try:
            services.delete_entry(
                entry, seen_version(request.form.get("version") or entry.event.version)
            )
        except services.StaleEvent:
            flash(_("在您操作期间，本赛项的成绩已被他人修改，请重新确认。"), "error")
            return redirect(url_for("contests.event", event_id=event_id))
        record_change("delete_entry", "entry", entry_id, says(N_("删除参赛组")), before=before)
        db.session.commit()
        flash(_("已删除参赛组。"), "success")
        return redirect(url_for("contests.event", event_id=event_id))

    return confirm_delete(
        delete_entry,
        lambda: services.results_depending_on(entry=entry),
        what="、".join(c.name for c in entry.competitors),
        kind=_("参赛组"),
        cancel=url_for("contests.event", event_id=event_id),
        version=entry.event.version,
        consequences=_("其成绩（如有）将一并删除。"),
    )


@bp.route("/<int:contest_id>/results")
def results(contest_id: int):
    """One page of the contest's results in event and rank order: all events, one
    (``?event=``), or the entries with a name containing ``?q=``."""
    contest = get_contest(contest_id)
    events = queries.events_of(contest.id)
    event_id = request.args.get("event", type=int)
    if event_id not in {e.id for e in events}:
        event_id = None
    search = search_text()
    page = page_of(queries.placed_entries_query(contest, event_id, search))
    grouped: list[tuple[Event, list[Entry]]] = []
    for entry in page.items:
        if not grouped or grouped[-1][0] is not entry.event:
            grouped.append((entry.event, []))
        grouped[-1][1].append(entry)
    return render_template(
        "contests/results.html",
        contest=contest,
        events=grouped,
        all_events=events,
        page=page,
        selected={"event": event_id, "q": search},
    )


REVIEW_PAGE_SIZE = 100


@bp.route("/review")
def review():
    """Results awaiting a second person's confirmation (four-eyes), in the user's scope."""
    found = page_of(
        queries.awaiting_review_query(scoped),
        per_page=REVIEW_PAGE_SIZE,
    )
    return render_template(
        "contests/review.html",
        placements=found.items,
        found=found,
        total=found.total,
        page=found.page,
        pages=found.pages,
        first=found.first,
        form=ConfirmForm(),
        seen=placement_tokens(found.items),
    )


def placement_tokens(placements) -> dict[int, str]:
    """The token each confirm button carries: the result as the page shows it."""
    return {
        p.id: seen_token("placement", p.id, services.placement_view(p))
        for p in placements
        if p.status == "entered"
    }


def get_placement(placement_id: int):
    placement = db.session.get(Placement, placement_id)
    if placement is None or not in_scope(placement.entry.event.contest):
        abort(404)
    return placement


@bp.route("/placements/<int:placement_id>/confirm", methods=["POST"])
def confirm_placement(placement_id: int):
    placement = get_placement(placement_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        services.confirm_placement(
            placement, current_user, seen_from_form("placement", placement.id)
        )
    except services.ConfirmRefused as exc:
        flash(refusal_text(exc), "error")
        return redirect(request.referrer or url_for("contests.review")), 303
    except (Changed, AlreadyDone) as exc:
        db.session.rollback()
        flash(refusal_message(exc), "error")
        return redirect(request.referrer or url_for("contests.review")), 303
    record_change(
        "confirm_placement",
        "placement",
        placement.id,
        says(
            N_("复核确认成绩：%(occupation)s %(placing)s %(names)s"),
            occupation=placement.entry.event.occupation,
            placing=rank_text(placement.rank),
            names="、".join(c.name for c in placement.entry.competitors),
        ),
        before={"status": "entered"},
        after={"status": "confirmed"},
    )
    db.session.commit()
    flash(_("已确认成绩。"), "success")
    return redirect(request.referrer or url_for("contests.review"))


@bp.route("/placements/<int:placement_id>/reopen", methods=["POST"])
def reopen_placement(placement_id: int):
    placement = get_placement(placement_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    note = (request.form.get("note") or "").strip()
    try:
        services.reopen_placement(placement, current_user, note)
    except services.ConfirmRefused as exc:
        flash(refusal_text(exc), "error")
        return redirect(url_for("contests.edit_entry", entry_id=placement.entry_id))
    record_change(
        "reopen_placement",
        "placement",
        placement.id,
        says(N_("撤回确认以便更正：%(note)s"), note=note),
        before={"status": "confirmed"},
        after={"status": "entered", "note": note},
    )
    db.session.commit()
    flash(_("已撤回确认。更正后须由另一人再次复核。"), "success")
    return redirect(url_for("contests.edit_entry", entry_id=placement.entry_id))
