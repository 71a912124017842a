"""The subsidy candidate engine and applications (SPEC §4, §6): each rule on its boundary
dates, no double claims (in the database too), 作废 frees the basis, frozen values survive a
policy change, and the status flow."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from itertools import count

import pytest
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from app.errors import FieldErrors, Refused
from app.models import (
    Apprenticeship,
    Certificate,
    CompetitionEntry,
    LaborContract,
    Occupation,
    OccupationShortage,
    SubsidyApplication,
    SubsidyClaim,
    SubsidyLine,
    TrainingEnrolment,
    TrainingProgramme,
    Worker,
)
from app.models.db import unit_of_work
from app.services import subsidies as s
from app.services.levels import KIND_SKILL_LEVEL
from app.services.policy import set_policy_value
from tests.factories import make_id

_SEQ = count(500)
YEAR_FROM, YEAR_TO = date(2026, 1, 1), date(2026, 12, 31)
TODAY = date(2026, 11, 23)


def _occupation(session, name: str, shortage_years=()) -> Occupation:
    occupation = session.scalars(select(Occupation).where(Occupation.name == name)).first()
    if occupation is None:
        occupation = Occupation(name=name)
        session.add(occupation)
        session.flush()
    for year in shortage_years:
        if not session.scalar(select(OccupationShortage.id).where(OccupationShortage.occupation_id == occupation.id,
                                                                   OccupationShortage.year == year)):
            session.add(OccupationShortage(occupation_id=occupation.id, year=year))
    return occupation


def person(engine, name, *, contract=(date(2020, 1, 1), None), left=None, gender="男") -> int:
    with unit_of_work(engine) as session:
        worker = Worker(name=name, id_type="居民身份证", id_number=make_id(seq=next(_SEQ)), gender=gender,
                        hire_date=date(2020, 1, 1), leave_date=left, status="离职" if left else "在职")
        session.add(worker)
        session.flush()
        if contract:
            session.add(LaborContract(worker_id=worker.id, start_date=contract[0], end_date=contract[1]))
        return worker.id


def certificate(engine, worker_id, rank, issued, *, occupation="数控车工", shortage=(2026,), number=None,
                enrolment: bool | None = True) -> int:
    """A level certificate; `enrolment` True: a training sent by the enterprise linked to it,
    False: one the worker took on his own, None: none."""
    with unit_of_work(engine) as session:
        occ = _occupation(session, occupation, shortage)
        cert = Certificate(worker_id=worker_id, kind=KIND_SKILL_LEVEL, level_rank=rank, issue_date=issued,
                           occupation_id=occ.id, number=number or f"Y{next(_SEQ):021d}")
        session.add(cert)
        session.flush()
        if enrolment is not None:
            programme = TrainingProgramme(name=f"{occupation}提升班", form="企业自办", start_date=date(2025, 9, 1),
                                          hours=120, funding_source="职工教育经费")
            session.add(programme)
            session.flush()
            session.add(TrainingEnrolment(programme_id=programme.id, worker_id=worker_id, enrolled_on=date(2025, 9, 1),
                                          result="合格", completed_on=date(2025, 12, 1), certificate_id=cert.id,
                                          sent_by_enterprise=enrolment))
        return cert.id


def judged(engine, type_name, start=YEAR_FROM, end=YEAR_TO, today=TODAY):
    return {c.name: c for c in s.find_candidates(engine, type_name, start, end, today=today).candidates}


def rule(candidate, name):
    return next(c for c in candidate.conditions if c.rule == name)


# ── 技能提升培训补贴 ───────────────────────────────────────────────────────────────────────

def test_upgrade_training_rules_and_boundaries(engine):
    ok = person(engine, "合格者")
    certificate(engine, ok, 3, date(2026, 3, 1))
    exact = person(engine, "合同刚满一年", contract=(date(2024, 1, 1), date(2027, 3, 1)))
    certificate(engine, exact, 4, date(2026, 3, 1))
    short = person(engine, "合同差一天", contract=(date(2024, 1, 1), date(2027, 2, 28)))
    certificate(engine, short, 5, date(2026, 3, 1))
    leaver = person(engine, "取证后离职", left=date(2026, 9, 30))
    certificate(engine, leaver, 3, date(2026, 3, 1))
    middle = person(engine, "中级工")
    certificate(engine, middle, 2, date(2026, 5, 1))
    not_short = person(engine, "非紧缺")
    certificate(engine, not_short, 3, date(2026, 5, 1), occupation="钳工", shortage=(2025,))
    own_choice = person(engine, "自行参加")
    certificate(engine, own_choice, 3, date(2026, 5, 1), enrolment=False)
    no_training = person(engine, "无培训")
    certificate(engine, no_training, 3, date(2026, 5, 1), enrolment=None)
    first_day = person(engine, "首日")
    certificate(engine, first_day, 3, date(2026, 1, 1))
    last_day = person(engine, "末日")
    certificate(engine, last_day, 3, date(2026, 12, 31))
    before = person(engine, "期前")
    certificate(engine, before, 3, date(2025, 12, 31), shortage=(2025, 2026))

    found = judged(engine, s.TYPE_UPGRADE_TRAINING)
    assert "期前" not in found
    assert {"首日", "末日"} <= set(found)
    assert found["合格者"].eligible and found["合格者"].amount == Decimal("1300.00")
    assert [c.rule for c in found["合格者"].conditions] == ["等级", "紧缺工种", "企业选送", "劳动合同", "未重复申领"]
    assert "数控车工 列入2026年紧缺工种目录" in rule(found["合格者"], "紧缺工种").reason
    assert "企业选送" in rule(found["合格者"], "企业选送").reason
    assert found["合同刚满一年"].eligible and found["合同刚满一年"].amount == Decimal("1800.00")
    assert not rule(found["合同差一天"], "劳动合同").ok
    assert "2027-03-01" in rule(found["合同差一天"], "劳动合同").reason
    assert found["合同差一天"].amount == Decimal("2500.00")
    assert "离职" in rule(found["取证后离职"], "劳动合同").reason
    assert not rule(found["中级工"], "等级").ok and found["中级工"].amount == 0
    assert not rule(found["非紧缺"], "紧缺工种").ok
    assert "个人自行参加" in rule(found["自行参加"], "企业选送").reason
    assert "没有关联" in rule(found["无培训"], "企业选送").reason
    assert [c.failed for c in (found["首日"], found["末日"])] == [[], []]


def test_candidates_json_has_the_spec_shape(engine):
    worker = person(engine, "张三")
    certificate(engine, worker, 3, date(2026, 3, 1), number="Y440000000000000300001")
    (line,) = [c.as_json() for c in s.find_candidates(engine, s.TYPE_UPGRADE_TRAINING, YEAR_FROM, YEAR_TO).candidates]
    assert set(line) == {"worker", "id_number", "basis", "amount", "eligible", "conditions"}
    assert line["worker"] == "张三" and line["amount"] == "1300.00" and line["eligible"] is True
    assert "*" in line["id_number"] and len(line["id_number"]) == 18
    assert "Y440000000000000300001" in line["basis"]
    assert line["conditions"][0] == {"rule": "等级", "ok": True, "reason": "高级工，补贴标准 1300.00 元"}


# ── no double claims ─────────────────────────────────────────────────────────────────────

def test_a_basis_is_claimed_once_and_void_frees_it(engine):
    worker = person(engine, "张三")
    certificate(engine, worker, 3, date(2026, 3, 1))
    first = s.create_application(engine, s.TYPE_UPGRADE_TRAINING, YEAR_FROM, YEAR_TO, generate=True, today=TODAY)
    assert s.load_application_row(engine, first).status == s.GENERATED

    again = judged(engine, s.TYPE_UPGRADE_TRAINING)["张三"]
    assert not again.eligible and again.claimed_by == first
    assert f"第 {first} 号申请" in rule(again, "未重复申领").reason
    with pytest.raises(Refused, match="没有可申领"):
        s.create_application(engine, s.TYPE_UPGRADE_TRAINING, YEAR_FROM, YEAR_TO, generate=True, today=TODAY)
    with pytest.raises(Refused, match="不符合条件"):
        s.create_application(engine, s.TYPE_UPGRADE_TRAINING, YEAR_FROM, YEAR_TO, [again.basis_key], today=TODAY)
    # an overlapping period finds the same certificate, still claimed
    with pytest.raises(Refused):
        s.create_application(engine, s.TYPE_UPGRADE_TRAINING, date(2026, 3, 1), date(2026, 3, 31), generate=True)

    with pytest.raises(FieldErrors, match="作废原因"):
        s.change_status(engine, first, s.VOID)
    s.change_status(engine, first, s.VOID, reason="材料有误，重新申报")
    assert judged(engine, s.TYPE_UPGRADE_TRAINING)["张三"].eligible
    second = s.create_application(engine, s.TYPE_UPGRADE_TRAINING, YEAR_FROM, YEAR_TO, generate=True, today=TODAY)
    assert second != first
    assert s.load_application_row(engine, first).status == s.VOID


def test_the_database_refuses_a_second_claim_whatever_the_screen_shows(engine):
    worker = person(engine, "张三")
    cert = certificate(engine, worker, 3, date(2026, 3, 1))
    application = s.create_application(engine, s.TYPE_UPGRADE_TRAINING, YEAR_FROM, YEAR_TO, today=TODAY)
    with unit_of_work(engine) as session:
        (line,) = session.get(SubsidyApplication, application).lines
        copy = SubsidyLine(application_id=application, seq=2, name=line.name, id_type=line.id_type,
                           id_number=line.id_number, amount=line.amount, basis_kind=line.basis_kind,
                           basis_key=line.basis_key, claim_key=line.claim_key, basis_text=line.basis_text,
                           conditions="[]")
        session.add(copy)
        session.flush()
        copy_id = session.scalar(select(SubsidyLine.id).where(SubsidyLine.seq == 2))
    claim = SubsidyClaim(subsidy_type=s.TYPE_UPGRADE_TRAINING, basis_key=f"certificate:{cert}", line_id=copy_id)
    with pytest.raises(IntegrityError, match="(?i)unique"), unit_of_work(engine) as session:
        session.add(claim)
    # the same certificate may be claimed once by each type
    with unit_of_work(engine) as session:
        session.add(SubsidyClaim(subsidy_type=s.TYPE_SELF_CLAIM, basis_key=f"certificate:{cert}", line_id=copy_id))


def test_a_draft_claims_its_lines_and_frees_what_it_removes(engine):
    a, b = person(engine, "甲"), person(engine, "乙")
    certificate(engine, a, 3, date(2026, 3, 1))
    certificate(engine, b, 4, date(2026, 4, 1))
    found = judged(engine, s.TYPE_UPGRADE_TRAINING)
    draft = s.create_application(engine, s.TYPE_UPGRADE_TRAINING, YEAR_FROM, YEAR_TO,
                                 [found["甲"].basis_key, found["乙"].basis_key], today=TODAY)
    assert s.load_application_row(engine, draft).status == s.DRAFT
    assert not judged(engine, s.TYPE_UPGRADE_TRAINING)["甲"].eligible
    lines = s.application_lines(engine, draft)
    s.remove_lines(engine, draft, [lines[0].id])
    assert judged(engine, s.TYPE_UPGRADE_TRAINING)["甲"].eligible
    assert [line.name for line in s.application_lines(engine, draft)] == ["乙"]
    with pytest.raises(Refused, match="不能移除全部行"):
        s.remove_lines(engine, draft, [line.id for line in s.application_lines(engine, draft)])
    s.generate_application(engine, draft, today=TODAY)
    with pytest.raises(Refused, match="不能再移除"):
        s.remove_lines(engine, draft, [1])


def test_generating_a_draft_judges_again(engine):
    worker = person(engine, "张三")
    cert = certificate(engine, worker, 3, date(2026, 3, 1))
    draft = s.create_application(engine, s.TYPE_UPGRADE_TRAINING, YEAR_FROM, YEAR_TO, today=TODAY)
    with unit_of_work(engine) as session:
        occupation_id = session.get(Certificate, cert).occupation_id
        session.execute(delete(OccupationShortage).where(OccupationShortage.occupation_id == occupation_id))
    with pytest.raises(Refused, match="紧缺工种"):
        s.generate_application(engine, draft, today=TODAY)
    assert s.load_application_row(engine, draft).status == s.DRAFT


# ── frozen values ────────────────────────────────────────────────────────────────────────

def test_generated_numbers_and_policy_survive_a_policy_change(engine):
    worker = person(engine, "张三")
    certificate(engine, worker, 3, date(2026, 3, 1))
    generated = s.create_application(engine, s.TYPE_UPGRADE_TRAINING, YEAR_FROM, YEAR_TO, generate=True, today=TODAY)
    worker2 = person(engine, "李四")
    certificate(engine, worker2, 3, date(2026, 6, 1))
    draft = s.create_application(engine, s.TYPE_UPGRADE_TRAINING, YEAR_FROM, YEAR_TO, today=TODAY)

    set_policy_value(engine, "subsidy.upgrade.高级工", "1500", date(2026, 1, 1))
    doc = s.application_doc(engine, generated)
    assert [line.amount for line in doc.lines] == [Decimal("1300.00")]
    assert doc.policy_values["subsidy.upgrade.高级工"] == "1300.00"
    assert s.load_application_row(engine, generated).total == Decimal("1300.00")
    # a draft follows the policy until it is generated
    s.generate_application(engine, draft, today=TODAY)
    assert s.application_doc(engine, draft).lines[0].amount == Decimal("1500.00")
    assert s.load_application_row(engine, draft).total == Decimal("1500.00")


def test_the_printed_copy_does_not_follow_later_edits(engine):
    worker = person(engine, "张三")
    certificate(engine, worker, 3, date(2026, 3, 1))
    application = s.create_application(engine, s.TYPE_UPGRADE_TRAINING, YEAR_FROM, YEAR_TO, generate=True, today=TODAY)
    with unit_of_work(engine) as session:
        session.get(Worker, worker).name = "张叁"
    doc = s.application_doc(engine, application)
    assert doc.lines[0].name == "张三" and doc.lines[0].contract == "2020-01-01至无固定期限"
    assert doc.title == "技能提升培训补贴申请表" and doc.columns.reference_no == "证书编号"


# ── status flow ──────────────────────────────────────────────────────────────────────────

def test_status_flow(engine):
    worker = person(engine, "张三")
    certificate(engine, worker, 3, date(2026, 3, 1))
    application = s.create_application(engine, s.TYPE_UPGRADE_TRAINING, YEAR_FROM, YEAR_TO, generate=True, today=TODAY)
    with pytest.raises(Refused, match="不能改为 已到账"):
        s.change_status(engine, application, s.RECEIVED, on=TODAY, amount="1300")
    with pytest.raises(FieldErrors, match="提交日期"):
        s.change_status(engine, application, s.SUBMITTED, on="不是日期")
    s.change_status(engine, application, s.SUBMITTED, on=date.today())
    s.change_status(engine, application, s.RETURNED, on=date.today(), reason="缺少证书复印件")
    s.change_status(engine, application, s.SUBMITTED, on=date.today())
    with pytest.raises(FieldErrors, match="到账金额"):
        s.change_status(engine, application, s.RECEIVED, on=date.today(), amount="-1")
    s.change_status(engine, application, s.RECEIVED, on=date.today(), amount="1300.00")
    row = s.load_application_row(engine, application)
    assert (row.status, row.received_amount, row.return_reason) == (s.RECEIVED, Decimal("1300.00"), "缺少证书复印件")
    assert row.next_statuses == (s.VOID,)
    with pytest.raises(Refused, match="生成时会重新核对"):
        s.change_status(engine, application, s.GENERATED)


def test_a_stale_version_is_refused(engine):
    worker = person(engine, "张三")
    certificate(engine, worker, 3, date(2026, 3, 1))
    application = s.create_application(engine, s.TYPE_UPGRADE_TRAINING, YEAR_FROM, YEAR_TO, generate=True, today=TODAY)
    version = s.load_application_row(engine, application).version
    s.change_status(engine, application, s.SUBMITTED, on=date.today(), expected_version=version)
    with pytest.raises(Refused, match="已被修改"):
        s.change_status(engine, application, s.VOID, reason="x", expected_version=version)


# ── 企业新型学徒制培训补贴 ─────────────────────────────────────────────────────────────────

def pairing(engine, apprentice, start, planned_end, target=3, *, ended_on=None, kind="企业新型学徒制"):
    master = person(engine, f"师傅{next(_SEQ)}")
    with unit_of_work(engine) as session:
        row = Apprenticeship(master_id=master, apprentice_id=apprentice, kind=kind, start_date=start,
                             planned_end=planned_end, target_level=target, ended_on=ended_on,
                             status="终止" if ended_on else "在培")
        session.add(row)
        session.flush()
        return row.id


def test_apprenticeship_training_years(engine):
    two_years = person(engine, "两年期", contract=(date(2025, 3, 1), date(2028, 2, 29)))
    pairing(engine, two_years, date(2025, 3, 1), date(2027, 2, 28), target=3)
    short_contract = person(engine, "合同不足一年", contract=(date(2026, 5, 1), date(2027, 4, 29)))
    pairing(engine, short_contract, date(2026, 5, 1), date(2027, 4, 30), target=2)
    too_long = person(engine, "培训期过长")
    pairing(engine, too_long, date(2026, 6, 1), date(2029, 6, 2), target=5)
    mentor_only = person(engine, "师带徒")
    pairing(engine, mentor_only, date(2026, 6, 1), date(2027, 6, 1), kind="企业师带徒")
    ended = person(engine, "已终止")
    pairing(engine, ended, date(2025, 2, 1), date(2027, 1, 31), ended_on=date(2026, 1, 15))

    lines = s.find_candidates(engine, s.TYPE_APPRENTICESHIP, YEAR_FROM, YEAR_TO, today=TODAY).candidates
    by_name = {c.name: c for c in lines}
    assert set(by_name) == {"两年期", "合同不足一年", "培训期过长"}
    year2 = by_name["两年期"]
    assert year2.eligible and year2.amount == Decimal("5000.00")
    assert year2.reference_no == "第2年（2026-03-01至2027-02-28）" and year2.basis_key.endswith(":year:2")
    assert not rule(by_name["合同不足一年"], "劳动合同").ok
    assert by_name["合同不足一年"].amount == Decimal("4000.00")
    assert not rule(by_name["培训期过长"], "培训期").ok
    assert by_name["培训期过长"].amount == Decimal("6000.00")  # 高级技师 target: 技师及以上
    # the first year of 两年期 began in 2025: a 2025 application finds it
    (first,) = [c for c in s.find_candidates(engine, s.TYPE_APPRENTICESHIP, date(2025, 1, 1), date(2025, 12, 31)).candidates
                if c.name == "两年期"]
    assert first.reference_date == date(2025, 3, 1)


# ── 技能竞赛奖励 and 技能提升补贴 ──────────────────────────────────────────────────────────

def test_competition_rewards_by_prize(engine):
    winner, other = person(engine, "一等奖得主"), person(engine, "优秀奖得主")
    with unit_of_work(engine) as session:
        session.add(CompetitionEntry(worker_id=winner, competition_name="2026年全市职业技能大赛", held_on=date(2026, 9, 1), result="一等奖", level="市级"))
        session.add(CompetitionEntry(worker_id=other, competition_name="2026年全市职业技能大赛", held_on=date(2026, 9, 1), result="优秀奖"))
        session.add(CompetitionEntry(worker_id=other, competition_name="2025年比武", held_on=date(2025, 12, 31), result="一等奖"))
    found = judged(engine, s.TYPE_COMPETITION)
    assert found["一等奖得主"].eligible and found["一等奖得主"].amount == Decimal("2000.00")
    assert found["一等奖得主"].level == "一等奖" and found["一等奖得主"].reference_no == "2026年全市职业技能大赛"
    assert not found["优秀奖得主"].eligible
    assert len(s.find_candidates(engine, s.TYPE_COMPETITION, YEAR_FROM, YEAR_TO).candidates) == 2


def test_self_claim_window_once_per_occupation_and_level(engine):
    fresh = person(engine, "新取证")
    certificate(engine, fresh, 2, date(2026, 1, 10), enrolment=None)
    repeat = person(engine, "重复取证")
    certificate(engine, repeat, 3, date(2024, 5, 1), enrolment=None)
    certificate(engine, repeat, 3, date(2026, 5, 1), enrolment=None)
    leaver = person(engine, "已离职", left=date(2026, 10, 1))
    certificate(engine, leaver, 1, date(2026, 2, 1), enrolment=None)
    technician = person(engine, "技师")
    certificate(engine, technician, 4, date(2026, 2, 1), enrolment=None)

    found = judged(engine, s.TYPE_SELF_CLAIM, today=date(2027, 1, 10))
    assert found["新取证"].eligible and found["新取证"].amount == Decimal("1500.00")
    assert "截止 2027-01-10" in rule(found["新取证"], "申领期限").reason
    late = judged(engine, s.TYPE_SELF_CLAIM, today=date(2027, 1, 11))["新取证"]
    assert not rule(late, "申领期限").ok
    assert not rule(found["重复取证"], "同职业同等级仅一次").ok
    assert not rule(found["已离职"], "在职").ok
    assert not rule(found["技师"], "等级").ok
    application = s.create_application(engine, s.TYPE_SELF_CLAIM, YEAR_FROM, YEAR_TO, generate=True, today=date(2027, 1, 10))
    doc = s.application_doc(engine, application)
    assert doc.claimant == "个人" and doc.title == "技能提升补贴申领名单"
    assert [line.name for line in doc.lines] == ["新取证"]


# ── the clerk's own types and the 紧缺工种 list ───────────────────────────────────────────

def test_a_custom_type_with_a_fixed_amount_table(engine):
    with pytest.raises(FieldErrors) as refused:
        s.add_subsidy_type(engine, "技能竞赛奖励", "certificate", {"高级工": "800"})
    assert refused.value.problems[0].field == "name"
    with pytest.raises(FieldErrors, match="金额最多两位小数|两位小数"):
        s.add_subsidy_type(engine, "市级技能人才奖励", "certificate", {"技师": "1.234"})
    s.add_subsidy_type(engine, "市级技能人才奖励", "certificate", {"技师": "800", "高级技师": "1200.50"})
    assert [t.name for t in s.subsidy_types(engine)][-1] == "市级技能人才奖励"
    worker, junior = person(engine, "技师甲"), person(engine, "高级工乙")
    certificate(engine, worker, 4, date(2026, 6, 1), enrolment=None)
    certificate(engine, junior, 3, date(2026, 6, 1), enrolment=None)
    found = judged(engine, "市级技能人才奖励")
    assert found["技师甲"].eligible and found["技师甲"].amount == Decimal("800.00")
    assert not found["高级工乙"].eligible
    application = s.create_application(engine, "市级技能人才奖励", YEAR_FROM, YEAR_TO, generate=True, today=TODAY)
    assert s.application_doc(engine, application).policy_values == {"金额表.技师": "800.00", "金额表.高级技师": "1200.50"}
    with pytest.raises(Refused, match="没有这种补贴类型"):
        s.find_candidates(engine, "不存在的补贴", YEAR_FROM, YEAR_TO)


def test_shortage_list_is_kept_by_year(engine):
    s.set_shortage_occupations(engine, 2026, ["数控车工", "焊工", " "])
    s.set_shortage_occupations(engine, 2025, ["钳工"])
    assert s.shortage_occupations(engine, 2026) == sorted(["数控车工", "焊工"])
    s.set_shortage_occupations(engine, 2026, ["焊工"])
    assert s.shortage_occupations(engine, 2026) == ["焊工"]
    assert s.shortage_occupations(engine, 2025) == ["钳工"]


def test_period_is_checked(engine):
    with pytest.raises(FieldErrors, match="截止日期：不能早于起始日期"):
        s.find_candidates(engine, s.TYPE_COMPETITION, "2026-12-31", "2026-01-01")
    with pytest.raises(FieldErrors, match="起始日期"):
        s.find_candidates(engine, s.TYPE_COMPETITION, "2026-13-01", "2026-12-31")


def test_a_claim_raced_by_another_clerk_is_refused_by_the_database(engine, monkeypatch):
    """Two clerks judge the same record free at once; the second commit meets the unique
    claim and the whole application is refused, nothing written."""
    worker = person(engine, "张三")
    certificate(engine, worker, 3, date(2026, 3, 1))
    first = s.create_application(engine, s.TYPE_UPGRADE_TRAINING, YEAR_FROM, YEAR_TO, generate=True, today=TODAY)
    monkeypatch.setattr(s, "_claims", lambda _session, _type: {})  # the second clerk's screen: nothing claimed
    with pytest.raises(Refused, match="刚刚已被另一份申请申领"):
        s.create_application(engine, s.TYPE_UPGRADE_TRAINING, YEAR_FROM, YEAR_TO, generate=True, today=TODAY)
    assert [row.id for row in s.list_applications(engine)] == [first]


# ── found in review: each a real register's case ─────────────────────────────────────────

def test_self_claim_two_certificates_of_one_occupation_and_level(engine):
    same_day = person(engine, "同日两证")
    first = certificate(engine, same_day, 2, date(2026, 3, 1), enrolment=None)
    certificate(engine, same_day, 2, date(2026, 3, 1), enrolment=None)
    later = person(engine, "期内两证")
    certificate(engine, later, 3, date(2026, 1, 10), enrolment=None)
    certificate(engine, later, 3, date(2026, 6, 1), enrolment=None)
    found = s.find_candidates(engine, s.TYPE_SELF_CLAIM, YEAR_FROM, YEAR_TO, today=date(2026, 6, 30)).candidates
    assert len({c.basis_key for c in found}) == 4  # one line per certificate
    eligible = [c for c in found if c.eligible]
    assert [(c.name, c.reference_date) for c in eligible] == [("期内两证", date(2026, 1, 10)), ("同日两证", date(2026, 3, 1))]
    assert next(c for c in eligible if c.name == "同日两证").basis_key == f"certificate:{first}"
    application = s.create_application(engine, s.TYPE_SELF_CLAIM, YEAR_FROM, YEAR_TO, generate=True, today=date(2026, 6, 30))
    assert s.load_application_row(engine, application).total == Decimal("3500.00")
    # the same-day twin and the later certificate stay unclaimable: their (worker, occupation, level) is claimed
    again = [c for c in s.find_candidates(engine, s.TYPE_SELF_CLAIM, YEAR_FROM, YEAR_TO, today=date(2026, 6, 30)).candidates
             if c.eligible]
    assert again == []


def test_apprenticeship_years_end_with_the_term_and_begin_before_a_claim(engine):
    one_year = person(engine, "一年期", contract=(date(2026, 3, 1), None))
    pairing(engine, one_year, date(2026, 3, 1), date(2027, 3, 1), target=2)
    three_years = person(engine, "三年期", contract=(date(2025, 3, 1), None))
    pairing(engine, three_years, date(2025, 3, 1), date(2028, 3, 1), target=3)
    left = person(engine, "已离职徒弟", contract=(date(2025, 3, 1), date(2028, 2, 29)), left=date(2026, 1, 20))
    pairing(engine, left, date(2025, 3, 1), date(2027, 3, 1), target=3)
    years = s.find_candidates(engine, s.TYPE_APPRENTICESHIP, date(2025, 1, 1), date(2029, 12, 31), today=TODAY).candidates
    by_name: dict[str, list] = {}
    for c in years:
        by_name.setdefault(c.name, []).append(c)
    assert [c.reference_date for c in by_name["一年期"]] == [date(2026, 3, 1)]
    assert [c.reference_date.year for c in by_name["三年期"]] == [2025, 2026, 2027]
    future = by_name["三年期"][2]
    assert not future.eligible and "才开始" in rule(future, "培训年度已开始").reason
    second = by_name["已离职徒弟"][1]
    assert not rule(second, "在职").ok and by_name["已离职徒弟"][0].eligible


def test_amounts_follow_the_policy_on_each_records_date(engine):
    set_policy_value(engine, "subsidy.upgrade.高级工", "1500", date(2026, 1, 1))
    old, new = person(engine, "旧标准"), person(engine, "新标准")
    certificate(engine, old, 3, date(2025, 3, 1), shortage=(2025,))
    certificate(engine, new, 3, date(2026, 3, 1))
    found = judged(engine, s.TYPE_UPGRADE_TRAINING, date(2025, 1, 1), YEAR_TO)
    assert (found["旧标准"].amount, found["新标准"].amount) == (Decimal("1300.00"), Decimal("1500.00"))
    assert judged(engine, s.TYPE_UPGRADE_TRAINING, date(2025, 1, 1), date(2025, 12, 31))["旧标准"].amount == Decimal("1300.00")
    application = s.create_application(engine, s.TYPE_UPGRADE_TRAINING, date(2025, 1, 1), YEAR_TO, generate=True, today=TODAY)
    assert s.application_doc(engine, application).policy_values["subsidy.upgrade.高级工"] == "1300.00 / 1500.00"


def test_a_renewed_contract_is_one_employment(engine):
    renewed = person(engine, "续签", contract=(date(2023, 7, 1), date(2026, 6, 30)))
    with unit_of_work(engine) as session:
        session.add(LaborContract(worker_id=renewed, start_date=date(2026, 7, 1), end_date=date(2029, 6, 30)))
    certificate(engine, renewed, 3, date(2026, 3, 1))
    candidate = judged(engine, s.TYPE_UPGRADE_TRAINING)["续签"]
    assert candidate.eligible and "2023-07-01至2029-06-30" in rule(candidate, "劳动合同").reason


def test_leap_day_years_are_full_years(engine):
    assert s.training_year_bounds(date(2024, 2, 29), 1) == (date(2024, 2, 29), date(2025, 2, 28))
    assert s.anniversary(date(2024, 2, 29), 1) == date(2025, 3, 1)
    short = person(engine, "闰日合同", contract=(date(2024, 2, 29), date(2025, 2, 27)))
    pairing(engine, short, date(2024, 2, 29), date(2025, 12, 31), target=2)
    (year,) = s.find_candidates(engine, s.TYPE_APPRENTICESHIP, date(2024, 1, 1), date(2024, 12, 31), today=TODAY).candidates
    assert not rule(year, "劳动合同").ok


def test_status_dates_are_when_it_happened(engine):
    worker = person(engine, "张三")
    certificate(engine, worker, 3, date(2026, 3, 1))
    application = s.create_application(engine, s.TYPE_UPGRADE_TRAINING, YEAR_FROM, YEAR_TO, generate=True, today=TODAY)
    today = date.today()
    with pytest.raises(FieldErrors, match="晚于今天"):
        s.change_status(engine, application, s.SUBMITTED, on=today + timedelta(days=1))
    s.change_status(engine, application, s.SUBMITTED, on=today)
    with pytest.raises(FieldErrors, match="退回日期：不能早于"):
        s.change_status(engine, application, s.RETURNED, on=today - timedelta(days=1), reason="x", today=today)


def test_a_placing_without_a_prize_is_named_and_reserved_names_refused(engine):
    worker = person(engine, "名次")
    with unit_of_work(engine) as session:
        session.add(CompetitionEntry(worker_id=worker, competition_name="比武", held_on=date(2026, 5, 1), placing=1))
    candidate = judged(engine, s.TYPE_COMPETITION)["名次"]
    assert candidate.level == "第1名" and "按名次" in rule(candidate, "奖次").reason
    with pytest.raises(FieldErrors, match="保留字"):
        s.add_subsidy_type(engine, "全部", "certificate", {"技师": "100"})
