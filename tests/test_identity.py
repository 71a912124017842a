import random
from datetime import date

import pytest

from app.services.identity import (
    ID_TYPE_FOREIGN,
    ID_TYPE_HMT,
    ID_TYPE_PASSPORT,
    ID_TYPE_RESIDENT,
    ID_TYPES,
    CheckError,
    IdInfo,
    cert_number_level_warning,
    check_id_number,
    check_uscc,
    infer_id_type,
    mask_id_number,
    normalize_id_number,
)

TODAY = date(2024, 6, 1)


def make_id(first17: str) -> str:
    """Append the GB 11643 check character, computed in the ISO 7064 MOD 11-2
    form (weights 2^(17-i) mod 11) rather than the module's weight table."""
    assert len(first17) == 17 and first17.isdigit()
    total = sum(int(c) * pow(2, 17 - i, 11) for i, c in enumerate(first17))
    value = (12 - total % 11) % 11
    return first17 + ("X" if value == 10 else str(value))


USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def make_uscc(first17: str) -> str:
    # GB 32100 weights are 3^i mod 31.
    total = sum(USCC_ALPHABET.index(c) * pow(3, i, 31) for i, c in enumerate(first17))
    return first17 + USCC_ALPHABET[(31 - total % 31) % 31]


def bad_check(number: str) -> str:
    return number[:17] + ("0" if number[17] != "0" else "1")


def check(raw, id_type=ID_TYPE_RESIDENT):
    return check_id_number(id_type, raw, today=TODAY)


# --- 居民身份证 -----------------------------------------------------------


def test_resident_male_and_female():
    male = make_id("11010519900101001")
    female = make_id("11010519900101002")
    assert check(male) == IdInfo(ID_TYPE_RESIDENT, male, "男", date(1990, 1, 1))
    assert check(female) == IdInfo(ID_TYPE_RESIDENT, female, "女", date(1990, 1, 1))


def test_standard_example_with_lowercase_x():
    # The worked example from GB 11643-1999.
    assert make_id("11010519491231002") == "11010519491231002X"
    info = check(" 11010519491231002x ")
    assert info.number == "11010519491231002X"
    assert info.gender == "女"
    assert info.birth_date == date(1949, 12, 31)


def test_area_code_newer_than_birth_year_is_accepted():
    # 110119 (延庆区) only exists since 2015; real people born in 1950 carry it.
    info = check(make_id("11011919500315001"))
    assert info.birth_date == date(1950, 3, 15)
    assert info.gender == "男"


def test_full_width_digits_and_spaces():
    number = make_id("32010219880808123")
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in number)
    raw = "\u3000" + full_width[:6] + " " + full_width[6:] + "\u200b"
    assert normalize_id_number(raw) == number
    assert check(raw).number == number


def test_hmt_permits():
    hk = check(make_id("81000019850612001"), ID_TYPE_HMT)
    assert hk == IdInfo(ID_TYPE_HMT, hk.number, "男", date(1985, 6, 12))
    macau = check(make_id("82000019900101002"), ID_TYPE_HMT)
    assert (macau.gender, macau.birth_date) == ("女", date(1990, 1, 1))
    taiwan = check(make_id("83000019751120003"), ID_TYPE_HMT)
    assert taiwan.birth_date == date(1975, 11, 20)


def test_hmt_permit_filed_as_resident_reports_inferred_type():
    info = check(make_id("81000019850612001"), ID_TYPE_RESIDENT)
    assert info.id_type == ID_TYPE_HMT


def test_hmt_wrong_prefix():
    with pytest.raises(CheckError, match="810000"):
        check(make_id("81123419850612001"), ID_TYPE_HMT)
    with pytest.raises(CheckError, match="810000"):
        check(make_id("11010519850612001"), ID_TYPE_HMT)


def test_foreign_2023_format():
    number = make_id("91184019800515001")
    info = check(number, ID_TYPE_FOREIGN)
    assert info == IdInfo(ID_TYPE_FOREIGN, number, "男", date(1980, 5, 15))
    assert check(number, ID_TYPE_RESIDENT).id_type == ID_TYPE_FOREIGN


