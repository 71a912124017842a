"""The bureau survey 企业技能人才现状及需求情况调查表 (SPEC §7; seed 003, 附件1).

Computed for a date `as_of` over the workers 在职 on it: 入职日期 on or before it (a worker
with no 入职日期 counts, and is named in a warning) and no 离职日期 on or before it.

- A worker's row is their level on as_of (app/services/levels: the highest level certificate
  issued by then and not revoked). 特级技师 and 首席技师 are counted in 高级技师 (the form
  has no higher row); `folded` says how many. Workers without a level are in 职工总数 and
  人均月工资 only. 合计 is the sum of the five rows.
- Age: full years on as_of; the birthday itself counts (a worker turning 31 that day is in
  31–40). Under 18 is counted in 18–30 and named in a warning; no 出生日期 is in no age column
  and named.
- Education: the three buckets of vocab.EDUCATION_BUCKETS; no 学历 is in no column and named.
- 月工资待遇: the mean 月工资 of the row's workers who have one, to the fen, rounded half up;
  a worker without 月工资 is left out of the mean and named.
- 培养措施 (counted per row from the certificate that gives the worker's level):
  新型学徒制培养 — the certificate is the outcome of a 企业新型学徒制 pairing;
  联合、委托培养 — otherwise, a training enrolment linked to it was held by someone else
  (校企合作, 院校, 培训机构);
  自主培养 — otherwise, it came from the enterprise's own training (企业自办, 线上) or from
  a 企业师带徒 pairing.
  A certificate with none of these links is in no column. The clerk may change any count.

Everything is counted in the database (a few grouped queries), never by loading workers.
A saved survey keeps its numbers and typed fields; recomputing is the clerk's explicit act,
and `compare` says what a recomputation would change.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import Engine, and_, case, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from app.errors import FieldErrors, FieldProblem, Refused, StaleRecord
from app.models import (
    Apprenticeship,
    Certificate,
    SavedSurvey,
    TrainingEnrolment,
    TrainingProgramme,
    Worker,
)
from app.models.db import unit_of_work
from app.services.apprenticeships import KIND_MENTOR, KIND_NEW_APPRENTICESHIP
from app.services.enterprise import load_enterprise
from app.services.fund import fund_year
from app.services.levels import counts_on
from app.services.text import fold_width
from app.services.values import add_years
from app.services.vocab import EDUCATION_BUCKETS

LEVEL_ROWS = ("初级工", "中级工", "高级工", "技师", "高级技师")
TOTAL = "合计"
ROWS = (*LEVEL_ROWS, TOTAL)
AGE_BANDS = ("18-30", "31-40", "41-50", "51+")
AGE_LABELS = {"18-30": "18—30岁", "31-40": "31—40岁", "41-50": "41—50岁", "51+": "51岁以上"}
EDUCATION_COLUMNS = ("高中技校及以下", "高职大专", "本科及以上")
MEASURES = ("自主培养", "联合、委托培养", "新型学徒制培养")
HIGHEST_ROW_RANK = 5  # 高级技师: 特级技师 (6) and 首席技师 (7) are counted here
EXTERNAL_FORMS = ("校企合作", "院校", "培训机构")
OWN_FORMS = ("企业自办", "线上")
ENTERPRISE_LABELS = {"enterprise_name": "企业名称", "principal": "负责人", "phone": "联系电话",
                     "enterprise_type": "企业类型", "scale": "企业规模", "business_field": "经营领域"}
WARNING_NAMES = 20  # names listed in one warning before "等 N 人"
_CENT = Decimal("0.01")


@dataclass
class SurveyRow:
    count: int = 0
    age: dict[str, int] = field(default_factory=lambda: dict.fromkeys(AGE_BANDS, 0))
    education: dict[str, int] = field(default_factory=lambda: dict.fromkeys(EDUCATION_COLUMNS, 0))
    avg_monthly_wage: Decimal | None = None
    wage_cents: int = 0  # the sum and the number of wages behind the mean: 合计 needs them
    wages: int = 0
    measures: dict[str, int] = field(default_factory=lambda: dict.fromkeys(MEASURES, 0))
    demand_occupation: str = ""  # typed by the clerk
    demand_count: int | None = None  # typed by the clerk

    def as_json(self) -> dict:
        """SPEC §8's ROW."""
        return {"count": self.count, "age": dict(self.age), "education": dict(self.education),
                "avg_monthly_wage": _json_money(self.avg_monthly_wage)}


