"""The training compliance report as an .xlsx: one sheet per list, each opening with a
title row that says the year and the thresholds, so a printed page stands on its own."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from app.reports.workers_xlsx import append_header, typed_cell
from app.services.compliance import ComplianceReport, ComplianceRow

SHEET_YEARLY = "高技能人才未完成年度培训"
SHEET_ROTATION = "技能人才未按期轮训"
HEADERS = ("工号", "姓名", "部门", "技能等级", "本年完成次数", "最近一次完成日期", "原因")
_WIDTHS = (10, 10, 14, 10, 13, 17, 70)


def yearly_title(report: ComplianceReport) -> str:
    return (
        f"{report.year}年高技能人才年度培训情况（统计日期 {report.as_of.isoformat()}；"
        f"要求每年至少完成 {report.min_per_year} 次培训）：高技能人才 {report.high_skilled_total} 名，"
        f"未完成 {len(report.high_skilled_untrained)} 名"
    )


def rotation_title(report: ComplianceReport) -> str:
    return (
        f"{report.year}年技能人才定期轮训情况（统计日期 {report.as_of.isoformat()}；"
        f"轮训周期 {report.rotation_years} 年：{report.rotation_start}–{report.year}年）："
        f"初级工、中级工 {report.skilled_total} 名，未按期轮训 {len(report.skilled_not_rotated)} 名"
    )


def write_compliance_report(report: ComplianceReport, out_path: str | Path) -> Path:
    book = Workbook(write_only=True)
    _write_sheet(book, SHEET_YEARLY, yearly_title(report), report.high_skilled_untrained)
    _write_sheet(book, SHEET_ROTATION, rotation_title(report), report.skilled_not_rotated)
    out = Path(out_path)
    out.parent.mkdir(parents=True, exist_ok=True)
    book.save(out)
    return out


def _write_sheet(book: Workbook, title: str, heading: str, rows: list[ComplianceRow]) -> None:
    sheet = book.create_sheet(title)
    for index, width in enumerate(_WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A3"  # the title and the header stay in view
    heading_cell = typed_cell(sheet, heading)
    heading_cell.font = Font(bold=True, size=12)
    sheet.append([heading_cell])
    append_header(sheet, HEADERS)
    for row in rows:
        values = (row.employee_no, row.name, row.department, row.level, row.completed_in_year,
                  row.last_completed, row.reason)
        sheet.append([typed_cell(sheet, value) for value in values])
