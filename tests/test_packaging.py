"""A wheel must carry every package and data file: pyproject lists packages explicitly."""

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def listed_packages():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return set(config["tool"]["setuptools"]["packages"]), config["tool"]["setuptools"]["package-dir"]


def test_every_code_package_is_listed():
    packages, _ = listed_packages()
    found = set()
    for top in ("zwgk", "rubrics", "checks", "crawler", "reports"):
        for init in (ROOT / top).rglob("__init__.py"):
            if "__pycache__" not in init.parts:
                found.add(".".join(init.parent.relative_to(ROOT).parts))
    assert found <= packages, f"pyproject.toml 未列出：{sorted(found - packages)}"


def test_every_data_folder_is_listed():
    packages, package_dir = listed_packages()
    data = ROOT / package_dir["zwgk_data"]
    folders = {"zwgk_data." + p.name for p in data.iterdir() if p.is_dir() and p.name != "__pycache__"}
    assert folders <= packages, f"pyproject.toml 未列出：{sorted(folders - packages)}"
