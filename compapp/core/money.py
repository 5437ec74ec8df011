"""Money in compapp: ``Decimal`` yuan in Python, integer fen in the database.

One rounding rule, in one place: each amount is rounded half-up to the fen
(POLICY.md §5.6). Floats are refused everywhere.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

FEN = Decimal("0.01")
_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_SMALL_UNITS = ("", "拾", "佰", "仟")
_BIG_UNITS = ("", "万", "亿", "万亿")


class MoneyError(ValueError):
    """An amount that is not exact money (a float, text that is no number, too many decimals)."""


def as_decimal(value: Decimal | int | str) -> Decimal:
    """Return ``value`` as a ``Decimal``; refuse floats and anything inexact."""
    if isinstance(value, bool) or isinstance(value, float):
        raise MoneyError(
            f"amount {value!r} must be a Decimal, an integer or a string, never a float"
        )
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, str):
        try:
            result = Decimal(value.strip().replace(",", ""))
        except InvalidOperation as exc:
            raise MoneyError(f"amount {value!r} is not a number") from exc
    else:
        raise MoneyError(f"amount {value!r} has unsupported type {type(value).__name__}")
    if not result.is_finite():
        raise MoneyError(f"amount {value!r} is not finite")
    return result


def round_fen(amount: Decimal | int | str) -> Decimal:
    """Round to the fen, half-up (the only rounding rule compapp uses)."""
    try:
        return as_decimal(amount).quantize(FEN, rounding=ROUND_HALF_UP)
    except InvalidOperation as exc:  # more digits than the decimal context holds
        raise MoneyError(f"amount {str(amount)[:40]!r} is too large") from exc


def to_fen(amount: Decimal | int | str) -> int:
    """Convert yuan to integer fen, rounding half-up to the fen."""
    return int(round_fen(amount) * 100)


def from_fen(fen: int) -> Decimal:
    """Convert integer fen to ``Decimal`` yuan with two decimals."""
    if isinstance(fen, bool) or not isinstance(fen, int):
        raise MoneyError(f"fen amount {fen!r} must be an integer")
    return (Decimal(fen) / 100).quantize(FEN)


def format_plain(amount: Decimal | int | str) -> str:
    """Format as the API does: yuan with exactly two decimals, no separators ("60000.00")."""
    return f"{round_fen(amount):.2f}"


def format_yuan(amount: Decimal | int | str, *, symbol: bool = True) -> str:
    """Format for people: "¥200,000.00" (or "200,000.00" without the symbol)."""
    value = round_fen(amount)
    text = f"{abs(value):,.2f}"
    sign = "-" if value < 0 else ""
    return f"{sign}¥{text}" if symbol else f"{sign}{text}"


def format_yuan_short(amount: Decimal | int | str) -> str:
    """Format whole amounts without fen ("¥200,000"), others with ("¥12.50")."""
    value = round_fen(amount)
    if value == value.to_integral_value():
        sign = "-" if value < 0 else ""
        return f"{sign}¥{abs(int(value)):,}"
    return format_yuan(value)


def _four_digits(number: int) -> str:
    """Write 0..9999 in capital numerals, with 零 for inner gaps."""
    digits = f"{number:04d}"
    out = []
    zero_pending = False
    started = False
    for position, char in enumerate(digits):
        digit = int(char)
        unit = _SMALL_UNITS[3 - position]
        if digit == 0:
            if started:
                zero_pending = True
            continue
        if zero_pending:
            out.append("零")
            zero_pending = False
        out.append(_DIGITS[digit] + unit)
        started = True
    return "".join(out)


def capital_numerals(amount: Decimal | int | str) -> str:
    """Write an amount in Chinese capital numerals (大写) as finance forms do.

    Example: 60000 → "人民币陆万元整"; 1234.56 → "人民币壹仟贰佰叁拾肆元伍角陆分".
    """
    value = round_fen(amount)
    prefix = "人民币"
    if value < 0:
        prefix = "人民币负"
        value = -value
    fen_total = int(value * 100)
    yuan, cents = divmod(fen_total, 100)
    jiao, fen = divmod(cents, 10)
    if yuan == 0 and cents == 0:
        return prefix + "零元整"
    parts: list[str] = []
    if yuan:
        groups = []
        rest = yuan
        while rest:
            rest, group = divmod(rest, 10000)
            groups.append(group)
        text = ""
        need_zero = False
        for index in range(len(groups) - 1, -1, -1):
            group = groups[index]
            if group == 0:
                need_zero = bool(text)
                continue
            if text and (need_zero or group < 1000):
                text += "零"
            text += _four_digits(group) + _BIG_UNITS[index]
            need_zero = False
        parts.append(text + "元")
    if cents == 0:
        parts.append("整")
    else:
        if jiao:
            parts.append(_DIGITS[jiao] + "角")
        elif yuan:
            parts.append("零")
        if fen:
            parts.append(_DIGITS[fen] + "分")
        else:
            parts.append("整")
    return prefix + "".join(parts)


def split_by_percent(total_fen: int, percents: list[int]) -> list[int]:
    """Split ``total_fen`` by whole percentages adding up to 100, in fen, summing exactly.

    Each part is rounded down; the fen left over go one each to the largest remainders
    (ties to the earlier part), so the parts always add up to the total (POLICY.md §5.2).
    """
    if sum(percents) != 100:
        raise ValueError(f"percentages add up to {sum(percents)}, not 100")
    exact = [total_fen * p for p in percents]
    parts = [value // 100 for value in exact]
    leftover = total_fen - sum(parts)
    order = sorted(range(len(parts)), key=lambda i: (-(exact[i] % 100), i))
    for i in order[:leftover]:
        parts[i] += 1
    return parts


def split_evenly(total_fen: int, count: int) -> list[int]:
    """Split ``total_fen`` into ``count`` parts that differ by at most one fen and add up exactly.

    The leftover fen go one each to the first parts (largest remainder with equal remainders).
    """
    if count < 1:
        raise ValueError("cannot split among no one")
    base, leftover = divmod(total_fen, count)
    return [base + (1 if i < leftover else 0) for i in range(count)]
