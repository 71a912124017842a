"""The talent register 高技能人才库: enterprise, departments, occupations, workers and
their contracts, certificates, honours and competition entries."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, Money, Timestamped


class AppMeta(Base):
    """Key/value facts about the database itself; `application` marks a SkillDesk file."""

    __tablename__ = "app_meta"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class Enterprise(Timestamped, Base):
    """单位信息: one row per database."""

    __tablename__ = "enterprise"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str | None] = mapped_column(String(200))
    uscc: Mapped[str | None] = mapped_column(String(18))  # 统一社会信用代码
    principal: Mapped[str | None] = mapped_column(String(64))  # 负责人
    phone: Mapped[str | None] = mapped_column(String(32))
    address: Mapped[str | None] = mapped_column(String(200))
    enterprise_type: Mapped[str | None] = mapped_column(String(16))  # 国有企业 …
    scale: Mapped[str | None] = mapped_column(String(4))  # 大/中/小
    business_field: Mapped[str | None] = mapped_column(String(200))  # 经营领域
    bank_name: Mapped[str | None] = mapped_column(String(200))
    bank_account: Mapped[str | None] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer, server_default=text("1"))
    __mapper_args__ = {"version_id_col": version}


class Department(Base):
    """部门/车间."""

    __tablename__ = "department"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    version: Mapped[int] = mapped_column(Integer, server_default=text("1"))
    __mapper_args__ = {"version_id_col": version}


class Occupation(Base):
    """职业（工种）."""

    __tablename__ = "occupation"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    code: Mapped[str | None] = mapped_column(String(32))  # 职业编码, e.g. 6-18-02-04
    version: Mapped[int] = mapped_column(Integer, server_default=text("1"))
    __mapper_args__ = {"version_id_col": version}
    shortages: Mapped[list[OccupationShortage]] = relationship(
        back_populates="occupation", cascade="all, delete-orphan"
    )


class OccupationShortage(Base):
    """The occupation is 紧缺 (in shortage) in `year`: several subsidies depend on it."""

    __tablename__ = "occupation_shortage"
    __table_args__ = (UniqueConstraint("occupation_id", "year"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    occupation_id: Mapped[int] = mapped_column(ForeignKey("occupation.id", ondelete="CASCADE"))
    year: Mapped[int] = mapped_column(Integer)
    occupation: Mapped[Occupation] = relationship(back_populates="shortages")


class Worker(Timestamped, Base):
    """职工."""

    __tablename__ = "worker"
    __table_args__ = (UniqueConstraint("id_type", "id_number"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    employee_no: Mapped[str | None] = mapped_column(String(32), unique=True)  # 工号
    name: Mapped[str] = mapped_column(String(64), index=True)
    # Pinyin initials of the name ("zsf" for 张三丰), stored so a search never computes them.
    name_initials: Mapped[str | None] = mapped_column(String(32), index=True)
    id_type: Mapped[str] = mapped_column(String(16))
    id_number: Mapped[str] = mapped_column(String(32))
    gender: Mapped[str | None] = mapped_column(String(2))
    birth_date: Mapped[date | None] = mapped_column(Date)
    education: Mapped[str | None] = mapped_column(String(16))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"), index=True)
    post: Mapped[str | None] = mapped_column(String(64))  # 岗位
    occupation_id: Mapped[int | None] = mapped_column(ForeignKey("occupation.id"), index=True)
    is_frontline: Mapped[bool] = mapped_column(Boolean, server_default=false())
    is_team_leader: Mapped[bool] = mapped_column(Boolean, server_default=false())
    hire_date: Mapped[date | None] = mapped_column(Date)
    leave_date: Mapped[date | None] = mapped_column(Date)
    monthly_wage: Mapped[Decimal | None] = mapped_column(Money)
    phone: Mapped[str | None] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(8), server_default="在职")
    notes: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, server_default=text("1"))
    __mapper_args__ = {"version_id_col": version}

    department: Mapped[Department | None] = relationship()
    occupation: Mapped[Occupation | None] = relationship()
    contracts: Mapped[list[LaborContract]] = relationship(
        back_populates="worker", cascade="all, delete-orphan", order_by="LaborContract.start_date"
    )
    certificates: Mapped[list[Certificate]] = relationship(
        back_populates="worker",
        cascade="all, delete-orphan",
        order_by="Certificate.issue_date",
        foreign_keys="Certificate.worker_id",
    )


class LaborContract(Base):
    """劳动合同; `end_date` NULL means 无固定期限 (open-ended)."""

    __tablename__ = "labor_contract"
    # The unique (worker_id, start_date) also serves lookups by worker.
    __table_args__ = (UniqueConstraint("worker_id", "start_date"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    worker_id: Mapped[int] = mapped_column(ForeignKey("worker.id", ondelete="CASCADE"))
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    version: Mapped[int] = mapped_column(Integer, server_default=text("1"))
    __mapper_args__ = {"version_id_col": version}
    worker: Mapped[Worker] = relationship(back_populates="contracts")


class Certificate(Timestamped, Base):
    """证书. Level-bearing kinds carry `level_rank` (SPEC §2); the worker's level is derived
    from these rows, never stored on the worker."""

    __tablename__ = "certificate"
    id: Mapped[int] = mapped_column(primary_key=True)
    worker_id: Mapped[int] = mapped_column(ForeignKey("worker.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    occupation_id: Mapped[int | None] = mapped_column(ForeignKey("occupation.id"))
    level_rank: Mapped[int | None] = mapped_column(Integer)
    number: Mapped[str | None] = mapped_column(String(64), unique=True)  # 证书编号
    issuing_body: Mapped[str | None] = mapped_column(String(200))
    evaluation_route: Mapped[str | None] = mapped_column(String(16))
    # NULL when a roster gave a level without a date: the level counts, its start is unknown.
    issue_date: Mapped[date | None] = mapped_column(Date)
    expiry_date: Mapped[date | None] = mapped_column(Date)
    review_date: Mapped[date | None] = mapped_column(Date)
    revoked: Mapped[bool] = mapped_column(Boolean, server_default=false())
    revoked_on: Mapped[date | None] = mapped_column(Date)
    revoke_reason: Mapped[str | None] = mapped_column(Text)
    notes: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, server_default=text("1"))
    __mapper_args__ = {"version_id_col": version}

    worker: Mapped[Worker] = relationship(back_populates="certificates", foreign_keys=[worker_id])
    occupation: Mapped[Occupation | None] = relationship()


class CertificateScan(Base):
    """A scanned copy of a certificate (image or PDF), kept apart so lists never load it."""

    __tablename__ = "certificate_scan"
    id: Mapped[int] = mapped_column(primary_key=True)
    certificate_id: Mapped[int] = mapped_column(
        ForeignKey("certificate.id", ondelete="CASCADE"), index=True
    )
    filename: Mapped[str] = mapped_column(String(255))
    media_type: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary)


class Honour(Base):
    """荣誉."""

    __tablename__ = "honour"
    id: Mapped[int] = mapped_column(primary_key=True)
    worker_id: Mapped[int] = mapped_column(ForeignKey("worker.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(100))
    level: Mapped[str | None] = mapped_column(String(8))  # 国家/省/市/县区/行业/企业
    year: Mapped[int | None] = mapped_column(Integer)
    awarding_body: Mapped[str | None] = mapped_column(String(200))
    reward_amount: Mapped[Decimal | None] = mapped_column(Money)
    version: Mapped[int] = mapped_column(Integer, server_default=text("1"))
    __mapper_args__ = {"version_id_col": version}


class CompetitionEntry(Base):
    """技能竞赛 entry of one worker."""

    __tablename__ = "competition_entry"
    id: Mapped[int] = mapped_column(primary_key=True)
    worker_id: Mapped[int] = mapped_column(ForeignKey("worker.id", ondelete="CASCADE"), index=True)
    competition_name: Mapped[str] = mapped_column(String(200))
    level: Mapped[str | None] = mapped_column(String(8))  # 国家级/省级/市级/县区级/行业/企业
    category: Mapped[str | None] = mapped_column(String(8))  # 一类/二类/三类
    organiser: Mapped[str | None] = mapped_column(String(200))
    held_on: Mapped[date | None] = mapped_column(Date)
    occupation_id: Mapped[int | None] = mapped_column(ForeignKey("occupation.id"))
    result: Mapped[str | None] = mapped_column(String(16))  # 一等奖/二等奖/三等奖/优秀奖
    placing: Mapped[int | None] = mapped_column(Integer)  # 名次
    prize_amount: Mapped[Decimal | None] = mapped_column(Money)
    # The level promotion it granted (seed 003 §6), as the certificate that records it.
    promoted_certificate_id: Mapped[int | None] = mapped_column(
        ForeignKey("certificate.id", ondelete="SET NULL")
    )
    version: Mapped[int] = mapped_column(Integer, server_default=text("1"))
    __mapper_args__ = {"version_id_col": version}

