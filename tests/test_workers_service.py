"""The worker file service over a real SQLite file: checks, saving, history, removal."""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.models import Certificate, Department, LaborContract, Worker
from app.models.db import unit_of_work
from app.services.levels import level_on
from app.services.workers import (
    FieldErrors,
    StaleRecord,
    add_certificate,
    add_competition,
    add_honour,
    load_worker,
    new_worker_record,
    remove_worker,
    revoke_certificate,
    save_worker,
)
from tests.factories import make_id

TODAY = date(2026, 10, 15)
GOOD_ID = make_id(birth=date(1990, 3, 5), seq=11)


def worker_values(**changes) -> dict:
    values = {
        "employee_no": "1001", "name": "张三", "id_type": "居民身份证",
        "id_number": GOOD_ID, "gender": "", "birth_date": None,
        "education": "技工学校", "department": "一车间", "post": "焊工", "occupation": "电焊工",
        "is_frontline": True, "is_team_leader": False, "hire_date": date(2010, 7, 1), "leave_date": None,
        "monthly_wage": "6800.50", "phone": "13800138000", "status": "在职", "notes": "",
        "contract_start": date(2024, 1, 1), "contract_end": date(2026, 12, 31), "contract_open_ended": False,
    }
    values.update(changes)
    return values


def problems_of(excinfo) -> dict[str, str]:
    return {p.field: p.message for p in excinfo.value.problems}


def refused(engine, **changes) -> dict[str, str]:
    with pytest.raises(FieldErrors) as excinfo:
        save_worker(engine, worker_values(**changes), today=TODAY)
    return problems_of(excinfo)


def count(engine, model) -> int:
    with unit_of_work(engine) as session:
        return session.scalar(select(func.count()).select_from(model))


def test_the_service_never_imports_qt():
    code = "import sys, app.services.workers; print('PySide6' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_new_record_defaults():
    record = new_worker_record()
    assert record.id is None and record.id_type == "居民身份证" and record.status == "在职"


def test_save_new_worker_derives_gender_and_birth_and_stores_initials(engine):
    worker_id = save_worker(engine, worker_values(), today=TODAY)
    record = load_worker(engine, worker_id, today=TODAY)
    assert record.gender == "男" and record.birth_date == date(1990, 3, 5)
    assert record.department == "一车间" and record.occupation == "电焊工"
    assert record.monthly_wage == Decimal("6800.50")
    assert (record.contract_start, record.contract_end, record.contract_open_ended) == (
        date(2024, 1, 1), date(2026, 12, 31), False,
    )
    assert record.version == 1
    with unit_of_work(engine) as session:
        assert session.get(Worker, worker_id).name_initials == "zs"


def test_lowercase_x_is_stored_upper_and_name_change_updates_initials(engine):
    number = next(make_id(seq=s) for s in range(1, 200) if make_id(seq=s).endswith("X"))
    worker_id = save_worker(engine, worker_values(id_number=number.lower()), today=TODAY)
    save_worker(engine, worker_values(id_number=number, name="单雄信"), worker_id=worker_id, expected_version=1, today=TODAY)
    with unit_of_work(engine) as session:
        worker = session.get(Worker, worker_id)
        assert worker.id_number == number and worker.name_initials == "sxx" and worker.version == 2


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"name": "  "}, "name", ["姓名", "不能为空"]),
        ({"id_number": GOOD_ID[:17] + ("0" if GOOD_ID[-1] != "0" else "1")},
         "id_number", ["证件号码", f"校验码错误，最后一位应为 {GOOD_ID[-1]}"]),
        ({"id_number": "110105900305111"}, "id_number", ["证件号码", "15 位"]),
        ({"gender": "女"}, "gender", ["性别", "与证件号码不符"]),
        ({"birth_date": date(1990, 3, 6)}, "birth_date", ["出生日期", "1990-03-05"]),
        ({"hire_date": date(2006, 3, 4)}, "hire_date", ["入职日期", "未满 16 周岁"]),
        ({"contract_end": date(2023, 12, 31)}, "contract_end", ["合同终止日", "应晚于合同起始日"]),
        ({"contract_end": None}, "contract_end", ["合同终止日", "无固定期限"]),
        ({"monthly_wage": "-100"}, "monthly_wage", ["月工资", "负数"]),
        ({"monthly_wage": "100.005"}, "monthly_wage", ["月工资", "两位小数"]),
        ({"leave_date": date(2009, 1, 1), "status": "离职"}, "leave_date", ["离职日期", "早于入职日期"]),
        ({"status": "离职"}, "leave_date", ["离职日期", "须填写"]),
        ({"leave_date": date(2026, 1, 1)}, "status", ["状态", "离职或退休"]),
        ({"education": "幼儿园"}, "education", ["学历"]),
    ],
)
def test_each_refusal_names_its_field(engine, changes, field, words):
    problems = refused(engine, **changes)
    assert field in problems, problems
    for word in words:
        assert word in problems[field]
    assert count(engine, Worker) == 0


