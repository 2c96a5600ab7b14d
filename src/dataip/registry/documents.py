"""The application form (申请书, FAQ 七(三)8, 七(四)4) and the templates applicants download.

The platform generates the form from the entered data; the applicant prints it, stamps it and
uploads the scan (material ``application_form``). The upload records the *form fingerprint*:
SHA-256 of the RFC 8785 canonical JSON (``dataip.core.jcs``) of everything the form shows that
the applicant entered: the registrant, every field of the application (not its status, dates or
numbers, which the workflow assigns), the evidence record's hash value and counts, and the
samples' SHA-256. Once any of these changes, the fingerprint changes and the stamped form no
longer matches (``completeness``): "申请书在信息修改后需重新下载、盖章并上传". Big integers are
written as decimal strings, so every value is exact in JSON (RFC 8785 section 3.2.2.3).

PDFs are drawn with reportlab and its built-in CID font STSong-Light (Adobe-GB1, not embedded:
every PDF reader with Chinese support has a substitute), so no font file ships with the
platform. They are generated with reportlab's ``invariant`` mode: the same data gives the same
bytes.
"""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Callable, Sequence
from typing import Any
from xml.sax.saxutils import escape

from django.http import HttpResponse
from django.utils import translation
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    Flowable,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from dataip.accounts.models import RegistrantKind
from dataip.core.jcs import canonicalize
from dataip.registry.models import (
    Application,
    Material,
    MaterialKind,
    Sample,
    SamplePurpose,
    SourceType,
)

__all__ = [
    "FORM_TYPE",
    "TEMPLATES",
    "application_form_pdf",
    "commitment_letter_template",
    "form_fingerprint",
    "structure_description_template",
]

#: The ``type`` member of the fingerprinted document; a new layout of it gets a new version.
FORM_TYPE = "dataip/application-form/v1"

FONT = "STSong-Light"
LATIN_FONT = "Helvetica"
_LATIN_RUN = re.compile(r"[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?")
_NOT_GIVEN = "（未填写）"
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_PAGE_MARGIN = 20 * mm
_FOOTER_Y = 10 * mm
_KEEP_WITH_LABEL = 300  # characters


# --- the fingerprint ------------------------------------------------------------------------


def form_fingerprint(application: Application, *, samples: Sequence[Sample] | None = None) -> str:
    """SHA-256 hex of what the application form shows of the entered data (RFC 8785 JSON).

    ``samples``: the application's samples, when the caller has them already.
    """
    if samples is None:
        samples = list(application.samples.all())
    return hashlib.sha256(canonicalize(_form_data(application, samples))).hexdigest()


def _form_data(application: Application, samples: Sequence[Sample]) -> dict[str, Any]:
    registrant = application.registrant
    evidence = application.evidence
    valid_until = application.agreement_valid_until
    return {
        "type": FORM_TYPE,
        "registrant": {
            "kind": registrant.kind,
            "name": registrant.name,
            "id_number": registrant.id_number,
        },
        "data_name": application.data_name,
        "summary": application.summary,
        "industry_division": application.industry_division_id or "",
        "source_type": application.source_type,
        "source_routes": application.source_routes,
        "source_description": application.source_description,
        "source_process": application.source_process,
        "collection_method": application.collection_method,
        "agreement_holder": application.agreement_holder,
        "agreement_scope": application.agreement_scope,
        "agreement_valid_until": valid_until.isoformat() if valid_until else None,
        "data_composition": application.data_composition,
        "is_public_data": application.is_public_data,
        "substantive_processing": application.substantive_processing,
        "innovative_labour": application.innovative_labour,
        "processing_rules": application.processing_rules,
        "processing_description": application.processing_description,
        "application_scenario": application.application_scenario,
        "record_count": None if application.record_count is None else str(application.record_count),
        "refiling_justification": application.refiling_justification,
        "evidence": None
        if evidence is None
        else {
            "alg": evidence.alg,
            "root": evidence.root,
            "check_code": evidence.check_code,
            "file_count": str(evidence.file_count),
            "total_bytes": str(evidence.total_bytes),
        },
        "samples": {s.purpose: s.sha256 for s in samples},
    }


