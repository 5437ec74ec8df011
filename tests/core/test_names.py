"""Names on public pages: only the first character shows, whatever the name's length or origin."""

import pytest

from compapp.core.names import mask_name


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("张三", "张*"),
        ("张三丰", "张**"),
        ("欧阳娜娜", "欧***"),
        ("此里农布", "此***"),
        ("阿卜杜拉·买买提", "阿***·***"),
        ("扎西", "扎*"),
        ("李", "*"),
        ("John  Smith", "J*** *****"),
        ("  王芳 ", "王*"),
        ("", ""),
    ],
)
def test_only_the_first_character_of_a_name_is_shown(name, masked):
    assert mask_name(name) == masked


def test_one_character_name_is_not_shown_at_all():
    """A one-character name would be shown whole by "first character": it is hidden."""
    assert "李" not in mask_name("李")
