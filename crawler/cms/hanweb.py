"""Hanweb 大汉 JCMS: column pages ``/col/col{ID}/index.html`` whose records come from jpage.

The column page embeds the first group of records in ``<div id="…"><script type="text/xml"><datastore>``
(records as ``<record><![CDATA[<li><a href=…>title</a><span>date</span></li>]]></record>``); later groups
come from ``/module/web/jpage/dataproxy.jsp?startrecord=&endrecord=&perpage=`` by POST with the form
``col=1&appid=1&webid=…&path=/&columnid=…&sourceContentType=1&unitid=…&webname=…&permissiontype=0``
(domain.md §6). The parameters are read from the ``<nextgroup>`` link or the jpage script; the record
total from ``<totalrecord>`` or ``totalRecord:`` (the groups up to it a ``PageRange``). Without a total,
groups are asked for one at a time until a group comes back short.
"""

from __future__ import annotations

import math
import re
from urllib.parse import parse_qsl, unquote, urljoin, urlsplit

from crawler.cms.base import ListItem, ListPage, PageRange, PostRequest, find_date, list_items, parse_html

NAME = "hanweb"
PROXY_PATH = "/module/web/jpage/dataproxy.jsp"
ARTICLE = re.compile(r"/art/\d{4}/\d{1,2}/\d{1,2}/art_\d+_\d+\.html?|/jcms_files/.+/art/")

_DATASTORE = re.compile(r"<datastore>(.*?)</datastore>", re.S | re.I)
_RECORD = re.compile(r"<record>\s*<!\[CDATA\[(.*?)\]\]>\s*</record>", re.S | re.I)
_NEXTGROUP = re.compile(r"<nextgroup>\s*<!\[CDATA\[(.*?)\]\]>\s*</nextgroup>", re.S | re.I)
_TOTAL = re.compile(r"<totalrecord>\s*(\d+)\s*</totalrecord>|totalRecord\s*[:=]\s*['\"]?(\d+)", re.I)
_PER_PAGE = re.compile(r"perPage\s*[:=]\s*['\"]?(\d+)", re.I)
_PARAM = re.compile(r"\b(webid|columnid|unitid|appid|permissiontype|sourceContentType)\s*[:=]\s*['\"]?(\d+)", re.I)
_WEBNAME = re.compile(r"\bwebname\s*[:=]\s*['\"]([^'\"]*)['\"]", re.I)
_FINGERPRINTS = ("大汉版通", "大汉网络", "/module/web/jpage/", "/module/jpage/", "/module/download/downfile.jsp")
_PARAM_NAMES = {"webid": "webid", "columnid": "columnid", "unitid": "unitid", "appid": "appid",
                "permissiontype": "permissiontype", "sourcecontenttype": "sourceContentType",
                "webname": "webname"}
DEFAULT_PER_PAGE = 15
DEFAULT_GROUP_PAGES = 3  # jpage loads three pages of records per request


def detect(url: str, text: str) -> bool:
    text = text or ""
    path = urlsplit(url).path
    return (
        path.endswith(("dataproxy.jsp",))
        or bool(re.search(r"/col/col\d+/", path))
        or ARTICLE.search(path) is not None
        or any(f in text for f in _FINGERPRINTS)
        or _DATASTORE.search(text) is not None
    )


def _full_unquote(value: str) -> str:
    for _ in range(3):  # the nextgroup link double-encodes webname
        decoded = unquote(value)
        if decoded == value:
            break
        value = decoded
    return value


def jpage_params(text: str) -> dict[str, str]:
    """The dataproxy form parameters a column page states (nextgroup link first, then the script)."""
    params: dict[str, str] = {}
    m = _NEXTGROUP.search(text)
    if m:
        href = re.search(r"href=[\"']([^\"']+)", m.group(1))
        if href:
            for key, value in parse_qsl(urlsplit(href.group(1).replace("&amp;", "&")).query):
                name = _PARAM_NAMES.get(key.lower())
                if name:
                    params.setdefault(name, _full_unquote(value))
    for key, value in _PARAM.findall(text):
        params.setdefault(_PARAM_NAMES[key.lower()], value)
    m = _WEBNAME.search(text)
    if m:
        params.setdefault("webname", _full_unquote(m.group(1)))
    return params


def _form(params: dict[str, str]) -> dict[str, str]:
    return {
        "col": "1",
        "appid": params.get("appid", "1"),
        "webid": params["webid"],
        "path": "/",
        "columnid": params["columnid"],
        "sourceContentType": params.get("sourceContentType", "1"),
        "unitid": params["unitid"],
        "webname": params.get("webname", ""),
        "permissiontype": params.get("permissiontype", "0"),
    }


def proxy_request(url: str, form: dict[str, str], start: int, end: int, per_page: int) -> PostRequest:
    """The POST for records ``start``..``end`` (1-based, inclusive) of a column on ``url``'s host."""
    query = f"{PROXY_PATH}?startrecord={start}&endrecord={end}&perpage={per_page}"
    return PostRequest(urljoin(url, query), tuple(form.items()))


def _records(url: str, text: str) -> list[ListItem]:
    items: list[ListItem] = []
    for fragment in _RECORD.findall(text):
        doc = parse_html(f"<ul>{fragment}</ul>")
        found = list_items(url, doc, re.compile(r"."))
        for item in found[:1]:  # one record, one document
            if item.date is None:
                item.date = find_date(" ".join(doc.text_content().split()) if doc is not None else "")
            items.append(item)
    return items


def _group_size(records: int, per_page: int) -> int:
    return records if records >= per_page else per_page * DEFAULT_GROUP_PAGES


def parse_list(url: str, text: str, form: dict | None = None) -> ListPage:
    text = text or ""
    is_proxy = urlsplit(url).path.endswith("dataproxy.jsp")
    store = _DATASTORE.search(text)
    if not is_proxy and store is None:
        return ListPage(items=list_items(url, parse_html(text), ARTICLE))
    items = _records(url, store.group(1) if store else text)
    per_page_m = _PER_PAGE.search(text)
    total_m = _TOTAL.search(text)
    total = int(total_m.group(1) or total_m.group(2)) if total_m else None
    page = ListPage(items=items)
    if is_proxy:
        query = dict(parse_qsl(urlsplit(url).query))
        try:
            start, end = int(query["startrecord"]), int(query["endrecord"])
            per_page = int(query.get("perpage") or DEFAULT_PER_PAGE)
        except (KeyError, ValueError):
            return page
        if total is not None:
            page.page_count = math.ceil(total / max(per_page, 1))
        # a full group without a stated total: ask for the next one
        if form and total is None and len(items) >= end - start + 1 > 0:
            size = end - start + 1
            page.next_requests = [proxy_request(url, dict(form), end + 1, end + size, per_page)]
        return page
    params = jpage_params(text)
    if not {"webid", "columnid", "unitid"} <= params.keys():
        return page
    per_page = int(per_page_m.group(1)) if per_page_m else DEFAULT_PER_PAGE
    size = _group_size(len(items), per_page)
    form_fields = _form(params)
    if total is not None:
        page.page_count = math.ceil(total / max(per_page, 1))
        page.next_requests = PageRange(
            range(len(items) + 1, total + 1, size),
            lambda start: proxy_request(url, form_fields, start, min(start + size - 1, total), per_page),
        )
    elif len(items) >= size:
        page.next_requests = [proxy_request(url, form_fields, len(items) + 1, len(items) + size, per_page)]
    return page
