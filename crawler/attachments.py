"""Text of attachments (pdf, docx, xlsx, xls, doc/wps, txt) for the checks to search.

A disclosure page often says little and attaches the document itself: the 年报 as a PDF, the 办事指南 as
a DOCX, the 目录 as an XLS. ``extract_attachment`` turns one downloaded file into ``AttachmentText`` with a
status from ``crawler.record.Attachment``: extracted | unreadable (no tool reads it here) | corrupt |
too_large | error. It never raises on bad files: the status and a Chinese reason say what happened.

The real type is sniffed from the bytes (``%PDF``, a zip holding ``word/`` or ``xl/``, OLE2 ``D0 CF 11 E0``
with a WordDocument or Workbook stream), because sites misname files (a PDF uploaded as .doc). Text is
NFC-normalised: some PDFs map common characters to CJK compatibility ideographs (U+F967 不, domain.md §8).
Work is capped: bytes (``max_bytes``), zip expansion, PDF pages, spreadsheet rows, extracted characters.
Sizes are checked before anything is read: a body over ``max_bytes`` or cut by the crawler's size cap
(``truncated``), or a DOCX/XLSX whose members declare more than ``MAX_ZIP_EXPANSION`` times the file or
``MAX_UNZIPPED_BYTES`` in all (a zip bomb: the declared sizes bound what ``zipfile`` inflates), is
``too_large`` with a reason beginning 附件过大.
"""

from __future__ import annotations

import io
import posixpath
import shutil
import subprocess
import tempfile
import unicodedata
import zipfile
from dataclasses import dataclass

from crawler.extract.decoding import decode_html, parse_html
from crawler.extract.text import block_text
from crawler.record import Attachment, PageRecord

MAX_PDF_PAGES = 500
MAX_SHEET_ROWS = 50_000
MAX_TEXT_CHARS = 2_000_000
MAX_ZIP_EXPANSION = (
    20  # total uncompressed size / file size beyond which a docx/xlsx is a zip bomb
)
MAX_UNZIPPED_BYTES = 200_000_000  # total uncompressed size of a docx/xlsx, whatever its file size
TOOL_TIMEOUT_SECONDS = 60

_NAME_FORMATS = {
    "pdf": "pdf",
    "docx": "docx",
    "xlsx": "xlsx",
    "xls": "xls",
    "et": "xls",
    "doc": "doc",
    "wps": "doc",
    "txt": "txt",
    "ppt": "ppt",
    "pptx": "pptx",
    "zip": "zip",
    "rar": "rar",
}
_CONTENT_TYPE_FORMATS = {
    "application/pdf": "pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "application/vnd.ms-excel": "xls",
    "application/msword": "doc",
    "text/plain": "txt",
}
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@dataclass(frozen=True)
class AttachmentText:
    status: str  # extracted | unreadable | corrupt | too_large | error
    text: str | None = None
    error: str | None = None  # Chinese, for assessors, when status is not "extracted"
    format: str | None = (
        None  # what the bytes turned out to be: pdf, docx, xlsx, xls, doc, txt, html, …
    )


class _Corrupt(Exception):
    """A file of a known format that its reader could not parse."""


def _claimed_format(name: str) -> str | None:
    path = name.split("?", 1)[0].lower()
    return _NAME_FORMATS.get(posixpath.splitext(path)[1][1:])


def _utf16(name: str) -> bytes:
    return name.encode("utf-16-le")


def sniff_format(name: str, content_type: str | None, body: bytes) -> str | None:
    """The file's real format from its bytes, falling back to the name's extension and the content type."""
    head = body[:2048]
    claimed = _claimed_format(name)
    if claimed is None and content_type:
        claimed = _CONTENT_TYPE_FORMATS.get(content_type.split(";")[0].strip().lower())
    if b"%PDF-" in head[:1024]:
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        try:
            names = zipfile.ZipFile(io.BytesIO(body)).namelist()
        except (zipfile.BadZipFile, ValueError):
            return claimed if claimed in ("docx", "xlsx", "pptx") else "zip"
        if "word/document.xml" in names:
            return "docx"
        if "xl/workbook.xml" in names:
            return "xlsx"
        if any(n.startswith("ppt/") for n in names):
            return "pptx"
        return "zip"
    if head.startswith(_OLE2):
        if _utf16("WordDocument") in body:
            return "doc"
        if _utf16("Workbook") in body or _utf16("Book") in body:
            return "xls"
        if _utf16("PowerPoint Document") in body:
            return "ppt"
        return claimed if claimed in ("doc", "xls", "ppt") else None
    if head.startswith(b"Rar!"):
        return "rar"
    if head.startswith(b"{\\rtf"):
        return "rtf"
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if stripped.startswith((b"<!doctype html", b"<html", b"<head", b"<meta", b"<body")):
        return "html"
    if stripped.startswith(b"mime-version:"):
        return "mht"  # Word "save as web archive", often renamed .doc
    return claimed


