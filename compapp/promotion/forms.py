"""Forms of the promotion workflow: shape only (types, ranges, lengths)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, StringField, SubmitField, TextAreaField
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
        description=_l(
            "不少于 5 个工作日（云人社通〔2019〕98号 五（四））；周末和节假日不计。"
            "公示从发布当天或之后开始，不能倒签。"
        ),
    )
    issuer = StringField(_l("发布单位"), validators=[InputRequired(REQUIRED), Length(max=160)])
    contact = StringField(
        _l("异议受理与联系方式"),
        validators=[InputRequired(REQUIRED), Length(max=400)],
        description=_l("写明受理异议的单位和电话，印在公示末尾。"),
    )


class ObjectionForm(FlaskForm):
    """Record an objection (异议) received during a notice: who raised it and what it says."""

    objector = StringField(
        _l("异议人（单位或个人，实名）"),
        validators=[InputRequired(REQUIRED), Length(max=120)],
    )
    objector_contact = StringField(_l("异议人联系方式"), validators=[Optional(), Length(max=200)])
    content = TextAreaField(_l("异议内容"), validators=[InputRequired(REQUIRED), Length(max=4000)])
    lodge = SubmitField(_l("登记异议"))


class ResolutionForm(FlaskForm):
    """Decide an objection after investigating it; the conclusion is required either way."""

    note = TextAreaField(_l("调查结论"), validators=[InputRequired(REQUIRED), Length(max=4000)])
    uphold = SubmitField(_l("异议成立（撤销晋升）"))
    dismiss = SubmitField(_l("异议不成立"))


class CalendarYearForm(FlaskForm):
    """An administrator enters a year's holidays and 调休 working days from its notice."""

    year = IntegerField(
        _l("年份"),
        validators=[
            InputRequired(REQUIRED),
            NumberRange(2000, 2100, _l("请填写 2000 到 2100 之间的年份。")),
        ],
    )
    holidays = TextAreaField(
        _l("放假日期"),
        validators=[InputRequired(REQUIRED), Length(max=4000)],
        description=_l(
            "通知中的全部放假日，含放假期间的周六、周日；每行一个日期或一段日期，"
            "如 2027-10-01 至 2027-10-07。"
        ),
    )
    workdays = TextAreaField(
        _l("调休上班日期"),
        validators=[Optional(), Length(max=2000)],
        description=_l("通知中调为上班的周六、周日，如 2027-09-26。"),
    )
    source = StringField(
        _l("依据（通知标题、文号、日期）"),
        validators=[InputRequired(REQUIRED), Length(max=400)],
        description=_l(
            "如：国务院办公厅关于2027年部分节假日安排的通知（国办发明电〔2026〕X号，2026-11-XX）"
        ),
    )
    propose = SubmitField(_l("提交，请另一名管理员确认"))


class CalendarDecisionForm(FlaskForm):
    """A second administrator confirms an entered year, or sends it back saying why."""

    note = StringField(_l("核对意见"), validators=[Optional(), Length(max=1000)])
    confirm = SubmitField(_l("已对照通知原文核对，确认生效"))
    reject = SubmitField(_l("退回"))
