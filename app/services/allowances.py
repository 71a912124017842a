"""Allowances 津贴 and the monthly roll 津贴发放表 (SPEC §4, §5).

A roll for month M lists every allowance line of the workers 在职 on the last day of M,
each with the rule that made it eligible and the record it rests on:

- 技能津贴: the worker's level on the last day of M (the certificate giving it); levels
  without a standard (or a standard of 0) give no line.
- 岗位津贴: 高级工/技师/高级技师 whose level certificate's occupation is the worker's post
  occupation 工种, with a labour contract covering the whole month (start ≤ first day and
  end open or ≥ last day).
- 带徒津贴: one line per pairing 在培 at any day of M (start ≤ last day, not ended before the
  first day), for its master.
- 班组长津贴: workers flagged 班组长.
- 特殊津贴: grants by hand covering M (month_from ≤ first day, month_to open or ≥ first day).

The lines are computed and written by the database itself (one INSERT … SELECT per
allowance type, over grouped and windowed queries), so a roll of 100,000 workers is made
in well under a second or two. Lines are stored copies (name, 工号, 部门, amount, rule): a
confirmed roll is never recomputed, whatever later happens to the policy or the register.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    Connection,
    Engine,
    Integer,
    String,
    and_,
    case,
    cast,
    delete,
    func,
    insert,
    literal,
    or_,
    select,
    type_coerce,
    union_all,
    update,
)
from sqlalchemy.orm import aliased

from app.errors import FieldErrors, FieldProblem, Refused
from app.models import (
    AllowanceLine,
    AllowanceRoll,
    Apprenticeship,
    Certificate,
    Department,
    LaborContract,
    Occupation,
    SpecialAllowance,
    Worker,
)
from app.models.base import CENT, cents_to_yuan
from app.services import audit
from app.services.dashboard import active_on
from app.services.identity import mask_id_number
from app.services.levels import LEVEL_NAMES, SENIOR, SENIOR_TECHNICIAN, counts_on
from app.services.policy import policy_snapshot
from app.services.values import ValueProblem, parse_date_or_month, parse_money
from app.services.workers import StaleRecord

SKILL, POST, MENTOR, TEAM_LEADER, SPECIAL = "技能津贴", "岗位津贴", "带徒津贴", "班组长津贴", "特殊津贴"
ALLOWANCE_TYPES = (SKILL, POST, MENTOR, TEAM_LEADER, SPECIAL)
STATUS_DRAFT, STATUS_CONFIRMED = "草稿", "已确认"
BASIS_CERTIFICATE, BASIS_APPRENTICESHIP, BASIS_TEAM_LEADER, BASIS_GRANT = (
    "certificate", "apprenticeship", "team_leader", "grant")
NO_DEPARTMENT = "（未分部门）"

SKILL_KEYS = {rank: f"allowance.skill.{LEVEL_NAMES[rank]}" for rank in range(SENIOR, len(LEVEL_NAMES))}
POST_KEYS = {rank: f"allowance.post.{LEVEL_NAMES[rank]}" for rank in range(SENIOR, SENIOR_TECHNICIAN + 1)}
MENTOR_KEY, TEAM_LEADER_KEY = "allowance.mentor", "allowance.team_leader"
POLICY_KEYS = (*SKILL_KEYS.values(), *POST_KEYS.values(), MENTOR_KEY, TEAM_LEADER_KEY)

_MONTH_RE = re.compile(r"(\d{4})-(\d{2})")
_STEPS = 6


# ── months ───────────────────────────────────────────────────────────────────────────

def month_bounds(month: str) -> tuple[date, date]:
    """'2026-10' → (2026-10-01, 2026-10-31); ValueError with a Chinese message otherwise."""
    match = _MONTH_RE.fullmatch(str(month).strip()) if month is not None else None
    if not match or not 1 <= int(match.group(2)) <= 12 or int(match.group(1)) < 1900:
        raise ValueError(f"月份应写成 YYYY-MM，例如 2026-10，而不是 {month!r}")
    first = date(int(match.group(1)), int(match.group(2)), 1)
    last = (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    return first, last


def month_title(month: str) -> str:
    """'2026-10' → '2026年10月'."""
    first, _ = month_bounds(month)
    return f"{first.year}年{first.month:02d}月"


def _checked_month(month: str) -> tuple[str, date, date]:
    try:
        first, last = month_bounds(month)
    except ValueError as exc:
        raise Refused(str(exc)) from None
    return f"{first:%Y-%m}", first, last


# ── what a roll looks like to its readers ────────────────────────────────────────────

@dataclass(frozen=True)
class LineRow:
    """One stored line of a roll (a frozen copy)."""

    id: int
    worker_id: int | None
    employee_no: str | None
    name: str
    department: str | None
    allowance_type: str
    amount: Decimal
    rule: str
    basis_kind: str | None
    basis_id: int | None


@dataclass
class RollSummary:
    roll_id: int
    month: str  # YYYY-MM
    status: str  # 草稿 / 已确认
    generated_at: datetime | None
    confirmed_at: datetime | None
    total: Decimal
    workers: int  # workers with at least one line
    line_count: int
    by_type: dict[str, Decimal]  # every type of ALLOWANCE_TYPES, in that order
    count_by_type: dict[str, int]
    by_department: dict[str, Decimal]  # department name (NO_DEPARTMENT when none) → amount
    policy_values: dict[str, str] = field(default_factory=dict)  # what the lines used
    lines: list[LineRow] | None = None  # loaded on request (load_roll(with_lines=True))
    version: int = 0  # of the stored roll: confirm_roll(expected_version=…) confirms what was looked at

    @property
    def confirmed(self) -> bool:
        return self.status == STATUS_CONFIRMED

    @property
    def title(self) -> str:
        return f"{month_title(self.month)}津贴发放表"


# ── generating ───────────────────────────────────────────────────────────────────────

def _cents(value) -> int:
    return int(Decimal(value).scaleb(2).to_integral_value())


def _day_text(column):
    """A date column as 'YYYY-MM-DD' text inside SQL (SQLite keeps dates as that text)."""
    return cast(column, String)


def _text(value: str):
    return literal(value, String)


def _level_certificates(last: date):
    """For each worker 在职 on `last` whose level then is 高级工 or above (every allowance by
    level starts there): the certificate giving the level (highest rank; among equals the
    one of the worker's post occupation, then the latest issued), with the worker's columns
    the lines copy. Certificates below 高级工 cannot decide such a level, so they are left
    out before the window sorts (a third of the work)."""
    ranked = (
        select(
            Certificate.id.label("cert_id"),
            Certificate.worker_id.label("worker_id"),
            Certificate.level_rank.label("rank"),
            Certificate.number.label("number"),
            Certificate.issue_date.label("issue_date"),
            Certificate.occupation_id.label("occupation_id"),
            Worker.occupation_id.label("post_occupation_id"),
            Worker.employee_no.label("employee_no"),
            Worker.name.label("name"),
            Worker.department_id.label("department_id"),
            func.row_number()
            .over(
                # Worker.id (= Certificate.worker_id): SQLite then reads the certificates in
                # table order and sorts, rather than fetch them one by one through the index.
                partition_by=Worker.id,
                order_by=(
                    Certificate.level_rank.desc(),
                    case((Certificate.occupation_id == Worker.occupation_id, 0), else_=1),
                    Certificate.issue_date.is_(None),
                    Certificate.issue_date.desc(),
                    Certificate.id.desc(),
                ),
            )
            .label("pos"),
        )
        .join(Worker, Worker.id == Certificate.worker_id)
        .where(counts_on(last), Certificate.level_rank >= SENIOR, active_on(last))
        .subquery("ranked_certificate")
    )
    return select(*(c for c in ranked.c if c.key != "pos")).where(ranked.c.pos == 1).cte("level_certificate")


def _line_columns():
    return [
        AllowanceLine.roll_id, AllowanceLine.worker_id, AllowanceLine.employee_no, AllowanceLine.name,
        AllowanceLine.department, AllowanceLine.allowance_type, AllowanceLine.amount, AllowanceLine.rule,
        AllowanceLine.basis_kind, AllowanceLine.basis_id,
    ]


def _insert_lines(conn: Connection, query) -> None:
    conn.execute(insert(AllowanceLine.__table__).from_select([c.key for c in _line_columns()], query))


def _worker_columns(roll_id: int, allowance_type: str):
    return (
        literal(roll_id, Integer), Worker.id, Worker.employee_no, Worker.name, Department.name,
        _text(allowance_type),
    )


def _level_worker_columns(level, roll_id: int, allowance_type: str):
    return (
        literal(roll_id, Integer), level.c.worker_id, level.c.employee_no, level.c.name, Department.name,
        _text(allowance_type),
    )


def _skill_lines(level, roll_id: int, first: date, last: date, policy: dict):
    del first, last
    amounts = {rank: _cents(policy[key]) for rank, key in SKILL_KEYS.items() if policy[key] > 0}
    if not amounts:
        return None
    level_text = case({rank: LEVEL_NAMES[rank] for rank in amounts}, value=level.c.rank)
    rule = (
        _text("技能等级 ") + level_text + _text("（证书 ")
        + func.coalesce(level.c.number, _text("未填编号")) + _text("，")
        + case((level.c.issue_date.is_(None), _text("发证日期不详")),
               else_=_day_text(level.c.issue_date) + _text(" 发"))
        + _text("）")
    )
    return (
        select(
            *_level_worker_columns(level, roll_id, SKILL),
            cast(case({rank: cents for rank, cents in amounts.items()}, value=level.c.rank), BigInteger),
            rule, _text(BASIS_CERTIFICATE), level.c.cert_id,
        )
        .select_from(level)
        .outerjoin(Department, Department.id == level.c.department_id)
        .where(level.c.rank.in_(list(amounts)))
    )


def _post_lines(level, roll_id: int, first: date, last: date, policy: dict):
    amounts = {rank: _cents(policy[key]) for rank, key in POST_KEYS.items() if policy[key] > 0}
    if not amounts:
        return None
    # The contract covering the whole month (the latest started, should several): one seek
    # in the (worker_id, start_date) index per candidate instead of a window over them all.
    covering_id = (
        select(LaborContract.id)
        .where(LaborContract.worker_id == level.c.worker_id, LaborContract.start_date <= first,
               or_(LaborContract.end_date.is_(None), LaborContract.end_date >= last))
        .order_by(LaborContract.start_date.desc(), LaborContract.id.desc())
        .limit(1)
        .correlate(level)
        .scalar_subquery()
    )
    covering = aliased(LaborContract, name="covering_contract")
    level_text = case({rank: LEVEL_NAMES[rank] for rank in amounts}, value=level.c.rank)
    rule = (
        _text("岗位津贴 ") + level_text + _text("：证书工种与岗位工种均为 ") + Occupation.name
        + _text("（证书 ") + func.coalesce(level.c.number, _text("未填编号"))
        + _text("）；劳动合同 ") + _day_text(covering.start_date) + _text(" 至 ")
        + case((covering.end_date.is_(None), _text("无固定期限")), else_=_day_text(covering.end_date))
        + _text("，覆盖全月")
    )
    return (
        select(
            *_level_worker_columns(level, roll_id, POST),
            cast(case({rank: cents for rank, cents in amounts.items()}, value=level.c.rank), BigInteger),
            rule, _text(BASIS_CERTIFICATE), level.c.cert_id,
        )
        .select_from(level)
        .join(Occupation, Occupation.id == level.c.occupation_id)
        .join(covering, covering.id == covering_id)
        .outerjoin(Department, Department.id == level.c.department_id)
        .where(level.c.rank.in_(list(amounts)),
               level.c.occupation_id == level.c.post_occupation_id)
    )


def pairings_in_month(first: date, last: date):
    """SQL condition: a pairing 在培 at some day of the month [first, last] — started by the
    last day and not ended before the first (the same definition as
    app.services.apprenticeships.active_in_month)."""
    return and_(
        Apprenticeship.start_date <= last,
        or_(Apprenticeship.ended_on.is_(None), Apprenticeship.ended_on >= first),
    )


def _mentor_lines(roll_id: int, first: date, last: date, policy: dict) -> object | None:
    cents = _cents(policy[MENTOR_KEY])
    if cents <= 0:
        return None
    apprentice = aliased(Worker, name="apprentice")
    rule = (
        _text("带徒 ") + apprentice.name + _text("（") + func.coalesce(Apprenticeship.kind, _text("师带徒"))
        + _text("，") + _day_text(Apprenticeship.start_date) + _text(" 起")
        + case((Apprenticeship.ended_on.is_(None), _text("")),
               else_=_text("，") + _day_text(Apprenticeship.ended_on) + _text(" ")
               + func.coalesce(Apprenticeship.status, _text("结束")))
        + _text("）")
    )
    return (
        select(
            *_worker_columns(roll_id, MENTOR), literal(cents, BigInteger), rule,
            _text(BASIS_APPRENTICESHIP), Apprenticeship.id,
        )
        .select_from(Apprenticeship)
        .join(Worker, Worker.id == Apprenticeship.master_id)
        .join(apprentice, apprentice.id == Apprenticeship.apprentice_id)
        .outerjoin(Department, Department.id == Worker.department_id)
        .where(pairings_in_month(first, last), active_on(last))
    )


def _team_leader_lines(roll_id: int, first: date, last: date, policy: dict) -> object | None:
    cents = _cents(policy[TEAM_LEADER_KEY])
    if cents <= 0:
        return None
    return (
        select(
            *_worker_columns(roll_id, TEAM_LEADER), literal(cents, BigInteger), _text("班组长"),
            _text(BASIS_TEAM_LEADER), Worker.id,
        )
        .select_from(Worker)
        .outerjoin(Department, Department.id == Worker.department_id)
        .where(Worker.is_team_leader.is_(True), active_on(last))
    )


def _special_lines(roll_id: int, first: date, last: date, policy: dict) -> object:
    del policy
    return (
        select(
            *_worker_columns(roll_id, SPECIAL), SpecialAllowance.amount, _text("特殊津贴：") + SpecialAllowance.reason,
            _text(BASIS_GRANT), SpecialAllowance.id,
        )
        .select_from(SpecialAllowance)
        # `+ 0`: the few grants lead and each finds its worker by primary key (SQLite would
        # otherwise scan every worker and look for grants).
        .join(Worker, Worker.id == SpecialAllowance.worker_id + 0)
        .outerjoin(Department, Department.id == Worker.department_id)
        .where(
            SpecialAllowance.month_from <= first,
            or_(SpecialAllowance.month_to.is_(None), SpecialAllowance.month_to >= first),
            SpecialAllowance.amount > 0,
            active_on(last),
        )
    )


_BUILDERS = (_mentor_lines, _team_leader_lines, _special_lines)


def _roll_row(conn: Connection, month: str):
    return conn.execute(select(AllowanceRoll.__table__).where(AllowanceRoll.month == month)).first()


def _refuse_confirmed(month: str) -> Refused:
    return Refused(f"{month_title(month)}津贴发放表已确认（冻结），不能重新生成或修改；导出时将按确认时的内容输出。")


def generate_roll(
    engine: Engine,
    month: str,
    *,
    confirm: bool = False,
    progress: Callable[[int, int], None] | None = None,
    today: datetime | date | None = None,
) -> RollSummary:
    """Compute the roll of `month` and store it as the month's draft, replacing an earlier
    draft, in one transaction. With `confirm` it is stored confirmed (frozen) at once.
    Refused when the month's roll is already confirmed. `progress(step, steps)` may raise
    Cancelled: nothing is then written. `today` stamps the generation (default: now)."""
    month, first, last = _checked_month(month)
    now = _stamp(today)
    report = progress or (lambda done, total: None)
    with engine.begin() as conn:
        existing = _roll_row(conn, month)
        if existing is not None and existing.status == STATUS_CONFIRMED:
            raise _refuse_confirmed(month)
        snapshot = policy_snapshot(conn, last)
        policy = {key: snapshot[key] for key in POLICY_KEYS}
        values = {"as_of": last.isoformat(), **{key: f"{Decimal(v).quantize(CENT)}" for key, v in policy.items()}}
        roll_table = AllowanceRoll.__table__
        status = STATUS_CONFIRMED if confirm else STATUS_DRAFT
        fields = {"status": status, "generated_at": now, "confirmed_at": now if confirm else None,
                  "policy_values": json.dumps(values, ensure_ascii=False), "total": Decimal("0.00")}
        if existing is None:
            roll_id = conn.execute(insert(roll_table).values(month=month, **fields)).inserted_primary_key[0]
        else:
            roll_id = existing.id
            conn.execute(delete(AllowanceLine.__table__).where(AllowanceLine.roll_id == roll_id))
            conn.execute(update(roll_table).where(roll_table.c.id == roll_id)
                         .values(version=roll_table.c.version + 1, **fields))
        report(1, _STEPS)
        # 技能津贴 and 岗位津贴 share the level of each worker: one statement, one window.
        level = _level_certificates(last)
        by_level = [q for q in (_skill_lines(level, roll_id, first, last, policy),
                                _post_lines(level, roll_id, first, last, policy)) if q is not None]
        if by_level:
            _insert_lines(conn, by_level[0] if len(by_level) == 1 else union_all(*by_level))
        report(2, _STEPS)
        for step, build in enumerate(_BUILDERS, start=3):
            query = build(roll_id, first, last, policy)
            if query is not None:
                _insert_lines(conn, query)
            report(step, _STEPS)
        summary = _summary(conn, _roll_row(conn, month))
        summary.total = sum(summary.by_type.values(), Decimal("0.00"))
        conn.execute(update(roll_table).where(roll_table.c.id == roll_id).values(total=summary.total))
        audit.record(
            conn, audit.CONFIRMED if confirm else audit.GENERATED, "allowance_roll", roll_id, summary.title,
            f"{'生成并确认' if confirm else '生成草稿'}：{summary.title}，{summary.workers} 人，"
            f"{summary.line_count} 行，合计 {summary.total} 元",
            before=None if existing is None else {"status": existing.status, "total": existing.total},
            after={"status": status, "workers": summary.workers, "lines": summary.line_count, "total": summary.total},
        )
        report(_STEPS, _STEPS)
    return summary


def _cents_sum(column):
    """SUM of a Money column as raw cents (the Money type would convert it to yuan once more)."""
    return type_coerce(func.sum(type_coerce(column, BigInteger)), BigInteger)


def _stamp(today) -> datetime:
    if today is None:
        return datetime.now().replace(microsecond=0)
    if isinstance(today, datetime):
        return today
    return datetime.combine(today, datetime.min.time())


def confirm_roll(
    engine: Engine, month: str, *, today: datetime | date | None = None, expected_version: int | None = None
) -> RollSummary:
    """草稿 → 已确认: the roll is frozen from now on. Refused when already confirmed or when
    the month has no draft; StaleRecord when the draft was generated again since the clerk
    looked at it (its version is no longer `expected_version`): they confirm what they saw."""
    month, _first, _last = _checked_month(month)
    with engine.begin() as conn:
        row = _roll_row(conn, month)
        if row is None:
            raise Refused(f"{month_title(month)}还没有津贴发放表草稿，请先生成再确认。")
        if row.status == STATUS_CONFIRMED:
            raise Refused(
                f"{month_title(month)}津贴发放表已于 {row.confirmed_at:%Y-%m-%d %H:%M} 确认，不能再次确认。"
                if row.confirmed_at else f"{month_title(month)}津贴发放表已确认，不能再次确认。"
            )
        stale = StaleRecord(
            f"{month_title(month)}津贴发放表在您查看之后已被重新生成（可能是另一位经办人），本次未确认。"
            "请重新载入，核对后再确认。"
        )
        if expected_version is not None and row.version != expected_version:
            raise stale
        table = AllowanceRoll.__table__
        confirmed = conn.execute(
            update(table).where(table.c.id == row.id, table.c.status == STATUS_DRAFT, table.c.version == row.version)
            .values(status=STATUS_CONFIRMED, confirmed_at=_stamp(today), version=table.c.version + 1)
        )
        if confirmed.rowcount != 1:
            raise stale
        summary = _summary(conn, _roll_row(conn, month))
        audit.record(
            conn, audit.CONFIRMED, "allowance_roll", row.id, summary.title,
            f"确认：{summary.title}，{summary.workers} 人，合计 {summary.total} 元",
            before={"status": row.status}, after={"status": summary.status, "confirmed_at": summary.confirmed_at,
                                                  "total": summary.total},
        )
        return summary


# ── reading ──────────────────────────────────────────────────────────────────────────

def _summary(conn: Connection, row) -> RollSummary:
    lines = AllowanceLine.__table__.c
    by_type = {t: Decimal("0.00") for t in ALLOWANCE_TYPES}
    count_by_type = {t: 0 for t in ALLOWANCE_TYPES}
    department_cents: dict[str | None, int] = {}
    for kind, dept, count, cents in conn.execute(
        select(lines.allowance_type, lines.department, func.count(), _cents_sum(lines.amount))
        .where(lines.roll_id == row.id).group_by(lines.allowance_type, lines.department)
    ):
        by_type[kind] = by_type.get(kind, Decimal("0.00")) + cents_to_yuan(cents)
        count_by_type[kind] = count_by_type.get(kind, 0) + count
        department_cents[dept] = department_cents.get(dept, 0) + cents
    by_department = {
        (dept if dept is not None else NO_DEPARTMENT): cents_to_yuan(department_cents[dept])
        for dept in sorted(department_cents, key=lambda d: (d is None, d or ""))
    }
    workers = conn.scalar(
        select(func.count()).select_from(
            select(lines.worker_id, lines.employee_no, lines.name).where(lines.roll_id == row.id).distinct().subquery()
        )
    )
    return RollSummary(
        roll_id=row.id, month=row.month, status=row.status, generated_at=row.generated_at,
        confirmed_at=row.confirmed_at, total=row.total, workers=workers, line_count=sum(count_by_type.values()),
        by_type=by_type, count_by_type=count_by_type, by_department=by_department,
        policy_values=json.loads(row.policy_values) if row.policy_values else {},
        version=row.version,
    )


def load_roll(engine: Engine, month: str, *, with_lines: bool = True) -> RollSummary | None:
    """The stored roll of `month` (None when there is none): status, times, totals by type
    and by department, the number of workers, and (with_lines) every stored line."""
    month, _first, _last = _checked_month(month)
    with engine.connect() as conn:
        row = _roll_row(conn, month)
        if row is None:
            return None
        summary = _summary(conn, row)
        if with_lines:
            summary.lines = _lines(conn, row.id)
    return summary


_TYPE_ORDER = case({t: i for i, t in enumerate(ALLOWANCE_TYPES)}, value=AllowanceLine.allowance_type, else_=99)


def _lines(conn: Connection, roll_id: int, offset: int = 0, limit: int | None = None) -> list[LineRow]:
    t = AllowanceLine.__table__.c
    query = (
        select(t.id, t.worker_id, t.employee_no, t.name, t.department, t.allowance_type, t.amount, t.rule,
               t.basis_kind, t.basis_id)
        .where(t.roll_id == roll_id)
        .order_by(t.employee_no.is_(None), t.employee_no, t.name, t.worker_id, _TYPE_ORDER, t.id)
    )
    if offset:
        query = query.offset(offset)
    if limit is not None:
        query = query.limit(limit)
    return [LineRow(*row) for row in conn.execute(query)]


def roll_lines(engine: Engine, month: str, *, offset: int = 0, limit: int | None = None) -> list[LineRow]:
    """The stored lines of `month`'s roll, by 工号 then type (a page of them with offset/limit);
    [] when the month has no roll."""
    month, _first, _last = _checked_month(month)
    with engine.connect() as conn:
        row = _roll_row(conn, month)
        return [] if row is None else _lines(conn, row.id, offset, limit)


@dataclass(frozen=True)
class HistoryRow:
    """One line of one worker in a stored roll, with the roll's month and status."""

    month: str  # YYYY-MM
    roll_status: str  # 草稿 / 已确认
    allowance_type: str
    amount: Decimal
    rule: str
    line_id: int


def worker_allowance_history(engine: Engine, worker_id: int, *, limit_months: int = 24) -> list[HistoryRow]:
    """The worker's allowance lines in the newest `limit_months` rolls that have any,
    newest month first, then by type. One statement: the months are picked by a subquery
    through ix_allowance_line_worker_id, so it reads this worker's lines only."""
    t, r = AllowanceLine.__table__.c, AllowanceRoll.__table__.c
    months = (
        select(t.roll_id)
        .join(AllowanceRoll.__table__, r.id == t.roll_id)
        .where(t.worker_id == worker_id)
        .group_by(t.roll_id, r.month)
        .order_by(r.month.desc())
        .limit(limit_months)
    )
    query = (
        select(r.month, r.status, t.allowance_type, t.amount, t.rule, t.id)
        .join(AllowanceRoll.__table__, r.id == t.roll_id)
        .where(t.worker_id == worker_id, t.roll_id.in_(months))
        .order_by(r.month.desc(), _TYPE_ORDER, t.id)
    )
    with engine.connect() as conn:
        return [HistoryRow(*row) for row in conn.execute(query)]


# ── 特殊津贴 ─────────────────────────────────────────────────────────────────────────

def _month_start(raw, label: str, key: str, problems: list[FieldProblem]) -> date | None:
    try:
        if isinstance(raw, str) and _MONTH_RE.fullmatch(raw.strip()):
            return month_bounds(raw)[0]
        parsed = parse_date_or_month(raw)
    except ValueError as exc:
        problems.append(FieldProblem(key, f"{label}：{exc}"))
        return None
    if parsed is None:
        return None
    return parsed[0].replace(day=1)


def add_special_allowance(
    engine: Engine, worker_id: int, *, month_from, month_to=None, amount, reason: str
) -> int:
    """Grant a 特殊津贴 by hand from `month_from` (a month 'YYYY-MM' or any day of it) to
    `month_to` (None: until withdrawn). Returns the grant's id."""
    problems: list[FieldProblem] = []
    start = _month_start(month_from, "起始月份", "month_from", problems)
    if start is None and not any(p.field == "month_from" for p in problems):
        problems.append(FieldProblem("month_from", "起始月份：不能为空"))
    end = _month_start(month_to, "截止月份", "month_to", problems)
    if start is not None and end is not None and end < start:
        problems.append(FieldProblem("month_to", "截止月份：不能早于起始月份"))
    try:
        money = parse_money(amount)
        if money is None:
            problems.append(FieldProblem("amount", "金额：不能为空"))
        elif money <= 0:
            problems.append(FieldProblem("amount", "金额：应大于 0"))
    except ValueProblem as exc:
        problems.append(FieldProblem("amount", f"金额：{exc}"))
        money = None
    reason_text = (reason or "").strip() if isinstance(reason, str) or reason is None else str(reason).strip()
    if not reason_text:
        problems.append(FieldProblem("reason", "发放原因：不能为空（特殊津贴须写明原因）"))
    with engine.begin() as conn:
        worker = conn.execute(select(Worker.name, Worker.id_number).where(Worker.id == worker_id)).first()
        if worker is None:
            problems.append(FieldProblem("worker_id", "职工：找不到该职工"))
        if problems:
            raise FieldErrors(problems)
        values = {"worker_id": worker_id, "month_from": start, "month_to": end, "amount": money, "reason": reason_text}
        grant_id = conn.execute(insert(SpecialAllowance.__table__).values(**values)).inserted_primary_key[0]
        who = f"{worker.name} {mask_id_number(worker.id_number)}"
        audit.record(conn, audit.ADDED, "special_allowance", grant_id, f"{who} 特殊津贴 {money}", "新增特殊津贴",
                     after={**values, "worker_id": who})
        return grant_id
