"""``zwgk inspect FILE_OR_URL``: a page's kind and extracted fields, from a file or fetched once.

Files are the page fixtures under tests/fixtures/pages/; URLs are served by the bundled demo site in this
test process and fetched by the command in a subprocess (a Scrapy fetch runs once per process). The command
is added to the ``zwgk`` group the way ``zwgk.cli`` adds it and run through ``zwgk.cli.main``.
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from crawler.record import PageRecord
from zwgk.demo import server as demo_site

pytestmark = pytest.mark.slow  # every test runs `zwgk inspect` in a child process
ROOT = Path(__file__).resolve().parent.parent
PAGES = ROOT / "tests" / "fixtures" / "pages"
GBK_TITLE = "关于张喆同志挂职锻炼的通知"

# (fixture, --role, the kind a reader of the page gives it, how inspect says that kind)
CASES = [
    ("trs_article", "detail", "annual_report", "政府信息公开工作年度报告"),
    ("hanweb_article", "detail", "disclosure_guide", "政府信息公开指南"),
    ("miluo_article", "detail", "policy", "政策文件"),
    ("zhangshu_trs_list", "list", "list", "栏目列表页"),
]


def zwgk(*args, timeout=120):
    return subprocess.run([sys.executable, "-m", "zwgk", "inspect", *args], capture_output=True, text=True,
                          timeout=timeout, cwd=ROOT, check=False)


def fixture(case: str) -> tuple[Path, dict, dict]:
    folder = PAGES / case
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    expected = json.loads((folder / "expected.json").read_text(encoding="utf-8"))
    return folder / "body.html", meta, expected


@pytest.mark.parametrize("case,role,kind,kind_words", CASES)
def test_text_output_names_the_kind_and_title(case, role, kind, kind_words):
    body, meta, expected = fixture(case)
    done = zwgk(str(body), "--url", meta["url"], "--role", role)
    assert done.returncode == 0, done.stderr
    assert f"页面类型：{kind_words}（{kind}）" in done.stdout
    assert f"标题      {expected['title']}" in done.stdout
    assert f"页面：{meta['url']}" in done.stdout


@pytest.mark.parametrize("case,role,kind,_words", CASES)
def test_json_is_the_page_record(case, role, kind, _words):
    body, meta, expected = fixture(case)
    done = zwgk(str(body), "--url", meta["url"], "--role", role, "--json")
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)
    assert doc["schema_version"] == 1
    assert doc["source"] == {"type": "file", "path": str(body), "url": meta["url"], "encoding_override": None}
    record = PageRecord.from_dict(doc["record"])
    assert record.to_dict() == doc["record"]
    assert (record.kind, record.role, record.url) == (kind, role, meta["url"])
    assert (record.title, record.pub_date) == (expected["title"], expected["pub_date"])
    assert record.cms == expected["cms"]


def test_a_list_page_is_known_from_the_page_itself():
    # no --role: the real TRS list page is read as a list from its rows of dated links
    body, meta, _ = fixture("zhangshu_trs_list")
    done = zwgk(str(body), "--url", meta["url"])
    assert done.returncode == 0, done.stderr
    assert "页面类型：栏目列表页（list）" in done.stdout
    assert "页面结构：栏目列表页" in done.stdout
    assert "列表项（24 条，抓取时逐条打开）" in done.stdout
    assert "http://www.zhangshu.gov.cn/zwgk/zhxx/201710/t20171019_398276.html" in done.stdout


def test_text_output_shows_kind_specific_fields():
    body, meta, _ = fixture("miluo_article")
    done = zwgk(str(body), "--url", meta["url"])
    assert "发文字号  岳办发〔2017〕2号（来自正文）" in done.stdout
    assert "发布日期  2017-01-12（来源：信息公开元数据表）" in done.stdout
    assert "索引号" in done.stdout and "12332211/2017-1021337" in done.stdout
    assert "sitename（网站名称）" in done.stdout and "汨罗市人民政府" in done.stdout
    assert "关于全面推进政务公开工作的实施意见.docx［docx，未下载］" in done.stdout


def test_a_file_without_url_resolves_against_its_own_path():
    body, _, _ = fixture("hanweb_article")
    done = zwgk(str(body), "--json")
    assert done.returncode == 0, done.stderr
    record = json.loads(done.stdout)["record"]
    assert record["url"] == body.resolve().as_uri()
    assert record["kind"] == "disclosure_guide"


def test_encoding_overrides_a_wrong_declaration(tmp_path):
    """GBK bytes under a utf-8 declaration (a real defect): only --encoding gets the text right."""
    body, meta, _ = fixture("gbk_gb2312")
    raw = body.read_bytes()
    assert b"charset=gb2312" in raw
    wrong = tmp_path / "wrong.html"
    wrong.write_bytes(raw.replace(b"charset=gb2312", b"charset=utf-8"))

    plain = json.loads(zwgk(str(wrong), "--url", meta["url"], "--json").stdout)["record"]
    assert plain["title"] != GBK_TITLE

    done = zwgk(str(wrong), "--url", meta["url"], "--encoding", "gbk", "--json")
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)
    assert doc["source"]["encoding_override"] == "gbk"
    assert doc["record"]["encoding"] == "gb18030" and doc["record"]["title"] == GBK_TITLE  # w3lib reads gbk as its superset
    assert "《朱镕基讲话实录》" in doc["record"]["main_text"]

    text = zwgk(str(wrong), "--url", meta["url"], "--encoding", "gbk").stdout
    assert GBK_TITLE in text and "按 --encoding gbk 解码" in text


def test_unknown_encoding_is_a_usage_error():
    body, _, _ = fixture("trs_article")
    done = zwgk(str(body), "--encoding", "no-such-charset")
    assert done.returncode == 2
    assert "不认识的字符编码" in done.stderr


def test_missing_file_is_an_error(tmp_path):
    done = zwgk(str(tmp_path / "nope.html"))
    assert done.returncode == 1
    assert "错误：找不到文件" in done.stderr and done.stdout == ""


def test_non_http_scheme_is_an_error():
    done = zwgk("ftp://www.example.gov.cn/xxgk/index.html")
    assert done.returncode == 1
    assert "只支持 http(s) 网址" in done.stderr


# --- URLs, fetched once from the demo site -----------------------------------------------------------


@pytest.fixture(scope="module")
def site():
    with demo_site.serve() as served:
        yield served.base_url


def test_url_is_fetched_and_understood(site):
    url = f"{site}/edu/xxgk/xxgknb/201704/t20170412_3338.html"
    done = zwgk(url)
    assert done.returncode == 0, done.stderr
    assert "页面类型：政府信息公开工作年度报告（annual_report）" in done.stdout
    assert "汨水县教育局2016年政府信息公开工作年度报告" in done.stdout
    assert "来源：在线抓取，HTTP 200" in done.stdout
    assert "报告年度        2016 年" in done.stdout
    assert "收到申请 6 件" in done.stdout


def test_url_json_has_the_service_guide_elements(site):
    url = f"{site}/edu/xxgk/fdzdgknr/zwfw/201704/t20170406_3322.html"
    done = zwgk(url, "--json")
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)
    assert doc["source"]["type"] == "url" and doc["source"]["status"] == 200
    record = PageRecord.from_dict(doc["record"])
    assert record.kind == "service_guide" and record.content_type == "text/html; charset=utf-8"
    elements = record.extras["service_guide"]["elements"]
    assert len(elements) == 22
    assert elements["结果样本"]["state"] == "placeholder"
    assert elements["事项名称"] == {"state": "present", "label": "事项名称", "value": "教师资格认定"}


def test_url_disallowed_by_robots_is_refused(site):
    done = zwgk(f"{site}/admin/login.html")
    assert done.returncode == 1
    assert "robots.txt 禁止抓取" in done.stderr and done.stdout == ""


def test_url_not_found_is_an_error(site):
    done = zwgk(f"{site}/edu/xxgk/no-such-page.html")
    assert done.returncode == 1
    assert "HTTP 404" in done.stderr


def test_url_with_url_option_is_a_usage_error(site):
    done = zwgk(f"{site}/edu/xxgk/index.html", "--url", "http://www.example.gov.cn/")
    assert done.returncode == 2
    assert "--url 只用于本地文件" in done.stderr
