"""A loopback site of bad inputs around one real 政府信息公开指南 (issue 10): what a crawler run unattended
every night must survive. ``build_bad_site(server)`` adds it to a ``tests.crawl_server.CrawlServer`` under
``/xxgk/``; ``tests/test_bounded.py`` self-checks it and ``benchmarks/soak.py`` measures the run.

The disclosure root ``/xxgk/index.html`` links:

- the real guide (``tests/fixtures/pages/hanweb_article/body.html``, 东宁市大肚川镇, provenance in that
  folder) and a normal column of three documents: the real pages, which must be fetched;
- an endless calendar (``cal/index.html?year=…&month=…``: every month links its year's months and the
  same month of the years before and after);
- pagers that lie: a TRS list declaring ``createPageHTML(100000, …)`` whose pages after the third repeat
  it, a Yueyang list declaring ``else if(num>100000)``, a generic list whose 尾页 is ``index_99999.html``,
  a Hanweb column stating 5,000,000 records;
- a 50 MB page, a 200 MB gzip bomb (200 KB on the wire), a page that answers after 40 s, a connection
  reset, a size announced (150 MB) but never sent;
- a document with a corrupt PDF, a zip-bomb DOCX (a ``.doc`` name, 100 MB declared inside) and a PDF
  announcing 150 MB (its attachments);
- redirect loops (a → b → a, a page redirecting to itself), an endless redirect ladder, an off-site
  redirect (to www.example.gov.cn, never fetched: nothing but loopback is touched);
- session ids in paths (``;jsessionid=…``, ASP.NET's ``/(S(…))/``), each link with a fresh one;
- an endlessly deep folder tree (``deep/a/a/a/…`` and ``deep/1/2/3/…``);
- a ``robots.txt`` Disallow of ``private/``.
"""

from __future__ import annotations

import gzip
import io
import zipfile
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

from tests.crawl_server import CrawlServer, SeenRequest, article, page, rows

GUIDE = Path(__file__).parent / "fixtures" / "pages" / "hanweb_article" / "body.html"
GUIDE_PATH = "/xxgk/art/2017/3/2/art_1229_12345.html"
REAL_DOCS = [f"/xxgk/gzdt/doc{n}.html" for n in (1, 2, 3)]
DECLARED = 100_000
HTML = {"Content-Type": "text/html; charset=utf-8"}


def _calendar(req: SeenRequest):
    q = dict(parse_qsl(urlsplit(req.path).query))
    year, month = int(q.get("year", 2017)), int(q.get("month", 1))
    months = [(year, m) for m in range(1, 13)] + [(year - 1, month), (year + 1, month)]
    links = "".join(f'<a href="index.html?year={y}&month={m}">{y}年{m}月</a> ' for y, m in months)
    return 200, HTML, page(f"{year}年{month}月 日程", f"<h1>{year}年{month}月</h1>{links}").encode()


def _trs_list(req: SeenRequest):
    leaf = urlsplit(req.path).path.rsplit("/", 1)[-1]
    n = 0 if leaf == "index.html" else int(leaf[len("index_"):-len(".html")])
    shown = min(n, 2)  # pages after the third repeat it: the declared count is a lie
    entries = [(f"./201703/t2017030{shown + 1}_{shown * 10 + k}.html", f"通知公告第{shown * 10 + k}号文件", "2017-03-01")
               for k in range(5)]
    pager = f'<script>createPageHTML({DECLARED}, {n}, "index", "html");</script>'
    return 200, HTML, page("通知公告", rows(entries) + pager).encode()


def _trs_doc(req: SeenRequest):
    return 200, HTML, page("通知公告", "<h1>通知公告</h1><div class='TRS_Editor'>正文</div>").encode()


def _deep(req: SeenRequest):
    path = urlsplit(req.path).path.rstrip("/")
    links = f'<a href="{path}/a/">下级栏目</a> <a href="{path}/{len(path)}/">更多</a>'
    return 200, HTML, page("层层栏目", f"<p>栏目 {path}</p>{links}").encode()


def _ladder(req: SeenRequest):
    n = int(urlsplit(req.path).path.rsplit("/", 1)[-1] or 0)
    return 302, {"Location": f"/xxgk/hop/{n + 1}"}, b""


