"""Read the bytes of an uploaded workbook or CSV safely: streamed, capped, never trusted.

Pure: no Flask, no database. An .xlsx is a zip of XML parts; a hostile one can be a zip
bomb, declare a sheet of 16,384 × 1,048,576 cells, hold millions of shared strings or merged
ranges, or carry XML entities. Nothing here believes what a file says about itself (its
dimension, its counts, its spans): the zip directory is checked before it is opened, every
part is inflated and parsed as a stream (expat, no DTD allowed) with a cap on its size, and
cells are kept only when they hold a value, up to a cap on columns, rows and characters —
checked before anything is materialised. A file beyond a cap is refused with a ``Refused``
naming the cap, so the same file always gets the same answer.
"""

from __future__ import annotations

import csv
import io
import posixpath
import re
import struct
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from xml.parsers import expat

from compapp.core.messages import N_
from compapp.core.refusals import Refusal

MAX_COLUMNS = 64  # A..BL: the template has 28 columns; room for a few of the organiser's own
MAX_CELL_CHARS = 32_767  # Excel's own limit for one cell
MAX_TEXT_CHARS = 8_000_000  # all cells together: 400 characters for each of 20,000 rows
MAX_ZIP_ENTRIES = 5_000
MAX_ZIP_DIRECTORY = 2 * 1024 * 1024
# Inflated XML: a full 20,000-row template's sheet is about 13 MB, its shared strings a few.
MAX_SHEET_BYTES = 48 * 1024 * 1024
MAX_SHARED_STRINGS_BYTES = 16 * 1024 * 1024
MAX_SMALL_PART_BYTES = 16 * 1024 * 1024  # workbook, relationships, styles
MAX_MERGED_LISTED = 100
MAX_CSV_LINE_CHARS = 16_384
MAX_CSV_LINES = 100_000  # physical lines, blank ones included: five times the row limit
MAX_CSV_LINES_PER_RECORD = 32
MAX_EXCEL_ROW = 1_048_576
MAX_EXCEL_COLUMN = 16_384
# Parts are fed to expat a megabyte at a time, and no stretch between two "<" may be longer:
# expat (before 2.6) scans an unfinished tag again on every feed, so a 50 MB attribute fed
# in small chunks would cost minutes.
CHUNK = 1024 * 1024
MAX_TOKEN_BYTES = 1024 * 1024

NOT_A_WORKBOOK = N_(
    "无法打开该文件：它不是有效的 Excel .xlsx 文件（可能已损坏，或是改了扩展名的其他文件）。"
)
NO_SHEET = N_("文件中没有“%(sheet)s”工作表。")
TOO_LONG = N_("文件超过 %(n)s 行，请分成几个文件上传。")
TOO_WIDE = N_(
    "单元格 %(ref)s 超出了导入模板的范围：最多读取 %(n)s 列（A 至 %(last)s 列）。"
    "请删除右侧多余的列后再上传。"
)
CELL_TOO_LONG = N_(
    "单元格 %(ref)s 的内容超过 %(n)s 个字符，不是成绩表中应有的内容。请删除该单元格后再上传。"
)
TOO_MUCH_TEXT = N_(
    "文件中的文字总量超过 %(n)s 个字符，超出一次导入的范围。请删去多余的内容，或把数据分成几个文件上传。"
)
PART_TOO_LARGE = N_(
    "文件中的表格解压后超过 %(mb)s MB，超出一次导入的范围。"
    "请删去多余的工作表、格式和空行，或把数据复制到导入模板中再上传。"
)
TOO_MANY_PARTS = N_(
    "文件内部包含 %(n)s 个部件，超出成绩表的合理范围。请把数据复制到导入模板中再上传。"
)
CSV_LINE_TOO_LONG = N_(
    "CSV 文件第 %(line)s 行超过 %(n)s 个字符，不是成绩表中应有的内容。请检查文件后再上传。"
)
CSV_TOO_WIDE = N_(
    "CSV 文件第 %(line)s 行有 %(count)s 列，超出导入模板的范围（最多 %(n)s 列）。"
    "请删除多余的列后再上传。"
)
CSV_TOO_MANY_LINES = N_(
    "CSV 文件有 %(count)s 行（含空行），超出一次导入的范围（最多 %(n)s 行）。"
    "请删除多余的空行，或把数据分成几个文件上传。"
)
CSV_BAD_QUOTES = N_("CSV 文件格式有误（引号不成对），请用 Excel 重新保存。")

