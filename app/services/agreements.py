"""Service-period agreements 培训服务期协议 (劳动合同法 第二十二条).

When the enterprise pays for a worker's specialised training, the two may agree on a
service period; a worker who leaves before it ends repays the part of the cost not yet
amortised. How much, exactly:

    服务期总天数 total_days = 服务期终止日 − 服务期起始日 + 1 (both days count)
    已服务天数  served_days = 离职日期 − 服务期起始日 + 1, kept between 0 and total_days
    应偿还金额  due = 培训费用 × (total_days − served_days) ÷ total_days,
                rounded half-up to the cent (分)

The leaving day counts as served. Leaving before the period starts repays the whole cost,
leaving on its last day (or later) repays nothing, and the amount is never more than the
cost paid nor below zero.

Status: 有效 (open) → 已结清 (the worker left and the repayment was settled) or 已履行
(the period was served in full); 已解除 is kept for agreements the parties dissolved.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import Engine, delete, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from app.errors import FieldErrors, FieldProblem, Refused
from app.models import (
    AgreementEnrolment,
    Department,
    ServiceAgreement,
    TrainingEnrolment,
    TrainingProgramme,
    Worker,
)
from app.models.base import CENT
from app.models.db import reading, unit_of_work
from app.services.accounts import FormCheck
from app.services.rmb import rmb_capitals
from app.services.training import enrolments_of_agreement
from app.services.vocab import STATUS_ACTIVE
from app.services.workers import StaleRecord, worker_label

__all__ = [
    "STATUS_DISSOLVED",
    "STATUS_FULFILLED",
    "STATUS_OPEN",
    "STATUS_SETTLED",
    "AgreementRow",
    "departure_statement",
    "departures_with_open_agreements",
    "load_agreement",
    "mark_fulfilled",
    "open_agreements",
    "repayment_due",
    "save_agreement",
    "service_days",
    "settle_agreement",
]

STATUS_OPEN, STATUS_FULFILLED, STATUS_SETTLED, STATUS_DISSOLVED = "有效", "已履行", "已结清", "已解除"
LABELS = {
    "worker_id": "职工", "agreement_no": "协议编号", "signed_on": "签订日期", "cost": "培训费用",
    "service_start": "服务期起始日", "service_end": "服务期终止日", "notes": "备注", "enrolment_ids": "所含培训",
    "settled_on": "结清日期", "repayment": "偿还金额", "note": "说明", "on": "履行完毕日期",
}
_LENGTHS = {"agreement_no": 64}
_STALE = "该服务期协议在您打开之后已被修改（可能是另一位经办人），本次修改未保存。请重新加载后再改。"


def service_days(agreement, on: date) -> tuple[int, int]:
    """(served_days, total_days) of the period for a worker leaving on `on` (module docstring)."""
    total = (agreement.service_end - agreement.service_start).days + 1
    served = min(max((on - agreement.service_start).days + 1, 0), total)
    return served, total


def repayment_due(agreement, leave_date: date) -> Decimal:
    """培训费用 × (total_days − served_days) ÷ total_days, half-up to the cent: the cost not
    yet amortised when the worker leaves on `leave_date` (module docstring). `agreement`
    is anything with cost, service_start and service_end."""
    served, total = service_days(agreement, leave_date)
    # Multiplying before dividing keeps the quotient exact to Decimal's 28 digits.
    return (Decimal(agreement.cost) * (total - served) / total).quantize(CENT, rounding=ROUND_HALF_UP)


def _agreement_or_refuse(session: Session, agreement_id: int, expected_version: int | None = None) -> ServiceAgreement:
    agreement = session.get(ServiceAgreement, agreement_id)
    if agreement is None:
        raise StaleRecord("该服务期协议已不存在（可能已被另一位经办人删除）。")
    if expected_version is not None and agreement.version != expected_version:
        raise StaleRecord(_STALE)
    return agreement


def _refuse_unless_open(agreement: ServiceAgreement) -> None:
    if agreement.status != STATUS_OPEN:
        when = f"（{agreement.settled_on:%Y-%m-%d}）" if agreement.settled_on else ""
        raise Refused(f"该服务期协议状态为{agreement.status}{when}，不能再修改。")


def _flush(session: Session) -> None:
    try:
        session.flush()
    except StaleDataError:
        raise StaleRecord(_STALE) from None


def save_agreement(
    engine: Engine, values: dict, *, agreement_id: int | None = None, expected_version: int | None = None
) -> int:
    """Check and save an agreement; returns its id.

    values: worker_id, cost (> 0), service_start, service_end (≥ start), and optionally
    agreement_no, signed_on, notes, enrolment_ids (the worker's own enrolments the
    agreement covers; the list replaces the earlier one). Raises FieldErrors listing every
    problem; only an open (有效) agreement can be edited."""
    check = FormCheck(values, LABELS, _LENGTHS)
    cost = check.money("cost", required=True, positive=True)
    start = check.date("service_start", required=True)
    end = check.date("service_end", required=True)
    signed_on = check.date("signed_on")
    agreement_no = check.text("agreement_no")
    notes = check.text("notes")
    if start and end and end < start:
        check.refuse("service_end", f"早于服务期起始日 {start:%Y-%m-%d}")
    if signed_on and end and signed_on > end:
        check.refuse("signed_on", f"晚于服务期终止日 {end:%Y-%m-%d}")
    enrolment_ids = list(dict.fromkeys(values.get("enrolment_ids") or []))
    with unit_of_work(engine) as session:
        agreement = None
        if agreement_id is not None:
            agreement = _agreement_or_refuse(session, agreement_id, expected_version)
            _refuse_unless_open(agreement)
        worker_id = values.get("worker_id")
        worker = session.get(Worker, worker_id) if worker_id not in (None, "") else None
        if worker is None:
            check.refuse("worker_id", "不能为空" if worker_id in (None, "") else "该职工已不存在")
        else:
            _check_enrolments(session, check, worker, enrolment_ids)
        if agreement_no:
            other = session.scalars(
                select(ServiceAgreement).where(
                    ServiceAgreement.agreement_no == agreement_no, ServiceAgreement.id != (agreement_id or 0)
                )
            ).first()
            if other is not None:
                check.refuse("agreement_no", f"{agreement_no} 已用于职工 {worker_label(session.get(Worker, other.worker_id))} 的协议")
        check.raise_if_any()
        if agreement is None:
            agreement = ServiceAgreement(status=STATUS_OPEN)
            session.add(agreement)
        agreement.worker_id, agreement.cost = worker.id, cost
        agreement.service_start, agreement.service_end = start, end
        agreement.signed_on, agreement.agreement_no, agreement.notes = signed_on, agreement_no, notes
        _flush(session)
        session.execute(delete(AgreementEnrolment).where(AgreementEnrolment.agreement_id == agreement.id))
        session.add_all(AgreementEnrolment(agreement_id=agreement.id, enrolment_id=e) for e in enrolment_ids)
        return agreement.id


def _check_enrolments(session: Session, check: FormCheck, worker: Worker, enrolment_ids: list) -> None:
    found = session.execute(
        select(TrainingEnrolment.id, TrainingEnrolment.worker_id, TrainingProgramme.name)
        .join(TrainingProgramme, TrainingProgramme.id == TrainingEnrolment.programme_id)
        .where(TrainingEnrolment.id.in_(enrolment_ids))
    ).all()
    others = [f"「{name}」" for _id, worker_id, name in found if worker_id != worker.id]
    if len(found) < len(enrolment_ids):
        check.refuse("enrolment_ids", f"有 {len(enrolment_ids) - len(found)} 条报名记录已不存在，请重新选择")
    elif others:
        check.refuse("enrolment_ids", f"{'、'.join(others)}不是 {worker.name} 本人报名的培训")


@dataclass(frozen=True)
class AgreementRow:
    id: int
    version: int
    worker_id: int
    worker_name: str
    employee_no: str
    department: str
    worker_status: str
    leave_date: date | None
    agreement_no: str
    signed_on: date | None
    cost: Decimal
    service_start: date
    service_end: date
    status: str
    settled_on: date | None  # when it was 已结清 or 已履行
    repaid: Decimal | None  # the repayment recorded when it was settled
    total_days: int
    days_left: int  # days of the period not yet served on `as_of` (the day itself counts as served)
    as_of: date  # the date `days_left` and `repayment_due` are computed for
    repayment_due: Decimal  # if the worker leaves (or left) on `as_of`


def _agreement_rows(engine: Engine, today: date, *conditions, on_leave_date: bool = False) -> list[AgreementRow]:
    """Agreements with the worker, and the repayment due on `today` — or, with
    `on_leave_date`, on the worker's leave date where there is one."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(
                ServiceAgreement,
                Worker.name.label("worker_name"),
                Worker.employee_no,
                Worker.status.label("worker_status"),
                Worker.leave_date,
                Department.name.label("department"),
            )
            .join(Worker, Worker.id == ServiceAgreement.worker_id)
            .outerjoin(Department, Department.id == Worker.department_id)
            .where(*conditions)
            .order_by(ServiceAgreement.service_end, ServiceAgreement.id)
        ).all()
    result = []
    for r in rows:
        as_of = r.leave_date if on_leave_date and r.leave_date else today
        served, total = service_days(r, as_of)
        result.append(
            AgreementRow(
                id=r.id, version=r.version, worker_id=r.worker_id, worker_name=r.worker_name,
                employee_no=r.employee_no or "", department=r.department or "", worker_status=r.worker_status,
                leave_date=r.leave_date, agreement_no=r.agreement_no or "", signed_on=r.signed_on, cost=r.cost,
                service_start=r.service_start, service_end=r.service_end, status=r.status,
                settled_on=r.settled_on, repaid=r.repayment, total_days=total, days_left=total - served,
                as_of=as_of, repayment_due=repayment_due(r, as_of),
            )
        )
    return result


