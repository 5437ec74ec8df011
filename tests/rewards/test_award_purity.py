"""The award engine stays pure (STYLE.md: pure modules import no Flask, SQLAlchemy, WTForms)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import compapp

ROOT = Path(compapp.__file__).parent
PURE = ["policy/loader.py", "rewards/rules.py", "rewards/quote.py"]
FORBIDDEN = ("flask", "flask_sqlalchemy", "flask_wtf", "sqlalchemy", "wtforms")


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("relative", PURE)
def test_award_engine_module_imports_no_web_or_database_library(relative: str) -> None:
    """Pure rules take facts and dates as arguments and never reach for the app or database."""
    imported = _imports(ROOT / relative)
    assert not {name for name in imported if name.split(".")[0] in FORBIDDEN}
    # compapp modules they import must be pure too (core, policy, rewards rules).
    for name in imported:
        if name.startswith("compapp."):
            assert name.split(".")[1] in {"core", "policy", "rewards"}, name
            assert not name.endswith((".models", ".views", ".services", ".forms")), name


@pytest.mark.parametrize("relative", PURE)
def test_award_engine_module_never_reads_the_clock(relative: str) -> None:
    """STYLE.md: the as-of date is an argument, never ``date.today()``."""
    text = (ROOT / relative).read_text(encoding="utf-8")
    assert "today()" not in text and "datetime.now" not in text
