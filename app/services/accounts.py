"""The personal training account 个人培训账户 (SPEC §3): each worker's ledger of budget
credits and training debits, and the personal development plan 个性化培养方案 with the
重点培养对象 flag.

An account is opened on first use, so every reading function works for any worker. The
ledger is never rewritten: a correction is a new entry (kind 更正) pointing at the entry it
corrects, carrying the difference, so any past balance can still be read as it stood.
Spending beyond the balance is refused unless the entry carries an override reason, which
stays on the entry.

All money is Decimal, quantized to 0.01.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import Connection, Engine, func, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from app.errors import FieldErrors, FieldProblem, Refused
from app.models import (
    AccountEntry,
    Department,
    TrainingAccount,
    TrainingEnrolment,
    TrainingProgramme,
    Worker,
)
from app.models.base import CENT
from app.models.db import reading, unit_of_work
from app.services.levels import (
    LEVEL_NAMES,
    LevelParseError,
    level_on,
    levels_on_query,
    parse_level,
)
from app.services.text import fold_width
from app.services.values import ValueProblem, parse_date, parse_money
from app.services.vocab import STATUS_ACTIVE
from app.services.workers import StaleRecord

__all__ = [
    "KIND_CORRECTION", "KIND_CREDIT", "KIND_DEBIT", "FormCheck", "KeyTalentRow", "LedgerRow", "Overdraft", "PlanRecord",
    "Progress", "balance", "charge_enrolment", "correct", "credit", "debit", "ensure_account", "key_talents",
    "ledger", "load_plan", "overdraft_problem", "post_correction", "progress", "save_plan",
]

KIND_CREDIT, KIND_DEBIT, KIND_CORRECTION = "预算拨入", "培训扣费", "更正"
PLAN_YEARS = (3, 5)  # seed 000 第五篇 (六).6: a 3–5 year self-study plan
ZERO = Decimal("0.00")


class FormCheck:
    """Reads one form's raw values into clean ones, collecting a problem per refused field.

    Each form names its fields through `labels` (key → Chinese label) and caps text by
    `max_lengths` (the column sizes), so every message reads 「label：reason」 (SPEC §10).
    The parsing itself is the register's (parse_date, parse_money, parse_level)."""

    def __init__(self, values: dict, labels: dict[str, str], max_lengths: dict[str, int] | None = None):
        self.values = values
        self.labels = labels
        self.max_lengths = max_lengths or {}
        self.problems: list[FieldProblem] = []

    def refuse(self, key: str, reason: str) -> None:
        self.problems.append(FieldProblem(key, f"{self.labels[key]}：{reason}"))

    def has_problem(self, key: str) -> bool:
        return any(p.field == key for p in self.problems)

    def text(self, key: str, *, required: bool = False) -> str | None:
        raw = self.values.get(key)
        text = "" if raw is None else str(raw).strip()
        if not text:
            if required:
                self.refuse(key, "不能为空")
            return None
        limit = self.max_lengths.get(key)
        if limit and len(text) > limit:
            self.refuse(key, f"最多 {limit} 个字，当前 {len(text)} 个")
            return None
        return text

    def _parsed(self, key: str, parser, required: bool):
        try:
            value = parser(self.values.get(key))
        except ValueProblem as exc:
            self.refuse(key, str(exc))
            return None
        if value is None and required:
            self.refuse(key, "不能为空")
        return value

    def date(self, key: str, *, required: bool = False) -> date | None:
        return self._parsed(key, parse_date, required)

    def money(self, key: str, *, required: bool = False, positive: bool = False) -> Decimal | None:
        value = self._parsed(key, parse_money, required)
        if value is not None and positive and value == 0:
            self.refuse(key, "应大于 0")
            return None
        return value

    def integer(self, key: str, *, low: int, high: int | None = None, required: bool = False) -> int | None:
        raw = self.values.get(key)
        text = "" if raw is None else fold_width(str(raw)).removesuffix("学时").removesuffix("年").strip()
        if not text:
            if required:
                self.refuse(key, "不能为空")
            return None
        try:
            number = Decimal(text)
        except ArithmeticError:
            number = None
        if isinstance(raw, bool) or number is None or not number.is_finite() or number != number.to_integral_value():
            self.refuse(key, "应为整数")
            return None
        value = int(number)
        if high is not None and not low <= value <= high:
            self.refuse(key, f"应在 {low} 到 {high} 之间")
            return None
        if value < low:
            self.refuse(key, {0: "不能为负数", 1: "应大于 0"}.get(low, f"不能小于 {low}"))
            return None
        return value

    def choice(self, key: str, allowed: tuple[str, ...], *, required: bool = False) -> str | None:
        text = self.text(key, required=required)
        if text is not None and text not in allowed:
            self.refuse(key, f"应为 {'/'.join(allowed)} 之一")
            return None
        return text

    def rank(self, key: str) -> int | None:
        """A target level 1–7, given as its rank or written as the register accepts it."""
        raw = self.values.get(key)
        if raw is None or raw == "":
            return None
        if isinstance(raw, int) and not isinstance(raw, bool):
            rank = raw
        else:
            try:
                rank = parse_level(str(raw))
            except LevelParseError as exc:
                self.refuse(key, str(exc))
                return None
        if not 1 <= rank < len(LEVEL_NAMES):
            self.refuse(key, f"应为 {LEVEL_NAMES[1]} 到 {LEVEL_NAMES[-1]} 之一")
            return None
        return rank

    def raise_if_any(self) -> None:
        if self.problems:
            raise FieldErrors(self.problems)


