"""The import rules of compapp's layout (ARCHITECTURE.md, STYLE.md "Shape").

Read from the source (every ``import`` anywhere in a module, function-level ones included):
no import cycle among compapp's modules; no views module imports another package's views, nor
builds a query;
pure modules — rules, policy, core, certificate content — have a whole import closure free of
Flask, SQLAlchemy, WTForms and Werkzeug and never read the clock.
"""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "compapp"
FRAMEWORKS = (
    "flask",
    "flask_babel",
    "flask_login",
    "flask_wtf",
    "flask_migrate",
    "flask_sqlalchemy",
    "flask_limiter",
    "flask_talisman",
    "sqlalchemy",
    "wtforms",
    "werkzeug",
)
CLOCK = ("date.today(", "datetime.now(", "datetime.utcnow(", "datetime.today(", "time.time(")


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def pure_modules() -> list[str]:
    pure = []
    for name in MODULES:
        parts = name.split(".")
        if parts[1:2] in (["core"], ["policy"]) or parts[-1] == "rules":
            pure.append(name)
    pure += [
        "compapp.certificates.content",
        "compapp.certificates.pdf",
        "compapp.certificates.serials",
        "compapp.rewards.quote",
        "compapp.promotion.api",
        "compapp.policy.promotion",
        "compapp.rewards.exports",
        "compapp.finance.exports",
        "compapp.promotion.exports",
        "compapp.imports.reading",
        "compapp.imports.layout",
        "compapp.imports.entries",
        "compapp.imports.files",
    ]
    return sorted(set(pure) & set(MODULES))


