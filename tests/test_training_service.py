"""Training programmes, enrolments and results over a real SQLite file: checks naming their
fields, the link from an enrolment to its certificate, and the ledger following the charges.

The helpers at the top (hire, certify, new_programme, problems_of) serve the account and
agreement tests too."""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from app.errors import FieldErrors
from app.models import AccountEntry, TrainingEnrolment
from app.models.db import unit_of_work
from app.services import accounts
from app.services.training import (
    enrol_workers,
    enrolments_of_programme,
    enrolments_of_worker,
    link_certificate,
    list_programmes,
    load_programme,
    record_results,
    save_programme,
)
from app.services.workers import StaleRecord, add_certificate, save_worker
from tests.factories import make_id

TODAY = date(2026, 10, 15)
START = date(2026, 3, 2)


def hire(engine, name: str, seq: int, **changes) -> int:
    """A worker saved through the register's own service, 在职 unless told."""
    values = {
        "name": name, "employee_no": f"{1000 + seq}", "id_number": make_id(birth=date(1990, 3, 5), seq=seq),
        "department": "一车间", "occupation": "电焊工", "hire_date": date(2015, 7, 1), "status": "在职",
    }
    values.update(changes)
    return save_worker(engine, values, today=TODAY)


def certify(engine, worker_id: int, level: str, issued: date, number: str) -> int:
    cert_id, _warnings = add_certificate(
        engine, worker_id, {"kind": "职业技能等级证书", "level": level, "number": number, "issue_date": issued},
        today=TODAY,
    )
    return cert_id


def programme_values(**changes) -> dict:
    values = {
        "name": "焊工技师培训班", "provider": "市技师学院", "form": "校企合作", "start_date": START,
        "end_date": date(2026, 3, 20), "hours": 120, "cost_per_person": "1500.00", "funding_source": "职工教育经费",
        "occupation": "电焊工", "target_level": "技师",
    }
    values.update(changes)
    return values


def new_programme(engine, **changes) -> int:
    return save_programme(engine, programme_values(**changes))


def problems_of(excinfo) -> dict[str, str]:
    return {p.field: p.message for p in excinfo.value.problems}


def entries(engine, worker_id: int) -> list[AccountEntry]:
    with unit_of_work(engine) as session:
        return list(
            session.scalars(select(AccountEntry).where(AccountEntry.worker_id == worker_id).order_by(AccountEntry.id))
        )


@pytest.fixture
def programme_id(engine):
    return new_programme(engine)


@pytest.fixture
def zhang(engine):
    return hire(engine, "张三", 11)


@pytest.fixture
def enrolment_of(engine, programme_id):
    """worker id → that worker's enrolment id in the programme (enrolling them first).
    Nothing is charged, so recording results leaves the account alone unless a row says so."""

    def enrol(worker_id: int) -> int:
        enrol_workers(engine, programme_id, [worker_id], enrolled_on=date(2026, 2, 20), cost_charged="0")
        return next(row.id for row in enrolments_of_programme(engine, programme_id) if row.worker_id == worker_id)

    return enrol


def test_the_services_never_import_qt():
    modules = "app.services.training, app.services.accounts, app.services.agreements"
    code = f"import sys, {modules}; print('PySide6' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# --- programmes -------------------------------------------------------------------------


