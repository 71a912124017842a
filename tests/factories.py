"""Builders for test data: valid ID numbers, and rosters laid out the way clerks make them."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from openpyxl import Workbook


def make_id(area: str = "110105", birth: date = date(1990, 1, 1), seq: int = 1) -> str:
    """A valid 居民身份证 number; an odd `seq` is a man, an even one a woman.
    The check character is computed as ISO 7064 MOD 11-2 (weights 2^(17-i) mod 11), not
    with the module's weight table, so the test does not repeat the code it tests."""
    first17 = f"{area}{birth:%Y%m%d}{seq:03d}"
    total = sum(int(c) * pow(2, 17 - i, 11) for i, c in enumerate(first17))
    value = (12 - total % 11) % 11
    return first17 + ("X" if value == 10 else str(value))


def write_roster(
    path: Path,
    header: list[str],
    rows: list[list],
    *,
    title: str | None = "某某机械有限公司职工花名册（2026年10月）",
    blank_row_above_header: bool = True,
    text_columns: tuple[str, ...] = ("证件号码", "身份证号", "身份证号码", "公民身份号码"),
) -> Path:
    """A roster like a clerk's: a merged title row, a blank row, then the header."""
    book = Workbook()
    sheet = book.active
    sheet.title = "花名册"
    if title:
        sheet.append([title])
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(header))
    if blank_row_above_header:
        sheet.append([])
    sheet.append(header)
    for row in rows:
        sheet.append(row)
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"  # typed as text by the clerk, not a formula
    for index, name in enumerate(header, start=1):
        if name in text_columns:
            for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                cell.number_format = "@"
    book.save(path)
    return path
