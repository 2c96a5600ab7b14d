"""Material files (申请材料, FAQ 七(四)): which types each kind accepts, detected from the content.

Neither the file name nor the client's Content-Type is trusted: the type is read from the
signature at the start of the content, and only types that no browser runs as active content are
accepted (never HTML, SVG, XML or scripts):

* PDF: the header ``%PDF-`` (ISO 32000-1 section 7.5.2) and an ``%%EOF`` marker within the last
  1024 bytes, where Acrobat looks for it (ISO 32000-1 annex H.3, note 18): a file without one is
  an interrupted upload;
* JPEG: the SOI marker and the first marker's prefix, ``FF D8 FF`` (ITU-T T.81 annex B);
* PNG: the eight-byte signature followed by the IHDR chunk (PNG specification section 5.2, 5.6);
* ZIP: a local file header ``PK\\x03\\x04`` (APPNOTE.TXT section 4.3.7); an Office Open XML
  document (ECMA-376 part 2) is a ZIP holding ``word/document.xml`` (DOCX) or
  ``xl/workbook.xml`` (XLSX). Macro-enabled documents (a ``vbaProject.bin`` part) are refused.

Archives are stored, not unpacked, here, but examiners unpack them: an archive with encrypted
entries, with entry names that would escape the folder it is unpacked into, or that unpacks to
more than :data:`MAX_UNCOMPRESSED` is refused.
"""

from __future__ import annotations

import io
import re
import zipfile
from typing import Any

from django.conf import settings
from django.http import FileResponse

from dataip.core.errors import Text
from dataip.registry.content_errors import FileRejected
from dataip.registry.models import MaterialKind

__all__ = ["ACCEPTED", "MAX_UNCOMPRESSED", "FileRejected", "check_upload"]

PDF = "application/pdf"
JPEG = "image/jpeg"
PNG = "image/png"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ZIP = "application/zip"

_SCAN = (PDF, JPEG, PNG)
_DOCUMENT = (PDF, DOCX, XLSX)

#: The content types each material kind accepts.
ACCEPTED: dict[str, tuple[str, ...]] = {
    MaterialKind.SOURCE_STATEMENT: _DOCUMENT,
    MaterialKind.STRUCTURE_DESCRIPTION: _DOCUMENT,
    MaterialKind.COMMITMENT_LETTER: _SCAN,
    MaterialKind.APPLICATION_FORM: _SCAN,
    MaterialKind.COMPLIANCE_REPORT: (PDF,),
    MaterialKind.SOURCE_PROOF: _SCAN,
    MaterialKind.AGREEMENT: _SCAN,
    MaterialKind.SAMPLE_ATTACHMENT: (*_DOCUMENT, ZIP),
}

#: Upper bound of what an archive may unpack to (the examiners' disks, not ours).
MAX_UNCOMPRESSED = 1 << 30
_DEFAULT_MAX_BYTES = 50 << 20

_PDF_EOF_WINDOW = 1024
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_ZIP_MAGIC = b"PK\x03\x04"
_ZIP_ENCRYPTED = 0x1  # general purpose bit 0 (APPNOTE.TXT section 4.4.4)
_DRIVE = re.compile(r"[A-Za-z]:")

_TYPE_NAMES = {
    PDF: Text("PDF", "PDF"),
    JPEG: Text("JPEG 图片", "JPEG"),
    PNG: Text("PNG 图片", "PNG"),
    DOCX: Text("Word 文档（.docx）", "Word (.docx)"),
    XLSX: Text("Excel 工作簿（.xlsx）", "Excel (.xlsx)"),
    ZIP: Text("ZIP 压缩包", "ZIP"),
}

_KIND_NAMES = {
    MaterialKind.SOURCE_STATEMENT: Text("数据来源说明", "the source statement"),
    MaterialKind.STRUCTURE_DESCRIPTION: Text("数据结构说明", "the structure description"),
    MaterialKind.COMMITMENT_LETTER: Text("承诺书", "the commitment letter"),
    MaterialKind.APPLICATION_FORM: Text("申请书", "the application form"),
    MaterialKind.COMPLIANCE_REPORT: Text("合规评估报告", "the compliance report"),
    MaterialKind.SOURCE_PROOF: Text("来源证明材料", "the source proof"),
    MaterialKind.AGREEMENT: Text("数据获取协议", "the agreement"),
    MaterialKind.SAMPLE_ATTACHMENT: Text("样例数据附件", "the sample attachment"),
}

# What a refused file was, to say so; the first matching signature wins.
_OTHER_SIGNATURES = (
    (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
        Text("旧版 Office 文档或加密文档", "an old or encrypted Office file"),
    ),
    (b"GIF87a", Text("GIF 图片", "a GIF image")),
    (b"GIF89a", Text("GIF 图片", "a GIF image")),
    (b"II*\x00", Text("TIFF 图片", "a TIFF image")),
    (b"MM\x00*", Text("TIFF 图片", "a TIFF image")),
    (b"BM", Text("BMP 图片", "a BMP image")),
    (b"Rar!\x1a\x07", Text("RAR 压缩包", "a RAR archive")),
    (b"7z\xbc\xaf\x27\x1c", Text("7z 压缩包", "a 7z archive")),
    (b"\x1f\x8b", Text("gzip 压缩文件", "a gzip file")),
    (b"PK\x05\x06", Text("空的 ZIP 压缩包", "an empty ZIP archive")),
)
_HTML = Text("网页（HTML）", "a web page (HTML)")
_SVG = Text("SVG 矢量图（可含脚本）", "an SVG image (which can hold scripts)")
_HTML_TAGS = ("<html", "<head", "<body", "<script", "<iframe")
_XML = Text("XML 文档", "an XML document")
_TEXT = Text("纯文本", "plain text")
_UNKNOWN = Text("无法识别的格式", "an unrecognised format")


