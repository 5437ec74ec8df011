"""Every list page and export reads a fixed number of SQL statements, whatever the size.

Two contests are built through compapp's own services (import, second-person confirmation,
budget confirmation, promotion, notice, certificates): a small one and one more than a page
long. Each page and export is asked for both; the statements it runs must not grow with the
rows (summaries in SQL, details paginated, no lazy load in a loop).
"""

from __future__ import annotations

import io
from datetime import date

import openpyxl
import pytest

from compapp.imports import layout
from tests.helpers import AuthActions, id_number_for
from tests.queries import counted

COUNTIES = ["德钦县（迪庆藏族自治州）", "龙陵县（保山市）", "香格里拉市（迪庆藏族自治州）"]
SMALL, LARGE = 6, 130  # entries; LARGE spans several pages of every list


def results_file(entries: int, serial: int) -> bytes:
    """``entries`` entries in events of 40: individual ones, then one pair event."""
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet(layout.SHEET)
    sheet.append(list(layout.HEADERS))
    pairs = entries // 5
    for i in range(entries):
        pair = i >= entries - pairs
        k = i - (entries - pairs) if pair else i
        event, rank = divmod(k, 40)
        for _member in range(2 if pair else 1):
            serial += 1
            values = {
                layout.OCCUPATION: f"{'双人' if pair else ''}工种{event + 1}",
                layout.FORMAT: "双人" if pair else "单人",
                layout.GROUP: str(rank + 1) if pair else "",
                layout.NAME: f"选手{serial}",
                layout.ID_NUMBER: id_number_for("533422", serial),
                layout.EMPLOYER: "某某公司",
                layout.EMPLOYEE: "是",
                layout.GRADE: "四级/中级工",
                layout.COUNTY: COUNTIES[i % len(COUNTIES)],
                layout.RANK: rank + 1,
                layout.RESULT: "金牌" if rank < 3 else "银牌" if rank < 8 else "铜牌",
                "教练1": f"教练{rank % 4}",
            }
            sheet.append([values.get(h) for h in layout.HEADERS])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def build(db, size: int, year: int, admin, second, finance_dq, serial: int) -> dict:
    from compapp.certificates import issuing as certificate_issuing
    from compapp.contests.models import Entry, Event, Placement
    from compapp.contests.services import (
        ContestData,
        confirm_placement,
        placement_view,
        save_contest,
    )
    from compapp.disclosure import services as disclosure
    from compapp.finance.services import budget_view, confirm_budget
    from compapp.imports import services as imports
    from compapp.promotion import notices
    from compapp.promotion import queries as promotion_queries
    from compapp.promotion import services as promotion

    contest = save_contest(
        ContestData(
            name=f"{year}年省级一类竞赛（{size} 组）",
            category="provincial_class1",
            organising_body="云南省人力资源和社会保障厅",
            starts_on=date(year, 7, 8),
            ends_on=date(year, 7, 11),
            award_on=date(year, 7, 12),
        )
    )
    db.session.commit()
    batch, plan = imports.create_batch(contest, results_file(size, serial), "r.xlsx", admin.id)
    db.session.commit()
    assert plan.ok, [p.text() for p in plan.problems[:3]]
    imports.confirm_batch(batch, batch.digest, admin)
    db.session.commit()
    events = db.session.scalars(
        db.select(Event).filter_by(contest_id=contest.id).order_by(Event.id)
    ).all()
    for placement in db.session.scalars(
        db.select(Placement).join(Entry).where(Entry.event_id == events[0].id)
    ):
        confirm_placement(placement, second, placement_view(placement))
    db.session.commit()
    confirm_budget(contest, "533400", finance_dq, seen=budget_view("533400", contest))
    promotion.evaluate_contest_promotions(contest, user=admin)
    for case in promotion_queries.contest_cases(contest)[0]:
        if case.status == "proposed" and case.placement.status == "confirmed":
            promotion.confirm_case(case, admin, seen=promotion.case_view(case))
    db.session.commit()
    # Published in compapp on its first day (the services take the as-of date).
    notice = notices.publish_notice(contest, date(2026, 12, 1), admin, today=date(2026, 12, 1))
    db.session.commit()
    certificate_issuing.issue_all_certificates(contest, admin)
    db.session.commit()
    disclosure.publish(contest, admin)
    db.session.commit()
    return {
        "contest": contest.id,
        "year": year,
        "event": events[0].id,
        "notice": notice.id,
        "batch": batch.id,
    }


