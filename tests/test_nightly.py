"""``zwgk nightly``: the diff behind the digest, the digest page, SMTP settings, and the whole run end to end.

End-to-end runs happen in subprocesses (a Scrapy crawl runs once per process) against the demo site served
here on 127.0.0.1, with a tiny SMTP server, also here, receiving the digest.
"""

from __future__ import annotations

import email
import email.policy
import json
import os
import re
import socket
import socketserver
import subprocess
import sys
import threading
from decimal import Decimal
from pathlib import Path

import pytest
from crawlenv import crawl_env

from crawler.status import crawl_status_word
from reports.digest import (
    CrawlNote,
    DigestContext,
    EvidenceChange,
    GapItem,
    UnitDigest,
    render_digest,
    render_digest_text,
)
from rubrics.findings import EvidenceChanged, diff_findings
from rubrics.loader import get_rubric
from rubrics.model import fingerprint
from zwgk.services import checking
from zwgk.services import crawling
from zwgk.demo import server as demo_site
from zwgk.services.errors import AppError
from zwgk.services.checking import UnitCheck
from zwgk.services.crawling import UnitCrawl, crawl_lock
from zwgk.services.nightly import (
    digest_message,
    digest_subject,
    gap_item,
    nightly_lock,
    run_nightly,
    smtp_from_env,
)
from zwgk.services.stores import crawl_store
from zwgk.store import Store
from zwgk.registry.units import load_units

ROOT = Path(__file__).resolve().parent.parent
HOSTILE = "<script>alert(1)</script>"


# --- the diff ----------------------------------------------------------------------------------------------


def f(fp: str, outcome: str, rule: str = "r.1", evidence_hash: str = "h") -> dict:
    return {"fingerprint": fp, "rule_id": rule, "outcome": outcome, "evidence_hash": evidence_hash,
            "subject": fp, "message": f"关于 {fp}", "evidence": {}}


def test_new_gaps_are_open_now_and_were_not_open_before():
    previous = [f("kept", "fail"), f("was-pass", "pass"), f("was-cna", "could_not_assess"), f("review", "needs_review")]
    current = [f("kept", "needs_review"), f("was-pass", "fail"), f("was-cna", "needs_review"), f("brand-new", "fail"),
               f("review", "fail"), f("passing", "pass")]
    diff = diff_findings(previous, current, {})
    assert [x["fingerprint"] for x in diff.new] == ["was-pass", "was-cna", "brand-new"]
    assert diff.resolved == () and diff.evidence_changed == ()


def test_resolved_gaps_passed_or_vanished_but_not_when_nobody_could_look():
    previous = [f("passes", "fail"), f("gone", "fail", rule="r.2"), f("na", "needs_review"),
                f("site-down", "fail", rule="r.3"), f("now-cna", "needs_review", rule="r.4"), f("still", "fail"),
                f("never-open", "pass", rule="r.5")]
    current = [f("passes", "pass"), f("na", "not_applicable"), f("r3-cna", "could_not_assess", rule="r.3"),
               f("now-cna", "could_not_assess", rule="r.4"), f("still", "fail")]
    diff = diff_findings(previous, current, {})
    assert [x["fingerprint"] for x in diff.resolved] == ["passes", "gone", "na"]
    assert diff.new == ()


def test_evidence_changed_on_decided_items():
    previous = [f("changed-before", "fail", evidence_hash="h1"), f("changed-now", "fail", evidence_hash="h0"),
                f("same", "fail", evidence_hash="h5")]
    current = [f("changed-before", "fail", evidence_hash="h1"), f("changed-now", "needs_review", evidence_hash="h2"),
               f("same", "fail", evidence_hash="h5"), f("undecided", "fail", evidence_hash="h9"),
               f("no-hash", "fail", evidence_hash="h7"), f("passes", "pass", evidence_hash="h8"),
               f("reappeared", "fail", evidence_hash="h3")]
    decided = {"changed-before": "h0", "changed-now": "h0", "same": "h5", "no-hash": None, "passes": "h0",
               "reappeared": "h0"}
    diff = diff_findings(previous, current, decided)
    assert [(c.finding["fingerprint"], c.new_tonight) for c in diff.evidence_changed] == [
        ("changed-before", False), ("changed-now", True), ("reappeared", True)]
    assert all(isinstance(c, EvidenceChanged) for c in diff.evidence_changed)


