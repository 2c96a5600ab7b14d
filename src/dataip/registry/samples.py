"""Sample records (样例数据, FAQ 七(三)7): a CSV, XLSX or JSON file parsed into columns and rows.

The format is decided by the content, not the name: a ZIP holding ``xl/workbook.xml`` is an
XLSX workbook (ECMA-376), text starting with ``[`` or ``{`` is JSON (RFC 8259), other text is
CSV (RFC 4180, with the delimiter sniffed among comma, semicolon and tab). Text is UTF-8 (with or
without a byte-order mark), UTF-16 with a byte-order mark (Excel's "Unicode text") or GB18030
(Chinese Excel's default CSV export).

Every value is kept as a string, exactly as in the file: a cell such as ``=HYPERLINK(...)`` is
text here, never evaluated (formula cells of a workbook are kept as their formula text), and it
is the pages' job to escape what they show. Errors name the row and column, counted as the
applicant sees them: CSV rows are the file's lines, XLSX rows the sheet's rows, JSON records and
rows from 1.

Workbooks are untrusted ZIP and XML: the declared uncompressed sizes (which bound what
``zipfile`` will inflate: it stops at the declared size and fails the CRC check) must stay below
:data:`MAX_UNCOMPRESSED`, and no XML part may declare a DTD (the "billion laughs" and external
entity attacks need one). openpyxl parses with defusedxml as a second line of defence.
"""

from __future__ import annotations

import codecs
import csv
import datetime
import io
import json
import warnings
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from dataip.core.errors import Text
from dataip.registry.content_errors import SampleError

__all__ = ["MAX_UNCOMPRESSED", "PREVIEW_ROWS", "ParsedSample", "SampleError", "parse_sample"]

#: Records kept in ``ParsedSample.rows`` (the display sample is what the public sees).
PREVIEW_ROWS = 20
#: Upper bound of a workbook's uncompressed size; real 20 MiB workbooks unpack to far less.
MAX_UNCOMPRESSED = 200 << 20
_DEFAULT_MAX_BYTES = 20 << 20

_ZIP_MAGIC = b"PK\x03\x04"
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, and every password-protected workbook
_DELIMITERS = (",", ";", "\t")
_SNIFF_CHARS = 64 << 10
_SNIFF_RECORDS = 20
# A DTD can only come before the root element; a prologue longer than this is refused unread.
_XML_PROLOGUE_BYTES = 64 << 10
_TEXT_EXTENSIONS = (".csv", ".tsv", ".txt")


@dataclass(frozen=True)
class ParsedSample:
    """What a sample file holds: its format, column names, record count and first records."""

    format: str  # "csv" | "xlsx" | "json"
    columns: list[str]
    record_count: int
    rows: list[list[str]]  # the first PREVIEW_ROWS records, one string per column


def parse_sample(*, name: str, data: bytes) -> ParsedSample:
    """Parse a sample file; raise SampleError naming the row and column of the first problem."""
    limit = int(getattr(settings, "DATAIP_SAMPLE_MAX_BYTES", _DEFAULT_MAX_BYTES))
    if not data:
        raise SampleError("sample_empty")
    if len(data) > limit:
        raise SampleError("sample_too_large", size=len(data), limit=limit)
    if data.startswith(_ZIP_MAGIC):
        return _parse_xlsx(name, data)
    if data.startswith(_OLE2_MAGIC):
        raise SampleError("sample_xls")
    text = _decode(data)
    if text.lstrip()[:1] in ("[", "{"):
        try:
            return _parse_json(text)
        except SampleError as e:
            # "[id],[name]" is a CSV header some database tools write: fall back for text names.
            if e.code != "sample_json_syntax" or not name.lower().endswith(_TEXT_EXTENSIONS):
                raise
    return _parse_csv(text)


# --- positions in messages ------------------------------------------------------------------


def _at(
    row: int, column: int | None = None, field: str | None = None, *, unit: str = "row"
) -> Text:
    """'第 12 行第 3 列（字段“金额”）' / 'row 12, column 3 (field 金额)'."""
    zh = f"第 {row} 条记录" if unit == "record" else f"第 {row} 行"
    en = f"{unit} {row}"
    if column is not None:
        zh += f"第 {column} 列"
        en += f", column {column}"
    if field is not None:
        zh += f"（字段“{field}”）"
        en += f" (field {field})"
    return Text(zh, en)


# --- text -----------------------------------------------------------------------------------


