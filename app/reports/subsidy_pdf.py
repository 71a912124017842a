"""A subsidy application as printed (SPEC §6): the cover 申请表, then the roster 花名册.

The cover is A4 portrait: the title, the period and number, the enterprise block as a ruled
form (单位名称, 统一社会信用代码, 开户银行, 银行账号 …), the number of persons, the amount in figures
and in 人民币大写, the declaration 承诺, the boxes 单位（盖章）, 负责人, 经办人, 日期 and a box for
the 人社部门审核意见. A subsidy each worker claims himself (CLAIMANT_WORKER) gets a short 说明
page instead: the list only helps the workers apply, so it has nothing to sign or stamp.

The roster is A4 landscape: every page repeats the title block and the header, a fixed number
of lines, and 本页小计; the last page adds 合计 and the number of persons. The pages are cut
here, not by the table, so each subtotal is the sum of exactly the lines printed on it. Rows
have fixed heights and hold plain strings, sized to fit their column (smaller type, or cut with
…), so a roster of thousands of lines builds in seconds. A draft (草稿) carries a banner and a
watermark on every page: it is not to be handed in.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal
from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.platypus import Flowable, NextPageTemplate, PageBreak, Paragraph, Spacer, Table, TableStyle

from app.reports.pdf_common import (
    A4_LANDSCAPE,
    A4_PORTRAIT,
    MARGIN,
    build,
    fit_text,
    make_document,
    money_text,
    page_chunks,
    page_template,
    register_cjk_font,
)
from app.services.enterprise import EnterpriseInfo
from app.services.rmb import rmb_capitals
from app.services.subsidy_docs import CLAIMANT_WORKER, ApplicationDoc, LineDoc, RosterColumns

PAGE_SUBTOTAL = "本页小计"
GRAND_TOTAL = "合计"
DRAFT_BANNER = "草稿 — 未生成，不能作为申报材料"
DECLARATION = "本单位承诺所填信息及所附材料真实、准确、完整，如有虚假，愿承担相应责任并退回补贴资金。"
ENTERPRISE_SIGNERS = ("单位（盖章）", "负责人（签字）", "经办人（签字）", "日期")
REVIEW = "人社部门审核意见"
DATE_BLANK = "年　　月　　日"

COVER_TOP = 20 * mm
COVER_BOTTOM = 15 * mm
COVER_SIZE = 10.5
# label | value | label | value: 180 mm, the portrait width inside the margins.
COVER_WIDTHS = tuple(w * mm for w in (34, 58, 30, 58))
COVER_ROW = 10 * mm
_COVER_PAD = 4

ROSTER_TOP = 30 * mm  # the title block drawn on every roster page
ROSTER_BOTTOM = 14 * mm  # the footer 第 X 页 共 Y 页 below
BODY_SIZE = 9
# 序号 姓名 性别 证件号码 | 工种 等级 证书编号 发证日期 | 合同期限 金额 — 267 mm, the landscape width
# inside the margins. 证件号码 holds an 18-digit ID at 9 pt (31.5 mm) without shrinking.
ROSTER_WIDTHS = tuple(w * mm for w in (11, 20, 9, 35, 38, 20, 50, 22, 40, 22))
_DATE_COL, _AMOUNT_COL = 7, 9
_FITTED = (1, 3, 4, 5, 6, 8)  # columns whose text may be too wide: 姓名, 证件号码, 工种 …, 合同期限
_LABEL_SPAN = 2  # 本页小计 / 合计 cover 序号 姓名 性别
HEADER_HEIGHT = 8 * mm
ROW_HEIGHT = 7 * mm  # 19.8 pt: two lines of TWO_LINE_SIZE at _LEADING fit in it
TWO_LINE_SIZE = 7.5
SMALLEST = 6
_LEADING = 1.1
_PAD = 2  # points of cell padding left and right
_ZERO = Decimal("0.00")

Progress = Callable[[int, int], None]


def roster_headers(columns: RosterColumns) -> tuple[str, ...]:
    return ("序号", "姓名", "性别", "证件号码", columns.occupation, columns.level, columns.reference_no,
            columns.reference_date, "合同期限", "金额")


def roster_title(doc: ApplicationDoc) -> str:
    """The enterprise's roster is the type's 花名册; a worker-claimed list keeps its own title."""
    return doc.title if doc.claimant == CLAIMANT_WORKER else f"{doc.subsidy_type}花名册"


def rows_per_page() -> int:
    """Lines per roster page: the frame holds the header, the lines and 本页小计."""
    frame_height = A4_LANDSCAPE[1] - ROSTER_TOP - ROSTER_BOTTOM
    return int((frame_height - HEADER_HEIGHT + 0.01) // ROW_HEIGHT) - 1


def _period(doc: ApplicationDoc) -> str:
    return f"{doc.period_from:%Y-%m-%d} 至 {doc.period_to:%Y-%m-%d}"


def _persons_text(doc: ApplicationDoc) -> str:
    persons, lines = doc.persons, len(doc.lines)
    return f"共 {persons} 人" if persons == lines else f"共 {persons} 人，{lines} 条"


def _draw_draft(canvas, width: float, height: float) -> None:
    font = register_cjk_font()
    canvas.saveState()
    canvas.setFillColor(colors.HexColor("#c00000"))
    canvas.setFont(font, 11)
    canvas.drawCentredString(width / 2, height - 8 * mm, DRAFT_BANNER)
    canvas.setFillColor(colors.HexColor("#f2d0d0"))
    canvas.translate(width / 2, height / 2)
    canvas.rotate(30)
    canvas.setFont(font, 120)
    canvas.drawCentredString(0, -40, "草稿")
    canvas.restoreState()


def _cover_decorator(doc: ApplicationDoc):
    def draw(canvas, _template_doc) -> None:
        if doc.is_draft:
            _draw_draft(canvas, *A4_PORTRAIT)

    return draw


def _roster_decorator(doc: ApplicationDoc, enterprise_name: str):
    title = roster_title(doc)
    unit = f"单位：{enterprise_name}"
    period = "期间" if doc.claimant == CLAIMANT_WORKER else "申请期间"
    right = f"{period}：{_period(doc)}　　金额单位：元"

    def draw(canvas, _template_doc) -> None:
        font = register_cjk_font()
        width, height = A4_LANDSCAPE
        if doc.is_draft:
            _draw_draft(canvas, width, height)
        canvas.saveState()
        # A clerk's own type may have a long name: the title shrinks to stay inside the margins.
        fitted, size = fit_text(title, width - 2 * MARGIN, 16, smallest=9)
        canvas.setFont(font, size)
        canvas.drawCentredString(width / 2, height - 16 * mm, fitted)
        baseline = height - ROSTER_TOP + 3 * mm
        text, size = fit_text(unit, width / 2 - MARGIN, 9.5)
        canvas.setFont(font, size)
        canvas.drawString(MARGIN, baseline, text)
        canvas.setFont(font, 9.5)
        canvas.drawRightString(width - MARGIN, baseline, right)
        canvas.restoreState()

    return draw


def _progress_per_page(chunks: Sequence[Sequence[LineDoc]], progress: Progress):
    """Report the lines drawn so far at the end of each roster page."""
    total = sum(len(chunk) for chunk in chunks)
    done = 0
    pages = iter(chunks)

    def report(_canvas, _template_doc) -> None:
        nonlocal done
        done += len(next(pages, ()))
        progress(done, total)

    return report


# ---------------------------------------------------------------- cover


def _styles() -> tuple[ParagraphStyle, ParagraphStyle]:
    font = register_cjk_font()
    title = ParagraphStyle("title", fontName=font, fontSize=18, leading=24, alignment=TA_CENTER)
    body = ParagraphStyle("body", fontName=font, fontSize=COVER_SIZE, leading=COVER_SIZE * 1.6, wordWrap="CJK")
    return title, body


def _form_table(rows: list[tuple[list, float]], spans: dict[int, tuple[int, int]], extra_style: list) -> Table:
    """A ruled form of label/value cells; `spans` maps a row to the value columns it joins.
    Plain strings (None for an empty field) are fitted to their (possibly spanned) cell;
    Paragraphs wrap."""
    font = register_cjk_font()
    style = [
        ("FONT", (0, 0), (-1, -1), font, COVER_SIZE),
        ("GRID", (0, 0), (-1, -1), 0.7, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), _COVER_PAD),
        ("RIGHTPADDING", (0, 0), (-1, -1), _COVER_PAD),
        ("ALIGN", (0, 0), (0, -1), "CENTER"),
    ]
    data = []
    for row_index, (cells, _height) in enumerate(rows):
        row = []
        span = spans.get(row_index)
        for column, cell in enumerate(cells):
            if isinstance(cell, Flowable):
                row.append(cell)
                continue
            width = COVER_WIDTHS[column]
            if span and column == span[0]:
                width = sum(COVER_WIDTHS[span[0]:span[1] + 1])
            text, size = fit_text(cell or "", width - 2 * _COVER_PAD, COVER_SIZE)
            row.append(text)
            if size != COVER_SIZE:
                style.append(("FONTSIZE", (column, row_index), (column, row_index), size))
        data.append(row)
        if span:
            style.append(("SPAN", (span[0], row_index), (span[1], row_index)))
        if len(cells) == 4:
            style.append(("ALIGN", (2, row_index), (2, row_index), "CENTER"))
    table = Table(data, colWidths=COVER_WIDTHS, rowHeights=[height for _cells, height in rows])
    table.setStyle(TableStyle(style + extra_style))
    return table


def _cover_heading(doc: ApplicationDoc, subtitle: str | None = None) -> list:
    title_style, _body = _styles()
    story = [Paragraph(doc.title, title_style)]
    if subtitle:
        story.append(Paragraph(subtitle, ParagraphStyle("sub", parent=title_style, fontSize=13, leading=18)))
    if doc.claimant == CLAIMANT_WORKER:  # not an application: no number to quote
        period, number = f"期间：{_period(doc)}", ""
    else:
        period, number = f"申请期间：{_period(doc)}", f"申请编号：{'' if doc.id is None else doc.id}"
    line = Table([[period, number]], colWidths=[sum(COVER_WIDTHS) / 2] * 2,
                 rowHeights=[9 * mm])
    line.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), register_cjk_font(), COVER_SIZE),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("RIGHTPADDING", (0, 0), (-1, -1), 0),
        ("ALIGN", (1, 0), (1, 0), "RIGHT"),
        ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
    ]))
    return [*story, Spacer(1, 3 * mm), line, Spacer(1, 2 * mm)]


def _enterprise_cover(doc: ApplicationDoc, enterprise: EnterpriseInfo, roster_pages: int,
                      prepared_by: str | None) -> list:
    _title, body = _styles()
    total = doc.total
    row = COVER_ROW
    rows: list[tuple[list, float]] = [
        (["单位名称", enterprise.name, "", ""], row),
        (["统一社会信用代码", enterprise.uscc, "负责人", enterprise.principal], row),
        (["单位地址", enterprise.address, "", ""], row),
        (["联系电话", enterprise.phone, "补贴类型", doc.subsidy_type], row),
        (["开户银行", enterprise.bank_name, "", ""], row),
        (["银行账号", enterprise.bank_account, "", ""], row),
        (["申请人数", f"{doc.persons} 人", "附花名册", f"{roster_pages} 页"], row),
        (["申请金额（小写）", f"¥{money_text(total)}", "", ""], row),
        (["申请金额（大写）", f"人民币{rmb_capitals(total)}", "", ""], row),
        (["单位承诺", Paragraph(DECLARATION, body), "", ""], 20 * mm),
        ([ENTERPRISE_SIGNERS[0], "", ENTERPRISE_SIGNERS[1], ""], 28 * mm),
        ([ENTERPRISE_SIGNERS[2], prepared_by or "", ENTERPRISE_SIGNERS[3], DATE_BLANK], 12 * mm),
        ([REVIEW, f"审核人：　　　　　　　　日期：　　{DATE_BLANK}", "", ""], 48 * mm),
    ]
    spans = {index: (1, 3) for index in (0, 2, 4, 5, 7, 8, 9, 12)}
    last = len(rows) - 1
    extra = [
        ("ALIGN", (3, last - 1), (3, last - 1), "RIGHT"),
        ("VALIGN", (1, last), (1, last), "BOTTOM"),
        ("ALIGN", (1, last), (1, last), "RIGHT"),
        ("BOTTOMPADDING", (1, last), (1, last), 8),
        ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#f2f2f2")),
        ("BACKGROUND", (2, 1), (2, 1), colors.HexColor("#f2f2f2")),
        ("BACKGROUND", (2, 3), (2, 3), colors.HexColor("#f2f2f2")),
        ("BACKGROUND", (2, 6), (2, 6), colors.HexColor("#f2f2f2")),
        ("BACKGROUND", (2, last - 2), (2, last - 1), colors.HexColor("#f2f2f2")),
    ]
    return [*_cover_heading(doc), _form_table(rows, spans, extra)]


def _worker_cover(doc: ApplicationDoc, enterprise: EnterpriseInfo, roster_pages: int) -> list:
    _title, body = _styles()
    total = doc.total
    note = (
        f"本名单列出本单位在 {_period(doc)} 期间符合{doc.subsidy_type}条件的职工及其证书等信息，"
        f"供职工本人向人力资源社会保障部门申请时参考。{doc.subsidy_type}由职工个人申请，本名单不是单位的申请材料。"
    )
    rows: list[tuple[list, float]] = [
        (["单位名称", enterprise.name, "", ""], COVER_ROW),
        (["补贴类型", doc.subsidy_type, "", ""], COVER_ROW),
        (["人数", f"{doc.persons} 人", "附名单", f"{roster_pages} 页"], COVER_ROW),
        (["金额合计（小写）", f"¥{money_text(total)}", "", ""], COVER_ROW),
        (["金额合计（大写）", f"人民币{rmb_capitals(total)}", "", ""], COVER_ROW),
    ]
    spans = {index: (1, 3) for index in (0, 1, 3, 4)}
    extra = [
        ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#f2f2f2")),
        ("BACKGROUND", (2, 2), (2, 2), colors.HexColor("#f2f2f2")),
    ]
    return [*_cover_heading(doc, "说明"), Paragraph(note, body), Spacer(1, 6 * mm),
            _form_table(rows, spans, extra)]


# ---------------------------------------------------------------- roster


def fit_cell(text: str, width: float) -> tuple[str, float]:
    """`text` and a font size at which it fits a roster cell `width` points wide: one line at
    BODY_SIZE or smaller down to TWO_LINE_SIZE, else two lines (joined by a newline, which a
    Table cell draws as two lines) at TWO_LINE_SIZE or smaller down to SMALLEST, the second
    line cut with … when even that is too little. A competition's full name or a long
    transliterated name stays readable that way, where one line would need unreadable type."""
    one, size = fit_text(text, width, BODY_SIZE, smallest=TWO_LINE_SIZE)
    if one == text:
        return text, size
    font = register_cjk_font()
    advances = [pdfmetrics.stringWidth(char, font, 1) for char in text]
    size = TWO_LINE_SIZE
    while True:
        taken, cut = 0.0, 0
        while cut < len(text) and (taken + advances[cut]) * size <= width:
            taken += advances[cut]
            cut += 1
        if sum(advances[cut:]) * size <= width or size <= SMALLEST:
            break
        size -= 0.25
    second, _size = fit_text(text[cut:], width, size, smallest=size)
    return f"{text[:cut]}\n{second}", size


class _Fitter:
    """fit_cell for the roster's columns, remembered per (column, text): names, occupations
    and levels repeat over thousands of lines."""

    def __init__(self) -> None:
        self._known: dict[tuple[int, str], tuple[str, float]] = {}

    def __call__(self, column: int, text: str) -> tuple[str, float]:
        key = (column, text)
        fitted = self._known.get(key)
        if fitted is None:
            fitted = self._known[key] = fit_cell(text, ROSTER_WIDTHS[column] - 2 * _PAD)
        return fitted


def _base_style() -> list:
    font = register_cjk_font()
    return [
        ("FONT", (0, 0), (-1, -1), font, BODY_SIZE),
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), _PAD),
        ("RIGHTPADDING", (0, 0), (-1, -1), _PAD),
        # ReportLab centres a string on its font size, not its ink: CJK glyphs, and the two
        # lines of a fitted cell above all, would sit low and touch the bottom rule.
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
        ("ALIGN", (0, 0), (-1, 0), "CENTER"),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8e8e8")),
        ("ALIGN", (0, 1), (0, -1), "CENTER"),
        ("ALIGN", (2, 1), (2, -1), "CENTER"),
        ("ALIGN", (_DATE_COL, 1), (_DATE_COL, -1), "CENTER"),
        ("ALIGN", (_AMOUNT_COL, 1), (_AMOUNT_COL, -1), "RIGHT"),
    ]


def _roster_page(chunk: Sequence[LineDoc], header: list[str], header_style: list, fit: _Fitter,
                 grand: tuple[str, Decimal] | None) -> Table:
    font = register_cjk_font()
    style = _base_style() + header_style
    data: list[list[str]] = [header]
    subtotal = _ZERO
    for row_index, line in enumerate(chunk, start=1):
        cells = [
            str(line.seq), line.name, line.gender or "", line.id_number, line.occupation, line.level,
            line.reference_no, f"{line.reference_date:%Y-%m-%d}" if line.reference_date else "",
            line.contract, money_text(line.amount),
        ]
        for column in _FITTED:
            text, size = fit(column, cells[column] or "")
            cells[column] = text
            if size != BODY_SIZE:
                style.append(("FONT", (column, row_index), (column, row_index), font, size, size * _LEADING))
        subtotal += line.amount
        data.append(cells)
    totals = [(PAGE_SUBTOTAL, "", subtotal)] + ([(GRAND_TOTAL, *grand)] if grand else [])
    for label, persons, amount in totals:
        row_index = len(data)
        data.append([label, "", "", persons, "", "", "", "", "", money_text(amount)])
        style += [
            ("SPAN", (0, row_index), (_LABEL_SPAN, row_index)),
            ("SPAN", (_LABEL_SPAN + 1, row_index), (_AMOUNT_COL - 1, row_index)),
            ("BACKGROUND", (0, row_index), (-1, row_index), colors.HexColor("#f4f4f4")),
        ]
    heights = [HEADER_HEIGHT] + [ROW_HEIGHT] * (len(data) - 1)
    table = Table(data, colWidths=ROSTER_WIDTHS, rowHeights=heights)
    table.setStyle(TableStyle(style))
    return table


def _roster(doc: ApplicationDoc, chunks: Sequence[Sequence[LineDoc]]) -> list:
    header: list[str] = []
    header_style: list = []
    for column, label in enumerate(roster_headers(doc.columns)):
        text, size = fit_text(label, ROSTER_WIDTHS[column] - 2 * _PAD, BODY_SIZE)
        header.append(text)
        if size != BODY_SIZE:
            header_style.append(("FONTSIZE", (column, 0), (column, 0), size))
    fit = _Fitter()
    grand = (_persons_text(doc), doc.total)
    story: list = []
    for index, chunk in enumerate(chunks):
        if index:
            story.append(PageBreak())
        story.append(_roster_page(chunk, header, header_style, fit, grand if index == len(chunks) - 1 else None))
    return story


def write_application_pdf(
    doc: ApplicationDoc,
    enterprise: EnterpriseInfo,
    out_path: str | Path,
    *,
    prepared_by: str | None = None,
    progress: Progress | None = None,
) -> Path:
    """Write `doc` (the cover, then the roster) to `out_path` as a PDF. `progress(done, total)`
    hears of the roster lines drawn page by page; an exception it raises (Cancelled) stops the
    build before the file is written."""
    if not doc.lines:
        raise ValueError("an application without lines has nothing to print")
    register_cjk_font()
    total_lines = len(doc.lines)
    if progress is not None:
        progress(0, total_lines)
    chunks = page_chunks(doc.lines, rows_per_page(), 1)  # the last page adds 合计
    pdf = make_document(out_path, pagesize=A4_PORTRAIT, top=COVER_TOP, bottom=COVER_BOTTOM, title=doc.title,
                        on_page=_cover_decorator(doc))
    pdf.addPageTemplates([page_template(
        "roster", pagesize=A4_LANDSCAPE, top=ROSTER_TOP, bottom=ROSTER_BOTTOM,
        on_page=_roster_decorator(doc, enterprise.name or ""), 
        on_page_end=_progress_per_page(chunks, progress) if progress else None,
    )])
    if doc.claimant == CLAIMANT_WORKER:
        cover = _worker_cover(doc, enterprise, len(chunks))
    else:
        cover = _enterprise_cover(doc, enterprise, len(chunks), prepared_by)
    return build(pdf, [*cover, NextPageTemplate("roster"), PageBreak(), *_roster(doc, chunks)])


__all__ = [
    "DECLARATION",
    "DRAFT_BANNER",
    "GRAND_TOTAL",
    "PAGE_SUBTOTAL",
    "REVIEW",
    "fit_cell",
    "roster_headers",
    "roster_title",
    "rows_per_page",
    "write_application_pdf",
]
