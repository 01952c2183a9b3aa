"""The 信息公开 metadata table on document pages: 索引号, 发布机构, 发文字号, 成文日期, 发布日期 ….

Sites label the same field differently (domain.md §6: gov.cn 发文机关, Guangdong 文号, Hunan 所属机构 and
签署日期, Miluo 生成日期 and 公开日期, Anhui 信息来源 and 发布文号, Gansu 文件编号). ``LABELS`` maps every
variant to one canonical label, so checks ask for 发文字号 and never care which site wrote 文号.

Layouts handled, in this order (the first value found for a canonical label wins):

1. table rows of label cells and value cells, several pairs per row (``<td>索引号：</td><td>…</td>``);
2. a cell or a small block holding "标签：值" text, possibly several pairs (``<li>索引号：123/2017-1 发布机构：…</li>``);
3. a bare label element followed by its value element (``<dt>索引号</dt><dd>…</dd>``, ``<span>…</span><span>…</span>``).

Values are kept as the page shows them (whitespace trimmed). The main body is excluded so a sentence like
"名称：…" inside a service guide's text is not mistaken for metadata. A metadata table catalogues a
document: without at least one catalogue field (``CATALOGUE_LABELS``: 索引号, 发文字号, 成文日期 …) what was
found is an info bar ("发布日期：… 信息来源：…"), not a table, and yields no metadata — its date is then
credited to the page text.
"""

from __future__ import annotations

import re

from .text import inline_text, short_raw_text

# variant label → canonical label. 标题 holds the table's title (名称/标题), a title candidate.
LABELS: dict[str, str] = {
    "索引号": "索引号",
    "发布机构": "发布机构",
    "所属机构": "发布机构",
    "发文机关": "发布机构",
    "信息来源": "发布机构",
    "发布单位": "发布机构",
    "发文字号": "发文字号",
    "文号": "发文字号",
    "发布文号": "发文字号",
    "发文文号": "发文字号",
    "文件编号": "发文字号",
    "成文日期": "成文日期",
    "生成日期": "成文日期",
    "签署日期": "成文日期",
    "发文日期": "成文日期",
    "登记日期": "成文日期",
    "发布日期": "发布日期",
    "公开日期": "发布日期",
    "发布时间": "发布日期",
    "上载日期": "发布日期",
    "主题分类": "主题分类",
    "分类": "主题分类",
    "组配分类": "主题分类",
    "主题": "主题分类",
    "公开方式": "公开方式",
    "公开范围": "公开范围",
    "有效性": "有效性",
    "信息时效期": "有效性",
    "统一登记号": "统一登记号",
    "主题词": "主题词",
    "内容概述": "内容概述",
    "标题": "标题",
    "名称": "标题",
}

# Fields only a 信息公开 catalogue entry has (an article's info bar has dates, sources and titles too).
CATALOGUE_LABELS = frozenset(
    {
        "索引号",
        "发文字号",
        "成文日期",
        "主题分类",
        "公开方式",
        "公开范围",
        "有效性",
        "统一登记号",
        "主题词",
    }
)

# spaces, colons, brackets and list bullets ("• 生成日期:" where a page's text keeps its list markers)
_LABEL_NOISE = re.compile(r"[\s\u3000\xa0:：\[\]【】•·]")
# "标签：值" pairs inside one text; a value runs until the next known label or the end.
_LABEL_ALTERNATION = "|".join(
    sorted(("\\s*".join(label) for label in LABELS), key=len, reverse=True)
)
_INLINE_PAIR = re.compile(
    rf"(?<![\u4e00-\u9fff])(?P<label>{_LABEL_ALTERNATION})\s*[:：]\s*"
    rf"(?P<value>.*?)(?=\s*(?<![\u4e00-\u9fff])(?:{_LABEL_ALTERNATION})\s*[:：]|\s+[\u4e00-\u9fff]{{2,6}}\s*[:：]|$)"
)
_ANY_LABEL = re.compile(_LABEL_ALTERNATION)
# Small blocks that may carry "标签：值" text, or a bare label before its value element.
_TEXT_BLOCK_TAGS = (
    "li",
    "p",
    "span",
    "div",
    "dt",
    "dd",
    "em",
    "strong",
    "b",
    "label",
    "font",
    "h2",
    "h3",
    "h4",
)
_MAX_BLOCK_CHARS = 300
_TEXT_BLOCKS = frozenset(_TEXT_BLOCK_TAGS)


