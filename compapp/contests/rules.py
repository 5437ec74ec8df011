"""Pure checks on contests, events, entries and placements (POLICY.md §2–3).

Each check returns a list of ``Problem`` (field, message) and never raises, so the forms,
the bulk import and the API report every problem at once, in the user's language. Messages
are Chinese msgids; callers translate them with ``gettext``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from compapp.core.idnumber import id_number_problem
from compapp.core.messages import N_
from compapp.policy.categories import CATEGORIES, TEAM_SIZE, result_key

RESULT_KINDS = ("medals", "prizes", "rank_only")


@dataclass(frozen=True)
class Problem:
    """One validation problem: the field it belongs to, a message id and its parameters."""

    field: str
    message: str
    params: tuple[tuple[str, object], ...] = ()

    def text(self, translate=lambda s: s) -> str:
        """Return the message in the caller's language, parameters (problems too) filled in."""
        if not self.params:
            return translate(self.message)
        return translate(self.message) % {
            name: value.text(translate) if isinstance(value, Problem) else value
            for name, value in self.params
        }


def _problem(field: str, message: str, **params: object) -> Problem:
    return Problem(field, message, tuple(sorted(params.items())))


def check_contest_dates(starts_on: date, ends_on: date, award_on: date) -> list[Problem]:
    """A contest ends on or after it starts, and awards are decided on or after it starts."""
    problems = []
    if ends_on < starts_on:
        problems.append(_problem("ends_on", "结束日期不能早于开始日期。"))
    if award_on < starts_on:
        problems.append(_problem("award_on", "颁奖（成绩认定）日期不能早于开始日期。"))
    return problems


def allowed_result_kinds(category: str) -> tuple[str, ...]:
    """Return the result kinds an event of ``category`` may have (§3)."""
    entry = CATEGORIES[category]
    if entry.rank_only:
        return ("rank_only",)
    kinds = []
    if entry.medals:
        kinds.append("medals")
    if entry.prizes:
        kinds.append("prizes")
    return tuple(kinds)


def check_event(category: str, event_format: str, result_kind: str) -> list[Problem]:
    """An event's format is known and its result kind is one the category awards."""
    problems = []
    if event_format not in TEAM_SIZE:
        problems.append(_problem("format", "赛项形式只能是单人、双人或三人。"))
    allowed = allowed_result_kinds(category)
    if result_kind not in allowed:
        problems.append(_problem("result_kind", _KINDS_ALLOWED[allowed]))
    return problems


# What a category or an event awards, said in full so a refusal tells the user what to choose.
_KINDS_ALLOWED = {
    ("medals",): N_("该类赛事只设奖牌（金牌、银牌、铜牌、优胜奖），不设一、二、三等奖。"),
    ("rank_only",): N_("该类赛事只记名次，不设奖牌或一、二、三等奖。"),
    ("medals", "prizes"): N_("该类赛事设奖牌或一、二、三等奖，请选择其中一种。"),
}


def _result_refused(category: str, result_kind: str) -> str:
    """Why a placement's result is not one its event awards, and what the event does award."""
    if result_kind == "rank_only" or not result_choices(category, result_kind):
        return N_("本赛项只记名次，不设奖牌或一、二、三等奖。")
    if result_kind == "prizes":
        return N_("本赛项按一、二、三等奖评奖，不设奖牌。")
    if "excellence" not in result_choices(category, result_kind):
        return N_("本赛项设金牌、银牌、铜牌，不设优胜奖，也不设一、二、三等奖。")
    return N_("本赛项按奖牌评奖（金牌、银牌、铜牌、优胜奖），不设一、二、三等奖。")


def result_choices(category: str, result_kind: str) -> list[str]:
    """Return the result codes a placement may carry: "gold" …, "prize_1" …, or none."""
    entry = CATEGORIES[category]
    if result_kind == "medals":
        return list(entry.medals)
    if result_kind == "prizes":
        return [result_key(None, n) for n in entry.prizes]
    return []


def parse_result(code: str | None) -> tuple[str | None, int | None]:
    """Split a result code into (medal, prize): "gold" → ("gold", None), "prize_2" → (None, 2)."""
    if not code:
        return None, None
    if code.startswith("prize_"):
        return None, int(code.removeprefix("prize_"))
    return code, None


def check_team(event_format: str, id_numbers: Iterable[str]) -> list[Problem]:
    """The entry has exactly as many competitors as the format, each a different person."""
    numbers = [n for n in id_numbers if n]
    size = TEAM_SIZE[event_format]
    problems = []
    if len(numbers) != size:
        problems.append(
            _problem(
                "members",
                "本赛项每组应有 %(size)s 名选手，实际填写了 %(count)s 名。",
                size=size,
                count=len(numbers),
            )
        )
    if len(set(numbers)) != len(numbers):
        problems.append(_problem("members", "同一选手不能在一组中出现两次。"))
    return problems


ID_NUMBER_MESSAGES = {
    "length": N_("身份证号码应为 18 位。"),
    "characters": N_("身份证号码前 17 位应为数字，最后一位为数字或 X。"),
    "birth_date": N_("身份证号码中的出生日期无效。"),
    "check_digit": N_("身份证号码校验位不正确，请核对（GB 11643）。"),
}


def check_id_number(field: str, text: str) -> list[Problem]:
    """The ID number is 18 characters with a valid birth date and GB 11643 check digit."""
    problem = id_number_problem(text)
    return [_problem(field, ID_NUMBER_MESSAGES[problem])] if problem else []


