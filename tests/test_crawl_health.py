"""Crawl health per unit: what makes a unit "could not assess", what is only worth a note, what a budget
cut (未抓完) or a trap says, and how a resumed run is judged as a whole."""

from zwgk.services.crawling import unit_health, whole_run


def summary(status="complete", errors=None, pages=None, skips=None, traps=None):
    return {"status": status, "errors": errors or {}, "pages": pages or {"root": 1, "list": 3, "detail": 20},
            "skips": skips or {}, "traps": traps or {}}


def kinds(notes):
    return [n["kind"] for n in notes]


def test_a_complete_crawl_has_no_notes():
    assert unit_health(summary(), 20) == ("complete", [])


def test_unreachable_and_blocked_sites_fail():
    status, notes = unit_health(summary("failed", {"connection": 3}, {}), 0)
    assert status == "failed" and kinds(notes) == ["unreachable"] and "连接失败 3 次" in notes[0]["message"]
    status, notes = unit_health(summary("failed", {"robots": 1}, {}), 0)
    assert status == "failed" and kinds(notes) == ["blocked"]


def test_download_errors_are_noted_and_dead_links_told_apart():
    status, notes = unit_health(summary("partial", {"timeout": 2, "http_4xx": 1}), 20)
    assert status == "partial" and kinds(notes) == ["errors", "dead_links"]
    assert "超时 2 次" in notes[0]["message"] and "4xx" not in notes[0]["message"]
    assert "失效链接 1 个" in notes[1]["message"]


def test_a_layout_change_makes_the_unit_could_not_assess():
    status, notes = unit_health(summary(pages={"root": 1, "list": 4}), documents_before=37)
    assert status == "failed" and kinds(notes) == ["layout_changed"] and "上次有 37 篇" in notes[0]["message"]
    # a site that never had documents has not "changed layout"
    assert unit_health(summary(pages={"root": 1}), documents_before=0)[0] == "complete"
    # known documents skipped by an incremental crawl still count as documents
    assert unit_health(summary(pages={"root": 1, "list": 4}, skips={"known": 30}), 30)[0] == "complete"


def test_a_page_cap_is_noted():
    _, notes = unit_health(summary("partial", skips={"page_cap": 12}), 20)
    assert kinds(notes) == ["page_cap"] and "12 个链接未抓取" in notes[0]["message"]


def test_what_a_budget_cut_is_noted_as_not_finished():
    status, notes = unit_health(summary("partial", skips={"time_budget": 40, "frontier_full": 3}), 20)
    assert status == "partial" and kinds(notes) == ["time_budget", "frontier_full"]
    assert notes[0]["message"] == "未抓完：单位抓取时间预算已用完，40 个链接未抓取"
    assert notes[1]["message"].startswith("未抓完：待抓取队列已满")


def test_every_trap_is_noted_with_its_reason_and_does_not_fail_the_unit():
    s = summary(skips={"trap": 12, "depth": 5, "attachment_too_large": 1},
                traps={"calendar": 9, "too_many_pages": 2, "redirect_loop": 1})
    s["declared_pages"], s["column_page_cap"] = 100000, 500
    status, notes = unit_health(s, 20)
    assert status == "complete"
    by_trap = {n["trap"]: n["message"] for n in notes if n["kind"] == "trap"}
    assert set(by_trap) == {"calendar", "too_many_pages", "redirect_loop", "depth"}
    assert "分页过多" in by_trap["too_many_pages"] and "100000 页" in by_trap["too_many_pages"]
    assert "超过每个栏目 500 页的分页上限" in by_trap["too_many_pages"]
    assert "日历" in by_trap["calendar"] and "9 个链接" in by_trap["calendar"]
    assert "附件过大" in next(n["message"] for n in notes if n["kind"] == "attachment_too_large")


def test_a_resumed_run_is_judged_as_a_whole():
    # the part after the crash re-read the root and lists; the documents were stored before it
    last = {"status": "complete", "requests": 5, "errors": {}, "pages": {"root": 1, "list": 4}, "skips": {},
            "traps": {}, "roots_ok": 1}
    assert unit_health(last, 400)[0] == "failed"  # alone, it looks like a layout change
    earlier = {"requests": 420, "errors": {"timeout": 1}, "pages": {"root": 1, "list": 4, "detail": 400},
               "skips": {"error": 1}, "traps": {"calendar": 3}, "roots_ok": 1}
    merged = whole_run(last, earlier)
    assert merged["pages"]["detail"] == 400 and merged["traps"] == {"calendar": 3}
    assert merged["status"] == "partial"  # the timeout of the first part counts too
    status, notes = unit_health(merged, 400)
    assert status == "partial" and "layout_changed" not in kinds(notes)
    # a root that answered only before the crash still means the site was reachable
    down = dict(last, roots_ok=0, errors={"connection": 1}, pages={})
    assert whole_run(down, earlier)["status"] == "partial"
