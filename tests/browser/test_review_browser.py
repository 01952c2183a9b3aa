"""The review workflow in a real headless chromium: an assessor confirms and rejects and sees the score
move; a unit user is refused another unit's page."""

from __future__ import annotations

from decimal import Decimal

import pytest
from browser.webdata import PASSWORDS

from zwgk.store import Store

pytestmark = pytest.mark.slow


def sign_in(page, base, username):
    page.goto(base + "/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORDS[username])
    page.click("button:has-text('登录')")


def scores(page, base, unit_id):
    page.goto(f"{base}/units/{unit_id}")
    return (Decimal(page.text_content("[data-score=confirmed]")), Decimal(page.text_content("[data-score=provisional]")))


def test_assessor_confirms_one_rejects_another_and_sees_the_score_change(served, page):
    base, fps = served["url"], served["fps"]
    sign_in(page, base, "pinggu")
    page.wait_for_url(base + "/dashboard")
    confirmed0, provisional0 = scores(page, base, "xinshi-town")

    page.goto(base + "/queue?unit=xinshi-town")
    page.click("a[data-open]:has-text('缺少三项要素')")
    page.click("button:has-text('确认扣分')")
    page.wait_for_selector(".flash-ok:has-text('已记录第')")

    page.goto(f"{base}/items/{fps['x_categories']}?back=/queue")
    page.fill("textarea[name=reason]", "两类信息已在“财政信息”栏目公开")
    page.click("button:has-text('驳回')")
    page.wait_for_selector(".flash-ok:has-text('驳回')")

    confirmed1, provisional1 = scores(page, base, "xinshi-town")
    assert confirmed1 == confirmed0 - Decimal("1.5")  # the confirmed guide deduction: 3 elements × 0.5
    assert provisional1 == provisional0 + Decimal(6)  # the rejected categories no longer count: 2 × 3
    with Store.open(served["db"]) as store:
        assert store.latest_decision(fps["x_guide"]).action.value == "confirm"
        rejected = store.latest_decision(fps["x_categories"])
        assert rejected.action.value == "reject" and rejected.by == "pinggu" and "财政信息" in rejected.reason


def test_queue_keyboard_confirm(served, page):
    base = served["url"]
    sign_in(page, base, "pinggu")
    page.wait_for_url(base + "/dashboard")
    page.goto(base + "/queue?check=service_guide")
    page.keyboard.press("j")
    page.keyboard.press("c")
    page.wait_for_selector(".flash-ok:has-text('已确认 1 项')")
    with Store.open(served["db"]) as store:
        assert store.latest_decision(served["fps"]["x_guide"]).action.value == "confirm"


def test_unit_user_is_refused_another_units_page(served, page):
    base = served["url"]
    sign_in(page, base, "xinshi")
    page.wait_for_url(base + "/units/xinshi-town")
    assert "新市镇人民政府" in page.text_content("h1")
    response = page.goto(base + "/units/baishui-town")
    assert response.status == 403
    assert "无权访问" in page.text_content("h1")
    assert "白水镇" not in page.content()


def test_snapshot_frame_runs_no_script(served, page):
    base = served["url"]
    sign_in(page, base, "pinggu")
    page.wait_for_url(base + "/dashboard")
    page.goto(f"{base}/items/{served['fps']['x_report']}")
    frame = page.frame_locator("iframe.snapshot")
    assert "2016年度政府信息公开工作报告" in frame.locator("h1").text_content()
    # the snapshot's script would rename the parent page; sandboxed, it cannot run
    assert "pwned" not in page.title()


def test_back_link_cannot_leave_the_site(served, page):
    """Chromium drops the tab in "/%09/evil.example/x" and would read it as //evil.example/x: the item page
    links back to the queue instead, and following the link stays on this server."""
    base = served["url"]
    sign_in(page, base, "pinggu")
    page.wait_for_url(base + "/dashboard")
    leaving = []
    page.route("**/*", lambda route: (leaving.append(route.request.url), route.abort())
               if not route.request.url.startswith(base) else route.continue_())
    page.goto(f"{base}/items/{served['fps']['x_report']}?back=/%09/evil.example/x")
    page.click("a:has-text('← 返回')")
    page.wait_for_url(base + "/queue")
    assert leaving == []


def test_evidence_replaced_while_open_is_refused_with_the_reason_kept(served, page):
    base, fp = served["url"], served["fps"]["x_report"]
    sign_in(page, base, "pinggu")
    page.wait_for_url(base + "/dashboard")
    page.goto(f"{base}/items/{fp}?back=/queue")
    page.fill("textarea[name=reason]", "年报在“其他”栏目")
    with Store.open(served["db"]) as store:  # the nightly run replaces the evidence meanwhile
        current = store.current_findings("xinshi-town", 2017)
        run = store.start_run("test", period=2017)
        findings = [{k: f[k] for k in ("fingerprint", "rule_id", "check_id", "subject", "outcome", "count", "message")}
                    | {"evidence": {**f["evidence"], "excerpt": "改版"} if f["fingerprint"] == fp else f["evidence"]}
                    for f in current]
        store.record_findings(run, "xinshi-town", 2017, "township-2017", findings)
        store.finish_run(run, "complete", {})
    page.click("button:has-text('驳回')")
    page.wait_for_selector(".flash-error:has-text('证据已变化，请重新查看')")
    assert page.input_value("textarea[name=reason]") == "年报在“其他”栏目"
    with Store.open(served["db"]) as store:
        assert store.latest_decision(fp) is None