def test_first_check_makes_every_open_finding_new():
    diff = diff_findings([], [f("a", "fail"), f("b", "pass"), f("c", "needs_review")], {})
    assert [x["fingerprint"] for x in diff.new] == ["a", "c"]


def test_gap_items_name_the_rule_and_never_link_other_schemes():
    rubric = get_rubric("township-2017")
    item = gap_item({**f("x", "fail", rule="township-2017.2.2.a"), "evidence": {"url": "javascript:alert(1)"}},
                    rubric, "拟扣分")
    owner, rule = rubric.find_rule("township-2017.2.2.a")
    assert item.owner == f"{owner.position} {owner.name}" and item.rule_text == rule.text
    assert item.url is None
    linked = gap_item({**f("y", "fail", rule="township-2017.2.2.a"), "evidence": {"url": "https://example.gov.cn/a"}},
                      rubric, "拟扣分")
    assert linked.url == "https://example.gov.cn/a"
    old = gap_item(f("z", "fail", rule="township-2016.9.9.a"), rubric, "不再出现")
    assert old.owner == "township-2016.9.9.a" and old.rule_text == ""


# --- the digest page ---------------------------------------------------------------------------------------


def gap(n: int, text: str = "未公开指南") -> GapItem:
    return GapItem(f"{n:064x}", "township-2017.2.2.a", "2.2 指南和年报公开", "未公开指南的扣1分", "政府信息公开指南",
                   text, "待复核", "http://example.gov.cn/xxgk/")


def unit(uid: str, name: str, **kw) -> UnitDigest:
    status = kw.get("crawl_status", "complete")
    base = dict(unit_id=uid, unit_name=name, crawl_status=status, crawl_text=crawl_status_word(status), crawl_notes=(),
                crawl_new=False, assessed=True, first_check=False, pages=40, new_gaps=(), resolved_gaps=(),
                evidence_changed=(), open_count=0, oldest_open_at=None, final_confirmed=Decimal(100),
                final_provisional=Decimal("97.5"))
    return UnitDigest(**{**base, **kw})


def digest(units, **kw) -> DigestContext:
    return DigestContext(period=2017, run_date="2026-11-27", generated_at="2026-11-27 01:45", units=tuple(units),
                         reports_dir="/var/lib/zwgk/reports/2017", **kw)


def test_digest_lists_changes_trouble_and_open_decisions():
    ctx = digest([
        unit("a-town", "甲镇", new_gaps=(gap(1), gap(2)), open_count=2, oldest_open_at="2026-11-20T17:00:00+00:00"),
        unit("b-town", "乙镇", resolved_gaps=(gap(3, "已补上指南"),), open_count=5,
             oldest_open_at="2026-10-01T17:00:00+00:00",
             evidence_changed=(EvidenceChange(gap(4, "证据页面改了"), "已确认", "pinggu", "2026-11-01T02:00:00+00:00", True),)),
        unit("c-bureau", "丙局", crawl_status="failed", assessed=False, crawl_new=True,
             crawl_notes=(CrawlNote("unreachable", "公开目录入口均无法访问（连接失败 1 次）"),)),
    ])
    html = render_digest(ctx)
    assert "2017年度政务公开考核每日摘要" in html
    assert "对象：政府信息公开指南" in html and "未公开指南的扣1分" in html
    assert html.count("未公开指南") >= 2 and "已补上指南" in html and "证据页面改了" in html
    assert "公开目录入口均无法访问" in html and "新出现" in html and "本次变化" in html
    assert "以下单位本次无法评估" in html and "丙局" in html
    # open decisions: the unit waiting longest first, times in Beijing time
    assert html.index("2026-10-02 01:00") < html.index("2026-11-21 01:00")
    assert 'href="a-town.html"' in html and 'href="summary.html"' in html
    assert "无新增问题" not in html
    assert (ctx.new_total, ctx.resolved_total, ctx.evidence_changed_total, ctx.open_total) == (2, 1, 1, 7)


def test_quiet_digest_says_nothing_changed():
    html = render_digest(digest([unit("a-town", "甲镇")]))
    for text in ("与上次检查相比，无新增问题", "无已解决的问题", "各单位网站抓取正常", "没有证据已变化", "当前没有待处理的拟扣分"):
        assert text in html


def test_digest_escapes_hostile_text():
    hostile_gap = GapItem("f" * 64, "r", HOSTILE, HOSTILE, HOSTILE, HOSTILE, HOSTILE, None)
    ctx = digest([unit("x", HOSTILE, new_gaps=(hostile_gap,), crawl_status="partial",
                       crawl_notes=(CrawlNote("errors", HOSTILE),))], crawl_error=HOSTILE)
    html = render_digest(ctx)
    assert "<script>" not in html
    assert html.count("&lt;script&gt;alert(1)&lt;/script&gt;") >= 7


