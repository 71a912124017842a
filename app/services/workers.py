"""One worker's file 职工档案 (SPEC §3): read it for the form, check and save what the clerk
typed, and add the certificates, honours and competition entries that hang off it.

Plain functions over an Engine; every user action is one transaction. Every check runs
before anything is written and every refusal is reported at once, each naming its field,
so the form can mark all of them and keep what was typed (SPEC §10).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import Engine, exists, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from app.errors import FieldErrors, FieldProblem, Refused, StaleRecord, stale_message
from app.models import (
    Certificate,
    CompetitionEntry,
    Department,
    Honour,
    LaborContract,
    Occupation,
    Worker,
)
from app.models.db import reading, unit_of_work
from app.services.identity import (
    ID_TYPE_RESIDENT,
    ID_TYPES,
    CheckError,
    cert_number_level_warning,
    check_id_number,
    normalize_id_number,
)
from app.services.levels import (
    CERTIFICATE_KINDS,
    KIND_SAFETY_LICENCE,
    LEVEL_BEARING_KINDS,
    LEVEL_NAMES,
    LevelParseError,
    LevelStep,
    level_history,
    level_on,
    parse_level,
)
from app.services.pinyin import name_initials
from app.services.roster_import import MIN_WORKING_AGE
from app.services.text import fold_width
from app.services.values import ValueProblem, add_years, money_text, parse_date, parse_money
from app.services.vocab import (
    COMPETITION_RESULTS,
    EDUCATIONS,
    EVALUATION_ROUTES,
    GENDERS,
    HONOUR_LEVELS,
    STATUS_ACTIVE,
    STATUS_LEFT,
    WORKER_STATUSES,
    VocabError,
    parse_certificate_kind,
    parse_education,
    parse_route,
)

__all__ = [
    "COMPETITION_CATEGORIES", "COMPETITION_LEVELS", "FieldConflict", "FieldErrors", "FieldProblem", "StaleRecord",
    "field_text", "worker_conflicts",
    "WorkerRecord", "add_certificate", "add_competition", "add_honour", "load_worker",
    "new_worker_record", "remove_worker", "revoke_certificate", "save_worker",
]

COMPETITION_LEVELS = ("国家级", "省级", "市级", "县区级", "行业", "企业")
COMPETITION_CATEGORIES = ("一类", "二类", "三类")
HONOUR_TITLES = (  # suggestions for the form; any title may be typed
    "中华技能大奖", "全国技术能手", "大国工匠", "首席技师", "技术能手", "有突出贡献的技师",
    "政府特殊津贴", "劳动模范", "五一劳动奖章",
)

# Form key → the label a message names. Lengths follow the columns of app.models.register.
LABELS = {
    "employee_no": "工号", "name": "姓名", "id_type": "证件类型", "id_number": "证件号码", "gender": "性别",
    "birth_date": "出生日期", "education": "学历", "department": "部门", "post": "岗位", "occupation": "工种",
    "is_frontline": "是否一线职工", "is_team_leader": "是否班组长", "hire_date": "入职日期",
    "leave_date": "离职日期", "monthly_wage": "月工资", "phone": "联系电话", "status": "状态", "notes": "备注",
    "contract_start": "合同起始日", "contract_end": "合同终止日", "contract_open_ended": "无固定期限",
    # certificate
    "kind": "证书类别", "level": "等级", "number": "证书编号", "issuing_body": "发证机构",
    "evaluation_route": "评价方式", "issue_date": "发证日期", "expiry_date": "有效期至", "review_date": "复审日期",
    # revocation
    "reason": "撤销原因", "on": "撤销日期",
    # honour
    "title": "荣誉称号", "honour_level": "级别", "year": "年度", "awarding_body": "授予单位",
    "reward_amount": "奖励金额",
    # competition
    "competition_name": "竞赛名称", "competition_level": "级别", "category": "类别", "organiser": "主办单位",
    "held_on": "比赛日期", "result": "成绩", "prize_amount": "奖金",
}
_MAX_LENGTH = {
    "employee_no": 32, "name": 64, "id_number": 32, "department": 100, "post": 64, "occupation": 100,
    "phone": 32, "number": 64, "issuing_body": 200, "title": 100, "awarding_body": 200,
    "competition_name": 200, "organiser": 200,
}
_EARLIEST_YEAR = 1949
_PLACING = re.compile(r"^第?\s*(\d{1,3})\s*名?$")


_STALE_WORKER = "该职工档案在您打开之后已被修改（可能是另一位经办人），本次修改未保存。请重新加载后再改。"


@dataclass
class WorkerRecord:
    """What the worker form shows: plain values, no ORM objects."""

    id: int | None = None
    version: int | None = None
    employee_no: str = ""
    name: str = ""
    id_type: str = ID_TYPE_RESIDENT
    id_number: str = ""
    gender: str = ""
    birth_date: date | None = None
    education: str = ""
    department: str = ""
    post: str = ""
    occupation: str = ""
    is_frontline: bool = False
    is_team_leader: bool = False
    hire_date: date | None = None
    leave_date: date | None = None
    monthly_wage: Decimal | None = None
    phone: str = ""
    status: str = STATUS_ACTIVE
    notes: str = ""
    contract_start: date | None = None
    contract_end: date | None = None
    contract_open_ended: bool = False
    level_rank: int | None = None  # the level today, derived from the certificates
    certificates: list[dict] = field(default_factory=list)
    honours: list[dict] = field(default_factory=list)
    competitions: list[dict] = field(default_factory=list)
    level_steps: list[LevelStep] = field(default_factory=list)

    @property
    def level_name(self) -> str:
        return LEVEL_NAMES[self.level_rank] if self.level_rank is not None else ""


@dataclass(frozen=True)
class FieldConflict:
    """A field another clerk changed while this one had the form open."""

    key: str
    label: str
    opened: str  # as the form showed it when opened
    theirs: str  # as saved meanwhile
    mine: str  # as typed now

    @property
    def both_changed(self) -> bool:
        return self.mine != self.opened and self.mine != self.theirs


def field_text(value) -> str:
    """One field's value as a person reads it, so values typed in a form and values read
    from the database compare alike (5000 and 5000.00, a date and its text)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, Decimal):
        return money_text(value)
    if isinstance(value, date):
        return value.isoformat()
    text = str(value).strip()
    try:  # money typed in a form: compare 5000 with 5000.00
        return money_text(Decimal(text.replace(",", ""))) if text else ""
    except ArithmeticError:
        return text