class Overdraft(Refused):
    """The entry would take the account below zero and carries no override reason."""


def _cents(amount) -> Decimal:
    return Decimal(amount).quantize(CENT)


def _amount_or_refuse(amount, key: str, label: str) -> Decimal:
    """An amount passed by code (not typed in a form): positive yuan, at most 2 decimals."""
    check = FormCheck({key: amount}, {key: label})
    value = check.money(key, required=True, positive=True)
    check.raise_if_any()
    return value


def _worker_or_refuse(session: Session, worker_id: int) -> Worker:
    worker = session.get(Worker, worker_id)
    if worker is None:
        raise StaleRecord("该职工已不存在（可能已被另一位经办人删除）。")
    return worker


def ensure_account(session: Session, worker_id: int) -> TrainingAccount:
    """The worker's account, opened (added to the session) on first use."""
    account = session.get(TrainingAccount, worker_id)
    if account is None:
        _worker_or_refuse(session, worker_id)
        account = TrainingAccount(worker_id=worker_id, key_talent=False)
        session.add(account)
        session.flush()
    return account


# --- the ledger -------------------------------------------------------------------------


def _execute_scalar(bind: Engine | Connection | Session, statement):
    if isinstance(bind, Engine):
        with bind.connect() as conn:
            return conn.scalar(statement)
    return bind.scalar(statement)


def balance(bind: Engine | Connection | Session, worker_id: int, *, on: date | None = None) -> Decimal:
    """Credits − debits (corrections included) of entries dated on or before `on`; every
    entry when `on` is None. A worker without an account has a balance of 0.00."""
    statement = select(func.coalesce(func.sum(AccountEntry.amount), 0)).where(AccountEntry.worker_id == worker_id)
    if on is not None:
        statement = statement.where(AccountEntry.entry_date <= on)
    return _cents(_execute_scalar(bind, statement))


def overdraft_problem(session: Session, worker_id: int, delta: Decimal, on: date) -> str | None:
    """Why posting `delta` on `on` overdraws the account, or None when it does not.

    A backdated debit lowers every later balance too, so the account must stay
    non-negative on `on` and on each later entry date, not just today."""
    if delta >= 0:
        return None
    entries = session.execute(
        select(AccountEntry.entry_date, AccountEntry.amount)
        .where(AccountEntry.worker_id == worker_id)
        .order_by(AccountEntry.entry_date, AccountEntry.id)
    ).all()
    before = sum((amount for day, amount in entries if day <= on), ZERO)
    running = lowest = before + delta
    lowest_on = on
    for day, amount in entries:
        if day > on:
            running += amount
            if running < lowest:
                lowest, lowest_on = running, day
    if lowest >= 0:
        return None
    where = "" if lowest_on == on else f"，{lowest_on:%Y-%m-%d} 余额将为 {lowest} 元"
    return (
        f"培训账户余额不足（{on:%Y-%m-%d} 余额 {before} 元，扣费 {-delta} 元后为 {before + delta} 元{where}）；"
        "如确需超支，请填写超支原因"
    )


def _post(
    session: Session,
    worker_id: int,
    kind: str,
    delta: Decimal,
    *,
    on: date,
    reason: str | None,
    override_reason: str | None,
    enrolment_id: int | None = None,
    corrects_entry_id: int | None = None,
) -> int:
    ensure_account(session, worker_id)
    override_reason = (override_reason or "").strip() or None
    problem = overdraft_problem(session, worker_id, delta, on)
    if problem is not None and override_reason is None:
        raise Overdraft(problem)
    entry = AccountEntry(
        worker_id=worker_id, entry_date=on, kind=kind, amount=_cents(delta), enrolment_id=enrolment_id,
        corrects_entry_id=corrects_entry_id, reason=(reason or "").strip() or None,
        # Only an entry that needed it keeps a reason for overspending: on any other it
        # would claim an override that never happened.
        override_reason=override_reason if problem is not None else None,
    )
    session.add(entry)
    session.flush()
    return entry.id


