"""Load and validate rubric files.

Every ``*.yaml`` file in this package is a rubric (adding the 2018 rubric means adding a file). A malformed
file raises ``RubricError`` whose message is Chinese and names the file and the field; callers print it
instead of a traceback.

A rule names the checks that serve it (``check: guide.exists``: check id and role). This package knows no
check: the caller passes a ``catalogue`` (check id → role → whether the role counts the rule's own
``items``), and every binding is validated against it at load time. ``checks.registry`` passes the
registry's catalogue; without one, bindings are only checked for form.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from rubrics.model import (
    Adjustment,
    AdjustmentType,
    Automation,
    Category,
    Indicator,
    Rubric,
    Rule,
    RuleKind,
)

SCHEMA = "zwgk-rubric/1"
HALF = Decimal("0.5")
BINDING = re.compile(r"[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*")

# check id → role → True when the role counts the rule's own ``items`` (the rule must be per_item with a list)
Catalogue = Mapping[str, Mapping[str, bool]]


class RubricError(ValueError):
    """A rubric file that cannot be used. ``str(err)`` is a complete Chinese message."""

    def __init__(self, file: str, field: str, message: str):
        self.file = file
        self.field = field
        self.message = message
        where = f"字段 {field}：" if field else ""
        super().__init__(f"考核细则文件 {file} 有误：{where}{message}")


class _Reader:
    """Walks the parsed YAML, remembering the field path for error messages."""

    def __init__(self, file: str):
        self.file = file

    def fail(self, path: str, message: str) -> RubricError:
        return RubricError(self.file, path, message)

    def mapping(self, node: Any, path: str) -> dict:
        if not isinstance(node, dict):
            raise self.fail(path, "应为键值表（mapping）")
        return node

    def get(self, node: dict, key: str, path: str, *, required: bool = True, default: Any = None) -> Any:
        if key not in node or node[key] is None:
            if required:
                raise self.fail(_join(path, key), "缺少此字段")
            return default
        return node[key]

    def text(self, node: dict, key: str, path: str, *, required: bool = True) -> str | None:
        value = self.get(node, key, path, required=required)
        if value is None:
            return None
        if not isinstance(value, str) or not value.strip():
            raise self.fail(_join(path, key), "应为非空文本")
        return value

    def seq(self, node: dict, key: str, path: str, *, required: bool = True) -> list:
        value = self.get(node, key, path, required=required, default=[])
        if not isinstance(value, list):
            raise self.fail(_join(path, key), "应为列表")
        return value

    def texts(self, node: dict, key: str, path: str) -> tuple[str, ...]:
        values = self.seq(node, key, path, required=False)
        for i, v in enumerate(values):
            if not isinstance(v, str) or not v.strip():
                raise self.fail(f"{_join(path, key)}[{i}]", "应为非空文本")
        return tuple(values)

    def points(self, node: dict, key: str, path: str) -> Decimal:
        raw = self.get(node, key, path)
        where = _join(path, key)
        if isinstance(raw, bool) or not isinstance(raw, (int, float, str)):
            raise self.fail(where, f"分值应为数字，实际为 {raw!r}")
        try:
            value = Decimal(str(raw))
        except InvalidOperation:
            raise self.fail(where, f"分值应为数字，实际为 {raw!r}") from None
        if not value.is_finite() or value <= 0:
            raise self.fail(where, f"分值必须为正数，实际为 {raw}")
        if value % HALF != 0:
            raise self.fail(where, f"分值必须为 0.5 的整数倍，实际为 {raw}")
        return value

    def enum(self, node: dict, key: str, path: str, enum_type: type, *, default: Any = None) -> Any:
        raw = self.get(node, key, path, required=default is None, default=default)
        try:
            return enum_type(raw)
        except ValueError:
            allowed = "、".join(e.value for e in enum_type)
            raise self.fail(_join(path, key), f"取值 {raw!r} 无效，应为 {allowed} 之一") from None

    def flag(self, node: dict, key: str, path: str) -> bool:
        value = self.get(node, key, path, required=False, default=False)
        if not isinstance(value, bool):
            raise self.fail(_join(path, key), "应为 true 或 false")
        return value


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _year(r: _Reader, value: Any, path: str, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 2000 <= value <= 2100:
        raise r.fail(path, f"{what}应为四位年份，实际为 {value!r}")
    return value


def _bindings(r: _Reader, node: dict, path: str) -> tuple[str, ...]:
    """The rule's ``check`` field: one "check_id.role" or a list of them."""
    raw = node.get("check")
    if raw is None:
        return ()
    values = [raw] if isinstance(raw, str) else raw
    if not isinstance(values, list) or not values:
        raise r.fail(_join(path, "check"), "应为“检查编号.角色”（如 guide.exists）或其列表")
    for v in values:
        if not isinstance(v, str) or not BINDING.fullmatch(v):
            raise r.fail(_join(path, "check"), f"{v!r} 不是“检查编号.角色”的形式（如 guide.exists）")
    if len(set(values)) != len(values):
        raise r.fail(_join(path, "check"), "同一检查角色重复")
    return tuple(values)


