"""File downloads: one response shape for every export (Excel, PDF, CSV, ZIP)."""

from __future__ import annotations

import io
import re
import tempfile
from collections.abc import Callable
from typing import BinaryIO

from flask import Response, send_file

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF = "application/pdf"
CSV = "text/csv"
MAX_NAME_CHARS = 120
# Control characters (a newline would break the header), path separators, the characters
# Windows refuses in file names, and the invisible direction and width marks (a right-to-left
# override shows "报告\u202efdp.exe" as "报告exe.pdf").
_UNSAFE = re.compile(
    r'[\x00-\x1f\x7f-\x9f/\\:*?"<>|\u061c\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]+'
)


def file_name(name: str) -> str:
    """Return ``name`` fit to be a downloaded file's name: unsafe characters become "_",
    the stem is cut to ``MAX_NAME_CHARS`` characters, the extension kept."""
    stem, dot, extension = name.rpartition(".")
    if not dot or len(extension) > 5:
        stem, dot, extension = name, "", ""
    stem = _UNSAFE.sub("_", stem).strip(" ._") or "download"
    return stem[:MAX_NAME_CHARS] + dot + _UNSAFE.sub("_", extension)


def download(data: bytes | BinaryIO, name: str, mimetype: str, inline: bool = False) -> Response:
    """Send ``data`` as the file ``name`` (made safe by ``file_name``), never cached.

    send_file writes filename*=UTF-8''… (RFC 5987) for a Chinese name, with an ASCII fallback
    for old clients.
    """
    return send_file(
        io.BytesIO(data) if isinstance(data, bytes) else data,
        mimetype=mimetype,
        as_attachment=not inline,
        download_name=file_name(name),
        max_age=0,
    )


def download_written(
    write: Callable[[BinaryIO], object], name: str, mimetype: str, inline: bool = False
) -> Response:
    """Send the file that ``write(out)`` writes, from a temporary file on disk.

    Exports are plain functions writing to a binary stream (a background job can call the
    same function with its own file); the response streams the file in blocks and removes
    it when sent, so a large export never sits in memory whole.
    """
    out = tempfile.TemporaryFile(prefix="compapp-export-")
    try:
        write(out)
        size = out.tell()
        out.seek(0)
        response = download(out, name, mimetype, inline)
    except BaseException:
        out.close()
        raise
    # Blocks read by a generator that closes the file when the body has been sent (or
    # dropped), whoever reads it.
    response.direct_passthrough = False
    response.response = _blocks(out)
    response.headers["Content-Length"] = str(size)
    return response


def _blocks(out: BinaryIO, size: int = 64 * 1024):
    try:
        while block := out.read(size):
            yield block
    finally:
        out.close()
