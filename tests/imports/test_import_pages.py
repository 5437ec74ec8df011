"""Import pages and services: dry run, report, save all-or-nothing, re-import, diff (issue 7)."""

import io
import re
from urllib.parse import quote

import openpyxl
import pytest
from flask_babel import refresh

from compapp.audit.models import AuditEntry
from compapp.contests import services as contest_services
from compapp.contests.models import Competitor, Entry, Event, Placement
from compapp.imports import layout, reading, services
from compapp.imports import plan as import_plan
from compapp.imports.entries import build_entries
from compapp.imports.models import ImportBatch
from compapp.rewards.entries import save_and_price_entry
from compapp.rewards.models import AwardComputation, AwardLineRecord
from tests.helpers import id_number_for
from tests.imports.import_helpers import csv_bytes, fill_template, person_rows, table_rows, xlsx


def count(db, model) -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(model))


def upload(client, contest, data: bytes, name: str = "成绩.xlsx"):
    response = client.post(
        f"/imports/contests/{contest.id}",
        data={"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    batch_id = int(response.location.rsplit("/", 1)[1])
    return batch_id, client.get(f"/imports/batches/{batch_id}").get_data(as_text=True)


def confirm(client, db, batch_id: int):
    batch = db.session.get(ImportBatch, batch_id)
    return client.post(f"/imports/batches/{batch_id}/confirm", data={"digest": batch.digest})


def five_hundred_rows() -> list[dict[str, str]]:
    """400 individual rows in two events and 50 pairs (100 rows)."""
    rows = person_rows(200, "电工") + person_rows(
        200, "焊工", county="香格里拉市（迪庆藏族自治州）"
    )
    for team in range(50):
        for member in range(2):
            rows.append(
                {
                    layout.OCCUPATION: "数控车",
                    layout.FORMAT: "双人",
                    layout.GROUP: str(team + 1),
                    layout.NAME: f"队员{team}-{member}",
                    layout.ID_NUMBER: id_number_for("530523", 300_000 + team * 2 + member),
                    layout.COUNTY: "龙陵县（保山市）",
                    layout.GRADE: "四级/中级工",
                    layout.RANK: str(team + 1) if member == 0 else "",
                    layout.RESULT: {0: "金牌", 1: "银牌"}.get(team, "") if member == 0 else "",
                }
            )
    assert len(rows) == 500
    return rows


@pytest.fixture
def organiser(client, auth, create_user):
    create_user("org", "organiser")
    auth.login("org")


def test_done_when_500_rows_three_errors_fixed_saved_then_unchanged(
    client, db, organiser, create_contest
):
    """Issue 7 "done when": template → 500 rows with 3 errors → report → fix → saved → same
    file again changes nothing."""
    contest = create_contest(category="national_skills_competition")
    template = client.get(f"/imports/contests/{contest.id}/template.xlsx")
    assert template.status_code == 200
    disposition = template.headers["Content-Disposition"]
    assert f"filename*=UTF-8''{quote('导入模板-' + contest.name + '.xlsx')}" in disposition
    rows = five_hundred_rows()
    good = [dict(r) for r in rows]
    rows[9][layout.ID_NUMBER] = rows[9][layout.ID_NUMBER][:-1] + (
        "0" if rows[9][layout.ID_NUMBER][-1] != "0" else "1"
    )  # row 11: check digit
    rows[250][layout.COUNTY] = "火星县"  # row 252: unknown county
    rows[400][layout.RESULT] = "一等奖"  # row 402: a prize the category does not award
    batch_id, page = upload(client, contest, fill_template(template.data, rows))
    assert "发现 3 个问题" in page, re.findall(r'class="error">([^<]*)<', page)
    assert "身份证号码校验位不正确" in page and "火星县" in page
    assert "本赛项按奖牌评奖（金牌、银牌、铜牌、优胜奖），不设一、二、三等奖。" in page
    batch = db.session.get(ImportBatch, batch_id)
    assert batch.status == "invalid"
    assert sorted((p["row"], p["column"]) for p in batch.problems) == [
        (11, layout.ID_NUMBER),
        (252, layout.COUNTY),
        (402, layout.RESULT),
    ]
    assert count(db, Entry) == 0 and count(db, Competitor) == 0 and count(db, Event) == 0

    report = client.get(f"/imports/batches/{batch_id}/report.xlsx")
    book = openpyxl.load_workbook(io.BytesIO(report.data))
    assert book["问题清单"].max_row == 4
    data_sheet = book[layout.SHEET]
    county_col = layout.HEADERS.index(layout.COUNTY) + 1
    assert data_sheet.cell(252, county_col).fill.fgColor.rgb.endswith("FF9999")
    assert "未知的县" in data_sheet.cell(252, county_col).comment.text
    assert data_sheet.cell(253, county_col).fill.fgColor.rgb in ("00000000", None)
    assert confirm(client, db, batch_id).status_code == 302
    assert count(db, Entry) == 0  # an invalid batch cannot be confirmed

    fixed = fill_template(template.data, good)
    batch_id, page = upload(client, contest, fixed)
    assert "检查通过" in page and "450" in page
    assert count(db, Entry) == 0  # the dry run saved nothing
    response = confirm(client, db, batch_id)
    assert response.status_code == 302
    # The 焊工 rows name the same 200 people as the 电工 rows: each is one competitor.
    assert count(db, Entry) == 450 and count(db, Competitor) == 300
    assert count(db, Placement) == 450 and count(db, Event) == 3
    assert count(db, AwardLineRecord) > 0
    assert db.session.get(ImportBatch, batch_id).status == "saved"
    audit = db.session.scalars(db.select(AuditEntry).filter_by(action="import_results")).one()
    assert audit.after["counts"]["added"] == 450

    before = {
        m.__tablename__: count(db, m)
        for m in (Entry, Competitor, Placement, AwardComputation, AwardLineRecord)
    }
    batch_id, page = upload(client, contest, fixed)
    assert "文件与系统中的内容一致" in page
    batch = db.session.get(ImportBatch, batch_id)
    assert batch.summary["counts"]["unchanged"] == 450 and batch.summary["counts"]["added"] == 0
    confirm(client, db, batch_id)
    after = {
        m.__tablename__: count(db, m)
        for m in (Entry, Competitor, Placement, AwardComputation, AwardLineRecord)
    }
    assert after == before


def test_changed_file_shows_added_changed_removed_and_saves_on_confirm(
    client, db, organiser, create_contest
):
    contest = create_contest(category="national_skills_competition")
    rows = person_rows(5)
    batch_id, _page = upload(client, contest, xlsx(table_rows(rows)))
    confirm(client, db, batch_id)
    changed = [dict(r) for r in rows[:4]] + person_rows(1, start=6)
    changed[3][layout.RANK] = "9"  # row 5 changes rank; 5th person removed; 6th added
    batch_id, page = upload(client, contest, xlsx(table_rows(changed)))
    counts = db.session.get(ImportBatch, batch_id).summary["counts"]
    assert (counts["added"], counts["changed"], counts["unchanged"], counts["removed"]) == (
        1,
        1,
        3,
        1,
    )
    assert "第4名" in page and "第9名" in page and "系统中有、文件中没有" in page
    assert count(db, Entry) == 5  # nothing changes before confirmation
    confirm(client, db, batch_id)
    ranks = sorted(db.session.scalars(db.select(Placement.rank)))
    assert ranks == [1, 2, 3, 5, 6, 9]  # removed entries are listed, not deleted
    assert db.session.scalars(db.select(AuditEntry).filter_by(action="import_entry")).one()


def test_confirmed_results_are_not_overwritten(client, db, organiser, create_contest):
    """A confirmed placement is listed as needing the four-eyes path, never overwritten."""
    contest = create_contest(category="national_skills_competition")
    rows = person_rows(3)
    batch_id, _page = upload(client, contest, xlsx(table_rows(rows)))
    confirm(client, db, batch_id)
    placement = db.session.scalars(db.select(Placement).filter_by(rank=3)).one()
    placement.status = "confirmed"
    db.session.commit()
    rows[2][layout.RESULT] = ""
    rows[1][layout.RANK] = "4"
    batch_id, page = upload(client, contest, xlsx(table_rows(rows)))
    assert "已确认的成绩：导入不会覆盖" in page
    counts = db.session.get(ImportBatch, batch_id).summary["counts"]
    assert (counts["confirmed"], counts["changed"]) == (1, 1)
    confirm(client, db, batch_id)
    db.session.expire_all()
    placement = db.session.scalars(db.select(Placement).filter_by(rank=3)).one()
    assert placement.medal == "bronze" and placement.status == "confirmed"
    assert sorted(db.session.scalars(db.select(Placement.rank))) == [1, 3, 4]


def test_a_50_mb_upload_is_refused_with_the_limit_named(client, db, organiser, create_contest):
    """Large files get a page that names the import limit, never a 500 (issue 7 §4)."""
    contest = create_contest()
    body = io.BytesIO(b"a" * (50 * 1024 * 1024))  # the page refuses by Content-Length
    response = client.post(
        f"/imports/contests/{contest.id}",
        input_stream=body,
        content_length=len(body.getvalue()),
        content_type="multipart/form-data; boundary=x",
    )
    assert response.status_code == 413
    text = response.get_data(as_text=True)
    assert "10 MB" in text and "上传并检查" in text
    assert count(db, ImportBatch) == 0


def test_upload_page_states_the_limit(client, organiser, create_contest):
    contest = create_contest()
    text = client.get(f"/imports/contests/{contest.id}").get_data(as_text=True)
    assert "文件最大 10 MB" in text and "GB18030" in text


@pytest.mark.parametrize(
    "data, name, expected",
    [
        (b"", "empty.xlsx", "文件是空的"),
        (b"%PDF-1.4 not a sheet", "a.pdf", "不是电子表格"),
        (b"PK\x03\x04junk", "a.xlsx", "不是有效的 Excel"),
        ("赛项,姓名\n电工,张三\n".encode("gb18030"), "a.csv", "缺少必需的列"),
    ],
)
def test_broken_uploads_show_a_message_not_an_error_page(
    client, db, organiser, create_contest, data, name, expected
):
    contest = create_contest()
    _batch_id, page = upload(client, contest, data, name)
    assert expected in page
    assert count(db, Entry) == 0


@pytest.mark.parametrize(
    "data, name, expected",
    [
        (b"", "empty.xlsx", "The file is empty"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1old", "a.xls", "This is an old Excel (.xls) file"),
        (b"%PDF-1.4 not a sheet", "a.pdf", "This file is not a spreadsheet."),
        (b"a,b\n\x80\xff\n", "a.csv", "text encoding cannot be recognised"),
        (b",,\n,,\n", "blank.csv", "The file has no content"),
    ],
)
def test_a_refused_file_says_why_in_english_on_an_english_page(
    client, db, organiser, create_contest, data, name, expected
):
    """The messages of a file refused as a whole are in the page's language too."""
    from flask_babel import refresh

    client.get("/imports/?lang=en")
    refresh()  # the test's app context outlives requests; forget its cached locale
    contest = create_contest()
    _batch_id, page = upload(client, contest, data, name)
    assert expected in page
    assert count(db, Entry) == 0


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_csv_uploads_in_each_encoding_are_saved(client, db, organiser, create_contest, encoding):
    contest = create_contest()
    batch_id, page = upload(client, contest, csv_bytes(person_rows(3), encoding), "a.csv")
    assert "检查通过" in page
    confirm(client, db, batch_id)
    names = sorted(db.session.scalars(db.select(Competitor.name)))
    assert names == ["选手1", "选手2", "选手3"]


def test_confirming_a_saved_batch_again_says_it_is_already_saved(
    client, db, organiser, create_contest
):
    """A second confirm is refused with the stored reason, not a pointer to absent problems."""
    contest = create_contest()
    batch_id, _page = upload(client, contest, xlsx(table_rows(person_rows(2))))
    assert confirm(client, db, batch_id).status_code == 302
    response = confirm(client, db, batch_id)
    assert response.status_code == 302
    page = client.get(response.location).get_data(as_text=True)
    assert "没有保存：该导入已保存，不能再次保存。" in page
    assert "请查看下方的问题" not in page
    assert count(db, Entry) == 2
    from flask_babel import refresh

    client.get("/imports/?lang=en")
    refresh()  # the test's app context outlives requests; forget its cached locale
    response = confirm(client, db, batch_id)
    page = client.get(response.location).get_data(as_text=True)
    assert "Not saved: this import has already been saved" in page


def test_import_problems_speak_english_in_english(client, db, organiser, create_contest):
    from flask_babel import refresh

    client.get("/imports/?lang=en")
    refresh()  # the test's app context outlives requests; forget its cached locale
    contest = create_contest(category="national_skills_competition")
    rows = person_rows(3)
    rows[0][layout.COUNTY] = "火星县"
    rows[1][layout.RANK] = "第一"
    _batch_id, page = upload(client, contest, xlsx(table_rows(rows)))
    assert "Unknown county “火星县”; please choose one from the drop-down list." in page
    assert "The rank must be a whole number (1, 2, 3 …)." in page, re.findall(
        r"[^<>]*第一[^<>]*", page
    )


def test_row_problems_of_an_event_and_a_person_speak_english_in_english(
    client, db, organiser, create_contest
):
    """Two problems found across rows (medals and prizes in one event; one ID number with two
    names) are shown in the page's language too."""
    from flask_babel import refresh

    client.get("/imports/?lang=en")
    refresh()  # the test's app context outlives requests; forget its cached locale
    contest = create_contest(category="provincial_class1")
    rows = person_rows(3)
    rows[1][layout.RESULT] = "一等奖"  # the event already has a gold medal in row 2
    rows[2][layout.ID_NUMBER] = rows[0][layout.ID_NUMBER]  # another name, same number
    _batch_id, page = upload(client, contest, xlsx(table_rows(rows)))
    assert "One event cannot have both medals and prizes" in page
    assert "同一赛项不能同时设奖牌和等级奖" not in page
    assert "Row 2 gives the same ID number with the name “选手1”" in page
    assert "与本行不一致" not in page


def test_confirm_needs_the_digest_of_the_checked_file(client, db, organiser, create_contest):
    contest = create_contest()
    batch_id, _page = upload(client, contest, xlsx(table_rows(person_rows(2))))
    response = client.post(f"/imports/batches/{batch_id}/confirm", data={"digest": "0" * 64})
    assert count(db, Entry) == 0
    page = client.get(response.location).get_data(as_text=True)
    assert "没有保存：文件在检查之后已变化，请重新上传。" in page


def test_same_person_in_two_events_is_one_competitor(db, create_contest):
    contest = create_contest()
    rows = person_rows(2)
    other = [dict(r, **{layout.OCCUPATION: "焊工"}) for r in rows]
    table = reading.read_upload(xlsx(table_rows(rows + other)))
    services.save_import(contest, table, None)
    db.session.commit()
    assert count(db, Competitor) == 2 and count(db, Entry) == 4


def test_one_person_twice_in_an_event_and_rank_clash_are_refused(db, create_contest):
    contest = create_contest()
    rows = person_rows(3)
    rows[2][layout.ID_NUMBER] = rows[0][layout.ID_NUMBER]
    rows[2][layout.NAME] = rows[0][layout.NAME]
    rows[1][layout.RANK] = "1"
    plan = import_plan.check_import(contest, reading.read_upload(xlsx(table_rows(rows))))
    found = {(p.row, p.column, p.message) for p in plan.problems}
    assert (4, layout.ID_NUMBER, "该选手已在本赛项的另一参赛组中。") in found
    assert any(row == 3 and column == layout.RANK for row, column, _m in found)


def test_messages_match_the_entry_form_checks(db, create_contest, create_event, create_entry):
    """The import's problems for an entry are the ones check_entry gives the form."""
    contest = create_contest()
    event = create_event(contest)
    existing = create_entry(event, rank=1, result="gold", names=["张三"])
    number = existing.members[0].competitor.id_number
    data = contest_services.EntryData(
        sending_county="533422",
        members=[contest_services.MemberData(id_number=number, name="李四")],
        rank=1,
        result="prize_1",
    )
    form_messages = sorted(p.text() for p in contest_services.check_entry(event, data))
    row = person_rows(1)[0]
    row.update(
        {
            layout.ID_NUMBER: number,
            layout.NAME: "李四",
            layout.RANK: "1",
            layout.RESULT: "一等奖",
        }
    )
    rows = table_rows([row])
    plan = import_plan.check_import(contest, reading.read_upload(xlsx(rows)))
    # The existing entry keeps rank 1 only if it is not the one matched: it is matched here
    # (same ID number), so compare with the form editing that entry.
    form_messages = sorted(p.text() for p in contest_services.check_entry(event, data, existing))
    assert sorted(p.text() for p in plan.problems) == form_messages


def test_stored_awards_equal_those_of_the_entry_form(db, create_contest, create_event):
    """Bulk save stores the same computations and lines save_entry/grant_awards store."""
    contest = create_contest(category="national_skills_competition")
    rows = person_rows(4)
    rows[3][layout.RESULT] = "优胜奖"
    table = reading.read_upload(xlsx(table_rows(rows)))
    services.save_import(contest, table, None)
    db.session.commit()

    twin = create_contest(category="national_skills_competition")
    event = create_event(twin, "电工")
    spellings, _counties = import_plan.county_lookup()
    entries, _problems = build_entries(table, spellings)
    for item in entries:
        for m in item.members:  # different people, same facts
            m.id_number = id_number_for("533422", 900_000 + item.rank)
        save_and_price_entry(event, services.entry_data(item), None, None)
    db.session.commit()

    def stored(c):
        out = []
        for entry in db.session.scalars(
            db.select(Entry).join(Event).where(Event.contest_id == c.id).order_by(Entry.id)
        ):
            comp = db.session.scalars(
                db.select(AwardComputation).filter_by(entry_id=entry.id)
            ).one()
            lines = sorted(
                (
                    line.payee,
                    line.payer_level,
                    line.payer_code,
                    line.amount_fen,
                    line.policy_id,
                    line.version_from,
                    line.policy_digest,
                    line.clause,
                    line.citation,
                    line.explanation,
                    line.kind,
                    line.is_current,
                )
                for line in comp.lines
            )
            out.append((comp.reason, comp.placement, comp.error, comp.basis.key, lines))
        return out

    assert stored(contest) == stored(twin)
    assert stored(contest)[0][4]  # gold has lines
    audits = db.session.scalars(
        db.select(AuditEntry).filter_by(action="compute_awards").order_by(AuditEntry.id)
    ).all()
    # The import records its batch once for the contest; the form records each entry.
    batch, *form = audits
    assert (batch.target_type, batch.target_id) == ("contest", str(contest.id))
    imported = db.session.scalars(
        db.select(AwardComputation.id)
        .join(Entry)
        .join(Event)
        .where(Event.contest_id == contest.id)
        .order_by(AwardComputation.id)
    ).all()
    lines = db.session.scalars(
        db.select(AwardLineRecord).where(AwardLineRecord.computation_id.in_(imported))
    ).all()
    assert batch.after["computations"] == 4 == len(imported)
    assert batch.after["first_computation_id"] == imported[0]
    assert batch.after["last_computation_id"] == imported[-1]
    assert batch.after["lines"] == len(lines) > 0
    assert sum(fen for _count, fen in batch.after["by_payer"].values()) == sum(
        line.amount_fen for line in lines
    )
    twin_entries = db.session.scalars(
        db.select(Entry.id).join(Event).where(Event.contest_id == twin.id).order_by(Entry.id)
    ).all()
    assert [(a.target_type, a.target_id) for a in form] == [("entry", str(e)) for e in twin_entries]


def test_batch_pages_need_an_organiser(client, auth, create_user, create_contest):
    create_user("fin", "finance")
    auth.login("fin")
    contest = create_contest()
    assert client.get(f"/imports/contests/{contest.id}").status_code == 403
    assert client.get("/imports/").status_code == 403


def test_index_lists_contests_with_template_links(client, organiser, create_contest):
    contest = create_contest("导入测试赛")
    text = client.get("/imports/").get_data(as_text=True)
    assert "导入测试赛" in text
    assert re.search(rf"/imports/contests/{contest.id}/template.xlsx", text)


def test_lists_of_batches_do_not_read_the_stored_sheets(client, db, organiser, create_contest):
    """The index and upload pages name batches without loading their cells or problems."""
    from tests.queries import counted

    contest = create_contest()
    batch_id, _page = upload(client, contest, xlsx(table_rows(person_rows(2))))
    assert confirm(client, db, batch_id).status_code == 302
    upload(client, contest, xlsx(table_rows(person_rows(3))))
    db.session.expunge_all()
    with counted(db) as statements:
        index = client.get("/imports/").get_data(as_text=True)
        page = client.get(f"/imports/contests/{contest.id}").get_data(as_text=True)
    assert f"#{batch_id}" in index and f"#{batch_id}" in page
    loaded = [s for s in statements if "import_batches" in s]
    assert loaded and not [s for s in loaded if ".cells" in s or ".problems" in s]
    report = client.get(f"/imports/batches/{batch_id}/report.xlsx")
    assert report.status_code == 200


def test_a_batch_names_its_status_in_the_pages_language(client, db, organiser, create_contest):
    """The batch page and the list name a batch's status from the vocabulary (ImportStatus),
    translated on an English page."""
    contest = create_contest()
    batch_id, page = upload(client, contest, xlsx(table_rows(person_rows(2))))
    assert '<span class="badge provisional">已检查，待确认</span>' in page
    refresh()  # the test's app context kept the first request's language
    english = client.get(f"/imports/batches/{batch_id}?lang=en").get_data(as_text=True)
    assert '<span class="badge provisional">Checked, awaiting confirmation</span>' in english
    confirm(client, db, batch_id)
    refresh()
    listed = client.get("/imports/?lang=zh").get_data(as_text=True)
    assert '<span class="badge confirmed">已保存</span>' in listed
