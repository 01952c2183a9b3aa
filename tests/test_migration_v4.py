"""Migration 4: findings written under the v3 subjects (display text) are re-keyed to the stable ASCII
subject keys, and the decisions and unit disputes on them move along, so that no decision is detached."""

from __future__ import annotations

import hashlib
import sqlite3

import pytest

from checks.base import CheckContext
from checks.registry import get_rubric, run_checks
from crawler.record import PageRecord
from rubrics.engine import Status, score
from zwgk.store.migrations import LATEST_VERSION, MIGRATIONS
from zwgk.store import Store

UNIT = {"id": "edu", "name": "市教育局", "kind": "department", "subunits": []}
POLICY_URL = "http://x.gov.cn/zcwj/关于印发办法的通知.html"


def v3_fingerprint(rubric_id: str, period: int, unit_id: str, rule_id: str, subject: str) -> str:
    """The fingerprint as v3 wrote it: the same formula over the display subject."""
    return hashlib.sha256("\x1f".join([rubric_id, str(period), unit_id, rule_id, subject]).encode()).hexdigest()


# (check, rule, v3 subject, outcome, count) as the v3 checks recorded them for this unit
V3_FINDINGS = [
    ("guide", "department-2017.2.2.a", "政府信息公开指南", "needs_review", 1),
    ("annual_report", "department-2017.2.2.c", "2016年度报告", "needs_review", 1),
    ("annual_report", "department-2017.2.6.a", "依申请公开统计", "needs_review", 0),
    ("interpretation", "department-2017.2.3.a", POLICY_URL, "needs_review", 1),
    ("service_guide", "department-2017.3.2.a", "办事指南", "needs_review", 1),
    ("work_plan", "department-2017.2.1.a", "2017年政务公开工作要点", "needs_review", 1),
]


@pytest.fixture
def v3_db(tmp_path):
    """A v3 database with findings, a decision on each proposal and a unit's dispute, all on v3 keys."""
    path = tmp_path / "zwgk.db"
    store = Store.open(path, migrations=MIGRATIONS[:3])
    assert store.schema_version() == 3
    store.upsert_units([UNIT])
    run_id = store.start_run("check", period=2017)
    now = store.now()
    c = store._conn
    # rows as v3 wrote them (today's store methods also write tables of later migrations)
    c.execute("INSERT INTO users (username, role, units, password_hash, created_at) VALUES "
              "('zhang', 'assessor', '[]', 'x', ?), ('edu-user', 'unit', '[\"edu\"]', 'x', ?)", (now, now))
    c.execute("INSERT INTO run_units (run_id, unit_id, period, rubric_id, recorded_at) VALUES (?, 'edu', 2017, "
              "'department-2017', ?)", (run_id, now))
    for check_id, rule_id, subject, outcome, count in V3_FINDINGS:
        fp = v3_fingerprint("department-2017", 2017, "edu", rule_id, subject)
        c.execute("INSERT INTO findings (run_id, unit_id, period, rubric_id, fingerprint, rule_id, check_id, subject, "
                  "outcome, count, message, evidence, evidence_hash, created_at) VALUES "
                  "(?, 'edu', 2017, 'department-2017', ?, ?, ?, ?, ?, ?, 'm', '{}', 'h', ?)",
                  (run_id, fp, rule_id, check_id, subject, outcome, count, now))
        c.execute("INSERT INTO decisions (fingerprint, unit_id, period, action, reason, by_user, at, evidence_hash) "
                  "VALUES (?, 'edu', 2017, 'confirm', 'v3 decision', 'zhang', ?, 'h')", (fp, now))
    c.execute("INSERT INTO web_disputes (fingerprint, unit_id, period, comment, by_user, at) VALUES (?, 'edu', 2017, "
              "'已公开', 'edu-user', ?)", (v3_fingerprint("department-2017", 2017, "edu", "department-2017.2.2.a", "政府信息公开指南"), now))
    store.close()
    return path