def credit(engine: Engine, worker_id: int, amount, *, on: date, reason: str) -> int:
    """预算拨入: put `amount` (> 0) into the worker's account on `on`; returns the entry id."""
    value = _amount_or_refuse(amount, "amount", "拨入金额")
    with unit_of_work(engine) as session:
        return _post(session, worker_id, KIND_CREDIT, value, on=on, reason=reason, override_reason=None)


def debit(
    session: Session,
    worker_id: int,
    amount,
    *,
    on: date,
    enrolment_id: int | None = None,
    reason: str | None = None,
    override_reason: str | None = None,
) -> int:
    """培训扣费 of `amount` (> 0, stored negative), inside the caller's transaction.

    Raises Refused when the account would go below zero and no `override_reason` is given;
    with one, the entry keeps it."""
    value = _amount_or_refuse(amount, "amount", "扣费金额")
    return _post(
        session, worker_id, KIND_DEBIT, -value, on=on, reason=reason, override_reason=override_reason,
        enrolment_id=enrolment_id,
    )


def _signed(entry: AccountEntry, amount: Decimal) -> Decimal:
    """An amount as the clerk reads the entry (credited, or charged) → as the ledger stores it."""
    return amount if entry.kind == KIND_CREDIT else -amount


def post_correction(
    session: Session,
    entry_id: int,
    corrected_amount,
    *,
    on: date,
    reason: str,
    override_reason: str | None = None,
) -> int:
    """The session-level `correct`, for callers already inside a transaction."""
    original = session.get(AccountEntry, entry_id)
    if original is None:
        raise Refused("要更正的账目已不存在。")
    if original.kind == KIND_CORRECTION:
        raise Refused("更正记录不能再更正，请更正原始账目（其所有更正会一并计算）。")
    check = FormCheck({"amount": corrected_amount, "reason": reason}, {"amount": "更正后金额", "reason": "更正原因"})
    target = check.money("amount", required=True)
    reason_text = check.text("reason", required=True)
    check.raise_if_any()
    standing = original.amount + sum(
        session.scalars(select(AccountEntry.amount).where(AccountEntry.corrects_entry_id == original.id)), ZERO
    )
    delta = _signed(original, target) - standing
    if delta == 0:
        raise Refused(f"更正后金额 {target} 元与该账目现有金额相同，无需更正。")
    entry_id = _post(
        session, original.worker_id, KIND_CORRECTION, delta, on=on, reason=reason_text,
        override_reason=override_reason, enrolment_id=original.enrolment_id, corrects_entry_id=original.id,
    )
    if original.enrolment_id is not None:
        # The enrolment shows what its ledger entries charge; a correction moves both.
        enrolment = session.get(TrainingEnrolment, original.enrolment_id)
        if enrolment is not None:
            enrolment.cost_charged = _charged(session, enrolment.id)
    return entry_id


def correct(
    engine: Engine,
    entry_id: int,
    corrected_amount,
    *,
    on: date,
    reason: str,
    override_reason: str | None = None,
) -> int:
    """Correct entry `entry_id` to `corrected_amount`, written as the clerk reads the entry:
    the amount credited for a 预算拨入, the amount charged for a 培训扣费 (≥ 0; 0 cancels it).

    Adds one 更正 entry dated `on`, pointing at the original, whose amount is the
    difference from what the original and its earlier corrections stand at now; the
    original is never changed. A correction that overdraws the account needs
    `override_reason`, like a debit. Returns the new entry's id."""
    with unit_of_work(engine) as session:
        return post_correction(
            session, entry_id, corrected_amount, on=on, reason=reason, override_reason=override_reason
        )


def _charged(session: Session, enrolment_id: int) -> Decimal:
    """What the ledger has charged for an enrolment so far (its debit and corrections)."""
    total = session.scalar(
        select(func.coalesce(func.sum(AccountEntry.amount), 0)).where(AccountEntry.enrolment_id == enrolment_id)
    )
    return -_cents(total)


