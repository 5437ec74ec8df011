"""``/policies/``: every policy document with its versions, amounts, shares and bands.

The page is built from what the strict loaders read (``compapp.policy.loader`` for awards,
``compapp.policy.promotion`` for grade promotion), never from a list of its own, so a new
file or version shows here as soon as compapp loads it. Anyone may read the documents and
amounts; signed-in users also see compapp's readings, notes and notices; administrators
also see each file's id, digest and source lines in a details block.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask import Blueprint, current_app, render_template, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from compapp import labels
from compapp.auth.access import public
from compapp.core.vocab import JobState
from compapp.downloads import PDF, download
from compapp.english import shown
from compapp.extensions import db
from compapp.formtools import options
from compapp.i18n import refusal_text
from compapp.jobs import services as jobs
from compapp.jobs.pages import start_and_show
from compapp.paging import Page, page_of
from compapp.policies import services
from compapp.policies.drafting import (
    HeaderInput,
    add_promotion_version,
    add_version,
    correct_dates,
    field_of,
    new_policy_data,
    parse,
)
from compapp.policies.forms import (
    DateCorrectionForm,
    ImportForm,
    NewPolicyForm,
    PromotionVersionForm,
    ReturnForm,
    VersionForm,
)
from compapp.policies.models import PolicyRevision
from compapp.policies.services import MAX_ATTACHMENT_BYTES, PolicyRefused, check_pdf
from compapp.policy.english import english_twin
from compapp.policy.loader import POLICY_ID_RE, PolicyFileError, load_policy_text
from compapp.policy.promotion import POLICY_ID_RE as PROMOTION_ID_RE
from compapp.policy.promotion import load_promotion_text
from compapp.promotion.services import promotion_rules
from compapp.reference.queries import jurisdictions
from compapp.rewards.services import award_policies

bp = Blueprint("policies", __name__, url_prefix="/policies")

# Source lines ("000_506faec866124176.txt:91") and the rules file's name are for maintainers:
# a parenthesis naming them is dropped from a note a person reads, the rest is kept.
_SOURCE_PAREN_RE = re.compile(r"[（(][^（）()]*(?:\.txt|POLICY\.md)[^（）()]*[）)]")
_POLICY_MD_RE = re.compile(r"POLICY\.md\s*§\s*[\d.]+(?:\s*表)?")
_SOURCE_RE = re.compile(r"\d{3}_[0-9a-f]{16}\.txt(?::\d+(?:-\d+)?)?")


def plain(text: str) -> str:
    """Return a data note without source file names or lines (what a person reads), in
    English on an English page when the data gives its English twin."""
    if text and str(get_locale()) == "en":
        text = english_twin(text) or text
    text = _SOURCE_PAREN_RE.sub("", text or "")
    text = re.sub(r"按\s*" + _POLICY_MD_RE.pattern, "按其读法", text)
    text = _POLICY_MD_RE.sub("其读法", text)
    return _SOURCE_RE.sub("", text).strip()


def number_text(number: str) -> str:
    """Return the 文号, or "未印文号" when the document prints none."""
    number = (number or "").strip().strip("（）()")
    return number or "未印文号"


def result_name(key: str) -> str:
    """Return a schedule key's name in the page's language ("prize_2" → 二等奖)."""
    if key.startswith("prize_"):
        return labels.prize(int(key.removeprefix("prize_")))
    return labels.medal(key)


@dataclass
class Cited:
    """A clause as a person cites it, with its quoted sentence and the page that shows it."""

    clause: str
    quote: str = ""
    url: str = ""
    source: str = ""  # seed line: administrators' details only


@dataclass(frozen=True)
class Heading:
    """How a revision's page names its document."""

    title: str
    short_title: str
    number_text: str


@dataclass
class Row:
    """One line of a table: the clause, what it concerns, the value and the payer."""

    cited: Cited
    category: str
    result: str
    value: str
    payer: str = ""
    extra: str = ""


