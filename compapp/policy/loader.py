"""Load the award policy files strictly: dated versions, every value with its citation.

One TOML file per source document lives in ``compapp/policy/data/awards/``. The loader
refuses anything it cannot vouch for — a float, a duplicate key, an unknown key, category or
result, a value without a citation, versions that overlap — with a ``PolicyFileError`` whose
message names the file and the key. Pure: no Flask, no database, no clock.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from compapp.core.money import MoneyError, as_decimal, format_yuan_short
from compapp.policy.categories import (
    CATEGORIES,
    CATEGORY_NAMES,
    HONOUR_KINDS,
    PAYER_LEVEL_NAMES,
    PAYER_LEVELS,
    RESULT_KEYS,
    result_key_name,
)
from compapp.policy.model import (
    Citation,
    Clause,
    HonourRow,
    NoPolicyInForce,
    NoticeRule,
    Policy,
    PolicyHeader,
    PolicySet,
    PolicyVersion,
    RestatedBy,
    ScheduleRow,
    Setting,
    Share,
    TopUpRule,
)
from compapp.policy.reading import (
    PolicyFileError,
    Reader,
    check_in_sequence,
    parse_policy_text,
    read_dates,
    read_policy_bytes,
    version_keys,
)
from compapp.policy.readings import load_readings

__all__ = [
    "AWARDS_DIR",
    "Citation",
    "Clause",
    "RestatedBy",
    "NoPolicyInForce",
    "NoticeRule",
    "Policy",
    "PolicyFileError",
    "PolicySet",
    "PolicyVersion",
    "ScheduleRow",
    "Setting",
    "Share",
    "TopUpRule",
    "check_policies",
    "describe_version",
    "load_policies",
    "load_policy_file",
    "load_policy_text",
]

AWARDS_DIR = Path(__file__).parent / "data" / "awards"

POLICY_ID_RE = re.compile(r"^[a-z]{2}-\d{4}(-\d+)?$")
CODE_RE = re.compile(r"^\d{6}$")
LEVEL_ORDER = {level: index for index, level in enumerate(PAYER_LEVELS)}

# Each reading of POLICY.md §5 is a named setting; these are the values compapp implements.
SETTING_VALUES: dict[str, tuple[Any, ...]] = {
    "applies_to": ("sent_by_jurisdiction",),  # §5.7
    "team_members": ("each_full_amount",),  # §5.3
    "coaching_team": ("same_standard", "none"),  # §5.2
    "stacking": ("adds_up",),  # §5.5
    "topup_base": ("provincial_amount",),  # §5.1
    "excellence_topup": (True, False),  # §4.3
    "amounts_configured": (True, False),  # §4.5
}
# Whom a schedule row pays: competitors the policy's jurisdiction sent (the default), or
# everyone placing at a contest that jurisdiction organises (dq-2022 (7), POLICY.md §3).
ROW_SCOPES = ("sent_by_jurisdiction", "contests_run_by_jurisdiction")

_FILE_KEYS = {
    "id",
    "title",
    "short_title",
    "issuer",
    "document_number",
    "issued_on",
    "issued_text",
    "restated_by",
    "clauses",
    "jurisdiction_code",
    "jurisdiction_name",
    "jurisdiction_level",
    "payer_levels",
    "source",
    "note",
    "versions",
}
_FILE_REQUIRED = _FILE_KEYS - {
    "note",
    "document_number",
    "issued_on",
    "issued_text",
    "restated_by",
}
_CLAUSE_KEYS = {"section", "item", "citation", "quote", "reading", "document"}
_CLAUSE_REQUIRED = {"section", "item", "citation", "quote"}
_RESTATED_KEYS = {"policy", "short_title", "section"}
# A version's own keys, beside the date words every policy file shares (``reading``).
_VERSION_KEYS = {"note", "settings", "schedule", "topups", "notices", "honours"}
_VERSION_REQUIRED = {"settings"}
# The largest amount a policy may state, in yuan: an award line keeps its amount as a 32-bit
# number of fen on PostgreSQL (at most ¥21,474,836.47); no award in the documents comes near.
MAX_AMOUNT = 10_000_000

_SETTING_KEYS = {"value", "clause", "citation", "reading", "note", "notice", "categories"}
_SETTING_REQUIRED = {"value", "clause", "citation", "reading"}
_SCHEDULE_KEYS = {
    "clause",
    "citation",
    "categories",
    "payer",
    "amounts",
    "coaching_team",
    "note",
    "applies_to",
}
_SCHEDULE_REQUIRED = {"clause", "citation", "categories", "payer", "amounts"}
_TOPUP_KEYS = {"clause", "citation", "categories", "results", "shares", "coaching_team", "note"}
_TOPUP_REQUIRED = {"clause", "citation", "categories", "results", "shares"}
_SHARE_KEYS = {"payer", "percent"}
_HONOUR_KEYS = {"clause", "citation", "payer", "amounts", "note"}
_HONOUR_REQUIRED = {"clause", "citation", "payer", "amounts"}
_NOTICE_KEYS = {"clause", "citation", "categories", "results", "text", "reading"}
_NOTICE_REQUIRED = {"clause", "citation", "text"}


# --- reading -------------------------------------------------------------------------------


class _Reader(Reader):
    """The shared reader, with what award policies check: amounts, categories, results, payers."""

    def amount(self, value: object, where: str) -> Decimal:
        """Return a non-negative amount given as an integer or a quoted decimal string."""
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise self.fail(where, f"amount {value!r}: write an integer or a quoted decimal")
        try:
            number = as_decimal(value)
        except MoneyError as exc:
            raise self.fail(where, str(exc)) from exc
        if number < 0:
            raise self.fail(where, f"amount {value!r} is negative")
        if number > MAX_AMOUNT:
            raise self.fail(
                where,
                f"amount {value!r} is above {MAX_AMOUNT:,} yuan, more than one award line holds",
            )
        return number

    def categories(self, value: object, where: str) -> tuple[str, ...]:
        """Return a non-empty list of known, cash-bearing category ids."""
        if not isinstance(value, list) or not value:
            raise self.fail(where, "expected a non-empty list of category ids")
        for index, category in enumerate(value):
            if category not in CATEGORIES:
                raise self.fail(f"{where}[{index}]", f"unknown category {category!r}")
            if CATEGORIES[category].rank_only:
                raise self.fail(f"{where}[{index}]", f"category {category!r} records ranks only")
        if len(set(value)) != len(value):
            raise self.fail(where, "a category is listed twice")
        return tuple(value)

    def result(self, key: object, categories: tuple[str, ...], where: str) -> str:
        """Return a result key every listed category can award."""
        if key not in RESULT_KEYS:
            raise self.fail(
                where, f"unknown result key {key!r} (use one of {', '.join(RESULT_KEYS)})"
            )
        for category in categories:
            if key not in CATEGORIES[category].result_keys:
                raise self.fail(where, f"category {category!r} does not award {key!r}")
        return str(key)

    def payer(self, value: object, where: str, payer_levels: tuple[str, ...]) -> str:
        """Return a payer level the file declares."""
        if value not in payer_levels:
            raise self.fail(
                where, f"payer {value!r} is not one of payer_levels {list(payer_levels)}"
            )
        return str(value)


def _read_header(data: dict, r: _Reader) -> PolicyHeader:
    r.keys(data, "", _FILE_KEYS, _FILE_REQUIRED)
    policy_id = r.text(data, "id", "")
    if not POLICY_ID_RE.match(policy_id):
        raise r.fail("id", f"{policy_id!r} is not a policy id like yn-2021-28")
    code = r.text(data, "jurisdiction_code", "")
    if not CODE_RE.match(code):
        raise r.fail("jurisdiction_code", f"{code!r} is not a 6-digit division code")
    level = r.text(data, "jurisdiction_level", "")
    if level not in PAYER_LEVELS:
        raise r.fail("jurisdiction_level", f"{level!r} is not one of {list(PAYER_LEVELS)}")
    payer_levels = data["payer_levels"]
    if not isinstance(payer_levels, list) or not payer_levels:
        raise r.fail("payer_levels", "expected a non-empty list")
    for index, payer in enumerate(payer_levels):
        if payer not in PAYER_LEVELS:
            raise r.fail(f"payer_levels[{index}]", f"unknown payer level {payer!r}")
        # A policy can make its own level or a lower one pay, never a higher one.
        if LEVEL_ORDER[payer] < LEVEL_ORDER[level]:
            raise r.fail(f"payer_levels[{index}]", f"a {level} policy cannot make the {payer} pay")
    issued_on = None
    if "issued_on" in data:
        issued_on = r.day(data["issued_on"], "issued_on")
    restated_by = None
    if "restated_by" in data:
        table = r.keys(data["restated_by"], "restated_by", _RESTATED_KEYS, _RESTATED_KEYS)
        restated_by = RestatedBy(
            policy=r.text(table, "policy", "restated_by"),
            short_title=r.text(table, "short_title", "restated_by"),
            section=r.text(table, "section", "restated_by"),
        )
    return PolicyHeader(
        id=policy_id,
        title=r.text(data, "title", ""),
        issuer=r.text(data, "issuer", ""),
        document_number=r.text(data, "document_number", "", required=False),
        jurisdiction_code=code,
        jurisdiction_name=r.text(data, "jurisdiction_name", ""),
        jurisdiction_level=level,
        payer_levels=tuple(payer_levels),
        source=r.citation(data, "source", ""),
        note=r.text(data, "note", "", required=False),
        short_title=r.text(data, "short_title", ""),
        issued_on=issued_on,
        issued_text=r.text(data, "issued_text", "", required=False),
        restated_by=restated_by,
        clauses=_read_clauses(data["clauses"], r),
    )


def _read_clauses(table: object, r: _Reader) -> dict[str, Clause]:
    """Return the document's clauses; refuse one without its quoted sentence."""
    if not isinstance(table, dict) or not table:
        raise r.fail("clauses", "expected a table of clauses, each with its quoted sentence")
    clauses = {}
    for key, entry in table.items():
        path = f"clauses.{key}"
        r.keys(entry, path, _CLAUSE_KEYS, _CLAUSE_REQUIRED)
        quote = r.quote(entry, "quote", path)
        clauses[key] = Clause(
            key=key,
            section=r.text(entry, "section", path, required=False),
            item=r.text(entry, "item", path),
            citation=r.citation(entry, "citation", path),
            quote=quote,
            reading=r.text(entry, "reading", path, required=False),
            document=r.text(entry, "document", path, required=False),
        )
    return clauses