def test_a_programme_is_saved_and_listed_with_its_counts(engine, programme_id, zhang):
    li = hire(engine, "李四", 12)
    enrol_workers(engine, programme_id, [zhang, li], enrolled_on=date(2026, 2, 20))
    rows = {r.worker_id: r.id for r in enrolments_of_programme(engine, programme_id)}
    record_results(
        engine, programme_id,
        [
            {"enrolment_id": rows[zhang], "hours_attended": 120, "result": "合格", "completed_on": date(2026, 3, 20),
             "cost_charged": "0"},
            {"enrolment_id": rows[li], "hours_attended": 96, "result": "不合格", "completed_on": date(2026, 3, 20),
             "cost_charged": "0"},
        ],
        today=TODAY,
    )
    new_programme(engine, name="2025 安全培训", start_date=date(2025, 5, 6), end_date=None, hours="8")

    (row,) = list_programmes(engine, 2026)
    assert (row.name, row.form, row.hours, row.cost_per_person, row.funding_source) == (
        "焊工技师培训班", "校企合作", 120, Decimal("1500.00"), "职工教育经费",
    )
    assert (row.occupation, row.target_level) == ("电焊工", 4)
    assert (row.enrolled, row.completed, row.passed) == (2, 2, 1)
    assert [r.name for r in list_programmes(engine)] == ["焊工技师培训班", "2025 安全培训"]
    assert load_programme(engine, programme_id) == row


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"name": " "}, "name", "项目名称：不能为空"),
        ({"form": "函授"}, "form", "培训形式：应为"),
        ({"start_date": None}, "start_date", "开始日期：不能为空"),
        ({"start_date": "2026-02-30"}, "start_date", "开始日期：日期不存在"),
        ({"end_date": date(2026, 3, 1)}, "end_date", "结束日期：早于开始日期 2026-03-02"),
        ({"hours": 0}, "hours", "学时：应大于 0"),
        ({"hours": "7.5"}, "hours", "学时：应为整数"),
        ({"hours": None}, "hours", "学时：不能为空"),
        ({"cost_per_person": "-100"}, "cost_per_person", "人均费用：金额不能为负数"),
        ({"cost_per_person": "12.345"}, "cost_per_person", "人均费用：金额最多两位小数"),
        ({"funding_source": "单位"}, "funding_source", "经费来源：应为 职工教育经费/政府补贴/个人 之一"),
        ({"target_level": "高级工程师"}, "target_level", "目标等级："),
        ({"name": "班" * 201}, "name", "项目名称：最多 200 个字"),
    ],
)
def test_each_programme_refusal_names_its_field(engine, changes, field, words):
    with pytest.raises(FieldErrors) as excinfo:
        new_programme(engine, **changes)
    assert words in problems_of(excinfo)[field]
    assert list_programmes(engine) == []


def test_every_programme_problem_is_reported_at_once(engine):
    with pytest.raises(FieldErrors) as excinfo:
        new_programme(engine, name="", hours=-3, cost_per_person="-1", funding_source="")
    assert set(problems_of(excinfo)) == {"name", "hours", "cost_per_person", "funding_source"}


def test_a_stale_programme_is_refused(engine, programme_id):
    version = load_programme(engine, programme_id).version
    save_programme(engine, programme_values(provider="职业技术学院"), programme_id=programme_id, expected_version=version)
    with pytest.raises(StaleRecord):
        save_programme(engine, programme_values(provider="培训中心"), programme_id=programme_id, expected_version=version)
    assert load_programme(engine, programme_id).provider == "职业技术学院"


def test_an_edit_cannot_contradict_recorded_results(engine, programme_id, zhang, enrolment_of):
    enrolment = enrolment_of(zhang)
    record_results(
        engine, programme_id,
        [{"enrolment_id": enrolment, "hours_attended": 100, "result": "合格", "completed_on": date(2026, 3, 20)}],
        today=TODAY,
    )
    with pytest.raises(FieldErrors) as excinfo:
        save_programme(engine, programme_values(hours=80, start_date=date(2026, 4, 1), end_date=None),
                       programme_id=programme_id)
    problems = problems_of(excinfo)
    assert "已有学员出勤 100 学时" in problems["hours"]
    assert "2026-03-20 结业" in problems["start_date"]


# --- enrolment --------------------------------------------------------------------------


def test_enrolment_adds_skips_duplicates_and_refuses_who_has_left(engine, programme_id, zhang):
    li = hire(engine, "李四", 12)
    gone = hire(engine, "王五", 13, employee_no="", status="离职", leave_date=date(2026, 3, 1))
    retired = hire(engine, "赵六", 14, status="退休", leave_date=date(2026, 1, 31))

    first = enrol_workers(engine, programme_id, [zhang, li, zhang], enrolled_on=date(2026, 2, 20))
    assert (first.added, first.already, first.refused) == ([zhang, li], [], [])
    second = enrol_workers(engine, programme_id, [li, gone, retired], enrolled_on=date(2026, 2, 20))
    assert second.added == [] and second.already == [li]
    messages = {p.field: p.message for p in second.refused}
    assert messages == {
        f"worker.{gone}": "王五：已于 2026-03-01 离职，不能报名",
        f"worker.{retired}": "赵六（工号 1014）：已于 2026-01-31 退休，不能报名",
    }
    rows = enrolments_of_programme(engine, programme_id)
    assert [(r.worker_name, r.cost_charged, r.enrolled_on) for r in rows] == [
        ("张三", Decimal("1500.00"), date(2026, 2, 20)), ("李四", Decimal("1500.00"), date(2026, 2, 20)),
    ]