_REF = re.compile(r"([A-Z]{1,3})([0-9]{1,7})")
_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")
_DATE_FORMAT_IDS = frozenset({*range(14, 23), *range(27, 37), *range(45, 48), *range(50, 59)})


class Refused(Refusal):
    """The file is refused as a whole: a message id, its parameters and the sheet's name."""

    def __init__(self, message: str, sheet: str = "?", **params) -> None:
        super().__init__(message, **params)
        self.message = message
        self.sheet = sheet
        self.params = params


@dataclass
class Sheet:
    """What was read from the chosen sheet: its rows of values and what needs a word."""

    name: str
    records: list[tuple[int, list]]
    formulas: list[tuple[int, int, str]] = field(default_factory=list)  # not computed
    merged: list[str] = field(default_factory=list)
    more_merged: bool = False  # more merged ranges than listed


def column_index(letters: str) -> int:
    """Return the 1-based index of a column's letters (A → 1, XFD → 16384)."""
    index = 0
    for ch in letters:
        index = index * 26 + ord(ch) - 64
    return index


def column_letters(index: int) -> str:
    """Return the letters of a 1-based column index."""
    letters = ""
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


# --- the zip container ------------------------------------------------------------------------


def _check_directory(data: bytes) -> None:
    """Refuse a zip whose directory is too large before ``zipfile`` reads all of it."""
    end = data.rfind(b"PK\x05\x06", max(0, len(data) - 65_557))
    if end < 0 or end + 22 > len(data):
        raise Refused(NOT_A_WORKBOOK)
    entries, size = struct.unpack_from("<HI", data, end + 10)
    if entries == 0xFFFF or size == 0xFFFFFFFF:
        locator = end - 20
        if locator < 0 or data[locator : locator + 4] != b"PK\x06\x07":
            raise Refused(NOT_A_WORKBOOK)
        (record,) = struct.unpack_from("<Q", data, locator + 8)
        if record + 56 > len(data) or data[record : record + 4] != b"PK\x06\x06":
            raise Refused(NOT_A_WORKBOOK)
        entries, size = struct.unpack_from("<QQ", data, record + 32)
    if entries > MAX_ZIP_ENTRIES or size > MAX_ZIP_DIRECTORY:
        raise Refused(TOO_MANY_PARTS, n=entries)


