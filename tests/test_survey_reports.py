"""The bureau survey 企业技能人才现状及需求情况调查表 on paper (SPEC §7): the Excel sheet read back
with openpyxl (merged title, header block and group headings; labels and figures where the
form has them; A4 landscape one page wide; typed text that looks like a formula stays text),
and the PDF read back with pypdf (title, every row, the figures, 填表说明, the note on 特级 /
首席技师, no warnings; the CJK font embedded; one page, even with long typed 需求工种)."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from app.reports.survey_pdf import write_survey_pdf
from app.reports.survey_xlsx import (
    INSTRUCTIONS,
    SECTION_HEADING,
    TITLE,
    UNIT_LINE,
    write_survey_xlsx,
)
from app.services.survey import (
    AGE_BANDS,
    AGE_LABELS,
    EDUCATION_COLUMNS,
    LEVEL_ROWS,
    MEASURES,
    ROWS,
    TOTAL,
    Survey,
    SurveyHeader,
    SurveyRow,
    SurveyWarning,
    _total,
)

FORMULA = "=SUM(A1)"
WARNING = "未填月工资，未计入月工资待遇和人均月工资：张三共 1 人"


def make_survey(*, folded: int = 2, demand: tuple[str, ...] = ("电焊工", "维修电工、车工", FORMULA, "数控铣工", "")) -> Survey:
    rows = {}
    for index, name in enumerate(LEVEL_ROWS):
        count = 40 - 7 * index  # 40, 33, 26, 19, 12
        rows[name] = SurveyRow(
            count=count,
            age=dict(zip(AGE_BANDS, (count - 3 - index, 1, 2 + index, 0))),
            education=dict(zip(EDUCATION_COLUMNS, (count - 5, 3, 2))),
            avg_monthly_wage=Decimal(4500 + 800 * index) + Decimal("0.5"),
            wage_cents=(450050 + 80000 * index) * count, wages=count,
            measures=dict(zip(MEASURES, (count // 2, count // 4, index))),
            demand_occupation=demand[index], demand_count=(5, 3, 2, None, 1)[index],
        )
    rows[TOTAL] = _total(rows)
    header = SurveyHeader(
        enterprise_name="常州华东精密机械制造有限公司", principal="王建国", phone="0519-83456789",
        enterprise_type="民营企业", scale="中", business_field="装备制造", total_employees=412,
        avg_monthly_wage=Decimal("5123.45"), fund_extracted=Decimal(120000), fund_used=None,
    )
    return Survey(date(2021, 6, 30), header, rows, folded=folded, warnings=[SurveyWarning(WARNING)],
                  filled_by="李娜", filled_phone="13812345678")


# ── Excel ──────────────────────────────────────────────────────────────────────────────

@pytest.fixture
def sheet(tmp_path):
    out = write_survey_xlsx(make_survey(), tmp_path / "survey.xlsx")
    book = load_workbook(out)
    assert len(book.worksheets) == 1
    return book.active


def flat(value) -> str:
    return str(value).replace("\n", "") if value is not None else ""


def find(sheet, text: str):
    found = [cell for row in sheet.iter_rows() for cell in row if flat(cell.value) == text]
    assert len(found) == 1, f"{text}: {len(found)} cells"
    return found[0]


def merged_at(sheet, cell):
    """The merged range whose top-left is `cell`, as (min_col, min_row, max_col, max_row)."""
    for merged in sheet.merged_cells.ranges:
        if (merged.min_row, merged.min_col) == (cell.row, cell.column):
            return merged.bounds
    return None


def test_title_unit_line_and_header_block_are_merged_across_the_form(sheet):
    title = find(sheet, TITLE)
    assert merged_at(sheet, title) == (1, title.row, 15, title.row)
    unit = find(sheet, UNIT_LINE)
    assert unit.row == title.row + 1 and merged_at(sheet, unit) == (1, unit.row, 15, unit.row)
    section = find(sheet, SECTION_HEADING)
    assert merged_at(sheet, section) == (1, section.row, 15, section.row)
    for label in ("企业名称（盖章）", "负责人", "联系电话", "企业类型", "企业规模", "经营领域", "职工总数", "人均月工资",
                  "提取职工培训经费", "用于职工培训经费"):
        cell = find(sheet, label)
        assert merged_at(sheet, cell) is not None, label
        assert unit.row < cell.row < section.row, label


def test_header_values_sit_right_of_their_labels(sheet):
    def value_after(label):
        cell = find(sheet, label)
        last_col = merged_at(sheet, cell)[2]
        return sheet.cell(row=cell.row, column=last_col + 1)

    assert value_after("企业名称（盖章）").value == "常州华东精密机械制造有限公司"
    assert merged_at(sheet, value_after("企业名称（盖章）"))[2] - value_after("企业名称（盖章）").column >= 2
    assert value_after("负责人").value == "王建国"
    assert value_after("联系电话").value == "0519-83456789"
    assert value_after("企业类型").value == "民营企业"
    assert value_after("企业规模").value == "中"
    assert value_after("经营领域").value == "装备制造"
    assert value_after("职工总数").value == 412
    wage = value_after("人均月工资")
    assert wage.value == pytest.approx(5123.45) and wage.number_format == "0.00"
    fund = value_after("提取职工培训经费")
    assert fund.value == 120000 and fund.number_format == "0.00"
    assert value_after("用于职工培训经费").value is None  # unknown stays empty, not 0


def test_two_level_heading_with_group_cells_merged(sheet):
    groups = {"技能人才年龄结构": 4, "文化程度": 3, "技能人才需求": 2, "培养措施": 3}
    group_row = None
    for text, span in groups.items():
        cell = find(sheet, text)
        bounds = merged_at(sheet, cell)
        assert bounds[2] - bounds[0] + 1 == span and bounds[1] == bounds[3], text
        group_row = cell.row
    for text in ("职业技能等级", "人数", "月工资待遇"):
        cell = find(sheet, text)
        assert cell.row == group_row and merged_at(sheet, cell) == (cell.column, group_row, cell.column, group_row + 1)
    below = [*(AGE_LABELS[b] for b in AGE_BANDS), *EDUCATION_COLUMNS, "需求工种", "需求人数", *MEASURES]
    assert [flat(sheet.cell(row=group_row + 1, column=c).value) for c in range(3, 16) if c != 10] == below
    assert find(sheet, "18—30岁").column == 3 and find(sheet, "新型学徒制培养").column == 15


def test_figures_are_numbers_in_their_row_and_column(sheet):
    survey = make_survey()
    heading_row = find(sheet, "需求工种").row
    columns = {flat(sheet.cell(row=heading_row, column=c).value): c for c in range(1, 16)}
    columns |= {"职业技能等级": 1, "人数": 2, "月工资待遇": 10}
    for name in ROWS:
        label = find(sheet, name)
        assert label.column == 1 and label.row > heading_row
        row = survey.rows[name]

        def at(column_name, label=label):
            return sheet.cell(row=label.row, column=columns[column_name])

        assert at("人数").value == row.count and isinstance(at("人数").value, int)
        for band in AGE_BANDS:
            assert at(AGE_LABELS[band]).value == row.age[band]
        for column in EDUCATION_COLUMNS:
            assert at(column).value == row.education[column]
        for measure in MEASURES:
            assert at(measure).value == row.measures[measure]
        wage = at("月工资待遇")
        assert wage.value == pytest.approx(float(row.avg_monthly_wage)) and wage.number_format == "0.00"
        assert (at("需求工种").value or "") == row.demand_occupation
        assert at("需求人数").value == row.demand_count
    assert [find(sheet, name).row for name in ROWS] == list(range(find(sheet, "初级工").row,
                                                                      find(sheet, "初级工").row + 6))
    assert sheet.cell(row=find(sheet, TOTAL).row, column=2).value == 130


def test_a_formula_typed_as_demand_is_stored_as_text(sheet):
    cell = next(c for row in sheet.iter_rows() for c in row if c.value == FORMULA)
    assert cell.data_type == "s"
    assert cell.row == find(sheet, "高级工").row


def test_every_cell_of_the_form_has_thin_borders(sheet):
    top = find(sheet, "企业名称（盖章）").row
    bottom = find(sheet, TOTAL).row

    def box_of(cell):
        for merged in sheet.merged_cells.ranges:
            if cell.coordinate in merged:
                return merged.bounds
        return cell.column, cell.row, cell.column, cell.row

    for row in sheet.iter_rows(min_row=top, max_row=bottom, max_col=15):
        for cell in row:
            min_col, min_row, max_col, max_row = box_of(cell)
            edges = {"left": cell.column == min_col, "right": cell.column == max_col,
                     "top": cell.row == min_row, "bottom": cell.row == max_row}
            for side, on_edge in edges.items():
                if on_edge:  # inside a merged cell there is no line to draw
                    assert getattr(cell.border, side).style == "thin", (cell.coordinate, side)


def test_folded_note_footer_and_instructions_under_the_table(sheet):
    total_row = find(sheet, TOTAL).row
    note = find(sheet, "注：高级技师行含特级技师、首席技师 2 人。")
    assert note.row == total_row + 1
    filled = find(sheet, "填表人：")
    assert filled.row > note.row
    assert find(sheet, "李娜").row == filled.row
    assert find(sheet, "13812345678").row == filled.row
    assert find(sheet, "2021 年 6 月 30 日").row == filled.row
    previous = find(sheet, "填表说明：").row
    assert previous > filled.row
    for number, text in enumerate(INSTRUCTIONS, start=1):
        cell = find(sheet, text)
        assert text.startswith(f"{number}、") and cell.row == previous + 1
        previous = cell.row
    texts = {flat(c.value) for row in sheet.iter_rows() for c in row}
    assert not any("张三" in t for t in texts)  # warnings are for the clerk, not the form


def test_print_setup_is_a4_landscape_one_page_wide(sheet):
    assert sheet.page_setup.orientation == "landscape"
    assert int(sheet.page_setup.paperSize) == 9
    assert int(sheet.page_setup.fitToWidth) == 1 and int(sheet.page_setup.fitToHeight) == 0
    assert sheet.sheet_properties.pageSetUpPr.fitToPage is True
    assert sheet.print_options.horizontalCentered is True


def test_fonts_are_chinese_and_headings_wrap(sheet):
    assert find(sheet, TITLE).font.name == "宋体"
    assert find(sheet, "初级工").font.name == "宋体"
    heading = find(sheet, "高中技校及以下")
    assert heading.alignment.wrap_text and heading.alignment.horizontal == "center"


def test_no_note_without_folded_workers(tmp_path):
    book = load_workbook(write_survey_xlsx(make_survey(folded=0), tmp_path / "s.xlsx"))
    texts = {flat(c.value) for row in book.active.iter_rows() for c in row}
    assert not any(t.startswith("注：") for t in texts)


# ── PDF ────────────────────────────────────────────────────────────────────────────────

@pytest.fixture
def pdf(tmp_path):
    return write_survey_pdf(make_survey(), tmp_path / "survey.pdf")


def pdf_text(path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


def test_pdf_prints_the_form_with_its_figures(pdf):
    reader = PdfReader(pdf)
    assert len(reader.pages) == 1
    width, height = (float(v) for v in reader.pages[0].mediabox.upper_right)
    assert width > height  # landscape
    text = pdf_text(pdf)
    joined = re.sub(r"\s+", "", text)
    for label in (TITLE, "附件1", "（单位：人，元）", "企业名称（盖章）", "常州华东精密机械制造有限公司", "提取职工培训经费",
                  "120000.00", "5123.45", "412", *ROWS, "技能人才年龄结构", "18—30岁", "51岁以上", "高中技校及以下",
                  "新型学徒制培养", "联合、委托培养", "需求工种", FORMULA, "填表说明", "李娜", "13812345678",
                  "2021年6月30日", "注：高级技师行含特级技师、首席技师2人。", "第1页共1页"):
        assert re.sub(r"\s+", "", label) in joined, label
    lines = [line.strip() for line in text.splitlines()]
    for name in ROWS:
        row = make_survey().rows[name]
        start = lines.index(name) + 1
        printed = lines[start:start + 9]
        expected = [row.count, *(row.age[b] for b in AGE_BANDS), *(row.education[c] for c in EDUCATION_COLUMNS)]
        assert printed == [*map(str, expected), f"{row.avg_monthly_wage:.2f}"], name
        end = next(i for i, line in enumerate(lines) if i > start and (line in ROWS or line.startswith("注：")))
        typed = "".join(lines[start + 9:end - 3])
        assert typed == row.demand_occupation + ("" if row.demand_count is None else str(row.demand_count)), name
        assert lines[end - 3:end] == [str(row.measures[m]) for m in MEASURES], name
    for text in INSTRUCTIONS:
        assert re.sub(r"\s+", "", text) in joined
    assert "张三" not in joined  # warnings are not printed


def test_pdf_font_is_embedded(pdf):
    for page in PdfReader(pdf).pages:
        for ref in page["/Resources"]["/Font"].values():
            font = ref.get_object()
            described = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
            descriptor = described.get("/FontDescriptor")
            assert descriptor is not None and "/FontFile2" in descriptor.get_object(), font["/BaseFont"]


@pytest.mark.skipif(shutil.which("pdffonts") is None, reason="poppler-utils not installed")
def test_pdffonts_lists_only_embedded_fonts(pdf):
    listing = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    rows = listing.splitlines()[2:]
    assert rows and all(row.split()[-5] == "yes" for row in rows), listing


OCCUPATIONS = ("电焊工", "维修电工", "车工", "钳工", "数控铣工", "数控车工", "焊工", "电工", "装配钳工", "工具钳工",
               "冲压工", "铸造工", "锻造工", "热处理工", "磨工", "镗工")


def test_long_typed_demand_wraps_and_still_fits_one_page(tmp_path):
    some = "、".join(OCCUPATIONS[:6])
    senior = "、".join(f"{name}（高级）" for name in OCCUPATIONS[:6])
    out = write_survey_pdf(make_survey(demand=("电焊工", some, "车工", senior, "钳工")), tmp_path / "long.pdf")
    assert len(PdfReader(out).pages) == 1
    joined = re.sub(r"\s+", "", pdf_text(out))
    assert some in joined and senior in joined and "填表说明" in joined


def test_very_long_typed_demand_takes_a_second_page_but_is_never_cut(tmp_path):
    every = "、".join(OCCUPATIONS)
    senior = "、".join(f"{name}（高级）" for name in OCCUPATIONS)
    out = write_survey_pdf(make_survey(demand=("电焊工", every, "车工", senior, "钳工")), tmp_path / "long.pdf")
    assert len(PdfReader(out).pages) == 2
    joined = re.sub(r"\s+", "", pdf_text(out))
    assert every in joined and senior in joined and "第2页共2页" in joined
    assert all(re.sub(r"\s+", "", text) in joined for text in INSTRUCTIONS)


def test_an_empty_survey_prints_blank_cells(tmp_path):
    rows = {name: SurveyRow() for name in LEVEL_ROWS}
    rows[TOTAL] = _total(rows)
    survey = Survey(date(2026, 1, 5), SurveyHeader(), rows)
    out = write_survey_pdf(survey, tmp_path / "empty.pdf")
    joined = re.sub(r"\s+", "", pdf_text(out))
    assert "2026年1月5日" in joined and "注：" not in joined
    book = load_workbook(write_survey_xlsx(survey, tmp_path / "empty.xlsx"))
    sheet = book.active
    assert sheet.cell(row=find(sheet, "人均月工资").row, column=6).value is None
    assert sheet.cell(row=find(sheet, TOTAL).row, column=10).value is None  # no mean wage
    assert sheet.cell(row=find(sheet, TOTAL).row, column=2).value == 0
