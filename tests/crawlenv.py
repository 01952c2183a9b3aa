"""Crawl settings that tests give the ``zwgk`` commands they run in child processes.

Production retries wait 2 s, then 4 s (``crawler.settings``: base × 2^(attempt-1)) before giving up on a county
server; a test of an unreachable site would spend most of its time asleep in that backoff. ``QUICK_RETRIES``
keeps the retries (same ``RETRY_TIMES``, the same "已放弃重试" path) and only shortens the wait. The settings
reach the command through ``ZWGK_CRAWL_SETTINGS`` (``zwgk.services.crawling.env_settings``), the way an
operator passes them.
"""

from __future__ import annotations

import json
import os

QUICK_RETRIES = {"ZWGK_RETRY_BACKOFF_BASE": 0.05}


def crawl_env(settings: dict | None = None, base: dict | None = None) -> dict:
    """``base`` (default: this process's environment) with ``ZWGK_CRAWL_SETTINGS`` = quick retries + ``settings``."""
    return {**(os.environ if base is None else base),
            "ZWGK_CRAWL_SETTINGS": json.dumps({**QUICK_RETRIES, **(settings or {})})}
