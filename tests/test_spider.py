"""DisclosureSpider end to end against loopback sites: crawls in this process on the session's reactor
(``inprocess.run_crawl_collecting``); the robots test reads the crawl's log, so its crawl runs in a child
process (``crawler.runner.spawn_crawl``)."""

from __future__ import annotations

import threading

import pytest

from crawler.items import FetchedPage, SkippedLink
from crawler.runner import read_stream, spawn_crawl
from inprocess import run_crawl_collecting
from tests.crawl_server import (
    CrawlServer,
    article,
    build_generic_column,
    build_hanweb_column,
    build_trs_column,
    build_yueyang_column,
    crawl_server,  # noqa: F401  (pytest fixture)
    page,
    rows,
)

FAST = {"RETRY_TIMES": 1, "ZWGK_RETRY_BACKOFF_BASE": 0.05, "DOWNLOAD_TIMEOUT": 5}


def unit(uid: str, *roots: str, **extra) -> dict:
    return {"id": uid, "name": f"单位{uid}", "kind": "township", "disclosure_roots": list(roots), **extra}


def pages(items, role=None) -> list[FetchedPage]:
    return [i for i in items if isinstance(i, FetchedPage) and (role is None or i.role == role)]


def skips(items, reason=None) -> list[SkippedLink]:
    return [i for i in items if isinstance(i, SkippedLink) and (reason is None or i.reason == reason)]


# --- pagination of each CMS pattern ---------------------------------------------------------------------


@pytest.mark.parametrize("pattern", ["trs", "hanweb", "hanweb_no_total", "yueyang", "generic_query", "generic_path"])
def test_pagination_reaches_every_document(crawl_server, pattern):
    s = crawl_server
    if pattern == "trs":
        docs, root, list_pages = build_trs_column(s, "/zwgk/zhxx/", 6, 4), "/zwgk/zhxx/index.html", 6
    elif pattern.startswith("hanweb"):
        docs = build_hanweb_column(s, 321, 100, state_total=pattern == "hanweb")
        root = "/col/col321/index.html"
        list_pages = 3  # the column page, then 45-record groups (without a total: until one comes back short)
    elif pattern == "yueyang":
        docs, root, list_pages = build_yueyang_column(s, "/25221/25222/", 4, 5), "/25221/25222/default.htm", 4
    else:
        style = "query" if pattern == "generic_query" else "path"
        docs, root, list_pages = build_generic_column(s, "/gk/tzgg/", 5, 3, style=style), "/gk/tzgg/list.html", 5
    items, summary = run_crawl_collecting([unit("u", s.url(root))], settings=FAST, timeout=120)
    assert {p.url for p in pages(items, "detail")} == set(docs)
    assert len(pages(items, "root")) + len(pages(items, "list")) == list_pages
    assert summary["u"]["status"] == "complete"
    assert summary["u"]["pages"]["detail"] == len(docs)
    if pattern.startswith("hanweb"):
        posts = s.hits("/module/web/jpage/dataproxy.jsp", "POST")
        assert posts and all(p.form["columnid"] == "321" and p.form["webname"] == "测试" for p in posts)


def test_trs_gbk_column_declared_gb2312(crawl_server):
    s = crawl_server
    docs = build_trs_column(s, "/gbk/", 3, 3, charset="gb2312")
    items, _ = run_crawl_collecting([unit("u", s.url("/gbk/index.html"))], settings=FAST, timeout=120)
    got = {p.url: p for p in pages(items, "detail")}
    assert set(got) == set(docs)
    body = got[docs[0]].body
    assert "镕喆".encode("gbk") in body  # raw bytes kept as served (GBK, beyond GB2312)
    assert got[docs[0]].headers["content-type"] == "text/html; charset=gb2312"


# --- one messy site: encodings, redirects, errors, scope, traps, caps ------------------------------------