class _Package:
    """The zip of a workbook: parts read as capped streams."""

    def __init__(self, data: bytes) -> None:
        _check_directory(data)
        self.zip = zipfile.ZipFile(io.BytesIO(data))
        self.infos = {info.filename: info for info in self.zip.infolist()}

    def has(self, name: str) -> bool:
        return name in self.infos

    def chunks(self, name: str, limit: int) -> Iterator[bytes]:
        """Yield the inflated part in chunks; refuse a part larger than ``limit``.

        zipfile stops at the size the directory states and checks the CRC at the end, so a
        part cannot inflate beyond the size checked here.
        """
        info = self.infos.get(name)
        if info is None:
            raise Refused(NOT_A_WORKBOOK)
        if info.file_size > limit:
            raise Refused(PART_TOO_LARGE, mb=limit // (1024 * 1024))
        with self.zip.open(info) as stream:
            while chunk := stream.read(CHUNK):
                yield chunk


def _parse(chunks: Iterator[bytes], start, end=None, text=None) -> None:
    """Feed XML chunks to expat with the given handlers; refuse any DTD (entities, XXE).

    Handlers receive names as "namespace}local" (``_local`` drops the namespace) and may
    raise ``StopParsing``.
    """
    parser = expat.ParserCreate(namespace_separator="}")
    parser.buffer_text = True
    parser.buffer_size = 64 * 1024

    def no_dtd(*_args):
        raise Refused(NOT_A_WORKBOOK)

    parser.StartDoctypeDeclHandler = no_dtd
    parser.EntityDeclHandler = no_dtd
    parser.ExternalEntityRefHandler = no_dtd
    parser.StartElementHandler = start
    if end is not None:
        parser.EndElementHandler = end
    if text is not None:
        parser.CharacterDataHandler = text
    gap = 0  # bytes since the last "<"
    try:
        for chunk in chunks:
            first = chunk.find(b"<")
            gap += len(chunk) if first < 0 else first
            if gap > MAX_TOKEN_BYTES:
                raise Refused(NOT_A_WORKBOOK)
            if first >= 0:
                gap = len(chunk) - chunk.rfind(b"<") - 1
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except StopParsing:
        return


class StopParsing(Exception):
    """Raised by a handler that has read all it needs."""


@lru_cache(maxsize=1024)
def _local(name: str) -> str:
    """The local part of an element or attribute name (namespace dropped)."""
    return name.rpartition("}")[2]


@lru_cache(maxsize=20_000)
def _column(letters: str) -> int:
    return column_index(letters)


def _attr(attrs: dict, local: str, default: str | None = None) -> str | None:
    """An attribute by its local name, with or without a namespace."""
    if local in attrs:
        return attrs[local]
    for key, value in attrs.items():
        if _local(key) == local:
            return value
    return default


def _relationships(package: _Package, part: str) -> dict[str, tuple[str, str]]:
    """Return id → (type, part name) of a part's relationships, targets resolved."""
    folder, name = posixpath.split(part)
    rels_name = posixpath.join(folder, "_rels", name + ".rels")
    found: dict[str, tuple[str, str]] = {}
    if not package.has(rels_name):
        return found

    def start(name, attrs):
        if _local(name) == "Relationship" and len(found) < MAX_ZIP_ENTRIES:
            target = attrs.get("Target", "")
            if attrs.get("TargetMode") == "External":
                return
            path = target.lstrip("/") if target.startswith("/") else posixpath.join(folder, target)
            found[attrs.get("Id", "")] = (attrs.get("Type", ""), posixpath.normpath(path))

    _parse(package.chunks(rels_name, MAX_SMALL_PART_BYTES), start)
    return found


def _workbook_part(package: _Package) -> str:
    for kind, target in _relationships(package, "").values():
        if kind.endswith("/officeDocument") and package.has(target):
            return target
    if package.has("xl/workbook.xml"):
        return "xl/workbook.xml"
    raise Refused(NOT_A_WORKBOOK)


@dataclass
class _Book:
    sheets: list[tuple[str, str]]  # (name, worksheet part) in the workbook's order
    shared_strings: str | None
    styles: str | None
    epoch: datetime


def _read_book(package: _Package) -> _Book:
    part = _workbook_part(package)
    rels = _relationships(package, part)
    sheets: list[tuple[str, str]] = []
    date1904 = False

    def start(name, attrs):
        nonlocal date1904
        tag = _local(name)
        if tag == "sheet" and len(sheets) < MAX_ZIP_ENTRIES:
            kind, target = rels.get(_attr(attrs, "id") or "", ("", ""))
            if kind.endswith("/worksheet") and package.has(target):
                sheets.append((attrs.get("name", ""), target))
        elif tag == "workbookPr":
            date1904 = attrs.get("date1904", "0").lower() in ("1", "true")

    _parse(package.chunks(part, MAX_SMALL_PART_BYTES), start)
    by_kind = {kind.rpartition("/")[2]: target for kind, target in rels.values()}
    shared = by_kind.get("sharedStrings")
    styles = by_kind.get("styles")
    return _Book(
        sheets,
        shared if shared and package.has(shared) else None,
        styles if styles and package.has(styles) else None,
        datetime(1904, 1, 1) if date1904 else datetime(1899, 12, 30),
    )


def _date_styles(package: _Package, part: str | None) -> set[int]:
    """Return the indexes of the cell formats that show numbers as dates or times."""
    if part is None:
        return set()
    from openpyxl.styles.numbers import is_date_format  # the same test openpyxl applies

    custom: dict[int, bool] = {}
    formats: list[int] = []
    depth = {"cellXfs": False}

    def start(name, attrs):
        tag = _local(name)
        if tag == "numFmt":
            try:
                custom[int(attrs.get("numFmtId", ""))] = is_date_format(attrs.get("formatCode"))
            except ValueError:
                pass
        elif tag == "cellXfs":
            depth["cellXfs"] = True
        elif tag == "xf" and depth["cellXfs"] and len(formats) < 65_536:
            try:
                formats.append(int(attrs.get("numFmtId", "0")))
            except ValueError:
                formats.append(0)

    def end(name):
        if _local(name) == "cellXfs":
            raise StopParsing

    _parse(package.chunks(part, MAX_SMALL_PART_BYTES), start, end)
    return {
        index
        for index, fmt in enumerate(formats)
        if (custom[fmt] if fmt in custom else fmt in _DATE_FORMAT_IDS)
    }


# --- the sheet --------------------------------------------------------------------------------


def _unescape(text: str) -> str:
    """Undo the _xHHHH_ escapes of OOXML strings (Excel writes a carriage return as _x000D_)."""
    if "_x" not in text:
        return text
    return _ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)


