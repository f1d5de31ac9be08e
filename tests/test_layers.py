"""The layering of the code: every import points down, no package imports a package of its own layer.

The table is the one in README.md ("Layout"). Imports inside functions count too: a lazy import is
still a dependency.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Top to bottom. A module may import its own package and any package of a lower layer.
LAYERS: list[tuple[str, ...]] = [
    ("meetings",),  # the application: create_app, CLI, jobs, home page, observability, model registry
    ("meetings.console", "meetings.roundtables", "meetings.support"),
    ("meetings.planning", "meetings.topic_terms"),
    ("meetings.sessions",),
    ("meetings.registrations",),
    ("meetings.calendar", "meetings.accounts"),
    ("meetings.outbox",),
    ("meetings.models",),
    ("meetings.organizations",),
    ("meetings.api",),
    ("meetings.core",),
    ("meetings.topics",),  # pure: the trilingual concept vocabulary and text matching
]
PURE = ("scheduler", "notifications")  # no Flask application code, no database


def _package_of(module: str) -> str:
    """The layer entry that owns ``module`` (the longest listed prefix)."""
    names = [name for layer in LAYERS for name in layer]
    matches = [n for n in names if module == n or module.startswith(n + ".")]
    return max(matches, key=len)


def _layer_index(package: str) -> int:
    return next(i for i, layer in enumerate(LAYERS) if package in layer)


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path) -> list[tuple[int, str]]:
    """(line, module) of every absolute import in ``path``, names of ``from X import Y`` included."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
            found += [(node.lineno, f"{node.module}.{alias.name}") for alias in node.names]
    return found


def _sources(top: str) -> list[Path]:
    return sorted(p for p in (ROOT / top).rglob("*.py") if "versions" not in p.parts)


def layering_violations() -> list[str]:
    """Every import from a lower layer to a higher one, or between packages of one layer."""
    problems = []
    for path in _sources("meetings"):
        here = _package_of(_module_name(path))
        for line, target in _imports(path):
            if not target.startswith("meetings."):
                continue
            there = _package_of(target)
            if there != here and _layer_index(there) <= _layer_index(here):
                problems.append(f"{path.relative_to(ROOT)}:{line}: {here} imports {target}")
    return sorted(set(problems))


def test_every_import_points_down_the_layers():
    assert layering_violations() == []


@pytest.mark.parametrize("top", PURE)
def test_pure_packages_import_nothing_of_the_application(top):
    bad = [f"{p.relative_to(ROOT)}:{line}: {t}" for p in _sources(top) for line, t in _imports(p)
           if t.split(".")[0] in ("meetings", "flask", "flask_babel", "sqlalchemy")]
    assert bad == []


def test_the_check_catches_an_upward_import(tmp_path, monkeypatch):
    """The rule itself is not vacuous: a core module importing a feature is reported."""
    fake_root = tmp_path
    (fake_root / "meetings" / "core").mkdir(parents=True)
    (fake_root / "meetings" / "__init__.py").write_text("")
    (fake_root / "meetings" / "core" / "__init__.py").write_text("")
    (fake_root / "meetings" / "core" / "bad.py").write_text("from meetings.registrations import operations\n")
    monkeypatch.setattr(sys.modules[__name__], "ROOT", fake_root)
    assert layering_violations() == [
        "meetings/core/bad.py:1: meetings.core imports meetings.registrations",
        "meetings/core/bad.py:1: meetings.core imports meetings.registrations.operations",
    ]
