"""Subsidy applications 补贴申请 (SPEC §6): the clerk's own subsidy types, applications with
their frozen lines, and the claims that keep a basis from being claimed twice."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Date, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint, func, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, Money, Timestamped


class SubsidyType(Timestamped, Base):
    """A subsidy type the clerk added, with a fixed amount table: by the level a certificate
    gives, or by a competition result (SPEC §6: "any the clerk adds")."""

    __tablename__ = "subsidy_type"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    basis: Mapped[str] = mapped_column(String(16))  # certificate / competition
    amounts: Mapped[str] = mapped_column(Text)  # JSON {"高级工": "800.00", …} or {"一等奖": …}
    notes: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, server_default=text("1"))
    __mapper_args__ = {"version_id_col": version}


class SubsidyApplication(Timestamped, Base):
    """One application of one type for one period. 草稿 may change; from 已生成 on its lines,
    amounts and the policy values used are frozen."""

    __tablename__ = "subsidy_application"
    id: Mapped[int] = mapped_column(primary_key=True)
    subsidy_type: Mapped[str] = mapped_column(String(64), index=True)
    period_from: Mapped[date] = mapped_column(Date)
    period_to: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(8), server_default="草稿")
    generated_at: Mapped[datetime | None] = mapped_column(DateTime)
    submitted_on: Mapped[date | None] = mapped_column(Date)
    received_on: Mapped[date | None] = mapped_column(Date)
    received_amount: Mapped[Decimal | None] = mapped_column(Money)
    returned_on: Mapped[date | None] = mapped_column(Date)
    return_reason: Mapped[str | None] = mapped_column(Text)
    voided_at: Mapped[datetime | None] = mapped_column(DateTime)
    void_reason: Mapped[str | None] = mapped_column(Text)
    # The policy values the lines used, as JSON: frozen with the numbers at 已生成.
    policy_values: Mapped[str | None] = mapped_column(Text)
    total: Mapped[Decimal] = mapped_column(Money, server_default=text("0"))
    notes: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, server_default=text("1"))
    __mapper_args__ = {"version_id_col": version}

    lines: Mapped[list[SubsidyLine]] = relationship(
        back_populates="application", cascade="all, delete-orphan", order_by="SubsidyLine.seq"
    )


class SubsidyLine(Base):
    """One person claimed for one basis record. What the roster prints is copied here, so a
    generated application prints the same however the register changes later."""

    __tablename__ = "subsidy_line"
    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("subsidy_application.id", ondelete="CASCADE"), index=True
    )
    seq: Mapped[int] = mapped_column(Integer)
    worker_id: Mapped[int | None] = mapped_column(ForeignKey("worker.id", ondelete="SET NULL"), index=True)
    name: Mapped[str] = mapped_column(String(64))
    gender: Mapped[str | None] = mapped_column(String(2))
    id_type: Mapped[str] = mapped_column(String(16))
    id_number: Mapped[str] = mapped_column(String(32))  # full: the bureau's roster needs it
    occupation: Mapped[str | None] = mapped_column(String(100))
    level: Mapped[str | None] = mapped_column(String(16))  # 等级, 目标等级 or 奖次
    reference_no: Mapped[str | None] = mapped_column(String(200))  # 证书编号, 竞赛, 培训年度
    reference_date: Mapped[date | None] = mapped_column(Date)  # 发证日期, 比赛日期, 培训年度起
    contract: Mapped[str | None] = mapped_column(String(64))  # 合同期限 as printed
    amount: Mapped[Decimal] = mapped_column(Money)
    basis_kind: Mapped[str] = mapped_column(String(16))  # certificate / pairing_year / competition
    basis_id: Mapped[int | None] = mapped_column(Integer)
    basis_key: Mapped[str] = mapped_column(String(96))  # the record: certificate:12, competition:7 …
    # What may be claimed once per type: the record, or for 技能提升补贴 (worker, occupation, level).
    claim_key: Mapped[str] = mapped_column(String(96))
    basis_text: Mapped[str] = mapped_column(Text)
    conditions: Mapped[str] = mapped_column(Text)  # JSON [{"rule", "ok", "reason"}], as judged

    application: Mapped[SubsidyApplication] = relationship(back_populates="lines")


class SubsidyClaim(Base):
    """The database's guard against double claims: one row per (type, basis) held by a line
    of an application that is not 作废. Voiding an application deletes its claims."""

    __tablename__ = "subsidy_claim"
    __table_args__ = (UniqueConstraint("subsidy_type", "basis_key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    subsidy_type: Mapped[str] = mapped_column(String(64))
    basis_key: Mapped[str] = mapped_column(String(96))
    line_id: Mapped[int] = mapped_column(ForeignKey("subsidy_line.id", ondelete="CASCADE"), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, server_default=func.current_timestamp())