def _check_binding(r: _Reader, binding: str, rule: Rule, path: str, catalogue: Catalogue) -> None:
    check_id, role = binding.split(".", 1)
    where = _join(path, "check")
    if check_id not in catalogue:
        known = "、".join(sorted(catalogue))
        raise r.fail(where, f"没有编号为 {check_id} 的检查（现有：{known}）")
    roles = catalogue[check_id]
    if role not in roles:
        raise r.fail(where, f"检查 {check_id} 没有角色 {role}（该检查提供：{'、'.join(roles)}）")
    if roles[role] and (rule.kind is not RuleKind.PER_ITEM or not rule.items):
        raise r.fail(where, f"{binding} 按规则自身的清单计数，该规则应为按项扣分（per_item）并列出 items")


def parse_rubric(data: Any, file: str, catalogue: Catalogue | None = None) -> Rubric:
    """Validate parsed YAML and build a ``Rubric``; raise ``RubricError`` on the first problem.

    With a ``catalogue``, every ``check`` binding must name a check and role it lists."""
    r = _Reader(file)
    root = r.mapping(data, "")
    schema = r.get(root, "schema", "")
    if schema != SCHEMA:
        raise r.fail("schema", f"应为 {SCHEMA}，实际为 {schema!r}")
    rubric_id = r.text(root, "id", "")
    seen: dict[str, str] = {}
    bound: dict[str, str] = {}  # "check.role" → the rule it serves: one rule per role in a rubric

    def claim(some_id: Any, path: str, prefix: str) -> str:
        if not isinstance(some_id, str) or not some_id.strip():
            raise r.fail(path, "编号应为非空文本")
        if not some_id.startswith(prefix + "."):
            raise r.fail(path, f"编号 {some_id} 应以 {prefix}. 开头")
        if some_id in seen:
            raise r.fail(path, f"编号 {some_id} 重复（已用于 {seen[some_id]}）")
        seen[some_id] = path
        return some_id

    def parse_rules(owner: dict, path: str, owner_id: str, bindable: bool = True) -> tuple[Rule, ...]:
        rules = []
        raw_rules = r.seq(owner, "rules", path)
        if not raw_rules:
            raise r.fail(_join(path, "rules"), "至少应有一条扣分规则")
        rules_text = owner.get("rules_text") or ""
        for i, raw in enumerate(raw_rules):
            rp = f"{path}.rules[{i}]"
            node = r.mapping(raw, rp)
            rule_id = claim(r.get(node, "id", rp), f"{rp}.id", owner_id)
            text = r.text(node, "text", rp)
            if text not in rules_text:
                raise r.fail(f"{rp}.text", f"规则原文“{text}”不在本行扣分办法原文中")
            kind = r.enum(node, "kind", rp, RuleKind)
            unit = r.text(node, "unit", rp, required=False)
            if kind is not RuleKind.FIXED and unit is None:
                raise r.fail(f"{rp}.unit", "按项或按次扣分的规则应注明计数单位（项、件次、起、次……）")
            items = r.texts(node, "items", rp)
            if items and kind is not RuleKind.PER_ITEM:
                raise r.fail(f"{rp}.items", "只有按项扣分的规则可以列出清单")
            if len(set(items)) != len(items):
                raise r.fail(f"{rp}.items", "清单中有重复项")
            checks = _bindings(r, node, rp)
            if checks and not bindable:
                raise r.fail(f"{rp}.check", "人工评分（automation: manual）的指标和加减分不绑定检查")
            for binding in checks:
                if binding in bound:
                    raise r.fail(f"{rp}.check", f"{binding} 已绑定规则 {bound[binding]}，一个检查角色只能服务一条规则")
                bound[binding] = rule_id
            rules.append(
                Rule(
                    id=rule_id,
                    text=text,
                    kind=kind,
                    points=r.points(node, "points", rp),
                    unit=unit,
                    items=items,
                    excludes=r.texts(node, "excludes", rp),
                    human_only=r.flag(node, "human_only", rp),
                    note=r.text(node, "note", rp, required=False),
                    checks=checks,
                )
            )
            if catalogue is not None:
                for binding in checks:
                    _check_binding(r, binding, rules[-1], rp, catalogue)
        own = {rule.id for rule in rules}
        for i, rule in enumerate(rules):
            for target in rule.excludes:
                if target not in own or target == rule.id:
                    raise r.fail(f"{path}.rules[{i}].excludes", f"排除的规则 {target} 不是本指标的其他规则")
        return tuple(rules)

    categories = []
    for ci, raw_cat in enumerate(r.seq(root, "categories", "")):
        cp = f"categories[{ci}]"
        cat = r.mapping(raw_cat, cp)
        cat_id = claim(r.get(cat, "id", cp), f"{cp}.id", rubric_id)
        indicators = []
        for ii, raw_ind in enumerate(r.seq(cat, "indicators", cp)):
            ip = f"{cp}.indicators[{ii}]"
            ind = r.mapping(raw_ind, ip)
            ind_id = claim(r.get(ind, "id", ip), f"{ip}.id", cat_id)
            group = r.text(ind, "group", ip, required=False)
            label = r.text(ind, "label", ip, required=False)
            editorial = r.flag(ind, "label_editorial", ip)
            if group is None and (label is None or not editorial):
                raise r.fail(ip, "原表无指标名称时，应给出 label 并标明 label_editorial: true")
            points = r.points(ind, "points", ip)
            rules_text = r.text(ind, "rules_text", ip)
            automation = r.enum(ind, "automation", ip, Automation)
            rules = parse_rules(ind, ip, ind_id, bindable=automation is not Automation.MANUAL)
            for ri, rule in enumerate(rules):
                if rule.kind is RuleKind.FIXED and rule.points > points:
                    raise r.fail(f"{ip}.rules[{ri}].points", f"单项扣分 {rule.points} 超过本指标分值 {points}")
            indicators.append(
                Indicator(
                    id=ind_id,
                    position=str(r.get(ind, "position", ip)),
                    group=group,
                    label=label or group,
                    label_editorial=editorial,
                    content=r.text(ind, "content", ip),
                    points=points,
                    rules_text=rules_text,
                    rules=rules,
                    automation=automation,
                    notes=r.texts(ind, "notes", ip),
                    short=r.text(ind, "short", ip, required=False),
                )
            )
        if not indicators:
            raise r.fail(f"{cp}.indicators", "类别下至少应有一个指标")
        cat_points = r.points(cat, "points", cp)
        summed = sum((i.points for i in indicators), Decimal(0))
        if summed != cat_points:
            raise r.fail(f"{cp}.points", f"类别“{cat.get('name')}”分值为 {cat_points}，但所含指标合计 {summed}")
        categories.append(Category(id=cat_id, name=r.text(cat, "name", cp), points=cat_points, indicators=tuple(indicators)))
    if not categories:
        raise r.fail("categories", "至少应有一个类别")

    total = r.points(root, "total", "")
    summed = sum((c.points for c in categories), Decimal(0))
    if summed != total:
        raise r.fail("total", f"总分为 {total}，但各类别合计 {summed}")

    adjustments = []
    for ai, raw_adj in enumerate(r.seq(root, "adjustments", "", required=False)):
        ap = f"adjustments[{ai}]"
        adj = r.mapping(raw_adj, ap)
        adj_id = claim(r.get(adj, "id", ap), f"{ap}.id", rubric_id)
        r.text(adj, "rules_text", ap)
        adjustments.append(
            Adjustment(
                id=adj_id,
                type=r.enum(adj, "type", ap, AdjustmentType),
                name=r.text(adj, "name", ap),
                content=r.text(adj, "content", ap),
                rules_text=adj["rules_text"],
                rules=parse_rules(adj, ap, adj_id, bindable=False),
            )
        )

    year = _year(r, r.get(root, "year", ""), "year", "考核细则年度")
    periods = r.mapping(r.get(root, "periods", ""), "periods")
    unknown = sorted(set(periods) - {"from", "until"})
    if unknown:
        raise r.fail(f"periods.{unknown[0]}", "periods 只有 from（起始年度）和 until（截止年度，可省略）两个字段")
    applies_from = _year(r, r.get(periods, "from", "periods"), "periods.from", "起始年度")
    applies_until = periods.get("until")
    if applies_until is not None:
        applies_until = _year(r, applies_until, "periods.until", "截止年度")
        if applies_until < applies_from:
            raise r.fail("periods.until", f"截止年度 {applies_until} 早于起始年度 {applies_from}")
    kind = r.text(root, "kind", "")
    if kind not in ("township", "department"):
        raise r.fail("kind", f"单位类型应为 township 或 department，实际为 {kind!r}")

    return Rubric(
        id=rubric_id,
        title=r.text(root, "title", ""),
        kind=kind,
        year=year,
        total=total,
        categories=tuple(categories),
        adjustments=tuple(adjustments),
        closing_note=r.text(root, "closing_note", ""),
        source=r.text(root, "source", ""),
        notes=r.texts(root, "notes", ""),
        applies_from=applies_from,
        applies_until=applies_until,
    )


