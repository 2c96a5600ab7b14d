"""Sample files: CSV (UTF-8, GB18030, UTF-16), XLSX and JSON made here, and every rejection."""

from __future__ import annotations

import datetime
import io
import json
import re
import zipfile

import openpyxl
import pytest
from openpyxl.styles import Font

from dataip.core.errors import DataipError
from dataip.registry.samples import MAX_UNCOMPRESSED, ParsedSample, SampleError, parse_sample

HEADER = ["车牌号", "入场时间", "金额", "备注"]


def records(n: int) -> list[list[str]]:
    return [[f"粤A{i:05d}", f"2024-01-01 08:{i % 60:02d}", f"{i}.50", f"第{i}条"] for i in range(n)]


def csv_text(rows: list[list[str]], delimiter: str = ",", newline: str = "\n") -> str:
    # Written by hand (not with the csv module) so the test does not share the parser's view.
    return "".join(delimiter.join(row) + newline for row in rows)


def rejected(name: str, data: bytes) -> SampleError:
    with pytest.raises(SampleError) as caught:
        parse_sample(name=name, data=data)
    assert isinstance(caught.value, DataipError) and caught.value.status == 400
    return caught.value


def xlsx(rows: list[list[object]]) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def rezip(data: bytes, replace: dict[str, bytes]) -> bytes:
    """The workbook with some parts replaced."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            dst.writestr(info.filename, replace.get(info.filename, src.read(info)))
    return out.getvalue()


# --- CSV ------------------------------------------------------------------------------------


def test_gb18030_csv_as_chinese_excel_exports_it():
    data = csv_text([HEADER, *records(30)], newline="\r\n").encode("gb18030")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")  # the test file really is not UTF-8
    assert parse_sample(name="停车.csv", data=data) == ParsedSample(
        format="csv", columns=HEADER, record_count=30, rows=records(20)
    )


@pytest.mark.parametrize(
    ("encoding", "delimiter"),
    [("utf-8", ","), ("utf-8-sig", ";"), ("utf-8-sig", "\t"), ("utf-16", "\t"), ("gb18030", ";")],
)
def test_encodings_and_delimiters(encoding, delimiter):
    data = csv_text([HEADER, *records(5)], delimiter=delimiter).encode(encoding)
    parsed = parse_sample(name="sample.txt", data=data)
    assert parsed.columns == HEADER  # no byte-order mark left in the first column name
    assert parsed.rows == records(5) and parsed.record_count == 5


def test_delimiter_inside_values_does_not_fool_the_sniffer():
    text = "名称;金额;说明\n张三;1,5;含,逗号\n李四;2,0;另一,个\n"
    parsed = parse_sample(name="s.csv", data=text.encode())
    assert parsed.columns == ["名称", "金额", "说明"]
    assert parsed.rows == [["张三", "1,5", "含,逗号"], ["李四", "2,0", "另一,个"]]


def test_quoted_fields_formulas_blank_lines_and_trailing_empty_rows():
    text = (
        'a,b,c\n"x, ""quoted""","line one\nline two",3\n'
        "\n"  # a blank line is no record
        '=HYPERLINK("http://evil"),@SUM(1),+1\n'
        ",,\n"  # an empty record in the middle counts
        "4,5,6\n"
        ",,\n,,\n\n"  # trailing empty records do not
    )
    parsed = parse_sample(name="s.csv", data=text.encode())
    assert parsed.rows == [
        ['x, "quoted"', "line one\nline two", "3"],
        ['=HYPERLINK("http://evil")', "@SUM(1)", "+1"],
        ["", "", ""],
        ["4", "5", "6"],
    ]
    assert parsed.record_count == 4


def test_single_column():
    parsed = parse_sample(name="s.csv", data="城市\n广州\n深圳\n".encode())
    assert parsed.columns == ["城市"] and parsed.rows == [["广州"], ["深圳"]]


def test_ragged_rows_name_the_line_column_and_field():
    text = csv_text([HEADER, *records(10)]) + "粤B00001,2024-01-02\n"
    e = rejected("s.csv", text.encode("gb18030"))
    assert e.code == "sample_ragged_short"
    assert e.message("zh") == "第 12 行第 3 列（字段“金额”）缺失：本行只有 2 个字段，表头有 4 个"
    assert e.message("en") == (
        "row 12, column 3 (field 金额) is missing: the row has 2 field(s), the header has 4"
    )
    long = csv_text([HEADER, records(1)[0] + ["多余"]])
    e = rejected("s.csv", long.encode())
    assert e.code == "sample_ragged_long" and e.message("zh").startswith("第 2 行第 5 列超出表头")


