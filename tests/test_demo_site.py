"""The bundled demo site: served pages, encodings, Hanweb dataproxy, attachments, links, gaps, 304s."""

from __future__ import annotations

import io
import re
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import parse_qs, urljoin, urlsplit

import docx
import pytest
import yaml
from lxml import html as lxml_html
from pypdf import PdfReader
from w3lib.encoding import html_to_unicode

from rubrics.loader import load_all
from zwgk.demo.server import serve, units_for, write_units_yaml
from zwgk.registry.units import load_units

SITE = Path(__file__).resolve().parent.parent / "zwgk" / "demo" / "site"


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def fetch(url: str, data: bytes | None = None, headers: dict | None = None, follow: bool = True):
    opener = urllib.request.build_opener() if follow else urllib.request.build_opener(NoRedirect)
    req = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with opener.open(req, timeout=10) as resp:
            return resp.status, dict(resp.headers), resp.read()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read()


@pytest.fixture(scope="module")
def site():
    with serve() as s:
        yield s


def decode(headers: dict, body: bytes) -> str:
    return html_to_unicode(headers.get("Content-Type"), body)[1]


def test_every_unit_root_and_site_is_served(site):
    units = units_for(site.base_url)
    assert [u["id"] for u in units] == ["xinshi-town", "baishui-town", "edu-bureau", "land-bureau"]
    for unit in units:
        for url in [unit["site"], *unit["disclosure_roots"]]:
            status, headers, body = fetch(url)
            assert status == 200, url
            text = decode(headers, body)
            assert unit["name"] in text
            for column in ("信息公开指南", "信息公开制度", "法定主动公开内容", "信息公开年报"):
                assert column in text or url == unit["site"]


def test_units_registry_round_trips(site, tmp_path):
    path = write_units_yaml(site.base_url, tmp_path / "units.yaml")
    units = load_units(path)
    assert {u.id: u.kind for u in units} == {"xinshi-town": "township", "baishui-town": "township",
                                             "edu-bureau": "department", "land-bureau": "department"}
    assert all(u.site.startswith(site.base_url) for u in units)
    # the review sample data set (tests/fixtures/sample) describes the same four units
    sample = yaml.safe_load((Path(__file__).parent / "fixtures" / "sample" / "units.yaml").read_text(encoding="utf-8"))
    assert [u["id"] for u in sample["units"]] == [u.id for u in units]


def test_gbk_unit_is_served_as_gb2312_and_decodes_with_w3lib(site):
    status, headers, body = fetch(site.base_url + "/baishui/xxgk/fdzdgknr/jgzn/201702/t20170210_1307.html")
    assert status == 200
    assert headers["Content-Type"] == "text/html; charset=gb2312"
    with pytest.raises(UnicodeDecodeError):
        body.decode("gb2312")  # 镕 and 喆 are outside GB2312: a strict gb2312 decoder breaks
    text = decode(headers, body)
    assert "党委书记：王镕" in text and "镇长：李喆" in text
    status, headers, _ = fetch(site.base_url + "/edu/xxgk/index.html")
    assert headers["Content-Type"] == "text/html; charset=utf-8"


def records(xml: bytes) -> list[str]:
    return re.findall(r'href="(/art/[^"]+)"', xml.decode("utf-8"))


def test_dataproxy_returns_the_requested_slice(site):
    page = fetch(site.base_url + "/col/col5112/index.html")[2].decode("utf-8")
    embedded = re.findall(r'href="(/art/[^"]+)"', page)
    params = dict(re.findall(r"(columnid|unitid|webid|perpage):(\d+)", page))
    assert params == {"webid": "7", "columnid": "5112", "unitid": "35112", "perpage": "4"}
    body = f"col=1&appid=1&webid=7&path=/&columnid={params['columnid']}&unitid={params['unitid']}&permissiontype=0"
    url = site.base_url + "/module/web/jpage/dataproxy.jsp?startrecord={}&endrecord={}&perpage=4"
    status, headers, first = fetch(url.format(1, 12), data=body.encode())
    assert status == 200 and headers["Content-Type"].startswith("text/xml")
    assert records(first) == embedded and len(embedded) == 12
    rest = fetch(url.format(13, 24), data=body.encode())[2]
    assert len(records(rest)) == 2 and not set(records(rest)) & set(embedded)
    assert b"<totalrecord>14</totalrecord>" in rest and b"<totalpage>4</totalpage>" in rest
    one = fetch(url.format(5, 5), data=body.encode())[2]
    assert records(one) == [embedded[4]]
    unknown = fetch(url.format(1, 12), data=b"columnid=999999")[2]
    assert records(unknown) == [] and b"<totalrecord>0</totalrecord>" in unknown


