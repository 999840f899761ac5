"""The HTTP layer never imports xknx or SQLAlchemy (DESIGN.md: layers and who may import whom)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

API = Path(__file__).resolve().parents[2] / "gateway" / "api" / "thinknx"
FORBIDDEN = ("xknx", "sqlalchemy", "gateway.store", "gateway.knx.link", "gateway.knx.dpt")


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


def runtime_imports(path: Path) -> set[str]:
    """Imports outside ``if TYPE_CHECKING:`` blocks."""
    tree = ast.parse(path.read_text())
    typing_only: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and getattr(node.test, "id", "") == "TYPE_CHECKING":
            for inner in ast.walk(node):
                if isinstance(inner, ast.ImportFrom) and inner.module:
                    typing_only.add(inner.module)
    return imported_modules(path) - typing_only


@pytest.mark.parametrize("module", sorted(API.glob("*.py")), ids=lambda p: p.name)
def test_thinknx_api_module_imports_no_bus_or_sql_code(module):
    bad = {m for m in runtime_imports(module) if m.startswith(FORBIDDEN)}
    assert bad == set()
