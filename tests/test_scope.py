"""Scope, canonical URLs and trap detection (crawler.scope)."""

from hypothesis import given, settings, strategies as st

from crawler.scope import TrapDetector, UnitScope, canonicalize, has_session_id


def test_canonicalize_drops_fragment_and_sorts_query():
    assert canonicalize("http://H.gov.cn/a/b.html?z=1&a=2#top") == "http://h.gov.cn/a/b.html?a=2&z=1"


def test_canonicalize_refuses_non_http():
    for url in ("mailto:ban@h.gov.cn", "javascript:void(0)", "ftp://h.gov.cn/a.pdf", "tel:123", "", "http://"):
        assert canonicalize(url) is None


def test_session_ids_are_removed():
    assert canonicalize("http://h/a/list.jsp;jsessionid=ABC123?page=2") == "http://h/a/list.jsp?page=2"
    assert canonicalize("http://h/a.php?PHPSESSID=x1&id=3") == "http://h/a.php?id=3"
    assert canonicalize("http://h/a.asp?id=3&sid=99") == "http://h/a.asp?id=3"
    assert has_session_id("http://h/a;jsessionid=1") and not has_session_id("http://h/a?id=1")


def test_scope_is_host_and_folder_of_each_root():
    scope = UnitScope(["http://www.h.gov.cn/xinshi/xxgk/index.html"], ["http://zwfw.hunan.gov.cn/xinshi"])
    assert scope.in_scope("http://www.h.gov.cn/xinshi/xxgk/zn/2017.html")
    assert not scope.in_scope("http://www.h.gov.cn/other/xxgk/")  # another unit on the same host
    assert scope.in_scope("http://www.h.gov.cn/other/xxgk/", host_only=True)
    assert scope.in_scope("http://zwfw.hunan.gov.cn/xinshi/bszn/1.html")
    assert scope.in_scope("http://zwfw.hunan.gov.cn/xinshi")
    assert not scope.in_scope("http://zwfw.hunan.gov.cn/xinshix/1.html")
    assert not scope.in_scope("http://www.h.gov.cn:8080/xinshi/xxgk/a.html")  # another port, another site
    assert not scope.in_scope("https://evil.example/xinshi/xxgk/")


def test_scope_reasons():
    scope = UnitScope(["http://h/xxgk/"])
    assert scope.reason("http://h/xxgk/a.html") is None
    assert scope.reason("http://h/zwdt/a.html") == "off_scope"
    assert scope.reason("mailto:a@h") == "not_http"


def test_calendar_trap_after_the_allowed_variants():
    traps = TrapDetector(calendar_variants=3)
    verdicts = [traps.check(f"http://h/cal.jsp?year=2017&month={m}") for m in range(1, 7)]
    assert verdicts == [None, None, None, "calendar", "calendar", "calendar"]
    assert traps.check("http://h/cal.jsp?year=2017&month=1") is None  # a variant already allowed


def test_repeated_path_segments():
    traps = TrapDetector(repeated_segments=3)
    assert traps.check("http://h/a/b/a/b/a/x.html") == "repeated_path"
    assert traps.check("http://h/a/b/c/a/x.html") is None


def test_too_many_query_variants_per_path():
    traps = TrapDetector(query_variants=5)
    verdicts = [traps.check(f"http://h/search.jsp?q={i}") for i in range(8)]
    assert verdicts.count("query_variants") == 3


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80))
def test_canonicalize_total_and_idempotent(raw):
    for url in (raw, "http://h/" + raw, "http://h/a?" + raw):
        canon = canonicalize(url)
        if canon is not None:
            assert canonicalize(canon) == canon
            assert UnitScope(["http://h/"]).reason(canon) in (None, "off_scope")
            TrapDetector().check(canon)
