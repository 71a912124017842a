"""`export workers`: the register as an .xlsx with the roster-import headers (SPEC §9),
one row per worker with the current level and the certificate that gives it, so that the
file re-imports unchanged."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from sqlalchemy import Engine, func, select

from app.models import Department, LaborContract, Occupation, Worker
from app.models.users import actor_of
from app.services.identity import mask_id_number
from app.services.levels import current_certificate_query, level_name
from app.services.roster_sheet import COLUMNS

FORMULA_PREFIXES = ("=", "+", "-", "@")
DATE_FORMAT = "yyyy-mm-dd"
MONEY_FORMAT = "0.00"
HEADERS = tuple(COLUMNS)
_IN_LIMIT = 5000
_WIDTHS = {"姓名": 10, "证件号码": 21, "部门": 14, "岗位": 12, "工种": 14, "证书编号": 25, "发证机构": 26}


def text_cell(sheet, value: str) -> WriteOnlyCell:
    """A text cell that Excel never evaluates, even when it starts with = + - @."""
    cell = WriteOnlyCell(sheet, value=value)
    if value.startswith(FORMULA_PREFIXES):
        cell.data_type = "s"  # openpyxl would otherwise store "=…" as a formula
    return cell


def typed_cell(sheet, value) -> WriteOnlyCell:
    if isinstance(value, str):
        return text_cell(sheet, value)
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, date):
        cell.number_format = DATE_FORMAT
    elif value is not None and not isinstance(value, (int, bool)):
        cell.number_format = MONEY_FORMAT
    return cell


def append_header(sheet, headers) -> None:
    """The bold header row of a write-only sheet."""
    bold = Font(bold=True)
    cells = []
    for header in headers:
        cell = WriteOnlyCell(sheet, value=header)
        cell.font = bold
        cells.append(cell)
    sheet.append(cells)


def _latest_contracts(conn) -> dict[int, tuple[date, date | None]]:
    ranked = select(
        LaborContract.worker_id,
        LaborContract.start_date,
        LaborContract.end_date,
        func.row_number()
        .over(partition_by=LaborContract.worker_id, order_by=LaborContract.start_date.desc())
        .label("pos"),
    ).subquery()
    rows = conn.execute(select(ranked.c.worker_id, ranked.c.start_date, ranked.c.end_date).where(ranked.c.pos == 1))
    return {row.worker_id: (row.start_date, row.end_date) for row in rows}


def export_workers(
    engine: Engine,
    out: str | Path,
    *,
    mask_ids: bool = False,
    worker_ids: list[int] | None = None,
    today: date | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Write the register, or just `worker_ids` in that order (the clerk's filtered list),
    to `out`; returns the number of workers. A role that may not see full 证件号码 gets them
    masked whatever it asked (SPEC §11)."""
    today = today or date.today()
    mask_ids = mask_ids or not actor_of(engine).sees_full_id_numbers
    query = (
        select(Worker.__table__, Department.name.label("department"), Occupation.name.label("occupation"))
        .outerjoin(Department, Department.id == Worker.department_id)
        .outerjoin(Occupation, Occupation.id == Worker.occupation_id)
        .order_by(Worker.employee_no.is_(None), Worker.employee_no, Worker.id)
    )
    # SQLite caps the values one statement may bind: a long list is filtered here instead.
    if worker_ids is not None and len(worker_ids) <= _IN_LIMIT:
        query = query.where(Worker.id.in_(worker_ids))
    with engine.connect() as conn:
        workers = conn.execute(query).all()
        contracts = _latest_contracts(conn)
        certificates = {c.worker_id: c for c in conn.execute(current_certificate_query(today))}

    if worker_ids is not None:
        by_id = {w.id: w for w in workers}
        workers = [by_id[i] for i in worker_ids if i in by_id]

    book = Workbook(write_only=True)
    sheet = book.create_sheet("职工花名册")
    for index, header in enumerate(HEADERS):
        letter = chr(65 + index) if index < 26 else "A" + chr(65 + index - 26)
        sheet.column_dimensions[letter].width = _WIDTHS.get(header, 12)
    sheet.freeze_panes = "C2"
    append_header(sheet, HEADERS)

    for done, worker in enumerate(workers, start=1):
        contract = contracts.get(worker.id)
        cert = certificates.get(worker.id)
        values = {
            "工号": worker.employee_no,
            "姓名": worker.name,
            "证件类型": worker.id_type,
            "证件号码": mask_id_number(worker.id_number) if mask_ids else worker.id_number,
            "性别": worker.gender,
            "出生日期": worker.birth_date,
            "学历": worker.education,
            "部门": worker.department,
            "岗位": worker.post,
            "工种": worker.occupation,
            "是否一线职工": "是" if worker.is_frontline else "否",
            "是否班组长": "是" if worker.is_team_leader else "否",
            "入职日期": worker.hire_date,
            "合同起始日": contract[0] if contract else None,
            # An open-ended contract is written as words: a blank would read as "no contract".
            "合同终止日": (contract[1] or "无固定期限") if contract else None,
            "月工资": worker.monthly_wage,
            "联系电话": worker.phone,
            "技能等级": level_name(cert.level_rank) if cert else None,
            "证书类别": cert.kind if cert else None,
            "证书编号": cert.number if cert else None,
            "发证日期": cert.issue_date if cert else None,
            "发证机构": cert.issuing_body if cert else None,
            "评价方式": cert.evaluation_route if cert else None,
        }
        sheet.append([typed_cell(sheet, values[h]) for h in HEADERS])
        if progress and done % 5000 == 0:
            progress(done, len(workers))
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    book.save(out)
    return len(workers)
