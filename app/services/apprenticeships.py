"""Apprenticeships 师徒结对 (SPEC §3, §4): a master 师傅 and an apprentice 徒弟, their periodic
assessments 考核, and how the pairing ended (已出师 with the apprentice's certificate, or 终止).

Plain functions over an Engine; every user action is one transaction, every check runs
before anything is written, and every refusal names its field in Chinese (SPEC §10).

Three rules of §4 bend with a recorded reason: a master below the policy's minimum level
('apprenticeship.master_min_level', 高级工), a master who already has the policy's
maximum of apprentices ('apprenticeship.max_apprentices', 3), and an apprentice who already
has another pairing 在培 on the start date are refused unless the form gives 超限原因
(override_reason), which the pairing then keeps.

When a pairing is 在培:
- on a day D (the apprentice limit): start_date ≤ D and (ended_on is None or ended_on > D) —
  on the day a pairing ends its master may take the next apprentice;
- in a month M (带徒津贴, `active_in_month`): start_date ≤ the last day of M and (ended_on is
  None or ended_on ≥ the first day of M) — a pairing 在培 on any day of M counts for M, so one
  that ends mid-month still counts for that month, and one starting on the 1st of the next
  month does not.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from typing import NamedTuple

from sqlalchemy import Engine, and_, func, or_, select
from sqlalchemy.orm import Session, aliased
from sqlalchemy.orm.exc import StaleDataError

from app.errors import FieldErrors, FieldProblem
from app.models import (
    ApprenticeAssessment,
    Apprenticeship,
    Certificate,
    Occupation,
    Worker,
)
from app.models.db import unit_of_work
from app.services.accounts import FormCheck
from app.services.levels import LEVEL_NAMES, level_name, level_on, levels_on_query
from app.services.policy import policy_value
from app.services.values import add_years
from app.services.vocab import STATUS_ACTIVE
from app.services.workers import StaleRecord, named_record, worker_label

__all__ = [
    "ACTIVE",
    "ENDED_STATUSES",
    "GRADUATED",
    "KINDS",
    "KIND_MENTOR",
    "KIND_NEW_APPRENTICESHIP",
    "STATUSES",
    "TERMINATED",
    "ActivePairing",
    "MasterRow",
    "PairingRow",
    "active_in_month",
    "add_assessment",
    "add_months",
    "assessments_overdue",
    "due_soon",
    "end_pairing",
    "list_pairings",
    "load_pairing",
    "masters",
    "save_pairing",
]

KIND_MENTOR, KIND_NEW_APPRENTICESHIP = "企业师带徒", "企业新型学徒制"
KINDS = (KIND_MENTOR, KIND_NEW_APPRENTICESHIP)
ACTIVE, GRADUATED, TERMINATED = "在培", "已出师", "终止"
STATUSES = (ACTIVE, GRADUATED, TERMINATED)
ENDED_STATUSES = (GRADUATED, TERMINATED)

PAIRING_LABELS = {
    "master_id": "师傅", "apprentice_id": "徒弟", "occupation": "职业（工种）", "kind": "类型",
    "partner": "合作院校/机构", "start_date": "开始日期", "planned_end": "计划结束日期", "target_level": "目标等级",
    "agreement_no": "协议编号", "notes": "备注", "override_reason": "超限原因",
}
_PAIRING_LENGTHS = {"occupation": 100, "partner": 200, "agreement_no": 64}
END_LABELS = {"status": "结束方式", "on": "结束日期", "outcome_certificate_id": "出师证书", "reason": "终止原因"}
ASSESSMENT_LABELS = {"assessed_on": "考核日期", "content": "考核内容", "result": "考核结果", "assessor": "考核人"}
_ASSESSMENT_LENGTHS = {"result": 16, "assessor": 64}
_STALE = "该师徒结对在您打开之后已被修改（可能是另一位经办人），本次修改未保存。请重新加载后再改。"
_GONE = "该师徒结对已不存在（可能已被另一位经办人删除）。"


def add_months(day: date, months: int) -> date:
    """The same day `months` later; a day the month lacks becomes its last day."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _pairing_or_refuse(session: Session, pairing_id: int) -> Apprenticeship:
    pairing = session.get(Apprenticeship, pairing_id)
    if pairing is None:
        raise StaleRecord(_GONE)
    return pairing


