"""``zwgk inspect FILE_OR_URL``: what zwgk makes of one page — its kind and every extracted field.

For units debugging a page and for anyone checking the extractor. A file is read as bytes (``--url`` gives
the address its links resolve against, default ``file://…``; ``--encoding`` overrides the declared charset
by passing a ``Content-Type`` header, which outranks the page's ``<meta charset>``). An http(s) URL is
fetched once through the crawler's own downloader settings (``crawler.spiders.single``: robots.txt, user
agent, size cap, timeout). Either way the page record is built exactly as a crawl builds it
(``crawler.build.build_record``). The command and its text output are in ``zwgk.cli.inspect``.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

from crawler.record import PageRecord
from crawler.build import build_record
from zwgk.services.errors import AppError

FETCH_ERRORS = {
    "dns": "无法解析域名 {host}",
    "timeout": "下载超时（{timeout} 秒内没有完成）",
    "connection": "无法连接 {host}：{message}",
    "too_large": "响应超过大小上限（{maxsize} 字节），已放弃下载",
    "robots": "该网址被网站的 robots.txt 禁止抓取，zwgk 遵守网站的 robots.txt，因此不下载它",
    "ignored": "请求未完成：{message}",
}
URL_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


class InspectError(AppError):
    """A page that cannot be inspected; the message is Chinese (exit code 1)."""


# --- getting the page ------------------------------------------------------------------------------


def _encoding_header(encoding: str | None, content_type: str) -> str:
    """``content_type`` with its charset replaced by ``encoding`` (or unchanged without one)."""
    if not encoding:
        return content_type
    base = content_type.split(";", 1)[0].strip() or "text/html"
    return f"{base}; charset={encoding}"


def read_file(path: Path, url: str | None, encoding: str | None, role: str) -> tuple[PageRecord, dict]:
    try:
        body = path.read_bytes()
    except FileNotFoundError:
        raise InspectError(f"找不到文件 {path}") from None
    except IsADirectoryError:
        raise InspectError(f"{path} 是目录，请给出一个网页文件") from None
    except OSError as exc:
        raise InspectError(f"无法读取文件 {path}（{exc.strerror or exc}）") from None
    address = url or path.resolve().as_uri()
    headers = {"content-type": _encoding_header(encoding, "text/html")} if encoding else {}
    source = {"type": "file", "path": str(path), "url": address, "encoding_override": encoding}
    return build_record(address, headers, body, role=role), source


def fetch_url(url: str, encoding: str | None, role: str) -> tuple[PageRecord, dict]:
    from crawler.settings import DEFAULTS
    from crawler.spiders.single import fetch_once

    got = fetch_once(url)
    if got.error:
        template = FETCH_ERRORS.get(got.error, "下载失败：{message}")
        detail = template.format(host=urlsplit(url).hostname, message=got.message or "", maxsize=DEFAULTS["DOWNLOAD_MAXSIZE"],
                                 timeout=DEFAULTS["DOWNLOAD_TIMEOUT"])
        raise InspectError(f"无法获取 {url}：{detail}")
    if got.status >= 400:
        raise InspectError(f"无法获取 {url}：服务器返回 HTTP {got.status}" + ("（页面不存在）" if got.status == 404 else ""))
    headers = dict(got.headers)
    if encoding:
        headers["content-type"] = _encoding_header(encoding, headers.get("content-type", ""))
    record = build_record(url, headers, got.body, role=role, final_url=got.final_url, status=got.status)
    source = {"type": "url", "url": url, "final_url": got.final_url, "status": got.status,
              "truncated": got.truncated, "encoding_override": encoding}
    return record, source
