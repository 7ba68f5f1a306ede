"""The api package stays free of Home Assistant (it could ship on PyPI alone)."""

from __future__ import annotations

import ast
from pathlib import Path

from custom_components.ttlock_access import api

API_DIR = Path(api.__file__).parent


def _imported_modules(path: Path) -> set[str]:
    modules: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            modules.add(node.module)
    return modules


def test_no_homeassistant_imports() -> None:
    files = sorted(API_DIR.glob("*.py"))
    assert len(files) >= 7
    for path in files:
        offending = {
            name for name in _imported_modules(path) if name.split(".")[0] == "homeassistant"
        }
        assert not offending, f"{path.name} imports {offending}"


def test_relative_imports_stay_inside_the_package() -> None:
    for path in API_DIR.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom):
                assert node.level <= 1, f"{path.name} reaches outside api/"


def test_py_typed_marker() -> None:
    assert (API_DIR / "py.typed").is_file()