def test_digest_lists_a_limited_number_of_items_and_counts_the_rest():
    html = render_digest(digest([unit("a", "甲镇", new_gaps=tuple(gap(i) for i in range(5)))], item_limit=3))
    assert "另有 2 项未列出" in html
    assert html.count("未公开指南的扣1分") == 3


def test_email_form_does_not_link_to_files_it_cannot_reach():
    ctx = digest([unit("a-town", "甲镇", new_gaps=(gap(1),))], link_reports=False)
    html = render_digest(ctx)
    assert 'href="a-town.html"' not in html and 'href="summary.html"' not in html
    assert 'href="http://example.gov.cn/xxgk/"' in html  # evidence on the web stays a link
    text = render_digest_text(ctx)
    assert "新增问题 1 项" in text and "甲镇：新增 1" in text and "/var/lib/zwgk/reports/2017" in text


# --- SMTP settings and the message ---------------------------------------------------------------------


MAIL_ENV = {"ZWGK_SMTP_HOST": "mail.example.gov.cn", "ZWGK_MAIL_FROM": "zwgk@example.gov.cn",
            "ZWGK_MAIL_TO": "a@example.gov.cn, b@example.gov.cn ,"}


def test_smtp_settings_from_environment():
    assert smtp_from_env({}) is None
    s = smtp_from_env(MAIL_ENV)
    assert (s.host, s.port, s.ssl, s.starttls, s.user) == ("mail.example.gov.cn", 25, False, False, None)
    assert s.recipients == ("a@example.gov.cn", "b@example.gov.cn")
    s = smtp_from_env({**MAIL_ENV, "ZWGK_SMTP_PORT": "465", "ZWGK_SMTP_USER": "zwgk", "ZWGK_SMTP_PASSWORD": "pw"})
    assert s.ssl and s.user == "zwgk" and s.password == "pw"
    assert smtp_from_env({**MAIL_ENV, "ZWGK_SMTP_PORT": "587", "ZWGK_SMTP_STARTTLS": "1"}).starttls


@pytest.mark.parametrize("change, word", [
    ({"ZWGK_MAIL_TO": " , "}, "ZWGK_MAIL_TO"),
    ({"ZWGK_MAIL_FROM": ""}, "ZWGK_MAIL_FROM"),
    ({"ZWGK_SMTP_PORT": "smtp"}, "ZWGK_SMTP_PORT"),
    ({"ZWGK_SMTP_STARTTLS": "yes"}, "ZWGK_SMTP_STARTTLS"),
    ({"ZWGK_SMTP_USER": "zwgk"}, "ZWGK_SMTP_PASSWORD"),
])
def test_incomplete_smtp_settings_are_refused_by_name(change, word):
    with pytest.raises(AppError, match=word):
        smtp_from_env({**MAIL_ENV, **change})


def test_digest_message_is_utf8_html_with_a_text_part():
    settings = smtp_from_env(MAIL_ENV)
    msg = digest_message(settings, digest_subject(2017, "2026-11-27"), "<p>新市镇人民政府</p>", "新市镇人民政府\n")
    parsed = email.message_from_bytes(msg.as_bytes(), policy=email.policy.default)
    assert parsed["Subject"] == "政务公开考核每日摘要（2017年度，2026-11-27）"
    assert parsed["To"] == "a@example.gov.cn, b@example.gov.cn"
    assert parsed.get_body(("html",)).get_content().strip() == "<p>新市镇人民政府</p>"
    assert parsed.get_body(("plain",)).get_content() == "新市镇人民政府\n"
    assert msg.as_bytes().isascii()  # 7-bit clean on the wire, whatever the server supports


# --- end to end ----------------------------------------------------------------------------------------