def load_agreement(engine: Engine, agreement_id: int, *, today: date | None = None) -> AgreementRow:
    rows = _agreement_rows(engine, today or date.today(), ServiceAgreement.id == agreement_id)
    if not rows:
        raise StaleRecord("该服务期协议已不存在（可能已被另一位经办人删除）。")
    return rows[0]


def open_agreements(engine: Engine, *, today: date | None = None) -> list[AgreementRow]:
    """Agreements still 有效, the period ending soonest first, with the days left and the
    repayment due if the worker left today."""
    return _agreement_rows(engine, today or date.today(), ServiceAgreement.status == STATUS_OPEN)


def departures_with_open_agreements(engine: Engine, *, today: date | None = None) -> list[AgreementRow]:
    """Open agreements of workers who left, retired or have a leave date (also a future
    one: the clerk is warned before the paperwork), with the repayment due on the leave
    date (today when the register gives none). A departure after the period ended shows
    0.00: the agreement is to be marked 已履行."""
    return _agreement_rows(
        engine,
        today or date.today(),
        ServiceAgreement.status == STATUS_OPEN,
        or_(Worker.status != STATUS_ACTIVE, Worker.leave_date.is_not(None)),
        on_leave_date=True,
    )


def settle_agreement(
    engine: Engine,
    agreement_id: int,
    *,
    settled_on: date,
    repayment,
    note: str | None = None,
    expected_version: int | None = None,
) -> None:
    """Close an open agreement as 已结清 with the repayment actually received (0 up to
    the cost: it may differ from `repayment_due` when the parties agreed otherwise)."""
    check = FormCheck({"settled_on": settled_on, "repayment": repayment, "note": note}, LABELS)
    when = check.date("settled_on", required=True)
    amount = check.money("repayment", required=True)
    note_text = check.text("note")
    with unit_of_work(engine) as session:
        agreement = _agreement_or_refuse(session, agreement_id, expected_version)
        _refuse_unless_open(agreement)
        if amount is not None and amount > agreement.cost:
            check.refuse("repayment", f"超过培训费用 {agreement.cost} 元（偿还金额不能超过企业支付的培训费用）")
        check.raise_if_any()
        agreement.status, agreement.settled_on, agreement.repayment = STATUS_SETTLED, when, amount
        if note_text:
            agreement.notes = "\n".join(filter(None, [agreement.notes, f"结清：{note_text}"]))
        _flush(session)