@dataclass
class Version:
    """One dated version with everything it sets, ready for the template."""

    period_from: date
    period_to: date | None
    assumed: bool
    in_force: bool
    date_note: str = ""
    date_source: str = ""
    note: str = ""
    amounts: list[Row] = field(default_factory=list)
    shares: list[Row] = field(default_factory=list)
    bands: list[Row] = field(default_factory=list)
    readings: list[Row] = field(default_factory=list)
    notices: list[Row] = field(default_factory=list)
    missing_amounts: str = ""
    digest: str = ""


@dataclass
class Document:
    """A source document and the award and promotion versions compapp reads from it."""

    anchor: str
    title: str
    number: str
    issuer: str
    jurisdiction: str
    level: str = ""
    note: str = ""
    restated_by: str = ""
    award_versions: list[Version] = field(default_factory=list)
    promotion_versions: list[Version] = field(default_factory=list)
    admin: dict[str, Any] = field(default_factory=dict)


def _citation_url(kind: str, policy_id: str, clause: str) -> str:
    """The citation page of the clause when compapp has one, else ""."""
    if "citing.citation" not in current_app.view_functions:
        return ""
    return url_for("citing.citation", kind=kind, policy_id=policy_id, clause=clause)


def _award_cited(header, clause: str, source: str) -> Cited:
    clauses = getattr(header, "clauses", None) or {}
    found = clauses.get(clause)
    if found is None:
        return Cited(clause, "", "", source)
    text = f"{found.section}{found.item}"
    return Cited(text, found.quote, _citation_url("awards", header.id, clause), source)


def _promotion_cited(policy, rule) -> Cited:
    clause = rule.clause
    text = f"{policy.section}{clause}" if clause else policy.section
    # The citation page knows a promotion clause when the policy can cite it.
    url = _citation_url("promotion", policy.id, clause) if hasattr(policy, "cite") else ""
    return Cited(text, rule.quote or "", url, rule.source)


def _rule_categories(rule) -> tuple[str, ...]:
    """A rule's contest categories (one, or several where the data lists them)."""
    return tuple(getattr(rule, "categories", None) or (rule.category,))


def _categories(codes) -> str:
    return "、".join(labels.category(code) for code in codes)


def _award_version(version, today: date) -> Version:
    from flask_babel import gettext as _

    header = version.header
    out = Version(
        period_from=version.effective_from,
        period_to=version.effective_to,
        assumed=version.date_assumed,
        in_force=version.covers(today),
        date_note=plain(version.date_note),
        date_source=version.date_citation,
        note=plain(version.note),
        digest=version.digest,
    )
    for row in version.schedule:
        cited = _award_cited(header, row.clause, row.citation)
        team = (
            _("教练团队按同等标准奖励")
            if row.coaching_team == "same_standard"
            else _("不奖励教练团队")
        )
        out.amounts.append(
            Row(
                cited,
                _categories(row.categories),
                "",
                [(result_name(key), amount) for key, amount in row.amounts.items()],
                labels.payer_level(row.payer),
                extra=" ".join(x for x in (team, plain(row.note)) if x),
            )
        )
    for rule in version.topups:
        cited = _award_cited(header, rule.clause, rule.citation)
        results = "、".join(result_name(key) for key in rule.results)
        for share in rule.shares:
            out.shares.append(
                Row(
                    cited,
                    _categories(rule.categories),
                    results,
                    share.percent,
                    labels.payer_level(share.payer),
                    extra=plain(rule.note),
                )
            )
    for setting in version.settings.values():
        missing = setting.name == "amounts_configured" and not setting.value
        if missing:
            out.missing_amounts = plain(setting.notice)
        # The notice of amounts not configured is shown once, as the version's warning.
        note = plain(setting.note) or ("" if missing else plain(setting.notice))
        if not note:
            continue
        out.readings.append(
            Row(
                _award_cited(header, setting.citation.clause, setting.citation.source), "", "", note
            )
        )
    for notice in version.notices:
        out.notices.append(
            Row(
                _award_cited(header, notice.clause, notice.citation),
                _categories(notice.categories) if notice.categories else "",
                "、".join(result_name(k) for k in notice.results),
                plain(notice.text),
            )
        )
    return out


