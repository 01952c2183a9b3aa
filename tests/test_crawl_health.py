"""Crawl health per unit: what makes a unit "could not assess", and what is only worth a note."""

from zwgk.crawling import unit_health


def summary(status="complete", errors=None, pages=None, skips=None):
    return {"status": status, "errors": errors or {}, "pages": pages or {"root": 1, "list": 3, "detail": 20},
            "skips": skips or {}}


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
