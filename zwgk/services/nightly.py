"""``zwgk nightly``: the whole chain for every unit of the registry, unattended.

sync the registry → crawl every unit → check every unit → score → reports (HTML + XLSX) → digest → email.

- One nightly run at a time per database: ``nightly.lock`` beside it (exit code 4 when held, or when a
  ``zwgk crawl`` holds the crawl lock).
- One unit's failure does not stop the others (the crawl is per unit; a failed crawl makes that unit
  "could not assess"). A crawl that stops with an exception is logged and the checks run on what was stored.
- A log per run, ``logs/nightly-<YYYYmmdd-HHMMSS>.log`` beside the database: every progress line, Scrapy's
  warnings and every error with its traceback. The console gets the Chinese summary only.
- The digest (what changed since each unit's previous check run for the period) is written next to the
  reports and, when ``ZWGK_SMTP_HOST`` is set, mailed. A mail failure is logged and reported; it never
  changes the exit code.
- Exit codes: 0 every unit assessed, 3 some units could not be assessed or the run was stopped by
  SIGINT / SIGTERM (the next run continues the interrupted crawl), 1 error (including a crawl that stopped
  with an exception), 4 locked.

The crawl, check, score and report steps are the assessment chain (``zwgk.services.assess``); the finding
diff behind the digest is ``rubrics.findings``. The command and its summary are in ``zwgk.cli.nightly``.
"""

from __future__ import annotations

import smtplib
import ssl
import traceback
from dataclasses import dataclass, field, replace
from datetime import datetime
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import Callable, Mapping

from reports.context import SHANGHAI, is_web_address
from reports.digest import (
    CrawlNote,
    DigestContext,
    EvidenceChange,
    GapItem,
    UnitDigest,
    render_digest,
    render_digest_text,
)
from rubrics.engine import (
    OPEN,
    OUTCOME_WORDS,
    STATUS_WORDS,
    Action,
    ScoreSheet,
    Status,
)
from crawler.status import crawl_status_word
from rubrics.export import num
from rubrics.findings import diff_findings
from rubrics.model import Indicator, Outcome, Rubric
from zwgk.services import crawling
from zwgk.services.assess import Crawled, crawl_step, registered, run_chain
from zwgk.services.checking import UnitCheck
from zwgk.services.crawling import UnitCrawl
from zwgk.services.errors import EXIT_ERROR, EXIT_OK, EXIT_PARTIAL, AppError, Interrupted
from zwgk.services.reporting import write_reports
from zwgk.services.rubric_choice import rubric_of
from zwgk.services.stores import crawl_store, sync_units
from zwgk.store import Store
from zwgk.store.crawl import CrawlStore
from zwgk.store.locks import Locked, held

ACTION_WORDS = {
    Action.CONFIRM: STATUS_WORDS[Status.CONFIRMED],
    Action.REJECT: STATUS_WORDS[Status.REJECTED],
    Action.AMEND: STATUS_WORDS[Status.AMENDED],
    Action.NOT_APPLICABLE: STATUS_WORDS[Status.NOT_APPLICABLE],
    Action.REOPEN: "已撤回决定",
}
SMTP_TIMEOUT = 30


class NightlyLocked(Locked):
    """Another nightly run (or a crawl) holds the lock (exit code 4)."""


def nightly_lock(db_path: Path):
    lock_path = db_path.parent / "nightly.lock"
    return held(lock_path, NightlyLocked, f"另一个夜间任务正在使用 {db_path}（锁文件 {lock_path}），本次不运行")


# --- the run log -------------------------------------------------------------------------------------------


class RunLog:
    """One run's log file: timestamped lines, errors with their tracebacks. Progress lines are also echoed."""

    def __init__(self, path: Path, echo: Callable[[str], None]):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._echo = echo
        self._file = open(path, "a", encoding="utf-8")

    def _write(self, level: str, text: str) -> None:
        stamp = datetime.now().astimezone().strftime("%Y-%m-%d %H:%M:%S")  # the server's clock, as Scrapy's lines
        self._file.write(f"{stamp} {level} {text}\n")
        self._file.flush()

    def info(self, message: str) -> None:
        self._write("INFO", message)
        self._echo(message)

    def error(self, message: str) -> None:
        """An error and the traceback of the exception being handled."""
        self._write("ERROR", f"{message}\n{traceback.format_exc().rstrip()}")

    def close(self) -> None:
        self._file.close()