def worker_conflicts(opened: dict, mine: dict, theirs: WorkerRecord) -> list[FieldConflict]:
    """The fields of the worker form that were saved meanwhile by someone else, with what
    the form showed, what they saved and what this clerk typed (SPEC: nothing is silently
    overwritten — the clerk sees both versions and chooses)."""
    out = []
    for key, shown in opened.items():
        if not hasattr(theirs, key):
            continue
        before, after, typed = field_text(shown), field_text(getattr(theirs, key)), field_text(mine.get(key))
        if before != after:
            out.append(FieldConflict(key, LABELS.get(key, key), before, after, typed))
    return out


def new_worker_record() -> WorkerRecord:
    return WorkerRecord()


def load_worker(engine: Engine, worker_id: int, *, today: date | None = None) -> WorkerRecord:
    """The worker's file as the form shows it; the 证件号码 masked for a role that may not see it."""
    from app.services.users import shown_id_number

    today = today or date.today()
    with reading(engine) as session:
        worker = session.get(Worker, worker_id)
        if worker is None:
            raise StaleRecord("该职工已不存在（可能已被另一位经办人删除）。")
        latest = _latest_contract(session, worker_id)
        honours = session.scalars(
            select(Honour).where(Honour.worker_id == worker_id).order_by(Honour.year.is_(None), Honour.year, Honour.id)
        )
        competitions = session.execute(
            select(CompetitionEntry, Occupation.name)
            .outerjoin(Occupation, Occupation.id == CompetitionEntry.occupation_id)
            .where(CompetitionEntry.worker_id == worker_id)
            .order_by(CompetitionEntry.held_on.is_(None), CompetitionEntry.held_on, CompetitionEntry.id)
        )
        return WorkerRecord(
            id=worker.id,
            version=worker.version,
            employee_no=worker.employee_no or "",
            name=worker.name,
            id_type=worker.id_type,
            id_number=shown_id_number(engine, worker.id_number),
            gender=worker.gender or "",
            birth_date=worker.birth_date,
            education=worker.education or "",
            department=worker.department.name if worker.department else "",
            post=worker.post or "",
            occupation=worker.occupation.name if worker.occupation else "",
            is_frontline=bool(worker.is_frontline),
            is_team_leader=bool(worker.is_team_leader),
            hire_date=worker.hire_date,
            leave_date=worker.leave_date,
            monthly_wage=worker.monthly_wage,
            phone=worker.phone or "",
            status=worker.status or STATUS_ACTIVE,
            notes=worker.notes or "",
            contract_start=latest.start_date if latest else None,
            contract_end=latest.end_date if latest else None,
            contract_open_ended=latest is not None and latest.end_date is None,
            level_rank=level_on(session, worker_id, today),
            certificates=[_certificate_dict(c) for c in worker.certificates],
            honours=[_honour_dict(h) for h in honours],
            competitions=[_competition_dict(entry, occupation) for entry, occupation in competitions],
            level_steps=level_history(session, worker_id),
        )


