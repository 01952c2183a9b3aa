"""The scoring engine: hand-computed cases from the seed rubrics, every rule kind, decisions, 认定."""

from decimal import Decimal as D

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from rubrics.engine import (
    Action,
    Decision,
    Determination,
    EngineError,
    ManualEntry,
    Proposal,
    Status,
    score,
)
from rubrics.loader import get_rubric, parse_rubric
from rubrics.model import Outcome, fingerprint

TINY = """
schema: zwgk-rubric/1
id: tiny-2017
title: 测试细则
kind: township
year: 2017
periods: {from: 2017}
total: 10
source: test
closing_note: 说明：测试。
categories:
  - id: tiny-2017.1
    name: 类别一
    points: 10
    indicators:
      - id: tiny-2017.1.1
        position: "1.1"
        group: 指南
        automation: auto
        points: 3
        content: 内容
        rules_text: 未编制办事指南的扣3分，指南要素不全的，每缺一项扣0.5分。
        rules:
          - {id: tiny-2017.1.1.a, text: 未编制办事指南的扣3分, kind: fixed, points: 3, excludes: [tiny-2017.1.1.b]}
          - {id: tiny-2017.1.1.b, text: 指南要素不全的，每缺一项扣0.5分, kind: per_item, points: 0.5, unit: 项}
      - id: tiny-2017.1.2
        position: "1.2"
        group: 机构
        automation: manual
        points: 2
        content: 内容
        rules_text: 未明确工作机构的扣2分，未配备专（兼）职工作人员的扣2分。
        rules:
          - {id: tiny-2017.1.2.a, text: 未明确工作机构的扣2分, kind: fixed, points: 2}
          - {id: tiny-2017.1.2.b, text: 未配备专（兼）职工作人员的扣2分, kind: fixed, points: 2}
      - id: tiny-2017.1.3
        position: "1.3"
        group: 依申请
        automation: partial
        points: 5
        content: 内容
        rules_text: 出现超期回复的，每件次扣2分；发生复议、诉讼经查实需承担责任的，每起扣4分。
        rules:
          - {id: tiny-2017.1.3.a, text: 出现超期回复的，每件次扣2分, kind: per_event, points: 2, unit: 件次}
          - {id: tiny-2017.1.3.b, text: 发生复议、诉讼经查实需承担责任的，每起扣4分, kind: per_event, points: 4, unit: 起, human_only: true}
adjustments:
  - id: tiny-2017.bonus
    type: bonus
    name: 加分
    content: 表扬
    rules_text: 受到省级表扬推介的每次加2分，市级加1分。
    rules:
      - {id: tiny-2017.bonus.a, text: 受到省级表扬推介的每次加2分, kind: per_event, points: 2, unit: 次}
      - {id: tiny-2017.bonus.b, text: 市级加1分, kind: per_event, points: 1, unit: 次}
  - id: tiny-2017.penalty
    type: penalty
    name: 减分
    content: 批评
    rules_text: 受到省级批评的每次扣2分，市级扣1分。
    rules:
      - {id: tiny-2017.penalty.a, text: 受到省级批评的每次扣2分, kind: per_event, points: 2, unit: 次}
      - {id: tiny-2017.penalty.b, text: 市级扣1分, kind: per_event, points: 1, unit: 次}
"""


@pytest.fixture(scope="module")
def tiny():
    return parse_rubric(yaml.safe_load(TINY), "tiny.yaml")


def prop(rule_id, count=1, subject="s", outcome=Outcome.FAIL, evidence_hash=None):
    return Proposal(
        fingerprint=fingerprint("r", 2017, "u", rule_id, subject),
        rule_id=rule_id,
        count=count,
        outcome=outcome,
        subject=subject,
        message="发现",
        evidence_hash=evidence_hash,
    )


def decide(p, action, seq=1, **kw):
    return Decision(fingerprint=p.fingerprint, action=action, by="assessor", at="2017-12-01T00:00:00+00:00", seq=seq, **kw)


def ind(sheet, indicator_id):
    return next(i for i in sheet.indicators if i.indicator.id == indicator_id)


# --- hand-computed cases from the seed rubrics -------------------------------------------------


