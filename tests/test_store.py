"""Tests of the store: schema and migrations, append-only records, validation, and the engine inputs."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest

from rubrics.engine import Action, Decision, Determination, ManualEntry, Proposal
from rubrics.model import Outcome
from zwgk.store.migrations import LATEST_VERSION, MIGRATIONS, Migration
from zwgk.store import ANY, StaleEditError, Store, StoreError, canonical_json, default_db_path, evidence_hash

UNIT = "unit-a"
PERIOD = 2017
RUBRIC = "township-2017"


class FakeClock:
    """Starts at 2024-01-01T00:00:00Z and advances one second per reading."""

    def __init__(self) -> None:
        self.t = datetime(2024, 1, 1, tzinfo=timezone.utc)

    def __call__(self) -> datetime:
        now = self.t
        self.t += timedelta(seconds=1)
        return now


def fp(n: int | str) -> str:
    return hashlib.sha256(str(n).encode()).hexdigest()


def finding(fingerprint: str, outcome: str = "fail", rule_id: str = "township-2017.1.1.a", **kw) -> dict:
    return {
        "fingerprint": fingerprint,
        "rule_id": rule_id,
        "check_id": "demo_check",
        "subject": kw.pop("subject", "http://example.gov.cn/guide"),
        "outcome": outcome,
        "count": kw.pop("count", 1),
        "message": kw.pop("message", "未公开指南"),
        "evidence": kw.pop("evidence", {"url": "http://example.gov.cn/", "searched": ["指南"]}),
        **kw,
    }


@pytest.fixture
def store(tmp_path: Path):
    with Store.open(tmp_path / "zwgk.db", clock=FakeClock()) as s:
        s.add_user("alice", "assessor", "pw-alice", display_name="张三")
        s.add_user("bob", "assessor", "pw-bob")
        yield s


def record(store: Store, findings: list[dict], unit: str = UNIT, period: int = PERIOD) -> int:
    run = store.start_run("check", period)
    store.record_findings(run, unit, period, RUBRIC, findings)
    store.finish_run(run, "ok", {"findings": len(findings)})
    return run


# ---------------------------------------------------------------- opening, pragmas, migrations


def test_open_creates_parent_dirs_and_sets_pragmas(tmp_path: Path):
    path = tmp_path / "a" / "b" / "zwgk.db"
    with Store.open(path) as s:
        assert path.exists()
        assert s._conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert s._conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert s._conn.execute("PRAGMA busy_timeout").fetchone()[0] > 0


def test_migrations_apply_once_and_reopen_is_idempotent(tmp_path: Path):
    path = tmp_path / "zwgk.db"
    with Store.open(path, clock=FakeClock()) as s:
        assert s.schema_version() == LATEST_VERSION
        first = s._conn.execute("SELECT version, applied_at FROM schema_migrations ORDER BY version").fetchall()
        assert [v for v, _ in first] == [m.version for m in MIGRATIONS]
        assert first[0][1] == "2024-01-01T00:00:00+00:00"
        s.add_user("alice", "assessor", "pw")
    later = lambda: datetime(2030, 1, 1, tzinfo=timezone.utc)  # noqa: E731
    with Store.open(path, clock=later) as s:
        again = s._conn.execute("SELECT version, applied_at FROM schema_migrations ORDER BY version").fetchall()
        assert again == first  # not re-applied, not re-recorded
        assert s.get_user("alice") is not None  # data kept


def test_failed_migration_rolls_back_alone(tmp_path: Path):
    path = tmp_path / "zwgk.db"
    bad = Migration(len(MIGRATIONS) + 1, "broken", ["CREATE TABLE extra (x)", "SELECT * FROM no_such_table"])
    with pytest.raises(sqlite3.OperationalError):
        Store.open(path, migrations=(*MIGRATIONS, bad))
    with Store.open(path) as s:
        assert s.schema_version() == LATEST_VERSION  # the earlier migrations stayed applied
        assert "extra" not in s._db.table_names()  # the broken one left nothing behind
    good = Migration(len(MIGRATIONS) + 1, "extra table", ["CREATE TABLE extra (x)"])
    with Store.open(path, migrations=(*MIGRATIONS, good)) as s:
        assert s.schema_version() == LATEST_VERSION + 1
        assert "extra" in s._db.table_names()


def test_newer_schema_refuses_to_open(tmp_path: Path):
    path = tmp_path / "zwgk.db"
    Store.open(path).close()
    conn = sqlite3.connect(path)
    conn.execute("INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)", (LATEST_VERSION + 5, "x"))
    conn.commit()
    conn.close()
    with pytest.raises(StoreError, match="高于本程序支持的版本") as exc:
        Store.open(path)
    assert str(LATEST_VERSION + 5) in str(exc.value)


def test_default_db_path(monkeypatch, tmp_path: Path):
    monkeypatch.delenv("ZWGK_HOME", raising=False)
    assert default_db_path() == Path("var") / "zwgk.db"
    monkeypatch.setenv("ZWGK_HOME", str(tmp_path / "home"))
    assert default_db_path() == tmp_path / "home" / "zwgk.db"


def test_close_closes_connection(tmp_path: Path):
    s = Store.open(tmp_path / "zwgk.db")
    s.close()
    with pytest.raises(sqlite3.ProgrammingError):
        s.list_users()


# ---------------------------------------------------------------- append-only


def test_append_only_tables_refuse_update_and_delete(store: Store):
    record(store, [finding(fp(1))])
    store.add_decision(fp(1), UNIT, PERIOD, "confirm", "alice")
    store.add_manual_entry(UNIT, PERIOD, RUBRIC, "township-2017.1.1.b", 1, "未列入分工", "alice")
    store.add_determination(UNIT, PERIOD, "township-2017.1.2", "本单位无此职能", "alice")
    for table, column in (("decisions", "by_user"), ("manual_entries", "reason"), ("determinations", "reason")):
        before = store._conn.execute(f"SELECT * FROM {table}").fetchall()
        assert len(before) == 1
        with pytest.raises(sqlite3.IntegrityError, match="只能追加"):
            store._conn.execute(f"UPDATE {table} SET {column} = 'bob'")
        with pytest.raises(sqlite3.IntegrityError, match="只能追加"):
            store._conn.execute(f"DELETE FROM {table}")
        assert store._conn.execute(f"SELECT * FROM {table}").fetchall() == before


# ---------------------------------------------------------------- users


def test_user_validation(store: Store):
    with pytest.raises(StoreError, match="已存在"):
        store.add_user("alice", "assessor", "x")
    with pytest.raises(StoreError, match="未知的角色"):
        store.add_user("carol", "boss", "x")
    with pytest.raises(StoreError, match="密码不能为空"):
        store.add_user("carol", "assessor", "")
    with pytest.raises(StoreError, match="须指定所属单位"):
        store.add_user("carol", "unit", "x")
    with pytest.raises(StoreError, match="用户名不能为空"):
        store.add_user("  ", "assessor", "x")
    assert store.get_user("carol") is None
    store.add_user("carol", "unit", "x", units=["unit-a", "unit-b"])
    carol = store.get_user("carol")
    assert carol["units"] == ["unit-a", "unit-b"] and carol["role"] == "unit" and carol["disabled"] is False
    assert "password_hash" not in carol
    assert [u["username"] for u in store.list_users()] == ["alice", "bob", "carol"]
    assert store.get_user("alice")["display_name"] == "张三"


def test_require_active_user(store: Store):
    assert store.require_active_user("alice")["username"] == "alice"
    with pytest.raises(StoreError, match="用户 nobody 不存在或已停用"):
        store.require_active_user("nobody")
    store.disable_user("bob")
    assert store.get_user("bob")["disabled"] is True
    with pytest.raises(StoreError, match="用户 bob 不存在或已停用"):
        store.require_active_user("bob")
    with pytest.raises(StoreError, match="不存在"):
        store.disable_user("nobody")


def test_passwords(store: Store):
    stored = store._conn.execute("SELECT password_hash FROM users WHERE username = 'alice'").fetchone()[0]
    assert stored.startswith("$argon2") and "pw-alice" not in stored
    assert store.verify_password("alice", "pw-alice") is True
    assert store.verify_password("alice", "wrong") is False
    assert store.verify_password("nobody", "pw-alice") is False
    store.set_password("alice", "new-pw")
    assert store.verify_password("alice", "pw-alice") is False
    assert store.verify_password("alice", "new-pw") is True
    with pytest.raises(StoreError, match="密码不能为空"):
        store.set_password("alice", "")
    with pytest.raises(StoreError, match="不存在"):
        store.set_password("nobody", "x")
    store.disable_user("alice")
    assert store.verify_password("alice", "new-pw") is False


# ---------------------------------------------------------------- units and runs


def test_units_upsert_and_get(store: Store):
    n = store.upsert_units(
        [
            {"id": "u1", "name": "某某镇", "kind": "township", "site": "http://a.gov.cn/", "subunits": ["x"]},
            {"id": "u2", "name": "某某局", "kind": "department"},
        ]
    )
    assert n == 2
    u1 = store.get_unit("u1")
    assert u1["name"] == "某某镇" and u1["site"] == "http://a.gov.cn/" and u1["subunits"] == ["x"]
    store.upsert_units([{"id": "u1", "name": "某某镇人民政府", "kind": "township"}])
    u1 = store.get_unit("u1")
    assert u1["name"] == "某某镇人民政府" and "site" not in u1
    assert [u["id"] for u in store.list_units()] == ["u1", "u2"]
    assert store.get_unit("nope") is None
    with pytest.raises(StoreError, match="类型"):
        store.upsert_units([{"id": "u3", "name": "x", "kind": "village"}])
    assert store.get_unit("u3") is None


def test_runs(store: Store):
    assert store.latest_run("check") is None
    r1 = store.start_run("check", PERIOD)
    r2 = store.start_run("check", PERIOD)
    store.start_run("crawl")
    assert store.latest_run("check")["id"] == r2
    assert store.latest_run("check")["status"] == "running"
    store.finish_run(r1, "ok", {"units": 3, "说明": "完成"})
    run = store.get_run(r1)
    assert run["status"] == "ok" and run["stats"] == {"units": 3, "说明": "完成"}
    assert run["finished_at"] is not None and run["finished_at"] > run["started_at"]
    with pytest.raises(StoreError, match="已于"):
        store.finish_run(r1, "ok", {})
    with pytest.raises(StoreError, match="不存在"):
        store.finish_run(999, "ok", {})


# ---------------------------------------------------------------- findings and proposals


def test_proposals_come_from_the_latest_run_only(store: Store):
    a, b, c, d = fp("a"), fp("b"), fp("c"), fp("d")
    run1 = record(
        store,
        [finding(a, "fail"), finding(b, "needs_review"), finding(c, "pass"), finding(d, "could_not_assess")],
    )
    props = store.proposals(UNIT, PERIOD)
    assert {p.fingerprint for p in props} == {a, b}
    assert all(isinstance(p, Proposal) for p in props)
    by_fp = {p.fingerprint: p for p in props}
    assert by_fp[b].outcome is Outcome.NEEDS_REVIEW
    first_a = store.finding_by_fingerprint(a)
    assert by_fp[a].evidence_ref == str(first_a["id"]) and first_a["run_id"] == run1
    assert len(store.current_findings(UNIT, PERIOD)) == 4

    run2 = record(store, [finding(a, "fail", evidence={"url": "changed"}), finding(c, "fail")])
    assert {p.fingerprint for p in store.proposals(UNIT, PERIOD)} == {a, c}
    current = store.current_findings(UNIT, PERIOD)
    assert {f["run_id"] for f in current} == {run2} and len(current) == 2
    assert store.finding_by_fingerprint(a)["run_id"] == run2
    # nothing deleted: the first run's findings are still there
    assert store._db["findings"].count == 6
    assert store.get_finding(first_a["id"])["evidence"]["searched"] == ["指南"]
    # b is no longer a current proposal, so it cannot be decided on
    with pytest.raises(StoreError, match="不是单位"):
        store.add_decision(b, UNIT, PERIOD, "confirm", "alice")

    # another unit and another period are not affected
    record(store, [finding(fp("other"))], unit="unit-b")
    assert {p.fingerprint for p in store.proposals(UNIT, PERIOD)} == {a, c}
    assert store.proposals(UNIT, PERIOD + 1) == []

    # a later run that found nothing for this unit empties the current view
    run3 = store.start_run("check", PERIOD)
    assert store.record_findings(run3, UNIT, PERIOD, RUBRIC, []) == []
    assert store.proposals(UNIT, PERIOD) == [] and store.current_findings(UNIT, PERIOD) == []


def test_evidence_hash_default_and_explicit(store: Store):
    evidence = {"url": "http://x.gov.cn/", "excerpt": "办事指南", "pages": 3}
    record(store, [finding(fp(1), evidence=evidence), finding(fp(2), evidence_hash="given")])
    expected = hashlib.sha256(
        json.dumps(evidence, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()
    ).hexdigest()
    assert evidence_hash(evidence) == expected
    assert canonical_json({"b": 1, "a": "中"}) == '{"a":"中","b":1}'
    assert store.finding_by_fingerprint(fp(1))["evidence_hash"] == expected
    assert store.finding_by_fingerprint(fp(1))["evidence"] == evidence
    assert store.finding_by_fingerprint(fp(2))["evidence_hash"] == "given"


def test_record_findings_is_one_transaction(store: Store):
    run = store.start_run("check", PERIOD)
    with pytest.raises(StoreError, match="结论"):
        store.record_findings(run, UNIT, PERIOD, RUBRIC, [finding(fp(1)), finding(fp(2), "maybe")])
    with pytest.raises(StoreError, match="重复"):
        store.record_findings(run, UNIT, PERIOD, RUBRIC, [finding(fp(1)), finding(fp(1))])
    with pytest.raises(StoreError, match="次数"):
        store.record_findings(run, UNIT, PERIOD, RUBRIC, [finding(fp(1), count=-1)])
    assert store._db["findings"].count == 0
    assert store.current_findings(UNIT, PERIOD) == []
    store.record_findings(run, UNIT, PERIOD, RUBRIC, [finding(fp(1))])
    with pytest.raises(StoreError, match="同一指纹"):  # same run, same unit+period, same fingerprint
        store.record_findings(run, UNIT, PERIOD, RUBRIC, [finding(fp(2)), finding(fp(1))])
    assert [f["fingerprint"] for f in store.current_findings(UNIT, PERIOD)] == [fp(1)]
    with pytest.raises(StoreError, match="运行 999 不存在"):
        store.record_findings(999, UNIT, PERIOD, RUBRIC, [finding(fp(3))])


# ---------------------------------------------------------------- decisions


def test_stale_edit_refused_and_accepted(store: Store):
    record(store, [finding(fp(1))])
    first = store.add_decision(fp(1), UNIT, PERIOD, "confirm", "alice", expected_last=None)
    # bob looked before alice decided: he saw no decision
    with pytest.raises(StaleEditError, match="^已被他人修改") as exc:
        store.add_decision(fp(1), UNIT, PERIOD, "reject", "bob", reason="网站已公开", expected_last=None)
    assert isinstance(exc.value, StoreError) and "alice" in str(exc.value)
    assert store.latest_decision(fp(1)).seq == first
    # after refreshing he sees alice's decision and may act on it
    second = store.add_decision(fp(1), UNIT, PERIOD, "reject", "bob", reason="网站已公开", expected_last=first)
    assert second > first
    with pytest.raises(StaleEditError):
        store.add_decision(fp(1), UNIT, PERIOD, "reopen", "alice", expected_last=first)
    third = store.add_decision(fp(1), UNIT, PERIOD, "reopen", "alice", expected_last=ANY)
    latest = store.latest_decision(fp(1))
    assert latest.seq == third and latest.action is Action.REOPEN and latest.by == "alice"
    assert [d.seq for d in store.decisions(UNIT, PERIOD)] == [first, second, third]


def test_decision_validation(store: Store):
    record(store, [finding(fp(1)), finding(fp(2), "pass")])
    store.add_user("carol", "unit", "x", units=[UNIT])
    store.add_user("dave", "assessor", "x")
    store.disable_user("dave")
    cases = [
        (dict(action="reject"), "须填写理由"),
        (dict(action="reject", reason="  "), "须填写理由"),
        (dict(action="not_applicable"), "须填写理由"),
        (dict(action="amend", count=0), "须填写理由"),
        (dict(action="amend", reason="少扣"), "新的次数"),
        (dict(action="confirm", count=2), "只有“修改”"),
        (dict(action="amend", reason="x", points="0.3"), "0.5 的整数倍"),
        (dict(action="amend", reason="x", points="abc"), "不是有效的数"),
        (dict(action="amend", reason="x", count=-1), "非负整数"),
        (dict(action="approve"), "未知的决定类型"),
        (dict(action="confirm", by="nobody"), "用户 nobody 不存在或已停用"),
        (dict(action="confirm", by="dave"), "用户 dave 不存在或已停用"),
        (dict(action="confirm", by="carol"), "无权"),
        (dict(action="confirm", fingerprint=fp(2)), "不是单位"),  # a pass is no proposal
        (dict(action="confirm", fingerprint=fp(99)), "不是单位"),
        (dict(action="confirm", unit_id="unit-b"), "不是单位"),
        (dict(action="confirm", period=PERIOD + 1), "不是单位"),
    ]
    for case, message in cases:
        args = {"fingerprint": fp(1), "unit_id": UNIT, "period": PERIOD, "by": "alice", **case}
        with pytest.raises(StoreError, match=message):
            store.add_decision(**args)
    assert store._db["decisions"].count == 0
    # the valid forms go through
    store.add_decision(fp(1), UNIT, PERIOD, Action.AMEND, "alice", reason="只缺一项", count=1, expected_last=ANY)
    store.add_decision(fp(1), UNIT, PERIOD, "not_applicable", "alice", reason="无此职能", expected_last=ANY)
    assert [d.action for d in store.decisions(UNIT, PERIOD)] == [Action.AMEND, Action.NOT_APPLICABLE]


def test_decision_records_evidence_and_time(store: Store):
    record(store, [finding(fp(1), evidence={"url": "v1"})])
    store.add_decision(fp(1), UNIT, PERIOD, "confirm", "alice")
    d = store.latest_decision(fp(1))
    assert isinstance(d, Decision)
    assert d.evidence_hash == evidence_hash({"url": "v1"})  # taken on the current evidence by default
    assert datetime.fromisoformat(d.at).tzinfo is not None and d.at.endswith("+00:00")
    store.add_decision(fp(1), UNIT, PERIOD, "reopen", "alice", evidence_hash="explicit", expected_last=d.seq)
    assert store.latest_decision(fp(1)).evidence_hash == "explicit"
    assert store.latest_decision(fp(2)) is None


def test_decimal_round_trip(store: Store):
    record(store, [finding(fp(1))])
    store.add_decision(fp(1), UNIT, PERIOD, "amend", "alice", reason="按半分计", points=Decimal("1.5"))
    (d,) = store.decisions(UNIT, PERIOD)
    assert d.points == Decimal("1.5") and isinstance(d.points, Decimal) and d.count is None
    assert store._conn.execute("SELECT typeof(points), points FROM decisions").fetchone() == ("text", "1.5")
    assert store.decision_log()[0]["points"] == Decimal("1.5")
    manual = store.add_manual_entry(UNIT, PERIOD, RUBRIC, "township-2017.1.1.b", 2, "未列入分工", "alice", points="2.5")
    (m,) = store.manual_entries(UNIT, PERIOD)
    assert m.fingerprint == manual and m.points == Decimal("2.5") and isinstance(m.points, Decimal)
    store.add_manual_entry(UNIT, PERIOD, RUBRIC, "township-2017.1.1.c", 1, "未在网站公开", "alice")
    assert store.manual_entries(UNIT, PERIOD)[1].points is None


def test_decision_log(store: Store):
    record(store, [finding(fp(1), subject="某指南"), finding(fp(2))])
    store.add_decision(fp(1), UNIT, PERIOD, "confirm", "alice")
    store.add_decision(fp(2), UNIT, PERIOD, "reject", "bob", reason="已公开")
    store.add_decision(fp(1), UNIT, PERIOD, "reopen", "bob", expected_last=ANY)
    log = store.decision_log()
    assert [(e["fingerprint"], e["action"], e["by"]) for e in log] == [
        (fp(1), "reopen", "bob"),
        (fp(2), "reject", "bob"),
        (fp(1), "confirm", "alice"),
    ]
    assert log[2]["subject"] == "某指南" and log[2]["rule_id"] == "township-2017.1.1.a"
    assert [e["action"] for e in store.decision_log(by="alice")] == ["confirm"]
    assert store.decision_log(unit_id="unit-b") == []
    assert len(store.decision_log(unit_id=UNIT, period=PERIOD, limit=2)) == 2


# ---------------------------------------------------------------- manual entries and determinations


def test_manual_entries(store: Store):
    with pytest.raises(StoreError, match="须填写理由"):
        store.add_manual_entry(UNIT, PERIOD, RUBRIC, "township-2017.1.1.b", 1, "", "alice")
    with pytest.raises(StoreError, match="不存在或已停用"):
        store.add_manual_entry(UNIT, PERIOD, RUBRIC, "township-2017.1.1.b", 1, "理由", "nobody")
    with pytest.raises(StoreError, match="非负整数"):
        store.add_manual_entry(UNIT, PERIOD, RUBRIC, "township-2017.1.1.b", -2, "理由", "alice")
    assert store.manual_entries(UNIT, PERIOD) == []
    fingerprint = store.add_manual_entry(UNIT, PERIOD, RUBRIC, "township-2017.1.1.b", 1, "未列入分工", "alice")
    assert fingerprint.startswith("manual-") and len(fingerprint) == len("manual-") + 32
    (m,) = store.manual_entries(UNIT, PERIOD)
    assert isinstance(m, ManualEntry) and m.by == "alice" and m.reason == "未列入分工" and m.count == 1
    assert store.manual_entry_by_fingerprint(fingerprint)["unit_id"] == UNIT
    assert store.manual_entry_by_fingerprint("manual-none") is None
    # a manual entry can be decided on (e.g. rejected), but only within its own unit and period
    store.add_decision(fingerprint, UNIT, PERIOD, "reject", "bob", reason="录入有误")
    with pytest.raises(StoreError, match="不是单位"):
        store.add_decision(fingerprint, "unit-b", PERIOD, "confirm", "bob", expected_last=ANY)


def test_determinations(store: Store):
    with pytest.raises(StoreError, match="须填写理由"):
        store.add_determination(UNIT, PERIOD, "township-2017.1.2", " ", "alice")
    with pytest.raises(StoreError, match="不存在或已停用"):
        store.add_determination(UNIT, PERIOD, "township-2017.1.2", "理由", "nobody")
    first = store.add_determination(UNIT, PERIOD, "township-2017.1.2", "本单位无此职能", "alice")
    second = store.add_determination(UNIT, PERIOD, "township-2017.1.2", "认定有误", "bob", revoked=True)
    dets = store.determinations(UNIT, PERIOD)
    assert all(isinstance(d, Determination) for d in dets)
    assert [(d.seq, d.revoked, d.by) for d in dets] == [(first, False, "alice"), (second, True, "bob")]
    assert store.determinations(UNIT, PERIOD + 1) == []


# ---------------------------------------------------------------- fingerprints


def test_resolve_fingerprint(store: Store):
    a1 = "abcdef01" + "0" * 56
    a2 = "abcdef02" + "0" * 56
    c = "123456" + "f" * 58
    record(store, [finding(a1), finding(c)])
    record(store, [finding(a2)], unit="unit-b")
    manual = store.add_manual_entry(UNIT, PERIOD, RUBRIC, "township-2017.1.1.b", 1, "未列入分工", "alice")
    assert store.resolve_fingerprint("123456") == c
    assert store.resolve_fingerprint("ABCDEF01") == a1
    assert store.resolve_fingerprint("abcdef", unit_id="unit-b") == a2
    assert store.resolve_fingerprint(manual[:13]) == manual
    with pytest.raises(StoreError, match="不唯一"):
        store.resolve_fingerprint("abcdef")
    with pytest.raises(StoreError, match="找不到"):
        store.resolve_fingerprint("fedcba")
    with pytest.raises(StoreError, match="至少需要 6 位"):
        store.resolve_fingerprint("abcde")
    with pytest.raises(StoreError, match="至少需要 6 位"):
        store.resolve_fingerprint("abc%ef")


# ---------------------------------------------------------------- the engine reads what the store writes


def test_store_output_scores_in_the_engine(store: Store):
    from rubrics.engine import Status, score
    from rubrics.loader import get_rubric

    rubric = get_rubric(RUBRIC)
    record(
        store,
        [
            finding(fp(1), "fail", rule_id="township-2017.1.1.a"),
            finding(fp(2), "needs_review", rule_id="township-2017.1.1.b"),
        ],
    )
    store.add_decision(fp(1), UNIT, PERIOD, "confirm", "alice")
    sheet = score(
        rubric,
        UNIT,
        PERIOD,
        proposals=store.proposals(UNIT, PERIOD),
        decisions=store.decisions(UNIT, PERIOD),
        manual=store.manual_entries(UNIT, PERIOD),
        determinations=store.determinations(UNIT, PERIOD),
    )
    ind = next(i for i in sheet.indicators if i.indicator.id == "township-2017.1.1")
    statuses = {d.fingerprint: d.status for d in ind.deductions}
    assert statuses == {fp(1): Status.CONFIRMED, fp(2): Status.NEEDS_REVIEW}
    assert ind.provisional < ind.confirmed < ind.indicator.points
