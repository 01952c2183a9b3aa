"""The ``zwgk`` command: a thin click layer over ``zwgk.services`` (help and messages in Chinese).

Conventions (design.md): ``--json`` prints exactly one JSON document on stdout; progress and logs go to
stderr. Exit codes: 0 ok, 1 error, 2 usage, 3 partial, 4 another run holds the lock.

SIGINT / SIGTERM: the first one ends the command where it is with a Chinese message and exit code 3 (a
crawl in progress handles the signal itself and stops within seconds: ``crawler.runner``); the run
continues next time. A second signal exits at once.
"""

from __future__ import annotations

import os
import signal
import sys
import threading

import click

from rubrics.engine import EngineError
from rubrics.loader import RubricError
from zwgk.cli import web as webcli
from zwgk.cli.accounts import units, user
from zwgk.cli.crawl import check, crawl, reextract
from zwgk.cli.demo import demo
from zwgk.cli.inspect import inspect_page
from zwgk.cli.nightly import nightly
from zwgk.cli.recheck import recheck
from zwgk.cli.report import report
from zwgk.cli.review import manual, na, review, score
from zwgk.cli.rubric import rubric
from zwgk.cli.selfcheck import selfcheck
from zwgk.cli.util import (
    CONTEXT,
    ZhGroup,
)
from zwgk.registry.units import UnitsError
from zwgk.services.errors import EXIT_ERROR, EXIT_OK, EXIT_PARTIAL, EXIT_USAGE, AppError, Interrupted
from zwgk.store import StoreError

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


for command in (rubric, units, user, score, review, manual, na, crawl, reextract, check, demo, report, nightly,
                recheck, selfcheck, inspect_page, webcli.serve):
    cli.add_command(command)


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
