"""Pure modules import no web framework or database layer and never read the clock (STYLE.md)."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent / "compapp"
PURE = sorted(
    [
        *ROOT.glob("core/*.py"),
        *ROOT.glob("policy/*.py"),
        *ROOT.glob("*/rules.py"),
        ROOT / "certificates" / "content.py",
        ROOT / "certificates" / "pdf.py",
        ROOT / "certificates" / "serials.py",
        ROOT / "rewards" / "quote.py",
        ROOT / "promotion" / "api.py",
        ROOT / "rewards" / "exports.py",
        ROOT / "finance" / "exports.py",
        ROOT / "promotion" / "exports.py",
        ROOT / "imports" / "reading.py",
    ]
)
FORBIDDEN = ("flask", "flask_", "sqlalchemy", "wtforms", "werkzeug")


def imported_modules(tree: ast.AST) -> set[str]:
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("path", PURE, ids=lambda p: str(p.relative_to(ROOT)))
def test_pure_module_imports_no_framework(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    bad = sorted(
        m
        for m in imported_modules(tree)
        if m.split(".")[0].startswith(FORBIDDEN) or m.split(".")[0] in FORBIDDEN
    )
    assert bad == [], f"{path.name} imports {bad}"
    assert "compapp.extensions" not in imported_modules(tree)


@pytest.mark.parametrize("path", PURE, ids=lambda p: str(p.relative_to(ROOT)))
def test_pure_module_never_reads_the_clock(path):
    source = path.read_text(encoding="utf-8")
    for call in ("date.today(", "datetime.now(", "datetime.utcnow(", "time.time("):
        assert call not in source, f"{path.name} calls {call}"
