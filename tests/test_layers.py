"""The import rules, checked on the import graph: every project .py file parsed with `ast`.

Layers import downward only: pages -> ui -> ingestion / analytics runner -> db -> the ground
(`focus/` and `config.py`). The rules below are the ones README's "Layout" states; a failure lists
each offending import with its file and line.

Two kinds of rule. "Imports" rules look at a module's own import statements (every one, at module
or function level). "Reaches" rules follow the imports through the project, because a connector
that imports a helper that imports `db` still drags `db` into every process that uses it; they
also follow package `__init__` modules, which Python runs before any module inside them.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Not project code: tests and benchmarks may import anything, and never run in the app.
SKIP_DIRS = {"tests", "bench", "node_modules", "__pycache__"}  # and hidden ones (.venv, .git)

# Connector modules live in ingestion/sources/ beside the service that adds, edits and seals
# sources (it stores credentials, so it imports db). That one module is exempt from the connector
# rule; when the service module is renamed, change this name.
SOURCES_SERVICE = "ingestion.sources.service"
ANALYTICS_RUNNER = "analytics.runner"  # the one analytics module that reads gold through db


@dataclass(frozen=True)
class Import:
    """One import statement's edge: `module` (a file of the project) imports `target`."""

    module: str
    line: int
    target: str  # a project module, or the top-level name of a third-party one
    external: bool

    def __str__(self) -> str:
        return f"{path_of(self.module)}:{self.line} imports {self.target}"


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@cache
def modules() -> dict[str, Path]:
    """Every project module by dotted name (a package by its __init__.py)."""
    found = {}
    for path in ROOT.rglob("*.py"):
        parts = path.relative_to(ROOT).parts
        if SKIP_DIRS.isdisjoint(parts) and not any(p.startswith(".") for p in parts):
            found[module_name(path)] = path
    return found


def path_of(module: str) -> str:
    return str(modules()[module].relative_to(ROOT))


def _project(dotted: str) -> str | None:
    """The longest prefix of `dotted` that is a project module."""
    parts = dotted.split(".")
    for end in range(len(parts), 0, -1):
        if (name := ".".join(parts[:end])) in modules():
            return name
    return None


def _absolute(module: str, node: ast.ImportFrom, is_package: bool) -> str:
    if not node.level:
        return node.module or ""
    package = module if is_package else module.rpartition(".")[0]
    base = package.split(".")[: len(package.split(".")) - node.level + 1]
    return ".".join([*base, *([node.module] if node.module else [])])


def _targets(
    module: str, node: ast.Import | ast.ImportFrom, is_package: bool
) -> Iterator[tuple[str, bool]]:
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    else:
        base = _absolute(module, node, is_package)
        # `from a import b`: b is the module a.b when there is one, else a name inside a.
        names = [
            f"{base}.{a.name}" if f"{base}.{a.name}" in modules() else base for a in node.names
        ]
    for name in names:
        if (target := _project(name)) is not None:
            yield target, False
        else:
            yield name.split(".")[0], True


@cache
def imports_of(module: str) -> tuple[Import, ...]:
    path = modules()[module]
    return parse_imports(module, path.read_text(encoding="utf-8"), path.name == "__init__.py")


def parse_imports(module: str, source: str, is_package: bool = False) -> tuple[Import, ...]:
    """Every import statement of the module, at any depth (function-level imports included):
    one edge per statement and target, in line order."""
    found = {
        Import(module, node.lineno, target, external)
        for node in ast.walk(ast.parse(source))
        if isinstance(node, (ast.Import, ast.ImportFrom))
        for target, external in _targets(module, node, is_package)
        if target != module
    }
    return tuple(sorted(found, key=lambda i: (i.line, i.target)))


def _parent(module: str) -> str | None:
    """The package Python runs first: a.b.c runs a.b (and a) before c."""
    parent = module.rpartition(".")[0]
    return parent if parent in modules() else None


@cache
def reach(module: str) -> dict[str, tuple[str, ...]]:
    """Every project module and third-party top-level name the module pulls in at import time,
    each with the chain of project modules that leads to it (the module itself first)."""
    chains: dict[str, tuple[str, ...]] = {module: (module,)}
    queue = [module]
    while queue:
        current = queue.pop(0)
        chain = chains[current]
        nexts = [(i.target, i.external) for i in imports_of(current)]
        if (parent := _parent(current)) is not None:
            nexts.append((parent, False))
        for target, external in nexts:
            key = f"<{target}>" if external else target
            if key not in chains:
                chains[key] = (*chain, target)
                if not external:
                    queue.append(target)
    return chains


# --- which modules a rule is about, and what they must not import -----------------------------


def in_package(*packages: str) -> Callable[[str], bool]:
    return lambda m: any(m == p or m.startswith(f"{p}.") for p in packages)


def is_streamlit(target: str) -> bool:
    return target == "streamlit" or target.startswith("streamlit_")


def project_module(pred: Callable[[str], bool]) -> Callable[[Import], bool]:
    return lambda i: not i.external and pred(i.target)


is_formats = in_package("ingestion.formats")
# Metrics and inventory collectors (the next issues) sit beside the cost connectors, same rule.
COLLECTORS = ("ingestion.sources", "ingestion.metrics", "ingestion.inventory")


