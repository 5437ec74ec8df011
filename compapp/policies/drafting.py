"""Turn what an administrator enters into a policy file, in the shape of the shipped files.

Pure: no Flask, no database. The result is TOML text that ``compapp.policy.loader`` reads with
the same strict checks as a shipped file; an error's key path is mapped back to the form
field that produced it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

import tomli_w

from compapp.policy.reading import parse_toml

ENTERED = "entered"
RESULT_ORDER = ("gold", "silver", "bronze", "excellence", "prize_1", "prize_2", "prize_3")


@dataclass(frozen=True)
class CitedClause:
    """Where a value comes from: document (blank: the policy's own), section, item, quote."""

    document: str
    section: str
    item: str
    quote: str


@dataclass(frozen=True)
class ScheduleInput:
    """One row of fixed amounts per person, as entered (form slot ``slot``)."""

    slot: int
    categories: tuple[str, ...]
    payer: str
    amounts: dict[str, Decimal]
    coaching_team: str
    applies_to: str
    clause: CitedClause


@dataclass(frozen=True)
class TopUpInput:
    """A percentage of the provincial amount paid by local payers (form slot ``slot``)."""

    slot: int
    categories: tuple[str, ...]
    results: tuple[str, ...]
    shares: tuple[tuple[str, Decimal], ...]
    coaching_team: str
    clause: CitedClause


@dataclass(frozen=True)
class VersionInput:
    """A new version as entered: its dates, rows and the citation of everything in it."""

    effective_from: date
    effective_to: date | None
    date_assumed: bool
    date_note: str
    schedules: tuple[ScheduleInput, ...] = ()
    topups: tuple[TopUpInput, ...] = ()
    citation: str = ENTERED  # "entered", or "attachment:<sha256 of the attached PDF>"
    note: str = ""


@dataclass(frozen=True)
class HeaderInput:
    """A new policy's document and jurisdiction."""

    id: str
    title: str
    short_title: str
    issuer: str
    document_number: str
    issued_on: date | None
    jurisdiction_code: str
    jurisdiction_name: str
    jurisdiction_level: str


@dataclass
class Draft:
    """The policy file's data with the new version, and which form field made which key."""

    data: dict
    fields: dict[str, str] = field(default_factory=dict)  # key path prefix -> form field

    @property
    def text(self) -> str:
        return to_toml(self.data)


def parse(text: str) -> dict:
    """Return a policy file's data (refusing floats, as the strict reader does)."""
    return parse_toml(text)


def to_toml(data: dict) -> str:
    """Return ``data`` as TOML text; decimals are written as quoted decimals."""

    def plain(value):
        if isinstance(value, Decimal):
            return int(value) if value == value.to_integral_value() else f"{value.normalize():f}"
        if isinstance(value, dict):
            return {k: plain(v) for k, v in value.items()}
        if isinstance(value, list):
            return [plain(v) for v in value]
        return value

    return tomli_w.dumps(plain(data))


def new_policy_data(header: HeaderInput, source: str = ENTERED) -> dict:
    """Return the header of a new policy file (no clauses or versions yet)."""
    payers = ["prefecture", "county"] if header.jurisdiction_level == "prefecture" else ["county"]
    data: dict = {
        "id": header.id,
        "title": header.title,
        "short_title": header.short_title,
        "issuer": header.issuer,
    }
    if header.document_number:
        data["document_number"] = header.document_number
    if header.issued_on:
        data["issued_on"] = header.issued_on
    data.update(
        jurisdiction_code=header.jurisdiction_code,
        jurisdiction_name=header.jurisdiction_name,
        jurisdiction_level=header.jurisdiction_level,
        payer_levels=payers,
        source=source,
        clauses={},
        versions=[],
    )
    return data


def _clause_key(clauses: dict, clause: CitedClause, citation: str) -> str:
    """Return the key of ``clause`` in ``clauses``, adding it when it is new."""
    entry = {"section": clause.section, "item": clause.item, "citation": citation}
    entry["quote"] = clause.quote
    if clause.document:
        entry["document"] = clause.document
    base = re.sub(r"\s+", "", f"{clause.document}{clause.section}{clause.item}") or "entered"
    key, n = base, 1
    while key in clauses:
        same = {k: v for k, v in clauses[key].items() if k != "citation"}
        if same == {k: v for k, v in entry.items() if k != "citation"}:
            return key
        n += 1
        key = f"{base}（{n}）"
    clauses[key] = entry
    return key


def _setting(value, clause: str, citation: str, reading: str, note: str = "") -> dict:
    out = {"value": value, "clause": clause, "citation": citation, "reading": reading}
    if note:
        out["note"] = note
    return out


def _settings(previous: dict | None, clause: str, citation: str, version: VersionInput) -> dict:
    """The version's named readings: the previous version's, and what amounts need."""
    settings = {
        name: dict(entry)
        for name, entry in (previous or {}).items()
        if name not in ("amounts_configured",)
    }
    settings.setdefault(
        "applies_to", _setting("sent_by_jurisdiction", clause, citation, "sending-jurisdiction")
    )
    settings.setdefault(
        "team_members", _setting("each_full_amount", clause, citation, "team-members")
    )
    team = "same_standard"
    rows = [*version.schedules, *version.topups]
    if rows and all(row.coaching_team == "none" for row in rows):
        team = "none"
    settings.setdefault("coaching_team", _setting(team, clause, citation, "coaching-team"))
    settings.setdefault("stacking", _setting("adds_up", clause, citation, "stacking"))
    if version.topups:
        settings.setdefault(
            "topup_base", _setting("provincial_amount", clause, citation, "percent-of-provincial")
        )
        excellence = any("excellence" in t.results for t in version.topups)
        settings.setdefault(
            "excellence_topup", _setting(excellence, clause, citation, "no-excellence-topup")
        )
    return settings


def _cut(old: dict, start: date, end: date | None) -> list[dict]:
    """What is left of version ``old`` once the period [start, end] is taken out."""
    o_start, o_end = old["effective_from"], old.get("effective_to")
    pieces = []
    if o_start < start:
        before = start - timedelta(days=1)
        pieces.append((o_start, before if o_end is None or o_end > before else o_end))
    if end is not None and (o_end is None or o_end > end):
        pieces.append((max(o_start, end + timedelta(days=1)), o_end))
    out = []
    for p_start, p_end in pieces:
        if p_end is not None and p_start > p_end:
            continue
        piece = dict(old, effective_from=p_start)
        piece.pop("effective_to", None)
        if p_end is not None:
            piece["effective_to"] = p_end
        out.append(piece)
    return out


def _schedule_rows(clauses: dict, version: VersionInput) -> list[dict]:
    """Return the version's schedule rows in the file's shape (their clauses added)."""
    rows = []
    for row in version.schedules:
        out = {
            "clause": _clause_key(clauses, row.clause, version.citation),
            "citation": version.citation,
            "categories": list(row.categories),
            "payer": row.payer,
            "amounts": {k: row.amounts[k] for k in RESULT_ORDER if k in row.amounts},
            "coaching_team": row.coaching_team,
        }
        if row.applies_to != "sent_by_jurisdiction":
            out["applies_to"] = row.applies_to
        rows.append(out)
    return rows


def _topup_rows(clauses: dict, version: VersionInput) -> list[dict]:
    """Return the version's top-up rules in the file's shape (their clauses added)."""
    return [
        {
            "clause": _clause_key(clauses, topup.clause, version.citation),
            "citation": version.citation,
            "categories": list(topup.categories),
            "results": list(topup.results),
            "shares": [{"payer": p, "percent": pct} for p, pct in topup.shares],
            "coaching_team": topup.coaching_team,
        }
        for topup in version.topups
    ]


def _version_table(
    version: VersionInput, previous: dict | None, first_key: str, rows: list, topups: list
) -> dict:
    """Return the new [[versions]] table: dates, settings, kept notices, rows."""
    citation = version.citation
    new: dict = {
        "effective_from": version.effective_from,
        "date_assumed": version.date_assumed,
    }
    if version.effective_to is not None:
        new["effective_to"] = version.effective_to
    if version.date_note:
        new["date_note"] = version.date_note
    new["date_citation"] = citation
    if version.note:
        new["note"] = version.note
    new["settings"] = _settings(
        previous.get("settings") if previous else None, first_key, citation, version
    )
    if previous is not None:
        # Notices of the old version that are not about missing amounts still hold.
        kept = [dict(n) for n in previous.get("notices", [])]
        if kept:
            new["notices"] = kept
    if rows:
        new["schedule"] = rows
    if topups:
        new["topups"] = topups
    return new


def _map_version_fields(draft: Draft, index: int, version: VersionInput) -> None:
    """Note which form field made each key of the version at ``versions[index]``."""
    where, table = f"versions[{index}]", draft.data["versions"][index]
    draft.fields.update(
        {
            "versions": "effective_from",
            f"{where}.effective_from": "effective_from",
            f"{where}.effective_to": "effective_to",
            f"{where}.date_note": "date_note",
            f"{where}.settings": "effective_from",
        }
    )
    for n, row in enumerate(version.schedules):
        path, prefix = f"{where}.schedule[{n}]", f"schedule-{row.slot}-"
        draft.fields[path] = prefix + "categories"
        draft.fields[f"{path}.payer"] = prefix + "payer"
        draft.fields[f"{path}.amounts"] = prefix + "gold"
        for key in RESULT_ORDER:
            draft.fields[f"{path}.amounts.{key}"] = prefix + key
        draft.fields[f"clauses.{table['schedule'][n]['clause']}"] = prefix + "quote"
    for n, topup in enumerate(version.topups):
        path, prefix = f"{where}.topups[{n}]", f"topup-{topup.slot}-"
        draft.fields[path] = prefix + "categories"
        draft.fields[f"{path}.results"] = prefix + "results"
        draft.fields[f"{path}.shares"] = prefix + "prefecture_percent"
        draft.fields[f"clauses.{table['topups'][n]['clause']}"] = prefix + "quote"


def add_version(data: dict, version: VersionInput) -> Draft:
    """Return ``data`` with ``version`` in force over its period (earlier versions cut back).

    A version starting on the day an old one starts takes its place; an old one starting
    earlier keeps the days before. The old versions stay in the previous file, and stored
    awards keep that file's digest.
    """
    data = parse(to_toml(data))  # a deep copy, with TOML's own types
    clauses = data.setdefault("clauses", {})
    draft = Draft(data)
    rows = _schedule_rows(clauses, version)
    topups = _topup_rows(clauses, version)
    first_key = next((r["clause"] for r in [*rows, *topups]), next(iter(clauses), ""))
    old_versions = sorted(data.get("versions", []), key=lambda v: v["effective_from"])
    previous = None
    for old in old_versions:
        if old["effective_from"] <= version.effective_from:
            previous = old
    new = _version_table(version, previous, first_key, rows, topups)
    versions = [
        p for old in old_versions for p in _cut(old, version.effective_from, version.effective_to)
    ]
    versions.append(new)
    versions.sort(key=lambda v: v["effective_from"])
    data["versions"] = versions
    _map_version_fields(draft, versions.index(new), version)
    return draft


def field_of(draft: Draft, message: str) -> str | None:
    """Return the form field a strict reader's message ("name: key.path: problem") is about."""
    parts = message.split(": ", 2)
    if len(parts) < 3:
        return None
    path = parts[1].split(" (line")[0]
    best = None
    for prefix, name in draft.fields.items():
        if path == prefix or path.startswith(prefix + ".") or path.startswith(prefix + "["):
            if best is None or len(prefix) > len(best[0]):
                best = (prefix, name)
    if best is None and path in {
        "id",
        "title",
        "short_title",
        "issuer",
        "document_number",
        "jurisdiction_code",
    }:
        return path
    return best[1] if best else None


def changed_period(old_text: str | None, new_text: str) -> tuple[date, date | None] | None:
    """Return the period over which two texts of a policy may price differently, or None.

    Versions present in one text and not (identically) in the other make the period: from the
    earliest of their starts to the latest of their ends (open when any is open).
    """
    old = parse(old_text)["versions"] if old_text else []
    new = parse(new_text)["versions"]
    differing = [v for v in old if v not in new] + [v for v in new if v not in old]
    if not differing:
        return None
    start = min(v["effective_from"] for v in differing)
    ends = [v.get("effective_to") for v in differing]
    end = None if any(e is None for e in ends) else max(ends)
    return start, end


def correct_dates(
    data: dict,
    version_from: date,
    effective_from: date,
    effective_to: date | None,
    date_assumed: bool,
    date_note: str,
    citation: str = ENTERED,
) -> Draft:
    """Return ``data`` with the dates of the version starting on ``version_from`` corrected
    (云政发〔2021〕28号's real date found, say). Days the version no longer covers are covered
    by no version of this policy; a correction that overlaps another version is refused by
    the strict reader, next to the date."""
    data = parse(to_toml(data))
    draft = Draft(data)
    versions = sorted(data.get("versions", []), key=lambda v: v["effective_from"])
    target = next((v for v in versions if v["effective_from"] == version_from), None)
    if target is None:
        raise KeyError(version_from)
    target["effective_from"] = effective_from
    target.pop("effective_to", None)
    if effective_to is not None:
        target["effective_to"] = effective_to
    target["date_assumed"] = date_assumed
    old_note = target.pop("date_note", None)
    old_english = target.pop("date_note_en", None)  # its English twin holds while it is kept
    if date_note:
        target["date_note"] = date_note
        if old_english and date_note == old_note:
            target["date_note_en"] = old_english
    target["date_citation"] = citation
    versions.sort(key=lambda v: v["effective_from"])
    data["versions"] = versions
    where = f"versions[{versions.index(target)}]"
    draft.fields.update(
        {
            "versions": "effective_from",
            f"{where}.effective_from": "effective_from",
            f"{where}.effective_to": "effective_to",
            f"{where}.date_note": "date_note",
        }
    )
    return draft


# --- promotion rules ------------------------------------------------------------------------


@dataclass(frozen=True)
class PromotionRuleInput:
    """One row of a promotion table as entered: categories, rank bands, grades, its quote."""

    clause: str  # the item as printed: "(1)"
    categories: tuple[str, ...]
    bands: dict[str, tuple[int, int]]  # event format -> (first, last) rank
    target: str
    if_at_target: str
    quote: str
    title: str = ""  # a title conferred with the promotion (employees only, 经核准)
    applies_to: str = "sent_by_jurisdiction"


@dataclass(frozen=True)
class PromotionVersionInput:
    """A new version of a promotion rule as entered: its dates and rules, one citation."""

    effective_from: date
    effective_to: date | None
    date_assumed: bool
    date_note: str
    rules: tuple[PromotionRuleInput, ...]
    citation: str = ENTERED  # "entered", or "attachment:<sha256 of the attached PDF>"


def _promotion_rule(rule: PromotionRuleInput, citation: str) -> dict:
    out: dict = {"clause": rule.clause, "categories": list(rule.categories)}
    if rule.applies_to != "sent_by_jurisdiction":
        out["applies_to"] = rule.applies_to
    out.update(target=rule.target, if_at_target=rule.if_at_target)
    if rule.title:
        out.update(title=rule.title, title_employees_only=True, title_needs_approval=True)
    out.update(
        citation=citation,
        quote=rule.quote,
        bands={fmt: list(band) for fmt, band in rule.bands.items()},
    )
    return out


def add_promotion_version(data: dict, version: PromotionVersionInput) -> Draft:
    """Return promotion file ``data`` with ``version`` in force over its period.

    The same vocabulary of dates as award policies, so earlier versions are cut back the
    same way (``_cut``); the result is read by the same strict reader.
    """
    data = parse(to_toml(data))
    draft = Draft(data)
    new: dict = {"effective_from": version.effective_from, "date_assumed": version.date_assumed}
    if version.effective_to is not None:
        new["effective_to"] = version.effective_to
    if version.date_note:
        new["date_note"] = version.date_note
    new["date_citation"] = version.citation
    new["rules"] = [_promotion_rule(rule, version.citation) for rule in version.rules]
    old_versions = sorted(data.get("versions", []), key=lambda v: v["effective_from"])
    versions = [
        p for old in old_versions for p in _cut(old, version.effective_from, version.effective_to)
    ]
    versions.append(new)
    versions.sort(key=lambda v: v["effective_from"])
    data["versions"] = versions
    where = f"versions[{versions.index(new)}]"
    draft.fields.update(
        {
            "versions": "effective_from",
            f"{where}.effective_from": "effective_from",
            f"{where}.effective_to": "effective_to",
            f"{where}.date_note": "date_note",
        }
    )
    for n in range(len(version.rules)):
        draft.fields[f"{where}.rules[{n}]"] = f"rule-{n}-categories"
        draft.fields[f"{where}.rules[{n}].quote"] = f"rule-{n}-quote"
        draft.fields[f"{where}.rules[{n}].bands"] = f"rule-{n}-individual"
        draft.fields[f"{where}.rules[{n}].target"] = f"rule-{n}-target"
        draft.fields[f"{where}.rules[{n}].if_at_target"] = f"rule-{n}-if_at_target"
    return draft
