"""Bank details of a payee (开户行 and account number): normalising, checking, masking.

Pure: no web framework, no database. Messages are Chinese msgids translated where shown.
A personal account in China is a debit card (16–19 digits) or a passbook account (up to 25
digits in some banks); anything outside 12–30 digits, or with letters, cannot be paid.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from compapp.core.messages import N_

ACCOUNT_MIN, ACCOUNT_MAX = 12, 30
BANK_NAME_MAX, BRANCH_MAX = 60, 80
# A bank's name says what it is: 中国农业银行, 云南省农村信用社, 云南红塔银行, 农村信用合作联社.
BANK_WORDS = ("银行", "信用社", "信用合作", "农信")
_SEPARATORS = re.compile(r"[\s\-－—_]+")


@dataclass(frozen=True)
class BankDetails:
    """What a bank needs to pay a person: the bank, the branch (开户行) and the account number."""

    bank_name: str
    branch: str
    account_number: str


def normalise_account(text: str) -> str:
    """Drop the spaces and dashes people type between groups of digits; full-width digits too."""
    value = (text or "").translate({0xFF10 + d: ord("0") + d for d in range(10)})
    return _SEPARATORS.sub("", value.strip())


def account_problem(text: str) -> str | None:
    """Why ``text`` is no account number a bank can pay into (a msgid), or None when it is."""
    value = normalise_account(text)
    if not value:
        return N_("请填写银行账号。")
    if not value.isdigit() or not value.isascii():
        return N_("银行账号只能由数字组成（可用空格分组）。")
    if not ACCOUNT_MIN <= len(value) <= ACCOUNT_MAX:
        return N_("银行账号应为 12 到 30 位数字（借记卡一般为 16–19 位），请核对。")
    return None


def bank_problems(bank_name: str, branch: str, account_number: str) -> dict[str, str]:
    """Every problem of a set of bank details, by field (msgids); empty when they can be paid."""
    problems: dict[str, str] = {}
    name = (bank_name or "").strip()
    if not name:
        problems["bank_name"] = N_("请填写开户银行（如：中国农业银行）。")
    elif len(name) > BANK_NAME_MAX or not any(word in name for word in BANK_WORDS):
        problems["bank_name"] = N_(
            "开户银行应为银行或信用社的名称（如：中国农业银行），不超过 60 字。"
        )
    branch_text = (branch or "").strip()
    if not branch_text:
        problems["branch"] = N_("请填写开户网点（如：德钦县支行）。")
    elif len(branch_text) > BRANCH_MAX:
        problems["branch"] = N_("开户网点不超过 80 字。")
    problem = account_problem(account_number)
    if problem:
        problems["account_number"] = problem
    return problems


def clean_bank_details(bank_name: str, branch: str, account_number: str) -> BankDetails:
    """The details as stored: trimmed names, the account number as bare digits."""
    return BankDetails(bank_name.strip(), branch.strip(), normalise_account(account_number))


def mask_account(number: str) -> str:
    """Show only the last four digits, grouped as printed on cards: ``**** **** **** 1234``."""
    value = normalise_account(number)
    if len(value) <= 4:
        return "*" * len(value)
    # Always three masked groups, so the mask does not tell the number's length either.
    return "**** **** **** " + value[-4:]


def group_account(number: str) -> str:
    """The full number in groups of four, as a bank clerk reads it: ``6228 4801 2345 6789``."""
    value = normalise_account(number)
    return " ".join(value[i : i + 4] for i in range(0, len(value), 4))
