"""Optimistic locking with two clerks: two engines on the same database (two programs), both
open the same record, the first saves, the second's save is refused naming the record, and
nothing of the second lands — neither the change nor its 操作日志 entry."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select, text

from app.errors import StaleRecord
from app.models import Honour, ServiceAgreement, TrainingProgramme
from app.models.db import make_engine, unit_of_work
from app.models.users import ROLE_CLERK, Actor, set_actor
from app.services import agreements, allowances, apprenticeships, fund, training
from app.services import subsidies as s
from app.services.audit import AuditFilter, count_audit, search_audit
from app.services.enterprise import load_enterprise, save_enterprise
from app.services.levels import TECHNICIAN
from app.services.workers import (
    add_honour,
    load_worker,
    remove_worker,
    revoke_certificate,
    save_worker,
)
from tests.factories import add_programme, add_worker
from tests.test_subsidies import TODAY, YEAR_FROM, YEAR_TO, certificate, person


@pytest.fixture
def other(engine):
    """The second clerk's program: its own engine on the same database, its own user."""
    second = make_engine(engine.url.render_as_string(hide_password=False))
    set_actor(engine, Actor("zhang", "张经办", ROLE_CLERK))
    set_actor(second, Actor("li", "李经办", ROLE_CLERK))
    yield second
    second.dispose()


def users_logged(engine, entity: str) -> list[str]:
    return [e.user for e in search_audit(engine, AuditFilter(entity=entity), limit=None)]


def worker_form(record, **changes) -> dict:
    keys = ("employee_no", "name", "id_type", "id_number", "department", "post", "occupation", "hire_date",
            "monthly_wage", "phone", "status", "contract_start", "contract_end", "contract_open_ended")
    return {**{key: getattr(record, key) for key in keys}, **changes}


def test_worker_second_save_is_refused_and_leaves_nothing(engine, other):
    worker_id = add_worker(engine, "王五")
    mine, theirs = load_worker(engine, worker_id), load_worker(other, worker_id)
    save_worker(other, worker_form(theirs, phone="13900000000"), worker_id=worker_id, expected_version=theirs.version)
    logged = count_audit(engine)
    with pytest.raises(StaleRecord, match="职工档案「王五」在您打开之后已被修改"):
        save_worker(engine, worker_form(mine, monthly_wage="9999"), worker_id=worker_id, expected_version=mine.version)
    now = load_worker(engine, worker_id)
    assert (now.phone, now.monthly_wage) == ("13900000000", Decimal("5000.00"))
    assert count_audit(engine) == logged
    # Deleting from a form opened before the other's save is refused too.
    with pytest.raises(StaleRecord):
        remove_worker(engine, worker_id, expected_version=mine.version)
    assert load_worker(engine, worker_id).status == "在职"


def test_certificate_revoked_meanwhile_is_not_revoked_again_from_a_stale_form(engine, other):
    worker_id = add_worker(engine, "王五", rank=TECHNICIAN)
    (cert,) = load_worker(engine, worker_id).certificates
    with unit_of_work(other) as session:  # the other clerk corrects the certificate meanwhile
        session.execute(text("UPDATE certificate SET issuing_body = '市人社局', version = version + 1 WHERE id = :id"),
                        {"id": cert["id"]})
    with pytest.raises(StaleRecord, match="证书「职业技能等级证书 技师」在您打开之后已被修改"):
        revoke_certificate(engine, cert["id"], "证书无效", on=date(2026, 1, 1), expected_version=cert["version"])
    assert not load_worker(engine, worker_id).certificates[0]["revoked"]


def test_enterprise_info(engine, other):
    save_enterprise(engine, {"name": "华东机械有限公司"})
    mine, theirs = load_enterprise(engine), load_enterprise(other)
    save_enterprise(other, {"name": "华东精密机械有限公司"}, expected_version=theirs.version)
    with pytest.raises(StaleRecord, match="单位信息在您打开之后已被修改"):
        save_enterprise(engine, {"name": "别的名字", "principal": "王强"}, expected_version=mine.version)
    assert (load_enterprise(engine).name, load_enterprise(engine).principal) == ("华东精密机械有限公司", "")
    assert users_logged(engine, "enterprise") == ["李经办", "张经办"]  # their edit, then the creation


def test_enterprise_created_by_another_while_this_form_was_blank(engine, other):
    blank = load_enterprise(engine)
    save_enterprise(other, {"name": "华东机械有限公司"}, expected_version=load_enterprise(other).version)
    with pytest.raises(StaleRecord):
        save_enterprise(engine, {"name": "别的名字"}, expected_version=blank.version)
    assert load_enterprise(engine).name == "华东机械有限公司"


def programme_form(row: training.ProgrammeRow, **changes) -> dict:
    values = {"name": row.name, "form": row.form, "start_date": row.start_date, "end_date": row.end_date,
              "hours": row.hours, "cost_per_person": row.cost_per_person, "funding_source": row.funding_source}
    return {**values, **changes}


def test_training_programme(engine, other):
    programme_id = add_programme(engine, date(2026, 3, 1))
    mine, theirs = training.load_programme(engine, programme_id), training.load_programme(other, programme_id)
    training.save_programme(other, programme_form(theirs, hours=16), programme_id=programme_id,
                            expected_version=theirs.version)
    with pytest.raises(StaleRecord, match="已被修改"):
        training.save_programme(engine, programme_form(mine, name="改名"), programme_id=programme_id,
                                expected_version=mine.version)
    with engine.connect() as conn:
        assert conn.execute(select(TrainingProgramme.name, TrainingProgramme.hours)).one() == (mine.name, 16)