def test_downfile_redirects_to_attach(site):
    status, headers, _ = fetch(site.base_url + "/module/download/downfile.jsp?classid=0&filename=2016ndbg_zrzy.pdf",
                               follow=False)
    assert status == 302 and headers["Location"] == "/attach/0/2016ndbg_zrzy.pdf"
    status, headers, body = fetch(site.base_url + headers["Location"])
    assert status == 200 and headers["Content-Type"] == "application/pdf" and body.startswith(b"%PDF")


def test_conditional_get_returns_304(site):
    url = site.base_url + "/edu/xxgk/fdzdgknr/zdlyxxgk/index_1.html"
    status, headers, body = fetch(url)
    assert status == 200 and body
    assert fetch(url, headers={"If-None-Match": headers["ETag"]})[0] == 304
    assert fetch(url, headers={"If-Modified-Since": headers["Last-Modified"]})[0] == 304
    assert fetch(url, headers={"If-None-Match": '"other"'})[0] == 200
    assert fetch(url, headers={"If-Modified-Since": "Sat, 01 Jan 2000 00:00:00 GMT"})[0] == 200


def test_robots_and_404(site):
    status, _, body = fetch(site.base_url + "/robots.txt")
    assert status == 200 and b"Disallow: /admin/" in body
    assert fetch(site.base_url + "/no/such/page.html")[0] == 404
    assert fetch(site.base_url + "/../site.json")[0] == 404


def gap_broken_links() -> set[str]:
    text = (SITE / "GAPS.md").read_text(encoding="utf-8")
    return set(re.findall(r"\| (/[^ |]+) \|\s*$", text, re.M))


def test_every_internal_link_resolves_except_listed_gaps(site):
    """Crawl the whole site in-process from the portal, following every static href and pager page."""
    start = site.base_url + "/index.html"
    seen, queue, broken = set(), [start], set()
    while queue:
        url = queue.pop()
        if url in seen:
            continue
        seen.add(url)
        status, headers, body = fetch(url)
        if status != 200:
            broken.add(urlsplit(url).path)
            continue
        if not headers["Content-Type"].startswith("text/html"):
            continue
        text = decode(headers, body)
        tree = lxml_html.fromstring(text)
        hrefs = tree.xpath("//a/@href")
        for xml in re.findall(r"<datastore>.*?</datastore>", text, re.S):
            hrefs += re.findall(r'href="(/art/[^"]+)"', xml)
        pages = re.search(r"createPageHTML\((\d+),", text)
        if pages:
            hrefs += [f"index_{i}.html" for i in range(1, int(pages.group(1)))]
        pages = re.search(r"else if\(num>(\d+)\)", text)
        if pages:
            hrefs += [f"default_{i}.htm" for i in range(2, int(pages.group(1)) + 1)]
        for href in hrefs:
            assert not href.startswith(("http:", "https:", "//")), f"absolute link {href} in {url}"
            if href.startswith("javascript:"):
                continue
            queue.append(urljoin(url, href).split("#")[0])
    assert broken == gap_broken_links()
    assert len(seen) > 200
    served = {p.relative_to(SITE / "www").as_posix() for p in (SITE / "www").rglob("*") if p.is_file()}
    reached = {urlsplit(u).path.lstrip("/") for u in seen} | {"robots.txt"}
    reached |= {f"attach/0/{parse_qs(urlsplit(u).query)['filename'][0]}" for u in seen if "downfile.jsp" in u}
    # every page is reachable by links, except the Hanweb page that only dataproxy lists
    assert served - reached == {p.lstrip("/") for p in dataproxy_only(site)}


def dataproxy_only(site) -> set[str]:
    rest = fetch(site.base_url + "/module/web/jpage/dataproxy.jsp?startrecord=13&endrecord=24&perpage=4",
                 data=b"columnid=5112")[2]
    return set(records(rest))