def _fresh_path(folder: Path, stem: str, suffix: str) -> Path:
    """``folder/stem.suffix``, or ``stem-2.suffix`` … when a run in the same second already wrote one."""
    path = folder / f"{stem}{suffix}"
    n = 2
    while path.exists():
        path = folder / f"{stem}-{n}{suffix}"
        n += 1
    return path


# --- email -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    user: str | None
    password: str | None
    starttls: bool
    sender: str
    recipients: tuple[str, ...]

    @property
    def ssl(self) -> bool:
        return self.port == 465


def smtp_from_env(env: Mapping[str, str]) -> SmtpSettings | None:
    """SMTP settings from ``ZWGK_SMTP_*`` / ``ZWGK_MAIL_*``; None when ``ZWGK_SMTP_HOST`` is not set."""
    host = (env.get("ZWGK_SMTP_HOST") or "").strip()
    if not host:
        return None
    port_text = (env.get("ZWGK_SMTP_PORT") or "25").strip()
    if not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise AppError(f"ZWGK_SMTP_PORT 应为端口号（1–65535），实际为 {port_text!r}")
    starttls_text = (env.get("ZWGK_SMTP_STARTTLS") or "0").strip()
    if starttls_text not in ("0", "1"):
        raise AppError(f"ZWGK_SMTP_STARTTLS 应为 1 或 0，实际为 {starttls_text!r}")
    user = (env.get("ZWGK_SMTP_USER") or "").strip() or None
    password = env.get("ZWGK_SMTP_PASSWORD") or None
    if user and password is None:
        raise AppError("设置了 ZWGK_SMTP_USER 但没有设置 ZWGK_SMTP_PASSWORD")
    sender = (env.get("ZWGK_MAIL_FROM") or "").strip()
    if not sender:
        raise AppError("设置了 ZWGK_SMTP_HOST 但没有设置发件人 ZWGK_MAIL_FROM")
    recipients = tuple(a.strip() for a in (env.get("ZWGK_MAIL_TO") or "").split(",") if a.strip())
    if not recipients:
        raise AppError("设置了 ZWGK_SMTP_HOST 但没有设置收件人 ZWGK_MAIL_TO（多个地址用英文逗号分隔）")
    return SmtpSettings(host, int(port_text), user, password, starttls_text == "1", sender, recipients)


def digest_subject(period: int, run_date: str) -> str:
    return f"政务公开考核每日摘要（{period}年度，{run_date}）"


def digest_message(settings: SmtpSettings, subject: str, html: str, text: str) -> EmailMessage:
    msg = EmailMessage()
    msg["Subject"] = subject
    msg["From"] = settings.sender
    msg["To"] = ", ".join(settings.recipients)
    msg["Date"] = formatdate(localtime=True)
    msg["Message-ID"] = make_msgid(domain="zwgk")
    msg.set_content(text, charset="utf-8", cte="base64")
    msg.add_alternative(html, subtype="html", charset="utf-8", cte="base64")
    return msg


def send_mail(settings: SmtpSettings, msg: EmailMessage) -> None:
    """Send through the configured server: SSL on port 465, STARTTLS when asked, login when a user is set."""
    context = ssl.create_default_context()
    if settings.ssl:
        server: smtplib.SMTP = smtplib.SMTP_SSL(settings.host, settings.port, timeout=SMTP_TIMEOUT, context=context)
    else:
        server = smtplib.SMTP(settings.host, settings.port, timeout=SMTP_TIMEOUT)
    with server:
        if settings.starttls and not settings.ssl:
            server.starttls(context=context)
        if settings.user:
            server.login(settings.user, settings.password or "")
        server.send_message(msg)


# --- the run -----------------------------------------------------------------------------------------------


