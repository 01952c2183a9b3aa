"""Reports: contexts, HTML (unit report, summary with SVG), XLSX workbook, CSV/JSON exports, remedies."""

from __future__ import annotations

import copy
import csv
import dataclasses
import json
import re
import xml.etree.ElementTree as ET
from decimal import Decimal
from html import escape

import pytest
from openpyxl import load_workbook

from reports.context import (
    TRACK_WIDTH,
    CrawlHealth,
    UnitData,
    build_unit_report,
    rank_units,
    report_findings,
)
from reports.exports import SCORE_COLUMNS, json_export, read_json_export, write_json, write_ranking_csv, write_scores_csv
from reports.html import render_summary, render_unit_report
from reports.remedies import RemediesError, coverage_problems, load_remedies, parse_remedies
from reports.xlsx import FIRST_ROW, HEADER, HEADER_ROW, RANKING_HEADER, RANKING_SHEET, write_score_workbook
from rubrics.export import sheet_to_dict
from rubrics.loader import get_rubric, load_all
from sample import build_sample_db
from zwgk.services.scoring import score_unit
from zwgk.services.stores import open_store

PERIOD = 2017
HOSTILE = "<script>alert(1)</script>"


@pytest.fixture(scope="module")
def demo_data(tmp_path_factory) -> dict[str, UnitData]:
    """Every demo unit's plain report data, from a demo database built the way `zwgk demo` builds it."""
    out = tmp_path_factory.mktemp("reports") / "demo"
    build_sample_db(out)
    data = {}
    with open_store(out / "zwgk.db") as store:
        for unit in store.list_units():
            sheet, unit = score_unit(store, unit["id"], PERIOD)
            plain = sheet_to_dict(sheet, unit["name"])
            findings = report_findings(plain, store.current_findings(unit["id"], PERIOD))
            data[unit["id"]] = UnitData(plain, unit, findings, CrawlHealth("ok", "2017-12-01T02:00:00+00:00"))
    return data


@pytest.fixture(scope="module")
def remedies():
    return load_remedies()


def build(data: UnitData, remedies):
    return build_unit_report(data, get_rubric(data.sheet["rubric_id"]), remedies)


@pytest.fixture(scope="module")
def ctxs(demo_data, remedies):
    return {uid: build(d, remedies) for uid, d in demo_data.items()}


def costing(sheet: dict) -> list[dict]:
    """Deductions of a plain sheet that cost points in either view (read straight from sheet_to_dict)."""
    return [
        d
        for c in sheet["categories"]
        for i in c["indicators"]
        for d in i["deductions"]
        if d["confirmed_points"] > 0 or d["provisional_points"] > 0
    ]


# --- remedies ---------------------------------------------------------------------------------------


def test_every_automatable_rule_of_both_rubrics_has_a_remedy(remedies):
    assert coverage_problems(remedies, load_all().values()) == []
    assert {"township-2017", "department-2017"} <= set(load_all())


def test_exact_key_wins_over_wildcard_and_manual_rules_fall_back():
    r = parse_remedies(
        {"schema": "zwgk-remedies/1", "fallback": "人工核查", "remedies": {"*.2.2.b": "通用", "department-2017.2.2.b": "专用"}},
        "t.yaml",
    )
    assert r.for_rule("department-2017.2.2.b") == "专用"
    assert r.for_rule("township-2017.2.2.b") == "通用"
    assert r.for_rule("township-2017.1.3.a") == "人工核查"


def test_remedies_file_problems_are_named():
    with pytest.raises(RemediesError, match="2.2.b"):
        parse_remedies({"schema": "zwgk-remedies/1", "fallback": "x", "remedies": {"2.2.b": "y"}}, "t.yaml")
    stray = parse_remedies({"schema": "zwgk-remedies/1", "fallback": "x", "remedies": {"*.9.9.z": "y"}}, "t.yaml")
    problems = coverage_problems(stray, [get_rubric("township-2017")])
    assert any("*.9.9.z" in p for p in problems)
    assert any("township-2017.2.2.a" in p for p in problems)  # and nothing covers the automatable rules


def test_folded_remedy_text_has_no_spaces_between_chinese_characters(remedies):
    text = remedies.for_rule("township-2017.3.3.b")
    assert "结果名称、结果样本" in text and "、 " not in text


# --- unit report ---------------------------------------------------------------------------------------