# --- fonts, styles, page furniture ----------------------------------------------------------


def _font() -> str:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    return FONT


def _styles() -> dict[str, ParagraphStyle]:
    font = _font()
    # wordWrap CJK: Chinese has no spaces to break at; lines break between any two characters.
    body = ParagraphStyle("body", fontName=font, fontSize=10.5, leading=16, wordWrap="CJK")
    return {
        "title": ParagraphStyle(
            "title", parent=body, fontSize=20, leading=28, alignment=TA_CENTER, spaceAfter=4 * mm
        ),
        "subtitle": ParagraphStyle("subtitle", parent=body, alignment=TA_CENTER, spaceAfter=4 * mm),
        "section": ParagraphStyle(
            "section",
            parent=body,
            fontSize=13.5,
            leading=20,
            spaceBefore=5 * mm,
            spaceAfter=2 * mm,
            keepWithNext=1,
        ),
        "label": ParagraphStyle(
            "label",
            parent=body,
            textColor=colors.HexColor("#333333"),
            spaceBefore=2 * mm,
        ),
        "value": ParagraphStyle("value", parent=body, leftIndent=6 * mm),
        "body": body,
        "cell": ParagraphStyle("cell", parent=body, fontSize=10, leading=14),
        "small": ParagraphStyle("small", parent=body, fontSize=9, leading=13),
        "letter": ParagraphStyle(
            "letter", parent=body, fontSize=12, leading=22, firstLineIndent=24, spaceAfter=1.5 * mm
        ),
    }


def _markup(text: str) -> str:
    """Paragraph markup of plain text: escaped, controls dropped, line breaks kept.

    Latin runs (hash values, file names, numbers) are set in Helvetica: readers that substitute
    STSong-Light space its Latin glyphs unevenly, and every reader has Helvetica.
    """
    text = _CONTROL.sub("", text.replace("\r\n", "\n").replace("\t", " "))
    latin = _LATIN_RUN.sub(lambda m: f'<font name="{LATIN_FONT}">{m.group()}</font>', escape(text))
    return latin.replace("\n", "<br/>")


def _canvas_with_footer(footer: tuple[str, str] | None) -> Callable[..., Canvas]:
    """A canvas class that writes ``footer`` (label, Latin value) and "第 n 页 / 共 N 页"."""

    class FooterCanvas(Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []

        def showPage(self) -> None:
            # The page count is known only at the end: keep each page's state until then.
            self._pages.append(dict(self.__dict__))
            # reportlab's own reset of the page state (what showPage does after drawing).
            self._startPage()  # type: ignore[attr-defined]

        def save(self) -> None:
            total = len(self._pages)
            for number, state in enumerate(self._pages, start=1):
                self.__dict__.update(state)
                self.setFont(_font(), 7.5)
                self.setFillColor(colors.HexColor("#555555"))
                if footer:
                    label, value = footer
                    self.drawString(_PAGE_MARGIN, _FOOTER_Y, label)
                    self.setFont(LATIN_FONT, 7.5)
                    x = _PAGE_MARGIN + pdfmetrics.stringWidth(label, _font(), 7.5)
                    self.drawString(x, _FOOTER_Y, value)
                    self.setFont(_font(), 7.5)
                self.drawRightString(
                    A4[0] - _PAGE_MARGIN, _FOOTER_Y, f"第 {number} 页 / 共 {total} 页"
                )
                super().showPage()
            super().save()

    return FooterCanvas


def _build(
    story: list[Flowable], *, title: str, subject: str, footer: tuple[str, str] | None
) -> bytes:
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=_PAGE_MARGIN,
        rightMargin=_PAGE_MARGIN,
        topMargin=_PAGE_MARGIN,
        bottomMargin=_PAGE_MARGIN,
        title=title,
        subject=subject,
        creator="dataip",
        author="",
        invariant=True,
    )
    document.build(story, canvasmaker=_canvas_with_footer(footer))
    return buffer.getvalue()


