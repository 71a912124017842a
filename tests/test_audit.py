"""操作日志: what each kind of change records (who, when, the record, before and after), that
the log cannot be changed, and that searching it filters in SQL."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from app.errors import Refused
from app.models import AuditEntry, Worker
from app.models.db import make_engine
from app.models.users import ROLE_CLERK, Actor, set_actor
from app.services import allowances, audit
from app.services import subsidies as s
from app.services.audit import AuditFilter, count_audit, entry_changes, search_audit
from app.services.roster_import import apply_plan, check_roster, import_roster
from app.services.workers import remove_worker, save_worker
from tests.factories import make_id, write_roster
from tests.test_subsidies import TODAY, YEAR_FROM, YEAR_TO, certificate, person

ZHANG = make_id("110105", date(1985, 3, 12), 11)
LI = make_id("320102", date(1992, 7, 30), 22)
ZHANG_MASKED = f"{ZHANG[:6]}********{ZHANG[-4:]}"


def entries(engine, **filters) -> list[audit.AuditRow]:
    return search_audit(engine, AuditFilter(**filters), limit=None)


def stored(engine, entry_id: int) -> tuple[dict, dict]:
    with engine.connect() as conn:
        row = conn.execute(select(AuditEntry.before, AuditEntry.after).where(AuditEntry.id == entry_id)).one()
    return json.loads(row.before or "{}"), json.loads(row.after or "{}")


def new_worker(engine, **values) -> int:
    form = {"name": "张三", "id_number": ZHANG, "department": "焊接车间", "monthly_wage": "5000",
            "contract_start": "2020-01-01", "contract_open_ended": True, **values}
    return save_worker(engine, form)


def test_a_worker_created_changed_and_deleted_is_traced_field_by_field(engine):
    set_actor(engine, Actor("li", "李经办", ROLE_CLERK))
    worker_id = new_worker(engine)
    added = entries(engine, entity="worker", action=audit.ADDED)
    assert [(e.record_id, e.label, e.user) for e in added] == [(worker_id, f"张三 {ZHANG_MASKED}", "李经办")]
    _before, after = stored(engine, added[0].id)
    # The ID number is masked in the log too; the department by name, money as text.
    assert after["id_number"] == ZHANG_MASKED and ZHANG not in json.dumps(after)
    assert (after["department_id"], after["monthly_wage"], after["birth_date"]) == ("焊接车间", "5000.00", "1985-03-12")
    assert "version" not in after and "name_initials" not in after

    save_worker(engine, {"name": "张三", "id_number": ZHANG, "department": "装配车间", "monthly_wage": "5500.5",
                         "contract_start": "2020-01-01", "contract_open_ended": True},
                worker_id=worker_id, expected_version=1)
    (changed,) = entries(engine, entity="worker", action=audit.CHANGED)
    assert changed.summary == "修改：部门、月工资"
    assert [(c.label, c.before, c.after) for c in entry_changes(engine, changed.id)] == [
        ("部门", "焊接车间", "装配车间"), ("月工资", "5000.00", "5500.50"),
    ]
    # Saving without a change records nothing.
    save_worker(engine, {"name": "张三", "id_number": ZHANG, "department": "装配车间", "monthly_wage": "5500.50",
                         "contract_start": "2020-01-01", "contract_open_ended": True},
                worker_id=worker_id, expected_version=2)
    assert len(entries(engine, entity="worker", action=audit.CHANGED)) == 1

    # A worker with a contract is history: removing makes them 离职, a status change.
    assert remove_worker(engine, worker_id) == "离职"
    (left,) = entries(engine, entity="worker", action=audit.STATUS)
    assert left.summary == "状态：在职 → 离职；另改：离职日期"

    bare = save_worker(engine, {"name": "李四", "id_number": LI})
    assert remove_worker(engine, bare) == "deleted"
    (deleted,) = entries(engine, action=audit.DELETED)
    before, after = stored(engine, deleted.id)
    assert (deleted.entity, deleted.record_id, before["name"], after) == ("worker", bare, "李四", {})


def test_entries_list_newest_first_and_every_filter_narrows_in_sql(engine):
    worker_id = new_worker(engine)
    set_actor(engine, Actor("wang", "王经办", ROLE_CLERK))
    save_worker(engine, {"name": "张三丰", "id_number": ZHANG, "department": "焊接车间", "monthly_wage": "5000",
                         "contract_start": "2020-01-01", "contract_open_ended": True},
                worker_id=worker_id, expected_version=1)
    everything = entries(engine)
    assert everything[0].summary == "修改：姓名" and count_audit(engine) == len(everything)
    assert [e.id for e in everything] == sorted((e.id for e in everything), reverse=True)
    assert {e.entity for e in entries(engine, text="焊接")} >= {"department", "worker"}
    assert [e.user for e in entries(engine, user="wang")] == ["王经办"]
    assert {e.user for e in entries(engine, user="")} == {"本机经办人"}
    assert {e.entity for e in entries(engine, entity="labor_contract")} == {"labor_contract"}
    assert entries(engine, text=ZHANG[-4:])  # the last digits of the ID number find the worker
    today = date.today()
    assert count_audit(engine, AuditFilter(date_from=today, date_to=today)) == len(everything)
    assert count_audit(engine, AuditFilter(date_to=today - timedelta(days=1))) == 0
    assert count_audit(engine, AuditFilter(date_from=today + timedelta(days=1))) == 0
    page = search_audit(engine, offset=1, limit=2)
    assert [e.id for e in page] == [e.id for e in everything[1:3]]
    assert ("wang", "王经办") in audit.audit_users(engine)


def test_the_log_refuses_update_and_delete_whoever_asks(engine):
    new_worker(engine)
    for statement in ("UPDATE audit_entry SET summary = 'x'", "DELETE FROM audit_entry"):
        with pytest.raises(DBAPIError, match="操作日志不可修改或删除"), engine.begin() as conn:
            conn.execute(text(statement))
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(AuditEntry)) > 0
        assert conn.scalar(select(func.count()).where(AuditEntry.summary == "x")) == 0


def test_a_refused_change_leaves_no_entry(engine):
    new_worker(engine)
    before = count_audit(engine)
    with pytest.raises(Refused):
        save_worker(engine, {"name": "张三", "id_number": ZHANG}, worker_id=1, expected_version=99)
    assert count_audit(engine) == before


# ── the import ─────────────────────────────────────────────────────────────────────────

HEADER = ["姓名", "身份证号", "部门", "月工资", "合同起始日", "合同终止日"]


def test_an_import_has_one_entry_and_each_changed_worker_its_fields(engine, tmp_path):
    first = write_roster(tmp_path / "十月花名册.xlsx", HEADER, [["张三", ZHANG, "焊接车间", 5000, "2020-01-01", "2026-12-31"]])
    import_roster(engine, first, today=TODAY)
    (imported,) = entries(engine, action=audit.IMPORTED)
    assert imported.label == "十月花名册.xlsx" and imported.summary.startswith("导入花名册 十月花名册.xlsx：新增职工 1 名")
    assert stored(engine, imported.id)[1]["new_workers"] == 1
    assert not entries(engine, action=audit.CHANGED)

    second = write_roster(tmp_path / "十一月花名册.xlsx", HEADER,
                          [["张三", ZHANG, "装配车间", 5200, "2020-01-01", "2029-12-31"], ["李四", LI, "焊接车间", 4000, None, None]])
    import_roster(engine, second, today=TODAY)
    (changed,) = entries(engine, action=audit.CHANGED)
    assert changed.summary == "导入花名册 十一月花名册.xlsx，修改：部门、月工资、合同终止日"
    assert changed.label == f"张三 {ZHANG_MASKED}"
    assert [(c.label, c.before, c.after) for c in entry_changes(engine, changed.id)] == [
        ("部门", "焊接车间", "装配车间"), ("月工资", "5000.00", "5200.00"), ("合同终止日", "2026-12-31", "2029-12-31"),
    ]
    assert len(entries(engine, action=audit.IMPORTED)) == 2


def test_an_import_bumps_the_version_of_every_worker_it_writes_and_refuses_a_stale_plan(engine, tmp_path):
    import_roster(engine, write_roster(tmp_path / "a.xlsx", HEADER, [["张三", ZHANG, "焊接车间", 5000, "2020-01-01", "2026-12-31"]]),
                  today=TODAY)
    # Only the contract's end changes: the worker form shows it, so the worker's version moves too.
    import_roster(engine, write_roster(tmp_path / "b.xlsx", HEADER, [["张三", ZHANG, "焊接车间", 5000, "2020-01-01", "2027-12-31"]]),
                  today=TODAY)
    with engine.connect() as conn:
        assert conn.scalar(select(Worker.version).where(Worker.id_number == ZHANG)) == 2
        assert conn.scalar(text("SELECT version FROM labor_contract")) == 2

    # A clerk saves the worker between the check and the write: the import is refused whole.
    plan = check_roster(engine, write_roster(tmp_path / "c.xlsx", HEADER,
                                             [["张三", ZHANG, "焊接车间", 6000, "2020-01-01", "2027-12-31"],
                                              ["李四", LI, "焊接车间", 4000, None, None]]), today=TODAY)
    worker_id = next(iter(plan.versions))
    save_worker(engine, {"name": "张三", "id_number": ZHANG, "department": "焊接车间", "monthly_wage": "5100",
                         "contract_start": "2020-01-01", "contract_end": "2027-12-31"},
                worker_id=worker_id, expected_version=2)
    logged = count_audit(engine)
    with pytest.raises(Refused, match=f"1 名职工（张三 110105\\*+{ZHANG[-4:]}）已被他人修改或删除"):
        apply_plan(engine, plan)
    with engine.connect() as conn:
        assert conn.scalar(select(Worker.monthly_wage).where(Worker.id == worker_id)) == 5100
        assert conn.scalar(select(func.count()).select_from(Worker)) == 1
    assert count_audit(engine) == logged


# ── confirmation, status changes and the explicit entries ──────────────────────────────

def test_a_roll_generated_and_confirmed_is_logged_and_a_stale_confirmation_refused(engine):
    person(engine, "张三")
    month = "2026-10"
    draft = allowances.generate_roll(engine, month)
    (generated,) = entries(engine, action=audit.GENERATED)
    assert generated.entity == "allowance_roll" and generated.label == "2026年10月津贴发放表"
    allowances.generate_roll(engine, month)  # another clerk generates it again
    with pytest.raises(Refused, match="已被重新生成"):
        allowances.confirm_roll(engine, month, expected_version=draft.version)
    assert allowances.load_roll(engine, month).status == allowances.STATUS_DRAFT
    fresh = allowances.load_roll(engine, month, with_lines=False)
    allowances.confirm_roll(engine, month, expected_version=fresh.version)
    (confirmed,) = entries(engine, action=audit.CONFIRMED)
    assert confirmed.summary.startswith("确认：2026年10月津贴发放表")
    assert ("状态", "草稿", "已确认") in [(c.label, c.before, c.after) for c in entry_changes(engine, confirmed.id)]


def test_special_allowance_grant_is_logged(engine):
    worker = person(engine, "张三")
    grant = allowances.add_special_allowance(engine, worker, month_from="2026-10", amount="300", reason="技术攻关")
    (entry,) = entries(engine, entity="special_allowance")
    assert (entry.action, entry.record_id) == (audit.ADDED, grant)
    assert stored(engine, entry.id)[1]["reason"] == "技术攻关"


def test_subsidy_status_changes_say_from_to_and_why(engine):
    worker = person(engine, "张三")
    certificate(engine, worker, 3, date(2026, 3, 1))
    application = s.create_application(engine, s.TYPE_UPGRADE_TRAINING, YEAR_FROM, YEAR_TO, generate=True, today=TODAY)
    s.change_status(engine, application, s.SUBMITTED, on=date.today())
    s.change_status(engine, application, s.RETURNED, on=date.today(), reason="缺少证书复印件")
    returned, submitted, generated = entries(engine, entity="subsidy_application", action=audit.STATUS)
    assert generated.summary.startswith("状态：草稿 → 已生成")
    assert submitted.summary == "状态：已生成 → 已提交；另改：提交日期"
    assert returned.summary == "状态：已提交 → 已退回；退回原因：缺少证书复印件；另改：退回日期"
    assert returned.label == f"第 {application} 号技能提升培训补贴申请（2026-01-01至2026-12-31）"
    # The lines and claims are copies: the application's entries speak for them.
    assert not entries(engine, entity="subsidy_line") and not entries(engine, entity="subsidy_claim")


def test_two_engines_two_clerks(engine):
    """Each engine acts for its own clerk: a shared database shows who did what."""
    other = make_engine(engine.url.render_as_string(hide_password=False))
    try:
        set_actor(other, Actor("zhao", "赵经办", ROLE_CLERK))
        worker_id = new_worker(engine)
        save_worker(other, {"name": "张三", "id_number": ZHANG, "department": "焊接车间", "monthly_wage": "6000",
                            "contract_start": "2020-01-01", "contract_open_ended": True},
                    worker_id=worker_id, expected_version=1)
        assert [(e.user, e.action) for e in entries(engine, entity="worker")] == [("赵经办", "修改"), ("本机经办人", "新增")]
    finally:
        other.dispose()


def test_the_shortage_list_is_one_entry_with_the_list_before_and_after(engine):
    s.set_shortage_occupations(engine, 2026, ["焊工", "车工"])
    s.set_shortage_occupations(engine, 2026, ["焊工", "钳工"])
    s.set_shortage_occupations(engine, 2026, ["钳工", "焊工"])  # the same list: nothing to record
    changed, added = entries(engine, entity="occupation_shortage")
    assert (added.action, added.label) == (audit.ADDED, "2026 年紧缺工种目录")
    assert changed.summary == "紧缺工种目录 增加：钳工；去掉：车工"
    assert [(c.before, c.after) for c in entry_changes(engine, changed.id)] == [("焊工、车工", "焊工、钳工")]


def test_demo_data_is_one_entry(engine):
    from app.services.demo import generate_demo

    generate_demo(engine, 5, seed=3, training=False)
    (entry,) = entries(engine)
    assert (entry.action, entry.entity, entry.entity_name) == (audit.DEMO, "database", "数据库")
    assert entry.summary.startswith("生成演示数据：职工 5 名")


def test_policy_values_and_saved_surveys_are_traced(engine):
    from app.services import survey as sv
    from app.services.policy import set_policy_value

    set_policy_value(engine, "allowance.team_leader", "350", date(2026, 1, 1), note="厂务会决定")
    (policy,) = entries(engine, entity="policy_value")
    assert (policy.action, policy.label) == (audit.ADDED, "班组长津贴（2026-01-01 起）")
    assert ("参数", "", "班组长津贴") in [(c.label, c.before, c.after) for c in entry_changes(engine, policy.id)]
    set_policy_value(engine, "allowance.team_leader", "380", date(2026, 1, 1))
    changed = entries(engine, entity="policy_value", action=audit.CHANGED)[0]
    assert ("值", "350.00", "380.00") in [(c.label, c.before, c.after) for c in entry_changes(engine, changed.id)]

    sv.save_survey(engine, sv.compute_survey(engine, date(2026, 10, 31)))
    (survey,) = entries(engine, entity="saved_survey")
    assert (survey.action, survey.label) == (audit.ADDED, "调查表（填表时间 2026-10-31）")
    assert stored(engine, survey.id)[1]["numbers"] == "（调查表数字）"  # the figures are the register's, not logged twice



def test_backup_is_logged_where_it_was_made_and_restore_in_the_database_restored(engine, tmp_path, capsys):
    from app.cli.main import main

    url = engine.url.render_as_string(hide_password=False)
    new_worker(engine)
    backup = tmp_path / "备份.db"
    assert main(["--db", url, "backup", "--out", str(backup)]) == 0
    (backed_up,) = entries(engine, action=audit.BACKED_UP)
    assert backed_up.label == "备份.db" and backed_up.summary == f"备份到 {backup}"
    assert main(["--db", url, "restore", str(backup)]) == 0
    (restored,) = entries(engine, action=audit.RESTORED)
    assert restored.summary.startswith(f"从备份 {backup} 恢复")
    # The restored database is the backup: the backup's own entry was made after the copy.
    assert not entries(engine, action=audit.BACKED_UP)
    assert [e.action for e in entries(engine, entity="worker")] == [audit.ADDED]


def test_users_are_traced_without_their_passwords(engine, monkeypatch):
    from app.services import users

    admin = users.create_user(engine, "wang", "王主任", "管理员", "secret-pass-1")
    set_actor(engine, users.sign_in(engine, "wang", "secret-pass-1"))
    clerk = users.create_user(engine, "li", "李四", "经办人", "secret-pass-2")
    users.set_role(engine, clerk, "只读")
    users.change_password(engine, clerk, "secret-pass-3")
    users.deactivate(engine, clerk)
    logged = entries(engine, entity="app_user")
    assert [(e.action, e.label) for e in reversed(logged)] == [
        (audit.ADDED, "王主任（wang）"), (audit.ADDED, "李四（li）"), (audit.CHANGED, "李四（li）"),
        (audit.CHANGED, "李四（li）"), (audit.STATUS, "李四（li）"),
    ]
    assert [e.user for e in logged][:4] == ["王主任"] * 4
    assert [e.summary for e in logged][1:3] == ["修改：密码", "修改：角色"]
    everything = json.dumps([stored(engine, e.id) for e in logged], ensure_ascii=False)
    assert "argon2" not in everything and "secret-pass" not in everything
    # A hash renewed with stronger parameters at sign-in is nobody's change.
    from argon2 import PasswordHasher

    monkeypatch.setattr(users, "_hasher", PasswordHasher(time_cost=2, memory_cost=2048, parallelism=1))
    users.sign_in(engine, "wang", "secret-pass-1")
    with engine.connect() as conn:
        assert "m=2048,t=2" in conn.scalar(text("SELECT password_hash FROM app_user WHERE id = :id"), {"id": admin})
    assert len(entries(engine, entity="app_user")) == len(logged)
