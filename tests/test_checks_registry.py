"""The check registry against the rubric files: coverage, bindings, subject keys, and the human-only guard."""

from __future__ import annotations

import pytest

from checks import proactive, township_public_items
from checks.base import Check, CheckContext, Finding, Role, Subject
from checks.registry import REGISTRY, catalogue, checks, rubrics, run_checks
from crawler.record import PageRecord
from rubrics.model import Automation, Outcome
from zwgk.store.migrations import v4_subject_key

RUBRICS = rubrics()


def served(rubric) -> set[str]:
    return {rid for c in checks() for rid in rubric.bindings(c.id).values()}


def test_registry_keys_are_the_declared_ids_and_titles_are_distinct():
    assert list(REGISTRY) == [m.CHECK.id for m in REGISTRY.values()]
    titles = [c.title for c in checks()]
    assert len(set(titles)) == len(titles)


def test_every_check_module_documents_itself():
    for module in REGISTRY.values():
        doc = module.__doc__ or ""
        assert "Rubric clause" in doc and "Outcome" in doc and "Roles:" in doc and "Subject key" in doc, module.__name__
        for role in module.CHECK.roles:
            assert f"``{role}``" in doc, (module.__name__, role)


@pytest.mark.parametrize("rubric_id", sorted(RUBRICS))
def test_every_indicator_is_served_or_manual(rubric_id):
    rubric = RUBRICS[rubric_id]
    bound = served(rubric)
    unserved = [
        ind.id for ind in rubric.indicators
        if ind.automation is not Automation.MANUAL and not any(r.id in bound for r in ind.rules)
    ]
    assert unserved == []


def test_every_role_of_every_check_is_bound_by_some_shipped_rubric():
    bound = {b for rubric in RUBRICS.values() for ind in rubric.indicators for r in ind.rules for b in r.checks}
    offered = {f"{cid}.{role}" for cid, roles in catalogue().items() for role in roles}
    assert bound == offered


def test_checks_name_no_rubric_id():
    for module in REGISTRY.values():
        source = open(module.__file__, encoding="utf-8").read()
        assert "-2017" not in source, module.__name__


def test_taxonomies_cover_every_item_of_both_rubrics():
    for rubric in RUBRICS.values():
        for check, role, table in ((proactive, "categories", proactive.TAXONOMY),
                                   (township_public_items, "items", township_public_items.ITEMS)):
            rule_id = rubric.bindings(check.CHECK.id).get(role)
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


POLICY = _page("http://x.gov.cn/zcwj/关于印发办法的通知.html", title="关于印发某办法的通知", kind="policy",
               pub_date="2017-05-02")


@pytest.mark.parametrize("kind", ["township", "department"])
def test_human_only_rules_are_never_failed(kind):
    ctx = _ctx(kind, [LITIGATION_REPORT])
    findings = run_checks(ctx)
    human = [f for f in findings if ctx.rubric.find_rule(f.rule_id)[1].human_only]
    assert human and all(f.outcome is not Outcome.FAIL for f in human)
    assert {f.count for f in human} == {3}


def test_a_check_that_fails_a_human_only_rule_is_stopped():
    rubric = RUBRICS["department-2017"]
    # a check may fail what it finds; on a rule the rubric marks human-only the guard stops it
    bad = Check("annual_report", "坏检查", {role: Role("x") for role in rubric.bindings("annual_report")},
                lambda ctx, roles: [Finding("annual_report", roles["litigation"], Subject("s", "s"), Outcome.FAIL, 1, "m", {})])
    assert rubric.find_rule(rubric.bindings("annual_report")["litigation"])[1].human_only
    with pytest.raises(ValueError, match="human-only"):
        bad(_ctx("department", []))


def test_a_rubric_binding_a_role_the_check_does_not_offer_is_stopped():
    narrow = Check("guide", "指南", {"exists": Role("x")}, lambda ctx, roles: [])
    with pytest.raises(ValueError, match="does not offer"):
        narrow(_ctx("department", []))  # department-2017 also binds guide.updated


def test_subject_keys_are_ascii_and_the_migration_maps_todays_labels_to_them():
    """Every subject a check reports today: an ASCII key, and the v4 migration (which re-keyed the v3
    findings, whose subject was today's label) computes the same key from the label."""
    for kind in ("township", "department"):
        for records, status in (([LITIGATION_REPORT, POLICY], None), ([], None), ([], "failed")):
            ctx = _ctx(kind, records, crawl_status=status, crawl_reason="站点无法访问" if status else None)
            for f in run_checks(ctx):
                assert f.subject.key.isascii(), f
                if status != "failed":
                    assert v4_subject_key(f.check_id, f.subject.label) == f.subject.key, f


@pytest.mark.parametrize("kind", ["township", "department"])
def test_failed_crawl_gives_could_not_assess_on_every_served_rule(kind):
    ctx = _ctx(kind, [], crawl_status="failed", crawl_reason="站点无法访问")
    findings = run_checks(ctx)
    assert {f.rule_id for f in findings} == served(ctx.rubric)
    assert all(f.outcome is Outcome.COULD_NOT_ASSESS and "站点无法访问" in f.message for f in findings)
    fingerprints = [f.to_store_dict(ctx.rubric.id, ctx.period, "u")["fingerprint"] for f in findings]
    assert len(set(fingerprints)) == len(fingerprints)


@pytest.mark.parametrize("kind", ["township", "department"])
def test_an_empty_site_proposes_for_review_and_never_fails(kind):
    findings = run_checks(_ctx(kind, []))
    assert findings and not [f for f in findings if f.outcome is Outcome.FAIL]
    assert all("searched" in f.evidence for f in findings)