def test_every_problem_is_reported_at_once(engine):
    problems = refused(engine, name="", gender="女", monthly_wage="-1", contract_end=date(2020, 1, 1))
    assert set(problems) == {"name", "gender", "monthly_wage", "contract_end"}
    with pytest.raises(FieldErrors) as excinfo:
        save_worker(engine, worker_values(name=""), today=TODAY)
    assert "姓名：不能为空" in str(excinfo.value)


def test_duplicate_id_and_employee_no_name_the_other_worker(engine):
    save_worker(engine, worker_values(), today=TODAY)
    problems = refused(engine, name="李四")
    assert "张三" in problems["id_number"] and "1001" in problems["id_number"]
    assert "张三" in problems["employee_no"]
    other = make_id(birth=date(1992, 1, 1), seq=22)
    problems = refused(engine, name="李四", id_number=other)
    assert set(problems) == {"employee_no"}
    assert count(engine, Worker) == 1


def test_saving_the_same_worker_again_is_not_a_duplicate(engine):
    worker_id = save_worker(engine, worker_values(), today=TODAY)
    save_worker(engine, worker_values(post="班长"), worker_id=worker_id, expected_version=1, today=TODAY)
    assert load_worker(engine, worker_id).post == "班长"


def test_stale_version_is_refused_and_nothing_written(engine):
    worker_id = save_worker(engine, worker_values(), today=TODAY)
    save_worker(engine, worker_values(post="A"), worker_id=worker_id, expected_version=1, today=TODAY)
    with pytest.raises(StaleRecord) as excinfo:
        save_worker(engine, worker_values(post="B"), worker_id=worker_id, expected_version=1, today=TODAY)
    assert "重新加载" in str(excinfo.value)
    assert load_worker(engine, worker_id).post == "A"


def test_contracts_are_history(engine):
    worker_id = save_worker(engine, worker_values(), today=TODAY)
    # Same start: the latest contract's end is edited (here: turned open-ended).
    save_worker(engine, worker_values(contract_end=None, contract_open_ended=True), worker_id=worker_id, today=TODAY)
    assert count(engine, LaborContract) == 1
    # A new start is a renewal: a new row, the old one kept.
    save_worker(
        engine, worker_values(contract_start=date(2027, 1, 1), contract_end=date(2029, 12, 31)),
        worker_id=worker_id, today=TODAY,
    )
    with unit_of_work(engine) as session:
        rows = session.execute(
            select(LaborContract.start_date, LaborContract.end_date).order_by(LaborContract.start_date)
        ).all()
    assert rows == [(date(2024, 1, 1), None), (date(2027, 1, 1), date(2029, 12, 31))]
    record = load_worker(engine, worker_id)
    assert record.contract_start == date(2027, 1, 1) and not record.contract_open_ended
    with pytest.raises(FieldErrors) as excinfo:  # history is not rewritten from the form
        save_worker(engine, worker_values(contract_start=date(2025, 1, 1)), worker_id=worker_id, today=TODAY)
    assert "合同起始日" in problems_of(excinfo)["contract_start"]
    with pytest.raises(FieldErrors) as excinfo:
        save_worker(engine, worker_values(contract_start=None, contract_end=None), worker_id=worker_id, today=TODAY)
    assert "不能清空" in problems_of(excinfo)["contract_start"]


def test_new_department_is_created_once(engine):
    save_worker(engine, worker_values(), today=TODAY)
    save_worker(engine, worker_values(name="李四", employee_no="1002", id_number=make_id(seq=22)), today=TODAY)
    assert count(engine, Department) == 1


@pytest.fixture
def worker_id(engine):
    return save_worker(engine, worker_values(), today=TODAY)


def skill_number(level_digit: int, serial: int = 1) -> str:
    """A national 职业技能等级证书 number: S + 21 digits, the 16th character the level digit."""
    return f"S32010020240001{level_digit}{serial:06d}"


