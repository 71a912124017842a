"""Races an import's check cannot see (found by benchmarks/concurrency.py): between the
check and the write another clerk saves the same new person, or another import adds the
same new 部门. The database refuses the write; the clerk is told in Chinese, and nothing of
the import lands."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from app.errors import StaleRecord, describe_failure
from app.models import Department, Worker
from app.services.roster_import import apply_plan, check_roster
from app.services.workers import save_worker
from tests.factories import make_id, write_roster

TODAY = date(2026, 11, 1)
HEADER = ["姓名", "身份证号码", "部门"]
ZHANG = make_id("110105", date(1985, 3, 12), 11)
LI = make_id("110105", date(1990, 7, 1), 23)
WANG = make_id("320102", date(1979, 1, 30), 35)


def _counts(engine) -> tuple[int, int]:
    with engine.connect() as conn:
        return (conn.scalar(select(func.count()).select_from(Worker)),
                conn.scalar(select(func.count()).select_from(Department)))


def test_a_person_saved_between_check_and_write_refuses_the_import_whole(engine, tmp_path):
    plan = check_roster(engine, write_roster(tmp_path / "a.xlsx", HEADER, [["张三", ZHANG, "焊接车间"], ["李四", LI, "装配车间"]]),
                        today=TODAY)
    assert plan.report.ok
    save_worker(engine, {"name": "张三", "id_number": ZHANG}, today=TODAY)  # another clerk, meanwhile
    before = _counts(engine)
    with pytest.raises(StaleRecord, match="导入期间另一位经办人保存了相同的职工"):
        apply_plan(engine, plan)
    assert _counts(engine) == before
    # Imported again, the file is checked against the register as it now is.
    again = check_roster(engine, write_roster(tmp_path / "b.xlsx", HEADER, [["张三", ZHANG, "焊接车间"], ["李四", LI, "装配车间"]]),
                         today=TODAY)
    apply_plan(engine, again)
    assert _counts(engine) == (2, 2)


def test_two_imports_adding_the_same_new_department_refuse_the_later_one(engine, tmp_path):
    first = check_roster(engine, write_roster(tmp_path / "a.xlsx", HEADER, [["张三", ZHANG, "新建车间"]]), today=TODAY)
    second = check_roster(engine, write_roster(tmp_path / "b.xlsx", HEADER, [["王五", WANG, "新建车间"]]), today=TODAY)
    apply_plan(engine, first)
    before = _counts(engine)
    with pytest.raises(StaleRecord):
        apply_plan(engine, second)
    assert _counts(engine) == before


def test_a_raw_driver_conflict_is_explained_in_chinese(tmp_path):
    import sqlite3

    conn = sqlite3.connect(tmp_path / "x.db")
    conn.execute("CREATE TABLE t (x UNIQUE)")
    conn.execute("INSERT INTO t VALUES (1)")
    with pytest.raises(sqlite3.IntegrityError) as raised:
        conn.execute("INSERT INTO t VALUES (1)")
    conn.close()
    said = describe_failure(raised.value, "skilldesk.log")
    assert "重复" in said and "未写入任何数据" in said


def test_a_deadlock_is_not_called_a_locked_file():
    class DeadlockDetected(Exception):
        pass

    DeadlockDetected.__module__ = "psycopg.errors"
    said = describe_failure(DeadlockDetected("deadlock detected\nDETAIL: Process 1 waits for ShareLock; blocked by process 2."), "x.log")
    assert "同时修改了相同的记录" in said and "其他程序占用" not in said
