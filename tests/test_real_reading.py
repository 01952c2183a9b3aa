"""Reading real pages: the date, 文号, service-guide and kind rules taken from the real-page corpus
(tests/fixtures/real), each on the lines of a real page it came from (named in the test), plus the URL
resolver they all share."""

from __future__ import annotations

import pytest

from crawler.extract import extract_page
from crawler.extract.dates import info_bar_date, signature_date, written_date
from crawler.record import PageRecord
from crawler.understand import understand
from crawler.understand.policy import interpretation_fields, policy_fields
from crawler.understand.service_guide import service_guide_fields
from crawler.urls import Resolver


def rec(text: str, title: str = "", url: str = "http://www.x.gov.cn/a/1.html") -> PageRecord:
    return PageRecord(url=url, final_url=url, status=200, content_type="text/html", encoding="utf-8",
                      body_sha256="0" * 64, title=title, main_text=text)


# --- dates ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("lines,expected", [
    # pingjiang-policy-zwgk: the archive time first, the real date on the 来源 line
    (["归档时间:2018-11-21", "当前位置: 首页 > 政务公开", "来源:岳阳市政府门户网 日期:2017-01-12 17:08 字号:【"], "2017-01-12"),
    # kmfm-notice-jdjc
    (["作者:富民县政府办 发布时间:2025-03-28 08:19 来源:富民县人民政府"], "2025-03-28"),
    # govcn-notice-nbyx: a date before the (traditional) 來源 label
    (["2015年度政府信息公開優秀年度報告出爐", "2016-06-13 08:52 來源: 中國政府網"], "2016-06-13"),
    # jlcity-bszn-churujing-zhuanye: a flattened table, cells split by |
    (["索 引 号: | 11220200013513593R/2019-08780 |", "发布日期: | 2019年04月01日 |"], "2019-04-01"),
    # cqkz-bszn-yule-yanxu-cq: labels in brackets
    (["[ 索引号 ] 11500234008646033P/2022-05334 [ 发文字号 ]", "[ 成文日期 ] 2022-04-18 [ 发布日期 ] 2022-04-18"],
     "2022-04-18"),
    # zhongmu-bszn-paishui-fuwuzhinan: a bulleted value line
    (["• MB1970631/2022-00007", "  • 中牟县城市管理局", "  • 2022-07-14"], "2022-07-14"),
    (["打印时间：2020-12-11", "访问量：1632"], None),
])
def test_info_bar_dates(lines, expected):
    assert info_bar_date([], lines) == expected


def test_a_related_articles_date_is_not_the_pages():
    # wanzai-doc-tjgb-2022: 关联稿件 and its date sit between the title and the body
    before = ["万载县2022年国民经济和社会发展统计公报", "访问量：1632", "关联稿件：", "图文解读：《万载县2022年…》", "2023-07-12"]
    assert info_bar_date(before, ["万载县统计局", "（2023年5月）"]) is None


def test_written_and_signature_dates():
    # thx-policy-gzgz: only 生成日期 / 发文日期 in its flattened table
    assert written_date(["生成日期: 2019-01-23 文号:", "发文日期: 2019-01-23 生效时间: 2019-01-23"]) == "2019-01-23"
    assert signature_date(["正文", "城口县人民政府", "二O一一年5月16日"]) is None  # mixed Latin O and Arabic digits
    assert signature_date(["正文", "城口县人民政府", "二〇一一年五月十六日"]) == "2011-05-16"
    assert signature_date(["正文", "城口县人民政府", "2011年5月16日"]) == "2011-05-16"
    # anshun-policy-jdzd: an issuing notice signs above its 附注, then the issued document runs on
    issued = ["市政府各工作部门：", "现印发给你们。", "2020年9月10日", "（此件公开发布）", "解读制度"] + ["第一条 ……"] * 10
    assert signature_date(issued) == "2020-09-10"


