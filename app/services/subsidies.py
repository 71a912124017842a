"""Subsidy applications 补贴申请 (SPEC §4, §6): who qualifies for a subsidy in a period and
why, applications that claim each basis record once, and their status flow.

Candidates. For a type and a period the engine lists every basis record in the period (a
certificate issued, a training year begun, a competition held) with each condition judged by
a named rule: 符合 or 不符合, the reason, and the record and date it read. A line is eligible
when every rule holds. The rules, by type (amounts and thresholds from the policy profile on
the period's last day):

- 技能提升培训补贴 (the enterprise claims; basis: a certificate issued in the period):
  等级 — 高级工, 技师 or 高级技师 (the amount table); 紧缺工种 — the certificate's
  occupation is 紧缺 in the year of issue; 企业选送 — a training enrolment linked to the
  certificate, the enterprise having sent the worker; 劳动合同 — the contract covering the
  issue date runs at least `subsidy.upgrade.contract_years_after` years after it (a
  departure ends it early); 未重复申领.
- 企业新型学徒制培训补贴 (the enterprise claims; basis: one training year of a 企业新型学徒制
  pairing, year k starting on the start date's anniversary; a year is a candidate when it
  begins in the period while the pairing runs): 目标等级 — 中级工 / 高级工 / 技师 and up
  (amounts by target level); 劳动合同 — the apprentice's contract covering the year's first
  day is at least one year long; 培训期 — the planned term is 1–3 years; 未重复申领.
- 技能竞赛奖励 (basis: a competition entry held in the period): 奖次 — 一/二/三等奖;
  未重复申领.
- 技能提升补贴 (each worker claims it himself; the program lists who may): 等级 — 初级工 /
  中级工 / 高级工; 申领期限 — today within `subsidy.self_claim.window_months` months of the
  certificate date; 同职业同等级仅一次 — the worker's first certificate of that occupation and
  level, and the claim key is (worker, occupation, level), so a second certificate of the same
  occupation and level can never be claimed; 在职 — not left by today; 未重复申领.
- A type the clerk added: 等级 or 奖次 in its fixed amount table; 未重复申领.

No double claims. Each line of an application that is not 作废 holds a row of subsidy_claim,
unique on (subsidy_type, basis_key): the database refuses a second claim whatever the screen
shows. 作废 deletes the application's claims, which frees their basis records.

Status flow: 草稿 → 已生成 → 已提交 → 已到账 / 已退回 (已退回 → 已提交 again, after a
correction); any → 作废 with a reason. A draft's amounts follow the policy until it is
generated; 已生成 re-judges every line, freezes the amounts and stores the policy values used.
"""

from __future__ import annotations

import calendar
import json
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import Engine, and_, delete, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased

from app.errors import FieldErrors, FieldProblem, Refused, StaleRecord, stale_message
from app.models import (
    Apprenticeship,
    Certificate,
    CompetitionEntry,
    LaborContract,
    Occupation,
    OccupationShortage,
    PolicyValue,
    SubsidyApplication,
    SubsidyClaim,
    SubsidyLine,
    SubsidyType,
    TrainingEnrolment,
    TrainingProgramme,
    Worker,
)
from app.models.db import unit_of_work
from app.models.users import actor_of
from app.services import audit
from app.services.apprenticeships import KIND_NEW_APPRENTICESHIP, add_months
from app.services.identity import mask_id_number
from app.services.levels import LEVEL_BEARING_KINDS, LEVEL_NAMES, level_name
from app.services.policy import BY_KEY, PARAMETERS, parse_value
from app.services.subsidy_docs import (
    CLAIMANT_ENTERPRISE,
    CLAIMANT_WORKER,
    ApplicationDoc,
    LineDoc,
    RosterColumns,
)
from app.services.values import add_years, money_text, parse_date, parse_money
from app.services.vocab import COMPETITION_RESULTS

TYPE_UPGRADE_TRAINING = "技能提升培训补贴"
TYPE_APPRENTICESHIP = "企业新型学徒制培训补贴"
TYPE_COMPETITION = "技能竞赛奖励"
TYPE_SELF_CLAIM = "技能提升补贴"
BUILT_IN_TYPES = (TYPE_UPGRADE_TRAINING, TYPE_APPRENTICESHIP, TYPE_COMPETITION, TYPE_SELF_CLAIM)

DRAFT, GENERATED, SUBMITTED, RECEIVED, RETURNED, VOID = "草稿", "已生成", "已提交", "已到账", "已退回", "作废"
STATUSES = (DRAFT, GENERATED, SUBMITTED, RECEIVED, RETURNED, VOID)
NEXT_STATUSES = {
    DRAFT: (GENERATED, VOID),
    GENERATED: (SUBMITTED, VOID),
    SUBMITTED: (RECEIVED, RETURNED, VOID),
    RETURNED: (SUBMITTED, VOID),
    RECEIVED: (VOID,),
    VOID: (),
}

BASIS_CERTIFICATE = "certificate"
BASIS_PAIRING_YEAR = "pairing_year"
BASIS_COMPETITION = "competition"
RESERVED_NAMES = ("全部", "所有", "无")  # words the screens use for "no filter"
CUSTOM_BASES = {BASIS_CERTIFICATE: "证书（按等级）", BASIS_COMPETITION: "竞赛获奖（按奖次）"}

RULE_LEVEL, RULE_SHORTAGE, RULE_SENT, RULE_CONTRACT = "等级", "紧缺工种", "企业选送", "劳动合同"
RULE_TARGET, RULE_TERM, RULE_PRIZE = "目标等级", "培训期", "奖次"
RULE_WINDOW, RULE_ONCE, RULE_EMPLOYED, RULE_NOT_CLAIMED = "申领期限", "同职业同等级仅一次", "在职", "未重复申领"
RULE_BEGUN = "培训年度已开始"

_ZERO = Decimal("0.00")
_OPEN_ENDED = "无固定期限"

Progress = Callable[[int, int], None]


# ── what a candidate is ────────────────────────────────────────────────────────────────

@dataclass(frozen=True)
class Condition:
    rule: str
    ok: bool
    reason: str

    def as_json(self) -> dict:
        return {"rule": self.rule, "ok": self.ok, "reason": self.reason}


@dataclass
class Candidate:
    """One basis record judged for one type: the roster's printed fields, the amount, and
    every condition. `claimed_by` is the application that already holds it, if any."""

    worker_id: int
    name: str
    gender: str
    id_type: str
    id_number: str
    occupation: str
    level: str
    reference_no: str
    reference_date: date | None
    contract: str
    amount: Decimal
    basis_kind: str
    basis_id: int
    basis_key: str  # the record: what the clerk ticks and a line keeps
    basis_text: str
    conditions: list[Condition] = field(default_factory=list)
    claimed_by: int | None = None
    claim_key: str = ""  # what may be claimed once per type; the record itself unless a rule says more

    def __post_init__(self) -> None:
        self.claim_key = self.claim_key or self.basis_key

    @property
    def eligible(self) -> bool:
        return all(c.ok for c in self.conditions)

    @property
    def failed(self) -> list[Condition]:
        return [c for c in self.conditions if not c.ok]

    def as_json(self) -> dict:
        """The shape of SPEC §8 `subsidy candidates --json`; the ID number masked."""
        return {
            "worker": self.name,
            "id_number": mask_id_number(self.id_number),
            "basis": self.basis_text,
            "amount": money_text(self.amount),
            "eligible": self.eligible,
            "conditions": [c.as_json() for c in self.conditions],
        }