@dataclass
class SurveyHeader:
    enterprise_name: str = ""
    principal: str = ""
    phone: str = ""
    enterprise_type: str = ""
    scale: str = ""
    business_field: str = ""
    total_employees: int = 0
    avg_monthly_wage: Decimal | None = None
    fund_extracted: Decimal | None = None  # 提取职工培训经费 of as_of's year
    fund_used: Decimal | None = None  # 用于职工培训经费 of as_of's year


@dataclass
class SurveyWarning:
    text: str
    worker_ids: list[int] = field(default_factory=list)


@dataclass
class Survey:
    as_of: date
    header: SurveyHeader
    rows: dict[str, SurveyRow]
    folded: int = 0
    warnings: list[SurveyWarning] = field(default_factory=list)
    filled_by: str = ""
    filled_phone: str = ""
    saved_at: datetime | None = None
    version: int | None = None

    @property
    def folded_note(self) -> str:
        return f"注：高级技师行含特级技师、首席技师 {self.folded} 人。" if self.folded else ""

    def as_json(self) -> dict:
        """SPEC §8's survey JSON."""
        return {
            "as_of": self.as_of.isoformat(),
            "total_employees": self.header.total_employees,
            "avg_monthly_wage": _json_money(self.header.avg_monthly_wage),
            "levels": {name: self.rows[name].as_json() for name in ROWS},
            "folded_into_高级技师": self.folded,
            "warnings": [w.text for w in self.warnings],
        }


def _json_money(value: Decimal | None):
    # A JSON number with two decimals: float() of a two-decimal Decimal prints back the same digits.
    return None if value is None else float(value.quantize(_CENT))


def _mean(cents: int, count: int) -> Decimal | None:
    if not count:
        return None
    return (Decimal(cents) / Decimal(count) / 100).quantize(_CENT, ROUND_HALF_UP)


# ── the computation ────────────────────────────────────────────────────────────────────

def _active_on(as_of: date):
    return and_(or_(Worker.hire_date.is_(None), Worker.hire_date <= as_of),
                or_(Worker.leave_date.is_(None), Worker.leave_date > as_of))


def _level_query(as_of: date):
    """worker_id → rank on as_of and the certificate that gives it (highest rank, then the
    latest issued), for active workers: one window query."""
    ranked = (
        select(
            Certificate.worker_id.label("worker_id"),
            Certificate.level_rank.label("rank"),
            Certificate.id.label("cert_id"),
            func.row_number().over(
                partition_by=Certificate.worker_id,
                order_by=(Certificate.level_rank.desc(), Certificate.issue_date.is_(None),
                          Certificate.issue_date.desc(), Certificate.id.desc()),
            ).label("pos"),
        )
        .where(counts_on(as_of))
        .subquery()
    )
    return select(ranked.c.worker_id, ranked.c.rank, ranked.c.cert_id).where(ranked.c.pos == 1).subquery()


def _row_rank(rank_column):
    """The survey row of a rank: 1…5, with 6 and 7 folded into 5."""
    return case((rank_column > HIGHEST_ROW_RANK, HIGHEST_ROW_RANK), else_=rank_column)


