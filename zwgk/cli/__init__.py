"""The ``zwgk`` command: a thin click layer over ``zwgk.services`` (help and messages in Chinese).

Conventions (design.md): ``--json`` prints exactly one JSON document on stdout; progress and logs go to
stderr. Exit codes: 0 ok, 1 error, 2 usage, 3 partial, 4 another run holds the lock.

SIGINT / SIGTERM: the first one ends the command where it is with a Chinese message and exit code 3 (a
crawl in progress handles the signal itself and stops within seconds: ``crawler.runner``); the run
continues next time. A second signal exits at once.
"""

from __future__ import annotations

import getpass
import os
import signal
import sys
import threading
from pathlib import Path

import click

from crawler.status import CrawlStatus, crawl_status_word
from rubrics.engine import OPEN, STATUS_WORDS, Action, EngineError
from rubrics.export import num, rubric_to_dict, sheet_to_dict
from checks.registry import catalogue, checks as all_checks, get_rubric, rubrics as load_rubrics
from rubrics.loader import RubricError, load_rubric_file
from zwgk import paths
from zwgk.cli import render
from zwgk.cli import web as webcli
from zwgk.cli.demo import demo
from zwgk.cli.inspect import inspect_page
from zwgk.cli.nightly import nightly
from zwgk.cli.recheck import recheck
from zwgk.cli.report import report
from zwgk.cli.selfcheck import selfcheck
from zwgk.cli.textui import table
from zwgk.cli.unit_import import units_import
from zwgk.cli.util import (
    CONTEXT,
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
from zwgk.registry.units import UnitsError
from zwgk.services.errors import EXIT_ERROR, EXIT_LOCKED, EXIT_OK, EXIT_PARTIAL, EXIT_USAGE, AppError, Interrupted
from zwgk.services.review import add_manual, decide, parse_points, require_good_password, review_target
from zwgk.services.rubric_choice import require_target, rubric_choice
from zwgk.services.scoring import score_unit
from zwgk.services.stores import crawl_store, host_settings, open_store, sync_units, unit_or_fail
from zwgk.store import ROLES, StoreError, UnchangedError

def crawl_word(status: str) -> str:
    return crawl_status_word(status) + ("（无法评估）" if status == CrawlStatus.FAILED else "")


USER_ERRORS = (AppError, StoreError, RubricError, UnitsError, EngineError, LookupError)


@click.group(cls=ZhGroup, context_settings=CONTEXT)
@click.version_option(package_name="zwgk", message="zwgk %(version)s", help="显示版本并退出。")
def cli():
    """zwgk：政务公开考核辅助系统。

    按考核细则检查各单位政府网站，把发现的问题作为“拟扣分”交给考核人员确认、驳回或修改，
    并生成得分表。

    \b
    示例：
      zwgk demo                                  # 在内置演示网站上跑一遍
      zwgk rubric show township-2017             # 查看乡镇考核细则
      zwgk score --unit xinshi-town --period 2017
    """


# --- rubric -----------------------------------------------------------------------------------------


@cli.group(cls=ZhGroup)
def rubric():
    """考核细则：列出、查看、校验。

    \b
    示例：
      zwgk rubric list
      zwgk rubric show department-2017 --json
      zwgk rubric validate rubrics/township-2018.yaml
      zwgk rubric diff township-2017 township-2018
    """


@rubric.command("list")
@json_option
def rubric_list(as_json):
    """列出已安装的考核细则。

    \b
    示例：
      zwgk rubric list --json
    """
    rubrics = sorted(load_rubrics().values(), key=lambda r: r.id)
    if as_json:
        emit_json({"rubrics": [
            {"id": r.id, "title": r.title, "kind": r.kind, "year": r.year, "total": num(r.total),
             "indicators": len(r.indicators), "periods": {"from": r.applies_from, "until": r.applies_until}}
            for r in rubrics]})
        return
    rows = [[r.id, r.title, str(r.year), r.periods_label, str(len(r.indicators)), str(num(r.total))] for r in rubrics]
    click.echo(table(["编号", "名称", "年度", "适用年度", "指标数", "满分"], rows, "<<><>>"))


@rubric.command("show")
@click.argument("rubric_id")
@json_option
def rubric_show(rubric_id, as_json):
    """按原表顺序显示一个考核细则：指标名称、考核内容、分值、扣分办法及拆分后的规则编号。

    \b
    示例：
      zwgk rubric show township-2017
    """
    r = get_rubric(rubric_id)
    if as_json:
        emit_json({"rubric": rubric_to_dict(r)})
    else:
        click.echo(render.rubric_text(r))


@rubric.command("validate")
@click.argument("file", type=click.Path(dir_okay=False))
@json_option
def rubric_validate(file, as_json):
    """校验一个考核细则文件（编号唯一、分值为正、各类合计与总分一致、所绑定的检查及其角色存在）。

    \b
    示例：
      zwgk rubric validate rubrics/township-2018.yaml
    """
    try:
        r = load_rubric_file(file, catalogue())
    except RubricError as exc:
        if as_json:
            emit_json({"valid": False, "file": exc.file, "field": exc.field, "error": str(exc)})
            sys.exit(EXIT_ERROR)
        raise
    if as_json:
        emit_json({"valid": True, "file": file, "id": r.id, "indicators": len(r.indicators), "total": num(r.total)})
    else:
        bound = sum(1 for ind in r.indicators for rule in ind.rules if rule.checks)
        click.echo(f"{file}：有效。{r.id}《{r.title}》，{len(r.indicators)} 个指标，满分 {num(r.total)} 分，"
                   f"适用于 {r.periods_label}；{bound} 条规则由自动检查服务。")


@rubric.command("checks")
@json_option
def rubric_checks(as_json):
    """列出可在考核细则中绑定的检查及其角色（规则的 check 字段写作“检查编号.角色”，如 guide.exists）。

    标明“按清单计数”的角色只能绑定列出 items 的按项扣分规则。

    \b
    示例：
      zwgk rubric checks
      zwgk rubric checks --json
    """
    found = all_checks()
    if as_json:
        emit_json({"checks": [{"id": c.id, "title": c.title,
                               "roles": [{"role": role, "binding": f"{c.id}.{role}", "title": r.title, "items": r.items}
                                         for role, r in c.roles.items()]} for c in found]})
        return
    rows = [[f"{c.id}.{role}", c.title, r.title + ("（按清单计数）" if r.items else "")]
            for c in found for role, r in c.roles.items()]
    click.echo(table(["绑定写法", "检查", "角色"], rows, "<<<"))


def _rubric_arg(value: str):
    """A rubric named by id, or a rubric file not yet installed (``*.yaml``), validated like ``validate``."""
    if value.endswith((".yaml", ".yml")):
        return load_rubric_file(value, catalogue())
    return get_rubric(value)


@rubric.command("diff")
@click.argument("old_id", metavar="A")
@click.argument("new_id", metavar="B")
@json_option
def rubric_diff(old_id, new_id, as_json):
    """逐个指标比较两套考核细则：新增、删除的指标，序号、分值、考核内容的变化，以及扣分规则的增删和改动。

    指标按名称和考核内容对应（序号改变的指标算作“有变化”，不算删除再新增）。

    \b
    示例：
      zwgk rubric diff township-2017 township-2018
      zwgk rubric diff township-2017 township-2018 --json
      zwgk rubric diff township-2017 ./township-2019.yaml     # 尚未安装的细则文件
    """
    from rubrics.diff import change_to_dict, diff

    a, b = _rubric_arg(old_id), _rubric_arg(new_id)
    changes = diff(a, b)
    if as_json:
        emit_json({"from": a.id, "to": b.id, "indicators": [change_to_dict(c) for c in changes]})
    else:
        click.echo(render.diff_text(a, b, changes))


# --- units and users ----------------------------------------------------------------------------


@cli.group(cls=ZhGroup)
def units():
    """单位名录：查看已登记的被考核单位。

    \b
    示例：
      zwgk units list --units var/units.yaml
    """


@units.command("list")
@db_option
@units_option
@json_option
def units_list(db, units_path, as_json):
    """校验单位名录并列出单位（同时更新数据库中的副本）。

    \b
    示例：
      zwgk units list --units var/units.yaml --json
    """
    with open_store(db) as store:
        sync_units(store, units_path)
        rows = store.list_units()
    if as_json:
        emit_json({"units": rows})
        return
    click.echo(table(["编号", "名称", "类型"], [[u["id"], u["name"], u["kind"]] for u in rows]))


units.add_command(units_import, "import")


@cli.group(cls=ZhGroup)
def user():
    """用户与角色：admin（管理员）、assessor（考核人员）、unit（被考核单位）。

    \b
    示例：
      zwgk user add zhangsan --role assessor --name 张三
      zwgk user list
    """


@user.command("add")
@click.argument("username")
@click.option("--role", type=click.Choice(ROLES), required=True, help="角色：admin、assessor 或 unit。")
@click.option("--name", "display_name", help="显示名称，如 张三。")
@click.option("--unit", "unit_ids", multiple=True, help="unit 角色绑定的单位编号（可多次给出）。")
@click.option("--password-stdin", is_flag=True, help="从标准输入读取密码（用于脚本），否则交互输入。")
@db_option
@json_option
def user_add(username, role, display_name, unit_ids, password_stdin, db, as_json):
    """添加用户。密码经 argon2 加密保存；密码至少 12 个字符，不能包含用户名，不能用演示密码。

    \b
    示例：
      zwgk user add zhangsan --role assessor --name 张三
      echo 's3cret-pass' | zwgk user add xinshi --role unit --unit xinshi-town --password-stdin
    """
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass("密码：")
        if getpass.getpass("再次输入密码：") != password:
            raise AppError("两次输入的密码不一致")
    require_good_password(username, password)
    with open_store(db) as store:
        store.add_user(username, role, password, display_name=display_name, units=unit_ids)
        user = store.get_user(username)
    if as_json:
        emit_json({"user": user})
        return
    click.echo(f"已添加用户 {username}（{role}）。")


@user.command("list")
@db_option
@json_option
def user_list(db, as_json):
    """列出用户。

    \b
    示例：
      zwgk user list --json
    """
    with open_store(db) as store:
        users = store.list_users()
    if as_json:
        emit_json({"users": users})
        return
    rows = [[u["username"], u.get("display_name") or "", u["role"], "、".join(u.get("units") or []),
             "已停用" if u.get("disabled") else "正常"] for u in users]
    click.echo(table(["用户名", "名称", "角色", "单位", "状态"], rows))


# --- scoring and review ----------------------------------------------------------------------------


@cli.command(cls=ZhCommand)
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


@cli.group(cls=ZhGroup)
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


# --- manual entries and 认定 ---------------------------------------------------------------------------


@cli.group(cls=ZhGroup)
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


@cli.group(cls=ZhGroup)
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


# --- demo ------------------------------------------------------------------------------------------------


@cli.command(cls=ZhCommand)
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


@cli.command(cls=ZhCommand)
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


@cli.command(cls=ZhCommand)
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


cli.add_command(demo)
cli.add_command(report)
cli.add_command(nightly)
cli.add_command(recheck)
cli.add_command(selfcheck)
cli.add_command(inspect_page)
cli.add_command(webcli.serve)
user.add_command(webcli.passwd)
user.add_command(webcli.disable)


def _translate_usage_error(exc: click.UsageError) -> str:
    """click's own usage messages are English; say the common ones in Chinese."""
    if isinstance(exc, click.MissingParameter) and exc.param is not None:
        names = "/".join(exc.param.opts) if exc.param.opts else exc.param.name
        return f"缺少参数 {names}"
    if isinstance(exc, click.NoSuchOption):
        return f"没有选项 {exc.option_name}"
    if isinstance(exc, click.BadParameter) and exc.param is not None:
        names = "/".join(exc.param.opts) if exc.param.opts else exc.param.name
        return f"参数 {names} 的值无效：{exc.message}"
    if isinstance(exc, click.BadOptionUsage):
        return f"选项 {exc.option_name} 用法有误：{exc.message}"
    message = exc.message
    if message.startswith("No such command"):
        return f"没有这个命令：{message.split(' ', 3)[-1].rstrip('.')}"
    if message.startswith("Missing command"):
        return "缺少子命令"
    if message.startswith("Got unexpected extra argument"):
        return f"多余的参数：{message.split('(')[-1].rstrip(')')}"
    return message


def _exit_now(_signum, _frame) -> None:
    os.write(2, "\n再次收到停止信号，立即退出。\n".encode())
    os._exit(EXIT_PARTIAL)


def _stop_signal(signum, _frame) -> None:
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, _exit_now)
    raise Interrupted(f"收到停止信号（{signal.Signals(signum).name}），已中断：已保存的数据不受影响，"
                          "再次运行同一命令即可继续。")