def _certificate_dict(cert: Certificate) -> dict:
    return {
        "id": cert.id, "kind": cert.kind, "occupation": cert.occupation.name if cert.occupation else "",
        "level_rank": cert.level_rank, "level": LEVEL_NAMES[cert.level_rank] if cert.level_rank is not None else "",
        "number": cert.number or "", "issuing_body": cert.issuing_body or "",
        "evaluation_route": cert.evaluation_route or "", "issue_date": cert.issue_date,
        "expiry_date": cert.expiry_date, "review_date": cert.review_date, "revoked": bool(cert.revoked),
        "revoked_on": cert.revoked_on, "revoke_reason": cert.revoke_reason or "", "notes": cert.notes or "",
        "version": cert.version,
    }


def _honour_dict(honour: Honour) -> dict:
    return {
        "id": honour.id, "title": honour.title, "level": honour.level or "", "year": honour.year,
        "awarding_body": honour.awarding_body or "", "reward_amount": honour.reward_amount,
    }


def _competition_dict(entry: CompetitionEntry, occupation: str | None) -> dict:
    return {
        "id": entry.id, "competition_name": entry.competition_name, "level": entry.level or "",
        "category": entry.category or "", "organiser": entry.organiser or "", "held_on": entry.held_on,
        "occupation": occupation or "", "result": entry.result or "", "placing": entry.placing,
        "prize_amount": entry.prize_amount,
    }


def _latest_contract(session: Session, worker_id: int) -> LaborContract | None:
    return session.scalars(
        select(LaborContract)
        .where(LaborContract.worker_id == worker_id)
        .order_by(LaborContract.start_date.desc())
        .limit(1)
    ).first()


