"""The 职工 list as queries: which workers match a search and filters, in which order (all in
SQL), and the display values of a page of them. The Qt table model holds only the ids and
asks for pages as they scroll into view, so 100,000 workers open, sort and filter at once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import Connection, and_, func, or_, select
from sqlalchemy.sql import ColumnElement

from app.models import Certificate, Department, Occupation, Worker
from app.models.users import actor_of
from app.services.identity import mask_id_number
from app.services.levels import HIGH_SKILLED_MIN_RANK, LEVEL_BEARING_KINDS, level_name


def level_expression(today: date) -> ColumnElement:
    """The worker's rank today as a correlated subquery: per page of 100 rows it costs a
    fraction of a millisecond through the certificate.worker_id index, where a grouped
    join over all certificates costs tens."""
    return (
        select(func.max(Certificate.level_rank))
        .where(
            Certificate.worker_id == Worker.id,
            Certificate.kind.in_(LEVEL_BEARING_KINDS),
            Certificate.level_rank.is_not(None),
            Certificate.revoked.is_(False),
            or_(Certificate.issue_date.is_(None), Certificate.issue_date <= today),
        )
        .correlate(Worker)
        .scalar_subquery()
    )


@dataclass(frozen=True)
class ListColumn:
    key: str
    label: str
    width: int = 90
    shown_by_default: bool = True


# The list's columns, in their default order. Labels are the clerk's words.
COLUMNS: tuple[ListColumn, ...] = (
    ListColumn("employee_no", "工号", 80),
    ListColumn("name", "姓名", 80),
    ListColumn("gender", "性别", 50),
    ListColumn("age", "年龄", 50),
    ListColumn("id_number", "证件号码", 160),
    ListColumn("department", "部门", 110),
    ListColumn("post", "岗位", 100, False),
    ListColumn("occupation", "工种", 100),
    ListColumn("level", "技能等级", 80),
    ListColumn("education", "学历", 90),
    ListColumn("hire_date", "入职日期", 90),
    ListColumn("is_frontline", "一线", 50, False),
    ListColumn("is_team_leader", "班组长", 60, False),
    ListColumn("monthly_wage", "月工资", 80, False),
    ListColumn("phone", "联系电话", 110, False),
    ListColumn("status", "状态", 60),
)
COLUMN_KEYS = tuple(column.key for column in COLUMNS)


@dataclass(frozen=True)
class WorkerFilter:
    """What the clerk typed and picked. None means "any"."""

    text: str = ""
    department_id: int | None = None
    occupation_id: int | None = None
    level: int | None = None  # a rank; 0 = no level certificate
    high_skilled: bool | None = None
    frontline: bool | None = None
    team_leader: bool | None = None
    status: str | None = None


def _sort_expression(key: str, today: date):
    if key == "department":
        return select(Department.name).where(Department.id == Worker.department_id).scalar_subquery()
    if key == "occupation":
        return select(Occupation.name).where(Occupation.id == Worker.occupation_id).scalar_subquery()
    if key == "level":
        return func.coalesce(level_expression(today), -1)
    if key == "age":
        return Worker.birth_date  # older first when ascending is "age descending": flipped below
    return getattr(Worker, key)


def _prefix(column, prefix: str):
    """`column` starts with `prefix`, as a range the column's index can serve (LIKE 'x%'
    scans the table in SQLite unless the column is NOCASE)."""
    return and_(column >= prefix, column < prefix[:-1] + chr(ord(prefix[-1]) + 1))


_ID_TAIL = re.compile(r"\d{3,17}[\dXx]?|\d{2,16}[Xx]")


_MASK_TAIL = 4  # mask_id_number shows the last 4 characters of an 18-character number


def _text_condition(text: str, full_ids: bool = True):
    """One box for everything a clerk types: a name or part of it (王, 国), pinyin
    initials (zsf → 张三丰), a 工号 (A0012, 1001), or the last digits of an ID number.
    Only the matches that can apply to what was typed are asked, so a keystroke on
    100,000 workers is one short scan at most."""
    if not text.isascii():
        return Worker.name.contains(text, autoescape=True)
    options = [
        Worker.name.contains(text, autoescape=True),  # 张Tom, foreign names
        _prefix(Worker.employee_no, text.upper()),
        _prefix(Worker.employee_no, text.lower()),
    ]
    if text.isalpha():
        options.append(_prefix(Worker.name_initials, text.lower()))
    if _ID_TAIL.fullmatch(text) and (full_ids or len(text) <= _MASK_TAIL):
        # Who sees masked numbers searches only the digits the mask shows: probing longer
        # tails one digit at a time would reveal the whole number.
        tail = Worker.id_number.endswith(text.upper(), autoescape=True)
        options.append(tail if full_ids else and_(tail, func.length(Worker.id_number) >= 18))
    return or_(*options)


def _conditions(flt: WorkerFilter, today: date, full_ids: bool = True) -> list:
    conditions = []
    text = flt.text.strip()
    if text:
        conditions.append(_text_condition(text, full_ids))
    if flt.department_id is not None:
        conditions.append(Worker.department_id == flt.department_id)
    if flt.occupation_id is not None:
        conditions.append(Worker.occupation_id == flt.occupation_id)
    if flt.level is not None:
        level = level_expression(today)
        conditions.append(level.is_(None) if flt.level == 0 else level == flt.level)
    if flt.high_skilled is not None:
        level = func.coalesce(level_expression(today), -1)
        conditions.append(level >= HIGH_SKILLED_MIN_RANK if flt.high_skilled else level < HIGH_SKILLED_MIN_RANK)
    if flt.frontline is not None:
        conditions.append(Worker.is_frontline.is_(flt.frontline))
    if flt.team_leader is not None:
        conditions.append(Worker.is_team_leader.is_(flt.team_leader))
    if flt.status is not None:
        conditions.append(Worker.status == flt.status)
    return conditions


def worker_ids(
    conn: Connection,
    flt: WorkerFilter = WorkerFilter(),
    *,
    sort_key: str = "employee_no",
    descending: bool = False,
    today: date | None = None,
) -> list[int]:
    """The ids of the matching workers, in the list's order (ties by id)."""
    today = today or date.today()
    if sort_key not in COLUMN_KEYS:
        raise ValueError(sort_key)
    order = _sort_expression(sort_key, today)
    if sort_key == "age":
        descending = not descending  # a later birth date is a younger worker
    ordered = order.desc() if descending else order.asc()
    query = select(Worker.id).order_by(ordered.nulls_last(), Worker.id)
    conditions = _conditions(flt, today, actor_of(conn.engine).sees_full_id_numbers)
    if conditions:
        query = query.where(and_(*conditions))
    # Straight from the driver's cursor: building a Row per id cost 70 ms of every
    # 100 ms at 100,000 workers, and a plain integer needs no result processing.
    return [row[0] for row in conn.execute(query).cursor.fetchall()]