def test_a_visible_date_beats_a_regenerated_meta_pubdate():
    # the Jiangxi intensive platform rewrites PubDate when it regenerates a page (wanzai-doc-tjgb-2015)
    body = """<html><head><meta name="PubDate" content="2022-04-24 10:00:43"></head><body>
        <h1>万载县2015年国民经济和社会发展统计公报</h1><div class="info">发布日期：2017-05-15 10:49:00</div>
        <div class="TRS_Editor"><p>正文。</p></div></body></html>""".encode()
    record = extract_page("http://www.wanzai.gov.cn/wzxrmzf/tjgb/201705/9c05.shtml", {}, body)
    assert (record.pub_date, record.pub_date_source) == ("2017-05-15", "info_bar")


def test_a_metadata_table_inside_the_body_container_is_read():
    # jlxxgk-policy-jzmd-2022-1: the 信息公开 table sits inside the page's main element
    cells = "".join(f"<li><span>{k}：</span><span>{v}</span></li>" for k, v in [
        ("索 引 号", "11220000013544357T/2022-00426"), ("发文机关", "吉林省人民政府"), ("成文日期", "2022年01月27日"),
        ("发文字号", "吉政明电〔2022〕1号"), ("发布日期", "2022年01月28日")])
    body = f"""<html><body><div class="zlylb_dy"><ul>{cells}</ul><h1>吉林省人民政府关于禁止…的通告</h1>
        <p>各市（州）人民政府：</p><p>{"为保障嫩江干流补充治理工程建设顺利实施，现就有关事项通告如下。" * 8}</p></div></body></html>""".encode()
    record = extract_page("http://xxgk.jl.gov.cn/szf/gkml/202201/t20220128_8383470.html", {}, body)
    assert record.metadata["发布日期"] == "2022年01月28日"
    assert (record.pub_date, record.pub_date_source) == ("2022-01-28", "table")


def test_the_adoption_line_under_the_title_dates_the_document():
    # xiangyin-other-shiwuwu-jianyi: a plenum's 建议, dated only by its adoption line
    body = ("<html><body><h1>中共湘阴县委关于制定湘阴县国民经济和社会发展第十五个五年规划的建议</h1><div id='zoom'>"
            "<p>(2025年12月12日中国共产党湘阴县第十三届委员会第十一次全体会议通过)</p><p>" + "“十五五”时期是关键时期。" * 30
            + "</p></div></body></html>").encode()
    record = extract_page("http://www.xiangyin.gov.cn/31470/31471/content_1.html", {}, body)
    assert (record.pub_date, record.pub_date_source) == ("2025-12-12", "text")


def test_a_hanweb_column_page_without_text_is_a_list():
    # nbjb-list-zfbz: the column's entries are written by the platform's script
    body = "<html><body><div class='bt'>首页 > 政府信息公开 > 住房保障</div><div id='div1'></div></body></html>".encode()
    record = extract_page("http://www.nbjb.gov.cn/col/col1229112581/index.html", {}, body)
    assert record.layout == "list", record.layout_reasons


def test_metadata_labels_and_values_with_list_bullets():
    # chaisang-bszn-trap-yilian-qingdan: a stored text keeps the list markers of its metadata list
    lines = ["• 索 引 号:", "• 000014349/2021-260416", "• 生成日期:", "• 2020-11-02", "• 文  号:", "• 是否有效:"]
    body = ("<html><body>" + "".join(f"<p>{line}</p>" for line in lines) + "<div><p>" + "解读正文。" * 40
            + "</p></div></body></html>").encode()
    record = extract_page("https://www.chaisang.gov.cn/zwgk/zcjd/202106/t20210623_4993087.html", {}, body)
    assert record.metadata["成文日期"] == "2020-11-02" and record.metadata["索引号"] == "000014349/2021-260416"


# --- 文号 -------------------------------------------------------------------------------------------


