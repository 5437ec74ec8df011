"""Citations a person can use (POLICY.md §4.1, §8): the citation page, the readings page, and
no file name, line, digest or policy id in the text of what users read."""

from __future__ import annotations

import html
import re

import pytest

from compapp.policy.readings import load_readings

# A seed file or line, POLICY.md, a digest, or a bare policy id as text.
UNREADABLE = re.compile(
    r"\.txt|POLICY\.md|sha256|SHA-256|\b[a-z]{2}-\d{4}(-\d+)?\b|\b[0-9a-f]{64}\b"
)


def visible_text(page: str) -> str:
    """The text a person reads: no tags, attributes, scripts or styles."""
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


@pytest.mark.parametrize(
    ("url", "wanted"),
    [
        (
            "/citations/awards/yn-2021-28/(2)",
            ["《云南省人民政府关于实施“技能云南”行动的意见》", "云南省人民政府", "云政发〔2021〕28号",
             "据迪庆方案四（四）2.(2)转述", "省级层面分别给予每人一次性奖励20万元、15万元、8万元、2万元"],
        ),
        (
            "/citations/awards/dq-2022/(7)",
            ["迪庆藏族自治州人民政府", "2022-05-27", "未印文号", "参加我州综合性职业技能大赛",
             "迪庆州级竞赛奖励由州级财政承担"],
        ),
        (
            "/citations/awards/ll-2022-64/27",
            ["龙政发〔2022〕64号", "龙陵县人民政府", "2022-09-16", "除按国家、省、市有关奖励规定执行外"],
        ),
        (
            "/citations/promotion/dq-2022/(1)",
            ["迪庆方案（未印文号）四（四）3.(1)", "可晋升技师", "综合性大赛本身就是同级一类竞赛"],
        ),
        (
            # A case outside every band cites the whole section, which opens too.
            "/citations/promotion/dq-2022/",
            ["迪庆方案（未印文号）四（四）3.", "可晋升技师", "可晋升高级工"],
        ),
        (
            "/citations/subsidy/yn-hrss-2018-71/一（十）",
            ["云人社发〔2018〕71号", "2018-12-27", "参加培训并取得技师职业资格证书"],
        ),
    ],
)  # fmt: skip
def test_citation_page_shows_document_and_quoted_paragraph(client, url, wanted):
    """POLICY §8: a citation opens the document's title, issuer, date, 文号 and the quote."""
    response = client.get(url)
    assert response.status_code == 200
    text = visible_text(response.get_data(as_text=True))
    for part in wanted:
        assert part in text, part
    assert not UNREADABLE.search(text), UNREADABLE.search(text)


def test_administrators_see_ids_and_digests_in_a_details_view(client, auth, dummy_admin):
    """Admins may see the policy id, the seed line and the file digest, folded away."""
    auth.login("admin")
    page = client.get("/citations/awards/dq-2022/(6)").get_data(as_text=True)
    details = page[page.index("<details") :]
    assert "dq-2022" in details and "000_506faec866124176.txt:91" in details
    assert re.search(r"[0-9a-f]{64}", details)


@pytest.mark.parametrize(
    "url",
    [
        "/citations/awards/nope/(2)",
        "/citations/awards/dq-2022/(9)",
        "/citations/x/dq-2022/(1)",
        "/citations/awards/dq-2022/",
        "/citations/promotion/nope/",
    ],
)
def test_unknown_citation_is_a_404(client, url):
    assert client.get(url).status_code == 404


def test_readings_page_publishes_every_reading_in_chinese_and_english(client):
    """POLICY §8: compapp's readings have a public page of their own; notices link there."""
    readings = load_readings()
    from flask_babel import refresh

    zh = client.get("/readings").get_data(as_text=True)
    refresh()  # the test's app context would otherwise keep the first request's locale
    en = client.get("/readings?lang=en").get_data(as_text=True)
    refresh()
    for reading in readings.values():
        assert f'id="{reading.id}"' in zh
        assert reading.text in zh and reading.text_en in html.unescape(en)
    assert not UNREADABLE.search(visible_text(zh))


def test_award_pages_cite_documents_and_link_notices_to_the_readings(
    client, auth, db, dummy_organiser, create_contest, create_event, create_entry
):
    """The awards page: citations link to their page; notices link to the readings page."""
    from compapp.rewards.services import award_policies, grant_contest_awards

    contest = create_contest(category="provincial_class1")
    event = create_event(contest, "电工", "individual", "prizes")
    create_entry(event, county="530102", rank=1, result="prize_1")
    grant_contest_awards(contest, award_policies())
    db.session.commit()
    auth.login("organiser")
    page = client.get(f"/contests/{contest.id}/awards").get_data(as_text=True)
    assert 'href="/citations/awards/yn-2021-28/%284%29%E7%9C%81%E7%BA%A7"' in page
    text = visible_text(page)
    assert (
        "“技能云南”行动意见（云政发〔2021〕28号，据迪庆方案四（四）2.(4)转述），按 compapp 读法"
        in text
    )
    assert "未配置昆明市或五华区的本地奖励政策" in text
    assert 'href="/readings"' in page
    assert not UNREADABLE.search(text), UNREADABLE.search(text)