def _band_text(first: int, last: int) -> str:
    from flask_babel import gettext as _

    if first == last:
        return _("第 %(n)s 名", n=first)
    return _("第 %(a)s 至 %(b)s 名", a=first, b=last)


def _promotion_version(policy, version, today: date) -> Version:
    from flask_babel import gettext as _

    out = Version(
        period_from=version.effective_from,
        period_to=version.effective_to,
        assumed=version.date_assumed,
        in_force=version.covers(today),
        date_source=version.date_citation,
        digest=version.digest,
    )
    for rule in version.rules:
        cited = _promotion_cited(policy, rule)
        bands = "；".join(
            f"{labels.event_format(fmt)} {_band_text(first, last)}"
            for fmt, (first, last) in rule.bands.items()
        )
        grades = _(
            "晋升%(target)s；已是%(target)s的，晋升%(next)s",
            target=labels.grade(rule.target),
            next=labels.grade(rule.if_at_target),
        )
        extra = ""
        if rule.title:
            extra = _("授予“%(title)s”称号", title=rule.title)
            if rule.title_employees_only:
                extra += _("（限职工身份的选手）")
            if rule.title_needs_approval:
                extra += _("，须经核准")
        out.bands.append(
            Row(cited, _categories(_rule_categories(rule)), bands, grades, extra=extra)
        )
    return out


def build_documents(today: date | None = None) -> list[Document]:
    """Return every policy document the loaders read, awards and promotion merged by id."""

    today = today or date.today()
    documents: dict[str, Document] = {}
    level_order = {"province": 0, "prefecture": 1, "county": 2}
    for policy in award_policies():
        h = policy.header
        restated = getattr(h, "restated_by", None)
        doc = Document(
            anchor=h.id,
            title=h.title,
            number=number_text(h.document_number),
            issuer=h.issuer,
            jurisdiction=h.jurisdiction_name,
            level=h.jurisdiction_level,
            note=plain(h.note),
            restated_by=f"{restated.short_title}{restated.section}" if restated else "",
            admin={
                "id": h.id,
                "files": [(v.file_name, v.digest) for v in policy.versions[:1]],
                "source": h.source,
            },
        )
        doc.award_versions = [_award_version(v, today) for v in policy.versions]
        documents[h.id] = doc
    for policy in promotion_rules().policies:
        doc = documents.get(policy.id)
        if doc is None:
            doc = Document(
                anchor=policy.id,
                title=policy.document,
                number=number_text(getattr(policy, "document_number", "")),
                issuer=policy.issuer,
                jurisdiction=policy.prefecture_name,
                level="prefecture",
                admin={"id": policy.id, "files": [], "source": policy.source},
            )
            documents[policy.id] = doc
        doc.admin.setdefault("files", []).append((policy.file_name, policy.digest))
        doc.promotion_versions = [_promotion_version(policy, v, today) for v in policy.versions]
    return sorted(
        documents.values(),
        key=lambda d: (
            level_order.get(d.level, 9),
            -max(
                [v.period_from.toordinal() for v in d.award_versions + d.promotion_versions] or [0]
            ),
            d.title,
        ),
    )


@bp.route("/")
@public
def index():
    signed_in = current_user.is_authenticated
    is_admin = signed_in and current_user.role == "admin"
    return render_template(
        "policies/index.html",
        documents=build_documents(),
        signed_in=signed_in,
        is_admin=is_admin,
        readings_url=url_for("citing.readings")
        if "citing.readings" in current_app.view_functions
        else "",
    )


# --- administrators: enter, import, preview, activate ---------------------------------------


@bp.before_request
def _guard_admin_pages():
    """Only administrators enter, import, preview and activate policy versions (signing in
    is required for every page not marked public)."""
    from flask import abort, request

    endpoint = request.endpoint or ""
    if endpoint.startswith("policies.admin_") and current_user.is_authenticated:
        if current_user.role != "admin":
            abort(403)
    return None


