"""Payees' bank details: checked, saved and audited; full numbers read only on the roster.

Audit entries never hold a full account number: changes are recorded with the masked number,
and each reading in full records who read how many, for which payer and scope.
"""

from __future__ import annotations

from compapp.audit.services import record_change, says
from compapp.contests.models import (
    Coach,
    Competitor,
    Contest,
    Entry,
    EntryCoach,
    EntryMember,
    Event,
)
from compapp.contests.rules import ID_NUMBER_MESSAGES
from compapp.core.bank import bank_problems, clean_bank_details, mask_account
from compapp.core.idnumber import id_number_problem, normalise_id_number
from compapp.core.messages import N_
from compapp.extensions import db
from compapp.payees.models import BankAccount


def holder_field(holder) -> str:
    return "coach_id" if isinstance(holder, Coach) else "competitor_id"


def bank_account_of(holder) -> BankAccount | None:
    return db.session.scalar(db.select(BankAccount).filter_by(**{holder_field(holder): holder.id}))


def bank_accounts(competitor_ids=(), coach_ids=()) -> dict[tuple[str, int], BankAccount]:
    """The bank details of these people in one query: {("competitor"|"coach", id): account}."""
    competitor_ids, coach_ids = sorted(set(competitor_ids)), sorted(set(coach_ids))
    if not competitor_ids and not coach_ids:
        return {}
    rows = db.session.scalars(
        db.select(BankAccount).where(
            db.or_(
                BankAccount.competitor_id.in_(competitor_ids),
                BankAccount.coach_id.in_(coach_ids),
            )
        )
    )
    return {
        ("competitor", a.competitor_id) if a.competitor_id else ("coach", a.coach_id): a
        for a in rows
    }


def check_payee(holder, bank_name: str, branch: str, account: str, id_number: str = "") -> dict:
    """Problems (field → msgid) with the bank details, and with a coach's ID number if given."""
    problems = bank_problems(bank_name, branch, account)
    if isinstance(holder, Coach) and id_number.strip():
        number = normalise_id_number(id_number)
        why = id_number_problem(number)
        if why:
            problems["id_number"] = ID_NUMBER_MESSAGES[why]
        else:
            other = db.session.scalar(db.select(Coach).filter_by(id_number=number))
            if other is not None and other.id != holder.id:
                problems["id_number"] = N_("该身份证号码已登记给另一名教练，同一人不能登记两次。")
    return problems


def save_payee(holder, bank_name: str, branch: str, account: str, user, id_number: str = ""):
    """Save checked bank details (and a coach's ID number); audit with the masked number only."""
    details = clean_bank_details(bank_name, branch, account)
    existing = bank_account_of(holder)
    before = None
    if existing is None:
        existing = BankAccount(**{holder_field(holder): holder.id})
        db.session.add(existing)
    else:
        before = {
            "bank_name": existing.bank_name,
            "branch": existing.branch,
            "account": existing.masked,
        }
    existing.bank_name, existing.branch = details.bank_name, details.branch
    existing.account_number = details.account_number
    existing.updated_by_id = getattr(user, "id", None)
    if isinstance(holder, Coach) and id_number.strip() and not holder.id_number:
        holder.id_number = normalise_id_number(id_number)
    db.session.flush()
    record_change(
        "update_bank_account",
        "coach" if isinstance(holder, Coach) else "competitor",
        holder.id,
        says(
            N_("登记教练 %(name)s 的收款账户：%(bank)s%(branch)s %(account)s")
            if isinstance(holder, Coach)
            else N_("登记选手 %(name)s 的收款账户：%(bank)s%(branch)s %(account)s"),
            name=holder.name,
            bank=details.bank_name,
            branch=details.branch,
            account=mask_account(details.account_number),
        ),
        before=before,
        after={
            "bank_name": details.bank_name,
            "branch": details.branch,
            "account": mask_account(details.account_number),
        },
        user=user,
    )
    return existing


def record_full_read(user, payer_code: str, scope: str, count: int, fmt: str) -> None:
    """Audit a reading of full account and ID numbers (the payment roster): who, what, how many."""
    record_change(
        "read_bank_accounts",
        "payment_roster",
        payer_code,
        says(
            N_(
                "下载发放花名册（%(scope)s，%(format)s）：读取 %(n)s 名收款人的完整身份证号码和银行账号"
            ),
            scope=scope,
            format=fmt,
            n=count,
        ),
        after={"payer_code": payer_code, "scope": scope, "payees": count, "format": fmt},
        user=user,
    )


def people_in_scope(user, competitor: Competitor | None = None, coach: Coach | None = None) -> bool:
    """Whether an organiser may enter this person's bank details: someone entered in a contest
    of the organiser's body (administrators: anyone)."""

    if user.role == "admin" or (user.role == "organiser" and user.organising_body_id is None):
        return True
    if user.role != "organiser":
        return False
    if competitor is not None:
        link = db.select(EntryMember.entry_id).where(EntryMember.competitor_id == competitor.id)
    else:
        link = db.select(EntryCoach.entry_id).where(EntryCoach.coach_id == coach.id)
    return bool(
        db.session.scalar(
            db.select(db.func.count(Entry.id))
            .join(Event)
            .join(Contest)
            .where(Entry.id.in_(link), Contest.organising_body_id == user.organising_body_id)
        )
    )


def save_imported_bank_details(pairs: list[tuple[int, tuple[str, str, str]]], user) -> int:
    """Store checked bank details of competitors from an import; one audit entry (masked)."""
    if not pairs:
        return 0
    existing = {
        account.competitor_id: account
        for account in db.session.scalars(
            db.select(BankAccount).where(BankAccount.competitor_id.in_([p for p, _b in pairs]))
        )
    }
    for competitor_id, (bank_name, branch, number) in pairs:
        account = existing.get(competitor_id)
        if account is None:
            account = BankAccount(competitor_id=competitor_id)
            db.session.add(account)
        account.bank_name, account.branch, account.account_number = bank_name, branch, number
        account.updated_by_id = getattr(user, "id", None)
    db.session.flush()
    record_change(
        "import_bank_accounts",
        "competitor",
        None,
        says(N_("批量导入登记 %(n)s 名选手的收款账户"), n=len(pairs)),
        after={"competitors": [p for p, _b in pairs][:1000]},
        user=user,
    )
    return len(pairs)
