"""``/policies/``: every policy document with its versions, amounts, shares and bands.

The page is built from what the strict loaders read (``compapp.policy.loader`` for awards,
``compapp.promotion.policy`` for grade promotion), never from a list of its own, so a new
file or version shows here as soon as compapp loads it. Anyone may read the documents and
amounts; signed-in users also see compapp's readings, notes and notices; administrators
also see each file's id, digest and source lines in a details block.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask import Blueprint, current_app, render_template, url_for
from flask_login import current_user

from compapp import labels
from compapp.auth.access import public

bp = Blueprint("policies", __name__, url_prefix="/policies")

# Source lines ("000_506faec866124176.txt:91") and the rules file's name are for maintainers:
# a parenthesis naming them is dropped from a note a person reads, the rest is kept.
_SOURCE_PAREN_RE = re.compile(r"[（(][^（）()]*(?:\.txt|POLICY\.md)[^（）()]*[）)]")
_POLICY_MD_RE = re.compile(r"POLICY\.md\s*§\s*[\d.]+(?:\s*表)?")
_SOURCE_RE = re.compile(r"\d{3}_[0-9a-f]{16}\.txt(?::\d+(?:-\d+)?)?")


def plain(text: str) -> str:
    """Return a data note without source file names or lines (what a person reads)."""
    text = _SOURCE_PAREN_RE.sub("", text or "")
    text = re.sub(r"按\s*" + _POLICY_MD_RE.pattern, "按其读法", text)
    text = _POLICY_MD_RE.sub("其读法", text)
    return _SOURCE_RE.sub("", text).strip()


def number_text(number: str) -> str:
    """Return the 文号, or "未印文号" when the document prints none."""
    number = (number or "").strip().strip("（）()")
    return number or "未印文号"


def result_name(key: str) -> str:
    """Return a schedule key's name in the page's language ("prize_2" → 二等奖)."""
    if key.startswith("prize_"):
        return labels.prize(int(key.removeprefix("prize_")))
    return labels.medal(key)


@dataclass
class Cited:
    """A clause as a person cites it, with its quoted sentence and the page that shows it."""

    clause: str
    quote: str = ""
    url: str = ""
    source: str = ""  # seed line: administrators' details only


@dataclass
class Row:
    """One line of a table: the clause, what it concerns, the value and the payer."""

    cited: Cited
    category: str
    result: str
    value: str
    payer: str = ""
    extra: str = ""


@dataclass
class Version:
    """One dated version with everything it sets, ready for the template."""

    period_from: date
    period_to: date | None
    assumed: bool
    in_force: bool
    date_note: str = ""
    date_source: str = ""
    note: str = ""
    amounts: list[Row] = field(default_factory=list)
    shares: list[Row] = field(default_factory=list)
    bands: list[Row] = field(default_factory=list)
    readings: list[Row] = field(default_factory=list)
    notices: list[Row] = field(default_factory=list)
    missing_amounts: str = ""
    digest: str = ""


@dataclass
class Document:
    """A source document and the award and promotion versions compapp reads from it."""

    anchor: str
    title: str
    number: str
    issuer: str
    jurisdiction: str
    level: str = ""
    note: str = ""
    restated_by: str = ""
    award_versions: list[Version] = field(default_factory=list)
    promotion_versions: list[Version] = field(default_factory=list)
    admin: dict[str, Any] = field(default_factory=dict)


def _citation_url(kind: str, policy_id: str, clause: str) -> str:
    """The citation page of the clause when compapp has one, else ""."""
    if "citing.citation" not in current_app.view_functions:
        return ""
    return url_for("citing.citation", kind=kind, policy_id=policy_id, clause=clause)


def _award_cited(header, clause: str, source: str) -> Cited:
    clauses = getattr(header, "clauses", None) or {}
    found = clauses.get(clause)
    if found is None:
        return Cited(clause, "", "", source)
    text = f"{found.section}{found.item}"
    return Cited(text, found.quote, _citation_url("awards", header.id, clause), source)


def _promotion_cited(policy, rule) -> Cited:
    clause = rule.clause
    text = f"{policy.section}{clause}" if clause else policy.section
    # The citation page knows a promotion clause when the policy can cite it.
    url = _citation_url("promotion", policy.id, clause) if hasattr(policy, "cite") else ""
    return Cited(text, rule.quote or "", url, rule.source)


def _rule_categories(rule) -> tuple[str, ...]:
    """A rule's contest categories (one, or several where the data lists them)."""
    return tuple(getattr(rule, "categories", None) or (rule.category,))


def _categories(codes) -> str:
    return "、".join(labels.category(code) for code in codes)