def test_a_past_enrolment_of_someone_who_left_later_is_history_not_a_refusal(engine, programme_id):
    left_in_june = hire(engine, "孙七", 15, status="离职", leave_date=date(2026, 6, 30))
    result = enrol_workers(engine, programme_id, [left_in_june], enrolled_on=date(2026, 2, 25), cost_charged="800")
    assert result.added == [left_in_june]
    assert enrolments_of_worker(engine, left_in_june)[0].cost_charged == Decimal("800.00")
    late = enrol_workers(engine, programme_id, [hire(engine, "周八", 16, status="离职", leave_date=date(2026, 6, 30))],
                         enrolled_on=date(2026, 7, 1))
    assert "已于 2026-06-30 离职" in late.refused[0].message


def test_someone_hired_after_the_programme_ended_cannot_enrol(engine, programme_id):
    newcomer = hire(engine, "吴九", 17, hire_date=date(2026, 4, 1))
    (problem,) = enrol_workers(engine, programme_id, [newcomer], enrolled_on=TODAY).refused
    assert "入职日期 2026-04-01 晚于培训结束日期 2026-03-20" in problem.message


def test_a_negative_charge_at_enrolment_is_refused(engine, programme_id, zhang):
    with pytest.raises(FieldErrors) as excinfo:
        enrol_workers(engine, programme_id, [zhang], cost_charged="-5")
    assert problems_of(excinfo) == {"cost_charged": "扣费金额：金额不能为负数"}
    assert enrolments_of_programme(engine, programme_id) == []


# --- results ----------------------------------------------------------------------------


def test_bad_results_are_all_refused_naming_worker_and_field_and_nothing_is_written(
    engine, programme_id, zhang, enrolment_of
):
    li, wang = hire(engine, "李四", 12, employee_no=""), hire(engine, "王五", 13, employee_no="")
    other_cert = certify(engine, li, "高级工", date(2026, 3, 25), "Y000000000000000300001")
    mine, his, theirs = enrolment_of(zhang), enrolment_of(li), enrolment_of(wang)
    rows = [
        {"enrolment_id": mine, "hours_attended": 121, "result": "合格", "completed_on": date(2026, 3, 1),
         "certificate_id": other_cert, "cost_charged": "-1"},
        {"enrolment_id": his, "hours_attended": -2, "result": "合格", "completed_on": None},
        {"enrolment_id": theirs, "hours_attended": 120, "result": "合格", "completed_on": date(2026, 12, 1)},
    ]
    with pytest.raises(FieldErrors) as excinfo:
        record_results(engine, programme_id, rows, today=TODAY)
    assert problems_of(excinfo) == {
        f"{mine}.hours_attended": "张三（工号 1011）：出勤学时：超过项目学时 120",
        f"{mine}.completed_on": "张三（工号 1011）：结业日期：早于培训开始日期 2026-03-02",
        f"{mine}.certificate_id": "张三（工号 1011）：取得证书：该证书属于职工 李四，不是本人的证书",
        f"{mine}.cost_charged": "张三（工号 1011）：扣费金额：金额不能为负数",
        f"{his}.hours_attended": "李四：出勤学时：不能为负数",
        f"{his}.completed_on": "李四：结业日期：已填写成绩（合格），须填写结业日期",
        f"{theirs}.completed_on": "王五：结业日期：晚于今天",
    }
    assert all(r.hours_attended is None and r.result == "" for r in enrolments_of_programme(engine, programme_id))
    assert entries(engine, zhang) == []


