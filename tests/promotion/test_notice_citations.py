"""What the promotion notice (公示) cites, as a person reads it (POLICY.md §8): the PDF, the
Excel file and the pages name the document by its title and 文号 (未印文号 for Diqing's plan,
000_506faec866124176.txt:135 prints none) and each row's section and item (四（四）3.(1) …,
000_…txt:95) — never a source file name, a line number, a digest, "POLICY.md" or a policy id.
"""

from __future__ import annotations

import io
import re

from openpyxl import load_workbook
from pypdf import PdfReader

from compapp.promotion import notices
from tests.promotion import test_promotion_workflow as workflow

# The workflow's contest, its office date and holiday (fixtures), and its steps.
app_config = workflow.app_config
office_today = workflow.office_today
people = workflow.people
evaluate, publish = workflow.evaluate, workflow.publish

DOCUMENT = "迪庆藏族自治州人民政府关于实施“技能云南”行动迪庆方案的意见"
# What must never be read: a seed file name or line, a digest, this project's notes, a
# policy id or an internal clause key.
INTERNAL = re.compile(
    r"\d{3}_[0-9a-f]{16}\.txt|\.txt:\d+|[0-9a-f]{16,}|POLICY|dq-2022|yn-20\d\d|ll-2022|yx-2022"
)


def visible(html: str) -> str:
    """The text of a page's main part, as read on screen (tags, link addresses dropped)."""
    main = html.split("<main", 1)[1].split("</main>", 1)[0]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main))


def published(client, auth, db, people):
    contest_id, _found = people
    auth.login("organiser")
    evaluate(client, contest_id)
    return contest_id, publish(client, db, contest_id)


def test_notice_pdf_cites_document_number_and_clause(client, auth, db, dummy_organiser, people):
    _contest_id, notice = published(client, auth, db, people)
    pdf = client.get(f"/promotion/notices/{notice.id}.pdf").data
    text = re.sub(r"\s+", "", "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages))
    assert f"根据《{DOCUMENT}》（未印文号）关于竞赛获奖选手技能等级晋升的规定" in text
    # Each row's basis column: the section and item of the rule applied.
    rows = {row.name: row.basis for row in notices.notice_document(notice).rows}
    assert rows == {"格桑次仁": "四（四）3.(1)", "阿旺": "四（四）3.(2)"}
    assert "四（四）3.(1)" in text and "四（四）3.(2)" in text
    assert not INTERNAL.search(text), INTERNAL.search(text)


def test_notice_workbook_cites_document_number_and_clause(
    client, auth, db, dummy_organiser, people
):
    _contest_id, notice = published(client, auth, db, people)
    wb = load_workbook(io.BytesIO(client.get(f"/promotion/notices/{notice.id}.xlsx").data))
    cells = [
        str(value)
        for ws in wb.worksheets
        for row in ws.iter_rows(values_only=True)
        for value in row
        if value is not None
    ]
    assert any(f"根据《{DOCUMENT}》（未印文号）" in c for c in cells)
    assert f"《{DOCUMENT}》（未印文号）" in cells  # the 说明 sheet's 政策 row
    sheet = wb["晋升公示"]
    basis = {row[1]: row[9] for row in sheet.iter_rows(values_only=True) if row[0] in (1, 2)}
    assert basis == {"格桑次仁": "四（四）3.(1)", "阿旺": "四（四）3.(2)"}
    for cell in cells:
        assert not INTERNAL.search(cell), cell


def test_notice_and_promotion_pages_cite_the_same_way(client, auth, db, dummy_organiser, people):
    contest_id, notice = published(client, auth, db, people)
    notice_page = visible(client.get(f"/promotion/notices/{notice.id}").get_data(as_text=True))
    contest_page = visible(client.get(f"/promotion/contests/{contest_id}").get_data(as_text=True))
    case = notices.notice_document(notice).rows[0]
    assert case.basis in notice_page
    # The contest page cites each case by the plan's short title, 文号 and clause, linked to
    # the citation page with the quoted paragraph.
    assert "迪庆方案（未印文号）四（四）3.(1)" in contest_page
    assert "迪庆方案（未印文号）四（四）3.(2)" in contest_page
    html = client.get(f"/promotion/contests/{contest_id}").get_data(as_text=True)
    link = re.search(
        r'<a class="citation" href="([^"]+)">迪庆方案（未印文号）四（四）3\.\(1\)', html
    )
    assert link, "the citation links to its page"
    cited = visible(client.get(link.group(1)).get_data(as_text=True))
    assert DOCUMENT in cited and "未印文号" in cited
    for text in (notice_page, contest_page, cited):
        assert not INTERNAL.search(text), INTERNAL.search(text)


def test_the_winners_page_names_the_training_subsidy_of_a_final_grade(
    client, auth, db, dummy_organiser, create_user, people, monkeypatch
):
    """Issue 13 point 8 on the winner's own page: once the grade is final, the subsidy the
    new grade may qualify for (004_11ff9eab5f823416.txt 一(十)), with its condition and
    citation — information, never an award line."""
    from datetime import date

    from compapp.rewards.models import AwardLineRecord

    _contest_id, notice = published(client, auth, db, people)
    case = workflow.case_of(db, "格桑次仁")
    create_user("gesang", "winner", competitor_id=case.competitor_id)
    auth.logout()
    auth.login("gesang")
    before = visible(client.get("/my/results").get_data(as_text=True))
    assert "培训补贴" not in before  # not final yet: nothing to point out
    workflow.set_today(monkeypatch, date(2026, 12, 5))
    notices.finalize_case(case, date(2026, 12, 5), dummy_organiser)
    db.session.commit()
    page = visible(client.get("/my/results").get_data(as_text=True))
    assert "可能适用的培训补贴（仅为提示，不是竞赛奖励" in page
    assert "每人一次性 2,000 元" in page and "参加培训并取得技师" in page
    assert "终身职业技能培训工作安排（云人社发〔2018〕71号）一（十）" in page
    assert not INTERNAL.search(page), INTERNAL.search(page)
    assert not db.session.scalar(
        db.select(AwardLineRecord).where(AwardLineRecord.explanation.contains("培训补贴"))
    )
