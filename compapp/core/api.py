"""What both calculator endpoints share: the error type and the checks of common fields.

Pure: the views decode JSON and pass the body and a county lookup in (CONTRACT.md).
Codes: 400 ``bad_request`` / ``missing_field``; 422 ``invalid_value`` (``field`` says which).
"""

from __future__ import annotations

import re
import reprlib
from collections.abc import Callable, Iterable
from datetime import date

from compapp.policy.categories import CATEGORIES, EVENT_FORMATS

# county code -> (county name, prefecture code, prefecture name), or None when unknown.
CountyLookup = Callable[[str], "tuple[str, str, str] | None"]
# organiser code -> (name, level "province" | "prefecture"), or None when it is neither.
OrganiserLookup = Callable[[str], "tuple[str, str] | None"]

_EXCERPT = reprlib.Repr()
_EXCERPT.maxlevel, _EXCERPT.maxstring, _EXCERPT.maxother = 2, 40, 40
_EXCERPT.maxlist = _EXCERPT.maxdict = _EXCERPT.maxtuple = 4


def excerpt(value: object) -> str:
    """Return a short excerpt of a received value for an error message (at most ~50
    characters, however long or deeply nested the value is): error bodies never echo a
    request back. Text is shown in Chinese quotes: “x”."""
    if isinstance(value, str):
        return "“" + (value if len(value) <= 40 else value[:40] + "…") + "”"
    return _EXCERPT.repr(value)


_ISO_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_COUNTY_RE = re.compile(r"^\d{6}$")


class ApiError(Exception):
    """A request the API refuses: HTTP status, machine code, offending field, and a sentence."""

    def __init__(self, status: int, code: str, field: str | None, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.field = field
        self.message = message

    def to_body(self) -> dict:
        """Return the JSON error body of CONTRACT.md."""
        return {"error": {"code": self.code, "field": self.field, "message": self.message}}


def invalid(field: str, message: str) -> ApiError:
    """A 422 for a value that is not allowed."""
    return ApiError(422, "invalid_value", field, message)


def require_fields(body: object, names: Iterable[str]) -> dict:
    """Return ``body`` if it is an object holding every named field (a null counts as missing)."""
    if not isinstance(body, dict):
        raise ApiError(400, "bad_request", None, "请求体必须是一个 JSON 对象。")
    for name in names:
        if body.get(name) is None:
            raise ApiError(400, "missing_field", name, f"缺少字段 {name}，请补充后重新提交。")
    return body


def parse_award_date(value: object) -> date:
    """A YYYY-MM-DD date (date.fromisoformat alone would also take "20240915")."""
    if isinstance(value, str) and _ISO_DATE_RE.match(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise invalid(
        "award_date",
        f"获奖日期 award_date 应为有效日期，格式 YYYY-MM-DD，收到 {excerpt(value)}。",
    )


def parse_category(value: object) -> str:
    """A category id of POLICY.md §3."""
    if not isinstance(value, str) or value not in CATEGORIES:
        raise invalid(
            "category",
            f"未知的赛事类别 {excerpt(value)}。请使用 POLICY 中的类别编号：{'、'.join(CATEGORIES)}。",
        )
    return value


def parse_event_format(value: object) -> str:
    """``individual``, ``pair`` or ``trio``."""
    if not isinstance(value, str) or value not in EVENT_FORMATS:
        raise invalid(
            "event_format", f"未知的赛项形式 {excerpt(value)}。请使用 individual、pair 或 trio。"
        )
    return value


def parse_county(value: object, lookup_county: CountyLookup) -> tuple[str, str, str, str]:
    """Return (county code, county name, prefecture code, prefecture name) of a known county."""
    found = lookup_county(value) if isinstance(value, str) and _COUNTY_RE.match(value) else None
    if found is None:
        raise invalid(
            "county",
            f"未知的选送县（市、区）代码 {excerpt(value)}。请填写 6 位行政区划代码，如 533422。",
        )
    return (value, *found)


def parse_organiser(
    body: dict, category: str, lookup_organiser: OrganiserLookup | None
) -> tuple[str | None, str]:
    """Return the optional ``organiser`` (code, name); (None, "") when the body has none.

    CONTRACT.md: 530000 for the province, a prefecture's code for a prefecture-tier contest;
    a county's code or an unknown code is 422. A contest of another tier is run by the
    province.
    """
    value = body.get("organiser")
    if value is None:
        return None, ""
    found = (
        lookup_organiser(value)
        if lookup_organiser is not None and isinstance(value, str) and _COUNTY_RE.match(value)
        else None
    )
    if found is None:
        raise invalid(
            "organiser",
            f"未知的主办单位代码 {excerpt(value)}。请填写云南省 530000，或主办州（市）级竞赛的"
            "州（市）的 6 位代码，如 533400；不能填写县（市、区）代码。",
        )
    name, level = found
    prefecture_tier = CATEGORIES[category].tier == "prefecture"
    if prefecture_tier and level != "prefecture":
        raise invalid(
            "organiser", f"州（市）级竞赛由州（市）主办：请填写主办州（市）的代码，而不是 {value}。"
        )
    if not prefecture_tier and level != "province":
        raise invalid(
            "organiser",
            f"{CATEGORIES[category].name}不是州（市）级竞赛：主办单位应为云南省 530000。",
        )
    return value, name
