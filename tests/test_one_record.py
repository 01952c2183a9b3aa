"""One record per page (issue 12): a page's stored record is understood with its attachments' text when that
text arrives, so the checks and the reports read the same record and nobody understands a page again."""

from __future__ import annotations

import pytest

from crawler.items import FetchedPage
from crawler.understand import understand
from zwgk.services.checking import assess, check_units
from zwgk.services.pipeline import store_page
from zwgk.services.reporting import build_reports
from zwgk.store import Store
from zwgk.store.blobs import BlobStore
from zwgk.store.crawl import CrawlStore

PAGE = "http://a.test/xxgk/bszn/t20170301_1.html"
GUIDE = "http://a.test/xxgk/bszn/P020170301.txt"
HTML = (
    "<html><head><meta charset='utf-8'><title>农村村民住宅建设审批办事指南</title></head><body><div class='TRS_Editor'>"
    "<p>农村村民住宅建设审批办事指南</p><p>详见附件。</p><p><a href='P020170301.txt'>附件：办事指南</a></p></div></body></html>"
).encode("utf-8")
GUIDE_TEXT = "\n".join([
    "事项名称：农村村民住宅建设审批", "设定依据：《中华人民共和国土地管理法》", "实施机构：某某镇人民政府",
    "法定办结时限：20个工作日", "申请材料：身份证、户口簿", "办理流程：申请、审核、批准", "办理地点：镇政务服务中心",
    "办理时间：工作日上午8:00-12:00", "咨询电话：0730-1234567", "监督电话：0730-7654321",
])


def fetched(url: str, body: bytes, role: str, content_type: str, status: int = 200) -> FetchedPage:
    return FetchedPage(unit_id="t", url=url, final_url=url, status=status, headers={"content-type": content_type},
                       body=body, role=role, fetched_at="2017-12-01T00:00:00+00:00", referer=PAGE)


@pytest.fixture
def cs(tmp_path):
    store = Store.open(tmp_path / "z.db")
    store.upsert_units([{"id": "t", "name": "某某镇人民政府", "kind": "township"}])
    store.start_run("crawl")
    yield CrawlStore(store, BlobStore(tmp_path / "blobs"))
    store.close()


def stored_record(cs: CrawlStore):
    (record,) = cs.unit_records("t")
    return record


def test_the_record_is_understood_again_when_its_attachment_text_arrives(cs):
    store_page(cs, 1, fetched(PAGE, HTML, "detail", "text/html; charset=utf-8"))
    before = stored_record(cs)
    assert not any(a.text for a in before.attachments)

    store_page(cs, 1, fetched(GUIDE, GUIDE_TEXT.encode("utf-8"), "attachment", "text/plain; charset=utf-8"))
    after = stored_record(cs)
    assert any(a.text for a in after.attachments)
    assert (after.kind, after.extras) != (before.kind, before.extras)  # the guide is in the attachment
    # what is stored is what understanding the page with its attachment's text gives: nothing is left to redo
    again = understand(after)
    assert (again.kind, again.kind_confidence, again.kind_reasons, again.extras) == \
        (after.kind, after.kind_confidence, after.kind_reasons, after.extras)

    # the attachment is gone on a later crawl: the record is understood without its text again
    cs.store.start_run("crawl")
    store_page(cs, 2, fetched(GUIDE, b"", "attachment", "text/html", status=404))
    gone = stored_record(cs)
    assert (gone.kind, gone.extras) == (before.kind, before.extras)


def test_a_page_stored_after_its_attachment_is_understood_with_the_text(cs):
    store_page(cs, 1, fetched(GUIDE, GUIDE_TEXT.encode("utf-8"), "attachment", "text/plain; charset=utf-8"))
    store_page(cs, 1, fetched(PAGE, HTML, "detail", "text/html; charset=utf-8"))
    record = stored_record(cs)
    assert any(a.text for a in record.attachments)
    again = understand(record)
    assert (again.kind, again.extras) == (record.kind, record.extras)


def test_the_report_shows_the_information_table_the_check_run_made(cs):
    store_page(cs, 1, fetched(PAGE, HTML, "detail", "text/html; charset=utf-8"))
    cs.set_unit_status(1, "t", "complete", [], {})
    unit = cs.store.get_unit("t")
    from zwgk.services.rubric_choice import rubric_of

    found = assess(cs, unit, 2017, rubric_of(unit, 2017))
    assert [t["title"] for t in found.information] == ["政策解读时效（乡镇细则不计分，仅供参考）"]
    check_units(cs.store, cs, ["t"], 2017)
    assert cs.store.current_information("t", 2017) == found.information
    (report,), _ = build_reports(cs.store, ["t"], 2017)
    assert report.data.information == found.information
