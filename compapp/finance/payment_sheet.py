"""Read a filled payment sheet (the roster's Excel with 支付凭证号 and 支付日期 filled in).

Pure: no Flask, no database. Bounded: the file is read as every upload is (streamed, capped,
at most MAX_ROWS rows); every refusal is a sentence naming the row.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime

from compapp.core.messages import N_
from compapp.imports.files import Refused, read_sheet

MAX_ROWS = 20_000
REF, VOUCHER, PAID_ON = "明细编号（勿改）", "支付凭证号", "支付日期"
# The same columns of a roster downloaded from an English page (the catalog's English of the
# three headings above; tests/finance/test_roster.py checks that they agree).
ENGLISH_HEADERS = {
    "Line numbers (do not edit)": REF,
    "Payment voucher number": VOUCHER,
    "Payment date": PAID_ON,
}


@dataclass
class PaymentRow:
    row: int
    line_ids: list[int]
    voucher: str
    paid_on: date


@dataclass
class PaymentSheet:
    rows: list[PaymentRow] = field(default_factory=list)
    # (row or None, msgid, params)
    problems: list[tuple[int | None, str, dict]] = field(default_factory=list)


def _date(value) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value or "").strip().replace("/", "-").replace(".", "-")
    match = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", text) or re.fullmatch(
        r"(\d{4})年(\d{1,2})月(\d{1,2})日", text
    )
    if not match:
        return None
    try:
        return date(*(int(g) for g in match.groups()))
    except ValueError:
        return None


def read_payment_sheet(data: bytes, default_date: date) -> PaymentSheet:
    """The rows with a voucher number: which lines they pay, with which voucher, on which day.

    The file is read as every upload is (compapp.imports.files: streamed, capped, never
    trusted); a file refused there is refused here with the same sentence.
    """

    sheet = PaymentSheet()
    if data[:4] != b"PK\x03\x04":
        sheet.problems.append((None, N_("请上传从本页下载的发放花名册 Excel（.xlsx）文件。"), {}))
        return sheet
    try:
        read = read_sheet(data, "发放花名册", (), MAX_ROWS)
    except Refused as refused:
        sheet.problems.append((None, refused.message, {"sheet": refused.sheet, **refused.params}))
        return sheet
    columns: dict[str, int] | None = None
    for number, values in read.records:
        cells = ["" if v is None else v for v in values]
        if columns is None:
            texts = [str(c).strip() for c in cells]
            texts = [ENGLISH_HEADERS.get(t, t) for t in texts]
            if REF in texts and VOUCHER in texts:
                columns = {h: texts.index(h) for h in (REF, VOUCHER, PAID_ON) if h in texts}
            continue
        _read_row(sheet, number, cells, columns, default_date)
    if columns is None:
        sheet.problems.append(
            (
                None,
                N_("文件中没有“明细编号（勿改）”和“支付凭证号”两列：请使用本页下载的发放花名册。"),
                {},
            )
        )
    return sheet


def _read_row(sheet: PaymentSheet, number: int, cells, columns, default_date: date) -> None:
    def cell(header):
        index = columns.get(header)
        return cells[index] if index is not None and index < len(cells) else ""

    raw_ref = cell(REF)
    if isinstance(raw_ref, float) and raw_ref.is_integer():
        raw_ref = int(raw_ref)  # a sheet saved again may hold "12" as the number 12
    ref, voucher = str(raw_ref).strip(), str(cell(VOUCHER)).strip()
    if not ref or not voucher:
        return  # totals, signatures, or a row not paid yet
    if not re.fullmatch(r"\d+(,\d+)*", ref):
        sheet.problems.append(
            (
                number,
                N_("第 %(row)s 行的明细编号“%(ref)s”被改动过，请使用下载时的原值。"),
                {"row": number, "ref": ref[:40]},
            )
        )
        return
    if len(voucher) > 80:
        sheet.problems.append(
            (number, N_("第 %(row)s 行的支付凭证号超过 80 字。"), {"row": number})
        )
        return
    raw_date = cell(PAID_ON)
    paid_on = _date(raw_date) if raw_date not in ("", None) else default_date
    if paid_on is None:
        sheet.problems.append(
            (
                number,
                N_("第 %(row)s 行的支付日期“%(value)s”无法识别，请填写如 2025-06-30。"),
                {"row": number, "value": str(raw_date)[:20]},
            )
        )
        return
    sheet.rows.append(PaymentRow(number, [int(x) for x in ref.split(",")], voucher, paid_on))