def _decode(data: bytes) -> str:
    if data.startswith(codecs.BOM_UTF8):
        text = _decode_as(data, "utf-8", skip=len(codecs.BOM_UTF8))
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = _decode_as(data, "utf-16", skip=0)
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as as_utf8:
            try:
                text = data.decode("gb18030")
            except UnicodeDecodeError as as_gb18030:
                # The encoding that got further is the one the file was meant to be in.
                offset = max(as_utf8.start, as_gb18030.start)
                raise SampleError("sample_encoding", where=_byte_position(data, offset)) from None
    nul = text.find("\x00")
    if nul >= 0:
        raise SampleError("sample_binary", where=_at(text.count("\n", 0, nul) + 1))
    return text


def _decode_as(data: bytes, encoding: str, *, skip: int) -> str:
    try:
        return data[skip:].decode(encoding)
    except UnicodeDecodeError as e:
        raise SampleError("sample_encoding", where=_byte_position(data, skip + e.start)) from None


def _byte_position(data: bytes, offset: int) -> Text:
    row = data.count(b"\n", 0, offset) + 1
    column = offset - (data.rfind(b"\n", 0, offset) + 1) + 1
    return Text(f"第 {row} 行第 {column} 个字节", f"row {row}, byte {column}")


# --- shared by the formats ------------------------------------------------------------------


def _header(cells: Sequence[str], where: Callable[[int, str | None], Text]) -> list[str]:
    """Column names: stripped, none empty, none repeated."""
    columns: list[str] = []
    first: dict[str, int] = {}
    for column, cell in enumerate(cells, start=1):
        field = cell.strip()
        if not field:
            raise SampleError("sample_header_empty", where=where(column, None))
        if field in first:
            raise SampleError(
                "sample_header_duplicate",
                where=where(column, field),
                field=field,
                first=first[field],
            )
        first[field] = column
        columns.append(field)
    return columns


def _header_position(row: int) -> Callable[[int, str | None], Text]:
    return lambda column, field: _at(row, column, field)


def _check_width(row: int, record: Sequence[object], columns: Sequence[str]) -> None:
    if len(record) < len(columns):
        column = len(record) + 1
        raise SampleError(
            "sample_ragged_short",
            where=_at(row, column, columns[column - 1]),
            count=len(record),
            expected=len(columns),
        )
    if len(record) > len(columns):
        raise SampleError(
            "sample_ragged_long",
            where=_at(row, len(columns) + 1),
            count=len(record),
            expected=len(columns),
        )


class _Table:
    """Collects data rows: counts them, keeps the first ones, and drops trailing empty rows."""

    def __init__(self, columns: list[str]) -> None:
        self.columns = columns
        self.count = 0
        self.rows: list[list[str]] = []
        self._empty: list[tuple[int, list[str]]] = []

    def add(self, row: int, record: list[str]) -> None:
        if not any(record):
            # Empty rows count only when a record follows them (spreadsheets leave empty rows
            # with formatting at the end).
            self._empty.append((row, record))
            return
        for empty_row, empty in self._empty:
            self._keep(empty_row, empty)
        self._empty.clear()
        self._keep(row, record)

    def _keep(self, row: int, record: list[str]) -> None:
        _check_width(row, record, self.columns)
        self.count += 1
        if len(self.rows) < PREVIEW_ROWS:
            self.rows.append(record)

    def result(self, format: str) -> ParsedSample:
        if self.count == 0:
            raise SampleError("sample_no_records")
        return ParsedSample(
            format=format, columns=self.columns, record_count=self.count, rows=self.rows
        )


# --- CSV ------------------------------------------------------------------------------------