class _Checker:
    """Reads raw form values into clean ones, collecting a problem per refused field."""

    def __init__(self, values: dict):
        self.values = values
        self.problems: list[FieldProblem] = []

    def refuse(self, key: str, reason: str, label: str | None = None) -> None:
        self.problems.append(FieldProblem(key, f"{label or LABELS[key]}：{reason}"))

    def has_problem(self, key: str) -> bool:
        return any(p.field == key for p in self.problems)

    def text(self, key: str, *, required: bool = False, label: str | None = None, code: bool = False) -> str | None:
        """Free text is kept as typed (its full-width （）and ，are right in Chinese); a code
        (工号) is folded to ASCII, as an input method may have typed its digits full width."""
        raw = self.values.get(key)
        text = "" if raw is None else (fold_width(str(raw)) if code else str(raw).strip())
        if not text:
            if required:
                self.refuse(key, "不能为空", label)
            return None
        limit = _MAX_LENGTH.get(key)
        if limit and len(text) > limit:
            self.refuse(key, f"最多 {limit} 个字，当前 {len(text)} 个", label)
            return None
        return text

    def date(self, key: str, *, required: bool = False, label: str | None = None) -> date | None:
        try:
            value = parse_date(self.values.get(key))
        except ValueProblem as exc:
            self.refuse(key, str(exc), label)
            return None
        if value is None and required:
            self.refuse(key, "不能为空", label)
        return value

    def money(self, key: str) -> Decimal | None:
        try:
            return parse_money(self.values.get(key))
        except ValueProblem as exc:
            self.refuse(key, str(exc))
            return None

    def choice(self, key: str, allowed: tuple[str, ...], *, label: str | None = None, parser=None) -> str | None:
        text = self.text(key, label=label)
        if text is None:
            return None
        if text in allowed:
            return text
        if parser is not None:
            try:
                return parser(text)
            except VocabError:
                pass
        self.refuse(key, f"应为 {'/'.join(allowed)} 之一", label)
        return None

    def flag(self, key: str) -> bool:
        return bool(self.values.get(key))

    def raise_if_any(self) -> None:
        if self.problems:
            raise FieldErrors(self.problems)


def worker_label(worker: Worker) -> str:
    """How a message names another worker: 张三（工号 1001）."""
    return f"{worker.name}（工号 {worker.employee_no}）" if worker.employee_no else worker.name


def save_worker(
    engine: Engine,
    values: dict,
    *,
    worker_id: int | None = None,
    expected_version: int | None = None,
    today: date | None = None,
) -> int:
    """Check everything the clerk typed, then save the worker and the latest contract.

    Raises FieldErrors listing every problem, StaleRecord when the row changed since it
    was loaded (its version differs from `expected_version`); returns the worker's id.
    """
    today = today or date.today()
    with unit_of_work(engine) as session:
        worker = None
        if worker_id is not None:
            worker = session.get(Worker, worker_id)
            if worker is None:
                raise StaleRecord("该职工已不存在（可能已被另一位经办人删除），本次修改未保存。")
            if expected_version is not None and worker.version != expected_version:
                raise StaleRecord(stale_message(f"职工档案「{worker_label(worker)}」"))
        clean, contract = _check_worker(session, values, worker, today)
        department = named_record(session, Department, clean.pop("department"))
        occupation = named_record(session, Occupation, clean.pop("occupation"))
        if worker is None:
            worker = Worker()
            session.add(worker)
        for key, value in clean.items():
            setattr(worker, key, value)
        worker.name_initials = name_initials(worker.name)
        worker.department = department
        worker.occupation = occupation
        try:
            session.flush()
            if contract is not None:
                _save_contract(session, worker.id, *contract)
                session.flush()  # the contract is versioned too: its race is refused here, by name
        except StaleDataError:  # another clerk saved between our read and our write
            raise StaleRecord(_STALE_WORKER) from None
        return worker.id


