"""Render many certificates in parallel processes into one ZIP archive."""

from __future__ import annotations

import math
import zipfile
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import BinaryIO

from compapp.certificates.content import CertificateContent, file_name
from compapp.certificates.fonts import GlyphMissing, ensure_font
from compapp.certificates.pdf import check_printable, render_certificate

Item = tuple[CertificateContent, str]  # (content, verify_url)
Progress = Callable[[int, int], None]
# Large enough that pickling and process round trips stay small next to rendering (~10 ms
# per certificate), small enough that progress moves and the last chunks balance the workers.
MAX_CHUNK = 25


def _start_worker() -> None:
    # Parse the 5 MB font once per process, not once per chunk.
    ensure_font()


def _render_chunk(chunk: Sequence[Item]) -> list[bytes]:
    return [render_certificate(content, url) for content, url in chunk]


def _chunks(items: Sequence[Item], workers: int) -> list[Sequence[Item]]:
    # About four chunks per worker so a slow chunk at the end doesn't leave a core idle.
    size = max(1, min(MAX_CHUNK, math.ceil(len(items) / (workers * 4))))
    return [items[i : i + size] for i in range(0, len(items), size)]


def _check_names(items: Sequence[Item]) -> list[str]:
    names = [file_name(content) for content, _url in items]
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise ValueError(f"two certificates would have the same file name {name!r}")
        seen.add(name)
    return names


def _check_printable(items: Sequence[Item]) -> None:
    # All problems at once, before any work: one bad name shouldn't cost a half-done batch.
    problems = []
    for content, url in items:
        try:
            check_printable(content, url)
        except GlyphMissing as exc:
            problems.append(str(exc))
    if problems:
        raise GlyphMissing(
            f"{len(problems)} certificate(s) can't be printed: " + " | ".join(problems)
        )


def render_zip(
    items: list[Item],
    out: str | Path | BinaryIO,
    workers: int = 2,
    progress: Progress | None = None,
) -> int:
    """Render ``items`` as PDFs into a ZIP at ``out``, in input order; return the count.

    :param workers: processes to render in; 1 renders in this process.
    :param progress: called with (done, total) after each chunk is written.
    """
    ensure_font()  # fail here, with the package name, before any process starts
    names = _check_names(items)
    _check_printable(items)
    total = len(items)
    # PDF streams are already deflated; storing them keeps this process from becoming the
    # bottleneck while the workers render.
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED) as archive:
        done = 0

        def write(pdfs: list[bytes]) -> None:
            nonlocal done
            for pdf in pdfs:
                archive.writestr(_zip_info(names[done]), pdf)
                done += 1
            if progress is not None:
                progress(done, total)

        if workers <= 1 or total <= 1:
            for chunk in _chunks(items, 1):
                write(_render_chunk(chunk))
        else:
            with ProcessPoolExecutor(max_workers=workers, initializer=_start_worker) as pool:
                # map yields in submission order, which keeps the archive's order deterministic.
                for pdfs in pool.map(_render_chunk, _chunks(items, workers)):
                    write(pdfs)
    return total


def _zip_info(name: str) -> zipfile.ZipInfo:
    # A fixed timestamp makes the same certificates give the same archive bytes.
    info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_STORED
    info.external_attr = 0o644 << 16
    return info
