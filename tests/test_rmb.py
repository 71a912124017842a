"""人民币大写 (SPEC §6): every example of the SPEC, and the edge cases of the bank rules."""

from decimal import Decimal

import pytest

from app.services.rmb import rmb_capitals


@pytest.mark.parametrize(
    ("amount", "capitals"),
    [
        # SPEC §6, word for word
        ("1409.50", "壹仟肆佰零玖元伍角"),
        ("6007.14", "陆仟零柒元壹角肆分"),
        ("1680.32", "壹仟陆佰捌拾元零叁角贰分"),
        ("107000.53", "壹拾万柒仟元零伍角叁分"),
        ("16409.02", "壹万陆仟肆佰零玖元零贰分"),
        ("325.04", "叁佰贰拾伍元零肆分"),
        ("10000", "壹万元整"),
        # the edge cases the issue names
        ("0.05", "伍分"),
        ("100.10", "壹佰元零壹角"),
        ("10010.01", "壹万零壹拾元零壹分"),
        ("20000000.00", "贰仟万元整"),
        ("0.00", "零元整"),
        # more of the rules
        ("0.50", "伍角"),
        ("0.55", "伍角伍分"),
        ("1", "壹元整"),
        ("10", "壹拾元整"),
        ("15.00", "壹拾伍元整"),
        ("110", "壹佰壹拾元整"),
        ("1001", "壹仟零壹元整"),
        ("1010", "壹仟零壹拾元整"),
        ("1300.00", "壹仟叁佰元整"),
        ("100000", "壹拾万元整"),
        ("1000001", "壹佰万零壹元整"),
        ("100100", "壹拾万零壹佰元整"),
        ("100000000", "壹亿元整"),
        ("100000001", "壹亿零壹元整"),
        ("100100000", "壹亿零壹拾万元整"),
        ("110000000", "壹亿壹仟万元整"),
        ("12345678.90", "壹仟贰佰叁拾肆万伍仟陆佰柒拾捌元玖角"),
        ("2500", "贰仟伍佰元整"),
        ("9.09", "玖元零玖分"),
    ],
)
def test_capitals(amount, capitals):
    assert rmb_capitals(Decimal(amount)) == capitals


def test_rounds_half_up_to_the_fen():
    assert rmb_capitals(Decimal("0.005")) == "壹分"
    assert rmb_capitals(Decimal("0.004")) == "零元整"
    assert rmb_capitals(Decimal("1680.325")) == "壹仟陆佰捌拾元零叁角叁分"
    assert rmb_capitals(Decimal("9.995")) == "壹拾元整"


def test_integers_and_strings():
    assert rmb_capitals(2000) == "贰仟元整"
    assert rmb_capitals("500.00") == "伍佰元整"


@pytest.mark.parametrize("bad", ["-1", "abc", "1e20"])
def test_refuses_what_is_not_an_amount(bad):
    with pytest.raises(ValueError):
        rmb_capitals(bad)
