"""The provisioner.localcloud package has no import cycles.

The graph is read with ast from the package's files: an edge for every import executed when the
module loads (at module level, inside `if`/`try` blocks too). Left out, on purpose: imports inside
functions (they run after every module has loaded) and imports under `if TYPE_CHECKING:` (the
type checker's, never executed). registry.py loads the services with importlib by name; those
strings are not imports and are not in the graph either.
"""

from __future__ import annotations

import ast
from pathlib import Path

import provisioner.localcloud

PACKAGE = "provisioner.localcloud"
ROOT = Path(provisioner.localcloud.__file__).parent


def _modules() -> dict[str, Path]:
    found = {}
    for path in ROOT.rglob("*.py"):
        parts = path.relative_to(ROOT).with_suffix("").parts
        name = ".".join((PACKAGE, *parts[:-1])) if parts[-1] == "__init__" else ".".join((PACKAGE, *parts))
        found[name] = path
    return found


def _type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _load_time_imports(body: list[ast.stmt]):
    for node in body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
        elif isinstance(node, ast.If):
            if not _type_checking(node.test):
                yield from _load_time_imports(node.body)
            yield from _load_time_imports(node.orelse)
        elif isinstance(node, ast.Try):
            for block in (node.body, node.orelse, node.finalbody, *(h.body for h in node.handlers)):
                yield from _load_time_imports(block)
        elif isinstance(node, ast.With):
            yield from _load_time_imports(node.body)


def _targets(module: str, is_package: bool, node: ast.Import | ast.ImportFrom, known: set[str]) -> set[str]:
    if isinstance(node, ast.Import):
        return {alias.name for alias in node.names}
    if node.level:
        base = module.split(".") if is_package else module.split(".")[:-1]
        base = base[:len(base) - (node.level - 1)]
        source = ".".join(base + ([node.module] if node.module else []))
    else:
        source = node.module or ""
    # `from X import y` loads X, and X.y too when y is a module.
    return {source} | {f"{source}.{alias.name}" for alias in node.names if f"{source}.{alias.name}" in known}


def import_graph() -> dict[str, set[str]]:
    modules = _modules()
    known = set(modules)
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        edges = set()
        for node in _load_time_imports(tree.body):
            edges |= _targets(name, path.name == "__init__.py", node, known)
        graph[name] = {target for target in edges if target in known and target != name}
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle as a path [a, b, ..., a], or None (depth-first, three colours)."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def test_the_local_cloud_has_no_import_cycle():
    graph = import_graph()
    assert len(graph) > 20 and f"{PACKAGE}.app" in graph[f"{PACKAGE}.server"]   # the scan sees the package
    assert find_cycle(graph) is None, " -> ".join(find_cycle(graph) or [])


def test_the_cycle_finder_finds_cycles():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b", "c"}, "b": {"c"}, "c": set()}) is None


def test_type_checking_imports_are_left_out_and_function_imports_too():
    tree = ast.parse("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from . import app\n"
                     "try:\n    from . import store\nexcept ImportError:\n    pass\n"
                     "def f():\n    from . import admin\n")
    found = [_targets("provisioner.localcloud.seed", False, n, {"provisioner.localcloud.store"})
             for n in _load_time_imports(tree.body)]
    assert found == [{"typing"}, {"provisioner.localcloud", "provisioner.localcloud.store"}]


def test_wire_depends_on_services_never_the_reverse():
    """The layering the split is for: services know nothing of requests and responses."""
    graph = import_graph()
    for module, targets in graph.items():
        if module.startswith(f"{PACKAGE}.services"):
            assert not {t for t in targets if t.startswith(f"{PACKAGE}.wire") or t == f"{PACKAGE}.app"}, module
