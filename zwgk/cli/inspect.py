"""``zwgk inspect FILE_OR_URL``: what zwgk makes of one page — its kind and every extracted field
(the page is read or fetched by ``zwgk.services.inspect``); the Chinese text report of a page record."""

from __future__ import annotations

import codecs
from pathlib import Path
from urllib.parse import urlsplit

import click

from crawler.record import PageRecord
from zwgk.cli.textui import pad, width
from zwgk.cli.util import CONTEXT, ZhCommand, emit_json, json_option
from zwgk.services.inspect import URL_SCHEME, InspectError, fetch_url, read_file

KIND_WORDS = {
    "disclosure_guide": "政府信息公开指南",
    "annual_report": "政府信息公开工作年度报告",
    "policy": "政策文件",
    "interpretation": "政策解读",
    "service_guide": "办事指南",
    "list": "栏目列表页",
    "other": "其他页面",
}
LAYOUT_WORDS = {"list": "栏目列表页（抓取时打开其中的文章，本页不作为文件检查）", "document": "文章页",
                "both": "既是列表页又展示一篇文章（抓取时打开列表中的文章，本页文章参与检查）"}
ENTRIES_SHOWN = 10
DATE_SOURCE_WORDS = {"meta": "meta 标签", "table": "信息公开元数据表", "info_bar": "标题下的信息栏", "text": "页面文字",
                     "list_page": "栏目列表页", "url": "网址"}
META_WORDS = {
    "sitename": "网站名称", "siteidcode": "网站标识码", "sitedomain": "网站域名", "columnname": "栏目名称",
    "columntype": "栏目类型", "columndescription": "栏目描述", "columnkeywords": "栏目关键词",
    "articletitle": "文章标题", "pubdate": "发布时间", "contentsource": "文章来源", "keywords": "关键词",
    "description": "描述", "author": "作者", "url": "页面地址", "image": "图片", "generator": "生成工具",
}
STATE_WORDS = {"present": "有", "empty": "空白", "placeholder": "占位内容", "image_only": "仅有图片", "missing": "缺失"}
GUIDE_FORMAT_WORDS = {"table": "表格", "prose": "文字叙述", "attachment": "附件"}
REPORT_FORMAT_WORDS = {"free": "自由格式（2019 年以前）", "table_2019": "2019 年表格格式", "table_2021": "2021 年表格格式"}
STAT_WORDS = {"received": "收到申请", "overdue": "逾期答复", "review_cases": "行政复议", "lawsuits": "行政诉讼"}
DOC_NUMBER_SOURCE_WORDS = {"metadata": "信息公开元数据表", "text": "正文", "title": "标题"}
ATTACHMENT_WORDS = {"extracted": "已提取文字", "unreadable": "无法读取此格式", "corrupt": "文件损坏",
                    "too_large": "文件过大", "not_fetched": "未下载", "error": "出错"}
EXCERPT_CHARS = 300


# --- text output -----------------------------------------------------------------------------------


def _pairs(rows: list[tuple[str, str]], indent: str = "  ") -> list[str]:
    label_width = max((width(k) for k, _ in rows), default=0)
    return [f"{indent}{pad(k, label_width)}  {v}" for k, v in rows]


def _extras_lines(record: PageRecord) -> list[str]:
    lines: list[str] = []
    guide = record.extras.get("service_guide")
    if guide:
        elements = guide.get("elements", {})
        states = [e.get("state") for e in elements.values()]
        lines.append(f"办事指南要素（{GUIDE_FORMAT_WORDS.get(guide.get('format'), guide.get('format'))}；"
                     f"{states.count('present')}/{len(elements)} 项有实际内容）：")
        rows = []
        for name, e in elements.items():
            state = STATE_WORDS.get(e.get("state"), e.get("state"))
            value = (e.get("value") or "").replace("\n", " ")
            label = f"［标签：{e['label']}］" if e.get("label") and e.get("label") != name else ""
            rows.append((name, f"{pad(state, 8)}  {_clip(value, 60)}{label}".rstrip()))
        lines += _pairs(rows)
    report = record.extras.get("annual_report")
    if report:
        year = report.get("year")
        lines.append("年度报告：")
        lines += _pairs([
            ("报告年度", f"{year} 年" if year else "未识别"),
            ("格式", REPORT_FORMAT_WORDS.get(report.get("format"), str(report.get("format")))),
            ("依申请公开统计", "；".join(
                f"{STAT_WORDS.get(k, k)} {'未识别' if v is None else f'{v} 件'}" for k, v in (report.get("stats") or {}).items())),
        ])
    policy = record.extras.get("policy")
    if policy:
        number = policy.get("doc_number")
        where = DOC_NUMBER_SOURCE_WORDS.get(policy.get("doc_number_source"), policy.get("doc_number_source"))
        lines.append("政策文件：")
        lines += _pairs([("发文字号", f"{number}（来自{where}）" if number else "未找到")])
    interp = record.extras.get("interpretation")
    if interp:
        lines.append("政策解读所解读的文件：")
        lines += _pairs([
            ("文件标题", "、".join(f"《{t}》" for t in interp.get("policy_titles") or []) or "未找到"),
            ("原文链接", "；".join(interp.get("policy_links") or []) or "未找到"),
            ("发文字号", "、".join(interp.get("doc_numbers") or []) or "未找到"),
        ])
    return lines


def _clip(text: str, chars: int) -> str:
    return text if len(text) <= chars else text[:chars] + "……"


