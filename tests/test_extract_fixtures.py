"""Page extraction against saved fixtures: one test per field per case (web-poet style).

Each ``tests/fixtures/pages/<case>/`` holds the raw ``body.html``, ``meta.json`` (url, headers, role) and
``expected.json`` written by hand before the extractor ran; a failure names the case and the field.
"""

import json
from dataclasses import asdict
from functools import cache
from pathlib import Path

import pytest

from crawler.extract import extract_page

PAGES = Path(__file__).parent / "fixtures" / "pages"
CASES = sorted(p.name for p in PAGES.iterdir() if (p / "expected.json").exists())


@cache
def extracted(case: str):
    meta = json.loads((PAGES / case / "meta.json").read_text(encoding="utf-8"))
    body = (PAGES / case / "body.html").read_bytes()
    return extract_page(
        meta["url"], meta["headers"], body, role=meta.get("role", "detail")
    )


def expected(case: str) -> dict:
    return json.loads((PAGES / case / "expected.json").read_text(encoding="utf-8"))


def _field_cases():
    for case in CASES:
        for field in expected(case):
            yield pytest.param(case, field, id=f"{case}-{field}")


@pytest.mark.parametrize("case,field", list(_field_cases()))
def test_field(case, field):
    record = extracted(case)
    want = expected(case)[field]
    if field == "main_text_contains":
        for snippet in want:
            assert snippet in record.main_text
    elif field == "main_text_excludes":
        for snippet in want:
            assert snippet not in record.main_text
    elif field == "links_include":
        pairs = {(link.url, link.text) for link in record.links}
        for url, text in want:
            assert (url, text) in pairs
    elif field == "links_exclude_prefixes":
        for prefix in want:
            assert not [
                link.url for link in record.links if link.url.startswith(prefix)
            ]
    elif field == "attachments":
        assert [asdict(a) for a in record.attachments] == want
    else:
        assert getattr(record, field) == want


def test_every_case_has_its_fixture_files():
    assert len(CASES) >= 10
    for case in CASES:
        for name in ("body.html", "meta.json", "expected.json"):
            assert (PAGES / case / name).exists(), f"{case}/{name}"


def test_gbk_fixture_is_really_gbk_and_not_gb2312():
    body = (PAGES / "gbk_gb2312" / "body.html").read_bytes()
    assert "喆".encode("gbk") in body and "镕".encode("gbk") in body
    with pytest.raises(UnicodeDecodeError):
        body.decode("gb2312")


@pytest.mark.parametrize("case", CASES)
def test_record_identity_fields(case):
    meta = json.loads((PAGES / case / "meta.json").read_text(encoding="utf-8"))
    record = extracted(case)
    assert record.url == record.final_url == meta["url"]
    assert record.role == meta.get("role", "detail")
    assert len(record.body_sha256) == 64
    assert record.to_dict() == type(record).from_dict(record.to_dict()).to_dict()
