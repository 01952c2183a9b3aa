"""``zwgk units import FILE``: merge a spreadsheet of units into the YAML registry
(``zwgk.registry.importing``)."""

from __future__ import annotations

from pathlib import Path

import click

from zwgk.cli.util import ZhCommand, emit_json, json_option
from zwgk.paths import default_units_path
from zwgk.registry.importing import import_units
from zwgk.registry.units import UnitsError
from zwgk.services.errors import EXIT_ERROR


@click.command(cls=ZhCommand)
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--units", "units_path", type=click.Path(dir_okay=False),
              help="要合并进的单位名录 YAML（默认 $ZWGK_HOME/units.yaml，不存在则新建）。")
@json_option
def units_import(file, units_path, as_json):
    """从 CSV 或 XLSX 表格导入单位，合并进单位名录。

    表头可用中文或英文：编号(id)、名称(name)、类型(kind：乡镇 / 市直单位)、网站(site)、
    公开目录(disclosure_roots)、范围(scopes)、下属单位(subunits)；一格内多个网址或单位用换行、
    “；”或“、”分隔。已有编号的单位按表格更新，新编号追加，表格中没有的单位保留。
    任何一行有误都不会写入，错误信息指明行号和列名。CSV 可为 UTF-8（含 Excel 的 BOM）或 GBK 编码。

    \b
    示例：
      zwgk units import 单位名单.xlsx
      zwgk units import units.csv --units var/units.yaml --json
    """
    registry = Path(units_path) if units_path else default_units_path()
    try:
        result = import_units(Path(file), registry)
    except UnitsError as exc:
        if as_json:
            emit_json({"imported": False, "file": file, "error": str(exc)})
            raise SystemExit(EXIT_ERROR) from None
        raise
    if as_json:
        emit_json({"imported": True, "file": file, **result.to_dict()})
        return
    click.echo(f"已导入 {file} → {registry}：新增 {len(result.added)} 个，更新 {len(result.updated)} 个，"
               f"保留 {len(result.kept)} 个单位。")
    if result.ignored_columns:
        click.echo(f"未识别的列已忽略：{'、'.join(result.ignored_columns)}", err=True)
