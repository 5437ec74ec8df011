"""Hostile inputs the security tests build themselves: spreadsheet bombs, CSV bombs, names.

Each workbook is written part by part with ``zipfile`` (openpyxl would refuse to write most
of them), streaming large parts so that building a bomb costs the test little memory.
"""

from __future__ import annotations

import io
import struct
import zipfile
from collections.abc import Callable, Iterable

from compapp.imports import layout, reading

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
SHEET_REL = f"{REL_NS}/worksheet"

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    "</Types>"
)
ROOT_RELS = (
    f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PKG_REL_NS}">'
    f'<Relationship Id="rId1" Type="{REL_NS}/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
WORKBOOK = (
    f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN_NS}" xmlns:r="{REL_NS}">'
    f'<sheets><sheet name="{layout.SHEET}" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PKG_REL_NS}">'
    f'<Relationship Id="rId1" Type="{SHEET_REL}" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{REL_NS}/sharedStrings" Target="sharedStrings.xml"/>'
    f'<Relationship Id="rId3" Type="{REL_NS}/styles" Target="styles.xml"/>'
    "</Relationships>"
)
STYLES = (
    f'<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="{MAIN_NS}">'
    '<cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="14"/></cellXfs></styleSheet>'
)
EMPTY_SST = f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN_NS}" count="0"/>'

Part = str | bytes | Callable[[], Iterable[bytes]]


def inline(ref: str, text: str) -> str:
    """An inline-string cell."""
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def header_row(row: int = 1) -> str:
    """The template's header row as inline strings."""
    cells = "".join(
        inline(f"{layout.column_letter(i)}{row}", h) for i, h in enumerate(layout.HEADERS)
    )
    return f'<row r="{row}">{cells}</row>'


def one_data_row(row: int = 2) -> str:
    values = ["电工", "单人", "", "选手", "533422199001011234", "", "是", "", "德钦县", "1"]
    cells = "".join(inline(f"{layout.column_letter(i)}{row}", v) for i, v in enumerate(values) if v)
    return f'<row r="{row}">{cells}</row>'


def sheet_xml(rows: str = "", before: str = "", after: str = "") -> str:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN_NS}">{before}'
        f"<sheetData>{rows}</sheetData>{after}</worksheet>"
    )


def workbook(sheet: Part, shared: Part = EMPTY_SST, styles: Part = STYLES, **extra: Part) -> bytes:
    """A workbook whose parts are given; a callable part is streamed chunk by chunk."""
    parts: dict[str, Part] = {
        "[Content_Types].xml": CONTENT_TYPES,
        "_rels/.rels": ROOT_RELS,
        "xl/workbook.xml": WORKBOOK,
        "xl/_rels/workbook.xml.rels": WORKBOOK_RELS,
        "xl/worksheets/sheet1.xml": sheet,
        "xl/sharedStrings.xml": shared,
        "xl/styles.xml": styles,
    }
    parts.update({name.replace("__", "/"): part for name, part in extra.items()})
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
        for name, part in parts.items():
            if callable(part):
                with archive.open(name, "w", force_zip64=True) as stream:
                    for chunk in part():
                        stream.write(chunk)
            else:
                archive.writestr(name, part.encode() if isinstance(part, str) else part)
    return out.getvalue()


def repeated(head: str, unit: str, times: int, tail: str) -> Callable[[], Iterable[bytes]]:
    """A part made of ``head``, ``unit`` repeated ``times`` times, and ``tail`` (streamed)."""
    block = unit.encode() * 4096

    def chunks() -> Iterable[bytes]:
        yield head.encode()
        left = times
        while left >= 4096:
            yield block
            left -= 4096
        yield unit.encode() * left
        yield tail.encode()

    return chunks


def counted(head: str, make: Callable[[int], str], times: int, tail: str):
    """A part made of ``make(i)`` for i in 1..times between ``head`` and ``tail`` (streamed)."""

    def chunks() -> Iterable[bytes]:
        yield head.encode()
        batch = []
        for i in range(1, times + 1):
            batch.append(make(i))
            if len(batch) == 2048:
                yield "".join(batch).encode()
                batch = []
        yield "".join(batch).encode()
        yield tail.encode()

    return chunks


SHEET_HEAD = f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN_NS}"><sheetData>'
SHEET_TAIL = "</sheetData></worksheet>"


# --- the hostile uploads ----------------------------------------------------------------------


def dimension_bomb() -> bytes:
    """The issue's 4.9 KB file: a dimension of the whole sheet and one empty cell at its end."""
    return workbook(
        sheet_xml(
            header_row() + one_data_row() + '<row r="1048576"><c r="XFD1048576"/></row>',
            before='<dimension ref="A1:XFD1048576"/>',
        )
    )


def far_cell() -> bytes:
    """One value in the sheet's last cell (XFD1048576): far too wide."""
    return workbook(
        sheet_xml(
            header_row() + one_data_row() + f'<row r="1048576">{inline("XFD1048576", "x")}</row>',
            before='<dimension ref="A1:XFD1048576"/>',
        )
    )


