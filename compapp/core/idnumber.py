"""Resident identity numbers (GB 11643-1999): check digit, masking."""

from __future__ import annotations

import re
from datetime import date

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
_PATTERN = re.compile(r"^\d{17}[\dX]$")


def normalise_id_number(text: str) -> str:
    """Strip spaces and upper-case a trailing x."""
    return (text or "").strip().replace(" ", "").upper()


def check_digit(first17: str) -> str:
    """Return the GB 11643 check character for the first 17 digits."""
    total = sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True))
    return _CHECK[total % 11]


def id_number_problem(text: str) -> str | None:
    """Return why ``text`` is not a valid 18-character ID number, or None when it is.

    The reason is a short English key: ``length``, ``characters``, ``birth_date``, ``check_digit``.
    """
    value = normalise_id_number(text)
    if len(value) != 18:
        return "length"
    if not _PATTERN.match(value):
        return "characters"
    try:
        date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return "birth_date"
    if check_digit(value[:17]) != value[17]:
        return "check_digit"
    return None


def mask_id_number(text: str) -> str:
    """Show the first four and last four characters only: ``5334**********123X``."""
    value = normalise_id_number(text)
    if len(value) <= 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def make_id_number(first17: str) -> str:
    """Complete 17 digits with their check character (used by demo data and tests)."""
    return first17 + check_digit(first17)
