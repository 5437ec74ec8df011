"""Jurisdictions: list them; an administrator adds one."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from compapp.audit.services import record_change, says
from compapp.auth.access import admin_required
from compapp.core.messages import N_
from compapp.extensions import db
from compapp.formtools import options
from compapp.reference import queries
from compapp.reference.forms import JurisdictionForm
from compapp.reference.models import Jurisdiction

bp = Blueprint("reference", __name__, url_prefix="/jurisdictions")


@bp.route("/")
def index():
    rows = queries.jurisdictions()
    return render_template("reference/jurisdictions.html", rows=rows)


@bp.route("/new", methods=["GET", "POST"])
@admin_required
def create():
    form = JurisdictionForm()
    parents = queries.jurisdictions(counties=False)
    form.parent_code.choices = options((j.code, f"{j.code} {j.name}") for j in parents)
    if form.validate_on_submit():
        code = form.code.data.strip()
        parent = db.session.get(Jurisdiction, form.parent_code.data)
        if db.session.get(Jurisdiction, code) is not None:
            form.code.errors.append(_("该代码已存在。"))
        elif form.level.data == "prefecture" and (parent is None or parent.level != "province"):
            form.parent_code.errors.append(_("州（市）的上级应为省。"))
        elif form.level.data == "county" and (parent is None or parent.level != "prefecture"):
            form.parent_code.errors.append(_("县（市、区）的上级应为州（市）。"))
        elif code[:2] != parent.code[:2] or (
            form.level.data == "county" and code[:4] != parent.code[:4]
        ):
            form.code.errors.append(_("代码与上级的代码前缀不一致。"))
        else:
            name = form.name.data.strip()
            db.session.add(
                Jurisdiction(
                    code=code,
                    name=name,
                    short_name=(form.short_name.data or name).strip(),
                    level=form.level.data,
                    parent_code=parent.code,
                )
            )
            record_change(
                "add_jurisdiction",
                "jurisdiction",
                code,
                says(N_("添加行政区划 %(code)s %(name)s"), code=code, name=name),
                after={
                    "code": code,
                    "name": name,
                    "level": form.level.data,
                    "parent_code": parent.code,
                },
            )
            db.session.commit()
            flash(_("已添加 %(name)s。", name=name), "success")
            return redirect(url_for("reference.index"))
    return render_template("reference/new.html", form=form)