def mark_fulfilled(
    engine: Engine, agreement_id: int, *, on: date | None = None, expected_version: int | None = None
) -> None:
    """Close an agreement whose period was served in full as 已履行 (on `on`, by default
    today): refused while the period runs, or when the worker left before it ended."""
    on = on or date.today()
    with unit_of_work(engine) as session:
        agreement = _agreement_or_refuse(session, agreement_id, expected_version)
        _refuse_unless_open(agreement)
        if on <= agreement.service_end:
            raise FieldErrors([FieldProblem("on", f"{LABELS['on']}：服务期至 {agreement.service_end:%Y-%m-%d} 尚未届满")])
        worker = session.get(Worker, agreement.worker_id)
        if worker.leave_date is not None and worker.leave_date < agreement.service_end:
            raise Refused(
                f"{worker_label(worker)} 已于 {worker.leave_date:%Y-%m-%d} 离职，服务期未满，应办理结清（偿还培训费用），不是履行完毕。"
            )
        agreement.status, agreement.settled_on = STATUS_FULFILLED, on
        _flush(session)


def departure_statement(engine: Engine, agreement_id: int, leave_date: date | None = None) -> str:
    """The repayment statement 服务期协议离职结算单 for the departure paperwork, as plain text.

    It is a legal document, so it carries the full 证件号码 (masked for a role that may not
    see it). `leave_date` defaults to the worker's 离职日期. The amount due is written in
    figures and in 人民币大写, as on any document that moves money."""
    from app.services.users import shown_id_number

    with reading(engine) as session:
        agreement = _agreement_or_refuse(session, agreement_id)
        worker = session.get(Worker, agreement.worker_id)
        leave_date = leave_date or worker.leave_date
        if leave_date is None:
            raise FieldErrors([FieldProblem("leave_date", "离职日期：该职工没有离职日期，请填写")])
        department = worker.department.name if worker.department else ""
    served, total = service_days(agreement, leave_date)
    due = repayment_due(agreement, leave_date)
    courses = [
        f"  {e.programme_name}（{e.programme_start:%Y-%m-%d} 开班，扣费 {e.cost_charged} 元）"
        for e in enrolments_of_agreement(engine, agreement_id)
    ]
    lines = [
        "培训服务期协议 离职结算单",
        "",
        f"职工姓名：{worker.name}    工号：{worker.employee_no or ''}    部门：{department}",
        f"证件类型：{worker.id_type}    证件号码：{shown_id_number(engine, worker.id_number)}",
        f"协议编号：{agreement.agreement_no or '（无）'}    签订日期：{_day(agreement.signed_on)}",
        f"服务期：{agreement.service_start:%Y-%m-%d} 至 {agreement.service_end:%Y-%m-%d}（共 {total} 天）",
        f"培训费用（企业支付）：{agreement.cost} 元",
        *(["所含培训："] + courses if courses else []),
        f"离职日期：{leave_date:%Y-%m-%d}",
        f"已服务：{served} 天 / {total} 天；未服务：{total - served} 天",
        f"应偿还培训费用：{due} 元（人民币{rmb_capitals(due)}）",
        (
            f"计算方法：培训费用 {agreement.cost} 元 × 未服务天数 {total - served} ÷ 服务期总天数 {total}，"
            "四舍五入到分（劳动合同法 第二十二条：违约金不得超过服务期尚未履行部分所应分摊的培训费用）。"
        ),
    ]
    if agreement.status != STATUS_OPEN:
        repaid = f"（实际偿还 {agreement.repayment} 元）" if agreement.repayment is not None else ""
        lines.append(f"协议状态：{agreement.status}{repaid}")
    lines += ["", "职工签字：____________    日期：____年__月__日", "经办人：____________    单位（盖章）："]
    return "\n".join(lines)


def _day(value: date | None) -> str:
    return f"{value:%Y-%m-%d}" if value else "（未填写）"