def _payer_choices(levels) -> list[tuple[str, str]]:

    return options((level, labels.payer_level(level)) for level in levels)


def _attachment(form, errors: dict) -> tuple[services.Attachment | None, str]:
    """The uploaded PDF (bounded read) with its name, and the citation it gives the values."""

    upload = form.attachment.data
    if upload is None or not getattr(upload, "filename", ""):
        return None, "entered"
    data = upload.stream.read(MAX_ATTACHMENT_BYTES + 1)
    try:
        digest = check_pdf(data)
    except PolicyRefused as exc:
        errors[form.attachment.id] = refusal_text(exc)
        return None, "entered"
    return services.Attachment(data, upload.filename[:200]), f"attachment:{digest}"


def _apply_errors(form, errors: dict) -> None:
    """Attach {field id: message} to the form's (possibly nested) fields."""
    for one in _all_fields(form):
        if one.id in errors:
            one.errors = [*(one.errors or []), str(errors.pop(one.id))]
    for message in errors.values():
        form.form_errors.append(str(message))


def _all_fields(form):
    from wtforms import FieldList, FormField

    for one in form:
        if isinstance(one, FieldList):
            for entry in one:
                yield from _all_fields(entry.form if isinstance(entry, FormField) else entry)
        elif isinstance(one, FormField):
            yield from _all_fields(one.form)
        else:
            yield one


def _strict_error(draft, exc) -> dict:
    """Place the strict reader's message next to the field it concerns."""
    from flask_babel import gettext as _

    message = _("未通过政策文件校验：%(problem)s", problem=str(exc))
    name = field_of(draft, str(exc))
    return {name or "_form": message}


_ADD_VERSION = {"awards": add_version, "promotion": add_promotion_version}


def _save_version(form, data: dict, policy_id: str | None, kind: str = "awards"):
    """Build the draft of ``kind`` from the form, check it strictly and store it; return the
    revision, or None with the errors on the form next to their fields."""

    errors: dict = {}
    attached, citation = _attachment(form, errors)
    version, more = form.version_input(citation)
    errors.update(more)
    if errors or version is None:
        _apply_errors(form, errors)
        return None
    draft = _ADD_VERSION[kind](data, version)
    try:
        return services.save_revision(
            draft.text,
            current_user,
            summary=form.summary.data.strip(),
            source="form",
            kind=kind,
            policy_id=policy_id,
            attached=attached,
        )
    except PolicyFileError as exc:
        db_rollback()
        _apply_errors(form, _strict_error(draft, exc))
    except services.PolicyOverlap as exc:
        db_rollback()
        _apply_errors(form, {_overlap_field(form, exc.found): refusal_text(exc)})
    except services.PolicyRefused as exc:
        db_rollback()
        form.form_errors.append(refusal_text(exc))
    return None


def _overlap_field(form, found) -> str:
    """The field an overlap is shown next to: the categories of the row that prices what the
    other policy prices too, else the version's start date."""
    rows = [*getattr(form, "schedule", ()), *getattr(form, "topup", ())]
    for entry in rows:
        row = entry.form
        payers = {row.payer.data} if hasattr(row, "payer") else set()
        for level in ("prefecture", "county"):
            if hasattr(row, f"{level}_percent") and (row[f"{level}_percent"].data or "").strip():
                payers.add(level)
        if found.category in (row.categories.data or ()) and found.payer in payers:
            return row.categories.id
    return form.effective_from.id


def db_rollback() -> None:

    db.session.rollback()


@bp.route("/admin")
def admin_index():

    return render_template(
        "policies/admin.html",
        revisions=services.pending_revisions(),
        policies=list(award_policies()),
        promotion_policies=promotion_rules().policies,
    )


