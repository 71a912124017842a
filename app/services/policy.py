"""The policy profile 政策参数 (SPEC §4): amounts and thresholds that differ by city and
change over time, each declared once here with its label, type, default and source. The
database keeps dated values; the value on a date is the latest one effective by then."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from sqlalchemy import Connection, Engine, select

from app.errors import FieldErrors, FieldProblem
from app.models import PolicyValue
from app.models.db import unit_of_work

PROFILE_START = date(2000, 1, 1)  # the defaults are effective from here


@dataclass(frozen=True)
class Parameter:
    key: str
    label: str
    group: str
    kind: str  # "int", "decimal" (a number, maybe a percentage), "money" (元, two decimals)
    default: str
    unit: str
    source: str


PARAMETERS: tuple[Parameter, ...] = (
    Parameter("training.high_skilled_min_per_year", "高技能人才每年至少完成培训", "培训", "int", "1", "次", "seed 002 §三.1"),
    Parameter("training.rotation_years", "一般技能人才定期轮训周期", "培训", "int", "3", "年", "seed 002（未给周期，默认值）"),
    Parameter("fund.min_extraction_rate", "职工教育经费提取比例下限", "职工教育经费", "decimal", "1.5", "% 工资总额", "seed 002 §四.2"),
    Parameter("fund.min_frontline_share", "用于一线职工的比例下限", "职工教育经费", "decimal", "60", "% 已用经费", "seed 002 §四.2"),
    Parameter("fund.tax_deductible_rate", "税前扣除上限", "职工教育经费", "decimal", "8", "% 工资总额", "财税〔2018〕51号"),
    Parameter("subsidy.upgrade.高级工", "技能提升培训补贴：高级工", "补贴", "money", "1300", "元/人", "seed 000 第四篇 二㈤"),
    Parameter("subsidy.upgrade.技师", "技能提升培训补贴：技师", "补贴", "money", "1800", "元/人", "seed 000 第四篇 二㈤"),
    Parameter("subsidy.upgrade.高级技师", "技能提升培训补贴：高级技师", "补贴", "money", "2500", "元/人", "seed 000 第四篇 二㈤"),
    Parameter("subsidy.upgrade.contract_years_after", "技能提升培训补贴：取证后劳动合同至少还有", "补贴", "int", "1", "年", "seed 000 第四篇 二㈤"),
    Parameter("subsidy.apprentice.中级工", "新型学徒制培训补贴：目标中级工", "补贴", "money", "4000", "元/人·年", "seed 003 §3"),
    Parameter("subsidy.apprentice.高级工", "新型学徒制培训补贴：目标高级工", "补贴", "money", "5000", "元/人·年", "seed 003 §3"),
    Parameter("subsidy.apprentice.技师", "新型学徒制培训补贴：目标技师及以上", "补贴", "money", "6000", "元/人·年", "seed 003 §3"),
    Parameter("subsidy.apprentice.min_contract_years", "新型学徒制：劳动合同至少", "补贴", "int", "1", "年", "seed 003 §3"),
    Parameter("subsidy.apprentice.min_years", "新型学徒制：培训期至少", "补贴", "int", "1", "年", "seed 003 §3"),
    Parameter("subsidy.apprentice.max_years", "新型学徒制：培训期至多", "补贴", "int", "3", "年", "seed 003 §3"),
    Parameter("subsidy.competition.一等奖", "技能竞赛奖励：一等奖", "补贴", "money", "2000", "元", "seed 003 §6"),
    Parameter("subsidy.competition.二等奖", "技能竞赛奖励：二等奖", "补贴", "money", "1000", "元", "seed 003 §6"),
    Parameter("subsidy.competition.三等奖", "技能竞赛奖励：三等奖", "补贴", "money", "500", "元", "seed 003 §6"),
    Parameter("subsidy.self_claim.初级工", "技能提升补贴（个人申领）：初级", "补贴", "money", "1000", "元", "失业保险技能提升补贴"),
    Parameter("subsidy.self_claim.中级工", "技能提升补贴（个人申领）：中级", "补贴", "money", "1500", "元", "失业保险技能提升补贴"),
    Parameter("subsidy.self_claim.高级工", "技能提升补贴（个人申领）：高级", "补贴", "money", "2000", "元", "失业保险技能提升补贴"),
    Parameter("subsidy.self_claim.window_months", "技能提升补贴：取证后申领期限", "补贴", "int", "12", "个月", "失业保险技能提升补贴"),
    Parameter("allowance.skill.高级工", "技能津贴：高级工", "津贴", "money", "200", "元/月", "seed 001 §11（示例）"),
    Parameter("allowance.skill.技师", "技能津贴：技师", "津贴", "money", "400", "元/月", "seed 001 §11（示例）"),
    Parameter("allowance.skill.高级技师", "技能津贴：高级技师", "津贴", "money", "600", "元/月", "seed 001 §11（示例）"),
    Parameter("allowance.skill.特级技师", "技能津贴：特级技师", "津贴", "money", "800", "元/月", "seed 001 §11（示例）"),
    Parameter("allowance.skill.首席技师", "技能津贴：首席技师", "津贴", "money", "1000", "元/月", "seed 001 §11（示例）"),
    Parameter("allowance.post.高级工", "岗位津贴：高级工", "津贴", "money", "100", "元/月", "seed 000 第四篇 二㈠（金额为示例）"),
    Parameter("allowance.post.技师", "岗位津贴：技师", "津贴", "money", "200", "元/月", "seed 000 第四篇 二㈠（金额为示例）"),
    Parameter("allowance.post.高级技师", "岗位津贴：高级技师", "津贴", "money", "300", "元/月", "seed 000 第四篇 二㈠（金额为示例）"),
    Parameter("allowance.mentor", "带徒津贴（每名在培徒弟）", "津贴", "money", "200", "元/月", "seed 001 §11（示例）"),
    Parameter("allowance.team_leader", "班组长津贴", "津贴", "money", "300", "元/月", "seed 001 §11（示例）"),
    Parameter("apprenticeship.master_min_level", "师傅最低等级", "师徒", "int", "3", "级（3 = 高级工）", "seed 000（导师带徒）"),
    Parameter("apprenticeship.max_apprentices", "每名师傅同时带徒上限", "师徒", "int", "3", "名", "默认值"),
    Parameter("apprenticeship.assessment_months", "徒弟定期考核间隔", "师徒", "int", "3", "个月", "默认值"),
)
BY_KEY = {p.key: p for p in PARAMETERS}


def parse_value(parameter: Parameter, raw) -> Decimal | int:
    """A typed value, or ValueError with a Chinese reason."""
    text = str(raw).strip().replace(",", "").removesuffix("%").removesuffix("元").strip()
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ValueError("应为数字") from None
    if not number.is_finite() or number < 0:
        raise ValueError("应为非负数")
    if parameter.kind == "int":
        if number != number.to_integral_value():
            raise ValueError("应为整数")
        return int(number)
    if parameter.kind == "money":
        if number != number.quantize(Decimal("0.01")):
            raise ValueError("金额最多两位小数")
        return number.quantize(Decimal("0.01"))
    return number


def policy_snapshot(conn: Connection, on: date) -> dict[str, Decimal | int]:
    """Every parameter's value on `on` (a dated value, else the declared default)."""
    values: dict[str, Decimal | int] = {p.key: parse_value(p, p.default) for p in PARAMETERS}
    rows = conn.execute(
        select(PolicyValue.key, PolicyValue.value)
        .where(PolicyValue.effective_from <= on)
        .order_by(PolicyValue.key, PolicyValue.effective_from)
    )
    for key, value in rows:  # later rows of a key overwrite earlier ones
        if key in BY_KEY:
            values[key] = parse_value(BY_KEY[key], value)
    return values