def _clause(header: PolicyHeader, table: dict, where: str, r: _Reader) -> str:
    """Return the row's clause key, refusing one that [clauses] does not quote."""
    key = r.text(table, "clause", where)
    if key not in header.clauses:
        raise r.fail(
            f"{where}.clause", f"{key!r} is not in [clauses] (each clause needs its quote)"
        )
    return key


def _read_settings(
    table: object, where: str, header: PolicyHeader, r: _Reader
) -> dict[str, Setting]:
    if not isinstance(table, dict):
        raise r.fail(where, "expected a table of named settings")
    settings: dict[str, Setting] = {}
    for name, entry in table.items():
        path = f"{where}.{name}"
        if name not in SETTING_VALUES:
            raise r.fail(path, f"unknown setting (known: {', '.join(SETTING_VALUES)})")
        if not isinstance(entry, dict):
            raise r.fail(path, "uncited: write the setting as a table with value, clause, citation")
        r.keys(entry, path, _SETTING_KEYS, _SETTING_REQUIRED)
        value = entry["value"]
        if value not in SETTING_VALUES[name] or type(value) is not type(SETTING_VALUES[name][0]):
            raise r.fail(f"{path}.value", f"{value!r} is not one of {list(SETTING_VALUES[name])}")
        settings[name] = Setting(
            name=name,
            value=value,
            citation=Citation(
                header.number_text,
                _clause(header, entry, path, r),
                r.citation(entry, "citation", path),
            ),
            reading=r.text(entry, "reading", path),
            note=r.text(entry, "note", path, required=False),
            notice=r.text(entry, "notice", path, required=False),
            categories=r.categories(entry["categories"], f"{path}.categories")
            if "categories" in entry
            else (),
        )
    return settings