def test_unit_report_shows_every_lost_point_with_rule_evidence_and_remedy(demo_data, ctxs, remedies):
    seen = 0
    for uid, data in demo_data.items():
        html = render_unit_report(ctxs[uid], "2017-12-01 10:00")
        for d in costing(data.sheet):
            seen += 1
            assert escape(d["rule_text"], quote=False) in html
            assert escape(d["message"], quote=False) in html
            assert escape(remedies.for_rule(d["rule_id"]), quote=False) in html
            assert d["status_text"] in html
        for f in data.findings:
            url = f["evidence"].get("url")
            if url and f["outcome"] != "could_not_assess":
                assert f'href="{url}"' in html
    assert seen >= 8  # the demo's deliberate gaps, manual entries included


def test_unit_report_scores_and_adjustments(ctxs):
    r = ctxs["xinshi-town"]
    html = render_unit_report(r, "2017-12-01 10:00")
    assert (r.final_confirmed, r.final_provisional) == (Decimal(98), Decimal("89.5"))
    assert ">98<" in html and ">89.5<" in html
    assert "政务公开工作受到市政府通报表扬" in html  # the bonus entry
    assert "2017-12-01 10:00" in html
    assert "按2017年细则评估：2017年乡镇政务公开政务服务工作考核细则" in html  # the rubric applied
    assert "<script" not in html and "http://fonts" not in html and "<link" not in html  # self-contained


def test_could_not_assess_items_are_listed_with_their_reason(ctxs):
    r = ctxs["baishui-town"]
    assert [c.rule_id for c in r.could_not_assess] == ["township-2017.3.3.a"]
    html = render_unit_report(r)
    section = html.split("二、无法评估的项目")[1].split("三、")[0]
    assert "办事指南栏目抓取失败（连接超时），无法评估" in section
    assert "连接超时（3次重试）" in section
    assert 'href="http://demo.invalid/baishui/bszn/"' in section


def test_not_applicable_shows_reason_and_approver(ctxs):
    r = ctxs["land-bureau"]
    assert [n.target_id for n in r.not_applicable] == ["department-2017.3.10"]
    section = render_unit_report(r).split("三、不适用（已认定）的项目")[1].split("四、")[0]
    assert "本单位不承担工程建设项目审批职能" in section and "pinggu" in section


def test_excluded_rule_is_shown_as_not_charged_twice(ctxs):
    ind = next(i for i in ctxs["baishui-town"].indicators if i.position == "2.2")
    assert [d.rule_id for d in ind.moot_items] == ["township-2017.2.2.b"]
    assert "不重复扣分" in render_unit_report(ctxs["baishui-town"])


def test_hostile_text_stays_inert(demo_data, remedies):
    data = copy.deepcopy(demo_data["xinshi-town"])
    ded = costing(data.sheet)[0]
    ded["message"] = HOSTILE
    ref = ded["evidence_ref"]
    finding = next(f for f in data.findings if str(f["id"]) == ref)
    finding["evidence"] = {"url": "javascript:alert(1)", "excerpt": f'"><img src=x onerror=alert(2)>{HOSTILE}'}
    data.unit["name"] = HOSTILE
    html = render_unit_report(build(data, remedies))
    assert HOSTILE not in html and "<img" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert 'href="javascript:' not in html
    assert "javascript:alert(1)" in html  # still shown, as text


def test_crawl_health_is_optional(demo_data, remedies):
    data = dataclasses.replace(demo_data["edu-bureau"], crawl=None)
    html = render_unit_report(build(data, remedies))
    assert "网站抓取" not in html
    assert "网站抓取" in render_unit_report(build(demo_data["edu-bureau"], remedies))


# --- ranking and summary ------------------------------------------------------------------------------


def test_ranking_orders_by_final_score_and_ties_share_a_rank(ctxs):
    a, b, c = ctxs["xinshi-town"], ctxs["baishui-town"], ctxs["edu-bureau"]
    tied = [
        dataclasses.replace(a, final_confirmed=Decimal(90)),
        dataclasses.replace(b, final_confirmed=Decimal("95.5")),
        dataclasses.replace(c, final_confirmed=Decimal(90), rubric_id=a.rubric_id),
    ]
    rows = rank_units(tied)
    assert [r.rank for r in rows] == [1, 2, 2]
    assert rows[0].unit_id == "baishui-town" and {r.unit_id for r in rows[1:]} == {"edu-bureau", "xinshi-town"}
    assert rank_units(tied + [dataclasses.replace(a, unit_id="z", unit_name="z", final_confirmed=Decimal(80))])[-1].rank == 4