@pytest.fixture
def two_sizes(db, create_user):
    admin = create_user("admin", "admin")
    second = create_user("admin2", "admin")
    finance_dq = create_user("finance_dq", "finance", jurisdiction_code="533400")
    small = build(db, SMALL, 2023, admin, second, finance_dq, 500_000)
    large = build(db, LARGE, 2024, admin, second, finance_dq, 600_000)
    return small, large


def pages(b: dict) -> list[tuple[str, str]]:
    c, y, payer = b["contest"], b["year"], "payer=530000"
    return [
        ("admin", f"/contests/{c}"),
        ("admin", f"/contests/{c}/results"),
        ("admin", f"/contests/{c}/results?page=2&q=选手"),
        ("admin", f"/contests/events/{b['event']}"),
        ("admin", f"/contests/{c}/awards"),
        ("admin", f"/contests/{c}/awards?event={b['event']}&page=2"),
        ("admin", f"/contests/{c}/awards/payers/530000"),
        ("admin", f"/contests/{c}/awards/payers/530000?page=2"),
        ("admin", f"/contests/{c}/awards.xlsx"),
        ("admin", f"/finance/contests/{c}?{payer}"),
        ("admin", f"/finance/contests/{c}?{payer}&status=provisional&page=2"),
        ("admin", f"/finance/years/{y}?{payer}"),
        ("finance_dq", f"/finance/contests/{c}"),
        ("admin", f"/finance/contests/{c}/budget.xlsx?{payer}"),
        ("admin", f"/finance/contests/{c}/budget.pdf?{payer}"),
        ("admin", f"/finance/years/{y}/budget.xlsx?{payer}"),
        ("admin", f"/finance/years/{y}/budget.pdf?{payer}"),
        ("finance_dq", f"/finance/contests/{c}/roster.xlsx"),
        ("finance_dq", f"/finance/contests/{c}/roster.pdf"),
        ("finance_dq", f"/finance/years/{y}/roster.xlsx"),
        ("admin", f"/certificates/contests/{c}"),
        ("admin", f"/promotion/contests/{c}"),
        ("admin", f"/promotion/notices/{b['notice']}"),
        ("admin", f"/promotion/notices/{b['notice']}?page=2"),
        ("admin", f"/promotion/notices/{b['notice']}.xlsx"),
        ("admin", f"/contests/{c}/payees"),
        ("admin", f"/contests/{c}/payees?page=2"),
        ("admin", f"/contests/{c}/award-list"),
        ("admin", f"/contests/{c}/award-list?page=2"),
        ("admin", f"/awards/{c}"),
        ("admin", f"/imports/batches/{b['batch']}"),
        ("admin", "/people/?q=选手"),
    ]


@pytest.fixture
def clients(app):
    """One signed-in test client per user, signed in once (sign-ins are rate-limited)."""
    signed_in = {}

    def client_of(user: str):
        if user not in signed_in:
            signed_in[user] = app.test_client()
            AuthActions(signed_in[user]).login(user)
        return signed_in[user]

    return client_of


def statements_of(db, clients, user: str, url: str) -> int:
    client = clients(user)
    client.get(url)  # first request: caches (policies, templates) filled
    # The test's app context is the requests' too: start from an empty session, as a request
    # does in production, so a lazy load cannot be answered from objects the test loaded.
    db.session.remove()
    with counted(db) as statements:
        response = client.get(url)
        body = response.get_data()
    assert response.status_code == 200, (url, response.status_code)
    assert body
    return len(statements)