def _sniff(text: str) -> str:
    """The delimiter that splits the first records into equal numbers of fields, most first."""
    head = text[:_SNIFF_CHARS]
    best, best_score = ",", (False, 1)
    for delimiter in _DELIMITERS:
        widths: list[int] = []
        try:
            for record in csv.reader(io.StringIO(head, newline=""), delimiter=delimiter):
                if record:
                    widths.append(len(record))
                if len(widths) == _SNIFF_RECORDS:
                    break
        except csv.Error:
            pass  # a quote cut off by the end of the head: judge by the records before it
        if not widths:
            continue
        # The last record may be cut by the end of the head; it does not count against.
        judged = widths[:-1] if len(text) > len(head) and len(widths) > 1 else widths
        score = (len(set(judged)) == 1 and widths[0] > 1, widths[0])
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _parse_csv(text: str) -> ParsedSample:
    delimiter = _sniff(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    table: _Table | None = None
    line = 0
    try:
        for record in reader:
            row, line = line + 1, reader.line_num
            if not record:
                continue  # a blank line holds no record
            if table is None:
                table = _Table(_header(record, _header_position(row)))
            else:
                table.add(row, record)
    except csv.Error as e:
        raise SampleError("sample_csv_syntax", where=_at(reader.line_num), reason=str(e)) from None
    if table is None:
        raise SampleError("sample_no_header")
    return table.result("csv")


# --- XLSX -----------------------------------------------------------------------------------


def _parse_xlsx(name: str, data: bytes) -> ParsedSample:
    _check_workbook_archive(name, data)
    table: _Table | None = None
    for row, values in enumerate(_workbook_rows(data), start=1):
        cells = [_cell_text(v) for v in values]
        while cells and not cells[-1]:
            cells.pop()
        if table is None:
            if not cells:
                raise SampleError("sample_no_header")
            table = _Table(_header(cells, _header_position(row)))
            continue
        # Cells left empty are not stored in a sheet: a short row is padded, not ragged.
        cells += [""] * (len(table.columns) - len(cells))
        table.add(row, cells)
    if table is None:
        raise SampleError("sample_no_header")
    return table.result("xlsx")


def _check_workbook_archive(name: str, data: bytes) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError) as e:
        raise SampleError("sample_xlsx_unreadable", reason=str(e)) from None
    with archive:
        if "xl/workbook.xml" not in archive.namelist():
            raise SampleError(
                "sample_format",
                name=name,
                detail=Text(
                    "这是 ZIP 压缩包，但不是 XLSX 工作簿",
                    "it is a ZIP archive, not an XLSX workbook",
                ),
            )
        size = sum(info.file_size for info in infos)
        if size > MAX_UNCOMPRESSED:
            raise SampleError("sample_xlsx_bomb", size=size, limit=MAX_UNCOMPRESSED)
        for info in infos:
            try:
                with archive.open(info) as part:
                    head = part.read(_XML_PROLOGUE_BYTES)
            except (
                zipfile.BadZipFile,
                RuntimeError,
                NotImplementedError,
                ValueError,
                OSError,
            ) as e:
                raise SampleError(
                    "sample_xlsx_unreadable", reason=f"{info.filename}: {e}"
                ) from None
            if _declares_dtd(head):
                raise SampleError("sample_xml_entity", part=info.filename)


def _declares_dtd(head: bytes) -> bool:
    """Whether an XML document starting with ``head`` declares a DTD before its root element.

    True also when the prologue does not end within ``head``: nothing legitimate is that long.
    Parts that are not XML (images) are False.
    """
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = head.decode("utf-16", errors="replace")
    elif head.startswith(b"<\x00"):
        text = head.decode("utf-16-le", errors="replace")
    elif head.startswith(b"\x00<"):
        text = head.decode("utf-16-be", errors="replace")
    else:
        text = head.decode("utf-8", errors="replace").removeprefix("\ufeff")
    at = 0
    while at < len(text):
        if text[at].isspace():
            at += 1
        elif text.startswith("<?", at):
            at = _after(text, "?>", at)
        elif text.startswith("<!--", at):
            at = _after(text, "-->", at)
        else:
            # <!DOCTYPE (with the entity declarations it carries); else the root element, or
            # not XML at all.
            return text.startswith("<!", at)
    return bool(text.strip())


def _after(text: str, end: str, at: int) -> int:
    found = text.find(end, at)
    return len(text) if found < 0 else found + len(end)


def _workbook_rows(data: bytes) -> Iterator[Sequence[Any]]:
    """The rows of the first worksheet; openpyxl's errors on malformed parts become SampleError."""
    import openpyxl  # noqa: PLC0415 - heavy, and only workbooks need it
    from defusedxml import DefusedXmlException  # noqa: PLC0415

    def unreadable(e: Exception) -> SampleError:
        if isinstance(e, DefusedXmlException):
            return SampleError("sample_xml_entity", part=Text("工作簿", "workbook"))
        return SampleError("sample_xlsx_unreadable", reason=f"{type(e).__name__}: {e}")

    # openpyxl warns about styles and extensions it ignores: irrelevant to the values.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
        except Exception as e:  # openpyxl raises anything on a malformed workbook
            raise unreadable(e) from None
        try:
            if not workbook.worksheets:
                raise SampleError("sample_no_header")
            sheet = workbook.worksheets[0]
            # The stored dimension may be wrong; trusting it would cut rows and columns off.
            sheet.reset_dimensions()
            rows = sheet.iter_rows(values_only=True)
            while True:
                try:
                    values = next(rows)
                except StopIteration:
                    return
                except Exception as e:  # as above
                    raise unreadable(e) from None
                yield values
        finally:
            workbook.close()


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"  # as Excel shows them
    if isinstance(value, datetime.datetime):
        if value.time() == datetime.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    return str(value)