def test_a_labelled_doc_number_in_a_flattened_table():
    # tongchuan-policy-gfxwjql-2020-33
    text = "索引号: | TCXXGK-2020-011721 | 主题分类: | 政务公开 |\n发文机构: | 铜川市人民政府办公室 | 发文文号: | 铜政发〔2020〕33号 |"
    assert policy_fields(rec(text))["doc_number"] == "铜政发〔2020〕33号"


# --- service guides ---------------------------------------------------------------------------------


def test_guide_rows_flattened_to_single_spaces():
    # sdzwfw-bszn-zhongzi-mirror (a copy of a 山东政务服务网 guide)
    text = "\n".join(["基本信息", "事项类型 行政许可 权力来源 法定本级行使", "办件类型 承诺件 到办事现场次数 0",
                      "实施主体 山东省农业农村厅 实施主体性质 法定机关", "承诺办结时限 7 工作日 法定办结时限 20 工作日",
                      "通办业务范围 全省 办理形式 窗口办理,网上办理,快递申请",
                      "办理时间 法定工作日,上午9:00-12:00,下午13:00-17:00"])
    states = {k: v["state"] for k, v in service_guide_fields(rec(text))["elements"].items()}
    for element in ("事项类型", "实施机构", "承诺办结时限", "法定办结时限", "通办范围", "办理形式", "办理时间"):
        assert states[element] == "present", element
    assert states["申请材料"] == "missing"


def test_guide_synonyms_and_the_headline_as_the_item_name():
    # kmcg-bszn-getihu-wanzheng and zbzx-bszn-zhongzi-table-mirror
    text = "\n".join(["个体工商户注册登记办事指南(完整版)", "二、设定及办理依据", "《个体工商户条例》第二条", "三、实施机关",
                      "昆明市呈贡区市场监督管理局", "办事程序 |", "受理(0天) - 审核(1天) - 决定(1天) |", "承诺时间 |", "3 |",
                      "收费标准及依据 |", "不收费 |"])
    elements = service_guide_fields(rec(text))["elements"]
    assert elements["事项名称"]["value"] == "个体工商户注册登记"
    for element in ("设定依据", "实施机构", "办理流程", "承诺办结时限", "收费标准"):
        assert elements[element]["state"] == "present", element


def test_guide_labels_glued_to_their_values():
    # cymzj-bszn-cishan-queren: a 确认表 flattened to text without colons or cell breaks
    text = "\n".join(["职权类型□行政许可 ☑行政确认", "子项名称慈善组织认定", "审批依据依据《慈善组织认定办法》",
                      "受理机构朝阳市民政局", "办理流程图见附件"])
    elements = service_guide_fields(rec(text))["elements"]
    assert elements["实施机构"] == {"state": "present", "label": "受理机构", "value": "朝阳市民政局"}
    for element in ("事项类型", "设定依据"):
        assert elements[element]["state"] == "present", element
    # one such line is a sentence, and a table of contents' dot leaders are no values
    assert service_guide_fields(rec("受理机构朝阳市民政局\n其他内容"))["elements"]["实施机构"]["state"] == "missing"
    toc = "\n".join(f"({n}){label}……………1" for n, label in zip("一二三四", ("实施机构", "办理依据", "申请材料", "收费标准")))
    assert {e["state"] for e in service_guide_fields(rec(toc))["elements"].values()} == {"missing"}


def test_two_labels_joined_into_one():
    # bzgala-bszn-wsxkz-mirror: "四、申报资料及办理条件:" heads the list of materials
    text = "\n".join(["一、办理事项:卫生许可证", "四、申报资料及办理条件:", "1、卫生许可证申请书", "2、承诺书",
                      "五、办理程序:受理项目——行政审批", "七、办理依据和收费标准:《公共场所卫生管理条例》,不收费"])
    elements = service_guide_fields(rec(text))["elements"]
    assert elements["申请材料"]["state"] == "present"
    assert elements["申请材料"]["label"] == "申报资料及办理条件"
    for element in ("办理流程", "设定依据", "收费标准"):
        assert elements[element]["state"] == "present", element
    # a conjunction between a label and an ordinary word joins nothing
    assert service_guide_fields(rec("申报资料及其他:无"))["elements"]["申请材料"]["state"] == "missing"