def check_member(
    prefix: str,
    id_number: str,
    name: str,
    registered_name: str | None = None,
    entered_elsewhere: bool = False,
    reveal_name: bool = True,
) -> list[Problem]:
    """A team member has a valid ID number and a name, the one that number is registered under,
    and is in no other entry of the event.

    :param prefix: the member's field prefix ("members-0-").
    :param registered_name: the name a known competitor with this ID number has, if any.
    :param entered_elsewhere: whether the person is already in another entry of the event.
    :param reveal_name: whether the person may be named: not when only another organising
        body's contests know them (the number is matched, their details stay theirs).
    """
    problems = check_id_number(f"{prefix}id_number", id_number)
    if not name.strip():
        problems.append(_problem(f"{prefix}name", "请填写姓名。"))
    if problems:
        return problems
    if registered_name is not None and registered_name != name.strip():
        if reveal_name:
            problems.append(
                _problem(
                    f"{prefix}name",
                    "身份证号码已登记为“%(name)s”，姓名不一致；同一人不能登记两次。",
                    name=registered_name,
                )
            )
        else:
            problems.append(
                _problem(
                    f"{prefix}name",
                    "该身份证号码已登记在另一个姓名下，与所填姓名不一致。请向选手本人核对"
                    "身份证号码和姓名；同一人不能登记两次。",
                )
            )
    if entered_elsewhere:
        problems.append(_problem(f"{prefix}id_number", "该选手已在本赛项的另一参赛组中。"))
    return problems


def check_placement(
    category: str,
    result_kind: str,
    rank: int | None,
    is_tie: bool,
    result_code: str | None,
    other_ranks: Iterable[tuple[int, bool]],
) -> list[Problem]:
    """Ranks are ≥ 1 and unique in the event unless tied; the result is one the event awards.

    :param other_ranks: (rank, is_tie) of the event's other placements.
    """
    problems = []
    if rank is None or rank < 1:
        problems.append(_problem("rank", "名次必须是不小于 1 的整数。"))
    elif any(r == rank and not (is_tie and tied) for r, tied in other_ranks):
        problems.append(
            _problem(
                "rank", "第 %(rank)s 名已有其他参赛组；如为并列，请在两组都勾选“并列”。", rank=rank
            )
        )
    if result_code and result_code not in result_choices(category, result_kind):
        problems.append(_problem("result", _result_refused(category, result_kind)))
    return problems


def check_coach(
    prefix: str, name: str, id_number: str, registered_name: str | None = None
) -> list[Problem]:
    """A coaching-team member's ID number, when given, is valid and matches the name it is
    registered under: coaches are told apart by it, never by name (two may share a name).

    :param registered_name: the name of the coach already registered with this ID number.
    """
    if not id_number.strip():
        return []
    problems = check_id_number(f"{prefix}id_number", id_number)
    if not problems and registered_name is not None and registered_name != name.strip():
        problems.append(
            _problem(
                f"{prefix}name",
                "该身份证号码已登记为教练“%(name)s”，姓名不一致；同一人不能登记两次。",
                name=registered_name,
            )
        )
    return problems


def check_bar(prefix: str, name: str, until_on: date | None, reason: str = "") -> list[Problem]:
    """A competitor barred after a revoked award (for fraud) cannot be entered until the bar ends.

    :param until_on: the last day of the bar in force today, or None when there is none.
    """
    if until_on is None:
        return []
    return [
        _problem(
            f"{prefix}id_number",
            "%(name)s 因获奖被撤销（%(reason)s）被取消参赛资格至 %(until)s，不能录入新的参赛组。",
            name=name,
            reason=reason,
            until=until_on.isoformat(),
        )
    ]


# Better results first: a medal or prize with a smaller number should not have a worse rank.
RESULT_ORDER = {
    "gold": 1,
    "silver": 2,
    "bronze": 3,
    "excellence": 4,
    "prize_1": 1,
    "prize_2": 2,
    "prize_3": 3,
}


def check_result_order(
    rank: int | None, result_code: str | None, others: Iterable[tuple[int, str | None]]
) -> list[Problem]:
    """A question, not a refusal: a better result with a worse rank than another entry of the
    event (gold at rank 3 while silver is at rank 2) is usually a typing error.

    :param others: (rank, result code) of the event's other placements.
    """
    mine = RESULT_ORDER.get(result_code or "")
    if rank is None or mine is None:
        return []
    for other_rank, other_code in sorted(others, key=lambda o: o[0]):
        theirs = RESULT_ORDER.get(other_code or "")
        if theirs is None or theirs == mine:
            continue
        if (mine < theirs) == (rank > other_rank) and rank != other_rank:
            return [
                _problem(
                    "result",
                    "奖项与名次的先后不一致：第 %(rank)s 名的奖项与第 %(other)s 名的奖项次序相反。"
                    "请核对；如确实如此，请勾选“名次与奖项已核对”后再保存。",
                    rank=rank,
                    other=other_rank,
                )
            ]
    return []


def check_coach_shares(shares: Iterable[int | None]) -> list[Problem]:
    """Recorded shares of the coaching team's award add up to 100% (POLICY.md §5.2)."""
    given = [s for s in shares if s is not None]
    if given and sum(given) != 100:
        return [
            _problem(
                "coaches", "教练团队的分配比例合计应为 100%%，现为 %(total)s%%。", total=sum(given)
            )
        ]
    return []