class _SheetReader:
    """Expat handlers that keep the cells holding a value, within the caps."""

    def __init__(self, name: str, max_rows: int, date_styles: set[int], epoch: datetime):
        self.name = name
        self.max_rows = max_rows
        self.date_styles = date_styles
        self.epoch = epoch
        self.rows: dict[int, dict[int, object]] = {}
        self.shared_needed: dict[int, str] = {}  # shared-string index → first cell using it
        self.formulas: list[tuple[int, int, str]] = []
        self.shared_formulas: dict[str, str] = {}
        self.merged: list[str] = []
        self.more_merged = False
        self.text_chars = 0
        self.row = 0
        self.col = 0
        self.cell: dict | None = None
        self.collect: str | None = None  # "v", "t" or "f" while inside one
        self.buffer: list[str] = []
        self.cell_chars = 0
        self.phonetic = 0

    def refuse(self, message: str, **params):
        raise Refused(message, self.name, **params)

    def start(self, name: str, attrs: dict) -> None:
        tag = _local(name)
        if tag == "c":
            self.col = self._position(attrs.get("r"), self.col + 1)
            self.cell = {"t": attrs.get("t", "n"), "s": attrs.get("s"), "v": None, "f": None}
            self.cell_chars = 0
        elif self.cell is not None:
            if tag == "v" or (tag == "t" and not self.phonetic):
                self._collect("v" if tag == "v" else "t")
            elif tag == "f":
                self.cell["f_attrs"] = attrs
                self._collect("f")
            elif tag == "rPh":
                self.phonetic += 1
        elif tag == "row":
            given = attrs.get("r")
            self.row = self._row_number(given) if given else self.row + 1
            self.col = 0
        elif tag == "mergeCell":
            if len(self.merged) == MAX_MERGED_LISTED:
                # Merged ranges follow the cells: everything needed has been read.
                self.more_merged = True
                raise StopParsing
            self.merged.append(str(attrs.get("ref", ""))[:40])

    def _collect(self, what: str) -> None:
        self.collect = what
        self.buffer = []

    def text(self, data: str) -> None:
        if self.collect is not None:
            self.cell_chars += len(data)
            if self.cell_chars > MAX_CELL_CHARS:
                self.refuse(CELL_TOO_LONG, ref=self._ref(), n=MAX_CELL_CHARS)
            self.buffer.append(data)

    def end(self, name: str) -> None:
        if self.cell is None:
            return
        tag = _local(name)
        if self.collect is not None and tag == self.collect:
            text = "".join(self.buffer)
            if self.collect == "t":
                self.cell["v"] = (self.cell["v"] or "") + text
            else:
                self.cell[self.collect] = text
            self.collect = None
        elif tag == "rPh":
            self.phonetic -= 1
        elif tag == "c":
            self._store(self.cell)
            self.cell = None

    def _row_number(self, given: str) -> int:
        if not given.isdigit() or not 1 <= int(given) <= MAX_EXCEL_ROW:
            self.refuse(NOT_A_WORKBOOK)
        return int(given)

    def _position(self, ref: str | None, default: int) -> int:
        if not ref:
            return default
        match = _REF.fullmatch(ref)
        if match is None:
            self.refuse(NOT_A_WORKBOOK)
        col = _column(match.group(1))
        if col > MAX_EXCEL_COLUMN:
            self.refuse(NOT_A_WORKBOOK)
        self.row = self._row_number(match.group(2))
        return col

    def _ref(self) -> str:
        return f"{column_letters(self.col)}{self.row}"

    def _store(self, cell: dict) -> None:
        value = self._value(cell)
        if value is None or value == "":
            return
        if self.col > MAX_COLUMNS:
            self.refuse(TOO_WIDE, ref=self._ref(), n=MAX_COLUMNS, last=column_letters(MAX_COLUMNS))
        row = self.rows.get(self.row)
        if row is None:
            if len(self.rows) >= self.max_rows:
                self.refuse(TOO_LONG, n=self.max_rows - 1)
            row = self.rows[self.row] = {}
        if isinstance(value, str):
            self.text_chars += len(value)
            if self.text_chars > MAX_TEXT_CHARS:
                self.refuse(TOO_MUCH_TEXT, n=MAX_TEXT_CHARS)
        row[self.col] = value

    def _value(self, cell: dict):
        """The cell's value: text, number, bool, date, a shared-string index or a formula."""
        kind, raw, formula = cell["t"], cell["v"], cell["f"]
        if formula is not None or "f_attrs" in cell:
            formula = self._formula(cell)
            if raw in (None, ""):
                self.formulas.append((self.row, self.col - 1, formula))
                return _Uncomputed(formula)
        if raw is None:
            return None
        if kind == "s":
            try:
                index = int(raw)
            except ValueError:
                self.refuse(NOT_A_WORKBOOK)
            self.shared_needed.setdefault(index, self._ref())
            return _Shared(index)
        if kind in ("inlineStr", "str", "e"):
            return _unescape(raw)
        if kind == "b":
            if raw.strip() not in ("0", "1", "true", "false"):
                self.refuse(NOT_A_WORKBOOK)
            return raw.strip() in ("1", "true")
        if kind == "d":
            return _IsoDate(raw.strip())
        return self._number(raw.strip(), cell["s"])

    def _formula(self, cell: dict) -> str:
        attrs = cell.get("f_attrs") or {}
        text = cell["f"] or ""
        group = attrs.get("si")
        if attrs.get("t") == "shared" and group is not None:
            if text and len(self.shared_formulas) < MAX_COLUMNS * 64:
                self.shared_formulas.setdefault(group, text)
            text = text or self.shared_formulas.get(group, "")
        return "=" + text[:200]

    def _number(self, raw: str, style: str | None):
        try:
            number: int | float = (
                float(raw) if ("." in raw or "e" in raw.lower() or "n" in raw.lower()) else int(raw)
            )
        except ValueError:
            self.refuse(NOT_A_WORKBOOK)
        if style is not None and style.isdigit() and int(style) in self.date_styles:
            return _excel_date(number, self.epoch)
        return number


