"""Policy versions entered, imported, previewed, activated by a second person, then applied.

A revision is the whole text of one policy file. It is checked by the strict reader
(``compapp.policy.loader``) before it is stored and again when it is activated. The policy
set in force is the shipped files, each replaced by its active revision; it is read once per
request or job, and loaded once per application for each set of active revisions.
Services flush, never commit; the caller commits.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, NamedTuple

from flask import has_request_context
from flask_babel import LazyString
from sqlalchemy import and_, case, delete, exists, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from compapp import labels
from compapp.audit.services import record_change, says
from compapp.auth.models import utcnow
from compapp.contests.models import (
    Competitor,
    Contest,
    Entry,
    EntryCoach,
    EntryMember,
    Event,
    Placement,
)
from compapp.core.messages import N_
from compapp.core.money import from_fen, to_fen
from compapp.core.refusals import Refusal
from compapp.core.vocab import RevisionState
from compapp.english import shown
from compapp.extensions import db
from compapp.jobs.services import JobFailed, JobRequest, params_of, start_job
from compapp.policies.drafting import changed_period
from compapp.policies.models import PolicyPreviewRow, PolicyRevision
from compapp.policies.queries import (
    forget_policies_in_force,
    policies_in_force,
    promotion_rules_in_force,
)
from compapp.policy.categories import CATEGORY_NAMES, PAYER_LEVEL_NAMES, result_name
from compapp.policy.loader import AWARDS_DIR, PolicyFileError, check_readings, load_policy_text
from compapp.policy.model import NoPolicyInForce, Policy, PolicySet
from compapp.policy.overlaps import Overlap, award_overlap, promotion_overlap
from compapp.policy.promotion import DEFAULT_DATA_DIR as PROMOTION_DIR
from compapp.policy.promotion import (
    NoPromotionRuleInForce,
    PromotionPolicy,
    PromotionRuleSet,
    load_promotion_text,
)
from compapp.policy.readings import load_readings
from compapp.promotion.models import UNDECIDED_STATUSES, PromotionCase
from compapp.promotion.rules import PromotionFacts, check_eligibility
from compapp.reference.models import Jurisdiction
from compapp.rewards.queries import FACT_COLUMNS, facts_of, placed
from compapp.rewards.queries import county as _county
from compapp.rewards.rules import InvalidFacts, compute_awards
from compapp.rewards.services import grant_awards

MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024
MAX_IMPORT_BYTES = 256 * 1024
# The changed entries are listed (and stored) this many at a time.
PREVIEW_BATCH = 500


class PolicyRefused(Refusal):
    """A policy change that may not happen; the message says why, in words."""


# --- the set in force -----------------------------------------------------------------------


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def text_in_force(policy_id: str, kind: str = "awards") -> str | None:
    """Return the text of the policy of ``kind`` in force (its active revision, or its
    shipped file)."""
    text = db.session.scalar(
        select(PolicyRevision.text).where(
            PolicyRevision.policy_id == policy_id,
            PolicyRevision.kind == kind,
            PolicyRevision.state == RevisionState.ACTIVE,
        )
    )
    if text is not None:
        return text
    path = KINDS[kind].directory / f"{policy_id}.toml"
    return path.read_text(encoding="utf-8") if path.is_file() else None


def check_text(text: str, policy_id: str | None = None) -> Policy:
    """Read ``text`` with the strict reader (and the readings it names); raise
    ``PolicyFileError`` naming the key of the first problem."""

    name = f"{policy_id}.toml" if policy_id else "policy.toml"
    policy = load_policy_text(text, name)
    if policy_id is not None and policy.id != policy_id:
        raise PolicyFileError(f"{name}: id: the file is {policy.id!r}, not {policy_id!r}")
    check_readings(PolicySet({policy.id: policy}), load_readings())
    code = policy.header.jurisdiction_code
    known = db.session.get(Jurisdiction, code)
    if known is None or known.level != policy.header.jurisdiction_level:
        raise PolicyFileError(
            f"{name}: jurisdiction_code: {code} is not a {policy.header.jurisdiction_level} of Yunnan"
        )
    return policy


def check_active_revisions() -> list[str]:
    """Read every active revision with the strict reader; return the ids of their policies."""
    rows = db.session.execute(
        select(PolicyRevision.kind, PolicyRevision.policy_id, PolicyRevision.text)
        .where(PolicyRevision.state == RevisionState.ACTIVE)
        .order_by(PolicyRevision.kind, PolicyRevision.policy_id)
    ).all()
    for kind, policy_id, text in rows:
        KINDS[kind].check(text, policy_id)
    return [policy_id for _kind, policy_id, _text in rows]


def check_promotion_text(text: str, policy_id: str | None = None) -> PromotionPolicy:
    """Read a promotion rule file's ``text`` with the strict reader; raise
    ``PolicyFileError`` naming the key of the first problem."""
    name = f"{policy_id}.toml" if policy_id else "promotion.toml"
    policy = load_promotion_text(text, name)
    if policy_id is not None and policy.id != policy_id:
        raise PolicyFileError(f"{name}: id: the file is {policy.id!r}, not {policy_id!r}")
    return policy


def check_pdf(data: bytes) -> str:
    """Return the sha256 of an attached PDF; refuse one too large or that is not a PDF."""
    if len(data) > MAX_ATTACHMENT_BYTES:
        raise PolicyRefused(N_("附件不能超过 5 MB。"))
    if not data.startswith(b"%PDF-"):
        raise PolicyRefused(N_("附件不是 PDF 文件。"))
    import io

    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        pages = len(PdfReader(io.BytesIO(data), strict=False).pages)
    except (PyPdfError, ValueError, KeyError, TypeError, OSError, RecursionError):
        raise PolicyRefused(N_("附件无法作为 PDF 打开，请上传完整的 PDF 文件。")) from None
    if pages < 1:
        raise PolicyRefused(N_("附件 PDF 没有页面。"))
    return hashlib.sha256(data).hexdigest()


# --- storing --------------------------------------------------------------------------------


def _award_document(policy: Policy) -> str:
    return policy.header.document_text


def _promotion_document(policy: PromotionPolicy) -> str:
    return f"{policy.short_title}（{policy.document_number or '未印文号'}）"


class Attachment(NamedTuple):
    """The source document attached to a version: a checked PDF and its uploaded name."""

    data: bytes
    name: str


class PolicyOverlap(PolicyRefused):
    """A policy the engine could not tell apart from another of its jurisdiction (``found``
    says where, for the page to show the message next to the field concerned)."""

    found: Overlap


def _result_text(key: str, read: Callable = result_name) -> str:
    """A schedule key's name ("prize_2" → 二等奖, "gold" → 金牌); ``read``: a reader of
    (medal, prize) in another language (``labels.result``)."""
    if key.startswith("prize_"):
        return read(None, int(key.removeprefix("prize_")))
    return read(key, None)


def _worded(chinese: str, in_page_language: Callable[[], str]) -> LazyString:
    """A value of a refusal that reads in the language of the page showing it (the refusal is
    raised without knowing it): ``chinese`` outside a request (logs, the command line)."""
    return LazyString(lambda: in_page_language() if has_request_context() else chinese)


def _read(text: str) -> LazyString:
    """A document's name or a period, stored in Chinese, as the page reads it (``shown``)."""
    return _worded(text, lambda: shown(text))


