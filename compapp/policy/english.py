"""The English twins of the policy data's own sentences: a note, notice, notice text or date
note may have a ``<key>_en`` beside it (``note_en = "…"``), read by the strict loader.

The Chinese sentence stays the record (it is what award computations store as their notices);
an English page looks its twin up here. Quoted document sentences stay Chinese inside the
English text. A sentence without a twin (entered from a form without one) reads in Chinese.
Pure: no Flask, no database.
"""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path

# The keys whose text a person reads, and so may carry an English twin "<key>_en".
TRANSLATED_KEYS = frozenset({"note", "notice", "text", "date_note"})
DATA_DIR = Path(__file__).parent / "data"

_TWINS: dict[str, str] = {}


def twin_key(key: str) -> str:
    """The key of ``key``'s English twin (``note`` → ``note_en``)."""
    return f"{key}_en"


def remember(chinese: str, english: str) -> None:
    """Keep ``english`` as the twin of ``chinese`` (the loader calls this for each pair)."""
    if chinese.strip() and english.strip():
        _TWINS[chinese.strip()] = english.strip()


@cache
def _shipped() -> None:
    """Read the twins of the shipped files once (so a stored notice finds its English even
    before its policy was loaded in this process)."""

    def walk(value: object) -> None:
        if isinstance(value, dict):
            for key in TRANSLATED_KEYS:
                zh, en = value.get(key), value.get(twin_key(key))
                if isinstance(zh, str) and isinstance(en, str):
                    remember(zh, en)
            for inner in value.values():
                walk(inner)
        elif isinstance(value, list):
            for inner in value:
                walk(inner)

    for path in sorted(DATA_DIR.rglob("*.toml")):
        walk(tomllib.loads(path.read_text(encoding="utf-8")))


def english_twin(chinese: str) -> str | None:
    """The English twin of a policy data sentence, or None when it has none."""
    if not isinstance(chinese, str) or not chinese.strip():
        return None
    _shipped()
    return _TWINS.get(chinese.strip())
