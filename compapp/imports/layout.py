"""The results sheet's layout: its sheets and column headers (as the template writes them,
and the aliases organisers type), and what the cells of a column may say.

Pure: no Flask, no database. The template (``template``), the reader (``reading``) and the
rows' checks (``entries``) all take the layout from here.
"""

from __future__ import annotations

import re

from compapp.core.vocab import GRADE_NAMES

SHEET = "参赛组"
INSTRUCTIONS_SHEET = "填写说明"
OPTIONS_SHEET = "选项"
COACH_SLOTS = 4

OCCUPATION = "赛项（工种）"
FORMAT = "形式"
GROUP = "组号"
NAME = "选手姓名"
ID_NUMBER = "身份证号"
EMPLOYER = "工作单位"
EMPLOYEE = "是否职工"
GRADE = "现有等级"
COUNTY = "选派县（市、区）"
RANK = "名次"
TIE = "并列"
RESULT = "奖项"


BANK_NAME = "开户银行"
BRANCH = "开户网点"
ACCOUNT = "银行账号"


def coach_headers(slot: int) -> tuple[str, str, str]:
    """Return the name, role and share headers of coach ``slot`` (1-based)."""
    return f"教练{slot}", f"教练{slot}角色", f"教练{slot}比例（%）"


def coach_id_header(slot: int) -> str:
    """Return the ID-number header of coach ``slot``: coaches are told apart by it."""
    return f"教练{slot}身份证号码"


COACH_HEADERS = tuple(h for slot in range(1, COACH_SLOTS + 1) for h in coach_headers(slot))
COACH_ID_HEADERS = tuple(coach_id_header(slot) for slot in range(1, COACH_SLOTS + 1))


HEADERS: tuple[str, ...] = (
    OCCUPATION,
    FORMAT,
    GROUP,
    NAME,
    ID_NUMBER,
    EMPLOYER,
    EMPLOYEE,
    GRADE,
    COUNTY,
    RANK,
    TIE,
    RESULT,
    *COACH_HEADERS,
    # Later additions go at the end, so older files and templates keep their columns.
    *COACH_ID_HEADERS,
    BANK_NAME,
    BRANCH,
    ACCOUNT,
)
REQUIRED_HEADERS = (OCCUPATION, FORMAT, NAME, ID_NUMBER, COUNTY)
# Entry-level columns: the same on every row of a pair or trio (later rows may leave them empty).
ENTRY_HEADERS = (COUNTY, RANK, TIE, RESULT, *COACH_HEADERS, *COACH_ID_HEADERS)
# Headers organisers commonly type instead of the template's.
HEADER_ALIASES = {
    "赛项": OCCUPATION,
    "工种": OCCUPATION,
    "职业（工种）": OCCUPATION,
    "赛项形式": FORMAT,
    "姓名": NAME,
    "身份证号码": ID_NUMBER,
    "身份证": ID_NUMBER,
    "选派县": COUNTY,
    "选派单位": COUNTY,
    "选派单位（县、市、区）": COUNTY,
    "决赛名次": RANK,
    "是否并列": TIE,
    "企业职工": EMPLOYEE,
    "职工": EMPLOYEE,
    "等级": GRADE,
    "组别": GROUP,
}

FORMAT_VALUES = {
    "单人": "individual",
    "单人赛项": "individual",
    "individual": "individual",
    "双人": "pair",
    "双人赛项": "pair",
    "pair": "pair",
    "三人": "trio",
    "三人赛项": "trio",
    "trio": "trio",
}
RESULT_VALUES = {
    "金牌": "gold",
    "金": "gold",
    "银牌": "silver",
    "银": "silver",
    "铜牌": "bronze",
    "铜": "bronze",
    "优胜奖": "excellence",
    "一等奖": "prize_1",
    "二等奖": "prize_2",
    "三等奖": "prize_3",
}
ROLE_VALUES = {
    "教练": "coach",
    "技术指导": "technical_director",
    "翻译": "translator",
    "专家": "expert",
}
ROLE_LABELS = {v: k for k, v in ROLE_VALUES.items()}
YES = {"是", "Y", "YES", "TRUE", "1", "√", "✓"}
NO = {"否", "N", "NO", "FALSE", "0", ""}
GRADE_VALUES: dict[str, str] = {}
for _code, _zh in GRADE_NAMES.items():
    GRADE_VALUES[_zh] = _code
    for _part in _zh.split("/"):
        GRADE_VALUES[_part] = _code
GRADE_VALUES[""] = "none"


def canonical_header(text: str) -> str:
    """Normalise a header: no spaces, full-width brackets, known aliases mapped."""
    value = re.sub(r"\s+", "", str(text or ""))
    value = value.replace("(", "（").replace(")", "）").replace("％", "%")
    return HEADER_ALIASES.get(value, value)


def column_letter(index: int) -> str:
    """Return the spreadsheet letter of a 0-based column index (0 → A, 26 → AA)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters
