"""``zwgk crawl``, ``zwgk reextract``, ``zwgk check``: the chain's stages run one at a time."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from crawler.status import CrawlStatus, crawl_status_word
from zwgk import paths
from zwgk.cli.textui import table
from zwgk.cli.util import (
    ZhCommand,
    db_option,
    emit_json,
    json_option,
    note,
    period_option,
    rubric_option,
    units_option,
)
from zwgk.services.errors import EXIT_LOCKED, EXIT_PARTIAL, AppError
from zwgk.services.stores import crawl_store, host_settings, open_store, sync_units, unit_or_fail


def crawl_word(status: str) -> str:
    return crawl_status_word(status) + ("（无法评估）" if status == CrawlStatus.FAILED else "")


@click.command(cls=ZhCommand)
@click.option("--unit", "unit_ids", multiple=True, help="只抓取这些单位（可多次给出；默认全部单位）。")
@click.option("--full", is_flag=True, help="全量：重新访问每个已知页面（条件请求），以发现栏目深处的修改。")
@db_option
@units_option
@json_option
def crawl(unit_ids, full, db, units_path, as_json):
    """抓取各单位网站的信息公开栏目，保存原始页面作为证据（可中断，下次运行时继续）。

    默认增量抓取：每晚重新访问栏目列表页，只下载新增的文章和附件；遵守 robots.txt，
    对同一网站限速。抓取失败的单位记为“无法评估”，不会因此扣分。每个单位的请求数、时间和栏目分页数都有上限，
    没抓完的记为“未抓完”（部分），识别出的抓取陷阱记入抓取说明。

    按 Ctrl-C 或发送 SIGTERM 可随时停止：几秒内结束，退出码 3，已抓取的页面都会保存，再次运行时从中断处继续；
    连续两次则立即退出。抓取参数可用环境变量 ZWGK_CRAWL_SETTINGS（JSON）覆盖。

    \b
    示例：
      zwgk crawl --units var/units.yaml
      zwgk crawl --unit xinshi-town --full
    """
    from zwgk.services import crawling

    db_path = Path(db) if db else paths.default_db_path()
    with open_store(db_path) as store:
        sync_units(store, units_path)
    settings = host_settings(units_path)
    try:
        run_id, results = crawling.crawl_units(db_path, list(unit_ids) or None, full=full, settings=settings,
                                               progress=note)
    except crawling.CrawlLocked as exc:
        note(f"错误：{exc}")
        sys.exit(EXIT_LOCKED)
    if as_json:
        emit_json({"run_id": run_id, "units": [r.__dict__ for r in results]})
    else:
        rows = []
        for r in results:
            pages = r.summary.get("pages", {})
            rows.append([r.unit_name, r.unit_id, crawl_word(r.status),
                         str(sum(pages.values())), str(r.summary.get("not_modified", 0)),
                         str(sum(r.summary.get("errors", {}).values())),
                         "；".join(h["message"] for h in r.health)])
        click.echo(table(["单位", "编号", "状态", "页面", "未变化", "错误", "说明"], rows, "<<<>>><"))
        click.echo(f"抓取运行 #{run_id} 完成。下一步：zwgk check --period <年度>")
    if any(r.status != "complete" for r in results):
        sys.exit(EXIT_PARTIAL)


@click.command(cls=ZhCommand)
@click.option("--unit", "unit_id", help="只处理此单位（默认全部单位）。")
@click.option("--force", is_flag=True, help="连已是最新版本的页面记录也重建。")
@db_option
@json_option
def reextract(unit_id, force, db, as_json):
    """用已保存的网页快照重建页面记录（抽取规则改进后使用），无需重新抓取。

    只重建过期的记录；--force 全部重建。原始快照（证据）不会改动。之后运行 zwgk check 使检查结果更新。

    \b
    示例：
      zwgk reextract
      zwgk reextract --unit xinshi-town --force --json
    """
    from zwgk.services.reextract import reextract as run_reextract

    with open_store(db) as store:
        if unit_id:
            unit_or_fail(store, unit_id)
        counts = run_reextract(crawl_store(store), unit_id, force=force, progress=note)
    if as_json:
        emit_json({"counts": dict(counts)})
    else:
        click.echo(f"重建页面记录 {counts['records']} 个、附件文本 {counts['attachments']} 个；"
                   f"已是最新 {counts['up_to_date']} 个；快照缺失 {counts['snapshot_missing']} 个。")
    if counts["snapshot_missing"]:
        sys.exit(EXIT_PARTIAL)


@click.command(cls=ZhCommand)
@click.option("--unit", "unit_ids", multiple=True, help="只检查这些单位（可多次给出；默认全部单位）。")
@period_option
@rubric_option
@db_option
@units_option
@json_option
def check(unit_ids, period, rubric_ids, db, units_path, as_json):
    """对已抓取的页面运行全部检查，记录发现并生成拟扣分（等待考核人员复核）。

    未抓取或抓取失败的单位记为“无法评估”，不会因此扣分。同一发现在下次检查时指纹不变，
    已作出的复核决定继续有效。默认按考核年度适用的细则检查；--rubric 改按另一套细则（如年中改用
    新细则），此后的得分表、报告按该细则，直到下一次检查。

    \b
    示例：
      zwgk check --period 2017
      zwgk check --unit xinshi-town --period 2017 --json
      zwgk check --period 2018 --rubric township-2018
    """
    from zwgk.services import checking

    with open_store(db) as store:
        sync_units(store, units_path)
        ids = list(unit_ids) or [u["id"] for u in store.list_units()]
        if not ids:
            raise AppError("单位名录为空：请先用 --units 指定单位名录或 zwgk units import 导入")
        run_id, results = checking.check_units(store, crawl_store(store), ids, period, progress=note,
                                               rubric_ids=rubric_ids)
    failed = [r for r in results if r.crawl_status == "failed"]
    if as_json:
        emit_json({"run_id": run_id, "period": period, "units": [r.__dict__ for r in results]})
    else:
        rows = [[r.unit_name, r.unit_id, r.rubric_id, crawl_word(r.crawl_status), str(r.records),
                 str(r.outcomes.get("fail", 0)), str(r.outcomes.get("needs_review", 0)),
                 str(r.outcomes.get("could_not_assess", 0)), str(r.outcomes.get("pass", 0))] for r in results]
        click.echo(table(["单位", "编号", "考核细则", "抓取", "页面", "拟扣分", "待复核", "无法评估", "通过"], rows, "<<<<>>>>>"))
        click.echo(f"检查运行 #{run_id} 已记录。用 zwgk review list 查看待处理项，zwgk score 查看得分。")
    if failed:
        sys.exit(EXIT_PARTIAL)
