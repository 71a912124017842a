"""职工教育经费 per year: what was used and on whom, the policy floors and their warnings,
the payroll proposal, and what the clerk may type. The builders here also serve the
compliance and command-line tests."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from app.errors import FieldErrors
from app.services.fund import NOT_STORED, fund_as_json, fund_year, fund_years, save_fund_year
from app.services.policy import set_policy_value
from app.services.training_rules import FUNDING_GOVERNMENT
from app.services.workers import StaleRecord
from tests.factories import add_programme, add_worker, enrol

def test_used_and_frontline_share_count_only_fund_programmes_started_that_year(engine):
    line = add_worker(engine, "张一线")
    office = add_worker(engine, "李科室", frontline=False)
    in_year, last_day = add_programme(engine, date(2025, 3, 1)), add_programme(engine, date(2025, 12, 31))
    enrol(engine, in_year, line, cost="500.00")
    enrol(engine, in_year, office, cost="300.50")
    enrol(engine, last_day, line, cost="100.00")
    # Not the 2025 fund: a subsidised class, a class of the years around it.
    enrol(engine, add_programme(engine, date(2025, 5, 1), funding=FUNDING_GOVERNMENT), line, cost="9999.00")
    enrol(engine, add_programme(engine, date(2024, 12, 31)), line, cost="7777.00")
    enrol(engine, add_programme(engine, date(2026, 1, 1)), office, cost="8888.00")

    fund = fund_year(engine, 2025, today=date(2026, 3, 1))

    assert fund.used == Decimal("900.50")
    assert fund.used_frontline == Decimal("600.00")
    assert fund.frontline_share == Decimal("66.63")  # 600 / 900.50, half up
    assert fund_year(engine, 2024, today=date(2026, 3, 1)).used == Decimal("7777.00")


def test_no_spending_has_no_share_and_no_share_warning(engine):
    fund = fund_year(engine, 2025, today=date(2026, 3, 1))
    assert fund.used == Decimal("0.00") and fund.used_frontline == Decimal("0.00")
    assert fund.frontline_share is None
    assert fund.warnings == ["尚未确认工资总额"]


# ── thresholds and warnings ─────────────────────────────────────────────────────────


def test_every_floor_broken_is_said_in_chinese(engine):
    line, office = add_worker(engine, "一线"), add_worker(engine, "科室", frontline=False)
    programme = add_programme(engine, date(2025, 4, 1))
    enrol(engine, programme, line, cost="523.00")
    enrol(engine, programme, office, cost="477.00")

    fund = save_fund_year(engine, 2025, payroll_total="50000", extraction_rate="1.2", today=date(2026, 3, 1))

    assert fund.payroll_total == Decimal("50000.00")
    assert fund.extraction_rate == Decimal("1.20")
    assert fund.extracted_amount == Decimal("600.00")  # 50000 × 1.2 %
    assert fund.frontline_share == Decimal("52.30")
    assert fund.warnings == [
        "提取比例 1.20% 低于 1.5% 的下限",
        "用于一线职工的比例 52.30% 低于 60% 的下限",
        "已用经费超过提取金额（已用 1000.00 元，提取 600.00 元）",
    ]


def test_meeting_every_floor_gives_no_warning(engine):
    enrol(engine, add_programme(engine, date(2025, 4, 1)), add_worker(engine, "一线"), cost="600.00")
    fund = save_fund_year(engine, 2025, payroll_total="100000.00", extraction_rate=None, today=date(2026, 3, 1))
    assert fund.extraction_rate == Decimal("1.50")  # a blank rate is the policy minimum
    assert fund.extracted_amount == Decimal("1500.00")
    assert fund.frontline_share == Decimal("100.00")
    assert fund.warnings == []


def test_a_typed_amount_below_the_floor_is_flagged_even_with_a_good_rate(engine):
    fund = save_fund_year(engine, 2025, payroll_total="100000", extraction_rate="2", extracted_amount="1000",
                          today=date(2026, 3, 1))
    assert fund.extracted_amount == Decimal("1000.00")
    assert fund.warnings == ["提取金额 1000.00 元低于工资总额的 1.5%（1500.00 元）"]


def test_floors_come_from_the_policy_on_31_december(engine):
    set_policy_value(engine, "fund.min_extraction_rate", "2.5", date(2025, 12, 31))
    set_policy_value(engine, "fund.min_frontline_share", "70", date(2026, 1, 1))
    fund_2025, fund_2024 = fund_years(engine, [2025, 2024], today=date(2026, 3, 1))
    assert (fund_2025.min_rate, fund_2025.min_frontline_share) == (Decimal("2.5"), Decimal(60))
    assert fund_2025.extraction_rate == Decimal("2.50")
    assert (fund_2024.min_rate, fund_2024.extraction_rate) == (Decimal("1.5"), Decimal("1.50"))
    saved = save_fund_year(engine, 2025, payroll_total="1000", extraction_rate="2", today=date(2026, 3, 1))
    assert "提取比例 2.00% 低于 2.5% 的下限" in saved.warnings


# ── the payroll proposal ───────────────────────────────────────────────────────────


def test_payroll_proposal_sums_wages_of_workers_in_post_at_the_year_end(engine):
    add_worker(engine, "在职甲", wage="5000.00")
    add_worker(engine, "在职乙", wage="6000.50", hired=None)  # no hire date on the roster: still counted
    add_worker(engine, "无工资", wage=None)
    add_worker(engine, "年中离职", wage="9000.00", left=date(2025, 6, 30))
    add_worker(engine, "次年入职", wage="8000.00", hired=date(2026, 1, 1))
    add_worker(engine, "年末当日离职", wage="7000.00", left=date(2025, 12, 31))

    assert fund_year(engine, 2025, today=date(2026, 3, 1)).payroll_proposal == Decimal("132006.00")
    # The current year: those in post today, including who joined in January.
    assert fund_year(engine, 2026, today=date(2026, 3, 1)).payroll_proposal == Decimal("228006.00")


# ── what the clerk types ───────────────────────────────────────────────────────────


@pytest.mark.parametrize(
    ("values", "field", "text"),
    [
        ({"payroll_total": "-1"}, "payroll_total", "工资总额：金额不能为负数"),
        ({"payroll_total": "100.123"}, "payroll_total", "工资总额：金额最多两位小数"),
        ({"payroll_total": "十万"}, "payroll_total", "工资总额：不是金额"),
        ({"extraction_rate": "-0.5"}, "extraction_rate", "提取比例：不能为负数"),
        ({"extraction_rate": "1.555"}, "extraction_rate", "提取比例：最多两位小数"),
        ({"extraction_rate": "100.01"}, "extraction_rate", "提取比例：不能超过 100%"),
        ({"extraction_rate": "一点五"}, "extraction_rate", "提取比例：应为百分数"),
        ({"extracted_amount": "-3"}, "extracted_amount", "提取金额：金额不能为负数"),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(engine, values, field, text):
    typed = {"payroll_total": "1000", "extraction_rate": "1.5", **values}
    with pytest.raises(FieldErrors) as refused:
        save_fund_year(engine, 2025, **typed)
    assert [p.field for p in refused.value.problems] == [field]
    assert refused.value.problems[0].message.startswith(text)
    assert fund_year(engine, 2025).version == NOT_STORED


def test_rate_accepts_a_percent_sign_and_the_amount_yuan(engine):
    fund = save_fund_year(engine, 2025, payroll_total="1,000,000元", extraction_rate="2.5%", notes="  财务已确认 ")
    assert (fund.payroll_total, fund.extraction_rate) == (Decimal("1000000.00"), Decimal("2.50"))
    assert fund.extracted_amount == Decimal("25000.00")
    assert fund.notes == "财务已确认"


def test_a_year_changed_by_another_clerk_is_not_overwritten(engine):
    first = save_fund_year(engine, 2025, payroll_total="1000", extraction_rate="1.5")
    save_fund_year(engine, 2025, payroll_total="2000", extraction_rate="1.5", expected_version=first.version)
    with pytest.raises(StaleRecord, match="职工教育经费"):
        save_fund_year(engine, 2025, payroll_total="3000", extraction_rate="1.5", expected_version=first.version)
    assert fund_year(engine, 2025).payroll_total == Decimal("2000.00")


def test_json_form_has_two_decimal_strings_and_the_floors_as_typed(engine):
    enrol(engine, add_programme(engine, date(2025, 4, 1)), add_worker(engine, "一线"), cost="625.00")
    enrol(engine, add_programme(engine, date(2025, 5, 1)), add_worker(engine, "科室", frontline=False),
          cost="375.00")
    fund = save_fund_year(engine, 2025, payroll_total="100000", extraction_rate="1.5", today=date(2026, 3, 1))
    assert fund_as_json(fund) == {
        "year": 2025, "payroll_total": "100000.00", "payroll_proposal": "120000.00", "extraction_rate": "1.50",
        "extracted_amount": "1500.00", "used": "1000.00", "used_frontline": "625.00", "frontline_share": "62.50",
        "min_rate": "1.5", "min_frontline_share": "60", "warnings": [],
    }


def test_two_clerks_saving_a_new_year_do_not_overwrite_each_other(engine):
    first = fund_year(engine, 2025)
    second = fund_year(engine, 2025)  # both opened the year before anything was stored
    save_fund_year(engine, 2025, payroll_total="1000000", extraction_rate="1.5", expected_version=first.version)
    with pytest.raises(StaleRecord):
        save_fund_year(engine, 2025, payroll_total="2000000", extraction_rate="2", expected_version=second.version)
    assert fund_year(engine, 2025).payroll_total == Decimal("1000000.00")
