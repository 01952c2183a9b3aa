"""Page kind from title, meta tags, column/breadcrumb, metadata table, URL path and text, together.

Every signal adds evidence for one kind with a weight in (0, 1); a kind's score is the noisy-or of its
evidence, 1 − Π(1 − w). The kind with the highest score wins when it reaches ``THRESHOLD``; its confidence is
discounted by the runner-up (score × (1 − runner-up / 2)). Below the threshold the page is ``other`` with
confidence 1 − best score. Pages whose own layout is a list (``crawler.extract.layout``) are ``list``; a page
that is both a list and a document is classified by its document.

Evidence from where a page sits (its column, its URL path) counts only beside evidence from the page itself:
a 解读 column holds notices too, so a page with nothing but its column is ``other``.

Title markers inside 《…》 name another document (一图读懂《…年度报告》 is an interpretation, 关于印发《…指南》
的通知 a notice): they count at half weight, and only when the title has no marker outside 《…》.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from crawler.record import PageRecord

from .policy import ORDER_LINE, find_doc_numbers, parse_doc_number
from .service_guide import count_guide_labels, service_guide_fields
from .text import normalize, normalized_head

THRESHOLD = 0.35


@dataclass
class Classification:
    kind: str
    confidence: float
    reasons: list[str] = field(default_factory=list)


_BOOK = re.compile(r"《[^《》]*》")

# (kind, pattern, weight, reason template with {m} = the matched text)
_TITLE_RULES = (
    ("interpretation", re.compile(r"解读|答记者问|一图读懂|一图速览|一图看懂|图解|图说|政策吹风"), 0.75, "标题含“{m}”"),
    ("interpretation", re.compile(r"问答"), 0.4, "标题含“{m}”"),
    # interviews and press conferences on a policy; news that a policy came out (decides only with a 解读 column)
    ("interpretation", re.compile(r"专访|新闻发布会|政策发布会|负责人就"), 0.45, "标题含“{m}”"),
    ("interpretation", re.compile(r"出台"), 0.3, "标题含“{m}”"),
    ("disclosure_guide", re.compile(r"(?:政府)?信息公开指南|政务公开指南|公开指南"), 0.8, "标题含“{m}”"),
    ("annual_report", re.compile(r"(?:政府信息公开|信息公开|政务公开)(?:工作)?(?:年度报告|年报)"), 0.85, "标题含“{m}”"),
    ("annual_report", re.compile(r"(?:19|20)\d{2}\s*年度?[^。]{0,30}?(?:政府信息公开|政务信息公开|信息公开|政务公开)(?:工作)?报告"),
     0.75, "标题为“{m}”"),
    ("service_guide", re.compile(r"办事指南|服务指南|办理指南|事项指南|(?:办事|服务|办理)(?:工作)?指引"), 0.75, "标题含“{m}”"),
    ("service_guide", re.compile(r"(?:审批|办理|办事)流程$"), 0.4, "标题为“{m}”"),
    ("policy", re.compile(r"(?:的|)(?:通知|意见|决定|决议|批复|通告|公告|办法|规定|细则|条例|规则|实施方案|规划)"
                          r"(?:\((?:试行|暂行|修订|修正)\))?$"), 0.25,
     "标题以公文文种“{m}”结尾"),
    ("policy", re.compile(r"关于印发.{0,80}的通知$"), 0.2, "标题为印发文件的通知"),
)  # fmt: skip
# A 解读 that names a rule about interpreting (解读工作制度 …) is not an interpretation.
_INTERPRETATION_RULE_DOC = re.compile(r"解读(?:工作)?(?:制度|办法|机制|方案|规定|细则|实施意见|规范|工作)")
# 关于做好…年度报告…工作的通知 is a notice about reports, not a report.
_NOTICE_ABOUT = re.compile(r"^关于.*(?:通知|函|方案|要点|意见)$")
# 召开…年报编制部署会, …指南培训: news of work on reports and guides, not the documents.
_EVENT_ABOUT = re.compile(r"召开|部署会|推进会|培训|会议|动员会|工作会|座谈|调研|督查|督导|编制和发布")

_COLUMN_RULES = (
    ("interpretation", re.compile(r"政策解读|解读回应|文件解读|图解|解读"), 0.45),
    ("disclosure_guide", re.compile(r"公开指南"), 0.5),
    ("annual_report", re.compile(r"年报|年度报告"), 0.5),
    ("service_guide", re.compile(r"办事指南|服务指南|办事服务"), 0.3),
    ("policy", re.compile(r"规范性文件|政策文件|政府文件|部门文件|政策法规|文件"), 0.35),
)
_URL_RULES = (
    ("interpretation", re.compile(r"^(?:zcjd\w*|jd|wjjd|zjjd|jdhy|zcjd)$"), 0.35),
    ("disclosure_guide", re.compile(r"^(?:zfxxgkzn|xxgkzn|gkzn|zwgkzn)$"), 0.4),
    ("annual_report", re.compile(r"^(?:zfxxgknb\w*|xxgknb|gknb|ndbg|nb|ndbb|zwgknb)$"), 0.4),
    ("service_guide", re.compile(r"^(?:bszn|fwzn|bsznn)$"), 0.35),
    ("policy", re.compile(r"^(?:gfxwj\w*|zcwj|zfwj|wjk|gfwj|zxwj|zfgb)$"), 0.3),
)
_URL_NAMES = {
    "interpretation": "政策解读", "disclosure_guide": "公开指南", "annual_report": "年报", "service_guide": "办事指南",
    "policy": "文件",
}  # fmt: skip
_TEXT_RULES = (
    ("disclosure_guide", re.compile(r"(?:制定|编制|编写|修订)本(?:公开)?指南|本(?:公开)?指南(?:所称|适用)"), 0.5, "正文称“{m}”"),
    ("annual_report", re.compile(r"本(?:年度)?报告[^。]{0,60}?统计(?:期限|时限|时间|数据)"), 0.5, "正文有年报统计期限说明"),
    ("interpretation", re.compile(r"(?:出台|制定|起草)(?:的)?背景|^(?:[一二三四五六七八九十]+[、.．]\s*)?背景依据|解读如下|"
                                  r"现(?:将|就)[^。\n]{0,30}?解读", re.M), 0.4, "正文含“{m}”"),
    ("policy", re.compile(r"现(?:将|把)[^。\n]{0,60}?印发给你们"), 0.3, "正文为印发文件的通知（“{m}”）"),
    ("policy", re.compile(r"^各(?:乡镇|县|区|市|有关|相关|镇|街道)[^\n。]{0,60}:\s*$", re.M), 0.2, "正文以主送机关开头"),
    # the 附注 of an issued 公文 (GB/T 9704): "（此件公开发布）"
    ("policy", re.compile(r"[(（]此件(?:公开发布|主动公开|依申请公开|不予公开)[)）]"), 0.4, "正文有公文附注“{m}”"),
)  # fmt: skip
_DOC_NUMBER_LINE = re.compile(r"^\s*[\u4e00-\u9fff]{2,12}\s*[〔\[(【]\s*(?:19|20)\d{2}\s*[〕\])】]\s*\d{1,5}\s*号\s*$", re.M)
_HEADING_LINES = re.compile(r"^[^\n]{4,60}$", re.M)
# Section headings and list items inside a text ("一、政策解读检查情况", "2. …政策解读及其实施情况；") are
# not the document's title line.
_SECTION_LINE = re.compile(r"^\s*(?:[一二三四五六七八九十]+\s*[、.．]|[（(]\s*[一二三四五六七八九十\d]+\s*[)）]|\d+\s*[、.．)）]|"
                           r"第[一二三四五六七八九十\d]+[条章节])|[;；。,，]\s*$")
_OVERVIEW_HEADING = re.compile(r"^\s*[一1][、.．]\s*总体情况\s*$", re.M)
_NOT_A_HEADING = re.compile(r">|当前位置|:|\||主题分类|栏目")
_REPORT_TABLE = re.compile(r"第二十条第\s*\(一\)\s*项|本年新收政府信息公开申请|收到和处理政府信息公开申请情况")
# 权责清单 / 事项目录 tables share guide labels (事项名称, 实施依据 …) but are not guides.
_LIST_OF_ITEMS = re.compile(r"权责|权力清单|责任清单|事项目录|实施清单|目录|清单|事项表|一览表")
# Blank forms (申请表, 登记表) carry guide labels (申请人, 办理地点 …) too: a form is not a guide.
_BLANK_FORM = re.compile(r"(?:申请表|登记表|审批表|申报表|申请书)(?:\(.{0,10}\))?$")
_NO_VALUE = re.compile(r"^\s*(?:无|/|-+|—+)?\s*$")
# Contact details every 公开指南 and notice carries: alone they do not make a page a service guide.
_CONTACT_ELEMENTS = frozenset({"办理地点", "办理时间", "咨询电话", "监督电话"})


# A 通知 that neither issues nor forwards a document, without a 发文字号 anywhere on the page, is a work notice
# (关于做好…工作的通知), not a policy: its title's 文种 and its 主送机关 say nothing of a policy.
_WORK_NOTICE = re.compile(r"通知$")
_ISSUING = re.compile(r"印发|转发|公布|颁布|发布")
_CITED_NUMBER = re.compile(r"》\s*[(（][^()（）]{0,30}[)）]")


def _title_evidence(title: str, add, work_notice: bool = False) -> None:
    outside = _BOOK.sub("", title)
    inside = " ".join(_BOOK.findall(title))
    rule_doc = _INTERPRETATION_RULE_DOC.search(outside)
    notice = _NOTICE_ABOUT.match(outside) or _EVENT_ABOUT.search(outside)
    matched_outside = False
    for kind, pattern, weight, reason in _TITLE_RULES:
        match = pattern.search(outside)
        if not match:
            continue
        if kind == "interpretation" and rule_doc:
            add("policy", 0.2, f"标题为解读工作的制度文件（“{rule_doc.group(0)}”），不是解读材料")
            continue
        if kind in ("annual_report", "disclosure_guide") and notice:
            add("policy", 0.2, f"标题为关于{'年报' if kind == 'annual_report' else '指南'}工作的通知或消息，不是其本身")
            continue
        if kind == "policy" and work_notice:
            continue
        if kind != "policy":
            matched_outside = True
        add(kind, weight, reason.format(m=match.group(0)))
    if matched_outside or not inside:
        return
    for kind, pattern, weight, reason in _TITLE_RULES:
        if kind == "policy":
            continue
        match = pattern.search(inside)
        if match and not (kind == "interpretation" and _INTERPRETATION_RULE_DOC.search(inside)):
            add(kind, weight / 2, "书名号内" + reason.format(m=match.group(0)))


def _has_doc_number(record: PageRecord, title: str, head: str) -> bool:
    raw = (record.metadata.get("发文字号") or record.metadata.get("文号") or "").strip()
    own = _CITED_NUMBER.sub("》", head[:400])  # 《上级文件》（吉林稽〔2017〕429号） is another document's number
    return bool((raw and not _NO_VALUE.match(raw)) or find_doc_numbers(title) or find_doc_numbers(own)
                or _DOC_NUMBER_LINE.search(head) or ORDER_LINE.search(head[:600]))


def classify(record: PageRecord) -> Classification:
    """What the page is: one of crawler.record.PAGE_KINDS, a confidence in [0, 1] and Chinese reasons."""
    if record.layout == "list":
        return Classification("list", 0.9, ["页面为栏目列表页：" + "；".join(record.layout_reasons)])

    scores: dict[str, float] = {}
    reasons: dict[str, list[str]] = {}

    on_page: set[str] = set()  # kinds with evidence from the page itself, not only from where it sits

    def add(kind: str, weight: float, reason: str, *, placed: bool = False) -> None:
        scores[kind] = 1 - (1 - scores.get(kind, 0.0)) * (1 - weight)
        reasons.setdefault(kind, []).append(reason)
        if not placed and weight > 0:
            on_page.add(kind)

    title = normalize(record.title or record.meta.get("articletitle", "")).strip()
    head = normalized_head(record.main_text, 800)
    outside_books = _BOOK.sub("", title)
    work_notice = bool(_WORK_NOTICE.search(outside_books) and not _ISSUING.search(outside_books)
                       and not _has_doc_number(record, title, head))
    _title_evidence(title, add, work_notice)

    columns = [record.meta.get("columnname", ""), record.meta.get("columntype", ""), record.column or ""]
    columns += record.breadcrumb[-2:]
    seen_column: set[str] = set()
    for column in (normalize(c).strip() for c in columns):
        if not column or column in seen_column:
            continue
        seen_column.add(column)
        for kind, pattern, weight in _COLUMN_RULES:
            if pattern.search(column):
                add(kind, weight, f"栏目为“{column}”", placed=True)
                break

    segments = [s.lower() for s in urlsplit(record.final_url or record.url).path.split("/") if s]
    for segment in segments[:-1] if segments and "." in segments[-1] else segments:
        for kind, pattern, weight in _URL_RULES:
            if pattern.match(segment):
                add(kind, weight, f"网址路径含“{segment}”（{_URL_NAMES[kind]}栏目）", placed=True)

    raw_number = record.metadata.get("发文字号") or record.metadata.get("文号") or ""
    number = parse_doc_number(raw_number)
    if number:
        add("policy", 0.6, f"信息公开元数据表有发文字号“{number}”")
    elif not _NO_VALUE.match(raw_number):
        add("policy", 0.3, f"信息公开元数据表有发文字号“{raw_number.strip()}”")
    elif "interpretation" not in scores:
        in_title = find_doc_numbers(title)
        if in_title:
            add("policy", 0.6, f"标题含发文字号“{in_title[0]}”")

    for kind, pattern, weight, reason in _TEXT_RULES:
        match = pattern.search(head)
        if match and not (work_notice and kind == "policy"):
            add(kind, weight, reason.format(m=match.group(0).strip()))
    if _OVERVIEW_HEADING.search(head) and "政府信息公开" in head:
        add("annual_report", 0.45, "正文以“一、总体情况”开篇并述及政府信息公开（年报的法定结构）")
    line = _DOC_NUMBER_LINE.search(head) or ORDER_LINE.search(head[:600])
    if line:
        add("policy", 0.5, f"正文首部有发文字号“{line.group(0).strip()}”")
    heading_kinds: set[str] = set()
    event = _EVENT_ABOUT.search(title)
    for heading in _HEADING_LINES.findall(head)[:6]:
        if _NOT_A_HEADING.search(heading) or _SECTION_LINE.search(heading) or _INTERPRETATION_RULE_DOC.search(heading):
            continue
        if event or _EVENT_ABOUT.search(heading):  # news of report or guide work names them in its lines
            continue
        for kind, pattern, _, _ in _TITLE_RULES:
            match = pattern.search(_BOOK.sub("", heading))
            if kind != "policy" and kind not in heading_kinds and match:
                heading_kinds.add(kind)
                add(kind, 0.4, f"正文开头的标题行含“{match.group(0)}”")
                break
    if _REPORT_TABLE.search(normalized_head(record.main_text, 4000)) and not event:
        add("annual_report", 0.5, "正文含年报表格栏目（第二十条第(一)项、本年新收申请等）")
    labels = count_guide_labels(record.main_text) if record.main_text else 0
    if labels >= 3 and _LIST_OF_ITEMS.search(title):
        add("service_guide", 0.0, "正文有办事指南要素标签，但标题为事项清单/目录，不按办事指南计")
    elif labels >= 3 and _BLANK_FORM.search(title):
        add("service_guide", 0.0, "正文有办事指南要素标签，但标题为申请表等表格，不按办事指南计")
    elif labels >= 3:
        fields = service_guide_fields(record)["elements"]
        elements = fields.values()
        present = sum(1 for e in elements if e["state"] == "present" and e["label"] != "（标题）")
        substantive = sum(1 for name, e in fields.items() if e["state"] == "present" and name not in _CONTACT_ELEMENTS
                          and e["label"] != "（标题）")
        if present >= 3 and not substantive:
            add("service_guide", 0.0, "正文只有办公地点、时间、电话等联系方式，不按办事指南计")
        elif present >= 3:
            add("service_guide", 0.7 if present >= 6 else 0.45, f"正文含{present}项有内容的办事指南要素")
        elif present >= 2:
            add("service_guide", 0.35, f"正文含{labels}项办事指南要素标签，{present}项有内容")
        elif labels >= 6:
            add("service_guide", 0.5, f"正文含{labels}项办事指南要素标签（多数无内容）")

    if not scores:
        return Classification("other", 0.6, ["未发现指南、年报、文件、解读、办事指南的特征"])
    ranked = sorted(scores.items(), key=lambda kv: kv[1], reverse=True)
    best_kind, best = ranked[0]
    second = ranked[1][1] if len(ranked) > 1 else 0.0
    if best < THRESHOLD:
        weak = [r for rs in reasons.values() for r in rs]
        return Classification("other", round(1 - best, 2), ["特征不足以判断类型：" + "；".join(weak)])
    if best_kind not in on_page:  # a 解读 column holds notices too: the page must say what it is
        return Classification("other", round(1 - best / 2, 2),
                              ["只有栏目或网址像" + _KIND_NAMES[best_kind] + "，页面本身没有相应特征：" + "；".join(reasons[best_kind])])
    confidence = round(best * (1 - second / 2), 2)
    out = list(reasons[best_kind])
    if second:
        runner = ranked[1][0]
        out.append(f"另有{_KIND_NAMES[runner]}特征：" + "；".join(reasons[runner]))
    return Classification(best_kind, confidence, out)


_KIND_NAMES = {
    "disclosure_guide": "公开指南", "annual_report": "年报", "policy": "文件", "interpretation": "政策解读",
    "service_guide": "办事指南",
}  # fmt: skip
