"""Accuracy of the checks on the labelled corpus (tests/fixtures/corpus/cases).

Prints precision and recall per check and per service-guide element, for the real-page-derived cases and
the written cases separately. A labelled item is *flagged* when its outcome proposes something (fail or
needs_review); a flagged label is a true positive when the check gives exactly that outcome (and the
labelled count, missing items, URLs and lag); a flagged finding the labels do not back is a false positive.
"Agreement" is the share of labelled items whose outcome (and details) match exactly, flagged or not.

With ``--understand`` the real-page-derived cases are also run end to end: their hand-filled ``kind`` and
``extras`` are dropped and re-derived from the page text by ``crawler.understand`` before the checks run.

With ``--real`` it reports the real-page corpus instead (tests/fixtures/real, ``benchmarks/realpages.py``):
per field — layout (list / document / both), kind, publication date exact, report year, 文号, pager found —
service-guide element precision / recall / F1, list-entry recall, and policy↔interpretation pairs found
with the exact working-day lag; for the tuning and the held-back part apart, HTML and text pages apart,
per template and per site.

    python benchmarks/accuracy.py [--corpus DIR] [--understand] [--verbose]
    python benchmarks/accuracy.py --real [--verbose]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections import defaultdict
from dataclasses import dataclass, field, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from checks.base import CheckContext, Finding
from checks.registry import get_rubric, rubric_for, run_checks
from crawler.record import PageRecord
from crawler.understand import understand
from rubrics.model import Outcome

CORPUS = ROOT / "tests" / "fixtures" / "corpus" / "cases"
FLAGGED = {Outcome.FAIL.value, Outcome.NEEDS_REVIEW.value}
ELEMENTS_RULES = {"township-2017.3.3.b", "department-2017.3.2.b"}


def load_cases(corpus: Path = CORPUS) -> list[dict]:
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(corpus.glob("*.json"))]


def record(data: dict) -> PageRecord:
    """A corpus record with the fields a case leaves out filled in."""
    full = {"final_url": data["url"], "status": 200, "content_type": "text/html", "encoding": "utf-8",
            "body_sha256": hashlib.sha256(data["url"].encode()).hexdigest(), **data}
    return PageRecord.from_dict(full)


def context(case: dict, rederive: bool = False) -> CheckContext:
    """The case's check context; ``rederive``: kind and extras re-derived by page understanding."""
    unit = case["unit"]
    rubric = get_rubric(case["rubric"]) if case.get("rubric") else rubric_for(unit["kind"], case["period"])
    crawl = case.get("crawl") or {}
    records = [record(r) for r in case["records"]]
    if rederive:
        records = [understand(replace(r, kind="other", extras={})) for r in records]
    return CheckContext(unit=unit, period=case["period"], rubric=rubric, records=records,
                        crawl_status=crawl.get("status"), crawl_reason=crawl.get("reason"))


def _missing(f: Finding) -> list[str]:
    m = f.evidence.get("missing", [])
    return sorted(m) if isinstance(m, (list, dict)) else []


def _detail_errors(expected: dict, f: Finding) -> list[str]:
    errors = []
    if f.outcome.value != expected["outcome"]:
        errors.append(f"outcome {f.outcome.value} ≠ {expected['outcome']}")
    if "count" in expected and f.count != expected["count"]:
        errors.append(f"count {f.count} ≠ {expected['count']}")
    if "missing" in expected and _missing(f) != sorted(expected["missing"]):
        errors.append(f"missing {_missing(f)} ≠ {sorted(expected['missing'])}")
    if "urls" in expected and sorted(f.evidence.get("urls", [])) != sorted(expected["urls"]):
        errors.append(f"urls {f.evidence.get('urls')} ≠ {expected['urls']}")
    if "lag" in expected and f.evidence.get("lag_working_days") != expected["lag"]:
        errors.append(f"lag {f.evidence.get('lag_working_days')} ≠ {expected['lag']}")
    return errors


@dataclass
class Tally:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    agree: int = 0
    labelled: int = 0

    def precision(self) -> float | None:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    def recall(self) -> float | None:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else None


@dataclass
class CaseResult:
    case: dict
    findings: list[Finding]
    errors: list[str] = field(default_factory=list)  # one line per disagreement with the labels
    per_check: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    per_element: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))


def evaluate(case: dict, rederive: bool = False) -> CaseResult:
    ctx = context(case, rederive)
    findings = run_checks(ctx)
    result = CaseResult(case, findings)
    index = {(f.check_id, f.rule_id, f.subject.label): f for f in findings}
    labelled_pairs = set()
    for e in case["expected"]:
        tally = result.per_check[e["check"]]
        tally.labelled += 1
        key = (e["check"], e["rule"], e["subject"])
        labelled_pairs.add((e["check"], e["rule"]))
        if e["outcome"] == "absent":
            hits = [f for f in findings if f.check_id == e["check"] and e["rule"] in ("*", f.rule_id)
                    and e["subject"] in ("*", f.subject.label)]
            if hits:
                result.errors.append(f"{key}: expected no finding, got {[(f.rule_id, f.subject.label, f.outcome.value) for f in hits]}")
                tally.fp += sum(f.outcome.value in FLAGGED for f in hits)
            else:
                tally.agree += 1
            continue
        f = index.get(key)
        flagged = e["outcome"] in FLAGGED
        errors = _detail_errors(e, f) if f else ["no finding"]
        if errors:
            result.errors.append(f"{key}: " + "; ".join(errors))
            if flagged:
                tally.fn += 1
            if f and f.outcome.value in FLAGGED:
                tally.fp += 1
        else:
            tally.agree += 1
            if flagged:
                tally.tp += 1
        if e["rule"] in ELEMENTS_RULES and "missing" in e and f is not None:
            _elements(result, set(e["missing"]), set(_missing(f)), ctx)
    labelled = {(e["check"], e["rule"], e["subject"]) for e in case["expected"]}
    for f in findings:
        if (f.check_id, f.rule_id) in labelled_pairs and (f.check_id, f.rule_id, f.subject.label) not in labelled \
                and f.outcome.value in FLAGGED:
            result.errors.append(f"{(f.check_id, f.rule_id, f.subject.label)}: unlabelled {f.outcome.value}")
            result.per_check[f.check_id].fp += 1
    return result