def test_row_numbers_are_lines_of_the_file():
    # A quoted value over three lines: the next record starts on line 5.
    text = 'a,b\n"1\n2\n3",x\ny\n'
    e = rejected("s.csv", text.encode())
    assert e.message("en").startswith("row 5, column 2 (field b) is missing")


@pytest.mark.parametrize(
    ("header", "code", "where"),
    [
        ("a,,c", "sample_header_empty", "第 1 行第 2 列："),
        ("a,b,  ", "sample_header_empty", "第 1 行第 3 列："),
        ("金额,b, 金额 ", "sample_header_duplicate", "第 1 行第 3 列（字段“金额”）："),
    ],
)
def test_header_problems(header, code, where):
    e = rejected("s.csv", f"{header}\n1,2,3\n".encode())
    assert e.code == code and e.message("zh").startswith(where)
    if code == "sample_header_duplicate":
        assert e.message("zh").endswith("字段名“金额”与第 1 列重复")


def test_undecodable_text_names_the_place():
    # \x81\x20 is neither UTF-8 nor GB18030 (a GB18030 lead byte needs a trail byte >= 0x30).
    data = "编号,名称\n1,".encode("gb18030") + b"\x81\x20\n"
    e = rejected("s.csv", data)
    assert e.code == "sample_encoding"
    assert e.message("zh").startswith("第 2 行第 3 个字节无法解码")
    assert e.message("en").startswith("row 2, byte 3 cannot be decoded")


def test_nul_bytes_mean_not_text():
    e = rejected("s.csv", b"a,b\n1,2\n\x00\x01\x02")
    assert e.code == "sample_binary" and e.message("en").startswith("row 3 contains a NUL")


def test_malformed_quotes():
    e = rejected("s.csv", b'a,b\n"x"y,2\n')
    assert e.code == "sample_csv_syntax" and e.message("en").startswith("row 2: malformed CSV")


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "sample_empty"),
        (b"\n\n", "sample_no_header"),
        ("编号,名称\n".encode(), "sample_no_records"),
        ("编号,名称\n,\n\n".encode(), "sample_no_records"),
    ],
)
def test_nothing_to_show(data, code):
    assert rejected("s.csv", data).code == code


def test_size_limit_from_settings(settings):
    data = csv_text([HEADER, *records(2)]).encode()
    settings.DATAIP_SAMPLE_MAX_BYTES = len(data)
    assert parse_sample(name="s.csv", data=data).record_count == 2
    settings.DATAIP_SAMPLE_MAX_BYTES = len(data) - 1
    e = rejected("s.csv", data)
    assert e.code == "sample_too_large" and e.params == {"size": len(data), "limit": len(data) - 1}


def test_default_size_limit_is_20_mib(settings):
    del settings.DATAIP_SAMPLE_MAX_BYTES
    data = b"a\n" + b"1\n" * ((20 << 20) // 2)  # 20 MiB + 2 bytes
    assert rejected("s.csv", data).code == "sample_too_large"


# --- XLSX -----------------------------------------------------------------------------------


def test_xlsx_values_become_strings():
    naive = datetime.datetime(2024, 1, 2, 8, 30)  # noqa: DTZ001 - cells hold no time zone
    rows: list[list[object]] = [
        ["编号", "金额", "日期", "时间戳", "有效", "公式", "备注"],
        [1, 12.5, datetime.date(2024, 1, 2), naive, True, "=A2*2"],
        [2, 0.1, None, None, False, None, "空格保留 "],
    ]
    parsed = parse_sample(name="sample.bin", data=xlsx(rows))
    assert parsed == ParsedSample(
        format="xlsx",
        columns=["编号", "金额", "日期", "时间戳", "有效", "公式", "备注"],
        record_count=2,
        rows=[
            ["1", "12.5", "2024-01-02", "2024-01-02 08:30:00", "TRUE", "=A2*2", ""],
            ["2", "0.1", "", "", "FALSE", "", "空格保留 "],
        ],
    )


def test_xlsx_counts_every_row_and_ignores_trailing_empty_ones():
    data_rows = [[f"粤A{i:05d}", i] for i in range(1, 131)]
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["车牌号", "金额"])
    for row in data_rows:
        sheet.append(row)
    sheet.cell(row=140, column=1).font = Font(bold=True)  # formatted but empty
    sheet.cell(row=141, column=2).value = ""
    out = io.BytesIO()
    workbook.save(out)
    parsed = parse_sample(name="s.xlsx", data=out.getvalue())
    assert parsed.record_count == 130
    assert parsed.rows == [[r[0], str(r[1])] for r in data_rows[:20]]


