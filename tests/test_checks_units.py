"""Unit tests of the checks' building blocks (the corpus tests cover whole checks)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from checks.base import CheckContext, Finding, Subject, url_key
from checks.interpretation import analyse
from checks.registry import get_rubric, run_checks
from checks.privacy import mask, scan, valid_id_number
from checks.review_rules import heading
from checks.service_guide import element_states
from checks.text import owner
from crawler.record import PageRecord
from rubrics.model import Outcome, fingerprint

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def _with_check_char(base17: str) -> str:
    return base17 + "10X98765432"[sum(int(d) * w for d, w in zip(base17, WEIGHTS)) % 11]


ids = st.builds(
    lambda region, birth, seq: _with_check_char(f"{region}{birth:%Y%m%d}{seq:03d}"),
    st.integers(110000, 659999), st.dates(dt.date(1900, 1, 1), dt.date(2099, 12, 31)), st.integers(0, 999),
)


@given(ids)
def test_valid_id_numbers_pass_and_any_other_check_char_fails(number):
    assert valid_id_number(number)
    for other in "0123456789X":
        if other != number[-1]:
            assert not valid_id_number(number[:-1] + other)
    assert scan(f"身份证号：{number}。")[0] == [number]


def test_impossible_birth_dates_are_not_ids():
    assert not valid_id_number(_with_check_char("43068119800230123"))  # 30 February


def test_mobiles_inside_longer_digit_runs_are_not_flagged():
    assert scan("卡号62170029301013873012345 流水201706011380000123456")[1] == []
    assert scan("联系电话：13873012345，座机0730-5221234")[1] == ["13873012345"]
    assert mask("13873012345") == "138****2345"
    assert mask("430681198001011236") == "430681********1236"


def _rec(url, kind, date, title="", **kw):
    return PageRecord(url=url, final_url=url, status=200, content_type="text/html", encoding="utf-8", body_sha256="0",
                      kind=kind, pub_date=date, title=title, **kw)


def test_interpretation_pairing_prefers_doc_number_and_counts_makeup_saturday():
    p = _rec("http://a/p", "policy", "2017-09-27", "关于加强校园安全管理的意见", extras={"policy": {"doc_number": "汨教发[2017]21号"}})
    i = _rec("http://a/i", "interpretation", "2017-10-09", "解读",
             extras={"interpretation": {"doc_numbers": ["汨教发〔2017〕21号"], "policy_titles": [], "policy_links": []}})
    [pairing] = analyse([p], [i], 2017)
    assert (pairing.method, pairing.status, pairing.lag) == ("doc_number", "late", 4)


def test_fuzzy_pairing_stays_within_its_date_window():
    p = _rec("http://a/p", "policy", "2017-01-05", "关于开展2017年中小学教师全员培训工作的通知")
    far = _rec("http://a/i", "interpretation", "2017-09-01", "关于开展2017年中小学教师全员培训工作的解读")
    near = _rec("http://a/j", "interpretation", "2017-01-06", "关于开展2017年中小学教师全员培训工作的解读")
    assert [x.status for x in analyse([p], [far], 2017)] == ["missing", "unpaired"]
    [pairing] = analyse([p], [near], 2017)
    assert (pairing.method, pairing.status, pairing.lag) == ("fuzzy", "on_time", 1)


def test_no_fee_makes_fee_basis_moot_but_a_placeholder_fee_does_not():
    free = {"elements": {"收费标准": {"state": "present", "value": "不收费"}, "收费依据": {"state": "missing"}}}
    placeholder = {"elements": {"收费标准": {"state": "placeholder", "value": "无"}, "收费依据": {"state": "missing"}}}
    assert element_states(free, ("收费标准", "收费依据")) == {"收费标准": "present", "收费依据": "present"}
    assert element_states(placeholder, ("收费标准", "收费依据")) == {"收费标准": "placeholder", "收费依据": "missing"}


def test_review_rules_heading_for_a_longer_element_does_not_count_for_the_shorter():
    decide = heading("决定", ("决定公开",))
    assert not decide.search("第九章 决定公开\n本机关依法公开决定。")
    assert decide.search("第七章 决定\n……") and decide.search("（七）决定\n") and decide.search("\n决定：当场作出")


def test_owner_matches_a_department_by_its_short_name():
    r = _rec("http://a/g", "disclosure_guide", None, "财政所政府信息公开指南")
    assert owner(r, "新市镇人民政府", ["新市镇党政综合办公室", "新市镇财政所"]) == "新市镇财政所"
    assert owner(_rec("http://a/h", "disclosure_guide", None, "新市镇人民政府信息公开指南"), "新市镇人民政府", ["新市镇财政所"]) is None


def test_store_dict_fingerprint_is_the_engine_fingerprint_of_rule_and_subject_key():
    f = Finding("guide", "department-2017.2.2.a", Subject("disclosure-guide", "政府信息公开指南"), Outcome.PASS, 0, "已公开",
                {"searched": {}})
    row = f.to_store_dict("department-2017", 2017, "edu")
    assert row["fingerprint"] == fingerprint("department-2017", 2017, "edu", "department-2017.2.2.a", "disclosure-guide")
    assert row["outcome"] == "pass" and row["check_id"] == "guide"
    assert (row["subject_key"], row["subject"]) == ("disclosure-guide", "政府信息公开指南")
    # rewording what people read leaves the identity alone
    reworded = Finding("guide", "department-2017.2.2.a", Subject("disclosure-guide", "本单位信息公开指南"), Outcome.PASS, 0,
                       "已公开", {"searched": {}})
    assert reworded.to_store_dict("department-2017", 2017, "edu")["fingerprint"] == row["fingerprint"]


def test_subject_keys_must_be_ascii():
    with pytest.raises(ValueError):
        Subject("政府信息公开指南", "政府信息公开指南")
    with pytest.raises(ValueError):
        Subject("a b", "x")
    assert url_key("http://x.gov.cn/zcwj/通知.html?a=1&b=%20") == "http://x.gov.cn/zcwj/%E9%80%9A%E7%9F%A5.html?a=1&b=%20"


PINNED = {
    # (rule id, subject key) → fingerprint, computed once and written down: a check whose key changes, or a
    # change to the fingerprint formula, detaches every decision on it and must fail here
    ("department-2017.2.2.a", "disclosure-guide"): "0392c789086cb63c3d08087f2e890b2ae8a8524060549c5195794de61258d794",
    ("department-2017.2.3.a", "http://x.gov.cn/zcwj/%E5%85%B3%E4%BA%8E%E5%8D%B0%E5%8F%91%E5%8A%9E%E6%B3%95%E7%9A%84%E9%80%9A%E7%9F%A5.html"):
        "7ee56fbf9b93d159bf36f1d08c51fa0da0764debae2b3460b4df463eb5e61694",
}


def test_fingerprints_of_real_check_findings_are_pinned():
    policy = _rec("http://x.gov.cn/zcwj/关于印发办法的通知.html", "policy", "2017-05-02", "关于印发某办法的通知")
    ctx = CheckContext(unit={"id": "edu", "name": "市教育局", "kind": "department", "subunits": []}, period=2017,
                       rubric=get_rubric("department-2017"), records=[policy])
    got = {(f.rule_id, f.subject.key): f.to_store_dict("department-2017", 2017, "edu")["fingerprint"] for f in run_checks(ctx)}
    for key, fp in PINNED.items():
        assert got[key] == fp, key
    assert fingerprint("township-2017", 2017, "xinshi-town", "township-2017.2.2.c", "annual-report/2016") == \
        "cf9187517cdb5baf1fa0611e937960b7ee7383663a50f1607f92c98fb447e6e5"
