"""Import units from a spreadsheet (CSV or XLSX) into the YAML units registry.

Assessors keep their unit lists in spreadsheets. Columns are recognised by their Chinese or English header
(编号/id, 名称/name, 类型/kind, 网站/site, 公开目录/disclosure_roots, 范围/scopes, 下属单位/subunits); other
columns are ignored and reported. Every row is checked through ``zwgk.registry.units.parse_units``; an error names
the spreadsheet row and column ("第 3 行“类型”列：…"). Nothing is half-imported: the registry is written
(atomically) only when every row and the merged registry are valid.
"""

from __future__ import annotations

import csv
import io
import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from zwgk.registry.units import UnitsError, load_units, parse_units

FIELDS = ("id", "name", "kind", "site", "disclosure_roots", "scopes", "subunits")
LIST_FIELDS = ("disclosure_roots", "scopes", "subunits")
HEADERS = {
    "id": ("编号", "单位编号", "id"),
    "name": ("名称", "单位名称", "name"),
    "kind": ("类型", "单位类型", "kind"),
    "site": ("网站", "网址", "网站地址", "site"),
    "disclosure_roots": ("公开目录", "信息公开目录", "disclosure_roots", "disclosure_root"),
    "scopes": ("范围", "抓取范围", "scopes", "scope"),
    "subunits": ("下属单位", "工作部门", "subunits"),
}
KIND_WORDS = {
    "乡镇": "township", "乡": "township", "镇": "township", "township": "township",
    "市直单位": "department", "市直": "department", "部门": "department", "县直单位": "department",
    "县直": "department", "驻市单位": "department", "department": "department",
}
SEPARATORS = re.compile(r"[\n；;、]+")


class UnitImportError(UnitsError):
    """A spreadsheet that cannot be imported; ``str(err)`` is a complete Chinese message."""


@dataclass
class ImportResult:
    registry: Path
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"registry": str(self.registry), "added": self.added, "updated": self.updated,
                "kept": self.kept, "ignored_columns": self.ignored_columns}


def _normal(header: str) -> str:
    return re.sub(r"[\s_（）()*]", "", header).lower()


ALIASES = {_normal(alias): key for key, aliases in HEADERS.items() for alias in aliases}


def _decode_csv(data: bytes, name: str) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")  # a superset of GBK: what Excel on a Chinese Windows writes
    except UnicodeDecodeError:
        raise UnitImportError(f"表格 {name} 的编码无法识别（应为 UTF-8 或 GBK）") from None


def read_rows(source: Path) -> list[tuple[int, list[str]]]:
    """(spreadsheet row number, cell texts) of every row, header included; blank rows dropped."""
    source = Path(source)
    try:
        data = source.read_bytes()
    except FileNotFoundError:
        raise UnitImportError(f"找不到表格文件 {source}") from None
    except OSError as exc:
        raise UnitImportError(f"无法读取表格 {source}（{exc.strerror or exc}）") from None
    suffix = source.suffix.lower()
    if suffix == ".csv":
        rows = list(csv.reader(io.StringIO(_decode_csv(data, source.name), newline="")))
        numbered = list(enumerate(rows, start=1))
    elif suffix in (".xlsx", ".xlsm"):
        numbered = _xlsx_rows(data, source.name)
    else:
        raise UnitImportError(f"不支持的表格格式 {source.suffix or '（无扩展名）'}：请使用 .csv 或 .xlsx")
    cleaned = [(n, [(c or "").strip() for c in row]) for n, row in numbered]
    return [(n, row) for n, row in cleaned if any(row)]


def _xlsx_rows(data: bytes, name: str) -> list[tuple[int, list[str]]]:
    import zipfile

    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError):
        raise UnitImportError(f"表格 {name} 不是有效的 XLSX 文件") from None
    try:
        sheet = book.worksheets[0]
        out = []
        for row in sheet.iter_rows():
            cells = [c for c in row if getattr(c, "row", None) is not None]
            if not cells:
                continue
            out.append((cells[0].row, [_cell_text(c.value) for c in row]))
        return out
    finally:
        book.close()


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _columns(header: list[str], row_no: int) -> tuple[dict[int, str], dict[str, str], list[str]]:
    """Map column index → field; field → the header text the sheet used; ignored headers."""
    index, used, ignored = {}, {}, []
    for i, text in enumerate(header):
        key = ALIASES.get(_normal(text))
        if key is None:
            if text:
                ignored.append(text)
            continue
        if key in used:
            raise UnitImportError(f"第 {row_no} 行（表头）：“{used[key]}”与“{text}”是同一列，请只保留一列")
        index[i], used[key] = key, text
    for key in ("id", "name", "kind"):
        if key not in used:
            raise UnitImportError(f"第 {row_no} 行（表头）：缺少“{HEADERS[key][0]}”列（可写作 {'、'.join(HEADERS[key])}）")
    return index, used, ignored