def test_department_institution_loses_2_plus_2_of_2():
    rubric = get_rubric("department-2017")
    manual = [
        ManualEntry("manual-a", "department-2017.1.2.a", 1, "无机构", "assessor", "t"),
        ManualEntry("manual-b", "department-2017.1.2.b", 1, "无人员", "assessor", "t"),
    ]
    sheet = score(rubric, "u", 2017, manual=manual)
    s = ind(sheet, "department-2017.1.2")
    assert s.indicator.points == 2
    assert s.confirmed == 0 and s.provisional == 0
    assert sheet.subtotal_confirmed == 98
    assert any("扣完为止" in r for r in s.reasons)


def test_department_seven_missing_guide_elements_at_half_point_against_three():
    rubric = get_rubric("department-2017")
    p = prop("department-2017.3.2.b", count=7)
    sheet = score(rubric, "u", 2017, proposals=[p])
    s = ind(sheet, "department-2017.3.2")
    assert s.provisional == 0  # 7 × 0.5 = 3.5 > 3: floored at 0
    assert s.confirmed == 3  # nothing confirmed yet
    confirmed = score(rubric, "u", 2017, proposals=[p], decisions=[decide(p, Action.CONFIRM)])
    assert ind(confirmed, "department-2017.3.2").confirmed == 0
    five = prop("department-2017.3.2.b", count=5)
    assert ind(score(rubric, "u", 2017, proposals=[five]), "department-2017.3.2").provisional == D("0.5")


def test_township_six_missing_categories_at_three_against_fifteen():
    rubric = get_rubric("township-2017")
    p = prop("township-2017.2.5.a", count=6)
    sheet = score(rubric, "u", 2017, proposals=[p], decisions=[decide(p, Action.CONFIRM)])
    s = ind(sheet, "township-2017.2.5")
    assert s.confirmed == 0 and s.provisional == 0
    four = prop("township-2017.2.5.a", count=4, subject="other")
    assert ind(score(rubric, "u", 2017, proposals=[four]), "township-2017.2.5").provisional == 3


def test_township_full_marks_and_totals():
    for rubric_id in ("township-2017", "department-2017"):
        sheet = score(get_rubric(rubric_id), "u", 2017)
        assert sheet.subtotal_confirmed == 100 == sheet.subtotal_provisional
        assert sheet.final_confirmed == 100
        assert all(c.confirmed == c.points for c in sheet.categories)


def test_annual_report_missing_excludes_late_in_department_rubric():
    rubric = get_rubric("department-2017")
    indicator = rubric.indicator("department-2017.2.2")
    missing = next(r for r in indicator.rules if r.text.startswith("未公开年报"))
    late = next(r for r in indicator.rules if r.text.startswith("公开不及时"))
    assert late.id in missing.excludes
    ps = [prop(missing.id, subject="report"), prop(late.id, subject="report")]
    s = ind(score(rubric, "u", 2017, proposals=ps), indicator.id)
    assert s.provisional == 3 - D("1.5")
    late_ded = next(d for d in s.deductions if d.rule_id == late.id)
    assert late_ded.excluded_by == missing.id and late_ded.provisional_points == 0


# --- rule kinds ------------------------------------------------------------------------------------


def test_fixed_rule_deducts_once_however_many_findings(tiny):
    ps = [prop("tiny-2017.1.2.a", subject=f"s{i}") for i in range(3)]
    s = ind(score(tiny, "u", 2017, proposals=ps), "tiny-2017.1.2")
    assert s.provisional == 0  # 2 points, one charge of 2
    assert sum(d.provisional_points for d in s.deductions) == 2


def test_per_item_multiplies_and_floors(tiny):
    s = ind(score(tiny, "u", 2017, proposals=[prop("tiny-2017.1.1.b", count=3)]), "tiny-2017.1.1")
    assert s.provisional == D("1.5")
    s = ind(score(tiny, "u", 2017, proposals=[prop("tiny-2017.1.1.b", count=9)]), "tiny-2017.1.1")
    assert s.provisional == 0


def test_per_event_sums_events(tiny):
    ps = [prop("tiny-2017.1.3.a", subject="case-1"), prop("tiny-2017.1.3.a", subject="case-2")]
    s = ind(score(tiny, "u", 2017, proposals=ps), "tiny-2017.1.3")
    assert s.provisional == 1


