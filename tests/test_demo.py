from collections import Counter
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from app.errors import Refused
from app.models import (
    AccountEntry,
    ApprenticeAssessment,
    Apprenticeship,
    Base,
    Certificate,
    CompetitionEntry,
    Department,
    Enterprise,
    Honour,
    LaborContract,
    Occupation,
    OccupationShortage,
    TrainingAccount,
    TrainingEnrolment,
    TrainingFundYear,
    TrainingProgramme,
    Worker,
)
from app.models.db import database_url, ensure_schema, make_engine, session_factory
from app.services import demo
from app.services.accounts import (
    KIND_CREDIT,
    KIND_DEBIT,
    charge_enrolment,
    key_talents,
    load_plan,
)
from app.services.compliance import compliance_report
from app.services.demo import DEMO_REFERENCE_DATE as REF
from app.services.demo import generate_demo
from app.services.fund import fund_year
from app.services.identity import (
    ID_TYPE_HMT,
    ID_TYPE_RESIDENT,
    cert_number_level_warning,
    check_id_number,
    check_uscc,
)
from app.services.levels import (
    KIND_QUALIFICATION,
    KIND_SAFETY_LICENCE,
    KIND_SKILL_LEVEL,
    LEVEL_BEARING_KINDS,
    TECHNICIAN,
    levels_on_query,
)
from app.services.training import link_certificate
from app.services.training_rules import (
    FUNDING_FUND,
    FUNDING_PERSONAL,
    FUNDING_SOURCES,
    RESULTS,
    TRAINING_FORMS,
)
from app.services.vocab import EDUCATIONS, STATUS_ACTIVE, WORKER_STATUSES

WORKERS = 300


def add_years(day, years):
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def count(conn, model):
    return conn.execute(select(func.count()).select_from(model.__table__)).scalar_one()


def dump(engine):
    """Every row of every table, timestamps left out (they record when, not what)."""
    tables = {}
    with engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            columns = [c for c in table.columns if c.name not in ("created_at", "updated_at", "at")]
            tables[table.name] = conn.execute(
                select(*columns).order_by(*table.primary_key.columns)).all()
    return tables


def second_engine(tmp_path, name):
    engine = make_engine(database_url(tmp_path / name))
    ensure_schema(engine)
    return engine


@pytest.fixture
def demo_engine(engine):
    generate_demo(engine, WORKERS, seed=1)
    return engine


def test_summary_matches_the_rows(engine):
    summary = generate_demo(engine, WORKERS, seed=1)
    with engine.connect() as conn:
        assert summary.workers == count(conn, Worker) == WORKERS
        assert summary.certificates == count(conn, Certificate)
        assert summary.contracts == count(conn, LaborContract)
        assert summary.honours == count(conn, Honour)
        assert summary.competitions == count(conn, CompetitionEntry)
        assert summary.departments == count(conn, Department) == 12
        assert summary.occupations == count(conn, Occupation) >= 18
        assert count(conn, Enterprise) == 1
        assert count(conn, OccupationShortage) == 15
        assert conn.execute(select(func.count(func.distinct(LaborContract.worker_id)))).scalar_one() == WORKERS
        assert summary.pairings == count(conn, Apprenticeship) == round(WORKERS * 0.015)
        assert summary.assessments == count(conn, ApprenticeAssessment) > 0
        assert summary.programmes == count(conn, TrainingProgramme) > 0
        assert summary.enrolments == count(conn, TrainingEnrolment) > summary.programmes
        assert summary.accounts == count(conn, TrainingAccount) > 0
        assert summary.account_entries == count(conn, AccountEntry) > 0
        assert summary.fund_years == count(conn, TrainingFundYear) == 3


def test_enterprise_has_a_valid_credit_code(demo_engine):
    with demo_engine.connect() as conn:
        row = conn.execute(select(Enterprise)).one()
    assert check_uscc(row.uscc) == row.uscc
    assert row.enterprise_type == "国有企业" and row.scale == "大"
    assert row.name and row.principal and row.bank_account


