"""The award policies as compapp holds them once read: documents, dated versions, settings,
schedules, top-ups, notices and honours, every value with its citation (``loader`` reads the
files and stored versions into these).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from compapp.policy.citations import ClauseRef, DocumentName, UserCitation, cite
from compapp.policy.reading import (
    PolicyFileError,
)


class NoPolicyInForce(LookupError):
    """No version of a policy (or of any policy asked for) covers the date."""

    def __init__(self, on: date, policy_ids: Iterable[str]) -> None:
        self.on = on
        self.policy_ids = tuple(policy_ids)
        ids = ", ".join(self.policy_ids)
        super().__init__(f"没有在 {on.isoformat()} 生效的政策版本 ({ids})")


@dataclass(frozen=True)
class Citation:
    """Where a value comes from: the document, its clause and the seed file and line."""

    document: str
    clause: str
    source: str

    def __str__(self) -> str:
        return f"{self.document} {self.clause}（{self.source}）"


@dataclass(frozen=True)
class Setting:
    """One named reading of an unclear point (POLICY.md §5), with its citation."""

    name: str
    value: Any
    citation: Citation
    reading: str
    note: str = ""
    notice: str = ""
    categories: tuple[str, ...] = ()


@dataclass(frozen=True)
class ScheduleRow:
    """Fixed per-person amounts for some categories, paid by one payer level."""

    clause: str
    citation: str
    categories: tuple[str, ...]
    payer: str
    amounts: dict[str, Decimal]
    coaching_team: str
    note: str = ""
    # "sent_by_jurisdiction" (competitors the policy's jurisdiction sent) or
    # "contests_run_by_jurisdiction" (every competitor of a contest it organises).
    applies_to: str = "sent_by_jurisdiction"


@dataclass(frozen=True)
class Share:
    """One payer's percentage of the base amount in a top-up."""

    payer: str
    percent: Decimal


@dataclass(frozen=True)
class TopUpRule:
    """A percentage of the provincial amount added by local payers (dq-2022 (6))."""

    clause: str
    citation: str
    categories: tuple[str, ...]
    results: tuple[str, ...]
    shares: tuple[Share, ...]
    coaching_team: str
    note: str = ""


@dataclass(frozen=True)
class HonourRow:
    """Per-person amounts of honours (中华技能大奖 …), paid by one payer level (§4.7)."""

    clause: str
    citation: str
    payer: str
    amounts: dict[str, Decimal]  # honour kind -> amount (0: a title with no cash stated)
    note: str = ""


@dataclass(frozen=True)
class NoticeRule:
    """A sentence a finance officer must read for some categories and results."""

    clause: str
    citation: str
    categories: tuple[str, ...]
    results: tuple[str, ...]
    text: str
    reading: str = ""

    def matches(self, category: str, result: str | None) -> bool:
        """Return True when the notice concerns ``category`` and ``result``."""
        if self.categories and category not in self.categories:
            return False
        return not self.results or result in self.results


@dataclass(frozen=True)
class Clause:
    """One clause of a document as a person cites it: section, item and the quoted sentence.

    ``key`` is how the policy data and stored award lines name it; ``item`` is what a
    person reads ("(2)", "第27条"). Two keys may share an item when compapp applies the
    same clause under one of its readings (``reading``, an id of ``readings.toml``).
    """

    key: str
    section: str
    item: str
    citation: str  # seed file and line, for administrators
    quote: str
    reading: str = ""
    # The document holding the clause when it is not the policy's own (Yuxi's amounts are
    # set by 《玉溪市“兴玉英才支持计划”实施办法》, which 玉政发〔2022〕8号 第26条 refers to).
    document: str = ""


@dataclass(frozen=True)
class RestatedBy:
    """The document whose text quotes this one (yn-2021-28 is known only through dq-2022)."""

    policy: str
    short_title: str
    section: str


@dataclass(frozen=True)
class PolicyHeader:
    """What a policy file says about its document and the jurisdiction it belongs to."""

    id: str
    title: str
    issuer: str
    document_number: str  # "" when the document prints none (未印文号)
    jurisdiction_code: str
    jurisdiction_name: str
    jurisdiction_level: str
    payer_levels: tuple[str, ...]
    source: str
    note: str = ""
    short_title: str = ""
    issued_on: date | None = None
    issued_text: str = ""
    restated_by: RestatedBy | None = None
    clauses: dict[str, Clause] = field(default_factory=dict)

    @property
    def number_text(self) -> str:
        """Return the 文号, or "未印文号" when the document prints none."""
        return self.document_number or "未印文号"

    @property
    def document_text(self) -> str:
        """Return the document as a person names it: "迪庆方案（未印文号）"."""
        return f"{self.short_title}（{self.number_text}）"

    def cite(self, clause: str) -> UserCitation:
        """Return the user-visible citation of clause ``clause`` (a key of ``clauses``)."""
        found = self.clauses[clause]
        restated = self.restated_by
        return cite(
            ClauseRef("awards", self.id, clause),
            DocumentName(
                self.short_title,
                self.document_number,
                (restated.short_title, restated.section) if restated else None,
            ),
            section=found.section,
            item=found.item,
            reading=found.reading if found.reading != "provincial-amounts-restated" else "",
            document=found.document,
        )