@dataclass
class UnitRow:
    unit_id: str
    unit_name: str
    crawl_status: str
    assessed: bool
    pages: int
    new_gaps: int
    resolved_gaps: int
    evidence_changed: int
    open_count: int
    final_confirmed: float | int
    final_provisional: float | int
    rubric_id: str
    rubric_applied: str  # 按2017年细则评估


@dataclass
class MailOutcome:
    configured: bool
    sent: bool = False
    recipients: list[str] = field(default_factory=list)
    error: str | None = None


@dataclass
class NightlyResult:
    period: int
    db: str
    run_id: int
    crawl_run: int | None
    check_run: int
    crawl_error: str | None
    units: list[UnitRow]
    out: str
    reports: list[str]
    digest: str
    log: str
    mail: MailOutcome
    exit_code: int

    def to_dict(self) -> dict:
        return {
            "period": self.period, "db": self.db, "run_id": self.run_id, "crawl_run": self.crawl_run,
            "check_run": self.check_run, "crawl_error": self.crawl_error, "exit_code": self.exit_code,
            "units": [u.__dict__ for u in self.units], "out": self.out, "reports": self.reports,
            "digest": self.digest, "log": self.log, "mail": self.mail.__dict__,
        }


def default_out(db_path: Path, period: int) -> Path:
    """``reports/<period>/`` beside the database (``$ZWGK_HOME/reports/<period>/`` for the default database)."""
    return db_path.parent / "reports" / str(period)


def run_nightly(
    db_path: str | Path,
    *,
    period: int,
    units_path: str | Path | None = None,
    out_dir: str | Path | None = None,
    full: bool = False,
    smtp: SmtpSettings | None = None,
    progress: Callable[[str], None] = lambda _: None,
) -> NightlyResult:
    """The whole nightly chain under one lock; raises NightlyLocked when another run holds it."""
    db_path = Path(db_path)
    started = datetime.now(SHANGHAI)
    with nightly_lock(db_path):
        log = RunLog(_fresh_path(db_path.parent / "logs", f"nightly-{started:%Y%m%d-%H%M%S}", ".log"), progress)
        try:
            return _run(db_path, period, units_path, Path(out_dir) if out_dir else default_out(db_path, period),
                        full, smtp, started, log)
        except NightlyLocked:
            raise
        except Interrupted:
            log.info("夜间任务已中断（收到停止信号）；下次运行时继续未完成的抓取")
            raise
        except BaseException:
            log.error("夜间任务出错，已中止")
            raise
        finally:
            log.close()


def _run(db_path: Path, period: int, units_path, out: Path, full: bool, smtp: SmtpSettings | None,
         started: datetime, log: RunLog) -> NightlyResult:
    log.info(f"夜间任务开始：{period} 年度，数据库 {db_path}")
    with Store.open(db_path) as store:
        synced = sync_units(store, units_path)
        if synced:
            log.info(f"已同步单位名录：{synced} 个单位")
        units = store.list_units()
        if not units:
            raise AppError("单位名录为空：请用 --units 指定单位名录或 zwgk units import 导入")
        for u in units:  # an unknown rubric is a configuration error: say so before crawling all night
            rubric_of(u, period)
        cs = crawl_store(store)
        before = {u["id"]: (cs.unit_status(u["id"]) or {}).get("status") for u in units}
        run_id = store.start_run("nightly", period=period)
    try:
        result = _pipeline(db_path, period, units, before, run_id, out, full, smtp, started, log)
    except BaseException as exc:
        with Store.open(db_path) as store:
            status = ("locked" if isinstance(exc, NightlyLocked)
                      else "interrupted" if isinstance(exc, Interrupted) else "failed")
            store.finish_run(run_id, status, {"error": f"{type(exc).__name__}: {exc}", "log": str(log.path)})
        raise
    with Store.open(db_path) as store:
        status = {EXIT_OK: "complete", EXIT_PARTIAL: "partial"}.get(result.exit_code, "crawl_error")
        store.finish_run(run_id, status, {k: v for k, v in result.to_dict().items() if k not in ("units", "reports")})
    log.info(f"夜间任务结束：退出码 {result.exit_code}")
    return result