class _Shared(int):
    """A shared-string index, replaced by its text once the shared strings are read."""


class _Uncomputed(str):
    """A formula with no stored result (nobody calculated it)."""


class _IsoDate(str):
    """A cell of type d (ISO 8601 date), shown as a date."""


def _excel_date(number: float, epoch: datetime):
    from openpyxl.utils.datetime import from_excel

    try:
        return from_excel(number, epoch)
    except (OverflowError, ValueError, TypeError):
        return DateText(number)


def _shared_strings(package: _Package, part: str | None, needed: dict[int, str]) -> dict[int, str]:
    """Return the texts of the needed shared strings, reading no further than the last one.

    :param needed: index → the first cell that shows it (named when the text is too long)
    """
    if not needed:
        return {}
    if part is None:
        raise Refused(NOT_A_WORKBOOK)
    reader = _SharedStrings(needed)
    _parse(package.chunks(part, MAX_SHARED_STRINGS_BYTES), reader.start, reader.end, reader.text)
    if len(reader.found) != len(needed):
        raise Refused(NOT_A_WORKBOOK)
    return reader.found


class _SharedStrings:
    """The parser's handlers for the shared strings part: keep the needed texts (without
    phonetic runs), each at most ``MAX_CELL_CHARS``; stop after the last needed one."""

    def __init__(self, needed: dict[int, str]) -> None:
        self.needed = needed
        self.last = max(needed)
        self.found: dict[int, str] = {}
        self.index = -1
        self.collect = False
        self.phonetic = 0
        self.parts: list[str] = []
        self.chars = 0

    def start(self, name, attrs) -> None:
        tag = _local(name)
        if tag == "si":
            self.index += 1
            self.parts, self.chars = [], 0
        elif tag == "t" and not self.phonetic and self.index in self.needed:
            self.collect = True
        elif tag == "rPh":
            self.phonetic += 1

    def text(self, data) -> None:
        if self.collect:
            self.chars += len(data)
            if self.chars > MAX_CELL_CHARS:
                raise Refused(CELL_TOO_LONG, ref=self.needed[self.index], n=MAX_CELL_CHARS)
            self.parts.append(data)

    def end(self, name) -> None:
        tag = _local(name)
        if tag == "t":
            self.collect = False
        elif tag == "rPh":
            self.phonetic -= 1
        elif tag == "si":
            if self.index in self.needed:
                self.found[self.index] = _unescape("".join(self.parts))
            if self.index >= self.last:
                raise StopParsing