class SmtpHandler(socketserver.StreamRequestHandler):
    """Just enough SMTP to receive a message: EHLO/HELO, MAIL, RCPT, DATA, QUIT."""

    def reply(self, text: str) -> None:
        self.wfile.write(text.encode("ascii") + b"\r\n")

    def handle(self) -> None:
        self.reply("220 zwgk-test ESMTP")
        envelope = {"from": None, "to": []}
        while line := self.rfile.readline():
            verb, _, arg = line.decode("ascii", "replace").strip().partition(" ")
            verb = verb.upper()
            if verb == "EHLO":
                self.reply("250-zwgk-test")
                self.reply("250 8BITMIME")
            elif verb in ("HELO", "RSET", "NOOP"):
                self.reply("250 OK")
            elif verb == "MAIL":
                envelope["from"] = arg
                self.reply("250 OK")
            elif verb == "RCPT":
                envelope["to"].append(arg)
                self.reply("250 OK")
            elif verb == "DATA":
                self.reply("354 End data with <CR><LF>.<CR><LF>")
                body = []
                while (data := self.rfile.readline()) not in (b".\r\n", b""):
                    body.append(data[1:] if data.startswith(b"..") else data)
                self.server.received.append({**envelope, "data": b"".join(body)})
                self.reply("250 OK queued")
            elif verb == "QUIT":
                self.reply("221 Bye")
                return
            else:
                self.reply("502 Command not implemented")


@pytest.fixture
def smtp_server():
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), SmtpHandler)
    server.daemon_threads = True
    server.received = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_nightly_cli(home: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("ZWGK_SMTP_", "ZWGK_MAIL_"))}
    return subprocess.run(
        [sys.executable, "-m", "zwgk", "nightly", "--period", "2017", "--db", str(home / "zwgk.db"), *args],
        capture_output=True, text=True, timeout=300, cwd=ROOT,
        env={**crawl_env(base=base), "ZWGK_HOME": str(home), **(env or {})},
    )


def mail_env(port: int) -> dict:
    return {"ZWGK_SMTP_HOST": "127.0.0.1", "ZWGK_SMTP_PORT": str(port), "ZWGK_MAIL_FROM": "zwgk@example.gov.cn",
            "ZWGK_MAIL_TO": "pinggu@example.gov.cn,office@example.gov.cn"}


def register(home: Path, base_url: str) -> list:
    units_file = home.parent / "units.yaml"
    demo_site.write_units_yaml(base_url, units_file)
    units = load_units(units_file)
    with Store.open(home / "zwgk.db") as store:
        store.upsert_units([u.to_dict() for u in units])
    return units


@pytest.mark.slow
def test_nightly_end_to_end(tmp_path, smtp_server):
    home = tmp_path / "home"
    with demo_site.serve() as site:
        units = register(home, site.base_url)
        names = {u.id: u.name for u in units}

        first = run_nightly_cli(home, "--json", env=mail_env(smtp_server.server_address[1]))
        assert first.returncode == 0, first.stderr[-3000:]
        doc = json.loads(first.stdout)["nightly"]
        assert doc["exit_code"] == 0 and doc["crawl_error"] is None
        assert {u["unit_id"]: (u["crawl_status"], u["assessed"]) for u in doc["units"]} == {
            uid: ("complete", True) for uid in names}
        assert all(u["new_gaps"] == u["open_count"] > 0 for u in doc["units"])  # first check: every gap is new
        out = home / "reports" / "2017"
        assert Path(doc["out"]) == out
        for name in [f"{uid}.html" for uid in names] + ["summary.html", "township-2017.xlsx", "department-2017.xlsx"]:
            assert (out / name).is_file() and str(out / name) in doc["reports"]
        digest_path, log_path = Path(doc["digest"]), Path(doc["log"])
        assert digest_path.parent == out and re.fullmatch(r"digest-\d{8}-\d{6}\.html", digest_path.name)
        assert log_path.parent == home / "logs" and re.fullmatch(r"nightly-\d{8}-\d{6}\.log", log_path.name)
        first_digest = digest_path.read_text(encoding="utf-8")
        assert "首次检查" in first_digest and all(name in first_digest for name in names.values())
        log = log_path.read_text(encoding="utf-8")
        assert "开始抓取 4 个单位" in log and f"检查 {names['xinshi-town']}" in log and "夜间任务结束：退出码 0" in log

        assert doc["mail"] == {"configured": True, "sent": True, "error": None,
                               "recipients": ["pinggu@example.gov.cn", "office@example.gov.cn"]}
        assert len(smtp_server.received) == 1
        received = smtp_server.received[0]
        assert received["to"] == ["TO:<pinggu@example.gov.cn>", "TO:<office@example.gov.cn>"]
        mail = email.message_from_bytes(received["data"], policy=email.policy.default)
        day = digest_path.name[7:15]
        assert mail["Subject"] == f"政务公开考核每日摘要（2017年度，{day[:4]}-{day[4:6]}-{day[6:]}）"
        html = mail.get_body(("html",)).get_content()
        assert names["xinshi-town"] in html and "新增问题" in html

        # nothing changed on the site: the second night's digest has nothing new; the mail server is gone
        second = run_nightly_cli(home, env=mail_env(closed_port()))
        assert second.returncode == 0, second.stderr[-3000:]
        assert second.stderr == ""  # the console gets the summary only; progress is in the log
        assert "邮件未发送" in second.stdout and names["land-bureau"] in second.stdout
        assert "按2017年细则评估" in second.stdout
        digests = sorted(out.glob("digest-*.html"))
        assert len(digests) == 2
        quiet = digests[-1].read_text(encoding="utf-8")
        assert "与上次检查相比，无新增问题" in quiet and "无已解决的问题" in quiet and "首次检查" not in quiet
        logs = sorted((home / "logs").glob("nightly-*.log"))
        assert len(logs) == 2
        second_log = logs[-1].read_text(encoding="utf-8")
        assert "邮件发送失败" in second_log and "Traceback" in second_log

    # the site is down: every unit could not be assessed (exit 3), and no gap counts as resolved
    down = run_nightly_cli(home, "--json")
    assert down.returncode == 3, down.stderr[-3000:]
    doc = json.loads(down.stdout)["nightly"]
    assert doc["exit_code"] == 3 and doc["mail"]["configured"] is False
    assert all(u["crawl_status"] == "failed" and not u["assessed"] and u["resolved_gaps"] == 0 for u in doc["units"])
    page = Path(doc["digest"]).read_text(encoding="utf-8")
    assert "公开目录入口均无法访问" in page and "以下单位本次无法评估" in page and "无已解决的问题" in page


