"""A page's layout from the page itself (crawler.extract.layout, crawler.cms.blocks): list, document or
both, on real pages first (tests/fixtures/pages, tests/fixtures/real) and on pages written on real
template patterns; and list dates carried to documents that state none (crawler.understand.list_dates)."""

from __future__ import annotations

import json
from pathlib import Path

from crawler.cms import parse_list
from crawler.extract import extract_page
from crawler.record import ListEntry, PageRecord
from crawler.understand import understand
from crawler.understand.list_dates import with_list_dates

PAGES = Path(__file__).parent / "fixtures" / "pages"


def fixture(name: str) -> PageRecord:
    meta = json.loads((PAGES / name / "meta.json").read_text(encoding="utf-8"))
    return extract_page(meta["url"], meta["headers"], (PAGES / name / "body.html").read_bytes())


def test_real_trs_list_page_is_a_list_with_its_entries():
    record = fixture("zhangshu_trs_list")
    assert record.layout == "list", record.layout_reasons
    urls = [e.url for e in record.entries]
    assert "http://www.zhangshu.gov.cn/zwgk/zhxx/201710/t20171019_398276.html" in urls
    assert len(urls) == 24  # the 24 rows of the column's list, not the navigation or the 便民服务 links
    assert understand(record).kind == "list"


def test_article_pages_are_documents():
    for name in ("trs_article", "hanweb_article", "miluo_article", "gbk_gb2312"):
        record = fixture(name)
        assert record.layout == "document", (name, record.layout_reasons)
        assert record.entries == []


def _page(body: str) -> bytes:
    return f"<html><head><title>t</title></head><body>{body}</body></html>".encode()


ROWS = "".join(f'<li><a href="./2017{m:02d}/t2017{m:02d}01_{m}.html">汨罗市第{m}号工作通知公告标题</a>'
               f"<span>2017-{m:02d}-01</span></li>" for m in range(1, 11))


def test_a_column_page_showing_a_guide_and_older_versions_is_both():
    guide = "<p>" + "本指南根据《中华人民共和国政府信息公开条例》编制，" * 12 + "</p>"
    body = _page(f'<div class="TRS_Editor"><h1>政府信息公开指南</h1>{guide}</div>'
                 f'<div class="list"><h3>历年指南</h3><ul>{ROWS}</ul></div>')
    record = understand(extract_page("http://www.x.gov.cn/zwgk/zn/index.html", {}, body))
    assert record.layout == "both", record.layout_reasons
    assert len(record.entries) == 10
    assert record.kind == "disclosure_guide"  # the checks see its document


def test_rows_whose_links_are_dead_are_list_rows_not_document_text():
    # scsedu-list-zcwj: a mirror kept 5 live entries of 30; the others link "javascript:;"
    dead = "".join(f'<li><a href="javascript:;">四川省人民政府办公厅关于印发第{n}号实施方案的通知</a>'
                   f"<span>2020-09-{n:02d}</span></li>" for n in range(1, 26))
    live = "".join(f'<li><a href="./2020{m:02d}/t2020{m:02d}01_{m}.html">教育部关于印发第{m}号办法的通知</a>'
                   f"<span>2020-{m:02d}-01</span></li>" for m in range(1, 6))
    body = _page(f'<div class="TRS_Editor"><h2>政策文件</h2><ul>{live}{dead}</ul></div>')
    record = extract_page("http://edu.sc.gov.cn/scedu/c100538/xxgk_list.shtml", {}, body)
    assert record.layout == "list", record.layout_reasons
    assert len(record.entries) == 5 and record.pub_date is None


def test_a_navigation_menu_is_not_a_list():
    menu = "".join(f'<li><a href="/col{n}/">栏目名称{n}</a></li>' for n in range(8))
    text = "<p>" + "正文内容。" * 60 + "</p>"
    record = extract_page("http://www.x.gov.cn/a/1.html", {}, _page(f"<ul>{menu}</ul><div id='zoom'>{text}</div>"))
    assert record.layout == "document"


def test_a_table_list_with_the_date_in_a_sibling_cell():
    rows = "".join(f'<tr><td>{n}</td><td><a href="/art/2019/3/{n}/art_12_{n}.html" title="关于第{n}项工作的通知">'
                   f"关于第{n}项工作…</a></td><td>2019-03-{n:02d}</td></tr>" for n in range(1, 8))
    record = extract_page("http://www.x.gov.cn/col/col12/index.html", {}, _page(f"<table>{rows}</table>"))
    assert record.layout == "list"
    assert [e.title for e in record.entries][:2] == ["关于第1项工作的通知", "关于第2项工作的通知"]
    assert record.entries[0].date == "2019-03-01"


def test_trs_list_entries_outside_the_column_folder_are_found():
    # newer TRS templates keep articles outside the list's folder: the adapter's pattern finds none,
    # the page's list structure does, and the pager is still the adapter's
    rows = "".join(f'<li><a href="/art/zwgk/c{n}.html">汨罗市第{n}号工作通知公告标题</a><span>2021-01-{n:02d}</span></li>'
                   for n in range(1, 9))
    text = f'<html><body><ul class="list">{rows}</ul><script>createPageHTML(3, 0, "index", "html");</script></body></html>'
    name, page = parse_list("http://www.x.gov.cn/zwgk/tzgg/index.html", text)
    assert name == "trs" and len(page.items) == 8 and page.page_count == 3


def rec(url: str, **fields) -> PageRecord:
    return PageRecord(url=url, final_url=url, status=200, content_type="text/html", encoding="utf-8",
                      body_sha256="0" * 64, **fields)


def test_list_dates_reach_documents_without_a_date_of_their_own():
    listing = rec("http://x.gov.cn/l/", layout="list", entries=[
        ListEntry("http://x.gov.cn/a.html", "甲", "2017-03-01"), ListEntry("http://x.gov.cn/b.html", "乙", "2017-03-02"),
        ListEntry("http://x.gov.cn/c.html", "丙", "2017-03-03")])
    other = rec("http://x.gov.cn/l2/", layout="list", entries=[ListEntry("http://x.gov.cn/c.html", "丙", "2017-04-04")])
    a = rec("http://x.gov.cn/a.html")
    b = rec("http://x.gov.cn/b.html", pub_date="2017-02-28", pub_date_source="info_bar")
    c = rec("http://x.gov.cn/c.html")
    out = {r.url: r for r in with_list_dates([listing, other, a, b, c])}
    assert (out[a.url].pub_date, out[a.url].pub_date_source) == ("2017-03-01", "list_page")
    assert (out[b.url].pub_date, out[b.url].pub_date_source) == ("2017-02-28", "info_bar")  # its own date wins
    assert out[c.url].pub_date is None  # two lists disagree: no guess
