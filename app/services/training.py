"""Training 培训 (SPEC §3): programmes, the workers enrolled in them, and what each achieved.

Plain functions over an Engine; every user action is one transaction, every check runs
before anything is written, and every refusal names its field in Chinese (SPEC §10).

The personal training account follows the enrolments by itself: when results are
recorded, the ledger is brought in line with each enrolment's charge (accounts.py) — the
first charge is a 培训扣费 dated on the programme's start (the money is spent when the class
runs), a later change a 更正 dated on the day it is made. Enrolling only sets the charge
expected; nothing is debited until the clerk records the class.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import Engine, case, extract, func, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from app.errors import FieldErrors, FieldProblem, stale_message
from app.models import (
    AgreementEnrolment,
    Certificate,
    Department,
    Occupation,
    TrainingEnrolment,
    TrainingProgramme,
    Worker,
)
from app.models.db import unit_of_work
from app.services.accounts import FormCheck, Overdraft, charge_enrolment
from app.services.training_rules import (
    FUNDING_SOURCES,
    RESULT_FAIL,
    RESULT_PASS,
    RESULTS,
    TRAINING_FORMS,
)
from app.services.vocab import STATUS_ACTIVE, STATUS_LEFT
from app.services.workers import StaleRecord, named_record, worker_label

__all__ = [
    "EnrolResult", "EnrolmentRow", "ProgrammeRow", "enrol_workers", "enrolments_of_agreement",
    "enrolments_of_programme", "enrolments_of_worker", "link_certificate", "list_programmes", "load_programme",
    "record_results", "save_programme",
]

PROGRAMME_LABELS = {
    "name": "项目名称", "provider": "培训机构", "form": "培训形式", "start_date": "开始日期", "end_date": "结束日期",
    "hours": "学时", "cost_per_person": "人均费用", "funding_source": "经费来源", "occupation": "职业（工种）",
    "target_level": "目标等级", "notes": "备注",
}
_PROGRAMME_LENGTHS = {"name": 200, "provider": 200, "occupation": 100}
RESULT_LABELS = {
    "hours_attended": "出勤学时", "result": "成绩", "completed_on": "结业日期", "certificate_id": "取得证书",
    "cost_charged": "扣费金额", "override_reason": "超支原因",
}
_STALE_PROGRAMME = "该培训项目在您打开之后已被修改（可能是另一位经办人），本次修改未保存。请重新加载后再改。"
_STALE_ENROLMENT = "报名记录在您打开之后已被修改（可能是另一位经办人），本次修改未保存。请重新加载后再改。"


def _programme_or_refuse(session: Session, programme_id: int) -> TrainingProgramme:
    programme = session.get(TrainingProgramme, programme_id)
    if programme is None:
        raise StaleRecord("该培训项目已不存在（可能已被另一位经办人删除）。")
    return programme


def save_programme(
    engine: Engine, values: dict, *, programme_id: int | None = None, expected_version: int | None = None
) -> int:
    """Check and save a programme 培训项目; returns its id.

    Raises FieldErrors listing every problem; StaleRecord when the programme changed since
    `expected_version` was loaded. The cost per person is the default charge of later
    enrolments; changing it leaves the charges already set as they are."""
    check = FormCheck(values, PROGRAMME_LABELS, _PROGRAMME_LENGTHS)
    clean = {
        "name": check.text("name", required=True),
        "provider": check.text("provider"),
        "form": check.choice("form", TRAINING_FORMS, required=True),
        "start_date": check.date("start_date", required=True),
        "end_date": check.date("end_date"),
        "hours": check.integer("hours", low=1, required=True),
        "cost_per_person": check.money("cost_per_person"),
        "funding_source": check.choice("funding_source", FUNDING_SOURCES, required=True),
        "target_level": check.rank("target_level"),
        "notes": check.text("notes"),
    }
    occupation = check.text("occupation")
    start, end = clean["start_date"], clean["end_date"]
    if start and end and end < start:
        check.refuse("end_date", f"早于开始日期 {start:%Y-%m-%d}")
    if clean["cost_per_person"] is None:
        clean["cost_per_person"] = Decimal("0.00")
    with unit_of_work(engine) as session:
        programme = None
        if programme_id is not None:
            programme = _programme_or_refuse(session, programme_id)
            if expected_version is not None and programme.version != expected_version:
                raise StaleRecord(stale_message(f"培训项目「{programme.name}」"))
            _check_against_enrolments(session, check, programme_id, start, clean["hours"])
        check.raise_if_any()
        if programme is None:
            programme = TrainingProgramme()
            session.add(programme)
        for key, value in clean.items():
            setattr(programme, key, value)
        found = named_record(session, Occupation, occupation)
        programme.occupation_id = found.id if found is not None else None
        try:
            session.flush()
        except StaleDataError:
            raise StaleRecord(_STALE_PROGRAMME) from None
        return programme.id


def _check_against_enrolments(
    session: Session, check: FormCheck, programme_id: int, start: date | None, hours: int | None
) -> None:
    """An edit must not make recorded results impossible."""
    most_hours, first_result = session.execute(
        select(func.max(TrainingEnrolment.hours_attended), func.min(TrainingEnrolment.completed_on)).where(
            TrainingEnrolment.programme_id == programme_id
        )
    ).one()
    if hours is not None and most_hours is not None and hours < most_hours:
        check.refuse("hours", f"已有学员出勤 {most_hours} 学时，不能少于此数")
    if start is not None and first_result is not None and start > first_result:
        check.refuse("start_date", f"已有学员于 {first_result:%Y-%m-%d} 结业，开始日期不能晚于此日")


@dataclass(frozen=True)
class ProgrammeRow:
    id: int
    version: int
    name: str
    provider: str
    form: str
    start_date: date
    end_date: date | None
    hours: int
    cost_per_person: Decimal
    funding_source: str
    occupation: str
    target_level: int | None
    notes: str
    enrolled: int
    completed: int  # a result recorded, 合格 or 不合格 (training_rules)
    passed: int


def _programme_rows(engine: Engine, *conditions) -> list[ProgrammeRow]:
    counts = (
        select(
            TrainingEnrolment.programme_id,
            func.count().label("enrolled"),
            func.count(TrainingEnrolment.result).label("completed"),
            func.sum(case((TrainingEnrolment.result == RESULT_PASS, 1), else_=0)).label("passed"),
        )
        .group_by(TrainingEnrolment.programme_id)
        .subquery()
    )
    with engine.connect() as conn:
        rows = conn.execute(
            select(TrainingProgramme, Occupation.name.label("occupation"), counts.c.enrolled, counts.c.completed,
                   counts.c.passed)
            .outerjoin(Occupation, Occupation.id == TrainingProgramme.occupation_id)
            .outerjoin(counts, counts.c.programme_id == TrainingProgramme.id)
            .where(*conditions)
            .order_by(TrainingProgramme.start_date.desc(), TrainingProgramme.id.desc())
        ).all()
    return [
        ProgrammeRow(
            id=r.id, version=r.version, name=r.name, provider=r.provider or "", form=r.form, start_date=r.start_date,
            end_date=r.end_date, hours=r.hours, cost_per_person=r.cost_per_person, funding_source=r.funding_source,
            occupation=r.occupation or "", target_level=r.target_level, notes=r.notes or "",
            enrolled=r.enrolled or 0, completed=r.completed or 0, passed=r.passed or 0,
        )
        for r in rows
    ]


def list_programmes(engine: Engine, year: int | None = None) -> list[ProgrammeRow]:
    """Programmes, latest first; with `year`, those starting in that calendar year."""
    conditions = [] if year is None else [extract("year", TrainingProgramme.start_date) == year]
    return _programme_rows(engine, *conditions)


def load_programme(engine: Engine, programme_id: int) -> ProgrammeRow:
    rows = _programme_rows(engine, TrainingProgramme.id == programme_id)
    if not rows:
        raise StaleRecord("该培训项目已不存在（可能已被另一位经办人删除）。")
    return rows[0]


@dataclass
class EnrolResult:
    added: list[int] = field(default_factory=list)  # worker ids enrolled now
    already: list[int] = field(default_factory=list)  # worker ids enrolled before: skipped
    refused: list[FieldProblem] = field(default_factory=list)  # field "worker.<id>", naming the worker


def _enrol_refusal(worker: Worker, programme: TrainingProgramme, enrolled_on: date) -> str | None:
    """Why the worker cannot be enrolled, or None. Someone who left by the programme's
    start cannot attend it; someone not 在职 on the enrolment date cannot enrol then. A
    past enrolment of a worker who left later (the clerk backfilling history) passes."""
    who = worker_label(worker)
    left = worker.leave_date
    if (left is not None and left <= programme.start_date) or (
        worker.status != STATUS_ACTIVE and (left is None or left <= enrolled_on)
    ):
        word = worker.status if worker.status != STATUS_ACTIVE else STATUS_LEFT
        return f"{who}：{f'已于 {left:%Y-%m-%d} ' if left else '状态为'}{word}，不能报名"
    last_day = programme.end_date or programme.start_date
    if worker.hire_date is not None and worker.hire_date > last_day:
        return f"{who}：入职日期 {worker.hire_date:%Y-%m-%d} 晚于培训结束日期 {last_day:%Y-%m-%d}，不能报名"
    return None


def enrol_workers(
    engine: Engine,
    programme_id: int,
    worker_ids: list[int],
    *,
    enrolled_on: date | None = None,
    cost_charged=None,
) -> EnrolResult:
    """Enrol workers in one transaction. Those already enrolled are skipped; a worker who
    has left (or leaves by the programme's start), or who joins only after it ended, is
    refused by name while the others are enrolled. Each enrolment's charge is
    `cost_charged`, by default the programme's cost per person."""
    enrolled_on = enrolled_on or date.today()
    charge = None
    if cost_charged is not None:
        check = FormCheck({"cost_charged": cost_charged}, RESULT_LABELS)
        charge = check.money("cost_charged")
        check.raise_if_any()
    result = EnrolResult()
    with unit_of_work(engine) as session:
        programme = _programme_or_refuse(session, programme_id)
        ids = list(dict.fromkeys(worker_ids))  # a worker ticked twice is enrolled once
        workers = {w.id: w for w in session.scalars(select(Worker).where(Worker.id.in_(ids)))}
        enrolled = set(
            session.scalars(
                select(TrainingEnrolment.worker_id).where(
                    TrainingEnrolment.programme_id == programme_id, TrainingEnrolment.worker_id.in_(ids)
                )
            )
        )
        for worker_id in ids:
            worker = workers.get(worker_id)
            if worker is None:
                result.refused.append(FieldProblem(f"worker.{worker_id}", f"职工（编号 {worker_id}）已不存在，不能报名"))
                continue
            if worker_id in enrolled:
                result.already.append(worker_id)
                continue
            refusal = _enrol_refusal(worker, programme, enrolled_on)
            if refusal:
                result.refused.append(FieldProblem(f"worker.{worker_id}", refusal))
                continue
            session.add(
                TrainingEnrolment(
                    programme_id=programme_id, worker_id=worker_id, enrolled_on=enrolled_on,
                    cost_charged=programme.cost_per_person if charge is None else charge,
                )
            )
            result.added.append(worker_id)
    return result


def _certificate_problem(
    session: Session, enrolment: TrainingEnrolment, programme: TrainingProgramme, certificate_id, result: str | None
) -> str | None:
    """Why `certificate_id` cannot be the certificate this enrolment obtained, or None."""
    cert = session.get(Certificate, certificate_id)
    if cert is None:
        return "该证书不存在"
    if cert.worker_id != enrolment.worker_id:
        return f"该证书属于职工 {worker_label(cert.worker)}，不是本人的证书"
    if result == RESULT_FAIL:
        return "成绩为不合格，不能关联取得的证书"
    if cert.issue_date is not None and cert.issue_date < programme.start_date:
        return f"发证日期 {cert.issue_date:%Y-%m-%d} 早于培训开始日期 {programme.start_date:%Y-%m-%d}，不是本次培训取得的"
    return None


def _as_id(raw) -> int | None:
    if raw is None or raw == "":
        return None
    try:
        return int(raw)
    except (TypeError, ValueError):
        return -1  # no certificate has it: the check says so


def _check_result_row(
    session: Session, programme: TrainingProgramme, enrolment: TrainingEnrolment, who: str, row: dict, today: date
) -> tuple[dict, list[FieldProblem]]:
    """The changes one row asks for, and its problems. A key absent from the row leaves
    that field as it is; a key present but blank clears it (a blank charge is 0.00)."""
    eid = enrolment.id

    def key(name: str) -> str:
        return f"{eid}.{name}"

    labels = {key(name): f"{who}：{label}" for name, label in RESULT_LABELS.items()}
    check = FormCheck({key(name): value for name, value in row.items()}, labels)
    changes: dict = {}
    if "hours_attended" in row:
        hours = check.integer(key("hours_attended"), low=0)
        if hours is not None and hours > programme.hours:
            check.refuse(key("hours_attended"), f"超过项目学时 {programme.hours}")
        changes["hours_attended"] = hours
    if "result" in row:
        changes["result"] = check.choice(key("result"), RESULTS)
    if "completed_on" in row:
        changes["completed_on"] = check.date(key("completed_on"))
    if "cost_charged" in row:
        changes["cost_charged"] = check.money(key("cost_charged")) or Decimal("0.00")
    result = changes.get("result", enrolment.result)
    completed_on = changes.get("completed_on", enrolment.completed_on)
    if not check.has_problem(key("result")) and not check.has_problem(key("completed_on")):
        if result is not None and completed_on is None:
            check.refuse(key("completed_on"), f"已填写成绩（{result}），须填写结业日期")
        elif result is None and completed_on is not None:
            check.refuse(key("result"), f"填写了结业日期，须同时填写成绩（{'/'.join(RESULTS)}）")
        elif completed_on is not None and completed_on < programme.start_date:
            check.refuse(key("completed_on"), f"早于培训开始日期 {programme.start_date:%Y-%m-%d}")
        elif completed_on is not None and completed_on > today:
            check.refuse(key("completed_on"), "晚于今天")
    if "certificate_id" in row:
        changes["certificate_id"] = _as_id(row["certificate_id"])
    certificate_id = changes.get("certificate_id", enrolment.certificate_id)
    if certificate_id is not None and not check.has_problem(key("result")):
        problem = _certificate_problem(session, enrolment, programme, certificate_id, result)
        if problem:
            check.refuse(key("certificate_id"), problem)
    return changes, check.problems


def record_results(engine: Engine, programme_id: int, rows: list[dict], *, today: date | None = None) -> None:
    """Record hours, results, certificates and charges of a programme's enrolments.

    Each row: {"enrolment_id", and any of "hours_attended", "result", "completed_on",
    "certificate_id", "cost_charged", "override_reason", "version"}. Every row is checked
    before anything is written, and all of it is written in one transaction or nothing
    is: FieldErrors lists every problem under keys like "17.hours_attended", each message
    naming the worker and the field. Each worker's ledger is then brought in line with
    the charge; a charge that overdraws the account refuses the whole save unless its
    row gives "override_reason", which the ledger entry keeps."""
    today = today or date.today()
    with unit_of_work(engine) as session:
        programme = _programme_or_refuse(session, programme_id)
        ids = [row.get("enrolment_id") for row in rows]
        enrolments = {
            e.id: e
            for e in session.scalars(
                select(TrainingEnrolment).where(
                    TrainingEnrolment.programme_id == programme_id, TrainingEnrolment.id.in_(ids)
                )
            )
        }
        worker_ids = {e.worker_id for e in enrolments.values()}
        who = {w.id: worker_label(w) for w in session.scalars(select(Worker).where(Worker.id.in_(worker_ids)))}
        problems: list[FieldProblem] = []
        planned = []
        for row in rows:
            enrolment = enrolments.get(row.get("enrolment_id"))
            if enrolment is None:
                problems.append(
                    FieldProblem(f"{row.get('enrolment_id')}.enrolment_id", "报名记录不存在或不属于本培训项目，请重新加载")
                )
                continue
            if row.get("version") is not None and row["version"] != enrolment.version:
                raise StaleRecord(_STALE_ENROLMENT)
            changes, row_problems = _check_result_row(
                session, programme, enrolment, who[enrolment.worker_id], row, today
            )
            problems += row_problems
            planned.append((enrolment, changes, row.get("override_reason")))
        if problems:
            raise FieldErrors(problems)
        for enrolment, changes, _override in planned:
            for name, value in changes.items():
                setattr(enrolment, name, value)
        try:
            session.flush()
        except StaleDataError:
            raise StaleRecord(_STALE_ENROLMENT) from None
        for enrolment, _changes, override in planned:
            try:
                charge_enrolment(
                    session, enrolment, on=programme.start_date, correction_on=today, override_reason=override
                )
            except Overdraft as exc:
                problems.append(
                    FieldProblem(
                        f"{enrolment.id}.cost_charged",
                        f"{who[enrolment.worker_id]}：{RESULT_LABELS['cost_charged']}：{exc}",
                    )
                )
        if problems:
            raise FieldErrors(problems)  # rolls back every row written above


def link_certificate(
    engine: Engine, enrolment_id: int, certificate_id: int | None, *, expected_version: int | None = None
) -> None:
    """Record the certificate an enrolment obtained (None unlinks it): the worker's own,
    not from a failed result, not issued before the programme started."""
    with unit_of_work(engine) as session:
        enrolment = session.get(TrainingEnrolment, enrolment_id)
        if enrolment is None:
            raise StaleRecord("该报名记录已不存在（可能已被另一位经办人删除）。")
        if expected_version is not None and enrolment.version != expected_version:
            raise StaleRecord(_STALE_ENROLMENT)
        if certificate_id is not None:
            problem = _certificate_problem(
                session, enrolment, enrolment.programme, certificate_id, enrolment.result
            )
            if problem:
                raise FieldErrors([FieldProblem("certificate_id", f"{RESULT_LABELS['certificate_id']}：{problem}")])
        enrolment.certificate_id = certificate_id
        try:
            session.flush()
        except StaleDataError:
            raise StaleRecord(_STALE_ENROLMENT) from None


@dataclass(frozen=True)
class EnrolmentRow:
    id: int
    version: int
    programme_id: int
    programme_name: str
    programme_start: date
    programme_hours: int
    worker_id: int
    worker_name: str
    employee_no: str
    department: str
    enrolled_on: date
    hours_attended: int | None
    result: str
    completed_on: date | None
    certificate_id: int | None
    certificate_number: str
    cost_charged: Decimal


def _enrolment_rows(engine: Engine, condition, *order_by) -> list[EnrolmentRow]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(
                TrainingEnrolment,
                TrainingProgramme.name.label("programme_name"),
                TrainingProgramme.start_date.label("programme_start"),
                TrainingProgramme.hours.label("programme_hours"),
                Worker.name.label("worker_name"),
                Worker.employee_no,
                Department.name.label("department"),
                Certificate.number.label("certificate_number"),
            )
            .join(TrainingProgramme, TrainingProgramme.id == TrainingEnrolment.programme_id)
            .join(Worker, Worker.id == TrainingEnrolment.worker_id)
            .outerjoin(Department, Department.id == Worker.department_id)
            .outerjoin(Certificate, Certificate.id == TrainingEnrolment.certificate_id)
            .where(condition)
            .order_by(*order_by, TrainingEnrolment.id)
        ).all()
    return [
        EnrolmentRow(
            id=r.id, version=r.version, programme_id=r.programme_id, programme_name=r.programme_name,
            programme_start=r.programme_start, programme_hours=r.programme_hours, worker_id=r.worker_id,
            worker_name=r.worker_name, employee_no=r.employee_no or "", department=r.department or "",
            enrolled_on=r.enrolled_on, hours_attended=r.hours_attended, result=r.result or "",
            completed_on=r.completed_on, certificate_id=r.certificate_id,
            certificate_number=r.certificate_number or "", cost_charged=r.cost_charged,
        )
        for r in rows
    ]


def enrolments_of_programme(engine: Engine, programme_id: int) -> list[EnrolmentRow]:
    return _enrolment_rows(
        engine, TrainingEnrolment.programme_id == programme_id, Department.name, Worker.employee_no, Worker.name
    )


def enrolments_of_worker(engine: Engine, worker_id: int) -> list[EnrolmentRow]:
    return _enrolment_rows(engine, TrainingEnrolment.worker_id == worker_id, TrainingProgramme.start_date.desc())


def enrolments_of_agreement(engine: Engine, agreement_id: int) -> list[EnrolmentRow]:
    """The enrolments a service agreement 服务期协议 covers."""
    covered = select(AgreementEnrolment.enrolment_id).where(AgreementEnrolment.agreement_id == agreement_id)
    return _enrolment_rows(engine, TrainingEnrolment.id.in_(covered), TrainingProgramme.start_date)
