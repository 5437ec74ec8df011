"""Load the grade-promotion rules from their dated, cited data files (POLICY.md §6).

Pure: reads files under ``compapp/policy/data/promotion/`` and returns frozen values.
Every rule, version and scope must cite its source line; anything the loader cannot
vouch for (a float, a duplicate key, an unknown grade, category or format, an unknown
key, overlapping versions or rank bands) is refused with a ``PolicyFileError`` that
names the file and the key.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from types import MappingProxyType

from compapp.core.vocab import GRADE_ORDER
from compapp.policy.categories import CATEGORIES, EVENT_FORMATS
from compapp.policy.citations import ClauseRef, DocumentName, UserCitation, cite
from compapp.policy.loader import NoPolicyInForce
from compapp.policy.strict_toml import PolicyFileError, load_toml_strict

DEFAULT_DATA_DIR = Path(__file__).resolve().parent.parent / "policy" / "data" / "promotion"

# A seed file and line, or a range of lines: "000_506faec866124176.txt:95", "…:46-47".
CITATION_RE = re.compile(r"^\d{3}_[0-9a-f]{16}\.txt:\d+(-\d+)?$")
DIVISION_CODE_RE = re.compile(r"^\d{6}$")
POLICY_ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_LINE_RE = re.compile(r"at line (\d+)")
_FLOAT_RE = re.compile(r"float '([^']+)'")

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
_VERSION_KEYS = {"valid_from", "valid_until", "citation", "rules"}
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
class PromotionVersion:
    """The rules of one policy in force from ``valid_from`` to ``valid_until`` (inclusive)."""

    policy_id: str
    valid_from: date
    valid_until: date | None
    source: str
    rules: tuple[PromotionRule, ...]
    file_name: str
    digest: str

    def covers(self, on: date) -> bool:
        """Return True when ``on`` falls within this version."""
        return self.valid_from <= on and (self.valid_until is None or on <= self.valid_until)

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
        first = self.versions[0].valid_from if self.versions else None
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
        first = min(policies, key=lambda p: p.versions[0].valid_from)
        raise NoPromotionRuleInForce(on, first.id, first.versions[0].valid_from)


def load_promotion_rules(data_dir: Path | None = None) -> PromotionRuleSet:
    """Load and check every ``*.toml`` promotion policy file in ``data_dir``."""
    directory = Path(data_dir) if data_dir is not None else DEFAULT_DATA_DIR
    paths = sorted(directory.glob("*.toml"))
    if not paths:
        raise PolicyFileError(f"{directory}: no promotion policy files (*.toml)")
    policies = [load_promotion_file(path) for path in paths]
    _check_policies_disjoint(policies)
    return PromotionRuleSet(tuple(policies))


def load_promotion_file(path: Path) -> PromotionPolicy:
    """Load one promotion policy file strictly."""
    path = Path(path)
    raw = path.read_bytes()
    digest = hashlib.sha256(raw).hexdigest()
    data = _load_naming_line(path, raw)
    reader = _Reader(path.name)

    reader.keys(
        data, "", _TOP_KEYS, {"id", "document", "short_title", "issuer", "section", "citation"}
    )
    policy_id = reader.text(data, "id")
    if not POLICY_ID_RE.match(policy_id):
        reader.fail("id", f"{policy_id!r} is not a policy id (lower-case letters, digits, '-')")
    source = reader.citation(data, "citation")

    scope = reader.table(data, "applies_to")
    reader.keys(scope, "applies_to", _SCOPE_KEYS, _SCOPE_KEYS)
    prefecture = reader.division_code(scope, "applies_to.prefecture")
    counties = reader.list_of_text(scope, "applies_to.counties")
    for i, county in enumerate(counties):
        key = f"applies_to.counties[{i}]"
        if not DIVISION_CODE_RE.match(county):
            reader.fail(key, f"{county!r} is not a 6-digit division code")
        if county[:4] != prefecture[:4]:
            reader.fail(key, f"county {county} is not in prefecture {prefecture}")
    reader.citation(scope, "applies_to.citation")

    versions_raw = data.get("versions")
    if not isinstance(versions_raw, list) or not versions_raw:
        reader.fail("versions", "missing: at least one [[versions]] entry is required")
    versions = [
        _read_version(reader, v, f"versions[{i}]", policy_id, path.name, digest)
        for i, v in enumerate(versions_raw)
    ]
    versions.sort(key=lambda v: v.valid_from)
    for earlier, later in zip(versions, versions[1:], strict=False):
        if earlier.valid_until is None or earlier.valid_until >= later.valid_from:
            reader.fail(
                "versions",
                f"version from {earlier.valid_from} overlaps version from {later.valid_from}"
                " (give the earlier one a valid_until before the later one starts)",
            )

    return PromotionPolicy(
        id=policy_id,
        document=reader.text(data, "document"),
        issuer=reader.text(data, "issuer"),
        section=reader.text(data, "section"),
        source=source,
        prefecture=prefecture,
        prefecture_name=reader.text(scope, "applies_to.prefecture_name"),
        short_name=reader.text(scope, "applies_to.short_name"),
        counties=tuple(counties),
        versions=tuple(versions),
        file_name=path.name,
        digest=digest,
        short_title=reader.text(data, "short_title"),
        document_number=reader.text(data, "document_number") if "document_number" in data else "",
    )


def _load_naming_line(path: Path, raw: bytes) -> dict:
    # tomllib reports a duplicate key by position and a float by its text only; quote the
    # offending line so the message names the key.
    try:
        return load_toml_strict(path)
    except PolicyFileError as exc:
        lines = raw.decode("utf-8", errors="replace").splitlines()
        number = None
        if found := _LINE_RE.search(str(exc)):
            number = int(found.group(1))
        elif found := _FLOAT_RE.search(str(exc)):
            number = next(
                (i for i, line in enumerate(lines, 1) if found.group(1) in line.split("#")[0]),
                None,
            )
        if number is not None and 0 < number <= len(lines):
            raise PolicyFileError(f"{exc} — line {number}: {lines[number - 1].strip()!r}") from exc
        raise


def _read_version(
    reader: _Reader, raw: object, where: str, policy_id: str, file_name: str, digest: str
) -> PromotionVersion:
    if not isinstance(raw, dict):
        reader.fail(where, "must be a table")
    reader.keys(raw, where, _VERSION_KEYS, {"valid_from", "citation", "rules"})
    valid_from = reader.date(raw, f"{where}.valid_from")
    valid_until = reader.date(raw, f"{where}.valid_until") if "valid_until" in raw else None
    if valid_until is not None and valid_until < valid_from:
        reader.fail(f"{where}.valid_until", f"{valid_until} is before valid_from {valid_from}")
    source = reader.citation(raw, f"{where}.citation")
    rules_raw = raw["rules"]
    if not isinstance(rules_raw, list) or not rules_raw:
        reader.fail(f"{where}.rules", "at least one [[versions.rules]] entry is required")
    rules = tuple(_read_rule(reader, r, f"{where}.rules[{i}]") for i, r in enumerate(rules_raw))
    _check_bands_disjoint(reader, rules, f"{where}.rules")
    return PromotionVersion(policy_id, valid_from, valid_until, source, rules, file_name, digest)


def _read_rule(reader: _Reader, raw: object, where: str) -> PromotionRule:
    if not isinstance(raw, dict):
        reader.fail(where, "must be a table")
    reader.keys(raw, where, _RULE_KEYS, _RULE_REQUIRED)
    clause = reader.text(raw, f"{where}.clause")
    categories = raw["categories"]
    if not isinstance(categories, list) or not categories:
        reader.fail(f"{where}.categories", "expected a non-empty list of category ids")
    for index, category in enumerate(categories):
        if category not in CATEGORIES:
            reader.fail(f"{where}.categories[{index}]", f"unknown category {category!r}")
    scope = raw.get("applies_to", "sent_by_jurisdiction")
    if scope not in RULE_SCOPES:
        reader.fail(f"{where}.applies_to", f"{scope!r} is not one of {list(RULE_SCOPES)}")
    target = reader.grade(raw, f"{where}.target")
    if_at_target = reader.grade(raw, f"{where}.if_at_target")
    if GRADE_ORDER[if_at_target] <= GRADE_ORDER[target]:
        reader.fail(
            f"{where}.if_at_target", f"{if_at_target!r} must be above the target {target!r}"
        )
    title = reader.text(raw, f"{where}.title") if "title" in raw else None
    employees_only = reader.flag(raw, f"{where}.title_employees_only", default=title is not None)
    needs_approval = reader.flag(raw, f"{where}.title_needs_approval", default=title is not None)
    if title is None and ("title_employees_only" in raw or "title_needs_approval" in raw):
        reader.fail(f"{where}.title", "missing: title_* settings given without a title")
    source = reader.citation(raw, f"{where}.citation")
    quote = raw.get("quote")
    if not isinstance(quote, str) or not quote.strip():
        reader.fail(f"{where}.quote", "unquoted: give the exact sentence of the source")

    bands = _read_bands(reader, raw, where)

    return PromotionRule(
        clause=clause,
        categories=tuple(categories),
        applies_to=scope,
        reading=reader.text(raw, f"{where}.reading") if "reading" in raw else "",
        bands=MappingProxyType(bands),
        target=target,
        if_at_target=if_at_target,
        title=title,
        title_employees_only=employees_only,
        title_needs_approval=needs_approval,
        source=source,
        quote=quote,
    )


def _read_bands(reader: _Reader, raw: dict, where: str) -> dict[str, tuple[int, int]]:
    """Return a rule's rank band per event format, each ``[first, last]``."""
    bands_raw = reader.table(raw, f"{where}.bands")
    if not bands_raw:
        reader.fail(f"{where}.bands", "give a rank band for at least one event format")
    bands: dict[str, tuple[int, int]] = {}
    for fmt, band in bands_raw.items():
        key = f"{where}.bands.{fmt}"
        if fmt not in EVENT_FORMATS:
            reader.fail(key, f"unknown event format {fmt!r} (expected one of {EVENT_FORMATS})")
        if (
            not isinstance(band, list)
            or len(band) != 2
            or not all(type(n) is int for n in band)  # bool is an int subclass: refuse it
        ):
            reader.fail(key, "must be [first, last] with two integer ranks")
        first, last = band
        if first < 1 or last < first:
            reader.fail(key, f"[{first}, {last}] is not a rank band (1 <= first <= last)")
        bands[fmt] = (first, last)
    return bands