def _read_version(
    data: object, where: str, header: PolicyHeader, digest: str, r: _Reader
) -> PolicyVersion:
    version_keys(data, where, r, _VERSION_KEYS, _VERSION_REQUIRED)
    assert isinstance(data, dict)
    dates = read_dates(data, where, r)
    settings = _read_settings(data["settings"], f"{where}.settings", header, r)
    part = _Part(data, where, header, settings, r)
    schedule = _read_schedule(part)
    topups = _read_topups(part)
    notices = _read_notices(part)
    honours = _read_honours(part)
    _check_amount_settings(part, bool(schedule or topups))
    return PolicyVersion(
        header=header,
        effective_from=dates.effective_from,
        effective_to=dates.effective_to,
        date_assumed=dates.date_assumed,
        date_note=dates.date_note,
        date_citation=dates.date_citation,
        settings=settings,
        schedule=schedule,
        topups=topups,
        notices=notices,
        honours=honours,
        digest=digest,
        file_name=r.name,
        note=r.text(data, "note", where, required=False),
    )


@dataclass(frozen=True)
class _Part:
    """A version's table being read, with what its rows are checked against."""

    data: dict
    where: str
    header: PolicyHeader
    settings: dict[str, Setting]
    r: _Reader

    def rows(self, name: str, allowed: set[str], required: set[str]) -> Iterator[tuple[str, dict]]:
        """Yield (key path, table) of each ``[[versions.<name>]]`` row, its keys checked."""
        for index, row in enumerate(self.data.get(name, [])):
            path = f"{self.where}.{name}[{index}]"
            self.r.keys(row, path, allowed, required)
            yield path, row