def _elements(result: CaseResult, expected: set[str], actual: set[str], ctx: CheckContext) -> None:
    rule_id = next(r for r in ELEMENTS_RULES if ctx.rubric.has_id(r))
    _, rule = ctx.rubric.find_rule(rule_id)
    for element in rule.items:
        t = result.per_element[element]
        if element in expected and element in actual:
            t.tp += 1
        elif element in actual:
            t.fp += 1
        elif element in expected:
            t.fn += 1
        else:
            t.agree += 1


def _fmt(x: float | None) -> str:
    return "  —  " if x is None else f"{x:5.3f}"


def _table(title: str, tallies: dict[str, Tally]) -> None:
    print(f"\n{title}")
    print(f"  {'':<24} {'prec':>6} {'recall':>6} {'tp':>4} {'fp':>4} {'fn':>4} {'agree':>9}")
    for name in sorted(tallies):
        t = tallies[name]
        agree = f"{t.agree}/{t.labelled}" if t.labelled else ""
        print(f"  {name:<24} {_fmt(t.precision()):>6} {_fmt(t.recall()):>6} {t.tp:>4} {t.fp:>4} {t.fn:>4} {agree:>9}")


def _rate(x: float | None) -> str:
    return "   —  " if x is None else f"{100 * x:5.1f}%"


def real_report(verbose: bool) -> None:
    from benchmarks import realpages

    labels = realpages.load_labels()
    groups, pairs = realpages.evaluate(labels)
    sites = {label.site for label in labels}
    print(f"real-page corpus: {len(labels)} pages ({sum(label.is_html for label in labels)} HTML) "
          f"from {len(sites)} sites; held back: {sum(realpages.split(s) == 'held' for s in sites)} sites")
    names = ["all", "tune", "held", "html", "text"]
    names += sorted(n for n in groups if n.startswith("template:"))
    names += sorted(n for n in groups if n.startswith("site:"))
    head = "".join(f"{f:>12}" for f in realpages.FIELDS)
    print(f"\n  {'group':<34}{'pages':>6}{head}{'elem P':>8}{'elem R':>8}{'elem F1':>8}{'entry R':>9}")
    for name in names:
        t = groups[name]
        cells = "".join(f"{_rate(t.fields[f].rate()):>8}{t.fields[f].total:>4}" for f in realpages.FIELDS)
        e = t.elements
        print(f"  {name[:34]:<34}{t.pages:>6}{cells}{_rate(e.precision()):>8}{_rate(e.recall()):>8}"
              f"{_rate(e.f1()):>8}{_rate(t.entries.recall()):>9}")
    for part in ("tune", "held", "all"):
        chosen = [p for p in pairs if part == "all" or p.split == part]
        if chosen:
            print(f"\n  policy↔interpretation pairs ({part}): {sum(p.found for p in chosen)}/{len(chosen)} found, "
                  f"{sum(p.exact for p in chosen)}/{len(chosen)} with the exact working-day lag")
    if verbose:  # the tuning part only: the held-back part is measured, never looked at
        for e in groups["tune"].errors:
            print("  ✗", e)
        for p in pairs:
            if not p.exact and p.split == "tune":
                print(f"  ✗ pair {p.policy} ← {p.interpretation}: found={p.found} lag={p.lag} "
                      f"expected={p.expected_lag} method={p.method}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--understand", action="store_true", help="also run real cases through crawler.understand")
    parser.add_argument("--real", action="store_true", help="report the real-page corpus (tests/fixtures/real)")
    parser.add_argument("--verbose", action="store_true",
                        help="print every disagreement (with --real: of the tuning part only)")
    args = parser.parse_args(argv)
    if args.real:
        real_report(args.verbose)
        return 0
    cases = load_cases(args.corpus)
    runs = [("real", False, "real-page-derived"), ("written", False, "written")]
    if args.understand:
        runs.append(("real", True, "real-page-derived, end to end (crawler.understand + checks)"))
    for origin, rederive, label in runs:
        chosen = [c for c in cases if c["origin"] == origin]
        per_check: dict[str, Tally] = defaultdict(Tally)
        per_element: dict[str, Tally] = defaultdict(Tally)
        disagreements = []
        for case in chosen:
            r = evaluate(case, rederive)
            for name, t in r.per_check.items():
                _add(per_check[name], t)
            for name, t in r.per_element.items():
                _add(per_element[name], t)
            disagreements += [f"{case['id']}: {e}" for e in r.errors]
        print(f"\n=== {label} cases: {len(chosen)} cases, {sum(len(c['expected']) for c in chosen)} labels, "
              f"{len(disagreements)} disagreements")
        _table("per check", per_check)
        if per_element:
            _table("per service-guide element (missing from at least one guide)", per_element)
        if args.verbose:
            for d in disagreements:
                print("  ✗", d)
    return 0


def _add(into: Tally, t: Tally) -> None:
    into.tp += t.tp
    into.fp += t.fp
    into.fn += t.fn
    into.agree += t.agree
    into.labelled += t.labelled


if __name__ == "__main__":
    sys.exit(main())