def wide_row() -> bytes:
    """A header row and 16,384 filled columns in row 2."""
    return workbook(
        counted(
            SHEET_HEAD + header_row() + '<row r="2">',
            lambda i: inline(f"{layout.column_letter(i - 1)}2", "x"),
            16_384,
            "</row>" + SHEET_TAIL,
        )
    )


def long_sheet() -> bytes:
    """200,000 rows with one value each under the header (ten times the row limit)."""
    return workbook(
        counted(
            SHEET_HEAD + header_row(),
            lambda i: f'<row r="{i + 1}"><c r="A{i + 1}"><v>{i}</v></c></row>',
            200_000,
            SHEET_TAIL,
        )
    )


def empty_rows() -> bytes:
    """300,000 styled but empty rows and cells after one data row (a sheet 'formatted' to
    its bottom): nothing to read, and no reason to refuse."""
    return workbook(
        counted(
            SHEET_HEAD + header_row() + one_data_row(),
            lambda i: f'<row r="{i + 2}" s="1" customFormat="1"><c r="B{i + 2}" s="1"/></row>',
            300_000,
            SHEET_TAIL,
        )
    )


def empty_cells_bomb() -> bytes:
    """A row of empty cells declared over and over (200 MB of XML in a small file)."""
    return workbook(
        repeated(SHEET_HEAD + header_row() + '<row r="2">', '<c s="0"/>', 20_000_000, "</row>")
    )


def xml_bomb() -> bytes:
    """A sheet that is 500 MB of whitespace once inflated (zip bomb)."""
    return workbook(repeated(SHEET_HEAD + header_row(), " " * 1024, 512 * 1024, SHEET_TAIL))


def shared_strings_bomb() -> bytes:
    """Six hundred thousand shared strings (just under the size cap); the last one used."""
    sst_head = f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN_NS}">'
    return workbook(
        sheet_xml(header_row() + '<row r="2"><c r="A2" t="s"><v>599999</v></c></row>'),
        shared=counted(sst_head, lambda i: f"<si><t>{i:010d}</t></si>", 600_000, "</sst>"),
    )


def huge_shared_string() -> bytes:
    """One shared string of 5 million characters (15 MB, under the size cap)."""
    sst_head = f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN_NS}"><si><t>'
    return workbook(
        sheet_xml(header_row() + '<row r="2"><c r="A2" t="s"><v>0</v></c></row>'),
        shared=repeated(sst_head, "选" * 1024, 5_000, "</t></si></sst>"),
    )


def huge_inline_string() -> bytes:
    """One cell holding 40 million characters (under the size cap)."""
    head = SHEET_HEAD + header_row() + '<row r="2"><c r="A2" t="inlineStr"><is><t>'
    return workbook(repeated(head, "a" * 1024, 40_000, "</t></is></c></row>" + SHEET_TAIL))


def whitespace_sheet() -> bytes:
    """40 MB of whitespace between two rows (just under the size cap)."""
    return workbook(
        repeated(SHEET_HEAD + header_row(), " " * 1024, 40_000, one_data_row() + SHEET_TAIL)
    )


def huge_attribute() -> bytes:
    """A cell reference 40 million characters long."""
    head = SHEET_HEAD + header_row() + '<row r="2"><c r="A'
    return workbook(repeated(head, "9" * 1024, 40_000, '"><v>1</v></c></row>' + SHEET_TAIL))


def merged_bomb() -> bytes:
    """A million merged ranges, each over the whole sheet."""
    return workbook(
        counted(
            SHEET_HEAD + header_row() + one_data_row() + "</sheetData><mergeCells>",
            lambda i: '<mergeCell ref="A1:XFD1048576"/>',
            1_000_000,
            "</mergeCells></worksheet>",
        )
    )


def styles_bomb() -> bytes:
    """A million cell formats in styles.xml."""
    head = f'<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="{MAIN_NS}"><cellXfs>'
    return workbook(
        sheet_xml(header_row() + one_data_row()),
        styles=repeated(head, '<xf numFmtId="14"/>', 1_000_000, "</cellXfs></styleSheet>"),
    )


def billion_laughs() -> bytes:
    """Nested XML entities that expand to gigabytes."""
    entities = '<!ENTITY a0 "ha">' + "".join(
        f'<!ENTITY a{i} "{("&a" + str(i - 1) + ";") * 10}">' for i in range(1, 10)
    )
    sheet = (
        f'<?xml version="1.0"?><!DOCTYPE worksheet [{entities}]>'
        f'<worksheet xmlns="{MAIN_NS}"><sheetData>{header_row()}'
        f'<row r="2">{inline("A2", "&a9;")}</row></sheetData></worksheet>'
    )
    return workbook(sheet)


