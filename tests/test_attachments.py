"""Attachment text: Chinese PDF/DOCX/XLSX built offline, then read back; bad files get a status, not a crash."""

import hashlib
import io
import shutil
import stat

from crawler import attachments
from crawler.attachments import (
    AttachmentText,
    apply_attachment_text,
    extract_attachment,
    sniff_format,
)
from crawler.record import Attachment, PageRecord

REPORT_LINE = "汨罗市2017年政府信息公开工作年度报告"
SECOND_LINE = "一、概述：主动公开政府信息1024条"


def chinese_pdf(lines=(REPORT_LINE, SECOND_LINE)) -> bytes:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    out = io.BytesIO()
    pdf = canvas.Canvas(out)
    pdf.setFont("STSong-Light", 14)
    for i, line in enumerate(lines):
        pdf.drawString(72, 760 - 24 * i, line)
    pdf.showPage()
    pdf.save()
    return out.getvalue()


def chinese_docx() -> bytes:
    import docx

    document = docx.Document()
    document.add_paragraph("汨罗市政府信息公开指南")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "办公地址"
    table.cell(0, 1).text = "汨罗市人民政府办公室"
    table.cell(1, 0).text = "联系电话"
    table.cell(1, 1).text = "0730-5222222"
    document.add_paragraph("申请人可以到本机关受理机构申请获取政府信息。")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def chinese_xlsx() -> bytes:
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "主动公开目录"
    sheet.append(["索引号", "名称", "生成日期"])
    sheet.append(
        ["12332211/2017-00001", "关于印发2017年政务公开工作要点的通知", "2017-03-01"]
    )
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_chinese_pdf_extracts_back():
    result = extract_attachment(
        "P020170302384157627643.pdf", "application/pdf", chinese_pdf()
    )
    assert result.status == "extracted", result.error
    assert REPORT_LINE in result.text
    assert "1024" in result.text
    assert result.format == "pdf"


def test_docx_paragraphs_and_tables_extract_back():
    result = extract_attachment("guide.docx", None, chinese_docx())
    assert result.status == "extracted", result.error
    assert "汨罗市政府信息公开指南" in result.text
    assert "办公地址\t汨罗市人民政府办公室" in result.text
    assert (
        result.text.index("指南")
        < result.text.index("办公地址")
        < result.text.index("申请人")
    )


def test_xlsx_rows_extract_back():
    result = extract_attachment("mulu.xlsx", None, chinese_xlsx())
    assert result.status == "extracted", result.error
    assert "主动公开目录" in result.text
    assert (
        "12332211/2017-00001\t关于印发2017年政务公开工作要点的通知\t2017-03-01"
        in result.text
    )


