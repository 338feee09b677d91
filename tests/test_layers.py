"""Data flows one way: a module imports only from the floors below it.

read -> extract -> link -> map -> validate -> store -> ingest/merge -> query -> publish/push/serve,
and the convenience facade (``kg.api``, ``kg.watch``) on top, used only by the CLI and ``kg``.
Checked on the source (AST), so a lazy import inside a function counts as much as one at the top.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

KG = Path(__file__).resolve().parents[1] / "kg"
#: what the storage floor must never import: everything built on it
ABOVE_STORE = ("kg.ingest", "kg.merge", "kg.merge_index", "kg.merge_reads", "kg.summary", "kg.summary_apply",
               "kg.summary_dates", "kg.summary_leaders", "kg.summary_pairs", "kg.summary_reads", "kg.query",
               "kg.publish", "kg.push", "kg.serve", "kg.serve_pool", "kg.serve_guard", "kg.serve_ui", "kg.api",
               "kg.watch", "kg.cli", "kg.build", "kg.pipeline", "kg.workers", "kg.reason")
FACADE = ("kg.api", "kg.watch")


def imports(path: Path) -> set[str]:
    """Every kg module ``path`` imports (``from kg import x`` counts as ``kg.x``), anywhere in it."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            if node.module == "kg":
                found.update(f"kg.{alias.name}" for alias in node.names)
    return {name for name in found if name == "kg" or name.startswith("kg.")}


def under(name: str, floors: tuple[str, ...]) -> bool:
    return any(name == floor or name.startswith(floor + ".") for floor in floors)


def modules(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*.py"))


def test_the_import_scan_sees_lazy_imports_and_from_kg_imports(tmp_path: Path) -> None:
    sample = tmp_path / "m.py"
    sample.write_text("import os\nfrom kg import merge\n\ndef f():\n    from kg.query import run_query\n")
    assert imports(sample) == {"kg", "kg.merge", "kg.query"}


@pytest.mark.parametrize("path", modules(KG / "store"), ids=lambda p: p.name)
def test_the_store_imports_nothing_built_on_it(path: Path) -> None:
    wrong = sorted(name for name in imports(path) if under(name, ABOVE_STORE))
    assert not wrong, f"{path.relative_to(KG.parent)} imports {wrong}: the store is a floor others stand on"


def test_only_the_cli_and_the_package_use_the_facade() -> None:
    users = {path.relative_to(KG.parent).as_posix() for path in modules(KG)
             if not under(".".join(path.relative_to(KG.parent).with_suffix("").parts), (*FACADE, "kg.cli"))
             and path != KG / "__init__.py"
             and any(under(name, FACADE) for name in imports(path))}
    assert not users, f"below the facade, yet importing it: {sorted(users)}"


def test_the_query_floor_does_not_reach_up_to_the_stages_that_read_it() -> None:
    for path in modules(KG / "query"):
        wrong = sorted(name for name in imports(path)
                       if under(name, ("kg.publish", "kg.push", "kg.serve", "kg.api", "kg.watch", "kg.cli")))
        assert not wrong, f"{path.relative_to(KG.parent)} imports {wrong}"