def test_list_pages_and_exports_read_as_many_statements_at_any_size(
    db, clients, two_sizes, monkeypatch
):
    """STYLE.md: every list page is written for 10,000 rows, counts and totals in SQL,
    pagination, no lazy load inside a loop: the statements of each page and export are the
    same for a 6-entry and a 130-entry contest. The payment roster streams its rows from one
    statement however few it fetches at a time (issue 17): its count is equal at both sizes."""
    from compapp.finance import roster

    monkeypatch.setattr(roster, "ROWS_AT_A_TIME", 5)
    small, large = two_sizes
    grown = []
    for (user, small_url), (_user, large_url) in zip(pages(small), pages(large), strict=True):
        few = statements_of(db, clients, user, small_url)
        many = statements_of(db, clients, user, large_url)
        if many > few or ("/roster." in large_url and many != few):
            grown.append((large_url, few, many))
    assert not grown, grown


def test_index_pages_read_as_many_statements_with_more_contests(db, clients, create_user):
    """The indexes (certificates, promotion, finance, the review queue, contests, the audit log,
    revocations, recoveries, imports) sum per contest in SQL and page their rows: a second large
    contest adds no statements."""
    admin = create_user("admin", "admin")
    second = create_user("admin2", "admin")
    finance_dq = create_user("finance_dq", "finance", jurisdiction_code="533400")
    build(db, SMALL, 2023, admin, second, finance_dq, 700_000)
    urls = [
        "/certificates/",
        "/promotion/",
        "/finance/?payer=530000",
        "/contests/review",
        "/contests/",
        "/audit/",
        "/revocations/",
        "/finance/recoveries",
        "/imports/",
    ]
    before = [statements_of(db, clients, "admin", url) for url in urls]
    admin, second, finance_dq = (db.session.merge(u) for u in (admin, second, finance_dq))
    build(db, LARGE, 2024, admin, second, finance_dq, 800_000)
    after = [statements_of(db, clients, "admin", url) for url in urls]
    assert after == before


def test_large_lists_show_one_page_and_say_how_many(db, client, auth, two_sizes):
    """A page shows its slice and the whole count; the next page link keeps the filters."""
    _small, large = two_sizes
    auth.login("admin")
    page = client.get(f"/contests/{large['contest']}/results").get_data(as_text=True)
    assert "第 1–50 条，共 130 条（第 1 / 3 页）" in page
    assert "page=2" in page
    page = client.get(f"/contests/{large['contest']}/results?page=3").get_data(as_text=True)
    assert "第 101–130 条，共 130 条（第 3 / 3 页）" in page
    page = client.get(f"/contests/{large['contest']}/awards?event={large['event']}").get_data(
        as_text=True
    )
    # Award cards: 20 entries a page (compapp.paging.CARDS_PAGE).
    assert "第 1–20 条，共 40 条（第 1 / 2 页）" in page and f"event={large['event']}" in page
    assert page.count('class="card award-entry"') == 20


