"""Training subsidies a final grade may qualify for — information, never an award (POLICY §7).

One TOML file per document in ``data/subsidies/``; each names the grades it subsidises, the
amount as the document states it and the condition (training required), with the quoted
sentence and its citation. Pure: no Flask, no database.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

from compapp.core.vocab import GRADE_ORDER
from compapp.policy.citations import ClauseRef, DocumentName, UserCitation, cite
from compapp.policy.reading import PolicyFileError, Reader, parse_policy_text, read_policy_bytes

SUBSIDIES_DIR = Path(__file__).parent / "data" / "subsidies"
_KEYS = {
    "id",
    "title",
    "short_title",
    "issuer",
    "document_number",
    "issued_on",
    "section",
    "citation",
    "quote",
    "reading",
    "grades",
}
_GRADE_KEYS = {"grade", "amount", "condition"}


@dataclass(frozen=True)
class GradeSubsidy:
    """What one document says a grade's certificate may bring, and on which condition."""

    policy_id: str
    grade: str
    amount: str
    condition: str
    citation: UserCitation


@dataclass(frozen=True)
class SubsidyDocument:
    """A document granting training subsidies for grade certificates."""

    id: str
    title: str
    short_title: str
    issuer: str
    document_number: str
    issued_on: date
    section: str
    citation: str
    quote: str
    reading: str
    grades: tuple[GradeSubsidy, ...]

    def cite(self) -> UserCitation:
        """Return the citation a person reads (the whole section: amounts per grade)."""
        return cite(
            ClauseRef("subsidy", self.id, self.section),
            DocumentName(self.short_title, self.document_number),
            section="",
            item=self.section,
        )


def load_subsidy_file(path: Path) -> SubsidyDocument:
    """Load one subsidy file strictly; refuse an unknown key, grade or an uncited quote."""
    data, _digest = parse_policy_text(read_policy_bytes(path), path.name)
    where = path.name
    r = Reader(where)
    if set(data) != _KEYS:
        raise PolicyFileError(f"{where}: needs exactly the keys {sorted(_KEYS)}")
    for key in _KEYS - {"grades", "issued_on", "citation", "quote"}:
        r.text(data, key, "")
    r.citation(data, "citation", "")
    r.quote(data, "quote", "")
    r.day(data["issued_on"], "issued_on")
    document = SubsidyDocument(**{**data, "grades": ()})
    grades = []
    for index, entry in enumerate(data["grades"]):
        if not isinstance(entry, dict) or set(entry) != _GRADE_KEYS:
            raise PolicyFileError(f"{where}: grades[{index}]: needs {sorted(_GRADE_KEYS)}")
        if entry["grade"] not in GRADE_ORDER:
            raise PolicyFileError(f"{where}: grades[{index}].grade: unknown {entry['grade']!r}")
        grades.append(
            GradeSubsidy(
                document.id, entry["grade"], entry["amount"], entry["condition"], document.cite()
            )
        )
    return SubsidyDocument(**{**data, "grades": tuple(grades)})


@cache
def shipped_subsidies() -> tuple[SubsidyDocument, ...]:
    """Return the shipped subsidy documents (read once per process)."""
    return tuple(load_subsidy_file(p) for p in sorted(SUBSIDIES_DIR.glob("*.toml")))


def subsidies_for(grade: str | None) -> list[GradeSubsidy]:
    """Return what the documents say a certificate of ``grade`` may bring (information only)."""
    return [g for d in shipped_subsidies() for g in d.grades if g.grade == grade]
