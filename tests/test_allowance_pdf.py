"""The allowance roll 津贴发放表 as a PDF (SPEC §5, §6), read back with pypdf: title, names and
page numbers as Chinese text, the CJK font embedded (and no bare Helvetica), the header and a
本页小计 on every page, the 总计 equal to the roll's total, two decimals everywhere; and the
津贴 page's 导出 PDF… button."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal

import pytest
from pypdf import PdfReader

from app.reports import pdf_common
from app.reports.allowance_pdf import (
    GRAND_TOTAL,
    HEADERS,
    PAGE_SUBTOTAL,
    SIGNERS,
    write_roll_pdf,
)
from app.reports.pdf_common import FontMissing, money_text, register_cjk_font
from app.services.allowances import confirm_roll, generate_roll, load_roll
from app.services.demo import generate_demo
from app.services.levels import SENIOR, TECHNICIAN
from tests.factories import add_level, add_worker

MONTH = "2026-10"
AMOUNT = re.compile(r"^-?\d+\.\d{2}$")
NAMES = ("张伟", "欧阳娜娜", "李建国")
LONG_NAME = "阿卜杜热合曼·买买提艾力江"


def page_lines(reader: PdfReader) -> list[list[str]]:
    return [[line.strip() for line in page.extract_text().splitlines() if line.strip()] for page in reader.pages]


def after(lines: list[str], label: str, count: int = 6) -> list[Decimal]:
    """The `count` amounts printed after `label` (the five types and 合计)."""
    start = lines.index(label) + 1
    return [Decimal(text) for text in lines[start:start + count]]


def row_totals(lines: list[str]) -> list[Decimal]:
    """The 合计 of each worker row on a page: amounts come six to a row, 合计 last."""
    amounts = [Decimal(t) for t in lines[lines.index("签字") + 1:lines.index(PAGE_SUBTOTAL)] if AMOUNT.match(t)]
    assert len(amounts) % 6 == 0
    return amounts[5::6]


@pytest.fixture
def small_roll(engine):
    for number, (name, rank) in enumerate(zip((*NAMES, LONG_NAME), (SENIOR, TECHNICIAN, SENIOR, SENIOR)), 1):
        worker_id = add_worker(engine, name, employee_no=f"B{number:03d}", department="机加工车间")
        add_level(engine, worker_id, rank, date(2020, 5, 1))
    generate_roll(engine, MONTH)
    confirm_roll(engine, MONTH, today=datetime(2026, 11, 2, 10, 30))
    return load_roll(engine, MONTH)


@pytest.fixture
def big_roll(engine):
    generate_demo(engine, 300, seed=1)
    generate_roll(engine, MONTH)
    return load_roll(engine, MONTH)


def test_money_text_has_two_decimals_and_no_separators():
    assert money_text(Decimal("1234")) == "1234.00"
    assert money_text(Decimal("0.5")) == "0.50"
    assert money_text(Decimal("107000.535")) == "107000.54"
    assert money_text(Decimal("0")) == "0.00"


def test_title_names_status_and_page_numbers_read_back_as_chinese(small_roll, tmp_path):
    out = write_roll_pdf(small_roll, tmp_path / "roll.pdf", enterprise_name="华东精密机械制造有限公司")
    reader = PdfReader(out)
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "2026年10月津贴发放表" in text
    assert "华东精密机械制造有限公司" in text
    assert "已确认" in text and "2026-11-02 10:30" in text
    for name in NAMES:
        assert name in text
    assert LONG_NAME in text or "阿卜杜热合曼" in text  # set smaller, or cut with …, never spilling
    assert f"第 1 页 共 {len(reader.pages)} 页" in text
    for header in HEADERS:
        assert header in text
    for signer in SIGNERS:
        assert f"{signer}：" in text


def test_the_cjk_font_is_embedded_and_no_bare_helvetica(small_roll, tmp_path):
    reader = PdfReader(write_roll_pdf(small_roll, tmp_path / "roll.pdf"))
    for page in reader.pages:
        fonts = page["/Resources"]["/Font"]
        assert fonts
        for ref in fonts.values():
            font = ref.get_object()
            described = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
            descriptor = described.get("/FontDescriptor")
            assert "Helvetica" not in str(font["/BaseFont"]) or descriptor is not None
            assert descriptor is not None and "/FontFile2" in descriptor.get_object(), font["/BaseFont"]
            assert "WenQuanYi" in str(font["/BaseFont"])


def test_grand_total_equals_the_roll_total_and_every_page_has_header_and_subtotal(big_roll, tmp_path):
    reader = PdfReader(write_roll_pdf(big_roll, tmp_path / "roll.pdf"))
    pages = page_lines(reader)
    assert len(pages) >= 2
    subtotal_sum = Decimal("0.00")
    for number, lines in enumerate(pages, start=1):
        assert lines[0] == big_roll.title
        assert all(header in lines for header in HEADERS), number
        assert lines.count(PAGE_SUBTOTAL) == 1, number
        subtotal = after(lines, PAGE_SUBTOTAL)
        assert subtotal[-1] == sum(subtotal[:-1]) == sum(row_totals(lines)), number
        subtotal_sum += subtotal[-1]
        assert f"第 {number} 页 共 {len(pages)} 页" in lines
        assert (GRAND_TOTAL in lines) == (number == len(pages))
        assert ("制表人：" in lines) == (number == len(pages))
    grand = after(pages[-1], GRAND_TOTAL)
    assert grand[-1] == big_roll.total == subtotal_sum
    assert grand[:-1] == [big_roll.by_type[kind] for kind in big_roll.by_type]
    workers = sum(len(row_totals(lines)) for lines in pages)
    assert workers == big_roll.workers


def test_every_amount_is_printed_with_two_decimals(big_roll, tmp_path):
    reader = PdfReader(write_roll_pdf(big_roll, tmp_path / "roll.pdf"))
    numbers = [t for lines in page_lines(reader) for t in lines if re.fullmatch(r"-?\d+\.\d+", t)]
    assert numbers and all(AMOUNT.match(t) for t in numbers)


def test_a_roll_without_lines_is_refused_and_an_empty_roll_still_prints(small_roll, tmp_path):
    with pytest.raises(ValueError):
        write_roll_pdf(replace(small_roll, lines=None), tmp_path / "x.pdf")
    out = write_roll_pdf(small_roll, tmp_path / "empty.pdf", lines=[])
    lines = page_lines(PdfReader(out))[0]
    assert after(lines, GRAND_TOTAL)[-1] == Decimal("0.00") and "制表人：" in lines


def test_missing_font_gives_a_chinese_refusal(monkeypatch, tmp_path):
    monkeypatch.setattr(pdf_common, "FONT_NAME", "SkillDeskTestMissingFont")
    monkeypatch.setattr(pdf_common, "font_path", lambda: tmp_path / "fonts" / "wqy-microhei.ttc")
    with pytest.raises(FontMissing, match="找不到 PDF 所需的中文字体文件"):
        register_cjk_font()


def test_register_cjk_font_uses_the_bundled_font_once():
    assert register_cjk_font() == register_cjk_font() == pdf_common.FONT_NAME
    assert pdf_common.font_path().is_file()
    assert (pdf_common.font_path().parent / "LICENSE-wqy-microhei.txt").is_file()


def test_the_allowances_page_exports_the_pdf(qtbot, engine, monkeypatch, tmp_path, answers):
    pytest.importorskip("PySide6")
    from PySide6.QtCore import Qt

    from app.ui import dialogs
    from app.ui.allowances_page import AllowancesPage

    generate_demo(engine, 120, seed=2)
    page = AllowancesPage(engine)
    qtbot.addWidget(page)
    page.show()
    page.set_month(MONTH)
    assert not page.export_pdf_button.isEnabled()
    qtbot.mouseClick(page.generate_button, Qt.MouseButton.LeftButton)
    assert page.export_pdf_button.isEnabled()
    monkeypatch.setattr(dialogs, "save_file", lambda *args: str(tmp_path / "发放表"))
    path = page.export_pdf()
    assert path == tmp_path / "发放表.pdf" and path.exists()
    pages = page_lines(PdfReader(path))
    assert after(pages[-1], GRAND_TOTAL)[-1] == load_roll(engine, MONTH, with_lines=False).total
    assert "已导出" in answers.told[-1]
