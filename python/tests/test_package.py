"""The package under test is the installed wheel, and its stub describes all of it."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path
from typing import Dict, Set

import qualys_cs
from qualys_cs import _native

SOURCE_TREE = Path(__file__).resolve().parents[1]


def test_imported_from_an_installed_wheel_not_the_source_tree() -> None:
    pkg = Path(qualys_cs.__file__).resolve().parent
    assert "site-packages" in pkg.parts, pkg
    assert SOURCE_TREE not in pkg.parents
    assert (pkg / "py.typed").is_file()
    assert (pkg / "_native.pyi").is_file()
    assert qualys_cs.__version__.count(".") == 2


def _stub() -> ast.Module:
    path = Path(qualys_cs.__file__).resolve().parent / "_native.pyi"
    return ast.parse(path.read_text(encoding="utf-8"))


def _stub_members() -> Dict[str, Set[str]]:
    out: Dict[str, Set[str]] = {}
    for node in _stub().body:
        if isinstance(node, ast.ClassDef):
            members: Set[str] = set()
            for item in node.body:
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    members.add(item.name)
                elif isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name):
                    members.add(item.target.id)
            for base in node.bases:
                if isinstance(base, ast.Name) and base.id in out:
                    members |= out[base.id]
            out[node.name] = members
        elif isinstance(node, (ast.FunctionDef, ast.AnnAssign)):
            name = node.name if isinstance(node, ast.FunctionDef) else getattr(node.target, "id", "")
            out.setdefault("<module>", set()).add(name)
    return out


def test_stub_describes_every_native_name_and_member() -> None:
    stub = _stub_members()
    runtime = {n for n in dir(_native) if not n.startswith("_")}
    stubbed = (stub.get("<module>", set()) | set(stub)) - {"<module>"}
    stubbed = {n for n in stubbed if not n.startswith("_")}
    assert runtime - stubbed == set(), "native names missing from _native.pyi"
    missing: Dict[str, Set[str]] = {}
    extra: Dict[str, Set[str]] = {}
    for name in runtime:
        obj = getattr(_native, name)
        if not inspect.isclass(obj):
            continue
        have = {m for m in dir(obj) if not m.startswith("_")}
        declared = {m for m in stub[name] if not m.startswith("_")}
        if have - declared:
            missing[name] = have - declared
        if declared - have:
            extra[name] = declared - have
    assert missing == {}, "members missing from the stub"
    assert extra == {}, "stub members that do not exist"


def test_package_exports_everything() -> None:
    for name in qualys_cs.__all__:
        assert hasattr(qualys_cs, name), name
    # Every public class and function of the typed layer, and the native constants.
    from qualys_cs import _client, _models

    public = {
        n
        for m in (_models, _client)
        for n, obj in vars(m).items()
        if not n.startswith("_")
        and (inspect.isclass(obj) or inspect.isfunction(obj))
        and obj.__module__ == m.__name__
    }
    constants = {n for n in dir(_native) if n.isupper() and not n.endswith("_DEFAULTS")}
    assert public | constants <= set(qualys_cs.__all__)