def _grid(rows: list[list[str]], styles: dict[str, ParagraphStyle], widths: list[float]) -> Table:
    table = Table(
        [[Paragraph(_markup(cell), styles["cell"]) for cell in row] for row in rows],
        colWidths=widths,
    )
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#888888")),
                ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#f0f0f0")),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ]
        )
    )
    return table


def _date_line(styles: dict[str, ParagraphStyle]) -> Table:
    """日期：    年  月  日, the gaps as empty cells (paragraphs collapse spaces)."""
    cells = ["日期：", "", "年", "", "月", "", "日"]
    line = Table(
        [[Paragraph(cell, styles["body"]) for cell in cells]],
        colWidths=[14 * mm, 18 * mm, 7 * mm, 10 * mm, 7 * mm, 10 * mm, 7 * mm],
        hAlign="LEFT",
    )
    line.setStyle(TableStyle([("LEFTPADDING", (0, 0), (-1, -1), 0)]))
    return line


def _seal_box(styles: dict[str, ParagraphStyle], width: float) -> Table:
    box = Table(
        [
            [Paragraph("申请人（盖章）：", styles["body"])],
            [Spacer(1, 24 * mm)],
            [_date_line(styles)],
        ],
        colWidths=[width],
    )
    box.setStyle(
        TableStyle(
            [
                ("BOX", (0, 0), (-1, -1), 0.8, colors.black),
                ("LEFTPADDING", (0, 0), (-1, -1), 4 * mm),
                ("TOPPADDING", (0, 0), (-1, 0), 3 * mm),
                ("BOTTOMPADDING", (0, -1), (-1, -1), 4 * mm),
            ]
        )
    )
    return box


# --- the application form -------------------------------------------------------------------


def application_form_response(application: Application) -> HttpResponse:
    """The application form as a PDF download, for the wizard's page and for the API."""
    response = HttpResponse(application_form_pdf(application), content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="application-form-{application.uuid}.pdf"'
    )
    return response


def application_form_pdf(application: Application) -> bytes:
    """The application form (数据知识产权登记申请书) of the entered data, as a PDF."""
    samples = list(application.samples.all())
    materials = [m for m in application.materials.all() if m.kind != MaterialKind.APPLICATION_FORM]
    fingerprint = form_fingerprint(application, samples=samples)
    with translation.override("zh-hans"):
        story = _form_story(application, samples, materials, _styles())
    return _build(
        story,
        title="数据知识产权登记申请书",
        subject=application.data_name,
        footer=("申请书指纹（SHA-256）：", fingerprint),
    )


class _Story:
    """The flowables of a form, built section by section."""

    def __init__(self, styles: dict[str, ParagraphStyle]) -> None:
        self.styles = styles
        self.width = A4[0] - 2 * _PAGE_MARGIN
        self.flowables: list[Flowable] = []

    def add(self, *flowables: Flowable) -> None:
        self.flowables.extend(flowables)

    def text(self, text: str, style: str = "value") -> None:
        self.add(Paragraph(_markup(text), self.styles[style]))

    def section(self, title: str) -> None:
        self.text(title, "section")

    def field(self, label: str, value: str) -> None:
        """A label and its value below it: long values flow on over pages (a table cell won't)."""
        label_paragraph = Paragraph(_markup(label), self.styles["label"])
        first, *rest = (value.strip() or _NOT_GIVEN).split("\n\n")
        first_paragraph = Paragraph(_markup(first), self.styles["value"])
        if len(first) <= _KEEP_WITH_LABEL:
            self.add(KeepTogether([label_paragraph, first_paragraph]))
        else:
            # Kept together, a long value would leave the rest of the page empty.
            self.add(label_paragraph, first_paragraph)
        for block in rest:
            self.text(block)

    def grid(self, rows: list[list[str]], widths: list[float]) -> None:
        self.add(KeepTogether([_grid(rows, self.styles, widths)]))


