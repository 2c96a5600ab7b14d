"""Material files: the type comes from the content, each kind accepts its own types."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

import openpyxl
import pytest
from PIL import Image
from reportlab.pdfgen.canvas import Canvas

from dataip.core.errors import DataipError
from dataip.registry import files
from dataip.registry.files import FileRejected, check_upload
from dataip.registry.models import MaterialKind

PDF = "application/pdf"
JPEG = "image/jpeg"
PNG = "image/png"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ZIP = "application/zip"

# The brief, written out: PDF everywhere; scans also as JPEG/PNG; the three descriptive
# materials also as DOCX/XLSX; the sample attachment also as ZIP.
ACCEPTED = {
    "source_statement": {PDF, DOCX, XLSX},
    "structure_description": {PDF, DOCX, XLSX},
    "commitment_letter": {PDF, JPEG, PNG},
    "application_form": {PDF, JPEG, PNG},
    "compliance_report": {PDF},
    "source_proof": {PDF, JPEG, PNG},
    "agreement": {PDF, JPEG, PNG},
    "sample_attachment": {PDF, DOCX, XLSX, ZIP},
}


def pdf() -> bytes:
    out = io.BytesIO()
    canvas = Canvas(out)
    canvas.drawString(72, 720, "stamped scan")
    canvas.showPage()
    canvas.save()
    return out.getvalue()


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(out, "JPEG")
    return out.getvalue()


def png() -> bytes:
    """A 1x1 PNG built from the specification's chunks, without an image library."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\x00\x00"))
        + chunk(b"IEND", b"")
    )


def archive(entries: dict[str, bytes], *, encrypted: str = "") -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, body in entries.items():
            z.writestr(name, body)
    data = bytearray(out.getvalue())
    if encrypted:
        # zipfile cannot encrypt: set the "encrypted" flag (APPNOTE 4.4.4 bit 0) where an
        # encrypting archiver sets it, in the central directory and the local header.
        at = data.index(b"PK\x01\x02")
        while at >= 0:
            (name_length,) = struct.unpack_from("<H", data, at + 28)
            if data[at + 46 : at + 46 + name_length] == encrypted.encode():
                data[at + 8] |= 0x1
                (local,) = struct.unpack_from("<I", data, at + 42)
                data[local + 6] |= 0x1
            at = data.find(b"PK\x01\x02", at + 46)
    return bytes(data)


def docx(extra: dict[str, bytes] | None = None) -> bytes:
    return archive(
        {
            "[Content_Types].xml": b"<Types/>",
            "_rels/.rels": b"<Relationships/>",
            "word/document.xml": "<w:document><w:body>数据来源说明</w:body></w:document>".encode(),
            **(extra or {}),
        }
    )


def xlsx() -> bytes:
    workbook = openpyxl.Workbook()
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


MADE = {
    PDF: pdf,
    JPEG: jpeg,
    PNG: png,
    DOCX: docx,
    XLSX: xlsx,
    ZIP: lambda: archive({"a.csv": b"a\n1\n"}),
}


def rejected(kind: str, name: str, data: bytes) -> FileRejected:
    with pytest.raises(FileRejected) as caught:
        check_upload(kind=kind, name=name, data=data)
    assert isinstance(caught.value, DataipError) and caught.value.status == 400
    return caught.value


def test_every_kind_has_its_rule():
    assert set(ACCEPTED) == set(MaterialKind.values)


@pytest.mark.parametrize("kind", MaterialKind.values)
@pytest.mark.parametrize("content_type", [PDF, JPEG, PNG, DOCX, XLSX, ZIP])
def test_accepted_types_by_kind(kind, content_type):
    data = MADE[content_type]()
    # The name says nothing: every file goes up as "upload.bin".
    if content_type in ACCEPTED[kind]:
        assert check_upload(kind=kind, name="upload.bin", data=data) == content_type
    else:
        e = rejected(kind, "upload.bin", data)
        assert e.code == "file_type"


def test_message_names_what_was_found_and_what_is_expected():
    e = rejected("structure_description", "scan.jpg", jpeg())
    assert e.message("zh") == (
        "文件“scan.jpg”的内容为：JPEG 图片；数据结构说明只接受："
        "PDF、Word 文档（.docx）或 Excel 工作簿（.xlsx）"
    )
    assert e.message("en") == (
        "the file scan.jpg contains JPEG; the structure description accepts only "
        "PDF, Word (.docx) or Excel (.xlsx)"
    )
    assert rejected("compliance_report", "r.png", png()).message("en").endswith("accepts only PDF")


