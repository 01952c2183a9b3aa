"""Where a unit's crawl may go, and which URLs are traps.

- ``canonicalize(url)``: one spelling per address (w3lib's ``canonicalize_url``: sorted query, normalised
  escapes, no fragment) with session ids removed (``;jsessionid=…``, ASP.NET's cookieless ``/(S(…))/``
  segment, ``PHPSESSID=…``, ``sid=…``): a site that writes a fresh session id into every link would
  otherwise never end.
- ``UnitScope``: a unit's scope is, for each disclosure root and each extra ``scopes`` entry, the host (with
  port) and the root's folder as a path prefix. ``in_scope(url)`` checks host and prefix; with
  ``host_only=True`` it checks the host alone — the spider uses that for the entries of the unit's own list
  pages and their attachments, which CMSs keep outside the column folder (Hanweb ``/art/…``).
- ``TrapDetector``: per unit, flags calendar pages (date-valued query parameters stepping through many
  values on one path), repeated path segments (``/a/b/a/b/a/``), and paths with too many query variants.
"""

from __future__ import annotations

import re
from collections import defaultdict
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from w3lib.url import canonicalize_url

SESSION_PARAMS = frozenset({"jsessionid", "phpsessid", "sid", "sessionid", "session_id", "aspsessionid", "cfid", "cftoken"})
_PATH_SESSION = re.compile(r";(?:jsessionid|phpsessid|sessionid)=[^/?#;]*|/\((?:[A-Za-z]\([^()/]*\))+\)(?=/)", re.I)
_CALENDAR_PARAMS = frozenset({"year", "month", "day", "date", "y", "m", "d", "ym", "yearmonth", "cal", "calendar", "riqi", "nian", "yue"})
_DATE_VALUE = re.compile(r"^(?:19|20)\d{2}(?:[-/.]?\d{1,2}){0,2}$|^\d{1,2}$")


def is_http(url: str) -> bool:
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def strip_session_ids(url: str) -> str:
    parts = urlsplit(url)
    path = _PATH_SESSION.sub("", parts.path)
    query = parts.query
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        kept = [(k, v) for k, v in pairs if k.lower() not in SESSION_PARAMS and not k.lower().startswith("aspsessionid")]
        if len(kept) != len(pairs):
            query = urlencode(kept)
    return urlunsplit((parts.scheme, parts.netloc, path, query, parts.fragment))


def has_session_id(url: str) -> bool:
    return strip_session_ids(url) != url


def canonicalize(url: str) -> str | None:
    """The canonical spelling of an http(s) URL, or None for anything else (mailto:, javascript:, ftp:, bad)."""
    if not is_http(url):
        return None
    try:
        return canonicalize_url(strip_session_ids(url), keep_fragments=False)
    except ValueError:
        return None


def _host_key(url: str) -> tuple[str, int] | None:
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    if not parts.hostname:
        return None
    return parts.hostname.lower(), port or (443 if parts.scheme == "https" else 80)


def _prefix(url: str) -> str:
    path = urlsplit(url).path or "/"
    leaf = path.rsplit("/", 1)[-1]
    if leaf and "." not in leaf:  # http://h/xxgk means the folder /xxgk/
        return path + "/"
    return path[: path.rfind("/") + 1]


class UnitScope:
    def __init__(self, roots: list[str] | tuple[str, ...], extra: list[str] | tuple[str, ...] = ()):
        self.prefixes: list[tuple[tuple[str, int], str]] = []
        for url in list(roots) + list(extra):
            key = _host_key(url) if is_http(url) else None
            if key is not None:
                self.prefixes.append((key, _prefix(url)))
        self.hosts = {key for key, _ in self.prefixes}

    def in_scope(self, url: str, *, host_only: bool = False) -> bool:
        if not is_http(url):
            return False
        key = _host_key(url)
        if key is None or key not in self.hosts:
            return False
        if host_only:
            return True
        path = urlsplit(url).path or "/"
        return any(key == k and (path.startswith(p) or path + "/" == p) for k, p in self.prefixes)

    def reason(self, url: str, *, host_only: bool = False) -> str | None:
        """None when ``url`` may be followed, else the skip reason: ``not_http`` or ``off_scope``."""
        if not is_http(url):
            return "not_http"
        return None if self.in_scope(url, host_only=host_only) else "off_scope"


class TrapDetector:
    """Remembers, for one unit, the query variants seen per path; ``check(url)`` names the trap or None."""

    def __init__(self, *, calendar_variants: int = 12, query_variants: int = 200, repeated_segments: int = 3):
        self.calendar_variants = calendar_variants
        self.query_variants = query_variants
        self.repeated_segments = repeated_segments
        self._variants: dict[str, set[str]] = defaultdict(set)
        self._calendar: dict[str, set[str]] = defaultdict(set)

    def check(self, url: str) -> str | None:
        parts = urlsplit(url)
        segments = [s for s in parts.path.split("/") if s]
        if segments and max(segments.count(s) for s in set(segments)) >= self.repeated_segments:
            return "repeated_path"
        if not parts.query:
            return None
        key = f"{parts.netloc}{parts.path}"
        pairs = parse_qsl(parts.query, keep_blank_values=True)
        dates = tuple((k, v) for k, v in pairs if k.lower() in _CALENDAR_PARAMS and _DATE_VALUE.match(v))
        if dates:
            seen = self._calendar[key]
            if str(dates) not in seen and len(seen) >= self.calendar_variants:
                return "calendar"
            seen.add(str(dates))
        variants = self._variants[key]
        if parts.query not in variants and len(variants) >= self.query_variants:
            return "query_variants"
        variants.add(parts.query)
        return None
