"""The shipped rubric files against the user's source document (tests/fixtures/seed/rubrics-2017.txt)."""

import re
from decimal import Decimal
from pathlib import Path

import pytest

from rubrics.loader import get_rubric, load_all, rubric_for
from rubrics.model import RuleKind

SEED = (Path(__file__).parent / "fixtures" / "seed" / "rubrics-2017.txt").read_text(encoding="utf-8")
TOWNSHIP_SEED, DEPARTMENT_SEED = SEED.split("2017年市市直及省、岳阳市驻汨单位政务公开政务服务工作考核细则")


def layout_free(text: str) -> str:
    """The only changes a rubric file may make to the wording: layout spaces and in-cell line breaks."""
    return re.sub(r"[\u3000\s]", "", text)


def seed_rows(part: str) -> list[tuple[str, str, str]]:
    """(考核内容, 分值, 扣分办法) of each table row of one rubric, in source order.

    A row is a tab-led content cell, then a points cell that is a bare number with optional 分, then the
    deduction cell. Header rows (指标名称/考核内容/分值/扣分办法) and the bonus/penalty rows are skipped.
    """
    cells = [c.strip() for c in re.split(r"\n\t", part)]
    rows = []
    for i in range(1, len(cells) - 1):
        m = re.fullmatch(r"(\d+(?:\.\d)?)分?", cells[i])
        if m:
            rows.append((cells[i - 1], m.group(1), cells[i + 1]))
    return rows


RUBRICS = {"township-2017": TOWNSHIP_SEED, "department-2017": DEPARTMENT_SEED}


@pytest.mark.parametrize("rubric_id", list(RUBRICS))
def test_rows_match_the_seed_table_line_for_line(rubric_id):
    rubric = get_rubric(rubric_id)
    rows = seed_rows(RUBRICS[rubric_id])
    assert len(rows) == len(rubric.indicators)
    for indicator, (content, points, rules) in zip(rubric.indicators, rows):
        assert layout_free(indicator.content) == layout_free(content), indicator.id
        assert indicator.points == Decimal(points), indicator.id
        assert layout_free(indicator.rules_text) == layout_free(rules), indicator.id


@pytest.mark.parametrize("rubric_id", list(RUBRICS))
def test_every_rule_is_a_verbatim_fragment_of_its_cell(rubric_id):
    rubric = get_rubric(rubric_id)
    for owner in list(rubric.indicators) + list(rubric.adjustments):
        assert owner.rules, owner.id
        for rule in owner.rules:
            assert rule.text in owner.rules_text, rule.id
            # the points written in the rule's words are the rule's points
            m = re.search(r"[扣加](\d+(?:\.\d)?)", rule.text)
            if m:
                assert Decimal(m.group(1)) == rule.points, rule.id


@pytest.mark.parametrize("rubric_id", list(RUBRICS))
def test_text_is_verbatim_apart_from_layout(rubric_id):
    rubric = get_rubric(rubric_id)
    part = RUBRICS[rubric_id]
    assert "\u3000" not in rubric.title
    for indicator in rubric.indicators:
        for text in (indicator.content, indicator.rules_text, indicator.group or ""):
            assert "\u3000" not in text and "\n" not in text, indicator.id
            assert layout_free(text) in layout_free(part), indicator.id
    for adj in rubric.adjustments:
        assert layout_free(adj.content) in layout_free(part)
        assert layout_free(adj.rules_text) in layout_free(part)
    assert rubric.closing_note.startswith("说明：")
    assert layout_free(rubric.closing_note) in layout_free(part)
    assert rubric.title in SEED


def test_category_totals_as_in_the_seed():
    township, department = get_rubric("township-2017"), get_rubric("department-2017")
    assert [int(c.points) for c in township.categories] == [15, 35, 39, 6, 5]
    assert [int(c.points) for c in department.categories] == [10, 35, 50, 5]
    assert township.total == department.total == 100
    assert [c.name for c in township.categories] == ["组织保障", "信息公开", "互联网+政务服务", "政务公开便民服务", "工作衔接"]
    for rubric in (township, department):
        for cat in rubric.categories:
            assert f"{cat.name}（{int(cat.points)}分）" in layout_free(SEED)


def test_known_source_defects_are_kept():
    township, department = get_rubric("township-2017"), get_rubric("department-2017")
    assert township.indicator("township-2017.1.2").content.endswith("2")
    assert township.indicator("township-2017.1.2").rules_text.endswith("，。")
    assert "讼诉" in township.indicator("township-2017.2.6").content
    assert "讼诉" in department.indicator("department-2017.2.6").content
    assert department.title.startswith("2017年市市直")
    guides = department.indicator("department-2017.3.1")
    assert guides.group == "全面推进事项清单标准化、办事指南规范化、"
    query = department.indicator("department-2017.2.7")
    assert query.group is None and query.label_editorial and query.label
    for indicator in township.indicators + department.indicators:
        if "事项进流程" in indicator.rules_text or indicator.group is None:
            assert indicator.notes, indicator.id  # every defect kept is also noted


