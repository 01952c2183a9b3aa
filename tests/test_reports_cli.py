"""`zwgk report`, driven through click's CliRunner against a demo database."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from sample import build_sample_db
from zwgk.cli.report import report
from zwgk.services.errors import AppError


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("reportcli") / "demo"
    build_sample_db(out)
    return out / "zwgk.db"


def run(*args: str):
    return CliRunner().invoke(report, list(args), catch_exceptions=False)


def test_html_reports_and_summary_with_json_listing(db, tmp_path):
    out = tmp_path / "html"
    result = run("--db", str(db), "--period", "2017", "--out", str(out), "--json")
    assert result.exit_code == 0
    doc = json.loads(result.stdout)  # exactly one JSON document on stdout
    assert doc["schema_version"] == 1
    rep = doc["report"]
    assert rep["format"] == "html" and rep["period"] == 2017
    assert sorted(rep["units"]) == ["baishui-town", "edu-bureau", "land-bureau", "xinshi-town"]
    kinds = [f["kind"] for f in rep["files"]]
    assert kinds.count("unit_report") == 4 and kinds.count("summary") == 1
    for f in rep["files"]:
        assert Path(f["path"]).is_file()
    html = (out / "xinshi-town.html").read_text(encoding="utf-8")
    assert "新市镇人民政府" in html and "整改建议" in html
    assert "排名" in (out / "summary.html").read_text(encoding="utf-8")


def test_text_output_prints_one_path_per_line(db, tmp_path):
    out = tmp_path / "one"
    result = run("--db", str(db), "--period", "2017", "--unit", "land-bureau", "--out", str(out))
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [str(out / "land-bureau.html"), str(out / "summary.html")]
    assert "汨水县教育局" not in (out / "summary.html").read_text(encoding="utf-8")


def test_xlsx_one_workbook_per_rubric(db, tmp_path):
    out = tmp_path / "x"
    result = run("--db", str(db), "--period", "2017", "--format", "xlsx", "--out", str(out))
    assert result.exit_code == 0
    assert sorted(p.name for p in out.iterdir()) == ["department-2017.xlsx", "township-2017.xlsx"]
    assert load_workbook(out / "township-2017.xlsx").sheetnames == ["排名", "白水镇人民政府", "新市镇人民政府"]
    assert load_workbook(out / "department-2017.xlsx").sheetnames == ["排名", "汨水县自然资源局", "汨水县教育局"]


def test_csv_and_json_formats(db, tmp_path):
    out = tmp_path / "e"
    assert run("--db", str(db), "--period", "2017", "--format", "csv", "--out", str(out)).exit_code == 0
    assert run("--db", str(db), "--period", "2017", "--format", "json", "--out", str(out)).exit_code == 0
    names = sorted(p.name for p in out.iterdir())
    assert names == [
        "department-2017-ranking.csv", "department-2017-scores.csv", "department-2017.json",
        "township-2017-ranking.csv", "township-2017-scores.csv", "township-2017.json",
    ]
    assert (out / "township-2017-scores.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    doc = json.loads((out / "department-2017.json").read_text(encoding="utf-8"))
    assert {u["unit"]["id"] for u in doc["units"]} == {"edu-bureau", "land-bureau"}
    assert all(u["crawl"] is None for u in doc["units"])  # the sample units were never crawled


def test_default_out_is_under_zwgk_home(db, tmp_path, monkeypatch):
    monkeypatch.setenv("ZWGK_HOME", str(tmp_path / "home"))
    result = run("--db", str(db), "--period", "2017", "--unit", "xinshi-town")
    assert result.exit_code == 0
    assert (tmp_path / "home" / "reports-2017" / "xinshi-town.html").is_file()


def test_unknown_unit_is_a_chinese_error(db, tmp_path):
    with pytest.raises(AppError, match="单位 nowhere 不在单位名录中"):
        run("--db", str(db), "--period", "2017", "--unit", "nowhere", "--out", str(tmp_path / "n"))
    assert not (tmp_path / "n").exists()


def test_help_is_chinese_with_examples():
    result = run("--help")
    assert result.exit_code == 0
    assert "示例" in result.stdout and "zwgk report --period 2017 --format xlsx" in result.stdout
