"""Forms for contests, events and entries: shape only (types, ranges, choices)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from compapp import labels
from compapp.core.vocab import SkillGrade
from compapp.formtools import options
from compapp.policy.categories import CATEGORIES

REQUIRED = _l("此项必填。")


def grade_choices():
    return options((code, labels.grade(code)) for code in SkillGrade.codes())


def category_choices():
    return options((code, labels.CATEGORY_NAMES[code]) for code in CATEGORIES)


MAX_RANK = 100_000  # a contest of 10,000 entries ranks far below this


class ContestForm(FlaskForm):
    name = StringField(_l("赛事名称"), validators=[InputRequired(REQUIRED), Length(max=200)])
    category = SelectField(_l("赛事类别"), choices=category_choices)
    organising_body = StringField(
        _l("主办单位"), validators=[InputRequired(REQUIRED), Length(max=120)]
    )
    organiser = SelectField(
        _l("主办地（组织竞赛的行政区）"),
        choices=[],
        default="530000",
        description=_l(
            "省级及以上竞赛为云南省；州（市）级竞赛为举办该竞赛的州（市）。"
            "州（市）级竞赛的奖励和晋升规定按主办的州（市）适用。"
        ),
    )
    location = StringField(_l("举办地点"), validators=[Optional(), Length(max=120)])
    starts_on = DateField(_l("开始日期"), validators=[InputRequired(REQUIRED)])
    ends_on = DateField(_l("结束日期"), validators=[InputRequired(REQUIRED)])
    award_on = DateField(
        _l("颁奖（成绩认定）日期"),
        validators=[InputRequired(REQUIRED)],
        description=_l("按颁奖日期当天施行的政策版本计算奖励。"),
    )
    notes = TextAreaField(_l("备注"), validators=[Optional(), Length(max=2000)])


class EventForm(FlaskForm):
    occupation = StringField(
        _l("职业（工种）"), validators=[InputRequired(REQUIRED), Length(max=120)]
    )
    format = SelectField(_l("赛项形式"), choices=options(labels.FORMAT_NAMES.items()))
    result_kind = SelectField(_l("奖项设置"), choices=options(labels.RESULT_KIND_NAMES.items()))


class MemberForm(Form):
    id_number = StringField(_l("身份证号码"), validators=[Optional(), Length(max=18)])
    name = StringField(_l("姓名"), validators=[Optional(), Length(max=80)])
    employer = StringField(_l("工作单位"), validators=[Optional(), Length(max=160)])
    is_employee = BooleanField(_l("企业职工"))
    grade = SelectField(_l("现有等级"), choices=grade_choices, default="none")
    home_county = SelectField(_l("户籍/所在县（市、区）"), choices=[], validate_choice=False)


class CoachForm(Form):
    name = StringField(_l("姓名"), validators=[Optional(), Length(max=80)])
    id_number = StringField(
        _l("身份证号码"),
        validators=[Optional(), Length(max=18)],
        description=_l("用于区分同名教练、关联账户和发放奖金。"),
    )
    role = SelectField(
        _l("角色"), choices=options(labels.COACH_ROLE_NAMES.items()), default="coach"
    )
    share_percent = IntegerField(
        _l("分配比例 %"),
        validators=[Optional(), NumberRange(0, 100, _l("比例应在 0 到 100 之间。"))],
    )


class EntryForm(FlaskForm):
    sending_county = SelectField(_l("选派单位（县、市、区）"), choices=[])
    members = FieldList(FormField(MemberForm), min_entries=3, max_entries=3)
    coaches = FieldList(FormField(CoachForm), min_entries=4, max_entries=4)
    rank = IntegerField(
        _l("决赛名次"),
        # Bounded here: a number beyond the database's integers would overflow on saving.
        validators=[
            Optional(),
            NumberRange(1, MAX_RANK, _l("决赛名次应为 1 到 100000 之间的整数。")),
        ],
        description=_l("成绩未出时可留空。"),
    )
    is_tie = BooleanField(_l("并列"))
    result = SelectField(_l("奖项"), choices=[], validate_choice=False)
    order_checked = BooleanField(_l("名次与奖项已核对"))
    version = HiddenField()