ATTACHMENTS = {
    "uploadfiles/201603/2015ndbg.pdf": "新市镇人民政府2015年政府信息公开工作年度报告",
    "uploadfiles/201703/2017gzyd.docx": "新市镇2017年政务公开工作要点",
    "baishui/xxgk/fdzdgknr/zwfw/201705/P020170516358216743255.pdf": "农村五保供养审批",
    "edu/xxgk/xxgknb/201704/P020170412418267301522.docx": "汨水县教育局2016年政府信息公开工作年度报告",
    "attach/0/ssqd_2017.docx": "汨水县自然资源局政务服务事项实施清单",
}


@pytest.mark.parametrize("path,expected", sorted(ATTACHMENTS.items()))
def test_attachments_are_valid_and_carry_chinese_text(site, path, expected):
    status, headers, body = fetch(f"{site.base_url}/{path}")
    assert status == 200
    if path.endswith(".pdf"):
        assert headers["Content-Type"] == "application/pdf"
        text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)
    else:
        assert headers["Content-Type"].endswith("wordprocessingml.document")
        text = "\n".join(p.text for p in docx.Document(io.BytesIO(body)).paragraphs)
    assert expected in text.replace("\n", "")


def test_pdf_only_guide_lacks_exactly_the_listed_element(site):
    body = fetch(site.base_url + "/baishui/xxgk/fdzdgknr/zwfw/201705/P020170516358216743255.pdf")[2]
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)
    assert "物流快递" in text and "办理依据" in text and "预约办理" not in text


def test_gap_rule_ids_exist_in_the_rubrics():
    rule_ids = {rule.id for rubric in load_all().values() for ind in rubric.indicators for rule in ind.rules}
    rows = re.findall(r"^\| ([a-z-]+) \| ([a-z]+-\d{4}\.[\w.]+) \| .* \| (fail|needs_review|pass)[^|]* \|",
                      (SITE / "GAPS.md").read_text(encoding="utf-8"), re.M)
    assert len(rows) >= 30
    assert {unit for unit, _, _ in rows} == {"xinshi-town", "baishui-town", "edu-bureau", "land-bureau"}
    assert {rule for _, rule, _ in rows} <= rule_ids
    for unit, rule, _ in rows:  # townships are scored on the township rubric, departments on theirs
        assert rule.startswith("township-" if unit.endswith("-town") else "department-")


def test_exposed_id_number_has_a_valid_check_digit(site):
    page = fetch(site.base_url + "/25300/25301/25304/25312/content_700130.html")[2].decode("utf-8")
    ids = re.findall(r"\b\d{17}[\dX]\b", page)
    assert len(ids) == 1
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    assert "10X98765432"[sum(int(c) * w for c, w in zip(ids[0], weights)) % 11] == ids[0][-1]
    assert "13900000001" in page


def test_interpretation_dates(site):
    late = fetch(site.base_url + "/edu/xxgk/fdzdgknr/zcjd/201708/t20170828_3318.html")[2].decode("utf-8")
    assert '<meta name="PubDate" content="2017-08-28 15:40">' in late
    assert 'href="/edu/xxgk/fdzdgknr/gfxwj/201708/t20170821_' in late


def test_site_stays_small():
    total = sum(p.stat().st_size for p in SITE.rglob("*") if p.is_file())
    assert total < 1_500_000


# --- the synthetic county generator (benchmarks/gen_county.py) ---------------------------------------


@pytest.fixture
def county():
    from benchmarks.gen_county import serve_county

    servers = []

    def start(**kwargs):
        server, units = serve_county(**{"latency_ms": 0, **kwargs})
        servers.append(server)
        return server, units

    yield start
    for server in servers:
        server.close()


