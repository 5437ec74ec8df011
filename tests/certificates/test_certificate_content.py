"""What certificates say, built from plain values (compapp/certificates/content.py)."""

from __future__ import annotations

import ast
from datetime import date
from pathlib import Path

import pytest

from compapp.certificates import content as content_module
from compapp.certificates.content import (
    KINDS,
    Placing,
    award_certificate,
    body_text,
    file_name,
    format_date,
    load_template,
    promotion_certificate,
    title_certificate,
    verify_url,
)
from compapp.policy.strict_toml import PolicyFileError

SERIAL = "7K3QHM2X9PABCDEFGHJKMNPQRS"
PACKAGE = Path(content_module.__file__).parent


def _award(**overrides):
    values = dict(
        serial=SERIAL,
        holder_name="张三",
        contest_name="2024年全国职业技能大赛",
        event_name="焊接",
        result_text="金牌",
        issued_on=date(2024, 9, 15),
    )
    extra = {k: overrides.pop(k) for k in ("holder_role", "issuing_body") if k in overrides}
    values.update(overrides)
    return award_certificate(Placing(**values), **extra)


@pytest.mark.parametrize("kind", KINDS)
def test_each_kind_has_a_template_file_that_loads(kind):
    """Wording and layout of every kind are data in templates/<kind>.toml."""
    template = load_template(kind)
    assert template.kind == kind
    assert template.title and template.issuing_body and template.body["default"]


def test_award_certificate_takes_the_templates_issuing_body_by_default():
    """The issuer is data: the award template's line is used unless one is passed."""
    assert _award().issuing_body == load_template("award").issuing_body
    assert _award(issuing_body="大赛组委会").issuing_body == "大赛组委会"


def test_competitor_award_body_names_contest_event_and_result():
    """A competitor's 获奖证书 states contest, event and result."""
    assert body_text(_award()) == "在2024年全国职业技能大赛焊接赛项中荣获金牌。特发此证，以资鼓励。"


def test_coaching_team_award_body_says_the_holder_coached():
    """A coaching-team member's certificate says so (POLICY.md §4.1 同等标准 for the team)."""
    text = body_text(_award(holder_role="教练"))
    assert "教练团队成员（教练）" in text and "指导选手荣获金牌" in text


def test_promotion_body_states_both_grades_and_the_basis():
    """The confirmation names from- and to-grade and the rule's document (dq-2022, 000_…txt:95)."""
    content = promotion_certificate(
        Placing(
            serial=SERIAL,
            holder_name="扎西",
            contest_name="2025年云南省职业技能大赛",
            event_name="中式烹调师",
            result_text="第 2 名",
            issued_on=date(2025, 11, 3),
        ),
        from_grade="三级/高级工",
        to_grade="二级/技师",
    )
    text = body_text(content)
    assert "由三级/高级工晋升为二级/技师" in text
    assert "迪庆方案" in text
    assert content.holder_role == "选手"


def test_promotion_certificate_needs_both_grades():
    """A confirmation without the grades would confirm nothing."""
    with pytest.raises(ValueError, match="from_grade"):
        promotion_certificate(
            Placing(
                serial=SERIAL,
                holder_name="扎西",
                contest_name="c",
                event_name="e",
                result_text="第 2 名",
                issued_on=date(2025, 11, 3),
            ),
            from_grade="",
            to_grade="二级/技师",
        )


def test_title_body_confers_the_yunnan_title():
    """Rule (1): employees are conferred 云南竞赛技术能手, 经核准 (000_…txt:95)."""
    content = title_certificate(
        Placing(
            serial=SERIAL,
            holder_name="李四",
            contest_name="2025年云南省职业技能大赛",
            event_name="电工",
            result_text="第 1 名",
            issued_on=date(2025, 11, 3),
        )
    )
    assert "经核准，授予“云南竞赛技术能手”称号" in body_text(content)


def test_content_refuses_a_malformed_serial():
    """Only a canonical serial can be printed and verified."""
    with pytest.raises(ValueError, match="serial"):
        _award(serial="abc")


def test_content_refuses_an_empty_holder_name():
    """A certificate without a name is no certificate."""
    with pytest.raises(ValueError, match="holder name"):
        _award(holder_name="  ")


def test_verify_url_joins_base_and_serial_once():
    """The QR code points to <base>/verify/<serial> (CONTRACT.md, Certificates)."""
    assert verify_url("https://a.cn/", SERIAL) == f"https://a.cn/verify/{SERIAL}"
    assert verify_url("https://a.cn", SERIAL) == f"https://a.cn/verify/{SERIAL}"