def test_exclusion_makes_partial_rule_moot(tiny):
    ps = [prop("tiny-2017.1.1.a"), prop("tiny-2017.1.1.b", count=2)]
    s = ind(score(tiny, "u", 2017, proposals=ps), "tiny-2017.1.1")
    assert s.provisional == 0
    partial = next(d for d in s.deductions if d.rule_id == "tiny-2017.1.1.b")
    assert partial.excluded_by == "tiny-2017.1.1.a" and partial.provisional_points == 0
    # rejecting the whole-indicator rule brings the partial rule back
    s = ind(score(tiny, "u", 2017, proposals=ps, decisions=[decide(ps[0], Action.REJECT, reason="有指南")]), "tiny-2017.1.1")
    assert s.provisional == 2
    assert next(d for d in s.deductions if d.rule_id == "tiny-2017.1.1.b").excluded_by is None


def test_exclusion_only_by_counted_rule_in_confirmed_view(tiny):
    ps = [prop("tiny-2017.1.1.a"), prop("tiny-2017.1.1.b", count=2)]
    sheet = score(tiny, "u", 2017, proposals=ps, decisions=[decide(ps[1], Action.CONFIRM)])
    s = ind(sheet, "tiny-2017.1.1")
    assert s.confirmed == 2  # the open whole-rule does not exclude in the confirmed view
    assert s.provisional == 0


def test_an_open_whole_rule_can_make_a_confirmed_partial_one_moot():
    """Provisional = as if every open proposal were confirmed: the whole-indicator rule then excludes the
    partial one, so the provisional score can be above the confirmed one (found by the property test)."""
    rubric = get_rubric("department-2017")
    whole, stale = prop("department-2017.2.2.a"), prop("department-2017.2.2.b")  # 未公开指南 1.5 → 更新不及时 1
    amended = decide(stale, Action.AMEND, points=D("3"), reason="多年未更新")
    s = ind(score(rubric, "u", 2017, proposals=[whole, stale], decisions=[amended]), "department-2017.2.2")
    assert (s.confirmed, s.provisional) == (0, D("1.5"))
    stale_ded = next(d for d in s.deductions if d.rule_id == "department-2017.2.2.b")
    assert stale_ded.confirmed_points == 3 and stale_ded.provisional_points == 0


def test_human_only_rule_is_never_a_plain_proposal(tiny):
    p = prop("tiny-2017.1.3.b", outcome=Outcome.FAIL)
    s = ind(score(tiny, "u", 2017, proposals=[p]), "tiny-2017.1.3")
    assert s.deductions[0].status is Status.NEEDS_REVIEW


# --- decisions ---------------------------------------------------------------------------------------


def test_proposal_states_and_views(tiny):
    p = prop("tiny-2017.1.3.a", count=2)
    base = score(tiny, "u", 2017, proposals=[p])
    s = ind(base, "tiny-2017.1.3")
    assert s.deductions[0].status is Status.PROPOSED
    assert (s.confirmed, s.provisional) == (5, 1)
    assert base.open_count == 1

    rejected = ind(score(tiny, "u", 2017, proposals=[p], decisions=[decide(p, Action.REJECT, reason="误报")]), "tiny-2017.1.3")
    assert rejected.deductions[0].status is Status.REJECTED
    assert (rejected.confirmed, rejected.provisional) == (5, 5)

    amended = ind(
        score(tiny, "u", 2017, proposals=[p], decisions=[decide(p, Action.AMEND, count=1, reason="一件不算")]),
        "tiny-2017.1.3",
    )
    assert amended.deductions[0].status is Status.AMENDED
    assert (amended.confirmed, amended.provisional) == (3, 3)

    by_points = ind(
        score(tiny, "u", 2017, proposals=[p], decisions=[decide(p, Action.AMEND, points=D("0.5"), reason="酌情")]),
        "tiny-2017.1.3",
    )
    assert by_points.confirmed == D("4.5")

    na = ind(score(tiny, "u", 2017, proposals=[p], decisions=[decide(p, Action.NOT_APPLICABLE, reason="无此职责")]), "tiny-2017.1.3")
    assert na.deductions[0].status is Status.NOT_APPLICABLE
    assert (na.confirmed, na.provisional) == (5, 5)