def test_guide_labels_in_traditional_characters():
    # bazhou-bszn-bdc-shouci-mirror: a guide written in traditional characters
    text = "\n".join(["一、辦理機構: 霸州市不動產登記中心", "二、法定時限: 自受理登記申請之日起30個工作日",
                      "三、承諾時限: 自受理登記申請之日起25個工作日", "四、收費標準: 不收費"])
    elements = service_guide_fields(rec(text))["elements"]
    for element in ("实施机构", "法定办结时限", "承诺办结时限", "收费标准"):
        assert elements[element]["state"] == "present", element


def test_guide_values_under_a_heading_a_table_or_a_phone_label():
    # wanyuan-bszn-qushui-yanxu, cqkz-bszn-yule-yanxu-cq, yongxing-bszn-hwgg-chuangkou, mianchi-bszn-qushui
    text = "\n".join(["四、申请材料", "序号 | 申请材料名称 | 备注 |", "1 | 取水许可申请书 | |", "五、办理流程", "受理→审查→决定",
                      "监督投诉方式", "联系电话:02385936050", "四、承诺期限:法定时限:5个工作日;", "主管部门", "渑池县水利局",
                      "职权类型 | 行政确认 |", "七、投诉监督电话:0735-5535062"])
    elements = service_guide_fields(rec(text))["elements"]
    assert "取水许可申请书" in elements["申请材料"]["value"]
    assert elements["监督电话"]["value"] == "02385936050" and elements["咨询电话"]["state"] == "missing"
    for element in ("法定办结时限", "实施机构", "事项类型"):
        assert elements[element]["state"] == "present", element


def test_the_headline_names_the_item():
    # qdnsfj-bszn-falvyuanzhu: the page title repeated at the top of the text, no 事项名称 label
    text = "您当前所在的位置: 首页 » 司法工作\n申请类法律援助受理审批\n办理依据:《法律援助条例》\n申请条件:公民……"
    got = service_guide_fields(rec(text, title="申请类法律援助受理审批"))["elements"]["事项名称"]
    assert got == {"state": "present", "label": "（标题）", "value": "申请类法律援助受理审批"}
    assert service_guide_fields(rec("办理依据:《法律援助条例》", title="申请类法律援助受理审批"))["elements"]["事项名称"][
        "state"] == "missing"


def test_a_disclosure_guide_with_contact_details_is_not_a_service_guide():
    # shicheng-guide-scjgj: a 公开指南 lists the office's address, hours and telephone
    text = "\n".join(["石城县市场监督管理局政府信息公开指南", "为了更好地开展政府信息公开工作，制定本指南。",
                      "办公地址：石城县琴江镇", "办公时间：工作日上午8:00-12:00", "联系电话：0797-5701234"])
    assert understand(rec(text, title="石城县市场监督管理局政府信息公开指南")).kind == "disclosure_guide"


# --- kinds ------------------------------------------------------------------------------------------


def test_news_about_report_work_is_not_a_report():
    # guzhen-notice-nbbz-2024
    record = understand(rec("为做好2023年度政府信息公开工作年报编制工作，县政务公开办召开部署会。",
                            title="【工作推进】固镇县召开2023年度政府信息公开工作年报编制和发布部署会"))
    assert record.kind != "annual_report"


def test_an_issuing_notice_is_a_policy():
    # mdx-policy-hjyjya (its 文号 lost a character on the site: 牟政办发〔201746)
    text = "牟政办发〔201746\n各乡镇人民政府，县级有关部门：\n经县人民政府同意，现将《牟定县突发环境事件应急预案（试行）》印发给你们，请认真贯彻执行。"
    record = understand(rec(text, title="牟定县人民政府办公室关于印发牟定县突发环境事件应急预案(试行)的通知"))
    assert record.kind == "policy"


