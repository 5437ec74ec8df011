"""Forms of the promotion workflow: shape only (types, ranges, lengths)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, StringField, SubmitField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

REQUIRED = _l("此项必填。")


class DecisionForm(FlaskForm):
    """Confirm or reject a promotion case, with a note (required to reject)."""

    note = StringField(_l("备注"), validators=[Optional(), Length(max=1000)])
    confirm = SubmitField(_l("确认晋升"))
    reject = SubmitField(_l("不予晋升"))


class TitleForm(FlaskForm):
    """Approve or refuse a proposed title (经核准), with a note (required to refuse)."""

    note = StringField(_l("核准意见"), validators=[Optional(), Length(max=1000)])
    approve = SubmitField(_l("核准称号"))
    reject = SubmitField(_l("不予核准"))


class NoticeForm(FlaskForm):
    """Publish the confirmed cases of a contest: date, period, issuer, contact line."""

    published_on = DateField(_l("公示日期"), validators=[InputRequired(REQUIRED)])
    working_days = IntegerField(
        _l("公示期（工作日）"),
        validators=[
            InputRequired(REQUIRED),
            NumberRange(1, 60, _l("公示期应为 1 到 60 个工作日。")),
        ],
        description=_l("不少于 5 个工作日（003_a0dee99659bd7bcf.txt:3520）；周末和节假日不计。"),
    )
    issuer = StringField(_l("发布单位"), validators=[InputRequired(REQUIRED), Length(max=160)])
    contact = StringField(
        _l("异议受理与联系方式"),
        validators=[InputRequired(REQUIRED), Length(max=400)],
        description=_l("写明受理异议的单位和电话，印在公示末尾。"),
    )
