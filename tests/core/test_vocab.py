"""One vocabulary of codes (STYLE.md): each code and its name are written once, in
compapp.core.vocab, and the tables, labels and constraints derive from it."""

import pytest
from flask_babel import force_locale

from compapp import labels
from compapp.core.vocab import GRADE_NAMES, GRADE_ORDER, SkillGrade
from compapp.reference.models import Grade


def test_grade_order_is_the_order_of_the_enum():
    """Grades rank lowest first: none, 五级 … 一级 (POLICY.md §6)."""
    assert list(GRADE_ORDER.items()) == [
        ("none", 0),
        ("junior", 1),
        ("intermediate", 2),
        ("senior", 3),
        ("technician", 4),
        ("senior_technician", 5),
    ]
    assert GRADE_NAMES["senior"] == "三级/高级工"


def test_the_grades_table_agrees_with_the_vocabulary(app, db):
    """The reference table the migration seeded names each grade as the enum and the English
    catalog do: one name per grade, whichever a page or a query reads."""
    rows = db.session.scalars(db.select(Grade).order_by(Grade.order)).all()
    assert [(g.code, g.order, g.name_zh) for g in rows] == [
        (grade.value, GRADE_ORDER[grade], grade.label) for grade in SkillGrade
    ]
    with force_locale("en"):
        assert [labels.grade(g.code) for g in rows] == [g.name_en for g in rows]


@pytest.mark.parametrize(
    ("locale", "code", "shown"),
    [
        ("zh", "technician", "二级/技师"),
        ("en", "technician", "Level 2 / Technician"),
        ("zh", None, "无等级"),
        ("en", None, "No grade"),
        ("en", "made_up", "made_up"),
    ],
)
def test_labels_name_a_grade_in_the_pages_language(app, locale, code, shown):
    with force_locale(locale):
        assert labels.grade(code) == shown
