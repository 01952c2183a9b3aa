"""The real-page corpus (tests/fixtures/real): its labels are well formed, and zwgk reads the pages at least
as well as last measured — a floor per field a little under the measured rate, so a change that reads real
pages worse fails here (``benchmarks/accuracy.py --real`` prints the full tables)."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks import realpages
from crawler.understand import ELEMENTS

LABELS = realpages.load_labels()
REAL = Path(realpages.CORPUS)


def test_every_page_has_one_label_and_every_label_a_page():
    files = {p.name for p in (REAL / "pages").iterdir()}
    labelled = [Path(label.file).name for label in LABELS]
    assert len(labelled) == len(set(labelled))
    assert set(labelled) == files
    assert len({label.id for label in LABELS}) == len(LABELS)
    assert all(Path(label.file).stem == label.id for label in LABELS)


def test_labels_use_the_schema():
    for label in LABELS:
        assert label.role in realpages.ROLES, label.id
        assert label.kind in realpages.KINDS, label.id
        assert label.date_where in realpages.DATE_WHERE, label.id
        assert (label.date is None) == (label.date_where == "none"), label.id
        assert label.raw.get("checked"), f"{label.id}: not checked in the second pass"
        assert "pingtan.gov.cn" not in label.url and "pingtan" not in label.site, label.id
        for element in (label.elements or []) + (label.placeholders or []):
            assert element in ELEMENTS, (label.id, element)
        if label.role == "list":
            assert label.kind == "list", label.id


def test_held_back_sites_are_sites_of_the_corpus():
    sites = {label.site.lower() for label in LABELS}
    assert realpages.held_back_sites() <= sites
    assert len(realpages.held_back_sites()) * 4 >= len(sites)  # at least a quarter held back


@pytest.fixture(scope="module")
def measured():
    groups, pairs = realpages.evaluate(LABELS)
    return groups, pairs


# Floors: the rates measured when they were set (README, "Reading real sites"), less a margin. A new batch of
# pages may lower a rate: then the batch's measured rate, less a margin, is the floor (say so in the commit).
FLOORS = {
    "role": 0.98, "kind": 0.85, "date": 0.95, "report_year": 0.93, "doc_number": 0.82, "pager": 0.83,
}


@pytest.mark.parametrize("field", sorted(FLOORS))
def test_fields_read_at_least_as_well_as_measured(measured, field):
    groups, _ = measured
    rate = groups["all"].fields[field].rate()
    assert rate is not None and rate >= FLOORS[field], (field, rate, groups["all"].errors[:20])


def test_service_guide_elements_and_list_entries(measured):
    groups, _ = measured
    assert groups["all"].elements.f1() >= 0.85
    assert groups["all"].elements.precision() >= 0.91
    assert groups["all"].entries.recall() >= 0.95


def test_real_policy_interpretation_pairs_are_found_with_their_lag(measured):
    _, pairs = measured
    assert len(pairs) >= 5  # the corpus's real pairs (edu.sc.gov.cn)
    exact = [p for p in pairs if p.exact]
    assert len(exact) >= len(pairs) - 1, [(p.interpretation, p.found, p.lag, p.expected_lag) for p in pairs]