def test_foreign_2017_format():
    info = check(make_id("31000019760402002"), ID_TYPE_FOREIGN)
    assert (info.id_type, info.gender) == (ID_TYPE_FOREIGN, "女")


def test_foreign_old_15_char_refused():
    for id_type in (ID_TYPE_FOREIGN, ID_TYPE_RESIDENT):
        with pytest.raises(CheckError, match="只接受 18 位"):
            check("USA310075061501", id_type)


def test_infer_id_type():
    assert infer_id_type("810000198506120011") == ID_TYPE_HMT
    assert infer_id_type("830000198506120011") == ID_TYPE_HMT
    assert infer_id_type("911840198005150011") == ID_TYPE_FOREIGN
    assert infer_id_type("110105199001010011") == ID_TYPE_RESIDENT


def test_passport():
    assert check(" e1234 5678 ", ID_TYPE_PASSPORT) == IdInfo(ID_TYPE_PASSPORT, "E12345678", None, None)


@pytest.mark.parametrize("id_type", ID_TYPES)
def test_empty(id_type):
    for raw in ("", "   ", "\u3000"):
        with pytest.raises(CheckError, match="^不能为空$"):
            check(raw, id_type)


def test_unknown_type_lists_accepted_types():
    with pytest.raises(CheckError) as err:
        check("110105199001010011", "军官证")
    for id_type in ID_TYPES:
        assert id_type in str(err.value)


def test_bad_check_character_names_expected():
    number = make_id("11010519900101001")
    with pytest.raises(CheckError, match=f"校验码错误.*{number[17]}"):
        check(bad_check(number))


def test_15_digit_first_generation_refused():
    with pytest.raises(CheckError, match="15 位（一代）.*18 位"):
        check("110105900101001")


def test_wrong_length():
    with pytest.raises(CheckError, match="长度应为 18 位，当前为 17 位"):
        check("11010519900101001")
    with pytest.raises(CheckError, match="当前为 19 位"):
        check(make_id("11010519900101001") + "1")


def test_letters_inside():
    with pytest.raises(CheckError, match="第 8 位“A”不是数字"):
        check("1101051A900101001X")
    with pytest.raises(CheckError, match="最后一位只能是数字或 X"):
        check("11010519900101001Y")


def test_resident_first_digit_must_be_region():
    with pytest.raises(CheckError, match="首位"):
        check(make_id("71010519900101001"))


@pytest.mark.parametrize("birth", ["19990230", "20230229", "19901301", "19900100"])
def test_impossible_birth_dates(birth):
    with pytest.raises(CheckError, match=f"{birth} 不是有效日期"):
        check(make_id(f"110105{birth}001"))


def test_leap_day_accepted():
    assert check(make_id("11010520000229001")).birth_date == date(2000, 2, 29)


def test_future_birth_date():
    with pytest.raises(CheckError, match="晚于今天"):
        check(make_id("11010520240602001"))
    assert check(make_id("11010520240601001")).birth_date == TODAY


def test_today_defaults_to_real_today():
    with pytest.raises(CheckError, match="晚于今天"):
        check_id_number(ID_TYPE_RESIDENT, make_id(f"110105{date.today().year + 1}0101001"))


def test_birth_before_1900():
    with pytest.raises(CheckError, match="早于 1900"):
        check(make_id("11010518991231001"))


def test_agrees_with_stdnum_on_random_valid_numbers():
    # python-stdnum is only a cross-check, not a dependency of the app. It ties
    # area codes to the years they existed (320102 and 440305 from 1983/1990
    # on), so birth years stay after 1990 here.
    from stdnum.cn import ric

    rng = random.Random(11643)
    for _ in range(200):
        area = rng.choice(["110105", "320102", "440305"])
        birth = date(1990, 1, 1).toordinal() + rng.randrange(365 * 15)
        first17 = area + date.fromordinal(birth).strftime("%Y%m%d") + f"{rng.randrange(1000):03d}"
        number = make_id(first17)
        assert ric.is_valid(number), number
        assert check(number).number == number
        assert not ric.is_valid(bad_check(number))
        with pytest.raises(CheckError):
            check(bad_check(number))


