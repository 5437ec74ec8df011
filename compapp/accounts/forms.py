"""Account forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, SelectField, StringField
from wtforms.validators import EqualTo, InputRequired, Length, Regexp

from compapp import labels
from compapp.formtools import options


class UserForm(FlaskForm):
    username = StringField(
        _l("用户名"),
        validators=[
            InputRequired(_l("此项必填。")),
            Length(max=60),
            Regexp(
                r"^[A-Za-z0-9_.-]+$", message=_l("用户名只能包含字母、数字、下划线、点和连字符。")
            ),
        ],
    )
    display_name = StringField(
        _l("姓名/显示名"), validators=[InputRequired(_l("此项必填。")), Length(max=80)]
    )
    role = SelectField(_l("角色"), choices=options(labels.ROLE_NAMES.items()))
    organising_body_id = SelectField(_l("主办单位（组织者）"), choices=[], validate_choice=False)
    jurisdiction_code = SelectField(_l("承担单位（财务人员）"), choices=[], validate_choice=False)
    # Text, not lists of every coach and competitor: looked up when the form is saved.
    coach_id = StringField(_l("教练（身份证号码或编号）"), validators=[Length(max=80)])
    competitor_id = StringField(_l("选手（身份证号码或编号）"), validators=[Length(max=18)])
    active = BooleanField(_l("启用"), default=True)


class SetPasswordForm(FlaskForm):
    password = PasswordField(
        _l("新密码"),
        validators=[
            InputRequired(_l("此项必填。")),
            Length(min=10, message=_l("密码至少 10 个字符。")),
        ],
    )
    confirm = PasswordField(
        _l("再次输入"), validators=[EqualTo("password", message=_l("两次输入的密码不一致。"))]
    )
