"""Every "refused" outcome of a service is one ``Refusal`` that carries a catalog msgid.

Read from the source: each refusal compapp raises names its message with ``N_("…")`` (or a
module constant marked so), every such message has its English text in the catalog with the
same placeholders, and the values it is raised with fill exactly those placeholders. A
message written any other way (a bare string, an f-string, text translated where it is
raised) would reach an English page in Chinese, unseen by the translation test.
"""

from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from compapp import ROOT
from compapp.core.refusals import Refusal

PACKAGE = ROOT / "compapp"
CATALOG = PACKAGE / "translations" / "en" / "LC_MESSAGES" / "messages.po"
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _subclasses(cls: type) -> set[type]:
    found = set()
    for sub in cls.__subclasses__():
        found |= {sub, *_subclasses(sub)}
    return found


@pytest.fixture(scope="module")
def refusals() -> dict[str, type]:
    for name in MODULES:
        importlib.import_module(name)
    return {cls.__name__: cls for cls in _subclasses(Refusal)}


def _called_name(call: ast.Call) -> str | None:
    func = call.func
    return func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)


def _msgid(module: str, node: ast.expr) -> str | None:
    """The msgid an argument names: ``N_("…")`` or a module constant holding one."""
    if (
        isinstance(node, ast.Call)
        and _called_name(node) == "N_"
        and len(node.args) == 1
        and isinstance(node.args[0], ast.Constant)
    ):
        return node.args[0].value
    if isinstance(node, ast.Name):
        value = getattr(importlib.import_module(module), node.id, None)
        marked = _constants_marked(module) | _constants_marked("compapp.core.refusals")
        return value if node.id in marked and isinstance(value, str) else None
    return None


def _constants_marked(module: str) -> set[str]:
    """Module-level names assigned ``N_("…")`` in ``module`` (or imported from one)."""
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    names = set()
    for node in tree.body:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
            if _called_name(node.value) == "N_":
                names |= {t.id for t in node.targets if isinstance(t, ast.Name)}
        elif isinstance(node, ast.ImportFrom) and node.module in MODULES:
            names |= {a.asname or a.name for a in node.names} & _constants_marked(node.module)
    return names


def _forwarded(call: ast.Call, function: ast.FunctionDef | None) -> bool:
    """Whether ``call`` passes on a msgid its function was given (that function's callers
    are then checked instead)."""
    if function is None or not call.args or not isinstance(call.args[0], ast.Name):
        return False
    return call.args[0].id in {a.arg for a in function.args.args}


def _calls(tree: ast.AST):
    """Every call with the function (or method) it is written in."""
    for function in ast.walk(tree):
        if isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            for node in ast.walk(function):
                if isinstance(node, ast.Call):
                    yield node, function
    for node in tree.body if isinstance(tree, ast.Module) else ():
        if not isinstance(node, ast.FunctionDef | ast.ClassDef):
            for call in (n for n in ast.walk(node) if isinstance(n, ast.Call)):
                yield call, None


def refusal_sites(refusals: dict[str, type]) -> list[tuple[str, int, ast.Call, str]]:
    """Every place compapp names a refusal's message: (module, line, the call, what it calls).

    A class that builds its own message (``super().__init__(N_(…))`` in its ``__init__``) is
    checked there; a function (or class) that passes on a msgid it is given is checked where
    it is called, in its module.
    """
    sites = []
    for module, path in MODULES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        forwarders: set[str] = set()
        found = []
        for call, function in _calls(tree):
            name = _called_name(call)
            in_refusal_init = (
                name == "__init__"
                and function is not None
                and function.name == "__init__"
                and any(
                    function in c.body
                    for c in ast.walk(tree)
                    if isinstance(c, ast.ClassDef) and c.name in refusals
                )
            )
            if name not in refusals and not in_refusal_init:
                continue
            if _forwarded(call, function):
                # The class's __init__ or a helper passes on its caller's msgid.
                forwarders.add(function.name if not in_refusal_init else "")
                continue
            own = not in_refusal_init and "__init__" in vars(refusals[name])
            if not (own and _own_message(refusals[name])):
                found.append((module, call.lineno, call, name))
        for call, _function in _calls(tree):
            if _called_name(call) in forwarders - {""}:
                found.append((module, call.lineno, call, _called_name(call)))
        sites += found
    return sites


def _own_message(cls: type) -> bool:
    """Whether ``cls`` names its message itself (its callers give none)."""
    import inspect

    source = inspect.getsource(cls.__init__)
    return "N_(" in source or "PROBLEMS" in source


def test_every_refused_exception_is_a_refusal(refusals):
    """One refusal type (STYLE.md): each ``…Refused`` exception of compapp derives from it."""
    others = []
    for module in MODULES:
        for name, value in vars(importlib.import_module(module)).items():
            if (
                isinstance(value, type)
                and issubclass(value, Exception)
                and value.__module__ == module
                and name.endswith("Refused")
                and not issubclass(value, Refusal)
            ):
                others.append(f"{module}.{name}")
    assert not others, others
    assert {"CertificateRefused", "PromotionRefused", "ImportRefused", "JobRefused"} <= set(
        refusals
    )


def test_every_refusal_names_its_message_with_a_catalog_msgid(refusals):
    """A refusal is raised with ``N_("…")`` and its values, never with text built on the spot."""
    sites = refusal_sites(refusals)
    assert len(sites) > 80  # the scan sees the refusals compapp raises
    loose = [
        f"{module}:{line} {name}"
        for module, line, call, name in sites
        if not call.args or _msgid(module, call.args[0]) is None
    ]
    assert not loose, loose


def test_every_refusal_message_has_english_text_with_its_values(refusals):
    """Each refusal's msgid is in the English catalog (non-empty), placeholders intact, and
    the values raised with it are exactly the placeholders it names."""
    with CATALOG.open("rb") as f:
        catalog = read_po(f)
    missing, mismatched = [], []
    for module, line, call, _name in refusal_sites(refusals):
        msgid = _msgid(module, call.args[0]) if call.args else None
        if msgid is None:
            continue  # reported by the test above
        message = catalog.get(msgid)
        if message is None or not message.string or message.fuzzy:
            missing.append(f"{module}:{line} {msgid}")
            continue
        wanted = set(PLACEHOLDER.findall(msgid))
        given = {k.arg for k in call.keywords if k.arg}
        if set(PLACEHOLDER.findall(message.string)) != wanted or given != wanted:
            mismatched.append(f"{module}:{line} {msgid} ({sorted(given)})")
    assert not missing, missing
    assert not mismatched, mismatched


def test_a_refusal_reads_in_chinese_and_keeps_its_msgid_and_values():
    refusal = Refusal("原因请控制在 %(n)s 字以内。", n=500)
    assert str(refusal) == "原因请控制在 500 字以内。"
    assert (refusal.msgid, refusal.values) == ("原因请控制在 %(n)s 字以内。", {"n": 500})


def test_a_page_shows_a_refusal_in_its_language(app):
    from flask_babel import force_locale

    from compapp.i18n import refusal_text

    refusal = Refusal("原因请控制在 %(n)s 字以内。", n=500)
    with app.test_request_context():
        assert refusal_text(refusal) == "原因请控制在 500 字以内。"
        with force_locale("en"):
            assert refusal_text(refusal) == "Please keep the reason under 500 characters."
