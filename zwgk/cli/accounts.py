"""``zwgk units`` and ``zwgk user``: the units registry and the review app's accounts."""

from __future__ import annotations


import click

from zwgk.cli import web as webcli
from zwgk.cli.textui import table
from zwgk.cli.unit_import import units_import
from zwgk.cli.util import (
    ZhGroup,
    db_option,
    emit_json,
    json_option,
    read_password,
    units_option,
)
from zwgk.services.review import require_good_password
from zwgk.services.stores import open_store, sync_units
from zwgk.store import ROLES


@click.group(cls=ZhGroup)
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


@click.group(cls=ZhGroup)
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
    password = read_password(password_stdin)
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


user.add_command(webcli.passwd)
user.add_command(webcli.disable)
