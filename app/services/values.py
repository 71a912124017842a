"""Cell values as clerks type them → Python values: dates, money, text."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

from app.services.text import fold_width

_EXCEL_EPOCH = date(1899, 12, 30)
_DATE_RE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?$")
_COMPACT_DATE_RE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_CENT = Decimal("0.01")


class ValueProblem(ValueError):
    pass


def parse_date(raw) -> date | None:
    """An Excel date, or text like 2021-06-30, 2021/6/30, 2021.6.30, 2021年6月30日, 20210630."""
    if raw is None or raw == "":
        return None
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        # An Excel serial number that reached us as a plain number (a date column left General).
        if 1 <= raw < 2958466:
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


def parse_money(raw) -> Decimal | None:
    """Non-negative yuan with at most two decimals, as an exact Decimal."""
    if raw is None or raw == "":
        return None
    if isinstance(raw, bool):
        raise ValueProblem("不是金额")
    if isinstance(raw, float):
        # A float cell: its shortest repr is what Excel shows; a formula result may carry
        # binary noise past the cents, which rounding to cents removes.
        value = Decimal(repr(raw))
        if abs(value - value.quantize(_CENT)) < Decimal("0.000001"):
            value = value.quantize(_CENT)
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
