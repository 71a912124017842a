"""Saved bureau surveys (SPEC §7)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, Integer, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, Timestamped


class SavedSurvey(Timestamped, Base):
    """企业技能人才现状及需求情况调查表 as saved for one 填表时间: the computed numbers as they
    were shown, and what the clerk typed. Reopened, it shows these, never a recomputation."""

    __tablename__ = "saved_survey"
    id: Mapped[int] = mapped_column(primary_key=True)
    as_of: Mapped[date] = mapped_column(Date, unique=True)
    numbers: Mapped[str] = mapped_column(Text)  # JSON: header, rows, folded, warnings
    typed: Mapped[str] = mapped_column(Text)  # JSON: 需求工种/人数, 培养措施, 填表人, 联系电话
    version: Mapped[int] = mapped_column(Integer, server_default=text("1"))
    __mapper_args__ = {"version_id_col": version}