def _pipeline(db_path: Path, period: int, units: list[dict], before: dict[str, str | None], run_id: int, out: Path,
              full: bool, smtp: SmtpSettings | None, started: datetime, log: RunLog) -> NightlyResult:
    crawlable = [u["id"] for u in units if u.get("disclosure_roots") or u.get("site")]
    for u in units:
        if u["id"] not in crawlable:
            log.info(f"{u['name']}（{u['id']}）没有登记网站或公开目录地址，不抓取，记为无法评估")

    def crawl(path: Path, _unit_ids: list[str], progress: Callable[[str], None]) -> Crawled:
        """Only the units with a site; a crawl that fails is logged and the checks run on what was stored."""
        if not crawlable:
            return Crawled()
        try:
            # Scrapy's own warnings go to the run's log, not to the console
            return crawl_step(full=full, settings={"LOG_FILE": str(log.path)})(path, crawlable, progress)
        except crawling.CrawlLocked as exc:
            log.info(f"抓取锁被占用，本次不运行：{exc}")
            raise NightlyLocked(str(exc)) from None
        except Exception as exc:
            error = f"{type(exc).__name__}: {exc}"
            log.error(f"抓取出错（{error}），继续检查已保存的页面")
            return Crawled(error=error)

    ids = [u["id"] for u in units]
    done = run_chain(db_path, period, sync=registered(ids), crawl=crawl,
                     announce={"score": "评分并整理与上次检查相比的变化", "report": f"生成报告到 {out}"},
                     progress=log.info)
    crawl_error = done.crawl.error
    crawled = {r.unit_id: r for r in done.crawl.units}
    with Store.open(db_path) as store:
        cs = crawl_store(store)
        digests, rows = [], []
        for u in units:
            sheet = done.sheets[u["id"]]
            d = _unit_digest(store, cs, u, period, done.check_run, sheet, done.check_of(u["id"]),
                             crawled.get(u["id"]), before[u["id"]], u["id"] in crawlable)
            digests.append(d)
            rows.append(UnitRow(u["id"], u["name"], d.crawl_status, d.assessed, d.pages, len(d.new_gaps),
                                len(d.resolved_gaps), len(d.evidence_changed), d.open_count,
                                num(sheet.final_confirmed), num(sheet.final_provisional), sheet.rubric.id,
                                sheet.rubric.applied_label))
    files = (write_reports(done.reports, done.rubrics, "html", out)
             + write_reports(done.reports, done.rubrics, "xlsx", out))

    ctx = DigestContext(
        period=period,
        run_date=f"{started:%Y-%m-%d}",
        generated_at=datetime.now(SHANGHAI).strftime("%Y-%m-%d %H:%M"),
        units=tuple(digests),
        reports_dir=str(out),
        crawl_error=crawl_error,
    )
    digest_path = _fresh_path(out, f"digest-{started:%Y%m%d-%H%M%S}", ".html")
    digest_path.write_text(render_digest(ctx), encoding="utf-8")
    log.info(f"摘要：新增问题 {ctx.new_total} 项，已解决 {ctx.resolved_total} 项，证据已变化 {ctx.evidence_changed_total} 项，"
             f"待处理 {ctx.open_total} 项；写入 {digest_path}")

    mail = _mail(smtp, ctx, log)
    exit_code = EXIT_ERROR if crawl_error else EXIT_PARTIAL if any(not d.assessed for d in digests) else EXIT_OK
    return NightlyResult(period, str(db_path), run_id, done.crawl.run_id, done.check_run, crawl_error, rows, str(out),
                         [f["path"] for f in files], str(digest_path), str(log.path), mail, exit_code)


def _mail(smtp: SmtpSettings | None, ctx: DigestContext, log: RunLog) -> MailOutcome:
    if smtp is None:
        return MailOutcome(configured=False)
    email_ctx = replace(ctx, link_reports=False)
    msg = digest_message(smtp, digest_subject(ctx.period, ctx.run_date), render_digest(email_ctx), render_digest_text(ctx))
    try:
        send_mail(smtp, msg)
    except Exception as exc:  # the run's data stands; only the mail is missing
        error = f"{type(exc).__name__}: {exc}"
        log.error(f"邮件发送失败（{smtp.host}:{smtp.port}）：{error}")
        return MailOutcome(configured=True, recipients=list(smtp.recipients), error=error)
    log.info(f"摘要邮件已发送至 {', '.join(smtp.recipients)}")
    return MailOutcome(configured=True, sent=True, recipients=list(smtp.recipients))