def test_every_id_number_is_valid_and_agrees_with_gender_and_birth(demo_engine):
    with demo_engine.connect() as conn:
        workers = conn.execute(select(Worker)).all()
    for w in workers:
        info = check_id_number(w.id_type, w.id_number, today=REF)
        assert (info.id_type, info.gender, info.birth_date) == (w.id_type, w.gender, w.birth_date)
        assert add_years(REF, -61) < w.birth_date <= add_years(REF, -20)
    assert {w.id_type for w in workers} <= {ID_TYPE_RESIDENT, ID_TYPE_HMT}
    assert len({w.id_number for w in workers}) == len({w.employee_no for w in workers}) == WORKERS


def test_worker_facts_hang_together(demo_engine):
    with demo_engine.connect() as conn:
        workers = conn.execute(select(Worker)).all()
        contracts = conn.execute(select(LaborContract)).all()
    hired = {}
    for w in workers:
        assert w.education in EDUCATIONS and w.status in WORKER_STATUSES
        assert add_years(w.birth_date, 18) <= w.hire_date < REF
        assert (w.leave_date is None) == (w.status == STATUS_ACTIVE)
        assert w.leave_date is None or w.hire_date < w.leave_date <= REF
        assert 4500 <= w.monthly_wage <= 16600 and w.monthly_wage.as_tuple().exponent == -2
        assert len(w.phone) == 11 and w.phone.startswith("1")
        assert w.name_initials and w.post
        hired[w.id] = w.hire_date
    for c in contracts:
        assert c.start_date >= hired[c.worker_id]
        assert c.end_date is None or c.end_date > c.start_date
    statuses = Counter(w.status for w in workers)
    assert statuses["在职"] > 0.75 * WORKERS and statuses["离职"] > 0 and statuses["退休"] > 0
    assert 0.6 * WORKERS < sum(w.is_frontline for w in workers) < 0.8 * WORKERS


def test_certificates_follow_the_rules(demo_engine):
    with demo_engine.connect() as conn:
        born = dict(conn.execute(select(Worker.id, Worker.birth_date)).all())
        certificates = conn.execute(select(Certificate)).all()
    assert len({c.number for c in certificates}) == len(certificates)
    for c in certificates:
        assert add_years(born[c.worker_id], 16) <= c.issue_date <= REF
        assert cert_number_level_warning(c.kind, c.number, c.level_rank) is None
        if c.kind in LEVEL_BEARING_KINDS:
            assert c.kind == (KIND_QUALIFICATION if c.issue_date.year < 2020 else KIND_SKILL_LEVEL)
            assert c.number[10 if c.kind == KIND_QUALIFICATION else 15] == str(6 - c.level_rank) \
                or c.level_rank >= 6
        else:
            assert c.level_rank is None
        assert not c.revoked or c.issue_date < c.revoked_on <= REF


def test_a_worker_climbs_the_ladder_over_the_years(demo_engine):
    with demo_engine.connect() as conn:
        ladder = conn.execute(
            select(Certificate.worker_id, Certificate.level_rank, Certificate.issue_date)
            .where(Certificate.kind.in_(LEVEL_BEARING_KINDS))
            .order_by(Certificate.worker_id, Certificate.issue_date)).all()
    previous = None
    for row in ladder:
        if previous and previous.worker_id == row.worker_id:
            assert row.level_rank > previous.level_rank
            assert row.issue_date - previous.issue_date >= timedelta(days=700)
        previous = row


def test_levels_form_a_pyramid(demo_engine):
    with demo_engine.connect() as conn:
        ranks = Counter(rank for _, rank in conn.execute(levels_on_query(REF)))
    assert ranks[1] + ranks[2] > sum(n for rank, n in ranks.items() if rank >= TECHNICIAN) > 0
    assert WORKERS * 0.6 < sum(ranks.values()) < WORKERS * 0.9