def _check_worker(session: Session, values: dict, worker: Worker | None, today: date):
    check = _Checker(values)
    clean: dict = {
        "name": check.text("name", required=True),
        "employee_no": check.text("employee_no", code=True),
        "education": check.choice("education", EDUCATIONS, parser=parse_education),
        "department": check.text("department"),
        "post": check.text("post"),
        "occupation": check.text("occupation"),
        "is_frontline": check.flag("is_frontline"),
        "is_team_leader": check.flag("is_team_leader"),
        "phone": check.text("phone"),
        "notes": check.text("notes"),
        "monthly_wage": check.money("monthly_wage"),
    }
    if clean["name"]:
        clean["name"] = " ".join(clean["name"].split())
    gender = check.choice("gender", GENDERS)
    birth = check.date("birth_date")
    id_type = check.choice("id_type", ID_TYPES) or (None if check.has_problem("id_type") else ID_TYPE_RESIDENT)
    info = None
    if id_type is not None:
        try:
            info = check_id_number(id_type, str(values.get("id_number") or ""), today=today)
        except CheckError as exc:
            check.refuse("id_number", str(exc))
    if info is not None:
        if gender and info.gender and gender != info.gender:
            check.refuse("gender", f"与证件号码不符（证件号码表明为{info.gender}）")
        if birth and info.birth_date and birth != info.birth_date:
            check.refuse("birth_date", f"与证件号码不符（证件号码表明为 {info.birth_date:%Y-%m-%d}）")
        clean.update(id_type=info.id_type, id_number=info.number)
        gender = info.gender or gender
        birth = info.birth_date or birth
    if birth and birth > today and not check.has_problem("birth_date"):
        check.refuse("birth_date", "晚于今天")
    clean.update(gender=gender, birth_date=birth)

    hire = check.date("hire_date")
    leave = check.date("leave_date")
    if hire and birth and hire < add_years(birth, MIN_WORKING_AGE):
        check.refuse("hire_date", f"入职时未满 {MIN_WORKING_AGE} 周岁（出生日期 {birth:%Y-%m-%d}）")
    if leave and hire and leave < hire:
        check.refuse("leave_date", f"早于入职日期 {hire:%Y-%m-%d}")
    status = check.choice("status", WORKER_STATUSES) or (None if check.has_problem("status") else STATUS_ACTIVE)
    if status and status != STATUS_ACTIVE and leave is None and not check.has_problem("leave_date"):
        check.refuse("leave_date", f"状态为{status}时须填写离职日期")
    if status == STATUS_ACTIVE and leave is not None:
        check.refuse("status", f"已填写离职日期 {leave:%Y-%m-%d}，状态应为离职或退休（或清空离职日期）")
    clean.update(hire_date=hire, leave_date=leave, status=status)

    contract = _check_contract(check, session, worker)

    if info is not None:
        other = _other_worker(session, worker, Worker.id_type == info.id_type, Worker.id_number == info.number)
        if other is not None:
            check.refuse("id_number", f"已登记为职工 {worker_label(other)}，同一人只能登记一次")
    if clean["employee_no"]:
        other = _other_worker(session, worker, Worker.employee_no == clean["employee_no"])
        if other is not None:
            check.refuse("employee_no", f"{clean['employee_no']} 已是职工 {worker_label(other)} 的工号")
    check.raise_if_any()
    return clean, contract


def _other_worker(session: Session, worker: Worker | None, *conditions) -> Worker | None:
    """Another worker (not the one being saved) matching `conditions`."""
    if worker is not None:
        conditions = (*conditions, Worker.id != worker.id)
    return session.scalars(select(Worker).where(*conditions).limit(1)).first()


def _check_contract(check: _Checker, session: Session, worker: Worker | None):
    """The latest labour contract as typed: (start, end) to save, or None to leave contracts alone."""
    start = check.date("contract_start")
    end = check.date("contract_end")
    open_ended = check.flag("contract_open_ended")
    latest = _latest_contract(session, worker.id) if worker is not None else None
    if check.has_problem("contract_start") or check.has_problem("contract_end"):
        return None
    if start is None:
        if latest is not None:
            check.refuse("contract_start", "已有劳动合同记录，不能清空（合同历史不删除）；续签请填写新合同的起始日")
        elif end is not None or open_ended:
            check.refuse("contract_start", "填写了合同终止日（或无固定期限），须同时填写起始日")
        return None
    if open_ended and end is not None:
        check.refuse("contract_end", "已勾选无固定期限，不应再填写终止日")
    elif not open_ended and end is None:
        check.refuse("contract_end", "请填写终止日，或勾选无固定期限")
    elif end is not None and end <= start:
        check.refuse("contract_end", f"应晚于合同起始日 {start:%Y-%m-%d}")
    if latest is not None and start < latest.start_date:
        check.refuse(
            "contract_start",
            f"早于上一份合同的起始日 {latest.start_date:%Y-%m-%d}；合同历史不改写，续签请填写新合同的起始日",
        )
    return start, (None if open_ended else end)