def is_connector(module: str) -> bool:
    return in_package(*COLLECTORS)(module) and module != SOURCES_SERVICE


def is_analytics_pure(module: str) -> bool:
    return in_package("analytics")(module) and module != ANALYTICS_RUNNER


def db_or_streamlit(i: Import) -> bool:
    return is_streamlit(i.target) if i.external else in_package("db")(i.target)


@dataclass(frozen=True)
class ImportRule:
    """Modules chosen by `applies` must have no import that `forbidden` picks."""

    name: str
    applies: Callable[[str], bool]
    forbidden: Callable[[Import], bool]
    follow: bool = False  # check what the module reaches, not only its own imports


RULES = (
    ImportRule(
        "focus/ imports nothing else of the project",
        in_package("focus"),
        lambda i: not i.external and not in_package("focus")(i.target),
    ),
    ImportRule(
        "config.py and logs.py import nothing of the project",
        in_package("config", "logs"),
        lambda i: not i.external,
    ),
    ImportRule(
        "db never imports ingestion, analytics, ui or pages",
        in_package("db"),
        project_module(in_package("ingestion", "analytics", "ui", "pages", "app", "scheduler")),
    ),
    ImportRule(
        "ingestion and analytics never import ui or pages",
        in_package("ingestion", "analytics"),
        project_module(in_package("ui", "pages", "app", "scheduler")),
    ),
    ImportRule(
        "ui never imports pages",
        in_package("ui"),
        project_module(in_package("pages", "app", "scheduler")),
    ),
    ImportRule(
        "app.py imports only ui (of the project)",
        in_package("app"),
        lambda i: not i.external and not in_package("ui")(i.target),
    ),
    ImportRule(
        "pages import only ui (of the project)",
        in_package("pages"),
        lambda i: not i.external and not in_package("ui")(i.target),
    ),
    ImportRule(
        "formats (ingestion/formats/) reach no db and no streamlit",
        is_formats,
        db_or_streamlit,
        follow=True,
    ),
    ImportRule(
        f"connectors and collectors (but {SOURCES_SERVICE}) reach no db and no streamlit",
        is_connector,
        db_or_streamlit,
        follow=True,
    ),
    ImportRule(
        f"analytics (but {ANALYTICS_RUNNER}) reaches no db and no streamlit",
        is_analytics_pure,
        db_or_streamlit,
        follow=True,
    ),
)


def violations(rule: ImportRule) -> list[str]:
    found = []
    for module in sorted(filter(rule.applies, modules())):
        if not rule.follow:
            found += [str(i) for i in imports_of(module) if rule.forbidden(i)]
            continue
        starts = set()  # one line per own import (or package) that leads somewhere forbidden
        for key, chain in reach(module).items():
            target = chain[-1]
            if key == module or not rule.forbidden(Import(module, 0, target, key[0] == "<")):
                continue
            if chain[1] in starts:
                continue
            starts.add(chain[1])
            # Name the module's own import that starts the chain (or its package, run first).
            own = next((i for i in imports_of(module) if i.target == chain[1]), None)
            where = str(own) if own else f"{path_of(module)} runs its package {chain[1]}"
            via = f" via {' -> '.join(chain[1:-1])}" if len(chain) > 2 and own else ""
            direct = own is not None and len(chain) == 2
            found.append(str(own) if direct else f"{where}, which reaches {target}{via}")
    return found


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.name)
def test_import_rule(rule: ImportRule) -> None:
    found = violations(rule)
    assert not found, f"{rule.name}: {len(found)} violation(s)\n  " + "\n  ".join(found)


# --- the graph reader itself ---------------------------------------------------------------------


def test_reader_sees_every_layer_and_no_tests() -> None:
    names = set(modules())
    assert {"app", "config", "scheduler", "focus.columns", "db.queries", "ui.sidebar"} <= names
    assert {"ingestion.formats.azure", "ingestion.sources.local_folder", "pages.overview"} <= names
    assert not any(n.startswith(("tests", "bench")) for n in names)


def test_reader_resolves_every_form_of_import() -> None:
    source = (
        "import streamlit as st\n"
        "import db.queries\n"
        "from focus.periods import (\n    MonthToDate,\n    as_of_date,\n)\n"
        "from . import values\n"
        "from .bounds import period_bounds\n"
        "from ingestion import errors\n"
        "def later():\n"
        "    from db import load\n"
    )
    found = {(i.target, i.line, i.external) for i in parse_imports("ingestion.formats.x", source)}
    assert found == {
        ("streamlit", 1, True),
        ("db.queries", 2, False),
        ("focus.periods", 3, False),
        ("ingestion.formats.values", 7, False),
        ("ingestion.formats.bounds", 8, False),
        ("ingestion.errors", 9, False),
        ("db.load", 11, False),  # inside a function: still an import
    }


def test_reach_follows_imports_and_packages_run_first() -> None:
    """The app reaches the column catalogue only through other modules; a module inside a
    package runs the package first."""
    chain = reach("app")["focus.columns"]
    assert chain[0] == "app" and chain[-1] == "focus.columns" and len(chain) >= 3
    assert "focus.columns" not in {i.target for i in imports_of("app")}
    assert reach("ingestion.formats.values")["ingestion.formats"] == (
        "ingestion.formats.values",
        "ingestion.formats",
    )