def _read_schedule(part: _Part) -> tuple[ScheduleRow, ...]:
    r, header = part.r, part.header
    schedule: list[ScheduleRow] = []
    seen: dict[tuple[str, str, str], str] = {}
    for path, row in part.rows("schedule", _SCHEDULE_KEYS, _SCHEDULE_REQUIRED):
        clause = _clause(header, row, path, r)
        row_scope = row.get("applies_to", "sent_by_jurisdiction")
        if row_scope not in ROW_SCOPES:
            raise r.fail(f"{path}.applies_to", f"{row_scope!r} is not one of {list(ROW_SCOPES)}")
        citation = r.citation(row, "citation", path)
        categories = r.categories(row["categories"], f"{path}.categories")
        payer = r.payer(row["payer"], f"{path}.payer", header.payer_levels)
        schedule.append(
            ScheduleRow(
                clause=clause,
                citation=citation,
                categories=categories,
                payer=payer,
                amounts=_read_row_amounts(row, path, categories, payer, seen, r),
                coaching_team=_row_coaching_team(row, path, part.settings, r),
                note=r.text(row, "note", path, required=False),
                applies_to=row_scope,
            )
        )
    return tuple(schedule)


def _read_row_amounts(
    row: dict, path: str, categories: tuple[str, ...], payer: str, seen: dict, r: _Reader
) -> dict[str, Decimal]:
    """Return a schedule row's result -> amount, refusing one another row already sets."""
    if not isinstance(row["amounts"], dict) or not row["amounts"]:
        raise r.fail(f"{path}.amounts", "expected a table of result = amount")
    amounts = {}
    for key, value in row["amounts"].items():
        result = r.result(key, categories, f"{path}.amounts.{key}")
        amounts[result] = r.amount(value, f"{path}.amounts.{key}")
        for category in categories:
            # Two rows giving one payer's amount for the same result would be ambiguous.
            other = seen.setdefault((category, result, payer), path)
            if other != path:
                raise r.fail(f"{path}.amounts.{key}", f"{category} {key} already set in {other}")
    return amounts


