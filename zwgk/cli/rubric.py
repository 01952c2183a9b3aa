"""``zwgk rubric``: list, show, validate and compare the rubric files, and the checks that serve them."""

from __future__ import annotations

import sys

import click

from rubrics.export import num, rubric_to_dict
from checks.registry import catalogue, checks as all_checks, get_rubric, rubrics as load_rubrics
from rubrics.loader import RubricError, load_rubric_file
from zwgk.cli import render
from zwgk.cli.textui import table
from zwgk.cli.util import (
    ZhGroup,
    emit_json,
    json_option,
)
from zwgk.services.errors import EXIT_ERROR


@click.group(cls=ZhGroup)
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
