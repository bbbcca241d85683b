"""Import rules that keep hubs pluggable: read from the source, so a slip fails here."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
MIGRATIONS = sorted((ROOT / "migrations" / "versions").glob("*.py"))
LIVE_PACKAGES = {"catalog", "harvesters", "api"}
# A module named in a string, the way importlib or an import string would name it.
MODULE_NAME = re.compile(r"^(harvesters|api)[.:][A-Za-z_][\w.:]*$")


def _imported_packages(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


def test_there_are_migrations_to_check() -> None:
    assert len(MIGRATIONS) >= 2


@pytest.mark.parametrize("path", MIGRATIONS, ids=lambda p: p.name)
def test_migrations_are_frozen_history_importing_no_live_code(path: Path) -> None:
    assert _imported_packages(path) & LIVE_PACKAGES == set()


def test_catalog_names_neither_harvesters_nor_api() -> None:
    offenders = []
    for path in sorted((ROOT / "catalog").rglob("*.py")):
        tree = ast.parse(path.read_text(), str(path))
        if _imported_packages(path) & {"harvesters", "api"}:
            offenders.append(f"{path.relative_to(ROOT)} imports them")
        offenders.extend(
            f"{path.relative_to(ROOT)}:{node.lineno} names {node.value!r}"
            for node in ast.walk(tree)
            if isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and MODULE_NAME.match(node.value)
        )
    assert offenders == []


def test_the_layering_scan_sees_a_module_named_in_a_string(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text('import importlib\nimportlib.import_module("harvesters.cli")\n')
    tree = ast.parse(sample.read_text())
    named = [
        n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)
    ]
    assert [v for v in named if MODULE_NAME.match(v)] == ["harvesters.cli"]
    assert _imported_packages(sample) == {"importlib"}
