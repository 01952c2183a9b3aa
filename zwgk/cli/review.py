"""``zwgk score``, ``zwgk review``, ``zwgk manual``, ``zwgk na``: scores, the assessor's decisions, manual entries and 认定."""

from __future__ import annotations


import click

from rubrics.engine import OPEN, STATUS_WORDS, Action
from rubrics.export import num, sheet_to_dict
from zwgk.cli import render
from zwgk.cli.textui import table
from zwgk.cli.util import (
    ZhCommand,
    ZhGroup,
    by_option,
    db_option,
    emit_json,
    json_option,
    note,
    period_option,
    rubric_option,
    units_option,
)
from zwgk.services.review import add_manual, decide, parse_points, review_target
from zwgk.services.rubric_choice import require_target, rubric_choice
from zwgk.services.scoring import score_unit
from zwgk.services.stores import open_store, sync_units, unit_or_fail
from zwgk.store import UnchangedError


@click.command(cls=ZhCommand)
@click.option("--unit", "unit_id", required=True, help="单位编号。")
@period_option
@rubric_option
@db_option
@units_option
@json_option
def score(unit_id, period, rubric_ids, db, units_path, as_json):
    """显示一个单位某年度的得分表：已确认得分、暂估得分及每一处失分的原因。

    暂估得分 = 所有待处理（拟扣分、待复核）的扣分都被确认时的得分。得分表注明所按的考核细则
    （如“按2017年细则评估”）。--rubric 指定另一套细则时，用已抓取的页面重新检查并计分（不重新抓取，
    不写入数据库）。

    \b
    示例：
      zwgk score --unit xinshi-town --period 2017
      zwgk score --unit xinshi-town --period 2017 --json
      zwgk score --unit xinshi-town --period 2018 --rubric township-2018
    """
    with open_store(db) as store:
        sync_units(store, units_path)
        unit = unit_or_fail(store, unit_id)
        sheet, unit = score_unit(store, unit_id, period, rubric_choice(unit, rubric_ids, strict=True))
    if as_json:
        emit_json({"score_sheet": sheet_to_dict(sheet, unit["name"])})
    else:
        click.echo(render.sheet_text(sheet, unit["name"]))


@click.group(cls=ZhGroup)
def review():
    """复核拟扣分：列出、确认、驳回、修改、认定不适用、撤销。每个决定都会留痕，不可删除。

    \b
    示例：
      zwgk review list --unit xinshi-town --period 2017
      zwgk review confirm 3f2a9c1b --by zhangsan
      zwgk review reject 3f2a9c1b --by zhangsan --reason 网站已公开，系抓取遗漏
    """


@review.command("list")
@click.option("--unit", "unit_id", required=True, help="单位编号。")
@period_option
@click.option("--all", "show_all", is_flag=True, help="包括已处理的扣分项（默认只列待处理的）。")
@db_option
@units_option
@json_option
def review_list(unit_id, period, show_all, db, units_path, as_json):
    """列出一个单位的扣分项及其编号（编号前 8 位即可用于 confirm / reject 等命令）。

    \b
    示例：
      zwgk review list --unit xinshi-town --period 2017 --all
    """
    with open_store(db) as store:
        sync_units(store, units_path)
        sheet, unit = score_unit(store, unit_id, period)
    rows = render.review_rows(sheet, show_all)
    if as_json:
        from rubrics.export import deduction_to_dict

        emit_json({"unit_id": unit_id, "period": period, "items": [
            {"indicator_id": r["indicator"].id if r["indicator"] else r["adjustment"].id,
             **deduction_to_dict(r["deduction"])} for r in rows]})
        return
    if not rows:
        click.echo(f"{unit['name']} {period} 年度没有{'' if show_all else '待处理的'}扣分项。")
        return
    out = []
    for r in rows:
        d = r["deduction"]
        where = r["indicator"].position if r["indicator"] else r["adjustment"].name
        flag = "（证据已变化）" if d.evidence_changed else ""
        out.append([d.fingerprint[:8], where, STATUS_WORDS[d.status] + flag, f"{d.rule_text} ×{d.count}",
                    str(num(d.amount)), d.message[:40]])
    click.echo(table(["编号", "指标", "状态", "规则", "扣分", "说明"], out, "<<<<><"))
    open_count = sum(1 for r in rows if r["deduction"].status in OPEN)
    note(f"共 {len(rows)} 项，其中待处理 {open_count} 项。")