def certificate(**changes) -> dict:
    values = {
        "kind": "职业技能等级证书", "occupation": "电焊工", "level": "中级工", "number": skill_number(4),
        "issuing_body": "某市职业技能鉴定中心", "evaluation_route": "社会化评价", "issue_date": date(2012, 5, 1),
    }
    values.update(changes)
    return values


def test_certificates_raise_the_level_and_revoked_ones_stop_counting(engine, worker_id):
    first, warnings = add_certificate(engine, worker_id, certificate(), today=TODAY)
    assert warnings == []
    second, _ = add_certificate(
        engine, worker_id, certificate(level=3, number=skill_number(3, 2), issue_date=date(2018, 9, 1)), today=TODAY
    )
    with unit_of_work(engine) as session:
        assert level_on(session, worker_id, date(2015, 1, 1)) == 2
        assert level_on(session, worker_id, TODAY) == 3
    record = load_worker(engine, worker_id, today=TODAY)
    assert record.level_name == "高级工"
    assert [(s.since, s.rank, s.certificate_id) for s in record.level_steps] == [
        (date(2012, 5, 1), 2, first), (date(2018, 9, 1), 3, second),
    ]
    revoke_certificate(engine, second, "鉴定机构通报证书无效", on=date(2026, 5, 1))
    with unit_of_work(engine) as session:
        cert = session.get(Certificate, second)
        assert cert.revoked and cert.revoked_on == date(2026, 5, 1) and "无效" in cert.revoke_reason
        assert level_on(session, worker_id, TODAY) == 2
    assert count(engine, Certificate) == 2  # revoked, never deleted
    assert load_worker(engine, worker_id, today=TODAY).certificates[1]["revoked"] is True


def test_certificate_number_is_unique_and_names_the_holder(engine, worker_id):
    add_certificate(engine, worker_id, certificate(), today=TODAY)
    other = save_worker(engine, worker_values(name="李四", employee_no="1002", id_number=make_id(seq=22)), today=TODAY)
    with pytest.raises(FieldErrors) as excinfo:
        add_certificate(engine, other, certificate(number=" " + skill_number(4).lower() + " "), today=TODAY)
    assert "张三" in problems_of(excinfo)["number"] and "证书编号" in problems_of(excinfo)["number"]


@pytest.mark.parametrize(
    ("changes", "field", "word"),
    [
        ({"kind": ""}, "kind", "证书类别"),
        ({"level": ""}, "level", "须填写等级"),
        ({"level": "高级工程师"}, "level", "职称"),
        ({"kind": "专项职业能力证书"}, "level", "不设等级"),
        ({"issue_date": None}, "issue_date", "不能为空"),
        ({"issue_date": date(2027, 1, 1)}, "issue_date", "晚于今天"),
        ({"issue_date": date(2005, 1, 1)}, "issue_date", "未满 16 周岁"),
        ({"expiry_date": date(2030, 1, 1)}, "expiry_date", "特种作业操作证"),
        ({"evaluation_route": "抽签"}, "evaluation_route", "评价方式"),
    ],
)
def test_certificate_refusals_name_their_field(engine, worker_id, changes, field, word):
    with pytest.raises(FieldErrors) as excinfo:
        add_certificate(engine, worker_id, certificate(**changes), today=TODAY)
    assert word in problems_of(excinfo)[field]
    assert count(engine, Certificate) == 0


def test_safety_licence_keeps_its_dates_and_carries_no_level(engine, worker_id):
    cert_id, _ = add_certificate(
        engine, worker_id,
        certificate(kind="特种作业操作证", level=None, number="T110105199003051117",
                    expiry_date=date(2027, 5, 1), review_date=date(2024, 5, 1)),
        today=TODAY,
    )
    with unit_of_work(engine) as session:
        cert = session.get(Certificate, cert_id)
        assert (cert.level_rank, cert.expiry_date, cert.review_date) == (None, date(2027, 5, 1), date(2024, 5, 1))


def test_certificate_number_disagreeing_with_the_level_is_a_warning(engine, worker_id):
    _, warnings = add_certificate(engine, worker_id, certificate(number=skill_number(3)), today=TODAY)
    assert warnings and "证书编号" in warnings[0] and "中级工" in warnings[0]
    assert count(engine, Certificate) == 1


def test_revoking_needs_a_reason_and_only_once(engine, worker_id):
    cert_id, _ = add_certificate(engine, worker_id, certificate(), today=TODAY)
    with pytest.raises(FieldErrors) as excinfo:
        revoke_certificate(engine, cert_id, " ", on=TODAY)
    assert "撤销原因" in problems_of(excinfo)["reason"]
    revoke_certificate(engine, cert_id, "重复登记", on=TODAY)
    with pytest.raises(Exception, match="已于"):
        revoke_certificate(engine, cert_id, "再撤销", on=TODAY)