def test_the_payees_page_shows_a_page_and_counts_the_whole_contest(db, client, auth, two_sizes):
    """Issue 17: a contest's payees show one page of rows with the pager; the count of payees
    missing data covers the whole contest."""
    _small, large = two_sizes
    auth.login("admin")
    page = client.get(f"/contests/{large['contest']}/payees").get_data(as_text=True)
    assert page.count("/payees/competitors/") + page.count("/payees/coaches/") == 50
    assert "第 1–50 条，共 " in page and "page=2" in page
    # Nobody of the generated contest has a bank account yet: every payee lacks one.
    total = int(page.split("第 1–50 条，共 ")[1].split(" 条")[0].replace(",", ""))
    assert total > 100 and f"还有 {total} 人缺少身份证号码或收款账户。" in page
    last = client.get(f"/contests/{large['contest']}/payees?page=99").get_data(as_text=True)
    shown = last.count("/payees/competitors/") + last.count("/payees/coaches/")
    assert shown == total - 50 * ((total - 1) // 50)


@pytest.mark.parametrize("url", ["/awards/{c}", "/contests/{c}/award-list"])
def test_an_award_list_shows_a_page_of_rows_and_the_whole_lists_totals(
    db, client, auth, two_sizes, monkeypatch, url
):
    """Issue 17: the public award list and its preview show a page of rows with the pager;
    the totals row is the whole list's on every page."""
    from compapp.disclosure import views
    from compapp.disclosure.services import live_disclosure

    _small, large = two_sizes
    rows = live_disclosure(large["contest"]).content["rows"]
    assert len(rows) > 10
    monkeypatch.setattr(views, "AWARD_LIST_PAGE", 10)
    auth.login("admin")
    address = url.format(c=large["contest"])
    first = client.get(address).get_data(as_text=True)
    second = client.get(f"{address}?page=2").get_data(as_text=True)
    body = first.split('id="award-list"')[1].split("</table>")[0]
    assert body.count("<tr><td>") == 10
    assert f"第 1–10 条，共 {len(rows)} 条" in first and f"第 11–20 条，共 {len(rows)} 条" in second
    foot = first.split("<tfoot>")[1].split("</tfoot>")[0]
    assert foot == second.split("<tfoot>")[1].split("</tfoot>")[0]
    assert body != second.split('id="award-list"')[1].split("</table>")[0]


def test_a_long_notice_shows_a_page_of_names_and_every_objection(
    db, client, auth, two_sizes, monkeypatch
):
    """A province's notice lists thousands of names: the page shows one page of them,
    numbered as published, with the pager; the objections of every page stay listed."""
    from compapp.promotion import notices, views
    from compapp.promotion.models import PromotionCase, PublicNotice

    _small, large = two_sizes
    notice = db.session.get(PublicNotice, large["notice"])
    rows = notices.notice_published_content(notice)["rows"]
    assert len(rows) > 4
    last = db.session.get(PromotionCase, rows[-1]["case_id"])
    auth.login("admin")
    monkeypatch.setattr(views, "NOTICE_PAGE", 2)
    client.post(
        f"/promotion/cases/{last.id}/objections",
        data={"objector": "某某", "content": "名次有误", "objector_contact": ""},
    )
    page = client.get(f"/promotion/notices/{notice.id}?page=2").get_data(as_text=True)
    n = len(rows)
    assert f"第 3–4 条，共 {n} 条（第 2 / {-(-n // 2)} 页）" in page
    listed = page.split('id="notice-list"')[1].split("</table>")[0]
    assert rows[2]["name"] in listed and rows[3]["name"] in listed
    assert rows[0]["name"] not in listed and rows[4]["name"] not in listed
    assert '<td class="num">3</td>' in listed
    objections = page.split('id="objection-list"')[1].split("</table>")[0]
    assert "名次有误" in objections and last.competitor.name in objections


def test_a_budget_page_loads_only_the_lines_it_shows(db, clients, two_sizes):
    """The budget page's confirm and payment forms bind to what the page shows — the counts,
    totals and which lines, summed in SQL — so a budget of many pages loads one page of lines,
    not every line to build the forms' tokens."""
    from sqlalchemy import event

    from compapp.contests.models import Entry, Event
    from compapp.rewards.models import AwardLineRecord

    _small, large = two_sizes
    lines = db.session.scalar(
        db.select(db.func.count(AwardLineRecord.id))
        .join(Entry, Entry.id == AwardLineRecord.entry_id)
        .join(Event, Event.id == Entry.event_id)
        .where(
            Event.contest_id == large["contest"],
            AwardLineRecord.payer_code == "533400",
            AwardLineRecord.is_current.is_(True),
        )
    )
    assert lines > 100  # more than one page
    loaded = []

    def on_load(target, _context):
        loaded.append(target.id)

    client = clients("finance_dq")
    db.session.remove()
    event.listen(AwardLineRecord, "load", on_load)
    try:
        response = client.get(f"/finance/contests/{large['contest']}")
    finally:
        event.remove(AwardLineRecord, "load", on_load)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'name="seen"' in page
    assert 0 < len(set(loaded)) <= 100, (lines, len(set(loaded)))


def _confirm_rest(db, contest_id: int, second) -> None:
    """Give every result of the contest its second confirmation (the budget then awaits)."""
    from compapp.contests.models import Entry, Event, Placement
    from compapp.contests.services import confirm_placement, placement_view

    for placement in db.session.scalars(
        db.select(Placement)
        .join(Entry)
        .join(Event)
        .where(Event.contest_id == contest_id, Placement.status != "confirmed")
    ).all():
        confirm_placement(placement, second, placement_view(placement))
    db.session.commit()


def test_confirming_a_budget_loads_no_line_and_runs_as_many_statements_at_any_size(db, two_sizes):
    """A payer confirms a province-scale budget in SQL: one conditional UPDATE with the
    guards of a line awaiting confirmation claims the lines (no line loaded into Python), the
    same statements for 6 or 130 entries; the confirmation and its audit record name how many
    lines and their total."""
    from sqlalchemy import event

    from compapp.audit.models import AuditEntry
    from compapp.auth.models import User
    from compapp.contests.models import Contest
    from compapp.finance.services import budget_view, confirm_budget
    from compapp.rewards.models import AwardLineRecord

    second = db.session.scalar(db.select(User).filter_by(username="admin2"))
    for built in two_sizes:
        _confirm_rest(db, built["contest"], second)
    loaded, measured = [], []

    def on_load(target, _context):
        loaded.append(target.id)

    for built in two_sizes:
        db.session.remove()
        contest = db.session.get(Contest, built["contest"])
        officer = db.session.scalar(db.select(User).filter_by(username="finance_dq"))
        seen = budget_view("533400", contest)
        awaiting = seen["待确认明细条数"]
        assert awaiting > 0
        event.listen(AwardLineRecord, "load", on_load)
        try:
            with counted(db) as statements:
                confirmation = confirm_budget(contest, "533400", officer, seen=seen)
        finally:
            event.remove(AwardLineRecord, "load", on_load)
        db.session.commit()
        assert loaded == [], len(loaded)
        measured.append(len(statements))
        assert (confirmation.line_count, confirmation.total_fen) == (
            awaiting,
            seen["待确认合计"],
        )
        claimed = db.session.execute(
            db.select(db.func.count(), db.func.sum(AwardLineRecord.amount_fen)).where(
                AwardLineRecord.budget_confirmation_id == confirmation.id
            )
        ).one()
        assert tuple(claimed) == (awaiting, seen["待确认合计"])
        audit = db.session.scalar(
            db.select(AuditEntry)
            .filter_by(action="confirm_budget", target_id=str(confirmation.id))
            .order_by(AuditEntry.id.desc())
        )
        assert audit.after["line_count"] == awaiting
        assert audit.after["total_fen"] == seen["待确认合计"]
        assert f"{awaiting} 条" in audit.summary
        assert budget_view("533400", contest)["待确认明细条数"] == 0
    assert measured[0] == measured[1], measured


def test_the_certificates_page_loads_only_the_certificates_it_shows_after_a_correction(
    db, clients, two_sizes
):
    """After a correction superseded every certificate, the page counts in SQL who is due a
    certificate again and who awaits the result, and pages both lists: it loads no more than
    its pages of certificates, and runs as many statements at either size."""
    from sqlalchemy import event

    from compapp.auth.models import User
    from compapp.certificates import issuing as certificate_issuing
    from compapp.certificates.models import Certificate
    from compapp.contests.models import Contest, Entry, Event
    from compapp.paging import PAGE_SIZE

    admin = db.session.scalar(db.select(User).filter_by(username="admin"))
    second = db.session.scalar(db.select(User).filter_by(username="admin2"))
    for built in two_sizes:
        _confirm_rest(db, built["contest"], second)
        certificate_issuing.issue_all_certificates(db.session.get(Contest, built["contest"]), admin)
        db.session.commit()
        entries = db.session.scalars(
            db.select(Entry.id).join(Event).where(Event.contest_id == built["contest"])
        ).all()
        assert admin.id  # loaded before the certificates change (no flush half-way)
        certificate_issuing.supersede_entry_certificates(entries, "result_reopened", admin)
        db.session.commit()
    small, large = two_sizes
    superseded = db.session.scalar(
        db.select(db.func.count(Certificate.id)).where(
            Certificate.contest_id == large["contest"],
            Certificate.superseded_reason.is_not(None),
        )
    )
    assert superseded > 3 * PAGE_SIZE
    url = "/certificates/contests/{}"
    counts = [statements_of(db, clients, "admin", url.format(b["contest"])) for b in two_sizes]
    assert counts[0] == counts[1], counts
    loaded = []

    def on_load(target, _context):
        loaded.append(target.id)

    client = clients("admin")
    db.session.remove()
    event.listen(Certificate, "load", on_load)
    try:
        response = client.get(url.format(large["contest"]))
    finally:
        event.remove(Certificate, "load", on_load)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert len(set(loaded)) <= 2 * PAGE_SIZE, (superseded, len(set(loaded)))
    assert 'id="to-reissue"' in page and "xpage=2" in page


def test_a_budget_page_counts_the_lines_of_its_filter(db, clients, two_sizes):
    """The budget page's pager counts every line of the chosen status (from the totals it
    shows) or of the name searched (counted in SQL): the same numbers as the lines loaded one
    by one, and as many rows over all its pages."""
    import re
    from collections import Counter

    from compapp.contests.models import Entry, Event
    from compapp.rewards.models import AwardLineRecord

    _small, large = two_sizes
    contest = large["contest"]
    lines = db.session.scalars(
        db.select(AwardLineRecord)
        .join(Entry)
        .join(Event)
        .where(
            Event.contest_id == contest,
            AwardLineRecord.payer_code == "530000",
            AwardLineRecord.is_current.is_(True),
        )
    ).all()
    by_status = Counter(line.status() for line in lines)
    searched = "选手60001"
    found = sum(
        1
        for line in lines
        if (line.payee == "competitor" and searched in line.competitor.name)
        or (
            line.payee == "coaching_team"
            and any(searched in c.coach.name for c in line.entry.coaches)
        )
    )
    assert len(by_status) > 1 and 0 < found < len(lines)
    client = clients("admin")
    asked = [("", len(lines))] + [(f"&status={s}", n) for s, n in by_status.items()]
    for query, expected in [*asked, (f"&q={searched}", found)]:
        url = f"/finance/contests/{contest}?payer=530000{query}"
        first = client.get(url).get_data(as_text=True)
        shown = re.search(r"共 ([\d,]+) 条（第 1 / (\d+) 页）", first)
        assert int(shown.group(1).replace(",", "")) == expected, (query, shown.group(0))
        rows = sum(
            client.get(f"{url}&page={n}").get_data(as_text=True).count('<td class="explain">')
            for n in range(1, int(shown.group(2)) + 1)
        )
        assert rows == expected, (query, rows)


def test_the_award_cards_count_the_entries_of_their_filter(db, clients, two_sizes):
    """The awards page counts its placed entries from the event summaries it shows (all
    events, or one) and in SQL for a name search: the same numbers as the entries counted one
    by one, and as many cards over all its pages."""
    import re

    from compapp.contests.models import Entry, Event, Placement

    _small, large = two_sizes
    contest, event = large["contest"], large["event"]
    placed = db.session.scalars(
        db.select(Entry).join(Event).join(Placement).where(Event.contest_id == contest)
    ).all()
    searched = "选手60001"
    found = sum(1 for e in placed if any(searched in m.competitor.name for m in e.members))
    in_event = sum(1 for e in placed if e.event_id == event)
    assert 0 < found < len(placed) and 0 < in_event < len(placed)
    client = clients("admin")
    for query, expected in [
        ("", len(placed)),
        (f"?event={event}", in_event),
        (f"?q={searched}", found),
    ]:
        url = f"/contests/{contest}/awards{query}"
        first = client.get(url).get_data(as_text=True)
        shown = re.search(r"共 ([\d,]+) 条（第 1 / (\d+) 页）", first)
        assert int(shown.group(1).replace(",", "")) == expected, (query, shown.group(0))
        joiner = "&" if "?" in url else "?"
        cards = sum(
            client.get(f"{url}{joiner}page={n}").get_data(as_text=True).count("card award-entry")
            for n in range(1, int(shown.group(2)) + 1)
        )
        assert cards == expected, (query, cards)
