"""Apprenticeships 师徒结对 (师带徒, 企业新型学徒制) and allowances 津贴 (SPEC §3, §5): pairings
with their periodic assessments, allowances granted by hand (特殊津贴), and the monthly roll
(津贴发放表) whose confirmed lines are frozen copies, never recomputed."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Date, DateTime, ForeignKey, Integer, String, Text, func, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, Money, Timestamped


class Apprenticeship(Timestamped, Base):
    """师徒结对: a master 师傅 and an apprentice 徒弟 (different workers)."""

    __tablename__ = "apprenticeship"
    id: Mapped[int] = mapped_column(primary_key=True)
    master_id: Mapped[int] = mapped_column(ForeignKey("worker.id", ondelete="CASCADE"), index=True)
    apprentice_id: Mapped[int] = mapped_column(ForeignKey("worker.id", ondelete="CASCADE"), index=True)
    occupation_id: Mapped[int | None] = mapped_column(ForeignKey("occupation.id"))
    kind: Mapped[str] = mapped_column(String(16))  # 企业师带徒 / 企业新型学徒制
    partner: Mapped[str | None] = mapped_column(String(200))  # school or training body (新型学徒制)
    start_date: Mapped[date] = mapped_column(Date)
    planned_end: Mapped[date | None] = mapped_column(Date)
    target_level: Mapped[int | None] = mapped_column(Integer)
    agreement_no: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(8), server_default="在培")  # 在培 / 已出师 / 终止
    ended_on: Mapped[date | None] = mapped_column(Date)  # the day of 出师 or 终止
    outcome_certificate_id: Mapped[int | None] = mapped_column(ForeignKey("certificate.id", ondelete="SET NULL"))
    # A master below the minimum level or above the apprentice limit: allowed only with a reason.
    override_reason: Mapped[str | None] = mapped_column(Text)
    notes: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, server_default=text("1"))
    __mapper_args__ = {"version_id_col": version}

    assessments: Mapped[list[ApprenticeAssessment]] = relationship(
        back_populates="apprenticeship", cascade="all, delete-orphan", order_by="ApprenticeAssessment.assessed_on"
    )


class ApprenticeAssessment(Base):
    """A periodic assessment 考核 of an apprentice."""

    __tablename__ = "apprentice_assessment"
    id: Mapped[int] = mapped_column(primary_key=True)
    apprenticeship_id: Mapped[int] = mapped_column(ForeignKey("apprenticeship.id", ondelete="CASCADE"), index=True)
    assessed_on: Mapped[date] = mapped_column(Date)
    content: Mapped[str | None] = mapped_column(Text)
    result: Mapped[str | None] = mapped_column(String(16))  # 优秀/良好/合格/不合格 or a score
    assessor: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime, server_default=func.current_timestamp())
    version: Mapped[int] = mapped_column(Integer, server_default=text("1"))
    __mapper_args__ = {"version_id_col": version}

    apprenticeship: Mapped[Apprenticeship] = relationship(back_populates="assessments")


class SpecialAllowance(Timestamped, Base):
    """特殊津贴 granted by hand, with its reason, for the months from `month_from` to
    `month_to` (first days of months; None = until withdrawn)."""

    __tablename__ = "special_allowance"
    id: Mapped[int] = mapped_column(primary_key=True)
    worker_id: Mapped[int] = mapped_column(ForeignKey("worker.id", ondelete="CASCADE"), index=True)
    month_from: Mapped[date] = mapped_column(Date)
    month_to: Mapped[date | None] = mapped_column(Date)
    amount: Mapped[Decimal] = mapped_column(Money)
    reason: Mapped[str] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, server_default=text("1"))
    __mapper_args__ = {"version_id_col": version}


class AllowanceRoll(Timestamped, Base):
    """津贴发放表 of one month: a draft may be generated again; a confirmed roll is frozen."""

    __tablename__ = "allowance_roll"
    id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[str] = mapped_column(String(7), unique=True)  # YYYY-MM
    status: Mapped[str] = mapped_column(String(8), server_default="草稿")  # 草稿 / 已确认
    generated_at: Mapped[datetime | None] = mapped_column(DateTime)
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTime)
    # The policy values the lines used, as JSON: the roll can always say what it applied.
    policy_values: Mapped[str | None] = mapped_column(Text)
    total: Mapped[Decimal] = mapped_column(Money, server_default=text("0"))
    version: Mapped[int] = mapped_column(Integer, server_default=text("1"))
    __mapper_args__ = {"version_id_col": version}

    lines: Mapped[list[AllowanceLine]] = relationship(back_populates="roll", cascade="all, delete-orphan")


class AllowanceLine(Base):
    """One allowance of one worker in a roll, with the rule that made it eligible and the
    record it rests on. Name, 工号 and 部门 are copied so a frozen roll never changes."""

    __tablename__ = "allowance_line"
    id: Mapped[int] = mapped_column(primary_key=True)
    roll_id: Mapped[int] = mapped_column(ForeignKey("allowance_roll.id", ondelete="CASCADE"), index=True)
    worker_id: Mapped[int | None] = mapped_column(ForeignKey("worker.id", ondelete="SET NULL"), index=True)
    employee_no: Mapped[str | None] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(64))
    department: Mapped[str | None] = mapped_column(String(100))
    allowance_type: Mapped[str] = mapped_column(String(8))  # 技能津贴/岗位津贴/带徒津贴/班组长津贴/特殊津贴
    amount: Mapped[Decimal] = mapped_column(Money)
    rule: Mapped[str] = mapped_column(Text)  # why, in the clerk's words
    basis_kind: Mapped[str | None] = mapped_column(String(16))  # certificate / apprenticeship / team_leader / grant
    basis_id: Mapped[int | None] = mapped_column(Integer)

    roll: Mapped[AllowanceRoll] = relationship(back_populates="lines")