def test_honours_and_competitions(engine, worker_id):
    add_honour(engine, worker_id, {"title": "技术能手", "level": "市级", "year": "2021", "awarding_body": "市人社局",
                                   "reward_amount": "2000"}, today=TODAY)
    with pytest.raises(FieldErrors) as excinfo:
        add_honour(engine, worker_id, {"title": "", "year": "3021", "reward_amount": "-5"}, today=TODAY)
    assert set(problems_of(excinfo)) == {"title", "year", "reward_amount"}
    add_competition(engine, worker_id, {"competition_name": "市职工技能大赛", "level": "市级", "category": "一类",
                                        "held_on": date(2022, 10, 1), "occupation": "电焊工", "result": "第3名",
                                        "prize_amount": "500.00"}, today=TODAY)
    with pytest.raises(FieldErrors) as excinfo:
        add_competition(engine, worker_id, {"competition_name": "赛", "result": "特等奖"}, today=TODAY)
    assert "成绩" in problems_of(excinfo)["result"]
    record = load_worker(engine, worker_id)
    assert record.honours[0]["level"] == "市" and record.honours[0]["reward_amount"] == Decimal("2000.00")
    entry = record.competitions[0]
    assert (entry["placing"], entry["result"], entry["occupation"]) == (3, "", "电焊工")


def test_remove_worker_without_history_deletes(engine):
    worker_id = save_worker(engine, worker_values(contract_start=None, contract_end=None), today=TODAY)
    assert remove_worker(engine, worker_id, today=TODAY) == "deleted"
    assert count(engine, Worker) == 0


def test_remove_worker_with_history_sets_left(engine, worker_id):
    add_honour(engine, worker_id, {"title": "技术能手"}, today=TODAY)
    assert remove_worker(engine, worker_id, today=TODAY) == "离职"
    record = load_worker(engine, worker_id)
    assert (record.status, record.leave_date) == ("离职", TODAY)
    assert count(engine, Worker) == 1


def test_remove_worker_kept_by_another_register_sets_left(engine):
    # A register this module does not know about (training, apprenticeship …) still
    # points at the worker: that is history too, so the worker is kept.
    worker_id = save_worker(engine, worker_values(contract_start=None, contract_end=None), today=TODAY)
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE later_register (worker_id INTEGER REFERENCES worker(id))")
        conn.exec_driver_sql(f"INSERT INTO later_register (worker_id) VALUES ({worker_id})")
    assert remove_worker(engine, worker_id, today=TODAY) == "离职"
    assert load_worker(engine, worker_id).status == "离职"


def test_load_missing_worker_is_stale(engine):
    with pytest.raises(StaleRecord):
        load_worker(engine, 999)


def test_two_clerks_edit_one_worker_the_second_sees_both_versions(engine):
    """Two sessions load the same worker; the first save wins, the second is refused and
    worker_conflicts shows what the first changed next to what the second typed."""
    from app.services.workers import field_text, worker_conflicts

    worker_id = save_worker(engine, {"name": "张三", "id_type": "居民身份证", "id_number": make_id(seq=77),
                                     "post": "钳工", "monthly_wage": "5000"})
    first, second = load_worker(engine, worker_id), load_worker(engine, worker_id)
    save_worker(engine, {**vars(first), "post": "钳工班长", "monthly_wage": "5500"}, worker_id=worker_id,
                expected_version=first.version)
    mine = {**vars(second), "post": "装配工"}
    with pytest.raises(StaleRecord):
        save_worker(engine, mine, worker_id=worker_id, expected_version=second.version)
    opened = {key: getattr(second, key) for key in ("post", "monthly_wage", "phone")}
    conflicts = {c.key: c for c in worker_conflicts(opened, mine, load_worker(engine, worker_id))}
    assert set(conflicts) == {"post", "monthly_wage"}
    assert (conflicts["post"].theirs, conflicts["post"].mine, conflicts["post"].both_changed) == ("钳工班长", "装配工", True)
    assert (conflicts["monthly_wage"].opened, conflicts["monthly_wage"].theirs) == ("5000.00", "5500.00")
    assert not conflicts["monthly_wage"].both_changed
    assert field_text("5000") == field_text(Decimal("5000.00")) == "5000.00"
    assert load_worker(engine, worker_id).post == "钳工班长"  # nothing silently overwritten