def _worker_id(check: FormCheck, key: str) -> int | None:
    raw = check.values.get(key)
    if raw is None or raw == "":
        check.refuse(key, "不能为空")
        return None
    try:
        return int(raw)
    except (TypeError, ValueError):
        check.refuse(key, "请从职工名单中选择")
        return None


def _not_active_reason(worker: Worker, on: date) -> str | None:
    """Why the worker was not 在职 on `on`, or None. A worker who left later (the clerk
    backfilling an old pairing) was 在职 then."""
    left = worker.leave_date
    if worker.hire_date is not None and worker.hire_date > on:
        return f"{worker_label(worker)} 入职日期 {worker.hire_date:%Y-%m-%d} 晚于开始日期 {on:%Y-%m-%d}，当日不在职"
    if left is not None and left <= on:
        return f"{worker_label(worker)} 已于 {left:%Y-%m-%d} {worker.status if worker.status != STATUS_ACTIVE else '离职'}，开始日期当日不在职"
    if worker.status != STATUS_ACTIVE and left is None:
        return f"{worker_label(worker)} 状态为{worker.status}，不在职"
    return None


def _active_on(day: date):
    """SQL condition: the pairing is 在培 on `day` (see the module's docstring)."""
    return and_(
        Apprenticeship.start_date <= day,
        or_(Apprenticeship.ended_on.is_(None), Apprenticeship.ended_on > day),
    )


def save_pairing(
    engine: Engine,
    values: dict,
    *,
    pairing_id: int | None = None,
    expected_version: int | None = None,
    today: date | None = None,
) -> int:
    """Check and save a pairing 师徒结对; returns its id.

    `values` is the whole form: master_id, apprentice_id, occupation (a name, created when
    new), kind, partner, start_date, planned_end, target_level, agreement_no, notes,
    override_reason. Raises FieldErrors listing every problem, StaleRecord when the pairing
    changed since `expected_version`. `today` is accepted for the form's sake; every rule
    is judged on the start date."""
    check = FormCheck(values, PAIRING_LABELS, _PAIRING_LENGTHS)
    master_id = _worker_id(check, "master_id")
    apprentice_id = _worker_id(check, "apprentice_id")
    clean = {
        "kind": check.choice("kind", KINDS, required=True),
        "partner": check.text("partner"),
        "start_date": check.date("start_date", required=True),
        "planned_end": check.date("planned_end"),
        "target_level": check.rank("target_level"),
        "agreement_no": check.text("agreement_no"),
        "notes": check.text("notes"),
        "override_reason": check.text("override_reason"),
    }
    occupation = check.text("occupation")
    if master_id is not None and master_id == apprentice_id:
        check.refuse("apprentice_id", "不能与师傅是同一人")
    kind, start, planned_end = clean["kind"], clean["start_date"], clean["planned_end"]
    if start and planned_end and planned_end <= start:
        check.refuse("planned_end", f"应晚于开始日期 {start:%Y-%m-%d}")
    if kind == KIND_NEW_APPRENTICESHIP and not clean["partner"]:
        check.refuse("partner", "企业新型学徒制须填写合作的院校或培训机构")
    with unit_of_work(engine) as session:
        pairing = None
        if pairing_id is not None:
            pairing = _pairing_or_refuse(session, pairing_id)
            if expected_version is not None and pairing.version != expected_version:
                raise StaleRecord(_STALE)
        conn = session.connection()
        if kind == KIND_NEW_APPRENTICESHIP and start and not check.has_problem("planned_end"):
            low = int(policy_value(conn, "subsidy.apprentice.min_years", start))
            high = int(policy_value(conn, "subsidy.apprentice.max_years", start))
            if planned_end is None:
                check.refuse("planned_end", f"企业新型学徒制须填写计划结束日期（培训期 {low}–{high} 年）")
            elif not add_years(start, low) <= planned_end <= add_years(start, high):
                check.refuse(
                    "planned_end",
                    f"企业新型学徒制培训期应为 {low}–{high} 年，即 {add_years(start, low):%Y-%m-%d} 至 "
                    f"{add_years(start, high):%Y-%m-%d} 之间，当前为 {planned_end:%Y-%m-%d}",
                )
        master = _check_worker(session, check, "master_id", master_id, start)
        apprentice = _check_worker(session, check, "apprentice_id", apprentice_id, start)
        if pairing is not None and start:
            _check_against_history(session, check, pairing, start)
        if master is not None and start and not check.has_problem("master_id"):
            _check_master(session, check, master, start, pairing_id, clean["override_reason"])
        if apprentice is not None and start and not check.has_problem("apprentice_id"):
            _check_apprentice(session, check, apprentice, start, pairing_id, clean["override_reason"])
        check.raise_if_any()
        if pairing is None:
            pairing = Apprenticeship(status=ACTIVE)
            session.add(pairing)
        pairing.master_id, pairing.apprentice_id = master_id, apprentice_id
        for key, value in clean.items():
            setattr(pairing, key, value)
        found = named_record(session, Occupation, occupation)
        pairing.occupation_id = found.id if found is not None else None
        try:
            session.flush()
        except StaleDataError:
            raise StaleRecord(_STALE) from None
        return pairing.id


