"""Text normalisation shared by page understanding: one form for every pattern to match against.

- NFKC: full-width digits, letters, colons and parentheses become ASCII (``：（１）`` → ``:(1)``), ideographic
  spaces become spaces, Kangxi radicals and CJK compatibility ideographs (common in PDF text) become the
  ordinary characters. The brackets of 文号 (〔〕【】) are not touched by NFKC.
- Pinyin annotations some traditional-character sites insert after characters (``報(bào)告``) are removed.
- Traditional characters that the patterns of this package meet are mapped to simplified ones (a small
  table, not a general converter: enough for 年度報告, 申請, 複議, 訴訟, 辦事指南 …).
"""

from __future__ import annotations

import functools
import re
import unicodedata

_TRADITIONAL = (
    "報請複覆議訴訟開條總計數處辦發號關於檔決為無與從對應當據規範準導術統區縣鎮鄉務門網頁標題資訊費項類點時間週詢話電監"
    "結經過際會義們個國華歲歷曆審樣書證設實機構單錄寫遞郵聯繫傳線場館屬學習醫療衛產業農貿濟稅財預額專舉況達這遲長內屆餘"
    "參罰強許廢現齊備並圖說讀問記頒佈細則綱見詳暫沒級員補認徵價廳戶碼萬東陽嶽羅勞檢驗環寧養親體織構辭擔權稱選導務負責條"
    "態勢僅廣黨雜順領範稱裡纔衆眾應歸納簡"
    "諾續還進將變運營護給託閱覽諮獲優質擬執劃繳險幣賬藥齡殘婦兒撫簽蓋確製註銷轄臺庫採購競彙匯紀鑒評測聽論願違償損職係絡隊團組閉園動車輛輸"
)
_SIMPLIFIED = (
    "报请复复议诉讼开条总计数处办发号关于档决为无与从对应当据规范准导术统区县镇乡务门网页标题资讯费项类点时间周询话电监"
    "结经过际会义们个国华岁历历审样书证设实机构单录写递邮联系传线场馆属学习医疗卫产业农贸济税财预额专举况达这迟长内届余"
    "参罚强许废现齐备并图说读问记颁布细则纲见详暂没级员补认征价厅户码万东阳岳罗劳检验环宁养亲体织构辞担权称选导务负责条"
    "态势仅广党杂顺领范称里才众众应归纳简"
    "诺续还进将变运营护给托阅览咨获优质拟执划缴险币账药龄残妇儿抚签盖确制注销辖台库采购竞汇汇纪鉴评测听论愿违偿损职系络队团组闭园动车辆输"
)
_TO_SIMPLIFIED = dict(zip(_TRADITIONAL, _SIMPLIFIED, strict=True))
# str.translate walks every character through a dict; a character-class search skips simplified pages fast.
_TRADITIONAL_CHAR = re.compile("[" + "".join(sorted(set(_TRADITIONAL))) + "]")

_PINYIN = re.compile(r"\((?:[a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹḿ]{1,7})\)")


@functools.lru_cache(maxsize=32)
def normalize(text: str) -> str:
    """NFKC, pinyin annotations removed, traditional characters of the lexicon simplified. Cached: page
    understanding normalises the same title and text heads several times per page."""
    if not text:
        return ""
    text = unicodedata.normalize("NFKC", text)
    if "(" in text:
        text = _PINYIN.sub("", text)
    return _TRADITIONAL_CHAR.sub(lambda m: _TO_SIMPLIFIED[m.group()], text)


HEAD_CHARS = 8000


def normalized_head(text: str, n: int) -> str:
    """About ``normalize(text[:n])``: the first ``n`` characters of the normalised first ``HEAD_CHARS``, so
    every reader of a page's head (kind, policy, report year, guide labels) shares one normalisation."""
    if n > HEAD_CHARS:
        return normalize(text[:n])
    return normalize(text[:HEAD_CHARS])[:n]


_CN_DIGITS = {"〇": 0, "零": 0, "○": 0, "Ｏ": 0, "O": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6,
              "七": 7, "八": 8, "九": 9}
CN_YEAR = r"[〇零○一二三四五六七八九]{4}"


def cn_year(text: str) -> int | None:
    """'二〇一六' → 2016 (digit-by-digit Chinese years); None when not four Chinese digits."""
    if len(text) != 4 or any(ch not in _CN_DIGITS for ch in text):
        return None
    return int("".join(str(_CN_DIGITS[ch]) for ch in text))


def excerpt(text: str, limit: int = 60) -> str:
    """A one-line excerpt for evidence."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
