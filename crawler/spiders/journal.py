"""The resume journal: documents whose items reached the end of the item pipelines, one URL a line.

A crawl killed at any moment (even SIGKILL) resumes from it: each line is written with one ``os.write`` on
an ``O_APPEND`` descriptor when Scrapy reports the item scraped (so after the store pipeline kept it), so
nothing the store does not have is marked done. A torn last line is ignored on reading. Roots and list
pages are never journaled: a resumed crawl re-reads them to rediscover what is left.
"""

from __future__ import annotations

import os
from pathlib import Path


class CrawlJournal:
    FILE = "zwgk-done.txt"

    def __init__(self, job_dir: str | Path):
        self.path = Path(job_dir) / self.FILE
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.done: set[str] = set()
        if self.path.exists():
            data = self.path.read_bytes()
            complete = data[: data.rfind(b"\n") + 1]
            self.done = {line for line in complete.decode("utf-8", "replace").split("\n") if line}
        self._fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)

    def __contains__(self, key: str) -> bool:
        return key in self.done

    def mark(self, key: str) -> None:
        if key in self.done or "\n" in key:
            return
        self.done.add(key)
        os.write(self._fd, (key + "\n").encode("utf-8"))

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1