def check_upload(*, kind: str, name: str, data: bytes) -> str:
    """The content type of a material file, detected from its content; FileRejected if refused."""
    if kind not in ACCEPTED:
        raise FileRejected("file_kind_unknown", kind=kind)
    if not data:
        raise FileRejected("file_empty", name=name)
    limit = int(getattr(settings, "DATAIP_MATERIAL_MAX_BYTES", _DEFAULT_MAX_BYTES))
    if len(data) > limit:
        raise FileRejected("file_oversize", name=name, size=len(data), limit=limit)
    content_type = _detect(name, data)
    accepted = ACCEPTED[kind]
    if content_type not in accepted:
        raise FileRejected(
            "file_type",
            name=name,
            found=_TYPE_NAMES[content_type] if content_type else _describe(data),
            kind=_KIND_NAMES[MaterialKind(kind)],
            expected=_either(accepted),
        )
    return content_type


def _detect(name: str, data: bytes) -> str:
    """The accepted type the content is, checked for damage; "" for anything else."""
    if data.startswith(b"%PDF-"):
        if b"%%EOF" not in data[-_PDF_EOF_WINDOW:]:
            raise FileRejected("file_pdf_truncated", name=name)
        return PDF
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith(_PNG_SIGNATURE):
        if data[12:16] != b"IHDR":
            raise FileRejected(
                "file_archive_unreadable",
                name=name,
                format=_TYPE_NAMES[PNG],
                reason=Text("缺少 IHDR 数据块", "the IHDR chunk is missing"),
            )
        return PNG
    if data.startswith(_ZIP_MAGIC):
        return _zip_type(name, data)
    return ""


def _zip_type(name: str, data: bytes) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError) as e:
        raise FileRejected(
            "file_archive_unreadable", name=name, format=_TYPE_NAMES[ZIP], reason=str(e)
        ) from None
    names = {info.filename for info in infos}
    for info in infos:
        if info.flag_bits & _ZIP_ENCRYPTED:
            raise FileRejected("file_zip_encrypted", name=name, entry=info.filename)
        if _unsafe(info.filename):
            raise FileRejected("file_zip_unsafe_name", name=name, entry=info.filename)
    size = sum(info.file_size for info in infos)
    if size > MAX_UNCOMPRESSED:
        raise FileRejected("file_zip_bomb", name=name, size=size, limit=MAX_UNCOMPRESSED)
    if "[Content_Types].xml" in names and names & {"word/document.xml", "xl/workbook.xml"}:
        if any(n.lower().rsplit("/", 1)[-1] == "vbaproject.bin" for n in names):
            raise FileRejected("file_macros", name=name)
        return DOCX if "word/document.xml" in names else XLSX
    return ZIP


def _unsafe(entry: str) -> bool:
    parts = entry.replace("\\", "/").split("/")
    return entry.startswith(("/", "\\")) or bool(_DRIVE.match(entry)) or ".." in parts


def _describe(data: bytes) -> Text:
    for signature, found in _OTHER_SIGNATURES:
        if data.startswith(signature):
            return found
    text = _head_text(data[:4096])
    if text is None:
        return _UNKNOWN
    return _describe_text(text)


def _describe_text(text: str) -> Text:
    lowered = text.lstrip("\ufeff \t\r\n").lower()
    if "<svg" in lowered:
        return _SVG
    if lowered.startswith("<!doctype html") or any(tag in lowered for tag in _HTML_TAGS):
        return _HTML
    if lowered.startswith("<"):
        return _XML
    if all(c.isprintable() or c in "\t\r\n" for c in text):
        return _TEXT
    return _UNKNOWN


def _head_text(head: bytes) -> str | None:
    """The start of a file as text, if it is text (the cut may split the last character)."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return head[: len(head) // 2 * 2].decode("utf-16", errors="replace")
    for encoding in ("utf-8", "gb18030"):
        try:
            return head.decode(encoding)
        except UnicodeDecodeError as e:
            if e.start >= len(head) - 3:
                return head[: e.start].decode(encoding)
    return None


def _either(types: tuple[str, ...]) -> Text:
    """'PDF、JPEG 图片或 PNG 图片' / 'PDF, JPEG or PNG'."""
    zh = [_TYPE_NAMES[t].zh for t in types]
    en = [_TYPE_NAMES[t].en for t in types]
    if len(types) == 1:
        return Text(zh[0], en[0])
    # A space between Chinese and Latin text, as Chinese typesetting has it.
    head = "、".join(zh[:-1])
    before = " " if head[-1].isascii() else ""
    after = " " if zh[-1][0].isascii() else ""
    return Text(f"{head}{before}或{after}{zh[-1]}", ", ".join(en[:-1]) + " or " + en[-1])


def attachment(file: Any, name: str, content_type: str = "") -> FileResponse:
    """A stored upload as a download (``Content-Disposition: attachment``), never rendered.

    Uploaded files are not trusted content: a browser must not display or run one.
    """
    return FileResponse(
        file.open("rb"),
        as_attachment=True,
        filename=name,
        content_type=content_type or "application/octet-stream",
    )
