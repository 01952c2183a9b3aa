"""``zwgk nightly``: the whole chain for every unit of the registry, unattended (``zwgk.services.nightly``),
and the Chinese summary it prints."""

from __future__ import annotations

import os
import sys
from datetime import datetime
from pathlib import Path

import click

from crawler.status import crawl_status_word
from reports.context import SHANGHAI
from zwgk import paths
from zwgk.cli.render import rubrics_applied
from zwgk.cli.textui import table
from zwgk.cli.util import CONTEXT, ZhCommand, db_option, emit_json, json_option, note, units_option
from zwgk.services.errors import EXIT_LOCKED, EXIT_OK
from zwgk.services.nightly import NightlyLocked, NightlyResult, run_nightly, smtp_from_env


def summary_text(result: NightlyResult) -> str:
    rows = [
        [u.unit_name, u.unit_id, crawl_status_word(u.crawl_status) + ("" if u.assessed else "（无法评估）"),
         str(u.pages), str(u.new_gaps), str(u.resolved_gaps), str(u.open_count), str(u.final_confirmed),
         str(u.final_provisional)]
        for u in result.units
    ]
    lines = [
        f"夜间任务完成：{result.period} 年度，抓取 → 检查 → 评分 → 报告 → 摘要。",
        "",
        table(["单位", "编号", "抓取", "页面", "新增问题", "已解决", "待处理", "已确认得分", "暂估得分"], rows, "<<<>>>>>>"),
        rubrics_applied((u.rubric_id, u.rubric_applied) for u in result.units),
        "",
    ]
    if result.crawl_error:
        lines.append(f"抓取出错：{result.crawl_error}。检查基于此前已保存的页面，详见日志。")
    unassessed = [u.unit_name for u in result.units if not u.assessed]
    if unassessed:
        lines.append(f"无法评估的单位（网站抓取失败，不据此扣分）：{'、'.join(unassessed)}")
    changed = sum(u.evidence_changed for u in result.units)
    if changed:
        lines.append(f"证据已变化的已决定项：{changed} 项，请复核。")
    lines += [
        f"报告：{Path(result.out) / 'summary.html'}（汇总排名）及各单位自查报告、XLSX 得分表，均在 {result.out}/",
        f"摘要：{result.digest}",
        f"日志：{result.log}",
    ]
    mail = result.mail
    if not mail.configured:
        lines.append("邮件：未配置（设置 ZWGK_SMTP_HOST 等环境变量后发送摘要邮件）")
    elif mail.sent:
        lines.append(f"邮件：摘要已发送至 {'、'.join(mail.recipients)}")
    else:
        lines.append(f"邮件未发送：{mail.error}（详见日志；考核数据不受影响）")
    return "\n".join(lines)


@click.command("nightly", cls=ZhCommand, context_settings=CONTEXT)
@click.option("--period", type=click.IntRange(2000, 2100), help="考核年度，如 2017（默认为当年）。")
@db_option
@units_option
@click.option("--out", type=click.Path(file_okay=False),
              help="报告与每日摘要的输出目录（默认为数据库所在目录下的 reports/<年度>/，即 $ZWGK_HOME/reports/<年度>/）。")
@click.option("--full", is_flag=True, help="全量抓取：重新访问每个已知页面（条件请求），以发现栏目深处的修改。")
@json_option
def nightly(period, db, units_path, out, full, as_json):
    """夜间任务：同步单位名录，抓取全部单位网站，运行检查、评分，生成报告和每日摘要，并按配置发送摘要邮件。

    一个单位抓取失败不影响其他单位；抓取失败的单位记为“无法评估”，不据此扣分。同一数据库同时只能运行一个夜间任务。每次运行在数据库所在目录的 logs/ 下写一份日志（含全部进度和错误详情），终端只输出汇总。

    每日摘要列出与各单位上一次检查相比的变化：新增问题、已解决的问题、网站无法访问或疑似改版的单位、待处理的扣分、证据已变化的已决定项，与报告写在同一目录。设置了环境变量 ZWGK_SMTP_HOST 时以 HTML 邮件发送；发送失败只记入日志和汇总，不影响考核数据。

    \b
    邮件设置（环境变量）：
      ZWGK_SMTP_HOST      SMTP 服务器（不设置则不发邮件）
      ZWGK_SMTP_PORT      端口，默认 25；465 时使用 SSL
      ZWGK_SMTP_STARTTLS  1 时启用 STARTTLS，默认 0
      ZWGK_SMTP_USER、ZWGK_SMTP_PASSWORD  需要登录时填写
      ZWGK_MAIL_FROM      发件人
      ZWGK_MAIL_TO        收件人，多个用英文逗号分隔

    退出码：0 全部单位已评估；3 部分单位无法评估；1 出错；4 另一个夜间任务或抓取任务正在运行。

    \b
    示例：
      zwgk nightly --units /var/lib/zwgk/units.yaml
      zwgk nightly --period 2017 --db var/zwgk.db --out /srv/zwgk/reports
      zwgk nightly --period 2017 --full --json
    """
    period = period or datetime.now(SHANGHAI).year
    db_path = Path(db) if db else paths.default_db_path()
    smtp = smtp_from_env(os.environ)
    progress = note if sys.stderr.isatty() else (lambda _: None)
    try:
        result = run_nightly(db_path, period=period, units_path=units_path, out_dir=out, full=full, smtp=smtp,
                             progress=progress)
    except NightlyLocked as exc:
        note(f"错误：{exc}")
        sys.exit(EXIT_LOCKED)
    if as_json:
        emit_json({"nightly": result.to_dict()})
    else:
        click.echo(summary_text(result))
    if result.exit_code != EXIT_OK:
        sys.exit(result.exit_code)
