"""办事指南: the 22 rubric elements of a service guide, read from the page's text.

The extractor keeps text only, so tables arrive as cells separated by ``|``, tabs or runs of spaces, one row
or one cell per line. A guide is read as a stream of cells: a cell that is a known label (after stripping
section numbering such as ``一、`` / ``1.`` / ``(三)`` and a trailing colon) starts an element; the cells up to
the next label are its value. ``标签：值`` inside a cell gives the value inline, and several ``标签：值`` pairs in
one line are split. A header row — three or more bare labels in a row (or one per line, as the extractor
writes table cells) followed by exactly as many value cells — maps values by column.

States per element (``extras["service_guide"]["elements"][name]["state"]``):

- ``present``: a label with a real value.
- ``empty``: a label with nothing after it (values loaded by JavaScript, empty template cells).
- ``placeholder``: a label whose value stands in for content: 无, 暂无, /, —, -, 待定, 略, 详见…/见附件…/参见….
  "详见…" is a reference, not the element: it is kept as placeholder with the value as evidence, so an
  assessor can follow the reference.
- ``image_only``: the value is only an image marker (``[图片]``, ``[图片:…]``, ``<img …>``) the extractor leaves for
  an ``<img>``; without such a marker an image-only cell reads as ``empty``.
- ``missing``: no label of the element at all.

Decisions (documented for the checks and the assessors):

- 不收费 / 免费 / 否 (是否收费) / 不涉及收费 / 无 under a fee label is a real value: it satisfies 收费标准.
- 收费依据 of a free service: 无 / 不涉及 / / are a legitimate answer (present); for a paid or unknown service
  they are placeholders.
- 预约办理, 网上支付, 物流快递, 通办范围 are yes/no questions: 否 / 无 / 不支持 / 不通办 are real answers (present).
- 办理时限 / 办结时限 / 办理期限 without 法定 or 承诺 are read as 承诺办结时限 (the time the office commits to).
- 办理地点/时间 fills both 办理地点 and 办理时间; 是否收费 and 办理费用 count for 收费标准; 咨询方式 / 联系电话
  for 咨询电话; 投诉电话 / 监督投诉方式 for 监督电话.
- When no labelled 事项名称 is found, a page title "…办事指南" names the item (label ``（标题）``).
- One element seen several times keeps its best state (present > image_only > placeholder > empty).
"""

from __future__ import annotations

import functools
import re

from crawler.record import PageRecord

from .text import excerpt, normalize

ELEMENTS = (
    "事项名称", "事项类型", "设定依据", "实施机构", "法定办结时限", "承诺办结时限", "结果名称", "结果样本",
    "收费标准", "收费依据", "申请材料", "办理流程", "办理形式", "审查标准", "通办范围", "预约办理", "网上支付",
    "物流快递", "办理地点", "办理时间", "咨询电话", "监督电话",
)  # fmt: skip

