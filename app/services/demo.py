"""Demo data: a plausible register of a large state-owned machinery plant, for trying the
program out, for training clerks and for measuring it at 100,000 workers.

Everything is drawn from one `random.Random(seed)` and dated relative to
DEMO_REFERENCE_DATE, so a seed gives the same rows on any machine on any day. Rows are
written through SQLAlchemy Core in chunks: ORM objects are several times slower and use
far more memory at this size.
"""

from __future__ import annotations

import bisect
import calendar
import random
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from itertools import accumulate

from sqlalchemy import Connection, Engine, func, insert, select, update

from app.errors import Refused
from app.models.bulk import bulk_insert_dicts
from app.services.batch import cyclic_gc_paused
from app.models import (
    ApprenticeAssessment,
    Apprenticeship,
    Certificate,
    CompetitionEntry,
    Department,
    Enterprise,
    Honour,
    LaborContract,
    Occupation,
    OccupationShortage,
    Worker,
)
from app.services.identity import ID_TYPE_HMT, ID_TYPE_RESIDENT
from app.services.levels import (
    KIND_QUALIFICATION,
    KIND_SAFETY_LICENCE,
    KIND_SKILL_LEVEL,
    KIND_SPECIAL_ABILITY,
    SPECIAL,
)
from app.services.pinyin import name_initials
from app.services.values import add_years
from app.services.vocab import STATUS_ACTIVE, STATUS_LEFT, STATUS_RETIRED

DEMO_REFERENCE_DATE = date(2026, 11, 1)
_OVERDUE_REVIEW_SHARE = 0.02
CHUNK = 5000

REF = DEMO_REFERENCE_DATE
DAY = timedelta(days=1)
YEAR_DAYS = 365


@dataclass
class DemoSummary:
    """Rows written. Departments and occupations already present under the same name are
    reused, so those two count only the ones added."""

    workers: int
    certificates: int
    contracts: int
    honours: int
    competitions: int
    departments: int
    occupations: int
    pairings: int = 0
    assessments: int = 0


class _Weighted:
    """Draws from (item, weight) pairs with a single random() call."""

    def __init__(self, pairs: Iterable[tuple[object, float]]):
        pairs = list(pairs)
        self.items = [item for item, _ in pairs]
        self.cumulative = list(accumulate(weight for _, weight in pairs))

    def pick(self, rng: random.Random):
        return self.items[bisect.bisect_right(self.cumulative, rng.random() * self.cumulative[-1])]


def _pairs(text: str) -> list[tuple[str, float]]:
    """"王 710 李 700" → [("王", 710.0), ("李", 700.0)]."""
    words = text.split()
    return [(words[i], float(words[i + 1])) for i in range(0, len(words), 2)]


# ── the enterprise ────────────────────────────────────────────────────────────────────

_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def _org_code(body: str) -> str:
    """GB 11714 organisation code: the 8-character body and its check character."""
    total = sum(int(c, 36) * w for c, w in zip(body, (3, 7, 9, 10, 5, 8, 4, 2)))
    check = 11 - total % 11
    return body + {10: "X", 11: "0"}.get(check, str(check))


def _uscc(first17: str) -> str:
    """GB 32100: weights 3^i mod 31 over the 31-character alphabet."""
    total = sum(_USCC_ALPHABET.index(c) * pow(3, i, 31) for i, c in enumerate(first17))
    return first17 + _USCC_ALPHABET[(31 - total % 31) % 31]


ENTERPRISE_NAME = "华东精密机械制造有限公司"
CITY, PROVINCE = "常州市", "江苏省"
_CITY_REGION = "320411"  # 常州市新北区
ENTERPRISE = {
    "name": ENTERPRISE_NAME,
    # 9 = registered by market regulation, 1 = enterprise, then the county and the old
    # organisation code: the shape of every company's code since 2015.
    "uscc": _uscc("91" + _CITY_REGION + _org_code("13794582")),
    "principal": "周志刚",
    "phone": "0519-85126688",
    "address": "江苏省常州市新北区通江中路 518 号",
    "enterprise_type": "国有企业",
    "scale": "大",
    "business_field": "通用机械零部件、精密传动装置与数控机床功能部件的研发、制造和销售",
    "bank_name": "中国工商银行股份有限公司常州新北支行",
    "bank_account": "1105021309000276514",
}

# ── departments and occupations ───────────────────────────────────────────────────────

# name, 职业编码 (only where the 2015 classification is certain), 岗位 written on the roster
_OCCUPATIONS = (
    ("车工", "6-18-01-01", "车工岗"),
    ("数控车工", "6-18-01-01", "数控车工岗"),
    ("铣工", "6-18-01-02", "铣工岗"),
    ("磨工", "6-18-01-04", "磨工岗"),
    ("加工中心操作工", "6-18-01-08", "加工中心操作岗"),
    ("钳工", None, "钳工岗"),
    ("装配钳工", None, "装配岗"),
    ("机修钳工", None, "设备维修岗"),
    ("工具钳工", None, "工装模具岗"),
    ("焊工", "6-18-02-04", "焊工岗"),
    ("铸造工", "6-18-02-01", "铸造岗"),
    ("热处理工", None, "热处理岗"),
    ("电工", "6-31-01-03", "电工岗"),
    ("维修电工", "6-31-01-03", "设备电气维修岗"),
    ("起重工", None, "起重岗"),
    ("检验员", None, "检验员"),
    ("仓库保管员", None, "仓库保管员"),
    ("叉车司机", None, "叉车司机"),
    ("企业人力资源管理师", None, "人事专员"),
)
_POSTS = {name: post for name, _, post in _OCCUPATIONS}
# The 紧缺 list of the city for the years the subsidies look at.
_SHORTAGE_OCCUPATIONS = ("焊工", "数控车工", "加工中心操作工", "维修电工", "工具钳工")
_SHORTAGE_YEARS = (2024, 2025, 2026)


@dataclass(frozen=True)
class _Department:
    name: str
    share: float  # of workers below 本科
    graduate_share: float  # of 本科 and 硕士 graduates, who go to offices and the tech centre
    frontline: bool
    female_share: float
    office: bool  # staff posts: women retire at 55, not 50
    occupations: _Weighted | None  # None: no skilled trade (administration)
    office_posts: tuple[str, ...] = ()


