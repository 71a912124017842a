from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.errors import Refused
from app.models import (
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
    Worker,
)
from app.models.db import database_url, ensure_schema, make_engine
from app.services import demo
from app.services.demo import DEMO_REFERENCE_DATE as REF
from app.services.demo import generate_demo
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
            columns = [c for c in table.columns if c.name not in ("created_at", "updated_at")]
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
        # the pairings and their assessments are part of what is compared
        assert first["apprenticeship"] and first["apprentice_assessment"]
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
    from app.models.db import session_factory

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