def test_service_agreement_settled_meanwhile(engine, other):
    worker_id = add_worker(engine, "王五")
    agreement_id = agreements.save_agreement(engine, {
        "worker_id": worker_id, "agreement_no": "FW-1", "signed_on": date(2020, 1, 1), "cost": "3000",
        "service_start": date(2020, 1, 1), "service_end": date(2022, 12, 31)})
    version = agreements.load_agreement(engine, agreement_id).version
    agreements.settle_agreement(other, agreement_id, settled_on=date(2023, 1, 5), repayment="0",
                                expected_version=version)
    with pytest.raises(StaleRecord):
        agreements.mark_fulfilled(engine, agreement_id, expected_version=version)
    with engine.connect() as conn:
        assert conn.scalar(select(ServiceAgreement.status)) == "已结清"


def test_apprenticeship_ended_meanwhile(engine, other):
    master = add_worker(engine, "王师傅", rank=TECHNICIAN)
    apprentice = add_worker(engine, "李徒弟")
    pairing_id = apprenticeships.save_pairing(engine, {
        "master_id": master, "apprentice_id": apprentice, "kind": "企业师带徒", "start_date": date(2025, 1, 1),
        "occupation": "电焊工"})
    version = apprenticeships.load_pairing(engine, pairing_id).version
    apprenticeships.end_pairing(other, pairing_id, status="终止", on=date(2025, 6, 1), reason="调岗",
                                expected_version=version)
    with pytest.raises(StaleRecord):
        apprenticeships.end_pairing(engine, pairing_id, status="终止", on=date(2025, 7, 1), reason="本人申请",
                                    expected_version=version)
    assert apprenticeships.load_pairing(engine, pairing_id).ended_on == date(2025, 6, 1)


def test_subsidy_application_status(engine, other):
    worker = person(engine, "张三")
    certificate(engine, worker, 3, date(2026, 3, 1))
    application = s.create_application(engine, s.TYPE_UPGRADE_TRAINING, YEAR_FROM, YEAR_TO, generate=True, today=TODAY)
    version = s.load_application_row(engine, application).version
    s.change_status(other, application, s.VOID, reason="重复申报", expected_version=version)
    with pytest.raises(StaleRecord, match=f"第 {application} 号补贴申请在您打开之后已被修改"):
        s.change_status(engine, application, s.SUBMITTED, on=date.today(), expected_version=version)
    assert s.load_application_row(engine, application).status == s.VOID


def test_fund_year(engine, other):
    fund.save_fund_year(engine, 2025, payroll_total="1000000", extraction_rate="1.5")
    version = fund.fund_year(engine, 2025).version
    fund.save_fund_year(other, 2025, payroll_total="1200000", extraction_rate="1.5", expected_version=version)
    with pytest.raises(StaleRecord):
        fund.save_fund_year(engine, 2025, payroll_total="900000", extraction_rate="2", expected_version=version)
    assert fund.fund_year(engine, 2025).payroll_total == Decimal("1200000.00")


def test_allowance_roll_confirmed_after_another_generated_it_again(engine, other):
    person(engine, "张三")
    looked_at = allowances.generate_roll(engine, "2026-10")
    allowances.generate_roll(other, "2026-10")
    with pytest.raises(StaleRecord, match="已被重新生成"):
        allowances.confirm_roll(engine, "2026-10", expected_version=looked_at.version)
    assert not allowances.load_roll(engine, "2026-10", with_lines=False).confirmed


def test_a_write_raced_between_read_and_flush_is_refused_by_name(engine):
    """The last line: the version a flush expects is gone (another program's commit landing
    between this action's read and its write, as PostgreSQL allows): StaleRecord, nothing saved."""
    worker_id = add_worker(engine, "王五")
    honour_id = add_honour(engine, worker_id, {"title": "技术能手", "year": "2024"})
    with pytest.raises(StaleRecord, match="该荣誉在您打开之后已被修改"), unit_of_work(engine) as session:
        honour = session.get(Honour, honour_id)
        session.execute(text("UPDATE honour SET version = version + 1 WHERE id = :id"), {"id": honour_id})
        honour.title = "全国技术能手"
    with engine.connect() as conn:
        assert conn.execute(select(Honour.title, Honour.version)).one() == ("技术能手", 1)


def test_two_transactions_racing_on_postgresql(engine, other):
    """The race itself, which only PostgreSQL allows (SQLite takes the write lock at BEGIN
    IMMEDIATE, so the second writer waits): this clerk reads, another program commits, this
    clerk's write finds the version gone."""
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite serialises writers: the two transactions cannot interleave there")
    worker_id = add_worker(engine, "王五")
    honour_id = add_honour(engine, worker_id, {"title": "技术能手", "year": "2024"})
    with pytest.raises(StaleRecord, match="该荣誉在您打开之后已被修改"), unit_of_work(engine) as session:
        honour = session.get(Honour, honour_id)
        with unit_of_work(other) as theirs:
            theirs.get(Honour, honour_id).title = "劳动模范"
        honour.title = "全国技术能手"
    with engine.connect() as conn:
        assert conn.scalar(select(Honour.title)) == "劳动模范"
    assert users_logged(engine, "honour") == ["李经办", "张经办"]


def test_shortage_list_saved_meanwhile(engine, other):
    s.set_shortage_occupations(engine, 2026, ["焊工"])
    loaded = s.shortage_occupations(engine, 2026)
    s.set_shortage_occupations(other, 2026, ["焊工", "车工"], expected=s.shortage_occupations(other, 2026))
    with pytest.raises(StaleRecord, match="2026 年紧缺工种目录在您打开之后已被修改"):
        s.set_shortage_occupations(engine, 2026, ["钳工"], expected=loaded)
    assert sorted(s.shortage_occupations(engine, 2026)) == sorted(["焊工", "车工"])
