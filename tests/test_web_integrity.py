"""The integrity of what an assessor signs (issue 15): strict parsing, amounts bounded by the rule, decisions
bound to the evidence shown, one audit log of every write, disputes answered, idempotent decisions, and the
sign-in hardening (throttling, timing, password policy, sessions, redirects, caching, file modes)."""

from __future__ import annotations

import io
import re
import stat

import pytest
from browser.webdata import PASSWORDS, PERIOD
from starlette.testclient import TestClient
from test_web import csrf_of, decisions_count, login, page_csrf, queue_values, shown

from zwgk.cli import main
from zwgk.store import Store
from zwgk.web import data
from zwgk.web.app import create_app
from zwgk.web.views import ROUTES

SECRET = "integrity-secret-" + "q" * 32


@pytest.fixture()
def world(web_db):
    db, built = web_db
    web = create_app(db, secret_key=SECRET, snapshot_loader=built["snapshots"].get)
    return {"db": db, "app": web, **built}


def events(db, action: str | None = None) -> list[dict]:
    with Store.open(db) as store:
        if action is None:
            return store._rows("SELECT * FROM audit_events ORDER BY id")
        return store._rows("SELECT * FROM audit_events WHERE action = ? ORDER BY id", (action,))


def decide(client, fp, **form):
    return client.post(f"/items/{fp}/decide", data={"csrf": page_csrf(client, "/queue"), **shown(client, fp), **form})


# ------------------------------------------------------------------------------------ strict parsing


@pytest.mark.parametrize("bad", ["²", "1e100", "9" * 30, "-1", "２０１７", "2017.0"])
def test_malformed_numbers_are_a_chinese_400_on_every_route(world, bad):
    fps = world["fps"]
    unit, assessor = login(world["app"], "xinshi"), login(world["app"], "pinggu")
    for url in (f"/units/xinshi-town?period={bad}",):
        r = unit.get(url)
        assert r.status_code == 400 and "请求有误" in r.text and "年度" in r.text, url
    for url in ("/dashboard", "/queue", "/manual", "/audit", "/audit.csv", "/audit.xlsx", "/units/xinshi-town"):
        r = assessor.get(f"{url}?period={bad}")
        assert r.status_code == 400 and "年度" in r.text, url
    token = page_csrf(assessor, "/queue")
    before = decisions_count(world["db"])
    for field in ("count", "points"):
        r = decide(assessor, fps["x_guide"], action="amend", reason="核减", **{field: bad})
        assert r.status_code == 400, (field, bad)
    r = assessor.post(f"/items/{fps['x_guide']}/decide", data={"csrf": token, "action": "confirm", "last": bad})
    assert r.status_code == 400
    r = assessor.post("/queue/confirm", data={"csrf": token, "one": f"{fps['x_guide']}|{bad}|"})
    assert r.status_code == 400 and "扣分项编号无效" in r.text
    for field in ("count", "points"):
        r = assessor.post("/manual", data={"csrf": token, "period": PERIOD, "unit": "xinshi-town",
                                           "rule": "township-2017.5.1.a", "reason": "报送不足", field: bad})
        assert r.status_code == 400, (field, bad)
    assert decisions_count(world["db"]) == before


# ------------------------------------------------------------------------------------------ bounds


def test_amendment_is_bounded_by_the_rule(world):
    fp = world["fps"]["x_guide"]  # 指南要素不全的，每缺一项扣0.5分 (22 elements listed; the indicator has 2 points)
    client = login(world["app"], "pinggu")
    r = decide(client, fp, action="amend", points="1000", reason="酌情")
    assert r.status_code == 400 and "扣分超过上限" in r.text and "3 要素最多 1.5 分" in r.text
    r = decide(client, fp, action="amend", count="23", reason="酌情")
    assert r.status_code == 400 and "最多 22 要素" in r.text
    r = decide(client, fp, action="amend", count="22", points="2.5", reason="酌情")
    assert r.status_code == 400 and "该指标满分 2 分" in r.text
    assert decisions_count(world["db"]) == 0
    assert 'name="points" type="number" min="0" step="0.5" inputmode="decimal" max="2"' in client.get(f"/items/{fp}").text
    r = decide(client, fp, action="amend", count="2", points="1", reason="两项要素缺失")
    assert r.status_code == 200 and "已记录第" in r.text


