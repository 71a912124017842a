"""`training report` and `fund` on the command line (SPEC §8): output, exit codes, Chinese."""

from __future__ import annotations

import json
from datetime import date

import pytest
from openpyxl import load_workbook

from app.reports.training_xlsx import SHEET_ROTATION, SHEET_YEARLY
from app.services.fund import save_fund_year
from app.services.levels import INTERMEDIATE, SENIOR
from tests.test_cli import run
from tests.factories import add_programme, add_worker, enrol, trained


def test_training_report_writes_the_workbook_and_sums_up(capsys, engine, db_path, tmp_path):
    add_worker(engine, "=未培训", rank=SENIOR)
    trained(engine, add_worker(engine, "已培训", rank=SENIOR), date(2025, 7, 1))
    add_worker(engine, "未轮训", rank=INTERMEDIATE)
    out = tmp_path / "培训达标情况.xlsx"

    code, stdout, stderr = run(capsys, "--db", db_path, "training", "report", "--year", 2025, "--out", out)

    assert code == 0 and stderr == ""
    assert "高技能人才 2 名，其中未完成年度培训（每年至少 1 次）的 1 名" in stdout
    assert "初级工、中级工 1 名，其中 2023–2025 年未参加轮训的 1 名" in stdout
    book = load_workbook(out)
    assert book[SHEET_YEARLY].cell(3, 2).value == "=未培训"
    assert book[SHEET_ROTATION].cell(3, 2).value == "未轮训"


def test_fund_json_gives_amounts_as_two_decimal_strings(capsys, engine, db_path):
    enrol(engine, add_programme(engine, date(2025, 3, 1)), add_worker(engine, "一线"), cost="500.00")
    enrol(engine, add_programme(engine, date(2025, 4, 1)), add_worker(engine, "科室", frontline=False),
          cost="300.00")
    save_fund_year(engine, 2025, payroll_total="40000", extraction_rate="1.2")

    code, stdout, _ = run(capsys, "--db", db_path, "fund", "--year", 2025, "--json")

    assert code == 0
    data = json.loads(stdout)
    assert {key: data[key] for key in ("payroll_total", "extraction_rate", "extracted_amount", "used",
                                       "used_frontline", "frontline_share", "min_rate", "min_frontline_share")} == {
        "payroll_total": "40000.00", "extraction_rate": "1.20", "extracted_amount": "480.00", "used": "800.00",
        "used_frontline": "500.00", "frontline_share": "62.50", "min_rate": "1.5", "min_frontline_share": "60",
    }
    assert data["year"] == 2025 and data["payroll_proposal"] == "120000.00"
    assert data["warnings"] == [
        "提取比例 1.20% 低于 1.5% 的下限", "已用经费超过提取金额（已用 800.00 元，提取 480.00 元）"]


def test_fund_summary_is_readable_chinese_with_the_warnings(capsys, db_path):
    code, stdout, _ = run(capsys, "--db", db_path, "fund", "--year", 2025)
    assert code == 0
    assert stdout.startswith("2025年职工教育经费\n工资总额：尚未确认")
    assert "提取比例：1.50%（下限 1.5%）" in stdout
    assert "用于一线职工的比例：—（下限 60%）" in stdout
    assert "提醒：\n  - 尚未确认工资总额" in stdout
    code, stdout, _ = run(capsys, "--db", db_path, "fund", "--year", 2025, "--json")
    assert json.loads(stdout)["payroll_total"] is None and json.loads(stdout)["frontline_share"] is None


@pytest.mark.parametrize(
    "argv",
    [
        ("fund", "--year", "1999"),
        ("fund", "--year", "2101"),
        ("fund", "--year", "二〇二五"),
        ("training", "report", "--year", "25", "--out", "r.xlsx"),
    ],
)
def test_a_year_outside_2000_to_2100_is_a_usage_error(capsys, db_path, argv):
    code, stdout, stderr = run(capsys, "--db", db_path, *argv)
    assert code == 2 and stdout == ""
    assert "年度应为 2000–2100 之间的四位数字" in stderr


def test_training_report_needs_an_xlsx_name_and_an_action(capsys, db_path, tmp_path):
    code, _, stderr = run(capsys, "--db", db_path, "training", "report", "--year", 2025, "--out", tmp_path / "r.pdf")
    assert code == 2 and "输出文件应以 .xlsx 结尾" in stderr and not (tmp_path / "r.pdf").exists()
    code, _, stderr = run(capsys, "--db", db_path, "training")
    assert code == 2 and "缺少必需的参数" in stderr
