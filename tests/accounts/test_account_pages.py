"""Account pages: the audit export and the account form's scope fields."""

from __future__ import annotations

from urllib.parse import unquote


def download_name(response) -> str:
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    return unquote(disposition.split("filename*=UTF-8''")[1])


def test_audit_export_is_a_csv_download_named_in_chinese(client, auth, dummy_admin):
    auth.login("admin")
    response = client.get("/audit/export.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert download_name(response).startswith("审计日志_")
    assert response.get_data(as_text=True).startswith("\ufeffid,at_utc,")