def _check_worker(session: Session, check: FormCheck, key: str, worker_id: int | None, start: date | None):
    if worker_id is None or check.has_problem(key):
        return None
    worker = session.get(Worker, worker_id)
    if worker is None:
        check.refuse(key, f"职工（编号 {worker_id}）不存在，请重新选择")
        return None
    if start is not None:
        reason = _not_active_reason(worker, start)
        if reason:
            check.refuse(key, reason)
    return worker


def _check_against_history(session: Session, check: FormCheck, pairing: Apprenticeship, start: date) -> None:
    """An edit must not make the recorded end or assessments fall before the start."""
    if pairing.ended_on is not None and start > pairing.ended_on:
        check.refuse("start_date", f"该结对已于 {pairing.ended_on:%Y-%m-%d} {pairing.status}，开始日期不能晚于此日")
        return
    first = session.scalar(
        select(func.min(ApprenticeAssessment.assessed_on)).where(ApprenticeAssessment.apprenticeship_id == pairing.id)
    )
    if first is not None and start > first:
        check.refuse("start_date", f"已有 {first:%Y-%m-%d} 的考核记录，开始日期不能晚于此日")


def _check_master(
    session: Session, check: FormCheck, master: Worker, start: date, pairing_id: int | None, override: str | None
) -> None:
    """The master's level and apprentice count on the start date (SPEC §4); each is
    refused without 超限原因."""
    conn = session.connection()
    min_rank = int(policy_value(conn, "apprenticeship.master_min_level", start))
    limit = int(policy_value(conn, "apprenticeship.max_apprentices", start))
    rank = level_on(session, master.id, start)
    who = worker_label(master)
    if (rank is None or rank < min_rank) and not override:
        held = f"当前等级 {LEVEL_NAMES[rank]}" if rank is not None else "没有职业技能等级"
        check.refuse(
            "master_id",
            f"{who} {held}（以开始日期 {start:%Y-%m-%d} 计），低于要求的 {LEVEL_NAMES[min_rank]}；"
            "如确需结对，请填写超限原因",
        )
    conditions = [Apprenticeship.master_id == master.id, _active_on(start)]
    if pairing_id is not None:
        conditions.append(Apprenticeship.id != pairing_id)
    count = session.scalar(select(func.count()).select_from(Apprenticeship).where(*conditions))
    if count >= limit and not override:
        check.refuse(
            "master_id",
            f"{who} 在 {start:%Y-%m-%d} 已带徒 {count} 名，每名师傅同时至多带 {limit} 名；如确需结对，请填写超限原因",
        )


def _check_apprentice(
    session: Session, check: FormCheck, apprentice: Worker, start: date, pairing_id: int | None,
    override: str | None,
) -> None:
    """An apprentice learns from one master at a time: another pairing 在培 on the start
    date is refused without 超限原因 (SPEC §4)."""
    if override:
        return
    master = aliased(Worker)
    conditions = [Apprenticeship.apprentice_id == apprentice.id, _active_on(start)]
    if pairing_id is not None:
        conditions.append(Apprenticeship.id != pairing_id)
    found = session.execute(
        select(master, Apprenticeship.start_date)
        .join(master, master.id == Apprenticeship.master_id)
        .where(*conditions)
        .order_by(Apprenticeship.start_date, Apprenticeship.id)
        .limit(1)
    ).first()
    if found is not None:
        other, since = found
        check.refuse(
            "apprentice_id",
            f"徒弟 {worker_label(apprentice)} 已有在培的师傅 {worker_label(other)}（自 {since:%Y-%m-%d}）；"
            "如确需同时结对，请填写超限原因",
        )


