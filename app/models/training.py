"""Training 培训 (SPEC §3): programmes, enrolments, each worker's personal training account
(个人培训账户) with its development plan and ledger, the yearly training fund (职工教育经费),
service-period agreements (培训服务期协议); and the policy profile (政策参数, SPEC §4)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
    true,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, Money, Timestamped


class PolicyValue(Base):
    """One value of the policy profile from a date on. The value on a date is the one with
    the latest `effective_from` on or before it; rows are added, never changed, so a form
    or roll made earlier can always say which values it used."""

    __tablename__ = "policy_value"
    __table_args__ = (UniqueConstraint("key", "effective_from"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), index=True)
    value: Mapped[str] = mapped_column(Text)  # a decimal, an integer, or text, as the key declares
    effective_from: Mapped[date] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, server_default=func.current_timestamp())


class TrainingProgramme(Timestamped, Base):
    """培训项目/班次."""

    __tablename__ = "training_programme"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    provider: Mapped[str | None] = mapped_column(String(200))
    form: Mapped[str] = mapped_column(String(16))  # 企业自办/校企合作/院校/培训机构/线上
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    hours: Mapped[int] = mapped_column(Integer)  # 学时 (120 学时 = 15 days)
    cost_per_person: Mapped[Decimal] = mapped_column(Money, server_default=text("0"))
    funding_source: Mapped[str] = mapped_column(String(16))  # 职工教育经费/政府补贴/个人
    occupation_id: Mapped[int | None] = mapped_column(ForeignKey("occupation.id"))
    target_level: Mapped[int | None] = mapped_column(Integer)
    notes: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, server_default=text("1"))
    __mapper_args__ = {"version_id_col": version}

    enrolments: Mapped[list[TrainingEnrolment]] = relationship(back_populates="programme")


class TrainingEnrolment(Timestamped, Base):
    """A worker in a programme: hours attended, cost charged, result, certificate obtained."""

    __tablename__ = "training_enrolment"
    __table_args__ = (UniqueConstraint("programme_id", "worker_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("training_programme.id", ondelete="CASCADE"))
    worker_id: Mapped[int] = mapped_column(ForeignKey("worker.id", ondelete="CASCADE"), index=True)
    enrolled_on: Mapped[date] = mapped_column(Date)
    hours_attended: Mapped[int | None] = mapped_column(Integer)
    cost_charged: Mapped[Decimal] = mapped_column(Money, server_default=text("0"))
    result: Mapped[str | None] = mapped_column(String(8))  # 合格/不合格; None while the class runs
    completed_on: Mapped[date | None] = mapped_column(Date, index=True)  # the day the result was given
    certificate_id: Mapped[int | None] = mapped_column(ForeignKey("certificate.id", ondelete="SET NULL"))
    # 技能提升培训补贴 asks that the enterprise sent the worker (SPEC §4).
    sent_by_enterprise: Mapped[bool] = mapped_column(Boolean, server_default=true())
    notes: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, server_default=text("1"))
    __mapper_args__ = {"version_id_col": version}

    programme: Mapped[TrainingProgramme] = relationship(back_populates="enrolments")


class TrainingAccount(Timestamped, Base):
    """个人培训账户 of one worker, with the 个性化培养方案. Money moves in AccountEntry."""

    __tablename__ = "training_account"
    worker_id: Mapped[int] = mapped_column(ForeignKey("worker.id", ondelete="CASCADE"), primary_key=True)
    key_talent: Mapped[bool] = mapped_column(Boolean, server_default=false())  # 重点培养对象
    target_level: Mapped[int | None] = mapped_column(Integer)
    target_date: Mapped[date | None] = mapped_column(Date)
    planned_courses: Mapped[str | None] = mapped_column(Text)
    self_study_plan: Mapped[str | None] = mapped_column(Text)  # books and skills, 3–5 years
    plan_years: Mapped[int | None] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(Integer, server_default=text("1"))
    __mapper_args__ = {"version_id_col": version}


class AccountEntry(Base):
    """One dated line of a training account's ledger. Never rewritten: a correction is a new
    entry pointing at the one it corrects. Credits are positive, debits negative."""

    __tablename__ = "account_entry"
    id: Mapped[int] = mapped_column(primary_key=True)
    worker_id: Mapped[int] = mapped_column(ForeignKey("worker.id", ondelete="CASCADE"), index=True)
    entry_date: Mapped[date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(8))  # 预算拨入 / 培训扣费 / 更正
    amount: Mapped[Decimal] = mapped_column(Money)
    enrolment_id: Mapped[int | None] = mapped_column(ForeignKey("training_enrolment.id", ondelete="SET NULL"))
    corrects_entry_id: Mapped[int | None] = mapped_column(ForeignKey("account_entry.id"))
    reason: Mapped[str | None] = mapped_column(Text)
    # Spending beyond the balance: allowed only with a recorded reason.
    override_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, server_default=func.current_timestamp())


class TrainingFundYear(Timestamped, Base):
    """职工教育经费 of one year. What was used is computed from the enrolments."""

    __tablename__ = "training_fund_year"
    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    payroll_total: Mapped[Decimal | None] = mapped_column(Money)  # 工资总额, confirmed by the clerk
    extraction_rate_bp: Mapped[int | None] = mapped_column(Integer)  # basis points: 150 = 1.50 %
    extracted_amount: Mapped[Decimal | None] = mapped_column(Money)
    notes: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, server_default=text("1"))
    __mapper_args__ = {"version_id_col": version}


class ServiceAgreement(Timestamped, Base):
    """培训服务期协议 (劳动合同法 第二十二条): the enterprise paid for specialised training, the
    worker serves a period; leaving early repays the part of the cost not yet served."""

    __tablename__ = "service_agreement"
    id: Mapped[int] = mapped_column(primary_key=True)
    worker_id: Mapped[int] = mapped_column(ForeignKey("worker.id", ondelete="CASCADE"), index=True)
    agreement_no: Mapped[str | None] = mapped_column(String(64))
    signed_on: Mapped[date | None] = mapped_column(Date)
    cost: Mapped[Decimal] = mapped_column(Money)  # what the enterprise paid (the cap of any repayment)
    service_start: Mapped[date] = mapped_column(Date)
    service_end: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(8), server_default="有效")  # 有效 / 已履行 / 已结清 / 已解除
    settled_on: Mapped[date | None] = mapped_column(Date)
    repayment: Mapped[Decimal | None] = mapped_column(Money)  # recorded when settled
    notes: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, server_default=text("1"))
    __mapper_args__ = {"version_id_col": version}


class AgreementEnrolment(Base):
    """Which enrolments a service agreement covers."""

    __tablename__ = "agreement_enrolment"
    agreement_id: Mapped[int] = mapped_column(ForeignKey("service_agreement.id", ondelete="CASCADE"), primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("training_enrolment.id", ondelete="CASCADE"), primary_key=True)
