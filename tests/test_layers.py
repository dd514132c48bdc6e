"""Imports inside `assistant/` go from a higher layer to a lower one and never round in a circle
(docs/architecture.md, "Layers"), counting imports made inside functions too."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# top to bottom; a module not named here is a package's own file (__init__, __main__) and not checked
LAYERS = (
    ("app",),
    ("research",),
    ("answer",),
    ("records",),
    ("query",),
    ("chat_model",),
    ("errors", "options", "settings", "wording"),
)


def layer_of(module: str) -> int | None:
    part = module.split(".")[1] if module.count(".") >= 1 else ""
    return next((i for i, names in enumerate(LAYERS) if part in names), None)


def import_graph() -> dict[str, set[str]]:
    """assistant module -> the assistant modules it imports (at the top or inside a function)."""
    modules = {
        ".".join(p.relative_to(ROOT).with_suffix("").parts): p for p in (ROOT / "assistant").rglob("*.py")
    }
    graph: dict[str, set[str]] = {m: set() for m in modules}
    for name, path in modules.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("assistant"):
                for alias in node.names:
                    target = f"{node.module}.{alias.name}"
                    target = target if target in modules else node.module
                    if target in modules:
                        graph[name].add(target)
            elif isinstance(node, ast.Import):
                graph[name].update(a.name for a in node.names if a.name in modules)
    return graph


def upward(graph: dict[str, set[str]]) -> list[tuple[str, str]]:
    arrows = []
    for source, targets in graph.items():
        for target in targets:
            here, there = layer_of(source), layer_of(target)
            if here is not None and there is not None and there < here:
                arrows.append((source, target))
    return sorted(arrows)


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(v: str) -> None:
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

    for v in graph:
        if v not in index:
            visit(v)
    return found


def test_no_import_goes_up_a_layer() -> None:
    assert upward(import_graph()) == []


def test_no_import_circle() -> None:
    assert circles(import_graph()) == []


def test_the_checks_see_an_upward_arrow_and_a_circle() -> None:
    graph = {
        "assistant.records": {"assistant.answer.quotes"},
        "assistant.answer.quotes": {"assistant.records"},
    }
    assert upward(graph) == [("assistant.records", "assistant.answer.quotes")]
    assert circles(graph) == [["assistant.answer.quotes", "assistant.records"]]


def test_the_edges_use_the_documents_facade() -> None:
    """The CLI, the UI and the API list, ingest, correct and remove documents through
    vectorstore.library.Library, never through the catalog or the sync module themselves."""
    import re

    reaching = re.compile(r"\.catalog\.|vectorstore\.sync\b|sync_paths|\bindex\.(edit|remove)\(")
    offenders = [
        f"{path.name}:{number}"
        for path in sorted((ROOT / "assistant" / "app").glob("*.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if reaching.search(line)
    ]
    assert offenders == []
