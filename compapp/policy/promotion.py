"""Load the grade-promotion rules from their dated, cited data files (POLICY.md §6).

Pure: reads files under ``compapp/policy/data/promotion/`` (or their stored versions, given
as text) with the one strict reader of ``compapp.policy.reading`` — the same parser, version
dates (effective_from, effective_to, date_assumed, date_note, date_citation) and citation
rule as award policies — and returns frozen values. What is promotion's own is checked here:
grades, event formats, rank bands that never overlap, the prefecture a rule covers.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from types import MappingProxyType

from compapp.core.vocab import GRADE_ORDER
from compapp.policy.categories import CATEGORIES, EVENT_FORMATS
from compapp.policy.citations import ClauseRef, DocumentName, UserCitation, cite
from compapp.policy.model import NoPolicyInForce
from compapp.policy.reading import (
    DIVISION_CODE_RE,
    PolicyFileError,
    Reader,
    VersionDates,
    check_in_sequence,
    overlap,
    parse_policy_text,
    read_dates,
    read_policy_bytes,
    version_keys,
)

DEFAULT_DATA_DIR = Path(__file__).resolve().parent.parent / "policy" / "data" / "promotion"

POLICY_ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")

_TOP_KEYS = {
    "id",
    "document",
    "short_title",
    "document_number",
    "issuer",
    "section",
    "citation",
    "applies_to",
    "versions",
}
_SCOPE_KEYS = {"prefecture", "prefecture_name", "short_name", "counties", "citation"}
# A version's own keys, beside the date words every policy file shares (``reading``).
_VERSION_KEYS = {"rules"}
_RULE_KEYS = {
    "clause",
    "categories",
    "applies_to",
    "reading",
    "target",
    "if_at_target",
    "title",
    "title_employees_only",
    "title_needs_approval",
    "citation",
    "quote",
    "bands",
}
_RULE_REQUIRED = {"clause", "categories", "target", "if_at_target", "citation", "quote", "bands"}
# Whom a rule covers: competitors the policy's prefecture sent (rules (1), (2)) or everyone
# placing at a contest that prefecture runs (rule (3)) — the vocabulary of the award data.
RULE_SCOPES = ("sent_by_jurisdiction", "contests_run_by_jurisdiction")


class NoPromotionRuleInForce(NoPolicyInForce):
    """No version of the competitor's promotion policy covers the award date.

    A ``NoPolicyInForce``, so one handler answers 422 ``no_policy`` for awards and promotion.
    """

    def __init__(self, on: date, policy_id: str, first_from: date | None) -> None:
        super().__init__(on, [policy_id])
        self.policy_id = policy_id
        self.first_from = first_from
        since = f"（{policy_id} 自 {first_from.isoformat()} 起施行）" if first_from else ""
        self.args = (
            f"{on.isoformat()} 没有有效的晋升规则{since}：请核对获奖日期，"
            "或由管理员录入覆盖该日期的政策版本。",
        )


@dataclass(frozen=True)
class PromotionRule:
    """One row of a promotion table: rank bands per format, target grade, optional title."""

    clause: str
    categories: tuple[str, ...]
    bands: Mapping[str, tuple[int, int]]
    target: str
    if_at_target: str
    title: str | None
    title_employees_only: bool
    title_needs_approval: bool
    source: str
    quote: str
    applies_to: str = "sent_by_jurisdiction"
    reading: str = ""

    def band_for(self, event_format: str) -> tuple[int, int] | None:
        """Return the (first, last) ranks this rule covers for ``event_format``, if any."""
        return self.bands.get(event_format)


@dataclass(frozen=True)
class PromotionVersion(VersionDates):
    """The rules of one policy in force from ``effective_from`` to ``effective_to``."""

    policy_id: str = ""
    rules: tuple[PromotionRule, ...] = ()
    file_name: str = ""
    digest: str = ""

    def rules_for(self, category: str) -> tuple[PromotionRule, ...]:
        """Return the rules of ``category`` in file order."""
        return tuple(r for r in self.rules if category in r.categories)


@dataclass(frozen=True)
class PromotionPolicy:
    """One promotion document: who it applies to and its dated versions."""

    id: str
    document: str
    issuer: str
    section: str
    source: str
    prefecture: str
    prefecture_name: str
    short_name: str
    counties: tuple[str, ...]
    versions: tuple[PromotionVersion, ...]
    file_name: str
    digest: str
    short_title: str = ""
    document_number: str = ""  # "" when the document prints none (未印文号)

    def cite(self, clause: str | None) -> UserCitation:
        """Return the user-visible citation of rule ``clause`` (or of the whole section)."""
        rule = next((r for v in self.versions for r in v.rules if r.clause == clause), None)
        return cite(
            ClauseRef("promotion", self.id, clause or ""),
            DocumentName(self.short_title, self.document_number),
            section=self.section,
            item=clause or "",
            reading=rule.reading if rule is not None else "",
        )

    def quote_for(self, clause: str) -> tuple[str, str] | None:
        """Return (quote, seed citation) of rule ``clause``, None when no rule has it."""
        for version in reversed(self.versions):
            for rule in version.rules:
                if rule.clause == clause:
                    return rule.quote, rule.source
        return None

    def version_on(self, on: date) -> PromotionVersion:
        """Return the version in force on ``on``; raise ``NoPromotionRuleInForce`` if none."""
        for version in self.versions:
            if version.covers(on):
                return version
        first = self.versions[0].effective_from if self.versions else None
        raise NoPromotionRuleInForce(on, self.id, first)

    def citation(self, clause: str | None, source: str = "") -> str:
        """Return the citation text a person reads (``source`` is kept for administrators)."""
        return self.cite(clause).text


@dataclass(frozen=True)
class PromotionRuleSet:
    """Every loaded promotion policy, looked up by the sending prefecture."""

    policies: tuple[PromotionPolicy, ...]

    def policy_on(self, prefecture_code: str | None, on: date) -> PromotionPolicy | None:
        """Return the policy of ``prefecture_code`` in force on ``on`` (None if none is)."""
        for policy in self.policies_for(prefecture_code):
            if any(version.covers(on) for version in policy.versions):
                return policy
        return None

    def policies_for(self, prefecture_code: str | None) -> tuple[PromotionPolicy, ...]:
        """Return the policies stated for competitors sent by ``prefecture_code``."""
        return tuple(p for p in self.policies if p.prefecture == prefecture_code)

    def in_force(
        self, prefecture_code: str | None, on: date
    ) -> tuple[PromotionPolicy, PromotionVersion] | None:
        """Return the policy and version in force on ``on`` for ``prefecture_code``.

        None when no policy is stated for that prefecture; ``NoPromotionRuleInForce`` when
        one is but none of its versions covers ``on``.
        """
        policies = self.policies_for(prefecture_code)
        if not policies:
            return None
        for policy in policies:
            try:
                return policy, policy.version_on(on)
            except NoPromotionRuleInForce:
                continue
        first = min(policies, key=lambda p: p.versions[0].effective_from)
        raise NoPromotionRuleInForce(on, first.id, first.versions[0].effective_from)


def load_promotion_rules(
    data_dir: Path | None = None, revisions: dict[str, tuple[str, str]] | None = None
) -> PromotionRuleSet:
    """Load and check every ``*.toml`` promotion policy file in ``data_dir``.

    :param revisions: policy id -> (text, name) of versions kept in the database (entered
        or imported by administrators, then activated); each is read by the same strict
        reader as a file and takes the place of the shipped file of the same id.
    """
    directory = Path(data_dir) if data_dir is not None else DEFAULT_DATA_DIR
    revisions = revisions or {}
    paths = sorted(directory.glob("*.toml"))
    if not paths and not revisions:
        raise PolicyFileError(f"{directory}: no promotion policy files (*.toml)")
    policies = [load_promotion_file(path) for path in paths if path.stem not in revisions]
    for policy_id, (text, name) in sorted(revisions.items()):
        policy = load_promotion_text(text, name)
        if policy.id != policy_id:
            raise PolicyFileError(f"{name}: id: {policy.id!r} is stored as {policy_id!r}")
        policies.append(policy)
    _check_policies_disjoint(policies)
    return PromotionRuleSet(tuple(policies))


def load_promotion_file(path: Path | str) -> PromotionPolicy:
    """Load one promotion policy file strictly (its digest is the sha256 of its bytes)."""
    return load_promotion_text(read_policy_bytes(path), Path(path).name)


def load_promotion_text(text: str, name: str) -> PromotionPolicy:
    """Load a promotion policy given as text (a stored version, or a file an administrator
    imports) with the same checks as a shipped file."""
    data, digest = parse_policy_text(text, name)
    reader = _RuleReader(name)
    reader.keys(
        data, "", _TOP_KEYS, {"id", "document", "short_title", "issuer", "section", "citation"}
    )
    policy_id = reader.text(data, "id", "")
    if not POLICY_ID_RE.match(policy_id):
        raise reader.fail(
            "id", f"{policy_id!r} is not a policy id (lower-case letters, digits, '-')"
        )
    source = reader.citation(data, "citation", "")
    scope = reader.keys(
        reader.table(data, "applies_to", ""), "applies_to", _SCOPE_KEYS, _SCOPE_KEYS
    )
    prefecture = reader.division_code(scope, "prefecture", "applies_to")
    counties = reader.texts(scope, "counties", "applies_to")
    for i, county in enumerate(counties):
        key = f"applies_to.counties[{i}]"
        if not DIVISION_CODE_RE.match(county):
            raise reader.fail(key, f"{county!r} is not a 6-digit division code")
        if county[:4] != prefecture[:4]:
            raise reader.fail(key, f"county {county} is not in prefecture {prefecture}")
    reader.citation(scope, "citation", "applies_to")

    versions_raw = data.get("versions")
    if not isinstance(versions_raw, list) or not versions_raw:
        raise reader.fail("versions", "missing: at least one [[versions]] entry is required")
    versions = sorted(
        (
            _read_version(reader, v, f"versions[{i}]", policy_id, digest)
            for i, v in enumerate(versions_raw)
        ),
        key=lambda v: v.effective_from,
    )
    check_in_sequence(versions, reader)

    return PromotionPolicy(
        id=policy_id,
        document=reader.text(data, "document", ""),
        issuer=reader.text(data, "issuer", ""),
        section=reader.text(data, "section", ""),
        source=source,
        prefecture=prefecture,
        prefecture_name=reader.text(scope, "prefecture_name", "applies_to"),
        short_name=reader.text(scope, "short_name", "applies_to"),
        counties=tuple(counties),
        versions=tuple(versions),
        file_name=name,
        digest=digest,
        short_title=reader.text(data, "short_title", ""),
        document_number=reader.text(data, "document_number", "", required=False),
    )


def _read_version(
    reader: _RuleReader, raw: object, where: str, policy_id: str, digest: str
) -> PromotionVersion:
    version_keys(raw, where, reader, _VERSION_KEYS, {"rules"})
    assert isinstance(raw, dict)
    dates = read_dates(raw, where, reader)
    rules_raw = raw["rules"]
    if not isinstance(rules_raw, list) or not rules_raw:
        raise reader.fail(f"{where}.rules", "at least one [[versions.rules]] entry is required")
    rules = tuple(_read_rule(reader, r, f"{where}.rules[{i}]") for i, r in enumerate(rules_raw))
    _check_bands_disjoint(reader, rules, f"{where}.rules")
    return PromotionVersion(
        **vars(dates), policy_id=policy_id, rules=rules, file_name=reader.name, digest=digest
    )


def _read_rule(reader: _RuleReader, raw: object, where: str) -> PromotionRule:
    reader.keys(raw, where, _RULE_KEYS, _RULE_REQUIRED)
    assert isinstance(raw, dict)
    clause = reader.text(raw, "clause", where)
    categories = raw["categories"]
    if not isinstance(categories, list) or not categories:
        raise reader.fail(f"{where}.categories", "expected a non-empty list of category ids")
    for index, category in enumerate(categories):
        if category not in CATEGORIES:
            raise reader.fail(f"{where}.categories[{index}]", f"unknown category {category!r}")
    scope = raw.get("applies_to", "sent_by_jurisdiction")
    if scope not in RULE_SCOPES:
        raise reader.fail(f"{where}.applies_to", f"{scope!r} is not one of {list(RULE_SCOPES)}")
    target = reader.grade(raw, "target", where)
    if_at_target = reader.grade(raw, "if_at_target", where)
    if GRADE_ORDER[if_at_target] <= GRADE_ORDER[target]:
        raise reader.fail(
            f"{where}.if_at_target", f"{if_at_target!r} must be above the target {target!r}"
        )
    title = reader.text(raw, "title", where) if "title" in raw else None
    if title is None and ("title_employees_only" in raw or "title_needs_approval" in raw):
        raise reader.fail(f"{where}.title", "missing: title_* settings given without a title")
    return PromotionRule(
        clause=clause,
        categories=tuple(categories),
        applies_to=scope,
        reading=reader.text(raw, "reading", where, required=False),
        bands=MappingProxyType(_read_bands(reader, raw, where)),
        target=target,
        if_at_target=if_at_target,
        title=title,
        title_employees_only=reader.flag(
            raw, "title_employees_only", where, default=title is not None
        ),
        title_needs_approval=reader.flag(
            raw, "title_needs_approval", where, default=title is not None
        ),
        source=reader.citation(raw, "citation", where),
        quote=reader.quote(raw, "quote", where),
    )


def _read_bands(reader: _RuleReader, raw: dict, where: str) -> dict[str, tuple[int, int]]:
    """Return a rule's rank band per event format, each ``[first, last]``."""
    bands_raw = reader.table(raw, "bands", where)
    if not bands_raw:
        raise reader.fail(f"{where}.bands", "give a rank band for at least one event format")
    bands: dict[str, tuple[int, int]] = {}
    for fmt, band in bands_raw.items():
        key = f"{where}.bands.{fmt}"
        if fmt not in EVENT_FORMATS:
            raise reader.fail(
                key, f"unknown event format {fmt!r} (expected one of {EVENT_FORMATS})"
            )
        if (
            not isinstance(band, list)
            or len(band) != 2
            or not all(type(n) is int for n in band)  # bool is an int subclass: refuse it
        ):
            raise reader.fail(key, "must be [first, last] with two integer ranks")
        first, last = band
        if first < 1 or last < first:
            raise reader.fail(key, f"[{first}, {last}] is not a rank band (1 <= first <= last)")
        bands[fmt] = (first, last)
    return bands