@dataclass(frozen=True)
class PolicyVersion:
    """One dated version of a policy, with the digest of the file it was read from."""

    header: PolicyHeader
    effective_from: date
    effective_to: date | None
    date_assumed: bool
    date_note: str
    date_citation: str
    settings: dict[str, Setting]
    schedule: tuple[ScheduleRow, ...]
    topups: tuple[TopUpRule, ...]
    notices: tuple[NoticeRule, ...]
    digest: str
    file_name: str
    note: str = ""
    honours: tuple[HonourRow, ...] = ()

    @property
    def policy_id(self) -> str:
        """Return the id of the policy this version belongs to."""
        return self.header.id

    def covers(self, on: date) -> bool:
        """Return True when the version is in force on ``on`` (both ends inclusive)."""
        return self.effective_from <= on and (self.effective_to is None or on <= self.effective_to)

    def setting(self, name: str, default: Any = None) -> Any:
        """Return the value of setting ``name`` (``default`` when the file does not set it)."""
        found = self.settings.get(name)
        return default if found is None else found.value

    def setting_citation(self, name: str) -> Citation:
        """Return the citation of setting ``name``; ``KeyError`` when it is not set."""
        return self.settings[name].citation

    def schedule_row(self, category: str, result: str, payer: str) -> ScheduleRow | None:
        """Return the schedule row giving ``payer``'s amount for the result, or None."""
        for row in self.schedule:
            if category in row.categories and result in row.amounts and row.payer == payer:
                return row
        return None

    def topup_rule(self, category: str, result: str) -> TopUpRule | None:
        """Return the top-up rule for the category and result, or None."""
        for rule in self.topups:
            if category in rule.categories and result in rule.results:
                return rule
        return None

    def citation_for(self, category: str, result: str, payer: str) -> Citation | None:
        """Return the citation of the amount ``payer`` pays for the result, or None."""
        row = self.schedule_row(category, result, payer)
        if row is not None:
            return Citation(self.header.number_text, row.clause, row.citation)
        rule = self.topup_rule(category, result)
        if rule is not None and any(share.payer == payer for share in rule.shares):
            return Citation(self.header.number_text, rule.clause, rule.citation)
        return None

    def period_text(self) -> str:
        """Return "2021-01-01 起（假定日期）" or "2017-07-01 至 2020-12-31"."""
        text = self.effective_from.isoformat()
        text += f" 至 {self.effective_to.isoformat()}" if self.effective_to else " 起"
        return text + ("（假定日期）" if self.date_assumed else "")


@dataclass(frozen=True)
class Policy:
    """A source document's award policy: its header and its dated versions, oldest first."""

    header: PolicyHeader
    versions: tuple[PolicyVersion, ...]

    @property
    def id(self) -> str:
        """Return the policy id ("yn-2021-28")."""
        return self.header.id

    def version_on(self, on: date) -> PolicyVersion:
        """Return the version in force on ``on``; raise ``NoPolicyInForce`` if none is."""
        for version in self.versions:
            if version.covers(on):
                return version
        raise NoPolicyInForce(on, [self.id])

    def version_from(self, effective_from: date) -> PolicyVersion:
        """Return the version starting on ``effective_from``; ``KeyError`` when none does."""
        for version in self.versions:
            if version.effective_from == effective_from:
                return version
        raise KeyError(f"{self.id}: no version from {effective_from.isoformat()}")


@dataclass(frozen=True)
class PolicySet:
    """All award policies, by id."""

    policies: dict[str, Policy] = field(default_factory=dict)
    # The citations made of this set's clauses (compapp.citing.services.award_citation): a
    # set in force serves every request until another version is activated, and a page
    # cites the same few clauses on each of its lines. Not copied by ``replace``.
    citations: dict = field(default_factory=dict, init=False, compare=False, repr=False)

    def __iter__(self) -> Iterator[Policy]:
        return iter(self.policies.values())

    def __len__(self) -> int:
        return len(self.policies)

    def __getitem__(self, policy_id: str) -> Policy:
        return self.policies[policy_id]

    def __contains__(self, policy_id: object) -> bool:
        return policy_id in self.policies

    def ids(self) -> list[str]:
        """Return the policy ids in sorted order."""
        return sorted(self.policies)

    def with_draft(self, draft: Policy) -> PolicySet:
        """Return a copy where ``draft``'s versions take precedence over that policy's others.

        Existing versions are cut back around each draft version's period, so a draft
        version from 2025-01-01 applies from that day while the older one keeps the days
        before it. A policy id not in the set is added. Used for what-if quotes.
        """
        current = self.policies.get(draft.id)
        if current is None:
            return PolicySet({**self.policies, draft.id: draft})
        if current.header.jurisdiction_code != draft.header.jurisdiction_code:
            raise PolicyFileError(
                f"{draft.versions[0].file_name if draft.versions else draft.id}: "
                f"jurisdiction_code: draft names {draft.header.jurisdiction_code}, "
                f"{draft.id} belongs to {current.header.jurisdiction_code}"
            )
        kept: list[PolicyVersion] = []
        for version in current.versions:
            pieces = [(version.effective_from, version.effective_to)]
            for new in draft.versions:
                pieces = [p for piece in pieces for p in _subtract(piece, new)]
            kept += [
                replace(version, effective_from=start, effective_to=end) for start, end in pieces
            ]
        versions = tuple(sorted([*kept, *draft.versions], key=lambda v: v.effective_from))
        merged = Policy(draft.header, versions)
        return PolicySet({**self.policies, draft.id: merged})


def _subtract(
    piece: tuple[date, date | None], cut: PolicyVersion
) -> list[tuple[date, date | None]]:
    """Return what is left of the period ``piece`` once ``cut``'s period is taken out."""
    start, end = piece
    left: list[tuple[date, date | None]] = []
    if start < cut.effective_from:
        before_end = cut.effective_from - timedelta(days=1)
        left.append((start, before_end if end is None or end > before_end else end))
    if cut.effective_to is not None and (end is None or end > cut.effective_to):
        after_start = cut.effective_to + timedelta(days=1)
        left.append((max(start, after_start), end))
    return [(s, e) for s, e in left if e is None or s <= e]
