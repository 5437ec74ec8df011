"""Read policy files strictly: one parser, one key-path reader, one version vocabulary, one
citation rule — for award policies (``loader``) and promotion rules (``promotion``) alike.

Every refusal is a ``PolicyFileError`` whose message names the file and the key path
("dq-2022.toml: versions[0].effective_from: …"). ``Reader.fail`` returns the error and the
caller raises it, so every refusal reads as a ``raise``. Pure: no Flask, no database, no clock.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Protocol

from compapp.policy.strict_toml import PolicyFileError, _refuse_float, load_toml_strict

__all__ = [
    "CITATION_RE",
    "ENTERED_CITATION_RE",
    "OLD_DATE_WORDS",
    "PolicyFileError",
    "Reader",
    "VersionDates",
    "check_in_sequence",
    "load_toml_strict",
    "parse_policy_text",
    "parse_toml",
    "read_dates",
    "read_policy_bytes",
]

# A seed file and line (or line range): "000_506faec866124176.txt:91", "002_….txt:46-47".
CITATION_RE = re.compile(r"^\d{3}_[0-9a-f]{16}\.txt:\d+(-\d+)?$")
# What an administrator enters through the forms cites a document that is not among the
# sources: "entered" (the clause's quoted sentence is the evidence) or the sha256 of the PDF
# of the document attached to it ("attachment:<64 hex>").
ENTERED_CITATION_RE = re.compile(r"^(entered|attachment:[0-9a-f]{64})$")
DIVISION_CODE_RE = re.compile(r"^\d{6}$")

# The words of a version's dates, the same in every policy file.
VERSION_DATE_KEYS = {"effective_from", "effective_to", "date_assumed", "date_note", "date_citation"}
VERSION_DATE_REQUIRED = {"effective_from", "date_assumed", "date_citation"}
# Words promotion files used before they shared the award files' vocabulary.
OLD_DATE_WORDS = {"valid_from": "effective_from", "valid_until": "effective_to"}


def parse_toml(text: str) -> dict:
    """Parse ``text`` as TOML, refusing floats (tomllib itself refuses duplicate keys)."""
    return tomllib.loads(text, parse_float=_refuse_float)


def parse_policy_text(text: str, name: str) -> tuple[dict, str]:
    """Return the data of a policy file given as text and the sha256 of its UTF-8 bytes."""
    try:
        data = parse_toml(text)
    except (tomllib.TOMLDecodeError, ValueError) as exc:
        raise PolicyFileError(_name_the_key(text, f"{name}: {exc}")) from exc
    return data, hashlib.sha256(text.encode("utf-8")).hexdigest()


def read_policy_bytes(path: Path | str) -> str:
    """Return a policy file's text: its bytes are read once and must be UTF-8."""
    path = Path(path)
    try:
        return path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise PolicyFileError(f"{path.name}: not UTF-8 text ({exc})") from exc


_AT_LINE_RE = re.compile(r"\(at line (\d+), column \d+\)")
_FLOAT_RE = re.compile(r"float '([^']+)'")
_HEADER_RE = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
_KEY_RE = re.compile(r"^\s*([\w.\"-]+)\s*=")


def _problem_line(lines: list[str], problem: str) -> tuple[int | None, str | None]:
    """Return the line a parser problem is on and, for a refused float, the key it sets."""
    if found := _AT_LINE_RE.search(problem):
        return int(found.group(1)), None
    if found := _FLOAT_RE.search(problem):
        literal = re.escape(found.group(1))
        pattern = re.compile(rf"([\w\"-]+)\s*=\s*[-+]?{literal}(?![\w.])")
        for index, line in enumerate(lines, start=1):
            if hit := pattern.search(line.split("#", 1)[0]):
                return index, hit.group(1)
        # A float inside an array ("individual = [4.0, 10]"): the line that holds it.
        for index, line in enumerate(lines, start=1):
            if found.group(1) in line.split("#", 1)[0]:
                return index, None
    return None, None


