"""The layer rules of ``gateway/`` (docs/engineering.md), as data, and a checker for them.

Every import in every module counts — at module level, inside functions and under
``TYPE_CHECKING`` alike — because each is a dependency a reader has to know about.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

# Small modules every layer may use: they import nothing else of the gateway.
FOUNDATION = ("gateway.settings", "gateway.logsetup", "gateway.security", "gateway.clock")
PACKAGE_ROOT = ("gateway", "gateway.__version__")  # ``from gateway import __version__``
ZIGBEE_LIBS = ("zigpy", "zigpy_znp", "zigpy_deconz", "serial", "serial_asyncio")
HTTP_LIBS = ("starlette", "uvicorn", "websockets", "httpx")
SQL_LIBS = ("sqlalchemy", "alembic", "aiosqlite", "psycopg")


@dataclass(frozen=True)
class Rule:
    """What the modules under ``package`` may import of the gateway, and what they must not."""

    package: str
    may_import: tuple[str, ...]  # gateway packages, besides FOUNDATION and itself
    forbidden: tuple[str, ...]  # third-party (or hil) top-level names


RULES = (
    Rule("gateway.store", (), (*ZIGBEE_LIBS, "xknx", *HTTP_LIBS, "hil")),
    Rule(
        "gateway.domain", ("gateway.store",), (*ZIGBEE_LIBS, "xknx", *HTTP_LIBS, *SQL_LIBS, "hil")
    ),
    Rule("gateway.zigbee", ("gateway.domain",), ("xknx", *HTTP_LIBS, *SQL_LIBS, "hil")),
    Rule(
        "gateway.knx",
        ("gateway.domain", "gateway.store"),
        (*ZIGBEE_LIBS, *HTTP_LIBS, *SQL_LIBS, "hil"),
    ),
    Rule("gateway.api", ("gateway.domain",), (*ZIGBEE_LIBS, "xknx", *SQL_LIBS, "hil")),
    Rule("gateway.discovery", ("gateway.domain",), (*ZIGBEE_LIBS, "xknx", *SQL_LIBS, "hil")),
    Rule(
        "gateway.backup",
        ("gateway.domain", "gateway.store"),
        (*ZIGBEE_LIBS, "xknx", *HTTP_LIBS, "hil"),
    ),
    Rule(
        "gateway.cli", ("gateway.app", "gateway.domain", "gateway.store", "gateway.knx"), ("hil",)
    ),
    # The composition root imports everything; only its ``virtual`` module may reach the rig.
    Rule("gateway.app", ("gateway",), ("hil",)),
)
RIG_DOOR = "gateway.app.virtual"


@dataclass(frozen=True)
class Violation:
    module: str
    imported: str
    line: int

    def __str__(self) -> str:
        return f"{self.module}:{self.line} imports {self.imported}"


def module_name(root: Path, path: Path) -> str:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(source: str, module: str, *, is_package: bool) -> Iterator[tuple[str, int, bool]]:
    """(imported module, line, at module level and outside TYPE_CHECKING) for every import."""
    tree = ast.parse(source)
    top_level = _top_level_imports(tree)
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno, node in top_level
        elif isinstance(node, ast.ImportFrom):
            base = _resolve(node, package)
            if node.module is None or node.level:
                # ``from . import x`` / ``from .m import x``: x may be a submodule.
                for alias in node.names:
                    yield (
                        f"{base}.{alias.name}" if node.module is None else base,
                        node.lineno,
                        (node in top_level),
                    )
            else:
                yield base, node.lineno, node in top_level
                for alias in node.names:
                    yield f"{base}.{alias.name}", node.lineno, node in top_level


def _resolve(node: ast.ImportFrom, package: str) -> str:
    if not node.level:
        return node.module or ""
    parts = package.split(".")
    base = parts[: len(parts) - node.level + 1]
    return ".".join([*base, node.module] if node.module else base)


def _top_level_imports(tree: ast.Module) -> set[ast.AST]:
    """Imports that run when the module is imported (not in functions, not TYPE_CHECKING)."""
    found: set[ast.AST] = set()
    for stmt in tree.body:
        if isinstance(stmt, ast.Import | ast.ImportFrom):
            found.add(stmt)
        elif isinstance(stmt, ast.If) and "TYPE_CHECKING" in ast.unparse(stmt.test):
            continue
        elif isinstance(stmt, ast.Try | ast.If):
            for inner in ast.walk(stmt):
                if isinstance(inner, ast.Import | ast.ImportFrom):
                    found.add(inner)
    return found


def _within(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def check_module(module: str, imported: Iterable[tuple[str, int, bool]]) -> list[Violation]:
    """The imports of ``module`` that break its package's rule."""
    violations = []
    in_foundation = module in FOUNDATION or module == "gateway"
    rule = next((r for r in RULES if _within(module, r.package)), None)
    for name, line, _ in imported:
        top = name.split(".")[0]
        if top == "hil":
            if module != RIG_DOOR:
                violations.append(Violation(module, name, line))
            continue
        if rule is not None and top in rule.forbidden:
            violations.append(Violation(module, name, line))
            continue
        if top != "gateway" or name in PACKAGE_ROOT:
            continue
        if any(_within(name, base) for base in FOUNDATION):
            continue
        if in_foundation or (
            rule is not None
            and not any(_within(name, allowed) for allowed in (rule.package, *rule.may_import))
        ):
            violations.append(Violation(module, name, line))
    return violations


def module_imports(root: Path) -> dict[str, list[tuple[str, int, bool]]]:
    result = {}
    for path in sorted(root.rglob("*.py")):
        module = module_name(root, path)
        source = path.read_text(encoding="utf-8")
        result[module] = list(imports_of(source, module, is_package=path.name == "__init__.py"))
    return result


def import_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return cycles


def package_of(module: str, packages: set[str]) -> str:
    """The package a module belongs to for the circle check: ``gateway.api.deconz`` ..."""
    while module not in packages and "." in module:
        module = module.rpartition(".")[0]
    return module