def test_findings_decisions_and_disputes_are_rekeyed(v3_db):
    store = Store.open(v3_db)
    assert store.schema_version() == LATEST_VERSION  # v4 re-keyed, and the later ones ran on top
    rows = store._conn.execute("SELECT check_id, rule_id, subject, subject_key, fingerprint FROM findings").fetchall()
    keys = {(r[0], r[2]): r[3] for r in rows}
    assert keys == {
        ("guide", "政府信息公开指南"): "disclosure-guide",
        ("annual_report", "2016年度报告"): "annual-report/2016",
        ("annual_report", "依申请公开统计"): "annual-report/application-stats",
        ("interpretation", POLICY_URL): "http://x.gov.cn/zcwj/%E5%85%B3%E4%BA%8E%E5%8D%B0%E5%8F%91%E5%8A%9E%E6%B3%95"
                                        "%E7%9A%84%E9%80%9A%E7%9F%A5.html",
        ("service_guide", "办事指南"): "service-guides",
        ("work_plan", "2017年政务公开工作要点"): "work-plan/2017",
    }
    new_fps = {r[4] for r in rows}
    decided = {d.fingerprint for d in store.decisions("edu", 2017)}
    assert decided == new_fps  # every decision moved with its finding; none left on an old fingerprint
    disputes = [r[0] for r in store._conn.execute("SELECT fingerprint FROM web_disputes")]
    guide_fp = next(r[4] for r in rows if r[0] == "guide")
    assert disputes == [guide_fp]
    # the audit log (migration 5) copied the decisions in after the re-keying: it names the new fingerprints
    audited = {r[0] for r in store._conn.execute("SELECT target FROM audit_events WHERE action LIKE 'decision.%'")}
    assert audited == new_fps
    # the append-only guards are back
    with pytest.raises(sqlite3.DatabaseError, match="只能追加"):
        store._conn.execute("UPDATE decisions SET reason = 'x'")
    with pytest.raises(sqlite3.DatabaseError, match="只能追加"):
        store._conn.execute("UPDATE web_disputes SET comment = 'x'")
    store.close()


def test_todays_checks_find_the_decisions_taken_under_v3(v3_db):
    """The findings the current checks produce for the same situation carry the re-keyed fingerprints, so
    the v3 decisions apply to them: nothing is back in the review queue."""
    store = Store.open(v3_db)
    policy = PageRecord(url=POLICY_URL, final_url=POLICY_URL, status=200, content_type="text/html", encoding="utf-8",
                        body_sha256="0", kind="policy", pub_date="2017-05-02", title="关于印发某办法的通知")
    rubric = get_rubric("department-2017")
    ctx = CheckContext(unit=UNIT, period=2017, rubric=rubric, records=[policy])
    today = [f.to_store_dict(rubric.id, 2017, "edu") for f in run_checks(ctx)]
    stored = {r[0] for r in store._conn.execute("SELECT fingerprint FROM findings")}
    for check_id, rule_id, *_ in V3_FINDINGS:
        match = [f for f in today if f["check_id"] == check_id and f["rule_id"] == rule_id]
        assert match and match[0]["fingerprint"] in stored, (check_id, rule_id)
    run_id = store.start_run("check", period=2017)
    store.record_findings(run_id, "edu", 2017, rubric.id, today)
    sheet = score(rubric, "edu", 2017, store.proposals("edu", 2017), store.decisions("edu", 2017))
    by_rule = {d.rule_id: d for ind in sheet.indicators for d in ind.deductions}
    for _, rule_id, _, outcome, count in V3_FINDINGS:
        if rule_id in by_rule:
            assert by_rule[rule_id].status is Status.CONFIRMED, rule_id
    assert {"department-2017.2.2.a", "department-2017.2.3.a", "department-2017.3.2.a"} <= set(by_rule)
    store.close()