def _decode_text(body: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return body.decode(encoding)
        except UnicodeDecodeError:
            continue
    return body.decode("gb18030", errors="replace")


def _pdf_text(body: bytes) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(body), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise _Corrupt("PDF 已加密，无法读取")
        pages = []
        for page in reader.pages[:MAX_PDF_PAGES]:
            pages.append(page.extract_text() or "")
    except _Corrupt:
        raise
    except (
        PdfReadError,
        ValueError,
        KeyError,
        TypeError,
        AttributeError,
        IndexError,
        OSError,
        RecursionError,
        NotImplementedError,
        AssertionError,
        ZeroDivisionError,
    ) as exc:
        raise _Corrupt(f"PDF 文件已损坏或无法解析（{type(exc).__name__}）") from exc
    return "\n".join(pages)


def _zip_is_bomb(body: bytes) -> bool:
    try:
        total = sum(
            info.file_size for info in zipfile.ZipFile(io.BytesIO(body)).infolist()
        )
    except (zipfile.BadZipFile, ValueError):
        return False  # the reader reports the corruption itself
    return total > min(MAX_ZIP_EXPANSION * max(len(body), 1_000_000), MAX_UNZIPPED_BYTES)


def _docx_text(body: bytes) -> str:
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(io.BytesIO(body))
        lines = []
        for child in document.element.body.iterchildren():
            tag = child.tag.rsplit("}", 1)[-1]
            if tag == "p":
                lines.append(Paragraph(child, document).text)
            elif tag == "tbl":
                for row in Table(child, document).rows:
                    cells: list[str] = []
                    for (
                        cell
                    ) in row.cells:  # merged cells repeat: keep each text once per row
                        if not cells or cells[-1] != cell.text:
                            cells.append(cell.text)
                    lines.append("\t".join(cells))
    except Exception as exc:  # zipfile, KeyError, lxml XMLSyntaxError, python-docx errors: no common base
        raise _Corrupt(f"DOCX 文件已损坏或无法解析（{type(exc).__name__}）") from exc
    return "\n".join(line for line in lines if line.strip())


def _cell_text(value) -> str:
    return "" if value is None else str(value)


def _xlsx_text(body: bytes) -> str:
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(
            io.BytesIO(body), read_only=True, data_only=True
        )
    except Exception as exc:  # zipfile, KeyError, XML and openpyxl errors alike mean an unreadable file
        raise _Corrupt(f"XLSX 文件已损坏或无法解析（{type(exc).__name__}）") from exc
    lines, rows = [], 0
    try:
        for sheet in workbook.worksheets:
            lines.append(sheet.title)
            for row in sheet.iter_rows(values_only=True):
                rows += 1
                if rows > MAX_SHEET_ROWS:
                    break
                cells = [_cell_text(v) for v in row if v is not None]
                if cells:
                    lines.append("\t".join(cells))
    except Exception as exc:
        raise _Corrupt(f"XLSX 文件已损坏或无法解析（{type(exc).__name__}）") from exc
    finally:
        workbook.close()
    return "\n".join(lines)


def _xls_text(body: bytes) -> str:
    import xlrd

    try:
        book = xlrd.open_workbook(file_contents=body, on_demand=True)
        lines, rows = [], 0
        for index in range(book.nsheets):
            sheet = book.sheet_by_index(index)
            lines.append(sheet.name)
            for r in range(min(sheet.nrows, MAX_SHEET_ROWS - rows)):
                cells = [
                    _cell_text(v) for v in sheet.row_values(r) if v not in ("", None)
                ]
                if cells:
                    lines.append("\t".join(cells))
            rows += sheet.nrows
            book.unload_sheet(index)
    except (
        Exception
    ) as exc:  # xlrd raises XLRDError, struct.error, IndexError … on damaged files
        raise _Corrupt(f"XLS 文件已损坏或无法解析（{type(exc).__name__}）") from exc
    return "\n".join(lines)


def _html_text(body: bytes) -> str:
    """A .doc that is really a web page (Word's "save as web page", renamed): its visible text."""
    text, _ = decode_html(body, None)
    doc = parse_html(text)
    if doc is None:
        raise _Corrupt("网页格式的附件无法解析")
    return block_text(doc)


def _legacy_word_text(body: bytes) -> AttachmentText:
    """.doc/.wps through antiword, else catdoc; unreadable (not an error) when neither is installed."""
    antiword, catdoc = shutil.which("antiword"), shutil.which("catdoc")
    if not antiword and not catdoc:
        return AttachmentText(
            "unreadable",
            error="未安装 antiword 或 catdoc，无法提取 .doc/.wps 文件的文字",
            format="doc",
        )
    command = [antiword, "-w", "0"] if antiword else [catdoc, "-w", "-d", "utf-8"]
    tool = "antiword" if antiword else "catdoc"
    with tempfile.NamedTemporaryFile(suffix=".doc") as handle:
        handle.write(body)
        handle.flush()
        try:
            done = subprocess.run(
                command + [handle.name],
                capture_output=True,
                timeout=TOOL_TIMEOUT_SECONDS,
                check=False,
            )
        except subprocess.TimeoutExpired:
            return AttachmentText(
                "error",
                error=f"{tool} 处理超时（{TOOL_TIMEOUT_SECONDS} 秒）",
                format="doc",
            )
        except OSError as exc:
            return AttachmentText(
                "error", error=f"无法运行 {tool}：{exc}", format="doc"
            )
    if done.returncode != 0:
        reason = done.stderr.decode("utf-8", errors="replace").strip().splitlines()
        detail = f"：{reason[0]}" if reason else ""
        return AttachmentText(
            "corrupt", error=f"{tool} 无法读取该文件{detail}", format="doc"
        )
    return AttachmentText("extracted", text=_decode_text(done.stdout), format="doc")


_READERS = {
    "pdf": _pdf_text,
    "docx": _docx_text,
    "xlsx": _xlsx_text,
    "xls": _xls_text,
    "txt": _decode_text,
    "html": _html_text,
}
_FORMAT_NAMES = {
    "ppt": "PPT 演示文稿",
    "pptx": "PPTX 演示文稿",
    "zip": "ZIP 压缩包",
    "rar": "RAR 压缩包",
    "rtf": "RTF 文档",
    "mht": "MHT 网页存档",
}


def _normalise(text: str) -> str:
    text = unicodedata.normalize("NFC", text.replace("\x00", ""))
    return text[:MAX_TEXT_CHARS]


def extract_attachment(
    name: str, content_type: str | None, body: bytes, *, max_bytes: int = 20_000_000, truncated: bool = False
) -> AttachmentText:
    """The text of one attachment file.

    ``name`` is the file name or URL whose extension claims a type (the bytes decide when they disagree);
    ``content_type`` is the response's header, used only when neither bytes nor name say what it is;
    ``truncated``: the download was cut at the crawler's size cap (only its first ``len(body)`` bytes).
    """
    if len(body) > max_bytes:
        return AttachmentText(
            "too_large",
            error=f"附件过大：{len(body)} 字节，超过上限 {max_bytes} 字节，未提取文字",
        )
    if truncated:
        return AttachmentText(
            "too_large",
            error=f"附件过大：下载到 {len(body)} 字节时达到大小上限被截断，未提取文字",
        )
    if not body:
        return AttachmentText("corrupt", error="附件内容为空")
    fmt = sniff_format(name, content_type, body)
    claimed = _claimed_format(name)
    if fmt == "html" and claimed not in (None, "doc", "xls", "txt"):
        # A web page where a PDF or DOCX should be: usually the site's error page served as 200. (Web pages
        # named .doc/.xls are real documents: Word's "save as web page" and CMS "export to Excel" tables.)
        return AttachmentText(
            "corrupt",
            error=f"下载到的是网页而不是 {claimed} 文件（可能是出错页面）",
            format="html",
        )
    if fmt in ("docx", "xlsx") and _zip_is_bomb(body):
        return AttachmentText(
            "too_large", error="附件过大：压缩文档解压后过大（可能是压缩炸弹），未提取文字", format=fmt
        )
    if fmt == "doc":
        result = _legacy_word_text(body)
        return (
            result
            if result.text is None
            else AttachmentText("extracted", _normalise(result.text), None, fmt)
        )
    reader = _READERS.get(fmt or "")
    if reader is None:
        error = (
            f"暂不支持提取{_FORMAT_NAMES[fmt]}的文字"
            if fmt in _FORMAT_NAMES
            else "无法识别附件的文件格式，未提取文字"
        )
        return AttachmentText("unreadable", error=error, format=fmt)
    try:
        text = _normalise(reader(body))
    except _Corrupt as exc:
        return AttachmentText("corrupt", error=str(exc), format=fmt)
    except MemoryError:
        return AttachmentText(
            "too_large", error="附件过大：提取文字时内存不足", format=fmt
        )
    if fmt == "pdf" and not text.strip():
        return AttachmentText(
            "unreadable",
            text="",
            error="PDF 中没有可提取的文字（可能是扫描件或图片）",
            format=fmt,
        )
    return AttachmentText("extracted", text=text, format=fmt)


def apply_attachment_text(
    record: PageRecord, url: str, result: AttachmentText, sha256: str | None
) -> Attachment | None:
    """Fill the record's attachment for ``url`` with the extraction result; None when the page has no such link."""
    for attachment in record.attachments:
        if attachment.url == url:
            attachment.status = result.status
            attachment.text = result.text
            attachment.error = result.error
            attachment.sha256 = sha256
            return attachment
    return None
