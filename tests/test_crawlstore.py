"""Crawl evidence in the store: snapshots kept once and never overwritten, URL state, records, attachments."""

import zlib

import pytest

from crawler.items import FetchedPage, SkippedLink
from crawler.record import Attachment, PageRecord
from zwgk.store.blobs import BlobError, BlobStore, sha256_hex
from zwgk.store.crawl import CrawlStore
from zwgk.store import Store


@pytest.fixture
def cs(tmp_path):
    store = Store.open(tmp_path / "z.db")
    for _ in range(2):  # runs 1 and 2
        store.start_run("crawl")
    yield CrawlStore(store, BlobStore(tmp_path / "blobs"))
    store.close()


def page(url, body=b"<html>x</html>", status=200, role="detail", not_modified=False, etag=None, unit="u1"):
    headers = {"content-type": "text/html; charset=utf-8"}
    if etag:
        headers["etag"] = etag
    return FetchedPage(unit_id=unit, url=url, final_url=url, status=status, headers=headers, body=body, role=role,
                       fetched_at="2017-12-01T00:00:00+00:00", not_modified=not_modified)


def test_blobs_are_content_addressed_compressed_and_verified(tmp_path):
    blobs = BlobStore(tmp_path)
    body = "政府信息公开指南".encode("gbk") * 100
    sha = blobs.put(body)
    assert sha == sha256_hex(body)
    assert blobs.put(body) == sha  # idempotent
    stored = blobs.path(sha).read_bytes()
    assert len(stored) < len(body) and zlib.decompress(stored) == body
    assert blobs.get(sha) == body
    assert blobs.get("0" * 64) is None
    blobs.path(sha).write_bytes(zlib.compress(b"tampered"))
    with pytest.raises(BlobError, match="内容与编号不符"):
        blobs.get(sha)
    with pytest.raises(BlobError, match="快照编号无效"):
        blobs.get("../../etc/passwd")


def test_a_later_crawl_adds_and_never_overwrites_evidence(cs):
    old = cs.record_fetch(1, page("http://a.test/1.html", b"old", etag='"v1"'))
    new = cs.record_fetch(2, page("http://a.test/1.html", b"new", etag='"v2"'))
    assert old != new
    assert cs.snapshot(old) == b"old" and cs.snapshot(new) == b"new"
    fetches = cs.store._rows("SELECT run_id, body_sha256 FROM fetches ORDER BY id")
    assert [(f["run_id"], f["body_sha256"]) for f in fetches] == [(1, old), (2, new)]
    assert cs.known_urls("u1") == {"http://a.test/1.html": {"etag": '"v2"', "last_modified": None, "sha256": new}}


def test_not_modified_keeps_the_standing_snapshot(cs):
    sha = cs.record_fetch(1, page("http://a.test/1.html", b"body", etag='"v1"'))
    again = cs.record_fetch(2, page("http://a.test/1.html", b"", status=304, not_modified=True))
    assert again == sha
    state = cs.store._row("SELECT status, body_sha256, etag FROM pages")
    assert state == {"status": 200, "body_sha256": sha, "etag": '"v1"'}


def test_error_pages_leave_the_url_out_of_the_known_set(cs):
    cs.record_fetch(1, page("http://a.test/gone.html", b"not found", status=404))
    assert cs.known_urls("u1") == {}


def test_unit_records_fill_attachment_texts_and_skip_dead_pages(cs):
    att_url = "http://a.test/P020170302.pdf"
    sha = cs.record_fetch(1, page("http://a.test/1.html", b"<html>1</html>"))
    record = PageRecord(url="http://a.test/1.html", final_url="http://a.test/1.html", status=200,
                        content_type="text/html", encoding="utf-8", body_sha256=sha, title="指南",
                        attachments=[Attachment(url=att_url, name="附件", ext="pdf")])
    cs.save_record("u1", record)
    att_sha = cs.record_fetch(1, page(att_url, b"%PDF-1.4 ...", role="attachment"))
    cs.save_attachment_text(att_sha, "extracted", "附件正文", None)
    gone_sha = cs.record_fetch(1, page("http://a.test/2.html", b"<html>2</html>"))
    cs.save_record("u1", PageRecord(url="http://a.test/2.html", final_url="http://a.test/2.html", status=200,
                                    content_type="text/html", encoding="utf-8", body_sha256=gone_sha))
    cs.record_fetch(2, page("http://a.test/2.html", b"gone", status=404))

    records = cs.unit_records("u1")
    assert [r.url for r in records] == ["http://a.test/1.html"]
    att = records[0].attachments[0]
    assert (att.status, att.text, att.sha256) == ("extracted", "附件正文", att_sha)
    assert "附件正文" in records[0].full_text


def test_skips_and_unit_status(cs):
    run = 2
    cs.record_skip(run, SkippedLink(unit_id="u1", url="http://other.test/", referer=None, reason="off_scope"))
    cs.record_fetch(run, page("http://a.test/1.html"))
    cs.set_unit_status(run, "u1", "partial", [{"kind": "errors", "message": "2 个页面超时"}], {"pages": 1})
    assert cs.run_counts(run, "u1")["skipped"] == {"off_scope": 1}
    status = cs.unit_status("u1")
    assert status["status"] == "partial" and status["health"][0]["kind"] == "errors"
    assert cs.unit_status("nobody") is None
