"""Which CMS produced a page: TRS WCM, Hanweb 大汉, the Yueyang-area platform, or generic.

Fingerprints come from domain.md §6. Each hit adds a point to its platform; the platform with the most
points wins and ties go to the earlier one in ``FINGERPRINTS``. A page without any fingerprint is
"generic". The result is a hint for adapters and reports, not a fact checks rely on.
"""

from __future__ import annotations

import re

# (cms, where to look: "url" path or "html", fingerprint). A fingerprint is a tuple of literal strings (any
# one is a hit; plain substring search is ~20× faster than a regex alternation on a 50 KB page) or a regex.
FINGERPRINTS: tuple[tuple[str, str, tuple[str, ...] | re.Pattern], ...] = (
    ("trs", "html", ("/wcm/app/js", "0;URL=/wcm", "WCM置标")),
    ("trs", "html", ("TRS_Editor", "TRS_UEDITOR")),
    ("trs", "html", ("createPageHTML(",)),
    ("trs", "url", re.compile(r"/\d{6}/t\d{8}_\d+\.s?html?$")),
    ("trs", "html", re.compile(r"/P0\d{14,}\w*\.\w+[\"']")),
    ("hanweb", "html", ("大汉版通", "大汉网络")),
    ("hanweb", "html", ("/module/web/jpage/",)),
    ("hanweb", "html", ("/module/download/downfile.jsp",)),
    (
        "hanweb",
        "url",
        re.compile(
            r"/art/\d{4}/\d{1,2}/\d{1,2}/art_\d+_\d+\.html|/col/col\d+/|/jcms_files/"
        ),
    ),
    ("yueyang", "url", re.compile(r"/content_\d+\.html$")),
    ("yueyang", "html", re.compile(r"/uploadfiles/\d{6}/")),
    ("yueyang", "html", ("wznr_mess", "xxgk_view")),
    ("yueyang", "html", re.compile(r"default_\d+\.htm")),
    ("yueyang", "html", re.compile(r"else if\s*\(\s*num\s*>\s*\d+")),
)
CMS_ORDER = ("trs", "hanweb", "yueyang")


def detect_cms(url: str, html: str) -> str:
    """``trs`` | ``hanweb`` | ``yueyang`` | ``generic`` for a page's URL and decoded HTML."""
    path = url.split("?", 1)[0].split("#", 1)[0]
    scores = dict.fromkeys(CMS_ORDER, 0)
    for cms, where, fingerprint in FINGERPRINTS:
        target = path if where == "url" else html
        if isinstance(fingerprint, tuple):
            hit = any(literal in target for literal in fingerprint)
        else:
            hit = fingerprint.search(target) is not None
        scores[cms] += hit
    best = max(CMS_ORDER, key=lambda cms: (scores[cms], -CMS_ORDER.index(cms)))
    return best if scores[best] else "generic"
