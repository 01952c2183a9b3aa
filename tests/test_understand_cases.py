"""The labelled page-understanding corpus (tests/fixtures/understand/cases.yaml): every case, and the
accuracy over all of them (kind per page; state per service-guide element), real and written cases apart.

Run with ``-s`` to see the accuracy tables."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
import yaml

from crawler.record import PAGE_KINDS, Attachment, Link, PageRecord
from crawler.understand import ELEMENTS, understand

FIXTURES = Path(__file__).parent / "fixtures" / "understand"
CASES = yaml.safe_load((FIXTURES / "cases.yaml").read_text(encoding="utf-8"))


def build(spec: dict) -> PageRecord:
    text = spec.get("text", "")
    if "text_file" in spec:
        text = (FIXTURES / spec["text_file"]).read_text(encoding="utf-8")
    attachments = [
        Attachment(url=f"{spec['url']}#a{i}", name=Path(name).name, ext="docx", status="extracted",
                   text=(FIXTURES / name).read_text(encoding="utf-8"))
        for i, name in enumerate(spec.get("attachment_files", []))
    ]  # fmt: skip
    return PageRecord(
        url=spec["url"], final_url=spec["url"], status=200, content_type="text/html", encoding="utf-8",
        body_sha256="0" * 64, role=spec.get("role", "detail"), layout=spec.get("layout", "document"), title=spec.get("title", ""),
        column=spec.get("column"), breadcrumb=spec.get("breadcrumb", []), metadata=spec.get("metadata", {}),
        meta=spec.get("meta", {}), main_text=text, links=[Link(**link) for link in spec.get("links", [])],
        attachments=attachments,
    )  # fmt: skip


UNDERSTOOD = {case["id"]: understand(build(case["record"])) for case in CASES}


def test_corpus_is_well_formed():
    assert len({c["id"] for c in CASES}) == len(CASES)
    for case in CASES:
        assert case["source"] in ("real", "written")
        assert case["expect"]["kind"] in PAGE_KINDS
        for element in case["expect"].get("elements", {}):
            assert element in ELEMENTS, element


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_case(case):
    record = UNDERSTOOD[case["id"]]
    expect = case["expect"]
    assert record.kind == expect["kind"], record.kind_reasons
    assert record.kind_reasons and all(isinstance(r, str) and r for r in record.kind_reasons)
    assert 0.0 < record.kind_confidence <= 1.0
    if "annual_report" in expect:
        assert record.extras["annual_report"] == expect["annual_report"]
    if "policy" in expect:
        assert record.extras["policy"]["doc_number"] == expect["policy"]["doc_number"]
    if "interpretation" in expect:
        assert record.extras["interpretation"] == expect["interpretation"]
    if "elements" in expect:
        guide = record.extras["service_guide"]
        states = {e: guide["elements"][e]["state"] for e in ELEMENTS}
        wanted = {e: expect["elements"].get(e, "missing") for e in ELEMENTS}
        assert states == wanted
        for entry in guide["elements"].values():
            assert (entry["label"] is None) == (entry["state"] == "missing")
        if "format" in expect:
            assert guide["format"] == expect["format"]
        if "free" in expect:
            assert guide["free"] is expect["free"]


def _prf(tp: int, fp: int, fn: int) -> tuple[float, float]:
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    return precision, recall


def kind_accuracy(source: str) -> dict[str, tuple[float, float, int]]:
    counts: dict[str, Counter] = {k: Counter() for k in PAGE_KINDS}
    for case in CASES:
        if case["source"] != source:
            continue
        want, got = case["expect"]["kind"], UNDERSTOOD[case["id"]].kind
        counts[want]["n"] += 1
        if want == got:
            counts[want]["tp"] += 1
        else:
            counts[want]["fn"] += 1
            counts[got]["fp"] += 1
    return {k: (*_prf(c["tp"], c["fp"], c["fn"]), c["n"]) for k, c in counts.items() if c["n"] or c["fp"]}


def element_accuracy(source: str) -> dict[str, tuple[float, float, float]]:
    """Per element: precision and recall of "present", and exact-state accuracy."""
    out = {}
    guides = [c for c in CASES if c["source"] == source and "elements" in c["expect"]]
    for element in ELEMENTS:
        tp = fp = fn = same = 0
        for case in guides:
            want = case["expect"]["elements"].get(element, "missing")
            got = UNDERSTOOD[case["id"]].extras["service_guide"]["elements"][element]["state"]
            tp += want == got == "present"
            fp += got == "present" and want != "present"
            fn += want == "present" and got != "present"
            same += want == got
        out[element] = (*_prf(tp, fp, fn), same / len(guides))
    return out


@pytest.mark.parametrize("source", ["real", "written"])
def test_accuracy(source):
    kinds = kind_accuracy(source)
    elements = element_accuracy(source)
    print(f"\n[{source}] page kind: precision / recall / cases")
    for kind, (p, r, n) in kinds.items():
        print(f"  {kind:18} {p:.2f} {r:.2f} {n}")
    print(f"[{source}] service-guide element: present precision / recall / state accuracy")
    for element, (p, r, a) in elements.items():
        print(f"  {element:8} {p:.2f} {r:.2f} {a:.2f}")
    assert all(p >= 0.95 and r >= 0.95 for p, r, _ in kinds.values())
    assert all(p >= 0.95 and r >= 0.95 and a >= 0.95 for p, r, a in elements.values())