def test_manual_entry_is_bounded_by_the_rule(world):
    client = login(world["app"], "pinggu")
    token = page_csrf(client, "/manual")
    form = {"csrf": token, "period": PERIOD, "unit": "xinshi-town", "rule": "township-2017.5.1.a", "reason": "报送不足"}
    r = client.post("/manual", data={**form, "count": "0", "points": "500"})
    assert r.status_code == 400 and "至少为 1" in r.text
    r = client.post("/manual", data={**form, "count": "1", "points": "500"})
    assert r.status_code == 400 and "扣分超过上限" in r.text
    r = client.post("/manual", data={**form, "count": "6"})  # 每少一条扣1分 on a 5-point indicator
    assert r.status_code == 400 and "最多 5 条" in r.text
    assert client.post("/manual", data={**form, "count": "2"}).status_code == 200


def test_cli_applies_the_same_bounds(world, capsys):
    fps, db = world["fps"], str(world["db"])

    def run(*args):
        code = main(list(args))
        return code, capsys.readouterr()

    code, (_, err) = run("review", "amend", fps["x_guide"][:12], "--by", "pinggu", "--points", "1000", "--reason", "x",
                         "--db", db)
    assert code == 1 and "扣分超过上限" in err
    code, (_, err) = run("review", "amend", fps["x_guide"][:12], "--by", "pinggu", "--points", "1e100", "--reason", "x",
                         "--db", db)
    assert code == 1 and "分值应为" in err
    code, (_, err) = run("manual", "add", "--unit", "xinshi-town", "--period", str(PERIOD), "--rule",
                         "township-2017.5.1.a", "--count", "1", "--points", "500", "--by", "pinggu", "--reason", "x",
                         "--db", db)
    assert code == 1 and "扣分超过上限" in err
    code, (out, _) = run("review", "confirm", fps["x_guide"][:12], "--by", "pinggu", "--db", db)
    assert code == 0 and "已记录决定" in out
    code, (out, _) = run("review", "confirm", fps["x_guide"][:12], "--by", "pinggu", "--db", db)
    assert code == 0 and "未重复记录" in out
    assert decisions_count(world["db"]) == 1


# ------------------------------------------------------------------------------ evidence binding


def _replace_evidence(db, fps):
    """A later run whose evidence for the annual-report finding differs (same fingerprint)."""
    with Store.open(db) as store:
        current = store.current_findings("xinshi-town", PERIOD)
        run = store.start_run("test", period=PERIOD)
        findings = [{k: f[k] for k in ("fingerprint", "rule_id", "check_id", "subject", "outcome", "count", "message",
                                       "evidence")} for f in current]
        for f in findings:
            if f["fingerprint"] == fps["x_report"]:
                f["evidence"] = {**f["evidence"], "excerpt": "栏目页已改版"}
        store.record_findings(run, "xinshi-town", PERIOD, "township-2017", findings)
        store.finish_run(run, "complete", {})


def test_decision_on_replaced_evidence_is_refused_and_the_reason_kept(world):
    fp = world["fps"]["x_report"]
    client = login(world["app"], "pinggu")
    seen = shown(client, fp)
    queued = queue_values(client)[fp]
    _replace_evidence(world["db"], world["fps"])
    token = page_csrf(client, "/queue")
    r = client.post(f"/items/{fp}/decide", data={"csrf": token, "action": "reject", "reason": "年报在“其他”栏目", **seen})
    assert r.status_code == 409 and "证据已变化，请重新查看" in r.text
    assert "年报在“其他”栏目</textarea>" in r.text  # what was typed is kept
    r = client.post("/queue/confirm", data={"csrf": token, "one": queued})
    assert "证据已变化，请重新查看" in r.text
    r = client.post(f"/items/{fp}/decide", data={"csrf": token, "action": "confirm", "last": seen["last"]})
    assert r.status_code == 409  # a form without the evidence it was shown is refused too
    assert decisions_count(world["db"]) == 0
    assert decide(client, fp, action="confirm").status_code == 200  # on the evidence now shown


# --------------------------------------------------------------------------------------- audit log


