"""Honours: the list, the form to record one, and the second person's confirmation."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField
from wtforms.validators import InputRequired, Length

from compapp.auth.access import require_role
from compapp.certificates.issuing import issue_honour_certificate
from compapp.certificates.queries import honour_certificates
from compapp.certificates.serials import group_serial
from compapp.certificates.services import CertificateRefused
from compapp.extensions import db
from compapp.formtools import ConfirmForm
from compapp.honours import services
from compapp.honours.models import Honour
from compapp.i18n import refusal_text
from compapp.labels import honour_name
from compapp.policy.categories import HONOUR_KINDS

bp = Blueprint("honours", __name__, url_prefix="/honours")


class HonourForm(FlaskForm):
    id_number = StringField(
        _l("获得者身份证号码"), validators=[InputRequired(_l("此项必填。")), Length(max=18)]
    )
    kind = SelectField(_l("荣誉"), choices=[])
    awarded_on = DateField(_l("授予日期"), validators=[InputRequired(_l("此项必填。"))])
    recommended_by = StringField(
        _l("推荐单位"), validators=[InputRequired(_l("此项必填。")), Length(max=120)]
    )


@bp.before_request
@require_role("admin", "organiser")
def organisers_only():
    return None


@bp.route("/", methods=["GET", "POST"])
def index():
    form = HonourForm()
    form.kind.choices = [(k, honour_name(k)) for k in HONOUR_KINDS]
    if form.validate_on_submit():
        number = (form.id_number.data or "").strip().upper()
        person = services.competitor_by_id_number(number)
        if person is None:
            form.id_number.errors.append(_("没有该身份证号码的选手，请先在赛事中登记。"))
        else:
            try:
                honour = services.record_honour(
                    services.HonourData(
                        person.id, form.kind.data, form.awarded_on.data, form.recommended_by.data
                    ),
                    current_user,
                )
            except services.HonourRefused as exc:
                flash(refusal_text(exc), "error")
            else:
                db.session.commit()
                flash(_("已登记，待另一位工作人员确认。"), "success")
                return redirect(url_for("honours.index", _anchor=f"honour-{honour.id}"))

    listed = services.honours()
    return render_template(
        "honours/index.html",
        form=form,
        honours=listed,
        certificates=honour_certificates(h.id for h in listed),
        confirm_form=ConfirmForm(),
    )


@bp.route("/<int:honour_id>/confirm", methods=["POST"])
def confirm(honour_id: int):
    honour = db.get_or_404(Honour, honour_id)
    if ConfirmForm().validate_on_submit():
        try:
            services.confirm_honour(honour, current_user)
        except services.HonourRefused as exc:
            flash(refusal_text(exc), "error")
        else:
            db.session.commit()
            flash(_("已确认。"), "success")
    return redirect(request.referrer or url_for("honours.index"))


@bp.route("/<int:honour_id>/certificate", methods=["POST"])
def issue_certificate(honour_id: int):
    """Issue the honour's certificate (POLICY.md §4.7), verified on the public page like an
    award's; after a revocation only with a reason."""
    from sqlalchemy.exc import IntegrityError

    honour = db.get_or_404(Honour, honour_id)
    back = redirect(url_for("honours.index", _anchor=f"honour-{honour.id}"))
    if not ConfirmForm().validate_on_submit():
        return back
    try:
        cert = issue_honour_certificate(honour, current_user, request.form.get("reason"))
        db.session.commit()
    except CertificateRefused as exc:
        db.session.rollback()
        flash(_(str(exc)), "error")
    except IntegrityError:  # another person issued it at the same moment
        db.session.rollback()
        flash(_("另一位工作人员刚刚颁发了该荣誉的证书，您的这次颁发没有执行。"), "error")
    else:
        flash(_("已颁发荣誉奖励证书 %(serial)s。", serial=group_serial(cert.serial)), "success")
    return back