def compute_survey(engine: Engine, as_of: date) -> Survey:
    """The survey on `as_of` from the register, in a few grouped queries."""
    if not isinstance(as_of, date):
        raise FieldErrors([FieldProblem("as_of", "填表时间：应为日期")])
    cut31, cut41, cut51, cut18 = (latest_birth(as_of, years) for years in (31, 41, 51, 18))
    buckets = {bucket: [name for name, b in EDUCATION_BUCKETS.items() if b == bucket] for bucket in EDUCATION_COLUMNS}
    level = _level_query(as_of)
    row_rank = _row_rank(level.c.rank).label("row_rank")

    def count_if(condition):
        return func.sum(case((condition, 1), else_=0))

    with Session(engine) as session:
        rows = session.execute(
            select(
                row_rank,
                func.count(),
                count_if(Worker.birth_date > cut31),
                count_if(and_(Worker.birth_date <= cut31, Worker.birth_date > cut41)),
                count_if(and_(Worker.birth_date <= cut41, Worker.birth_date > cut51)),
                count_if(Worker.birth_date <= cut51),
                *(count_if(Worker.education.in_(buckets[b])) for b in EDUCATION_COLUMNS),
                func.coalesce(func.sum(Worker.monthly_wage), 0),
                func.count(Worker.monthly_wage),
                count_if(level.c.rank > HIGHEST_ROW_RANK),
                *(count_if(condition) for condition in _measure_conditions(level.c.cert_id)),
                # how many a warning would name: the names are read only when there are some
                count_if(or_(Worker.birth_date > cut18, Worker.birth_date.is_(None), Worker.education.is_(None),
                             Worker.education.not_in(list(EDUCATION_BUCKETS)))),
            )
            .select_from(Worker)
            .join(level, level.c.worker_id == Worker.id)
            .where(_active_on(as_of), level.c.rank >= 1)
            .group_by(row_rank)
        ).all()
        total_employees, wage_cents, wages, no_hire_date = session.execute(
            select(func.count(), func.coalesce(func.sum(Worker.monthly_wage), 0), func.count(Worker.monthly_wage),
                   count_if(Worker.hire_date.is_(None)))
            .where(_active_on(as_of))
        ).one()
        flagged = sum(int(record[15] or 0) for record in rows) + (total_employees - wages) + int(no_hire_date or 0)
        warnings = _warnings(session, as_of, level, cut18) if flagged else []

    survey_rows = {name: SurveyRow() for name in ROWS}
    folded = 0
    for record in rows:
        rank, count = record[0], record[1]
        row = survey_rows[LEVEL_ROWS[rank - 1]]
        row.count = count
        row.age = dict(zip(AGE_BANDS, (int(v or 0) for v in record[2:6])))
        row.education = dict(zip(EDUCATION_COLUMNS, (int(v or 0) for v in record[6:9])))
        row.wage_cents, row.wages = _cents(record[9]), record[10]
        row.avg_monthly_wage = _mean(row.wage_cents, row.wages)
        folded += int(record[11] or 0)
        row.measures = dict(zip(MEASURES, (int(v or 0) for v in record[12:15])))
    survey_rows[TOTAL] = _total(survey_rows)
    header, missing = _header(engine, as_of, total_employees, _cents(wage_cents), wages)
    survey = Survey(as_of, header, survey_rows, folded, warnings)
    if missing:  # never a refusal: the bureau gets the numbers, the clerk is told what is blank
        survey.warnings.insert(0, SurveyWarning(f"单位信息未填全（{'、'.join(missing)}），表头这些栏为空；请在「单位信息」页补全。"))
    if folded:
        survey.warnings.insert(0, SurveyWarning(f"特级技师、首席技师 {folded} 人计入高级技师行（表中没有更高的等级）。"))
    return survey


def _cents(value) -> int:
    """A sum of Money comes back as yuan (Decimal) through the column type, or as raw cents."""
    if isinstance(value, Decimal):
        return int((value * 100).to_integral_value())
    return int(value or 0)


def latest_birth(day: date, years: int) -> date:
    """The latest birth date of someone `years` full years old on `day`. From a 29 February
    it is the 28th: someone born on 29 February 1996 is not yet 31 on 28 February 2027 and is
    on 1 March."""
    return add_years(day, -years)


def _measure_conditions(cert_id):
    # IN (subquery) rather than a correlated EXISTS: the subquery runs once (SQLite builds an
    # index of it), where EXISTS scanned the enrolments once per worker.
    def outcome_of(kind):
        return cert_id.in_(select(Apprenticeship.outcome_certificate_id)
                           .where(Apprenticeship.kind == kind, Apprenticeship.outcome_certificate_id.is_not(None)))

    def trained_by(forms):
        return cert_id.in_(select(TrainingEnrolment.certificate_id)
                           .join(TrainingProgramme, TrainingProgramme.id == TrainingEnrolment.programme_id)
                           .where(TrainingProgramme.form.in_(forms), TrainingEnrolment.certificate_id.is_not(None)))

    new_apprenticeship, mentored = outcome_of(KIND_NEW_APPRENTICESHIP), outcome_of(KIND_MENTOR)
    external, own = trained_by(EXTERNAL_FORMS), trained_by(OWN_FORMS)
    return (
        and_(~new_apprenticeship, ~external, or_(own, mentored)),
        and_(~new_apprenticeship, external),
        new_apprenticeship,
    )


def _total(rows: dict[str, SurveyRow]) -> SurveyRow:
    total = SurveyRow()
    for name in LEVEL_ROWS:
        row = rows[name]
        total.count += row.count
        for band in AGE_BANDS:
            total.age[band] += row.age[band]
        for column in EDUCATION_COLUMNS:
            total.education[column] += row.education[column]
        for measure in MEASURES:
            total.measures[measure] += row.measures[measure]
        total.wage_cents += row.wage_cents
        total.wages += row.wages
        if row.demand_count is not None:
            total.demand_count = (total.demand_count or 0) + row.demand_count
    total.avg_monthly_wage = _mean(total.wage_cents, total.wages)
    total.demand_occupation = join_occupations(rows[name].demand_occupation for name in LEVEL_ROWS)
    return total