@dataclass(frozen=True)
class TypeInfo:
    name: str
    basis: str
    claimant: str
    columns: RosterColumns
    built_in: bool
    policy_keys: tuple[str, ...] = ()
    amounts: dict[str, Decimal] = field(default_factory=dict)  # a custom type's table

    @property
    def title(self) -> str:
        return f"{self.name}{'申领名单' if self.claimant == CLAIMANT_WORKER else '申请表'}"


@dataclass
class CandidateList:
    type: TypeInfo
    period_from: date
    period_to: date
    policy: PolicyBook
    candidates: list[Candidate]

    def policy_values(self, days: Iterable[date]) -> dict[str, str]:
        """The policy values lines dated `days` used (a custom type: its amount table)."""
        if not self.type.built_in:
            return {f"金额表.{key}": money_text(value) for key, value in self.type.amounts.items()}
        return self.policy.used(self.type.policy_keys, days)

    @property
    def eligible(self) -> list[Candidate]:
        return [c for c in self.candidates if c.eligible]


_CERT_COLUMNS = RosterColumns()
_PAIRING_COLUMNS = RosterColumns("工种", "目标等级", "培训年度", "年度起始日")
_COMPETITION_COLUMNS = RosterColumns("竞赛工种", "奖次", "竞赛名称", "比赛日期")

UPGRADE_LEVELS = ("高级工", "技师", "高级技师")
APPRENTICE_TARGETS = ("中级工", "高级工", "技师")
SELF_CLAIM_LEVELS = ("初级工", "中级工", "高级工")
PRIZES = ("一等奖", "二等奖", "三等奖")

_BUILT_IN = {
    TYPE_UPGRADE_TRAINING: TypeInfo(
        TYPE_UPGRADE_TRAINING, BASIS_CERTIFICATE, CLAIMANT_ENTERPRISE, _CERT_COLUMNS, True,
        (*(f"subsidy.upgrade.{lv}" for lv in UPGRADE_LEVELS), "subsidy.upgrade.contract_years_after"),
    ),
    TYPE_APPRENTICESHIP: TypeInfo(
        TYPE_APPRENTICESHIP, BASIS_PAIRING_YEAR, CLAIMANT_ENTERPRISE, _PAIRING_COLUMNS, True,
        (*(f"subsidy.apprentice.{lv}" for lv in APPRENTICE_TARGETS), "subsidy.apprentice.min_contract_years",
         "subsidy.apprentice.min_years", "subsidy.apprentice.max_years"),
    ),
    TYPE_COMPETITION: TypeInfo(
        TYPE_COMPETITION, BASIS_COMPETITION, CLAIMANT_ENTERPRISE, _COMPETITION_COLUMNS, True,
        tuple(f"subsidy.competition.{p}" for p in PRIZES),
    ),
    TYPE_SELF_CLAIM: TypeInfo(
        TYPE_SELF_CLAIM, BASIS_CERTIFICATE, CLAIMANT_WORKER, _CERT_COLUMNS, True,
        (*(f"subsidy.self_claim.{lv}" for lv in SELF_CLAIM_LEVELS), "subsidy.self_claim.window_months"),
    ),
}


# ── types ──────────────────────────────────────────────────────────────────────────────

def _custom_type(row: SubsidyType) -> TypeInfo:
    amounts = {key: Decimal(value) for key, value in json.loads(row.amounts).items()}
    columns = _COMPETITION_COLUMNS if row.basis == BASIS_COMPETITION else _CERT_COLUMNS
    return TypeInfo(row.name, row.basis, CLAIMANT_ENTERPRISE, columns, False, (), amounts)


def subsidy_types(engine: Engine) -> list[TypeInfo]:
    """The built-in types, then the clerk's in the order added."""
    with Session(engine) as session:
        custom = [_custom_type(row) for row in session.scalars(select(SubsidyType).order_by(SubsidyType.id))]
    return [*_BUILT_IN.values(), *custom]


def subsidy_type(session: Session, name: str) -> TypeInfo:
    name = (name or "").strip()
    if name in _BUILT_IN:
        return _BUILT_IN[name]
    row = session.scalars(select(SubsidyType).where(SubsidyType.name == name)).first()
    if row is None:
        known = "、".join([*BUILT_IN_TYPES, *session.scalars(select(SubsidyType.name).order_by(SubsidyType.id))])
        raise Refused(f"没有这种补贴类型：{name}。可选：{known}")
    return _custom_type(row)


def add_subsidy_type(engine: Engine, name: str, basis: str, amounts: dict[str, object], notes: str | None = None) -> int:
    """A type of the clerk's own, with a fixed amount table keyed by level (证书) or by
    result (竞赛). Keys not in the table get no amount; at least one amount is needed."""
    problems: list[FieldProblem] = []
    name = (name or "").strip()
    if not name:
        problems.append(FieldProblem("name", "补贴名称：不能为空"))
    elif name in _BUILT_IN or name in RESERVED_NAMES:
        problems.append(FieldProblem("name", f"补贴名称：{name} 是内置类型或保留字，请换一个名称"))
    elif len(name) > 64:
        problems.append(FieldProblem("name", f"补贴名称：最多 64 个字，当前 {len(name)} 个"))
    if basis not in CUSTOM_BASES:
        problems.append(FieldProblem("basis", f"申领依据：应为 {'/'.join(CUSTOM_BASES.values())} 之一"))
    keys = LEVEL_NAMES[1:] if basis == BASIS_CERTIFICATE else COMPETITION_RESULTS
    table: dict[str, str] = {}
    for key, raw in (amounts or {}).items():
        if key not in keys:
            problems.append(FieldProblem(f"amount:{key}", f"金额表：{key} 不是可选的{'等级' if basis == BASIS_CERTIFICATE else '奖次'}"))
            continue
        try:
            value = parse_money(raw)
        except ValueError as exc:
            problems.append(FieldProblem(f"amount:{key}", f"{key} 的金额：{exc}"))
            continue
        if value:
            table[key] = format(value, "f")
    if not table and not any(p.field.startswith("amount:") for p in problems):
        problems.append(FieldProblem("amounts", "金额表：至少填一个大于 0 的金额"))
    if problems:
        raise FieldErrors(problems)
    with unit_of_work(engine) as session:
        if session.scalar(select(SubsidyType.id).where(SubsidyType.name == name)) is not None:
            raise FieldErrors([FieldProblem("name", f"补贴名称：已有名为 {name} 的补贴类型")])
        row = SubsidyType(name=name, basis=basis, amounts=json.dumps(table, ensure_ascii=False), notes=notes)
        session.add(row)
        session.flush()
        return row.id


# ── the 紧缺工种 list ────────────────────────────────────────────────────────────────────