_DEPARTMENTS = (
    _Department("机加工车间", 27, 6, True, 0.15, False,
                _Weighted(_pairs("车工 25 数控车工 22 铣工 14 加工中心操作工 16 磨工 13 钳工 10"))),
    _Department("装配车间", 20, 4, True, 0.22, False,
                _Weighted(_pairs("装配钳工 60 钳工 15 电工 10 起重工 15"))),
    _Department("焊接车间", 13, 2, True, 0.06, False, _Weighted(_pairs("焊工 88 起重工 12"))),
    _Department("热处理车间", 5, 1, True, 0.10, False, _Weighted(_pairs("热处理工 90 起重工 10"))),
    _Department("铸造车间", 8, 1, True, 0.08, False,
                _Weighted(_pairs("铸造工 82 起重工 10 热处理工 8"))),
    _Department("设备动力部", 8, 6, True, 0.08, False,
                _Weighted(_pairs("维修电工 40 机修钳工 35 电工 15 工具钳工 10"))),
    _Department("质量检验部", 7, 12, False, 0.45, False, _Weighted(_pairs("检验员 92 钳工 8"))),
    _Department("仓储物流部", 6, 4, False, 0.30, False,
                _Weighted(_pairs("仓库保管员 50 叉车司机 35 起重工 15"))),
    _Department("技术中心", 5, 30, False, 0.25, True,
                _Weighted(_pairs("工具钳工 40 加工中心操作工 35 数控车工 25"))),
    _Department("安全环保部", 2, 10, False, 0.30, True, _Weighted(_pairs("电工 60 维修电工 40"))),
    _Department("人力资源部", 2, 12, False, 0.60, True, _Weighted(_pairs("企业人力资源管理师 1"))),
    _Department("综合办公室", 3, 12, False, 0.55, True, None,
                ("行政文员", "档案管理员", "后勤管理员", "驾驶员")),
)
# A worker now and then does a trade that belongs elsewhere (moved, lent out).
_OFF_DEPARTMENT_OCCUPATION = 0.05

# ── people ────────────────────────────────────────────────────────────────────────────

# Frequency per ten thousand people (national census order), plus some surnames the
# pinyin initials must read by their surname reading (单 shan, 曾 zeng, 解 xie, 查 zha, 翟 zhai).
_SURNAMES = _Weighted(_pairs("""
    王 710 李 700 张 670 刘 540 陈 450 杨 310 黄 220 赵 200 吴 200 周 190 徐 150 孙 150
    马 140 朱 130 胡 130 郭 120 何 120 林 120 高 120 罗 110 郑 100 梁 100 谢 80 宋 80
    唐 80 许 80 韩 70 冯 70 邓 70 曹 70 彭 60 曾 60 肖 60 田 60 董 50 袁 50 潘 50 于 50
    蒋 50 蔡 50 余 50 杜 50 叶 40 程 40 苏 40 魏 40 吕 40 丁 40 任 40 沈 45 姚 40 卢 40
    姜 40 崔 30 钟 30 谭 30 陆 35 汪 30 范 30 金 30 石 30 廖 30 贾 30 夏 30 韦 30 付 30
    方 30 白 20 邹 20 孟 20 熊 20 秦 20 邱 20 江 20 尹 20 薛 20 闫 20 段 20 雷 20 侯 20
    龙 20 史 20 陶 20 黎 20 贺 20 顾 25 毛 20 郝 20 龚 20 邵 20 万 20 钱 25 严 20 戴 20
    单 4 解 3 查 3 翟 5 欧阳 5 司马 1
"""))
_MALE_CHARS = "伟强军勇磊涛斌杰鹏超明刚平辉华建国峰波林浩宇俊鑫飞亮新东洪志文海兵龙春永德成健立晨阳帅凯锋宏毅锦荣庆进"
_FEMALE_CHARS = "芳娟敏静丽艳燕玲霞红梅琳婷雪慧颖萍莉娜倩兰英凤月洁佳欣怡璐蓉秀娇琴丹"
# These lead a two-character given name (晓明, 子涵, 家豪) but rarely end one.
_LEADING_CHARS = "子晓小云金玉家振思嘉一宁晶雨秋文安"
_TWO_CHAR_GIVEN_NAME = 0.72

_HMT_SHARE = 0.002
_HMT_PREFIXES = ("810000", "820000", "830000")
# County codes of birthplaces: most staff from the city, many from the rest of the province,
# the others from the provinces that send workers to the Yangtze delta.
_BIRTH_AREAS = _Weighted(_pairs("""
    320411 16 320412 14 320402 9 320404 9 320481 5 320413 5
    320281 3 320282 3 321181 3 320981 2 320923 2 321322 3 320321 2 320324 2 320830 2 320684 2
    341221 2 341225 2 341623 1.5 340323 1 341322 1 411627 1.5 411524 1 411526 1
    511321 1.5 510722 1 421281 1 360121 1 370827 1 430124 1 520221 0.8 330281 0.5 310115 0.5
"""))
_EARLIEST_BIRTH = date(1966, 1, 1)  # 60 on the reference date
_GB11643_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)

# Share of the register by whole years of age: few fresh graduates, most in their
# thirties and forties, thinner near retirement.
_AGES = _Weighted((age, 2 + (age - 20) * 0.5 if age < 25 else 4.5 if age <= 45 else 4.2 if age <= 55 else 3.5)
                  for age in range(20, 61))
_EDUCATIONS = _Weighted(_pairs(
    "初中及以下 8 高中 12 中专 20 技工学校 18 高职（专科） 17 大专 12 本科 11 硕士研究生 2"))
_GRADUATE = ("本科", "硕士研究生")
# Age at leaving school: the earliest hire, and two years before it the earliest certificate
# (schools certify their leavers) — never before 16.
_SCHOOL_LEAVING_AGE = {"初中及以下": 18, "高中": 18, "中专": 18, "技工学校": 19, "高职（专科）": 21,
                       "大专": 21, "本科": 22, "硕士研究生": 25}
_CERTIFICATE_MIN_AGE = 16
_SAFETY_LICENCE_MIN_AGE = 18

_PHONE_PREFIXES = ("130 131 132 133 135 136 137 138 139 150 151 152 153 155 156 157 158 159 "
                   "170 173 177 180 181 182 183 185 186 187 188 189 191 199").split()

_LEFT_SHARE = 0.11  # of those not retired
_TEAM_LEADER_SHARE = 0.14  # of frontline workers at 中级工 or above
_TEAM_LEADER_BONUS = 600
# Monthly wage band in yuan by level (学徒工 … 首席技师).
_WAGE_BANDS = ((4500, 5600), (5000, 6600), (6000, 7800), (7200, 9500), (8800, 11500),
               (10500, 13500), (12500, 15000), (14000, 16000))

