"""The bureau survey 企业技能人才现状及需求情况调查表 (SPEC §7; seed 003, 附件1) as one Excel
sheet laid out like the paper form, to print, stamp and hand in.

The form is a grid of 15 columns: 职业技能等级, 人数, the four age bands, the three education
columns, 月工资待遇, 需求工种, 需求人数 and the three 培养措施. The header block above the body
(企业名称（盖章） … 用于职工培训经费) spans those same columns, so the whole form is one table
with merged cells. `form_grid` describes that table once; this writer and survey_pdf both draw
it, so the Excel file and the PDF cannot drift apart.

Below the table: the note on 特级技师 / 首席技师 counted as 高级技师 (when there are any), the
signature line 填表人 / 联系电话 / 填表时间 and the form's 填表说明. Warnings for the clerk are not
part of the form and are not written.
"""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties

from app.reports.workers_xlsx import MONEY_FORMAT, text_cell
from app.services.survey import (
    AGE_BANDS,
    AGE_LABELS,
    EDUCATION_COLUMNS,
    MEASURES,
    ROWS,
    Survey,
)

TITLE = "企业技能人才现状及需求情况调查表"
ATTACHMENT = "附件1"
UNIT_LINE = "（单位：人，元）"
SHEET_TITLE = "调查表"
SECTION_HEADING = "技能人才结构状况、需求、待遇及措施"
# The seed numbers its notes 1, 2, 4, 5, 6 and prints 高能人才 for 高技能人才: both fixed here.
INSTRUCTIONS_HEADING = "填表说明："
INSTRUCTIONS = (
    ("1、本表涉及的技能人才为取得国家职业资格证书或社会、自主评价的职业技能等级证书人员，"
     "其中高技能人才是指取得高级工、技师、高级技师证书人员。"),
    "2、企业类型：国有企业、集体企业、民营企业、私营企业、个体工商户。",
    "3、企业规模：大、中、小。",
    "4、经营领域：装备制造、IT行业、建筑行业、服务业等。",
    "5、需求工种如：电焊工、维修电工、车工等。",
)
FILLED_BY, FILLED_PHONE, FILLED_ON = "填表人：", "联系电话：", "填表时间："

COLUMN_COUNT = 15
_AGE0, _EDU0, _WAGE, _OCC, _DEMAND, _MEASURE0 = 2, 6, 9, 10, 11, 12
LAST = COLUMN_COUNT - 1

# Roles say how a box is drawn: labels and headings are the form's printed words; the rest is
# what was filled in.
LABEL, HEADING, TEXT, COUNT, MONEY, ROW_LABEL = "label", "heading", "text", "count", "money", "row_label"


@dataclass(frozen=True)
class Box:
    """One cell of the form, spanning columns first…last (0-based) and `height` grid rows."""

    first: int
    last: int
    value: str | int | Decimal | None
    role: str
    height: int = 1


def _header_block(survey: Survey) -> list[list[Box]]:
    h = survey.header
    return [
        [Box(0, 1, "企业名称（盖章）", LABEL), Box(2, 6, h.enterprise_name, TEXT),
         Box(7, 8, "负责人", LABEL), Box(9, 10, h.principal, TEXT),
         Box(11, 12, "联系电话", LABEL), Box(13, 14, h.phone, TEXT)],
        [Box(0, 1, "企业类型", LABEL), Box(2, 6, h.enterprise_type, TEXT),
         Box(7, 8, "企业规模", LABEL), Box(9, 10, h.scale, TEXT),
         Box(11, 12, "经营领域", LABEL), Box(13, 14, h.business_field, TEXT)],
        [Box(0, 1, "职工总数", LABEL), Box(2, 2, h.total_employees, COUNT),
         Box(3, 4, "人均月工资", LABEL), Box(5, 6, h.avg_monthly_wage, MONEY),
         Box(7, 8, "提取职工培训经费", LABEL), Box(9, 10, h.fund_extracted, MONEY),
         Box(11, 12, "用于职工培训经费", LABEL), Box(13, 14, h.fund_used, MONEY)],
    ]