def _decide(prefix, action, by, db, as_json, reason=None, count=None, points=None):
    """Record a decision; one equal to the item's latest decision is a no-op with a notice (exit 0)."""
    with open_store(db) as store:
        try:
            decision_id, target = decide(store, prefix, action, by, reason=reason, count=count, points=points)
            unchanged = None
        except UnchangedError as exc:
            unchanged, decision_id = str(exc), exc.decision_id
            target = review_target(store, prefix)
        sheet, unit = score_unit(store, target.unit_id, target.period)
    if as_json:
        emit_json({"decision_id": decision_id, "action": action.value, "fingerprint": target.fingerprint,
                   "unit_id": target.unit_id, "period": target.period, "recorded": unchanged is None,
                   "final_confirmed": num(sheet.final_confirmed), "final_provisional": num(sheet.final_provisional)})
        return
    head = f"{unchanged}：" if unchanged else f"已记录决定 #{decision_id}（{action.value}）："
    click.echo(
        f"{head}{target.fingerprint[:8]}，单位 {unit['name']}。"
        f"现得分：已确认 {num(sheet.final_confirmed)} 分，暂估 {num(sheet.final_provisional)} 分。"
    )


def reason_option(required):
    return click.option("--reason", required=required, help="理由。")


@review.command("confirm")
@click.argument("fingerprint")
@by_option
@reason_option(False)
@db_option
@json_option
def review_confirm(fingerprint, by, reason, db, as_json):
    """确认一项拟扣分。

    \b
    示例：
      zwgk review confirm 3f2a9c1b --by zhangsan
    """
    _decide(fingerprint, Action.CONFIRM, by, db, as_json, reason=reason)


@review.command("reject")
@click.argument("fingerprint")
@by_option
@reason_option(True)
@db_option
@json_option
def review_reject(fingerprint, by, reason, db, as_json):
    """驳回一项拟扣分（须写明理由）。

    \b
    示例：
      zwgk review reject 3f2a9c1b --by zhangsan --reason 已在“政策文件”栏目公开
    """
    _decide(fingerprint, Action.REJECT, by, db, as_json, reason=reason)


@review.command("amend")
@click.argument("fingerprint")
@by_option
@reason_option(True)
@click.option("--count", type=click.IntRange(min=0), help="新的项数或次数。")
@click.option("--points", help="新的扣分值（0.5 的整数倍），优先于按项数计算。")
@db_option
@json_option
def review_amend(fingerprint, by, reason, count, points, db, as_json):
    """修改一项扣分的项数或分值（须写明理由）。项数和分值不能超过规则允许的上限（如“每缺一项扣0.5分”
    时分值不超过 项数×0.5，且不超过该指标分值）。

    \b
    示例：
      zwgk review amend 3f2a9c1b --by zhangsan --count 3 --reason 其中两项要素已在附件中列明
    """
    if count is None and points is None:
        raise click.UsageError("请给出 --count 或 --points")
    _decide(fingerprint, Action.AMEND, by, db, as_json, reason=reason, count=count, points=parse_points(points))


@review.command("na")
@click.argument("fingerprint")
@by_option
@reason_option(True)
@db_option
@json_option
def review_na(fingerprint, by, reason, db, as_json):
    """认定一项扣分不适用（须写明理由），不扣分并注明“不适用（已认定）”。

    \b
    示例：
      zwgk review na 3f2a9c1b --by zhangsan --reason 该单位无行政审批职能，已报市政务公开办认定
    """
    _decide(fingerprint, Action.NOT_APPLICABLE, by, db, as_json, reason=reason)


@review.command("reopen")
@click.argument("fingerprint")
@by_option
@reason_option(True)
@db_option
@json_option
def review_reopen(fingerprint, by, reason, db, as_json):
    """撤销此前的决定，使该项回到待处理状态（原决定保留在记录中）。

    \b
    示例：
      zwgk review reopen 3f2a9c1b --by zhangsan --reason 误点确认
    """
    _decide(fingerprint, Action.REOPEN, by, db, as_json, reason=reason)


@review.command("log")
@click.option("--unit", "unit_id", help="只看此单位。")
@click.option("--period", type=click.IntRange(2000, 2100), help="只看此年度。")
@click.option("--by", "by", help="只看此用户的决定。")
@db_option
@json_option
def review_log(unit_id, period, by, db, as_json):
    """审计记录：每个决定的人、时间、动作与理由（新的在前）。

    \b
    示例：
      zwgk review log --unit xinshi-town --period 2017
    """
    with open_store(db) as store:
        log = store.decision_log(unit_id=unit_id, period=period, by=by)
    if as_json:
        emit_json({"decisions": log})
        return
    rows = [[str(d["id"]), d["at"], d["by"], d["unit_id"], d["fingerprint"][:8], d["action"],
             "" if d.get("count") is None else str(d["count"]), "" if d.get("points") is None else str(d["points"]),
             d.get("reason") or ""] for d in log]
    click.echo(table(["#", "时间", "用户", "单位", "扣分项", "动作", "项数", "分值", "理由"], rows))


