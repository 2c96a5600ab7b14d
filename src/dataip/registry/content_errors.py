"""Messages of the content checks (samples, material files, completeness), Chinese and English.

Codes: ``sample_*`` (sample files, ``registry.samples``), ``file_*`` (material files,
``registry.files``), ``missing_*`` and ``form_*`` (what stops submission,
``registry.completeness``). Positions in a file are given by a ``where`` parameter, a
:class:`~dataip.core.errors.Text` such as “第 12 行第 3 列（字段“金额”）” / "row 12, column 3
(field 金额)".
"""

from __future__ import annotations

from dataip.core.errors import Text, register_messages
from dataip.registry.errors import RegistryError

MESSAGES: dict[str, tuple[str, str]] = {
    # --- sample files ------------------------------------------------------------------------
    "sample_empty": ("样例文件为空", "the sample file is empty"),
    "sample_too_large": (
        "样例文件过大：{size} 字节，上限为 {limit} 字节",
        "the sample file is too large: {size} bytes, the limit is {limit} bytes",
    ),
    "sample_format": (
        "无法识别样例文件“{name}”的格式：{detail}；样例数据应为 CSV、XLSX 或 JSON 文件",
        "cannot tell the format of the sample file {name}: {detail}; samples must be CSV, "
        "XLSX or JSON files",
    ),
    "sample_encoding": (
        "{where}无法解码：文本应为 UTF-8 或 GB18030（GBK）编码，请另存为“CSV UTF-8”后重新上传",
        "{where} cannot be decoded: the text must be UTF-8 or GB18030 (GBK); save it as "
        "'CSV UTF-8' and upload it again",
    ),
    "sample_binary": (
        "{where}含有 NUL 字符：这不是文本文件",
        "{where} contains a NUL character: this is not a text file",
    ),
    "sample_csv_syntax": (
        "{where}：CSV 格式错误（{reason}），请检查引号是否成对",
        "{where}: malformed CSV ({reason}); check that quotes are paired",
    ),
    "sample_json_syntax": (
        "JSON 语法错误，位于第 {line} 行第 {column} 个字符：{reason}",
        "malformed JSON at line {line}, character {column}: {reason}",
    ),
    "sample_json_shape": (
        "{where}：{problem}；JSON 样例应为对象数组 [{{…}}, …]，或 "
        '{{"columns": […], "rows": [[…], …]}}',
        "{where}: {problem}; a JSON sample must be an array of objects [{{...}}, ...] or "
        '{{"columns": [...], "rows": [[...], ...]}}',
    ),
    "sample_json_duplicate_key": (
        "{where}：字段“{field}”在同一条记录中出现了两次",
        "{where}: the field {field} occurs twice in the same record",
    ),
    "sample_nested": (
        "{where}：值是嵌套的{kind}；每个值应为文本、数字、布尔值或 null",
        "{where}: the value is {kind}, but values cannot be nested: each must be text, a "
        "number, a boolean or null",
    ),
    "sample_header_empty": (
        "{where}：表头为空，每一列都需要字段名",
        "{where}: the header cell is empty; every column needs a field name",
    ),
    "sample_header_duplicate": (
        "{where}：字段名“{field}”与第 {first} 列重复",
        "{where}: the field name {field} repeats column {first}",
    ),
    "sample_no_header": (
        "样例文件没有表头：第一行应为字段名",
        "the sample file has no header: its first row must hold the field names",
    ),
    "sample_no_records": (
        "样例文件只有表头，没有数据记录",
        "the sample file has a header but no records",
    ),
    "sample_ragged_short": (
        "{where}缺失：本行只有 {count} 个字段，表头有 {expected} 个",
        "{where} is missing: the row has {count} field(s), the header has {expected}",
    ),
    "sample_ragged_long": (
        "{where}超出表头：本行有 {count} 个字段，表头只有 {expected} 个",
        "{where} is beyond the header: the row has {count} field(s), the header only {expected}",
    ),
    "sample_xls": (
        "样例文件是旧版 Excel（.xls）或加密的工作簿，无法读取；请另存为 .xlsx 或 CSV（不设密码）",
        "the sample file is an old Excel workbook (.xls) or an encrypted one, which cannot be "
        "read; save it as .xlsx or CSV (without a password)",
    ),
    "sample_xlsx_unreadable": (
        "XLSX 工作簿无法读取：{reason}",
        "the XLSX workbook cannot be read: {reason}",
    ),
    "sample_xlsx_bomb": (
        "XLSX 工作簿解压后为 {size} 字节，超过上限 {limit} 字节（疑似压缩炸弹）",
        "the XLSX workbook unpacks to {size} bytes, over the limit of {limit} bytes "
        "(a likely zip bomb)",
    ),
    "sample_xml_entity": (
        "XLSX 工作簿的 {part} 含有 DTD 或实体声明，出于安全原因不予读取；"
        "请用 Excel 或 WPS 重新保存",
        "the XLSX workbook's part {part} declares a DTD or entities, which is refused for "
        "safety; save it again with Excel or WPS",
    ),
    # --- material files ----------------------------------------------------------------------
    "file_kind_unknown": ("未知的材料类型“{kind}”", "unknown material kind '{kind}'"),
    "file_empty": ("文件“{name}”为空", "the file {name} is empty"),
    "file_oversize": (
        "文件“{name}”过大：{size} 字节，上限为 {limit} 字节",
        "the file {name} is too large: {size} bytes, the limit is {limit} bytes",
    ),
    "file_type": (
        "文件“{name}”的内容为：{found}；{kind}只接受：{expected}",
        "the file {name} contains {found}; {kind} accepts only {expected}",
    ),
    "file_pdf_truncated": (
        "PDF 文件“{name}”不完整（末尾没有 %%EOF 标记），可能上传中断，请重新上传",
        "the PDF file {name} is incomplete (no %%EOF marker at its end), perhaps an interrupted "
        "upload; upload it again",
    ),
    "file_archive_unreadable": (
        "文件“{name}”不是有效的{format}：{reason}",
        "the file {name} is not a valid {format}: {reason}",
    ),
    "file_macros": (
        "文件“{name}”含有宏（VBA 代码），不予接受；请另存为不含宏的 .docx 或 .xlsx",
        "the file {name} contains macros (VBA code), which are not accepted; save it as a "
        ".docx or .xlsx without macros",
    ),
    "file_zip_encrypted": (
        "压缩包“{name}”中的“{entry}”已加密，审查员无法打开；请上传不设密码的压缩包",
        "the entry {entry} of the archive {name} is encrypted and examiners cannot open it; "
        "upload an archive without a password",
    ),
    "file_zip_unsafe_name": (
        "压缩包“{name}”中的条目名“{entry}”不安全（绝对路径或含 ..）",
        "the archive {name} has an unsafe entry name {entry} (absolute, or containing ..)",
    ),
    "file_zip_bomb": (
        "压缩包“{name}”解压后为 {size} 字节，超过上限 {limit} 字节（疑似压缩炸弹）",
        "the archive {name} unpacks to {size} bytes, over the limit of {limit} bytes "
        "(a likely zip bomb)",
    ),
    # --- what stops submission (FAQ 七(三), 七(四)) --------------------------------------------
    "missing_data_name": ("请填写数据名称", "the data name is missing"),
    "missing_summary": ("请填写数据简介", "the summary is missing"),
    "missing_summary_short": (
        "数据简介过于简单（{length} 个字），请准确具体地概述数据的组成和应用，至少 {minimum} 个字",
        "the summary is too brief ({length} characters): describe the data's composition and "
        "use accurately and concretely, in at least {minimum} characters",
    ),
    "missing_industry_division": (
        "请选择数据所属行业分类（GB/T 4754-2017 门类及大类）",
        "the industry (GB/T 4754-2017 section and division) is missing",
    ),
    "missing_source_type": ("请选择数据来源类型", "the source type is missing"),
    "missing_source_description": (
        "请填写数据来源（简要说明，公示时公开）",
        "the data source (brief, published during publicity) is missing",
    ),
    "missing_source_routes": (
        "来源为“其他合法来源”时，请列出所有来源途径（至少两种：自行生产、公开采集、协议获取）",
        "for other lawful sources, name every route used (at least two of: self-produced, "
        "public collection, agreement)",
    ),
    "missing_source_routes_invalid": (
        "来源途径“{route}”无效，应为自行生产、公开采集或协议获取",
        "the source route '{route}' is not valid: it must be self_produced, public_collection "
        "or agreement",
    ),
    "missing_source_process": (
        "自行生产的数据：请说明产生数据的业务、客户或设备过程",
        "self-produced data: describe the business, customer or device process that produced it",
    ),
    "missing_collection_method": (
        "公开采集的数据：请说明采集方式及来源",
        "publicly collected data: describe how and from where it was collected",
    ),
    "missing_data_composition": ("请说明数据构成", "the data composition is missing"),
    "missing_source_proof": (
        "请上传数据来源证明材料（{routes}）",
        "upload the proof of the data source ({routes})",
    ),
    "missing_agreement_holder": (
        "协议获取的数据：请填写数据原持有方",
        "data obtained by agreement: the original holder is missing",
    ),
    "missing_agreement_scope": (
        "协议获取的数据：请填写约定的使用范围",
        "data obtained by agreement: the scope of use is missing",
    ),
    "missing_agreement_valid_until": (
        "协议获取的数据：请填写协议有效期",
        "data obtained by agreement: the agreement's validity period is missing",
    ),
    "missing_agreement_expired": (
        "数据获取协议已于 {date} 到期，请提供有效期内的协议",
        "the agreement expired on {date}: provide an agreement that is still valid",
    ),
    "missing_agreement_material": (
        "协议获取的数据：请上传数据获取协议",
        "data obtained by agreement: upload the agreement",
    ),
    "missing_is_public_data": (
        "请说明数据是否为公开数据",
        "state whether the data itself is public",
    ),
    "missing_processing_kind": (
        "请至少选择一种数据处理方式：实质性加工或创新性劳动",
        "choose at least one kind of processing: substantive processing or innovative labour",
    ),
    "missing_processing_rules": (
        "请填写数据处理规则简要说明（将在公示中公开）",
        "the brief processing rules (published during publicity) are missing",
    ),
    "missing_processing_description": (
        "请详细说明数据处理规则（方法、算法、工具）",
        "the full processing rules (methods, algorithms, tools) are missing",
    ),
    "missing_application_scenario": (
        "请描述应用场景：数据如何解决具体问题",
        "describe the application scenario: how the data solves a concrete problem",
    ),
    "missing_record_count": (
        "请填写数据量（记录条数，须大于 0）",
        "the record count (number of records, above 0) is missing",
    ),
    "missing_evidence": (
        "请选择数据存证记录（上传数据或填写离线工具生成的哈希值和哈希校验码）",
        "choose the evidence record of the data (upload it, or enter the hash value and check "
        "code of the offline tool)",
    ),
    "missing_evidence_owner": (
        "所选存证记录不属于本登记主体，请选择本登记主体用户的存证记录",
        "the evidence record does not belong to this registrant: choose one recorded by a user "
        "of this registrant",
    ),
    "missing_review_sample": (
        "请上传供审核的样例数据（不少于 {minimum} 条）",
        "upload the review sample (at least {minimum} records)",
    ),
    "missing_review_sample_short": (
        "供审核的样例数据只有 {count} 条，应不少于 {minimum} 条",
        "the review sample has {count} record(s); at least {minimum} are required",
    ),
    "missing_display_sample": (
        "请上传供展示的样例数据（不少于 {minimum} 条），字段较多时可上传样例数据附件",
        "upload the display sample (at least {minimum} records), or a sample attachment when "
        "there are many fields",
    ),
    "missing_display_sample_short": (
        "供展示的样例数据只有 {count} 条，应不少于 {minimum} 条",
        "the display sample has {count} record(s); at least {minimum} are required",
    ),
    "missing_source_statement": (
        "请上传数据来源说明（盖章）",
        "upload the source statement (stamped)",
    ),
    "missing_structure_description": (
        "请上传数据结构说明（盖章，含表名、字段名称、字段类型、字段属性、主键）",
        "upload the structure description (stamped: tables, field names, types, attributes, "
        "primary keys)",
    ),
    "missing_commitment_letter": (
        "请上传申请人承诺书（盖章）",
        "upload the applicant's commitment letter (stamped)",
    ),
    "missing_application_form": (
        "请下载申请书，盖章后上传扫描件",
        "download the application form, stamp it and upload the scan",
    ),
    "form_outdated": (
        "申请书在信息修改后需重新下载、盖章并上传",
        "the application form must be downloaded, stamped and uploaded again after the "
        "entered data changed",
    ),
}

register_messages(MESSAGES)


def render(code: str, **params: object) -> tuple[str, str]:
    """The (Chinese, English) text of ``code`` with ``params``; Text parameters in each language."""
    zh, en = MESSAGES[code]
    return (
        zh.format(**{k: v.zh if isinstance(v, Text) else v for k, v in params.items()}),
        en.format(**{k: v.en if isinstance(v, Text) else v for k, v in params.items()}),
    )


class SampleError(RegistryError):
    """A sample file cannot be used; the message names the row and column where possible."""


class FileRejected(RegistryError):
    """A material file is empty, too large, or of a type its kind does not accept."""
