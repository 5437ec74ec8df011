"""Forms for entering a policy version, a new policy, importing a file and deciding on one.

The forms check shape (dates, numbers, required citation parts); the policy file they make
is then checked by the strict reader, whose messages are shown next to the field concerned.
"""

from __future__ import annotations

import re
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    Form,
    FormField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from compapp import labels
from compapp.core.money import MoneyError, as_decimal
from compapp.core.vocab import GRADE_ORDER
from compapp.formtools import options
from compapp.policies.drafting import (
    CitedClause,
    PromotionRuleInput,
    PromotionVersionInput,
    ScheduleInput,
    TopUpInput,
    VersionInput,
)
from compapp.policy.categories import CATEGORIES
from compapp.policy.loader import MAX_AMOUNT

RESULT_FIELDS = ("gold", "silver", "bronze", "excellence", "prize_1", "prize_2", "prize_3")


class CheckboxList(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def category_choices():
    return options(
        (code, labels.category(code)) for code, c in CATEGORIES.items() if not c.rank_only
    )


def grade_choices():
    return options((code, labels.grade(code)) for code in GRADE_ORDER if code != "none")


def scope_choices():
    return options(
        [
            ("sent_by_jurisdiction", _l("本地选派的选手")),
            ("contests_run_by_jurisdiction", _l("本地主办的州（市）级竞赛的全部获奖选手")),
        ]
    )


def result_label(key: str) -> str:
    if key.startswith("prize_"):
        return labels.prize(int(key.removeprefix("prize_")))
    return labels.medal(key)


class CitationFields(Form):
    """The citation of a row: the document, its section and item, and the quoted sentence."""

    document = StringField(
        _l("所依据的文件（本政策文件以外的办法、细则，如《××办法》；留空为本文件）"),
        validators=[Optional(), Length(max=200)],
    )
    section = StringField(_l("章节"), validators=[Optional(), Length(max=60)])
    item = StringField(_l("条、款、项（如 第五条(一)）"), validators=[Optional(), Length(max=60)])
    quote = TextAreaField(_l("原文（逐字摘录该条款）"), validators=[Optional(), Length(max=4000)])


class ScheduleRowForm(CitationFields):
    """Fixed amounts per person for some contest categories, paid by one level."""

    categories = CheckboxList(_l("竞赛类别"), choices=category_choices, validate_choice=True)
    payer = SelectField(_l("承担"), choices=[], validate_choice=False)
    gold = StringField(_l("金牌"), validators=[Optional(), Length(max=20)])
    silver = StringField(_l("银牌"), validators=[Optional(), Length(max=20)])
    bronze = StringField(_l("铜牌"), validators=[Optional(), Length(max=20)])
    excellence = StringField(_l("优胜奖"), validators=[Optional(), Length(max=20)])
    prize_1 = StringField(_l("一等奖"), validators=[Optional(), Length(max=20)])
    prize_2 = StringField(_l("二等奖"), validators=[Optional(), Length(max=20)])
    prize_3 = StringField(_l("三等奖"), validators=[Optional(), Length(max=20)])
    coaching_team = SelectField(
        _l("教练团队"),
        choices=lambda: options(
            [("same_standard", _l("按同等标准奖励")), ("none", _l("不奖励教练团队"))]
        ),
    )
    applies_to = SelectField(_l("适用于"), choices=scope_choices)


class TopUpRowForm(CitationFields):
    """A percentage of the provincial amount added by the prefecture and the county."""

    categories = CheckboxList(_l("竞赛类别"), choices=category_choices, validate_choice=True)
    results = CheckboxList(
        _l("奖项"),
        choices=lambda: options((k, result_label(k)) for k in RESULT_FIELDS),
        validate_choice=False,
    )
    prefecture_percent = StringField(
        _l("州（市）级承担（省级金额的 %）"), validators=[Optional(), Length(max=10)]
    )
    county_percent = StringField(
        _l("县（市、区）级承担（省级金额的 %）"), validators=[Optional(), Length(max=10)]
    )
    coaching_team = SelectField(
        _l("教练团队"),
        choices=lambda: options(
            [("same_standard", _l("按同等标准奖励")), ("none", _l("不奖励教练团队"))]
        ),
    )


class VersionFormBase(FlaskForm):
    """What every new version has: a summary, its dates, a PDF; the kinds add their rows."""

    summary = StringField(
        _l("本次变更（一句话说明）"), validators=[DataRequired(), Length(max=300)]
    )
    effective_from = DateField(_l("施行日期（自）"), validators=[DataRequired()])
    effective_to = DateField(_l("截止日期（可不填）"), validators=[Optional()])
    date_assumed = BooleanField(_l("文件未载明施行日期，此日期为假定"))
    date_note = TextAreaField(
        _l("日期说明（假定日期时必填）"), validators=[Optional(), Length(max=1000)]
    )
    attachment = FileField(_l("文件原文（PDF，可选，不超过 5 MB）"))

    def version_input(self, citation: str):
        """Return (the kind's version input or None, {field id: message})."""
        raise NotImplementedError

    def check_dates(self, errors: dict) -> None:
        """Note in ``errors`` an assumed date without its reason, or an end before the start."""
        if self.date_assumed.data and not (self.date_note.data or "").strip():
            errors[self.date_note.id] = _l("假定日期须说明依据（例如文件只印年份）。")
        if self.effective_to.data and self.effective_to.data < self.effective_from.data:
            errors[self.effective_to.id] = _l("截止日期不能早于施行日期。")


class VersionForm(VersionFormBase):
    """A new version of an award policy: its amounts, top-ups and their citations."""

    schedule = FieldList(FormField(ScheduleRowForm), min_entries=3, max_entries=3)
    topup = FieldList(FormField(TopUpRowForm), min_entries=1, max_entries=1)

    def version_input(self, citation: str):
        return version_input(self, citation)


class NewPolicyForm(VersionForm):
    """A policy compapp does not know yet: its document and jurisdiction, then its version."""

    policy_id = StringField(
        _l("政策编号（字母地区缩写-年份-序号，如 bs-2022-9）"),
        validators=[DataRequired(), Length(max=40)],
    )
    title = StringField(_l("文件标题"), validators=[DataRequired(), Length(max=300)])
    short_title = StringField(
        _l("简称（引用时使用，如 保山方案）"), validators=[DataRequired(), Length(max=60)]
    )
    issuer = StringField(_l("发文机关"), validators=[DataRequired(), Length(max=120)])
    document_number = StringField(
        _l("文号（未印文号可不填）"), validators=[Optional(), Length(max=60)]
    )
    issued_on = DateField(_l("发布日期"), validators=[Optional()])
    jurisdiction_code = SelectField(_l("适用地区（州市或县区）"), choices=[], validate_choice=False)


class DateCorrectionForm(FlaskForm):
    """The corrected dates of one version (an assumed date found in the document, say)."""

    version_from = SelectField(_l("要更正的版本"), choices=[], validate_choice=False)
    summary = StringField(
        _l("本次变更（一句话说明）"), validators=[DataRequired(), Length(max=300)]
    )
    effective_from = DateField(_l("施行日期（自）"), validators=[DataRequired()])
    effective_to = DateField(_l("截止日期（可不填）"), validators=[Optional()])
    date_assumed = BooleanField(_l("文件未载明施行日期，此日期为假定"))
    date_note = TextAreaField(
        _l("日期依据（如 文件落款日期、发文通知）"), validators=[DataRequired(), Length(max=1000)]
    )
    attachment = FileField(_l("文件原文（PDF，可选，不超过 5 MB）"))


class ImportForm(FlaskForm):
    file = FileField(_l("政策文件（.toml）"))


class ReturnForm(FlaskForm):
    reason = TextAreaField(_l("退回理由"), validators=[DataRequired(), Length(max=2000)])


def _amount(field, errors: dict, *, percent: bool = False):
    """Return the field's value as a Decimal (None when empty); note a problem in ``errors``."""

    raw = (field.data or "").strip().replace(",", "").replace("，", "")
    if not raw:
        return None
    try:
        value = as_decimal(raw)
    except (MoneyError, ValueError, ArithmeticError):
        errors[field.id] = _l("请填写金额（元），如 30000 或 30000.50。")
        return None
    if value < 0:
        errors[field.id] = _l("金额不能为负数。")
        return None
    if percent and value > 100:
        errors[field.id] = _l("比例不能超过 100%。")
        return None
    if (not percent and value > MAX_AMOUNT) or value != value.quantize(Decimal("0.01")):
        errors[field.id] = _l("请填写不超过一千万元、最多两位小数的金额。")
        return None
    return value


def _cited(row, errors: dict):

    for name, message in (
        ("item", _l("请写明条、款、项。")),
        ("quote", _l("请逐字摘录该条款的原文：每个金额都须注明出处。")),
    ):
        if not (row[name].data or "").strip():
            errors[row[name].id] = message
    return CitedClause(
        (row.document.data or "").strip(),
        (row.section.data or "").strip(),
        (row.item.data or "").strip(),
        (row.quote.data or "").strip(),
    )


def _schedule_inputs(form: VersionForm, errors: dict) -> list:
    """Return the filled schedule rows as ScheduleInputs, noting problems in ``errors``."""

    schedules = []
    for slot, entry in enumerate(form.schedule):
        row = entry.form
        amounts = {k: _amount(row[k], errors) for k in RESULT_FIELDS}
        amounts = {k: v for k, v in amounts.items() if v is not None}
        filled = row.categories.data or amounts or (row.quote.data or "").strip()
        if not filled and not any(row[k].data for k in RESULT_FIELDS):
            continue
        if not row.categories.data:
            errors[row.categories.id] = _l("请选择至少一个竞赛类别。")
        if not amounts and not any(row[k].id in errors for k in RESULT_FIELDS):
            errors[row.gold.id] = _l("请至少填写一个奖项的金额。")
        schedules.append(
            ScheduleInput(
                slot,
                tuple(row.categories.data or ()),
                row.payer.data,
                amounts,
                row.coaching_team.data,
                row.applies_to.data,
                _cited(row, errors),
            )
        )
    return schedules


def _topup_inputs(form: VersionForm, errors: dict) -> list:
    """Return the filled top-up rows as TopUpInputs, noting problems in ``errors``."""

    topups = []
    for slot, entry in enumerate(form.topup):
        row = entry.form
        shares = [
            (payer, _amount(row[f"{payer}_percent"], errors, percent=True))
            for payer in ("prefecture", "county")
        ]
        shares = [(p, v) for p, v in shares if v]
        if not (row.categories.data or shares or (row.quote.data or "").strip()):
            continue
        if not row.categories.data:
            errors[row.categories.id] = _l("请选择至少一个竞赛类别。")
        if not row.results.data:
            errors[row.results.id] = _l("请选择追加奖励的奖项。")
        if not shares and row.prefecture_percent.id not in errors:
            errors[row.prefecture_percent.id] = _l("请填写州（市）级或县级承担的比例。")
        topups.append(
            TopUpInput(
                slot,
                tuple(row.categories.data or ()),
                tuple(k for k in RESULT_FIELDS if k in (row.results.data or ())),
                tuple(shares),
                row.coaching_team.data,
                _cited(row, errors),
            )
        )
    return topups


def version_input(form: VersionForm, citation: str):
    """Return (VersionInput or None, {field id: message}) from a submitted version form."""

    errors: dict = {}
    schedules = _schedule_inputs(form, errors)
    topups = _topup_inputs(form, errors)
    if not schedules and not topups:
        errors[form.schedule[0].form.categories.id] = _l(
            "请至少填写一行奖励金额或追加比例，并注明出处。"
        )
    form.check_dates(errors)
    if errors:
        return None, errors
    return (
        VersionInput(
            form.effective_from.data,
            form.effective_to.data,
            bool(form.date_assumed.data),
            (form.date_note.data or "").strip(),
            tuple(schedules),
            tuple(topups),
            citation,
        ),
        errors,
    )


# --- promotion rules ------------------------------------------------------------------------

BAND_FIELDS = ("individual", "pair", "trio")
_BAND_RE = re.compile(r"^\s*(\d{1,5})\s*(?:[-–—~至到]\s*(\d{1,5}))?\s*$")


class PromotionRuleForm(Form):
    """One row of a promotion table: categories, rank bands per format, grades, its quote."""

    item = StringField(_l("条、款、项（如 (1)）"), validators=[Optional(), Length(max=60)])
    categories = CheckboxList(
        _l("竞赛类别"),
        choices=lambda: options((code, labels.category(code)) for code in CATEGORIES),
        validate_choice=True,
    )
    applies_to = SelectField(_l("适用于"), choices=scope_choices)
    individual = StringField(
        _l("单人赛项名次（如 1-3；不适用留空）"), validators=[Optional(), Length(max=20)]
    )
    pair = StringField(_l("双人赛项名次（如 1-2）"), validators=[Optional(), Length(max=20)])
    trio = StringField(_l("三人赛项名次（如 1）"), validators=[Optional(), Length(max=20)])
    target = SelectField(_l("晋升至"), choices=grade_choices)
    if_at_target = SelectField(_l("已是该等级的，晋升至"), choices=grade_choices)
    title = StringField(
        _l("同时授予的称号（限职工身份的选手，须经核准；可不填）"),
        validators=[Optional(), Length(max=60)],
    )
    quote = TextAreaField(_l("原文（逐字摘录该条款）"), validators=[Optional(), Length(max=4000)])


class PromotionVersionForm(VersionFormBase):
    """A new version of a promotion rule: its rules and their citations."""

    rule = FieldList(FormField(PromotionRuleForm), min_entries=4, max_entries=4)

    def version_input(self, citation: str):
        return promotion_version_input(self, citation)


def _bands(row, errors: dict) -> dict[str, tuple[int, int]]:
    """Return the row's rank bands; note a band that is not "first-last" in ``errors``."""
    bands = {}
    for name in BAND_FIELDS:
        raw = (row[name].data or "").strip()
        if not raw:
            continue
        found = _BAND_RE.match(raw)
        if found is None:
            errors[row[name].id] = _l("请写名次范围，如 1-3 或 1。")
            continue
        first = int(found.group(1))
        bands[name] = (first, int(found.group(2) or first))
    return bands


def _promotion_rule(row, errors: dict):
    """Return the row as a PromotionRuleInput, or None when it is left empty."""

    bands = _bands(row, errors)
    quote = (row.quote.data or "").strip()
    item = (row.item.data or "").strip()
    if not (row.categories.data or bands or quote or item) and not any(
        row[name].id in errors for name in BAND_FIELDS
    ):
        return None
    if not row.categories.data:
        errors[row.categories.id] = _l("请选择至少一个竞赛类别。")
    if not bands and not any(row[name].id in errors for name in BAND_FIELDS):
        errors[row.individual.id] = _l("请至少填写一种赛项的名次范围。")
    if not item:
        errors[row.item.id] = _l("请写明条、款、项。")
    if not quote:
        errors[row.quote.id] = _l("请逐字摘录该条款的原文。")
    return PromotionRuleInput(
        clause=item,
        categories=tuple(row.categories.data or ()),
        bands=bands,
        target=row.target.data,
        if_at_target=row.if_at_target.data,
        quote=quote,
        title=(row.title.data or "").strip(),
        applies_to=row.applies_to.data,
    )


def promotion_version_input(form: PromotionVersionForm, citation: str):
    """Return (PromotionVersionInput or None, {field id: message}) from a submitted form."""

    errors: dict = {}
    rules = [_promotion_rule(entry.form, errors) for entry in form.rule]
    rules = [rule for rule in rules if rule is not None]
    if not rules:
        errors[form.rule[0].form.categories.id] = _l("请至少填写一条晋升规则，并注明出处。")
    form.check_dates(errors)
    if errors:
        return None, errors
    version = PromotionVersionInput(
        form.effective_from.data,
        form.effective_to.data,
        bool(form.date_assumed.data),
        (form.date_note.data or "").strip(),
        tuple(rules),
        citation,
    )
    return version, errors
