"""Pure promotion modules import no web or database framework and read no clock (STYLE.md)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
PURE_MODULES = (
    "compapp/promotion/policy.py",
    "compapp/promotion/rules.py",
    "compapp/promotion/api.py",
    "compapp/core/workdays.py",
)
FORBIDDEN = ("flask", "flask_sqlalchemy", "flask_wtf", "sqlalchemy", "wtforms", "werkzeug")
CLOCKS = {("date", "today"), ("datetime", "now"), ("datetime", "utcnow"), ("datetime", "today")}


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def compapp_closure(start: str) -> set[str]:
    """Return ``start`` and every compapp module it imports, transitively."""
    seen, todo = set(), [start]
    while todo:
        relative = todo.pop()
        if relative in seen:
            continue
        seen.add(relative)
        for name in imported_modules(ROOT / relative):
            if name.startswith("compapp."):
                path = name.replace(".", "/") + ".py"
                if (ROOT / path).exists():
                    todo.append(path)
    return seen


@pytest.mark.parametrize("module", PURE_MODULES)
def test_pure_module_imports_no_framework_even_indirectly(module):
    """Rules, policy loading and the API parser run without Flask, SQLAlchemy or WTForms."""
    for relative in sorted(compapp_closure(module)):
        for name in imported_modules(ROOT / relative):
            top = name.split(".")[0]
            assert top not in FORBIDDEN, f"{relative} imports {name}"


@pytest.mark.parametrize("module", PURE_MODULES)
def test_pure_module_never_reads_the_clock(module):
    """Pure code takes the as-of date as an argument; it never asks for today."""
    tree = ast.parse((ROOT / module).read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            assert (node.value.id, node.attr) not in CLOCKS, f"{module}:{node.lineno}"


def test_the_checker_sees_a_forbidden_import(tmp_path):
    """The ast check above would catch a violation (guard against a vacuous test)."""
    bad = tmp_path / "bad.py"
    bad.write_text("from flask import current_app\nimport sqlalchemy.orm\n", encoding="utf-8")
    assert imported_modules(bad) == {"flask", "sqlalchemy.orm"}
