"""What a crawl leaves in the store: responses as evidence, the current state of each URL, page records.

Used by the Scrapy item pipeline while crawling, by ``zwgk reextract`` and by the checks' loader. The
raw bytes go to the content-addressed ``BlobStore``; the database keeps their hashes.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any, Iterator

from crawler.attachments import AttachmentText
from crawler.items import FetchedPage, SkippedLink
from crawler.record import Attachment, PageRecord
from zwgk.store.blobs import BlobStore
from zwgk.store import Store

OK_STATUSES = range(200, 300)


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


_FIELDS: dict[type, tuple[str, ...]] = {}


def _as_fields(obj: Any) -> Any:
    """JSON ``default``: a dataclass as the dict of its fields (what ``dataclasses.asdict`` gives, without
    its deep copy: a fifth of the pipeline's SQLite time); anything else as its ``str``, as ``_dumps`` does."""
    cls = type(obj)
    names = _FIELDS.get(cls)
    if names is None:
        if not dataclasses.is_dataclass(cls):
            return str(obj)
        names = _FIELDS[cls] = tuple(f.name for f in dataclasses.fields(cls))
    return {name: getattr(obj, name) for name in names}


def record_json(record: PageRecord) -> str:
    """The stored form of a page record: the same text as ``_dumps(record.to_dict())``, made faster."""
    return json.dumps(record, ensure_ascii=False, default=_as_fields)


class CrawlStore:
    def __init__(self, store: Store, blobs: BlobStore):
        self.store = store
        self.blobs = blobs

    # ------------------------------------------------------------------ while crawling

    def put_body(self, page: FetchedPage) -> str | None:
        """Write the response's body to the snapshot store (a 304 or an empty body has none); its sha256."""
        if page.not_modified or not page.body:
            return None
        return self.blobs.put(page.body)

    def record_fetch(self, run_id: int | None, page: FetchedPage, *, stored: str | None = None,
                     record: PageRecord | None = None, attachment_text: AttachmentText | None = None) -> str | None:
        """Keep one response as evidence and update the URL's current state. Returns the body's sha256
        (for a 304, the stored snapshot that still stands), or None when there is no body.

        ``stored``: the sha256 ``put_body`` returned for this page (the body is then not written again).
        ``record``: the page record built from this very body, saved in the same transaction;
        ``attachment_text``: likewise, the text extracted from this attachment's body."""
        s = self.store
        now = s.now()
        sha = stored if stored is not None else self.put_body(page)
        with s._write():
            current = s._row("SELECT body_sha256 FROM pages WHERE unit_id = ? AND url = ?", (page.unit_id, page.url))
            if page.not_modified and current:
                sha = current["body_sha256"]
            if sha and not page.not_modified:
                s._conn.execute(
                    "INSERT OR IGNORE INTO snapshots (sha256, size, content_type, first_seen_at) VALUES (?, ?, ?, ?)",
                    (sha, len(page.body), page.headers.get("content-type"), now),
                )
            s._insert(
                "fetches",
                {
                    "run_id": run_id,
                    "unit_id": page.unit_id,
                    "url": page.url,
                    "final_url": page.final_url,
                    "status": page.status,
                    "role": page.role,
                    "headers": _dumps(page.headers),
                    "body_sha256": sha,
                    "not_modified": int(page.not_modified),
                    "truncated": int(page.truncated),
                    "depth": page.depth,
                    "referer": page.referer,
                    "column_name": page.column,
                    "cms": page.cms,
                    "fetched_at": page.fetched_at,
                },
            )
            status = 200 if page.not_modified else page.status
            if current is None:
                s._insert(
                    "pages",
                    {
                        "unit_id": page.unit_id, "url": page.url, "role": page.role, "status": status,
                        "body_sha256": sha, "etag": page.headers.get("etag"),
                        "last_modified": page.headers.get("last-modified"),
                        "first_seen_at": now, "last_seen_at": now, "last_changed_at": now,
                    },
                )
            else:
                changed = sha != current["body_sha256"]
                s._conn.execute(
                    "UPDATE pages SET role = ?, status = ?, body_sha256 = ?, etag = coalesce(?, etag),"
                    " last_modified = coalesce(?, last_modified), last_seen_at = ?,"
                    " last_changed_at = CASE WHEN ? THEN ? ELSE last_changed_at END"
                    " WHERE unit_id = ? AND url = ?",
                    (
                        page.role, status, sha, page.headers.get("etag"), page.headers.get("last-modified"), now,
                        int(changed), now, page.unit_id, page.url,
                    ),
                )
            if record is not None:
                self._save_record(page.unit_id, record, now)
            if attachment_text is not None:
                self.save_attachment_text(sha, attachment_text.status, attachment_text.text, attachment_text.error)
        return sha

    def record_skip(self, run_id: int | None, skip: SkippedLink) -> None:
        with self.store._write():
            self.store._insert(
                "skipped_links",
                {"run_id": run_id, "unit_id": skip.unit_id, "url": skip.url, "referer": skip.referer,
                 "reason": skip.reason, "detail": _dumps(skip.detail)},
            )

    def detail_documents(self, unit_id: str) -> int:
        """How many detail pages of the unit are currently good (2xx): the documents a crawl found."""
        row = self.store._row(
            "SELECT count(*) AS n FROM pages WHERE unit_id = ? AND role = 'detail' AND status BETWEEN 200 AND 299",
            (unit_id,),
        )
        return row["n"] if row else 0

    def has_record(self, unit_id: str, url: str, sha: str, extractor_version: int) -> bool:
        row = self.store._row(
            "SELECT extractor_version FROM page_records WHERE unit_id = ? AND url = ? AND body_sha256 = ?",
            (unit_id, url, sha),
        )
        return row is not None and row["extractor_version"] >= extractor_version

    def save_record(self, unit_id: str, record: PageRecord) -> None:
        """Store (or replace, on re-extraction) the record derived from one snapshot."""
        with self.store._write():
            self._save_record(unit_id, record, self.store.now())

    def _save_record(self, unit_id: str, record: PageRecord, now: str) -> None:
        self.store._conn.execute(
            "INSERT OR REPLACE INTO page_records"
            " (unit_id, url, body_sha256, extractor_version, kind, title, pub_date, record, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                unit_id, record.url, record.body_sha256, record.extractor_version, record.kind, record.title,
                record.pub_date, record_json(record), now,
            ),
        )

    def forget_derived(self, unit_id: str, url: str, sha: str, role: str) -> None:
        """Drop the derived record (or attachment text) of one snapshot so it is rebuilt; evidence stays."""
        with self.store._write():
            if role == "attachment":
                self.store._conn.execute("DELETE FROM attachment_texts WHERE sha256 = ?", (sha,))
            else:
                self.store._conn.execute(
                    "DELETE FROM page_records WHERE unit_id = ? AND url = ? AND body_sha256 = ?", (unit_id, url, sha)
                )

    def has_attachment_text(self, sha: str) -> bool:
        return self.store._row("SELECT 1 AS x FROM attachment_texts WHERE sha256 = ?", (sha,)) is not None

    def save_attachment_text(self, sha: str, status: str, text: str | None, error: str | None) -> None:
        with self.store._write():
            self.store._conn.execute(
                "INSERT OR REPLACE INTO attachment_texts (sha256, status, text, error, created_at) VALUES (?, ?, ?, ?, ?)",
                (sha, status, text, error, self.store.now()),
            )

    def known_urls(self, unit_id: str) -> dict[str, dict[str, str | None]]:
        """URL → validators of its last good response, for conditional GETs in an incremental crawl."""
        rows = self.store._rows(
            "SELECT url, etag, last_modified, body_sha256 FROM pages WHERE unit_id = ? AND status BETWEEN 200 AND 299",
            (unit_id,),
        )
        return {r["url"]: {"etag": r["etag"], "last_modified": r["last_modified"], "sha256": r["body_sha256"]} for r in rows}

    def set_unit_status(self, run_id: int, unit_id: str, status: str, health: list[dict], stats: dict) -> None:
        with self.store._write():
            self.store._conn.execute(
                "INSERT OR REPLACE INTO crawl_units (run_id, unit_id, status, health, stats, finished_at)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (run_id, unit_id, status, _dumps(health), _dumps(stats), self.store.now()),
            )

    def unit_status(self, unit_id: str) -> dict | None:
        """The unit's status in its most recent crawl (complete / partial / failed), with health notes."""
        row = self.store._row(
            "SELECT c.*, r.started_at FROM crawl_units c JOIN runs r ON r.id = c.run_id"
            " WHERE c.unit_id = ? ORDER BY c.run_id DESC LIMIT 1",
            (unit_id,),
        )
        if row is None:
            return None
        return {**row, "health": json.loads(row["health"]), "stats": json.loads(row["stats"])}

    def run_unit_statuses(self, run_id: int) -> list[dict]:
        rows = self.store._rows("SELECT * FROM crawl_units WHERE run_id = ? ORDER BY unit_id", (run_id,))
        return [{**r, "health": json.loads(r["health"]), "stats": json.loads(r["stats"])} for r in rows]

    def run_counts(self, run_id: int, unit_id: str) -> dict[str, Any]:
        """Pages fetched by role and status class, and links skipped by reason, in one run for one unit."""
        fetched = self.store._rows(
            "SELECT role, status, not_modified, count(*) AS n FROM fetches WHERE run_id = ? AND unit_id = ?"
            " GROUP BY role, status, not_modified",
            (run_id, unit_id),
        )
        skipped = self.store._rows(
            "SELECT reason, count(*) AS n FROM skipped_links WHERE run_id = ? AND unit_id = ? GROUP BY reason",
            (run_id, unit_id),
        )
        return {"fetched": fetched, "skipped": {r["reason"]: r["n"] for r in skipped}}

    def run_marks(self, run_id: int) -> tuple[int, int]:
        """The last fetch and skip row ids of a run so far: where a resumed part of it begins."""
        f = self.store._row("SELECT coalesce(max(id), 0) AS n FROM fetches WHERE run_id = ?", (run_id,))
        k = self.store._row("SELECT coalesce(max(id), 0) AS n FROM skipped_links WHERE run_id = ?", (run_id,))
        return f["n"], k["n"]

    def run_part_summary(self, run_id: int, unit_id: str, marks: tuple[int, int]) -> dict:
        """What the store holds of one unit in a run up to ``marks`` (``run_marks``), as counters shaped like
        ``crawler.runner.unit_summaries``: the earlier, interrupted parts of a resumed run."""
        fetch_mark, skip_mark = marks
        pages, errors, skips, traps = {}, {}, {}, {}
        out = {"requests": 0, "pages": pages, "errors": errors, "skips": skips, "traps": traps,
               "not_modified": 0, "truncated": 0, "roots_ok": 0, "roots_failed": 0}
        for r in self.store._rows(
            "SELECT role, status / 100 AS class, sum(not_modified) AS nm, sum(truncated) AS cut, count(*) AS n"
            " FROM fetches WHERE run_id = ? AND unit_id = ? AND id <= ? GROUP BY role, class",
            (run_id, unit_id, fetch_mark),
        ):
            pages[r["role"]] = pages.get(r["role"], 0) + r["n"]
            out["requests"] += r["n"]
            out["not_modified"] += r["nm"] or 0
            out["truncated"] += r["cut"] or 0
            if r["class"] in (4, 5):
                errors[f"http_{r['class']}xx"] = errors.get(f"http_{r['class']}xx", 0) + r["n"]
            if r["role"] == "root":
                out["roots_ok" if r["class"] in (2, 3) else "roots_failed"] += r["n"]
        for r in self.store._rows(
            "SELECT reason, json_extract(detail, '$.error') AS error, json_extract(detail, '$.kind') AS kind,"
            " referer IS NULL AS is_root, count(*) AS n FROM skipped_links"
            " WHERE run_id = ? AND unit_id = ? AND id <= ? GROUP BY reason, error, kind, is_root",
            (run_id, unit_id, skip_mark),
        ):
            skips[r["reason"]] = skips.get(r["reason"], 0) + r["n"]
            if r["reason"] in ("error", "robots"):
                kind = r["error"] or "robots"
                errors[kind] = errors.get(kind, 0) + r["n"]
                out["requests"] += r["n"]
                if r["is_root"]:
                    out["roots_failed"] += r["n"]
            elif r["reason"] == "trap" and r["kind"]:
                traps[r["kind"]] = traps.get(r["kind"], 0) + r["n"]
        return out

    # ------------------------------------------------------------------ reading back

    def snapshot(self, sha: str) -> bytes | None:
        return self.blobs.get(sha)

    def snapshot_content_type(self, sha: str) -> str | None:
        """The content type the snapshot's body was first served with (None: unknown snapshot or none given)."""
        row = self.store._row("SELECT content_type FROM snapshots WHERE sha256 = ?", (sha,))
        return row["content_type"] if row else None

    def fetch_headers(self, unit_id: str, url: str, sha: str) -> dict[str, str]:
        row = self.store._row(
            "SELECT headers FROM fetches WHERE unit_id = ? AND url = ? AND body_sha256 = ? ORDER BY id DESC LIMIT 1",
            (unit_id, url, sha),
        )
        return json.loads(row["headers"]) if row else {}

    def current_snapshots(self, unit_id: str | None = None) -> Iterator[dict]:
        """(unit, url, role, sha, final url) of every URL's current good snapshot: what re-extraction reads."""
        where = "WHERE p.status BETWEEN 200 AND 299 AND p.body_sha256 IS NOT NULL"
        params: tuple = ()
        if unit_id:
            where += " AND p.unit_id = ?"
            params = (unit_id,)
        yield from self.store._db.query(
            "SELECT p.unit_id, p.url, p.role, p.body_sha256,"
            " (SELECT f.final_url FROM fetches f WHERE f.unit_id = p.unit_id AND f.url = p.url"
            "  AND f.body_sha256 = p.body_sha256 ORDER BY f.id DESC LIMIT 1) AS final_url"
            f" FROM pages p {where} ORDER BY p.unit_id, p.url",
            params,
        )

    def unit_records(self, unit_id: str) -> list[PageRecord]:
        """The current page records of a unit (pages whose latest response was good), attachment texts filled in."""
        rows = self.store._rows(
            "SELECT r.record FROM pages p JOIN page_records r"
            " ON r.unit_id = p.unit_id AND r.url = p.url AND r.body_sha256 = p.body_sha256"
            " WHERE p.unit_id = ? AND p.status BETWEEN 200 AND 299 AND p.role != 'attachment' ORDER BY p.url",
            (unit_id,),
        )
        attachments = self._attachment_rows(unit_id)
        records = []
        for row in rows:
            record = PageRecord.from_dict(json.loads(row["record"]))
            record.attachments = [_fill_attachment(a, attachments.get(a.url)) for a in record.attachments]
            records.append(record)
        return records

    def records_linking(self, unit_id: str, attachment_url: str) -> list[PageRecord]:
        """The unit's current page records that list ``attachment_url`` among their attachments, as stored
        (attachments not filled in): the records to derive again when that attachment's state changes."""
        rows = self.store._rows(
            "SELECT r.record FROM pages p JOIN page_records r"
            " ON r.unit_id = p.unit_id AND r.url = p.url AND r.body_sha256 = p.body_sha256"
            " WHERE p.unit_id = ? AND p.status BETWEEN 200 AND 299 AND p.role != 'attachment'"
            " AND instr(r.record, ?) > 0 ORDER BY p.url",
            (unit_id, json.dumps(attachment_url, ensure_ascii=False)),
        )
        records = [PageRecord.from_dict(json.loads(row["record"])) for row in rows]
        return [r for r in records if any(a.url == attachment_url for a in r.attachments)]

    def with_attachments(self, unit_id: str, record: PageRecord) -> PageRecord:
        """A copy of ``record`` with its attachments' current state and text filled in, as ``unit_records``
        gives it."""
        if not record.attachments:
            return record
        attachments = self._attachment_rows(unit_id, [a.url for a in record.attachments])
        return dataclasses.replace(record, attachments=[
            _fill_attachment(dataclasses.replace(a), attachments.get(a.url)) for a in record.attachments])

    def _attachment_rows(self, unit_id: str, urls: list[str] | None = None) -> dict[str, dict]:
        """The current state and text of the unit's attachments (of ``urls`` only, when given), by URL."""
        sql = ("SELECT p.url, p.status, p.body_sha256, t.status AS text_status, t.text, t.error FROM pages p"
               " LEFT JOIN attachment_texts t ON t.sha256 = p.body_sha256"
               " WHERE p.unit_id = ? AND p.role = 'attachment'")
        if urls is None:
            return {r["url"]: r for r in self.store._rows(sql, (unit_id,))}
        found: dict[str, dict] = {}
        wanted = list(dict.fromkeys(urls))
        for i in range(0, len(wanted), 500):  # SQLite's bound-parameter limit
            chunk = wanted[i:i + 500]
            found.update((r["url"], r) for r in self.store._rows(
                sql + f" AND p.url IN ({', '.join('?' * len(chunk))})", (unit_id, *chunk)))
        return found


def _fill_attachment(att: Attachment, row: dict | None) -> Attachment:
    if row is None:
        return att
    if row["status"] not in OK_STATUSES:
        att.status, att.error = "error", f"下载失败（HTTP {row['status']}）"
    elif row["text_status"]:
        att.status, att.text, att.error = row["text_status"], row["text"], row["error"]
    att.sha256 = row["body_sha256"]
    return att