def _column_headings() -> list[list[Box]]:
    top = [
        Box(0, 0, "职业技能等级", HEADING, height=2), Box(1, 1, "人数", HEADING, height=2),
        Box(_AGE0, _AGE0 + 3, "技能人才年龄结构", HEADING), Box(_EDU0, _EDU0 + 2, "文化程度", HEADING),
        Box(_WAGE, _WAGE, "月工资待遇", HEADING, height=2), Box(_OCC, _DEMAND, "技能人才需求", HEADING),
        Box(_MEASURE0, _MEASURE0 + 2, "培养措施", HEADING),
    ]
    sub = [
        *(Box(_AGE0 + i, _AGE0 + i, AGE_LABELS[band], HEADING) for i, band in enumerate(AGE_BANDS)),
        *(Box(_EDU0 + i, _EDU0 + i, name, HEADING) for i, name in enumerate(EDUCATION_COLUMNS)),
        Box(_OCC, _OCC, "需求工种", HEADING), Box(_DEMAND, _DEMAND, "需求人数", HEADING),
        *(Box(_MEASURE0 + i, _MEASURE0 + i, name, HEADING) for i, name in enumerate(MEASURES)),
    ]
    return [top, sub]


def _level_row(survey: Survey, name: str) -> list[Box]:
    row = survey.rows[name]
    return [
        Box(0, 0, name, ROW_LABEL), Box(1, 1, row.count, COUNT),
        *(Box(_AGE0 + i, _AGE0 + i, row.age[band], COUNT) for i, band in enumerate(AGE_BANDS)),
        *(Box(_EDU0 + i, _EDU0 + i, row.education[c], COUNT) for i, c in enumerate(EDUCATION_COLUMNS)),
        Box(_WAGE, _WAGE, row.avg_monthly_wage, MONEY),
        Box(_OCC, _OCC, row.demand_occupation, TEXT), Box(_DEMAND, _DEMAND, row.demand_count, COUNT),
        *(Box(_MEASURE0 + i, _MEASURE0 + i, row.measures[m], COUNT) for i, m in enumerate(MEASURES)),
    ]


def form_grid(survey: Survey) -> list[list[Box]]:
    """The bordered table of the form, row by row: the header block, the section heading, the
    two heading rows and 初级工 … 高级技师, 合计. A box of height 2 covers the row below too,
    which then has no box in those columns."""
    return [
        *_header_block(survey),
        [Box(0, LAST, SECTION_HEADING, HEADING)],
        *_column_headings(),
        *(_level_row(survey, name) for name in ROWS),
    ]


HEADER_BLOCK_ROWS = 3
BODY_FIRST_ROW = HEADER_BLOCK_ROWS + 3  # index in form_grid of 初级工
BLOCK, SECTION, GROUPS, COLUMNS, BODY = "block", "section", "groups", "columns", "body"


def row_kind(index: int) -> str:
    """What the form_grid row at `index` is, for its height."""
    if index < HEADER_BLOCK_ROWS:
        return BLOCK
    return {HEADER_BLOCK_ROWS: SECTION, HEADER_BLOCK_ROWS + 1: GROUPS, HEADER_BLOCK_ROWS + 2: COLUMNS}.get(index, BODY)


# Where the long column headings break, as a printed form breaks them (not mid-word).
HEADING_BREAKS = {"高中技校及以下": "高中技校\n及以下", "联合、委托培养": "联合、\n委托培养",
                  "新型学徒制培养": "新型学徒制\n培养"}


def date_text(survey: Survey) -> str:
    day = survey.as_of
    return f"{day.year} 年 {day.month} 月 {day.day} 日"


# ── Excel ──────────────────────────────────────────────────────────────────────────────

FONT_NAME = "宋体"  # Excel on any Chinese Windows has it (SimSun); elsewhere it substitutes
_GB2312 = 134  # the charset tells Excel the font is Chinese when the name is unknown to it
WIDTHS = (12, 7, 8.5, 8.5, 8.5, 8.5, 9, 8, 8, 11, 20, 8, 9, 9, 9.5)
_ROW_HEIGHTS = {"title": 32, "unit": 18, BLOCK: 28, SECTION: 22, GROUPS: 22, COLUMNS: 34, BODY: 26,
                "line": 16, "footer": 26}
