"""人民币大写: an amount written in capitals the way banks require on a form (SPEC §6).

The rules, as the SPEC's examples show them:
- digits 零壹贰叁肆伍陆柒捌玖 with the units 拾佰仟 inside a group of four and 万, 亿 between
  groups; 10 to 19 are written 壹拾…, never 拾…;
- zeros inside the yuan part collapse into one 零 (1409 → 壹仟肆佰零玖; 10010 → 壹万零壹拾),
  a group that starts with zeros after a higher group takes a 零 (1000001 → 壹佰万零壹), zeros
  at the end of a group are dropped (107000 → 壹拾万柒仟);
- 元, then 角 and 分; when the yuan part ends in 0 (or 角 is 0) a 零 stands before the first
  non-zero 角/分 (1680.32 → …捌拾元零叁角贰分; 16409.02 → …玖元零贰分);
- 整 after 元 when there are no 角 and 分 (10000 → 壹万元整); none after 角 (1409.50 → …伍角);
- an amount below one yuan has no 元 (0.05 → 伍分); 0 is 零元整.
Amounts are rounded half up to the fen first. Negative amounts are refused.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

DIGITS = "零壹贰叁肆伍陆柒捌玖"
_IN_GROUP = ("仟", "佰", "拾", "")
_GROUPS = ("", "万", "亿", "万亿")
_FEN = Decimal("0.01")
_LIMIT = Decimal(10) ** 16  # 万亿 groups and no further


def _group_text(number: int) -> str:
    """1 ≤ number ≤ 9999 in capitals, zeros inside collapsed, zeros at the end dropped."""
    out: list[str] = []
    pending_zero = False
    started = False
    for digit, unit in zip((number // 1000, number // 100 % 10, number // 10 % 10, number % 10), _IN_GROUP):
        if digit == 0:
            pending_zero = pending_zero or started
            continue
        if pending_zero:
            out.append("零")
            pending_zero = False
        out.append(DIGITS[digit] + unit)
        started = True
    return "".join(out)


def _yuan_text(yuan: int) -> str:
    groups: list[int] = []
    while yuan:
        groups.append(yuan % 10000)
        yuan //= 10000
    out: list[str] = []
    pending_zero = False
    for index in range(len(groups) - 1, -1, -1):
        group = groups[index]
        if group == 0:
            pending_zero = bool(out)
            continue
        if out and (pending_zero or group < 1000):
            out.append("零")
        out.append(_group_text(group) + _GROUPS[index])
        pending_zero = False
    return "".join(out)


def rmb_capitals(amount: Decimal | int | str) -> str:
    """`amount` in 人民币大写, e.g. Decimal("1680.32") → "壹仟陆佰捌拾元零叁角贰分"."""
    try:
        value = Decimal(str(amount)).quantize(_FEN, rounding=ROUND_HALF_UP)
    except InvalidOperation:
        raise ValueError(f"不是金额：{amount!r}") from None
    if value < 0:
        raise ValueError(f"金额不能为负：{amount}")
    if value >= _LIMIT:
        raise ValueError(f"金额过大：{amount}")
    cents = int(value * 100)
    yuan, jiao, fen = cents // 100, cents // 10 % 10, cents % 10
    if cents == 0:
        return "零元整"
    text = _yuan_text(yuan) + "元" if yuan else ""
    if jiao == 0 and fen == 0:
        return text + "整"
    if jiao:
        if yuan and yuan % 10 == 0:
            text += "零"
        text += DIGITS[jiao] + "角"
    elif yuan:
        text += "零"
    if fen:
        text += DIGITS[fen] + "分"
    return text


__all__ = ["rmb_capitals"]
