"""What changed between two rubrics, indicator by indicator (``zwgk rubric diff A B``).

Indicator ids carry their rubric's id and position (``township-2017.2.5``), so a later rubric's indicators
are matched to the earlier one's by what they say, not by id: the same name (group/label) and content
first, then the most similar content (difflib ratio ≥ ``SIMILAR``). A renumbered indicator is therefore
"changed" (its position moved), not one removal plus one addition. Rules of a matched pair are matched the
same way, by their text. Pure: no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from difflib import SequenceMatcher

from rubrics.export import num
from rubrics.model import Indicator, Rubric, Rule

SIMILAR = 0.6


@dataclass
class RuleChange:
    change: str  # added | removed | changed
    old: Rule | None
    new: Rule | None
    what: list[str] = field(default_factory=list)  # Chinese, one phrase per difference


@dataclass
class IndicatorChange:
    change: str  # same | changed | added | removed
    old: Indicator | None
    new: Indicator | None
    what: list[str] = field(default_factory=list)
    rules: list[RuleChange] = field(default_factory=list)


def _ratio(a: str, b: str) -> float:
    return SequenceMatcher(None, a, b, autojunk=False).ratio()


def _pair(old: list, new: list, exact: tuple, text) -> tuple[list[tuple], list, list]:
    """Match items of ``old`` to ``new``: equal keys first (each function of ``exact`` in turn), then the
    most similar text above SIMILAR."""
    pairs, left, right = [], list(old), list(new)
    for key in exact:
        for o in list(left):
            hit = next((n for n in right if key(o) == key(n)), None)
            if hit is not None:
                pairs.append((o, hit))
                left.remove(o)
                right.remove(hit)
    scored = sorted(((_ratio(text(o), text(n)), i, j) for i, o in enumerate(left) for j, n in enumerate(right)),
                    reverse=True)
    used_o, used_n = set(), set()
    for ratio, i, j in scored:
        if ratio < SIMILAR:
            break
        if i in used_o or j in used_n:
            continue
        used_o.add(i)
        used_n.add(j)
        pairs.append((left[i], right[j]))
    return pairs, [o for i, o in enumerate(left) if i not in used_o], [n for j, n in enumerate(right) if j not in used_n]


def _pts(points: Decimal) -> str:
    return format(points.normalize(), "f")


def _rule_changes(old: Indicator, new: Indicator) -> list[RuleChange]:
    # two rules of one row may share their words (township 2.2: 公开部门不全面 for guides and for reports):
    # the checks they name tell them apart
    pairs, removed, added = _pair(list(old.rules), list(new.rules), (lambda r: (r.text, r.checks), lambda r: r.text),
                                  lambda r: r.text)
    out = []
    for o, n in sorted(pairs, key=lambda p: new.rules.index(p[1])):
        what = []
        if o.text != n.text:
            what.append(f"措辞“{o.text}”→“{n.text}”")
        if o.points != n.points or o.kind != n.kind:
            what.append(f"扣分 {_pts(o.points)} → {_pts(n.points)}" + ("" if o.kind == n.kind else f"（{o.kind.value} → {n.kind.value}）"))
        if o.items != n.items:
            gone = [i for i in o.items if i not in n.items]
            came = [i for i in n.items if i not in o.items]
            parts = ([f"删除 {'、'.join(gone)}"] if gone else []) + ([f"新增 {'、'.join(came)}"] if came else [])
            what.append("清单" + ("；".join(parts) if parts else "顺序变化"))
        if o.checks != n.checks:
            what.append(f"自动检查 {'、'.join(o.checks) or '无'} → {'、'.join(n.checks) or '无'}")
        if what:
            out.append(RuleChange("changed", o, n, what))
    out += [RuleChange("removed", o, None) for o in removed]
    out += [RuleChange("added", None, n) for n in added]
    return out


def diff(a: Rubric, b: Rubric) -> list[IndicatorChange]:
    """Indicator changes from ``a`` to ``b``: matched pairs in ``b``'s order, then removals."""
    pairs, removed, added = _pair(list(a.indicators), list(b.indicators),
                                  (lambda i: (i.label, i.content),), lambda i: f"{i.label}{i.content}")
    matched = {id(n): o for o, n in pairs}
    out: list[IndicatorChange] = []
    for n in b.indicators:
        o = matched.get(id(n))
        if o is None:
            out.append(IndicatorChange("added", None, n))
            continue
        what = []
        if o.position != n.position:
            what.append(f"序号 {o.position} → {n.position}")
        if o.label != n.label:
            what.append(f"名称“{o.label}”→“{n.label}”")
        if o.points != n.points:
            what.append(f"分值 {_pts(o.points)} → {_pts(n.points)}")
        if o.content != n.content:
            what.append("考核内容有改动")
        if o.automation != n.automation:
            what.append(f"评估方式 {o.automation.value} → {n.automation.value}")
        rules = _rule_changes(o, n)
        out.append(IndicatorChange("changed" if what or rules else "same", o, n, what, rules))
    out += [IndicatorChange("removed", o, None) for o in a.indicators if o in removed]
    return out


def change_to_dict(c: IndicatorChange) -> dict:
    def ind(i: Indicator | None) -> dict | None:
        return None if i is None else {"id": i.id, "position": i.position, "name": i.name, "points": num(i.points)}

    def rule(r: Rule | None) -> dict | None:
        return None if r is None else {"id": r.id, "text": r.text, "points": num(r.points)}

    return {
        "change": c.change, "from": ind(c.old), "to": ind(c.new), "what": c.what,
        "rules": [{"change": r.change, "from": rule(r.old), "to": rule(r.new), "what": r.what} for r in c.rules],
    }
