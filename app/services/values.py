"""Cell values as clerks type them → Python values: dates, money, text."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from app.services.text import fold_width

_EXCEL_EPOCH = date(1899, 12, 30)
_FIRST_SERIAL = 3000  # 1908-03-18: smaller numbers in a date column are years or typos
_DATE_RE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*[日号]?(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?$")
_MONTH_RE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?$")
_COMPACT_DATE_RE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_CENT = Decimal("0.01")
# The largest amount taken: whole cents fit a BIGINT (about 9.2e16 yuan) with room to add up.
MAX_MONEY = Decimal("999999999999.99")


def money_text(value) -> str:
    """An exact amount with two decimals and no separators: Decimal("1234") → "1234.00"
    (half up to the fen), as every form, roster, roll and JSON prints money."""
    return format(Decimal(value).quantize(_CENT, rounding=ROUND_HALF_UP), "f")


class ValueProblem(ValueError):
    pass


def add_years(day: date, years: int) -> date:
    """The same day `years` later (or earlier); 29 February becomes the 28th."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def parse_date(raw) -> date | None:
    """An Excel date, or text like 2021-06-30, 2021/6/30, 2021.6.30, 2021年6月30日, 20210630."""
    if raw is None or raw == "":
        return None
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        # A number in a date column: an Excel serial day when the column was left General,
        # but 2021 is a year and 2021.06 (or 2021.1: January or October?) a year and month.
        if isinstance(raw, float) and not raw.is_integer():
            raise ValueProblem(f"日期被 Excel 存成了数字 {raw:g}，无法确定月份；请写成 2021-06-30 这样的日期")
        if 1900 <= raw <= 2100:
            raise ValueProblem("只有年份，缺少月和日")
        if _FIRST_SERIAL <= raw < 2958466:
            return _EXCEL_EPOCH + timedelta(days=int(raw))
        raise ValueProblem("不是日期")
    text = fold_width(str(raw))
    if not text:
        return None
    match = _DATE_RE.match(text) or _COMPACT_DATE_RE.match(text)
    if not match:
        raise ValueProblem("无法识别的日期，请写成 2021-06-30、2021/6/30、2021.6.30 或 2021年6月30日")
    year, month, day = (int(g) for g in match.groups())
    try:
        return date(year, month, day)
    except ValueError:
        raise ValueProblem("日期不存在") from None


def parse_date_or_month(raw) -> tuple[date, bool] | None:
    """`parse_date`, and also a month alone (2021.06, 2021年6月) as its first day; the flag
    says which, so the import can tell the clerk."""
    if isinstance(raw, str):
        match = _MONTH_RE.match(fold_width(raw))
        if match:
            year, month = int(match.group(1)), int(match.group(2))
            if not 1 <= month <= 12:
                raise ValueProblem("月份不存在")
            if year < 1:  # 0000-01: date() refuses year 0
                raise ValueProblem("日期不存在")
            return date(year, month, 1), True
    value = parse_date(raw)
    return None if value is None else (value, False)


def parse_money(raw) -> Decimal | None:
    """Non-negative yuan with at most two decimals, as an exact Decimal."""
    if raw is None or raw == "":
        return None
    if isinstance(raw, bool):
        raise ValueProblem("不是金额")
    if isinstance(raw, float):
        # A float cell: its shortest repr is what Excel shows; a formula result may carry
        # binary noise past the cents, which rounding to cents removes (below, once the
        # size is known to be sane).
        value = Decimal(repr(raw))
    else:
        text = fold_width(str(raw)).replace(",", "").replace("，", "").removesuffix("元").strip()
        text = text.lstrip("¥￥").strip()
        if not text:
            return None
        try:
            value = Decimal(text)
        except InvalidOperation:
            raise ValueProblem("不是金额") from None
    if not value.is_finite():
        raise ValueProblem("不是金额")
    # Before any rounding: quantize() of 1e28 or more raises InvalidOperation, and cents
    # past 2^63 do not fit the database's BIGINT (an ID number pasted into 月工资).
    if value.copy_abs() > MAX_MONEY:  # copy_abs: abs() overflows on 1E+999999999
        raise ValueProblem("金额不能为负数" if value < 0 else f"金额过大（超过 {MAX_MONEY:,.2f} 元），请核对")
    if isinstance(raw, float) and abs(value - value.quantize(_CENT)) < Decimal("0.000001"):
        value = value.quantize(_CENT)
    if value < 0:
        raise ValueProblem("金额不能为负数")
    if value != value.quantize(_CENT):
        raise ValueProblem("金额最多两位小数")
    return value.quantize(_CENT)


def cell_text(raw) -> str:
    """A cell as text: numbers typed into text columns (工号 1001, 电话 13800138000) come back
    as floats from Excel; write them without the trailing .0."""
    if raw.__class__ is str:  # the common case first: this runs for every cell of a roster
        return (raw if raw.isascii() else fold_width(raw)).strip()
    if raw is None:
        return ""
    if isinstance(raw, bool):
        return "是" if raw else "否"
    if isinstance(raw, float):
        if raw.is_integer():
            return str(int(raw))
        return repr(raw)
    if isinstance(raw, datetime):
        return raw.date().isoformat() if raw.time() == datetime.min.time() else raw.isoformat(sep=" ")
    if isinstance(raw, date):
        return raw.isoformat()
    return fold_width(str(raw))
