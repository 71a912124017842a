"""The monthly allowance roll 津贴发放表 as an .xlsx for payroll (SPEC §5).

Sheet 津贴发放表: a title row (2026年10月津贴发放表（草稿）), the header, one row per worker
with the sum of the worker's lines per allowance type, and a 合计 row whose figures are the
column sums. Sheet 明细: every line with the rule that made it eligible. Everything is read
from the roll's stored lines, so a confirmed roll exports the same figures forever.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from app.reports.workers_xlsx import MONEY_FORMAT, append_header, text_cell, typed_cell
from app.services.allowances import ALLOWANCE_TYPES, LineRow, RollSummary

SHEET_ROLL, SHEET_DETAIL = "津贴发放表", "明细"
ROLL_HEADERS = ("序号", "工号", "姓名", "部门", *ALLOWANCE_TYPES, "合计")
DETAIL_HEADERS = ("序号", "工号", "姓名", "部门", "津贴类型", "金额", "发放依据")
TOTAL_LABEL = "合计"
_ZERO = Decimal("0.00")
_ROLL_WIDTHS = (6, 12, 10, 16, 11, 11, 11, 11, 11, 12)
_DETAIL_WIDTHS = (7, 12, 10, 16, 11, 11, 90)


def _letter(index: int) -> str:
    return chr(65 + index)


def _text(sheet, value: str | None):
    return text_cell(sheet, value) if value else None


def _money(sheet, value: Decimal) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=value)
    cell.number_format = MONEY_FORMAT
    return cell


def _bold(sheet, value) -> WriteOnlyCell:
    cell = typed_cell(sheet, value)
    cell.font = Font(bold=True)
    return cell


def worker_rows(lines: Sequence[LineRow]) -> list[tuple[str | None, str, str | None, dict[str, Decimal]]]:
    """(工号, 姓名, 部门, amount per type) per worker, in the order of the lines (by 工号).
    The lines of one worker are adjacent (roll_lines sorts them so)."""
    rows: list[tuple[str | None, str, str | None, dict[str, Decimal]]] = []
    key = None
    for line in lines:
        line_key = (line.worker_id, line.employee_no, line.name)
        if line_key != key:
            key = line_key
            rows.append((line.employee_no, line.name, line.department, dict.fromkeys(ALLOWANCE_TYPES, _ZERO)))
        amounts = rows[-1][3]
        amounts[line.allowance_type] = amounts.get(line.allowance_type, _ZERO) + line.amount
    return rows


def write_roll(roll: RollSummary, out: str | Path, lines: Sequence[LineRow] | None = None) -> Path:
    """Write `roll` (with its stored lines: `lines`, else roll.lines) to `out`."""
    lines = roll.lines if lines is None else lines
    if lines is None:
        raise ValueError("write_roll needs the roll's lines: load_roll(engine, month, with_lines=True)")
    out = Path(out)
    book = Workbook(write_only=True)

    sheet = book.create_sheet(SHEET_ROLL)
    for index, width in enumerate(_ROLL_WIDTHS):
        sheet.column_dimensions[_letter(index)].width = width
    sheet.freeze_panes = "E3"
    title = WriteOnlyCell(sheet, value=f"{roll.title}（{roll.status}）")
    title.font = Font(bold=True, size=14)
    sheet.append([title])
    append_header(sheet, ROLL_HEADERS)
    totals = dict.fromkeys(ALLOWANCE_TYPES, _ZERO)
    for number, (employee_no, name, department, amounts) in enumerate(worker_rows(lines), start=1):
        for kind, amount in amounts.items():
            totals[kind] += amount
        sheet.append([
            number, _text(sheet, employee_no), _text(sheet, name), _text(sheet, department),
            *(_money(sheet, amounts[kind]) for kind in ALLOWANCE_TYPES),
            _money(sheet, sum(amounts.values(), _ZERO)),
        ])
    sheet.append([
        _bold(sheet, TOTAL_LABEL), None, None, None,
        *(_bold(sheet, totals[kind]) for kind in ALLOWANCE_TYPES),
        _bold(sheet, sum(totals.values(), _ZERO)),
    ])

    detail = book.create_sheet(SHEET_DETAIL)
    for index, width in enumerate(_DETAIL_WIDTHS):
        detail.column_dimensions[_letter(index)].width = width
    detail.freeze_panes = "A2"
    append_header(detail, DETAIL_HEADERS)
    total = _ZERO
    for number, line in enumerate(lines, start=1):
        total += line.amount
        detail.append([
            number, _text(detail, line.employee_no), _text(detail, line.name), _text(detail, line.department),
            text_cell(detail, line.allowance_type), _money(detail, line.amount), _text(detail, line.rule),
        ])
    detail.append([_bold(detail, TOTAL_LABEL), None, None, None, None, _bold(detail, total), None])

    out.parent.mkdir(parents=True, exist_ok=True)
    book.save(out)
    return out