def test_safety_licences_give_reminders_something_to_show(engine):
    generate_demo(engine, 3000, seed=2)
    with engine.connect() as conn:
        licences = conn.execute(select(Certificate).where(Certificate.kind == KIND_SAFETY_LICENCE)).all()
        holders = conn.execute(select(Worker.id, Worker.id_number)).all()
    id_numbers = dict(holders)
    for c in licences:
        assert c.expiry_date == add_years(c.issue_date, 6)
        # a review still ahead is due 3 years after issue; one already held is cleared
        assert c.review_date in (add_years(c.issue_date, 3), None)
        assert c.number == "T" + id_numbers[c.worker_id]
    assert 0.05 * 3000 < len(licences) < 0.12 * 3000
    overdue = [c for c in licences if c.review_date is not None and c.review_date < REF]
    assert len(overdue) < 0.1 * len(licences)  # a few (some of people who left), not most
    assert any(REF <= c.expiry_date <= REF + timedelta(days=30) for c in licences)


def test_honours_and_competitions_are_filled_in(engine):
    generate_demo(engine, 3000, seed=3)
    with engine.connect() as conn:
        honours = conn.execute(select(Honour)).all()
        entries = conn.execute(select(CompetitionEntry)).all()
        promoted = dict(conn.execute(select(Certificate.id, Certificate.issue_date)
                                     .where(Certificate.evaluation_route == "竞赛晋升")).all())
    assert honours and entries
    assert all(h.title and h.level and h.awarding_body and 1985 <= h.year <= REF.year for h in honours)
    for e in entries:
        assert e.competition_name.startswith(f"{e.held_on.year}年") and e.held_on <= REF
        assert e.result in ("一等奖", "二等奖", "三等奖", "优秀奖")
        if e.promoted_certificate_id is not None:
            assert e.held_on < promoted[e.promoted_certificate_id]
    assert {e.promoted_certificate_id for e in entries if e.promoted_certificate_id} == set(promoted)


def test_same_seed_gives_the_same_rows(engine, tmp_path):
    other = second_engine(tmp_path, "again.db")
    try:
        generate_demo(engine, WORKERS, seed=5)
        generate_demo(other, WORKERS, seed=5)
        first = dump(engine)
        # the pairings, the training and the accounts are part of what is compared
        for table in ("apprenticeship", "apprentice_assessment", "training_programme", "training_enrolment",
                      "training_account", "account_entry", "training_fund_year"):
            assert first[table], table
        assert first == dump(other)
    finally:
        other.dispose()


def test_another_seed_gives_other_rows(engine, tmp_path):
    other = second_engine(tmp_path, "other.db")
    try:
        generate_demo(engine, WORKERS, seed=5)
        generate_demo(other, WORKERS, seed=6)
        assert dump(engine)["worker"] != dump(other)["worker"]
    finally:
        other.dispose()


def test_chunks_report_progress(engine, monkeypatch):
    monkeypatch.setattr(demo, "CHUNK", 128)
    calls = []
    generate_demo(engine, WORKERS, progress=lambda done, total: calls.append((done, total)))
    assert calls == [(128, WORKERS), (256, WORKERS), (300, WORKERS)]


def test_refuses_a_register_that_has_workers(demo_engine):
    before = dump(demo_engine)
    with pytest.raises(Refused, match="已有职工"):
        generate_demo(demo_engine, 10)
    assert dump(demo_engine) == before


def test_refuses_fewer_than_one_worker(engine):
    with pytest.raises(Refused):
        generate_demo(engine, 0)


def test_a_failure_leaves_nothing(engine, monkeypatch):
    monkeypatch.setattr(demo, "CHUNK", 100)

    def fail_midway(done, total):
        if done == 200:
            raise RuntimeError("interrupted")

    with pytest.raises(RuntimeError):
        generate_demo(engine, WORKERS, progress=fail_midway)
    with engine.connect() as conn:
        assert [count(conn, m) for m in (Worker, Certificate, Enterprise, Department, Occupation)] == [0] * 5


def test_keeps_an_enterprise_the_clerk_entered(engine):
    with engine.begin() as conn:
        conn.execute(Enterprise.__table__.insert(), [{"name": "常州某某机械有限公司"}])
    generate_demo(engine, 200)
    with engine.connect() as conn:
        assert conn.execute(select(Enterprise.name)).scalars().all() == ["常州某某机械有限公司"]
        bodies = conn.execute(select(Certificate.issuing_body)
                              .where(Certificate.evaluation_route == "企业自主评价")).scalars().all()
    assert bodies and set(bodies) == {"常州某某机械有限公司"}


