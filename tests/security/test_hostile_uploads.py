"""Hostile uploads are read in bounded memory and answered with a clear message (issue 15 §1).

Each file is built here (tests/security/hostile.py) and uploaded through the import page in
a fresh child process, which reports its peak resident memory: a worker must stay under
300 MB whatever the file declares, answer with the upload's problem page (never a 500), and
give the same answer every time.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from compapp.imports import files, reading
from tests.security import hostile

PROBE = Path(__file__).with_name("upload_probe.py")
PEAK_LIMIT_MB = 300
USERNAME, PASSWORD = "organiser", "probe-password-1"

# What each file must get: the message id of its refusal, or None where the file is read.
EXPECTED = {
    "dimension_bomb": None,  # an empty cell at XFD1048576 says nothing: read the one row
    "far_cell": files.TOO_WIDE,
    "wide_row": files.TOO_WIDE,
    "long_sheet": files.TOO_LONG,
    "empty_rows": None,
    "empty_cells_bomb": files.PART_TOO_LARGE,
    "xml_bomb": files.PART_TOO_LARGE,
    "whitespace_sheet": files.NOT_A_WORKBOOK,
    "shared_strings_bomb": None,
    "huge_shared_string": files.CELL_TOO_LONG,
    "huge_inline_string": files.CELL_TOO_LONG,
    "huge_attribute": files.NOT_A_WORKBOOK,
    "merged_bomb": "单元格 %(ref)s 是合并单元格。请取消合并，并在每一行填写完整的值（同组选手各占一行）。",
    "styles_bomb": files.PART_TOO_LARGE,
    "billion_laughs": files.NOT_A_WORKBOOK,
    "external_entity": files.NOT_A_WORKBOOK,
    "many_zip_entries": files.TOO_MANY_PARTS,
    "lying_sizes": files.NOT_A_WORKBOOK,
    "encrypted_part": files.NOT_A_WORKBOOK,
    "truncated": files.NOT_A_WORKBOOK,
    "no_workbook_part": files.NOT_A_WORKBOOK,
    "sheet_outside_archive": "文件只有列标题，没有数据行。请从第二行起每行填写一名选手。",
    "every_cell_a_problem": None,
    "csv_empty_lines": files.CSV_TOO_MANY_LINES,
    "csv_wide": files.CSV_LINE_TOO_LONG,
    "csv_open_quote": files.CSV_BAD_QUOTES,
    "csv_long_rows": files.TOO_LONG,
}


def test_every_hostile_upload_has_an_expected_answer():
    assert set(EXPECTED) == set(hostile.HOSTILE_UPLOADS)


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """The hostile files, built once for the module."""
    folder = tmp_path_factory.mktemp("hostile")
    for name, build in hostile.HOSTILE_UPLOADS.items():
        suffix = ".csv" if name.startswith("csv") else ".xlsx"
        (folder / f"{name}{suffix}").write_bytes(build())
    return folder


@pytest.fixture(scope="module")
def probe_database(tmp_path_factory) -> tuple[Path, str]:
    """A migrated SQLite database with an organiser and a contest, for the child processes."""
    path = tmp_path_factory.mktemp("probe") / "probe.sqlite"
    done = subprocess.run(
        [sys.executable, str(PROBE), "setup", f"sqlite:///{path}", USERNAME, PASSWORD],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    return path, done.stdout.strip().splitlines()[-1]


def upload_in_child(database: tuple[Path, str], upload: Path, tmp_path: Path) -> dict:
    path, contest_id = database
    copy = tmp_path / "db.sqlite"
    shutil.copy(path, copy)
    done = subprocess.run(
        [
            sys.executable,
            str(PROBE),
            f"sqlite:///{copy}",
            contest_id,
            USERNAME,
            PASSWORD,
            str(upload),
        ],  # fmt: skip
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.sqlite_only  # the child measures with its own SQLite database in either pass
@pytest.mark.parametrize("name", sorted(hostile.HOSTILE_UPLOADS))
def test_a_hostile_upload_is_answered_in_bounded_memory(name, built, probe_database, tmp_path):
    """Any upload within the size limit is read in bounded memory (peak under 300 MB in the
    worker) and answered with the problem page: refused with its message, or read."""
    upload = next(built.glob(f"{name}.*"))
    outcome = upload_in_child(probe_database, upload, tmp_path)
    assert outcome["status"] == 302, outcome
    assert outcome["page_status"] == 200 and outcome["report_status"] == 200, outcome
    assert outcome["peak_mb"] < PEAK_LIMIT_MB, outcome
    messages = [message for message, _row, _column in outcome["problems"]]
    expected = EXPECTED[name]
    if expected is None:
        assert outcome["rows"], outcome
    else:
        assert messages[0] == expected, outcome


@pytest.mark.parametrize("name", sorted(hostile.HOSTILE_UPLOADS))
def test_a_hostile_upload_gets_the_same_answer_every_time(name, built):
    upload = next(built.glob(f"{name}.*"))
    data = upload.read_bytes()
    first = reading.read_upload(data, upload.name)
    second = reading.read_upload(data, upload.name)
    assert first.problems == second.problems
    assert first.rows == second.rows