def test_every_post_route_writes_its_audit_event(world):
    fps, db = world["fps"], world["db"]
    assessor, unit = login(world["app"], "pinggu"), login(world["app"], "xinshi")
    atoken, utoken = page_csrf(assessor, "/queue"), page_csrf(unit, "/units/xinshi-town")
    queued = queue_values(assessor)
    anonymous = TestClient(world["app"])
    steps = {
        "/login": lambda: anonymous.post("/login", data={"csrf": page_csrf(anonymous, "/login"), "username": "pinggu",
                                                         "password": "wrong-password"}),
        "/items/{fp}/dispute": lambda: unit.post(f"/items/{fps['x_guide']}/dispute",
                                                 data={"csrf": utoken, "comment": "通办范围已写明"}),
        "/items/{fp}/decide": lambda: decide(assessor, fps["x_guide"], action="amend", count="2", reason="已核实"),
        "/queue/confirm": lambda: assessor.post("/queue/confirm", data={"csrf": atoken, "one": queued[fps["b_report"]]}),
        "/units/{unit_id}/recheck": lambda: unit.post("/units/xinshi-town/recheck", data={"csrf": utoken}),
        "/manual": lambda: assessor.post("/manual", data={"csrf": atoken, "period": PERIOD, "unit": "baishui-town",
                                                          "rule": "township-2017.bonus.b", "count": "1",
                                                          "reason": "通报表扬"}),
        "/manual/na": lambda: assessor.post("/manual/na", data={"csrf": atoken, "period": PERIOD,
                                                                "unit": "baishui-town", "target": "township-2017.2.2",
                                                                "reason": "已报认定"}),
        "/account/password": lambda: unit.post("/account/password", data={
            "csrf": utoken, "current": PASSWORDS["xinshi"], "new": "a-much-longer-pass", "repeat": "a-much-longer-pass"}),
        "/logout": lambda: assessor.post("/logout", data={"csrf": atoken}),
    }
    expected = {"/login": ["login.fail"], "/items/{fp}/dispute": ["dispute.add"],
                "/items/{fp}/decide": ["decision.amend", "dispute.answer"], "/queue/confirm": ["decision.confirm"],
                "/units/{unit_id}/recheck": ["recheck.request"], "/manual": ["manual.add"], "/manual/na": ["na.add"],
                "/account/password": ["user.password"], "/logout": ["logout"]}
    posts = {path for path, _, _, methods in ROUTES if "POST" in methods}
    assert posts == set(steps) == set(expected)  # a new POST route needs its audit step here
    for path, step in steps.items():
        before = len(events(db))
        assert step().status_code < 500, path
        new = [e["action"] for e in events(db)[before:]]
        assert new == expected[path], path
    html = login(world["app"], "admin").get("/audit").text
    for word in ("登录失败", "单位异议", "答复异议", "修改", "确认", "申请复查", "人工录入", "认定不适用", "修改密码", "退出", "登录"):
        assert f"<td>{word}</td>" in html, word


def test_audit_log_covers_cli_user_changes_and_exports_guarded_xlsx(world, capsys):
    from openpyxl import load_workbook

    db = str(world["db"])
    assert main(["user", "disable", "pinggu2", "--db", db]) == 0
    client = login(world["app"], "pinggu")
    decide(client, world["fps"]["x_categories"], action="reject", reason="=HYPERLINK(\"http://evil.example\")")
    html = client.get("/audit?action=user.disable").text
    assert "停用用户" in html and "pinggu2" in html and "命令行" in html
    r = client.get("/audit.xlsx")
    assert r.status_code == 200 and r.headers["cache-control"] == "no-store"
    sheet = load_workbook(io.BytesIO(r.content)).active
    values = [str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None]
    assert "'=HYPERLINK(\"http://evil.example\")" in values
    assert not any(v.startswith("=") for v in values)
    actions = {row[3].value for row in sheet.iter_rows(min_row=2)}
    assert {"添加用户", "停用用户", "登录", "驳回", "人工录入"} <= actions


def test_migration_copies_earlier_writes_into_the_audit_log(tmp_path):
    from zwgk.store.migrations import MIGRATIONS

    db = tmp_path / "old.db"
    with Store.open(db, migrations=MIGRATIONS[:3]) as store:
        store._conn.execute("INSERT INTO users (username, role, password_hash, created_at) "
                           "VALUES ('alice', 'assessor', 'x', '2017-01-01T00:00:00+00:00')")
        store._conn.execute("INSERT INTO manual_entries (fingerprint, unit_id, period, rubric_id, rule_id, count, reason, "
                           "by_user, at) VALUES ('manual-" + "a" * 32 + "', 'u', 2017, 'township-2017', "
                           "'township-2017.5.1.a', 2, '报送不足', 'alice', '2017-02-01T00:00:00+00:00')")
        store._conn.execute("INSERT INTO decisions (fingerprint, unit_id, period, action, reason, by_user, at) "
                           "VALUES ('manual-" + "a" * 32 + "', 'u', 2017, 'reject', '录入有误', 'alice', "
                           "'2017-03-01T00:00:00+00:00')")
    with Store.open(db) as store:
        rows = store._rows("SELECT actor, action, after, reason, decision_id FROM audit_events ORDER BY id")
    assert [(r["actor"], r["action"]) for r in rows] == [("命令行", "user.add"), ("alice", "manual.add"),
                                                         ("alice", "decision.reject")]
    assert rows[1]["after"] == "township-2017.5.1.a ×2" and rows[2]["decision_id"] == 1