@bp.route("/admin/<policy_id>/new-version", methods=["GET", "POST"])
def admin_new_version(policy_id: str):
    from flask import abort, redirect

    policies = award_policies()
    if policy_id not in policies:
        abort(404)
    policy = policies[policy_id]
    form = VersionForm()
    for entry in form.schedule:
        entry.form.payer.choices = _payer_choices(policy.header.payer_levels)
    if form.validate_on_submit():
        revision = _save_version(form, parse(services.text_in_force(policy_id)), policy_id)
        if revision is not None:
            db.session.commit()
            return redirect(url_for("policies.admin_revision", revision_id=revision.id))
    return render_template("policies/version_form.html", form=form, policy=policy, new_policy=False)


@bp.route("/admin/promotion/<policy_id>/new-version", methods=["GET", "POST"])
def admin_new_promotion_version(policy_id: str):
    from flask import abort, redirect

    text = (
        services.text_in_force(policy_id, "promotion") if PROMOTION_ID_RE.match(policy_id) else None
    )
    if text is None:
        abort(404)
    policy = services.check_promotion_text(text, policy_id)
    form = PromotionVersionForm()
    if form.validate_on_submit():
        revision = _save_version(form, parse(text), policy_id, "promotion")
        if revision is not None:
            db.session.commit()
            return redirect(url_for("policies.admin_revision", revision_id=revision.id))
    heading = Heading(policy.document, policy.short_title, number_text(policy.document_number))
    return render_template("policies/promotion_form.html", form=form, doc=heading)


@bp.route("/admin/<policy_id>/correct-dates", methods=["GET", "POST"])
def admin_correct_dates(policy_id: str):
    """Correct a version's dates (an assumed date found): stored, previewed and activated
    like any other version."""
    from flask import abort, redirect

    policies = award_policies()
    if policy_id not in policies:
        abort(404)
    policy = policies[policy_id]
    form = DateCorrectionForm()
    form.version_from.choices = options(
        (v.effective_from.isoformat(), shown(v.period_text())) for v in policy.versions
    )
    if form.validate_on_submit():
        errors: dict = {}
        attached, citation = _attachment(form, errors)
        chosen = next(
            (v for v in policy.versions if v.effective_from.isoformat() == form.version_from.data),
            None,
        )
        if chosen is None:
            errors[form.version_from.id] = _("请选择要更正的版本。")
        if form.effective_to.data and form.effective_to.data < form.effective_from.data:
            errors[form.effective_to.id] = _("截止日期不能早于施行日期。")
        if not errors:
            draft = correct_dates(
                parse(services.text_in_force(policy_id)),
                chosen.effective_from,
                form.effective_from.data,
                form.effective_to.data,
                bool(form.date_assumed.data),
                form.date_note.data.strip(),
                citation,
            )
            try:
                revision = services.save_revision(
                    draft.text,
                    current_user,
                    summary=form.summary.data.strip(),
                    source="form",
                    policy_id=policy_id,
                    attached=attached,
                )
            except PolicyFileError as exc:
                db.session.rollback()
                errors.update(_strict_error(draft, exc))
            except services.PolicyRefused as exc:
                db.session.rollback()
                errors["_form"] = refusal_text(exc)
            else:
                db.session.commit()
                return redirect(url_for("policies.admin_revision", revision_id=revision.id))
        _apply_errors(form, errors)
    return render_template("policies/dates_form.html", form=form, policy=policy)


@bp.route("/admin/new", methods=["GET", "POST"])
def admin_new_policy():
    from flask import redirect

    places = [j for j in jurisdictions() if j.level in ("prefecture", "county")]
    by_code = {j.code: j for j in places}
    form = NewPolicyForm()

    form.jurisdiction_code.choices = options((j.code, f"{j.name}（{j.code}）") for j in places)
    for entry in form.schedule:
        entry.form.payer.choices = _payer_choices(("prefecture", "county"))
    if form.validate_on_submit():
        place = by_code.get(form.jurisdiction_code.data)
        if place is None:
            form.jurisdiction_code.errors = [_("请选择州（市）或县（市、区）。")]
        else:
            header = HeaderInput(
                id=form.policy_id.data.strip(),
                title=form.title.data.strip(),
                short_title=form.short_title.data.strip(),
                issuer=form.issuer.data.strip(),
                document_number=(form.document_number.data or "").strip(),
                issued_on=form.issued_on.data,
                jurisdiction_code=place.code,
                jurisdiction_name=place.name,
                jurisdiction_level=place.level,
            )

            if header.id in award_policies():
                form.policy_id.errors = [_("已有这个编号的政策：请在该政策下录入新版本。")]
            else:
                revision = _save_version(form, new_policy_data(header), None)
                if revision is not None:
                    db.session.commit()
                    return redirect(url_for("policies.admin_revision", revision_id=revision.id))
    return render_template("policies/version_form.html", form=form, policy=None, new_policy=True)


