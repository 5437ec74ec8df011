"""The one way a citation reads for a person (POLICY.md §4.1, §8).

Every page, Excel file and PDF that names where an amount, a notice or a promotion comes
from calls ``cite``: the document's short title and 文号 (or 未印文号), its section and
item — never a source file name, a line number, a digest or a policy id. A document known
only through another's restatement is cited through it ("据迪庆方案四（四）2.(2)转述"); a
clause applied under one of compapp's readings says so. Pure: no Flask, no database.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from urllib.parse import quote

__all__ = ["ClauseRef", "DocumentName", "UserCitation", "cite", "citation_path"]

READING_MARK = "按 compapp 读法"


@dataclass(frozen=True)
class UserCitation:
    """A citation as a person reads it, and where its page is."""

    text: str
    kind: str  # "awards" or "promotion": which policy data the clause belongs to
    policy_id: str
    clause: str  # the clause's key in the policy data
    reading: str  # id of the reading it is applied under, or ""
    item: str = ""  # the clause as printed: "(2)", "第27条"

    @cached_property
    def path(self) -> str:
        """Return the path of the page that shows the document and the quoted paragraph."""
        return citation_path(self.kind, self.policy_id, self.clause)

    def __str__(self) -> str:
        return self.text


def citation_path(kind: str, policy_id: str, clause: str) -> str:
    """Return ``/citations/<kind>/<policy>/<clause>`` with the clause key URL-quoted."""
    return f"/citations/{kind}/{policy_id}/{quote(clause, safe='')}"


@dataclass(frozen=True)
class ClauseRef:
    """Which clause of which policy's data a citation is about (how pages link to it)."""

    kind: str  # "awards", "promotion" or "subsidy"
    policy_id: str
    clause: str  # the clause's key in the policy data


@dataclass(frozen=True)
class DocumentName:
    """How a citation names a document: short title, 文号, and who restates it."""

    short_title: str
    document_number: str = ""  # "" when the document prints none (未印文号)
    # (short title, section) of the document that quotes this one's clauses; the clause is
    # then cited as an item of that document
    restated_by: tuple[str, str] | None = None


def cite(
    ref: ClauseRef,
    name: DocumentName,
    *,
    section: str,
    item: str,
    reading: str = "",
    document: str = "",
) -> UserCitation:
    """Return the citation of one clause of one document.

    :param reading: the id of the compapp reading the clause is applied under, or ""
    :param document: the document holding the clause when it is not this one (a measure the
        document refers to: "《玉溪市“兴玉英才支持计划”实施办法》"); cited by that name
    """
    number = name.document_number or "未印文号"
    if document:
        text = f"{document}{section}{item}"
    elif name.restated_by is not None:
        by_title, by_section = name.restated_by
        text = f"{name.short_title}（{number}，据{by_title}{by_section}{item}转述）"
    else:
        text = f"{name.short_title}（{number}）{section}{item}"
    if reading:
        text += f"，{READING_MARK}"
    return UserCitation(text, ref.kind, ref.policy_id, ref.clause, reading, item)
