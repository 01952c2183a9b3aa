"""CMS adapters over real list pages (tests/fixtures/cms, see PROVENANCE.md) and small written cases."""

from pathlib import Path

from hypothesis import given, settings, strategies as st

from crawler import cms
from crawler.cms import generic, hanweb, trs, yueyang
from crawler.cms.base import PageRange, PostRequest, find_date
from crawler.cms.columns import link_kind, page_links

FIXTURES = Path(__file__).parent / "fixtures" / "cms"
TRS_URL = "http://www.zhangshu.gov.cn/zwgk/zhxx/index.html"
HANWEB_URL = "http://zwgk.dingxi.gov.cn/col/col12377/index.html"


# the real Zhangshu TRS list page is shared with the extraction fixtures
TRS_LIST = Path(__file__).parent / "fixtures" / "pages" / "zhangshu_trs_list" / "body.html"


def _read(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


# --- TRS --------------------------------------------------------------------------------------------


def test_trs_real_list_page_count_and_pages():
    name, page = cms.parse_list(TRS_URL, TRS_LIST.read_text(encoding="utf-8"))
    assert name == "trs"
    assert page.page_count == 21
    assert page.next_requests[0] == "http://www.zhangshu.gov.cn/zwgk/zhxx/index_1.html"
    assert page.next_requests[-1] == "http://www.zhangshu.gov.cn/zwgk/zhxx/index_20.html"
    assert len(page.next_requests) == 20


def test_trs_real_list_items_are_the_columns_own_articles():
    _, page = cms.parse_list(TRS_URL, TRS_LIST.read_text(encoding="utf-8"))
    assert len(page.items) == 24  # the sidebar's links to other columns are not entries
    first = page.items[0]
    assert first.url == "http://www.zhangshu.gov.cn/zwgk/zhxx/201710/t20171019_398276.html"
    assert first.title == "江西（樟树）医药产业招商引资推介会举行"
    assert first.date == "2017-10-19"  # the list shows 10-19; the URL has the year


def test_trs_later_page_lists_only_pages_after_it():
    text = '<a href="./201701/t20170105_1.html">一</a><script>createPageHTML(5, 3, "index", "shtml");</script>'
    page = trs.parse_list("http://h/a/index_3.shtml", text)
    assert page.next_requests == ["http://h/a/index_4.shtml"]


def test_trs_count_page_variable():
    page = trs.parse_list("http://h/a/index.html", "<script>var countPage = 3;var currentPage = 0;</script>")
    assert page.page_count == 3
    assert page.next_requests == ["http://h/a/index_1.html", "http://h/a/index_2.html"]


def test_trs_pager_function_definition_is_not_a_call():
    text = "function createPageHTML(_nPageCount, _nCurrIndex, _sPageName, _sPageExt) {}"
    assert trs.parse_list("http://h/a/index.html", text).page_count is None


REAL = Path(__file__).parent / "fixtures" / "real" / "pages"


def test_trs_real_pager_of_the_sichuan_intensive_platform():
    # scsedu-list-zcjd: createPageHTML('page_div', 20, 1, 'xwzx_list', 'shtml', 383); page n is xwzx_list_n
    url = "http://edu.sc.gov.cn/scedu/c100503/xwzx_list.shtml"
    name, page = cms.parse_list(url, (REAL / "scsedu-list-zcjd.html").read_text(encoding="utf-8"))
    assert name == "trs" and page.page_count == 20 and len(page.next_requests) == 19
    assert page.next_requests[0] == "http://edu.sc.gov.cn/scedu/c100503/xwzx_list_2.shtml"
    assert page.next_requests[-1] == "http://edu.sc.gov.cn/scedu/c100503/xwzx_list_20.shtml"
    later = trs.parse_list("http://h/c1/list_3.shtml", "<script>createPageHTML('page_div',4, 3,'list','shtml',70)</script>")
    assert later.next_requests == ["http://h/c1/list_4.shtml"]


def test_trs_real_pager_object():
    # jlslyj-list-bmwj: Pager({size:3, current:0, prefix:'index',suffix:'html',…}); the page also defines Pager
    url = "http://jls.jlforestry.gov.cn/xxgk/bmwj/index.html"
    name, page = cms.parse_list(url, (REAL / "jlslyj-list-bmwj.html").read_text(encoding="utf-8"))
    assert name == "trs" and page.page_count == 3
    assert list(page.next_requests) == ["http://jls.jlforestry.gov.cn/xxgk/bmwj/index_1.html",
                                        "http://jls.jlforestry.gov.cn/xxgk/bmwj/index_2.html"]
    assert trs.parse_list(url, "function Pager(settings){ var cfg=extend({size:1, current:0}) }").page_count is None
    assert trs.parse_list(url, "<script>myPager({size: 9});var xcountPage = 4;</script>").page_count is None


# --- Hanweb ------------------------------------------------------------------------------------------


def test_hanweb_real_datastore_records():
    name, page = cms.parse_list(HANWEB_URL, _read("dingxi_zwgk_col12377_jpage_datastore.xml"))
    assert name == "hanweb"
    assert len(page.items) == 45
    assert page.items[0].url == "http://zwgk.dingxi.gov.cn/art/2022/1/20/art_12377_1486865.html"
    assert page.items[0].date == "2022-01-20"
    # the list cuts long titles with …; the title attribute has the whole title
    assert page.items[1].title == "定西市工信局关于对省级第二轮环保督察反馈第四项第十三项问题整改完成情况的公示"


def test_hanweb_real_datastore_next_group_post():
    _, page = cms.parse_list(HANWEB_URL, _read("dingxi_zwgk_col12377_jpage_datastore.xml"))
    (nxt,) = page.next_requests  # no total stated: one group at a time
    assert isinstance(nxt, PostRequest)
    assert nxt.url == "http://zwgk.dingxi.gov.cn/module/web/jpage/dataproxy.jsp?startrecord=46&endrecord=90&perpage=15"
    form = nxt.form()
    assert form["webid"] == "110" and form["columnid"] == "12377" and form["unitid"] == "38486"
    assert form["webname"] == "定西市政府信息公开平台"  # double URL encoding undone
    assert form["col"] == "1" and form["path"] == "/" and form["permissiontype"] == "0"


def test_hanweb_total_gives_every_group():
    text = _read("dingxi_zwgk_col12377_jpage_datastore.xml").replace("<recordset>", "<totalrecord>100</totalrecord><recordset>", 1)
    page = hanweb.parse_list(HANWEB_URL, text)
    assert page.page_count == 7
    assert [n.url.split("?")[1] for n in page.next_requests] == [
        "startrecord=46&endrecord=90&perpage=15",
        "startrecord=91&endrecord=100&perpage=15",
    ]


def test_hanweb_proxy_answer_continues_only_when_full():
    url = "http://h/module/web/jpage/dataproxy.jsp?startrecord=46&endrecord=47&perpage=15"
    rec = '<record><![CDATA[<li><a href="/art/2021/1/1/art_1_{0}.html">文件{0}</a><span>2021-01-01</span></li>]]></record>'
    full = f"<datastore><recordset>{rec.format(1)}{rec.format(2)}</recordset></datastore>"
    form = {"columnid": "1", "webid": "2"}
    page = hanweb.parse_list(url, full, form)
    assert [i.url for i in page.items] == ["http://h/art/2021/1/1/art_1_1.html", "http://h/art/2021/1/1/art_1_2.html"]
    assert page.next_requests[0].url.endswith("startrecord=48&endrecord=49&perpage=15")
    assert page.next_requests[0].form() == form
    short = f"<datastore><recordset>{rec.format(3)}</recordset></datastore>"
    assert hanweb.parse_list(url, short, form).next_requests == []


# --- Yueyang ------------------------------------------------------------------------------------------


def _yueyang(extra: str = "") -> str:
    links = "".join(f'<li><a href="content_{i}.html">乡镇信息{i}</a><span>2018-03-0{i}</span></li>' for i in range(1, 4))
    return f"<ul>{links}</ul>{extra}<script>if(num<1){{}}else if(num>4){{alert(1)}}</script>"


def test_yueyang_page_count_and_default_pages():
    url = "http://www.miluo.gov.cn/25221/25222/26735/default.htm"
    name, page = cms.parse_list(url, _yueyang())
    assert name == "yueyang"
    assert page.page_count == 4
    assert page.next_requests == [url.replace("default.htm", f"default_{n}.htm") for n in (2, 3, 4)]
    assert [i.url.rsplit("/", 1)[1] for i in page.items] == ["content_1.html", "content_2.html", "content_3.html"]


def test_yueyang_numbering_from_one_when_the_page_links_default_1():
    url = "http://www.miluo.gov.cn/25221/index.htm"
    page = yueyang.parse_list(url, _yueyang('<a href="index_1.htm">2</a>'))
    assert page.next_requests == [f"http://www.miluo.gov.cn/25221/index_{n}.htm" for n in (1, 2, 3)]


# --- generic ------------------------------------------------------------------------------------------


def _generic(next_href: str, last_href: str | None) -> str:
    rows = "".join(f'<li><a href="d{i}.html">公告文件第{i}号</a> 2017年3月{i}日</li>' for i in range(1, 4))
    last = f'<a href="{last_href}">尾页</a>' if last_href else ""
    return f'<ul>{rows}</ul>共9页 <a href="{next_href}">下一页</a>{last}'


def test_generic_next_and_last_give_the_range():
    name, page = cms.parse_list("http://h/gk/list.html", _generic("list.html?page=2", "list.html?page=5"))
    assert name == "generic"
    assert page.next_requests == [f"http://h/gk/list.html?page={n}" for n in range(2, 6)]
    assert page.page_count == 9
    assert page.items[0].date == "2017-03-01"


def test_generic_next_only_is_followed_one_at_a_time():
    page = generic.parse_list("http://h/gk/index.html", _generic("index_1.html", None))
    assert page.next_requests == ["http://h/gk/index_1.html"]


def test_generic_javascript_next_is_not_a_page():
    page = generic.parse_list("http://h/gk/index.html", _generic("javascript:void(0)", None))
    assert page.next_requests == []


def test_generic_hidden_numbered_copies_of_the_list_page_are_its_pages():
    # fengcheng-list-fcxw: the pager is written by a script (maxPageNum = 199); a display:none block links
    # index_958_1.html … index_958_199.html
    url = "http://www.jxfc.gov.cn/n3/n13/index.html"
    name, page = cms.parse_list(url, (REAL / "fengcheng-list-fcxw.html").read_text(encoding="utf-8"))
    assert name == "generic"
    assert page.page_count == 199
    assert len(page.next_requests) == 199
    assert page.next_requests[0] == "http://www.jxfc.gov.cn/n3/n13/index_958_1.html"
    assert page.next_requests[198] == "http://www.jxfc.gov.cn/n3/n13/index_958_199.html"
    assert len(page.items) == 21


def test_generic_few_or_foreign_numbered_links_are_no_pager():
    rows = "".join(f'<li><a href="d{i}.html">公告文件第{i}号</a> 2017年3月{i}日</li>' for i in range(1, 4))
    two = '<a href="index_5_1.html"></a><a href="index_5_2.html"></a>'
    other_folder = "".join(f'<a href="../other/index_5_{n}.html"></a>' for n in range(1, 6))
    for extra in (two, other_folder):
        page = generic.parse_list("http://h/gk/index.html", f"<ul>{rows}</ul>{extra}")
        assert page.next_requests == [] and page.page_count is None


# --- column discovery and shared helpers ------------------------------------------------------------------


def test_link_kinds():
    assert link_kind("http://h/zwgk/xxgkml/") == "column"
    assert link_kind("http://h/col/col123/index.html") == "column"
    assert link_kind("http://h/25221/25222/default.htm") == "column"
    assert link_kind("http://h/zwgk/201701/t20170105_12.html") == "article"
    assert link_kind("http://h/art/2022/1/20/art_12377_1486865.html") == "article"
    assert link_kind("http://h/25221/content_670823.html") == "article"
    assert link_kind("http://h/module/download/downfile.jsp?classid=0&filename=a.pdf") == "attachment"
    assert link_kind("http://h/uploadfiles/201703/P0201703.PDF") == "attachment"
    assert link_kind("http://h/zwgk/gkzn.html", "政府信息公开指南") == "page"
    assert link_kind("http://h/zwgk/fdzdgknr.html", "法定主动公开内容") == "column"


def test_page_links_resolve_base_and_keep_first_occurrence():
    text = '<base href="http://other/x/"><a href="a/">栏目</a><a href="a/">again</a><a href="#top">top</a>'
    assert page_links("http://h/", text) == [("http://other/x/a/", "栏目", "column")]


def test_find_date_formats():
    assert find_date("发布日期：2017-03-01") == "2017-03-01"
    assert find_date("2017/3/1 10:20") == "2017-03-01"
    assert find_date("成文日期：2017年03月01日") == "2017-03-01"
    assert find_date("2017-13-01") is None


def test_registry_prefers_platform_adapters():
    assert cms.adapter_for(HANWEB_URL, "") is hanweb
    assert cms.adapter_for("http://h/a/index.html", 'createPageHTML(2, 0, "index", "html")') is trs
    assert cms.adapter_for("http://h/a/list.html", "<p>nothing</p>") is generic


@settings(max_examples=150, deadline=None)
@given(url=st.sampled_from([TRS_URL, HANWEB_URL, "http://h/module/web/jpage/dataproxy.jsp?startrecord=x", "http://h/1/default.htm"]),
       text=st.text(alphabet=st.sampled_from(list("<>a/=\"' 下一页尾0123456789createPageHTML(,)datastore[]!CDATA")), max_size=300))
def test_adapters_never_crash_on_junk(url, text):
    for adapter in cms.ADAPTERS:
        adapter.detect(url, text)
        page = adapter.parse_list(url, text, {"columnid": "1"})
        assert all(isinstance(n, (str, PostRequest)) for n in page.next_requests)


# --- declared page counts are described, never listed -------------------------------------------------------


def test_a_declared_100000_pages_is_a_range_made_one_page_at_a_time():
    text = '<a href="./201701/t20170105_1.html">一</a><script>createPageHTML(100000, 0, "index", "html");</script>'
    page = trs.parse_list("http://h/a/index.html", text)
    assert isinstance(page.next_requests, PageRange) and len(page.next_requests) == 99999
    assert page.next_requests[0] == "http://h/a/index_1.html"
    assert page.next_requests[-1] == "http://h/a/index_99999.html"
    assert page.next_requests[1:3] == ["http://h/a/index_2.html", "http://h/a/index_3.html"]
    yy = yueyang.parse_list("http://h/1/2/default.htm", _yueyang().replace("num>4", "num>100000"))
    assert len(yy.next_requests) == 99999 and yy.next_requests[-1] == "http://h/1/2/default_100000.htm"
    last = generic.parse_list("http://h/gk/index.html", _generic("index_2.html", "index_99999.html"))
    assert len(last.next_requests) == 99998 and last.next_requests[-1] == "http://h/gk/index_99999.html"
    text = _read("dingxi_zwgk_col12377_jpage_datastore.xml").replace(
        "<recordset>", "<totalrecord>5000000</totalrecord><recordset>", 1)
    groups = hanweb.parse_list(HANWEB_URL, text).next_requests
    assert len(groups) == 111111 and groups[-1].url.endswith("startrecord=4999996&endrecord=5000000&perpage=15")