@bp.route("/admin/import", methods=["GET", "POST"])
def admin_import():
    from flask import redirect

    form = ImportForm()
    if form.validate_on_submit():
        upload = form.file.data
        if upload is None or not getattr(upload, "filename", ""):
            form.file.errors = [_("请选择一个政策文件。")]
        else:
            data = upload.stream.read(services.MAX_IMPORT_BYTES + 1)
            try:
                revision = services.import_revision(data, current_user)
            except PolicyFileError as exc:
                db.session.rollback()
                form.file.errors = [_("未通过政策文件校验：%(problem)s", problem=str(exc))]
            except services.PolicyRefused as exc:
                db.session.rollback()
                form.file.errors = [refusal_text(exc)]
            else:
                db.session.commit()
                return redirect(url_for("policies.admin_revision", revision_id=revision.id))
    return render_template("policies/import.html", form=form)


def _heading(revision: PolicyRevision, today: date | None = None) -> tuple[Heading, list]:
    """How the revision's page names its document, and (given ``today``) its versions."""
    name = f"{revision.policy_id}.toml"
    if revision.kind == "promotion":
        promotion = load_promotion_text(revision.text, name)
        doc = Heading(
            promotion.document, promotion.short_title, number_text(promotion.document_number)
        )
        if today is None:
            return doc, []
        return doc, [_promotion_version(promotion, v, today) for v in promotion.versions]
    policy = load_policy_text(revision.text, name)
    doc = Heading(policy.header.title, policy.header.short_title, policy.header.number_text)
    if today is None:
        return doc, []
    return doc, [_award_version(v, today) for v in policy.versions]


def _revision_or_404(revision_id: int):
    from flask import abort

    revision = db.session.get(PolicyRevision, revision_id)
    if revision is None:
        abort(404)
    return revision


@bp.route("/admin/revisions/<int:revision_id>")
def admin_revision(revision_id: int):
    from flask import request

    revision = _revision_or_404(revision_id)
    doc, versions = _heading(revision, date.today())
    job = (
        jobs.get_job(revision.preview_job_id, "policy_preview") if revision.preview_job_id else None
    )
    if request.args.get("format") == "json" and job is not None:
        return jobs.status_of(job)
    apply_job = (
        jobs.get_job(revision.apply_job_id, "policy_apply") if revision.apply_job_id else None
    )
    preview = (
        jobs.status_of(job)["result"] if job is not None and job.state == JobState.DONE else None
    )
    return render_template(
        "policies/revision.html",
        revision=revision,
        doc=doc,
        versions=versions,
        job=job,
        preview=preview,
        listed=_preview_page(job, preview),
        apply_job=apply_job,
        applied=jobs.status_of(apply_job)["result"]
        if apply_job is not None and apply_job.state == JobState.DONE
        else None,
        may_decide=revision.state == "pending" and revision.created_by_id != current_user.id,
        return_form=ReturnForm(),
        form=_confirm_form(),
    )


def _preview_page(job, preview: dict | None):
    """The requested page of the preview's listed rows (paged in SQL), or None."""
    if not preview:
        return None
    if "listed" not in preview:  # a preview made before its rows were stored: its first rows
        entries = preview.get("entries") or []
        return Page(entries, len(entries), 1, 1, max(len(entries), 1))
    found = page_of(services.preview_rows(job), total=int(preview.get("listed") or 0))
    found.items = [json.loads(row) for row in found.items]
    return found