def _check_bands_disjoint(reader: _Reader, rules: tuple[PromotionRule, ...], where: str) -> None:
    # Overlapping bands would make one rank match two rules with different targets.
    for i, rule in enumerate(rules):
        for j in range(i + 1, len(rules)):
            other = rules[j]
            if not set(other.categories) & set(rule.categories):
                continue
            for fmt, (first, last) in rule.bands.items():
                band = other.bands.get(fmt)
                if band and first <= band[1] and band[0] <= last:
                    reader.fail(
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
                    if _overlap(mine, theirs):
                        raise PolicyFileError(
                            f"{policy.file_name}: versions: version from {mine.valid_from}"
                            f" overlaps {other.file_name} version from {theirs.valid_from}"
                            f" for prefecture {policy.prefecture}"
                        )


def _overlap(a: PromotionVersion, b: PromotionVersion) -> bool:
    a_end = a.valid_until or date.max
    b_end = b.valid_until or date.max
    return a.valid_from <= b_end and b.valid_from <= a_end


class _Reader:
    """Typed access to a parsed file; every refusal names the file and the key."""

    def __init__(self, file_name: str) -> None:
        self.file_name = file_name

    def fail(self, key: str, message: str):
        raise PolicyFileError(f"{self.file_name}: {key}: {message}")

    def keys(self, table: dict, where: str, allowed: set[str], required: set[str]) -> None:
        prefix = f"{where}." if where else ""
        for key in table:
            if key not in allowed:
                self.fail(f"{prefix}{key}", "unknown key (a typo?)")
        for key in sorted(required - table.keys()):
            if key == "citation":
                self.fail(f"{prefix}{key}", "missing: every value must cite its source line")
            self.fail(f"{prefix}{key}", "missing")

    def _get(self, table: dict, key: str) -> object:
        name = key.rsplit(".", 1)[-1]
        if name not in table:
            self.fail(key, "missing")
        return table[name]

    def text(self, table: dict, key: str) -> str:
        value = self._get(table, key)
        if not isinstance(value, str) or not value.strip():
            self.fail(key, "must be a non-empty string")
        return value

    def citation(self, table: dict, key: str) -> str:
        if key.rsplit(".", 1)[-1] not in table:
            self.fail(key, "missing: every value must cite its source line")
        value = self.text(table, key)
        if not CITATION_RE.match(value):
            self.fail(key, f"{value!r} is not a citation like '000_506faec866124176.txt:95'")
        return value

    def division_code(self, table: dict, key: str) -> str:
        value = self.text(table, key)
        if not DIVISION_CODE_RE.match(value):
            self.fail(key, f"{value!r} is not a 6-digit division code")
        return value

    def list_of_text(self, table: dict, key: str) -> list[str]:
        value = self._get(table, key)
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.fail(key, "must be a list of strings")
        return value

    def table(self, table: dict, key: str) -> dict:
        value = self._get(table, key)
        if not isinstance(value, dict):
            self.fail(key, "must be a table")
        return value

    def grade(self, table: dict, key: str) -> str:
        value = self.text(table, key)
        if value not in GRADE_ORDER or value == "none":
            self.fail(key, f"unknown grade {value!r}")
        return value

    def date(self, table: dict, key: str) -> date:
        value = self._get(table, key)
        # tomllib gives datetime for 2022-05-27T00:00; a policy date is a day.
        if not isinstance(value, date) or isinstance(value, datetime):
            self.fail(key, "must be a TOML date like 2022-05-27")
        return value

    def flag(self, table: dict, key: str, default: bool) -> bool:
        name = key.rsplit(".", 1)[-1]
        if name not in table:
            return default
        value = table[name]
        if not isinstance(value, bool):
            self.fail(key, "must be true or false")
        return value