def test_latest_decision_wins_and_reopen_undoes(tiny):
    p = prop("tiny-2017.1.3.a")
    ds = [decide(p, Action.CONFIRM, seq=1), decide(p, Action.REJECT, seq=2, reason="复核后驳回")]
    s = ind(score(tiny, "u", 2017, proposals=[p], decisions=list(reversed(ds))), "tiny-2017.1.3")
    assert s.deductions[0].status is Status.REJECTED
    ds.append(decide(p, Action.REOPEN, seq=3, reason="撤销"))
    s = ind(score(tiny, "u", 2017, proposals=[p], decisions=ds), "tiny-2017.1.3")
    assert s.deductions[0].status is Status.PROPOSED


def test_changed_evidence_keeps_decision_but_flags_it(tiny):
    p = prop("tiny-2017.1.3.a", evidence_hash="new")
    d = decide(p, Action.CONFIRM, evidence_hash="old")
    s = ind(score(tiny, "u", 2017, proposals=[p], decisions=[d]), "tiny-2017.1.3")
    assert s.deductions[0].status is Status.CONFIRMED
    assert s.deductions[0].evidence_changed
    same = decide(p, Action.CONFIRM, evidence_hash="new")
    assert not ind(score(tiny, "u", 2017, proposals=[p], decisions=[same]), "tiny-2017.1.3").deductions[0].evidence_changed


def test_amend_needs_count_or_points(tiny):
    p = prop("tiny-2017.1.3.a")
    with pytest.raises(EngineError, match="修改"):
        score(tiny, "u", 2017, proposals=[p], decisions=[decide(p, Action.AMEND, reason="x")])
    with pytest.raises(EngineError, match="0.5"):
        score(tiny, "u", 2017, proposals=[p], decisions=[decide(p, Action.AMEND, points=D("0.3"), reason="x")])


def test_manual_entry_is_confirmed_and_can_be_withdrawn(tiny):
    m = ManualEntry("manual-1", "tiny-2017.1.2.b", 1, "未配备人员", "assessor", "t")
    s = ind(score(tiny, "u", 2017, manual=[m]), "tiny-2017.1.2")
    assert s.confirmed == 0 and s.deductions[0].source == "manual"
    withdrawn = Decision("manual-1", Action.REJECT, "assessor", "t", reason="录入错误", seq=1)
    assert ind(score(tiny, "u", 2017, manual=[m], decisions=[withdrawn]), "tiny-2017.1.2").confirmed == 2


# --- not applicable (认定), bonus/penalty, bad inputs ------------------------------------------------


def test_not_applicable_indicator_awards_full_points_and_is_shown(tiny):
    ps = [prop("tiny-2017.1.3.a", count=2)]
    det = Determination("tiny-2017.1.3", "本单位不受理依申请公开", "assessor", "t", seq=1)
    s = ind(score(tiny, "u", 2017, proposals=ps, determinations=[det]), "tiny-2017.1.3")
    assert (s.confirmed, s.provisional) == (5, 5)
    assert s.not_applicable == det
    assert "不适用" in s.reasons[0]
    revoked = Determination("tiny-2017.1.3", "撤销认定", "assessor", "t", revoked=True, seq=2)
    s = ind(score(tiny, "u", 2017, proposals=ps, determinations=[det, revoked]), "tiny-2017.1.3")
    assert s.not_applicable is None and s.provisional == 1


def test_not_applicable_rule_only_spares_that_rule(tiny):
    ms = [
        ManualEntry("m1", "tiny-2017.1.2.a", 1, "无机构", "assessor", "t"),
        ManualEntry("m2", "tiny-2017.1.1.b", 2, "缺要素", "assessor", "t"),
    ]
    det = Determination("tiny-2017.1.2.a", "机构由上级统一设置", "assessor", "t")
    sheet = score(tiny, "u", 2017, manual=ms, determinations=[det])
    assert ind(sheet, "tiny-2017.1.2").confirmed == 2
    assert ind(sheet, "tiny-2017.1.1").confirmed == 2