_LABELS: dict[str, tuple[str, ...]] = {
    "事项名称": ("事项名称", "名称", "子项名称", "服务事项名称", "审批事项名称", "项目名称", "事项名", "办理事项",
             "审批事项", "审批服务事项", "职权名称", "审批业务名称", "服务事项", "许可事项名称", "事项全称"),
    "事项类型": ("事项类型", "事项类别", "事项性质", "权力类型", "审批类别", "审批类型", "职权类型", "职权类别"),
    "设定依据": ("设定依据", "办理依据", "行使依据", "法律依据", "实施依据", "法定依据", "政策依据", "审批依据",
             "许可依据", "法律法规依据", "依据", "设立依据", "设定及办理依据", "办事依据", "行政许可的依据",
             "办理依据及标准", "受理依据", "政策法规依据"),
    "实施机构": ("实施机构", "实施主体", "办理机构", "办理部门", "受理机构", "受理部门", "实施部门", "承办机构",
             "决定机构", "审批部门", "审批机构", "责任部门", "实施机关", "登记机构", "办理单位", "受理单位",
             "审批机关", "权力部门", "行使主体", "主管部门"),
    "法定办结时限": ("法定办结时限", "法定期限", "法定时限", "法定办理时限", "法定时限说明", "法定办结时限说明"),
    "承诺办结时限": ("承诺办结时限", "承诺期限", "承诺时限", "承诺办理时限", "承诺时限说明", "承诺办结时限说明",
                "办理时限", "办结时限", "办理期限", "办理时限说明", "承诺时间", "审批时限", "办理时间限制",
                "承诺办理时间", "承诺期限说明"),
    "结果名称": ("结果名称", "审批结果", "办理结果", "审批结果名称", "办理结果名称", "结果类型", "审批结果类型"),
    "结果样本": ("结果样本", "审批结果样本", "办理结果样本", "结果样式", "证照样本", "批文样本", "结果附件",
             "审批结果样式"),
    "收费标准": ("收费标准", "是否收费", "办理费用", "收费情况", "收费项目", "收费"),
    "收费依据": ("收费依据",),
    "申请材料": ("申请材料", "申报材料", "所需材料", "办理材料", "提交材料", "申请材料目录", "材料清单",
             "需提交材料", "申请资料", "所需资料", "材料", "申报资料", "申请材料清单", "提交资料", "材料目录",
             "审报提交材料", "申报材料目录", "办理所需材料"),
    "办理流程": ("办理流程", "窗口办理流程", "网上办理流程", "办理环节", "办理程序", "办事流程", "审批流程", "流程",
             "办事程序", "审批程序", "工作流程", "办理步骤", "受理流程", "许可程序"),
    "办理形式": ("办理形式", "办理方式", "办理深度", "网上办理深度", "可网上办理", "是否网办", "申请方式", "受理方式", "登记受理方式", "办理渠道"),
    "审查标准": ("审查标准", "审核标准", "审批标准", "审查要点"),
    "通办范围": ("通办范围", "跨域通办", "通办形式", "是否通办", "通办业务范围"),
    "预约办理": ("预约办理", "是否预约", "是否支持预约", "是否支持预约办理", "支持预约办理"),
    "网上支付": ("网上支付", "在线支付", "是否支持网上支付", "支持网上支付"),
    "物流快递": ("物流快递", "快递送达", "是否支持物流快递", "支持物流快递", "是否支持快递申请", "快递申请"),
    "办理地点": ("办理地点", "办理地址", "受理地点", "受理地址", "办事地点", "窗口地址", "办理窗口", "地址", "办事窗口",
             "受理窗口", "办公地址", "受理地点和办事窗口", "办理场所"),
    "办理时间": ("办理时间", "受理时间", "窗口办理时间", "办公时间", "工作时间"),
    "咨询电话": ("咨询电话", "咨询方式", "咨询窗口", "联系电话", "咨询途径", "咨询"),
    "监督电话": ("监督电话", "投诉电话", "监督投诉方式", "监督投诉电话", "投诉方式", "监督投诉", "投诉渠道",
             "监督方式", "投诉举报电话", "监督举报电话", "投诉监督电话"),
}  # fmt: skip
# Labels naming two elements at once.
_COMBINED = {
    "办理地点/时间": ("办理地点", "办理时间"), "办理地点和时间": ("办理地点", "办理时间"),
    "办理时间和地点": ("办理地点", "办理时间"), "办理时间地点": ("办理地点", "办理时间"),
    "办理地点及时间": ("办理地点", "办理时间"), "咨询监督电话": ("咨询电话", "监督电话"),
    "咨询及投诉电话": ("咨询电话", "监督电话"), "咨询投诉电话": ("咨询电话", "监督电话"),
    "收费标准及依据": ("收费标准", "收费依据"), "收费依据和标准": ("收费标准", "收费依据"),
    "收费依据及标准": ("收费标准", "收费依据"), "收费标准和依据": ("收费标准", "收费依据"),
    "收费标准与依据": ("收费标准", "收费依据"), "收费项目及标准": ("收费标准",),
}  # fmt: skip
# Labels of guide fields outside the 22: they end the value of the element before them.
_OTHER_LABELS = (
    "申请条件", "受理条件", "办理条件", "准予批准的条件", "办理对象", "服务对象", "适用对象", "办件类型", "常见问题",
    "基本信息", "特殊环节", "服务承诺", "到现场大厅次数", "到现场次数", "到办事现场次数", "简版指南", "数量限制",
    "中介服务", "适用范围", "环节名称", "所需时限", "是否计算在法定办结时限内", "备注", "办理数量", "权限划分",
    "行使层级", "网上办理", "办理进程查询", "事项编码", "基本编码", "实施编码", "序号", "申请人权利和义务",
    "禁止性要求", "表格下载", "附件下载", "来源", "是否收取费用说明", "办理进度查询", "结果送达",
    "权力来源", "受理范围", "许可条件", "审批条件", "申请人条件", "申报条件", "予以许可的条件", "不予许可的情形",
    "年检时间", "年检办法", "协办单位", "监管办法", "事项编号", "事项审查类型", "是否联合审批", "办理类别", "审批类别",
    "是否需要向社会公示", "乘车方式", "权力类别", "服务对象及服务范围", "涉及内容", "温馨提示", "办理信息",
    "实施主体性质", "是否进驻政务大厅", "联办机构", "是否一次办好", "事项版本", "服务对象类型", "是否涉及中介服务",
    "事项状态", "审批结果送达方式", "结果送达方式", "申请材料联系人", "申请材料收件人联系电话", "申请人材料邮寄地址",
    "查看全部", "办理流程图", "办理流程图说明", "是否有自建系统", "移动端办理地址", "电脑端在线办理跳转地址", "四办",
    "村级代办", "办理项编码", "实施主体编码", "委托部门", "受理条件名称", "受理条件审查标准", "受理条件适用情形",
)  # fmt: skip

