"""A later rubric year is a file, nothing else: a made-up 2018-style township rubric
(tests/fixtures/rubrics/township-2018.yaml: indicators renumbered, points changed, a rule dropped, a new
indicator served by an existing check, a manual-only indicator) loads, validates its bindings, gets
findings from the existing checks and scores; the newest rubric in force applies to later periods."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from checks.base import CheckContext
from checks.registry import catalogue, get_rubric, run_checks
from crawler.record import PageRecord
from rubrics.diff import diff
from rubrics.engine import Proposal, score
from rubrics.loader import RubricError, in_force, load_rubric_file, parse_rubric
from rubrics.model import Automation, Outcome

FIXTURE = Path(__file__).parent / "fixtures" / "rubrics" / "township-2018.yaml"
T2017 = get_rubric("township-2017")
T2018 = load_rubric_file(FIXTURE, catalogue())


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


# --- end to end: the fixture installed as a file, a stored period re-scored under it ------------------


@pytest.fixture
def installed(tmp_path, monkeypatch):
    """The shipped rubric folder plus the 2018 fixture, as a user adding a file would have it."""
    from rubrics import loader

    folder = tmp_path / "rubrics"
    folder.mkdir()
    for path in loader.rubric_dir().glob("*.yaml"):
        (folder / path.name).write_bytes(path.read_bytes())
    (folder / FIXTURE.name).write_bytes(FIXTURE.read_bytes())
    monkeypatch.setattr(loader, "rubric_dir", lambda: folder)
    loader._load_dir.cache_clear()
    yield folder
    loader._load_dir.cache_clear()


@pytest.fixture
def checked_store(tmp_path):
    """A township checked for 2018 under the rubric in force (township-2018 once installed) from stored
    pages, with one decision taken."""
    from crawler.items import FetchedPage
    from zwgk.services.stores import crawl_store
    from zwgk.store import Store

    store = Store.open(tmp_path / "db" / "zwgk.db")
    store.upsert_units([{"id": "xinshi-town", "name": "新市镇人民政府", "kind": "township"}])
    store.add_user("zhang", "assessor", "pw-123456")
    cs = crawl_store(store)
    run_id = store.start_run("crawl")
    for r in RECORDS:
        sha = cs.record_fetch(run_id, FetchedPage(unit_id="xinshi-town", url=r.url, final_url=r.url, status=200,
                                                  headers={"content-type": "text/html; charset=utf-8"},
                                                  body=r.url.encode(), role="detail",
                                                  fetched_at="2018-12-01T00:00:00+00:00"))
        cs.save_record("xinshi-town", PageRecord(**{**r.__dict__, "body_sha256": sha}))
    cs.set_unit_status(run_id, "xinshi-town", "complete", [], {})
    yield store, cs
    store.close()


def test_a_new_file_takes_over_later_periods_and_a_period_is_rescored_without_crawling(installed, checked_store):
    from rubrics.engine import Action
    from zwgk.services import checking
    from zwgk.services.review import decide
    from zwgk.services.rubric_choice import rubric_of
    from zwgk.services.scoring import score_unit, scored

    store, cs = checked_store
    assert rubric_of(store.get_unit("xinshi-town"), 2026).id == "township-2018"
    _, results = checking.check_units(store, cs, ["xinshi-town"], 2018)
    assert results[0].rubric_id == "township-2018"
    sheet, _, findings = scored(store, "xinshi-town", 2018)
    assert sheet.rubric.id == "township-2018" and all(f["rubric_id"] == "township-2018" for f in findings)
    fp = next(d.fingerprint for i in sheet.indicators for d in i.deductions if d.rule_id == "township-2018.2.6.a")
    decide(store, fp, Action.REJECT, "zhang", reason="栏目齐全")
    rows_before = store._conn.execute("SELECT count(*) FROM findings").fetchone()[0]

    # the same stored evidence under the 2017 rubric: re-scored in memory, nothing crawled or written
    old, _, old_findings = scored(store, "xinshi-town", 2018, "township-2017")
    assert old.rubric.id == "township-2017" and old.rubric.applied_label == "按2017年细则评估"
    assert {f["rubric_id"] for f in old_findings} == {"township-2017"}
    assert any(d.rule_id == "township-2017.2.5.a" for i in old.indicators for d in i.deductions)
    assert store._conn.execute("SELECT count(*) FROM findings").fetchone()[0] == rows_before
    assert store.current_rubric_id("xinshi-town", 2018) == "township-2018"

    # and back: the decision under 2018 still stands
    again, _ = score_unit(store, "xinshi-town", 2018)
    rejected = next(d for i in again.indicators for d in i.deductions if d.fingerprint == fp)
    assert rejected.status.value == "rejected"


def test_rubric_diff_and_list_on_the_installed_file(installed, capsys):
    from zwgk.cli import main

    assert main(["rubric", "diff", "township-2017", "township-2018"]) == 0
    out = capsys.readouterr().out
    assert "+ 2.2 政策解读（2分）：新增指标" in out and "删除规则“公开部门不全面的扣1分”" in out
    assert main(["rubric", "list", "--json"]) == 0
    import json

    listed = {r["id"]: r["periods"] for r in json.loads(capsys.readouterr().out)["rubrics"]}
    assert listed["township-2018"] == {"from": 2018, "until": None}


def test_diff_against_a_file_not_yet_installed_and_the_bindable_roles(capsys):
    import json

    from checks.registry import catalogue
    from zwgk.cli import main

    assert main(["rubric", "diff", "township-2017", str(FIXTURE), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert (doc["from"], doc["to"]) == ("township-2017", "township-2018")
    assert sum(1 for c in doc["indicators"] if c["change"] == "added") == 2
    assert main(["rubric", "checks", "--json"]) == 0
    listed = {r["binding"] for c in json.loads(capsys.readouterr().out)["checks"] for r in c["roles"]}
    assert listed == {f"{cid}.{role}" for cid, roles in catalogue().items() for role in roles}


def test_a_new_item_no_check_can_read_is_for_review_never_a_failure():
    """A later rubric adds an element to the 办事指南 list and a category to 主动公开: the checks cannot look for
    them, so they are named for a person, never failed."""
    from checks.registry import catalogue
    from crawler.understand.service_guide import ELEMENTS

    data = _variant()
    for cat in data["categories"]:
        for ind in cat["indicators"]:
            for rule in ind["rules"]:
                if rule.get("check") == "service_guide.elements":
                    rule["items"] = [*rule["items"], "容缺受理"]
                if rule.get("check") == "proactive.categories":
                    rule["items"] = [*rule["items"], "营商环境信息"]
    rubric = parse_rubric(data, "variant.yaml", catalogue())
    guide = _page("http://x.gov.cn/bszn/1.html", title="某事项办事指南", kind="service_guide",
                  extras={"service_guide": {"elements": {e: {"state": "present", "value": "有"} for e in ELEMENTS}}})
    ctx = CheckContext(unit={"id": "xinshi-town", "name": "新市镇人民政府", "kind": "township", "subunits": []},
                       period=2018, rubric=rubric, records=[guide])
    findings = {f.rule_id: f for f in run_checks(ctx)}
    elements = findings[rubric.bindings("service_guide")["elements"]]
    assert elements.outcome is Outcome.NEEDS_REVIEW and elements.count == 1
    assert list(elements.evidence["uncertain"]) == ["容缺受理"] and elements.evidence["missing"] == {}
    proactive = findings[rubric.bindings("proactive")["categories"]]
    assert proactive.outcome is Outcome.NEEDS_REVIEW
    assert proactive.evidence["searched"]["unknown_categories"] == ["营商环境信息"]


def test_two_installed_rubrics_of_one_kind_starting_the_same_year_are_refused(installed):
    from rubrics import loader

    twin = FIXTURE.read_text(encoding="utf-8").replace("township-2018", "township-2018b")
    (installed / "township-2018b.yaml").write_text(twin, encoding="utf-8")
    loader._load_dir.cache_clear()
    with pytest.raises(RubricError, match="同年（2018）起用"):
        loader.load_all()
