"""Pages and actions of the review web app. ``ROUTES`` lists (path, handler, roles, methods); roles None
means anonymous access. Each handler gets a ``Ctx`` whose user already passed the role and CSRF checks;
unit-scoped pages still call ``auth.require_unit``.
"""

from __future__ import annotations

import csv
import io
import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

from starlette.responses import Response

from checks.registry import rubrics as load_rubrics
from rubrics.engine import COUNTED_CONFIRMED, OPEN, Action, RuleKind
from rubrics.model import Indicator
from zwgk.services.errors import AppError
from zwgk.services.review import (
    PASSWORD_MIN,
    add_manual,
    decide,
    max_count,
    max_points,
    parse_count,
    parse_points,
    password_problem,
    review_target,
)
from zwgk.services.rubric_choice import require_rule, require_target
from zwgk.services.stores import crawl_store, unit_or_fail
from zwgk.store import StaleEditError, StoreError, UnchangedError
from zwgk.web import auth, data
from zwgk.web.app import Ctx

ASSESSORS, EVERYONE = auth.ASSESSORS, auth.EVERYONE
FINGERPRINT = data.FINGERPRINT
# a queue row's value: fingerprint | latest decision id seen | evidence hash seen (empty for a manual entry)
QUEUE_ITEM = re.compile(r"(" + FINGERPRINT.pattern + r")\|([0-9]{0,9})\|([0-9a-f]{64})?", re.ASCII)
# a same-site path: "/" not followed by "/" or "\", then printable ASCII URL characters only (browsers drop
# tabs and newlines, so "/\t/evil.example" would otherwise become "//evil.example")
LOCAL_PATH = re.compile(r"/(?![/\\])[A-Za-z0-9._~!$&'()*+,;=:@/%?-]*", re.ASCII)
MAX_PASSWORD = 1024  # longer is refused without hashing
SNAPSHOT_HEADERS = {
    "Content-Security-Policy": "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
}
EXPORT_HEADERS = {"X-Content-Type-Options": "nosniff", "Cache-Control": "no-store"}
EVIDENCE_LABELS = {
    "url": "网址", "excerpt": "摘录", "searched": "检索范围", "columns": "检查的栏目", "missing": "缺少的项目",
    "guides": "办事指南份数", "missing_subunits": "缺少的工作部门", "fetched_at": "抓取时间", "pages": "页面",
    "title": "标题", "pub_date": "发布日期", "snapshot": "快照", "urls": "相关网址", "attachments": "附件",
    "patterns": "匹配规则", "matrix": "要素矩阵", "states": "要素状态", "uncertain": "未能识别的要素",
    "guides_found": "找到的办事指南", "policies_found": "找到的政策文件", "interpretations_found": "找到的解读",
    "work_rules_excluded": "不计入的本单位工作制度", "pairing": "配对方法", "kinds": "页面类型", "records": "页面数",
    "id_numbers": "身份证号（已遮盖）", "mobiles": "手机号（已遮盖）", "hits": "命中", "where": "位置",
    "lag_working_days": "间隔工作日", "dates": "日期", "policy": "政策文件", "interpretation": "解读",
    "paired_by": "配对依据", "deadline": "截止日期", "published": "发布日期", "year": "年度", "stats": "统计",
    "format": "形式", "image_only": "仅为图片的要素", "column": "栏目", "doc_number": "文号",
}
DECISION_ACTIONS = {a.value: a for a in Action}


def _safe_back(target: str, default: str) -> str:
    """Only a same-site path (never //host, a scheme, or characters a browser would drop) is linked to or
    followed after a form."""
    return target if LOCAL_PATH.fullmatch(target) else default


def _last(text: str) -> int | None:
    """The latest decision id a form was shown (empty: none)."""
    return auth.parse_int(text, "版本号", 1, 999_999_999) if text else None


# ------------------------------------------------------------------------------------- sign in / out


def home(ctx: Ctx) -> Response:
    if ctx.user["role"] == "unit":
        return ctx.redirect(f"/units/{ctx.user['units'][0]}")
    return ctx.redirect("/dashboard")


def login_form(ctx: Ctx) -> Response:
    if ctx.user:
        return ctx.redirect("/")
    return ctx.render("login.html", next=ctx.arg("next"), username="", error=None)