@cache
def imports_of(name: str) -> frozenset[str]:
    """Every module ``name`` imports (compapp modules resolved; others by their top name)."""
    tree = ast.parse(MODULES[name].read_text(encoding="utf-8"))
    package = name if MODULES[name].name == "__init__.py" else name.rsplit(".", 1)[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            # ``from compapp.x import y`` imports the module compapp.x.y when there is one,
            # else the name y from compapp.x.
            for alias in node.names:
                submodule = f"{base}.{alias.name}"
                found.add(submodule if submodule in MODULES else base)
    resolved = set()
    for target in found:
        if target.startswith("compapp"):
            # A package import runs its __init__; a name inside a module is that module.
            while target not in MODULES and "." in target:
                target = target.rsplit(".", 1)[0]
            if target != name:
                resolved.add(target)
        else:
            resolved.add(target.split(".")[0])
    return frozenset(resolved)


def internal(name: str) -> set[str]:
    return {m for m in imports_of(name) if m in MODULES}


def cycles() -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(internal(node)):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                group.append(top)
                if top == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for name in MODULES:
        if name not in index:
            visit(name)
    return found


def closure(name: str) -> set[str]:
    seen, todo = set(), [name]
    while todo:
        current = todo.pop()
        for nxt in internal(current):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def test_the_graph_is_read() -> None:
    """The reader sees compapp's imports (a broken reader would pass every rule below)."""
    assert "compapp.extensions" in closure("compapp.contests.services")
    assert "flask" in imports_of("compapp.contests.views")
    assert "compapp.rewards.rules" in pure_modules()
    assert len(pure_modules()) >= 25


def test_no_import_cycle_among_compapp_modules() -> None:
    """A cycle makes a module unusable without its partner; none may exist."""
    assert cycles() == []


def test_no_views_module_imports_another_packages_views() -> None:
    """What two pages share lives in access, forms, queries or services, not in views."""
    offences = []
    for name in MODULES:
        if not name.endswith("views"):
            continue
        package = name.rsplit(".", 1)[0]
        for target in internal(name):
            if target.endswith("views") and target.rsplit(".", 1)[0] != package:
                offences.append(f"{name} -> {target}")
    assert offences == []


def _query_calls(tree: ast.AST) -> list[int]:
    """Lines where a module builds a query: ``db.select(…)`` or ``select(…)``."""
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            if (isinstance(func, ast.Attribute) and func.attr == "select") or (
                isinstance(func, ast.Name) and func.id == "select"
            ):
                lines.append(node.lineno)
    return lines


def test_views_build_no_queries() -> None:
    """A page's loading recipes live in its domain's queries.py (or services): a view calls
    them, it builds no query of its own (STYLE.md "The read side")."""
    offences = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.stem.endswith("views") or path.stem == "api":
            for line in _query_calls(ast.parse(path.read_text(encoding="utf-8"))):
                offences.append(f"{path.relative_to(ROOT)}:{line}")
    assert offences == []


@pytest.mark.parametrize("name", pure_modules())
def test_pure_module_closure_is_free_of_frameworks(name: str) -> None:
    """Pure code runs without Flask, SQLAlchemy, WTForms or the database (STYLE.md)."""
    reached = {name, *closure(name)}
    bad = sorted(
        f"{module} imports {dep}"
        for module in reached
        for dep in imports_of(module)
        if dep in FRAMEWORKS or dep == "compapp.extensions"
    )
    assert bad == []


@pytest.mark.parametrize("name", pure_modules())
def test_pure_module_never_reads_the_clock(name: str) -> None:
    """The as-of date is an argument, never today's date read inside the rules."""
    source = MODULES[name].read_text(encoding="utf-8")
    assert [call for call in CLOCK if call in source] == []


def test_one_module_parses_policy_toml() -> None:
    """One reader of policy files (STYLE.md "one way to do each thing"): only
    compapp.policy.strict_toml and compapp.policy.reading touch ``tomllib``, and everything
    else reads TOML through compapp.policy.reading — award policies, promotion rules,
    subsidies, readings, the working-day calendar, certificate templates, entered drafts."""
    parsers = sorted(name for name in MODULES if "tomllib" in imports_of(name))
    assert parsers == ["compapp.policy.reading", "compapp.policy.strict_toml"]
    direct = sorted(name for name in MODULES if "compapp.policy.strict_toml" in internal(name))
    assert direct == ["compapp.policy.reading"]
    readers = {name for name in MODULES if "compapp.policy.reading" in internal(name)}
    assert {
        "compapp.policy.loader",
        "compapp.policy.promotion",
        "compapp.policy.subsidies",
    } <= readers


def test_promotion_rules_live_in_the_policy_package() -> None:
    """One policy package: the promotion rule reader is compapp.policy.promotion."""
    assert "compapp.promotion.policy" not in MODULES
    assert "compapp.policy.promotion" in pure_modules()


def test_no_model_writes_a_code_list_by_hand() -> None:
    """One vocabulary of codes (STYLE.md): a CHECK constraint or partial index listing codes
    derives its list from a ``Coded`` enum (``sql_in``, ``sql_list`` in compapp.core.vocab),
    so a model never spells ``IN ('a', 'b')`` itself, nor joins its own list of codes."""
    offences = []
    for path in sorted(PACKAGE.rglob("models.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                if re.search(r"\bIN\s*\(\s*'", node.value, re.IGNORECASE):
                    offences.append(f"{path.relative_to(ROOT)}:{node.lineno}")
            elif isinstance(node, ast.JoinedStr):
                # An f-string's list must come from sql_list(...), not from a name of its own.
                for part, nxt in zip(node.values, node.values[1:], strict=False):
                    if (
                        isinstance(part, ast.Constant)
                        and re.search(r"\bIN\s*\($", str(part.value), re.IGNORECASE)
                        and not _calls(nxt, "sql_list")
                    ):
                        offences.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert offences == []


def _calls(node: ast.AST, name: str) -> bool:
    value = getattr(node, "value", None)
    return (
        isinstance(value, ast.Call)
        and isinstance(value.func, ast.Name | ast.Attribute)
        and getattr(value.func, "id", getattr(value.func, "attr", None)) == name
    )


def test_saving_contests_and_entries_does_not_price() -> None:
    """Saving a contest or an entry knows nothing of money (issue 16, point 1): the callers
    price what was saved, through compapp.rewards.entries."""
    assert "compapp.rewards.services" not in internal("compapp.contests.services")
    assert "compapp.rewards.bulk" not in internal("compapp.contests.services")
    assert {"compapp.contests.services", "compapp.rewards.services"} <= internal(
        "compapp.rewards.entries"
    )