def end_pairing(
    engine: Engine,
    pairing_id: int,
    *,
    status: str,
    on: date,
    outcome_certificate_id: int | None = None,
    reason: str | None = None,
    expected_version: int | None = None,
) -> None:
    """End a 在培 pairing on `on`: 已出师 with the apprentice's certificate (his own, not
    revoked, not issued before the start), or 终止 with its reason (kept in the notes)."""
    check = FormCheck(
        {"status": status, "on": on, "outcome_certificate_id": outcome_certificate_id, "reason": reason}, END_LABELS
    )
    status = check.choice("status", ENDED_STATUSES, required=True)
    on = check.date("on", required=True)
    reason = check.text("reason")
    with unit_of_work(engine) as session:
        pairing = _pairing_or_refuse(session, pairing_id)
        if expected_version is not None and pairing.version != expected_version:
            raise StaleRecord(_STALE)
        if pairing.status != ACTIVE:
            when = f"于 {pairing.ended_on:%Y-%m-%d} " if pairing.ended_on else ""
            check.refuse("status", f"该结对已{when}{pairing.status}，不能再次结束")
        if on is not None and on < pairing.start_date:
            check.refuse("on", f"早于开始日期 {pairing.start_date:%Y-%m-%d}")
        if on is not None:
            last = session.scalar(
                select(func.max(ApprenticeAssessment.assessed_on)).where(
                    ApprenticeAssessment.apprenticeship_id == pairing.id
                )
            )
            if last is not None and on < last:
                check.refuse("on", f"早于最近一次考核日期 {last:%Y-%m-%d}")
        if status == GRADUATED:
            if outcome_certificate_id in (None, ""):
                check.refuse("outcome_certificate_id", "已出师须关联徒弟取得的证书")
            else:
                problem = _certificate_problem(session, pairing, outcome_certificate_id)
                if problem:
                    check.refuse("outcome_certificate_id", problem)
        elif status == TERMINATED:
            if outcome_certificate_id not in (None, ""):
                check.refuse("outcome_certificate_id", "终止的结对不关联出师证书")
            if not reason:
                check.refuse("reason", "终止须填写原因")
        check.raise_if_any()
        pairing.status, pairing.ended_on = status, on
        if status == GRADUATED:
            pairing.outcome_certificate_id = int(outcome_certificate_id)
        if reason:
            note = f"{status}原因：{reason}"
            pairing.notes = f"{pairing.notes}\n{note}" if pairing.notes else note
        try:
            session.flush()
        except StaleDataError:
            raise StaleRecord(_STALE) from None


def _certificate_problem(session: Session, pairing: Apprenticeship, certificate_id) -> str | None:
    try:
        cert = session.get(Certificate, int(certificate_id))
    except (TypeError, ValueError):
        cert = None
    if cert is None:
        return "该证书不存在"
    if cert.worker_id != pairing.apprentice_id:
        apprentice = session.get(Worker, pairing.apprentice_id)
        return f"该证书属于职工 {worker_label(cert.worker)}，不是徒弟 {worker_label(apprentice)} 的证书"
    if cert.revoked:
        return "该证书已撤销"
    if cert.issue_date is not None and cert.issue_date < pairing.start_date:
        return f"发证日期 {cert.issue_date:%Y-%m-%d} 早于结对开始日期 {pairing.start_date:%Y-%m-%d}，不是带徒期间取得的"
    return None