def _award_overlap(policy: Policy) -> None:
    found = award_overlap(policy, policies_in_force())
    if found is None:
        return
    refusal = PolicyOverlap(
        N_(
            "与同一地区的另一项政策重叠：%(other)s（%(other_period)s）也规定了%(category)s%(result)s"
            "由%(payer)s承担的奖励；本政策（%(period)s）与它同时施行，同一名次会被奖励两次。"
            "请在该政策下录入新版本，或调整施行日期、竞赛类别。"
        ),
        other=_read(found.other),
        other_period=_read(found.other_period),
        period=_read(found.period),
        category=_worded(
            CATEGORY_NAMES.get(found.category, found.category),
            lambda: labels.category(found.category),
        ),
        result=_worded(
            _result_text(found.result), lambda: _result_text(found.result, labels.result)
        ),
        payer=_worded(
            PAYER_LEVEL_NAMES.get(found.payer, found.payer),
            lambda: labels.payer_level(found.payer),
        ),
    )
    refusal.found = found
    raise refusal


def _promotion_overlap(policy: PromotionPolicy) -> None:
    found = promotion_overlap(policy, promotion_rules_in_force().policies)
    if found is None:
        return
    refusal = PolicyOverlap(
        N_(
            "与同一州（市）的另一项晋升规则重叠：%(other)s（%(other_period)s）与本规则"
            "（%(period)s）同时施行，无法确定按哪一项判断晋升。"
            "请在该规则下录入新版本，或调整施行日期。"
        ),
        other=_read(found.other),
        other_period=_read(found.other_period),
        period=_read(found.period),
    )
    refusal.found = found
    raise refusal