@pytest.mark.parametrize(
    ("data", "found"),
    [
        (b"<!DOCTYPE html><html><body>%PDF-1.4</body></html>", "a web page (HTML)"),
        (b"\n  <HTML><script>alert(1)</script>", "a web page (HTML)"),
        (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script/></svg>', "an SVG"),
        (b'<?xml version="1.0"?><note/>', "an XML document"),
        (b"alert(document.cookie)\n", "plain text"),
        ("数据来源说明".encode("gb18030"), "plain text"),
        (b"GIF89a\x01\x00\x01\x00", "a GIF image"),
        (b"II*\x00\x08\x00\x00\x00", "a TIFF image"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "an old or encrypted Office file"),
        (b"PK\x05\x06" + b"\0" * 18, "an empty ZIP archive"),
        (bytes(range(256)), "an unrecognised format"),
    ],
)
def test_active_and_other_content_renamed_pdf_is_refused(data, found):
    e = rejected("application_form", "申请书.pdf", data)
    assert e.code == "file_type"
    assert e.message("en").startswith(f"the file 申请书.pdf contains {found}")


def test_html_is_refused_even_where_archives_are_accepted():
    e = rejected("sample_attachment", "样例.zip", "<html><body>样例</body></html>".encode())
    assert "网页（HTML）" in e.message("zh")


def test_truncated_pdf():
    data = pdf()
    assert check_upload(kind="agreement", name="a.pdf", data=data) == PDF
    e = rejected("agreement", "a.pdf", data[: len(data) // 2])
    assert e.code == "file_pdf_truncated"


def test_damaged_png():
    e = rejected("source_proof", "p.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 20)
    assert e.code == "file_archive_unreadable"


def test_macro_enabled_office_documents():
    data = docx({"word/vbaProject.bin": b"\xd0\xcf\x11\xe0 macros"})
    assert rejected("source_statement", "说明.docm", data).code == "file_macros"


def test_archives_examiners_could_not_open_safely():
    encrypted = archive({"a.csv": b"x", "b.csv": b"y"}, encrypted="b.csv")
    e = rejected("sample_attachment", "s.zip", encrypted)
    assert e.code == "file_zip_encrypted" and e.params["entry"] == "b.csv"
    for entry in ("../../etc/cron.d/x", "/etc/passwd", "C:/Windows/x.dll", "a\\..\\..\\x"):
        e = rejected("sample_attachment", "s.zip", archive({entry: b"x"}))
        assert e.code == "file_zip_unsafe_name" and e.params["entry"] == entry
    e = rejected("sample_attachment", "s.zip", b"PK\x03\x04 not really")
    assert e.code == "file_archive_unreadable"


def test_archive_bomb(monkeypatch):
    monkeypatch.setattr(files, "MAX_UNCOMPRESSED", 1 << 20)
    data = archive({"big.csv": b"0" * ((1 << 20) + 1)})
    assert len(data) < 10_000
    e = rejected("sample_attachment", "s.zip", data)
    assert e.code == "file_zip_bomb" and e.params["size"] == (1 << 20) + 1


def test_empty_too_large_and_unknown_kind(settings):
    assert rejected("agreement", "a.pdf", b"").code == "file_empty"
    data = pdf()
    settings.DATAIP_MATERIAL_MAX_BYTES = len(data)
    assert check_upload(kind="agreement", name="a.pdf", data=data) == PDF
    settings.DATAIP_MATERIAL_MAX_BYTES = len(data) - 1
    e = rejected("agreement", "a.pdf", data)
    assert e.code == "file_oversize" and e.params["limit"] == len(data) - 1
    del settings.DATAIP_MATERIAL_MAX_BYTES
    assert files.check_upload(kind="agreement", name="a.pdf", data=data) == PDF
    big = b"%PDF-1.4\n" + b"0" * (50 << 20) + b"\n%%EOF\n"
    assert rejected("agreement", "a.pdf", big).params["limit"] == 50 << 20
    assert rejected("photo", "a.pdf", data).code == "file_kind_unknown"


def test_text_is_recognised_in_other_encodings_and_cut_anywhere():
    def found(data: bytes) -> str:
        return rejected("agreement", "a.pdf", data).message("en").split(" contains ")[1]

    assert found("<html><body>申请书</body></html>".encode("utf-16")).startswith("a web page")
    # The 4096-byte look cuts a three-byte character in two: still text.
    assert found(("数" * 1366).encode()[:4097] + b"<script>").startswith("plain text")
    assert found(b"\x01\x02\x03 not text").startswith("an unrecognised format")