# ── certificates ──────────────────────────────────────────────────────────────────────

# The level a worker finally reaches, 学徒工 (no certificate) … 首席技师.
_RANKS = _Weighted(enumerate((22, 24, 26, 18, 7, 2.5, 0.3, 0.1)))
_FULL_HISTORY = 0.78  # others entered the ladder above 初级 or lost the early certificates
_MIN_STEP_DAYS = 2 * YEAR_DAYS
_MAX_STEP_DAYS = 8 * YEAR_DAYS
# 职业技能等级证书 replaced 职业资格证书 for skill levels from 2020; 特级/首席技师 exist
# only since the 2022 八级工 reform.
_SKILL_LEVEL_FROM = date(2020, 1, 1)
_NEW_RANKS_FROM = date(2022, 5, 1)
_REVOKED_SHARE = 0.01
_REVOKE_REASONS = ("经核查，证书系以虚假材料取得，依规撤销", "评价机构违规评价，证书予以撤销", "本人申请注销")

# Issuers: name, 6-digit region, 6-digit evaluation-organisation number in 等级证书 numbers.
_QUALIFICATION_ISSUERS = _Weighted([
    (("常州市职业技能鉴定指导中心", "0016"), 50), (("江苏省职业技能鉴定指导中心", "0001"), 30),
    (("江苏省机械行业职业技能鉴定站", "0107"), 15), (("人力资源和社会保障部职业技能鉴定中心", "0000"), 5),
])
_SOCIAL_ISSUERS = _Weighted([
    (("常州市职业技能鉴定指导中心", "320400", "000016"), 40),
    (("江苏省机械工业职业技能鉴定中心", "320000", "000107"), 35),
    (("常州市机械冶金行业协会", "320400", "000231"), 25),
])
_SCHOOL_ISSUERS = _Weighted([
    (("常州机电职业技术学院", "320400", "000452"), 50), (("江苏省常州技师学院", "320400", "000318"), 50),
])
_ENTERPRISE_EVALUATOR = (_CITY_REGION, "001287")
_SCHOOL_ROUTE_AGE = 23  # certificates earned at school, before joining
_ROUTES_AT_WORK = _Weighted(_pairs("企业自主评价 60 社会化评价 37 竞赛晋升 3"))

_SAFETY_LICENCE_ISSUER = "江苏省应急管理厅"
_SAFETY_LICENCE_YEARS, _SAFETY_REVIEW_YEARS = 6, 3
# Share of holders of each trade with a 特种作业操作证, and the work it covers.
_SAFETY_LICENCES = {
    "焊工": (0.35, _Weighted(_pairs("熔化焊接与热切割作业 9 压力焊作业 1"))),
    "电工": (0.5, _Weighted(_pairs("低压电工作业 8 高压电工作业 2"))),
    "维修电工": (0.5, _Weighted(_pairs("低压电工作业 7 高压电工作业 3"))),
}
_OTHER_SAFETY_LICENCES = (0.01, _Weighted(_pairs("高处作业 6 制冷与空调作业 4")))
# Some licences run out within a month of the reference date, so reminders show something.
_EXPIRING_SOON_SHARE = 0.06
_EXPIRING_SOON_DAYS = 30

_SPECIAL_ABILITY_SHARE = 0.03
_SPECIAL_ABILITIES = {
    "车工": "普通车床操作", "数控车工": "数控车床编程与操作", "铣工": "数控铣床操作",
    "加工中心操作工": "多轴加工编程", "焊工": "二氧化碳气体保护焊", "电工": "电气控制线路安装",
    "维修电工": "PLC 控制系统安装与调试", "检验员": "三坐标测量", "叉车司机": "物流仓储设备操作",
}
_GENERAL_SPECIAL_ABILITY = "工业机器人操作与运维"
_SPECIAL_ABILITY_ISSUER = "常州市职业技能鉴定指导中心"

# ── honours and competitions ──────────────────────────────────────────────────────────


@dataclass(frozen=True)
class _HonourKind:
    title: str
    level: str
    body: str
    reward: int | None
    min_rank: int
    weight: float


_HONOURS = (
    _HonourKind("中华技能大奖", "国家", "人力资源和社会保障部", None, 5, 1),
    _HonourKind("全国技术能手", "国家", "人力资源和社会保障部", None, 4, 3),
    _HonourKind("全国五一劳动奖章", "国家", "中华全国总工会", None, 4, 1),
    _HonourKind(f"{PROVINCE}技术能手", "省", f"{PROVINCE}人力资源和社会保障厅", 5000, 3, 8),
    _HonourKind("有突出贡献的技师", "省", f"{PROVINCE}人民政府", 10000, 4, 3),
    _HonourKind(f"{PROVINCE}五一劳动奖章", "省", f"{PROVINCE}总工会", None, 3, 3),
    _HonourKind(f"{CITY}技术能手", "市", f"{CITY}人力资源和社会保障局", 2000, 2, 15),
    _HonourKind(f"{CITY}首席技师", "市", f"{CITY}人力资源和社会保障局", 10000, 4, 4),
    _HonourKind(f"{CITY}劳动模范", "市", f"{CITY}人民政府", 3000, 2, 4),
    _HonourKind("机械工业优秀技能人才", "行业", "中国机械工业联合会", None, 2, 4),
    _HonourKind("优秀技能人才", "企业", "", 1000, 1, 20),  # awarded by the enterprise itself
)
# Chance of honours by level: the higher, the likelier.
_HONOUR_SHARE = (0, 0.003, 0.006, 0.012, 0.05, 0.18, 0.5, 0.8)
_SECOND_HONOUR_MIN_RANK = 5


@dataclass(frozen=True)
class _CompetitionKind:
    level: str
    category: str | None
    name: str  # format with year, occupation, enterprise
    organiser: str


