"""The labelled accuracy corpus (tests/fixtures/corpus): every case gives the outcomes its labels expect."""

from __future__ import annotations

import copy
from decimal import Decimal

import pytest

from benchmarks.accuracy import CORPUS, context, evaluate, load_cases
from rubrics.engine import Proposal, score
from rubrics.model import Outcome
from zwgk.store import Store

CASES = load_cases()


def test_corpus_has_real_and_written_cases_and_adversarial_ones():
    origins = {c["origin"] for c in CASES}
    assert origins == {"real", "written"}
    ids = {c["id"] for c in CASES}
    for needed in ("interp-before-policy", "interp-makeup-saturday", "interp-2016-policy", "sg-placeholders", "sg-no-fee",
                   "privacy-clean", "dept-report-ontime-0331", "dept-report-late-0401", "crawl-failed"):
        assert needed in ids
    assert (CORPUS.parent / "README.md").read_text(encoding="utf-8").count("before the check code") == 1


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_case_outcomes_match_labels(case):
    result = evaluate(case)
    assert result.errors == []


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_proposals_carry_evidence(case):
    for f in evaluate(case).findings:
        assert "searched" in f.evidence or "crawl_reason" in f.evidence, (f.check_id, f.rule_id)
        if f.outcome is Outcome.FAIL:
            assert f.evidence.get("urls"), (f.check_id, f.rule_id)
        assert f.message and not f.message.isascii()


def test_a_wrong_label_is_caught():
    case = copy.deepcopy(next(c for c in CASES if c["id"] == "dept-report-late-0401"))
    case["expected"][1]["outcome"] = "pass"
    result = evaluate(case)
    assert len(result.errors) == 1 and "fail ≠ pass" in result.errors[0]
    assert result.per_check["annual_report"].fp == 1


def test_an_unlabelled_proposal_counts_as_false_positive():
    case = copy.deepcopy(next(c for c in CASES if c["id"] == "interp-unrelated-similar"))
    case["expected"] = [e for e in case["expected"] if e["outcome"] != "needs_review"]
    result = evaluate(case)
    assert any("unlabelled needs_review" in e for e in result.errors)


def test_findings_record_in_the_store_and_score(tmp_path):
    case = next(c for c in CASES if c["id"] == "sg-placeholders")
    ctx = context(case)
    findings = evaluate(case).findings
    rows = [f.to_store_dict(ctx.rubric.id, ctx.period, ctx.unit["id"]) for f in findings]
    with Store.open(tmp_path / "zwgk.db") as store:
        run = store.start_run("check", ctx.period)
        store.record_findings(run, ctx.unit["id"], ctx.period, ctx.rubric.id, rows)
        proposals = store.proposals(ctx.unit["id"], ctx.period)
    sheet = score(ctx.rubric, ctx.unit["id"], ctx.period, proposals)
    guides = next(i for i in sheet.indicators if i.indicator.id == "department-2017.3.2")
    assert guides.provisional == Decimal(1)  # 3 points − 4 elements × 0.5
    assert all(isinstance(p, Proposal) for p in proposals)