def svgs(html: str) -> list[ET.Element]:
    return [ET.fromstring(m) for m in re.findall(r"<svg\b.*?</svg>", html, flags=re.S)]


def test_summary_ranks_each_rubric_separately_with_one_bar_per_category(ctxs):
    rubrics = [get_rubric("township-2017"), get_rubric("department-2017")]
    html = render_summary(list(ctxs.values()), rubrics, "2017-12-01 10:00")
    charts = svgs(html)
    assert len(charts) == 2
    assert "按2017年细则评估（township-2017）" in html and "按2017年细则评估（department-2017）" in html
    ns = "{http://www.w3.org/2000/svg}"
    for rubric, chart in zip(rubrics, charts):
        bars = [r for r in chart.iter(f"{ns}rect") if r.get("class") == "bar"]
        assert len(bars) == len(rubric.categories)
        labels = [t.text for t in chart.iter(f"{ns}text")]
        assert all(cat.name in labels for cat in rubric.categories)
    # township 组织保障: both demo townships keep all 15 points → a full-length bar
    first = [r for r in charts[0].iter(f"{ns}rect") if r.get("class") == "bar"][0]
    assert float(first.get("width")) == TRACK_WIDTH
    # department 组织保障: edu-bureau lost 2 of 10 → average 9 of 10 → 90 % of the track
    dep = [r for r in charts[1].iter(f"{ns}rect") if r.get("class") == "bar"][0]
    assert float(dep.get("width")) == pytest.approx(TRACK_WIDTH * 0.9)
    township = html.split("2017年乡镇政务公开政务服务工作考核细则")[1].split("<svg")[0]
    assert township.index("白水镇人民政府") < township.index("新市镇人民政府")  # 100 before 98
    assert "市直" not in township and "汨水县教育局" not in township
    assert "待处理扣分共 <b>6</b> 项" in html and "无法评估共 <b>1</b> 项" in html
    assert "<script" not in html


def test_summary_refuses_units_of_a_rubric_it_was_not_given(ctxs):
    with pytest.raises(ValueError, match="department-2017"):
        render_summary(list(ctxs.values()), [get_rubric("township-2017")])


# --- XLSX --------------------------------------------------------------------------------------------------


def test_workbook_is_laid_out_like_the_official_table(ctxs, demo_data, tmp_path):
    rubric = get_rubric("township-2017")
    units = [ctxs["xinshi-town"], ctxs["baishui-town"]]
    path = write_score_workbook(rubric, units, tmp_path / "t.xlsx")
    wb = load_workbook(path)
    assert wb.sheetnames == [RANKING_SHEET, "白水镇人民政府", "新市镇人民政府"]

    ws = wb["新市镇人民政府"]
    assert "按2017年细则评估（township-2017）" in ws.cell(2, 1).value
    sheet = demo_data["xinshi-town"].sheet
    assert [c.value for c in ws[HEADER_ROW]] == HEADER
    assert HEADER[:5] == ["指标名称", None, "考核内容", "分值", "扣分办法（倒扣分，扣完为止）"]
    plain = [i for c in sheet["categories"] for i in c["indicators"]]
    assert len(plain) == len(rubric.indicators) == 35
    for n, (ind, s) in enumerate(zip(rubric.indicators, plain)):
        row = [c.value for c in ws[FIRST_ROW + n]]
        assert row[2] == ind.content and row[4] == ind.rules_text
        assert Decimal(str(row[3])) == ind.points
        assert row[6] == s["confirmed"] and row[5] == s["points"] - s["confirmed"]
    total = [c.value for c in ws[FIRST_ROW + 35]]
    assert total[0] == "合计（百分制）" and total[3] == 100 and total[6] == sheet["subtotal_confirmed"] == 97
    bonus, penalty, final = ([c.value for c in ws[FIRST_ROW + 36 + k]] for k in range(3))
    assert (bonus[1], bonus[6], penalty[1], penalty[6]) == ("加分", 1, "减分", 0)
    assert "市政府通报表扬" in bonus[7]
    assert final[6] == sheet["final_confirmed"] == 98
    # merged cells like the source: category cells down column A, shared 指标名称 cells down column B
    merged = {str(m) for m in ws.merged_cells.ranges}
    assert "A3:B3" in merged and f"A{FIRST_ROW}:A{FIRST_ROW + 4}" in merged  # 组织保障: 5 indicators
    assert ws.cell(FIRST_ROW, 1).value == "组织保障\n（15分）"
    assert f"B{FIRST_ROW + 12}:B{FIRST_ROW + 15}" in merged  # 3.2–3.5 share one long 指标名称
    # the 说明 column carries the status of deductions
    guide_row = [c.value for c in ws[FIRST_ROW + 6]]  # 2.2
    assert "待确认" in guide_row[7]
    # print and view setup
    assert ws.freeze_panes == f"A{FIRST_ROW}"
    assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == int(ws.PAPERSIZE_A4)
    assert ws.cell(FIRST_ROW, 3).alignment.wrap_text
    assert ws.column_dimensions["C"].width > ws.column_dimensions["D"].width


