"""``zwgk reextract``: rebuild page records and attachment texts from the stored snapshots, no re-crawl.

When extraction or page understanding improves (``crawler.record.EXTRACTOR_VERSION`` goes up), every
current snapshot is read back from the blob store and its record rebuilt; ``force`` rebuilds records that
are already at the current version. Snapshots and fetch rows — the evidence — are never touched.
"""

from __future__ import annotations

from collections import Counter
from typing import Callable

from crawler.record import EXTRACTOR_VERSION
from zwgk.store.crawl import CrawlStore
from zwgk.services.pipeline import persist_derived


def reextract(cs: CrawlStore, unit_id: str | None = None, *, force: bool = False,
              progress: Callable[[str], None] = lambda _: None) -> Counter:
    """Rebuild what is out of date (or everything with ``force``); returns counts by outcome."""
    counts: Counter = Counter()
    for n, snap in enumerate(list(cs.current_snapshots(unit_id)), start=1):
        unit, url, role, sha = snap["unit_id"], snap["url"], snap["role"], snap["body_sha256"]
        if role == "attachment":
            done = cs.has_attachment_text(sha) and not force
        else:
            done = cs.has_record(unit, url, sha, EXTRACTOR_VERSION) and not force
        if done:
            counts["up_to_date"] += 1
            continue
        if cs.snapshot(sha) is None:
            counts["snapshot_missing"] += 1
            continue
        if force:
            cs.forget_derived(unit, url, sha, role)
        persist_derived(cs, unit, url, snap["final_url"] or url, role, sha)
        counts["attachments" if role == "attachment" else "records"] += 1
        if n % 500 == 0:
            progress(f"已处理 {n} 个页面")
    return counts
