"""个人信息保护: personal data exposed in published pages and their attachments.

Rubric clauses (2017): township 3.21 / department 3.19 信息安全 "建立健全保密审查制度，加大对……个人隐私等重要数据的
保护力度" (未实施/未按要求实施 3.21.a / 3.19.a).

Scans every page's title, text and extracted attachment text for 18-digit 居民身份证号码 that are valid under
GB 11643 (region digit 1–9, a real birth date, the ISO 7064 MOD 11-2 check character) and for mobile
numbers 1[3-9]xxxxxxxxx that are not part of a longer run of digits. Masked numbers (430681********1234),
landlines and long serial numbers are not flagged; neither is an ID-like number with a wrong check digit.

Outcome: personal data found → needs_review (a person decides whether publishing it was lawful, e.g. a
public official's work mobile), with the exact pages and the masked values in the evidence; none → pass.
Roles: ``security``.
Subject key: ``personal-data``.
"""

from __future__ import annotations

import datetime as dt
import re

from checks.base import Check, CheckContext, Finding, Role, Subject, finding
from rubrics.model import Outcome

ID = "privacy"
SUBJECT = Subject("personal-data", "个人信息（身份证号、手机号）")
ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[0-9Xx](?![0-9A-Za-z])")
MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"


def valid_id_number(number: str) -> bool:
    """GB 11643-1999: a real birth date and the MOD 11-2 check character."""
    if len(number) != 18 or not number[:17].isdigit():
        return False
    try:
        dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return False
    total = sum(int(d) * w for d, w in zip(number[:17], _WEIGHTS))
    return _CHECK_CHARS[total % 11] == number[17].upper()


def mask(value: str) -> str:
    return value[:6] + "*" * 8 + value[-4:] if len(value) == 18 else value[:3] + "****" + value[-4:]


def scan(text: str) -> tuple[list[str], list[str]]:
    """(valid ID numbers, mobile numbers) found in ``text``, unmasked."""
    ids = [m.group() for m in ID_NUMBER.finditer(text) if valid_id_number(m.group())]
    mobiles = MOBILE.findall(text)
    return ids, mobiles


def run(ctx: CheckContext, roles: dict[str, str]) -> list[Finding]:
    exposed = []
    scanned_attachments = 0
    for r in ctx.records:
        places = [("标题", r.title or ""), ("正文", r.main_text or "")]
        for a in r.attachments:
            if a.text:
                scanned_attachments += 1
                places.append((f"附件：{a.name}", a.text))
        hits = []
        for where, text in places:
            ids, mobiles = scan(text)
            if ids or mobiles:
                hits.append({"where": where, "id_numbers": [mask(v) for v in ids], "mobiles": [mask(v) for v in mobiles]})
        if hits:
            exposed.append({"url": r.url, "title": r.title, "snapshot": r.body_sha256, "hits": hits})
    searched = ctx.searched(attachments=scanned_attachments,
                            patterns=["18位身份证号（GB 11643 校验）", "手机号 1[3-9]\\d{9}（不含更长数字串）"])
    if not exposed:
        return [finding(ID, roles["security"], SUBJECT, Outcome.PASS, f"在{len(ctx.records)}个页面及{scanned_attachments}个附件中未发现身份证号或手机号",
                        searched=searched)]
    ids = sum(len(h["id_numbers"]) for p in exposed for h in p["hits"])
    mobiles = sum(len(h["mobiles"]) for p in exposed for h in p["hits"])
    return [finding(ID, roles["security"], SUBJECT, Outcome.NEEDS_REVIEW,
                    f"{len(exposed)}个页面公开了个人信息（身份证号{ids}个、手机号{mobiles}个），请核实是否应当公开",
                    urls=[p["url"] for p in exposed], pages=exposed, searched=searched)]


CHECK = Check(
    id=ID,
    title="个人信息保护",
    roles={"security": Role("公开页面及附件未泄露身份证号、手机号")},
    run=run,
)