_COMPETITIONS = _Weighted([
    (_CompetitionKind("国家级", "一类", "{year}年全国职业技能大赛（{occupation}）", "人力资源和社会保障部"), 3),
    (_CompetitionKind("行业", "二类", "{year}年全国机械行业职业技能竞赛（{occupation}）", "中国机械工业联合会"), 10),
    (_CompetitionKind("省级", "一类", f"{{year}}年{PROVINCE}职业技能大赛（{{occupation}}）",
                      f"{PROVINCE}人力资源和社会保障厅"), 12),
    (_CompetitionKind("市级", "一类", f"{{year}}年{CITY}职业技能大赛（{{occupation}}）",
                      f"{CITY}人力资源和社会保障局"), 15),
    (_CompetitionKind("市级", "二类", f"{{year}}年{CITY}职工职业技能竞赛（{{occupation}}）", f"{CITY}总工会"), 15),
    (_CompetitionKind("企业", None, "{year}年{enterprise}职工技能比武（{occupation}）", "{enterprise}工会"), 45),
])
# Only government first-class contests earn a level promotion (seed 003 §6).
_PROMOTING_COMPETITIONS = _Weighted(
    (kind, weight) for kind, weight in zip(_COMPETITIONS.items, (3, 0, 12, 15, 0, 0)))
_COMPETITION_SHARE = (0.004, 0.015, 0.03, 0.04, 0.04, 0.03, 0.02, 0.02)
_RESULTS = _Weighted(_pairs("一等奖 10 二等奖 20 三等奖 30 优秀奖 40"))
_PROMOTING_RESULTS = _Weighted(_pairs("一等奖 7 二等奖 3"))
# 师徒结对: about 1.5 % of the workers are apprentices of a master at 高级工 or above.
_PAIRING_SHARE = 0.015
_MASTER_MIN_RANK = 3
_MAX_APPRENTICES = 3
_APPRENTICE_MAX_AGE = 40
_NEW_APPRENTICESHIP_SHARE = 0.2  # 企业新型学徒制 with the city's technician college
_PARTNER = "市技师学院"
_ENDED_SHARE = 0.12  # 已出师 or 终止
_OVERDUE_ASSESSMENT_SHARE = 0.12  # the last assessment not held
_ASSESSMENT_MONTHS = 3
_ASSESSMENT_RESULTS = _Weighted(_pairs("优秀 20 良好 40 合格 35 不合格 5"))
_ASSESSMENT_CONTENTS = ("岗位操作技能阶段考核", "安全操作规程与理论知识考核", "实操项目考核", "工艺文件识读与质量检验考核")
_TERMINATION_REASONS = ("徒弟调岗", "师傅调岗", "徒弟离职前协商终止", "培养方向调整")
_PAIRING_LOOKBACK_YEARS = 4
_SAME_DEPARTMENT_TRIES = 8

_PRIZES = {"一等奖": Decimal("2000.00"), "二等奖": Decimal("1000.00"), "三等奖": Decimal("500.00"), "优秀奖": None}

# ── dates ─────────────────────────────────────────────────────────────────────────────