@pytest.fixture(scope="module")
def messy():
    s = CrawlServer().start()
    b = s.base
    # a generic list page in GBK whose pager says 下一页 — only followed if decoded right
    gbk_rows = rows([("g1.html", "公开文件镕一", "2017-01-02")])
    s.add("/xxgk/gbk/index.html", page("栏目", gbk_rows + '<a href="index_2.html">下一页</a>', "gb2312"),
          content_type="text/html; charset=gb2312", charset="gbk")
    s.add("/xxgk/gbk/index_2.html", page("栏目", rows([("g2.html", "公开文件喆二", "2017-01-01")]), "gb2312"),
          content_type="text/html; charset=gb2312", charset="gbk")
    article(s, "/xxgk/gbk/g1.html", "镕一", charset="gb2312")
    article(s, "/xxgk/gbk/g2.html", "喆二", charset="gb2312")
    # redirects
    s.redirect("/xxgk/old.html", "/xxgk/new.html", 301)
    article(s, "/xxgk/new.html", "新地址")
    s.redirect("/xxgk/away.html", b + "/elsewhere/x.html")
    article(s, "/elsewhere/x.html", "范围外")
    refresh = '<html><head><meta http-equiv="refresh" content="0;URL={}"></head><body>跳转中</body></html>'
    s.add("/xxgk/refresh.html", refresh.format("/xxgk/refreshed.html"))
    article(s, "/xxgk/refreshed.html", "刷新后")
    s.add("/xxgk/refresh-away.html", refresh.format(b + "/elsewhere/y.html"))
    article(s, "/elsewhere/y.html", "刷新到范围外")
    # errors
    s.add("/xxgk/broken.html", "<h1>500</h1>", status=500)
    article(s, "/xxgk/slow.html", "很慢", delay=3)
    # attachments, one over the body cap
    article(s, "/xxgk/withfiles.html", "带附件", attachments=("files/a.pdf", "files/big.pdf"))
    s.add("/xxgk/files/a.pdf", b"%PDF-1.4 small", content_type="application/pdf")
    s.add("/xxgk/files/big.pdf", b"%PDF-1.4 " + b"x" * 300_000, content_type="application/pdf")
    # an endless pager: every page repeats the same entries and links one further
    for n in range(1, 200):
        s.add(f"/xxgk/endless/index_{n}.html" if n > 1 else "/xxgk/endless/index.html",
              page("无尽", rows([("e1.html", "重复条目一", "2017-02-01")]) + f'<a href="index_{n + 1}.html">下一页</a>'))
    article(s, "/xxgk/endless/e1.html", "重复条目一")
    # session ids: each link carries a fresh one
    s.add("/xxgk/sess/index.html", page("会话", rows(
        [(f"doc.jsp;jsessionid=S{i}?id=1", f"会话文件第{i}个", "2017-04-01") for i in range(5)])))
    article(s, "/xxgk/sess/doc.jsp", "会话文件")
    s.add("/xxgk/cal/index.html", page("日历", "<p>日历</p>"))
    calendar = "".join(f'<a href="/xxgk/cal/index.html?year=2017&month={m}">{m}月</a>' for m in range(1, 13))
    links = [
        '<a href="gbk/index.html">GBK栏目</a>', '<a href="old.html">旧地址</a>', '<a href="away.html">外链跳转</a>',
        '<a href="missing.html">失效链接</a>', '<a href="broken.html">出错页面</a>', '<a href="slow.html">慢页面</a>',
        '<a href="withfiles.html">附件页面</a>', '<a href="endless/index.html">无尽栏目</a>',
        '<a href="sess/index.html">会话栏目</a>', '<a href="/other/page.html">别的单位</a>',
        '<a href="refresh.html">刷新跳转</a>', '<a href="refresh-away.html">刷新外跳</a>',
        '<a href="http://www.gov.cn/">中国政府网</a>', '<a href="mailto:xxgk@example.gov.cn">信箱</a>',
        '<a href="javascript:void(0)">脚本</a>', '<a href="ftp://127.0.0.1/pub/a.pdf">FTP</a>',
    ]
    s.add("/xxgk/index.html", page("信息公开", "".join(links) + calendar))
    settings = dict(FAST, DOWNLOAD_TIMEOUT=1, ZWGK_MAX_BODY_BYTES=100_000, ZWGK_TRAP_CALENDAR_VARIANTS=3,
                    ZWGK_COLUMN_PAGE_CAP=50)
    items, summary = run_crawl_collecting([unit("m", s.url("/xxgk/index.html"))], settings=settings, timeout=120)
    yield s, items, summary["m"]
    s.stop()