def add_assessment(engine: Engine, pairing_id: int, values: dict, *, today: date | None = None) -> int:
    """Record an assessment 考核: assessed_on (required; not before the start, not after the
    end, not in the future), content, result, assessor. Returns its id."""
    today = today or date.today()
    check = FormCheck(values, ASSESSMENT_LABELS, _ASSESSMENT_LENGTHS)
    assessed_on = check.date("assessed_on", required=True)
    clean = {"content": check.text("content"), "result": check.text("result"), "assessor": check.text("assessor")}
    with unit_of_work(engine) as session:
        pairing = _pairing_or_refuse(session, pairing_id)
        if assessed_on is not None:
            if assessed_on < pairing.start_date:
                check.refuse("assessed_on", f"早于结对开始日期 {pairing.start_date:%Y-%m-%d}")
            elif assessed_on > today:
                check.refuse("assessed_on", "晚于今天")
            elif pairing.ended_on is not None and assessed_on > pairing.ended_on:
                check.refuse("assessed_on", f"晚于结对结束日期 {pairing.ended_on:%Y-%m-%d}（{pairing.status}）")
        check.raise_if_any()
        assessment = ApprenticeAssessment(apprenticeship_id=pairing.id, assessed_on=assessed_on, **clean)
        session.add(assessment)
        session.flush()
        return assessment.id


@dataclass(frozen=True)
class PairingRow:
    id: int
    version: int
    master_id: int
    master_name: str
    master_no: str
    master_level: int | None  # on `today`
    apprentice_id: int
    apprentice_name: str
    apprentice_no: str
    occupation: str
    kind: str
    partner: str
    start_date: date
    planned_end: date | None
    target_level: int | None
    agreement_no: str
    status: str
    ended_on: date | None
    outcome_certificate_id: int | None
    override_reason: str
    notes: str
    last_assessed_on: date | None
    next_assessment_due: date | None  # 在培 only: the last assessment (or the start) + the interval
    overdue: bool  # 在培 and the next assessment is before today

    @property
    def master_level_name(self) -> str:
        return level_name(self.master_level)


def _pairing_rows(engine: Engine, *conditions, today: date | None = None) -> list[PairingRow]:
    today = today or date.today()
    master, apprentice = aliased(Worker), aliased(Worker)
    last = (
        select(ApprenticeAssessment.apprenticeship_id, func.max(ApprenticeAssessment.assessed_on).label("last"))
        .group_by(ApprenticeAssessment.apprenticeship_id)
        .subquery()
    )
    levels = levels_on_query(today).subquery()
    with engine.connect() as conn:
        months = int(policy_value(conn, "apprenticeship.assessment_months", today))
        rows = conn.execute(
            select(
                Apprenticeship,
                master.name.label("master_name"), master.employee_no.label("master_no"),
                levels.c.rank.label("master_level"),
                apprentice.name.label("apprentice_name"), apprentice.employee_no.label("apprentice_no"),
                Occupation.name.label("occupation"), last.c.last,
            )
            .join(master, master.id == Apprenticeship.master_id)
            .join(apprentice, apprentice.id == Apprenticeship.apprentice_id)
            .outerjoin(levels, levels.c.worker_id == Apprenticeship.master_id)
            .outerjoin(Occupation, Occupation.id == Apprenticeship.occupation_id)
            .outerjoin(last, last.c.apprenticeship_id == Apprenticeship.id)
            .where(*conditions)
            .order_by(master.employee_no.is_(None), master.employee_no, master.name, Apprenticeship.start_date,
                      Apprenticeship.id)
        ).all()
    result = []
    for r in rows:
        due = add_months(r.last or r.start_date, months) if r.status == ACTIVE else None
        result.append(PairingRow(
            id=r.id, version=r.version, master_id=r.master_id, master_name=r.master_name,
            master_no=r.master_no or "", master_level=r.master_level, apprentice_id=r.apprentice_id,
            apprentice_name=r.apprentice_name, apprentice_no=r.apprentice_no or "", occupation=r.occupation or "",
            kind=r.kind, partner=r.partner or "", start_date=r.start_date, planned_end=r.planned_end,
            target_level=r.target_level, agreement_no=r.agreement_no or "", status=r.status, ended_on=r.ended_on,
            outcome_certificate_id=r.outcome_certificate_id, override_reason=r.override_reason or "",
            notes=r.notes or "", last_assessed_on=r.last, next_assessment_due=due,
            overdue=due is not None and due < today,
        ))
    return result