def _check_bands_disjoint(
    reader: _RuleReader, rules: tuple[PromotionRule, ...], where: str
) -> None:
    # Overlapping bands would make one rank match two rules with different targets.
    for i, rule in enumerate(rules):
        for j in range(i + 1, len(rules)):
            other = rules[j]
            if not set(other.categories) & set(rule.categories):
                continue
            for fmt, (first, last) in rule.bands.items():
                band = other.bands.get(fmt)
                if band and first <= band[1] and band[0] <= last:
                    raise reader.fail(
                        f"{where}[{j}].bands.{fmt}",
                        f"ranks {band[0]}–{band[1]} overlap ranks {first}–{last} of"
                        f" {where}[{i}] ({', '.join(rule.categories)}, {fmt})",
                    )


def _check_policies_disjoint(policies: list[PromotionPolicy]) -> None:
    # Two documents for one prefecture may follow each other, never be in force together:
    # one award date must lead to exactly one version.
    ids: dict[str, str] = {}
    for policy in policies:
        if policy.id in ids:
            raise PolicyFileError(
                f"{policy.file_name}: id: {policy.id!r} is also the id of {ids[policy.id]}"
            )
        ids[policy.id] = policy.file_name
    for i, policy in enumerate(policies):
        for other in policies[:i]:
            if other.prefecture != policy.prefecture:
                continue
            for mine in policy.versions:
                for theirs in other.versions:
                    if overlap(mine, theirs):
                        raise PolicyFileError(
                            f"{policy.file_name}: versions: version from {mine.effective_from}"
                            f" overlaps {other.file_name} version from {theirs.effective_from}"
                            f" for prefecture {policy.prefecture}"
                        )


class _RuleReader(Reader):
    """The shared reader, with what promotion rules check: grades."""

    def grade(self, table: dict, key: str, where: str) -> str:
        """Return a grade a promotion can lead to (not "none")."""
        value = self.text(table, key, where)
        if value not in GRADE_ORDER or value == "none":
            raise self.fail(f"{where}.{key}", f"unknown grade {value!r}")
        return value