def test_pairings_follow_the_rules_of_the_apprenticeship_service(engine):
    from app.services.apprenticeships import ACTIVE, assessments_overdue, due_soon, list_pairings
    from app.services.levels import level_on

    summary = generate_demo(engine, 3000, seed=2)
    rows = list_pairings(engine, today=REF)
    assert 40 <= len(rows) == summary.pairings <= 50  # about 1.5 %
    with session_factory(engine)() as session:
        workers = {w.id: w for w in session.scalars(select(Worker))}
        for r in rows:
            master, apprentice = workers[r.master_id], workers[r.apprentice_id]
            assert level_on(session, master.id, r.start_date) >= 3  # 高级工 or above on the start date
            assert apprentice.birth_date > master.birth_date
            assert (level_on(session, apprentice.id, REF) or 0) < (level_on(session, master.id, REF) or 0)
            for w in (master, apprentice):
                assert w.status == STATUS_ACTIVE and w.hire_date <= r.start_date
            assert r.start_date < REF and r.planned_end > r.start_date
            if r.kind == "企业新型学徒制":
                assert r.partner == "市技师学院"
                assert r.planned_end in {add_years(r.start_date, n) for n in (1, 2, 3)}
            if r.status == ACTIVE:
                assert r.ended_on is None and r.planned_end > REF - timedelta(days=1)
            else:
                assert r.start_date < r.ended_on < REF and (r.status == "已出师") == (r.outcome_certificate_id is not None)
    kinds = Counter(r.kind for r in rows)
    assert kinds["企业师带徒"] > kinds["企业新型学徒制"] > 0
    assert 0 < sum(r.status != ACTIVE for r in rows) < 0.3 * len(rows)
    # one master per apprentice, at most three apprentices per master
    assert len({r.apprentice_id for r in rows}) == len(rows)
    assert max(Counter(r.master_id for r in rows).values()) <= 3
    same = sum(workers[r.master_id].department_id == workers[r.apprentice_id].department_id for r in rows)
    assert same > 0.8 * len(rows)
    # assessments about every three months, a few overdue, a few pairings ending soon
    with engine.connect() as conn:
        dates = conn.execute(select(ApprenticeAssessment.apprenticeship_id, ApprenticeAssessment.assessed_on)
                             .order_by(ApprenticeAssessment.apprenticeship_id, ApprenticeAssessment.assessed_on)).all()
    starts = {r.id: r.start_date for r in rows}
    previous = {}
    for pairing_id, on in dates:
        gap = (on - previous.get(pairing_id, starts[pairing_id])).days
        assert 70 <= gap <= 92 and on <= REF
        previous[pairing_id] = on
    overdue = assessments_overdue(engine, today=REF)
    assert 0 < len(overdue) < 0.3 * len(rows)
    assert due_soon(engine, today=REF, days=60)


# -- training, accounts and the subsidy records ------------------------------------------------


def test_programmes_and_enrolments_have_valid_dates(demo_engine):
    with demo_engine.connect() as conn:
        programmes = {p.id: p for p in conn.execute(select(TrainingProgramme))}
        workers = {w.id: w for w in conn.execute(select(Worker))}
        enrolments = conn.execute(select(TrainingEnrolment)).all()
    assert programmes and len(enrolments) > len(programmes)
    for p in programmes.values():
        assert date(2023, 1, 1) <= p.start_date <= p.end_date <= date(2026, 12, 31)
        assert p.form in TRAINING_FORMS and p.funding_source in FUNDING_SOURCES
        assert p.name and p.provider and p.hours >= 1 and p.cost_per_person >= 0
    assert len({p.name for p in programmes.values()}) == len(programmes)  # a clerk tells them apart by name
    assert {p.form for p in programmes.values()} >= {"企业自办", "校企合作", "院校", "培训机构"}
    assert {p.start_date.year for p in programmes.values()} == {2023, 2024, 2025, 2026}
    for e in enrolments:
        p, w = programmes[e.programme_id], workers[e.worker_id]
        # in post when the class started, enrolled before it (what enrol_workers accepts)
        assert w.hire_date <= e.enrolled_on <= p.start_date and e.enrolled_on <= REF
        assert w.leave_date is None or w.leave_date > p.end_date
        if e.result is None:  # a class still running or ahead on the reference date
            assert e.completed_on is None and e.hours_attended is None and p.end_date > REF
        else:  # what record_results accepts: completed within or after the class, never later than today
            assert e.result in RESULTS and p.start_date <= e.completed_on <= REF
            assert 0 < e.hours_attended <= p.hours
        # the training account pays for fund-paid classes only
        assert e.cost_charged == (p.cost_per_person if p.funding_source == FUNDING_FUND else 0)