def _node(cells: list[str], index: dict[int, str], used: dict[str, str], row_no: int) -> dict:
    node: dict = {}
    for i, key in index.items():
        value = cells[i] if i < len(cells) else ""
        if key in LIST_FIELDS:
            node[key] = [v.strip() for v in SEPARATORS.split(value) if v.strip()]
        elif key == "kind":
            kind = KIND_WORDS.get(value.strip().lower())
            if kind is None:
                raise UnitImportError(
                    f"第 {row_no} 行“{used[key]}”列：应为 乡镇 或 市直单位（部门），或 township / department，实际为 “{value}”")
            node[key] = kind
        else:
            node[key] = value or None
    return node


FIELD_IN_MESSAGE = re.compile(r"字段 (\w+)(?:\[(\d+)\])?：(.*)$", re.S)


def _row_error(err: UnitsError, row_no: int, used: dict[str, str]) -> UnitImportError:
    match = FIELD_IN_MESSAGE.search(str(err))
    if not match:
        return UnitImportError(f"第 {row_no} 行：{err}")
    key, item, detail = match.groups()
    which = f"第 {int(item) + 1} 项" if item is not None else ""
    return UnitImportError(f"第 {row_no} 行“{used.get(key, key)}”列{which}：{detail}")


def parse_sheet(source: Path) -> tuple[list[tuple[int, dict]], dict[str, str], list[str]]:
    """Validated rows of a spreadsheet: [(row number, unit node)], the headers used, ignored headers."""
    rows = read_rows(source)
    if not rows:
        raise UnitImportError(f"表格 {Path(source).name} 是空的")
    # a title line above the header is common: the header is the first row with a recognised column name
    at = next((i for i, (_, cells) in enumerate(rows) if any(_normal(c) in ALIASES for c in cells)), 0)
    (header_no, header), body = rows[at], rows[at + 1:]
    index, used, ignored = _columns(header, header_no)
    if not body:
        raise UnitImportError(f"表格 {Path(source).name} 只有表头，没有单位")
    nodes: list[tuple[int, dict]] = []
    first_row: dict[str, int] = {}
    for row_no, cells in body:
        node = _node(cells, index, used, row_no)
        try:
            parse_units({"units": [node]}, Path(source).name)
        except UnitsError as err:
            raise _row_error(err, row_no, used) from None
        if node["id"] in first_row:
            raise UnitImportError(f"第 {row_no} 行“{used['id']}”列：编号 {node['id']} 与第 {first_row[node['id']]} 行重复")
        first_row[node["id"]] = row_no
        nodes.append((row_no, node))
    return nodes, used, ignored


def import_units(source: Path, registry: Path) -> ImportResult:
    """Merge the units of ``source`` into the registry file (created if missing); all or nothing."""
    registry = Path(registry)
    nodes, used, ignored = parse_sheet(Path(source))
    existing: list[dict] = []
    document: dict = {}
    if registry.exists():
        load_units(registry)  # refuse to merge into a registry that is itself invalid
        document = yaml.safe_load(registry.read_text(encoding="utf-8"))
        existing = document["units"]
    result = ImportResult(registry=registry, ignored_columns=ignored)
    by_id = {u["id"]: i for i, u in enumerate(existing)}
    merged = [dict(u) for u in existing]
    for _, node in nodes:
        if node["id"] in by_id:
            target = merged[by_id[node["id"]]]
            before = dict(target)
            for key in used:  # only the columns the sheet has; other fields (hints, politeness) are kept
                if node.get(key) in (None, []):
                    target.pop(key, None)
                else:
                    target[key] = node[key]
            (result.updated if target != before else result.kept).append(node["id"])
        else:
            merged.append({k: node[k] for k in FIELDS if node.get(k) not in (None, [])})
            result.added.append(node["id"])
    sheet_ids = {node["id"] for _, node in nodes}
    result.kept += [u["id"] for u in existing if u["id"] not in sheet_ids]
    parse_units({"units": merged}, registry.name)
    # the registry's other sections (per-host politeness) are kept as they were
    _write_atomically(registry, yaml.safe_dump({**document, "units": merged}, allow_unicode=True, sort_keys=False))
    return result


def _write_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
