"""The personal training account over a real SQLite file: the ledger in Decimal across
years and corrections, overdrafts and their recorded override, the development plan and
the 重点培养对象 list."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from app.errors import FieldErrors, Refused
from app.models import TrainingAccount
from app.models.db import unit_of_work
from app.services.accounts import (
    balance,
    correct,
    credit,
    debit,
    ensure_account,
    key_talents,
    ledger,
    load_plan,
    progress,
    save_plan,
)
from app.services.workers import StaleRecord
from tests.test_training_service import TODAY, certify, entries, hire, problems_of


@pytest.fixture
def zhang(engine):
    return hire(engine, "张三", 11)


def charge(engine, worker_id, amount, on, **extra) -> int:
    with unit_of_work(engine) as session:
        return debit(session, worker_id, amount, on=on, **extra)


def test_an_account_is_readable_for_anyone_and_opened_on_first_use(engine, zhang):
    assert balance(engine, zhang) == Decimal("0.00")
    assert ledger(engine, zhang) == []
    assert load_plan(engine, zhang).version is None
    assert progress(engine, zhang, today=TODAY).text == "当前 学徒工，未设定目标等级"
    with unit_of_work(engine) as session:
        assert session.get(TrainingAccount, zhang) is None
        ensure_account(session, zhang)
        assert ensure_account(session, zhang).key_talent is False
    credit(engine, zhang, "100", on=date(2026, 1, 1), reason="预算")
    with unit_of_work(engine) as session:
        assert session.get(TrainingAccount, zhang) is not None


def test_the_ledger_across_two_years_with_corrections_in_decimal(engine, zhang):
    credit(engine, zhang, "5000", on=date(2025, 1, 1), reason="2025 年度培训预算")
    spent_2025 = charge(engine, zhang, Decimal("1234.56"), date(2025, 3, 10), reason="焊工中级班")
    credit(engine, zhang, Decimal("3000.00"), on=date(2026, 1, 1), reason="2026 年度培训预算")
    charge(engine, zhang, "2500.10", date(2026, 4, 1), reason="技师班")
    # The 2025 course really cost 1034.56: corrected in 2026, then corrected once more.
    first = correct(engine, spent_2025, "1034.56", on=date(2026, 2, 1), reason="发票金额有误")
    second = correct(engine, spent_2025, Decimal("1134.56"), on=date(2026, 5, 1), reason="补交教材费")

    expected = {
        date(2024, 12, 31): "0.00", date(2025, 1, 1): "5000.00", date(2025, 3, 10): "3765.44",
        date(2025, 12, 31): "3765.44", date(2026, 1, 1): "6765.44", date(2026, 2, 1): "6965.44",
        date(2026, 4, 1): "4465.34", date(2026, 5, 1): "4365.34",
    }
    for day, amount in expected.items():
        found = balance(engine, zhang, on=day)
        assert found == Decimal(amount) and found.as_tuple().exponent == -2, day
    assert balance(engine, zhang) == Decimal("4365.34")

    rows = ledger(engine, zhang)
    assert [(r.entry_date, r.kind, r.amount, r.balance) for r in rows] == [
        (date(2025, 1, 1), "预算拨入", Decimal("5000.00"), Decimal("5000.00")),
        (date(2025, 3, 10), "培训扣费", Decimal("-1234.56"), Decimal("3765.44")),
        (date(2026, 1, 1), "预算拨入", Decimal("3000.00"), Decimal("6765.44")),
        (date(2026, 2, 1), "更正", Decimal("200.00"), Decimal("6965.44")),
        (date(2026, 4, 1), "培训扣费", Decimal("-2500.10"), Decimal("4465.34")),
        (date(2026, 5, 1), "更正", Decimal("-100.00"), Decimal("4365.34")),
    ]
    by_id = {e.id: e for e in entries(engine, zhang)}
    assert by_id[spent_2025].amount == Decimal("-1234.56")  # never rewritten
    assert by_id[first].corrects_entry_id == by_id[second].corrects_entry_id == spent_2025
    assert by_id[first].reason == "发票金额有误"


def test_a_credit_can_be_corrected_too_and_bad_corrections_are_refused(engine, zhang):
    budget = credit(engine, zhang, "2000", on=date(2026, 1, 1), reason="预算")
    fix = correct(engine, budget, "2500", on=date(2026, 1, 5), reason="追加预算")
    assert balance(engine, zhang) == Decimal("2500.00")
    with pytest.raises(Refused, match="更正记录不能再更正"):
        correct(engine, fix, "100", on=date(2026, 1, 6), reason="x")
    with pytest.raises(Refused, match="无需更正"):
        correct(engine, budget, "2500.00", on=date(2026, 1, 6), reason="x")
    with pytest.raises(FieldErrors) as excinfo:
        correct(engine, budget, "-1", on=date(2026, 1, 6), reason="")
    assert problems_of(excinfo) == {"amount": "更正后金额：金额不能为负数", "reason": "更正原因：不能为空"}
    assert len(ledger(engine, zhang)) == 2


@pytest.mark.parametrize(
    ("amount", "words"),
    [("0", "拨入金额：应大于 0"), ("-5", "拨入金额：金额不能为负数"), ("1.005", "拨入金额：金额最多两位小数"),
     (None, "拨入金额：不能为空"), ("abc", "拨入金额：不是金额")],
)
def test_a_bad_credit_is_refused_naming_its_field(engine, zhang, amount, words):
    with pytest.raises(FieldErrors) as excinfo:
        credit(engine, zhang, amount, on=date(2026, 1, 1), reason="预算")
    assert problems_of(excinfo) == {"amount": words}


def test_overspending_is_refused_without_a_reason_and_recorded_with_one(engine, zhang):
    credit(engine, zhang, "1000", on=date(2026, 1, 1), reason="预算")
    with pytest.raises(Refused) as excinfo:
        charge(engine, zhang, "1000.01", date(2026, 3, 2))
    assert "2026-03-02 余额 1000.00 元，扣费 1000.01 元后为 -0.01 元" in str(excinfo.value)
    assert "超支原因" in str(excinfo.value)

    ordinary = charge(engine, zhang, "600", date(2026, 3, 2), override_reason="不需要的理由")
    overdrawn = charge(engine, zhang, "700", date(2026, 4, 2), override_reason="  厂长特批  ")
    by_id = {e.id: e for e in entries(engine, zhang)}
    assert by_id[ordinary].override_reason is None  # it needed no override: none is claimed
    assert by_id[overdrawn].override_reason == "厂长特批"
    assert [r.override_reason for r in ledger(engine, zhang)] == ["", "", "厂长特批"]
    assert balance(engine, zhang) == Decimal("-300.00")


def test_a_backdated_debit_may_not_overdraw_a_later_date(engine, zhang):
    credit(engine, zhang, "1000", on=date(2026, 1, 1), reason="预算")
    charge(engine, zhang, "800", date(2026, 6, 1))
    with pytest.raises(Refused) as excinfo:
        charge(engine, zhang, "500", date(2026, 2, 1))  # 1000 on 1 February, but 2026-06-01 would be −300
    assert "2026-06-01 余额将为 -300.00 元" in str(excinfo.value)
    with pytest.raises(Refused):  # a correction that overdraws needs the same override
        correct(engine, ledger(engine, zhang)[1].id, "1200", on=date(2026, 7, 1), reason="补费")


PLAN = {
    "key_talent": True, "target_level": "技师", "target_date": "2028-12-31", "planned_courses": "焊工技师班",
    "self_study_plan": "《焊接工艺学》；每月练习仰焊", "plan_years": 3,
}


def test_the_plan_is_saved_and_a_stale_one_refused(engine, zhang):
    version = save_plan(engine, zhang, PLAN, today=TODAY)
    plan = load_plan(engine, zhang)
    assert (plan.key_talent, plan.target_level, plan.target_date, plan.plan_years, plan.version) == (
        True, 4, date(2028, 12, 31), 3, version,
    )
    save_plan(engine, zhang, {**PLAN, "plan_years": "5"}, expected_version=version, today=TODAY)
    with pytest.raises(StaleRecord):
        save_plan(engine, zhang, {**PLAN, "plan_years": 4}, expected_version=version, today=TODAY)
    assert load_plan(engine, zhang).plan_years == 5


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"target_level": "高级工程师"}, "target_level", "目标等级：这是职称"),
        ({"target_level": 9}, "target_level", "目标等级：应为 初级工 到 首席技师 之一"),
        ({"target_level": "中级工"}, "target_level", "目标等级：不高于当前等级 中级工"),
        ({"target_level": None}, "target_date", "目标日期：填写了目标日期，须同时填写目标等级"),
        ({"target_date": "2028-13-01"}, "target_date", "目标日期：日期不存在"),
        ({"plan_years": 2}, "plan_years", "规划年限：应在 3 到 5 之间"),
        ({"plan_years": "三"}, "plan_years", "规划年限：应为整数"),
    ],
)
def test_each_plan_refusal_names_its_field(engine, zhang, changes, field, words):
    certify(engine, zhang, "中级工", date(2020, 5, 1), "Y000000000000000400001")
    with pytest.raises(FieldErrors) as excinfo:
        save_plan(engine, zhang, {**PLAN, **changes}, today=TODAY)
    assert words in problems_of(excinfo)[field]
    assert load_plan(engine, zhang).target_level is None


def test_progress_towards_the_target(engine, zhang):
    certify(engine, zhang, "中级工", date(2020, 5, 1), "Y000000000000000400001")
    save_plan(engine, zhang, PLAN, today=TODAY)
    now = progress(engine, zhang, today=TODAY)
    assert now.text == "当前 中级工，目标 技师（2028-12-31），还差 2 级"
    assert (now.current_rank, now.target_rank, now.steps_to_go, now.days_left, now.on_track) == (
        2, 4, 2, (date(2028, 12, 31) - TODAY).days, None,
    )
    late = progress(engine, zhang, today=date(2029, 1, 10))
    assert late.on_track is False and late.text.endswith("还差 2 级，已超过目标日期 10 天")
    certify(engine, zhang, "技师", date(2026, 9, 1), "Y000000000000000200001")
    done = progress(engine, zhang, today=TODAY)
    assert (done.steps_to_go, done.on_track, done.text) == (0, True, "当前 技师，目标 技师（2028-12-31），已达成")


def test_key_talents_lists_the_flagged_workers_still_employed(engine, zhang):
    li = hire(engine, "李四", 12, department="二车间")
    gone = hire(engine, "王五", 13, status="离职", leave_date=date(2026, 5, 1))
    hire(engine, "赵六", 14)  # has no plan: not listed
    certify(engine, zhang, "中级工", date(2020, 5, 1), "Y000000000000000400001")
    save_plan(engine, zhang, PLAN, today=TODAY)
    save_plan(engine, li, {"key_talent": True}, today=TODAY)
    save_plan(engine, gone, PLAN, today=TODAY)
    credit(engine, zhang, "3000", on=date(2026, 1, 1), reason="预算")
    charge(engine, zhang, "1234.50", date(2026, 3, 2))
    credit(engine, zhang, "9000", on=date(2027, 1, 1), reason="明年预算")  # not yet on TODAY

    rows = key_talents(engine, today=TODAY)
    assert [(r.name, r.employee_no, r.department, r.current_level, r.target_level, r.target_date, r.balance)
            for r in rows] == [
        ("张三", "1011", "一车间", "中级工", "技师", date(2028, 12, 31), Decimal("1765.50")),
        ("李四", "1012", "二车间", "学徒工", "", None, Decimal("0.00")),
    ]
    assert rows[0].progress == "当前 中级工，目标 技师（2028-12-31），还差 2 级"
    assert rows[1].progress == "当前 学徒工，未设定目标等级"
