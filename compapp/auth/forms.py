"""Sign-in form."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import EqualTo, InputRequired, Length


class LoginForm(FlaskForm):
    username = StringField(
        _l("用户名"), validators=[InputRequired(_l("请填写用户名。")), Length(max=60)]
    )
    password = PasswordField(_l("密码"), validators=[InputRequired(_l("请填写密码。"))])


class ChangePasswordForm(FlaskForm):
    current = PasswordField(_l("当前密码"), validators=[InputRequired(_l("请填写密码。"))])
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