def _save_contract(session: Session, worker_id: int, start: date, end: date | None) -> None:
    # A contract is history: a new start is a renewal (a new row); the same start edits
    # the latest contract's end (e.g. a fixed term turned open-ended).
    latest = _latest_contract(session, worker_id)
    if latest is not None and latest.start_date == start:
        latest.end_date = end
    else:
        session.add(LaborContract(worker_id=worker_id, start_date=start, end_date=end))


def named_record(session: Session, model, name: str | None):
    """The Department or Occupation of that name, created when it is new."""
    if not name:
        return None
    found = session.scalars(select(model).where(model.name == name)).first()
    if found is None:
        found = model(name=name)
        session.add(found)
        session.flush()  # callers without a relationship to it need its id
    return found


def _worker_or_refuse(session: Session, worker_id: int) -> Worker:
    worker = session.get(Worker, worker_id)
    if worker is None:
        raise StaleRecord("该职工已不存在（可能已被另一位经办人删除）。")
    return worker


def add_certificate(engine: Engine, worker_id: int, values: dict, *, today: date | None = None) -> tuple[int, list[str]]:
    """Add a certificate; returns its id and warnings the clerk should look at (not refusals)."""
    today = today or date.today()
    with unit_of_work(engine) as session:
        worker = _worker_or_refuse(session, worker_id)
        check = _Checker(values)
        kind = check.choice("kind", CERTIFICATE_KINDS, parser=parse_certificate_kind)
        if kind is None and not check.has_problem("kind"):
            check.refuse("kind", "不能为空")
        rank = _check_level(check, kind)
        number = check.text("number")
        if number:
            number = normalize_id_number(number)
        issued = check.date("issue_date", required=True)
        if issued and issued > today:
            check.refuse("issue_date", "晚于今天")
        elif issued and worker.birth_date and issued < add_years(worker.birth_date, MIN_WORKING_AGE):
            check.refuse(
                "issue_date", f"发证时未满 {MIN_WORKING_AGE} 周岁（出生日期 {worker.birth_date:%Y-%m-%d}），请核对"
            )
        expiry = check.date("expiry_date")
        review = check.date("review_date")
        for key, value in (("expiry_date", expiry), ("review_date", review)):
            if value is None:
                continue
            if kind is not None and kind != KIND_SAFETY_LICENCE:
                check.refuse(key, f"只有{KIND_SAFETY_LICENCE}填写此项")
            elif issued and value <= issued:
                check.refuse(key, f"应晚于发证日期 {issued:%Y-%m-%d}")
        route = check.choice("evaluation_route", EVALUATION_ROUTES, parser=parse_route)
        occupation = check.text("occupation")
        issuing_body = check.text("issuing_body")
        notes = check.text("notes")
        if number:
            holder = session.scalars(
                select(Worker).join(Certificate, Certificate.worker_id == Worker.id).where(Certificate.number == number)
            ).first()
            if holder is not None:
                whose = "该职工" if holder.id == worker.id else f"职工 {worker_label(holder)}"
                check.refuse("number", f"{number} 已登记在{whose}名下")
        check.raise_if_any()
        cert = Certificate(
            worker_id=worker.id, kind=kind, level_rank=rank, number=number or None, issuing_body=issuing_body,
            evaluation_route=route, issue_date=issued, expiry_date=expiry, review_date=review, notes=notes,
            occupation=named_record(session, Occupation, occupation),
        )
        session.add(cert)
        session.flush()
        warnings = []
        if number:
            warning = cert_number_level_warning(kind, number, rank)
            if warning:
                warnings.append(f"证书编号：{warning}")
        return cert.id, warnings


