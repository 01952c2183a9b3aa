"""``zwgk selfcheck URL``: a unit's web administrator checks their own site, with no registry and no server.

URL is the unit's disclosure root. The run builds a one-unit registry (id from the host, e.g.
``self-www-example-gov-cn``; scope = that host and the root's folder, plus ``--scope`` prefixes), crawls
into a fresh store in the output folder with the same polite crawler and scope rules as ``zwgk crawl``
(``zwgk.services.crawling.crawl_units``), runs every check, scores, and writes ``report.html`` (the unit report of
``zwgk report``) and ``report.json`` (``selfcheck_document``: score sheet, every flagged gap with its
evidence, its provisional cost and how to fix it, what could not be assessed and why).

The unit's name is ``--name``, else the site's ``SiteName`` meta tag (the disclosure root's, else the most
common one), else the host. The output folder must be new, empty, or an earlier self-check's output (a
marker file says so; that folder is then emptied and rewritten — unless it holds a self-check of the same
site whose crawl a stop signal interrupted: that crawl is then continued). A site that could not be crawled
yields a report of "could not assess" items and exit code 3, never a deduction; so does a stopped run.

``zwgk.cli`` adds the ``selfcheck`` command object to the ``zwgk`` group.
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

import click

from crawler.record import PageRecord
from crawler.status import CrawlStatus
from reports.context import SHANGHAI, UnitReport, pts
from reports.html import render_unit_report
from reports.remedies import load_remedies
from rubrics.export import SCHEMA_VERSION
from rubrics.model import Automation, Rubric
from zwgk.services import app
from zwgk.services import checking
from zwgk.services import crawling
from zwgk.cli.util import CONTEXT, EXIT_PARTIAL, ZhCommand, emit_json, json_option, note, rubric_option
from zwgk.services.reporting import build_reports
from zwgk.store import Store
from zwgk.registry.units import KINDS, parse_units

MARKER = ".zwgk-selfcheck"
JSON_KIND = "zwgk-selfcheck"
OPEN_STATUSES = ("proposed", "needs_review")
# The crawl status as the site owner's report says it: longer than the tables' words (crawler.status), since
# this one-page report is read without the rest of the system — it says what "partial" and "failed" mean.
CRAWL_WORDS = {
    CrawlStatus.COMPLETE: "完整",
    CrawlStatus.PARTIAL: "部分页面抓取失败",
    CrawlStatus.FAILED: "失败（网站无法抓取，无法评估）",
}


# --- the one-unit registry -------------------------------------------------------------------------


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


def host_slug(url: str) -> str:
    """The host as lowercase letters, digits and dashes: www.example.gov.cn → www-example-gov-cn."""
    return re.sub(r"[^a-z0-9]+", "-", (urlsplit(url).hostname or "").lower()).strip("-")


def unit_id_for(url: str) -> str:
    return ("self-" + host_slug(url))[:64].rstrip("-_")


def default_out(url: str) -> Path:
    return Path(f"zwgk-selfcheck-{host_slug(url)}")


def self_unit(url: str, kind: str, scopes: tuple[str, ...] = (), name: str | None = None) -> dict:
    """The registry entry of the unit behind ``url`` (validated like a units file)."""
    parts = urlsplit(url)
    unit = {
        "id": unit_id_for(url),
        "name": name or parts.hostname,
        "kind": kind,
        "site": f"{parts.scheme}://{parts.netloc}/",
        "disclosure_roots": [url],
        "scopes": list(scopes),
        "subunits": [],
    }
    return parse_units({"units": [unit]}, "自查单位")[0].to_dict()


def site_name(records: list[PageRecord]) -> str | None:
    """The SiteName meta tag of the disclosure root, else the one most pages carry."""
    for r in records:
        if r.role == "root" and r.meta.get("sitename", "").strip():
            return r.meta["sitename"].strip()
    names = Counter(r.meta["sitename"].strip() for r in records if r.meta.get("sitename", "").strip())
    return names.most_common(1)[0][0] if names else None


def fresh_dir(out: Path) -> None:
    app.fresh_output_dir(out, MARKER, "自查")


def interrupted_here(out: Path, unit_id: str) -> bool:
    """Does ``out`` hold a self-check of this unit whose crawl was interrupted (and can be continued)?"""
    db_path = out / "zwgk.db"
    if not (out / MARKER).is_file() or not db_path.is_file():
        return False
    with Store.open(db_path) as store:
        return (any(u["id"] == unit_id for u in store.list_units())
                and crawling.unfinished_run(store, out / "jobs") is not None)


# --- report.json -----------------------------------------------------------------------------------


def _gaps(report: UnitReport, rubric: Rubric) -> list[dict]:
    """Every open proposal from a check, with its evidence, provisional cost and remedy, in rubric order."""
    remedies = load_remedies()
    evidence = {str(f["id"]): f.get("evidence") for f in report.data.findings}
    gaps = []
    owners = [(i["id"], i.get("position", ""), i["name"], i["deductions"])
              for c in report.data.sheet["categories"] for i in c["indicators"]]
    owners += [(a["id"], "", next(x.name for x in rubric.adjustments if x.id == a["id"]), a["entries"])
               for a in report.data.sheet["adjustments"]]
    for owner_id, position, name, deductions in owners:
        for d in deductions:
            if d["source"] != "check" or d["status"] not in OPEN_STATUSES:
                continue
            gaps.append({
                "indicator_id": owner_id,
                "position": position,
                "indicator": name,
                "rule_id": d["rule_id"],
                "rule_text": d["rule_text"],
                "status": d["status"],
                "status_text": d["status_text"],
                "count": d["count"],
                "points": d["points"],
                "cost": d["provisional_points"],
                "excluded_by": d["excluded_by"],
                "subject": d["subject"],
                "message": d["message"],
                "evidence": evidence.get(d.get("evidence_ref") or ""),
                "remedy": remedies.for_rule(d["rule_id"]),
                "fingerprint": d["fingerprint"],
            })
    return gaps


def selfcheck_document(report: UnitReport, rubric: Rubric, url: str, crawl: crawling.UnitCrawl, pages: int,
                       files: dict) -> dict:
    """The content of ``report.json`` (and of ``--json``): see the module notes."""
    sheet = report.data.sheet
    manual = [{"indicator_id": i.id, "position": i.position, "indicator": i.name}
              for c in rubric.categories for i in c.indicators if i.automation is Automation.MANUAL]
    return {
        "schema_version": SCHEMA_VERSION,
        "kind": JSON_KIND,
        "url": url,
        "period": report.period,
        "unit": report.data.unit,
        "rubric_id": rubric.id,
        "rubric_title": rubric.title,
        "rubric_applied": rubric.applied_label,
        "assessed": crawl.status != "failed",  # False: the site could not be crawled, the score means nothing
        "crawl": {"status": crawl.status, "health": crawl.health, "pages": pages,
                  "requests": crawl.summary.get("requests", 0)},
        "score": {
            "total": sheet["total"],
            "final_provisional": sheet["final_provisional"],
            "subtotal_provisional": sheet["subtotal_provisional"],
            "final_confirmed": sheet["final_confirmed"],
            "open_count": sheet["open_count"],
        },
        "gaps": _gaps(report, rubric),
        "could_not_assess": [
            {"rule_id": c.rule_id, "position": c.position, "indicator": c.owner_name, "rule_text": c.rule_text,
             "subject": c.subject, "message": c.message, "reason": c.reason}
            for c in report.could_not_assess
        ],
        "manual_indicators": manual,
        "files": files,
        "score_sheet": sheet,
        "findings": report.data.findings,
    }


# --- the run ---------------------------------------------------------------------------------------


def run(url: str, kind: str, period: int, out: Path, *, scopes: tuple[str, ...] = (), name: str | None = None,
        progress: Callable[[str], None] = lambda _: None, settings: dict | None = None,
        rubric_ids: tuple[str, ...] = ()) -> dict:
    """Crawl, check, score and report one ad-hoc unit into ``out``; returns ``selfcheck_document``.
    ``settings``: crawl settings over the defaults (tests and programmatic callers: delays, timeouts).
    ``rubric_ids``: ``--rubric`` (default: the rubric in force for the kind and period)."""
    unit = self_unit(url, kind, scopes, name)
    rubric_ids = tuple(filter(None, [app.rubric_choice(unit, rubric_ids, strict=True)]))
    rubric = app.rubric_of(unit, period, rubric_ids[0] if rubric_ids else None)  # none for the period: say so before crawling
    progress(f"{period} 年度{rubric.applied_label}（{rubric.id}）")
    db_path = out / "zwgk.db"
    if interrupted_here(out, unit["id"]):
        progress(f"继续上次被中断的自查（{out}）")
    else:
        fresh_dir(out)
        with Store.open(db_path) as store:
            store.upsert_units([unit])
    progress(f"抓取 {url}（范围：{'、'.join(unit['disclosure_roots'] + unit['scopes'])} 所在目录）")
    _, crawled = crawling.crawl_units(db_path, [unit["id"]], progress=progress, settings=settings)
    crawl = crawled[0]

    with Store.open(db_path) as store:
        cs = app.crawl_store(store)
        records = cs.unit_records(unit["id"])
        if not name:
            unit["name"] = site_name(records) or unit["name"]
            store.upsert_units([unit])
        progress("运行检查")
        checking.check_units(store, cs, [unit["id"]], period, progress=progress, rubric_ids=rubric_ids)
        progress("计算得分并生成报告")
        reports, _ = build_reports(store, [unit["id"]], period)
    report = reports[0]
    html_path, json_path = out / "report.html", out / "report.json"
    html_path.write_text(render_unit_report(report), encoding="utf-8")
    files = {"html": str(html_path), "json": str(json_path), "db": str(db_path)}
    doc = selfcheck_document(report, rubric, url, crawl, len(records), files)
    json_path.write_text(json.dumps(doc, ensure_ascii=False, indent=2), encoding="utf-8")
    return doc


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
