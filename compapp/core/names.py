"""Masking of personal names for public pages."""

from __future__ import annotations

# Kept as they are: they show where a name's parts meet, not who the person is
# (阿卜杜拉·买买提, Jean-Luc, John Smith).
SEPARATORS = frozenset(" ·•・-‧.")


def mask_name(name: str) -> str:
    """Show only a name's first character, each other character as *: 张三丰 → 张**,
    欧阳娜娜 → 欧***, 此里农布 → 此***, 阿卜杜拉·买买提 → 阿***·***; a one-character name is
    hidden whole (*). No claim is made that the first character is a family name: many names
    (Tibetan, Uyghur, Latin-script) have none there.
    """
    name = " ".join((name or "").split())
    if len(name) <= 1:
        return "*" if name else ""
    return name[0] + "".join(ch if ch in SEPARATORS else "*" for ch in name[1:])
