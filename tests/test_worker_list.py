"""The 职工 list: queries in SQL (no window) and the lazy table model over them."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import insert, select

from app.models import Certificate, Department, Worker
from app.services.demo import generate_demo
from app.services.pinyin import name_initials
from app.services.worker_list import WorkerFilter, count_workers, worker_ids, worker_rows
from app.ui.worker_table import ID_ROLE, PAGE_SIZE, WorkerTableModel
from tests.factories import make_id

TODAY = date(2026, 11, 1)


@pytest.fixture
def people(engine):
    names = ["张三丰", "单田芳", "曾国藩", "李四", "王五"]
    with engine.begin() as conn:
        dept = conn.execute(insert(Department).returning(Department.id), {"name": "焊接车间"}).scalar()
        for n, name in enumerate(names, start=1):
            conn.execute(
                insert(Worker),
                {
                    "employee_no": f"A{n:03d}", "name": name, "name_initials": name_initials(name),
                    "id_type": "居民身份证", "id_number": make_id("110105", date(1980 + n, 1, 1), n),
                    "birth_date": date(1980 + n, 1, 1), "department_id": dept if n <= 2 else None,
                    "status": "在职" if n != 5 else "离职", "is_team_leader": n == 1,
                },
            )
        ids = dict(conn.execute(select(Worker.name, Worker.id)).all())
        conn.execute(insert(Certificate), [
            {"worker_id": ids["张三丰"], "kind": "职业技能等级证书", "level_rank": 4, "issue_date": date(2020, 1, 1), "revoked": False},
            {"worker_id": ids["李四"], "kind": "职业资格证书", "level_rank": 2, "issue_date": date(2015, 1, 1), "revoked": False},
            {"worker_id": ids["曾国藩"], "kind": "职业技能等级证书", "level_rank": 5, "issue_date": date(2027, 1, 1), "revoked": False},
        ])
    return ids


def names(engine, flt=WorkerFilter(), **kw):
    with engine.connect() as conn:
        ids = worker_ids(conn, flt, today=TODAY, **kw)
        rows = worker_rows(conn, ids, today=TODAY)
    return [rows[i]["name"] for i in ids]


def test_search_by_name_initials_employee_no_and_id_tail(engine, people):
    assert names(engine, WorkerFilter(text="zsf")) == ["张三丰"]
    assert names(engine, WorkerFilter(text="stf")) == ["单田芳"]  # 单 read as shan
    assert names(engine, WorkerFilter(text="zgf")) == ["曾国藩"]  # 曾 read as zeng
    assert names(engine, WorkerFilter(text="国")) == ["曾国藩"]
    assert names(engine, WorkerFilter(text="a004")) == ["李四"]
    tail = make_id("110105", date(1984, 1, 1), 4)[-4:]
    assert names(engine, WorkerFilter(text=tail)) == ["李四"]
    assert names(engine, WorkerFilter(text="100%")) == []  # wildcards are typed text, not patterns


def test_filters(engine, people):
    assert names(engine, WorkerFilter(level=4)) == ["张三丰"]
    assert names(engine, WorkerFilter(level=0)) == ["单田芳", "曾国藩", "王五"]  # a future certificate does not count yet
    assert names(engine, WorkerFilter(high_skilled=True)) == ["张三丰"]
    assert names(engine, WorkerFilter(team_leader=True)) == ["张三丰"]
    assert names(engine, WorkerFilter(status="离职")) == ["王五"]
    with engine.connect() as conn:
        dept = conn.scalar(select(Department.id))
        assert count_workers(conn, WorkerFilter(department_id=dept)) == 2


def test_sorting_in_sql(engine, people):
    assert names(engine, sort_key="level", descending=True)[:2] == ["张三丰", "李四"]
    assert names(engine, sort_key="employee_no", descending=True)[0] == "王五"
    assert names(engine, sort_key="age")[0] == "王五"  # the youngest first


def test_rows_mask_id_numbers(engine, people):
    with engine.connect() as conn:
        row = worker_rows(conn, [people["李四"]], today=TODAY)[people["李四"]]
    assert "********" in row["id_number"] and row["level"] == "中级工" and row["age"] == 42


def test_model_pages_rows_lazily(engine):
    generate_demo(engine, 1000, seed=3)
    model = WorkerTableModel(engine)
    model.reload()
    assert model.rowCount() == 1000 and model._pages == {}
    model.data(model.index(0, 1))
    model.data(model.index(PAGE_SIZE + 1, 1))
    assert sorted(model._pages) == [0, 1]
    assert model.data(model.index(3, 0), ID_ROLE) == model.ids[3]
    assert model.headerData(1, Qt.Orientation.Horizontal) == "姓名"
    model.sort([c.key for c in model.columns].index("name"), Qt.SortOrder.DescendingOrder)
    shown = [model.data(model.index(r, 1)) for r in range(3)]
    assert shown == sorted(shown, reverse=True)
    counts = []
    model.count_changed.connect(counts.append)
    model.set_filter(WorkerFilter(text="王"))
    assert counts and counts[-1] == model.rowCount() < 1000


def test_model_refreshes_an_edited_worker(engine, people):
    model = WorkerTableModel(engine)
    model.reload()
    row = model.row_of(people["李四"])
    name_column = model.column_keys().index("name")
    assert model.data(model.index(row, name_column)) == "李四"
    with engine.begin() as conn:
        conn.execute(Worker.__table__.update().where(Worker.id == people["李四"]).values(name="李四光"))
    changed = []
    model.dataChanged.connect(lambda a, b: changed.append(a.row()))
    model.refresh_workers([people["李四"]])
    assert changed == [row] and model.data(model.index(row, name_column)) == "李四光"