# ---------------------------------------------------------------------------------------- disputes


def test_dispute_needs_an_answer_the_unit_sees(world):
    fp = world["fps"]["x_guide"]
    unit = login(world["app"], "xinshi")
    unit.post(f"/items/{fp}/dispute", data={"csrf": page_csrf(unit, f"/items/{fp}"), "comment": "通办范围见第三节"})
    assessor = login(world["app"], "pinggu")
    r = decide(assessor, fp, action="confirm")
    assert r.status_code == 400 and "请在理由中写明给单位的答复" in r.text
    assert decisions_count(world["db"]) == 0
    r = assessor.post("/queue/confirm", data={"csrf": page_csrf(assessor, "/queue"), "one": queue_values(assessor)[fp]})
    assert "须逐项答复" in r.text and decisions_count(world["db"]) == 0
    assert decide(assessor, fp, action="confirm", reason="第三节未写通办范围，维持扣分").status_code == 200
    assert assessor.get("/queue?status=disputed").text.count('name="items"') == 0
    html = unit.get(f"/items/{fp}").text
    assert "考核人员答复" in html and "第三节未写通办范围，维持扣分" in html and "确认" in html


def test_dispute_only_where_there_is_something_to_dispute(world):
    fp = world["fps"]["x_report"]
    assessor = login(world["app"], "pinggu")
    decide(assessor, fp, action="reject", reason="年报已公开")
    unit = login(world["app"], "xinshi")
    html = unit.get(f"/items/{fp}").text
    assert 'action="/items/' + fp + '/dispute"' not in html
    r = unit.post(f"/items/{fp}/dispute", data={"csrf": csrf_of(html), "comment": "同意"})
    assert r.status_code == 400 and "无需提出异议" in r.text
    with Store.open(world["db"]) as store:
        assert store._rows("SELECT * FROM web_disputes") == []


# --------------------------------------------------------------------------------------- decisions


def test_double_confirm_records_one_decision_and_reopen_needs_a_decision(world):
    fp = world["fps"]["x_guide"]
    client = login(world["app"], "pinggu")
    r = decide(client, fp, action="reopen", reason="误点")
    assert r.status_code == 400 and "无需撤销" in r.text
    form = {"csrf": page_csrf(client, "/queue"), "action": "confirm", **shown(client, fp)}
    assert "已记录第" in client.post(f"/items/{fp}/decide", data=form).text
    again = client.post(f"/items/{fp}/decide", data=form)  # the same form sent twice (a double click)
    assert again.status_code == 200 and "未重复记录" in again.text
    assert decisions_count(world["db"]) == 1
    assert len(events(world["db"], "decision.confirm")) == 1
    assert decide(client, fp, action="reopen", reason="误点").status_code == 200
    assert decide(client, fp, action="reopen", reason="再点").status_code == 400


@pytest.mark.parametrize("reason, message", [("理" * 2001, "不能超过 2000 字"), ("已公开\x00", "控制字符"),
                                             ("已公开\u202e开公未", "控制字符"), ("\u2066隐藏\u2069", "控制字符")])
def test_reasons_are_bounded_and_free_of_control_characters(world, reason, message):
    fps = world["fps"]
    client = login(world["app"], "pinggu")
    r = decide(client, fps["x_categories"], action="reject", reason=reason)
    assert r.status_code == 400 and message in r.text
    unit = login(world["app"], "xinshi")
    r = unit.post(f"/items/{fps['x_guide']}/dispute", data={"csrf": page_csrf(unit, "/units/xinshi-town"),
                                                           "comment": reason})
    assert r.status_code == 400 and message in r.text
    token = page_csrf(client, "/manual")
    r = client.post("/manual/na", data={"csrf": token, "period": PERIOD, "unit": "baishui-town",
                                        "target": "township-2017.2.2", "reason": reason})
    assert r.status_code == 400 and message in r.text
    with Store.open(world["db"]) as store:
        assert store._rows("SELECT * FROM decisions") == store._rows("SELECT * FROM web_disputes") == []