@click.group(cls=ZhGroup)
def manual():
    """人工录入：网站上看不出的扣分项，以及加分、减分事件。

    \b
    示例：
      zwgk manual add --unit xinshi-town --period 2017 --rule township-2017.1.3.a --by zhangsan --reason 未列入预算
      zwgk manual add --unit xinshi-town --period 2017 --rule township-2017.bonus.b --count 1 --by zhangsan --reason 市政府通报表扬
    """


@manual.command("add")
@click.option("--unit", "unit_id", required=True, help="单位编号。")
@period_option
@click.option("--rule", "rule_id", required=True, help="规则编号，如 township-2017.1.3.a（见 zwgk rubric show）。")
@click.option("--count", type=click.IntRange(min=1), default=1, show_default=True, help="项数或次数。")
@click.option("--points", help="直接给出扣分（或加减分）值，优先于按规则计算。")
@by_option
@reason_option(True)
@db_option
@units_option
@json_option
def manual_add(unit_id, period, rule_id, count, points, by, reason, db, units_path, as_json):
    """录入一项人工扣分或加减分事件（录入即视为已确认，可用 review reject 撤回）。项数和分值不能超过
    规则允许的上限。

    \b
    示例：
      zwgk manual add --unit xinshi-town --period 2017 --rule township-2017.5.1.a --count 3 --by zhangsan --reason 全年仅报送9条
    """
    with open_store(db) as store:
        sync_units(store, units_path)
        fp = add_manual(store, unit_id, period, rule_id, count, parse_points(points), reason, by)
        sheet, _ = score_unit(store, unit_id, period)
    if as_json:
        emit_json({"fingerprint": fp, "unit_id": unit_id, "period": period, "rule_id": rule_id, "count": count,
                   "final_confirmed": num(sheet.final_confirmed), "final_provisional": num(sheet.final_provisional)})
        return
    click.echo(f"已录入 {fp[:15]}：{rule_id} ×{count}。现得分：已确认 {num(sheet.final_confirmed)} 分。")


def determination_options(f):
    """The options of `na add` and `na revoke`: which unit, period and indicator or rule, by whom, why."""
    for option in reversed([
        click.option("--unit", "unit_id", required=True, help="单位编号。"),
        period_option,
        click.option("--target", "target_id", required=True, help="指标编号或规则编号。"),
        by_option,
        reason_option(True),
        db_option,
        units_option,
        json_option,
    ]):
        f = option(f)
    return f


@click.group(cls=ZhGroup)
def na():
    """认定不适用：某单位某年度的整个指标或某条规则不适用（依细则“说明”，报市政务公开办认定）。

    \b
    示例：
      zwgk na add --unit xinshi-town --period 2017 --target township-2017.3.12 --by zhangsan --reason 无工程建设项目审批职能
    """


@na.command("add")
@determination_options
def na_add(unit_id, period, target_id, by, reason, db, units_path, as_json):
    """认定一个指标或规则不适用：不扣分，按满分计，并在得分表中注明。

    \b
    示例：
      zwgk na add --unit xinshi-town --period 2017 --target township-2017.3.12 --by zhangsan --reason 无此职责
    """
    _determine(unit_id, period, target_id, by, reason, db, units_path, as_json, revoked=False)


@na.command("revoke")
@determination_options
def na_revoke(unit_id, period, target_id, by, reason, db, units_path, as_json):
    """撤销一项不适用认定（原认定保留在记录中）。

    \b
    示例：
      zwgk na revoke --unit xinshi-town --period 2017 --target township-2017.3.12 --by zhangsan --reason 认定有误
    """
    _determine(unit_id, period, target_id, by, reason, db, units_path, as_json, revoked=True)


def _determine(unit_id, period, target_id, by, reason, db, units_path, as_json, revoked):
    with open_store(db) as store:
        sync_units(store, units_path)
        unit = unit_or_fail(store, unit_id)
        require_target(unit, period, target_id)
        store.add_determination(unit_id, period, target_id, reason, by, revoked=revoked)
        sheet, _ = score_unit(store, unit_id, period)
    if as_json:
        emit_json({"unit_id": unit_id, "period": period, "target_id": target_id, "revoked": revoked,
                   "final_confirmed": num(sheet.final_confirmed), "final_provisional": num(sheet.final_provisional)})
        return
    word = "已撤销认定" if revoked else "已认定不适用"
    click.echo(f"{word}：{unit['name']} {period} 年度 {target_id}。现得分：已确认 {num(sheet.final_confirmed)} 分。")