def test_file_name_is_kind_name_contest_and_serial_prefix():
    """File names read 获奖证书_<name>_<contest>_<serial8>.pdf."""
    assert file_name(_award()) == "获奖证书_张三_2024年全国职业技能大赛_7K3QHM2X.pdf"


def test_file_name_drops_characters_file_systems_refuse():
    """Slashes, colons, quotes, control characters and spaces never reach the file name."""
    name = file_name(_award(holder_name='A/B:C*"D"?\t E', contest_name="..<x>|y\\z"))
    assert name == "获奖证书_ABCDE_xyz_7K3QHM2X.pdf"


def test_file_name_stays_under_255_bytes_for_long_names():
    """Most file systems cap a name at 255 bytes; Chinese takes 3 bytes a character."""
    name = file_name(_award(holder_name="阿" * 100, contest_name="赛" * 200))
    assert len(name.encode("utf-8")) < 255
    assert name.endswith("_7K3QHM2X.pdf")


@pytest.mark.parametrize(
    ("day", "hanzi", "arabic"),
    [
        (date(2024, 9, 15), "二〇二四年九月十五日", "2024年9月15日"),
        (date(2025, 10, 20), "二〇二五年十月二十日", "2025年10月20日"),
        (date(2030, 12, 31), "二〇三〇年十二月三十一日", "2030年12月31日"),
        (date(2026, 1, 1), "二〇二六年一月一日", "2026年1月1日"),
    ],
)
def test_dates_are_written_as_on_certificates(day, hanzi, arabic):
    """Certificates date themselves in Chinese numerals (or Arabic, per template)."""
    assert format_date(day) == hanzi
    assert format_date(day, "arabic") == arabic


def _copy_template(tmp_path: Path, kind: str, old: str, new: str) -> Path:
    text = (PACKAGE / "templates" / f"{kind}.toml").read_text(encoding="utf-8")
    assert old in text
    (tmp_path / f"{kind}.toml").write_text(text.replace(old, new, 1), encoding="utf-8")
    return tmp_path


def test_template_with_an_unknown_placeholder_is_refused_naming_the_file(tmp_path):
    """A misspelt placeholder fails when the template loads, not on a printed certificate."""
    directory = _copy_template(tmp_path, "award", "荣获{result_text}", "荣获{resutl_text}")
    with pytest.raises(PolicyFileError, match=r"award\.toml.*resutl_text"):
        load_template("award", directory)


def test_template_with_a_float_position_is_refused(tmp_path):
    """Template numbers are integers, like all compapp data files."""
    directory = _copy_template(tmp_path, "title", "qr_size = 30", "qr_size = 30.5")
    with pytest.raises(PolicyFileError, match=r"title\.toml"):
        load_template("title", directory)


def test_template_missing_a_layout_key_is_refused(tmp_path):
    """Every position must be given; a missing one is named."""
    directory = _copy_template(tmp_path, "promotion", "qr_size = 30\n", "")
    with pytest.raises(PolicyFileError, match="qr_size"):
        load_template("promotion", directory)


@pytest.mark.parametrize("module", ["content", "pdf", "serials", "fonts", "bundle"])
def test_certificate_modules_stay_pure(module):
    """Pure modules import nothing from Flask, SQLAlchemy or WTForms and never read today."""
    tree = ast.parse((PACKAGE / f"{module}.py").read_text(encoding="utf-8"))
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module.split(".")[0])
        elif isinstance(node, ast.Attribute):
            assert node.attr not in {"today", "now", "utcnow"}, module
    assert not imported & {"flask", "flask_sqlalchemy", "sqlalchemy", "wtforms", "flask_wtf"}


def test_certificates_notices_and_pages_write_dates_with_one_helper(app):
    """One way of writing 2026年12月4日: the certificate, the notice and the cndate filter."""
    from compapp.core.dates import format_date as core_format_date
    from compapp.promotion.exports import cn_date

    day = date(2026, 12, 4)
    assert format_date is core_format_date
    with app.test_request_context("/?lang=zh"):
        shown = app.jinja_env.filters["cndate"](day)
    assert shown == cn_date(day) == format_date(day, "arabic") == "2026年12月4日"


def test_zip_name_is_made_safe_like_the_pdf_names():
    """The contest ZIP's name drops what file systems refuse, as certificate names do."""
    from compapp.certificates.zips import zip_download_name

    assert zip_download_name('2025 年<决赛>: "焊接"|') == "证书_2025年决赛焊接.zip"
    assert zip_download_name("  ") == "证书_赛事.zip"
    assert zip_download_name("赛" * 100) == f"证书_{'赛' * 60}.zip"
