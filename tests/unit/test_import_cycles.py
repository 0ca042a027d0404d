"""The package's modules import one another without a cycle. Module-level imports only (an
import inside a function runs when it is called); those made for type checking alone count
as dependencies too, but not as loading."""

from __future__ import annotations

import ast
from pathlib import Path

import tracker

PACKAGE = Path(tracker.__file__).parent


def modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        if "migrations" in parts:
            continue
        found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def imports(name: str, path: Path, known: dict[str, Path], typing: bool = False) -> set[str]:
    """The package's modules that `name` imports when it loads (`typing`: or for type
    checking)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out: set[str] = set()
    nodes = list(ast.parse(path.read_text()).body)
    for node in nodes:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            if typing:
                nodes.extend(node.body)
            continue
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[:len(package.split(".")) - node.level + 1]
                                + ([base] if base else []))
            for alias in node.names:  # `from a import b` imports a.b when b is a module
                out.add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base)
    return {m for m in out if m in known and m != name}


def cycles(typing: bool = False) -> list[list[str]]:
    """Each strongly connected group of modules that import one another, sorted."""
    known = modules()
    graph = {name: imports(name, path, known, typing) for name, path in known.items()}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(v: str) -> None:  # Tarjan's algorithm
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for name in sorted(graph):
        if name not in index:
            visit(name)
    return sorted(found)


def test_the_store_imports_only_itself_and_the_domain() -> None:
    known = modules()
    for name, path in known.items():
        if name.startswith("tracker.store."):
            above = {m for m in imports(name, path, known, typing=True)
                     if not m.startswith(("tracker.store", "tracker.domain", "tracker.errors"))}
            assert above == set(), name


def test_no_module_imports_itself_through_others() -> None:
    assert cycles() == []


def test_no_module_depends_on_itself_through_others_for_types_either() -> None:
    assert cycles(typing=True) == []