def test_bonus_and_penalty_sit_outside_the_hundred(tiny):
    ms = [
        ManualEntry("b1", "tiny-2017.bonus.a", 2, "省级表扬两次", "assessor", "t"),
        ManualEntry("p1", "tiny-2017.penalty.b", 1, "市级批评", "assessor", "t"),
    ]
    sheet = score(tiny, "u", 2017, manual=ms)
    assert sheet.subtotal_confirmed == 10
    assert (sheet.bonus_confirmed, sheet.penalty_confirmed) == (4, 1)
    assert sheet.final_confirmed == 13


def test_bad_inputs_are_refused_in_chinese(tiny):
    with pytest.raises(EngineError, match="不在考核细则"):
        score(tiny, "u", 2017, proposals=[prop("tiny-2017.9.9.a")])
    with pytest.raises(EngineError, match="加减分"):
        score(tiny, "u", 2017, proposals=[prop("tiny-2017.bonus.a")])
    with pytest.raises(EngineError, match="非负整数"):
        score(tiny, "u", 2017, proposals=[prop("tiny-2017.1.3.a", count=-1)])
    with pytest.raises(EngineError, match="构成扣分"):
        score(tiny, "u", 2017, proposals=[prop("tiny-2017.1.3.a", outcome=Outcome.PASS)])
    with pytest.raises(EngineError, match="认定的对象"):
        score(tiny, "u", 2017, determinations=[Determination("tiny-2017.7", "x", "a", "t")])


def test_fingerprint_is_stable_and_distinguishes_subjects():
    a = fingerprint("township-2017", 2017, "u1", "township-2017.2.2.a", "guide")
    assert a == fingerprint("township-2017", 2017, "u1", "township-2017.2.2.a", "guide")
    assert a != fingerprint("township-2017", 2017, "u1", "township-2017.2.2.a", "guide2")
    assert a != fingerprint("township-2017", 2018, "u1", "township-2017.2.2.a", "guide")
    assert len(a) == 64


# --- properties ----------------------------------------------------------------------------------------

ACTIONS = [Action.CONFIRM, Action.REJECT, Action.AMEND, Action.NOT_APPLICABLE, Action.REOPEN, None]


@st.composite
def scenario(draw, rubric):
    rules = [r for i in rubric.indicators for r in i.rules]
    proposals, decisions = [], []
    for n in range(draw(st.integers(0, 25))):
        rule = draw(st.sampled_from(rules))
        p = prop(rule.id, count=draw(st.integers(0, 30)), subject=f"s{n}",
                 outcome=draw(st.sampled_from([Outcome.FAIL, Outcome.NEEDS_REVIEW])))
        proposals.append(p)
        action = draw(st.sampled_from(ACTIONS))
        if action is Action.AMEND:
            decisions.append(decide(p, action, seq=n, reason="r", count=draw(st.integers(0, 10)),
                                    points=draw(st.sampled_from([None, D("0.5"), D("7")]))))
        elif action is not None:
            decisions.append(decide(p, action, seq=n, reason="r"))
    targets = [i.id for i in rubric.indicators] + [r.id for r in rules]
    dets = [Determination(t, "认定", "a", "t", seq=k) for k, t in enumerate(draw(st.lists(st.sampled_from(targets), max_size=3)))]
    return proposals, decisions, dets


@pytest.mark.parametrize("rubric_id", ["township-2017", "department-2017"])
def test_every_score_stays_within_its_points(rubric_id):
    rubric = get_rubric(rubric_id)

    @settings(max_examples=150, deadline=None)
    @given(scenario(rubric))
    def check(case):
        proposals, decisions, dets = case
        sheet = score(rubric, "u", 2017, proposals=proposals, decisions=decisions, determinations=dets)
        for s in sheet.indicators:
            assert 0 <= s.confirmed <= s.indicator.points
            assert 0 <= s.provisional <= s.indicator.points
        for c in sheet.categories:
            assert 0 <= c.provisional <= c.points and 0 <= c.confirmed <= c.points
        assert 0 <= sheet.subtotal_provisional <= 100 and 0 <= sheet.subtotal_confirmed <= 100

    check()
