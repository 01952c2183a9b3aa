"""Importing units from CSV / XLSX spreadsheets into the YAML registry."""

from __future__ import annotations

import json

import pytest
import yaml
from click.testing import CliRunner
from openpyxl import Workbook

from zwgk.cli.unit_import import units_import
from zwgk.registry.importing import UnitImportError, import_units, read_rows
from zwgk.registry.units import UnitsError, load_units

HEADER_ZH = ["编号", "单位名称", "类型", "网站", "公开目录", "下属单位", "备注"]
ROWS = [
    ["xinshi-town", "新市镇人民政府", "乡镇", "http://www.example.gov.cn/xinshi/",
     "http://www.example.gov.cn/xinshi/xxgk/\nhttp://www.example.gov.cn/xinshi/zwgk/", "新市镇党政综合办公室、新市镇财政所", "2017年新增"],
    ["edu-bureau", "汨水县教育局", "市直单位", "http://www.example.gov.cn/edu/", "http://www.example.gov.cn/edu/xxgk/", "", ""],
]


def write_csv(path, header, rows, encoding="utf-8-sig"):
    import csv
    with open(path, "w", newline="", encoding=encoding) as fh:
        csv.writer(fh).writerows([header, *rows])
    return path


def write_xlsx(path, header, rows):
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "gbk"])
def test_csv_in_every_encoding_imports(tmp_path, encoding):
    source = write_csv(tmp_path / "units.csv", HEADER_ZH, ROWS, encoding)
    result = import_units(source, tmp_path / "var" / "units.yaml")
    assert result.added == ["xinshi-town", "edu-bureau"] and result.ignored_columns == ["备注"]
    units = {u.id: u for u in load_units(tmp_path / "var" / "units.yaml")}
    assert units["xinshi-town"].name == "新市镇人民政府" and units["xinshi-town"].kind == "township"
    assert units["xinshi-town"].disclosure_roots == ("http://www.example.gov.cn/xinshi/xxgk/",
                                                     "http://www.example.gov.cn/xinshi/zwgk/")
    assert units["xinshi-town"].subunits == ("新市镇党政综合办公室", "新市镇财政所")
    assert units["edu-bureau"].kind == "department" and units["edu-bureau"].subunits == ()


def test_xlsx_with_english_headers_and_blank_rows(tmp_path):
    source = tmp_path / "units.xlsx"
    book = Workbook()
    sheet = book.active
    sheet.append(["ID", "Name", "Kind", "Site", "disclosure_roots", "Scopes"])
    sheet.append([])
    sheet.append(["land-bureau", "汨水县自然资源局", "department", "http://h.example/col/col5100/index.html",
                  "http://h.example/col/col5101/index.html", "http://h.example/art/；http://h.example/attach/"])
    book.save(source)
    result = import_units(source, tmp_path / "units.yaml")
    assert result.added == ["land-bureau"]
    (unit,) = load_units(tmp_path / "units.yaml")
    assert unit.scopes == ("http://h.example/art/", "http://h.example/attach/")


def test_merge_updates_adds_and_keeps(tmp_path):
    registry = tmp_path / "units.yaml"
    registry.write_text(yaml.safe_dump({"units": [
        {"id": "edu-bureau", "name": "县教育局", "kind": "department", "hints": {"cms": "trs"}},
        {"id": "land-bureau", "name": "汨水县自然资源局", "kind": "department"},
    ]}, allow_unicode=True), encoding="utf-8")
    result = import_units(write_csv(tmp_path / "u.csv", HEADER_ZH, ROWS), registry)
    assert result.added == ["xinshi-town"] and result.updated == ["edu-bureau"] and result.kept == ["land-bureau"]
    data = yaml.safe_load(registry.read_text(encoding="utf-8"))["units"]
    assert [u["id"] for u in data] == ["edu-bureau", "land-bureau", "xinshi-town"]
    assert data[0]["name"] == "汨水县教育局" and data[0]["hints"] == {"cms": "trs"}  # extra fields survive
    again = import_units(tmp_path / "u.csv", registry)
    assert again.updated == [] and again.added == [] and set(again.kept) == {"edu-bureau", "land-bureau", "xinshi-town"}


@pytest.mark.parametrize("row,message", [
    (["bad id!", "某单位", "乡镇", "", "", "", ""], "第 3 行“编号”列：应为小写字母"),
    (["a-unit", "", "乡镇", "", "", "", ""], "第 3 行“单位名称”列：缺少单位名称"),
    (["a-unit", "某单位", "街办", "", "", "", ""], "第 3 行“类型”列：应为 乡镇 或 市直单位"),
    (["a-unit", "某单位", "部门", "ftp://x.example/", "", "", ""], "第 3 行“网站”列：只接受 http(s) 网址"),
    (["a-unit", "某单位", "部门", "", "http://ok.example/、not-a-url", "", ""], "第 3 行“公开目录”列第 2 项：只接受 http(s) 网址"),
    (["xinshi-town", "重复", "部门", "", "", "", ""], "第 3 行“编号”列：编号 xinshi-town 与第 2 行重复"),
])
def test_bad_row_names_row_and_column_and_writes_nothing(tmp_path, row, message):
    registry = tmp_path / "units.yaml"
    original = "units:\n  - {id: keep-me, name: 保留单位, kind: township}\n"
    registry.write_text(original, encoding="utf-8")
    source = write_csv(tmp_path / "u.csv", HEADER_ZH, [ROWS[0], row])
    with pytest.raises(UnitImportError) as err:
        import_units(source, registry)
    assert message in str(err.value)
    assert registry.read_text(encoding="utf-8") == original
    assert sorted(p.name for p in tmp_path.iterdir()) == ["u.csv", "units.yaml"]  # no temp file left