def list_pairings(
    engine: Engine,
    *,
    status: str | None = None,
    master_id: int | None = None,
    apprentice_id: int | None = None,
    kind: str | None = None,
    today: date | None = None,
) -> list[PairingRow]:
    """Pairings by master (工号), then start date; each filter narrows the list."""
    if status is not None and status not in STATUSES:
        raise FieldErrors([FieldProblem("status", f"状态：应为 {'/'.join(STATUSES)} 之一")])
    if kind is not None and kind not in KINDS:
        raise FieldErrors([FieldProblem("kind", f"类型：应为 {'/'.join(KINDS)} 之一")])
    conditions = []
    if status is not None:
        conditions.append(Apprenticeship.status == status)
    if master_id is not None:
        conditions.append(Apprenticeship.master_id == master_id)
    if apprentice_id is not None:
        conditions.append(Apprenticeship.apprentice_id == apprentice_id)
    if kind is not None:
        conditions.append(Apprenticeship.kind == kind)
    return _pairing_rows(engine, *conditions, today=today)


def load_pairing(engine: Engine, pairing_id: int, *, today: date | None = None) -> PairingRow:
    rows = _pairing_rows(engine, Apprenticeship.id == pairing_id, today=today)
    if not rows:
        raise StaleRecord(_GONE)
    return rows[0]


@dataclass(frozen=True)
class MasterRow:
    master_id: int
    name: str
    employee_no: str
    level: int | None  # on `today`
    active: int  # pairings 在培 today
    limit: int  # the policy's maximum on `today`
    apprentices: tuple[str, ...]  # the names of those apprentices

    @property
    def level_name(self) -> str:
        return level_name(self.level)

    @property
    def over_limit(self) -> bool:
        return self.active > self.limit


def masters(engine: Engine, *, today: date | None = None) -> list[MasterRow]:
    """Every master with an apprentice 在培 today: level, count, the policy's limit, names."""
    today = today or date.today()
    rows = [r for r in list_pairings(engine, status=ACTIVE, today=today) if r.start_date <= today]
    with engine.connect() as conn:
        limit = int(policy_value(conn, "apprenticeship.max_apprentices", today))
    by_master: dict[int, list[PairingRow]] = {}
    for row in rows:
        by_master.setdefault(row.master_id, []).append(row)
    return [
        MasterRow(
            master_id=master_id, name=group[0].master_name, employee_no=group[0].master_no,
            level=group[0].master_level, active=len(group), limit=limit,
            apprentices=tuple(r.apprentice_name for r in group),
        )
        for master_id, group in by_master.items()
    ]


class ActivePairing(NamedTuple):
    pairing_id: int
    master_id: int
    apprentice_name: str


def active_in_month(conn, month_start: date, month_end: date) -> list[ActivePairing]:
    """The pairings 在培 on at least one day of the month [month_start, month_end] — the
    basis of 带徒津贴 (one allowance per such pairing to its master).

    A pairing counts for month M when start_date ≤ the last day of M and (ended_on is None
    or ended_on ≥ the first day of M): one ending (已出师 or 终止) mid-month still counts for
    that month; one starting on the 1st of the next month does not. `conn` is a Connection
    or Session inside the caller's transaction. Ordered by master, then pairing."""
    rows = conn.execute(
        select(Apprenticeship.id, Apprenticeship.master_id, Worker.name)
        .join(Worker, Worker.id == Apprenticeship.apprentice_id)
        .where(
            Apprenticeship.start_date <= month_end,
            or_(Apprenticeship.ended_on.is_(None), Apprenticeship.ended_on >= month_start),
        )
        .order_by(Apprenticeship.master_id, Apprenticeship.id)
    )
    return [ActivePairing(r[0], r[1], r[2]) for r in rows]


def due_soon(engine: Engine, *, today: date | None = None, days: int = 30) -> list[PairingRow]:
    """在培 pairings whose planned end falls within [today, today + days]."""
    today = today or date.today()
    return _pairing_rows(
        engine,
        Apprenticeship.status == ACTIVE,
        Apprenticeship.planned_end >= today,
        Apprenticeship.planned_end <= today + timedelta(days=days),
        today=today,
    )


def assessments_overdue(engine: Engine, *, today: date | None = None) -> list[PairingRow]:
    """在培 pairings whose next assessment was due before today."""
    return [r for r in list_pairings(engine, status=ACTIVE, today=today) if r.overdue]