def load_rubric_file(path: str | Path, catalogue: Catalogue | None = None) -> Rubric:
    path = Path(path)
    name = path.name
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise RubricError(name, "", f"无法读取文件（{exc.strerror or exc}）") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise RubricError(name, "", "文件不是 UTF-8 编码") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"第 {mark.line + 1} 行第 {mark.column + 1} 列" if mark else "未知位置"
        raise RubricError(name, "", f"YAML 格式错误（{where}）：{getattr(exc, 'problem', exc)}") from None
    return parse_rubric(data, name, catalogue)


def rubric_dir() -> Path:
    return Path(str(resources.files("rubrics")))


def _freeze(catalogue: Catalogue | None) -> tuple | None:
    if catalogue is None:
        return None
    return tuple(sorted((cid, tuple(sorted(roles.items()))) for cid, roles in catalogue.items()))


def load_all(catalogue: Catalogue | None = None) -> dict[str, Rubric]:
    """Every rubric shipped in this package, by id. Raises RubricError for the first bad file."""
    return _load_dir(_freeze(catalogue))


@lru_cache(maxsize=4)
def _load_dir(frozen: tuple | None) -> dict[str, Rubric]:
    catalogue = None if frozen is None else {cid: dict(roles) for cid, roles in frozen}
    found: dict[str, Rubric] = {}
    for path in sorted(rubric_dir().glob("*.yaml")):
        rubric = load_rubric_file(path, catalogue)
        if rubric.id in found:
            raise RubricError(path.name, "id", f"考核细则编号 {rubric.id} 与另一文件重复")
        twin = next((r for r in found.values() if r.kind == rubric.kind and r.applies_from == rubric.applies_from), None)
        if twin is not None:
            raise RubricError(path.name, "periods.from",
                              f"与 {twin.id} 同为{KIND_NAMES.get(rubric.kind, rubric.kind)}细则且同年（{rubric.applies_from}）起用，"
                              "无法判断哪一套适用")
        found[rubric.id] = rubric
    return found