@dataclass(frozen=True)
class RevisionKind:
    """What differs between the kinds of policy file: where the shipped files are, the
    strict reader, the check against the other policies of its jurisdiction, how a person
    names the document, and the audit record of a version entered."""

    directory: Path
    check: Callable[[str, str | None], Any]
    refuse_overlap: Callable[[Any], None]
    document: Callable[[Any], str]
    entered: str  # msgid of the audit summary (document, summary)


KINDS = {
    "awards": RevisionKind(
        AWARDS_DIR,
        check_text,
        _award_overlap,
        _award_document,
        N_("录入政策 %(document)s 的新版本（%(summary)s），待另一位管理员审核"),
    ),
    "promotion": RevisionKind(
        PROMOTION_DIR,
        check_promotion_text,
        _promotion_overlap,
        _promotion_document,
        N_("录入晋升规则 %(document)s 的新版本（%(summary)s），待另一位管理员审核"),
    ),
}


def save_revision(
    text: str,
    user,
    *,
    summary: str,
    source: str,
    kind: str = "awards",
    policy_id: str | None = None,
    attached: Attachment | None = None,
) -> PolicyRevision:
    """Check ``text`` with the strict reader of ``kind`` and store it as a revision awaiting
    a second administrator (with the source document ``attached``, if any)."""
    if getattr(user, "role", None) != "admin":
        raise PolicyRefused(N_("只有管理员可以录入政策。"))
    reader = KINDS[kind]
    policy = reader.check(text, policy_id)
    reader.refuse_overlap(policy)
    base = text_in_force(policy.id, kind)
    if base is not None and _digest(base) == _digest(text):
        raise PolicyRefused(N_("与现行政策完全相同，没有需要审核的变化。"))
    period = changed_period(base, text) or (policy.versions[-1].effective_from, None)
    revision = PolicyRevision(
        policy_id=policy.id,
        kind=kind,
        state=RevisionState.PENDING,
        text=text,
        digest=_digest(text),
        version_from=period[0],
        version_to=period[1],
        base_digest=_digest(base) if base is not None else None,
        summary=summary[:400],
        source=source,
        attachment=attached.data if attached else None,
        attachment_name=attached.name[:200] or None if attached else None,
        attachment_digest=hashlib.sha256(attached.data).hexdigest() if attached else None,
        created_by_id=user.id,
    )
    db.session.add(revision)
    db.session.flush()

    record_change(
        "enter_policy_version",
        "policy_revision",
        revision.id,
        says(reader.entered, document=reader.document(policy), summary=summary),
        after={"policy_id": policy.id, "kind": kind, "digest": revision.digest, "source": source},
        user=user,
    )
    return revision


def save_promotion_revision(text: str, user, **how) -> PolicyRevision:
    """Store a promotion rule file's ``text`` (``save_revision`` of kind "promotion")."""
    return save_revision(text, user, kind="promotion", **how)


def _checked(revision: PolicyRevision) -> tuple[str, str | None]:
    """Check a revision's text again; return the document as a person names it and the
    text in force it replaces."""
    reader = KINDS[revision.kind]
    policy = reader.check(revision.text, revision.policy_id)
    reader.refuse_overlap(policy)
    return reader.document(policy), text_in_force(revision.policy_id, revision.kind)


def import_revision(data: bytes, user) -> PolicyRevision:
    """Store an uploaded policy file (UTF-8 TOML) as a revision awaiting review."""
    if len(data) > MAX_IMPORT_BYTES:
        raise PolicyRefused(N_("政策文件不能超过 256 KB。"))
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise PolicyRefused(N_("政策文件应为 UTF-8 编码的文本。")) from None
    return save_revision(text, user, summary="导入的政策文件", source="import")


def pending_revisions() -> list[PolicyRevision]:
    return db.session.scalars(
        select(PolicyRevision).order_by(PolicyRevision.created_at.desc(), PolicyRevision.id.desc())
    ).all()


# --- deciding -------------------------------------------------------------------------------


def _may_decide(revision: PolicyRevision, user) -> None:
    if getattr(user, "role", None) != "admin":
        raise PolicyRefused(N_("只有管理员可以审核政策。"))
    if revision.created_by_id == user.id:
        raise PolicyRefused(N_("录入这一版本的管理员不能自己审核：须由另一位管理员生效或退回。"))


