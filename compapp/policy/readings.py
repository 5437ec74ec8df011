"""compapp's readings of unclear points (POLICY.md §5 and the named readings of §3–§4).

One TOML file, ``data/readings.toml``: each reading has an id that policy files name, a
Chinese and an English title and text, and the clauses it reads. Published on the public
readings page; notices and citations link there. Pure: no Flask, no database.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from compapp.policy.reading import PolicyFileError, load_toml_strict

READINGS_FILE = Path(__file__).parent / "data" / "readings.toml"
_KEYS = {"id", "title", "title_en", "text", "text_en", "basis"}
_OPTIONAL = {"basis_en"}  # a basis that is only document references needs no English
_ID_RE = re.compile(r"^[a-z][a-z0-9-]*$")


@dataclass(frozen=True)
class Reading:
    """One reading compapp applies where a document is unclear."""

    id: str
    title: str
    title_en: str
    text: str
    text_en: str
    basis: str
    basis_en: str = ""


def load_readings(path: Path | None = None) -> dict[str, Reading]:
    """Load the readings file strictly; return the readings by id, in file order."""
    path = READINGS_FILE if path is None else Path(path)
    data = load_toml_strict(path)
    if set(data) != {"readings"} or not isinstance(data["readings"], list):
        raise PolicyFileError(f"{path.name}: expected only [[readings]] tables")
    readings: dict[str, Reading] = {}
    for index, entry in enumerate(data["readings"]):
        where = f"{path.name}: readings[{index}]"
        if not isinstance(entry, dict) or not _KEYS <= set(entry) <= _KEYS | _OPTIONAL:
            raise PolicyFileError(
                f"{where}: needs the keys {sorted(_KEYS)} (and may have {sorted(_OPTIONAL)})"
            )
        for key in entry:
            if not isinstance(entry[key], str) or not entry[key].strip():
                raise PolicyFileError(f"{where}.{key}: expected a non-empty string")
        if not _ID_RE.match(entry["id"]) or entry["id"] in readings:
            raise PolicyFileError(f"{where}.id: {entry['id']!r} is not a new lower-case id")
        readings[entry["id"]] = Reading(**entry)
    return readings


@cache
def shipped_readings() -> dict[str, Reading]:
    """Return the shipped readings (read once per process)."""
    return load_readings()
