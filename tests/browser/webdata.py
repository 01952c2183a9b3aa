"""A small review database for the web app's tests: two townships, five users, findings (one carrying
script and event-handler payloads in its message, excerpt, URL and snapshot), a manual entry."""

from __future__ import annotations

import hashlib
from pathlib import Path

from rubrics.model import fingerprint
from zwgk.store import Store

PERIOD = 2017
PASSWORDS = {
    "admin": "admin-pass-2017",
    "pinggu": "pinggu-pass-2017",
    "pinggu2": "pinggu2-pass-2017",
    "xinshi": "xinshi-pass-2017",
    "baishui": "baishui-pass-2017",
}
XSS_SCRIPT = "<script>alert(1)</script>"
XSS_IMG = "<img src=x onerror=alert(1)>"
SNAPSHOT_HTML = (
    "<!doctype html><html><head><meta charset=utf-8><title>年报</title></head><body>"
    "<h1>新市镇2016年度政府信息公开工作报告</h1><script>parent.document.title='pwned'</script>"
    "<img src=x onerror=alert(1)></body></html>"
).encode()
SNAPSHOT_SHA = hashlib.sha256(SNAPSHOT_HTML).hexdigest()


def _finding(check: str, unit_id: str, rule: str, subject: str, outcome: str, count: int, message: str, evidence: dict) -> dict:
    return {
        "fingerprint": fingerprint("township-2017", PERIOD, unit_id, rule, subject),
        "rubric_id": "township-2017",
        "rule_id": rule,
        "check_id": check,
        "subject": subject,
        "outcome": outcome,
        "count": count,
        "message": message,
        "evidence": evidence,
    }


def build_db(path: Path) -> dict:
    """Write the database; returns the fingerprints by name and the snapshot bodies by sha256."""
    with Store.open(path) as store:
        store.upsert_units([
            {"id": "xinshi-town", "name": "新市镇人民政府", "kind": "township", "site": "http://xinshi.example/"},
            {"id": "baishui-town", "name": "白水镇人民政府", "kind": "township", "site": "http://baishui.example/"},
            {"id": "no-site-town", "name": "无网址镇人民政府", "kind": "township"},
        ])
        store.add_user("admin", "admin", PASSWORDS["admin"], display_name="管理员")
        store.add_user("pinggu", "assessor", PASSWORDS["pinggu"], display_name="考核员甲")
        store.add_user("pinggu2", "assessor", PASSWORDS["pinggu2"], display_name="考核员乙")
        store.add_user("xinshi", "unit", PASSWORDS["xinshi"], display_name="新市镇", units=["xinshi-town"])
        store.add_user("baishui", "unit", PASSWORDS["baishui"], display_name="白水镇", units=["baishui-town"])
        run = store.start_run("test", period=PERIOD)
        xinshi = [
            _finding("guide_report", "xinshi-town", "township-2017.2.2.c", "2016年度报告", "fail", 1,
                     f"未找到2016年度报告{XSS_SCRIPT}",
                     {"url": "javascript:alert(1)", "excerpt": f"年度报告{XSS_IMG}栏目为空", "highlight": "年度报告",
                      "searched": [f"年报栏目{XSS_SCRIPT}"], "snapshot": SNAPSHOT_SHA}),
            _finding("proactive_disclosure", "xinshi-town", "township-2017.2.5.a", "主动公开类别", "needs_review", 2,
                     "未找到“减税降费信息”“国企运营监管信息”", {"missing": ["减税降费信息", "国企运营监管信息"]}),
            _finding("service_guide", "xinshi-town", "township-2017.3.3.b", "办事指南要素", "fail", 3,
                     "缺少三项要素", {"url": "http://xinshi.example/bszn/", "missing": ["通办范围", "预约办理", "物流快递"]}),
        ]
        baishui = [
            _finding("guide_report", "baishui-town", "township-2017.2.2.c", "2016年度报告", "fail", 1, "未找到2016年度报告",
                     {"searched": ["年报栏目"], "snapshot": "0" * 64}),
            _finding("guide_report", "baishui-town", "township-2017.2.2.a", "政府信息公开指南", "fail", 1, "未找到公开指南", {}),
        ]
        store.record_findings(run, "xinshi-town", PERIOD, "township-2017", xinshi)
        store.record_findings(run, "baishui-town", PERIOD, "township-2017", baishui)
        store.finish_run(run, "complete", {})
        manual = store.add_manual_entry("xinshi-town", PERIOD, "township-2017", "township-2017.5.1.a", 3,
                                        "全年报送信息9条", "pinggu")
    fps = {
        "x_report": xinshi[0]["fingerprint"], "x_categories": xinshi[1]["fingerprint"],
        "x_guide": xinshi[2]["fingerprint"], "b_report": baishui[0]["fingerprint"],
        "b_guide": baishui[1]["fingerprint"], "x_manual": manual,
    }
    return {"fps": fps, "snapshots": {SNAPSHOT_SHA: SNAPSHOT_HTML}}