# ---------------------------------------------------------------------------------------- sign-in


def test_unknown_user_costs_a_password_check_with_a_cached_dummy_hash(world, monkeypatch):
    from argon2 import PasswordHasher

    calls = {"hash": 0, "verify": 0}
    real_hash, real_verify = PasswordHasher.hash, PasswordHasher.verify

    def counting_hash(self, *a, **k):
        calls["hash"] += 1
        return real_hash(self, *a, **k)

    def counting_verify(self, *a, **k):
        calls["verify"] += 1
        return real_verify(self, *a, **k)

    monkeypatch.setattr(PasswordHasher, "hash", counting_hash)
    monkeypatch.setattr(PasswordHasher, "verify", counting_verify)
    client = TestClient(world["app"])
    for name in ("nobody-1", "nobody-2"):  # each request opens its own store
        client.post("/login", data={"csrf": page_csrf(client, "/login"), "username": name, "password": "x"})
    assert calls["verify"] == 2  # both answered after a real argon2 verification
    assert calls["hash"] <= 1  # the dummy hash is made once per process, not per request


def test_throttling_per_account_across_addresses_behind_a_trusted_proxy(world):
    web = create_app(world["db"], secret_key=SECRET, trusted_proxies=frozenset({"testclient"}))
    client = TestClient(web)

    def attempt(username, password, ip):
        return client.post("/login", data={"csrf": page_csrf(client, "/login"), "username": username,
                                           "password": password}, headers={"X-Forwarded-For": f"203.0.113.7, {ip}"},
                           follow_redirects=False)

    for i in range(data.MAX_FAILURES_PER_USER):
        assert attempt("pinggu", "wrong", f"10.0.1.{i}").status_code == 401
    assert attempt("pinggu", PASSWORDS["pinggu"], "10.0.9.9").status_code == 429  # the account, from anywhere
    # another user behind the same proxy is not locked out: the address is the client's, not the proxy's
    assert attempt("pinggu2", PASSWORDS["pinggu2"], "10.0.1.0").status_code == 303
    with Store.open(world["db"]) as store:
        ips = {r["ip"] for r in store._rows("SELECT ip FROM web_login_failures")}
    assert ips == {f"10.0.1.{i}" for i in range(data.MAX_FAILURES_PER_USER)}


def test_forwarded_for_is_ignored_without_a_trusted_proxy_and_failures_are_pruned(world):
    client = TestClient(world["app"])
    with Store.open(world["db"]) as store, store.transaction():
        store._insert("web_login_failures", {"username": "old", "ip": "1.2.3.4", "at": "2000-01-01T00:00:00+00:00"})
    for i in range(data.MAX_FAILURES_PER_USER_IP):
        client.post("/login", data={"csrf": page_csrf(client, "/login"), "username": "pinggu", "password": "wrong"},
                    headers={"X-Forwarded-For": f"10.0.2.{i}"})
    r = client.post("/login", data={"csrf": page_csrf(client, "/login"), "username": "pinggu",
                                    "password": PASSWORDS["pinggu"]}, headers={"X-Forwarded-For": "10.0.2.99"})
    assert r.status_code == 429
    huge = "u" * 900_000
    r = client.post("/login", data={"csrf": page_csrf(client, "/login"), "username": huge, "password": "x"})
    assert r.status_code == 401
    with Store.open(world["db"]) as store:
        rows = store._rows("SELECT username, ip FROM web_login_failures")
        audit = store._rows("SELECT actor FROM audit_events WHERE action = 'login.fail'")
    assert ("old", "1.2.3.4") not in {(r["username"], r["ip"]) for r in rows}  # outside the window: pruned
    assert {r["ip"] for r in rows} == {"testclient"}
    assert max(len(r["username"]) for r in rows) == 64 and max(len(a["actor"]) for a in audit) == 64


