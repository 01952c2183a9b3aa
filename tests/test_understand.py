"""Unit tests of page understanding: normalisation, 文号, classification rules, service-guide reading,
annual-report statistics, interpretation targets, and the extras contract; two end-to-end pages through
crawler.extract.extract_page."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crawler.record import PAGE_KINDS, Link, PageRecord
from crawler.understand import (
    ELEMENTS,
    annual_report_fields,
    classify,
    find_doc_numbers,
    interpretation_fields,
    parse_doc_number,
    service_guide_fields,
    understand,
)
from crawler.understand.text import cn_year, normalize


def rec(**fields) -> PageRecord:
    base = dict(url="http://www.miluo.gov.cn/a/t1.html", final_url="http://www.miluo.gov.cn/a/t1.html", status=200,
                content_type="text/html", encoding="utf-8", body_sha256="0" * 64)  # fmt: skip
    base.update(fields)
    if "url" in fields and "final_url" not in fields:
        base["final_url"] = fields["url"]
    return PageRecord(**base)


def states(text: str, title: str = "") -> dict[str, str]:
    guide = service_guide_fields(rec(main_text=text, title=title))
    return {e: v["state"] for e, v in guide["elements"].items() if v["state"] != "missing"}


# ------------------------------------------------------------------ text


def test_normalize_simplifies_and_drops_pinyin():
    assert normalize("政府信息公開工作年度報(bào)告") == "政府信息公开工作年度报告"
    assert normalize("行政複議、行政訴訟") == "行政复议、行政诉讼"
    assert normalize("事项名称：１２（一）") == "事项名称:12(一)"


def test_cn_year():
    assert cn_year("二〇一六") == 2016
    assert cn_year("二零一七") == 2017
    assert cn_year("二〇一") is None


# ------------------------------------------------------------------ 文号


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("汨政发〔2017〕3号", "汨政发〔2017〕3号"),
        ("岳政办发[2017]2号", "岳政办发〔2017〕2号"),
        ("湘政发（2017）12号", "湘政发〔2017〕12号"),
        ("湘政发(2017)012号", "湘政发〔2017〕12号"),
        ("南政发【2014】7号", "南政发〔2014〕7号"),
        (" 汨政办函 〔 2017 〕 第5号 ", "汨政办函〔2017〕5号"),
        ("国发201252号", None),
        ("无", None),
        ("", None),
    ],
)
def test_parse_doc_number(raw, expected):
    assert parse_doc_number(raw) == expected


def test_find_doc_numbers_strips_leading_words():
    text = "根据《意见》(中办发〔2016〕8号)及湘办发〔2016〕41号要求，印发岳办发〔2017〕2号和湘财经发[2017]2号"
    assert find_doc_numbers(text) == ["中办发〔2016〕8号", "湘办发〔2016〕41号", "岳办发〔2017〕2号", "湘财经发〔2017〕2号"]


@given(st.sampled_from(["汨政发", "岳政办发", "湘政函", "汨财预"]), st.integers(2000, 2099), st.integers(1, 999),
       st.sampled_from(["〔〕", "[]", "（）", "()", "【】"]))  # fmt: skip
def test_doc_number_round_trip(prefix, year, serial, brackets):
    raw = f"{prefix}{brackets[0]}{year}{brackets[1]}{serial}号"
    assert parse_doc_number(raw) == f"{prefix}〔{year}〕{serial}号"
    assert find_doc_numbers(f"按照{raw}文件执行") == [f"{prefix}〔{year}〕{serial}号"]


# ------------------------------------------------------------------ classification


def test_list_layout_is_list():
    result = classify(rec(layout="list", layout_reasons=["20 条列表项"], title="政策解读"))
    assert result.kind == "list" and result.confidence >= 0.9


def test_column_page_showing_a_document_is_the_document():
    # reached as a column's list page, but the page shows one document inline
    result = classify(rec(role="list", layout="document", title="汨罗市政府信息公开指南"))
    assert result.kind == "disclosure_guide"


def test_every_kind_is_a_record_kind():
    samples = [rec(title="汨罗市政府信息公开指南"), rec(title="关于《某办法》的解读"), rec(title="无关页面")]
    assert all(classify(r).kind in PAGE_KINDS for r in samples)


@pytest.mark.parametrize("marker", ["解读", "答记者问", "一图读懂", "图解", "一图速览", "图说"])
def test_interpretation_markers(marker):
    result = classify(rec(title=f"{marker}：《汨罗市城区居民建房管理办法》"))
    assert result.kind == "interpretation"
    assert f"标题含“{marker}”" in result.reasons


def test_interpretation_work_rules_are_not_interpretations():
    assert classify(rec(title="汨罗市政策解读工作制度")).kind != "interpretation"
    assert classify(rec(title="关于印发《汨罗市政策解读工作实施办法》的通知")).kind != "interpretation"


def test_marker_inside_book_title_loses_to_marker_outside():
    result = classify(rec(title="一图读懂《汨罗市2016年政府信息公开工作年度报告》"))
    assert result.kind == "interpretation"
    alone = classify(rec(title="关于印发《汨罗市政府信息公开指南》的通知", column="政府信息公开指南"))
    assert alone.kind == "disclosure_guide"
    assert any(r.startswith("书名号内") for r in alone.reasons)


def test_column_and_url_evidence_has_reasons():
    result = classify(rec(url="http://www.miluo.gov.cn/zwgk/zcjd/201703/t1.html", title="《某办法》政策解读",
                          column="政策解读"))  # fmt: skip
    assert result.kind == "interpretation"
    assert "栏目为“政策解读”" in result.reasons
    assert any("zcjd" in r for r in result.reasons)
    assert result.confidence > 0.8


def test_runner_up_lowers_confidence_and_is_named():
    clean = classify(rec(title="《某办法》政策解读", column="政策解读"))
    mixed = classify(rec(title="《某办法》政策解读", column="政策解读", metadata={"发文字号": "汨政发〔2017〕3号"}))
    assert clean.kind == mixed.kind == "interpretation"
    assert mixed.confidence < clean.confidence
    assert any(r.startswith("另有文件特征") for r in mixed.reasons)


def test_other_when_nothing_matches():
    result = classify(rec(title="我市召开春季植树动员会", main_text="3月12日，我市召开春季植树动员会。"))
    assert result.kind == "other" and result.reasons


def test_service_guide_by_body_labels_without_title():
    text = "事项名称：a\n设定依据：b\n实施机构：c\n申请材料：d\n办理地点：e\n咨询电话：f"
    result = classify(rec(main_text=text))
    assert result.kind == "service_guide"
    assert "正文含6项有内容的办事指南要素" in result.reasons


def test_items_list_with_guide_labels_is_not_a_guide():
    text = "事项名称：a\n设定依据：b\n实施机构：c\n申请材料：d\n办理地点：e\n咨询电话：f"
    assert classify(rec(title="汨罗市民政局权责清单", main_text=text)).kind != "service_guide"


# ------------------------------------------------------------------ service guides


def test_all_22_elements_always_reported():
    guide = service_guide_fields(rec(main_text=""))
    assert tuple(guide["elements"]) == ELEMENTS and len(ELEMENTS) == 22
    assert all(v == {"state": "missing", "label": None, "value": None} for v in guide["elements"].values())


def test_label_variants_map_to_canonical_elements():
    text = "\n".join([
        "承诺期限：5个工作日", "法定期限：20个工作日", "法律依据：《某法》", "办理机构：某局", "所需材料：身份证",
        "受理地点：政务中心", "联系电话：0730-1", "监督投诉方式：12345", "是否收费：否", "办理方式：窗口办理",
    ])  # fmt: skip
    assert states(text) == {e: "present" for e in (
        "承诺办结时限", "法定办结时限", "设定依据", "实施机构", "申请材料", "办理地点", "咨询电话", "监督电话", "收费标准",
        "办理形式")}  # fmt: skip


def test_several_pairs_in_one_line_and_in_one_row():
    assert states("咨询电话：0730-1；投诉电话：0730-2") == {"咨询电话": "present", "监督电话": "present"}
    assert states("事项名称 | 甲 | 事项类型 | 行政许可") == {"事项名称": "present", "事项类型": "present"}


def test_label_on_its_own_line_takes_the_next_lines():
    got = service_guide_fields(rec(main_text="一、办理时限\n15个工作日\n二、办理流程\n受理\n审查"))
    assert got["elements"]["承诺办结时限"]["value"] == "15个工作日"
    assert got["elements"]["办理流程"]["value"] == "受理 审查"
    assert got["elements"]["办理流程"]["label"] == "办理流程"


def test_header_row_maps_values_by_column():
    text = "环节名称  所需时限  法定依据  是否收费  收费依据\n受理  1个工作日  《某条例》  否  无"
    assert states(text) == {"设定依据": "present", "收费标准": "present", "收费依据": "present"}
    one_per_line = "事项名称\n事项类型\n实施机构\n甲事项\n行政许可\n某局"
    got = service_guide_fields(rec(main_text=one_per_line))["elements"]
    assert got["实施机构"]["value"] == "某局" and got["事项名称"]["value"] == "甲事项"


def test_label_words_inside_sentences_are_not_labels():
    assert states("请携带申请材料到办理地点窗口办理，咨询电话见下方。") == {}


@pytest.mark.parametrize("value", ["无", "暂无", "/", "—", "-", "--", "待定", "详见附件", "见附件1"])
def test_placeholders(value):
    assert states(f"办理时间：{value}") == {"办理时间": "placeholder"}


def test_empty_label():
    assert states("办理时间：\n办理地点：") == {"办理时间": "empty", "办理地点": "empty"}


def test_image_marker_is_image_only():
    assert states("结果样本：[图片]\n申请材料：<img src='a.png'>") == {"结果样本": "image_only", "申请材料": "image_only"}


def test_fee_decisions():
    free = service_guide_fields(rec(main_text="收费标准：不收费\n收费依据：无"))
    assert free["free"] is True
    assert free["elements"]["收费标准"]["state"] == "present"
    assert free["elements"]["收费依据"]["state"] == "present"
    paid = service_guide_fields(rec(main_text="收费标准：每件10元\n收费依据：无"))
    assert paid["free"] is False
    assert paid["elements"]["收费依据"]["state"] == "placeholder"
    unknown = service_guide_fields(rec(main_text="办理时间：工作日"))
    assert unknown["free"] is None


def test_yes_no_elements_accept_negative_answers():
    assert states("预约办理：否\n网上支付：不支持\n物流快递：无\n通办范围：不通办\n办理时间：否") == {
        "预约办理": "present", "网上支付": "present", "物流快递": "present", "通办范围": "present",
        "办理时间": "present",
    }  # fmt: skip


def test_best_state_wins_when_an_element_repeats():
    got = service_guide_fields(rec(main_text="咨询方式\n咨询电话：0730-1\n咨询窗口："))["elements"]["咨询电话"]
    assert got == {"state": "present", "label": "咨询电话", "value": "0730-1"}


def test_item_name_from_title_only_when_no_label():
    assert states("", title="食品经营许可办事指南") == {"事项名称": "present"}
    got = service_guide_fields(rec(main_text="事项名称：甲", title="乙办事指南"))["elements"]["事项名称"]
    assert got["value"] == "甲"


def test_value_excerpt_is_short():
    got = service_guide_fields(rec(main_text="办理流程：" + "受理审查决定" * 40))["elements"]["办理流程"]
    assert len(got["value"]) <= 60 and got["value"].endswith("…")


# ------------------------------------------------------------------ annual reports


def report(text: str, title: str = "") -> dict:
    return annual_report_fields(rec(title=title, main_text=text))


def test_year_from_title_variants():
    assert report("", "汨罗市2016年度政府信息公开工作报告")["year"] == 2016
    assert report("", "汨罗市政府信息公开工作年度报告（2017年）")["year"] == 2017
    assert report("", "二〇一六年政府信息公开工作年度报告")["year"] == 2016
    assert report("本报告统计期限自2015年1月1日起至2015年12月31日止。", "政府信息公开年报")["year"] == 2015
    assert report("我局认真做好各项工作。", "政府信息公开年报")["year"] is None


def test_prose_statistics():
    stats = report("全年共受理政府信息公开申请三件，超期答复1件。因政府信息公开申请行政复议2件，行政诉讼1件。")["stats"]
    assert stats == {"received": 3, "overdue": 1, "review_cases": 2, "lawsuits": 1}


def test_prose_zero_statements():
    stats = report("本年度未收到政府信息公开申请，未发生行政复议和行政诉讼。")["stats"]
    assert stats == {"received": 0, "overdue": 0, "review_cases": 0, "lawsuits": 0}
    assert report("行政复议、行政诉讼均为0。")["stats"]["lawsuits"] == 0


def test_unknown_statistics_stay_none():
    assert report("我局认真贯彻《条例》，依申请公开工作规范有序。")["stats"] == {
        "received": None, "overdue": None, "review_cases": None, "lawsuits": None}  # fmt: skip


def test_incomplete_table_row_is_not_guessed():
    text = "本年新制作数量\n一、本年新收政府信息公开申请数量 | 3 | 1\n"
    assert report(text)["stats"]["received"] is None


@pytest.mark.parametrize(
    "text, fmt",
    [
        ("信息内容 本年制发件数 本年废止件数 现行有效件数", "table_2021"),
        ("信息内容 本年新制作数量 本年新公开数量 对外公开总数量", "table_2019"),
        ("根据国办公开办函〔2021〕30号要求编制", "table_2021"),
        ("一、概述 二、主动公开政府信息情况", "free"),
    ],
)
def test_format(text, fmt):
    assert report(text, "2021年政府信息公开工作年度报告")["format"] == fmt


# ------------------------------------------------------------------ interpretations


def test_interpretation_ignores_laws_cited_in_text():
    got = interpretation_fields(rec(title="关于汨罗市城区居民建房管理办法的解读",
                                    main_text="根据《中华人民共和国土地管理法》和《湖南省实施办法》制定。"))  # fmt: skip
    assert got["policy_titles"] == ["汨罗市城区居民建房管理办法", "湖南省实施办法"]


def test_interpretation_links_by_label():
    links = [Link("http://a/1.html", "文件原文"), Link("http://a/2.html", "政策原文"), Link("http://a/3.html", "上一篇"),
             Link("http://a/1.html", "原文")]  # fmt: skip
    got = interpretation_fields(rec(title="《某办法》解读", links=links))
    assert got["policy_links"] == ["http://a/1.html", "http://a/2.html"]


# ------------------------------------------------------------------ understand()


def test_understand_fills_the_contract_and_is_idempotent():
    record = rec(title="《汨罗市城区居民建房管理办法》政策解读", column="政策解读",
                 extras={"policy": {"doc_number": "stale"}, "crawl_note": 1})  # fmt: skip
    once = understand(record)
    assert once.kind == "interpretation" and once.kind_reasons and once.kind_confidence > 0
    assert set(once.extras) == {"interpretation", "crawl_note"}
    assert set(once.extras["interpretation"]) == {"policy_titles", "policy_links", "doc_numbers"}
    assert understand(once).extras == once.extras
    assert record.kind == "other" and "policy" in record.extras  # the input is not changed


def test_understand_policy_and_report_shapes():
    policy = understand(rec(title="关于加强政务公开工作的通知", metadata={"发文字号": "汨政办发[2017]2号"}))
    assert policy.extras["policy"] == {"doc_number": "汨政办发〔2017〕2号", "doc_number_source": "metadata"}
    report_ = understand(rec(title="汨罗市2016年政府信息公开工作年度报告"))
    assert set(report_.extras["annual_report"]) == {"year", "format", "stats"}
    assert set(report_.extras["annual_report"]["stats"]) == {"received", "overdue", "review_cases", "lawsuits"}


# ------------------------------------------------------------------ end to end through the extractor

GUIDE_HTML = """<html><head><meta charset="utf-8"><title>低保审批办事指南_汨罗市人民政府</title>
<meta name="ColumnName" content="办事指南"></head><body><h1>城乡居民最低生活保障审批办事指南</h1>
<div class="TRS_Editor"><table>
<tr><th>事项名称</th><th>事项类型</th><th>实施机构</th></tr>
<tr><td>城乡居民最低生活保障审批</td><td>行政给付</td><td>汨罗市民政局</td></tr>
<tr><td>法定办结时限</td><td>30个工作日</td><td>承诺办结时限</td><td>15个工作日</td></tr>
<tr><td>收费标准</td><td>不收费</td><td>收费依据</td><td>无</td></tr>
<tr><td>申请材料</td><td><img src="cl.png"></td></tr>
<tr><td>咨询电话</td><td>0730-5222110</td><td>监督电话</td><td>—</td></tr>
</table></div></body></html>"""

INTERPRETATION_HTML = """<html><head><meta charset="gbk"><title>《汨罗市城区居民建房管理办法》政策解读</title></head>
<body><div class="position">当前位置：<a href="/">首页</a> &gt; <a href="/zwgk/zcjd/">政策解读</a></div>
<div id="zoom"><p>一、出台背景</p><p>市政府印发了《汨罗市城区居民建房管理办法》（汨政发〔2017〕3号）。</p>
<p><a href="/zwgk/zfwj/201702/t20170215_3.html">原文链接</a></p></div></body></html>"""


def test_end_to_end_service_guide_table():
    from crawler.extract import extract_page

    record = extract_page("http://www.miluo.gov.cn/zwgk/bszn/201705/t1.html", {"content-type": "text/html"},
                          GUIDE_HTML.encode("utf-8"))  # fmt: skip
    got = understand(record)
    assert got.kind == "service_guide"
    elements = got.extras["service_guide"]["elements"]
    assert elements["实施机构"] == {"state": "present", "label": "实施机构", "value": "汨罗市民政局"}
    assert elements["承诺办结时限"]["value"] == "15个工作日"
    assert elements["收费依据"]["state"] == "present"
    assert elements["监督电话"]["state"] == "placeholder"
    # The extractor writes <img> in the body as [图片]: an image-only cell is told apart from an empty one.
    assert elements["申请材料"]["state"] == "image_only"
    assert elements["办理地点"]["state"] == "missing"


def test_end_to_end_interpretation_in_gbk():
    from crawler.extract import extract_page

    record = extract_page("http://www.miluo.gov.cn/zwgk/zcjd/201702/t2.html",
                          {"content-type": "text/html; charset=gbk"}, INTERPRETATION_HTML.encode("gbk"))  # fmt: skip
    got = understand(record)
    assert got.kind == "interpretation"
    info = got.extras["interpretation"]
    assert info["policy_titles"] == ["汨罗市城区居民建房管理办法"]
    assert info["doc_numbers"] == ["汨政发〔2017〕3号"]
    assert info["policy_links"] == ["http://www.miluo.gov.cn/zwgk/zfwj/201702/t20170215_3.html"]