def main(argv: list[str] | None = None) -> int:
    previous = {}
    if threading.current_thread() is threading.main_thread():
        previous = {sig: signal.signal(sig, _stop_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        return _main(argv)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _main(argv: list[str] | None) -> int:
    try:
        cli.main(args=argv, prog_name="zwgk", standalone_mode=False)
    except click.UsageError as exc:
        cmd = exc.ctx.command_path if exc.ctx else "zwgk"
        click.echo(f"用法错误：{_translate_usage_error(exc)}\n运行 “{cmd} --help” 查看用法。", err=True)
        return EXIT_USAGE
    except click.Abort:
        click.echo("已中止。", err=True)
        return EXIT_ERROR
    except Interrupted as exc:
        click.echo(f"\n{exc}", err=True)
        return EXIT_PARTIAL
    except click.ClickException as exc:
        click.echo(f"错误：{exc.format_message()}", err=True)
        return exc.exit_code
    except USER_ERRORS as exc:
        message = exc.args[0] if isinstance(exc, LookupError) and exc.args else str(exc)
        click.echo(f"错误：{message}", err=True)
        return EXIT_ERROR
    except SystemExit as exc:  # sys.exit inside a command
        return exc.code if isinstance(exc.code, int) else EXIT_ERROR
    except Exception as exc:  # a bug, not bad input: say so plainly; ZWGK_DEBUG=1 shows the traceback
        if os.environ.get("ZWGK_DEBUG"):
            raise
        click.echo(f"内部错误（{type(exc).__name__}）：{exc}\n这是 zwgk 的缺陷，请设置 ZWGK_DEBUG=1 重新运行以获得详细信息并报告。", err=True)
        return EXIT_ERROR
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
