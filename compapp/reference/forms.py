"""Form to add a jurisdiction."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.validators import InputRequired, Length, Regexp

from compapp.formtools import options


class JurisdictionForm(FlaskForm):
    code = StringField(
        _l("行政区划代码"),
        validators=[
            InputRequired(_l("请填写行政区划代码。")),
            Regexp(r"^53\d{4}$", message=_l("应为云南省的 6 位行政区划代码（53 开头）。")),
        ],
    )
    name = StringField(_l("名称"), validators=[InputRequired(_l("请填写名称。")), Length(max=80)])
    short_name = StringField(_l("简称"), validators=[Length(max=40)])
    level = SelectField(
        _l("层级"),
        choices=options([("prefecture", _l("州（市）")), ("county", _l("县（市、区）"))]),
    )
    parent_code = SelectField(_l("上级"), choices=[])
