"""A later rubric year is a file, nothing else: a made-up 2018-style township rubric
(tests/fixtures/rubrics/township-2018.yaml: indicators renumbered, points changed, a rule dropped, a new
indicator served by an existing check, a manual-only indicator) loads, validates its bindings, gets
findings from the existing checks and scores; the newest rubric in force applies to later periods."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from checks.base import CheckContext
from checks.registry import get_rubric, load_file, run_checks
from crawler.record import PageRecord
from rubrics.diff import diff
from rubrics.engine import Outcome, Proposal, score
from rubrics.loader import RubricError, in_force, parse_rubric
from rubrics.model import Automation

FIXTURE = Path(__file__).parent / "fixtures" / "rubrics" / "township-2018.yaml"
T2017 = get_rubric("township-2017")
T2018 = load_file(FIXTURE)


def _page(url, **kw):
    return PageRecord(url=url, final_url=url, status=200, content_type="text/html", encoding="utf-8",
                      body_sha256="0" * 64, **kw)


RECORDS = [
    _page("http://x.gov.cn/zcwj/1.html", title="关于印发某办法的通知", kind="policy", pub_date="2018-05-02"),
    _page("http://x.gov.cn/zn/1.html", title="新市镇人民政府信息公开指南", kind="disclosure_guide", pub_date="2018-02-01"),
]


def test_the_fixture_loads_with_its_bindings_validated():
    assert (T2018.applies_from, T2018.applies_until, T2018.applied_label) == (2018, None, "按2018年细则评估")
    assert T2018.total == 100
    manual = T2018.indicator("township-2018.1.6")
    assert manual.automation is Automation.MANUAL and not any(r.checks for r in manual.rules)
    assert T2018.bindings("interpretation") == {"missing": "township-2018.2.2.a", "late": "township-2018.2.2.b"}
    assert "departments" not in T2018.bindings("guide")  # the dropped rule
    assert T2018.bindings("proactive") == {"categories": "township-2018.2.6.a"}


def test_existing_checks_serve_the_new_rubric_and_it_scores():
    ctx = CheckContext(unit={"id": "xinshi-town", "name": "新市镇人民政府", "kind": "township", "subunits": []},
                       period=2018, rubric=T2018, records=RECORDS)
    findings = run_checks(ctx)
    rules = {f.rule_id for f in findings}
    assert {"township-2018.2.2.a", "township-2018.2.3.a", "township-2018.2.6.a"} <= rules
    assert all(T2018.has_id(r) for r in rules) and not any(r.startswith("township-2017") for r in rules)
    assert "township-2018.1.6.a" not in rules  # manual: entered by people
    guide = next(f for f in findings if f.rule_id == "township-2018.2.3.a")
    assert guide.outcome is Outcome.PASS
    proposals = [Proposal(f.to_store_dict(T2018.id, 2018, "xinshi-town")["fingerprint"], f.rule_id, f.count, f.outcome,
                          f.subject.label, f.message) for f in findings if f.outcome in (Outcome.FAIL, Outcome.NEEDS_REVIEW)]
    sheet = score(T2018, "xinshi-town", 2018, proposals)
    assert sheet.subtotal_confirmed == Decimal(100) and sheet.subtotal_provisional < Decimal(100)
    proactive = next(i for i in sheet.indicators if i.indicator.id == "township-2018.2.6")
    assert proactive.indicator.points == 13 and proactive.provisional == 0  # 13 points, many categories missing


def test_the_newest_rubric_in_force_applies():
    both = (T2017, T2018)
    assert in_force(both, "township", 2017) is T2017
    assert in_force(both, "township", 2018) is T2018
    assert in_force(both, "township", 2026) is T2018
    with pytest.raises(LookupError, match="2016"):
        in_force(both, "township", 2016)
    with pytest.raises(LookupError, match="department"):
        in_force(both, "department", 2018)


def _variant(**changes):
    import yaml

    data = yaml.safe_load(FIXTURE.read_text(encoding="utf-8"))
    data.update(changes)
    return data


def test_periods_until_closes_a_rubric_and_two_rubrics_starting_together_conflict():
    closed = parse_rubric(_variant(id="township-2018", periods={"from": 2018, "until": 2019}), "x.yaml")
    assert closed.in_force(2019) and not closed.in_force(2020)
    assert in_force((T2017, closed), "township", 2020) is T2017
    twin = parse_rubric(_variant(periods={"from": 2018}), "y.yaml")
    with pytest.raises(LookupError, match="多个"):
        in_force((T2018, twin), "township", 2018)
    with pytest.raises(RubricError, match="periods.until"):
        parse_rubric(_variant(periods={"from": 2018, "until": 2017}), "z.yaml")


def test_bindings_are_validated_at_load_time():
    from checks.registry import catalogue

    data = _variant()
    data["categories"][1]["indicators"][1]["rules"][0]["check"] = "interpretation.nosuch"
    with pytest.raises(RubricError, match="没有角色 nosuch"):
        parse_rubric(data, "bad.yaml", catalogue())
    data["categories"][1]["indicators"][1]["rules"][0]["check"] = "nosuch.missing"
    with pytest.raises(RubricError, match="没有编号为 nosuch 的检查"):
        parse_rubric(data, "bad.yaml", catalogue())
    data["categories"][1]["indicators"][1]["rules"][0]["check"] = "proactive.categories"  # a fixed rule
    with pytest.raises(RubricError, match="per_item"):
        parse_rubric(data, "bad.yaml", catalogue())
    data = _variant()
    data["categories"][0]["indicators"][5]["rules"][0]["check"] = "guide.exists"  # the manual indicator
    with pytest.raises(RubricError, match="不绑定检查"):
        parse_rubric(data, "bad.yaml", catalogue())


def test_diff_shows_renumbering_points_and_the_dropped_rule():
    changes = {(c.old or c.new).id if c.old else c.new.id: c for c in diff(T2017, T2018)}
    guide = changes["township-2017.2.2"]
    assert guide.change == "changed" and guide.new.id == "township-2018.2.3" and "序号 2.2 → 2.3" in guide.what
    assert [(r.change, r.old.id) for r in guide.rules] == [("removed", "township-2017.2.2.b")]
    assert "分值 15 → 13" in changes["township-2017.2.5"].what
    added = sorted(c.new.id for c in changes.values() if c.change == "added")
    assert added == ["township-2018.1.6", "township-2018.2.2"]
    assert changes["township-2017.1.1"].change == "same"