def test_gbk_list_pager_followed(messy):
    s, items, _ = messy
    assert {s.url("/xxgk/gbk/g1.html"), s.url("/xxgk/gbk/g2.html")} <= {p.url for p in pages(items, "detail")}


def test_redirect_in_scope_keeps_requested_and_final_url(messy):
    s, items, summary = messy
    (p,) = [p for p in pages(items) if p.url == s.url("/xxgk/old.html")]
    assert p.final_url == s.url("/xxgk/new.html") and p.status == 200
    assert summary["redirects"] >= 1


def test_redirect_out_of_scope_is_recorded_not_followed(messy):
    s, items, _ = messy
    (skip,) = [k for k in skips(items, "off_scope") if k.url == s.url("/elsewhere/x.html")]
    assert skip.detail["redirected_from"] == s.url("/xxgk/away.html")
    assert not s.hits("/elsewhere/x.html")


def test_meta_refresh_is_followed_only_within_scope(messy):
    s, items, _ = messy
    assert s.url("/xxgk/refreshed.html") in {p.url for p in pages(items)}
    (skip,) = [k for k in skips(items, "off_scope") if k.url == s.url("/elsewhere/y.html")]
    assert skip.detail["redirected_from"] == s.url("/xxgk/refresh-away.html")
    assert not s.hits("/elsewhere/y.html")


def test_404_and_500_recorded_and_crawl_goes_on(messy):
    s, items, summary = messy
    status = {p.url: p.status for p in pages(items)}
    assert status[s.url("/xxgk/missing.html")] == 404
    assert status[s.url("/xxgk/broken.html")] == 500
    assert len(s.hits("/xxgk/broken.html")) == 2  # RETRY_TIMES=1: one retry
    assert summary["errors"]["http_4xx"] == 1 and summary["errors"]["http_5xx"] == 1
    assert status[s.url("/xxgk/old.html")] == 200


def test_timeout_recorded_as_error(messy):
    s, items, summary = messy
    assert summary["errors"]["timeout"] == 1
    (skip,) = [k for k in skips(items, "error") if k.url == s.url("/xxgk/slow.html")]
    assert skip.detail["error"] == "timeout"
    assert summary["status"] == "partial"


def test_attachments_fetched_and_oversized_truncated(messy):
    s, items, summary = messy
    files = {p.url: p for p in pages(items, "attachment")}
    assert files[s.url("/xxgk/files/a.pdf")].body == b"%PDF-1.4 small"
    big = files[s.url("/xxgk/files/big.pdf")]
    assert big.truncated and len(big.body) == 100_000
    assert summary["truncated"] == 1


def test_off_scope_links_recorded_not_followed(messy):
    s, items, _ = messy
    off = {k.url for k in skips(items, "off_scope")}
    assert {s.url("/other/page.html"), "http://www.gov.cn/"} <= off
    assert not s.hits("/other/page.html")


def test_non_http_links_never_fetched(messy):
    _, items, summary = messy
    assert {k.url for k in skips(items, "not_http")} == {
        "mailto:xxgk@example.gov.cn", "javascript:void(0)", "ftp://127.0.0.1/pub/a.pdf"}
    assert summary["skips"]["not_http"] == 3


