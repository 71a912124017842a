"""Demo data: a plausible register of a large state-owned machinery plant, for trying the
program out, for training clerks and for measuring it at 100,000 workers.

Everything is drawn from `random.Random(seed)` and dated relative to
DEMO_REFERENCE_DATE, so a seed gives the same rows on any machine on any day. The
training (programmes 2023–2026, enrolments, the certificates they led to, the training
accounts and the 职工教育经费 years) is drawn from a second stream of the same seed, so the
register is the same with or without it. Rows are written through SQLAlchemy Core in
chunks: ORM objects are several times slower and use far more memory at this size.
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
from app.models import (
    AccountEntry,
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
    TrainingAccount,
    TrainingEnrolment,
    TrainingFundYear,
    TrainingProgramme,
    Worker,
)
from app.models.bulk import bulk_insert, bulk_insert_dicts
from app.services import audit
from app.services.accounts import KIND_CREDIT, KIND_DEBIT
from app.services.apprenticeships import KIND_MENTOR, KIND_NEW_APPRENTICESHIP
from app.services.batch import cyclic_gc_paused
from app.services.dashboard import active_on
from app.services.identity import ID_TYPE_HMT, ID_TYPE_RESIDENT
from app.services.levels import (
    INTERMEDIATE,
    KIND_QUALIFICATION,
    KIND_SAFETY_LICENCE,
    KIND_SKILL_LEVEL,
    KIND_SPECIAL_ABILITY,
    LEVEL_NAMES,
    SENIOR,
    SENIOR_TECHNICIAN,
    SPECIAL,
    TECHNICIAN,
)
from app.services.pinyin import name_initials
from app.services.training_rules import (
    FUNDING_FUND,
    FUNDING_GOVERNMENT,
    FUNDING_PERSONAL,
    HOURS_PER_DAY,
    RESULT_FAIL,
    RESULT_PASS,
)
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
    programmes: int = 0
    enrolments: int = 0
    accounts: int = 0  # 个人培训账户 opened
    account_entries: int = 0
    fund_years: int = 0  # 职工教育经费 years confirmed


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
_NEW_APPRENTICESHIP_SHARE = 0.25  # 企业新型学徒制 with the city's technician college
_NEW_APPRENTICESHIP_FROM = date(2025, 1, 1)
_TECHNICIAN_TRACK_SHARE = 0.4  # of 新型学徒制 pairings whose master is 技师 or above
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

# ── training ──────────────────────────────────────────────────────────────────────────

# The compliance report's rotation window of 2025 reaches back to 2023.
_TRAINING_FROM = date(2023, 1, 1)
_TRAINING_YEARS = (2023, 2024, 2025, 2026)
_TRAINING_LAST = date(_TRAINING_YEARS[-1], 12, 31)
# year, its first and last day, and the day the level is read for it (as the compliance
# report reads it: the year's end, or the reference date in the current year)
_TRAINING_CALENDAR = tuple((year, date(year, 1, 1), date(year, 12, 31), min(date(year, 12, 31), REF))
                           for year in _TRAINING_YEARS)
# Classes of a realistic size whatever the register's size: a course's class serves every
# trade below _CLASSES_BY_TRADE workers, and runs once a year, then every half year,
# quarter or month as the register grows.
_CLASSES_BY_TRADE = 20000
_CLASS_MONTHS = ((1500, 12), (5000, 6), (50000, 3))  # (registers below this size, months apart); else 1
_COLLEGES = ("常州机电职业技术学院", "江苏省常州技师学院")
_TRAINING_SCHOOLS = ("常州市精工职业培训学校", "常州市新北区职业技能培训中心")
_ONLINE_PLATFORM = "江苏省职业技能线上学习平台"
_OWN_CENTRE = None  # the enterprise's own training centre, named after it


@dataclass(frozen=True)
class _Course:
    code: str
    name: str  # format with year and occupation
    form: str
    providers: tuple[str | None, ...]
    days: tuple[int, ...]  # calendar days a class runs
    cost: tuple[int, int]  # yuan per person, drawn per class in steps of 50
    funding: str
    capacity: int
    per_occupation: bool = True
    hours_per_day: int = HOURS_PER_DAY  # online courses: an hour a day
    # In a small register one class serves every trade: its name then.
    general: str | None = None


# 高技能人才 train at least once a year (SPEC §4): most in their trade, the senior ones
# also at the technician college. In-house classes (the enterprise's own trainers) and
# government-paid online ones charge nobody's training account.
_HIGH_SKILLED_COURSES = _Weighted([
    (_Course("H1", "{year}年{occupation}高技能人才技能提升研修班", "企业自办", (_OWN_CENTRE,), (3, 4, 5), (0, 0),
             FUNDING_FUND, 40, general="{year}年高技能人才技能提升研修班"), 40),
    (_Course("H2", "{year}年{occupation}新技术新工艺专题培训", "校企合作", _COLLEGES, (5, 7, 10), (1200, 2600),
             FUNDING_FUND, 30, general="{year}年新技术新工艺专题培训"), 30),
    (_Course("H3", "{year}年智能制造与工业机器人应用培训", "培训机构", _TRAINING_SCHOOLS, (5,), (1500, 2200),
             FUNDING_FUND, 40, per_occupation=False), 12),
    (_Course("H4", "{year}年高技能人才线上研修（{occupation}）", "线上", (_ONLINE_PLATFORM,), (30,), (0, 0),
             FUNDING_GOVERNMENT, 300, hours_per_day=1, general="{year}年高技能人才线上研修"), 15),
])
_TECHNICIAN_COURSE = _Course("H5", "{year}年技师研修班", "院校", ("江苏省常州技师学院",), (10, 15), (2500, 4200),
                             FUNDING_FUND, 35, per_occupation=False)
_TECHNICIAN_COURSE_SHARE = 0.3  # of the yearly trainings of 技师 and above
_HIGH_SKILLED_TRAINED = 0.88  # the others give the compliance report its findings
_SECOND_TRAINING = 0.08
# Other skilled workers are rotated through their trade every few years (SPEC §4).
_ROTATION_COURSES = _Weighted([
    (_Course("R1", "{year}年{occupation}岗位技能轮训", "企业自办", (_OWN_CENTRE,), (2, 3), (0, 0),
             FUNDING_FUND, 50, general="{year}年一线职工岗位技能轮训"), 50),
    (_Course("R2", "{year}年安全生产知识轮训", "企业自办", (_OWN_CENTRE,), (1, 2), (0, 0), FUNDING_FUND, 120,
             per_occupation=False), 30),
    (_Course("R3", "{year}年职业技能提升线上培训（{occupation}）", "线上", (_ONLINE_PLATFORM,), (20,), (0, 0),
             FUNDING_GOVERNMENT, 300, hours_per_day=1, general="{year}年职业技能提升线上培训"), 20),
])
# A worker's turn comes every _ROTATION_YEARS (a few miss it: findings); now and then
# someone is trained out of turn.
_ROTATION_YEARS = 3
_ROTATION_DUE, _ROTATION_EXTRA = 0.85, 0.05
_TEAM_LEADER_COURSE = _Course("L", "{year}年班组长管理能力提升培训", "培训机构", _TRAINING_SCHOOLS, (3,), (1200, 1800),
                              FUNDING_FUND, 40, per_occupation=False)
_TEAM_LEADER_PER_YEAR = 0.25
# The class before a level certificate: sent by the enterprise (paid from the fund), or
# taken at a training school on the worker's own account (个人自行参加).
_PREP_NAME = "{year}年{occupation}{level}职业技能等级认定培训班"
_PREP_FORMS = _Weighted([(("校企合作", _COLLEGES), 35), (("院校", _COLLEGES[1:]), 20),
                         (("培训机构", _TRAINING_SCHOOLS), 25), (("企业自办", (_OWN_CENTRE,)), 20)])
_SELF_PREP_NAME = "{year}年{occupation}{level}考前培训班"
_PREP_DAYS = {1: 10, 2: 15, 3: 20, 4: 25, 5: 30}
_PREP_COST = {1: (800, 1200), 2: (1200, 1800), 3: (1800, 2600), 4: (2600, 3600), 5: (3600, 4800)}
_PREP_CAPACITY = 40
_UNTRAINED_ROUTES = ("竞赛晋升", "院校评价")  # a contest won, or earned at school before joining
_PREP_GAP_DAYS = (7, 45)  # from the class's last day to the certificate's issue
# Share of level certificates (by year of issue, senior or not) a class prepared for.
_PREP_FROM = date(2023, 4, 1)  # so the classes start in 2023
_PREP_SHARE = {True: 0.8, False: 0.3}  # 高级工 and above, the others; 2025–2026
_PREP_SHARE_EARLIER = 0.5  # of that, for 2023–2024
_PREP_SENT = {True: 0.8, False: 0.6}  # of those classes, sent by the enterprise; the others 个人自行参加
_FAIL_SHARE = 0.04
_SHORT_HOURS_SHARE = 0.15
_ENROL_AHEAD = tuple(timedelta(days=days) for days in range(3, 31))  # enrolment before the class starts
# 个人培训账户: a yearly budget by level (yuan), topped up when the year's classes cost
# more, so no charge ever overdraws it.
_BUDGET = {0: 1500, 1: 1500, 2: 1500, 3: 3000, 4: 4000, 5: 5000, 6: 6000, 7: 6000}
_KEY_TALENT_BUDGET = 4000
_BUDGET_STEP = 500
_KEY_TALENT_SHARE = 0.08  # of 在职 workers with a trade, if young and at 中级工 … 高级技师
_KEY_TALENT_MAX_AGE = 45
_SELF_STUDY_BOOKS = ("《{occupation}（{level}）》职业技能等级认定培训教程", "《机械制图与识图》", "《公差配合与技术测量》",
                     "《安全生产法》及本岗位安全操作规程", "《精益生产实务》")
# 职工教育经费 confirmed by the clerk for the closed years; the current year is left open.
_FUND_YEARS = (2023, 2024, 2025)
_FUND_RATES_BP = (150, 200, 250)
_PAYROLL_EXTRAS = (1.15, 1.30)  # bonuses and allowances on top of 月工资 × 12

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
    # _Enrolment tuples; the training account row (or None) and its ledger (_Entry tuples)
    enrolments: list[tuple] = field(default_factory=list)
    account: dict | None = None
    entries: list[tuple] = field(default_factory=list)


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
                 department_ids: dict[str, int], occupation_ids: dict[str, int], training: _Training | None = None):
        self.rng = rng
        self.training = training
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
        self.senior_apprentices: dict[str, list[tuple]] = {}  # young 高级工, for the 技师 track

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
        if self.training is not None:
            self.training.plan(person, hire, end, status == STATUS_ACTIVE, occupation_id, leader, birth)
        return person

    def _note_pairing_candidate(self, index: int, person: _Person, department: str, birth: date, hire: date,
                                rank: int, occupation_id: int | None) -> None:
        held = [c for c in person.certificates if c["level_rank"] and not c["revoked"]]
        rank = max((c["level_rank"] for c in held), default=0)
        young = add_years(birth, _APPRENTICE_MAX_AGE) > REF
        newest = max(held, key=lambda c: c["issue_date"], default=None)
        # The contract in force on the last day: 新型学徒制 wants one running a year past the start.
        contract_end = person.contracts[-1]["end_date"]
        candidate = (index, birth, hire, rank, newest["number"] if newest else None,
                     newest["issue_date"] if newest else None, contract_end)
        if rank >= _MASTER_MIN_RANK:
            reached = min(c["issue_date"] for c in held if c["level_rank"] >= _MASTER_MIN_RANK)
            self.masters.append((index, person.worker["name"], department, birth, max(hire, reached), rank,
                                 occupation_id))
            if rank == SENIOR and young:
                self.senior_apprentices.setdefault(department, []).append(candidate)
        elif young:
            self.apprentices.setdefault(department, []).append(candidate)

    def pairings(self, workers: int) -> list[tuple[dict, list[dict], str | None]]:
        """师徒结对 among the workers noted: (pairing row with worker numbers for ids, its
        assessments, the number of the apprentice's certificate for 已出师 or None).

        A master takes at most _MAX_APPRENTICES, an apprentice one master, and nobody is
        both; the apprentice is younger, holds a lower level, and comes from the master's
        department when one there fits. Both are in post from the start date, on which the
        master is 高级工 or above. Some 企业新型学徒制 pairings of a 技师 or above train a
        young 高级工 towards 技师."""
        rng = self.rng
        wanted = round(workers * _PAIRING_SHARE)
        if not self.masters or not wanted:
            return []
        taken: dict[int, int] = {}
        used: set[int] = set()
        everyone = [a for department in self.apprentices.values() for a in department]
        every_senior = [a for department in self.senior_apprentices.values() for a in department]
        found = []
        earliest = add_years(REF, -_PAIRING_LOOKBACK_YEARS)
        for _ in range(wanted * 3):
            if len(found) >= wanted:
                break
            master = self.masters[rng.randrange(len(self.masters))]
            m_index, m_name, department, m_birth, qualified, m_rank, occupation_id = master
            if taken.get(m_index, 0) >= _MAX_APPRENTICES or m_index in used:
                continue
            new_kind = rng.random() < _NEW_APPRENTICESHIP_SHARE
            if new_kind and m_rank >= TECHNICIAN and rng.random() < _TECHNICIAN_TRACK_SHARE:
                pools = (self.senior_apprentices.get(department, []), every_senior)
            else:
                pools = (self.apprentices.get(department, []), everyone)
            apprentice = None
            for source in pools:
                for _ in range(_SAME_DEPARTMENT_TRIES if source else 0):
                    candidate = source[rng.randrange(len(source))]
                    if candidate[0] not in used and candidate[0] not in taken and candidate[1] > m_birth \
                            and candidate[3] < m_rank:
                        apprentice = candidate
                        break
                if apprentice:
                    break
            if apprentice is None:
                continue
            a_index, _a_birth, a_hire, a_rank, a_number, a_issued, contract_end = apprentice
            low = max(earliest, qualified, a_hire)
            high = REF - timedelta(days=20)
            if low >= high:
                continue
            pairing = self._pairing(m_index, m_name, a_index, a_rank, m_rank, occupation_id, low, high,
                                    a_number, a_issued, len(found) + 1, new_kind, contract_end)
            if pairing is None:
                continue
            found.append(pairing)
            used.add(a_index)
            taken[m_index] = taken.get(m_index, 0) + 1
        return found

    def _pairing(self, master: int, master_name: str, apprentice: int, a_rank: int, m_rank: int,
                 occupation_id: int | None, low: date, high: date, a_number: str | None, a_issued: date | None,
                 serial: int, new_kind: bool, contract_end: date | None):
        rng = self.rng
        # The subsidy for 新型学徒制 (SPEC §4) is recent: the demo's pairings of that kind
        # start in the years a clerk would claim for.
        if new_kind and max(low, _NEW_APPRENTICESHIP_FROM) >= high:
            new_kind = False
        if new_kind:
            low = max(low, _NEW_APPRENTICESHIP_FROM)
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
        if new_kind and contract_end is not None and contract_end < add_years(start, 1):
            new_kind = False  # the apprentice's contract runs out within the year: no 新型学徒制
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
        # 新型学徒制 trains for 中级工 at least (the subsidy is paid by the level aimed at).
        target = min(a_rank + 1, m_rank)
        if new_kind:
            target = max(target, INTERMEDIATE)
        row = {
            "master_id": master, "apprentice_id": apprentice, "occupation_id": occupation_id,
            "kind": KIND_NEW_APPRENTICESHIP if new_kind else KIND_MENTOR, "partner": _PARTNER if new_kind else None,
            "start_date": start, "planned_end": planned_end, "target_level": target,
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


class _Class:
    """One class 班次 of a programme, while workers are put into it."""

    __slots__ = ("capacity", "charge", "done", "end", "hours", "members", "row", "serial", "start")

    def __init__(self, serial: int, row: dict, capacity: int, charge: int):
        self.serial = serial  # its place in _Training.classes, then in the ids read back
        self.row = row
        self.start, self.end, self.hours = row["start_date"], row["end_date"], row["hours"]
        self.capacity = capacity
        self.charge = charge  # what each enrolment costs the worker's account: fund-paid classes only
        self.members = 0
        self.done = self.end <= REF  # a result is recorded; later classes run or lie ahead

    def fits(self, first: date, last: date) -> bool:
        return self.members < self.capacity and first <= self.start and self.end <= last


class _Training:
    """Training classes, enrolments and the training accounts that pay for them.

    Drawn from a random stream of their own, so a seed gives the same workers and
    certificates as before training data existed. Classes are opened as workers need
    them and filled up to a class size. In-house courses cost the accounts nothing (the
    enterprise's own trainers); colleges, schools and certificate classes are charged.
    Runs for every worker of a 100,000-worker demo: draws use random() directly, which
    costs a fraction of randint()."""

    def __init__(self, rng: random.Random, workers: int, enterprise_name: str, trade_names: dict[int, str]):
        self.rng = rng
        self.random = rng.random
        self.centre = f"{enterprise_name}培训中心"
        self.slot_months = next((months for below, months in _CLASS_MONTHS if workers < below), 1)
        self.by_trade = workers >= _CLASSES_BY_TRADE
        self.trade_names = trade_names
        self.classes: list[_Class] = []
        self.open: dict[tuple, _Class] = {}
        self.issues: dict[str, int] = {}  # classes by name and month
        self.programme_ids: list[int] = []  # of the classes written so far
        self.charged: list[tuple] = []  # the charged enrolments of the worker being planned

    def _days(self, low: int, high: int) -> timedelta:
        return timedelta(days=low + int(self.random() * (high - low + 1)))

    def _new_class(self, key: tuple, name: str, form: str, provider: str | None, start: date, days: int, hours: int,
                   cost: tuple[int, int], funding: str, occupation_id: int | None, target_level: int | None,
                   capacity: int) -> _Class:
        # Classes are opened in the order workers are drawn, not by date: a class is told
        # apart by its month (and a count within the month), never by a running 期 number.
        name = f"{name}（{start.month}月"
        number = self.issues[name] = self.issues.get(name, 0) + 1
        low, high = cost
        amount = self.rng.randrange(low, high + 1, 50) if high else 0  # whole yuan: Money takes an int
        row = {"name": f"{name}班）" if number == 1 else f"{name}第{number}班）", "provider": provider or self.centre,
               "form": form, "start_date": start, "end_date": start + timedelta(days=days - 1), "hours": hours,
               "cost_per_person": amount, "funding_source": funding, "occupation_id": occupation_id,
               "target_level": target_level, "notes": None}
        found = _Class(len(self.classes), row, capacity, amount if funding == FUNDING_FUND else 0)
        self.classes.append(found)
        self.open[key] = found
        return found

    def _course_class(self, course: _Course, occupation_id: int | None, year: int, first: date,
                      last: date) -> _Class | None:
        """A class of `course` in `year` held wholly within [first, last], or None."""
        random = self.random
        days = course.days[int(random() * len(course.days))]
        span = (last - first).days - days + 1
        if span < 0:
            return None
        start = first + timedelta(days=int(random() * (span + 1)))
        by_trade = course.per_occupation and self.by_trade
        occupation = occupation_id if by_trade else None
        key = (course.code, occupation, year, (start.month - 1) // self.slot_months)
        current = self.open.get(key)
        if current is not None and current.fits(first, last):
            return current
        name = (course.name if by_trade or course.general is None else course.general).format(
            year=year, occupation=self.trade_names.get(occupation, ""))
        return self._new_class(key, name, course.form, course.providers[int(random() * len(course.providers))], start,
                               days, days * course.hours_per_day, course.cost, course.funding, occupation, None,
                               course.capacity)

    def _prep_class(self, occupation_id: int, rank: int, issued: date, hire: date, sent: bool) -> _Class | None:
        """The class that prepared for a certificate issued on `issued`: one per trade,
        level and month of issue, ending a week to six weeks before that month's
        assessments."""
        key = ("P" if sent else "Q", occupation_id, rank, issued.year, issued.month)
        current = self.open.get(key)
        if current is not None:
            if current.fits(hire, issued):
                return current
            if current.members < current.capacity:
                return None  # hired too late for this month's class
        days = _PREP_DAYS[rank]
        # a full class gets a second one on the same dates
        end = current.end if current is not None else issued.replace(day=1) - self._days(*_PREP_GAP_DAYS)
        start = end - timedelta(days=days - 1)
        if start < hire:
            return None
        if sent:
            form, providers = _PREP_FORMS.pick(self.rng)
            name, funding = _PREP_NAME, FUNDING_FUND
        else:
            form, providers, name, funding = "培训机构", _TRAINING_SCHOOLS, _SELF_PREP_NAME, FUNDING_PERSONAL
        name = name.format(year=start.year, occupation=self.trade_names[occupation_id], level=LEVEL_NAMES[rank])
        return self._new_class(key, name, form, providers[int(self.random() * len(providers))], start, days,
                               days * HOURS_PER_DAY, _PREP_COST[rank], funding, occupation_id, rank, _PREP_CAPACITY)

    def _enrol(self, person: _Person, joined: set[int], found: _Class | None, hire: date,
               certificate: str | None = None, sent: bool = True) -> None:
        if found is None or found.serial in joined:
            return
        joined.add(found.serial)
        random = self.random
        booked = found.start - _ENROL_AHEAD[int(random() * len(_ENROL_AHEAD))]
        enrolled = min(max(booked, hire), REF)
        if not found.done:
            result = attended = completed = None
        else:
            completed, hours, roll = found.end, found.hours, random()
            if roll < _FAIL_SHARE and certificate is None:
                result, attended = RESULT_FAIL, int(hours * (0.5 + 0.35 * random()))
            elif roll < 1 - _SHORT_HOURS_SHARE:
                result, attended = RESULT_PASS, hours
            else:
                result, attended = RESULT_PASS, max(1, int(hours * (0.85 + 0.12 * random())))
            if found.charge:
                self.charged.append((found.start, len(person.enrolments), found.charge, found.row["name"]))
        found.members += 1
        person.enrolments.append((found.serial, enrolled, attended, found.charge, result, completed, certificate, sent))

    def plan(self, person: _Person, hire: date, end: date, active: bool, occupation_id: int | None,
             leader: bool, birth: date) -> None:
        """The worker's classes from 2023 on, the certificates they led to, and the account."""
        if end < _TRAINING_FROM:
            return
        random, enrol = self.random, self._enrol
        levels: list[tuple[date, int]] = []
        joined: set[int] = set()
        self.charged = []
        for c in person.certificates:
            rank = c["level_rank"]
            if not rank or c["revoked"]:
                continue
            issued = c["issue_date"]
            levels.append((issued, rank))
            if occupation_id is None or rank >= SPECIAL or issued < _PREP_FROM \
                    or c["evaluation_route"] in _UNTRAINED_ROUTES:
                continue
            senior = rank >= SENIOR
            if random() < _PREP_SHARE[senior] * (1 if issued.year >= 2025 else _PREP_SHARE_EARLIER):
                sent = random() < _PREP_SENT[senior]
                found = self._prep_class(occupation_id, rank, issued, hire, sent)
                enrol(person, joined, found, hire, c["number"], sent)
        if not levels and not leader:
            return  # 学徒工 and staff: on-the-job training, none the register follows
        # Leavers finish a class before their last day; those in post may be booked ahead.
        horizon = _TRAINING_LAST if active else end - DAY
        rotation = int(random() * _ROTATION_YEARS)  # which year of the cycle is the worker's turn
        for year, year_start, year_end, ranked_on in _TRAINING_CALENDAR:
            first, last = max(year_start, hire), min(year_end, horizon)
            if (last - first).days < 30:
                continue
            rank = 0
            for issued, level in levels:
                if level > rank and issued <= ranked_on:
                    rank = level
            if rank >= SENIOR:
                if random() < _HIGH_SKILLED_TRAINED:
                    for _ in range(2 if random() < _SECOND_TRAINING else 1):
                        course = _TECHNICIAN_COURSE if rank >= TECHNICIAN and random() < _TECHNICIAN_COURSE_SHARE \
                            else _HIGH_SKILLED_COURSES.pick(self.rng)
                        enrol(person, joined, self._course_class(course, occupation_id, year, first, last), hire)
            elif rank and random() < (_ROTATION_DUE if year % _ROTATION_YEARS == rotation else _ROTATION_EXTRA):
                course = _ROTATION_COURSES.pick(self.rng)
                enrol(person, joined, self._course_class(course, occupation_id, year, first, last), hire)
            if leader and random() < _TEAM_LEADER_PER_YEAR:
                enrol(person, joined, self._course_class(_TEAM_LEADER_COURSE, None, year, first, last), hire)
        key_talent = active and occupation_id is not None and random() < _KEY_TALENT_SHARE \
            and self._key_talent(person, occupation_id, levels, birth)
        if self.charged or key_talent:
            self._ledger(person, hire, end, active, levels, key_talent)

    def _key_talent(self, person: _Person, occupation_id: int, levels: list, birth: date) -> bool:
        """Now and then a young worker becomes a 重点培养对象 with a 个性化培养方案."""
        rng = self.rng
        rank = max((r for _, r in levels), default=0)
        if not (INTERMEDIATE <= rank <= SENIOR_TECHNICIAN and add_years(birth, _KEY_TALENT_MAX_AGE) > REF):
            return False
        target = min(rank + (2 if rng.random() < 0.3 else 1), SENIOR_TECHNICIAN + 1)
        trade, level = self.trade_names[occupation_id], LEVEL_NAMES[target]
        books = "、".join(book.format(occupation=trade, level=level) for book in rng.sample(_SELF_STUDY_BOOKS, 3))
        person.account = {
            "key_talent": True, "target_level": target, "target_date": date(REF.year + rng.randint(1, 4), 12, 31),
            "planned_courses": f"{trade}{level}职业技能等级认定培训；{trade}新技术新工艺专题培训",
            "self_study_plan": f"研读{books}；每月完成一项{trade}实操练习并请师傅点评",
            "plan_years": rng.choice((3, 5)),
        }
        return True

    def _ledger(self, person: _Person, hire: date, end: date, active: bool, levels: list, key_talent: bool) -> None:
        """A year's budget is credited to the account when a charged class falls in it
        (every year for a 重点培养对象), and each charge is debited on its class's first
        day, as recording a result does (accounts.charge_enrolment). The credit covers the
        year's charges, so no entry needs an override."""
        charges: dict[int, list[tuple]] = {}
        for charge in self.charged:
            charges.setdefault(charge[0].year, []).append(charge)
        if person.account is None:
            person.account = {"key_talent": False, "target_level": None, "target_date": None,
                              "planned_courses": None, "self_study_plan": None, "plan_years": None}
        years = range(max(hire.year, _TRAINING_FROM.year), REF.year + 1) if key_talent else sorted(charges)
        balance = 0  # whole yuan, as every charge is
        for year in years:
            day = max(date(year, 1, 1), hire)
            if not active and day >= end:
                break
            spent = rank = 0
            for charge in charges.get(year, ()):
                spent += charge[2]
            for issued, level in levels:
                if level > rank and issued <= day:
                    rank = level
            budget = _KEY_TALENT_BUDGET if key_talent else _BUDGET[rank]
            credit = max(budget, -((balance - spent) // _BUDGET_STEP) * _BUDGET_STEP)  # rounded up
            person.entries.append((day, KIND_CREDIT, credit, None, f"{year}年度培训预算"))
            balance += credit - spent
            for on, position, charge, name in sorted(charges.get(year, ())):
                person.entries.append((on, KIND_DEBIT, -charge, position, name))


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


_ENROLMENT_COLUMNS = ("programme_id", "worker_id", "enrolled_on", "hours_attended", "cost_charged", "result",
                      "completed_on", "certificate_id", "sent_by_enterprise")
_ACCOUNT_COLUMNS = ("worker_id", "key_talent", "target_level", "target_date", "planned_courses", "self_study_plan",
                    "plan_years")
_ENTRY_COLUMNS = ("worker_id", "entry_date", "kind", "amount", "enrolment_id", "reason")


def _write_training(conn: Connection, training: _Training, people: list[_Person], worker_ids: list[int]) -> None:
    """The classes opened since the last chunk, then this chunk's enrolments, accounts
    and ledger entries."""
    programme_table = TrainingProgramme.__table__
    new = [c.row for c in training.classes[len(training.programme_ids):]]
    if new:
        # Without RETURNING (see _write_chunk) the new ids are those above the largest
        # before: one transaction writes them in order.
        before = conn.execute(select(func.max(programme_table.c.id))).scalar_one() or 0
        _insert(conn, TrainingProgramme, new)
        ids = conn.execute(select(programme_table.c.id).where(programme_table.c.id > before)
                           .order_by(programme_table.c.id)).scalars().all()
        if len(ids) != len(new):
            raise RuntimeError("培训项目写入后读回的记录数不符")
        training.programme_ids.extend(ids)
    numbers = [e[6] for person in people for e in person.enrolments if e[6]]
    table = Certificate.__table__
    certificate_ids = dict(conn.execute(select(table.c.number, table.c.id).where(table.c.number.in_(numbers))).all()) \
        if numbers else {}
    programme_ids = training.programme_ids
    rows = [(programme_ids[serial], worker_id, enrolled, attended, charge, result, completed,
             certificate_ids[number] if number else None, sent)
            for worker_id, person in zip(worker_ids, people)
            for serial, enrolled, attended, charge, result, completed, number, sent in person.enrolments]
    enrolment_table = TrainingEnrolment.__table__
    before = conn.execute(select(func.max(enrolment_table.c.id))).scalar_one() or 0
    bulk_insert(conn, enrolment_table, _ENROLMENT_COLUMNS, rows)
    holders = [(worker_id, person) for worker_id, person in zip(worker_ids, people) if person.account is not None]
    if not holders:
        return
    bulk_insert(conn, TrainingAccount.__table__, _ACCOUNT_COLUMNS,
                [(worker_id, *(person.account[key] for key in _ACCOUNT_COLUMNS[1:])) for worker_id, person in holders])
    # The ledger points at enrolments: their ids, in the order written (as for the programmes).
    enrolment_ids = conn.execute(select(enrolment_table.c.id).where(enrolment_table.c.id > before)
                                 .order_by(enrolment_table.c.id)).scalars().all()
    if len(enrolment_ids) != len(rows):
        raise RuntimeError("培训报名写入后读回的记录数不符")
    first: dict[int, int] = {}  # worker id → the place of the worker's first enrolment in `rows`
    place = 0
    for worker_id, person in zip(worker_ids, people):
        first[worker_id] = place
        place += len(person.enrolments)
    entries = [(worker_id, on, kind, amount, None if position is None else enrolment_ids[first[worker_id] + position],
                reason)
               for worker_id, person in holders for on, kind, amount, position, reason in person.entries]
    bulk_insert(conn, AccountEntry.__table__, _ENTRY_COLUMNS, entries)


def _write_fund_years(conn: Connection, rng: random.Random) -> int:
    """职工教育经费 of the closed years as a clerk confirms them: 工资总额 from payroll (月工资 of
    those in post at the year's end × 12, plus bonuses), at a rate at or above the floor.
    Years the clerk already entered are kept."""
    table = TrainingFundYear.__table__
    present = set(conn.execute(select(table.c.year)).scalars())
    rows = []
    for year in _FUND_YEARS:
        monthly = conn.execute(select(func.sum(Worker.monthly_wage)).where(active_on(date(year, 12, 31)))).scalar()
        extras = rng.uniform(*_PAYROLL_EXTRAS)
        if year in present or not monthly:
            continue
        payroll = _money(int(monthly * 12 * Decimal(str(round(extras, 3))) / 10000) * 10000 * 100)
        rows.append({"year": year, "payroll_total": payroll, "extraction_rate_bp": rng.choice(_FUND_RATES_BP),
                     "extracted_amount": None, "notes": "工资总额取自年度财务决算（含奖金、津贴、补贴）"})
    if rows:
        conn.execute(insert(table), rows)
    return len(rows)


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
                  progress: Callable[[int, int], None] | None = None, training: bool = True) -> DemoSummary:
    """Fill an empty register with `workers` demo workers and their records, all in one
    transaction: on any failure nothing is written. `training=False` leaves out the
    training programmes, enrolments, accounts and fund years (for tests that build their own)."""
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

        # Its own stream: the register a seed gives does not depend on the training drawn.
        training_rng = random.Random(f"training-{seed}")
        planner = _Training(training_rng, workers, enterprise_name, {i: name for name, i in occupation_ids.items()}) \
            if training else None
        generator = _Generator(rng, enterprise_name, department_ids, occupation_ids, planner)
        totals = {"certificates": 0, "contracts": 0, "honours": 0, "competitions": 0, "enrolments": 0,
                  "accounts": 0, "account_entries": 0}
        worker_ids: dict[int, int] = {}
        for start in range(0, workers, CHUNK):
            indexes = range(start + 1, min(start + CHUNK, workers) + 1)
            people = [generator.person(index) for index in indexes]
            chunk_ids = _write_chunk(conn, people)
            worker_ids.update(zip(indexes, chunk_ids))
            if planner is not None:
                _write_training(conn, planner, people, chunk_ids)
            for person in people:
                totals["certificates"] += len(person.certificates)
                totals["contracts"] += len(person.contracts)
                totals["honours"] += len(person.honours)
                totals["competitions"] += len(person.competitions)
                totals["enrolments"] += len(person.enrolments)
                totals["accounts"] += person.account is not None
                totals["account_entries"] += len(person.entries)
            if progress is not None:
                progress(start + len(people), workers)
        pairings = generator.pairings(workers)
        totals["assessments"] = _write_pairings(conn, pairings, worker_ids)
        totals["pairings"] = len(pairings)
        totals["programmes"] = len(planner.classes) if planner is not None else 0
        totals["fund_years"] = _write_fund_years(conn, training_rng) if planner is not None else 0
        audit.record(
            conn, audit.DEMO, "database", None, "演示数据",
            f"生成演示数据：职工 {workers} 名、证书 {totals['certificates']} 张（随机种子 {seed}）",
            after={"workers": workers, "certificates": totals["certificates"], "seed": seed},
        )
    return DemoSummary(workers=workers, departments=departments, occupations=occupations, **totals)
