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
