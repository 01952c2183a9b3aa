"""The structure of the code, checked on its syntax trees so that it stays (issue 12).

- The domain packages (crawler, checks, rubrics, reports) never import the application ``zwgk``, and their
  imports point one way: crawler and rubrics stand alone, checks read crawler records against rubrics,
  reports render rubric score sheets.
- ``checks`` does no I/O: no file, network, process or database modules, no ``open()``.
- click is imported only under ``zwgk/cli/``; SQL is written only under ``zwgk/store/``.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOMAIN = ("crawler", "checks", "rubrics", "reports")
ALLOWED_DOMAIN_IMPORTS = {
    "crawler": set(),
    "rubrics": set(),
    "checks": {"crawler", "rubrics"},
    "reports": {"rubrics"},
}
IO_MODULES = {"os", "io", "pathlib", "shutil", "tempfile", "subprocess", "socket", "http", "sqlite3",
              "sqlite_utils", "yaml", "importlib", "requests", "scrapy", "twisted", "urllib.request"}
SQL = re.compile(r"^\s*(SELECT|INSERT|UPDATE|DELETE|CREATE|DROP|ALTER|REPLACE|PRAGMA|WITH)\s", re.I)
SQL_WORDS = re.compile(r"\b(FROM|INTO|SET|TABLE|WHERE|VALUES|INDEX|TRIGGER)\b")


def sources(*tops: str) -> list[Path]:
    found = []
    for top in tops:
        found += [p for p in (ROOT / top).rglob("*.py") if "__pycache__" not in p.parts]
    return sorted(found)


def imports(path: Path) -> list[str]:
    """Every module a file imports, absolute names (relative imports resolved against the file's package)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = list(path.relative_to(ROOT).parent.parts)
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            names.append(module)
            names += [f"{module}.{alias.name}" for alias in node.names]
    return names


def rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


@pytest.mark.parametrize("top", DOMAIN)
def test_domain_imports_point_one_way(top):
    wrong = []
    for path in sources(top):
        for name in imports(path):
            first = name.split(".")[0]
            if first == "zwgk" or (first in DOMAIN and first != top and first not in ALLOWED_DOMAIN_IMPORTS[top]):
                wrong.append(f"{rel(path)} imports {name}")
    assert not wrong, "\n".join(wrong)


def test_checks_do_no_io():
    wrong = []
    for path in sources("checks"):
        for name in imports(path):
            if any(name == m or name.startswith(m + ".") for m in IO_MODULES):
                wrong.append(f"{rel(path)} imports {name}")
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "open":
                wrong.append(f"{rel(path)}:{node.lineno} calls open()")
    assert not wrong, "\n".join(wrong)


def test_click_only_in_the_cli_package():
    wrong = [f"{rel(path)} imports {name}"
             for path in sources("zwgk", *DOMAIN) if not rel(path).startswith("zwgk/cli/")
             for name in imports(path) if name.split(".")[0] == "click"]
    assert not wrong, "\n".join(wrong)


def sql_strings(path: Path) -> list[int]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            if SQL.match(node.value) and SQL_WORDS.search(node.value):
                lines.append(node.lineno)
        elif isinstance(node, ast.JoinedStr):
            head = "".join(v.value for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str))
            if SQL.match(head) and SQL_WORDS.search(head):
                lines.append(node.lineno)
    return lines


def test_sql_only_in_the_store():
    wrong = []
    for path in sources("zwgk", *DOMAIN):
        if rel(path).startswith("zwgk/store/"):
            continue
        wrong += [f"{rel(path)}:{line} SQL" for line in sql_strings(path)]
        wrong += [f"{rel(path)} imports {name}" for name in imports(path)
                  if name.split(".")[0] in ("sqlite3", "sqlite_utils")]
    assert not wrong, "\n".join(wrong)


def test_the_rule_finds_sql_and_imports():
    """The checks above can fail: they see the SQL and the imports they forbid."""
    assert sql_strings(ROOT / "zwgk" / "store" / "decisions.py"), "the store's own SQL must be seen"
    assert "click" in {n.split(".")[0] for n in imports(ROOT / "zwgk" / "cli" / "__init__.py")}