def _read_topups(part: _Part) -> tuple[TopUpRule, ...]:
    r, settings = part.r, part.settings
    topups: list[TopUpRule] = []
    for path, rule in part.rows("topups", _TOPUP_KEYS, _TOPUP_REQUIRED):
        for name in ("topup_base", "excellence_topup"):
            if name not in settings:
                raise r.fail(
                    f"{part.where}.settings.{name}", "missing: a top-up needs this setting"
                )
        categories = r.categories(rule["categories"], f"{path}.categories")
        results = _read_results(rule["results"], f"{path}.results", r)
        if "excellence" in results and not settings["excellence_topup"].value:
            raise r.fail(f"{path}.results", "lists excellence but excellence_topup is false")
        topups.append(
            TopUpRule(
                clause=_clause(part.header, rule, path, r),
                citation=r.citation(rule, "citation", path),
                categories=categories,
                results=results,
                shares=_read_shares(rule["shares"], path, part.header.payer_levels, r),
                coaching_team=_row_coaching_team(rule, path, settings, r),
                note=r.text(rule, "note", path, required=False),
            )
        )
    return tuple(topups)


def _read_shares(
    shares_data: object, path: str, payers: tuple[str, ...], r: _Reader
) -> tuple[Share, ...]:
    if not isinstance(shares_data, list) or not shares_data:
        raise r.fail(f"{path}.shares", "expected a list of {payer, percent}")
    shares = []
    for share_index, share in enumerate(shares_data):
        share_path = f"{path}.shares[{share_index}]"
        r.keys(share, share_path, _SHARE_KEYS, _SHARE_KEYS)
        percent = r.amount(share["percent"], f"{share_path}.percent")
        if percent > 100:
            raise r.fail(f"{share_path}.percent", "a share is at most 100 percent")
        shares.append(Share(r.payer(share["payer"], f"{share_path}.payer", payers), percent))
    return tuple(shares)


def _read_notices(part: _Part) -> tuple[NoticeRule, ...]:
    r = part.r
    return tuple(
        NoticeRule(
            clause=_clause(part.header, notice, path, r),
            citation=r.citation(notice, "citation", path),
            categories=r.categories(notice["categories"], f"{path}.categories")
            if "categories" in notice
            else (),
            results=_read_results(notice["results"], f"{path}.results", r)
            if "results" in notice
            else (),
            text=r.text(notice, "text", path),
            reading=r.text(notice, "reading", path, required=False),
        )
        for path, notice in part.rows("notices", _NOTICE_KEYS, _NOTICE_REQUIRED)
    )


def _read_honours(part: _Part) -> tuple[HonourRow, ...]:
    r = part.r
    honours: list[HonourRow] = []
    for path, row in part.rows("honours", _HONOUR_KEYS, _HONOUR_REQUIRED):
        if not isinstance(row["amounts"], dict) or not row["amounts"]:
            raise r.fail(f"{path}.amounts", "expected a table of honour = amount")
        amounts = {}
        for kind, value in row["amounts"].items():
            if kind not in HONOUR_KINDS:
                raise r.fail(f"{path}.amounts.{kind}", f"unknown honour {kind!r}")
            amounts[kind] = r.amount(value, f"{path}.amounts.{kind}")
        honours.append(
            HonourRow(
                clause=_clause(part.header, row, path, r),
                citation=r.citation(row, "citation", path),
                payer=r.payer(row["payer"], f"{path}.payer", part.header.payer_levels),
                amounts=amounts,
                note=r.text(row, "note", path, required=False),
            )
        )
    return tuple(honours)