def _form_story(
    application: Application,
    samples: Sequence[Sample],
    materials: Sequence[Material],
    styles: dict[str, ParagraphStyle],
) -> list[Flowable]:
    story = _Story(styles)
    story.text("数据知识产权登记申请书", "title")
    story.text(
        f"登记机构：{application.jurisdiction.registration_body}　　"
        f"申请号：{application.application_number or '（提交后生成）'}",
        "subtitle",
    )
    _registrant_part(story, application)
    _data_part(story, application)
    _source_part(story, application)
    _processing_part(story, application)
    _evidence_part(story, application, samples)
    story.section("八、申请材料")
    if materials:
        rows = [["材料类型", "文件名", "大小（字节）"]]
        rows += [
            [str(MaterialKind(m.kind).label), m.original_name, f"{m.size:,}"] for m in materials
        ]
        story.grid(rows, [40 * mm, story.width - 75 * mm, 35 * mm])
    else:
        story.text("（尚未上传）")
    if application.refiling_justification:
        story.section("九、重新申请的理由")
        story.field("理由", application.refiling_justification)
    story.add(
        Spacer(1, 6 * mm),
        KeepTogether(
            [
                Paragraph(
                    "申请人声明：以上填写的信息及所附材料真实、有效、完整、准确，"
                    "申请人对数据的安全合规负责。",
                    styles["body"],
                ),
                Spacer(1, 4 * mm),
                _seal_box(styles, story.width),
            ]
        ),
        Spacer(1, 3 * mm),
    )
    story.text(
        "本申请书由平台根据填写的信息生成，页脚为其指纹。信息修改后，"
        "须重新下载申请书、盖章并上传扫描件。",
        "small",
    )
    return story.flowables


def _registrant_part(story: _Story, application: Application) -> None:
    registrant = application.registrant
    natural = registrant.kind == RegistrantKind.NATURAL_PERSON
    story.section("一、申请人（登记主体）")
    story.grid(
        [
            ["名称", registrant.name],
            ["主体类型", str(RegistrantKind(registrant.kind).label)],
            ["公民身份号码" if natural else "统一社会信用代码", registrant.id_number],
        ],
        [40 * mm, story.width - 40 * mm],
    )


def _data_part(story: _Story, application: Application) -> None:
    story.section("二、数据基本信息")
    story.field("1. 数据名称", application.data_name)
    story.field("2. 数据简介", application.summary)
    division = application.industry_division
    industry = ""
    if division is not None:
        section = division.section
        industry = f"门类 {section.code} {section.name}；大类 {division.code} {division.name}"
    story.field("3. 数据所属行业分类（GB/T 4754—2017）", industry)


def _source_part(story: _Story, application: Application) -> None:
    story.section("三、数据来源")
    story.field("来源类型", _source_label(application.source_type))
    routes = _routes(application)
    if application.source_type == SourceType.OTHER:
        story.field("来源途径", "、".join(_source_label(r) for r in routes))
    story.field("数据来源说明（公示内容）", application.source_description)
    if SourceType.SELF_PRODUCED in routes:
        story.field("数据生产过程（业务、客户或设备）", application.source_process)
    if SourceType.PUBLIC_COLLECTION in routes:
        story.field("采集方式及来源", application.collection_method)
    if SourceType.AGREEMENT in routes:
        valid_until = application.agreement_valid_until
        story.field("数据原持有方", application.agreement_holder)
        story.field("约定的使用范围", application.agreement_scope)
        story.field("协议有效期至", valid_until.isoformat() if valid_until else "")
    story.field("数据构成", application.data_composition)
    answer = {True: "是", False: "否", None: ""}[application.is_public_data]
    story.field("是否为公开数据", answer)