_LABEL_TO_ELEMENTS: dict[str, tuple[str, ...]] = {}
for _element, _variants in _LABELS.items():
    for _variant in _variants:
        _LABEL_TO_ELEMENTS[_variant] = (_element,)
_LABEL_TO_ELEMENTS.update(_COMBINED)
for _other in _OTHER_LABELS:
    _LABEL_TO_ELEMENTS.setdefault(_other, ())

_ALTERNATION = "|".join(re.escape(label) for label in sorted(_LABEL_TO_ELEMENTS, key=len, reverse=True))
# Two labels joined into one ("申报资料及办理条件", "办理依据和收费标准"): the label of both elements.
_CONJUNCTION = "及和与、/"
_JOINED = rf"(?:{_ALTERNATION})(?:[{_CONJUNCTION}](?:{_ALTERNATION}))?"

@functools.lru_cache(maxsize=1024)
def _elements(label: str) -> tuple[str, ...]:
    """The elements a matched label stands for; a joined label ("申报资料及办理条件") for those of both parts."""
    if label in _LABEL_TO_ELEMENTS:
        return _LABEL_TO_ELEMENTS[label]
    for i, char in enumerate(label):
        if char in _CONJUNCTION and label[:i] in _LABEL_TO_ELEMENTS and label[i + 1:] in _LABEL_TO_ELEMENTS:
            return tuple(dict.fromkeys(_LABEL_TO_ELEMENTS[label[:i]] + _LABEL_TO_ELEMENTS[label[i + 1:]]))
    return ()


_NUMBERING = r"(?:[一二三四五六七八九十]{1,3}[、.]|\(?[一二三四五六七八九十]{1,3}\)[、.]?|\(?\d{1,2}\)[、.]?|\d{1,2}[、.](?!\d)|[①-⑳])"
# A whole cell that is a label: numbering, the label, an optional short parenthetical, an optional colon.
_LABEL_CELL = re.compile(rf"^{_NUMBERING}?\s*({_JOINED})\s*(?:\([^()]{{0,12}}\))?\s*:?$")
# 标签：值 pairs inside a cell (at its start or after a separator).
_INLINE = re.compile(rf"(?:^|(?<=[;,。:\s]))\s*{_NUMBERING}?\s*({_JOINED})\s*(?:\([^()]{{0,12}}\))?\s*:")
# A label glued to its value without a colon or a cell break ("受理机构朝阳市民政局", "审批依据依据《…》"): a
# table flattened to text. Read so only for labels of 4+ characters, and only on a page with several such
# lines (one line starting "办理流程图…" is a sentence, not a row).
_GLUED = re.compile(rf"^{_NUMBERING}?\s*({_ALTERNATION})(?=[^\s:的和及与、,。;等….·])")
_MIN_GLUED_LINES = 3
_CONTACT_LABELS = frozenset({"联系电话", "咨询电话", "电话"})
_CELL_SPLIT = re.compile(r"\s*(?:\||\t|\s{2,})\s*")