def _check_level(check: _Checker, kind: str | None) -> int | None:
    raw = check.values.get("level")
    given = raw not in (None, "")
    if kind is not None and kind not in LEVEL_BEARING_KINDS:
        if given:
            check.refuse("level", f"{kind}不设等级")
        return None
    if not given:
        if kind is not None:
            check.refuse("level", f"{kind}须填写等级")
        return None
    if isinstance(raw, int) and not isinstance(raw, bool):
        if 1 <= raw < len(LEVEL_NAMES):
            return raw
        check.refuse("level", f"等级序号 {raw} 无效，应为 1（初级工）到 {len(LEVEL_NAMES) - 1}（首席技师）")
        return None
    try:
        rank = parse_level(str(raw))
    except LevelParseError as exc:
        check.refuse("level", str(exc))
        return None
    if rank == 0:
        check.refuse("level", "学徒工没有等级证书")
        return None
    return rank


def certificate_label(cert: Certificate) -> str:
    """How a message names a certificate: 证书「Y0001…」, or its kind and level without a number."""
    level = LEVEL_NAMES[cert.level_rank] if cert.level_rank is not None else ""
    return f"证书「{cert.number or ' '.join(filter(None, (cert.kind, level)))}」"


def revoke_certificate(
    engine: Engine, certificate_id: int, reason: str, *, on: date | None, expected_version: int | None = None
) -> None:
    """Mark a certificate revoked. Never deletes: the level history must still explain itself.
    StaleRecord when the certificate changed since `expected_version` was loaded."""
    check = _Checker({"reason": reason, "on": on})
    reason_text = check.text("reason", required=True)
    revoked_on = check.date("on", required=True)
    with unit_of_work(engine) as session:
        cert = session.get(Certificate, certificate_id)
        if cert is None:
            raise StaleRecord("该证书已不存在。")
        if expected_version is not None and cert.version != expected_version:
            raise StaleRecord(stale_message(certificate_label(cert)))
        if cert.revoked:
            raise Refused(f"该证书已于 {cert.revoked_on or '（日期不详）'} 撤销。")
        if revoked_on and cert.issue_date and revoked_on < cert.issue_date:
            check.refuse("on", f"早于发证日期 {cert.issue_date:%Y-%m-%d}")
        check.raise_if_any()
        cert.revoked, cert.revoked_on, cert.revoke_reason = True, revoked_on, reason_text
        try:
            session.flush()
        except StaleDataError:
            raise StaleRecord(stale_message(certificate_label(cert))) from None


def add_honour(engine: Engine, worker_id: int, values: dict, *, today: date | None = None) -> int:
    today = today or date.today()
    check = _Checker(values)
    title = check.text("title", required=True)
    level = check.choice("level", HONOUR_LEVELS, label=LABELS["honour_level"], parser=_strip_ji(HONOUR_LEVELS))
    year = _check_year(check, "year", today)
    awarding_body = check.text("awarding_body")
    amount = check.money("reward_amount")
    check.raise_if_any()
    with unit_of_work(engine) as session:
        _worker_or_refuse(session, worker_id)
        honour = Honour(
            worker_id=worker_id, title=title, level=level, year=year, awarding_body=awarding_body, reward_amount=amount
        )
        session.add(honour)
        session.flush()
        return honour.id


def _strip_ji(allowed: tuple[str, ...]):
    """省级 for 省, 国家 for 国家级: clerks write the level both ways."""

    def parse(text: str) -> str:
        for candidate in (text.removesuffix("级"), text + "级"):
            if candidate in allowed:
                return candidate
        raise VocabError(text)

    return parse