def _session(req: SeenRequest):
    n = len(req.path)
    entries = [(f"/xxgk/sess/doc.jsp;jsessionid=S{n}X{k}?id=1", f"会话文件第{k}号", "2017-04-01") for k in range(3)]
    entries.append((f"/xxgk/(S(a{n}b))/sess/asp.html", "会话文件ASP", "2017-04-02"))
    more = f'<a href="/xxgk/sess/index.html;jsessionid=S{n + 1}">更多</a>'
    return 200, HTML, page("会话栏目", rows(entries) + more).encode()


def _hanweb_proxy(req: SeenRequest):
    q = req.query
    start = int(q.get("startrecord", 1))
    # the stated total is 5,000,000; the records end after the second group
    records = "".join(
        f'<record><![CDATA[<li><a href="/xxgk/art/2017/4/1/art_999_{i}.html" title="大汉公开文件{i}">大汉公开文件{i}</a>'
        f'<span>2017-04-01</span></li>]]></record>' for i in range(start, start + 45)) if start <= 46 else ""
    xml = f'<?xml version="1.0" encoding="UTF-8"?><datastore><totalrecord>5000000</totalrecord><recordset>{records}</recordset></datastore>'
    return 200, {"Content-Type": "text/xml; charset=UTF-8"}, xml.encode()


def _hanweb_column() -> str:
    records = "".join(
        f'<record><![CDATA[<li><a href="/xxgk/art/2017/4/1/art_999_{i}.html" title="大汉公开文件{i}">大汉公开文件{i}</a>'
        f'<span>2017-04-01</span></li>]]></record>' for i in range(1, 46))
    nextgroup = ('<nextgroup><![CDATA[<a href="/module/web/jpage/dataproxy.jsp?page=1&appid=1&webid=7&path=/'
                 '&columnid=999&unitid=555&webname=%25E6%25B5%258B%25E8%25AF%2595&permissiontype=0"></a>]]></nextgroup>')
    body = (f'<div id="555"><script type="text/xml"><datastore>{nextgroup}<totalrecord>5000000</totalrecord>'
            f"<recordset>{records}</recordset></datastore></script></div>"
            "<script>$('#555').jpage({perPage:15, proxyUrl:'/module/web/jpage/dataproxy.jsp'});</script>"
            "<!-- Produced By 大汉网络 大汉版通发布系统 -->")
    return page("大汉公开目录", body)


