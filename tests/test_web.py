"""HTTP-level tests of the review web app (Starlette TestClient): roles, CSRF, stale edits, throttling,
escaping of crawled content, the sandboxed snapshot route, and the review actions."""

from __future__ import annotations

import csv
import io
import re

import pytest
from browser.webdata import PASSWORDS, PERIOD, SNAPSHOT_SHA
from click.testing import CliRunner
from starlette.testclient import TestClient

from zwgk.store import Store
from zwgk.web import data
from zwgk.web.app import create_app
from zwgk.web.views import ROUTES

SNAPSHOT_CSP = "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:"


@pytest.fixture()
def world(web_db):
    db, built = web_db
    web = create_app(db, secret_key="test-secret-" + "x" * 32, snapshot_loader=built["snapshots"].get)
    return {"db": db, "app": web, **built}


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


def login(web, username, password=None) -> TestClient:
    client = TestClient(web)
    token = csrf_of(client.get("/login").text)
    r = client.post("/login", data={"csrf": token, "username": username, "password": password or PASSWORDS[username]},
                    follow_redirects=False)
    assert r.status_code == 303, r.text
    return client


def page_csrf(client: TestClient, url: str = "/") -> str:
    return csrf_of(client.get(url).text)


def score_of(client: TestClient, unit_id: str) -> tuple[str, str]:
    html = client.get(f"/units/{unit_id}?period={PERIOD}").text
    confirmed = re.search(r'data-score="confirmed">([^<]+)<', html).group(1)
    provisional = re.search(r'data-score="provisional">([^<]+)<', html).group(1)
    return confirmed, provisional


def decisions_count(db) -> int:
    with Store.open(db) as store:
        return store._conn.execute("SELECT count(*) FROM decisions").fetchone()[0]


def shown(client: TestClient, fp: str) -> dict[str, str]:
    """The hidden fields of an item's decision forms: the latest decision id and the evidence hash shown."""
    html = client.get(f"/items/{fp}").text
    return {"last": re.search(r'name="last" value="(\d*)"', html).group(1),
            "evidence": re.search(r'name="evidence" value="([0-9a-f]*)"', html).group(1)}


def queue_values(client: TestClient) -> dict[str, str]:
    """fingerprint → the value of its checkbox in the whole queue (fingerprint|last decision|evidence hash)."""
    values = re.findall(r'name="items" value="([^"]+)"', client.get("/queue?status=all").text)
    return {v.split("|")[0]: v for v in values}


def fill(path: str, fps: dict, unit="xinshi-town") -> str:
    return path.replace("{fp}", fps["x_report"]).replace("{unit_id}", unit)


# ------------------------------------------------------------------------------------------- roles


def test_anonymous_is_sent_to_login_from_every_page(world):
    client = TestClient(world["app"])
    for path, _, roles, methods in ROUTES:
        if roles is None or "GET" not in methods:
            continue
        r = client.get(fill(path, world["fps"]), follow_redirects=False)
        assert r.status_code == 303, path
        assert r.headers["location"].startswith("/login?next="), path