def record_text(record: PageRecord, source: dict) -> str:
    """The page record as a Chinese report for the terminal."""
    lines = [f"页面：{record.url}"]
    if record.final_url != record.url:
        lines.append(f"跳转后：{record.final_url}")
    if source["type"] == "file":
        lines.append(f"来源：本地文件 {source['path']}")
    else:
        lines.append(f"来源：在线抓取，HTTP {source['status']}" + ("；页面超过大小上限，已截断" if source["truncated"] else ""))
    encoding = record.encoding or "（未解码：空白或非文本内容）"
    if source.get("encoding_override"):
        encoding += f"（按 --encoding {source['encoding_override']} 解码）"
    lines += _pairs([
        ("内容类型", record.content_type or "（未声明）"),
        ("字符编码", encoding),
    ], indent="")
    lines.append(f"页面结构：{LAYOUT_WORDS.get(record.layout, record.layout)}")
    lines += [f"  - {reason}" for reason in record.layout_reasons]
    if record.entries:
        lines.append(f"列表项（{len(record.entries)} 条，抓取时逐条打开）：")
        shown = record.entries[:ENTRIES_SHOWN]
        lines += [f"  - {e.date or '（无日期）'}  {e.title}  {e.url}" for e in shown]
        if len(record.entries) > len(shown):
            lines.append(f"  ……另有 {len(record.entries) - len(shown)} 条")
    lines.append("")
    lines.append(f"页面类型：{KIND_WORDS.get(record.kind, record.kind)}（{record.kind}），置信度 {record.kind_confidence:.2f}")
    lines += [f"  - {reason}" for reason in record.kind_reasons]
    lines.append("")
    date = f"{record.pub_date}（来源：{DATE_SOURCE_WORDS.get(record.pub_date_source, record.pub_date_source)}）" if record.pub_date else "未找到"
    lines += _pairs([
        ("标题", record.title or "（未找到）"),
        ("发布日期", date),
        ("栏目", record.column or "（未识别）"),
        ("当前位置", " > ".join(record.breadcrumb) or "（未找到）"),
        ("网站平台", record.cms or "（未识别）"),
    ], indent="")
    lines.append("")
    lines.append(f"信息公开元数据表（{len(record.metadata)} 项）：" if record.metadata else "信息公开元数据表：未找到")
    lines += _pairs(list(record.metadata.items()))
    lines.append(f"政府网站 meta 标签（{len(record.meta)} 个）：" if record.meta else "政府网站 meta 标签：未找到")
    lines += _pairs([(f"{k}（{META_WORDS[k]}）" if k in META_WORDS else k, v) for k, v in record.meta.items()])
    extras = _extras_lines(record)
    if extras:
        lines.append("")
        lines += extras
    lines.append("")
    text = record.main_text.strip()
    if text:
        lines.append(f"正文摘录（共 {len(text)} 字）：")
        lines += [f"  {line}" for line in _clip(text, EXCERPT_CHARS).splitlines() if line.strip()]
    else:
        lines.append("正文：未找到")
    if record.attachments:
        lines.append(f"附件（{len(record.attachments)} 个）：")
        lines += [f"  - {a.name}［{a.ext}，{ATTACHMENT_WORDS.get(a.status, a.status)}］ {a.url}" for a in record.attachments]
    else:
        lines.append("附件：无")
    lines.append(f"链接：{len(record.links)} 个")
    return "\n".join(lines)


# --- the command -----------------------------------------------------------------------------------


def _check_encoding(ctx, param, value):
    if value is None:
        return None
    try:
        codecs.lookup(value)
    except LookupError:
        raise click.BadParameter(f"不认识的字符编码 {value!r}（可用 gbk、gb18030、utf-8 等）") from None
    return value


@click.command("inspect", cls=ZhCommand, context_settings=CONTEXT)
@click.argument("file_or_url")
@click.option("--url", help="本地文件的网址，用于解析页面里的相对链接（默认 file://…）。")
@click.option("--encoding", callback=_check_encoding, help="按此字符编码解码，覆盖页面声明的编码，如 gbk。")
@click.option("--role", type=click.Choice(["detail", "list"]), default="detail", show_default=True,
              help="页面角色：detail（文章页）或 list（栏目列表页）。")
@json_option
def inspect_page(file_or_url, url, encoding, role, as_json):
    """查看一个网页被识别成什么：页面类型及依据、标题、发布日期、信息公开元数据、meta 标签、栏目、正文摘录、附件，以及办事指南要素、年报年度与统计、发文字号、解读对象。

    FILE_OR_URL 为本地网页文件或 http(s) 网址。网址只下载一次，与抓取时相同：遵守 robots.txt，使用相同的用户代理、大小上限和超时。

    \b
    示例：
      zwgk inspect page.html
      zwgk inspect page.html --url http://www.example.gov.cn/xxgk/t20170302_1.html --encoding gbk
      zwgk inspect http://www.example.gov.cn/xxgk/index.html --role list
      zwgk inspect page.html --json
    """
    if URL_SCHEME.match(file_or_url):
        scheme = file_or_url.split(":", 1)[0].lower()
        if scheme not in ("http", "https") or not urlsplit(file_or_url).hostname:
            raise InspectError(f"只支持 http(s) 网址，{file_or_url} 的协议为 {scheme}；本地文件请直接给出文件路径")
        if url:
            raise click.UsageError("--url 只用于本地文件：在线网址的链接按它自己的地址解析")
        record, source = fetch_url(file_or_url, encoding, role)
    else:
        if url and urlsplit(url).scheme not in ("http", "https", "file"):
            raise click.BadParameter(f"应为 http(s) 或 file 网址，实际为 {url!r}", param_hint="--url")
        record, source = read_file(Path(file_or_url), url, encoding, role)
    if as_json:
        emit_json({"source": source, "record": record.to_dict()})
        return
    click.echo(record_text(record, source))