@pytest.mark.slow
def test_nightly_refuses_to_run_while_another_holds_the_lock(tmp_path):
    home = tmp_path / "home"
    register(home, "http://127.0.0.1:9")
    with nightly_lock(home / "zwgk.db"):
        done = run_nightly_cli(home)
    assert done.returncode == 4
    assert "另一个夜间任务" in done.stderr and done.stdout == ""
    assert not (home / "logs").exists()


@pytest.mark.slow
def test_nightly_stops_when_a_crawl_holds_the_crawl_lock(tmp_path):
    home = tmp_path / "home"
    register(home, "http://127.0.0.1:9")
    with crawl_lock(home / "zwgk.db"):
        done = run_nightly_cli(home)
    assert done.returncode == 4
    assert "另一个抓取任务" in done.stderr
    assert not (home / "reports").exists()


# --- the run's wiring, in process (crawl and checks replaced: no Scrapy here) -------------------------------


RULE = "township-2017.2.2.a"


def hand_finding(subject: str, outcome: str, evidence_url: str, rule: str = RULE) -> dict:
    return {"fingerprint": fingerprint("township-2017", 2017, "a-town", rule, subject), "rule_id": rule,
            "check_id": "hand", "subject": subject, "outcome": outcome, "count": 1 if outcome != "pass" else 0,
            "message": f"{subject}：{outcome}", "evidence": {"url": evidence_url}}


class FakeSteps:
    """Stands in for crawling.crawl_units and checking.check_units: records what it was asked, stores given findings."""

    def __init__(self, monkeypatch):
        self.crawled: list[list[str]] = []
        self.findings: list[dict] = []
        self.crawl_error: Exception | None = None
        self.settings: dict | None = None
        monkeypatch.setattr(crawling, "crawl_units", self.crawl)
        monkeypatch.setattr(checking, "check_units", self.check)

    def crawl(self, db_path, unit_ids, *, full=False, settings=None, progress=lambda _: None):
        self.crawled.append(list(unit_ids))
        self.settings = settings
        if self.crawl_error:
            raise self.crawl_error
        with Store.open(db_path) as store:
            run_id = store.start_run("crawl")
            cs = crawl_store(store)
            for uid in unit_ids:
                cs.set_unit_status(run_id, uid, "complete", [], {})
            store.finish_run(run_id, "complete", {})
        return run_id, [UnitCrawl(uid, uid, "complete", [], {}) for uid in unit_ids]

    def check(self, store, cs, unit_ids, period, progress=lambda _: None):
        run_id = store.start_run("check", period=period)
        results = []
        for uid in unit_ids:
            unit = store.get_unit(uid)
            status = checking.crawl_state(cs, uid)[0]
            mine = self.findings if uid == "a-town" and status != "failed" else []
            store.record_findings(run_id, uid, period, f"{unit['kind']}-2017", mine)
            results.append(UnitCheck(uid, unit["name"], f"{unit['kind']}-2017", status, 10))
        store.finish_run(run_id, "complete", {})
        return run_id, results


