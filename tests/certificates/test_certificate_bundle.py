"""Batches of certificates rendered in parallel into one ZIP (compapp/certificates/bundle.py)."""

from __future__ import annotations

import io
import zipfile
from datetime import date

import pytest
from pypdf import PdfReader

from compapp.certificates.bundle import render_zip
from compapp.certificates.content import Placing, award_certificate, file_name, verify_url
from compapp.certificates.fonts import GlyphMissing
from compapp.certificates.serials import new_serial


def _items(count: int) -> list:
    items = []
    for i in range(count):
        serial = new_serial()
        content = award_certificate(
            Placing(
                serial=serial,
                holder_name=f"选手{i:03d}",
                contest_name="2024年全国职业技能大赛",
                event_name="焊接",
                result_text="金牌",
                issued_on=date(2024, 9, 15),
            ),
            holder_role="选手" if i % 3 else "教练",
        )
        items.append((content, verify_url("https://compapp.example.cn", serial)))
    return items


@pytest.fixture(scope="module")
def items() -> list:
    return _items(23)


def test_zip_holds_one_pdf_per_item_in_input_order(items):
    """Entries are named by file_name() and come in the order given."""
    out = io.BytesIO()
    assert render_zip(items, out, workers=2) == len(items)
    with zipfile.ZipFile(out) as archive:
        assert archive.namelist() == [file_name(content) for content, _url in items]
        first = archive.read(archive.namelist()[0])
        last = archive.read(archive.namelist()[-1])
    assert "选手000" in PdfReader(io.BytesIO(first)).pages[0].extract_text()
    assert "选手022" in PdfReader(io.BytesIO(last)).pages[0].extract_text()


def test_parallel_and_serial_rendering_give_the_same_archive(items):
    """Process count changes speed, never the result: the bytes are identical."""
    serial_out, parallel_out = io.BytesIO(), io.BytesIO()
    render_zip(items, serial_out, workers=1)
    render_zip(items, parallel_out, workers=2)
    assert serial_out.getvalue() == parallel_out.getvalue()


def test_zip_can_be_written_to_a_path(items, tmp_path):
    """``out`` may be a path as well as a file object."""
    render_zip(items[:3], tmp_path / "certs.zip", workers=2)
    with zipfile.ZipFile(tmp_path / "certs.zip") as archive:
        assert len(archive.namelist()) == 3
        assert archive.testzip() is None


def test_progress_reports_every_chunk_up_to_the_total(items):
    """progress(done, total) rises to (n, n) without going back."""
    calls = []
    render_zip(
        items, io.BytesIO(), workers=2, progress=lambda done, total: calls.append((done, total))
    )
    assert calls[-1] == (len(items), len(items))
    assert all(total == len(items) for _done, total in calls)
    dones = [done for done, _total in calls]
    assert dones == sorted(dones) and len(dones) > 1


def test_two_certificates_with_the_same_file_name_are_refused(items):
    """A name clash would silently hide one certificate in the archive."""
    with pytest.raises(ValueError, match="same file name"):
        render_zip([items[0], items[0]], io.BytesIO(), workers=1)


def test_empty_batch_gives_an_empty_archive():
    """No certificates, an empty but valid ZIP."""
    out = io.BytesIO()
    assert render_zip([], out) == 0
    assert zipfile.ZipFile(out).namelist() == []


def test_batch_with_an_unprintable_name_fails_before_writing_anything(items):
    """All unprintable certificates are named at once, before any rendering starts."""
    bad = award_certificate(
        Placing(
            serial=new_serial(),
            holder_name="刘䶮",
            contest_name="2024年全国职业技能大赛",
            event_name="焊接",
            result_text="金牌",
            issued_on=date(2024, 9, 15),
        )
    )
    out = io.BytesIO()
    with pytest.raises(GlyphMissing, match=bad.serial):
        render_zip([*items[:3], (bad, verify_url("https://compapp.example.cn", bad.serial))], out)
    assert out.getvalue() == b""
