"""Look up the citation of a stored award line or promotion case, and what its page shows.

Every user-visible citation — pages, Excel files, PDFs — comes from here, and through here
from ``compapp.policy.citations.cite`` (POLICY.md §4.1, §8). Stored records keep the policy
id and clause key; the words a person reads are made from the policy data when shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from compapp.policy.citations import UserCitation
from compapp.policy.readings import Reading, shipped_readings
from compapp.policy.subsidies import shipped_subsidies
from compapp.promotion.services import promotion_rules
from compapp.rewards.services import award_policies

KINDS = ("awards", "promotion", "subsidy")


@dataclass(frozen=True)
class CitedDocument:
    """What the citation page shows: the document and the quoted paragraph."""

    citation: UserCitation
    title: str
    issuer: str
    document_number: str  # "未印文号" when none is printed
    issued: str  # "2022-05-27", or a sentence when the sources give no day
    section: str
    item: str
    quote: str
    restated_by: str  # "迪庆方案四（四）2." when the text is known through another document
    reading: Reading | None
    source: str  # seed file and line, for administrators' details only
    digest: str  # of the policy file, for administrators' details only


def _award_policies():

    return award_policies()


def _promotion_rules():

    return promotion_rules()


def award_citation(policy_id: str, clause: str) -> UserCitation:
    """Return the citation of an award clause; a clause the data no longer has is named plainly.
    Made once per clause of the set in force (kept with it: ``PolicySet.citations``)."""
    policies = _award_policies()
    found = policies.citations.get((policy_id, clause))
    if found is None:
        found = policies.citations[policy_id, clause] = _cite_award(policies, policy_id, clause)
    return found


def _cite_award(policies, policy_id: str, clause: str) -> UserCitation:
    if policy_id in policies and clause in policies[policy_id].header.clauses:
        return policies[policy_id].header.cite(clause)
    header = policies[policy_id].header if policy_id in policies else None
    title = header.document_text if header is not None else "已停用的政策"
    return UserCitation(f"{title} {clause}", "awards", policy_id, clause, "", clause)


def line_citation(line) -> UserCitation:
    """Return the citation of a stored or planned award line (anything with policy_id, clause)."""
    return award_citation(line.policy_id, line.clause)


def honour_citation(honour) -> UserCitation | None:
    """Return the citation of a priced honour (None when no policy set its amount)."""
    if not honour.policy_id or not honour.clause:
        return None
    return award_citation(honour.policy_id, honour.clause)


def promotion_citation(policy_id: str | None, clause: str | None) -> UserCitation | None:
    """Return the citation of a promotion rule (or its section), None without a policy."""
    if not policy_id:
        return None
    for policy in _promotion_rules().policies:
        if policy.id == policy_id:
            return policy.cite(clause)
    return None


def listed(citation: UserCitation) -> str:
    """Return "citation：“quoted sentence”" for the basis list of an Excel file or a PDF."""
    document = cited_document(citation.kind, citation.policy_id, citation.clause)
    if document is None or not document.quote:
        return citation.text
    return f"{citation.text}：“{document.quote}”"


def cited_document(kind: str, policy_id: str, clause: str) -> CitedDocument | None:
    """Return what the citation page of one clause shows, or None when there is no such clause."""
    if kind == "awards":
        return _award_document(policy_id, clause)
    if kind == "promotion":
        return _promotion_document(policy_id, clause)
    if kind == "subsidy":
        return _subsidy_document(policy_id, clause)
    return None


def _subsidy_document(policy_id: str, clause: str) -> CitedDocument | None:

    for document in shipped_subsidies():
        if document.id == policy_id and document.section == clause:
            return CitedDocument(
                citation=document.cite(),
                title=document.title,
                issuer=document.issuer,
                document_number=document.document_number,
                issued=document.issued_on.isoformat(),
                section=document.section,
                item="",
                quote=document.quote,
                restated_by="",
                reading=shipped_readings().get(document.reading),
                source=document.citation,
                digest="",
            )
    return None


def _issued(on: date | None, text: str) -> str:
    return on.isoformat() if on is not None else (text or "来源文件未载明")


def _award_document(policy_id: str, clause: str) -> CitedDocument | None:
    policies = _award_policies()
    if policy_id not in policies:
        return None
    policy = policies[policy_id]
    header = policy.header
    found = header.clauses.get(clause)
    if found is None:
        return None
    readings = shipped_readings()
    restated = header.restated_by
    return CitedDocument(
        citation=header.cite(clause),
        title=header.title,
        issuer=header.issuer,
        document_number=header.number_text,
        issued=_issued(header.issued_on, header.issued_text),
        section=found.section,
        item=found.item,
        quote=found.quote,
        restated_by=f"{restated.short_title}{restated.section}" if restated else "",
        reading=readings.get(found.reading),
        source=found.citation,
        digest=policy.versions[-1].digest,
    )


def _promotion_document(policy_id: str, clause: str) -> CitedDocument | None:
    for policy in _promotion_rules().policies:
        if policy.id != policy_id:
            continue
        found = policy.quote_for(clause) if clause else _section_quote(policy)
        if found is None:
            return None
        quote, source = found
        version = policy.versions[-1]
        return CitedDocument(
            citation=policy.cite(clause),
            title=policy.document,
            issuer=policy.issuer,
            document_number=policy.document_number or "未印文号",
            issued=version.effective_from.isoformat(),
            section=policy.section,
            item=clause,
            quote=quote,
            restated_by="",
            reading=shipped_readings().get("comprehensive-is-class1")
            if any(
                category.endswith("_comprehensive")
                for version in policy.versions
                for rule in version.rules
                if rule.clause == clause
                for category in rule.categories
            )
            else None,
            source=source,
            digest=policy.digest,
        )
    return None


def _section_quote(policy) -> tuple[str, str] | None:
    """The whole section a promotion policy's rules stand in (a case outside every band is
    cited by the section): its rules' quoted sentences in order, each once, one a line."""
    quotes: dict[str, str] = {}
    for rule in policy.versions[-1].rules:
        quotes.setdefault(rule.quote, rule.source)
    if not quotes:
        return None
    return "\n".join(quotes), "; ".join(dict.fromkeys(quotes.values()))


def readings() -> list[Reading]:
    """Return the published readings, in the order of the readings file."""
    return list(shipped_readings().values())