_OCCUPATION_SEPARATORS = re.compile(r"[、，,；;\s]+")


def join_occupations(texts) -> str:
    """合计's 需求工种: every occupation the rows name, once each, in order (a clerk separates
    them with 、 ， , ； or spaces)."""
    return "、".join(dict.fromkeys(part for text in texts for part in _OCCUPATION_SEPARATORS.split(text or "") if part))


def typed_count(text) -> int | None:
    """A typed count: ASCII digits (full-width folded), an optional 人; None when it is not
    one. str.isdigit() alone would pass ² or ①, which int() refuses."""
    text = fold_width(str(text)).strip().removesuffix("人").strip()
    return int(text) if text.isascii() and text.isdigit() else None


def _header(engine: Engine, as_of: date, total: int, wage_cents: int, wages: int) -> tuple[SurveyHeader, list[str]]:
    enterprise = load_enterprise(engine)
    fund = fund_year(engine, as_of.year, today=as_of)
    # The header's enterprise_name is 单位信息's name; every other key is the same on both.
    missing = [label for key, label in ENTERPRISE_LABELS.items()
               if not getattr(enterprise, "name" if key == "enterprise_name" else key)]
    return SurveyHeader(
        enterprise_name=enterprise.name, principal=enterprise.principal, phone=enterprise.phone,
        enterprise_type=enterprise.enterprise_type, scale=enterprise.scale, business_field=enterprise.business_field,
        total_employees=total, avg_monthly_wage=_mean(wage_cents, wages),
        fund_extracted=fund.extracted_amount, fund_used=fund.used,
    ), missing


def _warnings(session: Session, as_of: date, level, cut18: date) -> list[SurveyWarning]:
    """Data problems that change the table, each naming the workers (ids for the screen).
    One pass: the active workers with any problem, sorted into the warnings here."""
    known = list(EDUCATION_BUCKETS)
    in_rows = level.c.rank >= 1
    problems = (
        ("未满18周岁，已计入18—30岁", and_(in_rows, Worker.birth_date > cut18)),
        ("未填出生日期，未计入年龄结构", and_(in_rows, Worker.birth_date.is_(None))),
        ("未填学历（或学历无法归类），未计入文化程度",
         and_(in_rows, or_(Worker.education.is_(None), Worker.education.not_in(known)))),
        ("未填月工资，未计入月工资待遇和人均月工资", Worker.monthly_wage.is_(None)),
        ("未填入职日期，按在职计入", Worker.hire_date.is_(None)),
    )
    flags = [case((condition, 1), else_=0) for _text, condition in problems]
    found = session.execute(
        select(Worker.id, Worker.name, *flags)
        .outerjoin(level, level.c.worker_id == Worker.id)
        .where(_active_on(as_of), or_(*(condition for _text, condition in problems)))
        .order_by(Worker.id)
    ).all()
    out = []
    for index, (text, _condition) in enumerate(problems):
        named = [(row[0], row[1]) for row in found if row[2 + index]]
        if named:
            names = "、".join(name for _id, name in named[:WARNING_NAMES])
            more = f"等 {len(named)} 人" if len(named) > WARNING_NAMES else f"共 {len(named)} 人"
            out.append(SurveyWarning(f"{text}：{names}{more}", [worker_id for worker_id, _name in named]))
    return out


# ── saved surveys ──────────────────────────────────────────────────────────────────────

# 填表人 and 联系电话 are printed on one line of the form; longer would be cut.
TYPED_LIMITS = {"demand_occupation": 200, "filled_by": 20, "filled_phone": 20}