def read_sheet(data: bytes, preferred: str, skipped: tuple[str, ...], max_rows: int) -> Sheet:
    """Read the sheet named ``preferred`` (else the first sheet not in ``skipped``).

    :param max_rows: the most rows holding a value (header included) before the file is
        refused as too long
    Raises ``Refused`` for a file that is damaged, not a workbook, or beyond a cap.
    """
    try:
        return _read_sheet(data, preferred, skipped, max_rows)
    except Refused:
        raise
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        expat.ExpatError,
        zlib.error,
        EOFError,
        OSError,
        RuntimeError,  # an encrypted part
        NotImplementedError,  # a compression method zipfile lacks
        UnicodeDecodeError,
        struct.error,
        ValueError,
    ) as error:
        raise Refused(NOT_A_WORKBOOK) from error


def _read_sheet(data: bytes, preferred: str, skipped: tuple[str, ...], max_rows: int) -> Sheet:
    package = _Package(data)
    book = _read_book(package)
    names = [(n, part) for n, part in book.sheets if n not in skipped]
    if not names:
        raise Refused(NO_SHEET, sheet=preferred)
    name, part = next(((n, p) for n, p in names if n == preferred), names[0])
    reader = _SheetReader(name, max_rows, _date_styles(package, book.styles), book.epoch)
    _parse(package.chunks(part, MAX_SHEET_BYTES), reader.start, reader.end, reader.text)
    texts = _shared_strings(package, book.shared_strings, reader.shared_needed)
    records = []
    text_chars = reader.text_chars
    for number in sorted(reader.rows):
        cells = reader.rows[number]
        values: list = [None] * max(cells)
        for col, value in cells.items():
            if isinstance(value, _Shared):
                value = texts[value]
                text_chars += len(value)
                if text_chars > MAX_TEXT_CHARS:
                    raise Refused(TOO_MUCH_TEXT, name, n=MAX_TEXT_CHARS)
            elif isinstance(value, _Uncomputed):
                value = None
            elif isinstance(value, _IsoDate):
                value = _iso_date(value)
            values[col - 1] = value
        records.append((number, values))
    return Sheet(name, records, reader.formulas, reader.merged, reader.more_merged)


def _iso_date(text: str):
    from openpyxl.utils.datetime import from_ISO8601

    try:
        return from_ISO8601(text)
    except (ValueError, TypeError, OverflowError):
        return DateText(text)


class DateText(str):
    """A cell shown as a date whose value is no date Python can hold: kept as its text."""


# --- CSV ---------------------------------------------------------------------------------------


def csv_records(text: str, delimiter: str, max_rows: int) -> list[tuple[int, list[str]]]:
    """Parse CSV text into (record number, fields) for records holding a value, within caps.

    Lines are fed to the csv module one by one: a line longer than ``MAX_CSV_LINE_CHARS`` or
    a record spanning more than ``MAX_CSV_LINES_PER_RECORD`` lines (an unclosed quote) is
    refused before it is split, so no record can grow beyond a few hundred kilobytes.
    """
    lines_count = max(text.count("\n"), text.count("\r"))
    if lines_count > MAX_CSV_LINES:
        raise Refused(CSV_TOO_MANY_LINES, "CSV", count=lines_count, n=MAX_CSV_LINES)
    state = {"line": 0, "record_start": 1}

    def lines() -> Iterator[str]:
        for line in io.StringIO(text, newline=""):
            state["line"] += 1
            if len(line) > MAX_CSV_LINE_CHARS:
                raise Refused(CSV_LINE_TOO_LONG, "CSV", line=state["line"], n=MAX_CSV_LINE_CHARS)
            if state["line"] - state["record_start"] >= MAX_CSV_LINES_PER_RECORD:
                raise Refused(CSV_BAD_QUOTES, "CSV")
            yield line

    records: list[tuple[int, list[str]]] = []
    reader = csv.reader(lines(), delimiter=delimiter)
    number = 0
    try:
        for row in reader:
            number += 1
            state["record_start"] = state["line"] + 1
            if not any(cell.strip() for cell in row):
                continue
            if len(row) > MAX_COLUMNS:
                if any(cell.strip() for cell in row[MAX_COLUMNS:]):
                    raise Refused(CSV_TOO_WIDE, "CSV", line=number, count=len(row), n=MAX_COLUMNS)
                row = row[:MAX_COLUMNS]
            if len(records) >= max_rows:
                raise Refused(TOO_LONG, "CSV", n=max_rows - 1)
            records.append((number, row))
    except csv.Error as error:
        raise Refused(CSV_BAD_QUOTES, "CSV") from error
    return records