_IMAGE_ONLY = re.compile(r"^(?:(?:\[(?:图片|图像|image|img)[^\]]*\]|<img\b[^>]*>)\s*)+$", re.I)
_PLACEHOLDER = re.compile(
    r"^(?:无|暂无|空|略|待定|待补充|待完善|未定|/|\\|—+|-+|_+|…+|\.{2,}|null|none|n/?a"
    r"|(?:详见|见附件|具体见|参见|请见|另见|请参见|请参阅).*)$",
    re.I,
)
_TRAILING_PUNCT = re.compile(r"[\s。;,.:]+$")
_FREE = re.compile(r"^(?:无|否|免费|不收费|不收取费用|不涉及收费|不涉及|无收费|零收费|0元|免收)|不收费|免费|不收取.{0,4}费")
_NO_BASIS_NEEDED = re.compile(r"^(?:无|不涉及|不涉及收费|/|—+|-+|无收费依据|不收费)$")
_YES_NO = frozenset({"预约办理", "网上支付", "物流快递", "通办范围"})
_NEGATIVE_ANSWER = re.compile(r"^(?:无|否|不支持|暂不支持|不通办|不支持预约|不可|不提供|未开通|暂未开通)")
_TITLE_ITEM = re.compile(r"^(?:关于)?(.{2,60}?)(?:的)?(?:办事指南|服务指南|办理指南)\s*(?:\((?:简版|完整版|专业版|标准版|详细版)\))?$")
_MAX_ROW_TOKENS = 24
_HEADLINE_LINES = 8  # where a guide's own headline ("…办事指南") may stand in its text

_RANK = {"missing": 0, "empty": 1, "placeholder": 2, "image_only": 3, "present": 4}


def count_guide_labels(text: str) -> int:
    """Distinct elements labelled in the head of ``text`` (a label cell or a 标签：值 pair; a cheap signal)."""
    found: set[str] = set()
    for label, _value in _items(text[:8000]):
        if label is not None:
            found.update(_elements(label))
    return len(found)


def _split_cells(line: str) -> list[str]:
    cells = [c for c in _CELL_SPLIT.split(line.strip()) if c]
    if len(cells) == 1 and " " in cells[0]:
        # A table row flattened to one line with single spaces ("事项类型 行政许可 权力来源 法定本级行使",
        # "办理时间 法定工作日…"): its words are cells when it starts with a label or has two of them.
        tokens = cells[0].split()
        labels = sum(1 for t in tokens if _LABEL_CELL.match(t))
        # a leading label counts when it is unambiguous: 4+ characters (名称, 材料, 流程 are ordinary words)
        leading = len(tokens[0]) >= 4 and bool(_LABEL_CELL.match(tokens[0]))
        if (len(tokens) >= 3 and labels == len(tokens)) or (
            (labels >= 2 or leading) and len(tokens) <= _MAX_ROW_TOKENS
        ):
            return tokens
    return cells


def _segments(cell: str) -> list[tuple[str | None, str | None]]:
    """A cell → [(label, inline value or None)] or [(None, text)] for a value cell."""
    whole = _LABEL_CELL.match(cell)
    if whole:
        return [(whole.group(1), None)]
    matches = list(_INLINE.finditer(cell))
    if not matches:
        return [(None, cell)]
    out: list[tuple[str | None, str | None]] = []
    if matches[0].start() > 0 and cell[: matches[0].start()].strip():
        out.append((None, cell[: matches[0].start()].strip()))
    for i, match in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(cell)
        out.append((match.group(1), _TRAILING_PUNCT.sub("", cell[match.end() : end]).strip()))
    return out


def _glued(line: str) -> tuple[str, str] | None:
    match = _GLUED.match(line)
    if match and len(match.group(1)) >= 4 and _elements(match.group(1)):
        return match.group(1), line[match.end():].strip()
    return None


@functools.lru_cache(maxsize=8)
def _items(text: str) -> tuple[tuple[str | None, str | None], ...]:
    """The text as a stream of (label, inline value | None) and (None, value text) items. Cached: a page's
    kind (guide labels in its head) and its elements read the same text."""
    lines: list[list[tuple[str | None, str | None]]] = []
    glued: dict[int, tuple[str, str]] = {}
    for line in normalize(text).splitlines():
        if line.strip():
            segments = [segment for cell in _split_cells(line) for segment in _segments(cell)]
            if len(segments) == 1 and segments[0][0] is None:
                pair = _glued(line.strip())
                if pair:
                    glued[len(lines)] = pair
            lines.append(segments)
    if len(glued) >= _MIN_GLUED_LINES:
        for index, pair in glued.items():
            lines[index] = [pair]
    return tuple(item for segments in lines for item in segments)