def charge_enrolment(
    session: Session,
    enrolment: TrainingEnrolment,
    *,
    on: date,
    correction_on: date,
    override_reason: str | None = None,
) -> int | None:
    """Bring the ledger in line with `enrolment.cost_charged`: the first charge is a 培训扣费
    dated `on`, a later change a 更正 of that debit dated `correction_on`. Returns the new
    entry's id, None when the ledger already agrees."""
    charged = _charged(session, enrolment.id)
    target = _cents(enrolment.cost_charged or 0)
    if charged == target:
        return None
    first_debit = session.scalars(
        select(AccountEntry.id)
        .where(AccountEntry.enrolment_id == enrolment.id, AccountEntry.kind == KIND_DEBIT)
        .order_by(AccountEntry.id)
        .limit(1)
    ).first()
    programme = session.get(TrainingProgramme, enrolment.programme_id)
    if first_debit is None:
        return debit(
            session, enrolment.worker_id, target, on=on, enrolment_id=enrolment.id,
            reason=programme.name, override_reason=override_reason,
        )
    return post_correction(
        session, first_debit, target, on=correction_on, reason=f"{programme.name}：扣费由 {charged} 元改为 {target} 元",
        override_reason=override_reason,
    )


@dataclass(frozen=True)
class LedgerRow:
    id: int
    entry_date: date
    kind: str
    amount: Decimal  # credits positive, debits negative
    balance: Decimal  # after this entry, in ledger order (date, then entry order)
    reason: str
    override_reason: str
    enrolment_id: int | None
    programme_name: str
    corrects_entry_id: int | None