def crawl_unit(root_url: str) -> dict[str, bytes]:
    """Every page of one generated unit: root, columns with all their pages (TRS/Yueyang pagers,
    Hanweb dataproxy), detail pages. Returns path → body."""
    pages, queue = {}, [root_url]
    while queue:
        url = queue.pop()
        if urlsplit(url).path in pages:
            continue
        status, headers, body = fetch(url)
        assert status == 200, url
        pages[urlsplit(url).path] = body
        text = decode(headers, body)
        hrefs = lxml_html.fromstring(text).xpath("//a/@href") + re.findall(r'href="(/art/[^"]+)"', text)
        if m := re.search(r"createPageHTML\((\d+),", text):
            hrefs += [f"index_{i}.html" for i in range(1, int(m.group(1)))]
        if m := re.search(r"else if\(num>(\d+)\)", text):
            hrefs += [f"default_{i}.htm" for i in range(2, int(m.group(1)) + 1)]
        if m := re.search(r"columnid:(\d+), unitid:(\d+), perpage:(\d+), totalRecord:(\d+)", text):
            cid, _, perpage, total = (int(x) for x in m.groups())
            base = root_url.split("/col/")[0]
            for start in range(61, total + 1, 60):
                xml = fetch(f"{base}/module/web/jpage/dataproxy.jsp?startrecord={start}&endrecord={start + 59}"
                            f"&perpage={perpage}", data=f"columnid={cid}".encode())[2]
                hrefs += re.findall(r'href="(/art/[^"]+)"', xml.decode("utf-8"))
        queue += [urljoin(url, h) for h in hrefs if not h.startswith("javascript:") and "首页" not in h]
    return pages


def test_generator_serves_every_pattern_and_all_pages(county):
    server, units = county(n_units=3, pages_per_unit=130, seed=7)
    assert [u["id"] for u in units] == ["unit-0000", "unit-0001", "unit-0002"]
    markers = ["TRS_Editor", "content_box", "大汉版通"]
    for unit, marker in zip(units, markers):
        pages = crawl_unit(unit["disclosure_roots"][0])
        details = [p for p, body in pages.items() if b"ArticleTitle" in body]
        assert len(details) == 130, unit["id"]
        assert any(marker.encode() in pages[p] for p in details)
    status, headers, body = fetch(units[1]["disclosure_roots"][0])
    assert headers["Content-Type"] == "text/html; charset=gb2312"  # unit 1 of every ten is GBK
    assert units[1]["name"] in decode(headers, body) and "镕喆" in units[1]["name"]


def test_generator_is_deterministic(county):
    a, units_a = county(n_units=4, pages_per_unit=50, seed=3)
    b, units_b = county(n_units=4, pages_per_unit=50, seed=3)
    c, _ = county(n_units=4, pages_per_unit=50, seed=4)
    pages_a = crawl_unit(units_a[0]["disclosure_roots"][0])
    pages_b = crawl_unit(units_b[0]["disclosure_roots"][0])
    assert pages_a == pages_b
    some = next(p for p, body in sorted(pages_a.items()) if b"ArticleTitle" in body)
    assert fetch(c.base_url + some)[2] != pages_a[some]
    assert [u["name"] for u in units_a] == [u["name"] for u in units_b]


def test_generator_recrawl_is_cheap_and_mutation_shows_on_top(county):
    server, units = county(n_units=3, pages_per_unit=45, seed=1)
    gen = server.county
    before = [row[:] for row in gen.counts]
    etags = {}
    for u in range(3):
        for k in range(4):
            url = server.base_url + gen.column_url(u, k)
            status, headers, _ = fetch(url)
            assert status == 200 and fetch(url, headers={"If-None-Match": headers["ETag"]})[0] == 304
            etags[u, k] = headers["ETag"]
    detail = server.base_url + gen.item_url(0, 0, 3)
    detail_etag = fetch(detail)[1]["ETag"]
    assert server.mutate(1 / 135) == 1
    ((u, k),) = [(u, k) for u in range(3) for k in range(4) if gen.counts[u][k] != before[u][k]]
    assert gen.counts[u][k] == before[u][k] + 1
    for (uu, kk), etag in etags.items():  # only the mutated list changed
        expected = 200 if (uu, kk) == (u, k) else 304
        assert fetch(server.base_url + gen.column_url(uu, kk), headers={"If-None-Match": etag})[0] == expected
    text = decode(*fetch(server.base_url + gen.column_url(u, k))[1:])
    newest = gen.title(u, k, before[u][k])
    assert text.index(newest) < text.index(gen.title(u, k, before[u][k] - 1))
    assert fetch(detail, headers={"If-None-Match": detail_etag})[0] == 304
    assert server.stats["304"] == 12 + 11 + 1
