"""Data flows one way: no module imports one above it in the stack (read from the source, not run).

A new module must be placed in a layer here, so the stack stays a decision rather than an accident.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "reports"

LAYERS: tuple[tuple[str, ...], ...] = (
    # The bottom: what every stage may use. The archive knows the output folder's layout and
    # reads report.json back, so history, review, the deploy gate and delivery all read it here.
    (
        "reports.errors",
        "reports.window",
        "reports.format",
        "reports.naming",
        "reports.changes",
        "reports.progress",
        "reports.archive",
    ),
    ("reports.config",),
    ("reports.sources",),
    ("reports.compute",),
    ("reports.policy", "reports.report", "reports.deploy", "reports.review.quarter"),
    # JSON and CSV are the report's data form; render assembles the month's files, them included.
    ("reports.export",),
    ("reports.render", "reports.review"),
    ("reports.output",),
    ("reports.deliver",),
    ("reports.pipeline", "reports.doctor"),
    ("reports.cli", "reports.docs", "reports.__main__", "reports"),
)


def layer_of(module: str) -> int:
    """The layer of the longest prefix of ``module`` listed (a package's modules share its layer)."""
    best, found = -1, None
    for index, names in enumerate(LAYERS):
        for name in names:
            if (module == name or module.startswith(name + ".")) and len(name) > best:
                best, found = len(name), index
    if found is None:
        raise AssertionError(f"{module} is in no layer; add it to LAYERS in tests/test_layers.py")
    return found


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path) -> list[tuple[int, str]]:
    """(line, absolute module) for every ``reports`` import, lazy ones inside functions included."""
    module = module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names if alias.name.split(".")[0] == "reports"]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.split(".")[0] != "reports":
                continue
            if node.module is None or target in ("reports", "reports.render", "reports.compute"):
                # ``from . import charts`` names modules: check each one
                found += [(node.lineno, f"{target}.{alias.name}") for alias in node.names]
            else:
                found.append((node.lineno, target))
    return found


def _resolve(name: str) -> str:
    """``reports.format`` stays; ``reports.compute.SloResult`` (a name, not a module) becomes its package."""
    parts = name.split(".")
    while len(parts) > 1:
        candidate = PACKAGE.parent.joinpath(*parts)
        if candidate.with_suffix(".py").is_file() or (candidate / "__init__.py").is_file():
            return ".".join(parts)
        parts.pop()
    return name


def upward_imports() -> list[str]:
    problems = []
    for path in sorted(PACKAGE.rglob("*.py")):
        module = module_name(path)
        own = layer_of(module)
        for line, imported in imports_of(path):
            target = _resolve(imported)
            if layer_of(target) > own:
                problems.append(f"{path.relative_to(PACKAGE.parent)}:{line}: {module} imports {target}, above it")
    return problems


def test_no_module_imports_one_above_it():
    assert upward_imports() == []


def test_the_check_reads_relative_imports_and_catches_an_upward_one(tmp_path: Path, monkeypatch):
    """The check itself can fail: policy importing the renderer is caught."""
    fake = tmp_path / "reports"
    fake.mkdir()
    (fake / "__init__.py").write_text("")
    (fake / "policy.py").write_text("from .render.context import ServicePage\nfrom .window import Month\n")
    (fake / "window.py").write_text("")
    (fake / "render").mkdir()
    (fake / "render" / "__init__.py").write_text("")
    (fake / "render" / "context.py").write_text("def f():\n    from ..pipeline import build_month\n")
    (fake / "pipeline.py").write_text("")
    monkeypatch.setitem(globals(), "PACKAGE", fake)
    assert upward_imports() == [
        "reports/policy.py:1: reports.policy imports reports.render.context, above it",
        "reports/render/context.py:2: reports.render.context imports reports.pipeline, above it",
    ]


@pytest.mark.parametrize(
    "module, layer",
    [("reports.archive", 0), ("reports.config.load", 1), ("reports.review.documents", 6), ("reports.cli", 10)],
)
def test_modules_sit_in_their_layer(module: str, layer: int):
    assert layer_of(module) == layer


def import_cycles() -> list[list[str]]:
    """Cycles among the package's module-level imports (``TYPE_CHECKING`` blocks included: a
    cycle for the type checker is still two modules that know each other). An import inside a
    function is how a heavy stage is deferred, and does not count."""
    graph: dict[str, set[str]] = {}
    for path in PACKAGE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        deferred = {
            inner.lineno
            for node in ast.walk(tree)
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
            for inner in ast.walk(node)
            if isinstance(inner, (ast.Import, ast.ImportFrom))
        }
        module = module_name(path)
        graph[module] = {_resolve(t) for line, t in imports_of(path) if line not in deferred} - {module}
    cycles, done = [], set()

    def visit(module: str, stack: list[str]) -> None:
        if module in stack:
            cycles.append(stack[stack.index(module) :] + [module])
            return
        if module in done:
            return
        for target in sorted(graph.get(module, ())):
            visit(target, stack + [module])
        done.add(module)

    for module in sorted(graph):
        visit(module, [])
    return cycles


def test_no_two_modules_import_each_other():
    assert import_cycles() == []