def policy_value(conn: Connection, key: str, on: date) -> Decimal | int:
    parameter = BY_KEY[key]
    value = conn.scalar(
        select(PolicyValue.value)
        .where(PolicyValue.key == key, PolicyValue.effective_from <= on)
        .order_by(PolicyValue.effective_from.desc())
        .limit(1)
    )
    return parse_value(parameter, parameter.default if value is None else value)


@dataclass(frozen=True)
class PolicyChange:
    effective_from: date
    value: Decimal | int
    note: str | None


def policy_history(conn: Connection, key: str) -> list[PolicyChange]:
    parameter = BY_KEY[key]
    rows = conn.execute(
        select(PolicyValue.effective_from, PolicyValue.value, PolicyValue.note)
        .where(PolicyValue.key == key)
        .order_by(PolicyValue.effective_from)
    )
    return [PolicyChange(d, parse_value(parameter, v), n) for d, v, n in rows]


def set_policy_value(engine: Engine, key: str, raw_value, effective_from: date, note: str | None = None) -> None:
    """A new value from `effective_from` on; earlier values stay as they were. A second
    change on the same date replaces that date's value (the clerk correcting a typo)."""
    parameter = BY_KEY.get(key)
    if parameter is None:
        raise FieldErrors([FieldProblem("key", f"没有这个参数：{key}")])
    try:
        value = parse_value(parameter, raw_value)
    except ValueError as exc:
        raise FieldErrors([FieldProblem("value", f"{parameter.label}：{exc}")]) from None
    if effective_from is None:
        raise FieldErrors([FieldProblem("effective_from", "生效日期：不能为空")])
    with unit_of_work(engine) as session:
        row = session.scalars(
            select(PolicyValue).where(PolicyValue.key == key, PolicyValue.effective_from == effective_from)
        ).first()
        if row is None:
            session.add(PolicyValue(key=key, value=str(value), effective_from=effective_from, note=note))
        else:
            row.value, row.note = str(value), note
