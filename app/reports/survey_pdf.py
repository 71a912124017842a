"""The bureau survey 企业技能人才现状及需求情况调查表 (SPEC §7; seed 003, 附件1) as a PDF to print,
stamp and hand in: A4 landscape, one page for any ordinary survey.

The table is survey_xlsx.form_grid, the same boxes the Excel sheet merges, drawn as one
ReportLab Table with a SPAN per merged box and a grid; then the note on 特级技师 / 首席技师,
the signature line and the 填表说明. The clerk's warnings are not part of the form and are not
printed.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.platypus import (
    Flowable,
    KeepTogether,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from app.reports.pdf_common import (
    A4_LANDSCAPE,
    build,
    fit_text,
    make_document,
    money_text,
    register_cjk_font,
)
from app.reports.survey_xlsx import (
    ATTACHMENT,
    BLOCK,
    BODY,
    BODY_FIRST_ROW,
    COLUMNS,
    COUNT,
    FILLED_BY,
    FILLED_ON,
    FILLED_PHONE,
    GROUPS,
    HEADING,
    HEADING_BREAKS,
    INSTRUCTIONS,
    INSTRUCTIONS_HEADING,
    MONEY,
    SECTION,
    TEXT,
    TITLE,
    UNIT_LINE,
    Box,
    date_text,
    form_grid,
    row_kind,
)
from app.services.survey import Survey

# 职业技能等级 人数 | four ages | three educations | 月工资待遇 | 需求工种 需求人数 | three measures:
# 267 mm, the width inside the margins.
COL_WIDTHS = tuple(w * mm for w in (23, 11, 16, 16, 16, 16, 17, 16, 19, 20, 29, 16, 16, 16, 20))
TOP_MARGIN = 12 * mm
BOTTOM_MARGIN = 14 * mm  # the footer 第 X 页 共 Y 页 below
SIZE = 10
HEADING_SIZE = 9.5
WRAP_SIZE = 9  # typed text too long for one line wraps at this size
SMALLEST_ON_ONE_LINE = 8.5  # below this a long typed text wraps instead of shrinking
_PAD = 3  # points of cell padding left and right
_ROW_HEIGHTS = {BLOCK: 9 * mm, SECTION: 7 * mm, GROUPS: 7.5 * mm, COLUMNS: 10 * mm, BODY: 8 * mm}


def _styles(wrap_size: float = WRAP_SIZE) -> dict[str, ParagraphStyle]:
    font = register_cjk_font()

    hang = pdfmetrics.stringWidth("1、", font, 9)  # the notes' numbers hang in the margin

    def style(name, size, align, **more):
        return ParagraphStyle(name, fontName=font, fontSize=size, leading=size * 1.3, alignment=align,
                              wordWrap="CJK", **more)

    return {
        "attachment": style("attachment", 11, TA_LEFT),
        "title": style("title", 18, TA_CENTER, spaceBefore=1 * mm, spaceAfter=3 * mm),
        "unit": style("unit", SIZE, TA_RIGHT, spaceAfter=1.5 * mm),
        "cell": style("cell", wrap_size, TA_LEFT),
        "note": style("note", SIZE, TA_LEFT, spaceBefore=1.5 * mm),
        "instructions_heading": style("instructions_heading", SIZE, TA_LEFT),
        "instruction": style("instruction", 9, TA_LEFT, leftIndent=hang, firstLineIndent=-hang),
    }


def _span_width(box: Box) -> float:
    return sum(COL_WIDTHS[box.first:box.last + 1])


# Tighter settings tried in turn when long typed 需求工种 would push the form onto a second
# page: (row height factor, size of wrapped text). When none fits, the last still takes the
# fewest pages.
COMPACT_STEPS = ((1.0, WRAP_SIZE), (0.85, 8), (0.75, 7), (0.7, 6.5))


def _form_table(survey: Survey, styles: dict[str, ParagraphStyle], factor: float = 1.0) -> Table:
    font = register_cjk_font()
    grid = form_grid(survey)
    data = [[""] * len(COL_WIDTHS) for _ in grid]
    kinds = [row_kind(index) for index in range(len(grid))]
    # The column headings keep their height: their two-line labels need all of it.
    heights = [_ROW_HEIGHTS[kind] * (1.0 if kind == COLUMNS else factor) for kind in kinds]
    headings = tuple(index for index, kind in enumerate(kinds) if kind in (GROUPS, COLUMNS))
    style = [
        ("FONT", (0, 0), (-1, -1), font, SIZE),
        ("GRID", (0, 0), (-1, -1), 0.6, colors.black),
        ("BOX", (0, 0), (-1, -1), 1.0, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("ALIGN", (0, 0), (-1, -1), "CENTER"),
        ("LEFTPADDING", (0, 0), (-1, -1), _PAD),
        ("RIGHTPADDING", (0, 0), (-1, -1), _PAD),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
        # heavier rules under the column headings and above 合计, to guide the eye along the rows
        ("LINEBELOW", (0, BODY_FIRST_ROW - 1), (-1, BODY_FIRST_ROW - 1), 1.0, colors.black),
        ("LINEABOVE", (0, len(grid) - 1), (-1, len(grid) - 1), 1.0, colors.black),
    ]
    for index, boxes in enumerate(grid):
        for box in boxes:
            cell, size = _cell(box, styles)
            data[index][box.first] = cell
            where = ((box.first, index), (box.last, index + box.height - 1))
            if box.first != box.last or box.height > 1:
                style.append(("SPAN", *where))
            if size != SIZE:
                style.append(("FONTSIZE", *where, size))
                style.append(("LEADING", *where, size * 1.25))
            if isinstance(cell, Paragraph):
                _w, needed = cell.wrap(_span_width(box) - 2 * _PAD, 1000)
                heights[index] = max(heights[index], needed + 6)
                style.append(("ALIGN", *where, "LEFT"))
    # Should the rows still not fit one page, the next page starts with the column headings.
    table = Table(data, colWidths=COL_WIDTHS, rowHeights=heights, repeatRows=headings)
    table.setStyle(TableStyle(style))
    return table


def _cell(box: Box, styles: dict[str, ParagraphStyle]) -> tuple[str | Paragraph, float]:
    """What a box prints and at what size."""
    value = box.value
    if box.role == MONEY:
        return ("" if value is None else money_text(Decimal(value))), SIZE
    if box.role == COUNT:
        return ("" if value is None else str(value)), SIZE
    if box.role == HEADING:
        text = HEADING_BREAKS.get(value, value)
        size = min(fit_text(line, _span_width(box) - 2 * _PAD, HEADING_SIZE)[1] for line in text.split("\n"))
        return text, size
    text = value or ""
    fitted, size = fit_text(text, _span_width(box) - 2 * _PAD, SIZE, smallest=SMALLEST_ON_ONE_LINE)
    if box.role == TEXT and fitted != text:
        # Typed text is never cut: it wraps, and the row grows.
        return Paragraph(escape(text), styles["cell"]), styles["cell"].fontSize
    return fitted, size


def _signature_line(survey: Survey, width: float) -> Table:
    """填表人 ____ 联系电话 ____ 填表时间 YYYY 年 M 月 D 日, the blanks underlined."""
    font = register_cjk_font()
    widths = [20 * mm, 48 * mm, 14 * mm, 24 * mm, 52 * mm, 14 * mm, 24 * mm]
    widths.append(width - sum(widths))
    values = (survey.filled_by, survey.filled_phone, date_text(survey))
    value_columns = (1, 4, 7)
    cells = [FILLED_BY, "", "", FILLED_PHONE, "", "", FILLED_ON, ""]
    style = [
        ("FONT", (0, 0), (-1, -1), font, SIZE),
        ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
        ("ALIGN", (0, 0), (-1, -1), "RIGHT"),
        ("LEFTPADDING", (0, 0), (-1, -1), 2),
        ("RIGHTPADDING", (0, 0), (-1, -1), 2),
    ]
    for column, value in zip(value_columns, values):
        text, size = fit_text(value, widths[column] - 4, SIZE)
        cells[column] = text
        style += [
            ("ALIGN", (column, 0), (column, 0), "CENTER"),
            ("FONTSIZE", (column, 0), (column, 0), size),
            ("LINEBELOW", (column, 0), (column, 0), 0.6, colors.black),
        ]
    table = Table([cells], colWidths=widths, rowHeights=[9 * mm])
    table.setStyle(TableStyle(style))
    return table


def _story(survey: Survey, width: float, factor: float, wrap_size: float) -> tuple[list[Flowable], list[Flowable]]:
    """The form, and apart the 填表说明 (kept together on one page)."""
    styles = _styles(wrap_size)
    story = [
        Paragraph(ATTACHMENT, styles["attachment"]),
        Paragraph(TITLE, styles["title"]),
        Paragraph(UNIT_LINE, styles["unit"]),
        _form_table(survey, styles, factor),
    ]
    if survey.folded_note:
        story.append(Paragraph(escape(survey.folded_note), styles["note"]))
    story += [
        Spacer(1, 2 * mm),
        _signature_line(survey, width),
        Spacer(1, 5 * mm),
    ]
    notes = [Paragraph(INSTRUCTIONS_HEADING, styles["instructions_heading"]),
             *(Paragraph(escape(text), styles["instruction"]) for text in INSTRUCTIONS)]
    return story, notes


def _story_height(story: list[Flowable], width: float, height: float) -> float:
    return sum(f.wrap(width, height)[1] + f.getSpaceBefore() + f.getSpaceAfter() for f in story)


def write_survey_pdf(survey: Survey, out_path: str | Path) -> Path:
    """Write `survey` to `out_path` as the paper form: one page unless the typed 需求工种 are
    too long even for the tightest settings."""
    register_cjk_font()
    doc = make_document(out_path, pagesize=A4_LANDSCAPE, top=TOP_MARGIN, bottom=BOTTOM_MARGIN, title=TITLE)
    for factor, wrap_size in COMPACT_STEPS:
        story, notes = _story(survey, doc.width, factor, wrap_size)
        if _story_height(story + notes, doc.width, doc.height) <= doc.height:
            break
    return build(doc, [*story, KeepTogether(notes)])


__all__ = ["COL_WIDTHS", "COMPACT_STEPS", "write_survey_pdf"]