def test_ids_are_unique_and_prefixed():
    for rubric in load_all().values():
        ids = [rubric.id]
        for cat in rubric.categories:
            ids.append(cat.id)
            for indicator in cat.indicators:
                ids.append(indicator.id)
                assert indicator.id == f"{rubric.id}.{indicator.position}"
                ids.extend(r.id for r in indicator.rules)
        for adj in rubric.adjustments:
            ids.append(adj.id)
            ids.extend(r.id for r in adj.rules)
        assert len(ids) == len(set(ids))


def test_per_item_enumerations():
    township, department = get_rubric("township-2017"), get_rubric("department-2017")

    def items(rubric, indicator_id):
        rule = next(r for r in rubric.indicator(indicator_id).rules if r.kind is RuleKind.PER_ITEM)
        return rule.items

    assert items(township, "township-2017.2.1") == ("主动公开", "依申请公开", "发布协调", "保密审查", "年度报告", "新闻发言人")
    assert "政策解读" in items(department, "department-2017.2.1") and len(items(department, "department-2017.2.1")) == 7
    for rubric, indicator_id in ((township, "township-2017.3.3"), (department, "department-2017.3.2")):
        elements = items(rubric, indicator_id)
        assert len(elements) == 22 and elements[0] == "事项名称" and elements[-1] == "监督电话"
    for rubric, indicator_id in ((township, "township-2017.3.4"), (department, "department-2017.3.3")):
        assert len(items(rubric, indicator_id)) == 11
    town_cats = items(township, "township-2017.2.5")
    dept_cats = items(department, "department-2017.2.5")
    assert town_cats.count("扶贫工作信息") == 1 and dept_cats.count("扶贫工作信息") == 1
    assert "行政事业单位人员招录" in town_cats and "人员招录" in dept_cats
    assert "经济社会发展规划" in town_cats and "工作规划" in dept_cats


def test_whole_indicator_rules_exclude_their_partial_siblings():
    """design.md Conventions: 未编制办事指南 → 要素不全; 未公开年报 → 公开不及时 / 部门不全面; …"""
    pairs = [
        ("department-2017.3.2", "未编制办事指南", "指南要素不全"),
        ("township-2017.3.3", "未编制办事指南", "指南要素不全"),
        ("department-2017.2.2", "未公开年报", "公开不及时"),
        ("department-2017.1.4", "未纳入综合绩效考评", "分值权重不达标"),
        ("township-2017.1.5", "未纳入综合绩效考评", "分值权重不达标"),
        ("department-2017.2.7", "未设立", "未提供相关服务"),
        ("department-2017.3.3", "未实施", "细则要素不明确"),
        ("township-2017.3.4", "未实施", "细则要素不明确"),
        ("township-2017.3.10", "未实施", "改革不彻底"),
        ("department-2017.3.9", "未实施", "改革不彻底"),
    ]
    rubrics = load_all()
    for indicator_id, whole, partial in pairs:
        indicator = rubrics[indicator_id.split(".")[0]].indicator(indicator_id)
        w = next(r for r in indicator.rules if r.text.startswith(whole))
        p = next(r for r in indicator.rules if r.text.startswith(partial))
        assert p.id in w.excludes, indicator_id


def test_liability_rules_are_for_people_only():
    for rubric_id in RUBRICS:
        indicator = get_rubric(rubric_id).indicator(f"{rubric_id}.2.6")
        flagged = [r for r in indicator.rules if r.human_only]
        assert len(flagged) == 1 and "经查实需承担责任" in flagged[0].text


def test_bonus_and_penalty_rows():
    for rubric_id in RUBRICS:
        rubric = get_rubric(rubric_id)
        assert [a.type.value for a in rubric.adjustments] == ["bonus", "penalty"]
        for adj in rubric.adjustments:
            assert [r.points for r in adj.rules] == [2, 1]
            assert all(r.kind is RuleKind.PER_EVENT for r in adj.rules)


def test_rubric_is_found_by_kind_and_period():
    assert rubric_for("township", 2017).id == "township-2017"
    assert rubric_for("department", 2017).id == "department-2017"
    # no later rubric is shipped: the 2017 ones stay in force (periods: from 2017, until superseded)
    assert rubric_for("township", 2026).id == "township-2017"
    with pytest.raises(LookupError, match="2016"):
        rubric_for("township", 2016)


@pytest.mark.parametrize("rubric_id", list(RUBRICS))
def test_2017_files_state_their_periods(rubric_id):
    rubric = get_rubric(rubric_id)
    assert (rubric.applies_from, rubric.applies_until) == (2017, None)
    assert rubric.applied_label == "按2017年细则评估"
