"""Checks for identity document numbers, unified social credit codes (USCC)
and vocational certificate numbers as typed or pasted by HR clerks.

Standard library only. python-stdnum is deliberately not used: it validates the
area code against a dated list (rejecting real people whose county code is
newer than their birth year) and refuses real USCCs starting with Y, N or A.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from operator import mul
from datetime import date

ID_TYPE_RESIDENT = "居民身份证"
ID_TYPE_HMT = "港澳台居民居住证"
ID_TYPE_FOREIGN = "外国人永久居留身份证"
ID_TYPE_PASSPORT = "护照"
ID_TYPES = (ID_TYPE_RESIDENT, ID_TYPE_HMT, ID_TYPE_FOREIGN, ID_TYPE_PASSPORT)


class CheckError(ValueError):
    """A user-facing Chinese message; the caller prefixes the field name."""


@dataclass(frozen=True)
class IdInfo:
    id_type: str
    number: str
    gender: str | None
    birth_date: date | None


# Pasted data often carries full-width characters (U+FF01-U+FF5E mirror ASCII),
# ideographic spaces and invisible zero-width characters from Excel or web pages.
_FOLD = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}
_FOLD.update({0x3000: " ", 0x200B: None, 0x200C: None, 0x200D: None, 0xFEFF: None})

_DIGITS = "0123456789"
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK_CHARS = "10X98765432"
_HMT_PREFIXES = ("810000", "820000", "830000")
# Pre-2017 foreign permanent residence cards: ISO 3166 alpha-3 country + 12 digits.
_OLD_FOREIGN = re.compile(r"[A-Z]{3}[0-9]{12}")
_EARLIEST_BIRTH = date(1900, 1, 1)

_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)

_RANK_TITLES = {1: "初级工", 2: "中级工", 3: "高级工", 4: "技师", 5: "高级技师"}
_LEVEL_DIGIT_NAMES = {
    5: "五级/初级工", 4: "四级/中级工", 3: "三级/高级工", 2: "二级/技师", 1: "一级/高级技师",
}
# kind -> (number shape, 1-based position of the level digit). Only national
# formats are listed; local formats vary too much to say anything about them.
_CERT_SHAPES = {
    "职业技能等级证书": (re.compile(r"[YS][0-9]{21}"), 16),
    "职业资格证书": (re.compile(r"[0-9]{16}"), 11),
}


def normalize_id_number(raw: str) -> str:
    """Fold full-width characters to ASCII, drop all whitespace, upper-case."""
    folded = (raw or "").translate(_FOLD)
    # A leading apostrophe is how Excel users force text; copied out it becomes part of the cell.
    return "".join(folded.split()).upper().lstrip("'‘’`")


def infer_id_type(number: str) -> str:
    number = normalize_id_number(number)
    if number[:2] in ("81", "82", "83"):
        return ID_TYPE_HMT
    if len(number) == 18 and number.startswith("9"):
        return ID_TYPE_FOREIGN
    return ID_TYPE_RESIDENT


def check_id_number(id_type: str, raw: str, *, today: date | None = None) -> IdInfo:
    if id_type not in ID_TYPES:
        raise CheckError(f"证件类型“{id_type}”无效，应为：{'、'.join(ID_TYPES)}")
    number = normalize_id_number(raw)
    if not number:
        raise CheckError("不能为空")
    if id_type == ID_TYPE_PASSPORT:
        return IdInfo(id_type, number, None, None)
    if id_type == ID_TYPE_RESIDENT:
        # Rosters often lack a type column, so permits land here as "resident".
        id_type = infer_id_type(number)

    _check_id_shape(id_type, number)
    birth = _check_birth_date(number[6:14], today or date.today())
    expected = _id_check_char(number[:17])
    if number[17] != expected:
        raise CheckError(f"校验码错误，最后一位应为 {expected}")
    return IdInfo(id_type, number, "男" if int(number[16]) % 2 else "女", birth)


def _check_id_shape(id_type: str, number: str) -> None:
    if len(number) == 15:
        if id_type == ID_TYPE_FOREIGN or _OLD_FOREIGN.fullmatch(number):
            raise CheckError("只接受 18 位的外国人永久居留身份证号码，旧版 15 位号码已不再使用")
        if id_type == ID_TYPE_RESIDENT and number.isascii() and number.isdigit():
            raise CheckError("15 位（一代）身份证号码已不再接受，请填写 18 位身份证号码")
    if len(number) != 18:
        raise CheckError(f"长度应为 18 位，当前为 {len(number)} 位")
    for pos, char in enumerate(number[:17], 1):
        if char not in _DIGITS:
            raise CheckError(f"第 {pos} 位“{char}”不是数字，前 17 位只能是数字")
    if number[17] not in _DIGITS + "X":
        raise CheckError(f"最后一位只能是数字或 X，当前为“{number[17]}”")
    # Area codes are not looked up: real numbers carry codes newer than the birth year.
    if id_type == ID_TYPE_RESIDENT and number[0] not in "123456":
        raise CheckError(f"首位应为 1–6（地区码），当前为 {number[0]}")
    if id_type == ID_TYPE_HMT and not number.startswith(_HMT_PREFIXES):
        raise CheckError("港澳台居民居住证号码应以 810000（香港）、820000（澳门）或 830000（台湾）开头")


def _check_birth_date(digits: str, today: date) -> date:
    try:
        born = date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError:
        raise CheckError(f"出生日期（第 7–14 位）{digits} 不是有效日期") from None
    if born < _EARLIEST_BIRTH:
        raise CheckError(f"出生日期（第 7–14 位）{digits} 早于 1900 年")
    if born > today:
        raise CheckError(f"出生日期（第 7–14 位）{digits} 晚于今天")
    return born


def _id_check_char(first17: str) -> str:
    return _ID_CHECK_CHARS[sum(map(mul, map(int, first17), _ID_WEIGHTS)) % 11]


def check_uscc(raw: str) -> str:
    code = normalize_id_number(raw)
    if not code:
        raise CheckError("不能为空")
    if len(code) != 18:
        raise CheckError(f"长度应为 18 位，当前为 {len(code)} 位")
    for pos, char in enumerate(code, 1):
        if char not in _USCC_ALPHABET:
            hint = "（统一社会信用代码不使用 I、O、Z、S、V）" if char in "IOZSV" else ""
            raise CheckError(f"第 {pos} 位含非法字符“{char}”{hint}")
    # The first character is not restricted: real codes start with 9, Y, N, A, ...
    total = sum(_USCC_ALPHABET.index(c) * w for c, w in zip(code, _USCC_WEIGHTS))
    expected = _USCC_ALPHABET[(31 - total % 31) % 31]
    if code[17] != expected:
        raise CheckError(f"校验码错误，最后一位应为 {expected}")
    return code


def cert_number_level_warning(kind: str, number: str, level_rank: int | None) -> str | None:
    """Warn when a nationally formatted certificate number encodes another level.

    Level digit in the number = 6 - rank (1 = 一级/高级技师 ... 5 = 五级/初级工).
    """
    shape = _CERT_SHAPES.get(kind)
    if shape is None or level_rank not in _RANK_TITLES:
        return None
    pattern, pos = shape
    number = normalize_id_number(number)
    if not pattern.fullmatch(number):
        return None
    digit = int(number[pos - 1])
    if digit not in _LEVEL_DIGIT_NAMES or digit == 6 - level_rank:
        return None
    return (f"证书编号第{pos}位为{digit}（{_LEVEL_DIGIT_NAMES[digit]}），"
            f"与所填等级 {_RANK_TITLES[level_rank]} 不符")


def mask_id_number(number: str) -> str:
    number = normalize_id_number(number)
    if len(number) >= 18:
        head, tail = 6, 4
    else:
        # Short numbers (passports): never reveal more than half.
        head = tail = min(2, len(number) // 4)
    return number[:head] + "*" * (len(number) - head - tail) + number[len(number) - tail:]