def external_entity() -> bytes:
    """An entity that would read a file of the server."""
    sheet = (
        '<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        f'<worksheet xmlns="{MAIN_NS}"><sheetData>{header_row()}'
        f'<row r="2">{inline("A2", "&x;")}</row></sheetData></worksheet>'
    )
    return workbook(sheet)


def many_zip_entries() -> bytes:
    """A valid workbook plus 90,000 empty files in its zip directory."""
    base = workbook(sheet_xml(header_row() + one_data_row()))
    out = io.BytesIO(base)
    with zipfile.ZipFile(out, "a", zipfile.ZIP_STORED) as archive:
        for i in range(90_000):
            archive.writestr(f"x/{i}", b"")
    return out.getvalue()


def lying_sizes() -> bytes:
    """A sheet whose zip directory states a size far smaller than what it inflates to."""
    data = bytearray(workbook(sheet_xml(header_row() + one_data_row() + " " * 500_000)))
    name = b"xl/worksheets/sheet1.xml"
    central = data.rfind(b"PK\x01\x02", 0, data.rfind(name))
    # uncompressed size sits 24 bytes into a central directory header
    struct.pack_into("<I", data, central + 24, 1000)
    return bytes(data)


def encrypted_part() -> bytes:
    """A sheet marked as encrypted in the zip (needs a password to read)."""
    data = bytearray(workbook(sheet_xml(header_row() + one_data_row())))
    name = b"xl/worksheets/sheet1.xml"
    for signature, flag_at, name_at in ((b"PK\x03\x04", 6, 30), (b"PK\x01\x02", 8, 46)):
        at = data.find(signature)
        while at != -1:
            if data[at + name_at : at + name_at + len(name)] == name:
                flags = struct.unpack_from("<H", data, at + flag_at)[0]
                struct.pack_into("<H", data, at + flag_at, flags | 1)
            at = data.find(signature, at + 4)
    return bytes(data)


def truncated() -> bytes:
    """A real workbook cut in half."""
    data = workbook(sheet_xml(header_row() + one_data_row()))
    return data[: len(data) // 2]


def no_workbook_part() -> bytes:
    """A zip that is no workbook (a renamed Word document)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("word/document.xml", "<w:document/>")
    return out.getvalue()


def sheet_outside_archive() -> bytes:
    """A workbook whose sheet relationship points outside the package."""
    rels = WORKBOOK_RELS.replace("worksheets/sheet1.xml", "../../../../etc/passwd")
    return workbook(sheet_xml(header_row()), xl___rels__workbook_xml_rels=rels)


def every_cell_a_problem() -> bytes:
    """20,000 rows in which every cell is wrong: a date, a float, a formula text."""

    def row(i: int) -> str:
        n = i + 1
        cells = "".join(
            f'<c r="{layout.column_letter(c)}{n}" s="1"><v>45000.5</v></c>'
            if c % 3 == 0
            else f'<c r="{layout.column_letter(c)}{n}"><v>1.25</v></c>'
            if c % 3 == 1
            else inline(f"{layout.column_letter(c)}{n}", "=cmd|' /C calc'!A0")
            for c in range(len(layout.HEADERS))
        )
        return f'<row r="{n}">{cells}</row>'

    return workbook(counted(SHEET_HEAD + header_row(), row, reading.MAX_ROWS, SHEET_TAIL))


def csv_empty_lines() -> bytes:
    """Ten million empty lines."""
    return ",".join(layout.REQUIRED_HEADERS).encode() + b"\n" * 9_000_000


def csv_wide() -> bytes:
    """One row of four million two-letter fields."""
    return ",".join(layout.REQUIRED_HEADERS).encode() + b"\n" + b"ab," * 3_000_000


def csv_open_quote() -> bytes:
    """A quote opened on the second line and never closed, over 50,000 lines."""
    return ",".join(layout.REQUIRED_HEADERS).encode() + b'\n"' + b"a,b,c\n" * 50_000


def csv_long_rows() -> bytes:
    """Fifty thousand rows of five fields (two and a half times the row limit)."""
    line = "电工,单人,选手,533422199001011234,德钦县\n".encode()
    return ",".join(layout.REQUIRED_HEADERS).encode() + b"\n" + line * 50_000


HOSTILE_UPLOADS: dict[str, Callable[[], bytes]] = {
    f.__name__: f
    for f in (
        dimension_bomb,
        far_cell,
        wide_row,
        long_sheet,
        empty_rows,
        empty_cells_bomb,
        xml_bomb,
        whitespace_sheet,
        shared_strings_bomb,
        huge_shared_string,
        huge_inline_string,
        huge_attribute,
        merged_bomb,
        styles_bomb,
        billion_laughs,
        external_entity,
        many_zip_entries,
        lying_sizes,
        encrypted_part,
        truncated,
        no_workbook_part,
        sheet_outside_archive,
        every_cell_a_problem,
        csv_empty_lines,
        csv_wide,
        csv_open_quote,
        csv_long_rows,
    )
}
