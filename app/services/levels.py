"""Skill levels 职业技能等级 (SPEC §2, the 八级工 ladder) and the level a worker holds on a date.

The level is derived from certificates, never typed: the highest rank among the
worker's level-bearing, non-revoked certificates issued on or before the date.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import Session

from app.models import Certificate
from app.services.text import fold_width

APPRENTICE, JUNIOR, INTERMEDIATE, SENIOR, TECHNICIAN, SENIOR_TECHNICIAN, SPECIAL, CHIEF = range(8)
LEVEL_NAMES = ("学徒工", "初级工", "中级工", "高级工", "技师", "高级技师", "特级技师", "首席技师")
# The national grade written beside the level: 五级 … 一级.
LEVEL_GRADES = {1: "五级", 2: "四级", 3: "三级", 4: "二级", 5: "一级"}
HIGH_SKILLED_MIN_RANK = SENIOR

KIND_QUALIFICATION = "职业资格证书"
KIND_SKILL_LEVEL = "职业技能等级证书"
KIND_SPECIAL_ABILITY = "专项职业能力证书"
KIND_SAFETY_LICENCE = "特种作业操作证"
CERTIFICATE_KINDS = (KIND_SKILL_LEVEL, KIND_QUALIFICATION, KIND_SPECIAL_ABILITY, KIND_SAFETY_LICENCE)
LEVEL_BEARING_KINDS = (KIND_SKILL_LEVEL, KIND_QUALIFICATION)


def level_name(rank: int | None) -> str:
    return LEVEL_NAMES[rank] if rank is not None else ""


def level_label(rank: int | None) -> str:
    """高级工（三级） — how a clerk reads it on a form."""
    if rank is None:
        return ""
    grade = LEVEL_GRADES.get(rank)
    return f"{LEVEL_NAMES[rank]}（{grade}）" if grade else LEVEL_NAMES[rank]


def is_high_skilled(rank: int | None) -> bool:
    return rank is not None and rank >= HIGH_SKILLED_MIN_RANK


_NAME_PATTERNS = [  # longest first: 高级技师 contains 技师 and 高级
    ("首席技师", CHIEF), ("特级技师", SPECIAL), ("高级技师", SENIOR_TECHNICIAN),
    ("技师", TECHNICIAN), ("高级工", SENIOR), ("中级工", INTERMEDIATE), ("初级工", JUNIOR),
    ("学徒工", APPRENTICE), ("高级", SENIOR), ("中级", INTERMEDIATE), ("初级", JUNIOR),
]
_GRADE_DIGITS = {"一": 5, "二": 4, "三": 3, "四": 2, "五": 1, "1": 5, "2": 4, "3": 3, "4": 2, "5": 1}
_GRADE_RE = re.compile(r"([一二三四五1-5])级")
_FRAME_WORDS = ("国家职业资格", "职业资格", "职业技能等级", "技能等级", "等级", "证书", "国家", "职业", "技能", "资格")
# 职称 words: 高级工程师 or 中级职称 must never read as 高级工 / 中级工.
_TITLE_WORDS = ("工程师", "职称", "技术员", "助理", "经济师", "会计师", "讲师", "政工师", "统计师")


class LevelParseError(ValueError):
    pass


def parse_level(raw: str) -> int:
    """高级工, 三级, 三级/高级工, 国家职业资格三级, 技师（二级）, 3级 → rank.

    Raises LevelParseError (Chinese) when the text names no level or two that disagree.
    """
    text = re.sub(r"[\s()（）/、\\|·-]", "", fold_width(raw))
    if not text:
        raise LevelParseError("不能为空")
    by_name = None
    rest = text
    for pattern, rank in _NAME_PATTERNS:
        if pattern in rest:
            by_name = rank
            rest = rest.replace(pattern, "")
            break
    if any(word in text for word in _TITLE_WORDS):
        raise LevelParseError("这是职称（专业技术职务），不是职业技能等级")
    grade = _GRADE_RE.search(rest)
    by_grade = _GRADE_DIGITS[grade.group(1)] if grade else None
    if grade:
        rest = rest[: grade.start()] + rest[grade.end() :]
    # Whatever is left must be words that only frame a level; anything else (程师 of
    # 高级工程师, 助理 of 助理技师) means this is not a level and must not pass as one.
    for word in _FRAME_WORDS:
        rest = rest.replace(word, "")
    if rest:
        raise LevelParseError(
            "无法识别的等级，应为 初级工/中级工/高级工/技师/高级技师/特级技师/首席技师 或 五级…一级"
        )
    if by_name is None and by_grade is None:
        raise LevelParseError(
            "无法识别的等级，应为 初级工/中级工/高级工/技师/高级技师/特级技师/首席技师 或 五级…一级"
        )
    if by_name is not None and by_grade is not None and by_name != by_grade:
        raise LevelParseError(
            f"等级名称与级别不一致（{LEVEL_NAMES[by_name]} 对应 {LEVEL_GRADES.get(by_name, '无级别')}）"
        )
    return by_name if by_name is not None else by_grade


def counts_on(on: date):
    """SQL condition: a certificate that gives its level on `on`.

    A certificate with no issue date (a roster gave the level but not the date) counts on
    every date: the worker holds it, only when it began is unknown.
    """
    return and_(
        Certificate.kind.in_(LEVEL_BEARING_KINDS),
        Certificate.level_rank.is_not(None),
        Certificate.revoked.is_(False),
        or_(Certificate.issue_date.is_(None), Certificate.issue_date <= on),
    )


def levels_on_query(on: date) -> Select:
    """worker_id → rank on `on`, for every worker holding a level: one grouped query."""
    return (
        select(Certificate.worker_id, func.max(Certificate.level_rank).label("rank"))
        .where(counts_on(on))
        .group_by(Certificate.worker_id)
    )


def level_on(session: Session, worker_id: int, on: date) -> int | None:
    """The worker's rank on `on`, None when they hold no level certificate then."""
    return session.scalar(
        select(func.max(Certificate.level_rank)).where(Certificate.worker_id == worker_id, counts_on(on))
    )


@dataclass(frozen=True)
class LevelStep:
    """From `since` (None: date unknown) the worker is at `rank`, because of `certificate_id`."""

    since: date | None
    rank: int
    certificate_id: int


def level_history(session: Session, worker_id: int) -> list[LevelStep]:
    """The dated steps of a worker's level: each certificate that raised it."""
    certificates = session.scalars(
        select(Certificate)
        .where(
            Certificate.worker_id == worker_id,
            Certificate.kind.in_(LEVEL_BEARING_KINDS),
            Certificate.level_rank.is_not(None),
            Certificate.revoked.is_(False),
        )
        .order_by(Certificate.issue_date.is_not(None), Certificate.issue_date, Certificate.id)
    )
    steps: list[LevelStep] = []
    for cert in certificates:
        if not steps or cert.level_rank > steps[-1].rank:
            steps.append(LevelStep(cert.issue_date, cert.level_rank, cert.id))
    return steps


def current_certificate_query(on: date) -> Select:
    """For each worker, the certificate that gives their level on `on` (the highest rank,
    the latest issued among equals)."""
    ranked = (
        select(
            Certificate.id,
            func.row_number()
            .over(
                partition_by=Certificate.worker_id,
                order_by=(
                    Certificate.level_rank.desc(),
                    Certificate.issue_date.is_(None),
                    Certificate.issue_date.desc(),
                    Certificate.id.desc(),
                ),
            )
            .label("pos"),
        )
        .where(counts_on(on))
        .subquery()
    )
    return select(Certificate).join(ranked, ranked.c.id == Certificate.id).where(ranked.c.pos == 1)
