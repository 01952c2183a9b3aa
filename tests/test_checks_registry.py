"""The check registry against the rubric files: coverage, declared rules, and the human-only guard."""

from __future__ import annotations

import pytest

from checks import proactive, township_public_items
from checks.base import Check, CheckContext, Finding
from checks.registry import REGISTRY, checks, run_checks
from crawler.record import PageRecord
from rubrics.engine import Outcome
from rubrics.loader import load_all
from rubrics.model import Automation

RUBRICS = load_all()


def test_registry_keys_are_the_declared_ids_and_titles_are_distinct():
    assert list(REGISTRY) == [m.CHECK.id for m in REGISTRY.values()]
    titles = [c.title for c in checks()]
    assert len(set(titles)) == len(titles)


def test_every_check_module_documents_itself():
    for module in REGISTRY.values():
        doc = module.__doc__ or ""
        assert "Rubric clause" in doc and "Outcome" in doc, module.__name__


@pytest.mark.parametrize("rubric_id", sorted(RUBRICS))
def test_every_indicator_is_served_or_manual(rubric_id):
    rubric = RUBRICS[rubric_id]
    served = {rid for c in checks() for rid in c.rules.get(rubric_id, {}).values()}
    unserved = [
        ind.id for ind in rubric.indicators
        if ind.automation is not Automation.MANUAL and not any(r.id in served for r in ind.rules)
    ]
    assert unserved == []


def test_every_declared_rule_exists_in_its_rubric():
    for check in checks():
        assert check.rules, check.id
        for rubric_id, roles in check.rules.items():
            assert rubric_id in RUBRICS, (check.id, rubric_id)
            for rule_id in roles.values():
                assert RUBRICS[rubric_id].has_id(rule_id), (check.id, rule_id)
                assert rule_id.startswith(rubric_id + "."), (check.id, rule_id)


def test_checks_never_serve_manual_indicators():
    for check in checks():
        for rubric_id, roles in check.rules.items():
            for rule_id in roles.values():
                ind, _ = RUBRICS[rubric_id].find_rule(rule_id)
                assert ind.automation is not Automation.MANUAL, (check.id, rule_id)


def test_taxonomies_cover_every_item_of_both_rubrics():
    for rubric in RUBRICS.values():
        for check, role, table in ((proactive, "categories", proactive.TAXONOMY),
                                   (township_public_items, "items", township_public_items.ITEMS)):
            rule_id = check.CHECK.rules.get(rubric.id, {}).get(role)
            if rule_id:
                _, rule = rubric.find_rule(rule_id)
                assert set(rule.items) <= set(table), (rubric.id, set(rule.items) - set(table))


def _ctx(kind: str, records: list[PageRecord], **kw) -> CheckContext:
    rubric = next(r for r in RUBRICS.values() if r.kind == kind)
    unit = {"id": "u", "name": "测试单位", "kind": kind, "subunits": []}
    return CheckContext(unit=unit, period=rubric.year, rubric=rubric, records=records, **kw)


def _page(url: str, **kw) -> PageRecord:
    return PageRecord(url=url, final_url=url, status=200, content_type="text/html", encoding="utf-8", body_sha256="0" * 64, **kw)


LITIGATION_REPORT = _page(
    "http://x.gov.cn/nb/1.html", title="测试单位2016年政府信息公开工作年度报告", kind="annual_report", pub_date="2017-03-01",
    extras={"annual_report": {"year": 2016, "format": "free",
                              "stats": {"received": 9, "overdue": 3, "review_cases": 2, "lawsuits": 1}}},
)


@pytest.mark.parametrize("kind", ["township", "department"])
def test_human_only_rules_are_never_failed(kind):
    ctx = _ctx(kind, [LITIGATION_REPORT])
    findings = run_checks(ctx)
    human = [f for f in findings if ctx.rubric.find_rule(f.rule_id)[1].human_only]
    assert human and all(f.outcome is not Outcome.FAIL for f in human)
    assert {f.count for f in human} == {3}


def test_a_check_that_fails_a_human_only_rule_is_stopped():
    rubric = RUBRICS["department-2017"]
    bad = Check("bad", "坏检查", {rubric.id: {"x": "department-2017.2.6.b"}},
                lambda ctx, roles: [Finding("bad", roles["x"], "s", Outcome.FAIL, 1, "m", {})])
    with pytest.raises(ValueError, match="human-only"):
        bad(_ctx("department", []))


@pytest.mark.parametrize("kind", ["township", "department"])
def test_failed_crawl_gives_could_not_assess_on_every_served_rule(kind):
    ctx = _ctx(kind, [], crawl_status="failed", crawl_reason="站点无法访问")
    findings = run_checks(ctx)
    served = {rid for c in checks() for rid in c.rules.get(ctx.rubric.id, {}).values()}
    assert {f.rule_id for f in findings} == served
    assert all(f.outcome is Outcome.COULD_NOT_ASSESS and "站点无法访问" in f.message for f in findings)
    fingerprints = [f.to_store_dict(ctx.rubric.id, ctx.period, "u")["fingerprint"] for f in findings]
    assert len(set(fingerprints)) == len(fingerprints)


@pytest.mark.parametrize("kind", ["township", "department"])
def test_an_empty_site_proposes_for_review_and_never_fails(kind):
    findings = run_checks(_ctx(kind, []))
    assert findings and not [f for f in findings if f.outcome is Outcome.FAIL]
    assert all("searched" in f.evidence for f in findings)