def apply_typed(survey: Survey, typed: dict) -> Survey:
    """What only a person knows, checked: per row 需求工种 / 需求人数 and the 培养措施
    counts (whole numbers ≥ 0), and 填表人 / 联系电话. FieldErrors names each cell."""
    problems: list[FieldProblem] = []
    for key in ("filled_by", "filled_phone"):
        text = _typed_text(typed.get(key))
        if len(text) > TYPED_LIMITS[key]:
            problems.append(FieldProblem(key, f"{'填表人' if key == 'filled_by' else '联系电话'}：最多 {TYPED_LIMITS[key]} 个字"))
        else:
            setattr(survey, key, text)
    for name in LEVEL_ROWS:
        row_typed = (typed.get("rows") or {}).get(name) or {}
        row = survey.rows[name]
        if "demand_occupation" in row_typed:
            text = _typed_text(row_typed["demand_occupation"])
            if len(text) > TYPED_LIMITS["demand_occupation"]:
                problems.append(FieldProblem(f"{name}.demand_occupation", f"{name} 需求工种：最多 200 个字"))
            else:
                row.demand_occupation = text
        if "demand_count" in row_typed:
            row.demand_count = _whole(row_typed["demand_count"], f"{name}.demand_count", f"{name} 需求人数", problems,
                                      blank=None)
        for measure, raw in (row_typed.get("measures") or {}).items():
            if measure in MEASURES:
                value = _whole(raw, f"{name}.{measure}", f"{name} {measure}", problems, blank=0)
                if value is not None:
                    row.measures[measure] = value
    if problems:
        raise FieldErrors(problems)
    survey.rows[TOTAL] = _total(survey.rows)
    return survey


def _typed_text(raw) -> str:
    # What the clerk typed is kept as typed (full-width punctuation included), only trimmed.
    return "" if raw is None else str(raw).strip()


def _whole(raw, key: str, label: str, problems: list[FieldProblem], *, blank):
    text = "" if raw is None else str(raw).strip()
    if not text:
        return blank
    value = typed_count(text)
    if value is None:
        problems.append(FieldProblem(key, f"{label}：应为不小于 0 的整数，而不是「{text}」"))
        return blank
    return value


def typed_of(survey: Survey) -> dict:
    return {
        "filled_by": survey.filled_by, "filled_phone": survey.filled_phone,
        "rows": {name: {"demand_occupation": survey.rows[name].demand_occupation,
                        "demand_count": survey.rows[name].demand_count,
                        "measures": dict(survey.rows[name].measures)} for name in LEVEL_ROWS},
    }


def _numbers_of(survey: Survey) -> dict:
    header = survey.header
    return {
        "header": {**{k: v for k, v in asdict(header).items() if not isinstance(v, Decimal)},
                   "avg_monthly_wage": _text(header.avg_monthly_wage), "fund_extracted": _text(header.fund_extracted),
                   "fund_used": _text(header.fund_used)},
        "rows": {name: {"count": row.count, "age": row.age, "education": row.education,
                        "avg_monthly_wage": _text(row.avg_monthly_wage), "wage_cents": row.wage_cents,
                        "wages": row.wages} for name, row in survey.rows.items()},
        "folded": survey.folded,
        "warnings": [{"text": w.text, "worker_ids": w.worker_ids} for w in survey.warnings],
    }


def _text(value: Decimal | None) -> str | None:
    return None if value is None else format(value, "f")


def _decimal(text: str | None) -> Decimal | None:
    return None if text is None else Decimal(text)


def _local(moment: datetime | None, dialect: str) -> datetime | None:
    """CURRENT_TIMESTAMP is UTC (on PostgreSQL because make_engine sets the session's time
    zone); the clerk reads local time."""
    if moment is None:
        return moment
    return moment.replace(tzinfo=UTC).astimezone().replace(tzinfo=None)


def _from_stored(row: SavedSurvey, dialect: str) -> Survey:
    numbers = json.loads(row.numbers)
    h = numbers["header"]
    header = SurveyHeader(**{k: v for k, v in h.items() if k not in ("avg_monthly_wage", "fund_extracted", "fund_used")},
                          avg_monthly_wage=_decimal(h["avg_monthly_wage"]), fund_extracted=_decimal(h["fund_extracted"]),
                          fund_used=_decimal(h["fund_used"]))
    rows = {}
    for name in ROWS:
        r = numbers["rows"][name]
        rows[name] = SurveyRow(count=r["count"], age=r["age"], education=r["education"],
                               avg_monthly_wage=_decimal(r["avg_monthly_wage"]), wage_cents=r["wage_cents"],
                               wages=r["wages"])
    survey = Survey(row.as_of, header, rows, numbers["folded"],
                    [SurveyWarning(w["text"], w["worker_ids"]) for w in numbers["warnings"]],
                    saved_at=_local(row.updated_at, dialect), version=row.version)
    return apply_typed(survey, json.loads(row.typed))