def test_truncated_pdf_is_corrupt_with_chinese_reason():
    body = chinese_pdf()
    result = extract_attachment("report.pdf", "application/pdf", body[: len(body) // 3])
    assert result.status == "corrupt"
    assert result.text is None
    assert result.error.startswith("PDF 文件已损坏或无法解析")


def test_garbage_named_pdf_is_corrupt():
    result = extract_attachment(
        "report.pdf", "application/pdf", b"%PDF-1.4\n" + b"\x00garbage" * 50
    )
    assert result.status == "corrupt"
    assert result.error.startswith("PDF 文件已损坏或无法解析")


def test_truncated_docx_is_corrupt():
    body = chinese_docx()
    result = extract_attachment("guide.docx", None, body[: len(body) // 2])
    assert result.status == "corrupt"
    assert "DOCX" in result.error or "文件" in result.error


def test_pdf_named_doc_is_sniffed_and_extracted(monkeypatch):
    monkeypatch.setattr(
        shutil, "which", lambda tool: None
    )  # must not need antiword for a PDF
    result = extract_attachment("年报.doc", "application/msword", chinese_pdf())
    assert result.status == "extracted"
    assert result.format == "pdf"
    assert REPORT_LINE in result.text


def test_docx_named_xls_is_sniffed():
    result = extract_attachment("guide.xls", None, chinese_docx())
    assert result.status == "extracted"
    assert result.format == "docx"


def ole2_word_stub() -> bytes:
    """An OLE2 header with a WordDocument directory name: enough to be sniffed as a Word file."""
    return (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + b"\x00" * 504
        + "WordDocument".encode("utf-16-le")
        + b"\x00" * 512
    )


def test_doc_without_antiword_or_catdoc_is_unreadable_with_reason(monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda tool: None)
    result = extract_attachment("通知.doc", "application/msword", ole2_word_stub())
    assert result.status == "unreadable"
    assert "antiword" in result.error and "catdoc" in result.error
    assert "未安装" in result.error


def test_wps_goes_to_the_same_tools(monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda tool: None)
    assert extract_attachment("通知.wps", None, ole2_word_stub()).status == "unreadable"


def _fake_tool(tmp_path, name, script):
    path = tmp_path / name
    path.write_text("#!/bin/sh\n" + script)
    path.chmod(path.stat().st_mode | stat.S_IEXEC)
    return str(path)


def test_doc_through_antiword_when_installed(monkeypatch, tmp_path):
    tool = _fake_tool(
        tmp_path, "antiword", "printf '关于做好2017年政务公开工作的通知\\n'\n"
    )
    monkeypatch.setattr(
        shutil, "which", lambda name: tool if name == "antiword" else None
    )
    result = extract_attachment("notice.doc", None, ole2_word_stub())
    assert result.status == "extracted"
    assert result.text.strip() == "关于做好2017年政务公开工作的通知"


def test_doc_tool_failure_is_corrupt(monkeypatch, tmp_path):
    tool = _fake_tool(tmp_path, "catdoc", "echo 'not a word file' >&2\nexit 1\n")
    monkeypatch.setattr(
        shutil, "which", lambda name: tool if name == "catdoc" else None
    )
    result = extract_attachment("notice.doc", None, ole2_word_stub())
    assert result.status == "corrupt"
    assert "catdoc" in result.error and "not a word file" in result.error


def test_oversize_is_too_large_without_reading():
    result = extract_attachment(
        "big.pdf", "application/pdf", b"%PDF-1.4" + b"0" * 2000, max_bytes=1000
    )
    assert result.status == "too_large"
    assert "1000" in result.error


def test_empty_file_is_corrupt():
    result = extract_attachment("a.pdf", None, b"")
    assert result.status == "corrupt" and result.error == "附件内容为空"


def test_error_page_instead_of_pdf_is_corrupt():
    page = "<html><body>404 文件不存在</body></html>".encode()
    result = extract_attachment("report.pdf", "text/html", page)
    assert result.status == "corrupt"
    assert "网页" in result.error


def test_doc_that_is_a_web_page_is_read_as_html():
    page = (
        "<html><body><p>政府信息公开申请表</p><p>申请人姓名</p></body></html>".encode(
            "gb18030"
        )
    )
    result = extract_attachment("shenqingbiao.doc", None, page)
    assert result.status == "extracted"
    assert result.text == "政府信息公开申请表\n申请人姓名"


def test_xls_that_is_an_html_table_is_read():
    page = "<html><body><table><tr><td>索引号</td><td>名称</td></tr></table></body></html>".encode()
    result = extract_attachment("mulu.xls", "application/vnd.ms-excel", page)
    assert result.status == "extracted"
    assert result.text == "索引号\n名称"


def test_gbk_txt_is_decoded():
    result = extract_attachment(
        "说明.txt", None, "公开范围：全部公开，朱镕基".encode("gbk")
    )
    assert result.status == "extracted"
    assert result.text == "公开范围：全部公开，朱镕基"


def test_text_is_nfc_normalised():
    # U+F967 is a CJK compatibility ideograph for 不; NFC maps it to U+4E0D.
    result = extract_attachment(
        "说明.txt", None, "予以公开\uf967予公开".encode("utf-8")
    )
    assert result.text == "予以公开不予公开"


def test_zip_and_rar_are_unreadable_with_reason():
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("a.txt", "x")
    assert extract_attachment("files.zip", None, out.getvalue()).status == "unreadable"
    rar = extract_attachment("files.rar", None, b"Rar!\x1a\x07\x00" + b"\x00" * 20)
    assert rar.status == "unreadable" and "RAR" in rar.error


def test_unknown_bytes_are_unreadable():
    result = extract_attachment("download", None, b"\x01\x02\x03 not a known format")
    assert result.status == "unreadable"
    assert result.error == "无法识别附件的文件格式，未提取文字"


def test_zip_bomb_docx_is_too_large(monkeypatch):
    monkeypatch.setattr(attachments, "MAX_ZIP_EXPANSION", 0)
    result = extract_attachment("guide.docx", None, chinese_docx())
    assert result.status == "too_large"


def test_sniff_ole2_workbook_without_a_name():
    body = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + b"\x00" * 504
        + "Workbook".encode("utf-16-le")
    )
    assert sniff_format("", None, body) == "xls"


def test_corrupt_xls_is_corrupt():
    body = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + b"\x00" * 504
        + "Workbook".encode("utf-16-le")
    )
    result = extract_attachment("mulu.xls", None, body)
    assert result.status == "corrupt"
    assert "XLS" in result.error


def test_apply_attachment_text_fills_the_matching_entry():
    url = "http://www.miluo.gov.cn/uploadfiles/201703/x.docx"
    record = PageRecord(
        url="http://www.miluo.gov.cn/a/content_1.html",
        final_url="http://www.miluo.gov.cn/a/content_1.html",
        status=200,
        content_type="text/html",
        encoding="utf-8",
        body_sha256="0" * 64,
        attachments=[Attachment(url=url, name="实施意见", ext="docx")],
    )
    body = chinese_docx()
    digest = hashlib.sha256(body).hexdigest()
    filled = apply_attachment_text(
        record, url, extract_attachment("x.docx", None, body), digest
    )
    assert filled is record.attachments[0]
    assert filled.status == "extracted" and filled.sha256 == digest
    assert "汨罗市政府信息公开指南" in record.full_text
    missing = apply_attachment_text(
        record, url + "?other", AttachmentText("corrupt", error="附件内容为空"), None
    )
    assert missing is None


def test_pdf_without_text_is_unreadable_as_scan():
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    pdf = canvas.Canvas(out)
    pdf.rect(72, 72, 200, 200, fill=1)  # an image-like page with no text
    pdf.showPage()
    pdf.save()
    result = extract_attachment("scan.pdf", None, out.getvalue())
    assert result.status == "unreadable"
    assert "扫描件" in result.error