def test_section_headings_and_list_items_are_not_title_lines():
    # kmfm-notice-jdjc: a 通报 on interpretation work; qhd-guide-wjw: a guide listing 政策解读 among its items
    notice = "各镇人民政府，县政府各部门：\n现将检查情况通报如下：\n一、政策解读检查情况\n经梳理，全县发布政策性文件2条。"
    assert understand(rec(notice, title="作者:县政府办 发布时间:2025-03-28")).kind != "interpretation"
    guide = ("为更好地开展政府信息公开工作，根据《中华人民共和国政府信息公开条例》，结合实际，编制本指南。\n一、主动公开\n"
             "（一）公开范围\n2.市卫健委制发的规范性文件，公示、公告以及政策解读及其实施情况；")
    record = understand(rec(guide, title="为更好地开展政府信息公开工作"))
    assert record.kind == "disclosure_guide", record.kind_reasons


def test_the_annotation_of_an_issued_document_marks_a_policy():
    text = "市政府各工作部门、各直属事业单位：\n现将有关制度印发给你们。\n2020年9月10日\n（此件公开发布）\n第一条 为进一步提升……"
    record = understand(rec(text, title="市政府及市政府部门重大政策文件解读制度"))
    assert record.kind == "policy" and any("此件公开发布" in r for r in record.kind_reasons)


def test_an_order_number_line_makes_a_policy_and_its_number():
    # scsedu-policy-jiaoyu-chengjie: a 部令 printed under its title
    text = "中小学教育惩戒规则（试行）\n中华人民共和国教育部令第49号\n《中小学教育惩戒规则（试行）》已经审议通过，现予公布。"
    record = understand(rec(text, title="中小学教育惩戒规则（试行）"))
    assert record.kind == "policy" and record.extras["policy"]["doc_number"] == "教育部令第49号"
    # a citation of an order inside a sentence is no number of the page's own
    cited = rec("根据《中华人民共和国政府信息公开条例》（国务院令第711号），编制本指南。")
    assert policy_fields(cited)["doc_number"] is None


def test_report_interview_and_form_titles():
    # zhecheng-report-2017-yiyuan, zhecheng-jiedu-penggai-zhuanfang, zhecheng-other-ysq-shenqingbiao
    report = rec("根据条例要求，现公布本院2017年政务信息公开情况。", title="柘城县人民医院2017年政务信息公开报告")
    assert understand(report).kind == "annual_report"
    interview = rec("记者：棚改贷款情况如何？答：……", title="棚改贷款情况如何？——就棚改贷款热点问题专访国开行相关部门负责人")
    assert understand(interview).kind == "interpretation"
    form = rec("申请人姓名\n工作单位\n联系电话\n办理地点：县政府办\n办理时间：工作日\n申请材料：身份证明\n咨询电话：0370-1",
               title="柘城县政府信息公开申请表")
    assert understand(form).kind != "service_guide"


def test_an_interpretation_names_its_policy_through_a_tag_or_its_first_line():
    # scsedu-jiedu-jiaoyu-duzhao-tujie and scsedu-jiedu-yiliu-kecheng
    tagged = rec("[图片]", title="【图解】四川省人民政府办公厅关于印发四川省深化新时代教育督导体制机制改革的实施意见的通知")
    assert interpretation_fields(tagged)["policy_titles"] == [
        "四川省人民政府办公厅关于印发四川省深化新时代教育督导体制机制改革的实施意见的通知"]
    first_line = rec("教育部关于公布首批国家级一流本科课程认定结果的通知\n一、请您简要介绍一下这批课程的整体情况。",
                     title="【答记者问】首批国家级一流本科课程公布 教育部高等教育司负责人答记者问")
    assert "教育部关于公布首批国家级一流本科课程认定结果的通知" in interpretation_fields(first_line)["policy_titles"]