def _check_amount_settings(part: _Part, has_amounts: bool) -> None:
    """Refuse amounts without the settings they need, or amounts_configured = false with any."""
    r, where, settings = part.r, part.where, part.settings
    configured = settings.get("amounts_configured")
    if configured is not None and not configured.value:
        if has_amounts:
            raise r.fail(f"{where}.settings.amounts_configured", "false, yet amounts are given")
        if not configured.notice.strip():
            raise r.fail(
                f"{where}.settings.amounts_configured.notice", "missing: say what is missing"
            )
    elif has_amounts:
        for name in ("applies_to", "team_members", "coaching_team"):
            if name not in settings:
                raise r.fail(f"{where}.settings.{name}", "missing: amounts need this setting")
    if "applies_to" not in settings:
        raise r.fail(f"{where}.settings.applies_to", "missing")


def _read_results(value: object, where: str, r: _Reader) -> tuple[str, ...]:
    if not isinstance(value, list) or not value:
        raise r.fail(where, "expected a non-empty list of result keys")
    for index, key in enumerate(value):
        if key not in RESULT_KEYS:
            raise r.fail(f"{where}[{index}]", f"unknown result key {key!r}")
    return tuple(value)


def _row_coaching_team(row: dict, path: str, settings: dict[str, Setting], r: _Reader) -> str:
    """Return the row's coaching-team reading: its own (cited by the row) or the version's."""
    if "coaching_team" in row:
        value = row["coaching_team"]
        if value not in SETTING_VALUES["coaching_team"]:
            raise r.fail(f"{path}.coaching_team", f"{value!r} is not one of same_standard, none")
        return value
    if "coaching_team" not in settings:
        raise r.fail(path.rsplit(".", 1)[0] + ".settings.coaching_team", "missing")
    return settings["coaching_team"].value


def _build_policy(data: dict, name: str, digest: str) -> Policy:
    r = _Reader(name)
    header = _read_header(data, r)
    raw_versions = data["versions"]
    if not isinstance(raw_versions, list) or not raw_versions:
        raise r.fail("versions", "expected at least one [[versions]] table")
    versions = sorted(
        (
            _read_version(raw, f"versions[{index}]", header, digest, r)
            for index, raw in enumerate(raw_versions)
        ),
        key=lambda v: v.effective_from,
    )
    check_in_sequence(versions, r)
    return Policy(header, tuple(versions))


def load_policy_file(path: Path | str) -> Policy:
    """Load and check one policy file: its bytes are read once and parsed as its text."""
    # The digest of the UTF-8 text is the digest of the file's bytes.
    return load_policy_text(read_policy_bytes(path), Path(path).name)


def load_policy_text(text: str, name: str) -> Policy:
    """Load and check a policy given as text (a draft an administrator uploads)."""
    data, digest = parse_policy_text(text, name)
    return _build_policy(data, name, digest)


def load_policies(
    data_dir: Path | None = None, revisions: dict[str, tuple[str, str]] | None = None
) -> PolicySet:
    """Load every ``*.toml`` policy file in ``data_dir`` (default: the shipped award policies).

    :param revisions: policy id -> (text, name) of versions kept in the database (entered
        or imported by administrators, then activated); each is read by the same strict
        reader as a file and takes the place of the shipped file of the same id.
    """
    directory = AWARDS_DIR if data_dir is None else Path(data_dir)
    revisions = revisions or {}
    policies: dict[str, Policy] = {}
    for path in sorted(directory.glob("*.toml")):
        if path.stem in revisions:
            continue
        policy = load_policy_file(path)
        if policy.id in policies:
            raise PolicyFileError(
                f"{path.name}: id: {policy.id!r} is already defined by another file"
            )
        if path.stem != policy.id:
            raise PolicyFileError(f"{path.name}: id: {policy.id!r} does not match the file name")
        policies[policy.id] = policy
    for policy_id, (text, name) in sorted(revisions.items()):
        policy = load_policy_text(text, name)
        if policy.id != policy_id:
            raise PolicyFileError(f"{name}: id: {policy.id!r} is stored as {policy_id!r}")
        policies[policy.id] = policy
    return PolicySet(policies)


