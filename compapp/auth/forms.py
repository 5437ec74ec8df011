"""Sign-in form."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import InputRequired, Length


class LoginForm(FlaskForm):
    username = StringField(
        _l("用户名"), validators=[InputRequired(_l("请填写用户名。")), Length(max=60)]
    )
    password = PasswordField(_l("密码"), validators=[InputRequired(_l("请填写密码。"))])