def _name_the_key(text: str, message: str) -> str:
    """Add the key, line and line's text to a parser message ("file: key (line 4): problem").

    tomllib reports a duplicate key by position only and a refused float by its text only;
    a person fixing the file wants the key.
    """
    name, _, problem = message.partition(": ")
    lines = text.splitlines()
    number, inner = _problem_line(lines, problem)
    if number is None or number > len(lines):
        return message
    table = ""
    for line in lines[: number - 1]:
        if header := _HEADER_RE.match(line):
            table = header.group(1)
    key_match = _KEY_RE.match(lines[number - 1])
    parts = [table] if table else []
    if key_match:
        parts.append(key_match.group(1))
    if inner and inner not in parts:
        parts.append(inner)
    shown = lines[number - 1].strip()
    return f"{name}: {'.'.join(parts) or '?'} (line {number}): {problem} — {shown!r}"


# The keys whose text a person reads, and so may carry an English twin "<key>_en" beside it
# (compapp.policy.english looks the twins up).
TRANSLATED_KEYS = frozenset({"note", "notice", "text", "date_note"})
TWINS: dict[str, str] = {}


def twin_key(key: str) -> str:
    """The key of ``key``'s English twin (``note`` → ``note_en``)."""
    return f"{key}_en"


def remember(chinese: str, english: str) -> None:
    """Keep ``english`` as the twin of ``chinese`` (the Reader calls this for each pair)."""
    if chinese.strip() and english.strip():
        TWINS[chinese.strip()] = english.strip()


class Reader:
    """Check one parsed file; every refusal names the file and the key path."""

    def __init__(self, name: str) -> None:
        self.name = name

    def fail(self, where: str, problem: str) -> PolicyFileError:
        """Return the error for ``problem`` at key path ``where`` (the caller raises it)."""
        return PolicyFileError(f"{self.name}: {where}: {problem}")

    def keys(self, table: object, where: str, allowed: set[str], required: set[str]) -> dict:
        """Return ``table`` after refusing unknown keys and reporting missing ones."""
        if not isinstance(table, dict):
            raise self.fail(where, "expected a table")
        # A sentence a person reads may have its English twin beside it (compapp.policy.english).
        allowed = allowed | {twin_key(k) for k in allowed & TRANSLATED_KEYS}
        for key in table:
            if key not in allowed:
                raise self.fail(_path(where, key), "unknown key (a typo?)")
        for key in sorted(required):
            if key not in table:
                problem = "missing"
                if "citation" in key:
                    problem = "missing: uncited, every value must cite its source line"
                raise self.fail(_path(where, key), problem)
        return table

    def table(self, table: dict, key: str, where: str) -> dict:
        """Return a table value."""
        value = table.get(key)
        if not isinstance(value, dict):
            raise self.fail(_path(where, key), "expected a table")
        return value

    def text(self, table: dict, key: str, where: str, *, required: bool = True) -> str:
        """Return a non-empty string value ("" for an absent optional one)."""
        value = table.get(key, None if required else "")
        if not isinstance(value, str) or (required and not value.strip()):
            raise self.fail(_path(where, key), "expected a non-empty string")
        if key in TRANSLATED_KEYS and twin_key(key) in table:
            english = table[twin_key(key)]
            if not isinstance(english, str) or not english.strip():
                raise self.fail(_path(where, twin_key(key)), "expected a non-empty string")
            remember(value, english)
        return value

    def texts(self, table: dict, key: str, where: str) -> list[str]:
        """Return a list of strings."""
        value = table.get(key)
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.fail(_path(where, key), "expected a list of strings")
        return value

    def flag(self, table: dict, key: str, where: str, default: bool | None = None) -> bool:
        """Return true or false (``default`` when absent; required when there is none)."""
        if key not in table and default is not None:
            return default
        value = table.get(key)
        if not isinstance(value, bool):
            raise self.fail(_path(where, key), "expected true or false")
        return value

    def division_code(self, table: dict, key: str, where: str) -> str:
        """Return a 6-digit administrative division code."""
        value = self.text(table, key, where)
        if not DIVISION_CODE_RE.match(value):
            raise self.fail(_path(where, key), f"{value!r} is not a 6-digit division code")
        return value

    def day(self, value: object, where: str) -> date:
        """Return a TOML date (not a date-time, not a string)."""
        if isinstance(value, datetime) or not isinstance(value, date):
            raise self.fail(where, f"expected a date like 2021-01-01, got {value!r}")
        return value

    # --- the one citation rule -----------------------------------------------------------

    def citation(self, table: dict, key: str, where: str) -> str:
        """Return a citation: a seed line "NNN_hex16.txt:LINE", or what an administrator
        entered ("entered", "attachment:<sha256>"); refuse a value without one."""
        value = table.get(key)
        if not isinstance(value, str) or not (
            CITATION_RE.match(value) or ENTERED_CITATION_RE.match(value)
        ):
            raise self.fail(
                _path(where, key),
                f"uncited: expected a seed citation like 000_506faec866124176.txt:91, got {value!r}",
            )
        return value

    def quote(self, table: dict, key: str, where: str) -> str:
        """Return the exact sentence of the source a clause applies; refuse a blank one."""
        value = table.get(key)
        if not isinstance(value, str) or not value.strip():
            raise self.fail(_path(where, key), "unquoted: give the exact sentence of the source")
        return value