def _processing_part(story: _Story, application: Application) -> None:
    story.section("四、数据处理规则")
    kinds = [
        ("■" if application.substantive_processing else "□") + " 实质性加工",
        ("■" if application.innovative_labour else "□") + " 创新性劳动",
    ]
    story.field("处理方式", "；".join(kinds))
    story.field("数据处理规则简要说明（公示内容）", application.processing_rules)
    story.field("数据处理规则详细说明", application.processing_description)
    story.section("五、应用场景")
    story.field("应用场景描述（公示内容）", application.application_scenario)


def _evidence_part(story: _Story, application: Application, samples: Sequence[Sample]) -> None:
    story.section("六、数据量与数据存证")
    count = application.record_count
    story.field("数据量（记录条数）", "" if count is None else f"{count:,} 条")
    story.add(Spacer(1, 2 * mm))
    evidence = application.evidence
    if evidence is None:
        rows = [["数据存证", "（尚未存证）"]]
    else:
        rows = [
            ["哈希算法", evidence.get_alg_display()],
            ["哈希值", evidence.root],
            ["哈希校验码", evidence.check_code],
            ["文件数", f"{evidence.file_count:,}"],
            ["总字节数", f"{evidence.total_bytes:,}"],
        ]
    story.grid(rows, [40 * mm, story.width - 40 * mm])
    story.section("七、样例数据")
    by_purpose = {s.purpose: s for s in samples}
    rows = [["用途", "记录条数", "文件名", "格式"]]
    for purpose in SamplePurpose:
        sample = by_purpose.get(purpose.value)
        if sample is None:
            rows.append([str(purpose.label), "（尚未上传）", "", ""])
        else:
            count_text = f"{sample.record_count:,}"
            rows.append(
                [str(purpose.label), count_text, sample.original_name, sample.format.upper()]
            )
    story.grid(rows, [30 * mm, 30 * mm, story.width - 80 * mm, 20 * mm])


def _source_label(value: str) -> str:
    return str(SourceType(value).label) if value in SourceType.values else ""


def _routes(application: Application) -> list[str]:
    """The routes whose proofs the form shows: the source type's own, or those named."""
    if application.source_type == SourceType.OTHER:
        named = application.source_routes if isinstance(application.source_routes, list) else []
        return [r for r in SourceType.values if r != SourceType.OTHER and r in named]
    return [application.source_type] if application.source_type else []


# --- the downloadable templates -------------------------------------------------------------

COMMITMENTS = (
    "一、该数据来源合法，系通过自行生产、公开采集、协议获取或其他合法方式取得，其收集、持有、"
    "加工、使用符合《中华人民共和国数据安全法》《中华人民共和国个人信息保护法》《中华人民共和国"
    "网络安全法》等法律法规的规定，不侵犯他人的合法权益。",
    "二、该数据安全合规：已进行脱敏处理，不含未经授权的个人信息，不涉及国家秘密，不危害国家安全"
    "和社会公共利益；申请人已采取必要措施保障该数据的安全。",
    "三、该数据的数据处理规则系申请人自行制定或依法取得，不存在窃取他人数据处理规则的情形。",
    "四、申请人提交的全部登记申请材料，包括填写的信息、数据来源说明、数据结构说明、样例数据及"
    "其他材料，真实、有效、完整、准确，不存在隐瞒有关情况或提供虚假信息的情形。",
    "五、申请人已妥善保存用于生成存证哈希值的全部数据，不作任何修改，以便发生纠纷时查验。",
    "六、如违反上述承诺，申请人愿意承担由此产生的全部法律责任，并接受登记机构驳回登记申请、"
    "撤销登记等处理。",
)


