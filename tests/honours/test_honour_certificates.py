"""An honour's certificate (POLICY.md §4.7): 云政发〔2017〕40号 第18条 "授予…荣誉称号，颁发证书"
(003_a0dee99659bd7bcf.txt:401, :403). Issued once the honour is confirmed by a second person,
printable, downloadable by its holder, and verified on the same public page as an award's.
"""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from pypdf import PdfReader
from sqlalchemy.exc import IntegrityError

from compapp.audit.models import AuditEntry
from compapp.certificates import issuing as certificate_issuing
from compapp.certificates import queries as certificate_queries
from compapp.certificates import services as certificates
from compapp.certificates.content import body_text
from compapp.certificates.models import Certificate
from compapp.certificates.serials import new_serial
from compapp.honours import services
from tests.helpers import id_number_for

NAME = "杨技能"


@pytest.fixture
def people(db, create_user):
    from compapp.contests.models import Competitor

    person = Competitor(name=NAME, id_number=id_number_for("530102"), is_employee=True)
    db.session.add(person)
    db.session.commit()
    return {
        "person": person,
        "recorder": create_user("o1", "organiser"),
        "confirmer": create_user("o2", "organiser"),
        "winner": create_user("w1", "winner", competitor_id=person.id),
    }


def record(db, people, kind="yunnan_technical_expert", on=date(2019, 9, 10), confirm=True):
    honour = services.record_honour(
        services.HonourData(people["person"].id, kind, on, "昆明市人力资源和社会保障局"),
        people["recorder"],
    )
    if confirm:
        services.confirm_honour(honour, people["confirmer"])
    db.session.commit()
    return honour


def pdf_text(data: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_a_confirmed_honour_gets_a_certificate_verified_on_the_public_page(
    db, client, auth, people
):
    honour = record(db, people)
    auth.login("o2")
    page = client.get("/honours/").get_data(as_text=True)
    assert "颁发荣誉奖励证书" in page
    response = client.post(f"/honours/{honour.id}/certificate", follow_redirects=True)
    assert "已颁发荣誉奖励证书" in response.get_data(as_text=True)
    cert = db.session.scalar(db.select(Certificate).filter_by(honour_id=honour.id))
    assert (cert.kind, cert.status, cert.competitor_id) == ("honour", "valid", honour.competitor_id)
    assert cert.contest_id is None and cert.entry_id is None
    logged = db.session.scalar(
        db.select(AuditEntry).filter_by(target_type="certificate", target_id=str(cert.id))
    )
    assert logged.action == "issue_certificate" and "云南省技术能手" in logged.summary

    # The printed certificate: the honour, its date, the recommending body, the issuer.
    text = pdf_text(client.get(f"/certificates/{cert.id}/download").data)
    assert NAME in text and "荣誉证书" in text and "云南省技术能手" in text
    assert "2019年9月10日" in text and "昆明市人力资源和社会保障局" in text
    assert "云南省人力资源和社会保障厅" in text and cert.serial in text.replace(" ", "")

    # Anyone verifies it, on the same page as award certificates, with the name masked.
    auth.logout()
    verify = client.get(f"/verify/{cert.serial}")
    body = verify.get_data(as_text=True)
    assert verify.status_code == 200 and "有效" in body and "荣誉奖励证书" in body
    assert "杨**" in body and NAME not in body
    for label, value in (("荣誉", "云南省技术能手"), ("推荐单位", "昆明市人力资源和社会保障局"),
                         ("授予日期", "2019年9月10日")):  # fmt: skip
        assert re.search(rf"<th>{label}</th><td>{value}</td>", body), label
    assert "<th>赛事</th>" not in body

    # The holder sees and downloads it among their certificates.
    auth.login("w1")
    mine = client.get("/my/certificates").get_data(as_text=True)
    assert "荣誉奖励证书" in mine and "云南省技术能手" in mine
    assert client.get(f"/certificates/{cert.id}/download").status_code == 200


def test_only_a_confirmed_honour_and_only_one_valid_certificate(db, people):
    unconfirmed = record(db, people, confirm=False)
    with pytest.raises(certificates.CertificateRefused, match="尚未由第二位工作人员确认"):
        certificate_issuing.issue_honour_certificate(unconfirmed, people["recorder"])
    honour = record(db, people, kind="national_technical_expert")
    first = certificate_issuing.issue_honour_certificate(honour, people["recorder"])
    db.session.commit()
    with pytest.raises(certificates.CertificateRefused, match="已有有效的证书"):
        certificate_issuing.issue_honour_certificate(honour, people["recorder"])
    # Past the service (two requests at once), the database keeps one valid certificate.
    twin = Certificate(
        serial=new_serial(),
        kind="honour",
        holder_type="competitor",
        competitor_id=honour.competitor_id,
        honour_id=honour.id,
        content=first.content,
        issued_on=first.issued_on,
        status="valid",
    )
    db.session.add(twin)
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()
    # An honour certificate rests on an honour; any other kind on a contest entry.
    for kind, honour_id in (("honour", None), ("award", honour.id)):
        db.session.add(
            Certificate(
                serial=new_serial(),
                kind=kind,
                holder_type="competitor",
                competitor_id=honour.competitor_id,
                honour_id=honour_id,
                content=first.content,
                issued_on=first.issued_on,
                status="valid",
            )
        )
        with pytest.raises(IntegrityError):
            db.session.flush()
        db.session.rollback()


def test_revoked_honour_certificate_shows_revoked_and_is_issued_again_with_a_reason(
    db, client, auth, people
):
    honour = record(db, people, kind="national_training_team", on=date(2019, 1, 1))
    cert = certificate_issuing.issue_honour_certificate(honour, people["recorder"])
    db.session.commit()
    # The training-team member receives the title 云南省技术能手 (003_…txt:403).
    assert cert.content["title"] == "云南省技术能手"
    assert "入选世界技能大赛国家集训队，授予“云南省技术能手”称号" in body_text(
        certificates.content_of(cert)
    )
    auth.login("o2")
    response = client.post(
        f"/certificates/{cert.id}/revoke", data={"reason": "推荐材料有误"}, follow_redirects=True
    )
    assert response.request.path == "/honours/"
    assert "已撤销" in client.get(f"/verify/{cert.serial}").get_data(as_text=True)
    # Issuing again needs a reason.
    page = client.post(f"/honours/{honour.id}/certificate", follow_redirects=True)
    assert "请填写原因" in page.get_data(as_text=True)
    client.post(f"/honours/{honour.id}/certificate", data={"reason": "材料已更正"})
    certs = certificate_queries.honour_certificates([honour.id])[honour.id]
    assert [c.status for c in certs] == ["revoked", "valid"]
    # A re-issue (补发) is a contest certificate's action; an honour's is revoked and issued.
    with pytest.raises(certificates.CertificateRefused, match="请先撤销"):
        certificate_issuing.reissue(certs[1], "补发", people["recorder"])
