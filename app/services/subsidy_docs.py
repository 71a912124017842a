"""What an application prints (SPEC §6): the plain data the PDF and Excel writers take. The
subsidy service fills these from stored lines; the writers never read the database."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

# Claimants: the enterprise applies (申请表 with 承诺 and 盖章) or each worker claims himself
# (技能提升补贴: the program prints a list to help the workers apply).
CLAIMANT_ENTERPRISE = "单位"
CLAIMANT_WORKER = "个人"


@dataclass(frozen=True)
class RosterColumns:
    """The labels of the four roster columns that differ by type (工种, 等级, 证书编号, 发证日期
    for certificates; 奖次, 竞赛名称, 比赛日期 for competitions …)."""

    occupation: str = "工种"
    level: str = "等级"
    reference_no: str = "证书编号"
    reference_date: str = "发证日期"


@dataclass(frozen=True)
class LineDoc:
    seq: int
    name: str
    gender: str
    id_type: str
    id_number: str  # full: the bureau needs it (SPEC §11); masked for a role that may not see it
    occupation: str
    level: str
    reference_no: str
    reference_date: date | None
    contract: str  # 合同期限 as printed, e.g. "2020-01-01至无固定期限"
    amount: Decimal
    basis_text: str = ""


@dataclass(frozen=True)
class ApplicationDoc:
    id: int | None
    subsidy_type: str
    title: str  # e.g. 技能提升培训补贴申请表
    period_from: date
    period_to: date
    status: str  # 草稿 prints with a watermark: not to be handed in
    claimant: str
    columns: RosterColumns
    lines: tuple[LineDoc, ...]
    generated_at: datetime | None = None
    policy_values: dict[str, str] = field(default_factory=dict)
    # Counted from the full numbers when the lines carry masked ones (masks of two people
    # may be equal).
    person_count: int | None = None

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines), Decimal("0.00"))

    @property
    def persons(self) -> int:
        """Distinct people (one may hold two lines, e.g. two training years)."""
        if self.person_count is not None:
            return self.person_count
        return len({(line.id_type, line.id_number) for line in self.lines})

    @property
    def is_draft(self) -> bool:
        return self.status == "草稿"


__all__ = ["CLAIMANT_ENTERPRISE", "CLAIMANT_WORKER", "ApplicationDoc", "LineDoc", "RosterColumns"]