def occupation_names(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        return list(conn.scalars(select(Occupation.name).order_by(Occupation.name)))


def shortage_occupations(engine: Engine, year: int) -> list[str]:
    with engine.connect() as conn:
        return list(conn.scalars(
            select(Occupation.name).join(OccupationShortage, OccupationShortage.occupation_id == Occupation.id)
            .where(OccupationShortage.year == year).order_by(Occupation.name)
        ))


def set_shortage_occupations(
    engine: Engine, year: int, names: Iterable[str], *, expected: Iterable[str] | None = None
) -> None:
    """The 紧缺工种目录 of `year` becomes exactly `names` (new occupations are added).
    `expected`: the list as the clerk's dialog loaded it; StaleRecord when another clerk
    saved the year's list since (the list has no version: it is compared whole)."""
    if not 1990 <= int(year) <= 2100:
        raise FieldErrors([FieldProblem("year", f"年度：{year} 不是有效年份")])
    wanted = sorted({n.strip() for n in names if n and n.strip()})
    with unit_of_work(engine) as session:
        had = list(session.scalars(
            select(Occupation.name).join(OccupationShortage, OccupationShortage.occupation_id == Occupation.id)
            .where(OccupationShortage.year == year).order_by(Occupation.name)
        ))
        if expected is not None and {n.strip() for n in expected} != set(had):
            raise StaleRecord(stale_message(f"{int(year)} 年紧缺工种目录"))
        if had != wanted:  # 操作日志: the list as a whole, not row by row
            added, dropped = [n for n in wanted if n not in had], [n for n in had if n not in wanted]
            summary = "；".join(part for part in (
                f"增加：{'、'.join(added)}" if added else "", f"去掉：{'、'.join(dropped)}" if dropped else "") if part)
            audit.record(session, audit.CHANGED if had else audit.ADDED, "occupation_shortage", int(year),
                         f"{int(year)} 年紧缺工种目录", f"紧缺工种目录 {summary}",
                         before={"names": had} if had else None, after={"names": wanted})
        ids = []
        for name in wanted:
            occupation = session.scalars(select(Occupation).where(Occupation.name == name)).first()
            if occupation is None:
                occupation = Occupation(name=name)
                session.add(occupation)
                session.flush()
            ids.append(occupation.id)
        session.execute(delete(OccupationShortage).where(OccupationShortage.year == year))
        session.add_all(OccupationShortage(occupation_id=i, year=year) for i in ids)


# ── shared pieces of the rules ─────────────────────────────────────────────────────────

class PolicyBook:
    """The policy profile on each record's date: a certificate issued while 1300 was the
    standard is worth 1300, whatever period the application covers. Read once, then
    answered per date from memory."""

    def __init__(self, conn):
        self._history = list(conn.execute(
            select(PolicyValue.key, PolicyValue.effective_from, PolicyValue.value)
            .order_by(PolicyValue.effective_from, PolicyValue.id)
        ))
        self._by_day: dict[date, dict] = {}

    def on(self, day: date) -> dict:
        found = self._by_day.get(day)
        if found is None:
            found = {p.key: parse_value(p, p.default) for p in PARAMETERS}
            for key, effective_from, value in self._history:
                if effective_from <= day and key in BY_KEY:
                    found[key] = parse_value(BY_KEY[key], value)
            self._by_day[day] = found
        return found

    def used(self, keys: Iterable[str], days: Iterable[date]) -> dict[str, str]:
        """Each key's values on `days`, as text; two values (a change inside the period)
        are written "1300.00 / 1500.00" in date order."""
        snapshots = [self.on(day) for day in sorted(set(days))]
        out = {}
        for key in keys:
            texts = list(dict.fromkeys(_policy_text(snapshot[key]) for snapshot in snapshots))
            if texts:
                out[key] = " / ".join(texts)
        return out


def _policy_text(value) -> str:
    return format(value, "f") if isinstance(value, Decimal) else str(value)


def anniversary(day: date, years: int) -> date:
    """The day `years` after `day`; from 29 February it is 1 March in a common year, so
    "a full year" is never a day short."""
    if day.month == 2 and day.day == 29 and not calendar.isleap(day.year + years):
        return date(day.year + years, 3, 1)
    return add_years(day, years)


def _day(value: date | None) -> str:
    return value.isoformat() if value else ""


def contract_text(start: date | None, end: date | None) -> str:
    if start is None:
        return ""
    return f"{start.isoformat()}至{end.isoformat() if end else _OPEN_ENDED}"


@dataclass(frozen=True)
class _Person:
    id: int
    name: str
    gender: str
    id_type: str
    id_number: str
    occupation: str
    leave_date: date | None
    status: str


def _people(session: Session, worker_ids: select) -> dict[int, _Person]:
    rows = session.execute(
        select(Worker.id, Worker.name, Worker.gender, Worker.id_type, Worker.id_number, Occupation.name,
               Worker.leave_date, Worker.status)
        .outerjoin(Occupation, Occupation.id == Worker.occupation_id)
        .where(Worker.id.in_(worker_ids))
    )
    return {r[0]: _Person(r[0], r[1], r[2] or "", r[3], r[4], r[5] or "", r[6], r[7]) for r in rows}


def _contracts(session: Session, worker_ids: select) -> dict[int, list[tuple[date, date | None]]]:
    by_worker: dict[int, list[tuple[date, date | None]]] = defaultdict(list)
    rows = session.execute(
        select(LaborContract.worker_id, LaborContract.start_date, LaborContract.end_date)
        .where(LaborContract.worker_id.in_(worker_ids))
        .order_by(LaborContract.worker_id, LaborContract.start_date)
    )
    for worker_id, start, end in rows:
        by_worker[worker_id].append((start, end))
    return by_worker


def _covering(contracts: list[tuple[date, date | None]], day: date) -> tuple[date, date | None] | None:
    """The employment in force on `day`: the contract covering it (the latest started,
    should two overlap), its end carried through every renewal that follows without a
    gap, since a renewed contract is one continuous employment."""
    found = None
    for start, end in contracts:
        if start <= day and (end is None or end >= day):
            found = (start, end)
    if found is None:
        return None
    start, end = found
    extended = True
    while end is not None and extended:
        extended = False
        for next_start, next_end in contracts:
            if next_start <= end + timedelta(days=1) and (next_end is None or next_end > end):
                end, extended = next_end, True
                if end is None:
                    break
    return start, end


def _claims(session: Session, type_name: str) -> dict[str, int]:
    """basis_key → the application holding it, for `type_name`."""
    rows = session.execute(
        select(SubsidyClaim.basis_key, SubsidyLine.application_id)
        .join(SubsidyLine, SubsidyLine.id == SubsidyClaim.line_id)
        .where(SubsidyClaim.subsidy_type == type_name)
    )
    return dict(rows.all())


def _not_claimed(key: str, claims: dict[str, int], own: int | None) -> Condition:
    holder = claims.get(key)
    if holder is None or holder == own:
        return Condition(RULE_NOT_CLAIMED, True, "此前未申领")
    return Condition(RULE_NOT_CLAIMED, False, f"已在第 {holder} 号申请中申领（该申请作废后才能再申领）")


def _amount_rule(rule: str, key: str, table: dict[str, Decimal], unit: str = "补贴标准") -> tuple[Condition, Decimal]:
    amount = table.get(key, _ZERO)
    if not key:
        return Condition(rule, False, f"未填{rule}"), _ZERO
    if amount > 0:
        return Condition(rule, True, f"{key}，{unit} {money_text(amount)} 元"), amount
    listed = "、".join(k for k, v in table.items() if v > 0) or "无"
    return Condition(rule, False, f"{key} 不在补贴范围（{listed}）"), _ZERO


def _policy_table(policy: dict, prefix: str, keys: Iterable[str]) -> dict[str, Decimal]:
    return {key: Decimal(policy[f"{prefix}.{key}"]) for key in keys}


def _certificate_rows(session: Session, period_from: date, period_to: date, levels: Iterable[int] | None = None):
    """Level certificates issued in the period, not revoked, with their occupation."""
    query = (
        select(Certificate.id, Certificate.worker_id, Certificate.level_rank, Certificate.number,
               Certificate.issue_date, Certificate.occupation_id, Occupation.name, Certificate.kind)
        .outerjoin(Occupation, Occupation.id == Certificate.occupation_id)
        .where(Certificate.kind.in_(LEVEL_BEARING_KINDS), Certificate.level_rank.is_not(None),
               Certificate.revoked.is_(False), Certificate.issue_date.between(period_from, period_to))
        .order_by(Certificate.issue_date, Certificate.worker_id, Certificate.id)
    )
    if levels is not None:
        query = query.where(Certificate.level_rank.in_(list(levels)))
    return query


def _certificate_candidate(person: _Person, row, contract, amount: Decimal, key: str) -> Candidate:
    cert_id, _worker, rank, number, issued, _occ_id, occupation, kind = row
    number_text = number or "未填编号"
    return Candidate(
        worker_id=person.id, name=person.name, gender=person.gender, id_type=person.id_type,
        id_number=person.id_number, occupation=occupation or "", level=level_name(rank),
        reference_no=number or "", reference_date=issued,
        contract=contract_text(*contract) if contract else "", amount=amount,
        basis_kind=BASIS_CERTIFICATE, basis_id=cert_id, basis_key=key,
        basis_text=f"{kind} {number_text}（{occupation or '未填工种'} {level_name(rank)}，{_day(issued)} 发证）",
    )


# ── the rules of each type ─────────────────────────────────────────────────────────────

@dataclass(frozen=True)
class _CertificateRun:
    """What every certificate-based type reads once: the period's certificates, their
    holders, the holders' contracts, and the records this type has claimed already."""

    certs: object  # the subquery of _certificate_rows
    people: dict[int, _Person]
    contracts: dict[int, list[tuple[date, date | None]]]
    claims: dict[str, int]


def _certificate_run(session: Session, info: TypeInfo, period_from: date, period_to: date) -> _CertificateRun:
    certs = _certificate_rows(session, period_from, period_to).subquery()
    worker_ids = select(certs.c.worker_id)
    return _CertificateRun(certs, _people(session, worker_ids), _contracts(session, worker_ids),
                           _claims(session, info.name))


def _upgrade_training(session: Session, info: TypeInfo, period_from: date, period_to: date, policy: PolicyBook,
                      today: date, own: int | None) -> list[Candidate]:
    run = _certificate_run(session, info, period_from, period_to)
    certs, people, contracts, claims = run.certs, run.people, run.contracts, run.claims
    shortages = set(session.execute(select(OccupationShortage.occupation_id, OccupationShortage.year)
                                    .where(OccupationShortage.year.between(period_from.year, period_to.year))).all())
    enrolments: dict[int, list[tuple[str, date, bool, str | None]]] = defaultdict(list)
    for cert_id, programme, enrolled, sent, result in session.execute(
        select(TrainingEnrolment.certificate_id, TrainingProgramme.name, TrainingEnrolment.enrolled_on,
               TrainingEnrolment.sent_by_enterprise, TrainingEnrolment.result)
        .join(TrainingProgramme, TrainingProgramme.id == TrainingEnrolment.programme_id)
        .where(TrainingEnrolment.certificate_id.in_(select(certs.c.id)))
        .order_by(TrainingEnrolment.enrolled_on)
    ):
        enrolments[cert_id].append((programme, enrolled, sent, result))
    out = []
    for row in session.execute(select(certs)):
        cert_id, worker_id, rank, _number, issued, occupation_id, occupation = row[:7]
        person = people[worker_id]
        rules = policy.on(issued)
        years_after = int(rules["subsidy.upgrade.contract_years_after"])
        level_rule, amount = _amount_rule(RULE_LEVEL, level_name(rank), _policy_table(rules, "subsidy.upgrade", UPGRADE_LEVELS))
        contract = _covering(contracts.get(worker_id, []), issued)
        candidate = _certificate_candidate(person, row, contract, amount, f"certificate:{cert_id}")
        candidate.conditions = [
            level_rule,
            _shortage_rule(occupation_id, occupation, issued.year, shortages),
            _sent_rule(enrolments.get(cert_id, [])),
            _contract_after_rule(contract, person.leave_date, issued, years_after),
            _not_claimed(candidate.basis_key, claims, own),
        ]
        candidate.claimed_by = claims.get(candidate.basis_key)
        out.append(candidate)
    return out


def _shortage_rule(occupation_id: int | None, occupation: str | None, year: int, shortages: set) -> Condition:
    if occupation_id is None:
        return Condition(RULE_SHORTAGE, False, "证书未填工种，无法判断是否紧缺")
    if (occupation_id, year) in shortages:
        return Condition(RULE_SHORTAGE, True, f"{occupation} 列入{year}年紧缺工种目录")
    return Condition(RULE_SHORTAGE, False, f"{occupation} 未列入{year}年紧缺工种目录（在「补贴申请 → 紧缺工种」中维护）")


def _sent_rule(enrolments: list[tuple[str, date, bool, str | None]]) -> Condition:
    if not enrolments:
        return Condition(RULE_SENT, False, "没有关联到该证书的培训记录（在培训页登记结果时选择该证书）")
    for programme, enrolled, sent, _result in enrolments:
        if sent:
            return Condition(RULE_SENT, True, f"培训「{programme}」（{_day(enrolled)} 报名，企业选送）")
    programme, enrolled = enrolments[0][:2]
    return Condition(RULE_SENT, False, f"培训「{programme}」（{_day(enrolled)} 报名）为个人自行参加，非企业选送")


def _contract_after_rule(contract, leave_date: date | None, issued: date, years: int) -> Condition:
    if contract is None:
        return Condition(RULE_CONTRACT, False, f"发证日期 {_day(issued)} 没有劳动合同覆盖")
    start, end = contract
    needed = anniversary(issued, years)
    text = f"合同 {contract_text(start, end)}"
    if leave_date is not None and leave_date < needed:
        return Condition(RULE_CONTRACT, False, f"{text}，但已于 {_day(leave_date)} 离职，取证后不足 {years} 年")
    if end is not None and end < needed:
        return Condition(RULE_CONTRACT, False, f"{text}，取证（{_day(issued)}）后不足 {years} 年（需到 {_day(needed)}）")
    return Condition(RULE_CONTRACT, True, f"{text}，取证后至少还有 {years} 年")


def _self_claim(session: Session, info: TypeInfo, period_from: date, period_to: date, policy: PolicyBook,
                today: date, own: int | None) -> list[Candidate]:
    run = _certificate_run(session, info, period_from, period_to)
    certs, people, contracts, claims = run.certs, run.people, run.contracts, run.claims
    # The first certificate of each (worker, occupation, level): a later one of the same is no
    # new claim. Two issued the same day (an old 职业资格证书 and its new 职业技能等级证书)
    # are ordered by id, so exactly one of them is first.
    earlier = aliased(Certificate)
    firsts = dict(session.execute(
        select(certs.c.id, func.min(earlier.issue_date))
        .join(earlier, and_(earlier.worker_id == certs.c.worker_id, earlier.level_rank == certs.c.level_rank,
                            or_(earlier.occupation_id == certs.c.occupation_id,
                                and_(earlier.occupation_id.is_(None), certs.c.occupation_id.is_(None))),
                            earlier.kind.in_(LEVEL_BEARING_KINDS), earlier.revoked.is_(False),
                            or_(earlier.issue_date < certs.c.issue_date,
                                and_(earlier.issue_date == certs.c.issue_date, earlier.id < certs.c.id))))
        .group_by(certs.c.id)
    ).all())
    out = []
    for row in session.execute(select(certs)):
        cert_id, worker_id, rank, _number, issued, occupation_id, occupation = row[:7]
        person = people[worker_id]
        rules = policy.on(issued)
        months = int(rules["subsidy.self_claim.window_months"])
        table = _policy_table(rules, "subsidy.self_claim", SELF_CLAIM_LEVELS)
        level_rule, amount = _amount_rule(RULE_LEVEL, level_name(rank), table)
        candidate = _certificate_candidate(person, row, _covering(contracts.get(worker_id, []), issued), amount,
                                           f"certificate:{cert_id}")
        key = candidate.claim_key = f"worker:{worker_id}:occupation:{occupation_id or '-'}:level:{rank}"
        deadline = add_months(issued, months)
        window = (Condition(RULE_WINDOW, True, f"发证 {_day(issued)}，{months} 个月内申领，截止 {_day(deadline)}")
                  if today <= deadline else
                  Condition(RULE_WINDOW, False, f"发证 {_day(issued)}，申领已于 {_day(deadline)} 截止"))
        first = firsts.get(cert_id)
        once = (Condition(RULE_ONCE, False, f"{_day(first)} 已取得同职业同等级证书，每个职业每个等级只能申领一次")
                if first else Condition(RULE_ONCE, True, f"{occupation or '（未填工种）'} {level_name(rank)} 首次取证"))
        left = person.leave_date is not None and person.leave_date <= today
        employed = (Condition(RULE_EMPLOYED, False, f"已于 {_day(person.leave_date)} 离职")
                    if left else Condition(RULE_EMPLOYED, True, "在职"))
        candidate.conditions = [level_rule, window, once, employed, _not_claimed(key, claims, own)]
        candidate.claimed_by = claims.get(key)
        out.append(candidate)
    return out


def training_year_bounds(start: date, year: int) -> tuple[date, date]:
    """The `year`-th training year (1, 2, …) of a pairing that began on `start`."""
    first = anniversary(start, year - 1)
    return first, anniversary(start, year) - timedelta(days=1)


def _apprenticeship(session: Session, info: TypeInfo, period_from: date, period_to: date, policy: PolicyBook,
                    today: date, own: int | None) -> list[Candidate]:
    pairings = (
        select(Apprenticeship.id, Apprenticeship.apprentice_id, Apprenticeship.start_date,
               Apprenticeship.planned_end, Apprenticeship.ended_on, Apprenticeship.status,
               Apprenticeship.target_level, Occupation.name, Apprenticeship.partner)
        .outerjoin(Occupation, Occupation.id == Apprenticeship.occupation_id)
        .where(Apprenticeship.kind == KIND_NEW_APPRENTICESHIP, Apprenticeship.start_date <= period_to,
               or_(Apprenticeship.ended_on.is_(None), Apprenticeship.ended_on > period_from))
        .order_by(Apprenticeship.start_date, Apprenticeship.id)
    ).subquery()
    worker_ids = select(pairings.c.apprentice_id)
    people, contracts = _people(session, worker_ids), _contracts(session, worker_ids)
    claims = _claims(session, info.name)
    out = []
    for pairing_id, apprentice_id, start, planned_end, ended_on, _status, target, occupation, partner in session.execute(select(pairings)):
        person = people[apprentice_id]
        year = 1
        while True:
            first, last = training_year_bounds(start, year)
            # A year that would begin on the planned end (or after the pairing ended) is no training year.
            if first > period_to or (planned_end is not None and first >= planned_end) or (ended_on and first >= ended_on):
                break
            if first >= period_from:
                out.append(_training_year(person, contracts.get(apprentice_id, []), pairing_id, year, first, last,
                                          start, planned_end, target, occupation or person.occupation, partner,
                                          policy.on(first), today, claims, own))
            year += 1
    return out


def _training_year(person, contracts, pairing_id, year, first, last, start, planned_end, target, occupation,
                   partner, rules, today, claims, own) -> Candidate:
    table = _policy_table(rules, "subsidy.apprentice", APPRENTICE_TARGETS)
    min_contract = int(rules["subsidy.apprentice.min_contract_years"])
    min_years, max_years = int(rules["subsidy.apprentice.min_years"]), int(rules["subsidy.apprentice.max_years"])
    target_name = level_name(target) if target else ""
    key_name = "技师" if target is not None and target >= 4 else target_name
    target_rule, amount = _amount_rule(RULE_TARGET, key_name, table)
    if target_rule.ok and key_name != target_name:
        target_rule = Condition(RULE_TARGET, True, f"{target_name}（按技师及以上），补贴标准 {money_text(amount)} 元")
    contract = _covering(contracts, first)
    if contract is None:
        contract_rule = Condition(RULE_CONTRACT, False, f"培训年度首日 {_day(first)} 没有劳动合同覆盖")
    else:
        c_start, c_end = contract
        long_enough = c_end is None or c_end >= anniversary(c_start, min_contract) - timedelta(days=1)
        contract_rule = Condition(RULE_CONTRACT, long_enough,
                                  f"合同 {contract_text(c_start, c_end)}" + ("" if long_enough else f"，不足 {min_contract} 年"))
    if planned_end is None:
        term_rule = Condition(RULE_TERM, False, "未填计划出师日期，无法判断培训期")
    else:
        shortest = anniversary(start, min_years) - timedelta(days=1)
        longest = anniversary(start, max_years)
        ok = shortest <= planned_end <= longest
        term_rule = Condition(RULE_TERM, ok, f"培训期 {_day(start)} 至 {_day(planned_end)}"
                              + ("" if ok else f"，不在 {min_years}–{max_years} 年之内"))
    key = f"apprenticeship:{pairing_id}:year:{year}"
    candidate = Candidate(
        worker_id=person.id, name=person.name, gender=person.gender, id_type=person.id_type,
        id_number=person.id_number, occupation=occupation or "", level=target_name,
        reference_no=f"第{year}年（{_day(first)}至{_day(last)}）", reference_date=first,
        contract=contract_text(*contract) if contract else "", amount=amount,
        basis_kind=BASIS_PAIRING_YEAR, basis_id=pairing_id, basis_key=key,
        basis_text=f"新型学徒制第{year}培训年度（{_day(first)}起{'，' + partner if partner else ''}）",
    )
    begun = (Condition(RULE_BEGUN, True, f"{_day(first)} 开始") if first <= today
             else Condition(RULE_BEGUN, False, f"{_day(first)} 才开始，开始后才能申领"))
    left = person.leave_date is not None and person.leave_date <= first
    employed = (Condition(RULE_EMPLOYED, False, f"已于 {_day(person.leave_date)} 离职") if left
                else Condition(RULE_EMPLOYED, True, "培训年度开始时在职"))
    candidate.conditions = [target_rule, contract_rule, term_rule, begun, employed, _not_claimed(key, claims, own)]
    candidate.claimed_by = claims.get(key)
    return candidate


def _competition(session: Session, info: TypeInfo, period_from: date, period_to: date, policy: PolicyBook,
                 today: date, own: int | None) -> list[Candidate]:
    entries = (
        select(CompetitionEntry.id, CompetitionEntry.worker_id, CompetitionEntry.competition_name,
               CompetitionEntry.level, CompetitionEntry.held_on, CompetitionEntry.result, Occupation.name,
               CompetitionEntry.placing)
        .outerjoin(Occupation, Occupation.id == CompetitionEntry.occupation_id)
        .where(CompetitionEntry.held_on.between(period_from, period_to))
        .order_by(CompetitionEntry.held_on, CompetitionEntry.worker_id, CompetitionEntry.id)
    ).subquery()
    worker_ids = select(entries.c.worker_id)
    people, contracts = _people(session, worker_ids), _contracts(session, worker_ids)
    claims = _claims(session, info.name)
    out = []
    for entry_id, worker_id, name, level, held_on, result, occupation, placing in session.execute(select(entries)):
        person = people[worker_id]
        table = (info.amounts if not info.built_in
                 else _policy_table(policy.on(held_on), "subsidy.competition", PRIZES))
        if result is None and placing is not None:
            result = f"第{placing}名"
            prize_rule, amount = Condition(RULE_PRIZE, False, f"{result}：按名次记录的成绩没有奖励标准（标准按一/二/三等奖）"), _ZERO
        else:
            prize_rule, amount = _amount_rule(RULE_PRIZE, result or "", table, "奖励标准")
        contract = _covering(contracts.get(worker_id, []), held_on)
        key = f"competition:{entry_id}"
        candidate = Candidate(
            worker_id=person.id, name=person.name, gender=person.gender, id_type=person.id_type,
            id_number=person.id_number, occupation=occupation or "", level=result or "",
            reference_no=name, reference_date=held_on, contract=contract_text(*contract) if contract else "",
            amount=amount, basis_kind=BASIS_COMPETITION, basis_id=entry_id, basis_key=key,
            basis_text=f"{name}（{level or ''}{'，' if level else ''}{result or '未填成绩'}，{_day(held_on)}）",
        )
        candidate.conditions = [prize_rule, _not_claimed(key, claims, own)]
        candidate.claimed_by = claims.get(key)
        out.append(candidate)
    return out


def _custom_certificate(session: Session, info: TypeInfo, period_from: date, period_to: date, policy: PolicyBook,
                        today: date, own: int | None) -> list[Candidate]:
    run = _certificate_run(session, info, period_from, period_to)
    certs, people, contracts, claims = run.certs, run.people, run.contracts, run.claims
    out = []
    for row in session.execute(select(certs)):
        cert_id, worker_id, rank, _number, issued = row[:5]
        level_rule, amount = _amount_rule(RULE_LEVEL, level_name(rank), info.amounts)
        candidate = _certificate_candidate(people[worker_id], row, _covering(contracts.get(worker_id, []), issued),
                                           amount, f"certificate:{cert_id}")
        candidate.conditions = [level_rule, _not_claimed(candidate.basis_key, claims, own)]
        candidate.claimed_by = claims.get(candidate.basis_key)
        out.append(candidate)
    return out


_ENGINES = {
    TYPE_UPGRADE_TRAINING: _upgrade_training,
    TYPE_APPRENTICESHIP: _apprenticeship,
    TYPE_COMPETITION: _competition,
    TYPE_SELF_CLAIM: _self_claim,
}


def _period(period_from, period_to) -> tuple[date, date]:
    problems = []
    values = {}
    for key, label, raw in (("from", "起始日期", period_from), ("to", "截止日期", period_to)):
        try:
            values[key] = raw if isinstance(raw, date) else parse_date(raw)
        except ValueError as exc:
            problems.append(FieldProblem(key, f"{label}：{exc}"))
            continue
        if values[key] is None:
            problems.append(FieldProblem(key, f"{label}：不能为空"))
    if not problems and values["to"] < values["from"]:
        problems.append(FieldProblem("to", "截止日期：不能早于起始日期"))
    if problems:
        raise FieldErrors(problems)
    return values["from"], values["to"]


def _judge(session: Session, type_name: str, period_from, period_to, *, today: date | None,
           own: int | None = None) -> CandidateList:
    info = subsidy_type(session, type_name)
    start, end = _period(period_from, period_to)
    today = today or date.today()
    policy = PolicyBook(session.connection())
    engine = _ENGINES.get(info.name) or (_competition if info.basis == BASIS_COMPETITION else _custom_certificate)
    candidates = engine(session, info, start, end, policy, today, own)
    return CandidateList(info, start, end, policy, candidates)


def find_candidates(engine: Engine, type_name: str, period_from, period_to, *, today: date | None = None) -> CandidateList:
    """Every basis record of `type_name` in the period, each judged rule by rule."""
    with Session(engine) as session:
        return _judge(session, type_name, period_from, period_to, today=today)


# ── applications ───────────────────────────────────────────────────────────────────────

def _line_from(candidate: Candidate, seq: int) -> SubsidyLine:
    return SubsidyLine(
        seq=seq, worker_id=candidate.worker_id, name=candidate.name, gender=candidate.gender or None,
        id_type=candidate.id_type, id_number=candidate.id_number, occupation=candidate.occupation or None,
        level=candidate.level or None, reference_no=(candidate.reference_no or None) and candidate.reference_no[:200],
        reference_date=candidate.reference_date, contract=candidate.contract or None, amount=candidate.amount,
        basis_kind=candidate.basis_kind, basis_id=candidate.basis_id, basis_key=candidate.basis_key,
        claim_key=candidate.claim_key, basis_text=candidate.basis_text,
        conditions=json.dumps([c.as_json() for c in candidate.conditions], ensure_ascii=False),
    )


def _refuse_ineligible(candidates: list[Candidate], verb: str) -> None:
    if not candidates:
        return
    shown = [f"{c.name}：{c.basis_text} — " + "；".join(f"{f.rule}：{f.reason}" for f in c.failed) for c in candidates[:10]]
    more = f"\n……另有 {len(candidates) - 10} 条" if len(candidates) > 10 else ""
    raise Refused(f"以下 {len(candidates)} 条不符合条件，未{verb}：\n" + "\n".join(shown) + more)


def _claim_conflict() -> Refused:
    return Refused("所选的部分记录刚刚已被另一份申请申领（可能是另一位经办人），本次未保存任何内容。请重新查找候选人。")


def create_application(
    engine: Engine,
    type_name: str,
    period_from,
    period_to,
    basis_keys: Iterable[str] | None = None,
    *,
    generate: bool = False,
    today: date | None = None,
    notes: str | None = None,
    progress: Progress | None = None,
    write: Callable[[ApplicationDoc], object] | None = None,
) -> int:
    """A new application holding the chosen lines (`basis_keys`; None: every eligible line
    not yet claimed), as 草稿 or, with `generate`, as 已生成. The lines are judged again
    inside the transaction; one that no longer qualifies refuses the whole application.
    `write` (the PDF, say) runs before the commit: if it fails, no application is left
    behind without its form."""
    today = today or date.today()
    with unit_of_work(engine) as session:
        judged = _judge(session, type_name, period_from, period_to, today=today)
        by_key = {c.basis_key: c for c in judged.candidates}
        if basis_keys is None:
            chosen = judged.eligible
            if not chosen:
                raise Refused(f"{judged.period_from}至{judged.period_to} 没有可申领的{judged.type.name}"
                              f"（候选 {len(judged.candidates)} 条，均不符合条件或已申领）。未生成任何申请。")
        else:
            keys = list(dict.fromkeys(basis_keys))
            missing = [k for k in keys if k not in by_key]
            if missing:
                raise Refused(f"有 {len(missing)} 条所选记录已不在该期间的候选名单中（可能刚被修改或删除），请重新查找候选人。")
            chosen = [by_key[k] for k in keys]
            if not chosen:
                raise Refused("没有选择任何一行，未生成申请。")
        _refuse_ineligible([c for c in chosen if not c.eligible], "保存")
        application = SubsidyApplication(
            subsidy_type=judged.type.name, period_from=judged.period_from, period_to=judged.period_to,
            status=DRAFT, notes=notes, total=sum((c.amount for c in chosen), _ZERO),
        )
        session.add(application)
        session.flush()
        for seq, candidate in enumerate(chosen, start=1):
            application.lines.append(_line_from(candidate, seq))
            if progress and seq % 500 == 0:
                progress(seq, len(chosen))
        _claim_lines(session, application)
        if generate:
            _freeze(application, judged, today)
        if progress:
            progress(len(chosen), len(chosen))
        if write is not None:
            session.flush()
            write(_doc(session, application))
        return application.id


def _claim_lines(session: Session, application: SubsidyApplication) -> None:
    session.flush()
    try:
        with session.begin_nested():
            session.add_all(SubsidyClaim(subsidy_type=application.subsidy_type, basis_key=line.claim_key, line_id=line.id)
                            for line in application.lines)
            session.flush()
    except IntegrityError:
        raise _claim_conflict() from None


def _freeze(application: SubsidyApplication, judged: CandidateList, today) -> None:
    application.status = GENERATED
    application.generated_at = today if isinstance(today, datetime) else datetime.now().replace(microsecond=0)
    used = judged.policy_values(line.reference_date for line in application.lines if line.reference_date)
    application.policy_values = json.dumps(used, ensure_ascii=False, sort_keys=True)
    application.total = sum((line.amount for line in application.lines), _ZERO)


def _application_or_refuse(session: Session, application_id: int, expected_version: int | None = None) -> SubsidyApplication:
    application = session.get(SubsidyApplication, application_id)
    if application is None:
        raise Refused(f"没有第 {application_id} 号补贴申请（可能已被删除）。")
    if expected_version is not None and application.version != expected_version:
        raise StaleRecord(stale_message(f"第 {application_id} 号补贴申请"))
    return application


def generate_application(engine: Engine, application_id: int, *, today: date | None = None,
                         expected_version: int | None = None) -> None:
    """草稿 → 已生成: every line judged again under today's policy; all must still qualify.
    Then the amounts, the printed copies and the policy values are frozen."""
    today = today or date.today()
    with unit_of_work(engine) as session:
        application = _application_or_refuse(session, application_id, expected_version)
        if application.status != DRAFT:
            raise Refused(f"第 {application_id} 号申请的状态是 {application.status}，只有草稿可以生成。")
        if not application.lines:
            raise Refused("该草稿没有任何一行，不能生成。")
        judged = _judge(session, application.subsidy_type, application.period_from, application.period_to,
                        today=today, own=application.id)
        by_key = {c.basis_key: c for c in judged.candidates}
        gone = [line.name for line in application.lines if line.basis_key not in by_key]
        if gone:
            raise Refused(f"草稿中有 {len(gone)} 行的依据记录已不在候选名单中（{'、'.join(gone[:10])}），请先从草稿中移除。")
        _refuse_ineligible([by_key[line.basis_key] for line in application.lines if not by_key[line.basis_key].eligible], "生成")
        for line in application.lines:
            fresh = _line_from(by_key[line.basis_key], line.seq)
            for column in ("worker_id", "name", "gender", "id_type", "id_number", "occupation", "level",
                           "reference_no", "reference_date", "contract", "amount", "basis_text", "conditions"):
                setattr(line, column, getattr(fresh, column))
        _freeze(application, judged, today)


def remove_lines(engine: Engine, application_id: int, line_ids: Iterable[int], *, expected_version: int | None = None) -> None:
    """Take lines out of a draft; their basis records become free to claim again."""
    ids = set(line_ids)
    with unit_of_work(engine) as session:
        application = _application_or_refuse(session, application_id, expected_version)
        if application.status != DRAFT:
            raise Refused(f"第 {application_id} 号申请已{application.status}，不能再移除行；如需更改请作废后重新申请。")
        keep = [line for line in application.lines if line.id not in ids]
        if len(keep) == len(application.lines):
            return
        if not keep:
            raise Refused("不能移除全部行；不再需要这份草稿时请将其作废。")
        application.lines = keep
        for seq, line in enumerate(keep, start=1):
            line.seq = seq
        application.total = sum((line.amount for line in keep), _ZERO)


def change_status(
    engine: Engine,
    application_id: int,
    new_status: str,
    *,
    on=None,
    amount=None,
    reason: str | None = None,
    expected_version: int | None = None,
    today: date | None = None,
) -> None:
    """已提交 (on), 已到账 (on, amount received), 已退回 (on, reason), 作废 (reason). 作废
    frees every basis record of the application for a new one."""
    problems: list[FieldProblem] = []
    day = None
    if new_status in (SUBMITTED, RECEIVED, RETURNED):
        label = {SUBMITTED: "提交日期", RECEIVED: "到账日期", RETURNED: "退回日期"}[new_status]
        try:
            day = on if isinstance(on, date) else parse_date(on)
        except ValueError as exc:
            problems.append(FieldProblem("on", f"{label}：{exc}"))
        else:
            if day is None:
                problems.append(FieldProblem("on", f"{label}：不能为空"))
    received = None
    if new_status == RECEIVED:
        try:
            received = parse_money(amount)
        except ValueError as exc:
            problems.append(FieldProblem("amount", f"到账金额：{exc}"))
        else:
            if received is None:
                problems.append(FieldProblem("amount", "到账金额：不能为空"))
    reason = (reason or "").strip() or None
    if new_status in (RETURNED, VOID) and not reason:
        problems.append(FieldProblem("reason", f"{'退回原因' if new_status == RETURNED else '作废原因'}：不能为空"))
    if new_status not in STATUSES:
        problems.append(FieldProblem("status", f"状态：应为 {'/'.join(STATUSES)} 之一"))
    if problems:
        raise FieldErrors(problems)
    with unit_of_work(engine) as session:
        application = _application_or_refuse(session, application_id, expected_version)
        if new_status == GENERATED:
            raise Refused("生成申请请用「生成」：生成时会重新核对每一行。")
        if new_status not in NEXT_STATUSES[application.status]:
            allowed = "、".join(NEXT_STATUSES[application.status]) or "无"
            raise Refused(f"第 {application_id} 号申请当前为 {application.status}，不能改为 {new_status}（可改为：{allowed}）。")
        if day is not None:
            _check_status_day(application, new_status, day, today or date.today())
        if new_status == SUBMITTED:
            application.submitted_on = day
        elif new_status == RECEIVED:
            application.received_on, application.received_amount = day, received
        elif new_status == RETURNED:
            application.returned_on, application.return_reason = day, reason
        elif new_status == VOID:
            application.voided_at = datetime.now().replace(microsecond=0)
            application.void_reason = reason
            session.execute(delete(SubsidyClaim).where(
                SubsidyClaim.line_id.in_(select(SubsidyLine.id).where(SubsidyLine.application_id == application.id))))
        application.status = new_status


def _check_status_day(application: SubsidyApplication, new_status: str, day: date, today: date) -> None:
    """A status is recorded when it happened: not in the future, not before what led to it."""
    label = {SUBMITTED: "提交日期", RECEIVED: "到账日期", RETURNED: "退回日期"}[new_status]
    if day > today:
        raise FieldErrors([FieldProblem("on", f"{label}：{day} 晚于今天（{today}），请填写实际发生的日期")])
    generated = application.generated_at.date() if application.generated_at else None
    if generated and day < generated:
        raise FieldErrors([FieldProblem("on", f"{label}：不能早于生成日期 {generated}")])
    if new_status in (RECEIVED, RETURNED) and application.submitted_on and day < application.submitted_on:
        raise FieldErrors([FieldProblem("on", f"{label}：不能早于提交日期 {application.submitted_on}")])
    if new_status == SUBMITTED and application.returned_on and day < application.returned_on:
        raise FieldErrors([FieldProblem("on", f"{label}：重新提交不能早于退回日期 {application.returned_on}")])


# ── reading applications ───────────────────────────────────────────────────────────────

@dataclass(frozen=True)
class ApplicationRow:
    id: int
    subsidy_type: str
    period_from: date
    period_to: date
    status: str
    lines: int
    persons: int
    total: Decimal
    created_at: datetime
    generated_at: datetime | None
    submitted_on: date | None
    received_on: date | None
    received_amount: Decimal | None
    returned_on: date | None
    return_reason: str | None
    void_reason: str | None
    notes: str | None
    version: int
    policy_values: dict[str, str]  # frozen at 已生成; empty for a draft

    @property
    def next_statuses(self) -> tuple[str, ...]:
        return NEXT_STATUSES[self.status]


def _row_query():
    counts = (
        select(SubsidyLine.application_id, func.count().label("lines"),
               func.count(func.distinct(SubsidyLine.id_number)).label("persons"))
        .group_by(SubsidyLine.application_id).subquery()
    )
    a = SubsidyApplication
    return select(
        a.id, a.subsidy_type, a.period_from, a.period_to, a.status, func.coalesce(counts.c.lines, 0),
        func.coalesce(counts.c.persons, 0), a.total, a.created_at, a.generated_at, a.submitted_on, a.received_on,
        a.received_amount, a.returned_on, a.return_reason, a.void_reason, a.notes, a.version, a.policy_values,
    ).outerjoin(counts, counts.c.application_id == a.id)


def list_applications(engine: Engine, *, subsidy_type: str | None = None, status: str | None = None) -> list[ApplicationRow]:
    query = _row_query().order_by(SubsidyApplication.id.desc())
    if subsidy_type:
        query = query.where(SubsidyApplication.subsidy_type == subsidy_type)
    if status:
        query = query.where(SubsidyApplication.status == status)
    with Session(engine) as session:
        return [_application_row(r) for r in session.execute(query)]


def _application_row(r) -> ApplicationRow:
    return ApplicationRow(*r[:-1], json.loads(r[-1]) if r[-1] else {})


def load_application_row(engine: Engine, application_id: int) -> ApplicationRow:
    with Session(engine) as session:
        row = session.execute(_row_query().where(SubsidyApplication.id == application_id)).first()
    if row is None:
        raise Refused(f"没有第 {application_id} 号补贴申请（可能已被删除）。")
    return _application_row(row)


@dataclass(frozen=True)
class StoredLine:
    id: int
    seq: int
    worker_id: int | None
    name: str
    id_number: str
    basis_text: str
    amount: Decimal
    conditions: tuple[Condition, ...]


def application_lines(engine: Engine, application_id: int) -> list[StoredLine]:
    with Session(engine) as session:
        rows = session.execute(
            select(SubsidyLine.id, SubsidyLine.seq, SubsidyLine.worker_id, SubsidyLine.name, SubsidyLine.id_number,
                   SubsidyLine.basis_text, SubsidyLine.amount, SubsidyLine.conditions)
            .where(SubsidyLine.application_id == application_id).order_by(SubsidyLine.seq)
        )
        return [StoredLine(*r[:7], tuple(Condition(**c) for c in json.loads(r[7]))) for r in rows]


def application_doc(engine: Engine, application_id: int) -> ApplicationDoc:
    """What the PDF prints for the application: the stored lines, never the live register.
    A role that may not see full 证件号码 (SPEC §11) gets them masked, on screen and on paper."""
    from app.services.users import shown_id_number

    with Session(engine) as session:
        doc = _doc(session, _application_or_refuse(session, application_id))
    if actor_of(engine).sees_full_id_numbers:
        return doc
    lines = tuple(replace(line, id_number=shown_id_number(engine, line.id_number)) for line in doc.lines)
    return replace(doc, lines=lines, person_count=doc.persons)


def _doc(session: Session, application: SubsidyApplication) -> ApplicationDoc:
    try:
        info = subsidy_type(session, application.subsidy_type)
    except Refused:  # a custom type renamed or removed since: print as an enterprise claim
        info = TypeInfo(application.subsidy_type, BASIS_CERTIFICATE, CLAIMANT_ENTERPRISE, _CERT_COLUMNS, False)
    lines = tuple(
        LineDoc(
            seq=line.seq, name=line.name, gender=line.gender or "", id_type=line.id_type,
            id_number=line.id_number, occupation=line.occupation or "", level=line.level or "",
            reference_no=line.reference_no or "", reference_date=line.reference_date,
            contract=line.contract or "", amount=line.amount, basis_text=line.basis_text,
        )
        for line in application.lines
    )
    return ApplicationDoc(
        id=application.id, subsidy_type=application.subsidy_type, title=info.title,
        period_from=application.period_from, period_to=application.period_to, status=application.status,
        claimant=info.claimant, columns=info.columns, lines=lines, generated_at=application.generated_at,
        policy_values=json.loads(application.policy_values) if application.policy_values else {},
    )


def policy_value_labels(values: dict[str, str]) -> list[tuple[str, str]]:
    """(label, value) of stored policy values, for showing what an application applied."""
    out = []
    for key, value in sorted(values.items()):
        parameter = BY_KEY.get(key)
        out.append((parameter.label, f"{value} {parameter.unit}") if parameter else (key, value))
    return out


__all__ = [
    "BUILT_IN_TYPES", "DRAFT", "GENERATED", "NEXT_STATUSES", "RECEIVED", "RETURNED", "STATUSES", "SUBMITTED",
    "TYPE_APPRENTICESHIP", "TYPE_COMPETITION", "TYPE_SELF_CLAIM", "TYPE_UPGRADE_TRAINING", "VOID",
    "ApplicationRow", "Candidate", "CandidateList", "Condition", "StoredLine", "TypeInfo",
    "add_subsidy_type", "application_doc", "application_lines", "change_status", "create_application",
    "find_candidates", "generate_application", "list_applications", "load_application_row",
    "occupation_names", "policy_value_labels", "remove_lines", "set_shortage_occupations", "shortage_occupations",
    "subsidy_types", "training_year_bounds",
]
