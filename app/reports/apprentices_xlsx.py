"""The list of pairings 师徒结对 as an .xlsx (`skilldesk apprentices`), one row per pairing."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from app.reports.workers_xlsx import append_header, typed_cell
from app.services.apprenticeships import PairingRow

SHEET = "师徒结对"
HEADERS = ("师傅工号", "师傅", "师傅等级", "徒弟工号", "徒弟", "类型", "合作院校/机构", "开始日期", "计划结束",
           "状态", "最近考核", "下次考核")
_WIDTHS = (10, 10, 10, 10, 10, 14, 24, 12, 12, 8, 12, 12)


def write_apprentices(rows: Iterable[PairingRow], out: str | Path) -> Path:
    """Write the pairings to `out`; 下次考核 is given for pairings 在培 only."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(SHEET)
    for index, width in enumerate(_WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    append_header(sheet, HEADERS)
    for row in rows:
        values = (row.master_no, row.master_name, row.master_level_name, row.apprentice_no, row.apprentice_name,
                  row.kind, row.partner, row.start_date, row.planned_end, row.status, row.last_assessed_on,
                  row.next_assessment_due)
        sheet.append([typed_cell(sheet, value) for value in values])
    path = Path(out)
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path
