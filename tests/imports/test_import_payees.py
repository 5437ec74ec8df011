"""Imports carry what payment needs (issue 18, point 1): coaches' ID numbers (coaches are told
apart by them, never by name) and competitors' bank details, checked like the forms; barred
people are refused (point 7)."""

from __future__ import annotations

import io

from compapp.contests.models import Coach, Competitor
from compapp.imports import layout
from compapp.imports.models import ImportBatch
from compapp.payees.models import BankAccount
from tests.helpers import id_number_for
from tests.imports.import_helpers import person_rows, table_rows, xlsx

ACCOUNT = "6228480012345678{:03d}"


def upload(client, contest, rows):
    response = client.post(
        f"/imports/contests/{contest.id}",
        data={"file": (io.BytesIO(xlsx(table_rows(rows))), "成绩.xlsx")},
        content_type="multipart/form-data",
    )
    batch_id = int(response.location.rsplit("/", 1)[1])
    return batch_id, client.get(f"/imports/batches/{batch_id}").get_data(as_text=True)


def confirm(client, db, batch_id):
    batch = db.session.get(ImportBatch, batch_id)
    return client.post(f"/imports/batches/{batch_id}/confirm", data={"digest": batch.digest})


def rows_with_payees(n: int, coach_number: str) -> list[dict]:
    rows = person_rows(n)
    for i, row in enumerate(rows):
        row[layout.BANK_NAME] = "中国农业银行"
        row[layout.BRANCH] = "德钦县支行"
        row[layout.ACCOUNT] = ACCOUNT.format(i)
        row["教练1"] = "和建华"
        row[layout.coach_id_header(1)] = coach_number
    return rows


def test_an_import_stores_bank_details_and_links_coaches_by_id_number(
    client, auth, db, create_user, dummy_contest
):
    create_user("org", "organiser")
    auth.login("org")
    number = id_number_for("533401")
    db.session.add(Coach(name="和建华"))  # another 和建华, without an ID number: never merged
    db.session.commit()
    batch_id, page = upload(client, dummy_contest, rows_with_payees(5, number))
    assert confirm(client, db, batch_id).status_code == 302
    coaches = db.session.scalars(db.select(Coach).filter_by(name="和建华")).all()
    assert len(coaches) == 2 and sorted(str(c.id_number) for c in coaches) == sorted(
        [number, "None"]
    )
    accounts = db.session.scalars(db.select(BankAccount)).all()
    assert len(accounts) == 5 and {a.bank_name for a in accounts} == {"中国农业银行"}
    batch = db.session.get(ImportBatch, batch_id)
    assert batch.status == "saved"
    stored = str(batch.cells)
    assert all(a.account_number not in stored for a in accounts)  # no copy kept once saved


def test_a_bad_account_number_is_refused_with_its_row_and_never_echoed_in_full(
    client, auth, db, create_user, dummy_contest
):
    create_user("org", "organiser")
    auth.login("org")
    rows = rows_with_payees(3, id_number_for("533401"))
    rows[1][layout.ACCOUNT] = "62284800123456A8001"
    batch_id, page = upload(client, dummy_contest, rows)
    assert "银行账号只能由数字组成（可用空格分组）。" in page
    assert "62284800123456A8001" not in page
    assert db.session.get(ImportBatch, batch_id).status == "invalid"
    assert db.session.scalar(db.select(db.func.count()).select_from(Competitor)) == 0


def test_a_coach_id_number_registered_under_another_name_is_refused(
    client, auth, db, create_user, dummy_contest
):
    create_user("org", "organiser")
    auth.login("org")
    number = id_number_for("533401")
    db.session.add(Coach(name="杨丽萍", id_number=number))
    db.session.commit()
    _batch_id, page = upload(client, dummy_contest, rows_with_payees(2, number))
    assert "该身份证号码已登记为教练“杨丽萍”，姓名不一致；同一人不能登记两次。" in page