def test_enrolments_are_linked_to_the_certificates_they_led_to(demo_engine):
    with demo_engine.connect() as conn:
        rows = conn.execute(
            select(TrainingEnrolment.id, TrainingEnrolment.worker_id, TrainingEnrolment.result,
                   TrainingEnrolment.sent_by_enterprise, TrainingEnrolment.certificate_id,
                   TrainingProgramme.end_date, TrainingProgramme.occupation_id.label("trained_for"),
                   TrainingProgramme.target_level, TrainingProgramme.funding_source,
                   Certificate.worker_id.label("holder"), Certificate.issue_date, Certificate.level_rank,
                   Certificate.occupation_id)
            .join(TrainingProgramme, TrainingProgramme.id == TrainingEnrolment.programme_id)
            .join(Certificate, Certificate.id == TrainingEnrolment.certificate_id)).all()
    assert rows
    for r in rows:
        assert r.holder == r.worker_id and r.result == "合格"
        # completed shortly before the certificate, in its occupation and at its level
        assert r.end_date < r.issue_date <= r.end_date + timedelta(days=80)
        assert (r.trained_for, r.target_level) == (r.occupation_id, r.level_rank)
        # sent by the enterprise and paid from the fund, or taken on the worker's own account
        assert r.funding_source == (FUNDING_FUND if r.sent_by_enterprise else FUNDING_PERSONAL)
    sent = Counter(r.sent_by_enterprise for r in rows)
    assert sent[True] > sent[False] > 0
    assert any(r.issue_date.year >= 2025 and r.level_rank >= 3 for r in rows)
    assert any(r.level_rank < 3 for r in rows)
    # every link is one the training service itself accepts
    for r in rows:
        link_certificate(demo_engine, r.id, r.certificate_id)


def test_training_compliance_and_fund_run_on_the_demo(demo_engine):
    report = compliance_report(demo_engine, 2025, as_of=date(2025, 12, 31))
    assert report.high_skilled_total > 0 and report.skilled_total > 0
    # most 高技能人才 trained in the year and most others within the rotation, but not all
    assert 0 < len(report.high_skilled_untrained) < 0.3 * report.high_skilled_total
    assert 0 < len(report.skilled_not_rotated) < 0.5 * report.skilled_total
    closed = fund_year(demo_engine, 2025, today=REF)
    assert closed.payroll_total > 0 and 0 < closed.used_frontline < closed.used < closed.extracted_amount
    assert "尚未确认工资总额" not in closed.warnings
    current = fund_year(demo_engine, 2026, today=REF)
    assert current.payroll_total is None and current.used > 0 and "尚未确认工资总额" in current.warnings


def test_training_accounts_agree_with_the_enrolments(demo_engine):
    with session_factory(demo_engine)() as session:
        recorded = session.scalars(select(TrainingEnrolment).where(TrainingEnrolment.result.is_not(None))).all()
        # recording the results again would post nothing: every charge is in the ledger already
        assert [e.id for e in recorded if charge_enrolment(session, e, on=REF, correction_on=REF)] == []
        session.rollback()
    with demo_engine.connect() as conn:
        entries = conn.execute(select(AccountEntry).order_by(AccountEntry.worker_id, AccountEntry.entry_date,
                                                             AccountEntry.id)).all()
        accounts = set(conn.execute(select(TrainingAccount.worker_id)).scalars())
    assert {e.kind for e in entries} == {KIND_CREDIT, KIND_DEBIT}
    assert {e.worker_id for e in entries} <= accounts
    running = Counter()
    for e in entries:  # never overdrawn, so no entry needed an override
        running[e.worker_id] += e.amount
        assert running[e.worker_id] >= 0 and e.override_reason is None
    talents = key_talents(demo_engine, today=REF)
    assert talents and all(t.target_level and t.balance > 0 for t in talents)
    plan = load_plan(demo_engine, talents[0].worker_id)
    assert plan.key_talent and plan.planned_courses and plan.self_study_plan and plan.plan_years in (3, 5)