@pytest.fixture
def fake_home(tmp_path, monkeypatch):
    home = tmp_path / "home"
    with Store.open(home / "zwgk.db") as store:
        store.upsert_units([
            {"id": "a-town", "name": "甲镇", "kind": "township", "site": "http://127.0.0.1:9/a/"},
            {"id": "no-site", "name": "无网站镇", "kind": "township"},
        ])
        store.add_user("pinggu", "assessor", "pw-pinggu")
    return home, FakeSteps(monkeypatch)


def test_digest_follows_decisions_evidence_and_gaps_across_nights(fake_home):
    home, steps = fake_home
    db = home / "zwgk.db"
    steps.findings = [hand_finding("甲", "fail", "http://a/1"), hand_finding("乙", "fail", "http://a/2"),
                      hand_finding("丙", "pass", "http://a/3")]
    first = run_nightly(db, period=2017)
    assert steps.crawled == [["a-town"]]  # a unit without a site is not crawled …
    assert steps.settings == {"LOG_FILE": first.log}  # Scrapy logs into the run's log
    assert first.exit_code == 3  # … and could not be assessed
    rows = {u.unit_id: u for u in first.units}
    assert (rows["a-town"].new_gaps, rows["a-town"].open_count, rows["a-town"].assessed) == (2, 2, True)
    assert not rows["no-site"].assessed and rows["no-site"].crawl_status == "failed"
    assert "单位名录中没有登记网站或公开目录地址" in Path(first.digest).read_text(encoding="utf-8")

    with Store.open(db) as store:
        store.add_decision(steps.findings[0]["fingerprint"], "a-town", 2017, "confirm", "pinggu")
    steps.findings = [hand_finding("甲", "fail", "http://a/1-changed"), hand_finding("丙", "pass", "http://a/3"),
                      hand_finding("丁", "needs_review", "http://a/4")]
    second = run_nightly(db, period=2017)
    row = next(u for u in second.units if u.unit_id == "a-town")
    assert second.crawl_error is None and second.log != first.log
    assert (row.new_gaps, row.resolved_gaps, row.evidence_changed, row.open_count) == (1, 1, 1, 1)
    html = Path(second.digest).read_text(encoding="utf-8")
    assert "丁：needs_review" in html and "乙：fail" in html and "不再出现" in html
    assert "甲：fail" in html and "已确认" in html and "本次变化" in html and "http://a/1-changed" in html
    assert "首次检查" not in html
    with Store.open(db) as store:
        run = store.get_run(second.run_id)
    assert run["kind"] == "nightly" and run["status"] == "partial" and run["stats"]["digest"] == second.digest


def test_a_crawl_that_raises_is_logged_and_the_stored_pages_are_still_checked(fake_home):
    home, steps = fake_home
    steps.crawl_error = RuntimeError("reactor exploded")
    result = run_nightly(home / "zwgk.db", period=2017)
    assert result.exit_code == 1 and result.crawl_error == "RuntimeError: reactor exploded"
    assert {u.unit_id for u in result.units} == {"a-town", "no-site"}  # checked and reported all the same
    assert Path(result.digest).is_file() and Path(result.out, "summary.html").is_file()
    log = Path(result.log).read_text(encoding="utf-8")
    assert "抓取出错" in log and "Traceback" in log and "reactor exploded" in log
    html = Path(result.digest).read_text(encoding="utf-8")
    assert "本次抓取中途出错" in html and "从未抓取过" in html
    with Store.open(home / "zwgk.db") as store:
        assert store.get_run(result.run_id)["status"] == "crawl_error"


def test_a_failing_step_marks_the_run_failed_and_logs_the_traceback(fake_home, monkeypatch):
    home, _ = fake_home

    def broken(*args, **kwargs):
        raise ValueError("check blew up")

    monkeypatch.setattr(checking, "check_units", broken)
    with pytest.raises(ValueError):
        run_nightly(home / "zwgk.db", period=2017)
    with Store.open(home / "zwgk.db") as store:
        run = store.latest_run("nightly")
    assert run["status"] == "failed" and "check blew up" in run["stats"]["error"]
    log = Path(run["stats"]["log"]).read_text(encoding="utf-8")
    assert "夜间任务出错" in log and "ValueError: check blew up" in log