def get_rubric(rubric_id: str, catalogue: Catalogue | None = None) -> Rubric:
    rubrics = load_all(catalogue)
    if rubric_id not in rubrics:
        known = "、".join(sorted(rubrics)) or "（无）"
        raise LookupError(f"没有编号为 {rubric_id} 的考核细则；现有：{known}")
    return rubrics[rubric_id]


KIND_NAMES = {"township": "乡镇", "department": "市直单位"}


def in_force(rubrics: list[Rubric] | tuple[Rubric, ...], kind: str, period: int) -> Rubric:
    """The rubric that scores units of ``kind`` for the period ``period``.

    Among the rubrics of that kind whose stated periods cover it, the newest one (latest ``periods.from``)
    applies: a rubric holds until a newer one of its kind starts. Two rubrics starting the same year are an
    error; so is a period no rubric covers.
    """
    of_kind = [r for r in rubrics if r.kind == kind]
    matches = [r for r in of_kind if r.in_force(period)]
    kind_name = KIND_NAMES.get(kind, kind)
    if not matches:
        have = "、".join(f"{r.id}（{r.periods_label}）" for r in sorted(of_kind, key=lambda r: r.applies_from)) or "无"
        raise LookupError(f"没有适用于{kind_name}（{kind}）{period} 年度的考核细则（已有：{have}）；可用 --rubric 指定")
    newest = max(r.applies_from for r in matches)
    chosen = [r for r in matches if r.applies_from == newest]
    if len(chosen) > 1:
        raise LookupError(f"{kind_name} {period} 年度有多个同时起用的考核细则：{'、'.join(r.id for r in chosen)}")
    return chosen[0]


def rubric_for(kind: str, year: int, catalogue: Catalogue | None = None) -> Rubric:
    """The rubric in force for units of ``kind`` in the period ``year`` (see ``in_force``)."""
    return in_force(tuple(load_all(catalogue).values()), kind, year)