def test_subsidy_records_give_eligible_and_ineligible_lines(engine):
    """What the 技能提升培训补贴, 企业新型学徒制 and 竞赛奖励 candidates are drawn from."""
    from app.services.apprenticeships import KIND_NEW_APPRENTICESHIP, list_pairings

    generate_demo(engine, 3000, seed=2)
    with engine.connect() as conn:
        shortage = set(conn.execute(select(OccupationShortage.occupation_id, OccupationShortage.year)).all())
        contracts = {}
        for c in conn.execute(select(LaborContract)):
            contracts.setdefault(c.worker_id, []).append(c)
        linked = conn.execute(
            select(TrainingEnrolment.worker_id, TrainingEnrolment.sent_by_enterprise, Certificate.issue_date,
                   Certificate.level_rank, Certificate.occupation_id)
            .join(Certificate, Certificate.id == TrainingEnrolment.certificate_id)
            .where(Certificate.issue_date >= date(2025, 1, 1), Certificate.level_rank >= 3)).all()
        prizes = conn.execute(select(CompetitionEntry.result, CompetitionEntry.prize_amount)
                              .where(CompetitionEntry.held_on >= date(2025, 1, 1))).all()

    def contract_runs_a_year_past(worker_id, day):
        return any(c.start_date <= day and (c.end_date is None or c.end_date >= add_years(day, 1))
                   for c in contracts[worker_id])

    # 技能提升培训补贴: 高级工+, occupation 紧缺 that year, sent by the enterprise, contract a year on
    lines = Counter(
        r.sent_by_enterprise and (r.occupation_id, r.issue_date.year) in shortage
        and contract_runs_a_year_past(r.worker_id, r.issue_date)
        for r in linked)
    assert lines[True] > 0 and lines[False] > 0
    for year in (2025, 2026):
        assert len({r.occupation_id for r in linked if r.issue_date.year == year
                    and (r.occupation_id, year) in shortage}) >= 2
    # 企业新型学徒制: recent, 1–3 years, aimed at 中级工 or above, the apprentice under contract a year on
    new = [r for r in list_pairings(engine, today=REF) if r.kind == KIND_NEW_APPRENTICESHIP]
    assert new
    for r in new:
        assert r.start_date >= date(2025, 1, 1) and r.partner
        assert r.planned_end in {add_years(r.start_date, n) for n in (1, 2, 3)}
        assert r.target_level in (2, 3, 4)
        assert contract_runs_a_year_past(r.apprentice_id, r.start_date)
    assert len({r.target_level for r in new}) >= 2
    # 技能竞赛奖励: recent entries with prizes paid by the result
    assert {result for result, _ in prizes} >= {"一等奖", "二等奖", "三等奖"}
    amounts = {"一等奖": 2000, "二等奖": 1000, "三等奖": 500, "优秀奖": None}
    assert all(amount == amounts[result] for result, amount in prizes)


def test_training_comes_from_its_own_random_stream(engine, tmp_path):
    """Leaving the training out changes nothing else: the register a seed gives is the same."""
    other = second_engine(tmp_path, "untrained.db")
    try:
        summary = generate_demo(other, WORKERS, seed=5, training=False)
        generate_demo(engine, WORKERS, seed=5)
        assert (summary.programmes, summary.enrolments, summary.accounts, summary.fund_years) == (0, 0, 0, 0)
        with_training, without = dump(engine), dump(other)
        training_tables = {"training_programme", "training_enrolment", "training_account", "account_entry",
                           "training_fund_year"}
        for table, rows in without.items():
            if table in training_tables:
                assert rows == [], table
            else:
                assert rows == with_training[table], table
    finally:
        other.dispose()