def count_workers(conn: Connection, flt: WorkerFilter = WorkerFilter(), *, today: date | None = None) -> int:
    query = select(func.count()).select_from(Worker)
    conditions = _conditions(flt, today or date.today(), actor_of(conn.engine).sees_full_id_numbers)
    if conditions:
        query = query.where(and_(*conditions))
    return conn.scalar(query)


def age_on(birth: date | None, day: date) -> int | None:
    if birth is None:
        return None
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def worker_rows(conn: Connection, ids: list[int], *, today: date | None = None, mask_ids: bool = True) -> dict[int, dict]:
    """Display values of the given workers, by id: what one page of the list shows."""
    if not ids:
        return {}
    today = today or date.today()
    query = (
        select(
            Worker.id, Worker.employee_no, Worker.name, Worker.gender, Worker.birth_date, Worker.id_number,
            Worker.post, Worker.education, Worker.hire_date, Worker.is_frontline, Worker.is_team_leader,
            Worker.monthly_wage, Worker.phone, Worker.status,
            Department.name.label("department"), Occupation.name.label("occupation"),
            level_expression(today).label("level"),
        )
        .outerjoin(Department, Department.id == Worker.department_id)
        .outerjoin(Occupation, Occupation.id == Worker.occupation_id)
        .where(Worker.id.in_(ids))
    )
    rows = {}
    for row in conn.execute(query):
        rows[row.id] = {
            "id": row.id,
            "employee_no": row.employee_no or "",
            "name": row.name,
            "gender": row.gender or "",
            "age": age_on(row.birth_date, today),
            "id_number": mask_id_number(row.id_number) if mask_ids else row.id_number,
            "department": row.department or "",
            "post": row.post or "",
            "occupation": row.occupation or "",
            "level": level_name(row.level) if row.level is not None else "",
            "level_rank": row.level,
            "education": row.education or "",
            "hire_date": row.hire_date,
            "is_frontline": "是" if row.is_frontline else "否",
            "is_team_leader": "是" if row.is_team_leader else "否",
            "monthly_wage": row.monthly_wage,
            "phone": row.phone or "",
            "status": row.status,
        }
    return rows


def format_value(value) -> str:
    """How a list cell shows a value: dates as 2021-06-30, money with two decimals."""
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    return str(value)


def filter_choices(conn: Connection) -> dict[str, list[tuple[int, str]]]:
    """Departments and occupations for the filter boxes, by name."""
    return {
        "departments": [tuple(r) for r in conn.execute(select(Department.id, Department.name).order_by(Department.name))],
        "occupations": [tuple(r) for r in conn.execute(select(Occupation.id, Occupation.name).order_by(Occupation.name))],
    }