def test_calendar_trap_stopped_and_counted(messy):
    s, items, _ = messy
    traps = [k for k in skips(items, "trap") if k.detail.get("kind") == "calendar"]
    assert len(traps) == 9  # 12 months linked, 3 allowed
    assert len(s.hits("/xxgk/cal/index.html")) == 3


def test_endless_pagination_stopped(messy):
    s, items, summary = messy
    endless = [h for h in s.hits() if h.path.startswith("/xxgk/endless/index")]
    assert len(endless) == 2  # the second page repeats the first's entries: stop
    assert any(k.detail.get("kind") == "endless_pagination" for k in skips(items, "trap"))


def test_session_ids_removed_so_the_document_is_fetched_once(messy):
    s, items, _ = messy
    assert len(s.hits("/xxgk/sess/doc.jsp")) == 1
    assert [p.url for p in pages(items, "detail") if "doc.jsp" in p.url] == [s.url("/xxgk/sess/doc.jsp?id=1")]


def test_fetched_page_fields(messy):
    s, items, _ = messy
    (p,) = [p for p in pages(items) if p.final_url == s.url("/xxgk/new.html")]
    assert p.unit_id == "m" and p.role == "detail" and p.referer == s.url("/xxgk/index.html")
    assert all(k == k.lower() for k in p.headers) and p.headers["content-type"].startswith("text/html")
    assert p.fetched_at.endswith("+00:00") and "T" in p.fetched_at


# --- caps ----------------------------------------------------------------------------------------------------


def test_unit_page_cap(crawl_server):
    s = crawl_server
    build_trs_column(s, "/cap/", 4, 5)
    items, summary = run_crawl_collecting([unit("u", s.url("/cap/index.html"))],
                                          settings=dict(FAST, ZWGK_UNIT_PAGE_CAP=8), timeout=120)
    assert summary["u"]["requests"] == 8
    assert skips(items, "page_cap") and summary["u"]["status"] == "partial"


# --- robots.txt ----------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_robots_obeyed_and_host_override_logged(crawl_server, tmp_path):
    s = crawl_server
    s.add("/robots.txt", "User-agent: *\nDisallow: /xxgk/private/\n", content_type="text/plain")
    article(s, "/xxgk/private/a.html", "内部")
    article(s, "/xxgk/open.html", "公开")
    s.add("/xxgk/index.html", page("公开", '<a href="private/a.html">内部</a><a href="open.html">公开</a>'))
    local = f"http://localhost:{s.port}/xxgk/index.html"
    out, log_path = tmp_path / "items.jsonl", tmp_path / "stderr.log"
    with open(log_path, "wb") as log:
        proc = spawn_crawl([unit("a", s.url("/xxgk/index.html")), unit("b", local)], out, stderr=log,
                           settings=dict(FAST, ZWGK_ROBOTS_OVERRIDES={"localhost": "演示站点授权抓取"}))
        assert proc.wait(timeout=120) == 0
    items, summary = read_stream(out)
    blocked = [k for k in skips(items, "robots") if k.unit_id == "a"]
    assert [k.url for k in blocked] == [s.url("/xxgk/private/a.html")]
    assert summary["a"]["errors"]["robots"] == 1
    assert f"http://localhost:{s.port}/xxgk/private/a.html" in {p.url for p in pages(items) if p.unit_id == "b"}
    assert len(s.hits("/xxgk/private/a.html")) == 1  # only through the overridden host
    log_text = log_path.read_text(encoding="utf-8")
    assert "演示站点授权抓取" in log_text and "localhost" in log_text
    assert "回环地址" in log_text  # the loopback profile says it relaxed politeness


# --- incremental recrawl --------------------------------------------------------------------------------------