def gap_item(f: dict, rubric: Rubric, outcome_text: str) -> GapItem:
    try:
        owner, rule = rubric.find_rule(f["rule_id"])
        label = f"{owner.position} {owner.name}" if isinstance(owner, Indicator) else owner.name
        rule_text = rule.text
    except KeyError:  # a rule of an earlier rubric version
        label, rule_text = f["rule_id"], ""
    evidence = f.get("evidence")
    url = evidence.get("url") if isinstance(evidence, dict) else None
    return GapItem(f["fingerprint"], f["rule_id"], label, rule_text, f.get("subject") or "", f.get("message") or "",
                   outcome_text, url if is_web_address(url) else None)


def _crawl_notes(cs: CrawlStore, unit_id: str, crawl: UnitCrawl | None, crawlable: bool) -> list[CrawlNote]:
    if not crawlable:
        return [CrawlNote("no_site", "单位名录中没有登记网站或公开目录地址，无法抓取")]
    if crawl is not None:
        return [CrawlNote(h.get("kind", ""), h.get("message", "")) for h in crawl.health]
    last = cs.unit_status(unit_id)
    if last is None:
        return [CrawlNote("not_crawled", "本次抓取出错，且该单位网站从未抓取过")]
    return [CrawlNote(h.get("kind", ""), h.get("message", "")) for h in last["health"]] + [
        CrawlNote("not_crawled", f"本次抓取出错，沿用 {last['started_at'][:10]} 抓取的页面")]


def _unit_digest(store: Store, cs: CrawlStore, unit: dict, period: int, check_run: int, sheet: ScoreSheet,
                 check: UnitCheck, crawl: UnitCrawl | None, status_before: str | None, crawlable: bool) -> UnitDigest:
    uid, rubric = unit["id"], sheet.rubric
    current = store.current_findings(uid, period)
    previous = store.previous_check_findings(uid, period, check_run)
    latest = {d.fingerprint: d for d in store.decisions(uid, period)}  # ordered by id: the last one wins
    diff = diff_findings(previous or [], current, {fp: d.evidence_hash for fp, d in latest.items()})
    now = {f["fingerprint"]: f for f in current}

    def outcome_text(fp: str) -> str:
        f = now.get(fp)
        return OUTCOME_WORDS[Outcome(f["outcome"])] if f else "不再出现"

    open_fps = [d.fingerprint for i in sheet.indicators for d in i.deductions if d.status in OPEN] + [
        e.fingerprint for a in sheet.adjustments for e in a.entries if e.status in OPEN]
    first_seen = store.proposals_first_seen(uid, period)
    seen = [first_seen[fp] for fp in open_fps if fp in first_seen]
    return UnitDigest(
        unit_id=uid,
        unit_name=unit["name"],
        crawl_status=check.crawl_status,
        crawl_text=crawl_status_word(check.crawl_status),
        crawl_notes=tuple(_crawl_notes(cs, uid, crawl, crawlable)),
        crawl_new=status_before != check.crawl_status,
        assessed=check.crawl_status != "failed",
        first_check=previous is None,
        pages=check.records,
        new_gaps=tuple(gap_item(f, rubric, outcome_text(f["fingerprint"])) for f in diff.new),
        resolved_gaps=tuple(gap_item(f, rubric, outcome_text(f["fingerprint"])) for f in diff.resolved),
        evidence_changed=tuple(
            EvidenceChange(gap_item(c.finding, rubric, outcome_text(c.finding["fingerprint"])),
                           ACTION_WORDS[latest[c.finding["fingerprint"]].action], latest[c.finding["fingerprint"]].by,
                           latest[c.finding["fingerprint"]].at, c.new_tonight)
            for c in diff.evidence_changed
        ),
        open_count=sheet.open_count,
        oldest_open_at=min(seen) if seen else None,
        final_confirmed=sheet.final_confirmed,
        final_provisional=sheet.final_provisional,
    )
