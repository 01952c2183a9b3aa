"""Shared pieces of the ``zwgk`` command line: Chinese help pages, JSON output, common options.

Command modules (``zwgk.cli`` and the modules that add commands to it) import from here, never from
``zwgk.cli``, so that ``zwgk.cli`` can import them without a cycle.
"""

from __future__ import annotations

import getpass
import json
import sys

import click

from rubrics.export import SCHEMA_VERSION
from zwgk.services.errors import AppError

HELP_WORDS = [
    ("[OPTIONS]", "[选项]"), ("COMMAND [ARGS]...", "命令 [参数]..."), ("[required]", "[必填]"), ("; required]", "；必填]"),
    ("default: ", "默认："), ("INTEGER RANGE", "INTEGER"), ("x>=0", ">=0"), ("x>=1", ">=1"),
]


def _zh(text: str) -> str:
    for en, zh in HELP_WORDS:
        text = text.replace(en, zh)
    return text


class ZhHelpMixin:
    """Chinese headings and words for click's help pages."""

    def format_usage(self, ctx, formatter):
        formatter.write_usage(ctx.command_path, _zh(" ".join(self.collect_usage_pieces(ctx))), prefix="用法：")

    def format_options(self, ctx, formatter):
        opts = [
            (_zh(rv[0]), _zh(rv[1]))
            for p in self.get_params(ctx)
            if isinstance(p, click.Option) and (rv := p.get_help_record(ctx)) is not None
        ]
        if opts:
            with formatter.section("选项"):
                formatter.write_dl(opts)
        if isinstance(self, click.Group):
            self.format_commands(ctx, formatter)

    def format_commands(self, ctx, formatter):
        rows = []
        for name in self.list_commands(ctx):
            cmd = self.get_command(ctx, name)
            if cmd is not None and not cmd.hidden:
                rows.append((name, cmd.get_short_help_str(limit=60)))
        if rows:
            with formatter.section("命令"):
                formatter.write_dl(rows)

    def get_help_option(self, ctx):
        option = super().get_help_option(ctx)
        if option is not None:
            option.help = "显示本帮助并退出。"
        return option


class ZhCommand(ZhHelpMixin, click.Command):
    pass


class ZhGroup(ZhHelpMixin, click.Group):
    command_class = ZhCommand
    group_class = type  # subgroups are ZhGroups too


CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


def emit_json(doc: dict) -> None:
    click.echo(json.dumps({"schema_version": SCHEMA_VERSION, **doc}, ensure_ascii=False, indent=2))


def note(message: str) -> None:
    click.echo(message, err=True)


def db_option(f):
    return click.option("--db", type=click.Path(dir_okay=False), help="数据库文件（默认 $ZWGK_HOME/zwgk.db，ZWGK_HOME 默认为 ./var）。")(f)


def units_option(f):
    return click.option("--units", "units_path", type=click.Path(dir_okay=False), help="单位名录 YAML（默认 $ZWGK_HOME/units.yaml）。")(f)


def json_option(f):
    return click.option("--json", "as_json", is_flag=True, help="以 JSON 输出（一个文档，写到标准输出）。")(f)


def period_option(f):
    return click.option("--period", type=click.IntRange(2000, 2100), required=True, help="考核年度，如 2017。")(f)


def rubric_option(f):
    return click.option(
        "--rubric", "rubric_ids", multiple=True, metavar="ID",
        help="按此考核细则评估（编号，如 township-2017，见 zwgk rubric list）；默认按考核年度适用的细则。"
             "乡镇、市直单位各可指定一个。",
    )(f)


def by_option(f):
    return click.option("--by", "by", required=True, help="作出决定的用户名（须为已登记用户）。")(f)


def read_password(from_stdin: bool, label: str = "密码") -> str:
    """A password from one line of standard input (scripts), or typed twice at the terminal."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    password = getpass.getpass(f"{label}：")
    if getpass.getpass(f"再次输入{label}：") != password:
        raise AppError("两次输入的密码不一致")
    return password