def _check_year(check: _Checker, key: str, today: date) -> int | None:
    text = check.text(key)
    if text is None:
        return None
    digits = text.removesuffix("年度").removesuffix("年")
    if not (digits.isascii() and digits.isdigit()) or not _EARLIEST_YEAR <= int(digits) <= today.year:
        check.refuse(key, f"应为 {_EARLIEST_YEAR} 到 {today.year} 之间的年份，如 2023")
        return None
    return int(digits)


def add_competition(engine: Engine, worker_id: int, values: dict, *, today: date | None = None) -> int:
    today = today or date.today()
    check = _Checker(values)
    name = check.text("competition_name", required=True)
    level = check.choice(
        "level", COMPETITION_LEVELS, label=LABELS["competition_level"], parser=_strip_ji(COMPETITION_LEVELS)
    )
    category = check.choice("category", COMPETITION_CATEGORIES)
    organiser = check.text("organiser")
    held_on = check.date("held_on")
    if held_on and held_on > today:
        check.refuse("held_on", "晚于今天（登记的是已取得的成绩）")
    occupation = check.text("occupation")
    result, placing = _check_result(check)
    amount = check.money("prize_amount")
    check.raise_if_any()
    with unit_of_work(engine) as session:
        _worker_or_refuse(session, worker_id)
        occupation_row = named_record(session, Occupation, occupation)
        entry = CompetitionEntry(
            worker_id=worker_id, competition_name=name, level=level, category=category, organiser=organiser,
            held_on=held_on, result=result, placing=placing, prize_amount=amount,
            occupation_id=occupation_row.id if occupation_row is not None else None,
        )
        session.add(entry)
        session.flush()
        return entry.id


def _check_result(check: _Checker) -> tuple[str | None, int | None]:
    """一等奖 … 优秀奖, or a placing written 3, 第3名 or 第 3 名."""
    text = check.text("result")
    if text is None:
        return None, None
    if text in COMPETITION_RESULTS:
        return text, None
    match = _PLACING.match(text)
    if match and int(match.group(1)) >= 1:
        return None, int(match.group(1))
    check.refuse("result", f"应为 {'/'.join(COMPETITION_RESULTS)} 或名次（如 第3名）")
    return None, None


def remove_worker(
    engine: Engine, worker_id: int, *, today: date | None = None, expected_version: int | None = None
) -> str:
    """Delete a worker entered by mistake; one with any history is set to 离职 instead.

    Returns "deleted", or the status the worker now has (离职, or 退休/离职 kept as it was).
    StaleRecord when the worker was saved since `expected_version` was loaded: the clerk
    decides on what is there now.
    """
    today = today or date.today()
    with unit_of_work(engine) as session:
        worker = _worker_or_refuse(session, worker_id)
        if expected_version is not None and worker.version != expected_version:
            raise StaleRecord(stale_message(f"职工档案「{worker_label(worker)}」"))
        history = session.scalar(
            select(
                or_(
                    exists().where(Certificate.worker_id == worker_id),
                    exists().where(Honour.worker_id == worker_id),
                    exists().where(CompetitionEntry.worker_id == worker_id),
                    exists().where(LaborContract.worker_id == worker_id),
                )
            )
        )
        if not history:
            try:
                with session.begin_nested():
                    session.delete(worker)
                return "deleted"
            except IntegrityError:
                # Rows of other registers (training, apprenticeship …) still point at the
                # worker: that is history too.
                worker = session.get(Worker, worker_id)
        if worker.status == STATUS_ACTIVE or worker.leave_date is None:
            if worker.status == STATUS_ACTIVE:
                worker.status = STATUS_LEFT
            # A hire entered ahead of day one must not leave before joining.
            worker.leave_date = worker.leave_date or max(today, worker.hire_date or today)
        return worker.status