def test_a_date_without_a_result_and_an_unknown_result_are_refused(engine, programme_id, zhang, enrolment_of):
    enrolment = enrolment_of(zhang)
    for row, field, words in (
        ({"completed_on": date(2026, 3, 20)}, "result", "成绩：填写了结业日期，须同时填写成绩"),
        ({"result": "优秀", "completed_on": date(2026, 3, 20)}, "result", "成绩：应为 合格/不合格 之一"),
    ):
        with pytest.raises(FieldErrors) as excinfo:
            record_results(engine, programme_id, [{"enrolment_id": enrolment, **row}], today=TODAY)
        assert words in problems_of(excinfo)[f"{enrolment}.{field}"]


def test_results_are_recorded_and_the_first_charge_debits_the_account(engine, programme_id, zhang):
    enrol_workers(engine, programme_id, [zhang], enrolled_on=date(2026, 2, 20))  # charged the cost per person
    (enrolment,) = [row.id for row in enrolments_of_programme(engine, programme_id)]
    accounts.credit(engine, zhang, Decimal(3000), on=date(2026, 1, 1), reason="2026 年度培训预算")
    assert accounts.balance(engine, zhang) == Decimal("3000.00")  # enrolling alone debits nothing
    record_results(
        engine, programme_id,
        [{"enrolment_id": enrolment, "hours_attended": "118", "result": "合格", "completed_on": "2026-03-20"}],
        today=TODAY,
    )
    (row,) = enrolments_of_worker(engine, zhang)
    assert (row.hours_attended, row.result, row.completed_on, row.cost_charged) == (
        118, "合格", date(2026, 3, 20), Decimal("1500.00"),
    )
    debit = entries(engine, zhang)[-1]
    assert (debit.kind, debit.amount, debit.entry_date, debit.enrolment_id) == (
        "培训扣费", Decimal("-1500.00"), START, enrolment,
    )
    assert accounts.balance(engine, zhang) == Decimal("1500.00")
    # Saving the same charge again leaves the ledger alone.
    record_results(engine, programme_id, [{"enrolment_id": enrolment, "cost_charged": "1500"}], today=TODAY)
    assert len(entries(engine, zhang)) == 2


def test_a_changed_charge_is_a_correction_and_the_debit_stays(engine, programme_id, zhang, enrolment_of):
    enrolment = enrolment_of(zhang)
    accounts.credit(engine, zhang, "3000", on=date(2026, 1, 1), reason="预算")
    record_results(engine, programme_id, [{"enrolment_id": enrolment, "cost_charged": "1500"}], today=TODAY)
    record_results(engine, programme_id, [{"enrolment_id": enrolment, "cost_charged": "1200.50"}], today=TODAY)
    record_results(engine, programme_id, [{"enrolment_id": enrolment, "cost_charged": "1300"}], today=TODAY)

    _credit, debit, first_fix, second_fix = entries(engine, zhang)
    assert debit.amount == Decimal("-1500.00") and debit.kind == "培训扣费"
    assert (first_fix.kind, first_fix.amount, first_fix.corrects_entry_id, first_fix.entry_date) == (
        "更正", Decimal("299.50"), debit.id, TODAY,
    )
    assert (second_fix.amount, second_fix.corrects_entry_id) == (Decimal("-99.50"), debit.id)
    assert accounts.balance(engine, zhang) == Decimal("1700.00")
    assert accounts.balance(engine, zhang, on=date(2026, 10, 14)) == Decimal("1500.00")


def test_an_overdraft_refuses_the_whole_save_unless_its_row_gives_a_reason(engine, programme_id, zhang, enrolment_of):
    li = hire(engine, "李四", 12)
    mine, his = enrolment_of(zhang), enrolment_of(li)
    accounts.credit(engine, zhang, "2000", on=date(2026, 1, 1), reason="预算")
    accounts.credit(engine, li, "1000", on=date(2026, 1, 1), reason="预算")
    rows = [
        {"enrolment_id": mine, "hours_attended": 120, "cost_charged": "1500"},
        {"enrolment_id": his, "hours_attended": 120, "cost_charged": "1500"},
    ]
    with pytest.raises(FieldErrors) as excinfo:
        record_results(engine, programme_id, rows, today=TODAY)
    (message,) = problems_of(excinfo).values()
    assert message.startswith("李四（工号 1012）：扣费金额：培训账户余额不足（2026-03-02 余额 1000.00 元")
    assert "超支原因" in message
    assert len(entries(engine, zhang)) == 1 and len(entries(engine, li)) == 1
    assert enrolments_of_worker(engine, zhang)[0].hours_attended is None

    rows[1]["override_reason"] = "车间主任批准：技师考前必修"
    record_results(engine, programme_id, rows, today=TODAY)
    overdrawn = entries(engine, li)[-1]
    assert (overdrawn.amount, overdrawn.override_reason) == (Decimal("-1500.00"), "车间主任批准：技师考前必修")
    assert entries(engine, zhang)[-1].override_reason is None
    assert accounts.balance(engine, li) == Decimal("-500.00")
    assert accounts.ledger(engine, li)[-1].override_reason == "车间主任批准：技师考前必修"


