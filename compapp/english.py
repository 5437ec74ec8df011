"""English readings of the sentences compapp stores in Chinese (award explanations, notices,
citations, placings, promotion reasons), for pages shown in English.

The stored sentences are the record (what was computed and filed, in the office's language);
an English page reads them through ``english()``: each known sentence shape is rewritten with
its proper names (jurisdictions, documents, 文号, clause numbers) left as they are. Category,
result and grade names go through the message catalogue like every other label.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from flask_babel import get_locale
from flask_babel import gettext as _

from compapp.core.vocab import GRADE_NAMES
from compapp.policy.categories import CATEGORY_NAMES, FORMAT_NAMES
from compapp.policy.english import english_twin

AMOUNT = r"¥[\d,]+(?:\.\d+)?"


def _t(text: str) -> str:
    """The catalogue's English for a Chinese label (itself when it has none)."""
    return _(text) if text else text


def _ordinal(n: str) -> str:
    number = int(n)
    suffix = (
        "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    )
    return f"{number}{suffix}"


def _names(values) -> str:
    return "|".join(sorted((re.escape(str(v)) for v in values if v), key=len, reverse=True))


RESULT_NAMES = ("金牌", "银牌", "铜牌", "优胜奖", "一等奖", "二等奖", "三等奖")
_CATEGORY = _names(CATEGORY_NAMES.values())
_RESULT = _names(RESULT_NAMES)
_FORMAT = _names(FORMAT_NAMES.values())
_GRADE = _names(GRADE_NAMES.values())


def _standard(m: re.Match) -> str:
    jurisdiction = m.group("jur")
    return "Provincial standard" if not jurisdiction else f"{jurisdiction} standard"


def _coach(m: re.Match) -> str:
    return "Coaching team at the same standard: " if m.group("coach") else ""


def _placing(m: re.Match) -> str:
    tie = " (tied)" if m.groupdict().get("tie") else ""
    return f"{_t(m.group('fmt'))}, {_ordinal(m.group('n'))} place{tie}"


# (pattern, replacement) applied in order; a replacement is a function of the match.
RULES: list[tuple[re.Pattern, Callable[[re.Match], str]]] = [
    # Award explanations (compapp/rewards/rules.py _add_fixed, _add_topup; honours/rules.py).
    (
        re.compile(
            rf"(?P<coach>教练团队按同等标准：)?(?:省级标准|(?P<jur>[^：\s]+?)标准)："
            rf"(?P<cat>{_CATEGORY})(?P<res>{_RESULT})每人 (?P<amt>{AMOUNT})，(?P<payer>[^，。]+?)承担"
        ),
        lambda m: (
            f"{_coach(m)}{_standard(m)}: {_t(m.group('cat'))}, {_t(m.group('res'))}, "
            f"{m.group('amt')} each, paid by {m.group('payer')}"
        ),
    ),
    (
        re.compile(
            rf"(?P<coach>教练团队按同等标准：)?省级标准 (?P<base>{AMOUNT}) × (?P<pct>[\d.]+)% = "
            rf"(?P<amt>{AMOUNT})，(?P<payer>[^，。]+?)承担"
        ),
        lambda m: (
            f"{_coach(m)}provincial standard {m.group('base')} × {m.group('pct')}% = "
            f"{m.group('amt')}, paid by {m.group('payer')}"
        ),
    ),
    (
        re.compile(
            rf"省级标准：(?P<honour>[^：，]+?)每人一次性奖励 (?P<amt>{AMOUNT})，(?P<payer>[^，。]+?)承担"
        ),
        lambda m: (
            f"Provincial standard: {_t(m.group('honour'))}, a one-off award of "
            f"{m.group('amt')} each, paid by {m.group('payer')}"
        ),
    ),
    # Notices (compapp/rewards/rules.py _explain_missing_local).
    (
        re.compile(
            r"compapp 未配置(?P<p>[^，。：]+?)或(?P<c>[^，。：]+?)的本地奖励政策：以上只计省级奖励。"
        ),
        lambda m: (
            f"compapp has no local award policy of {m.group('p')} or {m.group('c')}: "
            "only the provincial award is counted above."
        ),
    ),
    (
        re.compile(
            r"本赛事由(?P<n>[^；]+?)主办；compapp 未配置(?P=n)的竞赛奖励政策，因此没有计算州（市）级竞赛奖励。"
        ),
        lambda m: (
            f"This contest was organised by {m.group('n')}; compapp has no contest award "
            f"policy of {m.group('n')}, so no prefecture contest award was computed."
        ),
    ),
    # Citations (compapp/policy/citations.py): the document's reference stays as printed.
    (
        re.compile(r"（(?P<num>[^，（）]+?)，据(?P<by>.+?)转述）"),
        lambda m: f" ({_number(m.group('num'))}, as restated in {m.group('by')})",
    ),
    (re.compile(r"（未印文号）"), lambda m: " (no document number) "),
    (re.compile(r"未印文号"), lambda m: "no document number"),
    (re.compile(r"，按 compapp 读法"), lambda m: ", as compapp reads it"),
    (re.compile(r"按 compapp 读法"), lambda m: "as compapp reads it"),
    # Placings (compapp/promotion/services.py placing_text, finance/roster.py placing_text).
    (
        re.compile(rf"^(?P<fmt>{_FORMAT})第 (?P<n>\d+) 名(?P<tie>（并列）)?$"),
        _placing,
    ),
    (
        re.compile(rf"^第 (?P<n>\d+) 名(?: (?P<res>{_RESULT}|—))?$"),
        lambda m: (
            f"{_ordinal(m.group('n'))} place"
            + (f", {_t(m.group('res')).lower()}" if m.group("res") not in (None, "—") else "")
        ),
    ),
    # Notices of the award computation (compapp/rewards/rules.py).
    (
        re.compile(
            rf"^按 (?P<d>[\d-]+) 施行且已配置的政策（已核对：(?P<docs>[^）]*)），"
            rf"(?P<cat>{_CATEGORY})(?P<res>{_RESULT})没有现金奖励。$"
        ),
        lambda m: (
            f"Under the policies in force on {m.group('d')} that compapp holds (checked: "
            f"{'none' if m.group('docs') == '无' else m.group('docs')}), {_t(m.group('cat'))}, "
            f"{_t(m.group('res')).lower()} carries no cash award."
        ),
    ),
    (
        re.compile(r"^(?P<doc>.+?)的施行日期 (?P<d>[\d-]+) 是假定的："),
        lambda m: f"The date of effect of {m.group('doc')}, {m.group('d')}, is assumed: ",
    ),
    (
        re.compile(
            rf"^(?P<d>[\d-]+) 施行的省级政策未规定(?P<cat>{_CATEGORY})(?P<res>{_RESULT})的奖励金额，"
            r"未计省级奖励。有此规定的版本：(?P<v>.+)。$"
        ),
        lambda m: (
            f"The provincial policy in force on {m.group('d')} sets no amount for "
            f"{_t(m.group('cat'))}, {_t(m.group('res')).lower()}: no provincial award is counted. "
            f"Versions that set one: {m.group('v')}."
        ),
    ),
    (
        re.compile(
            r"^(?P<j>[^的]+)的(?P<doc>.+?)施行期为 (?P<p>.+?)，不适用于 (?P<d>[\d-]+) 的获奖，未计其奖励。$"
        ),
        lambda m: (
            f"{m.group('doc')} of {m.group('j')} is in force {m.group('p')}; it does not "
            f"apply to an award of {m.group('d')}, so its award is not counted."
        ),
    ),
    # Dates of documents as the policy data gives them (compapp/policy/data/*.toml).
    (
        re.compile(r"(?P<y>\d{4})年（来源文件未载明具体日期）"),
        lambda m: f"{m.group('y')} (the source gives no exact date)",
    ),
    (
        re.compile(r"(?P<y>\d{4})年（来源文件只印年份）"),
        lambda m: f"{m.group('y')} (the source prints the year only)",
    ),
    (
        re.compile(r"(?P<y>\d{4})年（来源文件只引用文号，未载明日期）"),
        lambda m: f"{m.group('y')} (the source cites its document number only, with no date)",
    ),
    (
        re.compile(
            r"来源文件未载明该文件的成文或施行日期，compapp 假定自 "
            r"(?P<y>\d{4})年(?P<m>\d{1,2})月(?P<d>\d{1,2})日起施行。"
        ),
        lambda m: (
            "the source states neither when the document was made nor when it took "
            f"effect; compapp assumes {_iso(m)}."
        ),
    ),
    (
        re.compile(
            r"来源文件只(?P<what>印年份|引用文号)（(?P<num>[^）]+)），未载明日期；compapp 假定自 "
            r"(?P<y>\d{4})年(?P<m>\d{1,2})月(?P<d>\d{1,2})日起施行。"
        ),
        lambda m: (
            (
                "the source prints the year only"
                if m.group("what") == "印年份"
                else "the source cites the document by its number only"
            )
            + f" ({m.group('num')}), with no date; compapp assumes {_iso(m)}."
        ),
    ),
    # A version's period (compapp/policy/model.py PolicyVersion.period_text).
    (
        re.compile(r"(?P<a>\d{4}-\d\d-\d\d) 至 (?P<b>\d{4}-\d\d-\d\d)"),
        lambda m: f"{m.group('a')} to {m.group('b')}",
    ),
    (re.compile(r"(?P<a>\d{4}-\d\d-\d\d) 起(?!施行)"), lambda m: f"from {m.group('a')}"),
    (re.compile(r"（假定日期）"), lambda m: " (date assumed)"),
    (re.compile(r"(?P<m>\d{1,2}) 月$"), lambda m: _month(m.group("m"))),
    (re.compile(r"^演示数据$"), lambda m: "demo data"),
    # Why awards were computed (the reason stored with a computation, rewards.entries and
    # contests.services; an import stores 成绩录入 too).
    (re.compile(r"^成绩录入$"), lambda m: "result entered"),
    (re.compile(r"^成绩修改$"), lambda m: "result changed"),
    (re.compile(r"^赛事信息变更$"), lambda m: "contest details changed"),
    # A holder's role on certificate lists.
    (re.compile(r"（选手）"), lambda m: " (competitor)"),
    (re.compile(r"（教练）"), lambda m: " (coach)"),
    # Single labels stored as text (certificate snapshots: result, holder role, grade).
    (
        re.compile(rf"^(?:{_RESULT}|{_CATEGORY}|{_GRADE}|{_FORMAT}|选手|教练)$"),
        lambda m: _t(m.group(0)),
    ),
]


MONTHS = "January February March April May June July August September October November December"


def _iso(m: re.Match) -> str:
    return f"{m.group('y')}-{int(m.group('m')):02d}-{int(m.group('d')):02d}"


def _month(number: str) -> str:
    return MONTHS.split()[int(number) - 1] if 1 <= int(number) <= 12 else number


def _number(text: str) -> str:
    return "no document number" if text == "未印文号" else text


def _band(fmt: str, ranks: str) -> str:
    return f"{_t(fmt).lower()}, place{'s' if '–' in ranks else ''} {ranks}"


_G = rf"(?P<g>{_GRADE})"
# Promotion reasons (compapp/promotion/rules.py) are built of these pieces, in this order.
REASON_RULES: list[tuple[re.Pattern, Callable[[re.Match], str]]] = [
    (
        re.compile(rf"(?P<cat>{_CATEGORY})(?P<fmt>{_FORMAT})决赛第 (?P<n>\d+) 名"),
        lambda m: (
            f"{_ordinal(m.group('n'))} place in the {_t(m.group('fmt')).lower()} final "
            f"({_t(m.group('cat'))})"
        ),
    ),
    (
        re.compile(rf"（(?P<fmt>{_FORMAT})第 (?P<r>\d+(?:–\d+)?) 名）"),
        lambda m: f" ({_band(m.group('fmt'), m.group('r'))})",
    ),
    (
        re.compile(rf"第(?P<c>\(\d+\))项(?P<fmt>{_FORMAT})第 (?P<r>\d+(?:–\d+)?) 名"),
        lambda m: f"item {m.group('c')}: {_band(m.group('fmt'), m.group('r'))}",
    ),
    (re.compile(r"，属"), lambda m: ", under "),
    (
        re.compile(r"；综合性大赛本身就是同级一类竞赛，按一类竞赛的规定办理"),
        lambda m: (
            "; a comprehensive contest is itself a Class I contest of its level and is "
            "treated as one"
        ),
    ),
    (
        re.compile(rf"可由(?P<a>{_GRADE})破格晋升为(?P<b>{_GRADE})（越过(?P<s>[^）]+)）。"),
        lambda m: (
            f"may be promoted from {_t(m.group('a'))} to {_t(m.group('b'))} as an exception, "
            f"skipping {', '.join(_t(x) for x in m.group('s').split('、'))}. "
        ),
    ),
    (
        re.compile(rf"可由(?P<a>{_GRADE})晋升为(?P<b>{_GRADE})。"),
        lambda m: f"may be promoted from {_t(m.group('a'))} to {_t(m.group('b'))}. ",
    ),
    (
        re.compile(rf"选手已有(?P<a>{_GRADE})，按本项可晋升为(?P<b>{_GRADE})。"),
        lambda m: (
            f"the competitor already holds {_t(m.group('a'))}; under this item they may be "
            f"promoted to {_t(m.group('b'))}. "
        ),
    ),
    (
        re.compile(rf"本项可晋升(?P<a>{_GRADE})，已有(?P=a)的晋升为(?P<b>{_GRADE})"),
        lambda m: (
            f"this item promotes to {_t(m.group('a'))}, and from {_t(m.group('a'))} to "
            f"{_t(m.group('b'))}"
        ),
    ),
    (
        re.compile(rf"；选手已是最高等级(?P<a>{_GRADE})，无可晋升的等级，不符合晋升条件。"),
        lambda m: (
            f"; the competitor already holds the highest grade, {_t(m.group('a'))}: not eligible."
        ),
    ),
    (
        re.compile(
            rf"；选手现有等级(?P<a>{_GRADE})已高于本项的目标等级(?P<b>{_GRADE})，"
            "本项不能使其再晋升，不符合晋升条件。"
        ),
        lambda m: (
            f"; the competitor's grade {_t(m.group('a'))} is above this item's target "
            f"{_t(m.group('b'))}, so this item cannot promote them: not eligible."
        ),
    ),
    (
        re.compile(r"“(?P<t>[^”]+)”称号仅授予身份为职工的选手，本选手不适用。"),
        lambda m: (
            f"The title “{m.group('t')}” goes to employees only; it does not apply to "
            "this competitor."
        ),
    ),
    (
        re.compile(r"选手身份为职工，经核准可授予“(?P<t>[^”]+)”称号并颁发证书。"),
        lambda m: (
            f"The competitor is an employee: once approved, the title “{m.group('t')}” "
            "may be conferred with its certificate."
        ),
    ),
    (
        re.compile(r"可授予“(?P<t>[^”]+)”称号并颁发证书。"),
        lambda m: f"The title “{m.group('t')}” may be conferred with its certificate.",
    ),
    (
        re.compile(
            r"不在(?P<s>[^，。]+?)规定的可晋升名次范围内（(?P<r>[^）]*)），不符合晋升条件。"
        ),
        lambda m: (
            f" is outside the places {m.group('s')} promotes ("
            f"{m.group('r').replace('；', '; ')}): not eligible."
        ),
    ),
    (
        re.compile(r"(?P<who>本赛事由(?P<o>[^，]+)主办，)?未配置晋升规则：(?P<st>.+)。$"),
        lambda m: (
            (f"This contest was organised by {m.group('o')}; " if m.group("who") else "")
            + f"no promotion rules apply: {_stated(m.group('st'))}."
        ),
    ),
]


def _stated(text: str) -> str:
    if text == "尚未录入任何晋升政策":
        return "no promotion policy has been entered yet"
    parts = []
    for piece in text.split("；"):
        found = re.fullmatch(r"仅(?P<p>.+?)选送的选手适用(?P<t>.+)", piece)
        run = re.fullmatch(r"只有(?P<p>.+?)主办的州级竞赛适用(?P<t>.+)", piece)
        if found:
            parts.append(
                f"{found.group('t')} applies only to competitors sent by {found.group('p')}"
            )
        elif run:
            parts.append(
                f"{run.group('t')} applies only to prefecture contests run by {run.group('p')}"
            )
        else:
            parts.append(piece)
    return "; ".join(parts)


def reason_english(text: str) -> str:
    """A promotion case's reason read in English."""
    for pattern, replace in REASON_RULES:
        text = pattern.sub(replace, text)
    text = english(text).replace("，", ", ").replace("；", "; ")
    return re.sub(r"\s+([.,;:])", r"\1", re.sub(r" {2,}", " ", text)).strip()


def shown_reason(text):
    if text and str(get_locale()) == "en":
        return reason_english(str(text))
    return text


def english(text) -> str:
    """``text`` read in English: every known stored-sentence shape rewritten."""
    if not isinstance(text, str) or not text:
        return text
    twin = english_twin(text)  # a policy file's own sentence (a notice) with its English
    if twin is not None:
        return twin
    for pattern, replace in RULES:
        text = pattern.sub(replace, text)
    return text


def shown(text):
    """``text`` as the current page language reads it (stored Chinese on Chinese pages)."""
    if text and str(get_locale()) == "en":
        return english(str(text))
    return text


def recorded(step) -> str:
    """A recorded step (a computation's trace) as the page's language reads it.

    A step is stored as [msgid, values] (compapp.core.messages): the catalog gives its
    sentence and each value reads through the catalog (labels) and ``shown`` (stored
    sentences, policy notices), names and numbers kept. A step stored as plain text by an
    older compapp (before steps were kept as msgid and values) is returned as it was written.
    """
    if isinstance(step, list | tuple) and len(step) == 2 and isinstance(step[0], str):
        msgid, values = step
        return _(msgid, **{k: _value(v) for k, v in (values or {}).items()})
    return step


def _value(value):
    if isinstance(value, str) and value:
        return shown(_(value))
    return value


def recorded_in_chinese(step) -> bool:
    """Whether ``step`` is plain text kept as written (Chinese) rather than msgid and values."""
    return not (isinstance(step, list | tuple) and len(step) == 2)