def _add_months(day: date, months: int) -> date:
    years, month0 = divmod(day.month - 1 + months, 12)
    year, month = day.year + years, month0 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _retirement_date(birth: date, female: bool, staff: bool) -> date:
    """Statutory retirement, with the gradual delay in force since 2025-01-01: one month
    per four months of birth cohort (per two for women retiring at 50), capped at 3 and
    5 years."""
    base_age, first_cohort, months_per_step, cap = (
        (60, 1965, 4, 36) if not female else (55, 1970, 4, 36) if staff else (50, 1975, 2, 60)
    )
    cohort_months = (birth.year - first_cohort) * 12 + birth.month - 1
    delay = min(cap, cohort_months // months_per_step + 1) if cohort_months >= 0 else 0
    return _add_months(birth, base_age * 12 + delay)


def _money(cents: int) -> Decimal:
    return Decimal(cents).scaleb(-2)


# ── generation ────────────────────────────────────────────────────────────────────────


@dataclass
class _Person:
    """One worker's rows before the worker has an id."""

    worker: dict
    contracts: list[dict] = field(default_factory=list)
    certificates: list[dict] = field(default_factory=list)
    honours: list[dict] = field(default_factory=list)
    # (row, number of the certificate the entry promoted to, or None)
    competitions: list[tuple[dict, str | None]] = field(default_factory=list)


def _certificate_row(kind: str, occupation_id: int | None, number: str, issuing_body: str,
                     issued: date, **extra) -> dict:
    # executemany needs the same keys in every row
    row = {"kind": kind, "occupation_id": occupation_id, "level_rank": None, "number": number,
           "issuing_body": issuing_body, "evaluation_route": None, "issue_date": issued,
           "expiry_date": None, "review_date": None, "revoked": False, "revoked_on": None,
           "revoke_reason": None, "notes": None}
    row.update(extra)
    return row


class _Generator:
    def __init__(self, rng: random.Random, enterprise_name: str,
                 department_ids: dict[str, int], occupation_ids: dict[str, int]):
        self.rng = rng
        self.enterprise_name = enterprise_name
        self.department_ids = department_ids
        self.occupation_ids = occupation_ids
        self.trade_names = {oid: name for name, oid in occupation_ids.items()}
        self.departments = _Weighted((d, d.share) for d in _DEPARTMENTS)
        self.graduate_departments = _Weighted((d, d.graduate_share) for d in _DEPARTMENTS)
        self.all_trades = [name for name, _, _ in _OCCUPATIONS]
        self.used_id_numbers: set[str] = set()
        self.used_certificate_numbers: set[str] = set()
        self.initials: dict[str, str] = {}
        # Workers in post who could be paired, by worker number (index): masters with the
        # date they reached 高级工; apprentices by department.
        self.masters: list[tuple] = []
        self.apprentices: dict[str, list[tuple]] = {}

    def _between(self, first: date, last: date) -> date:
        return date.fromordinal(self.rng.randint(first.toordinal(), last.toordinal()))

    def _unique(self, used: set[str], make: Callable[[], str]) -> str:
        while (value := make()) in used:
            pass
        used.add(value)
        return value

    # — the worker —

    def person(self, index: int) -> _Person:
        rng = self.rng
        education = _EDUCATIONS.pick(rng)
        department = (self.graduate_departments if education in _GRADUATE else self.departments).pick(rng)
        female = rng.random() < department.female_share
        leaving_age = _SCHOOL_LEAVING_AGE[education]
        birth = self._birth(leaving_age)
        id_type, id_number = self._identity(birth, female)
        name = self._name(female)
        trade = self._trade(department)

        retirement = _retirement_date(birth, female, department.office)
        retired = retirement <= REF
        last_day = retirement if retired else REF
        earliest_hire = add_years(birth, leaving_age)
        # Skewed early: a state-owned plant keeps people for decades.
        span = (last_day - timedelta(days=60) - earliest_hire).days
        hire = earliest_hire + timedelta(days=int(span * rng.random() ** 1.4))
        if retired:
            status, leave = STATUS_RETIRED, retirement
        elif (REF - hire).days > 120 and rng.random() < _LEFT_SHARE:
            # most who leave do so in their first years
            status = STATUS_LEFT
            leave = hire + timedelta(days=90 + int(((REF - hire).days - 91) * rng.random() ** 2))
        else:
            status, leave = STATUS_ACTIVE, None
        end = leave or REF

        occupation_id = self.occupation_ids[trade] if trade else None
        person = _Person(worker={})
        rank = self._level_certificates(person, _RANKS.pick(rng) if trade else 0, occupation_id,
                                        birth, education, hire, end)
        leader = department.frontline and rank >= 2 and rng.random() < _TEAM_LEADER_SHARE
        low, high = _WAGE_BANDS[rank]
        wage = _money(rng.randrange(low * 100, high * 100) + (_TEAM_LEADER_BONUS * 100 if leader else 0))
        if leader:
            post = "班组长"
        elif trade:
            post = _POSTS[trade]
        else:
            post = rng.choice(department.office_posts)
        if name not in self.initials:
            self.initials[name] = name_initials(name)
        person.worker = {
            "employee_no": f"A{index:05d}", "name": name, "name_initials": self.initials[name],
            "id_type": id_type, "id_number": id_number, "gender": "女" if female else "男",
            "birth_date": birth, "education": education,
            "department_id": self.department_ids[department.name], "post": post,
            "occupation_id": occupation_id, "is_frontline": department.frontline,
            "is_team_leader": leader, "hire_date": hire, "leave_date": leave,
            "monthly_wage": wage, "phone": rng.choice(_PHONE_PREFIXES) + f"{rng.randrange(10 ** 8):08d}",
            "status": status, "notes": None,
        }
        person.contracts = self._contracts(hire, end)
        if status == STATUS_ACTIVE and trade:
            self._note_pairing_candidate(index, person, department.name, birth, hire, rank, occupation_id)
        if trade:
            self._safety_licence(person, trade, occupation_id, birth, id_number, end)
            self._special_ability(person, trade, occupation_id, birth, end)
            self._competitions(person, rank, trade, occupation_id, birth, hire, end)
        self._honours(person, rank, hire, end)
        return person

    def _note_pairing_candidate(self, index: int, person: _Person, department: str, birth: date, hire: date,
                                rank: int, occupation_id: int | None) -> None:
        held = [c for c in person.certificates if c["level_rank"] and not c["revoked"]]
        rank = max((c["level_rank"] for c in held), default=0)
        if rank >= _MASTER_MIN_RANK:
            reached = min(c["issue_date"] for c in held if c["level_rank"] >= _MASTER_MIN_RANK)
            self.masters.append((index, person.worker["name"], department, birth, max(hire, reached), rank,
                                 occupation_id))
        elif add_years(birth, _APPRENTICE_MAX_AGE) > REF:
            newest = max(held, key=lambda c: c["issue_date"], default=None)
            self.apprentices.setdefault(department, []).append(
                (index, birth, hire, rank, newest["number"] if newest else None, newest["issue_date"] if newest else None))

    def pairings(self, workers: int) -> list[tuple[dict, list[dict], str | None]]:
        """师徒结对 among the workers noted: (pairing row with worker numbers for ids, its
        assessments, the number of the apprentice's certificate for 已出师 or None).

        A master takes at most _MAX_APPRENTICES, an apprentice one master; the apprentice is
        younger, holds a lower level, and comes from the master's department when one there
        fits. Both are in post from the start date, on which the master is 高级工 or above."""
        rng = self.rng
        wanted = round(workers * _PAIRING_SHARE)
        if not self.masters or not wanted:
            return []
        taken: dict[int, int] = {}
        used: set[int] = set()
        everyone = [a for department in self.apprentices.values() for a in department]
        found = []
        earliest = add_years(REF, -_PAIRING_LOOKBACK_YEARS)
        for _ in range(wanted * 3):
            if len(found) >= wanted:
                break
            master = self.masters[rng.randrange(len(self.masters))]
            m_index, m_name, department, m_birth, qualified, m_rank, occupation_id = master
            if taken.get(m_index, 0) >= _MAX_APPRENTICES:
                continue
            apprentice = None
            pool = self.apprentices.get(department, [])
            for tries, source in ((_SAME_DEPARTMENT_TRIES, pool), (_SAME_DEPARTMENT_TRIES, everyone)):
                for _ in range(tries if source else 0):
                    candidate = source[rng.randrange(len(source))]
                    if candidate[0] not in used and candidate[1] > m_birth and candidate[3] < m_rank:
                        apprentice = candidate
                        break
                if apprentice:
                    break
            if apprentice is None:
                continue
            a_index, _a_birth, a_hire, a_rank, a_number, a_issued = apprentice
            low = max(earliest, qualified, a_hire)
            high = REF - timedelta(days=20)
            if low >= high:
                continue
            pairing = self._pairing(m_index, m_name, a_index, a_rank, m_rank, occupation_id, low, high,
                                    a_number, a_issued, len(found) + 1)
            if pairing is None:
                continue
            found.append(pairing)
            used.add(a_index)
            taken[m_index] = taken.get(m_index, 0) + 1
        return found

    def _pairing(self, master: int, master_name: str, apprentice: int, a_rank: int, m_rank: int,
                 occupation_id: int | None, low: date, high: date, a_number: str | None, a_issued: date | None,
                 serial: int):
        rng = self.rng
        new_kind = rng.random() < _NEW_APPRENTICESHIP_SHARE
        years = rng.randint(1, 3) if new_kind else rng.choice((1, 2))
        ended = rng.random() < _ENDED_SHARE
        if ended:
            start = self._between(low, max(low, high - timedelta(days=240)))
        else:
            # still 在培: the planned end lies ahead (a few within the next month)
            start = self._between(max(low, add_years(REF, -years) + DAY), high) if add_years(REF, -years) + DAY <= high \
                else None
            if start is None:
                return None
        planned_end = add_years(start, years)
        status, ended_on, outcome, notes = "在培", None, None, None
        if ended:
            last = min(planned_end, REF - DAY)
            if a_issued is not None and start <= a_issued <= last:
                status, ended_on, outcome = "已出师", max(a_issued, start + timedelta(days=60)), a_number
                if ended_on > last:
                    status, outcome = "终止", None
            if status != "已出师":
                status = "终止"
                ended_on = self._between(min(start + timedelta(days=90), last), last)
                notes = f"终止原因：{rng.choice(_TERMINATION_REASONS)}"
        row = {
            "master_id": master, "apprentice_id": apprentice, "occupation_id": occupation_id,
            "kind": "企业新型学徒制" if new_kind else "企业师带徒", "partner": _PARTNER if new_kind else None,
            "start_date": start, "planned_end": planned_end, "target_level": min(a_rank + 1, m_rank),
            "agreement_no": f"{'XT' if new_kind else 'SD'}{start.year}-{serial:04d}", "status": status,
            "ended_on": ended_on, "outcome_certificate_id": None, "override_reason": None, "notes": notes,
        }
        # every ~3 months, each held a little before the next falls due
        until = ended_on or REF
        assessments, on = [], start
        while True:
            on = _add_months(on, _ASSESSMENT_MONTHS) - timedelta(days=rng.randint(0, 10))
            if on > until:
                break
            assessments.append({"assessed_on": on, "content": rng.choice(_ASSESSMENT_CONTENTS),
                                "result": _ASSESSMENT_RESULTS.pick(rng), "assessor": master_name})
        if status == "在培" and assessments and rng.random() < _OVERDUE_ASSESSMENT_SHARE:
            assessments.pop()
        return row, assessments, outcome

    def _birth(self, leaving_age: int) -> date:
        while (age := _AGES.pick(self.rng)) <= leaving_age:
            pass  # too young to have left school and been hired
        latest = add_years(REF, -age)
        earliest = max(add_years(REF, -age - 1) + DAY, _EARLIEST_BIRTH)
        return self._between(earliest, latest)

    def _identity(self, birth: date, female: bool) -> tuple[str, str]:
        rng = self.rng
        hmt = rng.random() < _HMT_SHARE
        area = rng.choice(_HMT_PREFIXES) if hmt else _BIRTH_AREAS.pick(rng)
        born = f"{birth.year:04d}{birth.month:02d}{birth.day:02d}"

        def make() -> str:
            # the 17th digit is odd for men, even for women
            first17 = f"{area}{born}{rng.randrange(100):02d}{rng.randrange(0 if female else 1, 10, 2)}"
            total = sum(int(c) * w for c, w in zip(first17, _GB11643_WEIGHTS))
            return first17 + "10X98765432"[total % 11]

        return (ID_TYPE_HMT if hmt else ID_TYPE_RESIDENT), self._unique(self.used_id_numbers, make)

    def _name(self, female: bool) -> str:
        rng = self.rng
        chars = _FEMALE_CHARS if female else _MALE_CHARS
        given = rng.choice(chars)
        if rng.random() < _TWO_CHAR_GIVEN_NAME:
            given = rng.choice(chars + _LEADING_CHARS) + given
        return _SURNAMES.pick(rng) + given

    def _trade(self, department: _Department) -> str | None:
        if department.occupations is None:
            return None
        if self.rng.random() < _OFF_DEPARTMENT_OCCUPATION:
            return self.rng.choice(self.all_trades)
        return department.occupations.pick(self.rng)

    def _contracts(self, hire: date, end: date) -> list[dict]:
        """A fixed term from the hire date; a renewal is fixed again only if it still runs
        on the last day of service, otherwise the worker has earned an open-ended one."""
        rng = self.rng
        first_end = add_years(hire, rng.choice((3, 5))) - DAY
        contracts = [{"start_date": hire, "end_date": first_end}]
        if first_end < end:
            start = first_end + DAY
            renewal_end = add_years(start, rng.choice((3, 5))) - DAY
            contracts.append({"start_date": start, "end_date": renewal_end if renewal_end >= end else None})
        return contracts

    # — certificates —

    def _level_certificates(self, person: _Person, rank: int, occupation_id: int | None,
                            birth: date, education: str, hire: date, end: date) -> int:
        """Adds the worker's ladder of level certificates; returns the rank reached, which is
        lower than drawn when the worker is too young for that many steps."""
        if rank == 0:
            return 0
        rng = self.rng
        earliest = add_years(birth, max(_CERTIFICATE_MIN_AGE, _SCHOOL_LEAVING_AGE[education] - 2))
        first = 1 if rng.random() < _FULL_HISTORY else rng.randint(1, rank)
        while rank:
            ladder = list(range(min(first, rank), rank + 1))
            # earliest possible date of each step, then draw backwards from the last one
            lows: list[date] = []
            for step in ladder:
                low = max(earliest, _NEW_RANKS_FROM) if step >= SPECIAL else earliest
                if lows:
                    low = max(low, lows[-1] + timedelta(days=_MIN_STEP_DAYS))
                lows.append(low)
            if lows[-1] <= end:
                break
            rank -= 1
        else:
            return 0
        dates = [self._between(lows[-1], end)]
        for low in reversed(lows[:-1]):
            after = dates[-1]
            dates.append(self._between(max(low, after - timedelta(days=_MAX_STEP_DAYS)),
                                       after - timedelta(days=_MIN_STEP_DAYS)))
        dates.reverse()
        for step, issued in zip(ladder, dates):
            person.certificates.append(self._level_certificate(person, step, occupation_id, issued, birth, hire, end))
        return rank

    def _level_certificate(self, person: _Person, rank: int, occupation_id: int | None, issued: date,
                           birth: date, hire: date, end: date) -> dict:
        rng = self.rng
        yy = f"{issued.year % 100:02d}"
        if issued < _SKILL_LEVEL_FROM:
            issuer, station = _QUALIFICATION_ISSUERS.pick(rng)
            kind, route = KIND_QUALIFICATION, "社会化评价"
            # year, province, city, station, level digit (11th), serial
            number = self._unique(self.used_certificate_numbers,
                                  lambda: f"{yy}3204{station}{6 - rank}{rng.randrange(10 ** 5):05d}")
        else:
            kind = KIND_SKILL_LEVEL
            route = self._route(rank, issued, birth, hire)
            if route == "企业自主评价":
                prefix, (issuer, region, org) = "Y", (self.enterprise_name, *_ENTERPRISE_EVALUATOR)
            else:
                prefix = "S"
                issuer, region, org = (_SCHOOL_ISSUERS if route == "院校评价" else _SOCIAL_ISSUERS).pick(rng)
            # 特级/首席技师 numbers carry no national level digit
            level = 6 - rank if rank < SPECIAL else rng.randrange(10)
            # kind letter, region, organisation, year, level digit (16th), serial
            number = self._unique(self.used_certificate_numbers,
                                  lambda: f"{prefix}{region}{org}{yy}{level}{rng.randrange(10 ** 6):06d}")
            if route == "竞赛晋升":
                self._promoting_competition(person, occupation_id, issued, number)
        revoked = rng.random() < _REVOKED_SHARE and (end - issued).days > 60
        return _certificate_row(
            kind, occupation_id, number, issuer, issued, level_rank=rank, evaluation_route=route,
            revoked=revoked, revoked_on=self._between(issued + timedelta(days=30), end) if revoked else None,
            revoke_reason=rng.choice(_REVOKE_REASONS) if revoked else None)

    def _route(self, rank: int, issued: date, birth: date, hire: date) -> str:
        if rank >= SPECIAL:
            return "企业自主评价"  # the 八级工 top ranks are evaluated by the employer
        if issued < hire and issued < add_years(birth, _SCHOOL_ROUTE_AGE):
            return "院校评价" if self.rng.random() < 0.5 else "社会化评价"
        route = _ROUTES_AT_WORK.pick(self.rng)
        # a promotion needs a contest entered while employed, and a level to move up from
        if route == "竞赛晋升" and (rank < 2 or issued - hire < timedelta(days=150)):
            return "企业自主评价"
        return route

    def _safety_licence(self, person: _Person, trade: str, occupation_id: int | None, birth: date,
                        id_number: str, end: date) -> None:
        rng = self.rng
        share, works = _SAFETY_LICENCES.get(trade, _OTHER_SAFETY_LICENCES)
        if rng.random() >= share:
            return
        earliest = add_years(birth, _SAFETY_LICENCE_MIN_AGE)
        if end == REF and rng.random() < _EXPIRING_SOON_SHARE:
            expiry = REF + timedelta(days=rng.randint(0, _EXPIRING_SOON_DAYS))
            issued = add_years(expiry, -_SAFETY_LICENCE_YEARS)
        else:
            issued = self._between(end - timedelta(days=_SAFETY_LICENCE_YEARS * YEAR_DAYS - 1), end)
        issued = max(issued, earliest)
        review = add_years(issued, _SAFETY_REVIEW_YEARS)
        # A review already past was (nearly always) held: then the next date that matters
        # is the expiry. A few stay overdue, as in any real register.
        if review < end and rng.random() >= _OVERDUE_REVIEW_SHARE:
            review = None
        person.certificates.append(_certificate_row(
            KIND_SAFETY_LICENCE, occupation_id,
            # the licence number is the holder's ID number after a T
            "T" + id_number, _SAFETY_LICENCE_ISSUER, issued,
            expiry_date=add_years(issued, _SAFETY_LICENCE_YEARS),
            review_date=review,
            notes=f"作业类别：{works.pick(rng)}"))

    def _special_ability(self, person: _Person, trade: str, occupation_id: int | None,
                         birth: date, end: date) -> None:
        rng = self.rng
        if rng.random() >= _SPECIAL_ABILITY_SHARE:
            return
        issued = self._between(add_years(birth, _CERTIFICATE_MIN_AGE + 2), end)
        number = self._unique(self.used_certificate_numbers,
                              lambda: f"ZX{issued.year}3204{rng.randrange(10 ** 7):07d}")
        person.certificates.append(_certificate_row(
            KIND_SPECIAL_ABILITY, occupation_id, number, _SPECIAL_ABILITY_ISSUER, issued,
            evaluation_route="社会化评价",
            notes=f"专项职业能力：{_SPECIAL_ABILITIES.get(trade, _GENERAL_SPECIAL_ABILITY)}"))

    # — honours and competitions —

    def _honours(self, person: _Person, rank: int, hire: date, end: date) -> None:
        rng = self.rng
        if rng.random() >= _HONOUR_SHARE[rank]:
            return
        kinds = [kind for kind in _HONOURS if kind.min_rank <= rank]
        count = 2 if rank >= _SECOND_HONOUR_MIN_RANK and rng.random() < 0.4 else 1
        for kind in self._sample(kinds, [kind.weight for kind in kinds], count):
            reached = min(c["issue_date"] for c in person.certificates
                          if (c["level_rank"] or 0) >= kind.min_rank)
            first_year = max(reached.year, hire.year)
            person.honours.append({
                "title": kind.title, "level": kind.level, "year": rng.randint(first_year, end.year),
                "awarding_body": kind.body or self.enterprise_name,
                "reward_amount": _money(kind.reward * 100) if kind.reward else None,
            })

    def _sample(self, items: list, weights: list[float], count: int) -> list:
        """`count` distinct items, drawn by weight."""
        chosen: list = []
        while len(chosen) < min(count, len(items)):
            item = self.rng.choices(items, weights)[0]
            if item not in chosen:
                chosen.append(item)
        return chosen

    def _competition_row(self, kind: _CompetitionKind, trade: str, occupation_id: int | None,
                         held: date, result: str) -> dict:
        fill = {"year": held.year, "occupation": trade, "enterprise": self.enterprise_name}
        return {"competition_name": kind.name.format(**fill), "level": kind.level,
                "category": kind.category, "organiser": kind.organiser.format(**fill),
                "held_on": held, "occupation_id": occupation_id, "result": result, "placing": None,
                "prize_amount": _PRIZES[result], "promoted_certificate_id": None}

    def _competitions(self, person: _Person, rank: int, trade: str, occupation_id: int | None,
                      birth: date, hire: date, end: date) -> None:
        rng = self.rng
        if rng.random() >= _COMPETITION_SHARE[rank]:
            return
        held = self._between(max(hire, add_years(birth, 18)), end)
        row = self._competition_row(_COMPETITIONS.pick(rng), trade, occupation_id, held, _RESULTS.pick(rng))
        person.competitions.append((row, None))

    def _promoting_competition(self, person: _Person, occupation_id: int | None, issued: date,
                               certificate_number: str) -> None:
        trade = self.trade_names[occupation_id]
        held = issued - timedelta(days=self.rng.randint(30, 150))
        row = self._competition_row(_PROMOTING_COMPETITIONS.pick(self.rng), trade, occupation_id, held,
                                    _PROMOTING_RESULTS.pick(self.rng))
        person.competitions.append((row, certificate_number))


# ── the database ──────────────────────────────────────────────────────────────────────


def _ensure_enterprise(conn: Connection) -> str:
    """The demo enterprise, unless the clerk already entered their own: theirs is kept."""
    row = conn.execute(select(Enterprise.id, Enterprise.name).order_by(Enterprise.id).limit(1)).first()
    if row is None:
        conn.execute(insert(Enterprise.__table__), [ENTERPRISE])
        return ENTERPRISE_NAME
    if not row.name:
        conn.execute(update(Enterprise.__table__).where(Enterprise.__table__.c.id == row.id)
                     .values(**ENTERPRISE, version=Enterprise.__table__.c.version + 1))
        return ENTERPRISE_NAME
    return row.name


def _ensure_named(conn: Connection, model, rows: Sequence[dict]) -> tuple[dict[str, int], int]:
    """name → id for `rows`, adding those not there yet; also how many were added."""
    table = model.__table__
    existing = dict(conn.execute(select(table.c.name, table.c.id)).all())
    missing = [row for row in rows if row["name"] not in existing]
    if missing:
        conn.execute(insert(table), missing)
    ids = dict(conn.execute(select(table.c.name, table.c.id)).all())
    return {row["name"]: ids[row["name"]] for row in rows}, len(missing)


def _ensure_shortages(conn: Connection, occupation_ids: dict[str, int]) -> None:
    table = OccupationShortage.__table__
    present = set(conn.execute(select(table.c.occupation_id, table.c.year)).all())
    rows = [{"occupation_id": occupation_ids[name], "year": year}
            for name in _SHORTAGE_OCCUPATIONS for year in _SHORTAGE_YEARS
            if (occupation_ids[name], year) not in present]
    if rows:
        conn.execute(insert(table), rows)


def _insert(conn: Connection, model, rows: list[dict]) -> None:
    if rows:
        bulk_insert_dicts(conn, model.__table__, rows)


def _write_chunk(conn: Connection, people: list[_Person]) -> list[int]:
    worker_table = Worker.__table__
    # No RETURNING: SQLite cannot order it for an autoincrement key and SQLAlchemy then
    # inserts row by row. 工号 is unique, so the new ids are read back by it.
    _insert(conn, Worker, [p.worker for p in people])
    numbers = [p.worker["employee_no"] for p in people]
    id_by_number = dict(
        conn.execute(select(worker_table.c.employee_no, worker_table.c.id).where(worker_table.c.employee_no.in_(numbers))).all()
    )
    ids = [id_by_number[number] for number in numbers]
    children: dict[type, list[dict]] = {LaborContract: [], Certificate: [], Honour: []}
    competitions: list[tuple[dict, str | None]] = []
    for worker_id, person in zip(ids, people):
        for model, rows in ((LaborContract, person.contracts), (Certificate, person.certificates),
                            (Honour, person.honours)):
            for row in rows:
                row["worker_id"] = worker_id
            children[model].extend(rows)
        for row, _ in person.competitions:
            row["worker_id"] = worker_id
        competitions.extend(person.competitions)
    for model, rows in children.items():
        _insert(conn, model, rows)
    promoted = [number for _, number in competitions if number]
    if promoted:
        table = Certificate.__table__
        certificate_ids = dict(conn.execute(select(table.c.number, table.c.id)
                                            .where(table.c.number.in_(promoted))).all())
        for row, number in competitions:
            if number:
                row["promoted_certificate_id"] = certificate_ids[number]
    _insert(conn, CompetitionEntry, [row for row, _ in competitions])
    return ids


def _write_pairings(conn: Connection, pairings: list, worker_ids: dict[int, int]) -> int:
    """Pairings (worker numbers turned into ids) and their assessments; returns how many
    assessments. A pairing's id is read back by its unique agreement number."""
    numbers = [outcome for _, _, outcome in pairings if outcome]
    table = Certificate.__table__
    certificate_ids = dict(conn.execute(select(table.c.number, table.c.id).where(table.c.number.in_(numbers))).all()) \
        if numbers else {}
    rows = []
    for row, _, outcome in pairings:
        row["master_id"] = worker_ids[row["master_id"]]
        row["apprentice_id"] = worker_ids[row["apprentice_id"]]
        row["outcome_certificate_id"] = certificate_ids.get(outcome) if outcome else None
        rows.append(row)
    _insert(conn, Apprenticeship, rows)
    pairing_table = Apprenticeship.__table__
    id_by_number = dict(conn.execute(select(pairing_table.c.agreement_no, pairing_table.c.id)).all())
    assessments = []
    for row, found, _ in pairings:
        for assessment in found:
            assessment["apprenticeship_id"] = id_by_number[row["agreement_no"]]
        assessments.extend(found)
    _insert(conn, ApprenticeAssessment, assessments)
    return len(assessments)


def _count(conn: Connection, model) -> int:
    return conn.execute(select(func.count()).select_from(model.__table__)).scalar_one()


def generate_demo(engine: Engine, workers: int, seed: int = 0, *,
                  progress: Callable[[int, int], None] | None = None) -> DemoSummary:
    """Fill an empty register with `workers` demo workers and their records, all in one
    transaction: on any failure nothing is written."""
    if workers < 1:
        raise Refused("演示数据的职工人数至少为 1。")
    rng = random.Random(seed)
    with cyclic_gc_paused(), engine.begin() as conn:
        if _count(conn, Worker):
            raise Refused("该数据库中已有职工记录，演示数据只能生成到没有职工的数据库中（建议新建一个数据库文件），"
                          "数据库未作任何改动。")
        enterprise_name = _ensure_enterprise(conn)
        department_ids, departments = _ensure_named(conn, Department, [{"name": d.name} for d in _DEPARTMENTS])
        occupation_ids, occupations = _ensure_named(
            conn, Occupation, [{"name": name, "code": code} for name, code, _ in _OCCUPATIONS])
        _ensure_shortages(conn, occupation_ids)

        generator = _Generator(rng, enterprise_name, department_ids, occupation_ids)
        totals = {"certificates": 0, "contracts": 0, "honours": 0, "competitions": 0}
        worker_ids: dict[int, int] = {}
        for start in range(0, workers, CHUNK):
            indexes = range(start + 1, min(start + CHUNK, workers) + 1)
            people = [generator.person(index) for index in indexes]
            worker_ids.update(zip(indexes, _write_chunk(conn, people)))
            for person in people:
                totals["certificates"] += len(person.certificates)
                totals["contracts"] += len(person.contracts)
                totals["honours"] += len(person.honours)
                totals["competitions"] += len(person.competitions)
            if progress is not None:
                progress(start + len(people), workers)
        pairings = generator.pairings(workers)
        totals["assessments"] = _write_pairings(conn, pairings, worker_ids)
        totals["pairings"] = len(pairings)
    return DemoSummary(workers=workers, departments=departments, occupations=occupations, **totals)