def login(ctx: Ctx) -> Response:
    """Sign in. An unknown user costs a password check too (a dummy hash), so the answer's timing does not
    tell who exists; failures are throttled per account, per account and address, and per address."""
    username, password = ctx.field("username"), str(ctx.form.get("password") or "")
    next_url = ctx.field("next")
    shown = data.login_name(username)
    ip = auth.client_ip(ctx.request)
    if data.login_blocked(ctx.store, username, ip):
        minutes = int(data.LOGIN_WINDOW.total_seconds() // 60)
        return ctx.render("login.html", 429, next=next_url, username=shown,
                          error=f"登录失败次数过多，请 {minutes} 分钟后再试")
    if not username or len(password) > MAX_PASSWORD or not ctx.store.verify_password(username, password):
        data.record_login_failure(ctx.store, username, ip)
        return ctx.render("login.html", 401, next=next_url, username=shown, error="用户名或密码错误，或账号已停用")
    data.clear_login_failures(ctx.store, username)
    auth.start_session(ctx.request, ctx.store, username)
    return ctx.redirect(_safe_back(next_url, "/"))


def password_form(ctx: Ctx, status_code: int = 200, error: str | None = None) -> Response:
    return ctx.render("password.html", status_code, error=error, minimum=PASSWORD_MIN)


def password_change(ctx: Ctx) -> Response:
    """Self-service password change: the current password (throttled like a sign-in), the policy, then
    every other session of the account ends."""
    username, ip = ctx.user["username"], auth.client_ip(ctx.request)
    current, new = str(ctx.form.get("current") or ""), str(ctx.form.get("new") or "")
    if data.login_blocked(ctx.store, username, ip):
        return password_form(ctx, 429, "失败次数过多，请稍后再试")
    if len(current) > MAX_PASSWORD or not ctx.store.verify_password(username, current):
        data.record_login_failure(ctx.store, username, ip)
        return password_form(ctx, 400, "当前密码不正确")
    if new != str(ctx.form.get("repeat") or ""):
        return password_form(ctx, 400, "两次输入的新密码不一致")
    problem = password_problem(username, new)
    if problem:
        return password_form(ctx, 400, problem)
    ctx.store.set_password(username, new, actor=username, ip=ip)
    ended = data.revoke_user_sessions(ctx.store, username, keep=ctx.request.session.get("sid"))
    ctx.flash("密码已修改" + (f"，其他 {ended} 个登录会话已退出" if ended else ""))
    return ctx.redirect("/")


def logout(ctx: Ctx) -> Response:
    auth.end_session(ctx.request, ctx.store)
    return ctx.redirect("/login")


# ---------------------------------------------------------------------------------------- assessor


def dashboard(ctx: Ctx) -> Response:
    period = ctx.period
    return ctx.render("dashboard.html", period=period, rows=data.dashboard(ctx.store, period))


def _queue_filters(ctx: Ctx, source: dict[str, str] | None = None) -> dict[str, str]:
    get = (lambda k: source.get(k, "")) if source is not None else ctx.arg
    return {"unit": get("unit"), "indicator": get("indicator"), "check": get("check"), "rule": get("rule"),
            "status": get("status") or "open"}


def _queue_rows(ctx: Ctx, period: int, f: dict[str, str]) -> list[data.QueueRow]:
    units = [u for u in ctx.store.list_units() if not f["unit"] or u["id"] == f["unit"]]
    return data.queue(ctx.store, period, units, indicator=f["indicator"], check=f["check"], status=f["status"],
                      rule=f["rule"])


def queue(ctx: Ctx) -> Response:
    period = ctx.period
    f = _queue_filters(ctx)
    rows = _queue_rows(ctx, period, f)
    everything = _queue_rows(ctx, period, {**f, "indicator": "", "check": "", "rule": "", "status": "all"})
    indicators = sorted({(r.indicator.id, f"{r.indicator.position} {r.indicator.name}") for r in everything
                         if r.indicator}, key=lambda t: [int(x) if x.isdigit() else x for x in re.split(r"[.-]", t[0])])
    checks = sorted({r.deduction.check_id for r in everything if r.deduction.check_id})
    return ctx.render("queue.html", period=period, rows=rows, filters=f, units=ctx.store.list_units(),
                      indicators=indicators, checks=checks, statuses=data.STATUS_FILTERS,
                      back=ctx.request.url.path + ("?" + ctx.request.url.query if ctx.request.url.query else ""))


def queue_confirm(ctx: Ctx) -> Response:
    """Confirm one row (the row's button) or every checked row; bulk only within one rule."""
    back = _safe_back(ctx.field("back"), "/queue")
    picked = [ctx.field("one")] if ctx.field("one") else [str(v) for v in ctx.form.getlist("items")]
    items = []
    for value in picked:
        match = QUEUE_ITEM.fullmatch(value)
        if match is None:
            raise auth.BadRequest("扣分项编号无效")
        items.append((match.group(1), _last(match.group(2)), match.group(3)))
    if not items:
        ctx.flash("请先勾选要确认的扣分项", "error")
        return ctx.redirect(back)
    try:
        targets = [(review_target(ctx.store, fp), last, seen) for fp, last, seen in items]
    except (StoreError, AppError) as exc:
        ctx.flash(str(exc), "error")
        return ctx.redirect(back)
    rules = {t.rule_id for t, _, _ in targets}
    if len(rules) > 1:
        ctx.flash(f"批量确认只能用于同一条规则（所选涉及 {len(rules)} 条规则），请按规则筛选后再勾选", "error")
        return ctx.redirect(back)
    done, same, stale, changed, disputed, failed = 0, 0, [], [], [], []
    for target, last, seen in targets:
        if data.open_dispute(ctx.store, target.fingerprint):
            disputed.append(target.unit_id)
            continue
        try:
            ctx.store.add_decision(target.fingerprint, target.unit_id, target.period, Action.CONFIRM.value,
                                   ctx.user["username"], evidence_hash=target.evidence_hash, expected_last=last,
                                   seen_evidence=seen)
            done += 1
        except UnchangedError:
            same += 1
        except StaleEditError as exc:
            (changed if "证据已变化" in str(exc) else stale).append(target.unit_id)
        except StoreError as exc:
            failed.append(f"{target.unit_id}：{exc}")
    if done:
        ctx.flash(f"已确认 {done} 项")
    if same:
        ctx.flash(f"{same} 项原已确认，未重复记录")
    if changed:
        ctx.flash(f"证据已变化，请重新查看：未处理 {len(changed)} 项（{'、'.join(changed)}）", "error")
    if disputed:
        ctx.flash(f"单位有异议的 {len(disputed)} 项（{'、'.join(disputed)}）须逐项答复，未批量确认", "error")
    if stale:
        ctx.flash(f"已被他人修改，未处理 {len(stale)} 项（{'、'.join(stale)}），请查看最新状态后重试", "error")
    for message in failed:
        ctx.flash(message, "error")
    return ctx.redirect(back)


# ------------------------------------------------------------------------------------------ items


def _item(ctx: Ctx, fp: str) -> dict[str, Any]:
    """The finding or manual entry behind a fingerprint, after the unit check."""
    if not FINGERPRINT.fullmatch(fp):
        raise auth.NotFound("扣分项不存在")
    finding = ctx.store.finding_by_fingerprint(fp)
    entry = None if finding else ctx.store.manual_entry_by_fingerprint(fp)
    if finding is None and entry is None:
        raise auth.NotFound("扣分项不存在")
    source = finding or entry
    auth.require_unit(ctx.user, source["unit_id"])
    return {"finding": finding, "entry": entry, "unit_id": source["unit_id"], "period": source["period"],
            "rule_id": source["rule_id"]}


def _current_deduction(ctx: Ctx, item: dict[str, Any], fp: str) -> tuple[dict[str, Any], data.QueueRow | None]:
    """The item's unit and, when the item is in the unit's current score sheet, its row there."""
    sheet, unit, _ = data.unit_sheet(ctx.store, item["unit_id"], item["period"])
    rows = data.sheet_rows(sheet, unit, {}, {}, {}) if sheet else []
    return unit, next((r for r in rows if r.deduction.fingerprint == fp), None)


def _rule_info(unit: dict[str, Any], period: int, rule_id: str) -> dict[str, Any] | None:
    try:
        owner, rule = require_rule(unit, period, rule_id).find_rule(rule_id)
    except (AppError, KeyError):
        return None
    if rule.kind is RuleKind.FIXED:
        how = f"扣 {data.fmt_points(rule.points)} 分（一次）"
    else:
        how = f"每{rule.unit or '项'}扣 {data.fmt_points(rule.points)} 分"
    return {"rule": rule, "owner": owner, "how": how}


def fix_hint(remedy: str, evidence: dict[str, Any], rule_info: dict[str, Any] | None) -> list[str]:
    """How a unit can close a gap: the rule's 整改建议 (reports/remedies.yaml), the check's own advice when
    it gave one, the items it could not find, and the rubric's requirement."""
    hints = [remedy]
    if evidence.get("how_to_fix"):
        hints.append(str(evidence["how_to_fix"]))
    missing = evidence.get("missing") or evidence.get("missing_subunits")
    if isinstance(missing, list) and missing:
        hints.append("补充公开：" + "、".join(str(m) for m in missing))
    if rule_info and getattr(rule_info["owner"], "content", None):
        hints.append("考核要求：" + rule_info["owner"].content)
    return hints


def _extra_evidence(evidence: dict[str, Any]) -> dict[str, Any]:
    """Evidence fields beyond the ones the page lays out itself."""
    return {k: v for k, v in evidence.items() if k not in ("url", "excerpt", "searched", "snapshot", "highlight",
                                                           "how_to_fix")}


def _disputable(row: data.QueueRow | None) -> bool:
    """A unit may dispute what costs or may cost it points: an open proposal, a confirmed or amended one."""
    return row is not None and (row.deduction.status in OPEN or row.deduction.status in COUNTED_CONFIRMED)


def item_page(ctx: Ctx, fp: str, status_code: int = 200, error: str | None = None,
              values: dict[str, str] | None = None) -> Response:
    """The item with its evidence, history and disputes; ``values`` refill the form a refusal came from."""
    item = _item(ctx, fp)
    unit, row = _current_deduction(ctx, item, fp)
    finding = item["finding"]
    evidence = finding["evidence"] if finding else {}
    rule_info = _rule_info(unit, item["period"], item["rule_id"])
    history = ctx.store.decision_history(fp)
    for h in history:
        h["action_text"] = data.ACTION_WORDS.get(h["action"], h["action"])
    back = _safe_back(ctx.arg("back"), "/queue" if ctx.user["role"] != "unit" else f"/units/{item['unit_id']}")
    return ctx.render(
        "item.html", status_code, fp=fp, item=item, unit=unit, row=row, evidence=evidence,
        extra_evidence=_extra_evidence(evidence), labels=EVIDENCE_LABELS, rule_info=rule_info, history=history, disputes=data.disputes_of(ctx.store, fp),
        latest_id=ctx.store.latest_decision_id(fp), back=back, error=error, period=item["period"],
        hints=fix_hint(ctx.remedies.for_rule(item["rule_id"]), evidence, rule_info) if row else [],
        has_snapshot=bool(evidence.get("snapshot")), values=values or {}, disputable=_disputable(row),
        evidence_hash=finding["evidence_hash"] if finding else "", open_dispute=data.open_dispute(ctx.store, fp),
        limits=_limits(rule_info, (finding or item["entry"])["count"]),
    )


def _limits(rule_info: dict[str, Any] | None, found: int) -> dict[str, Any] | None:
    """The amendment bounds the item's rule allows (shown beside the form; the services enforce them)."""
    if rule_info is None:
        return None
    owner, rule = rule_info["owner"], rule_info["rule"]
    count = max_count(owner, rule, found)
    return {"count": count, "points": max_points(owner, rule, count),
            "indicator": owner.points if isinstance(owner, Indicator) else None}


def item_view(ctx: Ctx) -> Response:
    return item_page(ctx, ctx.request.path_params["fp"])


def _next_after(ctx: Ctx, back: str, fp: str) -> str:
    """The next item of the queue the assessor came from (same filters), or the queue itself."""
    parts = urlsplit(back)
    if parts.path != "/queue":
        return back
    q = {k: v[0] for k, v in parse_qs(parts.query).items()}
    try:  # the decision is stored by now: a malformed queue address only loses the "next item" step
        period = auth.parse_int(q["period"], "年度", 2000, 2100) if q.get("period") else ctx.period
    except auth.BadRequest:
        return back
    f = _queue_filters(ctx, q)
    rows = _queue_rows(ctx, period, {**f, "status": "all"})
    index = next((i for i, r in enumerate(rows) if r.deduction.fingerprint == fp), -1)
    for r in rows[index + 1:] + rows[:max(index, 0)]:
        if r.deduction.fingerprint != fp and data.status_matches(r, f["status"]):
            return f"/items/{r.deduction.fingerprint}?back=" + data.quote_url(back)
    return back


def item_decide(ctx: Ctx) -> Response:
    """A decision on the evidence and history the form was shown (``evidence``, ``last``); on an item a unit
    disputes, the reason is the answer to the unit, recorded with the decision in one transaction. A
    refusal shows the item again with what was typed."""
    fp = ctx.request.path_params["fp"]
    item = _item(ctx, fp)
    values = {k: ctx.field(k) for k in ("action", "reason", "count", "points")}
    action = DECISION_ACTIONS.get(values["action"])
    if action is None:
        return item_page(ctx, fp, 400, "未知的操作", values)
    last = _last(ctx.field("last"))
    by = ctx.user["username"]
    dispute = data.open_dispute(ctx.store, fp)
    try:
        count = parse_count(values["count"]) if action is Action.AMEND and values["count"] else None
        points = parse_points(values["points"] or None) if action is Action.AMEND else None
        if dispute and not values["reason"]:
            raise AppError("该项有单位异议：请在理由中写明给单位的答复")
        with ctx.store.transaction():
            try:
                decision_id, _ = decide(ctx.store, fp, action, by, reason=values["reason"] or None,
                                                 count=count, points=points, expected_last=last,
                                                 seen_evidence=ctx.field("evidence") or None)
                ctx.flash(f"已记录第 {decision_id} 号决定：{data.ACTION_WORDS[action.value]}")
            except UnchangedError as exc:
                decision_id = exc.decision_id
                ctx.flash(str(exc))
            if dispute:
                data.answer_dispute(ctx.store, dispute, decision_id, values["reason"], by)
                ctx.flash("已答复单位异议")
    except StaleEditError as exc:
        ctx.request.session.pop("flash", None)
        return item_page(ctx, fp, 409, str(exc), values)
    except (StoreError, AppError, data.WebError) as exc:
        ctx.request.session.pop("flash", None)
        return item_page(ctx, fp, 400, str(exc), values)
    back = _safe_back(ctx.field("back"), "/queue")
    if ctx.field("then") == "next":
        return ctx.redirect(_next_after(ctx, back, fp))
    return ctx.redirect(f"/items/{fp}?back=" + data.quote_url(back))


def item_dispute(ctx: Ctx) -> Response:
    fp = ctx.request.path_params["fp"]
    item = _item(ctx, fp)
    if not _disputable(_current_deduction(ctx, item, fp)[1]):
        return item_page(ctx, fp, 400, "该项当前不扣分（或已不在最新检查结果中），无需提出异议")
    try:
        data.add_dispute(ctx.store, fp, item["unit_id"], item["period"], ctx.field("comment"), ctx.user["username"])
    except data.WebError as exc:
        return item_page(ctx, fp, 400, str(exc))
    ctx.flash("异议已提交，考核人员将在复核时看到")
    return ctx.redirect(f"/items/{fp}")


def _content_type(ctx: Ctx, sha: str) -> str | None:
    return crawl_store(ctx.store).snapshot_content_type(sha)


def item_snapshot(ctx: Ctx) -> Response:
    """The stored response body, for a sandboxed frame only: CSP sandbox, nothing loads, nothing runs."""
    fp = ctx.request.path_params["fp"]
    item = _item(ctx, fp)
    sha = (item["finding"] or {}).get("evidence", {}).get("snapshot") if item["finding"] else None
    body = None
    if isinstance(sha, str) and re.fullmatch(r"[0-9a-f]{64}", sha) and ctx.snapshot_loader is not None:
        body = ctx.snapshot_loader(sha)
    if body is None:
        html = "<!doctype html><meta charset=utf-8><p style=\"font:14px sans-serif;color:#666\">快照不可用</p>"
        return Response(html, status_code=404, media_type="text/html; charset=utf-8", headers=SNAPSHOT_HEADERS)
    kind = (_content_type(ctx, sha) or "text/html").split(";")[0].strip().lower()
    if kind in ("text/html", "application/xhtml+xml", "text/plain"):
        return Response(body, media_type="text/html" if kind != "text/plain" else "text/plain", headers=SNAPSHOT_HEADERS)
    headers = {**SNAPSHOT_HEADERS, "Content-Disposition": f'attachment; filename="{sha[:16]}"'}
    return Response(body, media_type="application/octet-stream", headers=headers)


# -------------------------------------------------------------------------------------------- units


def unit_page(ctx: Ctx) -> Response:
    unit_id = ctx.request.path_params["unit_id"]
    auth.require_unit(ctx.user, unit_id)
    if ctx.store.get_unit(unit_id) is None:
        raise auth.NotFound("单位不存在")
    period = ctx.period
    sheet, unit, error = data.unit_sheet(ctx.store, unit_id, period)
    rows = data.sheet_rows(sheet, unit, ctx.store.latest_decision_ids(period),
                           data.open_disputes(ctx.store, period), {}) if sheet else []
    findings = ctx.store.current_findings(unit_id, period)
    by_fp = {f["fingerprint"]: f for f in findings}
    gaps = []
    for r in rows:
        if r.deduction.status in OPEN or r.deduction.confirmed_points > 0 or r.deduction.provisional_points > 0:
            evidence = (by_fp.get(r.deduction.fingerprint) or {}).get("evidence", {})
            info = _rule_info(unit, period, r.deduction.rule_id)
            gaps.append({"row": r, "evidence": evidence, "extra": _extra_evidence(evidence),
                         "hints": fix_hint(ctx.remedies.for_rule(r.deduction.rule_id), evidence, info)})
    return ctx.render(
        "unit.html", period=period, unit=unit, sheet=sheet, error=error, gaps=gaps, rows=rows,
        could_not=[f for f in findings if f["outcome"] == "could_not_assess"],
        crawl=data.last_crawl(ctx.store, unit_id), rechecks=data.recheck_requests(ctx.store, unit_id),
        scope=data.unit_scope(unit), labels=EVIDENCE_LABELS,
    )


def unit_recheck(ctx: Ctx) -> Response:
    unit_id = ctx.request.path_params["unit_id"]
    auth.require_unit(ctx.user, unit_id)
    unit = ctx.store.get_unit(unit_id)
    if unit is None:
        raise auth.NotFound("单位不存在")
    try:
        data.request_recheck(ctx.store, unit, ctx.user["username"])
        ctx.flash("已申请复查，将在下一次抓取时处理")
    except data.WebError as exc:
        ctx.flash(str(exc), "error")
    return ctx.redirect(f"/units/{unit_id}")


# --------------------------------------------------------------------------------- manual and 认定


def _rule_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    out = []
    for rubric in sorted(load_rubrics().values(), key=lambda r: r.id):
        rules = [(rule.id, f"{ind.position} {ind.name}：{rule.text}") for ind in rubric.indicators for rule in ind.rules]
        rules += [(rule.id, f"{adj.name}：{rule.text}") for adj in rubric.adjustments for rule in adj.rules]
        out.append((f"{rubric.id} {rubric.title}", rules))
    return out


def manual_page(ctx: Ctx, status_code: int = 200, error: str | None = None, values: dict | None = None) -> Response:
    period = ctx.period
    entries = ctx.store.recent_manual_entries(period)
    dets = ctx.store.recent_determinations(period)
    return ctx.render("manual.html", status_code, period=period, units=ctx.store.list_units(), entries=entries,
                      determinations=dets, rule_choices=_rule_choices(), error=error, values=values or {})


def manual_view(ctx: Ctx) -> Response:
    return manual_page(ctx)


def manual_add(ctx: Ctx) -> Response:
    period = ctx.period
    values = {k: ctx.field(k) for k in ("unit", "rule", "count", "points", "reason")}
    try:
        unit = unit_or_fail(ctx.store, values["unit"])
        count = parse_count(values["count"] or "1", "项数/次数")
        points = parse_points(values["points"] or None)
        fp = add_manual(ctx.store, unit["id"], period, values["rule"], count, points, values["reason"],
                                 ctx.user["username"])
    except (StoreError, AppError) as exc:
        return manual_page(ctx, 400, str(exc), values)
    ctx.flash(f"已录入 {unit['name']} {values['rule']} ×{count}（编号 {fp[:15]}）")
    return ctx.redirect(f"/manual?period={period}")


def manual_na(ctx: Ctx) -> Response:
    period = ctx.period
    values = {k: ctx.field(k) for k in ("unit", "target", "reason", "revoke")}
    try:
        unit = unit_or_fail(ctx.store, values["unit"])
        require_target(unit, period, values["target"])
        ctx.store.add_determination(unit["id"], period, values["target"], values["reason"], ctx.user["username"],
                                    revoked=values["revoke"] == "1")
    except (StoreError, AppError) as exc:
        return manual_page(ctx, 400, str(exc), values)
    word = "已撤销认定" if values["revoke"] == "1" else "已认定不适用"
    ctx.flash(f"{word}：{unit['name']} {values['target']}")
    return ctx.redirect(f"/manual?period={period}")


# -------------------------------------------------------------------------------------------- audit


AUDIT_HEADER = ["编号", "时间（北京时间）", "用户", "动作", "单位", "年度", "对象", "规则", "之前", "之后", "项数", "扣分",
                "理由", "来源地址"]


def _audit_rows(ctx: Ctx) -> tuple[list[dict[str, Any]], dict[str, str]]:
    f = {"unit": ctx.arg("unit"), "by": ctx.arg("by"), "action": ctx.arg("action"), "period": ctx.arg("period")}
    period = auth.parse_int(f["period"], "年度", 2000, 2100) if f["period"] else None
    rows = data.audit_log(ctx.store, [f["unit"]] if f["unit"] else None, period, f["by"] or None, f["action"] or None)
    return rows, f


def audit(ctx: Ctx) -> Response:
    rows, f = _audit_rows(ctx)
    return ctx.render("audit.html", rows=rows[:500], total=len(rows), filters=f, units=ctx.store.list_units(),
                      users=ctx.store.list_users(), actions=data.EVENT_WORDS)


def _cell(value: Any) -> str:
    """A spreadsheet cell (CSV or XLSX) that a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _audit_table(ctx: Ctx) -> list[list[str]]:
    rows, _ = _audit_rows(ctx)
    return [[_cell(v) for v in (
        r["id"], data.local_time(r["at"]), r["actor"], r["action_text"], r["unit_id"], r["period"], r["target"],
        r["rule_id"], r["before"], r["after"], r["count"], data.fmt_points(r["points"]), r["reason"], r["ip"])]
        for r in rows]


def audit_csv(ctx: Ctx) -> Response:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(AUDIT_HEADER)
    writer.writerows(_audit_table(ctx))
    body = "\ufeff" + out.getvalue()  # BOM: spreadsheet programs then read the file as UTF-8
    return Response(body.encode("utf-8"), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="zwgk-audit.csv"', **EXPORT_HEADERS})


def audit_xlsx(ctx: Ctx) -> Response:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "审计记录"
    sheet.append(AUDIT_HEADER)
    for row in _audit_table(ctx):
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return Response(out.getvalue(), media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": 'attachment; filename="zwgk-audit.xlsx"', **EXPORT_HEADERS})


ROUTES = [
    ("/", home, EVERYONE, ["GET"]),
    ("/login", login_form, None, ["GET"]),
    ("/login", login, None, ["POST"]),
    ("/logout", logout, EVERYONE, ["POST"]),
    ("/account/password", password_form, EVERYONE, ["GET"]),
    ("/account/password", password_change, EVERYONE, ["POST"]),
    ("/dashboard", dashboard, ASSESSORS, ["GET"]),
    ("/queue", queue, ASSESSORS, ["GET"]),
    ("/queue/confirm", queue_confirm, ASSESSORS, ["POST"]),
    ("/items/{fp}", item_view, EVERYONE, ["GET"]),
    ("/items/{fp}/decide", item_decide, ASSESSORS, ["POST"]),
    ("/items/{fp}/dispute", item_dispute, frozenset({"unit"}), ["POST"]),
    ("/items/{fp}/snapshot", item_snapshot, EVERYONE, ["GET"]),
    ("/units/{unit_id}", unit_page, EVERYONE, ["GET"]),
    ("/units/{unit_id}/recheck", unit_recheck, EVERYONE, ["POST"]),
    ("/manual", manual_view, ASSESSORS, ["GET"]),
    ("/manual", manual_add, ASSESSORS, ["POST"]),
    ("/manual/na", manual_na, ASSESSORS, ["POST"]),
    ("/audit", audit, ASSESSORS, ["GET"]),
    ("/audit.csv", audit_csv, ASSESSORS, ["GET"]),
    ("/audit.xlsx", audit_xlsx, ASSESSORS, ["GET"]),
]
