"""The monthly allowance roll 津贴发放表 as a PDF to print and sign (SPEC §5, §6).

A4 landscape. Every page repeats the title (2026年10月津贴发放表), the enterprise and the roll's
status, then a table: the header, a fixed number of workers (one row per worker, the sum of the
worker's lines per allowance type — allowance_xlsx.worker_rows, as in the payroll workbook), an
empty 签字 column for the worker's signature, and a 本页小计 row. The last page adds the 总计 row
and the boxes 制表人, 审核人, 负责人, 日期. Rows have fixed heights and hold plain strings, so a
roll of thousands of workers builds in seconds; the pages are cut here, not by the table, so each
page's subtotal is the sum of exactly the rows printed on it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, PageBreak, Spacer, Table, TableStyle

from app.reports.allowance_xlsx import worker_rows
from app.reports.pdf_common import (
    A4_LANDSCAPE,
    MARGIN,
    build,
    fit_text,
    make_document,
    money_text,
    page_chunks,
    register_cjk_font,
)
from app.services.allowances import ALLOWANCE_TYPES, LineRow, RollSummary

HEADERS = ("序号", "工号", "姓名", "部门", *ALLOWANCE_TYPES, "合计", "签字")
PAGE_SUBTOTAL = "本页小计"
GRAND_TOTAL = "总计"
SIGNERS = ("制表人", "审核人", "负责人", "日期")
# 序号 工号 姓名 部门 | five types | 合计 签字 — 267 mm, the width inside the margins.
COL_WIDTHS = tuple(w * mm for w in (12, 22, 28, 38, 22, 22, 22, 22, 22, 24, 33))
_FIRST_AMOUNT, _TOTAL_COL, _SIGN_COL = 4, 4 + len(ALLOWANCE_TYPES), 5 + len(ALLOWANCE_TYPES)
HEADER_HEIGHT = 8 * mm
ROW_HEIGHT = 7 * mm
TOP_MARGIN = 30 * mm  # the title block drawn on every page
BOTTOM_MARGIN = 14 * mm  # the footer 第 X 页 共 Y 页 below
BODY_SIZE = 9
SIGN_GAP = 6 * mm
SIGN_HEIGHT = 12 * mm
_ZERO = Decimal("0.00")
_PAD = 2  # points of cell padding left and right

Row = tuple[str | None, str, str | None, dict[str, Decimal]]


def rows_per_page(frame_height: float) -> int:
    """Workers per page: the frame holds the header, the rows, 本页小计 and (on the last page) 总计."""
    return int((frame_height - HEADER_HEIGHT + 0.01) // ROW_HEIGHT) - 2


def _status_text(roll: RollSummary) -> str:
    if roll.confirmed:
        when = f"，{roll.confirmed_at:%Y-%m-%d %H:%M} 确认" if roll.confirmed_at else ""
        return f"状态：{roll.status}{when}"
    when = f"，{roll.generated_at:%Y-%m-%d %H:%M} 生成" if roll.generated_at else ""
    return f"状态：{roll.status}{when}（未确认，不能作为发放依据）"


def _title_block(roll: RollSummary, enterprise_name: str | None):
    title, status = roll.title, _status_text(roll)
    unit = f"单位：{enterprise_name}" if enterprise_name else ""

    def draw(canvas, doc) -> None:
        font = register_cjk_font()
        width, height = doc.pagesize
        canvas.saveState()
        canvas.setFont(font, 16)
        canvas.drawCentredString(width / 2, height - 14 * mm, title)
        canvas.setFont(font, 9.5)
        baseline = height - TOP_MARGIN + 3 * mm
        if unit:
            canvas.drawString(MARGIN, baseline, fit_text(unit, width / 2 - MARGIN, 9.5)[0])
        canvas.drawRightString(width - MARGIN, baseline, f"{status}　　金额单位：元")
        canvas.restoreState()

    return draw


def _amount_cells(amounts: dict[str, Decimal]) -> list[str]:
    return [*(money_text(amounts[kind]) for kind in ALLOWANCE_TYPES), money_text(sum(amounts.values(), _ZERO))]


def _page_table(chunk: Sequence[Row], first_number: int, grand: dict[str, Decimal] | None) -> Table:
    font = register_cjk_font()
    data: list[list[str]] = [list(HEADERS)]
    style = [
        ("FONT", (0, 0), (-1, -1), font, BODY_SIZE),
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), _PAD),
        ("RIGHTPADDING", (0, 0), (-1, -1), _PAD),
        ("ALIGN", (0, 0), (-1, 0), "CENTER"),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8e8e8")),
        ("ALIGN", (0, 1), (0, -1), "CENTER"),
        ("ALIGN", (_FIRST_AMOUNT, 1), (_TOTAL_COL, -1), "RIGHT"),
    ]
    subtotal = dict.fromkeys(ALLOWANCE_TYPES, _ZERO)
    fitted = (1, 2, 3)  # 工号, 姓名, 部门: smaller type (or cut) when too wide for the column
    for offset, (employee_no, name, department, amounts) in enumerate(chunk):
        row_index = offset + 1
        cells = [str(first_number + offset), employee_no or "", name, department or ""]
        for column in fitted:
            text, size = fit_text(cells[column], COL_WIDTHS[column] - 2 * _PAD, BODY_SIZE)
            cells[column] = text
            if size != BODY_SIZE:
                style.append(("FONTSIZE", (column, row_index), (column, row_index), size))
        for kind in ALLOWANCE_TYPES:
            subtotal[kind] += amounts[kind]
        data.append([*cells, *_amount_cells(amounts), ""])
    totals = [(PAGE_SUBTOTAL, subtotal)] + ([(GRAND_TOTAL, grand)] if grand is not None else [])
    for label, amounts in totals:
        row_index = len(data)
        data.append([label, "", "", "", *_amount_cells(amounts), ""])
        style += [
            ("SPAN", (0, row_index), (3, row_index)),
            ("ALIGN", (0, row_index), (3, row_index), "CENTER"),
            ("BACKGROUND", (0, row_index), (-1, row_index), colors.HexColor("#f4f4f4")),
        ]
    heights = [HEADER_HEIGHT] + [ROW_HEIGHT] * (len(data) - 1)
    table = Table(data, colWidths=COL_WIDTHS, rowHeights=heights, repeatRows=1)
    table.setStyle(TableStyle(style))
    return table


def _signatures(width: float) -> Table:
    font = register_cjk_font()
    label_w = 16 * mm
    box_w = width / len(SIGNERS) - label_w
    data = [[part for signer in SIGNERS for part in (f"{signer}：", "")]]
    style = [
        ("FONT", (0, 0), (-1, -1), font, 10),
        ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
        ("ALIGN", (0, 0), (-1, -1), "RIGHT"),
    ]
    for index in range(len(SIGNERS)):
        column = 2 * index + 1
        style.append(("LINEBELOW", (column, 0), (column, 0), 0.7, colors.black))
    widths = [w for _signer in SIGNERS for w in (label_w, box_w - 4 * mm)]
    widths.append(width - sum(widths))
    data[0].append("")
    table = Table(data, colWidths=widths, rowHeights=[SIGN_HEIGHT])
    table.setStyle(TableStyle(style))
    return table


def write_roll_pdf(
    roll: RollSummary,
    out_path: str | Path,
    *,
    enterprise_name: str | None = None,
    lines: Sequence[LineRow] | None = None,
) -> Path:
    """Write `roll` (with its stored lines: `lines`, else roll.lines) to `out_path` as a PDF."""
    lines = roll.lines if lines is None else lines
    if lines is None:
        raise ValueError("write_roll_pdf needs the roll's lines: load_roll(engine, month, with_lines=True)")
    register_cjk_font()
    doc = make_document(
        out_path, pagesize=A4_LANDSCAPE, top=TOP_MARGIN, bottom=BOTTOM_MARGIN, title=roll.title,
        on_page=_title_block(roll, enterprise_name),
    )
    rows = worker_rows(lines)
    per_page = rows_per_page(doc.height)
    reserve = math.ceil((SIGN_GAP + SIGN_HEIGHT) / ROW_HEIGHT)
    chunks = page_chunks(rows, per_page, reserve)
    grand = dict.fromkeys(ALLOWANCE_TYPES, _ZERO)
    for _no, _name, _dept, amounts in rows:
        for kind in ALLOWANCE_TYPES:
            grand[kind] += amounts[kind]

    story = []
    number = 1
    for index, chunk in enumerate(chunks):
        last = index == len(chunks) - 1
        if index:
            story.append(PageBreak())
        story.append(_page_table(chunk, number, grand if last else None))
        number += len(chunk)
    story.append(KeepTogether([Spacer(1, SIGN_GAP), _signatures(doc.width)]))
    return build(doc, story)


__all__ = ["GRAND_TOTAL", "HEADERS", "PAGE_SUBTOTAL", "SIGNERS", "rows_per_page", "write_roll_pdf"]