# --- 统一社会信用代码 ---------------------------------------------------------


@pytest.mark.parametrize("first17", [
    "91110108MA01ABCD1",
    "Y1110000MB1234567",
    "N2440300MF1234567",
    "A1310000MC7654321",
    "12100000400000123",
])
def test_uscc_valid(first17):
    code = make_uscc(first17)
    assert check_uscc(code) == code
    assert check_uscc(f"  {code.lower()} ") == code


def test_uscc_real_looking_code():
    assert make_uscc("91350100M000100Y4") == "91350100M000100Y43"
    assert check_uscc("91350100M000100Y43") == "91350100M000100Y43"


def test_uscc_bad_check_char_names_expected():
    with pytest.raises(CheckError, match="校验码错误，最后一位应为 3"):
        check_uscc("91350100M000100Y44")


@pytest.mark.parametrize("char", ["I", "O", "Z", "S", "V"])
def test_uscc_illegal_char(char):
    code = "91350100M000100Y43"
    with pytest.raises(CheckError, match=f"第 9 位含非法字符“{char}”"):
        check_uscc(code[:8] + char + code[9:])


def test_uscc_wrong_length_and_empty():
    with pytest.raises(CheckError, match="当前为 17 位"):
        check_uscc("91350100M000100Y4")
    with pytest.raises(CheckError, match="^不能为空$"):
        check_uscc(" ")


# --- 证书编号与等级 -----------------------------------------------------------

SKILL = "职业技能等级证书"
QUALIFICATION = "职业资格证书"


def skill_number(level_digit: int, prefix: str = "Y") -> str:
    return prefix + "110000202400" + "12" + str(level_digit) + "000001"  # 16th char = level


def qualification_number(level_digit: int) -> str:
    return "1211000000" + str(level_digit) + "00001"  # 11th char = level


def test_cert_shapes_used_by_tests():
    assert len(skill_number(3)) == 22 and skill_number(3)[15] == "3"
    assert len(qualification_number(3)) == 16 and qualification_number(3)[10] == "3"


def test_cert_matching_level_no_warning():
    for rank in range(1, 6):
        assert cert_number_level_warning(SKILL, skill_number(6 - rank), rank) is None
        assert cert_number_level_warning(SKILL, skill_number(6 - rank, "S"), rank) is None
        assert cert_number_level_warning(QUALIFICATION, qualification_number(6 - rank), rank) is None


def test_cert_disagreeing_level_warns():
    assert (cert_number_level_warning(SKILL, skill_number(3), 4)
            == "证书编号第16位为3（三级/高级工），与所填等级 技师 不符")
    message = cert_number_level_warning(QUALIFICATION, qualification_number(5), 5)
    assert message == "证书编号第11位为5（五级/初级工），与所填等级 高级技师 不符"


@pytest.mark.parametrize("rank", [None, 0, 6, 7])
def test_cert_ranks_without_check(rank):
    assert cert_number_level_warning(SKILL, skill_number(3), rank) is None


@pytest.mark.parametrize("kind, number", [
    (SKILL, "X110000202400123000001"),     # unknown prefix letter
    (SKILL, "Y1100002024001230000"),        # too short
    (SKILL, "沪职技 2024-0001"),            # local format
    (QUALIFICATION, "12110000003000010"),   # 17 digits
    (QUALIFICATION, "A211000000300001"),
    ("培训合格证", "1211000000300001"),
])
def test_cert_other_shapes_no_warning(kind, number):
    assert cert_number_level_warning(kind, number, 1) is None


# --- 脱敏 ---------------------------------------------------------------------


def test_mask_id_number():
    assert mask_id_number("110105199001010022") == "110105********0022"
    assert mask_id_number("11010519491231002x") == "110105********002X"
    assert mask_id_number("E12345678") == "E1*****78"
    assert mask_id_number("1234") == "1**4"
    assert mask_id_number("123") == "***"
    assert mask_id_number("") == ""


def test_mask_never_reveals_more_than_half_of_short_numbers():
    for length in range(1, 18):
        masked = mask_id_number("7" * length)
        assert len(masked) == length
        assert masked.count("7") <= length / 2