def return_revision(revision: PolicyRevision, user, reason: str) -> PolicyRevision:
    """Send a pending revision back to its author with ``reason``."""
    _may_decide(revision, user)
    reason = (reason or "").strip()
    if not reason:
        raise PolicyRefused(N_("请写明退回的理由。"))
    claimed = db.session.execute(
        update(PolicyRevision)
        .where(PolicyRevision.id == revision.id, PolicyRevision.state == RevisionState.PENDING)
        .values(
            state=RevisionState.RETURNED,
            reviewed_by_id=user.id,
            reviewed_at=utcnow(),
            return_reason=reason[:2000],
        )
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        raise PolicyRefused(N_("该版本已由他人处理（已生效或已退回）。"))
    db.session.refresh(revision)

    record_change(
        "return_policy_version",
        "policy_revision",
        revision.id,
        says(N_("退回政策版本 #%(id)s：%(why)s"), id=revision.id, why=reason),
        after={"policy_id": revision.policy_id, "digest": revision.digest, "reason": reason},
        user=user,
    )
    return revision


def activate_revision(revision: PolicyRevision, user) -> PolicyRevision:
    """Put a pending revision in force (a second administrator's decision).

    One compare-and-set claims the revision (only one of several simultaneous decisions
    wins); the unique index on active revisions refuses a second active text of one policy.
    The activation is audited with the digest of the text put in force.
    """
    _may_decide(revision, user)
    policy_id = revision.policy_id
    # Checked again: the readings or jurisdictions may have changed.
    document, current = _checked(revision)
    current_digest = _digest(current) if current is not None else None
    if current_digest != revision.base_digest:
        raise PolicyRefused(
            N_("录入该版本之后，这项政策已有其他版本生效。请退回，并在现行版本的基础上重新录入。")
        )
    try:
        with db.session.begin_nested():
            # Only the text this version was drafted on is replaced; a text another activation
            # put in force meanwhile stays, and the unique index then refuses this one.
            db.session.execute(
                update(PolicyRevision)
                .where(
                    PolicyRevision.policy_id == policy_id,
                    PolicyRevision.kind == revision.kind,
                    PolicyRevision.state == RevisionState.ACTIVE,
                    PolicyRevision.digest == revision.base_digest,
                )
                .values(state=RevisionState.SUPERSEDED)
                .execution_options(synchronize_session=False)
            )
            claimed = db.session.execute(
                update(PolicyRevision)
                .where(
                    PolicyRevision.id == revision.id, PolicyRevision.state == RevisionState.PENDING
                )
                .values(state=RevisionState.ACTIVE, reviewed_by_id=user.id, reviewed_at=utcnow())
                .execution_options(synchronize_session=False)
            )
            if claimed.rowcount != 1:
                raise PolicyRefused(N_("该版本已由他人处理（已生效或已退回）。"))
            actives = db.session.scalar(
                select(func.count(PolicyRevision.id)).where(
                    PolicyRevision.policy_id == policy_id,
                    PolicyRevision.kind == revision.kind,
                    PolicyRevision.state == RevisionState.ACTIVE,
                )
            )
            if actives != 1:
                raise PolicyRefused(N_("这项政策刚有另一版本生效，本次未生效。"))
    except IntegrityError:
        raise PolicyRefused(N_("这项政策刚有另一版本生效，本次未生效。")) from None
    db.session.refresh(revision)
    forget_policies_in_force()

    record_change(
        "activate_policy_version",
        "policy_revision",
        revision.id,
        says(
            N_("政策 %(document)s 新版本生效（#%(id)s，自 %(start)s），sha256 %(digest)s"),
            document=document,
            id=revision.id,
            start=revision.version_from.isoformat(),
            digest=revision.digest,
        ),
        before={"digest": current_digest},
        after={
            "policy_id": policy_id,
            "kind": revision.kind,
            "digest": revision.digest,
            "version_from": revision.version_from.isoformat(),
            "version_to": revision.version_to.isoformat() if revision.version_to else None,
            "entered_by_id": revision.created_by_id,
        },
        user=user,
    )
    return revision


# --- who is affected (SQL) ------------------------------------------------------------------


def _placed(columns, policy: Policy, start: date, end: date | None):
    """Select ``columns`` over placed entries awarded in [start, end] that ``policy`` may
    concern (sent by its jurisdiction, or at a contest its jurisdiction organises)."""
    query = placed(*columns).where(Contest.award_on >= start)
    if end is not None:
        query = query.where(Contest.award_on <= end)
    header = policy.header
    if header.jurisdiction_level == "prefecture":
        query = query.where(
            or_(
                _county.c.parent_code == header.jurisdiction_code,
                Contest.organiser_code == header.jurisdiction_code,
            )
        )
    elif header.jurisdiction_level == "county":
        query = query.where(_county.c.code == header.jurisdiction_code)
    return query


def _priced(facts, policies: PolicySet) -> dict:
    """Per payer code: (per-person fen, team fen); and an error, if the rules refuse."""

    try:
        result = compute_awards(facts, policies)
    except (NoPolicyInForce, InvalidFacts) as exc:
        return {"payers": {}, "error": str(exc), "competitor": 0, "team": 0}
    payers: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for line in result.competitor_lines:
        payers[line.payer_code][0] += to_fen(line.amount)
    for line in result.coaching_team_lines:
        payers[line.payer_code][1] += to_fen(line.amount)
    return {
        "payers": dict(payers),
        "error": None,
        "competitor": to_fen(result.competitor_total),
        "team": to_fen(result.coaching_team_total),
    }


def _draft_set(revision: PolicyRevision) -> tuple[PolicySet, PolicySet, Policy]:
    policies = policies_in_force()
    draft = load_policy_text(revision.text, f"{revision.policy_id}.toml")
    return policies, PolicySet({**policies.policies, draft.id: draft}), draft


def preview(revision: PolicyRevision, progress=None, keep=None) -> dict:
    """Price every placement in the revision's period under it and under the policies in force.

    The distinct cases (date, category, format, result, county, organiser) are counted in SQL
    with their entries, persons and coached entries; each case is priced twice by the pure
    rules; gains and losses per payer are those differences times the counts. The entries
    of the changed cases are then handed to ``keep`` in order, a batch at a time (the job
    stores them, and the page shows them a page at a time).
    """
    now_set, draft_set, draft = _draft_set(revision)
    start, end = revision.version_from, revision.version_to
    persons = select(func.count(EntryMember.id)).where(EntryMember.entry_id == Entry.id)
    coached = case((exists().where(EntryCoach.entry_id == Entry.id), 1), else_=0)
    query = _placed(
        (
            *FACT_COLUMNS,
            func.count(Entry.id),
            func.sum(persons.scalar_subquery()),
            func.sum(coached),
        ),
        draft,
        start,
        end,
    ).group_by(*FACT_COLUMNS)
    rows = db.session.execute(query).all()
    total_steps = len(rows) + 1
    payers: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    changed_cases = []
    checked = 0
    for index, row in enumerate(rows, start=1):
        facts = facts_of(row[:11])
        entries, n_persons, n_coached = row[11], int(row[12] or 0), int(row[13] or 0)
        checked += entries
        before, after = _priced(facts, now_set), _priced(facts, draft_set)
        for side, priced in ((0, before), (1, after)):
            for code, (each, team) in priced["payers"].items():
                payers[code][side] += each * n_persons + team * n_coached
        if (before["payers"], before["error"]) != (after["payers"], after["error"]):
            changed_cases.append((row[:11], before, after))
        if progress is not None and index % 20 == 0:
            progress(index, total_steps)
    names = dict(
        db.session.execute(
            select(Jurisdiction.code, Jurisdiction.name).where(Jurisdiction.code.in_(list(payers)))
        ).all()
    )
    order = {"province": 0, "prefecture": 1, "county": 2}
    levels = dict(
        db.session.execute(
            select(Jurisdiction.code, Jurisdiction.level).where(Jurisdiction.code.in_(list(payers)))
        ).all()
    )
    payer_rows = [
        {"code": code, "name": names.get(code, code), "now": now, "new": new, "delta": new - now}
        for code, (now, new) in sorted(
            payers.items(), key=lambda item: (order.get(levels.get(item[0]), 9), item[0])
        )
        if now or new
    ]
    changed_entries = _affected_entries(changed_cases, draft, start, end, keep)
    result = {
        "policy_id": revision.policy_id,
        "period": [start.isoformat(), end.isoformat() if end else None],
        "entries_checked": checked,
        "cases": len(rows),
        "changed_entries": changed_entries,
        "payers": payer_rows,
        "total": {
            "now": sum(p["now"] for p in payer_rows),
            "new": sum(p["new"] for p in payer_rows),
            "delta": sum(p["delta"] for p in payer_rows),
        },
        "listed": changed_entries if keep is not None else 0,
    }
    if progress is not None:
        progress(total_steps, total_steps)
    return result


def _affected_entries(changed_cases, draft: Policy, start, end, keep=None) -> int:
    """Hand the entries of the changed cases to ``keep`` in order, PREVIEW_BATCH at a time;
    return how many there are."""
    if not changed_cases:
        return 0
    matches = []
    by_key = {}
    for row, before, after in changed_cases:
        award_on, category, fmt, medal, prize, c_code, *_rest = row
        o_code = row[9]
        matches.append(
            and_(
                Contest.award_on == award_on,
                Contest.category == category,
                Event.format == fmt,
                Placement.medal.is_(None) if medal is None else Placement.medal == medal,
                Placement.prize.is_(None) if prize is None else Placement.prize == prize,
                _county.c.code == c_code,
                Contest.organiser_code == o_code,
            )
        )
        by_key[(award_on, category, fmt, medal, prize, c_code, o_code)] = (before, after)
    where = or_(*matches)
    count = int(
        db.session.scalar(_placed((func.count(Entry.id),), draft, start, end).where(where)) or 0
    )
    if keep is None:
        return count
    query = (
        _placed(
            (
                Entry.id,
                Contest.name,
                Event.occupation,
                _county.c.name,
                *FACT_COLUMNS[:5],
                _county.c.code,
                Contest.organiser_code,
                exists().where(EntryCoach.entry_id == Entry.id),
            ),
            draft,
            start,
            end,
        )
        .where(where)
        .order_by(Contest.award_on, Contest.id, Event.id, Placement.rank, Entry.id)
    )
    for offset in range(0, count, PREVIEW_BATCH):
        rows = db.session.execute(query.limit(PREVIEW_BATCH).offset(offset)).all()
        people = _names_of([r[0] for r in rows])
        keep([_entry_row(row, people[row[0]], by_key) for row in rows])
    return count


def _names_of(entry_ids: list[int]) -> dict[int, list[str]]:
    """The competitors' names of each entry, in their order on the entry."""
    people: dict[int, list[str]] = defaultdict(list)
    for entry_id, name in db.session.execute(
        select(EntryMember.entry_id, Competitor.name)
        .join(Competitor, Competitor.id == EntryMember.competitor_id)
        .where(EntryMember.entry_id.in_(entry_ids))
        .order_by(EntryMember.entry_id, EntryMember.position)
    ):
        people[entry_id].append(name)
    return people


def _entry_row(row, names: list[str], by_key: dict) -> dict:
    """What the preview's table shows of one entry whose award changes."""
    entry_id, contest, occupation, county, award_on, category, fmt, medal, prize = row[:9]
    before, after = by_key[(award_on, category, fmt, medal, prize, row[9], row[10])]
    team = bool(row[11])
    delta = (after["competitor"] - before["competitor"]) * len(names) + (
        (after["team"] - before["team"]) if team else 0
    )
    return {
        "entry_id": entry_id,
        "contest": contest,
        "award_on": award_on.isoformat(),
        "occupation": occupation,
        "county": county,
        "names": names,
        "medal": medal,
        "prize": prize,
        "now_each": before["competitor"],
        "new_each": after["competitor"],
        "now_team": before["team"] if team else 0,
        "new_team": after["team"] if team else 0,
        "delta": delta,
        "error": after["error"],
    }


# --- who is affected by a promotion rule ---------------------------------------------------

# What the promotion rules read of a placed competitor (``compapp.promotion.services._facts``).
PROMOTION_FACT_COLUMNS = (
    Contest.award_on,
    Contest.category,
    Event.format,
    Placement.rank,
    Competitor.grade_code,
    Competitor.is_employee,
    _county.c.code,
    _county.c.parent_code,
    Contest.organiser_code,
)


def _promotion_placed(columns, prefecture: str, start: date, end: date | None):
    """Select ``columns`` over the competitors placed in [start, end] (results not revoked)
    whom a promotion rule of ``prefecture`` may concern: sent by it, or at a contest it runs."""
    query = (
        placed(*columns)
        .join(EntryMember, EntryMember.entry_id == Entry.id)
        .join(Competitor, Competitor.id == EntryMember.competitor_id)
        .where(
            Contest.award_on >= start,
            Placement.revoked_at.is_(None),
            or_(_county.c.parent_code == prefecture, Contest.organiser_code == prefecture),
        )
    )
    if end is not None:
        query = query.where(Contest.award_on <= end)
    return query


def _outcome(facts: PromotionFacts, rules: PromotionRuleSet) -> dict:
    """Eligible or not, to which grade, with which title (what a promotion case records)."""
    try:
        found = check_eligibility(facts, rules)
    except NoPromotionRuleInForce as exc:
        return {"eligible": False, "to": None, "title": None, "reason": str(exc)}
    return {
        "eligible": found.eligible,
        "to": found.to_grade,
        "title": found.title,
        "reason": found.reason,
    }


def _promotion_sets(revision: PolicyRevision) -> tuple[PromotionRuleSet, PromotionRuleSet, str]:
    now = promotion_rules_in_force()
    draft = load_promotion_text(revision.text, f"{revision.policy_id}.toml")
    others = tuple(p for p in now.policies if p.id != draft.id)
    return now, PromotionRuleSet((*others, draft)), draft.prefecture


def promotion_preview(revision: PolicyRevision, progress=None, keep=None) -> dict:
    """Decide every placed competitor in the revision's period under it and under the rules
    in force; count and list those whose outcome (eligible or not, to which grade, which
    title) differs.

    The distinct facts are counted in SQL; each is decided twice by the pure rules; the
    competitors of the changed ones are handed to ``keep`` in order, a batch at a time.
    """
    now_set, draft_set, prefecture = _promotion_sets(revision)
    start, end = revision.version_from, revision.version_to
    rows = db.session.execute(
        _promotion_placed((*PROMOTION_FACT_COLUMNS, func.count()), prefecture, start, end).group_by(
            *PROMOTION_FACT_COLUMNS
        )
    ).all()
    total_steps = len(rows) + 1
    counts = {"checked": 0, "changed": 0, "gained": 0, "lost": 0, "regraded": 0}
    changed = {}
    for index, row in enumerate(rows, start=1):
        award_on, category, fmt, rank, grade, employee, county, parent, organiser, n = row
        facts = PromotionFacts(
            award_on, category, fmt, rank, grade or "none", bool(employee), county,
            parent or "", organiser,
        )  # fmt: skip
        counts["checked"] += n
        before, after = _outcome(facts, now_set), _outcome(facts, draft_set)
        if _differs(before, after):
            changed[tuple(row[:9])] = (before, after)
            counts["changed"] += n
            if before["eligible"] != after["eligible"]:
                counts["gained" if after["eligible"] else "lost"] += n
            else:
                counts["regraded"] += n
        if progress is not None and index % 50 == 0:
            progress(index, total_steps)
    listed = 0
    if keep is not None and changed:
        listed = _affected_competitors(changed, prefecture, start, end, keep)
    if progress is not None:
        progress(total_steps, total_steps)
    return {
        "kind": "promotion",
        "policy_id": revision.policy_id,
        "period": [start.isoformat(), end.isoformat() if end else None],
        **counts,
        "listed": listed,
    }


def _differs(before: dict, after: dict) -> bool:
    return (before["eligible"], before["to"], before["title"]) != (
        after["eligible"],
        after["to"],
        after["title"],
    )


def _affected_competitors(changed: dict, prefecture: str, start, end, keep) -> int:
    """Hand the competitors whose outcome changes to ``keep`` in order; return how many."""
    query = (
        _promotion_placed(
            (
                *PROMOTION_FACT_COLUMNS,
                Contest.name,
                Event.occupation,
                Competitor.name,
                _county.c.name,
                PromotionCase.status,
                PromotionCase.title_status,
            ),
            prefecture,
            start,
            end,
        )
        .outerjoin(
            PromotionCase,
            and_(
                PromotionCase.placement_id == Placement.id,
                PromotionCase.competitor_id == Competitor.id,
            ),
        )
        .order_by(Contest.award_on, Contest.id, Event.id, Placement.rank, Entry.id, Competitor.id)
    )
    listed = 0
    offset = 0
    while rows := db.session.execute(query.limit(PREVIEW_BATCH).offset(offset)).all():
        offset += len(rows)
        batch = [_competitor_row(row, changed) for row in rows if tuple(row[:9]) in changed]
        if batch:
            keep(batch)
            listed += len(batch)
    return listed


def _competitor_row(row, changed: dict) -> dict:
    """What the preview's table shows of one competitor whose promotion outcome changes."""
    before, after = changed[tuple(row[:9])]
    contest, occupation, name, county, status, title_status = row[9:]
    return {
        "contest": contest,
        "award_on": row[0].isoformat(),
        "occupation": occupation,
        "format": row[2],
        "rank": row[3],
        "name": name,
        "county": county,
        "grade": row[4] or "none",
        "before": before,
        "after": after,
        # A decided case stays as decided: the new version concerns cases decided later.
        "decided": status is not None and _is_decided(status, title_status),
    }


def _is_decided(status: str, title_status: str | None) -> bool:
    return status not in UNDECIDED_STATUSES or title_status in ("approved", "rejected")


# --- jobs -----------------------------------------------------------------------------------


def start_preview(revision: PolicyRevision, user):
    """Return the preview job of ``revision`` (reused while queued, running or done) and
    whether it is new; the caller commits, then dispatches a new one."""

    request = JobRequest(
        "policy_preview",
        {"revision_id": revision.id},
        fingerprint=f"{revision.digest}:{_set_key()}",
        reuse_done=True,
    )
    job, new = start_job(request, user)
    revision.preview_job_id = job.id
    return job, new


def _set_key() -> str:
    """The active revisions (the preview compares with what is in force, which may change)."""
    rows = db.session.execute(
        select(PolicyRevision.id)
        .where(PolicyRevision.state == RevisionState.ACTIVE)
        .order_by(PolicyRevision.id)
    ).scalars()
    return ",".join(str(r) for r in rows)


def preview_job(job, progress) -> dict:
    """Job handler: the preview of a revision (``preview`` for an award policy,
    ``promotion_preview`` for a promotion rule); its listed rows are stored with the job."""

    revision = db.session.get(PolicyRevision, params_of(job)["revision_id"])
    if revision is None:
        raise JobFailed("该政策版本已不存在。")
    # A new attempt lists from the start.
    db.session.execute(delete(PolicyPreviewRow).where(PolicyPreviewRow.job_id == job.id))
    seq = 0

    def keep(rows: list[dict]) -> None:
        nonlocal seq
        db.session.execute(
            insert(PolicyPreviewRow),
            [
                {"job_id": job.id, "seq": seq + n, "row": json.dumps(row, ensure_ascii=False)}
                for n, row in enumerate(rows, start=1)
            ],
        )
        seq += len(rows)

    if revision.kind == "promotion":
        return promotion_preview(revision, progress, keep)
    return preview(revision, progress, keep)


def preview_rows(job):
    """The select of a preview job's listed rows, in order (for ``compapp.paging.page_of``)."""
    return (
        select(PolicyPreviewRow.row)
        .where(PolicyPreviewRow.job_id == job.id)
        .order_by(PolicyPreviewRow.seq)
    )


def start_apply(revision: PolicyRevision, user):
    """Start re-pricing the results the activated ``revision`` concerns (a job); None for a
    promotion rule, which prices nothing (cases are decided under the rule in force)."""

    if revision.kind == "promotion":
        return None, False

    request = JobRequest(
        "policy_apply",
        {"revision_id": revision.id, "user_id": getattr(user, "id", None)},
        fingerprint=revision.digest,
    )
    job, new = start_job(request, user)
    revision.apply_job_id = job.id
    return job, new


def apply_job(job, progress) -> dict:
    """Job handler: re-price every result in the activated revision's period that it concerns.

    Lines nobody has confirmed are replaced; money already confirmed or paid changes only by
    adjustment lines that need the paying level's confirmation (``grant_awards``), each
    citing the new version. Progress is saved every 200 entries; ``grant_awards`` changes
    nothing for an entry already priced under the version, so running it again finishes.
    """
    from sqlalchemy.orm import joinedload, selectinload

    params = params_of(job)
    revision = db.session.get(PolicyRevision, params["revision_id"])
    if revision is None or revision.state not in (RevisionState.ACTIVE, RevisionState.SUPERSEDED):
        raise JobFailed("该政策版本未生效。")
    policies = policies_in_force()
    draft = policies[revision.policy_id]
    ids = db.session.scalars(
        _placed((Entry.id,), draft, revision.version_from, revision.version_to).order_by(Entry.id)
    ).all()
    header = draft.header
    reason = f"政策新版本生效：{header.document_text}（{revision.version_from.isoformat()} 起）"
    changed = 0
    for start in range(0, len(ids), 200):
        entries = db.session.scalars(
            select(Entry)
            .where(Entry.id.in_(ids[start : start + 200]))
            .order_by(Entry.id)
            .options(
                selectinload(Entry.placement),
                selectinload(Entry.members),
                selectinload(Entry.coaches),
                joinedload(Entry.sending_county).joinedload(Jurisdiction.parent),
                joinedload(Entry.event).joinedload(Event.contest),
            )
        ).all()
        for entry in entries:
            computation = grant_awards(
                entry, policies, params.get("user_id"), reason[:200], confirmed_by_adjustment=True
            )
            if computation is not None:
                changed += 1
        db.session.flush()
        progress(min(start + 200, len(ids)), len(ids))
    return {"entries": len(ids), "changed": changed}


def money(fen: int) -> Decimal:
    return from_fen(fen)