def test_xlsx_with_a_wrong_stored_dimension_still_reads_everything():
    data = xlsx([["a", "b"], ["1", "2"], ["3", "4"], ["5", "6"]])
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        sheet = z.read("xl/worksheets/sheet1.xml")
    assert b'<dimension ref="A1:B4" />' in sheet
    data = rezip(data, {"xl/worksheets/sheet1.xml": sheet.replace(b"A1:B4", b"A1:A2")})
    assert parse_sample(name="s.xlsx", data=data).rows == [["1", "2"], ["3", "4"], ["5", "6"]]


def test_xlsx_short_rows_are_padded_but_cells_beyond_the_header_are_ragged():
    assert parse_sample(name="s.xlsx", data=xlsx([["a", "b", "c"], [1]])).rows == [["1", "", ""]]
    e = rejected("s.xlsx", xlsx([["a", "b"], [1, 2], [3, 4, None, 5]]))
    assert e.code == "sample_ragged_long" and e.message("zh").startswith("第 3 行第 3 列超出表头")


def test_xlsx_header_checks():
    e = rejected("s.xlsx", xlsx([["a", None, "c"], [1, 2, 3]]))
    assert e.code == "sample_header_empty" and e.message("zh").startswith("第 1 行第 2 列")
    assert rejected("s.xlsx", xlsx([["a", "a"], [1, 2]])).code == "sample_header_duplicate"
    assert rejected("s.xlsx", xlsx([["a"]])).code == "sample_no_records"
    assert rejected("s.xlsx", xlsx([])).code == "sample_no_header"


def test_format_is_read_from_the_content_not_the_name():
    assert parse_sample(name="s.csv", data=xlsx([["a"], [1]])).format == "xlsx"
    assert parse_sample(name="s.xlsx", data=b"a,b\n1,2\n").format == "csv"
    assert parse_sample(name="s.csv", data=b'[{"a": 1}]').format == "json"


def test_a_zip_bomb_is_refused_before_anything_is_inflated():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
        with z.open("xl/worksheets/sheet1.xml", "w") as sheet:
            chunk = b" " * (1 << 20)
            for _ in range((MAX_UNCOMPRESSED >> 20) + 1):
                sheet.write(chunk)
    data = out.getvalue()
    assert len(data) < 1 << 20  # 200 MiB of spaces packs into a few hundred KiB
    e = rejected("bomb.xlsx", data)
    assert e.code == "sample_xlsx_bomb"
    assert e.params["limit"] == 200 << 20
    assert isinstance(e.params["size"], int) and e.params["size"] > 200 << 20


def test_an_xml_entity_attack_is_refused():
    data = xlsx([["a"], ["x"]])
    part = "xl/worksheets/sheet1.xml"
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        sheet = z.read(part).decode()
    assert "<t>x</t>" in sheet
    laughs = (
        '<?xml version="1.0"?>\n<!DOCTYPE worksheet [<!ENTITY lol "lol">'
        '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>\n'
    )
    attacked = laughs + re.sub(r"^<\?xml[^>]*\?>", "", sheet).replace("<t>x<", "<t>&lol2;<")
    e = rejected("s.xlsx", rezip(data, {part: attacked.encode()}))
    assert e.code == "sample_xml_entity" and e.params["part"] == part
    # The same with the DTD after a comment, in UTF-16.
    sneaky = "<!-- generated -->" + attacked.split("\n", 1)[1]
    e = rejected("s.xlsx", rezip(data, {part: sneaky.encode("utf-16")}))
    assert e.code == "sample_xml_entity" and e.params["part"] == part


