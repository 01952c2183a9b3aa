"""Store tables for crawling: every response fetched, the current state of each URL, snapshots' metadata,
page records (derived, re-extractable), attachment texts, links not followed, and per-unit crawl status.

Evidence rows (fetches, snapshots, skipped links) are only ever added; page records and attachment texts
are derived data that ``zwgk reextract`` may rebuild from the snapshots.
"""

CRAWL_TABLES = [
    """
    CREATE TABLE snapshots (
        sha256 TEXT PRIMARY KEY,
        size INTEGER NOT NULL,
        content_type TEXT,
        first_seen_at TEXT NOT NULL
    )
    """,
    """
    CREATE TABLE fetches (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        run_id INTEGER REFERENCES runs (id),
        unit_id TEXT NOT NULL,
        url TEXT NOT NULL,
        final_url TEXT NOT NULL,
        status INTEGER NOT NULL,
        role TEXT NOT NULL,
        headers TEXT NOT NULL DEFAULT '{}',
        body_sha256 TEXT,
        not_modified INTEGER NOT NULL DEFAULT 0,
        truncated INTEGER NOT NULL DEFAULT 0,
        depth INTEGER NOT NULL DEFAULT 0,
        referer TEXT,
        column_name TEXT,
        cms TEXT,
        fetched_at TEXT NOT NULL
    )
    """,
    "CREATE INDEX fetches_unit_url ON fetches (unit_id, url, id)",
    "CREATE INDEX fetches_run_unit ON fetches (run_id, unit_id)",
    """
    CREATE TABLE pages (
        unit_id TEXT NOT NULL,
        url TEXT NOT NULL,
        role TEXT NOT NULL,
        status INTEGER NOT NULL,
        body_sha256 TEXT,
        etag TEXT,
        last_modified TEXT,
        first_seen_at TEXT NOT NULL,
        last_seen_at TEXT NOT NULL,
        last_changed_at TEXT NOT NULL,
        PRIMARY KEY (unit_id, url)
    )
    """,
    """
    CREATE TABLE page_records (
        unit_id TEXT NOT NULL,
        url TEXT NOT NULL,
        body_sha256 TEXT NOT NULL,
        extractor_version INTEGER NOT NULL,
        kind TEXT NOT NULL,
        title TEXT,
        pub_date TEXT,
        record TEXT NOT NULL,
        created_at TEXT NOT NULL,
        PRIMARY KEY (unit_id, url, body_sha256)
    )
    """,
    """
    CREATE TABLE attachment_texts (
        sha256 TEXT PRIMARY KEY,
        status TEXT NOT NULL,
        text TEXT,
        error TEXT,
        created_at TEXT NOT NULL
    )
    """,
    """
    CREATE TABLE skipped_links (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        run_id INTEGER REFERENCES runs (id),
        unit_id TEXT NOT NULL,
        url TEXT NOT NULL,
        referer TEXT,
        reason TEXT NOT NULL,
        detail TEXT NOT NULL DEFAULT '{}'
    )
    """,
    "CREATE INDEX skipped_links_run_unit ON skipped_links (run_id, unit_id)",
    """
    CREATE TABLE crawl_units (
        run_id INTEGER NOT NULL REFERENCES runs (id),
        unit_id TEXT NOT NULL,
        status TEXT NOT NULL,
        health TEXT NOT NULL DEFAULT '[]',
        stats TEXT NOT NULL DEFAULT '{}',
        finished_at TEXT,
        PRIMARY KEY (run_id, unit_id)
    )
    """,
]
