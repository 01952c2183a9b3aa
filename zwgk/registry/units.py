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
    hosts:                         # optional per-host politeness; many units share one host
      www.example.gov.cn:
        delay: 2                   # seconds between requests to this host
        concurrency: 1             # parallel requests to this host
        ignore_robots: 站点 robots.txt 误禁全站，已获网站主管单位书面同意   # the reason, logged on use
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


@dataclass(frozen=True)
class HostPolicy:
    host: str
    delay: float | None = None
    concurrency: int | None = None
    ignore_robots: str | None = None  # the reason robots.txt is not obeyed for this host


def parse_hosts(data: Any, file: str) -> list[HostPolicy]:
    prefix = f"单位名录 {file} 有误："
    hosts = data.get("hosts") if isinstance(data, dict) else None
    if hosts is None:
        return []
    if not isinstance(hosts, dict):
        raise UnitsError(prefix + "hosts 应为“主机名: 设置”的键值表")
    policies = []
    for host, node in hosts.items():
        where = f"{prefix}hosts 中主机 {host} 的"
        if not isinstance(host, str) or not host or "/" in host or ":" in host.strip("[]"):
            raise UnitsError(f"{prefix}hosts 的键应为主机名（如 www.example.gov.cn），实际为 {host!r}")
        if not isinstance(node, dict) or set(node) - {"delay", "concurrency", "ignore_robots"}:
            raise UnitsError(f"{where}设置只能包含 delay、concurrency、ignore_robots")
        delay, concurrency, reason = node.get("delay"), node.get("concurrency"), node.get("ignore_robots")
        if delay is not None and (isinstance(delay, bool) or not isinstance(delay, (int, float)) or delay < 0):
            raise UnitsError(f"{where}字段 delay：应为不小于 0 的秒数，实际为 {delay!r}")
        if concurrency is not None and (isinstance(concurrency, bool) or not isinstance(concurrency, int) or concurrency < 1):
            raise UnitsError(f"{where}字段 concurrency：应为正整数，实际为 {concurrency!r}")
        if reason is not None and (not isinstance(reason, str) or not reason.strip()):
            raise UnitsError(f"{where}字段 ignore_robots：应写明不遵守 robots.txt 的理由")
        policies.append(HostPolicy(host.lower(), delay, concurrency, reason.strip() if reason else None))
    return policies


def crawl_settings_for(policies: list[HostPolicy]) -> dict:
    """Scrapy settings carrying the registry's per-host politeness (download slots, robots overrides)."""
    slots, robots = {}, {}
    for p in policies:
        slot = {k: v for k, v in (("delay", p.delay), ("concurrency", p.concurrency)) if v is not None}
        if slot:
            slots[p.host] = slot
        if p.ignore_robots:
            robots[p.host] = p.ignore_robots
    out: dict = {}
    if slots:
        out["DOWNLOAD_SLOTS"] = slots
    if robots:
        out["ZWGK_ROBOTS_OVERRIDES"] = robots
    return out


def _read_yaml(path: Path) -> Any:
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
    return data


def load_units(path: str | Path) -> list[Unit]:
    return parse_units(_read_yaml(path), Path(path).name)


def load_host_policies(path: str | Path) -> list[HostPolicy]:
    return parse_hosts(_read_yaml(path), Path(path).name)