def canonical_label(text: str) -> str | None:
    """The canonical label for a cell's text ("发 布 机 构：" → 发布机构), None when it is not a label."""
    key = _LABEL_NOISE.sub("", text)
    return LABELS.get(key) if 0 < len(key) <= 6 else None


def _put(found: dict[str, str], label: str, value: str) -> None:
    value = value.strip(" \u3000\xa0•·")
    if value and label not in found and canonical_label(value) is None:
        found[label] = value


def _inline_pairs(text: str, found: dict[str, str]) -> bool:
    matched = False
    for match in _INLINE_PAIR.finditer(text):
        label = canonical_label(match.group("label"))
        if label:
            matched = True
            _put(found, label, match.group("value"))
    return matched


def _table_pairs(doc, found: dict[str, str], inside: frozenset) -> None:
    for row in doc.iter("tr"):
        if row in inside:
            continue
        cells = [c for c in row if c.tag in ("td", "th")]
        # A layout cell holding half the page is neither a label nor a value, and a row without any label
        # word holds no pair: skip their costly visible-text walks.
        raws = [short_raw_text(c, 2 * _MAX_BLOCK_CHARS) for c in cells]
        if not any(r and _ANY_LABEL.search(r) for r in raws):
            continue
        texts = [inline_text(c) if r is not None else "" for c, r in zip(cells, raws)]
        i = 0
        while i < len(cells):
            label = canonical_label(texts[i])
            if label and i + 1 < len(cells) and canonical_label(texts[i + 1]) is None:
                _put(found, label, texts[i + 1])
                i += 2
                continue
            if len(texts[i]) <= _MAX_BLOCK_CHARS:
                _inline_pairs(texts[i], found)
            i += 1


def _block_pairs(doc, found: dict[str, str], inside: frozenset, holders: frozenset) -> None:
    # Pre-order walk. A subtree whose text is short and holds no label word is left at once: its elements'
    # texts are parts of that text, so none of them holds a label either (and none needs reading).
    root = doc.getroot() if hasattr(doc, "getroot") else doc
    stack = [root]
    while stack:
        el = stack.pop()
        if not isinstance(el.tag, str) or el in inside:
            continue
        if el not in holders:
            raw = short_raw_text(el, 2 * _MAX_BLOCK_CHARS)  # cheap filter before the costlier visible-text walk
            if raw is not None:
                if not _ANY_LABEL.search(raw):
                    continue
                if el.tag in _TEXT_BLOCKS:
                    _block_pair(el, found)
        stack.extend(reversed(el))


def _block_pair(el, found: dict[str, str]) -> None:
    text = inline_text(el)
    if not text or len(text) > _MAX_BLOCK_CHARS:
        return
    label = canonical_label(text)
    if label:
        _put(found, label, _value_after(el))
        return
    _inline_pairs(text, found)


def _value_after(label_el) -> str:
    """The value written after a bare label element: its tail text, else the next element's text.

    A next element that carries its own "标签：值" pair is another field, not this label's value
    (``<li>发布文号：</li><li>公开方式：主动公开</li>`` leaves 发文字号 empty).
    """
    if label_el.tail and label_el.tail.strip():
        return label_el.tail.strip()
    sibling = label_el.getnext()
    if sibling is None:
        return ""
    value = inline_text(sibling)
    return "" if _INLINE_PAIR.search(value) else value


def metadata_table(doc, *, exclude=()) -> dict[str, str]:
    """``{canonical label: value}`` from the page's 信息公开 metadata, outside the ``exclude`` subtrees."""
    found: dict[str, str] = {}
    # Every element of the excluded subtrees, and their ancestors (wrappers whose text would include them).
    inside = frozenset(el for root in exclude for el in root.iter())
    holders = frozenset(anc for root in exclude for anc in root.iterancestors())
    _table_pairs(doc, found, inside)
    _block_pairs(doc, found, inside, holders)
    return found if CATALOGUE_LABELS & found.keys() else {}