def _confirm_form():
    from flask_wtf import FlaskForm

    return FlaskForm()


@bp.route("/admin/revisions/<int:revision_id>/preview", methods=["POST"])
def admin_preview(revision_id: int):
    from flask import abort

    revision = _revision_or_404(revision_id)
    if not _confirm_form().validate_on_submit():
        abort(400)
    page = url_for("policies.admin_revision", revision_id=revision.id)
    return start_and_show(
        lambda: services.start_preview(revision, current_user), page, lambda _job: page + "#preview"
    )


@bp.route("/admin/revisions/<int:revision_id>/activate", methods=["POST"])
def admin_activate(revision_id: int):
    from flask import abort, flash, redirect

    revision = _revision_or_404(revision_id)
    if not _confirm_form().validate_on_submit():
        abort(400)
    try:
        services.activate_revision(revision, current_user)
        job, new = services.start_apply(revision, current_user)
    except services.PolicyRefused as exc:
        db.session.rollback()
        flash(refusal_text(exc), "error")
        # Refused: the page again, saying why (409: the decision was not made).
        return admin_revision(revision_id), 409
    except PolicyFileError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        # Refused: the page again, saying why (409: the decision was not made).
        return admin_revision(revision_id), 409
    except jobs.JobRefused as exc:
        # In force, but the re-pricing could not be queued now: say so; it can be started again.
        db.session.rollback()
        flash(refusal_text(exc), "error")
        return redirect(url_for("policies.admin_revision", revision_id=revision_id))
    db.session.commit()
    if new:
        jobs.dispatch(job)
    if revision.kind == "promotion":
        flash(_("晋升规则的新版本已生效，此后的晋升按该版本判断。"), "success")
    else:
        flash(_("新版本已生效；受影响的奖励正在按新版本重新计算。"), "success")
    return redirect(url_for("policies.admin_revision", revision_id=revision_id))


@bp.route("/admin/revisions/<int:revision_id>/return", methods=["POST"])
def admin_return(revision_id: int):
    from flask import flash, redirect

    revision = _revision_or_404(revision_id)
    form = ReturnForm()
    if not form.validate_on_submit():
        flash(_("请写明退回的理由。"), "error")
        return redirect(url_for("policies.admin_revision", revision_id=revision_id))
    try:
        services.return_revision(revision, current_user, form.reason.data)
    except services.PolicyRefused as exc:
        db.session.rollback()
        flash(refusal_text(exc), "error")
        # Refused: the page again, saying why (409: the decision was not made).
        return admin_revision(revision_id), 409
    db.session.commit()
    flash(_("已退回，录入人可据理由重新录入。"), "success")
    return redirect(url_for("policies.admin_revision", revision_id=revision_id))


def _toml_download(text: str, name: str):
    return download(text.encode("utf-8"), name, "application/toml")


@bp.route("/admin/revisions/<int:revision_id>/export")
def admin_export_revision(revision_id: int):
    revision = _revision_or_404(revision_id)
    return _toml_download(revision.text, f"{revision.policy_id}.toml")


@bp.route("/admin/<policy_id>/export")
def admin_export(policy_id: str):
    from flask import abort

    if not POLICY_ID_RE.match(policy_id):
        abort(404)
    text = services.text_in_force(policy_id)
    if text is None:
        abort(404)
    return _toml_download(text, f"{policy_id}.toml")


@bp.route("/admin/revisions/<int:revision_id>/attachment")
def admin_attachment(revision_id: int):
    """The source document attached to a version, named by the document's short title (the
    name it was uploaded under is not what a person reads)."""
    from flask import abort

    revision = _revision_or_404(revision_id)
    if not revision.attachment:
        abort(404)
    doc = _heading(revision)[0]
    return download(revision.attachment, f"{doc.short_title}（原文）.pdf", PDF)