def test_workbook_ranking_sheet(ctxs, tmp_path):
    rubric = get_rubric("department-2017")
    path = write_score_workbook(rubric, [ctxs["edu-bureau"], ctxs["land-bureau"]], tmp_path / "d.xlsx")
    ws = load_workbook(path)[RANKING_SHEET]
    assert [c.value for c in ws[HEADER_ROW]] == RANKING_HEADER
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=FIRST_ROW)]
    assert [(r[0], r[2], r[3], r[4]) for r in rows] == [(1, "land-bureau", 100, 100), (2, "edu-bureau", 98, 98)]
    assert [r[7] for r in rows] == [3, 3]  # open proposals


def test_department_row_without_source_name_is_marked_editorial(ctxs, tmp_path):
    path = write_score_workbook(get_rubric("department-2017"), [ctxs["edu-bureau"]], tmp_path / "d.xlsx")
    ws = load_workbook(path)["汨水县教育局"]
    rows = {ws.cell(r, 3).value: r for r in range(FIRST_ROW, FIRST_ROW + 40)}
    row = rows[get_rubric("department-2017").indicator("department-2017.2.7").content]
    assert ws.cell(row, 2).value == "（查询场所）" and "编者" in ws.cell(row, 2).comment.text


def test_workbook_refuses_units_of_another_rubric(ctxs, tmp_path):
    with pytest.raises(ValueError, match="edu-bureau"):
        write_score_workbook(get_rubric("township-2017"), [ctxs["edu-bureau"]], tmp_path / "x.xlsx")


# --- CSV and JSON --------------------------------------------------------------------------------------------


def test_csv_is_utf8_with_bom_and_one_row_per_indicator(ctxs, tmp_path):
    rubric = get_rubric("township-2017")
    units = [ctxs["xinshi-town"], ctxs["baishui-town"]]
    path = write_scores_csv(rubric, units, tmp_path / "s.csv")
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(raw.decode("utf-8-sig").splitlines(keepends=True)))
    assert list(rows[0]) == SCORE_COLUMNS
    assert len(rows) == 2 * (35 + 2)
    xinshi = {r["指标编号"]: r for r in rows if r["单位编号"] == "xinshi-town"}
    assert xinshi["township-2017.3.3"]["暂估得分"] == "0.5" and xinshi["township-2017.3.3"]["已确认得分"] == "2"
    assert xinshi["township-2017.5.1"]["已确认扣分"] == "3"
    assert xinshi["township-2017.bonus"]["已确认得分"] == "1"

    ranking = write_ranking_csv(rubric, units, tmp_path / "r.csv").read_text(encoding="utf-8-sig").splitlines()
    assert ranking[1].startswith("1,baishui-town,白水镇人民政府") and ranking[2].startswith("2,xinshi-town")


def test_json_export_round_trips(ctxs, remedies, tmp_path):
    rubric = get_rubric("department-2017")
    units = [ctxs["edu-bureau"], ctxs["land-bureau"]]
    path = write_json(rubric, units, tmp_path / "d.json")
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert doc == json.loads(json.dumps(json_export(rubric, units), ensure_ascii=False))
    assert doc["schema_version"] == 1 and [r["unit_id"] for r in doc["ranking"]] == ["land-bureau", "edu-bureau"]
    rubric_id, data = read_json_export(path)
    assert rubric_id == rubric.id
    assert [build(d, remedies) for d in data] == units


def test_json_export_keeps_could_not_assess_and_crawl(ctxs, tmp_path):
    path = write_json(get_rubric("township-2017"), [ctxs["baishui-town"]], tmp_path / "t.json")
    unit = json.loads(path.read_text(encoding="utf-8"))["units"][0]
    assert unit["crawl"] == {"status": "ok", "last_crawl": "2017-12-01T02:00:00+00:00", "note": None}
    assert [f["outcome"] for f in unit["findings"]].count("could_not_assess") == 1
