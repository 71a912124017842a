"""Levels derived from certificate history (SPEC §2) and cell values as clerks type them."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from app.models import Certificate, Worker
from app.services.levels import (
    LevelParseError,
    current_certificate_query,
    is_high_skilled,
    level_history,
    level_on,
    levels_on_query,
    parse_level,
)
from app.services.values import ValueProblem, parse_date, parse_money
from app.services.vocab import VocabError, education_bucket, parse_education, parse_yes_no
from tests.factories import make_id


@pytest.fixture
def worker(session):
    worker = Worker(name="张三", id_type="居民身份证", id_number=make_id(), birth_date=date(1990, 1, 1))
    session.add(worker)
    session.flush()

    def cert(rank, issued, kind="职业技能等级证书", revoked=False, number=None):
        session.add(Certificate(worker_id=worker.id, kind=kind, level_rank=rank, issue_date=issued, revoked=revoked, number=number))

    cert(1, date(2010, 5, 1))  # 初级工
    cert(2, date(2013, 5, 1), kind="职业资格证书")
    cert(4, date(2018, 5, 1), revoked=True)  # a revoked 技师 never counts
    cert(3, date(2016, 5, 1))
    cert(None, date(2017, 1, 1), kind="特种作业操作证")  # no level
    cert(2, date(2019, 1, 1))  # a second 中级工 in another occupation lowers nothing
    session.commit()
    return worker


def test_level_on_dates_across_history(session, worker):
    assert level_on(session, worker.id, date(2009, 12, 31)) is None
    assert level_on(session, worker.id, date(2010, 5, 1)) == 1
    assert level_on(session, worker.id, date(2015, 1, 1)) == 2
    assert level_on(session, worker.id, date(2016, 5, 1)) == 3
    assert level_on(session, worker.id, date(2026, 1, 1)) == 3  # the revoked 技师 is ignored


def test_level_history_is_dated_steps(session, worker):
    steps = level_history(session, worker.id)
    assert [(s.since, s.rank) for s in steps] == [(date(2010, 5, 1), 1), (date(2013, 5, 1), 2), (date(2016, 5, 1), 3)]


def test_bulk_level_query_and_current_certificate(session, worker):
    assert dict(session.execute(levels_on_query(date(2014, 1, 1))).all()) == {worker.id: 2}
    current = session.execute(current_certificate_query(date(2026, 1, 1))).scalars().one()
    assert (current.level_rank, current.issue_date) == (3, date(2016, 5, 1))


def test_certificate_without_date_counts_on_every_date(session, worker):
    session.add(Certificate(worker_id=worker.id, kind="职业技能等级证书", level_rank=5, issue_date=None))
    session.commit()
    assert level_on(session, worker.id, date(2000, 1, 1)) == 5


def test_high_skilled_threshold():
    assert not is_high_skilled(None) and not is_high_skilled(2)
    assert is_high_skilled(3) and is_high_skilled(7)


@pytest.mark.parametrize(
    "text,rank",
    [("高级工", 3), ("三级", 3), ("三级/高级工", 3), ("国家职业资格三级", 3), ("技师（二级）", 4),
     ("一级/高级技师", 5), ("五级", 1), ("初级", 1), ("特级技师", 6), ("首席技师", 7), ("3级", 3),
     ("二级 技师", 4), ("职业技能等级四级", 2)],
)
def test_level_spellings(text, rank):
    assert parse_level(text) == rank


@pytest.mark.parametrize("text", ["三级/技师", "工程师", ""])
def test_bad_levels(text):
    with pytest.raises(LevelParseError):
        parse_level(text)


@pytest.mark.parametrize(
    "raw", ["2021-06-30", "2021/6/30", "2021.6.30", "2021年6月30日", "2021 年 6 月 30 日", "20210630",
            datetime(2021, 6, 30, 0, 0), date(2021, 6, 30), 44377, "２０２１-０６-３０"],
)
def test_date_forms(raw):
    assert parse_date(raw) == date(2021, 6, 30)


@pytest.mark.parametrize("raw", ["2021-02-30", "30/06/2021", "六月", "2021-13-01"])
def test_bad_dates(raw):
    with pytest.raises(ValueProblem):
        parse_date(raw)


@pytest.mark.parametrize(
    "raw,value",
    [("6500.5", "6500.50"), (6500.5, "6500.50"), ("1,200", "1200.00"), ("￥3000元", "3000.00"), (7200, "7200.00"),
     (0.1 + 0.2, "0.30")],
)
def test_money(raw, value):
    assert parse_money(raw) == Decimal(value)


@pytest.mark.parametrize("raw", ["-1", "12.345", "abc", "NaN"])
def test_bad_money(raw):
    with pytest.raises(ValueProblem):
        parse_money(raw)


def test_yes_no_and_education():
    assert [parse_yes_no(v) for v in ("是", "Y", "√", "y", None, "", "否", "N")] == [True] * 4 + [False] * 4
    with pytest.raises(VocabError):
        parse_yes_no("也许")
    assert parse_education("技校") == "技工学校" and parse_education("高职（专科）") == "高职（专科）"
    assert education_bucket(parse_education("大学本科")) == "本科及以上"
    assert education_bucket("中专") == "高中技校及以下" and education_bucket("大专") == "高职大专"