def ledger(engine: Engine, worker_id: int) -> list[LedgerRow]:
    """The account's entries by date with the running balance."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(AccountEntry, TrainingProgramme.name)
            .outerjoin(TrainingEnrolment, TrainingEnrolment.id == AccountEntry.enrolment_id)
            .outerjoin(TrainingProgramme, TrainingProgramme.id == TrainingEnrolment.programme_id)
            .where(AccountEntry.worker_id == worker_id)
            .order_by(AccountEntry.entry_date, AccountEntry.id)
        ).all()
    result, running = [], ZERO
    for row in rows:
        running += row.amount
        result.append(
            LedgerRow(
                id=row.id, entry_date=row.entry_date, kind=row.kind, amount=row.amount, balance=running,
                reason=row.reason or "", override_reason=row.override_reason or "",
                enrolment_id=row.enrolment_id, programme_name=row.name or "", corrects_entry_id=row.corrects_entry_id,
            )
        )
    return result


# --- the development plan ---------------------------------------------------------------

PLAN_LABELS = {
    "key_talent": "重点培养对象", "target_level": "目标等级", "target_date": "目标日期",
    "planned_courses": "计划课程", "self_study_plan": "自学计划", "plan_years": "规划年限",
}


@dataclass
class PlanRecord:
    """What the plan form shows."""

    worker_id: int
    version: int | None
    key_talent: bool = False
    target_level: int | None = None
    target_date: date | None = None
    planned_courses: str = ""
    self_study_plan: str = ""
    plan_years: int | None = None


def load_plan(engine: Engine, worker_id: int) -> PlanRecord:
    """The plan as stored; an empty one (version None) when the account was never opened."""
    with engine.connect() as conn:
        row = conn.execute(select(TrainingAccount).where(TrainingAccount.worker_id == worker_id)).first()
    if row is None:
        return PlanRecord(worker_id=worker_id, version=None)
    return PlanRecord(
        worker_id=worker_id, version=row.version, key_talent=bool(row.key_talent), target_level=row.target_level,
        target_date=row.target_date, planned_courses=row.planned_courses or "",
        self_study_plan=row.self_study_plan or "", plan_years=row.plan_years,
    )


def save_plan(
    engine: Engine, worker_id: int, values: dict, expected_version: int | None = None, *, today: date | None = None
) -> int:
    """Check and save the 个性化培养方案; returns the account's new version.

    Raises FieldErrors listing every problem, StaleRecord when another clerk saved the
    plan since `expected_version` was loaded."""
    today = today or date.today()
    check = FormCheck(values, PLAN_LABELS)
    target_level = check.rank("target_level")
    target_date = check.date("target_date")
    plan_years = check.integer("plan_years", low=PLAN_YEARS[0], high=PLAN_YEARS[1])
    if target_date is not None and target_level is None and not check.has_problem("target_level"):
        check.refuse("target_date", "填写了目标日期，须同时填写目标等级")
    clean = {
        "key_talent": bool(values.get("key_talent")),
        "target_level": target_level,
        "target_date": target_date,
        "planned_courses": check.text("planned_courses"),
        "self_study_plan": check.text("self_study_plan"),
        "plan_years": plan_years,
    }
    with unit_of_work(engine) as session:
        account = ensure_account(session, worker_id)
        if expected_version is not None and account.version != expected_version:
            raise StaleRecord("该职工的培养方案在您打开之后已被修改（可能是另一位经办人），本次修改未保存。请重新加载后再改。")
        current = level_on(session, worker_id, today) or 0
        if target_level is not None and target_level <= current and target_level != account.target_level:
            check.refuse("target_level", f"不高于当前等级 {LEVEL_NAMES[current]}，目标应高于当前等级")
        check.raise_if_any()
        for key, value in clean.items():
            setattr(account, key, value)
        try:
            session.flush()
        except StaleDataError:
            raise StaleRecord() from None
        return account.version


@dataclass(frozen=True)
class Progress:
    current_rank: int  # 0 (学徒工) when the worker holds no level certificate
    target_rank: int | None
    target_date: date | None
    steps_to_go: int | None  # levels still to climb; None without a target
    days_left: int | None  # to the target date; negative when it has passed
    # True: target reached; False: the target date passed without it; None: cannot tell
    # yet (no target, or still time) — the register knows no typical pace per level.
    on_track: bool | None
    text: str


def _progress(current: int, target: int | None, target_date: date | None, today: date) -> Progress:
    now = f"当前 {LEVEL_NAMES[current]}"
    if target is None:
        return Progress(current, None, target_date, None, None, None, f"{now}，未设定目标等级")
    steps = max(target - current, 0)
    days_left = (target_date - today).days if target_date is not None else None
    goal = f"目标 {LEVEL_NAMES[target]}" + (f"（{target_date:%Y-%m-%d}）" if target_date else "")
    if steps == 0:
        return Progress(current, target, target_date, 0, days_left, True, f"{now}，{goal}，已达成")
    text = f"{now}，{goal}，还差 {steps} 级"
    on_track = None
    if days_left is not None and days_left < 0:
        on_track = False
        text += f"，已超过目标日期 {-days_left} 天"
    return Progress(current, target, target_date, steps, days_left, on_track, text)


def progress(engine: Engine, worker_id: int, *, today: date | None = None) -> Progress:
    """How far the worker is from the plan's target level, e.g.
    「当前 中级工，目标 技师（2028-12-31），还差 2 级」."""
    today = today or date.today()
    with reading(engine) as session:
        account = session.get(TrainingAccount, worker_id)
        current = level_on(session, worker_id, today) or 0
    if account is None:
        return _progress(current, None, None, today)
    return _progress(current, account.target_level, account.target_date, today)


@dataclass(frozen=True)
class KeyTalentRow:
    worker_id: int
    name: str
    employee_no: str
    department: str
    current_level: str
    target_level: str
    target_date: date | None
    balance: Decimal
    progress: str


def key_talents(engine: Engine, *, today: date | None = None) -> list[KeyTalentRow]:
    """重点培养对象 who are 在职, with their level today, target, balance and progress.
    One query whatever the number: levels and balances come from grouped subqueries."""
    today = today or date.today()
    levels = levels_on_query(today).subquery()
    balances = (
        select(AccountEntry.worker_id, func.sum(AccountEntry.amount).label("total"))
        .where(AccountEntry.entry_date <= today)
        .group_by(AccountEntry.worker_id)
        .subquery()
    )
    with engine.connect() as conn:
        rows = conn.execute(
            select(
                Worker.id, Worker.name, Worker.employee_no, Department.name.label("department"),
                levels.c.rank, TrainingAccount.target_level, TrainingAccount.target_date,
                func.coalesce(balances.c.total, 0).label("total"),
            )
            .join(TrainingAccount, TrainingAccount.worker_id == Worker.id)
            .outerjoin(Department, Department.id == Worker.department_id)
            .outerjoin(levels, levels.c.worker_id == Worker.id)
            .outerjoin(balances, balances.c.worker_id == Worker.id)
            .where(TrainingAccount.key_talent.is_(True), Worker.status == STATUS_ACTIVE)
            .order_by(Department.name, Worker.employee_no, Worker.name)
        ).all()
    result = []
    for row in rows:
        current = row.rank or 0
        result.append(
            KeyTalentRow(
                worker_id=row.id, name=row.name, employee_no=row.employee_no or "", department=row.department or "",
                current_level=LEVEL_NAMES[current],
                target_level=LEVEL_NAMES[row.target_level] if row.target_level is not None else "",
                target_date=row.target_date,
                balance=_cents(row.total),
                progress=_progress(current, row.target_level, row.target_date, today).text,
            )
        )
    return result