_LINE_POINTS = 13.5  # one line of 10.5-point 宋体
_THIN = Side(style="thin", color="000000")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_UNDERLINE = Border(bottom=_THIN)
_CENTRE = Alignment(horizontal="center", vertical="center", wrap_text=True)
_LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)
_RIGHT = Alignment(horizontal="right", vertical="center")


def _font(size: float = 10.5, *, bold: bool = False) -> Font:
    return Font(name=FONT_NAME, size=size, bold=bold, charset=_GB2312)


def display_width(text: str) -> int:
    """Width in Excel's character units: a Chinese character takes two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _lines(text: str, width: float) -> int:
    # A little slack: Excel's unit is a digit of the default font, not of 宋体.
    return max(1, math.ceil(display_width(text) / max(width - 1.5, 1)))


def _span_width(first: int, last: int) -> float:
    return sum(WIDTHS[first:last + 1])


def _put(sheet, row: int, column: int, value, *, font: Font, alignment: Alignment, number_format: str | None = None):
    cell = sheet.cell(row=row, column=column)
    if isinstance(value, str):
        safe = text_cell(sheet, value)  # the house rule: = + - @ at the start stay text
        cell.value = safe.value
        cell.data_type = safe.data_type
    else:
        cell.value = value
    cell.font = font
    cell.alignment = alignment
    if number_format:
        cell.number_format = number_format
    return cell


def _merge(sheet, row: int, first: int, last: int, height: int = 1) -> None:
    if first != last or height > 1:
        sheet.merge_cells(start_row=row, start_column=first + 1, end_row=row + height - 1, end_column=last + 1)


def _write_box(sheet, row: int, box: Box) -> None:
    value = box.value
    if box.role == MONEY:
        value = None if value is None else Decimal(value).quantize(Decimal("0.01"))
        _put(sheet, row, box.first + 1, value, font=_font(), alignment=_CENTRE, number_format=MONEY_FORMAT)
    elif box.role == COUNT:
        _put(sheet, row, box.first + 1, value, font=_font(), alignment=_CENTRE, number_format="0")
    elif box.role == TEXT:
        _put(sheet, row, box.first + 1, value or None, font=_font(),
             alignment=_CENTRE if display_width(value or "") <= _span_width(box.first, box.last) - 2 else _LEFT)
    else:
        if box.role == HEADING:
            value = HEADING_BREAKS.get(value, value)
        _put(sheet, row, box.first + 1, value, font=_font(bold=box.role == HEADING), alignment=_CENTRE)
    _merge(sheet, row, box.first, box.last, box.height)


def _grid_row_height(index: int, boxes: list[Box]) -> float:
    base = _ROW_HEIGHTS[row_kind(index)]
    # Excel does not grow a row for wrapped text on opening: size it for the longest typed text.
    wrapped = max((_lines(b.value, _span_width(b.first, b.last)) for b in boxes
                   if b.role == TEXT and isinstance(b.value, str) and b.value), default=1)
    return max(base, wrapped * _LINE_POINTS + 6)


def write_survey_xlsx(survey: Survey, out_path: str | Path) -> Path:
    """Write `survey` to `out_path` as one sheet laid out like the paper form."""
    book = Workbook()
    sheet = book.active
    sheet.title = SHEET_TITLE
    for index, width in enumerate(WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.sheet_view.showGridLines = False  # the form's own borders are the only lines

    row = 1
    _put(sheet, row, 1, ATTACHMENT, font=_font(12, bold=True), alignment=Alignment(horizontal="left"))
    row += 1
    _put(sheet, row, 1, TITLE, font=_font(18, bold=True), alignment=_CENTRE)
    _merge(sheet, row, 0, LAST)
    sheet.row_dimensions[row].height = _ROW_HEIGHTS["title"]
    row += 1
    _put(sheet, row, 1, UNIT_LINE, font=_font(), alignment=_RIGHT)
    _merge(sheet, row, 0, LAST)
    sheet.row_dimensions[row].height = _ROW_HEIGHTS["unit"]
    row += 1

    grid = form_grid(survey)
    first_form_row = row
    for index, boxes in enumerate(grid):
        for box in boxes:
            _write_box(sheet, row, box)
        sheet.row_dimensions[row].height = _grid_row_height(index, boxes)
        row += 1
    last_form_row = row - 1
    # Every cell, the covered parts of merged ones too: Excel draws a merged cell's edges from them.
    for line in sheet.iter_rows(min_row=first_form_row, max_row=last_form_row, max_col=COLUMN_COUNT):
        for cell in line:
            cell.border = _BORDER

    if survey.folded_note:
        _put(sheet, row, 1, survey.folded_note, font=_font(), alignment=_LEFT)
        _merge(sheet, row, 0, LAST)
        sheet.row_dimensions[row].height = _ROW_HEIGHTS["line"] + 4
        row += 1
    sheet.row_dimensions[row].height = 8  # breathing room between the table and the signatures
    row += 1

    row = _footer(sheet, row, survey)
    row = _instructions(sheet, row)
    _page_setup(sheet, row - 1)
    out = Path(out_path)
    out.parent.mkdir(parents=True, exist_ok=True)
    book.save(out)
    return out


def _footer(sheet, row: int, survey: Survey) -> int:
    """填表人 ____ 联系电话 ____ 填表时间 YYYY 年 M 月 D 日, the blanks underlined."""
    parts = ((0, 0, FILLED_BY, LABEL), (1, 3, survey.filled_by, TEXT),
             (5, 6, FILLED_PHONE, LABEL), (7, 9, survey.filled_phone, TEXT),
             (11, 11, FILLED_ON, LABEL), (12, 14, date_text(survey), TEXT))
    for first, last, value, role in parts:
        if role == LABEL:
            _put(sheet, row, first + 1, value, font=_font(), alignment=_RIGHT)
        else:
            _put(sheet, row, first + 1, value or None, font=_font(), alignment=_CENTRE)
            for column in range(first + 1, last + 2):
                sheet.cell(row=row, column=column).border = _UNDERLINE
        _merge(sheet, row, first, last)
    sheet.row_dimensions[row].height = _ROW_HEIGHTS["footer"]
    return row + 2  # a blank line before the notes


def _instructions(sheet, row: int) -> int:
    _put(sheet, row, 1, INSTRUCTIONS_HEADING, font=_font(10.5, bold=True), alignment=_LEFT)
    _merge(sheet, row, 0, LAST)
    sheet.row_dimensions[row].height = _ROW_HEIGHTS["line"]
    row += 1
    width = _span_width(0, LAST)
    for text in INSTRUCTIONS:
        _put(sheet, row, 1, text, font=_font(10), alignment=Alignment(horizontal="left", vertical="top",
                                                                         wrap_text=True))
        _merge(sheet, row, 0, LAST)
        sheet.row_dimensions[row].height = _lines(text, width) * _LINE_POINTS + 3
        row += 1
    return row


def _page_setup(sheet, last_row: int) -> None:
    setup = sheet.page_setup
    setup.paperSize = sheet.PAPERSIZE_A4
    setup.orientation = sheet.ORIENTATION_LANDSCAPE
    setup.fitToWidth = 1
    setup.fitToHeight = 0  # as many pages tall as it needs: a long 需求工种 may not fit one
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    sheet.print_options.horizontalCentered = True
    margins = sheet.page_margins
    margins.left = margins.right = 0.5
    margins.top, margins.bottom = 0.6, 0.6
    margins.header = margins.footer = 0.3
    sheet.print_area = f"A1:{get_column_letter(COLUMN_COUNT)}{last_row}"
    sheet.oddFooter.center.text = "第 &P 页 共 &N 页"


__all__ = [
    "ATTACHMENT",
    "HEADING_BREAKS",
    "INSTRUCTIONS",
    "INSTRUCTIONS_HEADING",
    "SECTION_HEADING",
    "TITLE",
    "UNIT_LINE",
    "Box",
    "date_text",
    "form_grid",
    "row_kind",
    "write_survey_xlsx",
]
