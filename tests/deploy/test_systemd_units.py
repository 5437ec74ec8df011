"""The systemd units in deploy/ run what the README says, and systemd accepts them."""

from __future__ import annotations

import configparser
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from compapp import ROOT

UNITS = {
    "compapp-web.service": ["gunicorn", "wsgi:app"],
    "compapp-worker.service": ["flask", "--app", "wsgi", "jobs", "worker"],
}
INSTALL_DIR = "/opt/compapp"


def read_unit(path: Path) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # systemd keys are case-sensitive
    parser.read_string(path.read_text())
    return parser


@pytest.mark.parametrize("name", sorted(UNITS))
def test_unit_runs_compapp_from_its_virtualenv_with_the_environment_file(name):
    """Each unit runs the project's own entry point as the compapp user, reads every setting
    from /etc/compapp/env, starts after the network, restarts on failure."""
    unit = read_unit(ROOT / "deploy" / name)
    service = unit["Service"]
    command = shlex.split(service["ExecStart"])
    assert command[0].startswith(f"{INSTALL_DIR}/.venv/bin/")
    words = [Path(command[0]).name, *command[1:]]
    assert all(word in words for word in UNITS[name]), words
    assert service["EnvironmentFile"] == "/etc/compapp/env"
    assert service["User"] == "compapp"
    assert service["Restart"] == "on-failure"
    assert service["WorkingDirectory"] == INSTALL_DIR
    assert "COMPAPP_ENV=production" in service["Environment"]
    assert "network-online.target" in unit["Unit"]["After"]
    assert unit["Install"]["WantedBy"] == "multi-user.target"


def test_web_unit_binds_loopback_for_nginx():
    """gunicorn listens on 127.0.0.1:8000, where the README's nginx snippet proxies to."""
    command = read_unit(ROOT / "deploy" / "compapp-web.service")["Service"]["ExecStart"]
    assert "--bind 127.0.0.1:8000" in command
    assert "proxy_pass http://127.0.0.1:8000;" in (ROOT / "README.md").read_text()


def test_systemd_accepts_the_units(tmp_path):
    """`systemd-analyze verify` finds no problem in either unit (paths pointed at this checkout,
    whose .venv has the same programs an installation has)."""
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.fail("systemd-analyze is missing (Debian's systemd package)", pytrace=False)
    venv = Path(sys.executable).parent.parent
    copies = []
    for name in UNITS:
        text = (ROOT / "deploy" / name).read_text()
        text = text.replace(f"{INSTALL_DIR}/.venv", str(venv)).replace(INSTALL_DIR, str(ROOT))
        copy = tmp_path / name
        copy.write_text(text)
        copies.append(str(copy))
    result = subprocess.run(
        [analyze, "verify", *copies], capture_output=True, text=True, timeout=120
    )
    problems = [
        line
        for line in (result.stdout + result.stderr).splitlines()
        if name_in(line, UNITS) and "EnvironmentFile" not in line
    ]
    assert result.returncode == 0 and not problems, result.stdout + result.stderr


def name_in(line: str, names) -> bool:
    return any(name in line for name in names)