def test_a_work_notice_without_a_number_is_not_a_policy():
    # jlslyj-notice-tuban-zhenggai: 主送机关 and a 通知 title, but only a cited document's number
    text = ("各区林业局、左家自然保护区及相关单位：\n按照《吉林省林业厅关于扎实推进整改工作的通知》（吉林稽[2017]429号）文件要求，"
            "现将有关事项通知如下：\n一、认真领会省厅文件精神。")
    title = "安图县林业局关于疑似林地变化图斑核发现问题查处和整改工作的通知"
    assert understand(rec(text, title=title)).kind != "policy"
    numbered = rec("吉市林发〔2017〕348号\n" + text, title=title)
    assert understand(numbered).kind == "policy"
    issuing = rec("各乡镇人民政府：\n现将《应急响应机制》印发给你们，请认真贯彻执行。", title="关于印发应急响应机制的通知")
    assert understand(issuing).kind == "policy"


def test_guide_fragments_and_guide_titles():
    # gzegn-bszn-mirror-15day, xtkfq-bszn-shengyu-zhiyin-mirror, xjsw-bszn-shetuan-chengli
    fragment = "一、办理时限\n15个工作日\n二、办理流程\n受理\n审查\n三、办理材料"
    assert understand(rec(fragment, title="一、办理时限")).kind == "service_guide"
    assert understand(rec("服务对象：已婚夫妇", title="生育登记服务工作指引")).kind == "service_guide"
    assert understand(rec("一、行政许可的依据\n《社会团体登记管理条例》", title="社会团体成立审批流程")).kind == "service_guide"
    # contact details alone still make no guide
    contact = "办理地点：县政务中心\n办理时间：工作日\n咨询电话：0730-1"
    assert understand(rec(contact, title="关于调整窗口工作时间的公告")).kind != "service_guide"


# --- URLs -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("href,expected", [
    ("http://b.gov.cn/x.html#p", "http://b.gov.cn/x.html"),
    ("//b.gov.cn/x.html", "https://b.gov.cn/x.html"),
    ("/zwgk/a.html", "https://a.gov.cn/zwgk/a.html"),
    ("/zwgk/../b.html", "https://a.gov.cn/b.html"),
    ("../c.html", "https://a.gov.cn/zwgk/c.html"),
    ("./201912/t20191211_1.html", "https://a.gov.cn/zwgk/list/201912/t20191211_1.html"),
    ("c.html?x=1#f", "https://a.gov.cn/zwgk/list/c.html?x=1"), ("./x/./y.html", "https://a.gov.cn/zwgk/list/x/y.html"),
    ("?page=2", "https://a.gov.cn/zwgk/list/index.html?page=2"), ("a:b/c.html", None),
    (" javascript:void(0)", None), ("mailto:x@y.cn", None), ("#top", None), ("http://[::1", None), ("http:///x", None),
])
def test_resolver(href, expected):
    assert Resolver("https://a.gov.cn/zwgk/list/index.html")(href) == expected


@pytest.mark.parametrize("base", ["http://h.gov.cn", "http://h.gov.cn/a/b.html?x=1#f", "https://h.gov.cn/a/./b/c.html",
                                  "http://h.gov.cn:8080/zwgk/bmwj/index.html", "http://h.gov.cn/a/b/c/"])
def test_resolver_fast_paths_agree_with_urljoin(base):
    from urllib.parse import urljoin
    resolve = Resolver(base)
    for href in ["./t1.html", "c.html", "x/./y.html", "././c.html", "./.hidden", "c.html?q=a:b", "?p=2", "../d/",
                 "../../index.html", "../../../../x.html", "../", "./../a.html", "../a/../b.html"]:
        assert resolve(href) == urljoin(base, href).split("#", 1)[0], href