def _award_version(version, today: date) -> Version:
    from flask_babel import gettext as _

    header = version.header
    out = Version(
        period_from=version.effective_from,
        period_to=version.effective_to,
        assumed=version.date_assumed,
        in_force=version.covers(today),
        date_note=plain(version.date_note),
        date_source=version.date_citation,
        note=plain(version.note),
        digest=version.digest,
    )
    for row in version.schedule:
        cited = _award_cited(header, row.clause, row.citation)
        team = (
            _("教练团队按同等标准奖励")
            if row.coaching_team == "same_standard"
            else _("不奖励教练团队")
        )
        out.amounts.append(
            Row(
                cited,
                _categories(row.categories),
                "",
                [(result_name(key), amount) for key, amount in row.amounts.items()],
                labels.payer_level(row.payer),
                extra=" ".join(x for x in (team, plain(row.note)) if x),
            )
        )
    for rule in version.topups:
        cited = _award_cited(header, rule.clause, rule.citation)
        results = "、".join(result_name(key) for key in rule.results)
        for share in rule.shares:
            out.shares.append(
                Row(
                    cited,
                    _categories(rule.categories),
                    results,
                    share.percent,
                    labels.payer_level(share.payer),
                    extra=plain(rule.note),
                )
            )
    for setting in version.settings.values():
        if setting.name == "amounts_configured" and not setting.value:
            out.missing_amounts = plain(setting.notice)
        note = plain(setting.note) or plain(setting.notice)
        if not note:
            continue
        out.readings.append(
            Row(
                _award_cited(header, setting.citation.clause, setting.citation.source), "", "", note
            )
        )
    for notice in version.notices:
        out.notices.append(
            Row(
                _award_cited(header, notice.clause, notice.citation),
                _categories(notice.categories) if notice.categories else "",
                "、".join(result_name(k) for k in notice.results),
                plain(notice.text),
            )
        )
    return out


def _band_text(first: int, last: int) -> str:
    from flask_babel import gettext as _

    if first == last:
        return _("第 %(n)s 名", n=first)
    return _("第 %(a)s 至 %(b)s 名", a=first, b=last)


def _promotion_version(policy, version, today: date) -> Version:
    from flask_babel import gettext as _

    out = Version(
        period_from=version.valid_from,
        period_to=version.valid_until,
        assumed=bool(getattr(version, "date_assumed", False)),
        in_force=version.covers(today),
        date_source=version.source,
        digest=version.digest,
    )
    for rule in version.rules:
        cited = _promotion_cited(policy, rule)
        bands = "；".join(
            f"{labels.event_format(fmt)} {_band_text(first, last)}"
            for fmt, (first, last) in rule.bands.items()
        )
        grades = _(
            "晋升%(target)s；已是%(target)s的，晋升%(next)s",
            target=labels.grade(rule.target),
            next=labels.grade(rule.if_at_target),
        )
        extra = ""
        if rule.title:
            extra = _("授予“%(title)s”称号", title=rule.title)
            if rule.title_employees_only:
                extra += _("（限职工身份的选手）")
            if rule.title_needs_approval:
                extra += _("，须经核准")
        out.bands.append(
            Row(cited, _categories(_rule_categories(rule)), bands, grades, extra=extra)
        )
    return out


def build_documents(today: date | None = None) -> list[Document]:
    """Return every policy document the loaders read, awards and promotion merged by id."""
    from compapp.promotion.services import promotion_rules
    from compapp.rewards.services import award_policies

    today = today or date.today()
    documents: dict[str, Document] = {}
    level_order = {"province": 0, "prefecture": 1, "county": 2}
    for policy in award_policies():
        h = policy.header
        restated = getattr(h, "restated_by", None)
        doc = Document(
            anchor=h.id,
            title=h.title,
            number=number_text(h.document_number),
            issuer=h.issuer,
            jurisdiction=h.jurisdiction_name,
            level=h.jurisdiction_level,
            note=plain(h.note),
            restated_by=f"{restated.short_title}{restated.section}" if restated else "",
            admin={
                "id": h.id,
                "files": [(v.file_name, v.digest) for v in policy.versions[:1]],
                "source": h.source,
            },
        )
        doc.award_versions = [_award_version(v, today) for v in policy.versions]
        documents[h.id] = doc
    for policy in promotion_rules().policies:
        doc = documents.get(policy.id)
        if doc is None:
            doc = Document(
                anchor=policy.id,
                title=policy.document,
                number=number_text(getattr(policy, "document_number", "")),
                issuer=policy.issuer,
                jurisdiction=policy.prefecture_name,
                level="prefecture",
                admin={"id": policy.id, "files": [], "source": policy.source},
            )
            documents[policy.id] = doc
        doc.admin.setdefault("files", []).append((policy.file_name, policy.digest))
        doc.promotion_versions = [_promotion_version(policy, v, today) for v in policy.versions]
    return sorted(
        documents.values(),
        key=lambda d: (
            level_order.get(d.level, 9),
            -max(
                [v.period_from.toordinal() for v in d.award_versions + d.promotion_versions] or [0]
            ),
            d.title,
        ),
    )


@bp.route("/")
@public
def index():
    signed_in = current_user.is_authenticated
    is_admin = signed_in and current_user.role == "admin"
    return render_template(
        "policies/index.html",
        documents=build_documents(),
        signed_in=signed_in,
        is_admin=is_admin,
        readings_url=url_for("citing.readings")
        if "citing.readings" in current_app.view_functions
        else "",
    )
