"""The training compliance report: who counts on which date, the calendar-year and
rotation-window boundaries, the policy thresholds, and the Excel file."""

from __future__ import annotations

from datetime import date

from openpyxl import load_workbook

from app.reports.training_xlsx import (
    HEADERS,
    SHEET_ROTATION,
    SHEET_YEARLY,
    write_compliance_report,
)
from app.services.compliance import RULE_ROTATION, RULE_YEARLY, compliance_report
from app.services.levels import INTERMEDIATE, JUNIOR, SENIOR, TECHNICIAN
from app.services.policy import set_policy_value
from app.services.training_rules import RESULT_FAIL
from app.services.vocab import STATUS_LEFT, STATUS_RETIRED
from tests.factories import add_level, add_programme, add_worker, enrol, trained

YEAR_END = date(2025, 12, 31)


def names(rows) -> list[str]:
    return sorted(row.name for row in rows)


def test_a_training_completed_on_31_december_counts_for_that_year_not_the_next(engine):
    last_day = add_worker(engine, "年末", rank=SENIOR)
    new_year = add_worker(engine, "元旦", rank=SENIOR)
    trained(engine, last_day, date(2025, 12, 31))
    trained(engine, new_year, date(2026, 1, 1))

    report_2025 = compliance_report(engine, 2025, as_of=YEAR_END)
    assert names(report_2025.high_skilled_untrained) == ["元旦"]
    row = report_2025.high_skilled_untrained[0]
    # The January training lies after the year: neither counted nor shown as the latest.
    assert (row.completed_in_year, row.last_completed, row.rule) == (0, None, RULE_YEARLY)
    assert row.reason == "2025年完成培训 0 次，每年应至少完成 1 次"

    report_2026 = compliance_report(engine, 2026, as_of=date(2026, 12, 31))
    assert names(report_2026.high_skilled_untrained) == ["年末"]
    assert report_2026.high_skilled_untrained[0].last_completed == date(2025, 12, 31)


def test_a_failed_training_counts_a_running_one_does_not(engine):
    failed, running = add_worker(engine, "不合格", rank=TECHNICIAN), add_worker(engine, "在培", rank=TECHNICIAN)
    trained(engine, failed, date(2025, 5, 1), result=RESULT_FAIL)
    enrol(engine, add_programme(engine, date(2025, 11, 1)), running)  # no result yet

    report = compliance_report(engine, 2025, as_of=YEAR_END)
    assert names(report.high_skilled_untrained) == ["在培"]
    assert report.high_skilled_total == 2


def test_the_yearly_minimum_comes_from_the_policy(engine):
    once = add_worker(engine, "一次", rank=SENIOR)
    twice = add_worker(engine, "两次", rank=SENIOR)
    trained(engine, once, date(2025, 3, 1))
    trained(engine, twice, date(2025, 3, 1))
    trained(engine, twice, date(2025, 9, 1))
    set_policy_value(engine, "training.high_skilled_min_per_year", "2", date(2025, 1, 1))

    report = compliance_report(engine, 2025, as_of=YEAR_END)
    assert report.min_per_year == 2
    assert [(r.name, r.completed_in_year) for r in report.high_skilled_untrained] == [("一次", 1)]
    assert report.high_skilled_untrained[0].reason == "2025年完成培训 1 次，每年应至少完成 2 次"


def test_rotation_window_is_the_calendar_years_ending_with_the_year(engine):
    inside = add_worker(engine, "窗口首日", rank=INTERMEDIATE)
    before = add_worker(engine, "窗口前一日", rank=JUNIOR)
    never = add_worker(engine, "从未培训", rank=INTERMEDIATE)
    trained(engine, inside, date(2023, 1, 1))
    trained(engine, before, date(2022, 12, 31))

    report = compliance_report(engine, 2025, as_of=YEAR_END)
    assert (report.rotation_years, report.rotation_start, report.skilled_total) == (3, 2023, 3)
    assert names(report.skilled_not_rotated) == ["从未培训", "窗口前一日"]
    by_name = {row.name: row for row in report.skilled_not_rotated}
    assert by_name["窗口前一日"].rule == RULE_ROTATION
    assert by_name["窗口前一日"].last_completed == date(2022, 12, 31)
    assert by_name["窗口前一日"].reason == "2023–2025年（3 年轮训周期）内未完成培训，最近一次完成于 2022-12-31"
    assert by_name["从未培训"].reason.endswith("没有完成培训的记录")
    assert by_name["从未培训"].worker_id == never
    # Nobody at 初级/中级 is asked for a yearly training.
    assert report.high_skilled_untrained == [] and report.high_skilled_total == 0

    set_policy_value(engine, "training.rotation_years", "2", date(2025, 1, 1))
    shorter = compliance_report(engine, 2025, as_of=YEAR_END)
    assert shorter.rotation_start == 2024
    assert names(shorter.skilled_not_rotated) == ["从未培训", "窗口前一日", "窗口首日"]