def _zip_bomb(declared: int = 100_000_000) -> bytes:
    """A DOCX whose document.xml inflates to ``declared`` bytes (about 100 KB on disk)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        with z.open("word/document.xml", "w", force_zip64=True) as member:
            chunk = b"0" * 1_000_000
            for _ in range(declared // len(chunk)):
                member.write(chunk)
    return buf.getvalue()


def _gzip_bomb(size: int = 200_000_000) -> bytes:
    buf = io.BytesIO()
    with gzip.GzipFile(fileobj=buf, mode="wb", compresslevel=9) as z:
        chunk = b" " * 1_000_000
        for _ in range(size // len(chunk)):
            z.write(chunk)
    return buf.getvalue()


def build_bad_site(s: CrawlServer) -> dict[str, str]:
    """Add the bad-input site to ``s``; returns the paths the tests look at by name."""
    s.add("/robots.txt", "User-agent: *\nDisallow: /xxgk/private/\n", content_type="text/plain")
    # the real pages
    s.add(GUIDE_PATH, GUIDE.read_bytes(), content_type="text/html; charset=UTF-8")
    s.add("/module/download/downfile.jsp", b"%PDF-1.4\n%\xe2\xe3\n1 0 obj <<>> stream\n\x00\xff garbage",
          content_type="application/pdf")
    for n, path in enumerate(REAL_DOCS, 1):
        article(s, path, f"2017年工作动态第{n}期")
    s.add("/xxgk/gzdt/index.html", page("工作动态", rows(
        [(p.rsplit("/", 1)[-1], f"2017年工作动态第{n}期", f"2017-05-0{n}") for n, p in enumerate(REAL_DOCS, 1)])))
    # pagers that lie
    s.add_prefix("/xxgk/tzgg/index", _trs_list)
    s.add_prefix("/xxgk/tzgg/2017", _trs_doc)
    yueyang = "".join(f'<li><a href="content_{i}.html">乡镇政务信息{i}</a><span>2017-03-01</span></li>' for i in range(3))
    s.add("/xxgk/25221/default.htm", page("政务信息", f"<ul>{yueyang}</ul><script>function go(n){{if(n<1){{}}"
                                           f"else if(num>{DECLARED}){{alert('超出页数')}}}}</script>"))
    for i in range(3):
        article(s, f"/xxgk/25221/content_{i}.html", f"乡镇政务信息{i}")
    generic = rows([(f"g{i}.html", f"通用栏目文件第{i}号", "2017-05-06") for i in range(3)])
    s.add("/xxgk/tzwj/index.html", page("通知文件", generic + '<div>共99999页 <a href="index_2.html">下一页</a> '
                                         '<a href="index_99999.html">尾页</a></div>'))
    for i in range(3):
        article(s, f"/xxgk/tzwj/g{i}.html", f"通用栏目文件第{i}号")
    s.add("/xxgk/col/col999/index.html", _hanweb_column())
    s.add("/module/web/jpage/dataproxy.jsp", handler=_hanweb_proxy)
    s.add_prefix("/xxgk/art/2017/4/", _trs_doc)
    # traps
    s.add_prefix("/xxgk/cal/", _calendar)
    s.add_prefix("/xxgk/deep/", _deep)
    s.add_prefix("/xxgk/hop/", _ladder)
    s.add_prefix("/xxgk/sess/index.html", _session)
    article(s, "/xxgk/sess/doc.jsp", "会话文件")
    article(s, "/xxgk/sess/asp.html", "会话文件ASP")
    s.redirect("/xxgk/loop-a.html", "/xxgk/loop-b.html")
    s.redirect("/xxgk/loop-b.html", "/xxgk/loop-a.html")
    s.redirect("/xxgk/loop-self.html", "/xxgk/loop-self.html", 301)
    s.redirect("/xxgk/away.html", "http://www.example.gov.cn/xxgk/index.html")
    article(s, "/xxgk/private/secret.html", "内部文件")
    # hostile answers
    s.add("/xxgk/big.html", page("大页面", "<p>" + "很大的页面内容。" * 2_200_000 + "</p>"))
    s.add("/xxgk/gzbomb.html", _gzip_bomb(), headers={"Content-Encoding": "gzip"})
    article(s, "/xxgk/slow.html", "四十秒才响应", delay=40)
    s.add("/xxgk/reset.html", reset=True)
    s.add("/xxgk/liar.html", b"<html>", headers={"Content-Length": "150000000"})
    article(s, "/xxgk/files.html", "带附件的文件",
            attachments=("files/broken.pdf", "files/bomb.doc", "files/huge.pdf"))
    s.add("/xxgk/files/broken.pdf", b"%PDF-1.7\n" + bytes(range(256)) * 40, content_type="application/pdf")
    s.add("/xxgk/files/bomb.doc", _zip_bomb(), content_type="application/msword")
    s.add("/xxgk/files/huge.pdf", b"%PDF-1.4\n", content_type="application/pdf",
          headers={"Content-Length": "150000000"})
    links = [
        (GUIDE_PATH, "政府信息公开指南"), ("gzdt/index.html", "工作动态"), ("cal/index.html?year=2017&month=3", "日程安排"),
        ("tzgg/index.html", "通知公告"), ("25221/default.htm", "政务信息"), ("tzwj/index.html", "通知文件"),
        ("col/col999/index.html", "大汉公开目录"), ("deep/a/", "下级栏目"), ("deep/1/", "更多栏目"),
        ("hop/0", "跳转阶梯"), ("sess/index.html;jsessionid=S0", "会话栏目"), ("loop-a.html", "循环跳转"),
        ("loop-self.html", "自身跳转"), ("away.html", "站外跳转"), ("private/secret.html", "内部文件"),
        ("big.html", "大页面"), ("gzbomb.html", "压缩炸弹"), ("slow.html", "慢页面"), ("reset.html", "连接重置"),
        ("liar.html", "虚报大小"), ("files.html", "带附件的文件"),
    ]
    s.add("/xxgk/index.html", page("信息公开", "".join(f'<p><a href="{h}">{t}</a></p>' for h, t in links)))
    return {"root": "/xxgk/index.html", "guide": GUIDE_PATH}
