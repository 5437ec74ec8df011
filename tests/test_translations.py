"""The English catalog translates every message compapp can show, placeholders intact."""

import re
import subprocess
import sys

from babel.messages.pofile import read_po

from compapp import ROOT

CATALOG = ROOT / "compapp" / "translations" / "en" / "LC_MESSAGES" / "messages.po"


def extracted(tmp_path):
    """The message ids, extracted with the keywords scripts/update_translations.sh uses."""
    script = (ROOT / "scripts" / "update_translations.sh").read_text()
    command = re.search(r"pybabel extract (.*?) -o ", script.replace("\\\n", " "), re.S).group(1)
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            *command.split(),
            "-o",
            str(pot),
            ".",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    with pot.open("rb") as f:
        return [m.id for m in read_po(f) if m.id]


def test_every_message_has_an_english_translation(tmp_path):
    ids = extracted(tmp_path)
    assert "身份证号码校验位不正确，请核对（GB 11643）。" in ids  # problems are extracted too
    assert "名次应为整数（如 1、2、3）。" in ids
    with CATALOG.open("rb") as f:
        catalog = read_po(f)
    missing, broken = [], []
    for msgid in ids:
        message = catalog.get(msgid)
        if message is None or not message.string or message.fuzzy:
            missing.append(msgid)
            continue
        singular = msgid if isinstance(msgid, str) else msgid[0]
        text = message.string if isinstance(message.string, str) else message.string[0]
        if sorted(re.findall(r"%\(\w+\)s", singular)) != sorted(re.findall(r"%\(\w+\)s", text)):
            broken.append(msgid)
    assert not missing, missing
    assert not broken, broken


def test_each_request_and_each_forced_language_reads_its_own_catalog(app):
    """The page's catalog is kept beside the request's language (compapp.i18n.CatalogDomain):
    a language forced for a while (a job, a notice in Chinese) reads its own catalog, then
    the request's again; the next request reads the catalog of its own language."""
    from flask import render_template_string
    from flask_babel import force_locale, gettext

    page = "{{ _('赛事') }}·{{ _('第 %(n)s 名', n=2) }}"
    # Each request in an application context of its own, as a served request is.
    with app.app_context(), app.test_request_context("/?lang=en"):
        assert gettext("赛事") == "Contests"
        assert render_template_string(page) == "Contests·Rank 2"
        with force_locale("zh"):
            assert gettext("赛事") == "赛事"
            assert render_template_string(page) == "赛事·第 2 名"
        assert gettext("赛事") == "Contests"
        assert render_template_string(page) == "Contests·Rank 2"
    with app.app_context(), app.test_request_context("/"):
        assert gettext("赛事") == "赛事"
        with force_locale("en"):
            assert render_template_string(page) == "Contests·Rank 2"
        assert render_template_string(page) == "赛事·第 2 名"