def check_readings(policies: PolicySet, readings: dict) -> None:
    """Refuse a policy that names a reading the readings file does not publish."""
    for policy in policies:
        named = [(f"clauses.{c.key}.reading", c.reading) for c in policy.header.clauses.values()]
        for version in policy.versions:
            named += [(f"settings.{s.name}.reading", s.reading) for s in version.settings.values()]
            named += [("notices.reading", n.reading) for n in version.notices]
        for where, reading in named:
            if reading and reading not in readings:
                raise PolicyFileError(f"{policy.id}.toml: {where}: unknown reading {reading!r}")


def check_policies(data_dir: Path | None = None) -> list[str]:
    """Load every policy file (raising on the first problem) and return the ids loaded."""

    policies = load_policies(data_dir)
    check_readings(policies, load_readings())
    return policies.ids()


def describe_version(version: PolicyVersion) -> str:
    """Return a human-readable dump of one version, for ``policies show ID --on DATE``."""
    h = version.header
    lines = [
        f"{h.id}  {h.title}",
        f"文号 {h.document_number}；发布 {h.issuer}；适用 {h.jurisdiction_name} {h.jurisdiction_code}"
        f"（{PAYER_LEVEL_NAMES[h.jurisdiction_level]}）",
        f"来源 {h.source}；文件 {version.file_name}；sha256 {version.digest}",
        f"版本 {version.period_text()}；日期依据 {version.date_citation}",
    ]
    if version.date_note:
        lines.append(f"  {version.date_note}")
    for note in (h.note, version.note):
        if note:
            lines.append(f"说明：{note}")
    lines.append("设定（POLICY.md §5 的读法）：")
    for setting in version.settings.values():
        value = str(setting.value).lower() if isinstance(setting.value, bool) else setting.value
        lines.append(f"  {setting.name} = {value}  [{setting.reading}; {setting.citation}]")
        for extra in (setting.note, setting.notice):
            if extra:
                lines.append(f"    {extra}")
    if version.schedule:
        lines.append("奖励标准（每人一次性，元）：")
    for row in version.schedule:
        names = "、".join(CATEGORY_NAMES[c] for c in row.categories)
        amounts = "，".join(
            f"{result_key_name(k)} {format_yuan_short(v)}" for k, v in row.amounts.items()
        )
        team = "教练团队同等标准" if row.coaching_team == "same_standard" else "无教练团队奖励"
        lines.append(
            f"  {row.clause} {names}：{amounts}；{PAYER_LEVEL_NAMES[row.payer]}承担；{team}"
            f"  [{row.citation}]"
        )
        if row.note:
            lines.append(f"    {row.note}")
    for rule in version.topups:
        names = "、".join(CATEGORY_NAMES[c] for c in rule.categories)
        results = "、".join(result_key_name(k) for k in rule.results)
        shares = "，".join(f"{PAYER_LEVEL_NAMES[s.payer]} {s.percent}%" for s in rule.shares)
        lines.append(
            f"追加 {rule.clause} {names}（{results}）：省级金额的 {shares}  [{rule.citation}]"
        )
    for notice in version.notices:
        lines.append(f"提示 {notice.clause}：{notice.text}  [{notice.citation}]")
    return "\n".join(lines)