def test_bad_xlsx_row_uses_the_sheet_row_number(tmp_path):
    source = tmp_path / "u.xlsx"
    book = Workbook()
    sheet = book.active
    sheet.append(["说明：2017年考核单位"])
    sheet.append(["编号", "名称", "类型"])
    sheet.append(["a-unit", "甲单位", "乡镇"])
    sheet.append([None, None, None])
    sheet.append(["b-unit", "乙单位", "其他"])
    book.save(source)
    with pytest.raises(UnitImportError, match="第 5 行“类型”列：.*“其他”"):  # the title line is row 1
        import_units(source, tmp_path / "units.yaml")
    sheet["A2"] = "序号"
    book.save(source)
    with pytest.raises(UnitImportError, match="第 2 行（表头）：缺少“编号”列"):
        import_units(source, tmp_path / "units.yaml")
    assert not (tmp_path / "units.yaml").exists()


def test_unreadable_inputs_get_chinese_errors(tmp_path):
    with pytest.raises(UnitImportError, match="找不到表格文件"):
        read_rows(tmp_path / "missing.csv")
    (tmp_path / "u.txt").write_text("编号,名称,类型\n", encoding="utf-8")
    with pytest.raises(UnitImportError, match="不支持的表格格式"):
        read_rows(tmp_path / "u.txt")
    (tmp_path / "fake.xlsx").write_bytes(b"not a zip")
    with pytest.raises(UnitImportError, match="不是有效的 XLSX"):
        read_rows(tmp_path / "fake.xlsx")
    (tmp_path / "only.csv").write_text("编号,名称,类型\n", encoding="utf-8")
    with pytest.raises(UnitImportError, match="只有表头"):
        import_units(tmp_path / "only.csv", tmp_path / "units.yaml")


def test_invalid_existing_registry_is_refused(tmp_path):
    registry = tmp_path / "units.yaml"
    registry.write_text("units:\n  - {id: x, kind: township}\n", encoding="utf-8")
    with pytest.raises(UnitsError, match="缺少单位名称"):
        import_units(write_csv(tmp_path / "u.csv", HEADER_ZH, ROWS), registry)
    assert registry.read_text(encoding="utf-8") == "units:\n  - {id: x, kind: township}\n"


def test_command_json_and_text(tmp_path):
    source = write_xlsx(tmp_path / "单位.xlsx", HEADER_ZH, ROWS)
    registry = tmp_path / "units.yaml"
    runner = CliRunner()
    result = runner.invoke(units_import, [str(source), "--units", str(registry), "--json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["imported"] is True and doc["added"] == ["xinshi-town", "edu-bureau"] and doc["schema_version"]
    result = runner.invoke(units_import, [str(source), "--units", str(registry)])
    assert result.exit_code == 0 and "新增 0 个" in result.stdout and "保留 2 个" in result.stdout


def test_command_reports_bad_rows(tmp_path):
    source = write_csv(tmp_path / "u.csv", HEADER_ZH, [["a", "甲", "未知", "", "", "", ""]])
    runner = CliRunner()
    result = runner.invoke(units_import, [str(source), "--units", str(tmp_path / "units.yaml"), "--json"])
    assert result.exit_code == 1
    doc = json.loads(result.stdout)
    assert doc["imported"] is False and "第 2 行“类型”列" in doc["error"]
    result = runner.invoke(units_import, [str(source), "--units", str(tmp_path / "units.yaml")])
    assert isinstance(result.exception, UnitsError) and "第 2 行" in str(result.exception)
    assert not (tmp_path / "units.yaml").exists()


def test_command_help_is_chinese():
    result = CliRunner().invoke(units_import, ["--help"])
    assert result.exit_code == 0 and "示例" in result.output and "从 CSV 或 XLSX 表格导入单位" in result.output


def test_host_policies_parse_into_crawl_settings_and_survive_an_import(tmp_path):
    from zwgk.registry.units import UnitsError, crawl_settings_for, load_host_policies

    registry = tmp_path / "units.yaml"
    registry.write_text(
        "units:\n  - {id: a-town, name: 甲镇, kind: township}\n"
        "hosts:\n  www.example.gov.cn: {delay: 2, concurrency: 1, ignore_robots: 已获网站主管单位书面同意}\n",
        encoding="utf-8")
    settings = crawl_settings_for(load_host_policies(registry))
    assert settings == {"DOWNLOAD_SLOTS": {"www.example.gov.cn": {"delay": 2, "concurrency": 1}},
                        "ZWGK_ROBOTS_OVERRIDES": {"www.example.gov.cn": "已获网站主管单位书面同意"}}
    sheet = tmp_path / "more.csv"
    sheet.write_text("编号,名称,类型\nb-town,乙镇,乡镇\n", encoding="utf-8")
    import_units(sheet, registry)
    assert load_host_policies(registry)[0].ignore_robots == "已获网站主管单位书面同意"

    registry.write_text("units: []\nhosts:\n  www.example.gov.cn: {ignore_robots: ''}\n", encoding="utf-8")
    with pytest.raises(UnitsError, match="ignore_robots"):
        load_host_policies(registry)
    registry.write_text("units: []\nhosts:\n  www.example.gov.cn: {delay: -1}\n", encoding="utf-8")
    with pytest.raises(UnitsError, match="delay"):
        load_host_policies(registry)
