"""The bank-details form: shape only; the checks that explain come from compapp.core.bank."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import Length, Optional


class BankForm(FlaskForm):
    bank_name = StringField(
        _l("开户银行"), validators=[Length(max=60)], description=_l("如：中国农业银行")
    )
    branch = StringField(
        _l("开户网点（开户行）"), validators=[Length(max=80)], description=_l("如：德钦县支行")
    )
    account_number = StringField(
        _l("银行账号"),
        validators=[Length(max=40)],
        description=_l("借记卡或存折账号，可用空格分组。保存后只显示末四位。"),
        render_kw={"autocomplete": "off", "inputmode": "numeric"},
    )
    id_number = StringField(_l("身份证号码"), validators=[Optional(), Length(max=18)])
