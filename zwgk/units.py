"""The units registry: who is assessed, under which kind of rubric, and where their site is.

A YAML file (design.md: ``--units``, default ``$ZWGK_HOME/units.yaml``) is the source of truth; the store
keeps a copy. A bad file is refused whole, with a Chinese message naming the file, the unit and the field.

    units:
      - id: xinshi-town            # lowercase letters, digits, - and _
        name: 新市镇人民政府
        kind: township             # township | department
        site: http://www.example.gov.cn/xinshi/          # optional until the unit is crawled
        disclosure_roots: [http://www.example.gov.cn/xinshi/xxgk/]
        scopes: []                 # extra URL prefixes inside the unit's scope
        subunits: []               # a township's 工作部门 (ids of other units or plain names)
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

KINDS = {"township": "乡镇", "department": "市直单位"}
UNIT_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")


class UnitsError(ValueError):
    """A units file that cannot be used; ``str(err)`` is a complete Chinese message."""


@dataclass(frozen=True)
class Unit:
    id: str
    name: str
    kind: str
    site: str | None = None
    disclosure_roots: tuple[str, ...] = ()
    scopes: tuple[str, ...] = ()
    subunits: tuple[str, ...] = ()
    extra: dict = field(default_factory=dict, compare=False)  # fields later stages read (hints, politeness)

    @property
    def kind_name(self) -> str:
        return KINDS[self.kind]

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "name": self.name,
            "kind": self.kind,
            "site": self.site,
            "disclosure_roots": list(self.disclosure_roots),
            "scopes": list(self.scopes),
            "subunits": list(self.subunits),
            **self.extra,
        }


def _url(value: Any, where: str) -> str:
    if not isinstance(value, str):
        raise UnitsError(f"{where}：应为网址文本")
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UnitsError(f"{where}：只接受 http(s) 网址，实际为 {value!r}")
    return value


def _urls(node: dict, key: str, where: str) -> tuple[str, ...]:
    value = node.get(key) or []
    if not isinstance(value, list):
        raise UnitsError(f"{where}字段 {key}：应为列表")
    return tuple(_url(v, f"{where}字段 {key}[{i}]") for i, v in enumerate(value))


def parse_units(data: Any, file: str) -> list[Unit]:
    prefix = f"单位名录 {file} 有误："
    if not isinstance(data, dict) or not isinstance(data.get("units"), list):
        raise UnitsError(prefix + "顶层应为 units: 列表")
    units: list[Unit] = []
    seen: set[str] = set()
    known = {"id", "name", "kind", "site", "disclosure_roots", "scopes", "subunits"}
    for i, node in enumerate(data["units"]):
        where = f"{prefix}第 {i + 1} 个单位"
        if not isinstance(node, dict):
            raise UnitsError(f"{where}：应为键值表")
        uid = node.get("id")
        if not isinstance(uid, str) or not UNIT_ID.match(uid):
            raise UnitsError(f"{where}字段 id：应为小写字母、数字、- 或 _ 组成的编号，实际为 {uid!r}")
        where = f"{prefix}单位 {uid} 的"
        if uid in seen:
            raise UnitsError(f"{where}字段 id：编号重复")
        seen.add(uid)
        name = node.get("name")
        if not isinstance(name, str) or not name.strip():
            raise UnitsError(f"{where}字段 name：缺少单位名称")
        kind = node.get("kind")
        if kind not in KINDS:
            raise UnitsError(f"{where}字段 kind：应为 township（乡镇）或 department（市直单位），实际为 {kind!r}")
        site = node.get("site")
        subunits = node.get("subunits") or []
        if not isinstance(subunits, list) or not all(isinstance(s, str) and s.strip() for s in subunits):
            raise UnitsError(f"{where}字段 subunits：应为单位编号或名称的列表")
        units.append(
            Unit(
                id=uid,
                name=name.strip(),
                kind=kind,
                site=_url(site, f"{where}字段 site") if site is not None else None,
                disclosure_roots=_urls(node, "disclosure_roots", where),
                scopes=_urls(node, "scopes", where),
                subunits=tuple(subunits),
                extra={k: v for k, v in node.items() if k not in known},
            )
        )
    return units


def load_units(path: str | Path) -> list[Unit]:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UnitsError(f"找不到单位名录文件 {path}") from None
    except UnicodeDecodeError:
        raise UnitsError(f"单位名录 {path.name} 不是 UTF-8 编码") from None
    except OSError as exc:
        raise UnitsError(f"无法读取单位名录 {path}（{exc.strerror or exc}）") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"第 {mark.line + 1} 行" if mark else "未知位置"
        raise UnitsError(f"单位名录 {path.name} 的 YAML 格式错误（{where}）") from None
    return parse_units(data, path.name)