def commitment_letter_template() -> bytes:
    """The applicant's commitment letter (申请人承诺书, FAQ 七(四)3), with blanks, as a PDF."""
    styles = _styles()
    width = A4[0] - 2 * _PAGE_MARGIN
    blank = "＿" * 12
    story: list[Flowable] = [
        Paragraph("申请人承诺书", styles["title"]),
        Paragraph("致：数据知识产权登记机构", styles["body"]),
        Spacer(1, 4 * mm),
        Paragraph(
            f"本申请人{blank}（统一社会信用代码或公民身份号码：{blank}）"
            f"就申请登记的数据“{blank}”（以下简称“该数据”），郑重承诺如下：",
            styles["letter"],
        ),
        *[Paragraph(text, styles["letter"]) for text in COMMITMENTS],
        Paragraph("特此承诺。", styles["letter"]),
        Spacer(1, 6 * mm),
        KeepTogether(
            [
                Paragraph(f"法定代表人或负责人（签字）：{blank}", styles["body"]),
                Spacer(1, 4 * mm),
                _seal_box(styles, width),
            ]
        ),
    ]
    return _build(story, title="申请人承诺书", subject="数据知识产权登记", footer=None)


#: Columns of the structure description (FAQ 七(四)2), with what each holds and an example.
STRUCTURE_COLUMNS = (
    ("表名", "数据库表或数据文件的名称", "water_meter_reading"),
    ("字段名称", "字段（列）的名称", "meter_id"),
    ("字段类型", "如 VARCHAR(32)、INT、DECIMAL(12,2)、DATE、DATETIME", "VARCHAR(32)"),
    ("字段属性", "如 非空、唯一、外键（指向的表和字段）、默认值、取值范围", "非空"),
    ("是否主键", "是 / 否（联合主键的每个字段都填“是”）", "是"),
    ("说明", "字段的含义、单位、编码规则", "水表编号（示例行，填写时请删除）"),
)


def structure_description_template() -> bytes:
    """The structure description template (数据结构说明, FAQ 七(四)2) as an XLSX workbook."""
    from openpyxl import Workbook  # noqa: PLC0415 - heavy, and only this template needs it
    from openpyxl.styles import Alignment, Font, PatternFill  # noqa: PLC0415
    from openpyxl.worksheet.datavalidation import DataValidation  # noqa: PLC0415

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None  # noqa: S101 - a new workbook has its sheet
    sheet.title = "数据结构说明"
    sheet.append([name for name, _, _ in STRUCTURE_COLUMNS])
    sheet.append([example for _, _, example in STRUCTURE_COLUMNS])
    header_fill = PatternFill("solid", fgColor="DDEBF7")
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = header_fill
        cell.alignment = Alignment(horizontal="center")
    for letter, width in zip("ABCDEF", (24, 20, 18, 28, 10, 36), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"
    primary_key = DataValidation(type="list", formula1='"是,否"', allow_blank=True)
    sheet.add_data_validation(primary_key)
    primary_key.add("E2:E10000")

    notes = workbook.create_sheet("填写说明")
    notes.append(["列", "填写内容"])
    for cell in notes[1]:
        cell.font = Font(bold=True)
    for name, explanation, _ in STRUCTURE_COLUMNS:
        notes.append([name, explanation])
    notes.append([])
    notes.append(["提示", "每个字段一行，多张表依次填写；第 2 行为示例，填写时请删除。"])
    notes.append(["提示", "数据结构说明须盖章：填写完毕后打印、盖章，上传扫描件（PDF）。"])
    notes.column_dimensions["A"].width = 12
    notes.column_dimensions["B"].width = 70

    workbook.properties.creator = "dataip"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


#: The downloadable templates, by file name (``static/registry/templates/`` holds copies).
TEMPLATES: dict[str, Callable[[], bytes]] = {
    "commitment_letter.pdf": commitment_letter_template,
    "structure_description.xlsx": structure_description_template,
}