def test_anonymous_post_changes_nothing(world):
    client = TestClient(world["app"])
    token = page_csrf(client, "/login")  # an anonymous session's valid token
    before = decisions_count(world["db"])
    r = client.post(f"/items/{world['fps']['x_report']}/decide", data={"csrf": token, "action": "confirm", "last": ""},
                    follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/login"
    assert decisions_count(world["db"]) == before


@pytest.mark.parametrize("url", ["/dashboard", "/queue", "/manual", "/audit", "/audit.csv"])
def test_unit_user_refused_assessor_pages(world, url):
    client = login(world["app"], "xinshi")
    assert client.get(url).status_code == 403


def test_unit_user_refused_other_units_data_and_evidence(world):
    fps = world["fps"]
    client = login(world["app"], "xinshi")
    token = page_csrf(client, "/units/xinshi-town")
    assert client.get("/units/baishui-town").status_code == 403
    assert client.get(f"/items/{fps['b_report']}").status_code == 403
    assert client.get(f"/items/{fps['b_report']}/snapshot").status_code == 403
    assert client.post(f"/items/{fps['b_report']}/dispute", data={"csrf": token, "comment": "x"}).status_code == 403
    assert client.post("/units/baishui-town/recheck", data={"csrf": token}).status_code == 403
    # its own unit is readable
    own = client.get("/units/xinshi-town")
    assert own.status_code == 200 and "新市镇人民政府" in own.text
    assert client.get(f"/items/{fps['x_guide']}").status_code == 200
    assert "白水镇" not in own.text


def test_unit_user_cannot_decide_even_on_its_own_items(world):
    client = login(world["app"], "xinshi")
    token = page_csrf(client, "/units/xinshi-town")
    before = decisions_count(world["db"])
    r = client.post(f"/items/{world['fps']['x_report']}/decide", data={"csrf": token, "action": "reject",
                                                                       "reason": "自认无误", "last": ""})
    assert r.status_code == 403
    assert decisions_count(world["db"]) == before


def test_assessor_may_not_file_disputes(world):
    client = login(world["app"], "pinggu")
    token = page_csrf(client, "/dashboard")
    assert client.post(f"/items/{world['fps']['x_report']}/dispute", data={"csrf": token, "comment": "x"}).status_code == 403


def test_home_sends_each_role_to_its_page(world):
    assert login(world["app"], "xinshi").get("/", follow_redirects=False).headers["location"] == "/units/xinshi-town"
    assert login(world["app"], "pinggu").get("/", follow_redirects=False).headers["location"] == "/dashboard"


def test_unknown_item_is_404(world):
    client = login(world["app"], "pinggu")
    assert client.get("/items/" + "a" * 64).status_code == 404
    assert client.get("/items/not-a-fingerprint").status_code == 404


# ---------------------------------------------------------------------------------- sessions, CSRF


def test_session_cookie_is_signed_httponly_samesite(world):
    client = TestClient(world["app"])
    token = csrf_of(client.get("/login").text)
    r = client.post("/login", data={"csrf": token, "username": "pinggu", "password": PASSWORDS["pinggu"]},
                    follow_redirects=False)
    cookie = r.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie
    # a tampered cookie is not a session
    forged = TestClient(world["app"])
    value = client.cookies.get("zwgk_session")
    forged.cookies.set("zwgk_session", value[:-4] + ("AAAA" if not value.endswith("AAAA") else "BBBB"))
    assert forged.get("/dashboard", follow_redirects=False).status_code == 303


def test_every_post_route_refuses_missing_or_wrong_csrf(world):
    client = login(world["app"], "pinggu")
    unit_client = login(world["app"], "xinshi")
    before = decisions_count(world["db"])
    for path, _, roles, methods in ROUTES:
        if "POST" not in methods:
            continue
        who = unit_client if roles == frozenset({"unit"}) else client
        url = fill(path, world["fps"])
        form = {"action": "confirm", "last": "", "comment": "异议", "unit": "xinshi-town", "rule": "township-2017.5.1.a",
                "reason": "理由", "username": "pinggu", "password": PASSWORDS["pinggu"], "target": "township-2017.3.12"}
        assert who.post(url, data=form).status_code == 403, path
        assert who.post(url, data={**form, "csrf": "wrong-token"}).status_code == 403, path
    assert decisions_count(world["db"]) == before
    with Store.open(world["db"]) as store:
        assert store._conn.execute("SELECT count(*) FROM web_disputes").fetchone()[0] == 0
        assert store._conn.execute("SELECT count(*) FROM recheck_requests").fetchone()[0] == 0


def test_logout_ends_the_session_server_side(world):
    client = login(world["app"], "pinggu")
    stolen = dict(client.cookies)
    client.post("/logout", data={"csrf": page_csrf(client, "/dashboard")})
    replay = TestClient(world["app"])
    for k, v in stolen.items():
        replay.cookies.set(k, v)
    assert replay.get("/dashboard", follow_redirects=False).status_code == 303


def test_disabled_user_loses_open_session(world):
    client = login(world["app"], "pinggu2")
    assert client.get("/dashboard").status_code == 200
    with Store.open(world["db"]) as store:
        store.disable_user("pinggu2")
    assert client.get("/dashboard", follow_redirects=False).status_code == 303


def test_login_throttled_after_five_failures_and_persisted(world):
    client = TestClient(world["app"])
    token = csrf_of(client.get("/login").text)
    for _ in range(5):
        r = client.post("/login", data={"csrf": token, "username": "pinggu", "password": "wrong"})
        assert r.status_code == 401 and "用户名或密码错误" in r.text
    r = client.post("/login", data={"csrf": token, "username": "pinggu", "password": PASSWORDS["pinggu"]},
                    follow_redirects=False)
    assert r.status_code == 429 and "登录失败次数过多" in r.text
    # a new app process over the same database still refuses
    again = TestClient(create_app(world["db"], secret_key="another-secret-" + "y" * 32))
    token = csrf_of(again.get("/login").text)
    r = again.post("/login", data={"csrf": token, "username": "pinggu", "password": PASSWORDS["pinggu"]})
    assert r.status_code == 429
    # another user from the same address is not locked out by pinggu's failures
    assert login(world["app"], "xinshi").get("/units/xinshi-town").status_code == 200


def test_login_next_is_local_only(world):
    client = TestClient(world["app"])
    token = csrf_of(client.get("/login").text)
    r = client.post("/login", data={"csrf": token, "username": "pinggu", "password": PASSWORDS["pinggu"],
                                    "next": "//evil.example/"}, follow_redirects=False)
    assert r.headers["location"] == "/"


def test_secret_key_file_created_once_next_to_database(web_db, tmp_path, monkeypatch):
    monkeypatch.delenv("ZWGK_SECRET", raising=False)
    db, _ = web_db
    first = TestClient(create_app(db))
    login_page = first.get("/login")
    key_file = tmp_path / "web-secret.key"
    assert key_file.exists() and (key_file.stat().st_mode & 0o777) == 0o600
    key = key_file.read_text()
    second = TestClient(create_app(db))  # a restarted server keeps sessions valid: same key
    assert key_file.read_text() == key
    token = csrf_of(login_page.text)
    for k, v in first.cookies.items():
        second.cookies.set(k, v)
    r = second.post("/login", data={"csrf": token, "username": "pinggu", "password": PASSWORDS["pinggu"]},
                    follow_redirects=False)
    assert r.status_code == 303


# ----------------------------------------------------------------------------------- crawled content


def test_crawled_payloads_are_escaped_everywhere(world):
    assessor = login(world["app"], "pinggu")
    unit = login(world["app"], "xinshi")
    pages = [
        assessor.get("/queue").text,
        assessor.get(f"/items/{world['fps']['x_report']}").text,
        assessor.get("/units/xinshi-town").text,
        unit.get("/units/xinshi-town").text,
        unit.get(f"/items/{world['fps']['x_report']}").text,
    ]
    for html in pages:
        assert "<script>alert(1)</script>" not in html
        assert "<img src=x onerror" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html or "&lt;img src=x onerror=alert(1)&gt;" in html
        assert 'href="javascript:' not in html
    item = pages[1]
    assert "&lt;img src=x onerror=alert(1)&gt;" in item
    assert "<mark>年度报告</mark>" in item  # the excerpt's highlight survives escaping
    assert '<iframe class="snapshot" sandbox src=' in item


def test_snapshot_route_is_sandboxed(world):
    client = login(world["app"], "pinggu")
    r = client.get(f"/items/{world['fps']['x_report']}/snapshot")
    assert r.status_code == 200
    assert r.headers["content-security-policy"] == SNAPSHOT_CSP
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.content == world["snapshots"][SNAPSHOT_SHA]
    missing = client.get(f"/items/{world['fps']['b_report']}/snapshot")  # its sha is not stored
    assert missing.status_code == 404 and "快照不可用" in missing.text
    assert missing.headers["content-security-policy"] == SNAPSHOT_CSP


def test_pages_carry_a_strict_csp(world):
    r = login(world["app"], "pinggu").get("/queue")
    assert "default-src 'self'" in r.headers["content-security-policy"]
    assert r.headers["x-content-type-options"] == "nosniff"


# --------------------------------------------------------------------------------------- decisions


def test_confirm_and_reject_change_the_score(world):
    fps = world["fps"]
    client = login(world["app"], "pinggu")
    confirmed0, provisional0 = score_of(client, "xinshi-town")
    token = page_csrf(client, "/queue")
    r = client.post(f"/items/{fps['x_guide']}/decide",
                    data={"csrf": token, "action": "confirm", **shown(client, fps["x_guide"])})
    assert r.status_code == 200 and "已记录第" in r.text
    confirmed1, provisional1 = score_of(client, "xinshi-town")
    assert float(confirmed1) == float(confirmed0) - 1.5  # 3 missing elements × 0.5
    assert provisional1 == provisional0
    # reject needs a reason
    r = client.post(f"/items/{fps['x_categories']}/decide",
                    data={"csrf": token, "action": "reject", "reason": "", **shown(client, fps["x_categories"])})
    assert r.status_code == 400 and "须填写理由" in r.text
    r = client.post(f"/items/{fps['x_categories']}/decide",
                    data={"csrf": token, "action": "reject", "reason": "两类信息已在“财政信息”栏目公开", **shown(client, fps["x_categories"])})
    assert r.status_code == 200
    confirmed2, provisional2 = score_of(client, "xinshi-town")
    assert confirmed2 == confirmed1 and float(provisional2) > float(provisional1)


def test_amend_and_reopen(world):
    fp = world["fps"]["x_guide"]
    client = login(world["app"], "pinggu")
    token = page_csrf(client, "/queue")
    r = client.post(f"/items/{fp}/decide", data={"csrf": token, "action": "amend", "count": "1", "reason": "两项见附件",
                                                  **shown(client, fp)})
    assert r.status_code == 200 and "已修改" in r.text
    with Store.open(world["db"]) as store:
        assert store.latest_decision(fp).count == 1
    r = client.post(f"/items/{fp}/decide", data={"csrf": token, "action": "amend", "points": "0.3", "reason": "x",
                                                  **shown(client, fp)})
    assert r.status_code == 400 and "0.5 的整数倍" in r.text
    r = client.post(f"/items/{fp}/decide", data={"csrf": token, "action": "reopen", "reason": "误操作",
                                                  **shown(client, fp)})
    assert r.status_code == 200 and "拟扣分" in r.text
    with Store.open(world["db"]) as store:
        assert [d.action.value for d in store.decisions("xinshi-town", PERIOD)
                if d.fingerprint == fp] == ["amend", "reopen"]


def test_stale_edit_refused(world):
    fp = world["fps"]["x_report"]
    first = login(world["app"], "pinggu")
    second = login(world["app"], "pinggu2")
    seen = shown(first, fp)  # both looked at the same state
    token1, token2 = page_csrf(first, "/queue"), page_csrf(second, "/queue")
    assert second.post(f"/items/{fp}/decide", data={"csrf": token2, "action": "confirm", **seen}).status_code == 200
    before = decisions_count(world["db"])
    r = first.post(f"/items/{fp}/decide", data={"csrf": token1, "action": "reject", "reason": "已公开", **seen})
    assert r.status_code == 409 and "已被他人修改" in r.text
    assert decisions_count(world["db"]) == before


def test_decision_from_queue_moves_to_next_item(world):
    fps = world["fps"]
    client = login(world["app"], "pinggu")
    token = page_csrf(client, "/queue")
    back = f"/queue?unit=xinshi-town&period={PERIOD}"
    r = client.post(f"/items/{fps['x_report']}/decide",
                    data={"csrf": token, "action": "confirm", **shown(client, fps["x_report"]), "back": back, "then": "next"},
                    follow_redirects=False)
    location = r.headers["location"]
    assert location.startswith("/items/") and fps["x_report"] not in location
    assert location.split("?")[0].rsplit("/", 1)[1] in (fps["x_categories"], fps["x_guide"])


def test_bulk_confirm_same_rule_across_units(world):
    fps = world["fps"]
    client = login(world["app"], "pinggu")
    queue = client.get("/queue?rule=township-2017.2.2.c")
    items = re.findall(r'name="items" value="([^"]+)"', queue.text)
    assert {i.split("|")[0] for i in items} == {fps["x_report"], fps["b_report"]}
    r = client.post("/queue/confirm", data={"csrf": csrf_of(queue.text), "items": items, "back": "/queue"})
    assert "已确认 2 项" in r.text
    with Store.open(world["db"]) as store:
        assert store.latest_decision(fps["x_report"]).action.value == "confirm"
        assert store.latest_decision(fps["b_report"]).action.value == "confirm"


def test_bulk_confirm_refuses_mixed_rules_and_stale_rows(world):
    fps = world["fps"]
    client = login(world["app"], "pinggu")
    token = page_csrf(client, "/queue")
    values = queue_values(client)  # what the assessor's queue showed
    r = client.post("/queue/confirm", data={"csrf": token, "items": [values[fps["x_report"]], values[fps["b_guide"]]]})
    assert "只能用于同一条规则" in r.text
    assert decisions_count(world["db"]) == 0  # nothing recorded
    other = login(world["app"], "pinggu2")
    other.post(f"/items/{fps['b_report']}/decide", data={"csrf": page_csrf(other, "/queue"), "action": "reject",
                                                         "reason": "已公开", **shown(other, fps["b_report"])})
    r = client.post("/queue/confirm", data={"csrf": token, "items": [values[fps["x_report"]], values[fps["b_report"]]]})
    assert "已确认 1 项" in r.text and "已被他人修改" in r.text
    with Store.open(world["db"]) as store:
        assert store.latest_decision(fps["b_report"]).action.value == "reject"


def test_queue_filters(world):
    client = login(world["app"], "pinggu")
    html = client.get("/queue?unit=baishui-town").text
    assert "白水镇人民政府" in html and "新市镇人民政府</td>" not in html
    html = client.get("/queue?check=service_guide").text
    assert html.count('name="items"') == 1
    html = client.get("/queue?indicator=township-2017.2.5").text
    assert world["fps"]["x_categories"] in html and world["fps"]["x_guide"] not in html


# ------------------------------------------------------------------------------- units' own actions


def test_dispute_reaches_the_assessor_queue(world):
    fp = world["fps"]["x_guide"]
    unit = login(world["app"], "xinshi")
    r = unit.post(f"/items/{fp}/dispute", data={"csrf": page_csrf(unit, f"/items/{fp}"),
                                               "comment": "“通办范围”已写入每份指南第三节"})
    assert r.status_code == 200 and "异议已提交" in r.text
    assessor = login(world["app"], "pinggu")
    disputed = assessor.get("/queue?status=disputed").text
    assert "“通办范围”已写入每份指南第三节" in disputed and disputed.count('name="items"') == 1
    # a decision answers the dispute
    assessor.post(f"/items/{fp}/decide", data={"csrf": csrf_of(disputed), "action": "amend", "count": "2",
                                                "reason": "通办范围已具备", **shown(assessor, fp)})
    assert assessor.get("/queue?status=disputed").text.count('name="items"') == 0


def test_recheck_is_queued_once_per_hour_within_registered_scope(world):
    unit = login(world["app"], "xinshi")
    token = page_csrf(unit, "/units/xinshi-town")
    assert "已申请复查" in unit.post("/units/xinshi-town/recheck", data={"csrf": token}).text
    assert "每小时只能申请一次" in unit.post("/units/xinshi-town/recheck", data={"csrf": token}).text
    with Store.open(world["db"]) as store:
        rows = store._rows("SELECT * FROM recheck_requests")
    assert len(rows) == 1 and rows[0]["scope"] == '["http://xinshi.example/"]' and rows[0]["status"] == "queued"
    assessor = login(world["app"], "pinggu")
    r = assessor.post("/units/no-site-town/recheck", data={"csrf": page_csrf(assessor, "/queue")})
    assert "没有登记网站地址" in r.text


def test_unit_self_check_shows_gaps_and_how_to_fix(world):
    from markupsafe import escape

    from reports.remedies import load_remedies

    html = login(world["app"], "xinshi").get("/units/xinshi-town").text
    assert "如何整改" in html and "补充公开：通办范围、预约办理、物流快递" in html
    assert str(escape(load_remedies().for_rule("township-2017.3.3.b"))) in html
    assert "已确认得分" in html and "暂估得分" in html


# ------------------------------------------------------------------------------- manual and audit


def test_manual_entry_validates_rule_and_changes_score(world):
    client = login(world["app"], "pinggu")
    token = page_csrf(client, "/manual")
    r = client.post("/manual", data={"csrf": token, "period": PERIOD, "unit": "xinshi-town", "rule": "township-2017.9.9.z",
                                     "count": "1", "reason": "x"})
    assert r.status_code == 400 and "不在考核细则" in r.text
    before = score_of(client, "baishui-town")[0]
    r = client.post("/manual", data={"csrf": token, "period": PERIOD, "unit": "baishui-town",
                                     "rule": "township-2017.bonus.b", "count": "1", "reason": "通报表扬"})
    assert r.status_code == 200 and "已录入" in r.text
    assert float(score_of(client, "baishui-town")[0]) > float(before)
    r = client.post("/manual/na", data={"csrf": token, "period": PERIOD, "unit": "baishui-town",
                                        "target": "township-2017.2.2", "reason": "已报认定"})
    assert "已认定不适用" in r.text


def test_audit_log_and_csv_show_before_after(world):
    fp = world["fps"]["x_report"]
    client = login(world["app"], "pinggu")
    token = page_csrf(client, "/queue")
    client.post(f"/items/{fp}/decide", data={"csrf": token, "action": "confirm", **shown(client, fp)})
    client.post(f"/items/{fp}/decide", data={"csrf": token, "action": "reopen", "reason": "误点", **shown(client, fp)})
    html = client.get("/audit?unit=xinshi-town").text
    assert "误点" in html and "<td>pinggu</td>" in html
    r = client.get("/audit.csv?unit=xinshi-town")
    assert r.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    header, body = rows[0], rows[1:]
    assert header[:5] == ["编号", "时间（北京时间）", "用户", "动作", "单位"]
    assert r.headers["cache-control"] == "no-store"
    by_action = {row[3]: row for row in body}
    assert by_action["确认"][8:10] == ["拟扣分", "已确认"]
    assert by_action["撤销（重新待处理）"][8:10] == ["已确认", "拟扣分"]
    assert by_action["撤销（重新待处理）"][12] == "误点"
    assert by_action["人工录入"][9] == "township-2017.5.1.a ×3"  # written when the test data was built
    assert all(row[4] == "xinshi-town" for row in body)
    assert client.get("/audit.csv?unit=baishui-town").content.decode("utf-8-sig").count("\n") == 1


def test_csv_cells_cannot_become_formulas():
    from zwgk.web.views import _cell

    assert _cell("=HYPERLINK(\"x\")") == "'=HYPERLINK(\"x\")"
    assert _cell("正常理由") == "正常理由"


def test_dashboard_lists_every_unit_with_scores(world):
    html = login(world["app"], "admin").get("/dashboard").text
    for name in ("新市镇人民政府", "白水镇人民政府", "无网址镇人民政府"):
        assert name in html
    assert "尚未检查" in html  # no-site-town was never assessed


# -------------------------------------------------------------------------------------------- CLI


def test_passwd_and_disable_commands_end_sessions(world):
    from zwgk.cli.web import disable, passwd

    client = login(world["app"], "xinshi")
    runner = CliRunner()
    r = runner.invoke(passwd, ["xinshi", "--password-stdin", "--db", str(world["db"])], input="brand-new-pass\n")
    assert r.exit_code == 0 and "已修改用户 xinshi 的密码" in r.output and "注销其 1 个网页会话" in r.output
    assert client.get("/units/xinshi-town", follow_redirects=False).status_code == 303
    assert login(world["app"], "xinshi", "brand-new-pass").get("/units/xinshi-town").status_code == 200
    r = runner.invoke(disable, ["xinshi", "--db", str(world["db"])])
    assert r.exit_code == 0 and "已停用用户 xinshi" in r.output
    with Store.open(world["db"]) as store:
        assert store.get_user("xinshi")["disabled"]
        assert data.session_user(store, "no-such-session") is None