def test_a_stale_enrolment_row_is_refused(engine, programme_id, zhang, enrolment_of):
    enrolment = enrolment_of(zhang)
    version = enrolments_of_programme(engine, programme_id)[0].version
    record_results(engine, programme_id, [{"enrolment_id": enrolment, "hours_attended": 8, "version": version}],
                   today=TODAY)
    with pytest.raises(StaleRecord):
        record_results(engine, programme_id, [{"enrolment_id": enrolment, "hours_attended": 16, "version": version}],
                       today=TODAY)


def test_a_row_of_another_programme_is_refused(engine, programme_id, zhang, enrolment_of):
    other = new_programme(engine, name="数控车工班")
    enrolment = enrolment_of(zhang)
    with pytest.raises(FieldErrors) as excinfo:
        record_results(engine, other, [{"enrolment_id": enrolment, "hours_attended": 8}], today=TODAY)
    assert "不属于本培训项目" in problems_of(excinfo)[f"{enrolment}.enrolment_id"]


# --- the certificate an enrolment obtained ----------------------------------------------


def test_an_enrolment_links_to_the_certificate_it_obtained(engine, programme_id, zhang, enrolment_of):
    enrolment = enrolment_of(zhang)
    cert = certify(engine, zhang, "技师", date(2026, 4, 10), "Y000000000000000200001")
    record_results(
        engine, programme_id,
        [{"enrolment_id": enrolment, "result": "合格", "completed_on": date(2026, 3, 20), "certificate_id": cert,
          "cost_charged": "0"}],
        today=TODAY,
    )
    (row,) = enrolments_of_worker(engine, zhang)
    assert (row.certificate_id, row.certificate_number, row.programme_name) == (
        cert, "Y000000000000000200001", "焊工技师培训班",
    )
    link_certificate(engine, enrolment, None)
    assert enrolments_of_worker(engine, zhang)[0].certificate_id is None
    link_certificate(engine, enrolment, cert)
    assert enrolments_of_programme(engine, programme_id)[0].certificate_number == "Y000000000000000200001"


def test_the_certificate_must_be_the_workers_own_and_from_this_training(engine, programme_id, zhang, enrolment_of):
    enrolment = enrolment_of(zhang)
    li = hire(engine, "李四", 12)
    his = certify(engine, li, "技师", date(2026, 4, 10), "Y000000000000000200002")
    older = certify(engine, zhang, "中级工", date(2020, 4, 10), "Y000000000000000400003")
    for cert, words in ((his, "该证书属于职工 李四（工号 1012），不是本人的证书"), (older, "早于培训开始日期 2026-03-02")):
        with pytest.raises(FieldErrors) as excinfo:
            link_certificate(engine, enrolment, cert)
        assert words in problems_of(excinfo)["certificate_id"]
        assert problems_of(excinfo)["certificate_id"].startswith("取得证书：")
    record_results(engine, programme_id,
                   [{"enrolment_id": enrolment, "result": "不合格", "completed_on": date(2026, 3, 20)}], today=TODAY)
    mine = certify(engine, zhang, "技师", date(2026, 4, 10), "Y000000000000000200004")
    with pytest.raises(FieldErrors) as excinfo:
        link_certificate(engine, enrolment, mine)
    assert "成绩为不合格" in problems_of(excinfo)["certificate_id"]
    with unit_of_work(engine) as session:
        assert session.get(TrainingEnrolment, enrolment).certificate_id is None
