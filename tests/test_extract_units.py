"""Page extraction, piece by piece: dates, labels, meta tags, titles, breadcrumbs, CMS, links, bad input."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crawler.cms import detect_cms
from crawler.extract import extract_page
from crawler.extract.breadcrumb import breadcrumb, page_column
from crawler.extract.dates import (
    date_from_url,
    find_date,
    find_labelled_date,
    parse_date_value,
)
from crawler.extract.decoding import parse_html
from crawler.extract.links import attachment_file_name, page_links
from crawler.extract.meta_tags import meta_tags
from crawler.extract.metadata_table import canonical_label, metadata_table
from crawler.extract.text import selector_index
from crawler.extract.title import strip_site_suffix

URL = "http://www.miluo.gov.cn/25221/25222/26735/content_670823.html"


def doc(html: str):
    return parse_html(html)


@pytest.mark.parametrize(
    "text,expected",
    [
        ("2017年03月01日", "2017-03-01"),
        ("成文日期：2017年3月1日", "2017-03-01"),
        ("2017/3/1", "2017-03-01"),
        ("发布时间：2017-03-01 10:20", "2017-03-01"),
        ("2017.03.01", "2017-03-01"),
        ("二〇一七年三月一日", "2017-03-01"),
        ("二○一七年三月一日", "2017-03-01"),
        ("二〇一七年十二月三十一日", "2017-12-31"),
        ("二〇一七年元月二十日", "2017-01-20"),
        ("２０１７年３月１５日", "2017-03-15"),
        (
            "2017-02-30 then 2017-03-05",
            "2017-03-05",
        ),  # an impossible date is skipped, not corrected
        ("电话：0730-5222222", None),
        ("", None),
    ],
)
def test_find_date(text, expected):
    assert find_date(text) == expected


def test_parse_date_value_falls_back_to_dateparser_for_odd_values():
    assert parse_date_value("Thu, 02 Mar 2017 10:20:00 GMT") == "2017-03-02"
    assert parse_date_value("不详") is None


def test_labelled_date_skips_archive_and_written_dates():
    assert (
        find_labelled_date(
            "归档时间:2018-11-21 来源:岳阳市政府门户网 日期:2017-01-12 17:08"
        )
        == "2017-01-12"
    )
    assert find_labelled_date("成文日期：2017-01-01 生成日期：2017-01-02") is None
    assert (
        find_labelled_date("时间：2017-05-01 发布时间：2017-03-02") == "2017-03-02"
    )  # strong label first


@pytest.mark.parametrize(
    "url,expected",
    [
        ("http://a.gov.cn/zwgk/201703/t20170302_1021.html", "2017-03-02"),
        ("http://a.gov.cn/art/2017/3/2/art_1229_12345.html", "2017-03-02"),
        ("http://a.gov.cn/zwgk/201703/index.html", None),  # a month names no day
        ("http://www.kmcg.gov.cn/c/2018-09-26/3040316.shtml", "2018-09-26"),
        ("https://shanghai.gov.cn/nw12344/20230331/4a03b5fa47ae4c73b7ec42801de6be66.html", "2023-03-31"),
        ("http://www.xinle.gov.cn/columns/bad1076f/202301/30/1679499a.html", "2023-01-30"),
        ("http://a.gov.cn/zwgk/20171332/index.html", None),
        (URL, None),
    ],
)
def test_date_from_url(url, expected):
    assert date_from_url(url) == expected


@pytest.mark.parametrize(
    "label,canonical",
    [
        ("索 引 号：", "索引号"),
        ("所属机构", "发布机构"),
        ("发文机关:", "发布机构"),
        ("信息来源", "发布机构"),
        ("发布单位", "发布机构"),
        ("文号", "发文字号"),
        ("发布文号", "发文字号"),
        ("文件编号", "发文字号"),
        ("生成日期", "成文日期"),
        ("签署日期", "成文日期"),
        ("发文日期", "成文日期"),
        ("登记日期", "成文日期"),
        ("公开日期", "发布日期"),
        ("发布时间", "发布日期"),
        ("分　　类", "主题分类"),
        ("组配分类", "主题分类"),
        ("主题", "主题分类"),
        ("信息时效期", "有效性"),
        ("统一登记号", "统一登记号"),
        ("名    称", "标题"),
        ("【公开方式】", "公开方式"),
        ("事项名称", None),
        ("索引号：12332211/2017-1", None),
    ],
)
def test_canonical_label(label, canonical):
    assert canonical_label(label) == canonical


def test_metadata_from_definition_list_and_spans():
    page = doc("""<html><body><dl><dt>索引号</dt><dd>430S00/2017-00012</dd>
        <dt>统一登记号</dt><dd>HNPR—2017—01034</dd></dl>
        <div><span>签署日期：</span><span>2017年3月1日</span></div></body></html>""")
    assert metadata_table(page) == {
        "索引号": "430S00/2017-00012",
        "统一登记号": "HNPR—2017—01034",
        "成文日期": "2017年3月1日",
    }


def test_metadata_label_text_pairs_in_one_block():
    page = doc(
        "<html><body><p>索引号：000014349/2017-00110 发文字号：国办发〔2017〕47号 "
        "发布日期：2017-06-08 浏览次数：12</p></body></html>"
    )
    assert metadata_table(page) == {
        "索引号": "000014349/2017-00110",
        "发文字号": "国办发〔2017〕47号",
        "发布日期": "2017-06-08",
    }


def test_info_bar_alone_is_not_a_metadata_table():
    page = doc(
        "<html><body><div>发布时间：2017-03-02 信息来源：县政府办</div></body></html>"
    )
    assert metadata_table(page) == {}


def test_metadata_ignores_the_main_body():
    page = doc("""<html><body><table><tr><td>索引号</td><td>1/2017-1</td></tr></table>
        <div id="zoom"><table><tr><td>名称</td><td>营业执照核发</td></tr></table></div></body></html>""")
    main = page.xpath("//*[@id='zoom']")[0]
    assert metadata_table(page, exclude=[main]) == {"索引号": "1/2017-1"}


def test_meta_names_case_insensitive_in_either_attribute_order():
    page = doc("""<html><head><meta content="2017-03-02 10:20" name="PubDate">
        <META NAME="SITENAME" CONTENT="  汨罗市人民政府 "><meta name="sitename" content="second">
        <meta property="og:title" content="x"></head></html>""")
    assert meta_tags(page) == {
        "pubdate": "2017-03-02 10:20",
        "sitename": "  汨罗市人民政府 ",
    }


@pytest.mark.parametrize(
    "title,site,expected",
    [
        ("关于印发实施意见的通知_汨罗市人民政府", "", "关于印发实施意见的通知"),
        ("关于印发实施意见的通知 - 汨罗市人民政府", "", "关于印发实施意见的通知"),
        (
            "关于印发实施意见的通知|政策文件|汨罗市人民政府",
            "",
            "关于印发实施意见的通知",
        ),
        (
            "红色革命遗迹——毛泽东旧居免费对外开放—樟树市人民政府",
            "",
            "红色革命遗迹——毛泽东旧居免费对外开放",
        ),
        ("汨罗市人民政府_通知公告", "汨罗市人民政府", "通知公告"),
        ("综合信息", "", "综合信息"),
    ],
)
def test_strip_site_suffix(title, site, expected):
    assert strip_site_suffix(title, site) == expected


@pytest.mark.parametrize(
    "html,steps",
    [
        (
            "<td><strong>您的当前位置：</strong><a>首页</a>&gt;&gt;<a>政务公开</a>&gt;&gt;<a>综合信息</a></td>",
            ["首页", "政务公开", "综合信息"],
        ),
        ("<div>当前位置: 首页 » 信息公开 » 年报</div>", ["首页", "信息公开", "年报"]),
        ("<p>所在位置：首页 → 政务公开</p>", ["首页", "政务公开"]),
        (
            "<div class='breadcrumb'><a>首页</a> / <a>政策解读</a></div>",
            ["首页", "政策解读"],
        ),
        ("<div class='path'>首页 ＞ 通知公告</div>", ["首页", "通知公告"]),
        ("<div>没有位置栏</div>", []),
    ],
)
def test_breadcrumb(html, steps):
    page = doc(f"<html><body>{html}</body></html>")
    assert breadcrumb(page, selector_index(page)) == steps


def test_column_skips_the_title_on_detail_pages_only():
    steps = ["首页", "政务公开", "通知公告", "关于开展2017年度政务公开..."]
    assert (
        page_column({}, steps, "关于开展2017年度政务公开考核工作的通知") == "通知公告"
    )
    assert page_column({}, ["首页", "通知公告"], "通知公告", role="list") == "通知公告"
    assert page_column({"columnname": "政策文件"}, steps, "x") == "政策文件"


@pytest.mark.parametrize(
    "url,html,cms",
    [
        (
            "http://a.gov.cn/zwgk/index.html",
            "<script>createPageHTML(21, 0, 'index', 'html');</script>",
            "trs",
        ),
        (
            "http://a.gov.cn/x/201703/t20170302_1.html",
            "<div class=TRS_Editor>x</div>",
            "trs",
        ),
        (
            "http://a.gov.cn/col/col1229/index.html",
            "<meta name=Generator content=大汉版通发布系统>",
            "hanweb",
        ),
        (
            "http://a.gov.cn/x.html",
            "<script src='/module/web/jpage/dataproxy.jsp'></script>",
            "hanweb",
        ),
        (URL, "<div class='wznr_mess'>发布时间</div>", "yueyang"),
        ("http://a.gov.cn/news/1.html", "<p>plain</p>", "generic"),
    ],
)
def test_detect_cms(url, html, cms):
    assert detect_cms(url, html) == cms


@pytest.mark.parametrize(
    "url,found",
    [
        (
            "http://a.gov.cn/201703/P020170302384157627643.pdf",
            ("P020170302384157627643.pdf", "pdf"),
        ),
        (
            "http://a.gov.cn/module/download/downfile.jsp?classid=0&filename=1703021015123.pdf",
            ("1703021015123.pdf", "pdf"),
        ),
        (
            "http://a.gov.cn/uploadfiles/201703/%E6%8C%87%E5%8D%97.DOCX",
            ("指南.DOCX", "docx"),
        ),
        ("http://a.gov.cn/attach/0/x.wps", ("x.wps", "wps")),
        ("http://a.gov.cn/zwgk/index.html", None),
        ("http://a.gov.cn/download.jsp?id=12", None),
    ],
)
def test_attachment_file_name(url, found):
    assert attachment_file_name(url) == found


def test_links_are_absolute_and_skip_non_http():
    page = doc("""<html><head><base href="http://b.gov.cn/zwgk/"></head><body>
        <a href="a.html">甲</a><a href=" javascript:void(0)">乙</a><a href="mailto:x@y.cn">丙</a>
        <a href="#top">丁</a><a href="">戊</a><a href="ftp://b.gov.cn/f">己</a><a href="http://[::1">庚</a>
        <a href="a.html#p2">甲</a><a href="/img.html"><img src="i.png" alt="图片新闻"></a></body></html>""")
    assert [(l.url, l.text) for l in page_links(page, "http://c.gov.cn/")] == [
        ("http://b.gov.cn/zwgk/a.html", "甲"),
        ("http://b.gov.cn/img.html", "图片新闻"),
    ]


def test_attachment_name_falls_back_to_file_name_and_prefers_text():
    body = """<html><body><a href="/u/201703/a.pdf"><img src="pdf.gif"></a>
        <a href="/u/201703/a.pdf">2017年年报</a><a href="/u/201703/b.xlsx"></a></body></html>""".encode()
    record = extract_page(
        "http://a.gov.cn/x/content_1.html", {"content-type": "text/html"}, body
    )
    assert [(a.name, a.ext) for a in record.attachments] == [
        ("2017年年报", "pdf"),
        ("b.xlsx", "xlsx"),
    ]


def test_body_date_needs_a_strong_label():
    body = """<html><body><div id="zoom"><p>会议时间：2017年5月1日</p><p>发布日期：2017年4月28日</p>
        </div></body></html>""".encode()
    record = extract_page("http://a.gov.cn/x/news_1.html", {}, body)
    assert (record.pub_date, record.pub_date_source) == ("2017-04-28", "info_bar")


def test_event_and_archive_dates_are_not_the_publication_date():
    paragraphs = "".join(f"<p>第{n}段正文。</p>" for n in range(12))
    body = f"""<html><body><div class="bar">归档时间：2018-11-21 打印时间：2019-01-02</div>
        <div id="zoom">{paragraphs}<p>时间：2017年5月1日</p><p>会议时间：2017年5月2日</p></div></body></html>""".encode()
    record = extract_page("http://a.gov.cn/x/news_1.html", {}, body)
    assert record.pub_date is None


def test_source_line_date_and_signature_date():
    bar = """<html><body><h1>关于某事的通知</h1><div>来源：某某县政府办 2020-12-11 14:34</div>
        <div id="zoom"><p>正文。</p></div></body></html>""".encode()
    assert extract_page("http://a.gov.cn/x/a.html", {}, bar).pub_date == "2020-12-11"
    paragraphs = "".join(f"<p>第{n}段正文。</p>" for n in range(12))
    signed = f"""<html><body><div id="zoom">{paragraphs}<p>某某县人民政府</p><p>二〇一七年三月一日</p></div>
        </body></html>""".encode()
    record = extract_page("http://a.gov.cn/x/a.html", {}, signed)
    assert (record.pub_date, record.pub_date_source) == ("2017-03-01", "text")


def test_url_date_is_the_last_resort():
    record = extract_page(
        "http://a.gov.cn/x/201703/t20170302_1.html",
        {},
        b"<html><body><p>x</p></body></html>",
    )
    assert (record.pub_date, record.pub_date_source) == ("2017-03-02", "url")


def test_final_url_resolves_links_and_content_type_is_kept():
    record = extract_page(
        "http://a.gov.cn/old.html",
        {"content-type": "text/html; charset=utf-8"},
        b"<a href='b.html'>b</a>",
        final_url="http://c.gov.cn/new/a.html",
        status=200,
    )
    assert record.final_url == "http://c.gov.cn/new/a.html"
    assert record.links[0].url == "http://c.gov.cn/new/b.html"
    assert record.content_type == "text/html; charset=utf-8"


def test_utf16_page_with_bom_is_decoded():
    body = "\ufeff<html><head><title>政务公开</title></head><body><p>主动公开政府信息的范围、方式和时限如下所述。</p></body></html>".encode(
        "utf-16-le"
    )
    record = extract_page("http://a.gov.cn/x.html", {}, body)
    assert record.title == "政务公开"
    assert record.main_text == "主动公开政府信息的范围、方式和时限如下所述。"


def test_undeclared_gbk_page_is_decoded():
    body = "<html><body><div class='content'><p>朱镕基同志，张喆同志</p></div></body></html>".encode(
        "gbk"
    )
    record = extract_page("http://a.gov.cn/x.html", {}, body)
    assert record.encoding == "gb18030"
    assert "朱镕基同志，张喆同志" in record.main_text


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=3000))
def test_arbitrary_bytes_never_raise(body):
    record = extract_page("http://a.gov.cn/x.html", {"content-type": "text/html"}, body)
    assert len(record.body_sha256) == 64


@settings(max_examples=200, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from(
            list("<>/=\"' abcdivptlr&#;：索引号发布日期2017-03-01\n\x0b\x00")
        ),
        max_size=400,
    )
)
def test_arbitrary_tag_soup_never_raises(text):
    record = extract_page("http://a.gov.cn/x.html", {}, text.encode("utf-8"))
    assert isinstance(record.main_text, str)


def test_images_in_the_body_are_written_as_markers():
    html = ('<html><body><div class="TRS_Editor"><p>申请材料：<img src="a.png" alt="申请表样本"></p>'
            '<p>结果样本：<img src="b.png"></p></div></body></html>')
    record = extract_page("http://www.example.gov.cn/xxgk/201703/t20170302_1.html",
                          {"content-type": "text/html; charset=utf-8"}, html.encode("utf-8"))
    assert "申请材料：[图片:申请表样本]" in record.main_text
    assert "结果样本：[图片]" in record.main_text
    assert "[图片" not in record.title
