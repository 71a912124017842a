"""Service-period agreements 培训服务期协议 over a real SQLite file: the repayment on departure
at the start, middle and last day of the period, the open and departure lists, settling,
and the statement printed for the departure paperwork."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import pytest

from app.errors import FieldErrors, Refused
from app.services.agreements import (
    departure_statement,
    departures_with_open_agreements,
    load_agreement,
    mark_fulfilled,
    open_agreements,
    repayment_due,
    save_agreement,
    service_days,
    settle_agreement,
)
from app.services.training import enrol_workers, enrolments_of_worker
from app.services.workers import load_worker, save_worker
from tests.test_training_service import TODAY, hire, new_programme, problems_of

YEAR_2026 = SimpleNamespace(cost=Decimal("36500.00"), service_start=date(2026, 1, 1), service_end=date(2026, 12, 31))


@pytest.mark.parametrize(
    ("leave", "due"),
    [
        (date(2026, 1, 1), "36400.00"),  # the first day: one day of 365 served
        (date(2026, 7, 2), "18200.00"),  # the middle: 183 served, 182 left
        (date(2026, 12, 31), "0.00"),  # the last day: the period is served
        (date(2025, 12, 31), "36500.00"),  # before the period starts: all of it, never more
        (date(2027, 3, 1), "0.00"),  # after it ended: nothing, never negative
    ],
)
def test_repayment_through_a_period(leave, due):
    assert repayment_due(YEAR_2026, leave) == Decimal(due)


def test_a_period_of_one_day():
    one_day = SimpleNamespace(cost=Decimal("999.99"), service_start=date(2026, 5, 1), service_end=date(2026, 5, 1))
    assert service_days(one_day, date(2026, 5, 1)) == (1, 1)
    assert repayment_due(one_day, date(2026, 5, 1)) == Decimal("0.00")
    assert repayment_due(one_day, date(2026, 4, 30)) == Decimal("999.99")


def test_repayment_rounds_half_up_to_the_cent():
    three_days = SimpleNamespace(cost=Decimal("10000.00"), service_start=date(2026, 5, 1), service_end=date(2026, 5, 3))
    assert repayment_due(three_days, date(2026, 5, 1)) == Decimal("6666.67")
    assert repayment_due(three_days, date(2026, 5, 2)) == Decimal("3333.33")
    two_days = SimpleNamespace(cost=Decimal("0.05"), service_start=date(2026, 5, 1), service_end=date(2026, 5, 2))
    assert repayment_due(two_days, date(2026, 5, 1)) == Decimal("0.03")  # 0.025: half-up, not to even
    three_years = SimpleNamespace(cost=Decimal(30000), service_start=date(2026, 3, 21), service_end=date(2029, 3, 20))
    assert service_days(three_years, date(2027, 6, 30)) == (467, 1096)
    assert repayment_due(three_years, date(2027, 6, 30)) == Decimal("17217.15")  # 30000 × 629 ÷ 1096


@pytest.fixture
def zhang(engine):
    return hire(engine, "张三", 11)


@pytest.fixture
def enrolment(engine, zhang):
    programme = new_programme(engine, funding_source="职工教育经费", cost_per_person="30000")
    enrol_workers(engine, programme, [zhang], enrolled_on=date(2026, 2, 20))
    return enrolments_of_worker(engine, zhang)[0].id


def agreement_values(worker_id, **changes) -> dict:
    values = {
        "worker_id": worker_id, "agreement_no": "FW-2026-001", "signed_on": date(2026, 3, 1), "cost": "30000",
        "service_start": date(2026, 3, 21), "service_end": date(2029, 3, 20), "notes": "",
    }
    values.update(changes)
    return values


def leave(engine, worker_id: int, on: date) -> None:
    record = load_worker(engine, worker_id, today=TODAY)
    values = {key: getattr(record, key) for key in ("employee_no", "name", "id_type", "id_number", "department",
                                                    "occupation", "hire_date")}
    save_worker(engine, {**values, "status": "离职", "leave_date": on}, worker_id=worker_id, today=TODAY)


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"cost": "0"}, "cost", "培训费用：应大于 0"),
        ({"cost": "-30000"}, "cost", "培训费用：金额不能为负数"),
        ({"cost": ""}, "cost", "培训费用：不能为空"),
        ({"service_end": date(2026, 3, 20)}, "service_end", "服务期终止日：早于服务期起始日 2026-03-21"),
        ({"service_start": None}, "service_start", "服务期起始日：不能为空"),
        ({"signed_on": date(2029, 4, 1)}, "signed_on", "签订日期：晚于服务期终止日 2029-03-20"),
        ({"worker_id": None}, "worker_id", "职工：不能为空"),
        ({"agreement_no": "F" * 65}, "agreement_no", "协议编号：最多 64 个字，当前 65 个"),
    ],
)
def test_each_agreement_refusal_names_its_field(engine, zhang, changes, field, words):
    with pytest.raises(FieldErrors) as excinfo:
        save_agreement(engine, {**agreement_values(zhang), **changes})
    assert problems_of(excinfo)[field] == words
    assert open_agreements(engine, today=TODAY) == []


def test_an_agreement_covers_only_the_workers_own_enrolments_and_its_number_is_unique(engine, zhang, enrolment):
    li = hire(engine, "李四", 12)
    with pytest.raises(FieldErrors) as excinfo:
        save_agreement(engine, agreement_values(li, enrolment_ids=[enrolment, 999]))
    assert problems_of(excinfo)["enrolment_ids"] == "所含培训：有 1 条报名记录已不存在，请重新选择"
    with pytest.raises(FieldErrors) as excinfo:
        save_agreement(engine, agreement_values(li, enrolment_ids=[enrolment]))
    assert problems_of(excinfo)["enrolment_ids"] == "所含培训：「焊工技师培训班」不是 李四 本人报名的培训"
    save_agreement(engine, agreement_values(zhang, enrolment_ids=[enrolment]))
    with pytest.raises(FieldErrors) as excinfo:
        save_agreement(engine, agreement_values(li))
    assert problems_of(excinfo)["agreement_no"] == "协议编号：FW-2026-001 已用于职工 张三（工号 1011） 的协议"


def test_open_agreements_show_the_days_left_and_the_repayment_today(engine, zhang, enrolment):
    agreement = save_agreement(engine, agreement_values(zhang, enrolment_ids=[enrolment]))
    (row,) = open_agreements(engine, today=date(2027, 6, 30))
    assert (row.id, row.worker_name, row.employee_no, row.cost, row.status) == (
        agreement, "张三", "1011", Decimal("30000.00"), "有效",
    )
    assert (row.total_days, row.days_left, row.repayment_due) == (1096, 629, Decimal("17217.15"))
    # Editing keeps one agreement and replaces what it covers.
    save_agreement(engine, agreement_values(zhang, cost="24000", enrolment_ids=[]), agreement_id=agreement,
                   expected_version=row.version)
    assert load_agreement(engine, agreement, today=date(2026, 3, 21)).repayment_due == Decimal("23978.10")
    assert "所含培训" not in departure_statement(engine, agreement, date(2027, 6, 30))


def test_a_departure_with_an_open_agreement_shows_the_repayment_on_the_leave_date(engine, zhang, enrolment):
    agreement = save_agreement(engine, agreement_values(zhang, enrolment_ids=[enrolment]))
    staying = hire(engine, "李四", 12)
    save_agreement(engine, agreement_values(staying, agreement_no="FW-2026-002"))
    assert departures_with_open_agreements(engine, today=TODAY) == []

    leave(engine, zhang, date(2027, 6, 30))
    (row,) = departures_with_open_agreements(engine, today=TODAY)
    assert (row.id, row.leave_date, row.as_of, row.repayment_due) == (
        agreement, date(2027, 6, 30), date(2027, 6, 30), Decimal("17217.15"),
    )
    assert len(open_agreements(engine, today=TODAY)) == 2

    settle_agreement(engine, agreement, settled_on=date(2027, 7, 5), repayment=Decimal("17217.15"), note="已扣工资")
    assert departures_with_open_agreements(engine, today=TODAY) == []
    settled = load_agreement(engine, agreement)
    assert (settled.status, settled.settled_on, settled.repaid) == ("已结清", date(2027, 7, 5), Decimal("17217.15"))
    with pytest.raises(Refused, match="状态为已结清（2027-07-05）"):
        save_agreement(engine, agreement_values(zhang), agreement_id=agreement)


def test_settling_more_than_the_cost_is_refused(engine, zhang):
    agreement = save_agreement(engine, agreement_values(zhang))
    with pytest.raises(FieldErrors) as excinfo:
        settle_agreement(engine, agreement, settled_on=None, repayment="30000.01")
    assert problems_of(excinfo) == {
        "settled_on": "结清日期：不能为空",
        "repayment": "偿还金额：超过培训费用 30000.00 元（偿还金额不能超过企业支付的培训费用）",
    }
    assert load_agreement(engine, agreement).status == "有效"


def test_an_agreement_is_fulfilled_only_after_its_period_was_served(engine, zhang):
    agreement = save_agreement(engine, agreement_values(zhang))
    with pytest.raises(FieldErrors) as excinfo:
        mark_fulfilled(engine, agreement, on=date(2029, 3, 20))
    assert problems_of(excinfo) == {"on": "履行完毕日期：服务期至 2029-03-20 尚未届满"}
    mark_fulfilled(engine, agreement, on=date(2029, 3, 21))
    assert load_agreement(engine, agreement).status == "已履行"

    li = hire(engine, "李四", 12)
    early = save_agreement(engine, agreement_values(li, agreement_no="FW-2026-002"))
    leave(engine, li, date(2028, 1, 31))
    with pytest.raises(Refused, match="服务期未满，应办理结清"):
        mark_fulfilled(engine, early, on=date(2029, 4, 1))


def test_the_departure_statement_carries_the_full_id_and_the_arithmetic(engine, zhang, enrolment):
    agreement = save_agreement(engine, agreement_values(zhang, enrolment_ids=[enrolment]))
    leave(engine, zhang, date(2027, 6, 30))
    text = departure_statement(engine, agreement)
    id_number = load_worker(engine, zhang, today=TODAY).id_number
    for words in (
        "培训服务期协议 离职结算单", "职工姓名：张三", "工号：1011", f"证件号码：{id_number}", "协议编号：FW-2026-001",
        "服务期：2026-03-21 至 2029-03-20（共 1096 天）", "培训费用（企业支付）：30000.00 元",
        "焊工技师培训班（2026-03-02 开班，扣费 30000.00 元）", "离职日期：2027-06-30",
        "已服务：467 天 / 1096 天；未服务：629 天", "应偿还培训费用：17217.15 元（人民币壹万柒仟贰佰壹拾柒元壹角伍分）",
        "劳动合同法 第二十二条",
    ):
        assert words in text
    assert "离职日期：2026-03-21" in departure_statement(engine, agreement, date(2026, 3, 21))
    li = hire(engine, "李四", 12)
    staying = save_agreement(engine, agreement_values(li, agreement_no=None))
    with pytest.raises(FieldErrors) as excinfo:
        departure_statement(engine, staying)
    assert problems_of(excinfo) == {"leave_date": "离职日期：该职工没有离职日期，请填写"}
