"""Builders for test data: valid ID numbers, and rosters laid out the way clerks make them."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from itertools import count
from pathlib import Path

from openpyxl import Workbook
from sqlalchemy import select

from app.models import (
    Certificate,
    Department,
    TrainingEnrolment,
    TrainingProgramme,
    Worker,
)
from app.models.db import unit_of_work
from app.services.levels import KIND_SKILL_LEVEL
from app.services.training_rules import FUNDING_FUND, RESULT_PASS
from app.services.vocab import STATUS_ACTIVE


def make_id(area: str = "110105", birth: date = date(1990, 1, 1), seq: int = 1) -> str:
    """A valid 居民身份证 number; an odd `seq` is a man, an even one a woman.
    The check character is computed as ISO 7064 MOD 11-2 (weights 2^(17-i) mod 11), not
    with the module's weight table, so the test does not repeat the code it tests."""
    first17 = f"{area}{birth:%Y%m%d}{seq:03d}"
    total = sum(int(c) * pow(2, 17 - i, 11) for i, c in enumerate(first17))
    value = (12 - total % 11) % 11
    return first17 + ("X" if value == 10 else str(value))


def write_roster(
    path: Path,
    header: list[str],
    rows: list[list],
    *,
    title: str | None = "某某机械有限公司职工花名册（2026年10月）",
    blank_row_above_header: bool = True,
    text_columns: tuple[str, ...] = ("证件号码", "身份证号", "身份证号码", "公民身份号码"),
) -> Path:
    """A roster like a clerk's: a merged title row, a blank row, then the header."""
    book = Workbook()
    sheet = book.active
    sheet.title = "花名册"
    if title:
        sheet.append([title])
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(header))
    if blank_row_above_header:
        sheet.append([])
    sheet.append(header)
    for row in rows:
        sheet.append(row)
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"  # typed as text by the clerk, not a formula
    for index, name in enumerate(header, start=1):
        if name in text_columns:
            for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                cell.number_format = "@"
    book.save(path)
    return path


# Builders for training tests: a worker, a level, a programme, an enrolment, a result.
_SEQ = count(1)


def add_worker(
    engine,
    name: str,
    *,
    rank: int | None = None,
    rank_issued: date = date(2015, 6, 1),
    frontline: bool = True,
    wage: str | None = "5000.00",
    hired: date | None = date(2010, 3, 1),
    left: date | None = None,
    status: str = STATUS_ACTIVE,
    department: str | None = None,
    employee_no: str | None = None,
) -> int:
    """A worker, with a 职业技能等级证书 at `rank` when given."""
    with unit_of_work(engine) as session:
        dept = None
        if department:
            dept = session.scalars(select(Department).where(Department.name == department)).one_or_none()
            dept = dept or Department(name=department)
        worker = Worker(
            name=name, id_type="居民身份证", id_number=make_id(seq=next(_SEQ)), is_frontline=frontline,
            monthly_wage=None if wage is None else Decimal(wage), hire_date=hired, leave_date=left, status=status,
            department=dept, employee_no=employee_no,
        )
        if rank is not None:
            worker.certificates.append(Certificate(kind=KIND_SKILL_LEVEL, level_rank=rank, issue_date=rank_issued))
        session.add(worker)
        session.flush()
        return worker.id


def add_level(engine, worker_id: int, rank: int, issued: date, *, revoked: bool = False) -> None:
    with unit_of_work(engine) as session:
        session.add(Certificate(worker_id=worker_id, kind=KIND_SKILL_LEVEL, level_rank=rank, issue_date=issued,
                                revoked=revoked))


def add_programme(engine, start: date, *, funding: str = FUNDING_FUND, cost: str = "1000.00") -> int:
    with unit_of_work(engine) as session:
        programme = TrainingProgramme(
            name=f"培训班 {start}", form="企业自办", start_date=start, end_date=start, hours=8,
            cost_per_person=Decimal(cost), funding_source=funding,
        )
        session.add(programme)
        session.flush()
        return programme.id


def enrol(engine, programme_id: int, worker_id: int, *, cost: str = "1000.00",
          completed_on: date | None = None, result: str | None = RESULT_PASS) -> None:
    """An enrolment; with `completed_on` the result is recorded that day."""
    with unit_of_work(engine) as session:
        session.add(TrainingEnrolment(
            programme_id=programme_id, worker_id=worker_id, enrolled_on=date(2000, 1, 1),
            cost_charged=Decimal(cost), result=result if completed_on else None, completed_on=completed_on,
        ))


def trained(engine, worker_id: int, completed_on: date, *, result: str = RESULT_PASS) -> None:
    """One completed training for the worker (its own programme, so enrolments never clash)."""
    enrol(engine, add_programme(engine, completed_on), worker_id, completed_on=completed_on, result=result)


# ── used, and used on frontline workers ─────────────────────────────────────────────
