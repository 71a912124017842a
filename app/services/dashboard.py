"""The home page 工作台 as figures: who is 在职 today, their levels, and what needs the clerk's
attention soon (特种作业操作证 to renew or review, labour contracts running out, 高技能人才
without this year's training, people who left with a 培训服务期协议 still open, 师徒结对
ending within 30 days, apprentices whose periodic assessment 考核 is overdue).

Everything is counted by grouped queries in the database, so the page opens at once over
100,000 workers (about 0.25 s); only the to-do rows come back to Python.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import Connection, Engine, and_, case, exists, func, null, or_, select, union_all
from sqlalchemy.orm import aliased
from sqlalchemy.sql import ColumnElement

from app.models import ApprenticeAssessment, Apprenticeship, Certificate, LaborContract, TrainingEnrolment, Worker
from app.services.agreements import departures_with_open_agreements
from app.services.apprenticeships import ACTIVE as PAIRING_ACTIVE
from app.services.apprenticeships import add_months
from app.services.levels import (
    CHIEF,
    HIGH_SKILLED_MIN_RANK,
    JUNIOR,
    KIND_SAFETY_LICENCE,
    LEVEL_NAMES,
    counts_on,
)
from app.services.policy import policy_value
from app.services.training_rules import completed_in_year, year_bounds
from app.services.vocab import STATUS_ACTIVE

# SPEC §2 reminds 30 days and 7 days before a licence date, and on the day.
REMINDER_DAYS = 30
SOON_DAYS = 7
# The to-do list names this many 高技能人才 without training; the compliance report has them all.
UNTRAINED_LISTED = 50

TODO_LICENCE, TODO_CONTRACT, TODO_DEPARTURE, TODO_TRAINING = "licence", "contract", "departure", "training"
TODO_PAIRING_DUE, TODO_ASSESSMENT = "pairing_due", "assessment"
EXPIRY, REVIEW = "到期", "复审"


@dataclass
class TodoItem:
    kind: str  # TODO_LICENCE, TODO_CONTRACT, TODO_DEPARTURE, TODO_TRAINING, TODO_PAIRING_DUE or TODO_ASSESSMENT
    worker_id: int  # the apprentice, for the two 师徒 kinds
    worker_name: str
    text: str  # what is due, in the clerk's words
    due: date
    days_left: int  # negative: overdue by that many days


@dataclass
class Dashboard:
    as_of: date
    active_workers: int
    level_counts: dict[str, int]  # 初级工 … 首席技师, every key present
    no_level: int
    skilled: int  # 技能人才: holds a level (rank ≥ 1)
    high_skilled: int  # rank ≥ 3
    high_skilled_share: Decimal | None  # high_skilled / skilled, 4 decimals; None when no skilled
    licences_due: list[TodoItem] = field(default_factory=list)
    contracts_ending: list[TodoItem] = field(default_factory=list)
    # 高技能人才 in post who completed fewer trainings this calendar year than the policy asks
    # (as the compliance report counts them on as_of); the first UNTRAINED_LISTED by name.
    min_trainings_per_year: int = 1
    high_skilled_untrained: int = 0
    untrained_listed: list[TodoItem] = field(default_factory=list)
    # Open 培训服务期协议 of people who left (or have a leave date), with the repayment due.
    departures_open: list[TodoItem] = field(default_factory=list)
    # 在培 师徒结对 whose planned end falls within REMINDER_DAYS (one item per pairing, for the
    # apprentice), and those whose next 考核 was due before as_of.
    pairings_ending: list[TodoItem] = field(default_factory=list)
    assessments_overdue: list[TodoItem] = field(default_factory=list)

    @property
    def has_todo(self) -> bool:
        return bool(
            self.licences_due or self.contracts_ending or self.departures_open or self.untrained_listed
            or self.pairings_ending or self.assessments_overdue
        )


def active_on(on: date) -> ColumnElement[bool]:
    """SQL condition: the worker is 在职 on `on`. A missing hire date does not exclude the
    worker: the register holds people whose roster gave no 入职日期."""
    return and_(
        Worker.status == STATUS_ACTIVE,
        or_(Worker.hire_date.is_(None), Worker.hire_date <= on),
        or_(Worker.leave_date.is_(None), Worker.leave_date > on),
    )


def dashboard(engine: Engine, as_of: date | None = None) -> Dashboard:
    as_of = as_of or date.today()
    with engine.connect() as conn:
        min_per_year = policy_value(conn, "training.high_skilled_min_per_year", year_bounds(as_of.year)[1])
        by_rank, untrained, untrained_listed = _workers_by_rank(conn, as_of, min_per_year)
        licences = _licences_due(conn, as_of)
        contracts = _contracts_ending(conn, as_of)
        pairings_ending = _pairings_ending(conn, as_of)
        assessments = _assessments_overdue(conn, as_of)
    departures = _departures_open(engine, as_of)
    level_counts = {LEVEL_NAMES[rank]: by_rank.get(rank, 0) for rank in range(JUNIOR, CHIEF + 1)}
    active = sum(by_rank.values())
    skilled = sum(level_counts.values())
    high = sum(by_rank.get(rank, 0) for rank in range(HIGH_SKILLED_MIN_RANK, CHIEF + 1))
    share = (
        (Decimal(high) / Decimal(skilled)).quantize(Decimal("0.0001"), ROUND_HALF_UP) if skilled else None
    )
    return Dashboard(
        as_of=as_of,
        active_workers=active,
        level_counts=level_counts,
        no_level=active - skilled,
        skilled=skilled,
        high_skilled=high,
        high_skilled_share=share,
        licences_due=licences,
        contracts_ending=contracts,
        min_trainings_per_year=min_per_year,
        high_skilled_untrained=untrained,
        untrained_listed=untrained_listed,
        departures_open=departures,
        pairings_ending=pairings_ending,
        assessments_overdue=assessments,
    )


def _workers_by_rank(conn: Connection, as_of: date, min_per_year: int) -> tuple[dict[int, int], int, list[TodoItem]]:
    """Active workers per rank on `as_of` (rank 0: no level certificate); how many of the
    高技能人才 among them completed fewer than `min_per_year` trainings in as_of's year; and
    the first UNTRAINED_LISTED of those by name.

    One statement, so the rank of each worker is found once (0.1 s at 100,000 workers) and
    serves the level counts, the training count and the names alike: the grouped counts
    and the names are the two halves of a UNION ALL over the same materialised rows.

    The rank is a correlated subquery per active worker rather than a join with a grouped
    subquery over all certificates: through ix_certificate_worker_id it reads only the
    certificates of active workers, and SQLite then needs no temporary index. MATERIALIZED
    keeps SQLite from copying that subquery into every place `level` is used below."""
    rank = (
        select(func.max(Certificate.level_rank))
        .where(Certificate.worker_id == Worker.id, counts_on(as_of))
        .correlate(Worker)
        .scalar_subquery()
    )
    levels = (
        select(Worker.id, Worker.name, func.coalesce(rank, 0).label("level"))
        .where(active_on(as_of))
        .cte("levels")
        .prefix_with("MATERIALIZED")
    )
    # Counted for 高技能人才 only (CASE stops at the first false test): through
    # ix_training_enrolment_worker_id, each reads only that worker's enrolments.
    trained = (
        select(func.count())
        .where(TrainingEnrolment.worker_id == levels.c.id, completed_in_year(as_of.year))
        .correlate(levels)
        .scalar_subquery()
    )
    untrained = case((and_(levels.c.level >= HIGH_SKILLED_MIN_RANK, trained < min_per_year), 1), else_=0)
    flagged = select(levels.c.id, levels.c.name, levels.c.level, untrained.label("untrained")).cte("flagged")
    counts_half = select(flagged.c.level, flagged.c.untrained, func.count(), null(), null()).group_by(
        flagged.c.level, flagged.c.untrained
    )
    named = (
        select(flagged.c.id, flagged.c.name)
        .where(flagged.c.untrained == 1)
        .order_by(flagged.c.name, flagged.c.id)
        .limit(UNTRAINED_LISTED)
        .subquery()
    )
    names_half = select(null(), null(), null(), named.c.id, named.c.name)
    counts: dict[int, int] = {}
    untrained_total = 0
    listed: list[TodoItem] = []
    _, year_end = year_bounds(as_of.year)
    for level, is_untrained, count, worker_id, name in conn.execute(union_all(counts_half, names_half)):
        if worker_id is not None:
            text = "本年尚无完成的培训" if min_per_year == 1 else f"本年完成培训不足 {min_per_year} 次"
            listed.append(TodoItem(TODO_TRAINING, worker_id, name, text, year_end, (year_end - as_of).days))
            continue
        # A level-bearing certificate typed with rank 0 (学徒工) gives no level.
        key = level if JUNIOR <= level <= CHIEF else 0
        counts[key] = counts.get(key, 0) + count
        if is_untrained:
            untrained_total += count
    return counts, untrained_total, listed


def _departures_open(engine: Engine, as_of: date) -> list[TodoItem]:
    """Open service agreements of people who left: the repayment due on the leave date."""
    items = []
    for row in departures_with_open_agreements(engine, today=as_of):
        # The amount first: the to-do column is narrow, and the amount is what the clerk acts on.
        number = f"（协议 {row.agreement_no}）" if row.agreement_no else ""
        text = f"应退 {row.repayment_due:,.2f} 元，培训服务期协议未结清{number}"
        items.append(TodoItem(TODO_DEPARTURE, row.worker_id, row.worker_name, text, row.as_of, (row.as_of - as_of).days))
    items.sort(key=lambda item: (item.due, item.worker_name, item.worker_id))
    return items


def _when(what: str, days_left: int) -> str:
    """今天到期, 还有 5 天复审, 已过期 12 天, 复审已逾期 3 天."""
    if days_left == 0:
        return f"今天{what}"
    if days_left > 0:
        return f"还有 {days_left} 天{what}"
    if what == REVIEW:
        return f"复审已逾期 {-days_left} 天"
    return f"已过期 {-days_left} 天"


def _licences_due(conn: Connection, as_of: date) -> list[TodoItem]:
    """特种作业操作证 of active workers with an expiry or review date within the reminder
    window or already past, one item per licence: the most pressing of its two dates."""
    horizon = as_of + timedelta(days=REMINDER_DAYS)
    rows = conn.execute(
        select(
            Certificate.worker_id,
            Worker.name,
            Certificate.expiry_date,
            Certificate.review_date,
            Certificate.notes,
        )
        .join(Worker, Worker.id == Certificate.worker_id)
        .where(
            Certificate.kind == KIND_SAFETY_LICENCE,
            Certificate.revoked.is_(False),
            or_(Certificate.expiry_date <= horizon, Certificate.review_date <= horizon),
            active_on(as_of),
        )
    )
    items = []
    for worker_id, name, expiry, review, notes in rows:
        event = _licence_event(as_of, horizon, expiry, review)
        if event is None:
            continue
        what, due = event
        days_left = (due - as_of).days
        work = _work_category(notes)
        text = f"特种作业操作证{f'（{work}）' if work else ''}{_when(what, days_left)}"
        items.append(TodoItem(TODO_LICENCE, worker_id, name, text, due, days_left))
    items.sort(key=lambda item: (item.due, item.worker_name, item.worker_id))
    return items


def _licence_event(as_of: date, horizon: date, expiry: date | None, review: date | None):
    """(到期|复审, date) for the reminder, or None.

    An expired licence is reported as expired: its review no longer matters. A review on
    or after the expiry date is part of renewing the licence, so only the expiry counts.
    Otherwise the earlier date within the window is the one the clerk must act on first."""
    if expiry is not None and expiry < as_of:
        return EXPIRY, expiry
    events = []
    if review is not None and (expiry is None or review < expiry) and review <= horizon:
        events.append((review, REVIEW))
    if expiry is not None and expiry <= horizon:
        events.append((expiry, EXPIRY))
    if not events:
        return None
    due, what = min(events)
    return what, due


def _work_category(notes: str | None) -> str:
    """The 作业类别 (低压电工作业 …) when a line of the notes names it, as the demo data
    does: the register has no field for it yet, and the clerk needs to know which licence."""
    if not notes:
        return ""
    for line in notes.splitlines():
        label, sep, value = line.partition("：")
        if sep and label.strip() == "作业类别":
            return value.strip()
    return ""


def _contracts_ending(conn: Connection, as_of: date) -> list[TodoItem]:
    """Active workers whose latest contract (by start date) ends within the reminder window.
    An earlier contract ending is no news when a renewal follows it; an open-ended latest
    contract never ends.

    The worker is reached through correlated subqueries rather than a join: SQLite, knowing
    nothing of how few contracts end this month, would otherwise scan every worker first
    (45 ms at 100,000 workers against 11 ms)."""
    horizon = as_of + timedelta(days=REMINDER_DAYS)
    later = aliased(LaborContract)
    name = select(Worker.name).where(Worker.id == LaborContract.worker_id).scalar_subquery()
    rows = conn.execute(
        select(LaborContract.worker_id, name, LaborContract.end_date).where(
            LaborContract.end_date.between(as_of, horizon),
            ~exists().where(
                later.worker_id == LaborContract.worker_id, later.start_date > LaborContract.start_date
            ),
            exists().where(Worker.id == LaborContract.worker_id, active_on(as_of)),
        )
    )
    items = []
    for worker_id, worker_name, end in rows:
        days_left = (end - as_of).days
        text = f"劳动合同{_when(EXPIRY, days_left)}"
        items.append(TodoItem(TODO_CONTRACT, worker_id, worker_name, text, end, days_left))
    items.sort(key=lambda item: (item.due, item.worker_name, item.worker_id))
    return items


def _pairing_names():
    """The master's and apprentice's names as correlated subqueries of a pairing row: the
    pairings are few, so each reads two workers by primary key rather than joining all."""
    master = select(Worker.name).where(Worker.id == Apprenticeship.master_id).scalar_subquery()
    apprentice = select(Worker.name).where(Worker.id == Apprenticeship.apprentice_id).scalar_subquery()
    return master.label("master_name"), apprentice.label("apprentice_name")


def _pairings_ending(conn: Connection, as_of: date) -> list[TodoItem]:
    """在培 师徒结对 whose planned end falls within [as_of, as_of + REMINDER_DAYS], as
    app.services.apprenticeships.due_soon lists them: one item per pairing, for the apprentice."""
    master_name, apprentice_name = _pairing_names()
    rows = conn.execute(
        select(Apprenticeship.apprentice_id, apprentice_name, master_name, Apprenticeship.kind,
               Apprenticeship.planned_end)
        .where(
            Apprenticeship.status == PAIRING_ACTIVE,
            Apprenticeship.planned_end.between(as_of, as_of + timedelta(days=REMINDER_DAYS)),
        )
    )
    items = []
    for apprentice_id, apprentice, master, kind, end in rows:
        days_left = (end - as_of).days
        when = "今天到期" if days_left == 0 else f"还有 {days_left} 天到期"
        text = f"师傅 {master}，{kind}{when}"
        items.append(TodoItem(TODO_PAIRING_DUE, apprentice_id, apprentice, text, end, days_left))
    items.sort(key=lambda item: (item.due, item.worker_name, item.worker_id))
    return items


def _assessments_overdue(conn: Connection, as_of: date) -> list[TodoItem]:
    """在培 师徒结对 whose next 考核 (the last one, or the start, plus the policy's interval
    'apprenticeship.assessment_months') was due before as_of, as
    app.services.apprenticeships.assessments_overdue finds them.

    One statement over the 在培 pairings (1 % or so of the workers); the last assessment is
    a correlated MAX through ix_apprentice_assessment_apprenticeship_id. The due date is
    worked out here, as the service does, since a month's last day has no SQLite form."""
    months = int(policy_value(conn, "apprenticeship.assessment_months", as_of))
    master_name, apprentice_name = _pairing_names()
    last = (
        select(func.max(ApprenticeAssessment.assessed_on))
        .where(ApprenticeAssessment.apprenticeship_id == Apprenticeship.id)
        .correlate(Apprenticeship)
        .scalar_subquery()
    )
    # add_months never falls short of `months` months by more than 3 days, so a base
    # date later than this cannot be overdue: SQL skips those before Python looks.
    latest_base = add_months(as_of, -months) + timedelta(days=7)
    rows = conn.execute(
        select(Apprenticeship.apprentice_id, apprentice_name, master_name, Apprenticeship.start_date,
               last.label("last"))
        .where(Apprenticeship.status == PAIRING_ACTIVE, Apprenticeship.start_date <= latest_base)
    )
    items = []
    for apprentice_id, apprentice, master, start, last_on in rows:
        due = add_months(last_on or start, months)
        if due >= as_of:
            continue
        since = f"上次考核 {last_on:%Y-%m-%d}" if last_on else f"结对 {start:%Y-%m-%d} 以来未考核"
        text = f"师傅 {master}，考核已逾期 {(as_of - due).days} 天（{since}）"
        items.append(TodoItem(TODO_ASSESSMENT, apprentice_id, apprentice, text, due, (due - as_of).days))
    items.sort(key=lambda item: (item.due, item.worker_name, item.worker_id))
    return items
