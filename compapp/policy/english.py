"""The English twins of the policy data's own sentences: a note, notice, notice text or date
note may have a ``<key>_en`` beside it (``note_en = "…"``), read by the strict loader.

The Chinese sentence stays the record (it is what award computations store as their notices);
an English page looks its twin up here. Quoted document sentences stay Chinese inside the
English text. A sentence without a twin (entered from a form without one) reads in Chinese.
Pure: no Flask, no database.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from compapp.policy.reading import TRANSLATED_KEYS, TWINS, parse_toml, remember, twin_key

DATA_DIR = Path(__file__).parent / "data"
__all__ = ["TRANSLATED_KEYS", "english_twin", "remember", "twin_key"]


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
        walk(parse_toml(path.read_text(encoding="utf-8")))


def english_twin(chinese: str) -> str | None:
    """The English twin of a policy data sentence, or None when it has none."""
    if not isinstance(chinese, str) or not chinese.strip():
        return None
    _shipped()
    return TWINS.get(chinese.strip())
