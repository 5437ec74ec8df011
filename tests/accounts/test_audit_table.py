"""The audit log is a table of pages: 50 entries a page, sortable columns, filters kept."""

from __future__ import annotations

import re
from html import unescape

import pytest


@pytest.fixture
def many_entries(db, dummy_admin):
    from compapp.audit.services import record_change

    for i in range(120):
        record_change(
            "create_contest" if i % 2 else "update_contest",
            "contest",
            i,
            f"第 {i:03d} 条",
            user=dummy_admin,
        )
    db.session.commit()


def summaries(html: str) -> list[str]:
    return re.findall(r"<td>(第 \d{3} 条)</td>", html)


def test_audit_log_shows_fifty_newest_entries_a_page(client, auth, many_entries):
    """The first page holds the 50 newest entries; page 3 the 20 oldest (of 120 + sign-in)."""
    auth.login("admin")
    first = client.get("/audit/?action=create_contest").get_data(as_text=True)
    shown = summaries(first)
    assert len(shown) == 50 and shown[0] == "第 119 条" and shown[-1] == "第 021 条"
    second = client.get("/audit/?action=create_contest&page=2").get_data(as_text=True)
    assert summaries(second)[0] == "第 019 条" and len(summaries(second)) == 10
    assert "共 60 条" in first


def test_audit_log_sorts_by_a_column_and_keeps_the_filter_in_its_links(client, auth, many_entries):
    auth.login("admin")
    html = client.get("/audit/?action=update_contest&sort=at").get_data(as_text=True)
    assert summaries(html)[0] == "第 000 条"  # oldest first
    assert 'aria-sort="ascending"' in html
    links = [unescape(h) for h in re.findall(r'<a rel="next" href="([^"]+)"', html)]
    assert links and all("action=update_contest" in h and "sort=at" in h for h in links)
    heading = unescape(re.search(r'<a class="sort" href="([^"]+)">时间', html).group(1))
    assert "sort=-at" in heading and "action=update_contest" in heading


def test_unknown_sort_or_page_falls_back_to_the_default(client, auth, many_entries):
    auth.login("admin")
    response = client.get("/audit/?sort=password_hash&page=9999")
    assert response.status_code == 200
    assert 'aria-sort="descending"' in response.get_data(as_text=True)


def test_pages_sorted_by_a_column_with_equal_values_neither_overlap_nor_skip(
    client, auth, many_entries
):
    """Sorted by user (one user wrote all 120), the row id orders equal values: the three
    pages hold every entry once."""
    auth.login("admin")
    seen = []
    for number in (1, 2, 3):
        html = client.get(f"/audit/?sort=user&page={number}").get_data(as_text=True)
        seen += summaries(html)
    assert len(seen) == 120 and len(set(seen)) == 120