def test_incremental_recrawl_asks_little_and_stops_early(crawl_server):
    s = crawl_server
    build_trs_column(s, "/inc/", 10, 10)
    for path, route in s.routes.items():
        if "/t2017" in path:
            route.etag = f'"{abs(hash(path))}"'
            route.last_modified = "Wed, 01 Mar 2017 00:00:00 GMT"
    units = [unit("u", s.url("/inc/index.html"))]
    items, first = run_crawl_collecting(units, settings=FAST, timeout=120)
    assert first["u"]["pages"]["detail"] == 100
    known = {p.url: {"etag": p.headers.get("etag"), "last_modified": p.headers.get("last-modified"), "sha256": None}
             for p in pages(items, "detail")}
    # one new document appears at the top of the newest list page
    new = article(s, "/inc/201710/t20171031_99999.html", "新增文件")
    index = s.routes["/inc/index.html"]
    index.body = index.body.replace(b"<ul>", 
                                    '<ul><li><a href="./201710/t20171031_99999.html">新增文件</a></li>'.encode(), 1)
    before = len(s.requests)
    items2, second = run_crawl_collecting(units, settings=FAST, known=known, incremental=True, timeout=120)
    asked = len(s.requests) - before
    assert [p.url for p in pages(items2, "detail")] == [new]
    assert asked <= 0.05 * first["u"]["requests"]  # root + second list page + the new document (+ robots.txt)
    assert second["u"]["skips"]["incremental_stop"] == 1
    # a full pass with the same knowledge asks conditionally: unchanged documents answer 304
    before = len(s.requests)
    items3, third = run_crawl_collecting(units, settings=FAST, known=known, timeout=120)
    conditional = [r for r in s.requests[before:] if "if-none-match" in r.headers]
    assert len(conditional) == 100
    assert third["u"]["not_modified"] == 100
    assert all(p.body == b"" for p in pages(items3) if p.not_modified)


# --- bounded by construction: lazy pagination, breadth, budgets (issue 10) --------------------------------------


def _lying_trs_column(server: CrawlServer, folder: str, declared: int) -> dict:
    """A TRS column declaring ``declared`` pages, every one of them real (three entries of its own); counts
    how many of its list pages are being answered at once."""
    state = {"now": 0, "max": 0}
    lock = threading.Lock()

    def list_page(req):
        leaf = req.path.rsplit("/", 1)[-1]
        n = 0 if leaf == "index.html" else int(leaf[len("index_"):-len(".html")])
        with lock:
            state["now"] += 1
            state["max"] = max(state["max"], state["now"])
        server.stopped.wait(0.05)  # long enough for a crawler asking several at once to overlap
        with lock:
            state["now"] -= 1
        entries = [(f"./201703/t20170301_{n * 10 + k}.html", f"栏目文件第{n * 10 + k}号", "03-01") for k in range(3)]
        pager = f'<script>createPageHTML({declared}, {n}, "index", "html");</script>'
        return 200, {"Content-Type": "text/html; charset=utf-8"}, page("通知公告", rows(entries) + pager).encode()

    server.add_prefix(folder + "index", list_page)
    server.add_prefix(folder + "2017", lambda req: (200, {"Content-Type": "text/html; charset=utf-8"},
                                                    page("文件", "<h1>文件</h1><div class='TRS_Editor'>正文</div>").encode()))
    return state


