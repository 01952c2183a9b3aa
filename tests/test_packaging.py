"""Packaging: a wheel built from package discovery carries every package and its data, the build prints no
setuptools warning, and the wheel installed into a fresh virtual environment runs ``zwgk demo`` on the
bundled site, with no checkout on the path (``pip install .`` builds and installs this same wheel).

Offline: the wheel is built without build isolation (the test extra brings setuptools and wheel) from a copy
of the files git would see (a clean checkout), and installed without dependencies; the fresh environment
reaches the dependencies of this one through a path file, which does not carry this environment's editable
install along.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # builds a wheel and installs it into a fresh venv
ROOT = Path(__file__).resolve().parent.parent
TOPS = ("zwgk", "crawler", "checks", "rubrics", "reports")
WARNING = re.compile(r"Warning\b|would be ignored")  # Python warnings of setuptools, not distutils' notes


def clean_copy(dest: Path) -> Path:
    listed = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"], cwd=ROOT,
                            capture_output=True, check=True).stdout.decode().split("\0")
    for name in filter(None, listed):
        if (ROOT / name).is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, dest / name)
    return dest


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, str]:
    source = clean_copy(tmp_path_factory.mktemp("source"))
    out = tmp_path_factory.mktemp("wheel")
    done = subprocess.run([sys.executable, "-m", "pip", "wheel", "-v", "--no-deps", "--no-build-isolation", "--no-index",
                           "-w", str(out), str(source)], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    [wheel] = out.glob("zwgk-*.whl")
    return wheel, done.stdout + done.stderr


@pytest.fixture(scope="module")
def venv(built, tmp_path_factory) -> Path:
    """A fresh virtual environment with the wheel installed (and this environment's dependencies)."""
    env = tmp_path_factory.mktemp("venv") / "env"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(env)], check=True, timeout=120)
    python = env / "bin" / "python"
    done = subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--no-index",
                           str(built[0])], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    purelib = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             capture_output=True, text=True, check=True).stdout.strip()
    Path(purelib, "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    return env


def test_the_build_prints_no_setuptools_warning(built):
    _, log = built
    assert not [line for line in log.splitlines() if WARNING.search(line)], log[-3000:]


def test_the_wheel_carries_every_package_and_only_the_five_top_level_names(built):
    names = zipfile.ZipFile(built[0]).namelist()
    tops = {n.split("/")[0] for n in names if not n.split("/")[0].endswith(".dist-info")}
    assert tops == set(TOPS)
    found = {init.parent.relative_to(ROOT).as_posix() + "/__init__.py"
             for top in TOPS for init in (ROOT / top).rglob("__init__.py") if "__pycache__" not in init.parts}
    assert found <= set(names), sorted(found - set(names))


def test_the_wheel_carries_the_shipped_data(built):
    names = set(zipfile.ZipFile(built[0]).namelist())
    site = ROOT / "zwgk" / "demo" / "site"
    shipped = {p.relative_to(ROOT).as_posix() for p in site.rglob("*")
               if p.is_file() and p.name != "build.py" and "__pycache__" not in p.parts}
    assert shipped <= names, sorted(shipped - names)
    for name in ("zwgk/services/calendar_overrides.yaml", "rubrics/township-2017.yaml", "rubrics/department-2017.yaml",
                 "reports/templates/unit.html", "reports/remedies.yaml", "zwgk/web/templates/base.html",
                 "zwgk/web/static/style.css"):
        assert name in names, name


def test_the_installed_wheel_runs_the_demo_on_its_bundled_site(venv, tmp_path):
    python = venv / "bin" / "python"
    where = subprocess.run([str(python), "-c", "import checks, crawler, reports, rubrics, zwgk; "
                            "print(*(m.__file__ for m in (checks, crawler, reports, rubrics, zwgk)))"],
                           cwd=tmp_path, capture_output=True, text=True, check=True).stdout.split()
    assert all(Path(f).is_relative_to(venv) for f in where), where  # the wheel's copy, not the checkout
    done = subprocess.run([str(venv / "bin" / "zwgk"), "demo", "--out", str(tmp_path / "zwgk-demo"), "--json"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout)["demo"]
    assert len(result["units"]) == 4 and all(u["crawl_status"] == "complete" for u in result["units"])
    assert all(Path(p).exists() for p in result["reports"])
