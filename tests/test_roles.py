"""What each role may do, enforced in the services and the database (issue 9, SPEC §11): a 只读
user changes nothing through any entry point and sees 证件号码 masked everywhere; a 经办人
works as before; the database itself refuses a 只读 user's write."""

from __future__ import annotations

from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from app.errors import Refused
from app.models import Base, Worker
from app.models.db import is_read_only, unit_of_work
from app.models.users import ROLE_ADMIN, ROLE_CLERK, ROLE_READER, Actor, set_actor
from app.reports.workers_xlsx import export_workers
from app.services import subsidies as s
from app.services.allowances import generate_roll, load_roll
from app.services.identity import mask_id_number
from app.services.roster_import import import_roster
from app.services.worker_list import WorkerFilter, count_workers, worker_ids
from app.services.workers import load_worker, save_worker
from tests.factories import make_id, write_roster
from tests.test_subsidies import certificate, person

READER = Actor("zhao", "赵六", ROLE_READER)
CLERK = Actor("lisi", "李四", ROLE_CLERK)
ADMIN = Actor("admin", "王主任", ROLE_ADMIN)
PERIOD = (date(2026, 1, 1), date(2026, 12, 31))
TODAY = date(2026, 11, 23)


@pytest.fixture
def register(engine) -> int:
    """One 高级工 with a certificate of 2026 sent by the enterprise: an allowance line and
    an eligible 技能提升培训补贴 line."""
    worker = person(engine, "张三")
    certificate(engine, worker, 3, date(2026, 3, 1))
    return worker


def everything(engine) -> dict[str, list]:
    """Every row of every table: what "nothing written" is checked against."""
    with engine.connect() as conn:
        return {table.name: sorted(map(repr, conn.execute(select(table)))) for table in Base.metadata.sorted_tables}


def id_of(engine, worker_id) -> str:
    with engine.connect() as conn:
        return conn.scalar(select(Worker.id_number).where(Worker.id == worker_id))


def roster(tmp_path):
    return write_roster(tmp_path / "r.xlsx", ["姓名", "身份证号码"], [["钱七", make_id(seq=77)]])


def attempts(engine, worker_id, tmp_path):
    """Each service entry point that writes, as a clerk would call it."""
    return {
        "save worker": lambda: save_worker(engine, {**vars(load_worker(engine, worker_id)), "name": "张三丰", "gender": ""},
                                           worker_id=worker_id),
        "import": lambda: import_roster(engine, roster(tmp_path)),
        "allowance draft": lambda: generate_roll(engine, "2026-10"),
        "allowance confirm": lambda: generate_roll(engine, "2026-10", confirm=True),
        "subsidy apply": lambda: s.create_application(engine, s.TYPE_UPGRADE_TRAINING, *PERIOD, generate=True,
                                                      today=TODAY),
    }


@pytest.mark.parametrize("what", ["save worker", "import", "allowance draft", "allowance confirm", "subsidy apply"])
def test_a_reader_changes_nothing_through_any_service(engine, register, tmp_path, what):
    before = everything(engine)
    set_actor(engine, READER)
    with pytest.raises(Refused, match=r"当前用户赵六（只读）不能修改数据，未写入任何数据"):
        attempts(engine, register, tmp_path)[what]()
    set_actor(engine, ADMIN)
    assert everything(engine) == before


@pytest.mark.parametrize("what", ["save worker", "import", "allowance confirm", "subsidy apply"])
def test_a_clerk_may_do_each_of_them(engine, register, tmp_path, what):
    set_actor(engine, CLERK)
    before = everything(engine)
    attempts(engine, register, tmp_path)[what]()
    assert everything(engine) != before


def test_the_confirmed_roll_and_the_application_a_clerk_made(engine, register, tmp_path):
    set_actor(engine, CLERK)
    generate_roll(engine, "2026-10", confirm=True)
    application = s.create_application(engine, s.TYPE_UPGRADE_TRAINING, *PERIOD, generate=True, today=TODAY)
    set_actor(engine, READER)
    assert load_roll(engine, "2026-10").status == "已确认"  # reading is every role's
    doc = s.application_doc(engine, application)
    assert doc.persons == 1 and doc.lines[0].id_number == mask_id_number(id_of(engine, register))
    with pytest.raises(Refused, match="只读"):
        s.change_status(engine, application, s.SUBMITTED, on=TODAY)