# --- JSON -----------------------------------------------------------------------------------


class _RepeatedKey(dict[str, Any]):
    """An object in which a key occurred twice (``json`` would silently keep the last)."""

    repeated = ""


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            repeated = _RepeatedKey(result)
            repeated.repeated = key
            return repeated
        result[key] = value
    return result


def _parse_json(text: str) -> ParsedSample:
    try:
        # Numbers stay as written ("12.50" is not 12.5), and nothing becomes a float.
        document = json.loads(
            text, object_pairs_hook=_object, parse_float=str, parse_int=str, parse_constant=str
        )
    except json.JSONDecodeError as e:
        raise SampleError(
            "sample_json_syntax", line=e.lineno, column=e.colno, reason=e.msg
        ) from None
    if isinstance(document, list):
        return _json_records(document)
    if (
        isinstance(document, dict)
        and not isinstance(document, _RepeatedKey)
        and isinstance(document.get("columns"), list)
        and isinstance(document.get("rows"), list)
    ):
        return _json_table(document["columns"], document["rows"])
    raise SampleError(
        "sample_json_shape",
        where=Text("顶层", "the top level"),
        problem=Text(
            f"不是这两种结构之一，而是{_kind(document).zh}", f"it is {_kind(document).en}"
        ),
    )


def _json_records(records: list[Any]) -> ParsedSample:
    columns: list[str] = []
    index: dict[str, int] = {}
    kept: list[dict[str, str]] = []
    for number, record in enumerate(records, start=1):
        if not isinstance(record, dict):
            raise SampleError(
                "sample_json_shape",
                where=_at(number, unit="record"),
                problem=Text(f"不是对象，而是{_kind(record).zh}", f"it is {_kind(record).en}"),
            )
        if isinstance(record, _RepeatedKey):
            raise SampleError(
                "sample_json_duplicate_key",
                where=_at(number, index.get(record.repeated), unit="record"),
                field=record.repeated,
            )
        values: dict[str, str] = {}
        for key, value in record.items():
            if key not in index:
                if not key.strip():
                    raise SampleError(
                        "sample_header_empty", where=_at(number, len(columns) + 1, unit="record")
                    )
                columns.append(key)
                index[key] = len(columns)
            values[key] = _json_text(value, _at(number, index[key], key, unit="record"))
        if len(kept) < PREVIEW_ROWS:
            kept.append(values)
    if not records:
        raise SampleError("sample_no_records")
    rows = [[values.get(column, "") for column in columns] for values in kept]
    return ParsedSample(format="json", columns=columns, record_count=len(records), rows=rows)


def _json_table(names: list[Any], records: list[Any]) -> ParsedSample:
    for position, name in enumerate(names, start=1):
        if not isinstance(name, str):
            raise SampleError(
                "sample_json_shape",
                where=Text(f"columns 第 {position} 项", f"columns item {position}"),
                problem=Text(
                    f"字段名应为字符串，而不是{_kind(name).zh}",
                    f"a field name must be a string, not {_kind(name).en}",
                ),
            )
    if not names:
        raise SampleError("sample_no_header")
    columns = _header(
        names,
        lambda c, f: Text(
            f"columns 第 {c} 项" + (f"（字段“{f}”）" if f else ""),
            f"columns item {c}" + (f" (field {f})" if f else ""),
        ),
    )
    rows: list[list[str]] = []
    for number, record in enumerate(records, start=1):
        if not isinstance(record, list):
            raise SampleError(
                "sample_json_shape",
                where=_at(number),
                problem=Text(f"不是数组，而是{_kind(record).zh}", f"it is {_kind(record).en}"),
            )
        _check_width(number, record, columns)
        cells = [
            _json_text(value, _at(number, column, columns[column - 1]))
            for column, value in enumerate(record, start=1)
        ]
        if len(rows) < PREVIEW_ROWS:
            rows.append(cells)
    if not records:
        raise SampleError("sample_no_records")
    return ParsedSample(format="json", columns=columns, record_count=len(records), rows=rows)


def _json_text(value: object, where: Text) -> str:
    if isinstance(value, dict | list):
        raise SampleError("sample_nested", where=where, kind=_kind(value))
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)  # strings, and numbers kept as their text by the parser


def _kind(value: object) -> Text:
    if isinstance(value, dict):
        return Text("对象", "an object")
    if isinstance(value, list):
        return Text("数组", "an array")
    if value is None:
        return Text("null", "null")
    if isinstance(value, bool):
        return Text("布尔值", "a boolean")
    return Text("文本或数字", "text or a number")
