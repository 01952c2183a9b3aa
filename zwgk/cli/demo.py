"""``zwgk demo``: the main job end to end on the bundled demo site (``zwgk.services.demo``), and the summary
it prints."""

from __future__ import annotations

from pathlib import Path

import click

from crawler.status import crawl_status_word
from zwgk.cli.render import rubrics_applied
from zwgk.cli.textui import table
from zwgk.cli.util import ZhCommand, emit_json, json_option, note
from zwgk.services.demo import run


def summary_text(result: dict) -> str:
    rows = [
        [r["unit_name"], r["unit_id"], crawl_status_word(r["crawl_status"]), str(r["pages"]),
         str(r["final_confirmed"]), str(r["final_provisional"]), str(r["open_count"]), str(r["could_not_assess"])]
        for r in result["units"]
    ]
    db = result["db"]
    first = result["units"][0]["unit_id"]
    reports_dir = Path(result["out"]) / "reports"
    lines = [
        f"演示完成：{result['period']} 年度，抓取演示网站 → 检查 → 评分 → 报告。",
        "",
        table(["单位", "编号", "抓取", "页面", "已确认得分", "暂估得分", "待处理", "无法评估项"], rows, "<<<>>>>>"),
        rubrics_applied((r["rubric_id"], r["rubric_applied"]) for r in result["units"]),
        "",
        "暂估得分 = 所有待处理的拟扣分都被确认时的得分；待处理项须考核人员确认、驳回或修改。",
        f"报告：{reports_dir / 'summary.html'}（汇总排名）及各单位自查报告、XLSX 得分表，均在 {reports_dir}/",
        "",
        "打开复核网页（同一数据）：",
        f"  zwgk serve --db {db}",
        "  然后用浏览器访问 http://127.0.0.1:8000/",
        "",
        "或在命令行复核：",
        f"  zwgk review list --db {db} --unit {first} --period {result['period']}",
        f"  zwgk score --db {db} --unit {first} --period {result['period']}",
        "",
        "演示账号（仅用于演示）：",
    ]
    lines += [f"  {x['username']}（{x['role']}）密码 {x['password']}" for x in result["logins"]]
    return "\n".join(lines)


@click.command(cls=ZhCommand)
@click.option("--out", type=click.Path(file_okay=False), default="zwgk-demo", show_default=True, help="输出目录（每次重新生成）。")
@json_option
def demo(out, as_json):
    """在内置演示网站上跑一遍主流程：在本机临时端口启动虚构县的演示网站，抓取、检查、评分、生成报告。

    结果写入全新的输出目录（数据库、网页快照、单位名录、报告），并打印各单位得分、报告位置、
    打开复核网页的命令和演示账号。礼貌限速只对本机回环地址放宽。

    \b
    示例：
      zwgk demo
      zwgk demo --out /tmp/zwgk-demo --json
    """
    result = run(Path(out), progress=note)
    if as_json:
        emit_json({"demo": result})
        return
    click.echo(summary_text(result))
