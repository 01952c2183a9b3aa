"""``zwgk selfcheck URL``: a unit's web administrator checks their own site (``zwgk.services.selfcheck``);
the Chinese summary printed after a self-check."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

import click

from crawler.status import CrawlStatus
from reports.context import SHANGHAI, pts
from zwgk.cli.util import CONTEXT, ZhCommand, emit_json, json_option, note, rubric_option
from zwgk.registry.units import KINDS
from zwgk.services.errors import EXIT_PARTIAL
from zwgk.services.selfcheck import default_out, run

# The crawl status as the site owner's report says it: longer than the tables' words (crawler.status), since
# this one-page report is read without the rest of the system — it says what "partial" and "failed" mean.
CRAWL_WORDS = {
    CrawlStatus.COMPLETE: "完整",
    CrawlStatus.PARTIAL: "部分页面抓取失败",
    CrawlStatus.FAILED: "失败（网站无法抓取，无法评估）",
}


def http_url(value: str, what: str) -> str:
    """``value`` if it is an http(s) URL with a host, else a Chinese usage error."""
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        raise click.BadParameter(f"{value!r} 不是有效的网址", param_hint=what) from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise click.BadParameter(f"只接受 http(s) 网址，实际为 {value!r}", param_hint=what)
    return value




def summary_text(doc: dict) -> str:
    """The Chinese summary printed after a self-check."""
    unit, score, crawl = doc["unit"], doc["score"], doc["crawl"]
    lines = [
        f"自查完成：{unit['name']}（{KINDS[unit['kind']]}），{doc['period']} 年度，{doc['rubric_applied']}：{doc['rubric_title']}（{doc['rubric_id']}）。",
        f"检查的网址：{doc['url']}",
        f"抓取：{CRAWL_WORDS.get(crawl['status'], crawl['status'])}，{crawl['pages']} 个页面。",
    ]
    lines += [f"  {h['message']}" for h in crawl["health"]]
    failed = crawl["status"] == "failed"
    lines.append("")
    if failed:
        lines.append("得分：无法评估（网站未能抓取；下列项目均不扣分，请确认网址可以访问后重新自查）")
    else:
        lines.append(f"暂估得分：{pts(score['final_provisional'])} / {pts(score['total'])}"
                     "（假定下列问题都被考核人员确认；是否扣分以考核人员复核为准）")
    gaps = doc["gaps"]
    if gaps:
        total = sum(g["cost"] for g in gaps)
        lines.append("")
        lines.append(f"发现的问题（{len(gaps)} 项，暂估扣分合计 {pts(total)} 分；同一指标扣完为止）：")
        for g in gaps:
            if g["cost"]:
                cost = f"扣 {pts(g['cost'])} 分"
            else:
                cost = f"不另扣分，已由 {g['excluded_by']} 涵盖" if g["excluded_by"] else "暂不扣分"
            lines.append(f"  {g['position']} {g['indicator']}［{g['status_text']}，{cost}］{g['rule_text']}")
            if g["message"]:
                lines.append(f"      发现：{g['message']}")
            lines.append(f"      整改：{g['remedy']}")
    elif not failed:
        lines += ["", "未发现可自动检查出的问题。"]
    by_reason: dict[str, list[dict]] = {}
    for c in doc["could_not_assess"]:
        by_reason.setdefault(c["reason"] or c["message"] or "原因未说明", []).append(c)
    if by_reason:
        lines.append("")
        lines.append(f"无法评估（{len(doc['could_not_assess'])} 项，不扣分，须人工核实）：")
        for reason, items in by_reason.items():
            lines.append(f"  原因：{reason}")
            lines += [f"    {c['position']} {c['indicator']}：{c['rule_text']}" + (f"（{c['subject']}）" if c["subject"] else "")
                      for c in items]
    if doc["manual_indicators"]:
        lines.append("")
        lines.append(f"另有 {len(doc['manual_indicators'])} 个指标无法从网站检查（须考核人员依据佐证材料评定），本次自查按满分计。")
    lines += ["", f"报告：{doc['files']['html']}（可打印）；数据：{doc['files']['json']}"]
    return "\n".join(lines)




@click.command("selfcheck", cls=ZhCommand, context_settings=CONTEXT)
@click.argument("url")
@click.option("--kind", type=click.Choice(list(KINDS)), required=True,
              help="单位类型：township（乡镇）或 department（市直及驻市单位），决定适用的考核细则。")
@click.option("--period", type=click.IntRange(2000, 2100), help="考核年度，如 2017（默认为当年）。")
@click.option("--out", type=click.Path(file_okay=False), help="输出目录（默认 ./zwgk-selfcheck-<主机名>/；须为新目录、空目录或以前的自查输出目录）。")
@click.option("--scope", "scopes", multiple=True,
              help="另一个属于本单位的网址前缀（可多次给出），如放在政务服务网上的办事指南栏目。")
@click.option("--name", help="单位名称（默认取网站的 SiteName 标签，没有时用主机名）。")
@rubric_option
@json_option
def selfcheck(url, kind, period, out, scopes, name, rubric_ids, as_json):
    """自查本单位网站：抓取信息公开栏目，运行全部检查，按考核细则估算得分，写出自查报告。

    URL 为本单位信息公开栏目的入口网址；只抓取该主机上这个入口所在目录之下的页面（--scope 可以再加）。
    与正式考核使用相同的抓取规则：遵守 robots.txt、对同一网站限速。不需要单位名录，也不需要服务器。
    考核年度默认为当年；当年没有专门的考核细则时按最新的现行细则评估，报告注明“按某年细则评估”。

    报告 report.html（可打印）和 report.json 写到输出目录：列出每个发现的问题、证据、暂估扣分和整改建议，
    以及无法评估的项目和原因。网站无法抓取时退出码为 3（无法评估，不扣分）。按 Ctrl-C 或发送 SIGTERM
    可随时停止（退出码 3），对同一输出目录再次运行同一命令时继续抓取。

    \b
    示例：
      zwgk selfcheck http://www.example.gov.cn/xxgk/index.html --kind department --period 2017
      zwgk selfcheck http://www.example.gov.cn/zhen/xxgk/ --kind township --name 某某镇人民政府
      zwgk selfcheck http://www.example.gov.cn/xxgk/ --kind department --scope http://zwfw.example.gov.cn/bszn/ --json
    """
    http_url(url, "URL")
    for s in scopes:
        http_url(s, "--scope")
    period = period or datetime.now(SHANGHAI).year
    out_dir = Path(out) if out else default_out(url)
    doc = run(url, kind, period, out_dir, scopes=tuple(scopes), name=name, progress=note, rubric_ids=tuple(rubric_ids))
    if as_json:
        emit_json({"selfcheck": {k: v for k, v in doc.items() if k != "schema_version"}})
    else:
        click.echo(summary_text(doc))
    if doc["crawl"]["status"] == "failed":
        sys.exit(EXIT_PARTIAL)
