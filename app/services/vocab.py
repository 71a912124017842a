"""The closed lists of the register (SPEC §2–§3) and the spellings clerks use for them."""

from __future__ import annotations

import re

from app.services.levels import (
    KIND_QUALIFICATION,
    KIND_SAFETY_LICENCE,
    KIND_SKILL_LEVEL,
    KIND_SPECIAL_ABILITY,
)
from app.services.text import squash

STATUS_ACTIVE, STATUS_LEFT, STATUS_RETIRED = "在职", "离职", "退休"
WORKER_STATUSES = (STATUS_ACTIVE, STATUS_LEFT, STATUS_RETIRED)
GENDERS = ("男", "女")

EDUCATIONS = ("初中及以下", "高中", "中专", "技工学校", "高职（专科）", "大专", "本科", "硕士研究生", "博士研究生")
# The bureau survey's three buckets (SPEC §3).
EDUCATION_BUCKETS = {
    "初中及以下": "高中技校及以下", "高中": "高中技校及以下", "中专": "高中技校及以下",
    "技工学校": "高中技校及以下", "高职（专科）": "高职大专", "大专": "高职大专",
    "本科": "本科及以上", "硕士研究生": "本科及以上", "博士研究生": "本科及以上",
}
_EDUCATION_SYNONYMS = {
    "初中及以下": ["初中", "小学", "初中以下", "文盲", "半文盲", "初中及以下学历"],
    "高中": ["普通高中", "职高", "职业高中", "职中", "高中/中专"],
    "中专": ["中等专科", "中等专业学校", "中专/中技", "中技", "中职", "中专/高中", "中专/技校"],
    "技工学校": ["技校", "技工院校", "高级技工学校", "技师学院"],
    "高职（专科）": ["高职", "专科", "高职专科", "大学专科", "高等职业教育", "高职高专"],
    "大专": ["大学专科及以上", "大专及以上", "大专以上"],
    "本科": ["大学本科", "大学", "学士", "大本", "本科及以上"],
    "硕士研究生": ["硕士", "研究生", "硕士研究生", "研究生及以上"],
    "博士研究生": ["博士"],
}

EVALUATION_ROUTES = ("社会化评价", "企业自主评价", "院校评价", "竞赛晋升", "破格晋升")
_ROUTE_SYNONYMS = {
    "社会化评价": ["社会评价", "社会培训评价组织", "第三方评价", "职业技能鉴定", "鉴定"],
    "企业自主评价": ["企业评价", "企业自评", "自主评价", "企业内部评价"],
    "院校评价": ["学校评价", "院校"],
    "竞赛晋升": ["竞赛", "技能竞赛", "以赛代评", "竞赛晋级"],
    "破格晋升": ["破格", "破格评价"],
}

_KIND_SYNONYMS = {
    KIND_SKILL_LEVEL: ["技能等级证书", "职业技能等级证", "等级证书", "技能等级证"],
    KIND_QUALIFICATION: ["职业资格证", "资格证书", "职业资格", "国家职业资格证书"],
    KIND_SPECIAL_ABILITY: ["专项能力证书", "专项职业能力"],
    KIND_SAFETY_LICENCE: ["特种作业证", "特种作业操作证书", "特种作业"],
}

ENTERPRISE_TYPES = ("国有企业", "集体企业", "民营企业", "私营企业", "个体工商户")
ENTERPRISE_SCALES = ("大", "中", "小")
HONOUR_LEVELS = ("国家", "省", "市", "县区", "行业", "企业")
COMPETITION_RESULTS = ("一等奖", "二等奖", "三等奖", "优秀奖")

_YES = {"是", "y", "yes", "√", "✓", "✔", "1", "true", "对", "有"}
_NO = {"否", "n", "no", "×", "✗", "0", "false", "无", "不是"}


def _lookup(canonical: tuple[str, ...], synonyms: dict[str, list[str]]) -> dict[str, str]:
    table = {squash(name): name for name in canonical}
    for name, spellings in synonyms.items():
        table.update({squash(s): name for s in spellings})
    return table


_EDUCATION = _lookup(EDUCATIONS, _EDUCATION_SYNONYMS)
_ROUTES = _lookup(EVALUATION_ROUTES, _ROUTE_SYNONYMS)
_KINDS = _lookup(
    (KIND_SKILL_LEVEL, KIND_QUALIFICATION, KIND_SPECIAL_ABILITY, KIND_SAFETY_LICENCE), _KIND_SYNONYMS
)


class VocabError(ValueError):
    pass


def _match(table: dict[str, str], raw: str, accepted: tuple[str, ...]) -> str:
    found = table.get(squash(raw))
    if found is None:
        raise VocabError(f"无法识别，应为 {'/'.join(accepted)} 之一")
    return found


_EDUCATION_NOTE = re.compile(r"[（(\[【][^）)\]】]*[）)\]】]")
_EDUCATION_FRAME = re.compile(r"^(全日制|非全日制|在职|函授|自考|成人|网络|夜大|电大)|(学历|毕业|文化|结业|肄业|在读)$")


def parse_education(raw: str) -> str:
    """Exact spellings first; then without a note in brackets (大专（函授）) and without the
    words that frame it (全日制本科, 本科学历)."""
    found = _EDUCATION.get(squash(raw))
    if found is None:
        bare = squash(_EDUCATION_NOTE.sub("", str(raw)))
        for _ in range(2):
            bare = _EDUCATION_FRAME.sub("", bare)
        found = _EDUCATION.get(bare)
    if found is None:
        raise VocabError(f"无法识别，应为 {'/'.join(EDUCATIONS)} 之一")
    return found


def parse_route(raw: str) -> str:
    return _match(_ROUTES, raw, EVALUATION_ROUTES)


def parse_certificate_kind(raw: str) -> str:
    return _match(_KINDS, raw, (KIND_SKILL_LEVEL, KIND_QUALIFICATION, KIND_SPECIAL_ABILITY, KIND_SAFETY_LICENCE))


def parse_yes_no(raw) -> bool:
    """是/否, Y/N, √; a blank cell means no."""
    if raw is None or raw is False:
        return False
    if raw is True:
        return True
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)  # 1 / 0 typed in a number cell arrive as 1.0 / 0.0
    text = squash(str(raw)).lower()
    if not text or text in _NO:
        return False
    if text in _YES:
        return True
    raise VocabError("应填 是/否（也可写 Y/N 或 √，空白为否）")


def parse_gender(raw: str) -> str:
    text = squash(raw)
    if text in ("男", "男性", "m", "M"):
        return "男"
    if text in ("女", "女性", "f", "F"):
        return "女"
    raise VocabError("应为 男 或 女")


def education_bucket(education: str | None) -> str | None:
    return EDUCATION_BUCKETS.get(education) if education else None
