"""Sessions, CSRF and role checks of the review web app.

- The session cookie is signed by Starlette's SessionMiddleware (itsdangerous), HttpOnly, SameSite=Lax.
  It carries only a random session id and the CSRF token; the session row in ``web_sessions`` decides
  whether it is still valid, so logging out, disabling a user or changing a password ends it server-side.
- Every POST form carries ``csrf``; a missing or wrong token is refused with 403 before anything else.
- Every route names the roles that may use it; a unit user is further limited to the units bound to the
  account (``require_unit``), whatever URL is asked for.
- The client address (throttling, audit) is the peer's, unless the peer is a configured trusted proxy:
  then it is the nearest address in ``X-Forwarded-For`` that is not itself a trusted proxy.
"""

from __future__ import annotations

import hmac
import ipaddress
import os
import re
import secrets
from pathlib import Path

from starlette.requests import Request

from zwgk.web import data

SECRET_ENV = "ZWGK_SECRET"
SECRET_FILE = "web-secret.key"
ASSESSORS = frozenset({"admin", "assessor"})
EVERYONE = frozenset({"admin", "assessor", "unit"})


class Forbidden(Exception):
    """403: the signed-in user may not see or do this."""


class NotFound(Exception):
    """404."""


class BadRequest(Exception):
    """400: a malformed number or id; the message is Chinese."""


_DIGITS = re.compile(r"[0-9]{1,9}", re.ASCII)


def parse_int(text: str, what: str, low: int, high: int) -> int:
    """ASCII digits within [low, high] (no ``²``, no sign, no exponent), else ``BadRequest``."""
    if not _DIGITS.fullmatch(text) or not low <= int(text) <= high:
        raise BadRequest(f"{what}应为 {low} 到 {high} 之间的整数，实际为 {text[:20]!r}")
    return int(text)


class CsrfError(Forbidden):
    pass


def load_secret(db_path: Path) -> str:
    """$ZWGK_SECRET, else a random key kept in a file next to the database (created once, mode 0600)."""
    from_env = os.environ.get(SECRET_ENV)
    if from_env:
        return from_env
    key_file = Path(db_path).parent / SECRET_FILE
    try:
        return key_file.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        pass
    key_file.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    try:
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process created it first: use theirs
        return key_file.read_text(encoding="ascii").strip()
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(key + "\n")
    return key


def csrf_token(request: Request) -> str:
    token = request.session.get("csrf")
    if not token:
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return token


def check_csrf(request: Request, form) -> None:
    sent = form.get("csrf") if form is not None else None
    expected = request.session.get("csrf")
    if not sent or not expected or not hmac.compare_digest(str(sent), str(expected)):
        raise CsrfError("表单已失效或来源不明（CSRF 校验失败），请刷新页面后重试")


def client_ip(request: Request) -> str:
    peer = request.client.host if request.client else "unknown"
    trusted = request.app.state.trusted_proxies
    if peer not in trusted:
        return peer
    hops = [h.strip() for h in ",".join(request.headers.getlist("x-forwarded-for")).split(",") if h.strip()]
    for hop in reversed(hops):
        try:
            address = str(ipaddress.ip_address(hop))
        except ValueError:
            return peer  # a malformed header: keep the proxy's own address
        if address not in trusted:
            return address
    return peer


def start_session(request: Request, store, username: str) -> None:
    """A fresh session id and CSRF token at every login (no session fixation)."""
    request.session.clear()
    request.session["sid"] = data.create_session(store, username, client_ip(request))
    request.session["csrf"] = secrets.token_urlsafe(32)


def end_session(request: Request, store) -> None:
    sid = request.session.get("sid")
    if sid:
        data.revoke_session(store, sid, client_ip(request))
    request.session.clear()


def current_user(request: Request, store) -> dict | None:
    return data.session_user(store, request.session.get("sid"))


def require_unit(user: dict, unit_id: str) -> None:
    """A unit user may only reach the units bound to the account."""
    if user["role"] == "unit" and unit_id not in user["units"]:
        raise Forbidden("无权查看其他单位的数据")