def test_population_is_who_is_in_post_on_as_of_with_the_level_held_then(engine):
    add_worker(engine, "离职", rank=SENIOR, left=date(2025, 6, 30), status=STATUS_LEFT)
    add_worker(engine, "退休", rank=SENIOR, status=STATUS_RETIRED)
    add_worker(engine, "年后入职", rank=SENIOR, hired=date(2026, 1, 5))
    add_worker(engine, "无等级")
    promoted = add_worker(engine, "次年晋升", rank=INTERMEDIATE, rank_issued=date(2019, 1, 1))
    add_level(engine, promoted, SENIOR, date(2026, 2, 1))
    revoked = add_worker(engine, "证书撤销", rank=JUNIOR, rank_issued=date(2018, 1, 1))
    add_level(engine, revoked, TECHNICIAN, date(2020, 1, 1), revoked=True)

    report = compliance_report(engine, 2025, as_of=YEAR_END)
    assert report.high_skilled_total == 0
    assert [(r.name, r.level) for r in report.skilled_not_rotated] == [("次年晋升", "中级工"), ("证书撤销", "初级工")]
    assert report.skilled_total == 2

    later = compliance_report(engine, 2026, as_of=date(2026, 12, 31))
    assert names(later.high_skilled_untrained) == ["年后入职", "次年晋升"]


def test_as_of_defaults_to_the_year_end_or_today(engine):
    assert compliance_report(engine, 2020).as_of == date(2020, 12, 31)
    assert compliance_report(engine, 2100).as_of == date.today()


def test_totals_arrive_when_nobody_is_on_either_list(engine):
    high, low = add_worker(engine, "技师", rank=TECHNICIAN), add_worker(engine, "中级", rank=INTERMEDIATE)
    trained(engine, high, date(2025, 6, 1))
    trained(engine, low, date(2024, 6, 1))
    report = compliance_report(engine, 2025, as_of=YEAR_END)
    assert (report.high_skilled_total, report.skilled_total) == (1, 1)
    assert report.high_skilled_untrained == [] and report.skilled_not_rotated == []


def test_rows_carry_what_the_clerk_needs_ordered_by_department_then_number(engine):
    add_worker(engine, "乙", rank=SENIOR, department="装配车间", employee_no="B002")
    add_worker(engine, "甲", rank=SENIOR, department="装配车间", employee_no="B001")
    add_worker(engine, "丙", rank=TECHNICIAN, department=None, employee_no="A001")
    add_worker(engine, "丁", rank=TECHNICIAN, department="机加工车间", employee_no="C001")
    rows = compliance_report(engine, 2025, as_of=YEAR_END).high_skilled_untrained
    assert [(r.employee_no, r.department, r.level) for r in rows] == [
        ("C001", "机加工车间", "技师"), ("B001", "装配车间", "高级工"), ("B002", "装配车间", "高级工"), ("A001", None, "技师"),
    ]


def test_excel_has_both_sheets_with_title_header_and_text_cells(engine, tmp_path):
    add_worker(engine, "=HYPERLINK(\"http://x\")", rank=SENIOR, department="-机修", employee_no="+001")
    trained(engine, add_worker(engine, "中级", rank=INTERMEDIATE), date(2021, 5, 6))
    report = compliance_report(engine, 2025, as_of=YEAR_END)

    out = write_compliance_report(report, tmp_path / "子目录" / "培训达标.xlsx")

    book = load_workbook(out)
    assert book.sheetnames == [SHEET_YEARLY, SHEET_ROTATION]
    yearly, rotation = book[SHEET_YEARLY], book[SHEET_ROTATION]
    assert "2025年" in yearly["A1"].value and "每年至少完成 1 次" in yearly["A1"].value
    assert "轮训周期 3 年：2023–2025年" in rotation["A1"].value
    assert [c.value for c in yearly[2]] == list(HEADERS) == [
        "工号", "姓名", "部门", "技能等级", "本年完成次数", "最近一次完成日期", "原因"]
    assert yearly.freeze_panes == "A3" and yearly.column_dimensions["G"].width > 40
    employee_no, name, department = (yearly.cell(3, column) for column in (1, 2, 3))
    assert (employee_no.value, name.value, department.value) == ("+001", "=HYPERLINK(\"http://x\")", "-机修")
    assert {employee_no.data_type, name.data_type, department.data_type} == {"s"}
    assert yearly.max_row == 3
    last = rotation.cell(3, 6)
    assert last.value.date() == date(2021, 5, 6) and last.number_format == "yyyy-mm-dd"
    assert rotation.cell(3, 4).value == "中级工" and rotation.cell(3, 5).value == 0