def _pairs(text: str) -> tuple[list[tuple[str, str]], str]:
    """(label, value) pairs in reading order, and the layout: "table" when labels stand alone in their
    cells (or rows carry several cells), "prose" when they are mostly written 标签：值."""
    items = _items(text)
    pairs: list[tuple[str, str]] = []
    i = 0
    while i < len(items):
        label, inline = items[i]
        if label is None:
            i += 1
            continue
        if inline is not None:
            pairs.append((label, inline))
            i += 1
            continue
        # A run of bare labels followed by exactly as many values: a header row and its data row.
        run = i
        while run < len(items) and items[run][0] is not None and items[run][1] is None:
            run += 1
        values = run
        while values < len(items) and items[values][0] is None:
            values += 1
        width = run - i
        if width >= 3 and values - run == width:
            pairs.extend((items[i + k][0], items[run + k][1]) for k in range(width))
            i = values
            continue
        # A label followed by its value cells, up to the next label.
        parts = []
        j = i + 1
        while j < len(items) and items[j][0] is None:
            parts.append(items[j][1])
            j += 1
        if (not parts and j < len(items) and items[j][0] in _CONTACT_LABELS and items[j][1]
                and _elements(items[j][0]) != _elements(label)
                and set(_elements(label)) & {"咨询电话", "监督电话"}):
            # "监督投诉方式" over "联系电话：0238…": the phone is this label's value
            pairs.append((label, items[j][1]))
            i = j + 1
            continue
        if not parts and j < len(items) and items[j] == ("序号", None) and _elements(label):
            # "四、申请材料" over a table "序号 | 材料名称 | …": the table is the value, up to the next element
            while j < len(items) and not (items[j][0] and _elements(items[j][0])):
                parts.append(items[j][1] or items[j][0])
                j += 1
        pairs.append((label, " ".join(parts)))
        i = j
    bare = sum(1 for label, inline in items if label is not None and inline is None)
    inline = sum(1 for label, value in items if label is not None and value is not None)
    tabular = "|" in text or "\t" in text or bare > inline
    return pairs, "table" if tabular else "prose"


def _state(element: str, value: str, free: bool) -> str:
    value = _TRAILING_PUNCT.sub("", value).strip()
    if not value:
        return "empty"
    if _IMAGE_ONLY.match(value):
        return "image_only"
    if element == "收费标准" and _FREE.search(value):
        return "present"
    if element == "收费依据" and free and _NO_BASIS_NEEDED.match(value):
        return "present"
    if element in _YES_NO and _NEGATIVE_ANSWER.match(value):
        return "present"
    if _PLACEHOLDER.match(value):
        return "placeholder"
    return "present"


def _read(text: str) -> tuple[dict[str, dict], str]:
    pairs, layout = _pairs(text)
    free = any(
        "收费标准" in _elements(label) and _FREE.search(value.strip()) for label, value in pairs if value
    )
    elements: dict[str, dict] = {}
    for label, value in pairs:
        for element in _elements(label):
            entry = {"state": _state(element, value, free), "label": label, "value": excerpt(value) or None}
            old = elements.get(element)
            if old is None or _RANK[entry["state"]] > _RANK[old["state"]]:
                elements[element] = entry
    return elements, layout


def _present_count(elements: dict[str, dict]) -> int:
    return sum(1 for e in elements.values() if e["state"] == "present")


def service_guide_fields(record: PageRecord) -> dict:
    """``extras["service_guide"]``: format, the 22 elements, and ``free`` (True when a fee label says the
    service is free, False when a fee is stated, None when unknown)."""
    main, layout = _read(record.main_text)
    merged = dict(main)
    best_attachment = 0
    for attachment in record.attachments:
        if not attachment.text:
            continue
        found, _ = _read(attachment.text)
        best_attachment = max(best_attachment, _present_count(found))
        for element, entry in found.items():
            old = merged.get(element)
            if old is None or _RANK[entry["state"]] > _RANK[old["state"]]:
                merged[element] = entry
    fmt = "attachment" if best_attachment > _present_count(main) else layout

    name = merged.get("事项名称")
    if name is None or name["state"] != "present":
        first_lines = [normalize(line).strip() for line in record.main_text.split("\n")[:_HEADLINE_LINES]]
        for head in [normalize(record.title or "").strip()] + first_lines:
            title = _TITLE_ITEM.match(head)
            if title:
                merged["事项名称"] = {"state": "present", "label": "（标题）", "value": excerpt(title.group(1))}
                break
        else:
            # a guide's headline is its item's name: the page title repeated as a line at the top of the text
            headline = normalize(record.title or "").strip()
            if 4 <= len(headline) <= 60 and headline in first_lines and not _LABEL_CELL.match(headline):
                merged["事项名称"] = {"state": "present", "label": "（标题）", "value": excerpt(headline)}

    fee = merged.get("收费标准")
    if fee is None or fee["state"] != "present":
        free = None
    else:
        free = bool(_FREE.search(fee["value"] or ""))
    elements = {e: merged.get(e, {"state": "missing", "label": None, "value": None}) for e in ELEMENTS}
    return {"format": fmt, "elements": elements, "free": free}