def load_survey(engine: Engine, as_of: date) -> Survey | None:
    """The survey saved for `as_of`, with the numbers it had when saved."""
    with Session(engine) as session:
        row = session.scalars(select(SavedSurvey).where(SavedSurvey.as_of == as_of)).first()
        return None if row is None else _from_stored(row, engine.dialect.name)


def saved_dates(engine: Engine) -> list[date]:
    with engine.connect() as conn:
        return list(conn.scalars(select(SavedSurvey.as_of).order_by(SavedSurvey.as_of.desc())))


_SAVED_MEANWHILE = "该日期的调查表在您打开之后已被另一位经办人保存，本次未保存。请重新打开后再改。"


def save_survey(engine: Engine, survey: Survey, *, expected_version: int | None = None) -> Survey:
    """Keep `survey` (its numbers as shown and what was typed) for its as_of.
    `expected_version` is the version the clerk opened, None for a date not saved then: a
    survey another clerk saved meanwhile is never overwritten."""
    apply_typed(survey, typed_of(survey))
    try:
        with unit_of_work(engine) as session:
            row = session.scalars(select(SavedSurvey).where(SavedSurvey.as_of == survey.as_of)).first()
            if row is not None and row.version != expected_version:
                raise Refused(_SAVED_MEANWHILE)
            if row is None:
                row = SavedSurvey(as_of=survey.as_of)
                session.add(row)
            row.numbers = json.dumps(_numbers_of(survey), ensure_ascii=False)
            row.typed = json.dumps(typed_of(survey), ensure_ascii=False)
            session.flush()
            session.refresh(row)
            survey.version, survey.saved_at = row.version, _local(row.updated_at, engine.dialect.name)
    # Saved by another clerk between our read and our write (unit_of_work says a lost
    # version race as StaleRecord).
    except (IntegrityError, StaleDataError, StaleRecord):
        raise Refused(_SAVED_MEANWHILE) from None
    return survey


@dataclass(frozen=True)
class Change:
    where: str  # e.g. 高级工 · 31—40岁
    before: str
    after: str


def compare(stored: Survey, fresh: Survey) -> list[Change]:
    """What recomputing would change in the computed cells (typed cells are kept)."""
    changes = []

    def note(where, before, after):
        if before != after:
            changes.append(Change(where, "" if before is None else str(before), "" if after is None else str(after)))

    for key, label in ENTERPRISE_LABELS.items():
        note(label, getattr(stored.header, key) or "", getattr(fresh.header, key) or "")
    note("职工总数", stored.header.total_employees, fresh.header.total_employees)
    note("人均月工资", stored.header.avg_monthly_wage, fresh.header.avg_monthly_wage)
    note("提取职工培训经费", stored.header.fund_extracted, fresh.header.fund_extracted)
    note("用于职工培训经费", stored.header.fund_used, fresh.header.fund_used)
    for name in ROWS:
        a, b = stored.rows[name], fresh.rows[name]
        note(f"{name} · 人数", a.count, b.count)
        for band in AGE_BANDS:
            note(f"{name} · {AGE_LABELS[band]}", a.age[band], b.age[band])
        for column in EDUCATION_COLUMNS:
            note(f"{name} · {column}", a.education[column], b.education[column])
        note(f"{name} · 月工资待遇", a.avg_monthly_wage, b.avg_monthly_wage)
        for measure in MEASURES:  # derived, so recomputing replaces a count the clerk changed
            note(f"{name} · {measure}", a.measures[measure], b.measures[measure])
    note("特级、首席技师计入高级技师", stored.folded, fresh.folded)
    return changes


def recompute(engine: Engine, stored: Survey) -> Survey:
    """A fresh computation for the stored survey's date, keeping what the clerk typed
    (需求, 填表人; 培养措施 counts are recomputed: they are derived)."""
    fresh = compute_survey(engine, stored.as_of)
    typed = typed_of(stored)
    for name in LEVEL_ROWS:
        typed["rows"][name].pop("measures")
    fresh.version = stored.version
    return apply_typed(fresh, typed)


__all__ = [
    "AGE_BANDS", "AGE_LABELS", "EDUCATION_COLUMNS", "LEVEL_ROWS", "MEASURES", "ROWS", "TOTAL",
    "Change", "Survey", "SurveyHeader", "SurveyRow", "SurveyWarning", "apply_typed", "compare",
    "compute_survey", "join_occupations", "latest_birth", "typed_count", "load_survey", "recompute", "save_survey", "saved_dates", "typed_of",
]
