"""A bar's label fits left of its bar whatever the page's language: contest names stay Chinese
on English pages, and were cut for English (19 characters) where 11 Chinese ones fit."""

from __future__ import annotations

import re
import unicodedata

from compapp.dashboards.charts import LABEL_UNITS, short_label
from tests.helpers import signed_in


def units(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in ("W", "F", "A") else 1 for c in text)


def test_a_long_chinese_name_is_cut_to_what_fits_and_a_short_one_is_kept():
    name = "2025年大理州一类职业技能竞赛（木雕）"
    short = short_label(name)
    assert short.endswith("…") and name.startswith(short[:-1])
    assert units(short) <= LABEL_UNITS
    assert short_label("云南省第三届") == "云南省第三届"
    latin = short_label("Awaiting finance confirmation")
    assert latin.startswith("Awaiting finance co") and units(latin) <= LABEL_UNITS


def test_every_label_on_the_english_dashboard_fits_beside_its_bar(app, db, demo):
    page = signed_in(app, "admin").get("/?lang=en").get_data(as_text=True)
    labels = re.findall(r'class="chart-label">([^<]*)<title>', page)
    assert len(labels) > 10
    assert all(units(label) <= LABEL_UNITS for label in labels), labels
    assert any(label.startswith("2025年") for label in labels)  # the start of a name is kept
