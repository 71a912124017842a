"""The bureau survey (SPEC §7) over a hand-counted register: birthdays on as_of, education
buckets, folding 特级/首席 into 高级技师, who is 在职 on as_of, certificates after as_of,
合计 = the sum of the rows, 培养措施, warnings; saved surveys; the command line's JSON."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from itertools import count

import pytest

from app.errors import FieldErrors
from app.models import (
    Apprenticeship,
    Certificate,
    TrainingEnrolment,
    TrainingProgramme,
    Worker,
)
from app.models.db import unit_of_work
from app.services import survey as sv
from app.services.levels import KIND_SKILL_LEVEL
from app.services.vocab import EDUCATION_BUCKETS, EDUCATIONS
from tests.factories import make_id
from tests.test_cli import run

AS_OF = date(2026, 10, 31)
_SEQ = count(800)


def hand(engine, name, *, birth=date(1990, 1, 1), education="高中", wage="5000", ranks=(), hired=date(2015, 1, 1),
         left=None) -> int:
    """A worker with level certificates `ranks` given as (rank, issue date)."""
    with unit_of_work(engine) as session:
        worker = Worker(name=name, id_type="居民身份证", id_number=make_id(seq=next(_SEQ)), birth_date=birth,
                        education=education, monthly_wage=None if wage is None else Decimal(wage), hire_date=hired,
                        leave_date=left, status="离职" if left else "在职")
        for rank, issued in ranks:
            worker.certificates.append(Certificate(kind=KIND_SKILL_LEVEL, level_rank=rank, issue_date=issued))
        session.add(worker)
        session.flush()
        return worker.id


ISSUED = date(2020, 1, 1)


@pytest.fixture
def register(engine):
    hand(engine, "满31", birth=date(1995, 10, 31), education="本科", wage="8000", ranks=[(3, ISSUED)])
    hand(engine, "差一天31", birth=date(1995, 11, 1), education="大专", wage="6000.50", ranks=[(3, ISSUED)])
    hand(engine, "未成年", birth=date(2009, 1, 1), education="高中", wage="4000", ranks=[(1, ISSUED)])
    hand(engine, "特级", birth=date(1975, 10, 31), education="技工学校", wage="10000", ranks=[(6, ISSUED)])
    hand(engine, "无工资", birth=date(1985, 6, 1), education="硕士研究生", wage=None, ranks=[(4, ISSUED)])
    hand(engine, "当日离职", ranks=[(2, ISSUED)], left=AS_OF)
    hand(engine, "无证书", wage="5000")
    hand(engine, "后取证", birth=date(1990, 1, 1), education="中专", wage="6500",
         ranks=[(2, ISSUED), (5, date(2026, 11, 1))])
    hand(engine, "缺资料", birth=None, education=None, wage="7000", ranks=[(2, ISSUED)])
    hand(engine, "后入职", ranks=[(3, ISSUED)], hired=date(2026, 11, 1))
    return engine


def test_hand_counted_register(register):
    survey = sv.compute_survey(register, AS_OF)
    assert survey.header.total_employees == 8
    assert survey.header.avg_monthly_wage == Decimal("6642.93")  # 46500.50 / 7, half up
    rows = survey.rows
    assert [rows[name].count for name in sv.ROWS] == [1, 2, 2, 1, 1, 7]
    assert rows["高级工"].age == {"18-30": 1, "31-40": 1, "41-50": 0, "51+": 0}  # the birthday counts
    assert rows["初级工"].age["18-30"] == 1  # under 18 counted in 18–30
    assert rows["高级技师"].age["51+"] == 1 and survey.folded == 1
    assert rows["中级工"].age == {"18-30": 0, "31-40": 1, "41-50": 0, "51+": 0}  # one has no birth date
    assert rows["高级工"].education == {"高中技校及以下": 0, "高职大专": 1, "本科及以上": 1}
    assert rows["技师"].education["本科及以上"] == 1
    assert rows["高级工"].avg_monthly_wage == Decimal("7000.25")
    assert rows["技师"].avg_monthly_wage is None
    total = rows["合计"]
    assert total.age == {"18-30": 2, "31-40": 2, "41-50": 1, "51+": 1}
    assert total.education == {"高中技校及以下": 3, "高职大专": 1, "本科及以上": 2}
    assert total.avg_monthly_wage == Decimal("6916.75")  # 41500.50 / 6: a mean over people, not of means
    for name in ("age", "education"):
        for key in getattr(total, name):
            assert getattr(total, name)[key] == sum(getattr(rows[r], name)[key] for r in sv.LEVEL_ROWS)
    texts = [w.text for w in survey.warnings]
    assert any("特级技师、首席技师 1 人" in t for t in texts)
    assert any(t.startswith("未满18周岁") and "未成年" in t for t in texts)
    assert any(t.startswith("未填出生日期") and "缺资料" in t for t in texts)
    assert any(t.startswith("未填学历") and "缺资料" in t for t in texts)
    assert any(t.startswith("未填月工资") and "无工资" in t for t in texts)
    assert survey.folded_note == "注：高级技师行含特级技师、首席技师 1 人。"
    assert any(t.startswith("单位信息未填全（企业名称、负责人") for t in texts)  # blank cells, never a refusal


def test_every_education_value_has_its_bucket(engine):
    for education in EDUCATIONS:
        hand(engine, education, education=education, ranks=[(3, ISSUED)])
    survey = sv.compute_survey(engine, AS_OF)
    expected = {bucket: sum(1 for e in EDUCATIONS if EDUCATION_BUCKETS[e] == bucket) for bucket in sv.EDUCATION_COLUMNS}
    assert survey.rows["高级工"].education == expected
    assert sum(expected.values()) == len(EDUCATIONS)


def test_nobody_on_an_empty_register(engine):
    survey = sv.compute_survey(engine, AS_OF)
    assert survey.header.total_employees == 0 and survey.header.avg_monthly_wage is None
    assert all(survey.rows[name].count == 0 for name in sv.ROWS)
    assert [w.text[:6] for w in survey.warnings] == ["单位信息未填"]
    assert survey.as_json()["levels"]["合计"]["avg_monthly_wage"] is None


def test_training_measures_from_linked_certificates(engine):
    ids = {}
    for name in ("自办", "校企", "学徒", "师带徒", "无链接"):
        ids[name] = hand(engine, name, ranks=[(3, ISSUED)])
    master = hand(engine, "师傅", ranks=[(5, ISSUED)])
    with unit_of_work(engine) as session:
        cert = {name: session.query(Certificate).filter_by(worker_id=wid).one().id for name, wid in ids.items()}
        for name, form in (("自办", "企业自办"), ("校企", "校企合作")):
            programme = TrainingProgramme(name=form, form=form, start_date=ISSUED, hours=8, funding_source="职工教育经费")
            session.add(programme)
            session.flush()
            session.add(TrainingEnrolment(programme_id=programme.id, worker_id=ids[name], enrolled_on=ISSUED,
                                          certificate_id=cert[name], result="合格", completed_on=ISSUED))
        for name, kind in (("学徒", "企业新型学徒制"), ("师带徒", "企业师带徒")):
            session.add(Apprenticeship(master_id=master, apprentice_id=ids[name], kind=kind, start_date=date(2018, 1, 1),
                                       status="已出师", ended_on=ISSUED, outcome_certificate_id=cert[name]))
    survey = sv.compute_survey(engine, AS_OF)
    assert survey.rows["高级工"].measures == {"自主培养": 2, "联合、委托培养": 1, "新型学徒制培养": 1}
    assert survey.rows["合计"].measures == {"自主培养": 2, "联合、委托培养": 1, "新型学徒制培养": 1}


def test_typed_fields_are_checked_and_totalled(register):
    survey = sv.compute_survey(register, AS_OF)
    with pytest.raises(FieldErrors) as refused:
        sv.apply_typed(survey, {"rows": {"高级工": {"demand_count": "十个"}, "技师": {"measures": {"自主培养": "-1"}}}})
    assert [p.field for p in refused.value.problems] == ["高级工.demand_count", "技师.自主培养"]
    assert "高级工 需求人数" in refused.value.problems[0].message
    sv.apply_typed(survey, {"filled_by": "李娜", "rows": {"高级工": {"demand_occupation": "焊工", "demand_count": "5"},
                                                        "技师": {"demand_occupation": "数控车工、焊工", "demand_count": 2}}})
    assert survey.rows["合计"].demand_count == 7 and survey.rows["合计"].demand_occupation == "焊工、数控车工"


def test_a_saved_survey_keeps_its_numbers_and_recompute_says_what_changed(register):
    survey = sv.apply_typed(sv.compute_survey(register, AS_OF), {"rows": {"高级工": {"demand_count": 3}}})
    sv.save_survey(register, survey)
    hand(register, "新来的", ranks=[(3, ISSUED)], wage="9000")
    stored = sv.load_survey(register, AS_OF)
    assert stored.rows["高级工"].count == 2 and stored.rows["高级工"].demand_count == 3
    assert stored.header.avg_monthly_wage == Decimal("6642.93") and stored.version == 1
    fresh = sv.recompute(register, stored)
    assert fresh.rows["高级工"].count == 3 and fresh.rows["高级工"].demand_count == 3
    changes = {c.where: (c.before, c.after) for c in sv.compare(stored, fresh)}
    assert changes["高级工 · 人数"] == ("2", "3") and changes["职工总数"] == ("8", "9")
    assert sv.saved_dates(register) == [AS_OF]
    sv.save_survey(register, fresh, expected_version=1)
    with pytest.raises(Exception, match="另一位经办人"):
        sv.save_survey(register, stored, expected_version=1)


def test_cli_json_is_the_spec_shape(capsys, register, db_path, tmp_path):
    out = tmp_path / "s.json"
    code, stdout, _err = run(capsys, "--db", db_path, "survey", "--as-of", "2026-10-31", "--out", out)
    assert code == 0 and "职工总数 8 人，技能人才 7 人" in stdout
    data = json.loads(out.read_text(encoding="utf-8"))
    assert set(data) == {"as_of", "total_employees", "avg_monthly_wage", "levels", "folded_into_高级技师", "warnings"}
    assert data["as_of"] == "2026-10-31" and data["avg_monthly_wage"] == 6642.93
    assert list(data["levels"]) == ["初级工", "中级工", "高级工", "技师", "高级技师", "合计"]
    assert data["levels"]["高级工"] == {"count": 2, "age": {"18-30": 1, "31-40": 1, "41-50": 0, "51+": 0},
                                       "education": {"高中技校及以下": 0, "高职大专": 1, "本科及以上": 1},
                                       "avg_monthly_wage": 7000.25}
    assert data["folded_into_高级技师"] == 1 and len(data["warnings"]) == 6
    code, _out, err = run(capsys, "--db", db_path, "survey", "--as-of", "2026-10-31", "--out", tmp_path / "s.txt")
    assert code == 2 and ".json" in err


def test_cli_writes_the_form_as_excel_and_pdf_and_uses_a_saved_survey(capsys, register, db_path, tmp_path):
    from openpyxl import load_workbook
    from pypdf import PdfReader

    code, _out, _err = run(capsys, "--db", db_path, "survey", "--as-of", "2026-10-31", "--out", tmp_path / "s.xlsx")
    assert code == 0
    sheet = load_workbook(tmp_path / "s.xlsx").active
    texts = {str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None}
    assert "企业技能人才现状及需求情况调查表" in texts and "合计" in texts
    code, _out, _err = run(capsys, "--db", db_path, "survey", "--as-of", "2026-10-31", "--out", tmp_path / "s.pdf")
    assert code == 0 and "企业技能人才现状及需求情况调查表" in PdfReader(tmp_path / "s.pdf").pages[0].extract_text()

    sv.save_survey(register, sv.compute_survey(register, AS_OF))
    hand(register, "保存后入职", ranks=[(3, ISSUED)])
    code, out, err = run(capsys, "--db", db_path, "survey", "--as-of", "2026-10-31", "--out", tmp_path / "saved.json")
    assert code == 0 and "已保存的调查表" in err and "职工总数 8 人" in out


def test_a_first_save_never_overwrites_another_clerks(register):
    mine, theirs = sv.compute_survey(register, AS_OF), sv.compute_survey(register, AS_OF)
    sv.save_survey(register, sv.apply_typed(theirs, {"filled_by": "王芳"}))
    with pytest.raises(Exception, match="另一位经办人"):
        sv.save_survey(register, mine)  # opened when nothing was saved: expected_version None
    assert sv.load_survey(register, AS_OF).filled_by == "王芳"


def test_typed_text_kept_as_typed_and_odd_digits_refused_by_name(register):
    survey = sv.compute_survey(register, AS_OF)
    for odd in ("²", "①", "5²"):
        with pytest.raises(FieldErrors, match="高级工 需求人数"):
            sv.apply_typed(survey, {"rows": {"高级工": {"demand_count": odd}}})
    sv.apply_typed(survey, {"rows": {"初级工": {"demand_occupation": "电焊工，车工", "demand_count": "３人"},
                                     "中级工": {"demand_occupation": "车工、 钳工（经办）"}}})
    assert survey.rows["初级工"].demand_occupation == "电焊工，车工" and survey.rows["初级工"].demand_count == 3
    assert survey.rows["合计"].demand_occupation == "电焊工、车工、钳工（经办）"
    with pytest.raises(FieldErrors, match="填表人"):
        sv.apply_typed(survey, {"filled_by": "人" * 21})