def test_self_service_password_change_with_policy(world):
    client = login(world["app"], "xinshi")
    other = login(world["app"], "xinshi")  # the same account in another browser
    token = page_csrf(client, "/account/password")
    form = {"csrf": token, "current": PASSWORDS["xinshi"]}
    r = client.post("/account/password", data={**form, "current": "wrong", "new": "x" * 20, "repeat": "x" * 20})
    assert r.status_code == 400 and "当前密码不正确" in r.text
    for new, message in (("short", "至少 12 个字符"), ("xinshi-forever-1", "不能包含用户名"),
                         ("demo-xinshi-2017", "演示密码")):
        r = client.post("/account/password", data={**form, "new": new, "repeat": new})
        assert r.status_code == 400 and message in r.text, new
    r = client.post("/account/password", data={**form, "new": "新的密码-abcdefg", "repeat": "新的密码-abcdefg"})
    assert r.status_code == 200 and "密码已修改" in r.text and "其他 1 个登录会话已退出" in r.text
    assert client.get("/units/xinshi-town").status_code == 200
    assert other.get("/units/xinshi-town", follow_redirects=False).status_code == 303
    assert login(world["app"], "xinshi", "新的密码-abcdefg").get("/units/xinshi-town").status_code == 200


# ------------------------------------------------------------------------------ sessions, headers


def test_session_cookie_ends_with_the_browser_and_idle_sessions_end(world):
    client = TestClient(world["app"])
    token = csrf_of(client.get("/login").text)
    r = client.post("/login", data={"csrf": token, "username": "pinggu", "password": PASSWORDS["pinggu"]},
                    follow_redirects=False)
    cookie = r.headers["set-cookie"].lower()
    assert "max-age" not in cookie and "expires" not in cookie
    assert client.get("/dashboard", follow_redirects=False).status_code == 200
    with Store.open(world["db"]) as store, store.transaction():
        store._conn.execute("UPDATE web_sessions SET last_seen_at = '2000-01-01T00:00:00+00:00'")
    assert client.get("/dashboard", follow_redirects=False).status_code == 303
    fresh = login(world["app"], "pinggu")
    with Store.open(world["db"]) as store, store.transaction():  # used a moment ago, but signed in 13 hours ago
        store._conn.execute("UPDATE web_sessions SET created_at = '2000-01-01T00:00:00+00:00' WHERE revoked_at IS NULL")
    assert fresh.get("/dashboard", follow_redirects=False).status_code == 303


def test_authenticated_pages_and_exports_are_not_cached(world):
    fp = world["fps"]["x_report"]
    client = login(world["app"], "pinggu")
    for url in ("/dashboard", "/queue", f"/items/{fp}", f"/items/{fp}/snapshot", "/units/xinshi-town", "/manual",
                "/audit", "/audit.csv", "/audit.xlsx", "/account/password"):
        assert client.get(url).headers["cache-control"] == "no-store", url


@pytest.mark.parametrize("back", ["/%09/evil.example/x", "//evil.example/x", "/\\evil.example/x", "https://evil.example/",
                                  "/%0a/evil.example", "javascript:alert(1)", "/\t/evil.example"])
def test_back_links_only_to_same_site_paths(world, back):
    from urllib.parse import quote

    fp = world["fps"]["x_report"]
    client = login(world["app"], "pinggu")
    html = client.get(f"/items/{fp}?back=" + quote(back, safe="/%")).text
    link = re.search(r'<p class="crumbs"><a href="([^"]*)">', html).group(1)
    assert link == "/queue"


def test_a_same_site_back_link_is_kept(world):
    fp = world["fps"]["x_report"]
    html = login(world["app"], "pinggu").get(f"/items/{fp}?back=/queue%3Funit%3Dxinshi-town").text
    assert '<p class="crumbs"><a href="/queue?unit=xinshi-town">' in html


# ---------------------------------------------------------------------------------------- file modes


def test_database_and_blobs_are_owner_only(tmp_path):
    from zwgk.store.blobs import BlobStore

    Store.open(tmp_path / "var" / "zwgk.db").close()
    assert stat.S_IMODE((tmp_path / "var").stat().st_mode) == 0o700
    assert stat.S_IMODE((tmp_path / "var" / "zwgk.db").stat().st_mode) == 0o600
    for extra in ("zwgk.db-wal", "zwgk.db-shm"):
        path = tmp_path / "var" / extra
        assert not path.exists() or stat.S_IMODE(path.stat().st_mode) == 0o600
    blobs = BlobStore(tmp_path / "var" / "blobs")
    sha = blobs.put(b"<html>snapshot</html>")
    path = blobs.path(sha)
    for folder in (path.parent, path.parent.parent, tmp_path / "var" / "blobs"):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
