"""No import cycles between the project's modules, counting imports inside functions, and
imports that point down the layers of docs/architecture.md.

Python lets a cycle work as long as each side imports the other late enough (inside a
function, or after its own definitions); this test reads every import statement with
``ast`` wherever it stands, so a cycle hidden that way still shows. An import of a
submodule (``import a.b``, ``from a.b import x``) is an edge to that submodule only, not to
its parent package: a package ``__init__`` that imports its own submodules, which import
each other, is not a cycle. ``from a import b`` is an edge to ``a`` itself (it reads ``b``
off the package, whose ``__init__`` runs first), and to ``a.b`` if that is a module: the
``events/__init__`` -> ``extract`` -> ``coder`` -> ``from newsevents.events import geo``
loop is a cycle.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

from conftest import ROOT

PACKAGES = ("newsevents", "newsevents_airflow")
SOURCE = ROOT / "include"


def modules() -> dict[str, Path]:
    """Every module of the project's packages by dotted name (a package is its __init__)."""
    found = {}
    for package in PACKAGES:
        for path in sorted((SOURCE / package).rglob("*.py")):
            parts = list(path.relative_to(SOURCE).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


def imported(name: str, path: Path, known: dict[str, Path]) -> Iterator[tuple[str, int]]:
    """(project module, line) for each import in the module ``name`` at ``path``."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            # ``from a import b`` reads b off a, so a is imported (its __init__ runs), and
            # the submodule a.b too if b is one
            targets = [base, *(f"{base}.{a.name}" for a in node.names
                               if f"{base}.{a.name}" in known)]
        else:
            continue
        for target in targets:
            while target and target not in known:  # ``import a.b.c`` of a name inside a.b
                target = target.rpartition(".")[0]
            if target and target != name:
                yield target, node.lineno


def import_graph() -> dict[str, dict[str, int]]:
    """module -> {imported project module: line of the first such import}."""
    known = modules()
    graph: dict[str, dict[str, int]] = {}
    for name, path in known.items():
        edges = graph.setdefault(name, {})
        for target, line in imported(name, path, known):
            edges.setdefault(target, line)
    return graph


def cycles(graph: dict[str, dict[str, int]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan), sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:  # recursion is fine: the graph has ~60 nodes
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph.get(node, {}):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(found)


def describe(component: list[str], graph: dict[str, dict[str, int]]) -> str:
    members = set(component)
    edges = [f"  {a} -> {b} (line {line})" for a in component
             for b, line in sorted(graph[a].items()) if b in members]
    return " <-> ".join(component) + "\n" + "\n".join(edges)


def test_the_graph_sees_imports_inside_functions_and_relative_ones(tmp_path):
    """The finder itself: a cycle made only through an import inside a function is found."""
    graph = import_graph()
    assert "newsevents.schema" in graph["newsevents.pipeline"]
    # newsevents_airflow imports the lake inside open_lake only
    assert "newsevents.lake" in graph["newsevents_airflow"]
    # an import inside a function, ``from a import b``: edges to a and to the module a.b
    module = tmp_path / "late.py"
    module.write_text("def f():\n    from newsevents.events import geo\n", encoding="utf-8")
    assert {t for t, _ in imported("newsevents.late", module, modules())} == {
        "newsevents.events", "newsevents.events.geo"}
    assert cycles({"a": {"b": 1}, "b": {"c": 1}, "c": {"a": 1}, "d": {"a": 1}}) == [
        ["a", "b", "c"]]
    assert cycles({"a": {"b": 1}, "b": {}}) == []


def test_no_import_cycles_between_the_projects_modules():
    graph = import_graph()
    found = cycles(graph)
    assert not found, "import cycles:\n" + "\n".join(describe(c, graph) for c in found)


# The layers of docs/architecture.md, bottom first. A module may import from its own layer
# and the layers below; a stage imports no other stage (the pipeline wires them).
LAYERS = [
    {"newsevents", "newsevents.settings", "newsevents.storage"},
    {"newsevents.schema"},
    {"newsevents.sources", "newsevents.clean", "newsevents.dedupe", "newsevents.events"},
    {"newsevents.lake"},
    {"newsevents.config", "newsevents.plan", "newsevents.pipeline", "newsevents.query",
     "newsevents.report", "newsevents.export", "newsevents.codebook", "newsevents.maintenance"},
    {"newsevents.cli", "newsevents.__main__"},
    {"newsevents_airflow"},
]
STAGES = LAYERS[2]


def unit(module: str) -> str:
    """The layered unit a module belongs to: a stage package, or the module itself."""
    for stage in (*STAGES, "newsevents.export"):
        if module == stage or module.startswith(stage + "."):
            return stage
    return "newsevents_airflow" if module.startswith("newsevents_airflow") else module


def layer(module: str) -> int:
    return next(i for i, units in enumerate(LAYERS) if unit(module) in units)


def test_every_module_has_a_layer():
    assert [m for m in import_graph() if not any(unit(m) in units for units in LAYERS)] == []


def wrong_way(graph: dict[str, dict[str, int]]) -> list[str]:
    """Imports of a higher layer, or of another stage."""
    return [f"{a} -> {b} (line {line})" for a, edges in sorted(graph.items())
            for b, line in sorted(edges.items())
            if layer(b) > layer(a) or (unit(a) in STAGES and unit(b) in STAGES
                                       and unit(a) != unit(b))]


def test_imports_point_down_the_layers_and_stages_do_not_import_each_other():
    # what the sources stage once did: S3Options from the lake, settings through config
    assert wrong_way({"newsevents.sources.files": {"newsevents.lake": 3},
                      "newsevents.sources.storage": {"newsevents.config": 5},
                      "newsevents.dedupe": {"newsevents.clean.text": 7}}) == [
        "newsevents.dedupe -> newsevents.clean.text (line 7)",
        "newsevents.sources.files -> newsevents.lake (line 3)",
        "newsevents.sources.storage -> newsevents.config (line 5)"]
    assert wrong_way(import_graph()) == []


def test_the_domain_package_never_imports_airflow():
    found = []
    for name, path in modules().items():
        if not name.startswith("newsevents."):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            found += [f"{name}: {n}" for n in names if n.split(".")[0] == "airflow"]
    assert found == []