def test_a_pager_declaring_100000_pages_is_walked_lazily_up_to_the_column_cap(crawl_server):
    s = crawl_server
    lying = _lying_trs_column(s, "/xxgk/big/", 100_000)
    small = build_generic_column(s, "/xxgk/small/", 3, 3, style="path")
    guide = article(s, "/xxgk/guide.html", "政府信息公开指南")
    s.add("/xxgk/index.html", page("信息公开", '<a href="big/index.html">通知公告</a><a href="small/list.html">工作动态</a>'
                                            '<a href="guide.html">政府信息公开指南</a>'))
    items, summary = run_crawl_collecting([unit("u", s.url("/xxgk/index.html"))], timeout=120,
                                          settings=dict(FAST, ZWGK_COLUMN_PAGE_CAP=12, ZWGK_COLUMN_WINDOW=2))
    paths = [h.path for h in s.hits()]
    big = [p for p in paths if p.startswith("/xxgk/big/index")]
    assert len(big) == 12 and lying["max"] <= 2  # the cap, and never more than the window at once
    (trap,) = [k for k in skips(items, "trap") if k.detail.get("kind") == "too_many_pages"]
    assert trap.detail["declared"] == 100_000 and trap.detail["cap"] == 12
    assert summary["u"]["traps"]["too_many_pages"] == 1 and summary["u"]["declared_pages"] == 100_000
    assert summary["u"]["status"] == "complete" and not skips(items, "column_cap")  # a trap, not a cut
    # breadth: the other column and the guide come before the deep pages of the endless one
    assert set(small) | {guide} <= {p.url for p in pages(items)}
    third = paths.index("/xxgk/big/index_2.html")
    assert paths.index("/xxgk/guide.html") < third and paths.index("/xxgk/small/list.html") < third


def test_budgets_cut_the_crawl_and_make_it_partial(crawl_server):
    s = crawl_server
    build_trs_column(s, "/q/", 3, 20)
    items, summary = run_crawl_collecting([unit("u", s.url("/q/index.html"))], timeout=120,
                                          settings=dict(FAST, ZWGK_UNIT_FRONTIER_CAP=5))
    assert skips(items, "frontier_full") and summary["u"]["status"] == "partial"
    s.default_delay = 0.3
    items, summary = run_crawl_collecting([unit("t", s.url("/q/index.html"))], timeout=120,
                                          settings=dict(FAST, ZWGK_UNIT_TIME_BUDGET=0.5))
    assert summary["t"]["skips"]["time_budget"] > 0 and summary["t"]["status"] == "partial"
    assert summary["t"]["pages"].get("detail", 0) < 60


def test_units_are_started_as_others_finish(crawl_server):
    s = crawl_server
    for folder in ("/ua/", "/ub/", "/uc/"):
        build_trs_column(s, folder, 2, 3, first_id=1000 * len(folder) + ord(folder[2]))
    units = [unit(f[1:-1], s.url(f + "index.html")) for f in ("/ua/", "/ub/", "/uc/")]
    items, summary = run_crawl_collecting(units, settings=dict(FAST, ZWGK_ACTIVE_UNITS=1), timeout=120)
    assert all(summary[u["id"]]["status"] == "complete" for u in units)
    order = [h.path[:4] for h in s.hits() if h.path.startswith("/u")]
    # one unit at a time: each folder's requests form one unbroken run, in registry order
    assert [f for k, f in enumerate(order) if k == 0 or order[k - 1] != f] == ["/ua/", "/ub/", "/uc/"]


def test_a_list_reached_as_a_document_is_followed(crawl_server):
    # a 年报 column listing one page per year (extensionless links, as some platforms write them): each year
    # page is itself a short list holding the year's report; only the page's own layout tells
    s = crawl_server
    s.add("/xxgk/nb/index.html", page("年报", rows([(f"y{y}", f"{y}年政府信息公开工作年度报告", f"{y + 1}-01-20")
                                                   for y in (2015, 2016, 2017)])))
    for y in (2015, 2016, 2017):
        s.add(f"/xxgk/nb/y{y}", page(f"{y}年", rows([(f"r{y}.html", f"某某县{y}年政府信息公开工作年度报告",
                                                     f"{y + 1}-01-20")])))
        article(s, f"/xxgk/nb/r{y}.html", f"某某县{y}年政府信息公开工作年度报告")
    items, _ = run_crawl_collecting([unit("u", s.url("/xxgk/nb/index.html"))], settings=FAST, timeout=120)
    assert {s.url(f"/xxgk/nb/r{y}.html") for y in (2015, 2016, 2017)} <= {p.url for p in pages(items, "detail")}
    assert {s.url(f"/xxgk/nb/y{y}") for y in (2015, 2016, 2017)} <= {p.url for p in pages(items, "list")}