def test_the_database_itself_refuses_a_readers_write(engine, register):
    """The second wall: a code path that forgot require_writer still writes nothing."""
    set_actor(engine, READER)
    with engine.connect() as conn, pytest.raises(DBAPIError):
        conn.execute(text("UPDATE worker SET name = 'x'"))
        conn.commit()
    assert not is_read_only(engine)  # the file is writable: the role is not the file
    set_actor(engine, CLERK)
    with unit_of_work(engine) as session:  # the pool was emptied: writable connections again
        session.get(Worker, register).name = "张三丰"
    with engine.connect() as conn:
        assert conn.scalar(select(Worker.name)) == "张三丰"


def test_backup_and_restore_are_refused_to_a_reader(engine, register, tmp_path):
    from app.services.backup import backup_database, restore_database

    set_actor(engine, CLERK)
    backup = backup_database(engine, tmp_path / "备份.db")
    set_actor(engine, READER)
    with pytest.raises(Refused, match="完整的证件号码"):
        backup_database(engine, tmp_path / "另一份.db")
    assert not (tmp_path / "另一份.db").exists()
    before = everything(engine)
    with pytest.raises(Refused, match="只读"):
        restore_database(engine, backup)
    set_actor(engine, CLERK)
    assert everything(engine) == before


def test_a_reader_sees_masked_id_numbers_a_clerk_the_full_ones(engine, register, tmp_path):
    full = id_of(engine, register)
    set_actor(engine, CLERK)
    assert load_worker(engine, register).id_number == full
    set_actor(engine, READER)
    assert load_worker(engine, register).id_number == mask_id_number(full) != full


def test_a_readers_export_is_masked_even_when_the_full_one_is_asked(engine, register, tmp_path):
    full = id_of(engine, register)
    set_actor(engine, READER)
    export_workers(engine, tmp_path / "r.xlsx", mask_ids=False)
    cells = [c.value for c in load_workbook(tmp_path / "r.xlsx").active[2]]
    assert mask_id_number(full) in cells and full not in cells
    set_actor(engine, CLERK)
    export_workers(engine, tmp_path / "c.xlsx", mask_ids=False)
    assert full in [c.value for c in load_workbook(tmp_path / "c.xlsx").active[2]]


def test_a_reader_searches_only_the_digits_the_mask_shows(engine, register):
    full = id_of(engine, register)
    set_actor(engine, READER)
    with engine.connect() as conn:
        assert worker_ids(conn, WorkerFilter(text=full[-4:])) == [register]
        assert count_workers(conn, WorkerFilter(text=full[-6:])) == 0  # probing further reveals nothing
    set_actor(engine, CLERK)
    with engine.connect() as conn:
        assert worker_ids(conn, WorkerFilter(text=full[-8:])) == [register]


def test_a_readers_departure_statement_is_masked(engine, register):
    from app.services.agreements import departure_statement, save_agreement

    set_actor(engine, CLERK)
    agreement = save_agreement(engine, {
        "worker_id": register, "signed_on": date(2026, 1, 5), "service_start": date(2026, 1, 5),
        "service_end": date(2028, 1, 4), "cost": "3000",
    })
    full = id_of(engine, register)
    assert full in departure_statement(engine, agreement, date(2027, 1, 4))
    set_actor(engine, READER)
    statement = departure_statement(engine, agreement, date(2027, 1, 4))
    assert mask_id_number(full) in statement and full not in statement


def test_counting_workers_is_unchanged_for_every_role(engine, register):
    for actor in (READER, CLERK, ADMIN):
        set_actor(engine, actor)
        with engine.connect() as conn:
            assert conn.scalar(select(func.count()).select_from(Worker)) == 1
