"""Click commands of the review web app: ``zwgk serve``, ``zwgk user passwd``, ``zwgk user disable``.

``zwgk.cli`` adds ``serve`` to the group and ``zwgk.cli.accounts`` adds the other two to ``zwgk user``.
"""

from __future__ import annotations

from pathlib import Path

import click

from zwgk import paths

from zwgk.cli.util import ZhCommand, db_option, emit_json, json_option, note, read_password
from zwgk.services.review import require_good_password
from zwgk.services.stores import open_store
from zwgk.web import data

LOOPBACK = ("127.0.0.1", "localhost", "::1")


def _snapshot_loader(root: Path):
    """BlobStore.get, with a damaged blob shown as unavailable rather than as an error page."""
    from zwgk.store.blobs import BlobError, BlobStore

    blobs = BlobStore(root)

    def load(sha256: str) -> bytes | None:
        try:
            return blobs.get(sha256)
        except BlobError:
            return None

    return load


@click.command(cls=ZhCommand)
@click.option("--host", default="127.0.0.1", show_default=True, help="监听地址（默认只接受本机访问）。")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True, help="端口。")
@click.option("--snapshots", type=click.Path(file_okay=False), help="网页快照目录（默认为数据库旁的 blobs/）。")
@click.option("--secure-cookies", is_flag=True, help="会话 Cookie 只经 HTTPS 发送（经 HTTPS 反向代理提供服务时使用）。")
@click.option("--trusted-proxy", "trusted_proxies", multiple=True, envvar="ZWGK_TRUSTED_PROXIES",
              help="可信反向代理的 IP 地址（可多次给出，或在环境变量 ZWGK_TRUSTED_PROXIES 中以空格分隔）：来自这些地址的请求按 "
                   "X-Forwarded-For 取真实客户端地址，用于登录限制和审计记录。")
@db_option
def serve(host, port, snapshots, secure_cookies, trusted_proxies, db):
    """启动复核网页：考核人员复核拟扣分、录入人工指标、查看审计记录；各单位自查并提出异议。

    会话签名密钥取自环境变量 ZWGK_SECRET，未设置时在数据库旁生成 web-secret.key 并长期使用。
    登录会话在关闭浏览器、闲置 30 分钟或登录 12 小时后结束。

    \b
    示例：
      zwgk serve --db zwgk-demo/zwgk.db
      zwgk serve --host 127.0.0.1 --port 8080 --secure-cookies --trusted-proxy 127.0.0.1
    """
    import ipaddress

    import uvicorn

    from zwgk.web.app import create_app

    db_path = Path(db) if db else paths.default_db_path()
    snapshot_root = Path(snapshots) if snapshots else db_path.parent / "blobs"
    loader = _snapshot_loader(snapshot_root) if snapshot_root.is_dir() else None
    if loader is None:
        note(f"未找到快照目录 {snapshot_root}：证据页将显示“快照不可用”")
    if host not in LOOPBACK:
        note(f"注意：正在 {host} 上对外提供服务。请置于 HTTPS 反向代理之后，并加 --secure-cookies。")
    try:
        proxies = frozenset(str(ipaddress.ip_address(p)) for p in trusted_proxies)
    except ValueError as exc:
        raise click.UsageError(f"--trusted-proxy 应为 IP 地址：{exc}") from None
    web = create_app(db_path, snapshot_loader=loader, secure_cookies=secure_cookies, trusted_proxies=proxies)
    note(f"复核网页：http://{host}:{port}/ （数据库 {db_path}；按 Ctrl+C 停止）")
    uvicorn.run(web, host=host, port=port, log_level="warning", proxy_headers=False)


@click.command(cls=ZhCommand)
@click.argument("username")
@click.option("--password-stdin", is_flag=True, help="从标准输入读取新密码（用于脚本），否则交互输入。")
@db_option
@json_option
def passwd(username, password_stdin, db, as_json):
    """修改用户密码，并使该用户已登录的网页会话全部失效。新密码至少 12 个字符，不能包含用户名，不能用演示密码。

    \b
    示例：
      zwgk user passwd zhangsan
      echo 'new-s3cret' | zwgk user passwd xinshi --password-stdin
    """
    password = read_password(password_stdin, "新密码")
    require_good_password(username, password)
    with open_store(db) as store:
        store.set_password(username, password)
        ended = data.revoke_user_sessions(store, username)
    if as_json:
        emit_json({"username": username, "password_changed": True, "sessions_ended": ended})
        return
    click.echo(f"已修改用户 {username} 的密码" + (f"，并注销其 {ended} 个网页会话。" if ended else "。"))


@click.command(cls=ZhCommand)
@click.argument("username")
@db_option
@json_option
def disable(username, db, as_json):
    """停用用户：不能再登录，已登录的网页会话立即失效；其历史决定保留。

    \b
    示例：
      zwgk user disable zhangsan
    """
    with open_store(db) as store:
        store.disable_user(username)
        ended = data.revoke_user_sessions(store, username)
    if as_json:
        emit_json({"username": username, "disabled": True, "sessions_ended": ended})
        return
    click.echo(f"已停用用户 {username}" + (f"，并注销其 {ended} 个网页会话。" if ended else "。"))
