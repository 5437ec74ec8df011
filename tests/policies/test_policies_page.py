"""The policies section (/policies/): every document and value the loaders read, readable."""

from __future__ import annotations

import html
import re
import shutil
from decimal import Decimal
from pathlib import Path

from compapp.core.money import format_yuan_short
from compapp.policy.loader import AWARDS_DIR, load_policies
from compapp.policy.promotion import load_promotion_rules

SECTION_RE = re.compile(r'<section class="pol-doc" id="([^"]+)">(.*?)</section>', re.S)
SOURCE_RE = re.compile(r"\d{3}_[0-9a-f]{16}\.txt|POLICY\.md|sha256|\.toml")


def visible(markup: str) -> str:
    """The text a person sees: tags (and their attributes) removed, entities decoded."""
    markup = re.sub(r"<(style|script)\b.*?</\1>", " ", markup, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", markup))


def sections(markup: str) -> dict[str, str]:
    return {anchor: visible(body) for anchor, body in SECTION_RE.findall(markup)}


def number_text(number: str) -> str:
    return number.strip().strip("（）") or "未印文号"


def percent_text(percent) -> str:
    return f"{percent.normalize():f}%"


def page(client, url="/policies/") -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_policies_answer_without_sign_in_and_list_every_award_document_and_amount(client):
    found = sections(page(client))
    policies = load_policies()
    assert len(policies) >= 5
    for policy in policies:
        h = policy.header
        text = found[h.id]
        for expected in (h.title, number_text(h.document_number), h.issuer, h.jurisdiction_name):
            assert expected in text, (h.id, expected)
        for version in policy.versions:
            assert version.effective_from.strftime("%Y年%-m月%-d日") in text or (
                version.effective_from.isoformat() in text
            ), (h.id, version.effective_from)
            for row in version.schedule:
                known = (getattr(h, "clauses", None) or {}).get(row.clause)
                # A clause the data cites is shown as its section and item, as the document numbers it.
                shown = f"{known.section}{known.item}" if known else row.clause
                assert shown in text, (h.id, row.clause, shown)
                for amount in row.amounts.values():
                    assert format_yuan_short(amount) in text, (h.id, row.clause, amount)
            used = {row.clause for row in version.schedule} | {r.clause for r in version.topups}
            for key in used & set(getattr(h, "clauses", None) or {}):
                # The quoted sentence of each clause with an amount, where the data has it.
                assert h.clauses[key].quote in text, (h.id, key)
            for rule in version.topups:
                for share in rule.shares:
                    assert f"省级金额的 {percent_text(share.percent)}" in text, (h.id, share)


def test_every_amount_shows_once_per_result(client):
    markup = page(client)
    for policy in load_policies():
        body = dict(SECTION_RE.findall(markup))[policy.id]
        rows = body.count('<span class="amt">')
        assert rows == sum(len(r.amounts) for v in policy.versions for r in v.schedule)


def test_assumed_dates_are_marked(client):
    found = sections(page(client))
    for policy in load_policies():
        for version in policy.versions:
            if version.date_assumed:
                assert "假定日期" in found[policy.id]
    assumed = [p.id for p in load_policies() if any(v.date_assumed for v in p.versions)]
    assert assumed, "the shipped data has an assumed date (云政发〔2021〕28号)"
    for policy in load_policies():
        if policy.id not in assumed:
            assert "假定日期" not in found[policy.id]


def test_promotion_rules_are_listed_with_bands_grades_and_quotes(client):
    found = sections(page(client))
    rules = load_promotion_rules()
    assert rules.policies
    for policy in rules.policies:
        text = found[policy.id]
        assert policy.document in text and policy.issuer in text
        for version in policy.versions:
            for rule in version.rules:
                for first, last in rule.bands.values():
                    band = f"第 {first} 名" if first == last else f"第 {first} 至 {last} 名"
                    assert band in text
                if rule.quote:
                    assert rule.quote in text
                if rule.title:
                    assert f"“{rule.title}”" in text


def test_no_source_file_digest_or_bare_id_is_visible(client, auth, dummy_organiser):
    ids = [p.id for p in load_policies()] + [p.id for p in load_promotion_rules().policies]
    for signed_in in (False, True):
        if signed_in:
            auth.login("organiser")
        text = visible(page(client))
        assert not SOURCE_RE.search(text), SOURCE_RE.search(text)
        for policy_id in ids:
            assert not re.search(rf"(?<![\w-]){re.escape(policy_id)}(?![\w-])", text), policy_id


def test_signed_in_users_see_readings_and_notices_the_public_does_not(
    client, auth, dummy_organiser
):
    notes = [
        s.note
        for p in load_policies()
        for v in p.versions
        for s in v.settings.values()
        if s.note and ".txt" not in s.note and "POLICY.md" not in s.note
    ]
    assert notes
    public_text = visible(page(client))
    assert "compapp 的读法" not in public_text
    assert not any(note in public_text for note in notes)
    auth.login("organiser")
    signed_text = visible(page(client))
    assert "compapp 的读法" in signed_text
    for note in notes:
        assert note in signed_text
    assert "管理员信息" not in signed_text


def test_administrators_see_ids_and_digests_in_a_details_block(client, auth, dummy_admin):
    auth.login("admin")
    markup = page(client)
    details = re.findall(
        r"<details class=\"explain\"><summary>管理员信息</summary>(.*?)</details>", markup, re.S
    )
    assert len(details) == len(sections(markup))
    joined = " ".join(details)
    for policy in load_policies():
        assert policy.id in joined
        assert policy.versions[0].digest in joined


def test_english_page(client):
    text = visible(page(client, "/policies/?lang=en"))
    assert "Policy documents" in text
    assert "Assumed date" in text
    assert "World Skills Competition" in text or "WorldSkills" in text
    assert "Gold" in text


def make_active_revision(create_user, text: str, policy_id: str) -> None:
    import hashlib
    from datetime import date, datetime

    from compapp.extensions import db
    from compapp.policies.models import PolicyRevision

    author, reviewer = create_user(role="admin"), create_user(role="admin")
    db.session.add(
        PolicyRevision(
            policy_id=policy_id,
            state="active",
            text=text,
            digest=hashlib.sha256(text.encode()).hexdigest(),
            version_from=date(2022, 9, 16),
            summary="新文件",
            source="import",
            created_by_id=author.id,
            reviewed_by_id=reviewer.id,
            reviewed_at=datetime(2026, 1, 1),
        )
    )
    db.session.commit()


def test_a_new_document_shows_without_code_changes(client, create_user, tmp_path: Path):
    for path in AWARDS_DIR.glob("*.toml"):
        shutil.copy(path, tmp_path / path.name)
    source = (AWARDS_DIR / "ll-2022-64.toml").read_text(encoding="utf-8")
    new = source.replace('id = "ll-2022-64"', 'id = "tc-2025-3"')
    new = re.sub(
        r'^title = ".*"$', 'title = "腾冲市技能人才奖励试行办法"', new, count=1, flags=re.M
    )
    new = re.sub(
        r'^document_number = ".*"$',
        'document_number = "腾政发〔2025〕3号"',
        new,
        count=1,
        flags=re.M,
    )
    new = new.replace("gold = 150000", "gold = 154321")
    (tmp_path / "tc-2025-3.toml").write_text(new, encoding="utf-8")
    loaded = load_policies(tmp_path)
    # A document entered by administrators is kept in the database, in the same shape.
    make_active_revision(create_user, new, "tc-2025-3")
    found = sections(page(client))
    text = found["tc-2025-3"]
    assert "腾冲市技能人才奖励试行办法" in text and "腾政发〔2025〕3号" in text
    amounts = {
        a for v in loaded["tc-2025-3"].versions for r in v.schedule for a in r.amounts.values()
    }
    assert Decimal("154321") in amounts
    for amount in amounts:
        assert format_yuan_short(amount) in text


def test_every_page_links_to_the_policies_for_anyone(client):
    markup = client.get("/login").get_data(as_text=True)
    assert 'href="/policies/"' in markup