def test_other_archives_and_old_workbooks():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("data.csv", "a,b\n1,2\n")
    e = rejected("s.zip", out.getvalue())
    assert e.code == "sample_format" and "不是 XLSX 工作簿" in e.message("zh")
    assert rejected("s.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512).code == "sample_xls"
    assert rejected("s.xlsx", b"PK\x03\x04 broken").code == "sample_xlsx_unreadable"
    broken = rezip(xlsx([["a"], [1]]), {"xl/worksheets/sheet1.xml": b"<worksheet><sheetData>"})
    assert rejected("s.xlsx", broken).code == "sample_xlsx_unreadable"


# --- JSON -----------------------------------------------------------------------------------


def test_json_records_union_of_keys_in_first_seen_order():
    text = (
        '[{"编号": 1, "金额": 12.50, "有效": true},'
        ' {"金额": 1e3, "备注": "第二条", "编号": 2},'
        ' {"编号": 3, "有效": null}]'
    )
    assert parse_sample(name="s.json", data=text.encode()) == ParsedSample(
        format="json",
        columns=["编号", "金额", "有效", "备注"],
        record_count=3,
        rows=[["1", "12.50", "true", ""], ["2", "1e3", "", "第二条"], ["3", "", "", ""]],
    )


def test_json_columns_and_rows():
    body = {"columns": ["a", "b"], "rows": [[str(i), i] for i in range(25)]}
    parsed = parse_sample(name="s.json", data=json.dumps(body).encode("utf-8-sig"))
    assert parsed.columns == ["a", "b"] and parsed.record_count == 25
    assert parsed.rows == [[str(i), str(i)] for i in range(20)]


@pytest.mark.parametrize(
    ("document", "code", "zh_start"),
    [
        ('[{"a": 1}, {"a": 2, "b": {"x": 1}}]', "sample_nested", "第 2 条记录第 2 列（字段“b”）"),
        ('[{"a": [1, 2]}]', "sample_nested", "第 1 条记录第 1 列（字段“a”）"),
        ('{"columns": ["a", "b"], "rows": [[1, 2], [3]]}', "sample_ragged_short", "第 2 行第 2 列"),
        ('{"columns": ["a"], "rows": [[[1]]]}', "sample_nested", "第 1 行第 1 列（字段“a”）"),
        ('{"columns": ["a", "a"], "rows": [[1, 2]]}', "sample_header_duplicate", "columns 第 2 项"),
        ('{"columns": ["a", null], "rows": []}', "sample_json_shape", "columns 第 2 项"),
        ('{"columns": [], "rows": []}', "sample_no_header", "样例文件没有表头"),
        ('{"columns": ["a"], "rows": []}', "sample_no_records", "样例文件只有表头"),
        ('{"columns": ["a"], "rows": [{"a": 1}]}', "sample_json_shape", "第 1 行"),
        ('[{"a": 1}, 2]', "sample_json_shape", "第 2 条记录"),
        ('[{"a": 1, "a": 2}]', "sample_json_duplicate_key", "第 1 条记录"),
        ('[{"": 1}]', "sample_header_empty", "第 1 条记录第 1 列"),
        ("[]", "sample_no_records", "样例文件只有表头"),
        ('{"data": []}', "sample_json_shape", "顶层"),
        ('[{"a": 1,}]', "sample_json_syntax", "JSON 语法错误，位于第 1 行第 10 个字符"),
    ],
)
def test_json_rejections(document, code, zh_start):
    e = rejected("s.json", document.encode())
    assert e.code == code
    assert e.message("zh").startswith(zh_start), e.message("zh")


def test_bracketed_csv_header_is_not_mistaken_for_json():
    parsed = parse_sample(name="export.csv", data=b"[id],[name]\n1,x\n")
    assert parsed.format == "csv" and parsed.columns == ["[id]", "[name]"]


def test_a_bad_byte_after_a_utf8_byte_order_mark():
    e = rejected("s.csv", "\ufeff编号\n".encode() + b"\xff\n")
    assert e.code == "sample_encoding" and e.message("en").startswith("row 2, byte 1")


def test_xlsx_times_images_and_an_empty_first_row():
    naive_time = datetime.time(8, 30)
    assert parse_sample(name="s.xlsx", data=xlsx([["时刻"], [naive_time]])).rows == [["08:30:00"]]
    # Parts that are not XML (pictures) are not mistaken for XML.
    data = rezip(xlsx([["a"], [1]]), {})
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            dst.writestr(info, src.read(info))
        dst.writestr("xl/media/image1.png", b"\x89PNG\r\n\x1a\n<!DOCTYPE not really>")
    assert parse_sample(name="s.xlsx", data=out.getvalue()).rows == [["1"]]
    assert rejected("s.xlsx", xlsx([[], ["a"], [1]])).code == "sample_no_header"


@pytest.mark.parametrize(
    "prologue",
    [
        # UTF-16 without a byte-order mark.
        '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE x [<!ENTITY a "b">]>'.encode("utf-16-le"),
        '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE x [<!ENTITY a "b">]>'.encode("utf-16-be"),
        # A prologue too long to look past.
        b"<?xml version='1.0'?><!--" + b"-" * (70 << 10),
    ],
)
def test_dtds_hidden_from_a_quick_look(prologue):
    part = "xl/worksheets/sheet1.xml"
    e = rejected("s.xlsx", rezip(xlsx([["a"], [1]]), {part: prologue + b"<worksheet/>"}))
    assert e.code == "sample_xml_entity" and e.params["part"] == part


def test_json_records_keep_the_first_twenty():
    body = [{"序号": i, "值": f"v{i}"} for i in range(25)]
    parsed = parse_sample(name="s.json", data=json.dumps(body, ensure_ascii=False).encode())
    assert parsed.record_count == 25 and parsed.rows == [[str(i), f"v{i}"] for i in range(20)]