def _path(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


@dataclass(frozen=True)
class VersionDates:
    """When a version is in force (both ends inclusive), whether the start is assumed, and
    where the date comes from."""

    effective_from: date
    effective_to: date | None
    date_assumed: bool
    date_note: str
    date_citation: str

    def covers(self, on: date) -> bool:
        """Return True when the version is in force on ``on``."""
        return self.effective_from <= on and (self.effective_to is None or on <= self.effective_to)


def version_keys(table: object, where: str, r: Reader, own: set[str], required: set[str]) -> dict:
    """Check a ``[[versions]]`` table's keys: the date words every policy file shares, plus
    the kind's ``own``; a promotion file's old words are named with their replacement."""
    if isinstance(table, dict):
        for old, new in OLD_DATE_WORDS.items():
            if old in table:
                raise r.fail(
                    f"{where}.{old}",
                    f"renamed: write {new} (versions use the words effective_from, "
                    "effective_to, date_assumed, date_note, date_citation)",
                )
    return r.keys(table, where, VERSION_DATE_KEYS | own, VERSION_DATE_REQUIRED | required)


def read_dates(data: dict, where: str, r: Reader) -> VersionDates:
    """Return a version's dates (its keys already checked by ``version_keys``)."""
    start = r.day(data["effective_from"], f"{where}.effective_from")
    end = None
    if "effective_to" in data:
        end = r.day(data["effective_to"], f"{where}.effective_to")
        if end < start:
            raise r.fail(f"{where}.effective_to", "ends before effective_from")
    assumed = r.flag(data, "date_assumed", where)
    return VersionDates(
        effective_from=start,
        effective_to=end,
        date_assumed=assumed,
        date_note=r.text(data, "date_note", where, required=assumed),
        date_citation=r.citation(data, "date_citation", where),
    )


class Dated(Protocol):
    effective_from: date
    effective_to: date | None


def period_text(version: Dated) -> str:
    """Return "2021-01-01 起" or "2017-07-01 至 2020-12-31"."""
    text = version.effective_from.isoformat()
    return text + (f" 至 {version.effective_to.isoformat()}" if version.effective_to else " 起")


def overlap(a: Dated, b: Dated) -> bool:
    """Return True when two versions share a day."""
    a_end = a.effective_to or date.max
    b_end = b.effective_to or date.max
    return a.effective_from <= b_end and b.effective_from <= a_end


def check_in_sequence(versions: Sequence[Dated], r: Reader) -> None:
    """Refuse versions (sorted by start) of which two are in force on one day."""
    for earlier, later in zip(versions, versions[1:], strict=False):
        if overlap(earlier, later):
            raise r.fail(
                "versions",
                f"overlapping versions: {period_text(earlier)} overlaps {period_text(later)}"
                " (the earlier one needs an effective_to before the later one starts)",
            )
