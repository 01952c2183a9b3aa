"""The review web app's factory and request plumbing.

Handlers are plain synchronous functions of a ``Ctx`` (request, store, user, form). ``page`` wraps each
one: it reads the form, then in a worker thread opens the store, resolves the session's user, checks the
role and (for POST) the CSRF token, runs the handler and closes the store. So no handler can forget a
check, and SQLite and argon2 never block the event loop. A malformed number or id in a request is a 400
page (``auth.BadRequest``), never a crash. Every page and export is sent ``Cache-Control: no-store``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from reports.remedies import Remedies, load_remedies
from rubrics.engine import STATUS_WORDS
from zwgk.store import Store
from zwgk.web import auth, data

HERE = Path(__file__).parent
SnapshotLoader = Callable[[str], "bytes | None"]
SESSION_COOKIE = "zwgk_session"
# Pages are ours; nothing crawled is ever inlined, and framing by other sites is refused.
PAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; frame-src 'self'; frame-ancestors 'self'; form-action 'self'; "
                               "base-uri 'none'; object-src 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}
PERIOD_RANGE = (2000, 2100)


@dataclass
class Ctx:
    request: Request
    store: Store
    user: dict[str, Any] | None
    form: Any
    env: Environment
    snapshot_loader: SnapshotLoader | None
    remedies: Remedies

    @property
    def period(self) -> int:
        """The period asked for (query, else form), else the latest one assessed; malformed → 400."""
        text = self.request.query_params.get("period") or (self.form.get("period") if self.form is not None else None)
        if text:
            return auth.parse_int(str(text), "年度", *PERIOD_RANGE)
        return data.default_period(self.store)

    def arg(self, name: str, default: str = "") -> str:
        return (self.request.query_params.get(name) or default).strip()

    def field(self, name: str, default: str = "") -> str:
        value = self.form.get(name) if self.form is not None else None
        return default if value is None else str(value).strip()

    def flash(self, message: str, kind: str = "ok") -> None:
        self.request.session.setdefault("flash", []).append([kind, message])

    def render(self, template: str, status_code: int = 200, **values: Any) -> HTMLResponse:
        flashes = self.request.session.pop("flash", []) if "flash" in self.request.session else []
        html = self.env.get_template(template).render(
            user=self.user,
            csrf=auth.csrf_token(self.request),
            flashes=flashes,
            path=self.request.url.path,
            request=self.request,
            **values,
        )
        return HTMLResponse(html, status_code=status_code, headers=PAGE_HEADERS)

    def redirect(self, url: str) -> RedirectResponse:
        return RedirectResponse(url, status_code=303)


def _highlight(excerpt: Any, terms: Any) -> Markup:
    """The excerpt, escaped, with each term wrapped in <mark> (terms: a string or a list of strings)."""
    text = str(excerpt or "")
    wanted = [terms] if isinstance(terms, str) else [str(t) for t in (terms or [])]
    wanted = sorted({t for t in wanted if t}, key=len, reverse=True)
    out, i = [], 0
    while i < len(text):
        hit = next((t for t in wanted if text.startswith(t, i)), None)
        if hit:
            out.append(Markup("<mark>") + escape(hit) + Markup("</mark>"))
            i += len(hit)
        else:
            out.append(escape(text[i]))
            i += 1
    return Markup("").join(out)


def _safe_url(url: Any) -> str | None:
    """Only http(s) addresses become links (a crawled ``javascript:`` URL stays text)."""
    text = str(url or "")
    return text if text.lower().startswith(("http://", "https://")) else None


def _query(request: Request, **changes: Any) -> str:
    params = dict(request.query_params)
    for k, v in changes.items():
        if v in (None, ""):
            params.pop(k, None)
        else:
            params[k] = v
    return "?" + urlencode(params) if params else ""


def make_env() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(HERE / "templates")),
        autoescape=select_autoescape(["html"], default_for_string=True, default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["pts"] = data.fmt_points
    env.filters["local"] = data.local_time
    env.filters["highlight"] = _highlight
    env.filters["safe_url"] = _safe_url
    env.filters["urlq"] = lambda s: quote(str(s), safe="")
    env.globals["STATUS_WORDS"] = STATUS_WORDS
    env.globals["query"] = _query
    return env


def _error(ctx_env: Environment, request: Request, user, status: int, message: str) -> HTMLResponse:
    """The Chinese error page (400, 403, 404)."""
    html = ctx_env.get_template("error.html").render(
        user=user, csrf=auth.csrf_token(request), flashes=[], path=request.url.path, request=request,
        status=status, message=message,
    )
    return HTMLResponse(html, status_code=status, headers=PAGE_HEADERS)


def page(handler: Callable[[Ctx], Response], roles: frozenset[str] | None) -> Callable:
    """Wrap a handler: roles=None means anonymous access is allowed."""

    async def endpoint(request: Request) -> Response:
        form = await request.form() if request.method == "POST" else None
        state = request.app.state
        return await run_in_threadpool(_run, handler, roles, request, form, state)

    endpoint.__name__ = handler.__name__
    return endpoint


def _run(handler, roles, request: Request, form, state) -> Response:
    store = Store.open(state.db_path)
    user = None
    try:
        user = auth.current_user(request, store)
        if form is not None:
            auth.check_csrf(request, form)
        if roles is not None:
            if user is None:
                if request.method == "GET":
                    return RedirectResponse("/login?next=" + quote(str(request.url.path) + _qs(request), safe=""), 303)
                return RedirectResponse("/login", 303)
            if user["role"] not in roles:
                raise auth.Forbidden("你的账号无权访问此页面")
        ctx = Ctx(request, store, user, form, state.env, state.snapshot_loader, state.remedies)
        return handler(ctx)
    except auth.BadRequest as exc:
        return _error(state.env, request, user, 400, str(exc))
    except auth.Forbidden as exc:
        return _error(state.env, request, user, 403, str(exc))
    except auth.NotFound as exc:
        return _error(state.env, request, user, 404, str(exc) or "页面不存在")
    finally:
        store.close()


def _qs(request: Request) -> str:
    return "?" + request.url.query if request.url.query else ""


def create_app(
    db_path: str | Path,
    secret_key: str | None = None,
    snapshot_loader: SnapshotLoader | None = None,
    *,
    secure_cookies: bool = False,
    trusted_proxies: frozenset[str] = frozenset(),
) -> Starlette:
    """The review web app over the database at ``db_path``.

    ``secret_key`` signs session cookies (default: $ZWGK_SECRET or a key file next to the database);
    ``snapshot_loader(sha256)`` returns a stored response body or None; ``secure_cookies`` marks the
    cookie Secure (set it when served over HTTPS); ``trusted_proxies`` are the addresses of reverse
    proxies whose ``X-Forwarded-For`` names the real client (for throttling and the audit log). The
    session cookie has no expiry (it ends with the browser); the server ends sessions idle for
    ``data.SESSION_IDLE`` and ``data.SESSION_LIFETIME`` after sign-in.
    """
    from zwgk.web import views

    db_path = Path(db_path)
    Store.open(db_path).close()  # create / migrate once, before the first request
    secret = secret_key or auth.load_secret(db_path)
    routes = [Route(path, page(fn, roles), methods=methods) for path, fn, roles, methods in views.ROUTES]
    routes.append(Mount("/static", StaticFiles(directory=str(HERE / "static")), name="static"))
    app = Starlette(
        routes=routes,
        middleware=[Middleware(SessionMiddleware, secret_key=secret, session_cookie=SESSION_COOKIE,
                               max_age=None, same_site="lax", https_only=secure_cookies)],
        exception_handlers={404: _not_found, 405: _not_allowed},
    )
    app.state.db_path = db_path
    app.state.trusted_proxies = frozenset(trusted_proxies)
    app.state.env = make_env()
    app.state.snapshot_loader = snapshot_loader
    app.state.remedies = load_remedies()
    return app


async def _not_found(request: Request, exc: Exception) -> Response:
    return HTMLResponse("<!doctype html><meta charset=utf-8><title>页面不存在</title><p>页面不存在（404）。<a href=\"/\">返回首页</a>",
                        status_code=404, headers=PAGE_HEADERS)


async def _not_allowed(request: Request, exc: Exception) -> Response:
    return HTMLResponse("<!doctype html><meta charset=utf-8><title>不支持的请求</title><p>不支持的请求方式（405）。",
                        status_code=405, headers=PAGE_HEADERS)
