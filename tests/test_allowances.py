"""The monthly allowance roll 津贴发放表 (SPEC §4, §5, §8): who is on it for a month, which
lines and why, drafts and confirmation, the frozen roll, the payroll workbook and the CLI."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from itertools import count

import pytest
from openpyxl import load_workbook
from sqlalchemy import select, update

from app.errors import FieldErrors, Refused
from app.models import (
    Apprenticeship,
    Certificate,
    Department,
    LaborContract,
    Occupation,
    Worker,
)
from app.models.db import unit_of_work
from app.reports.allowance_xlsx import (
    ROLL_HEADERS,
    SHEET_DETAIL,
    SHEET_ROLL,
    write_roll,
)
from app.services.allowances import (
    MENTOR,
    POST,
    SKILL,
    SPECIAL,
    TEAM_LEADER,
    add_special_allowance,
    confirm_roll,
    generate_roll,
    load_roll,
    month_bounds,
    roll_lines,
    worker_allowance_history,
)
from app.services.levels import (
    INTERMEDIATE,
    KIND_SKILL_LEVEL,
    SENIOR,
    SENIOR_TECHNICIAN,
    TECHNICIAN,
)
from app.services.policy import set_policy_value
from tests.factories import make_id
from tests.test_cli import run

MONTH = "2026-10"
FIRST, LAST = date(2026, 10, 1), date(2026, 10, 31)
_SEQ = count(1)


def worker(engine, name, *, hired=date(2015, 3, 1), left=None, occupation=None, department="机加工车间",
           team_leader=False, employee_no=None) -> int:
    with unit_of_work(engine) as session:
        dept = session.scalars(select(Department).where(Department.name == department)).one_or_none()
        occ = None
        if occupation:
            occ = session.scalars(select(Occupation).where(Occupation.name == occupation)).one_or_none()
            occ = occ or Occupation(name=occupation)
        seq = next(_SEQ)
        person = Worker(
            name=name, id_type="居民身份证", id_number=make_id("320102", seq=seq), hire_date=hired, leave_date=left,
            department=dept or Department(name=department), occupation=occ, is_team_leader=team_leader,
            employee_no=employee_no or f"T{seq:05d}",
        )
        session.add(person)
        session.flush()
        return person.id


def certificate(engine, worker_id, rank, issued, *, occupation=None, number=None) -> int:
    with unit_of_work(engine) as session:
        occ = None
        if occupation:
            occ = session.scalars(select(Occupation).where(Occupation.name == occupation)).one_or_none()
            occ = occ or Occupation(name=occupation)
        cert = Certificate(worker_id=worker_id, kind=KIND_SKILL_LEVEL, level_rank=rank, issue_date=issued,
                           occupation=occ, number=number)
        session.add(cert)
        session.flush()
        return cert.id


def contract(engine, worker_id, start, end=None) -> None:
    with unit_of_work(engine) as session:
        session.add(LaborContract(worker_id=worker_id, start_date=start, end_date=end))


def pairing(engine, master_id, apprentice_id, start, ended_on=None, status="在培") -> int:
    with unit_of_work(engine) as session:
        row = Apprenticeship(master_id=master_id, apprentice_id=apprentice_id, kind="企业师带徒", start_date=start,
                             ended_on=ended_on, status=status)
        session.add(row)
        session.flush()
        return row.id


def lines_of(engine, worker_id, month=MONTH):
    return [line for line in roll_lines(engine, month) if line.worker_id == worker_id]


def amounts(engine, worker_id, month=MONTH) -> dict[str, Decimal]:
    found: dict[str, Decimal] = {}
    for line in lines_of(engine, worker_id, month):
        found[line.allowance_type] = found.get(line.allowance_type, Decimal(0)) + line.amount
    return found


# ── months ───────────────────────────────────────────────────────────────────────────

def test_month_bounds_gives_first_and_last_day_and_refuses_other_text():
    assert month_bounds("2026-10") == (FIRST, LAST)
    assert month_bounds("2024-02") == (date(2024, 2, 1), date(2024, 2, 29))
    assert month_bounds("2026-12") == (date(2026, 12, 1), date(2026, 12, 31))
    for bad in ("2026-13", "2026-1", "2026/10", "", "十月"):
        with pytest.raises(ValueError, match="月份应写成 YYYY-MM"):
            month_bounds(bad)


# ── who is on the roll, evaluated on the last day ───────────────────────────────────

def test_certificate_issued_on_the_last_day_counts_and_the_next_day_does_not(engine):
    on_last = worker(engine, "月末取证")
    cert = certificate(engine, on_last, TECHNICIAN, LAST, number="Y320400000000004000001")
    next_day = worker(engine, "次月取证")
    certificate(engine, next_day, SENIOR, date(2020, 1, 1))
    certificate(engine, next_day, TECHNICIAN, date(2026, 11, 1))

    generate_roll(engine, MONTH)

    (line,) = lines_of(engine, on_last)
    assert (line.allowance_type, line.amount, line.basis_kind, line.basis_id) == (SKILL, Decimal("400.00"),
                                                                                "certificate", cert)
    assert line.rule == "技能等级 技师（证书 Y320400000000004000001，2026-10-31 发）"
    assert amounts(engine, next_day) == {SKILL: Decimal("200.00")}  # still 高级工 in October
    generate_roll(engine, "2026-11")
    assert amounts(engine, next_day, "2026-11") == {SKILL: Decimal("400.00")}


def test_levels_below_senior_and_revoked_certificates_give_no_skill_allowance(engine):
    junior = worker(engine, "中级工")
    certificate(engine, junior, INTERMEDIATE, date(2020, 1, 1))
    revoked = worker(engine, "已撤销")
    with unit_of_work(engine) as session:
        session.add(Certificate(worker_id=revoked, kind=KIND_SKILL_LEVEL, level_rank=SENIOR_TECHNICIAN,
                                issue_date=date(2020, 1, 1), revoked=True))
    generate_roll(engine, MONTH)
    assert lines_of(engine, junior) == [] and lines_of(engine, revoked) == []


def test_only_workers_in_post_on_the_last_day_are_on_the_roll(engine):
    left_mid = worker(engine, "十五日离职", left=date(2026, 10, 15), team_leader=True)
    left_last = worker(engine, "月末离职", left=LAST, team_leader=True)
    hired_last = worker(engine, "月末入职", hired=LAST, team_leader=True)
    hired_next = worker(engine, "次月入职", hired=date(2026, 11, 1), team_leader=True)
    retired = worker(engine, "已退休", team_leader=True)
    with unit_of_work(engine) as session:
        session.execute(update(Worker).where(Worker.id == retired).values(status="退休"))

    summary = generate_roll(engine, MONTH)

    on_roll = {line.name for line in roll_lines(engine, MONTH)}
    assert on_roll == {"月末入职"}
    assert amounts(engine, hired_last) == {TEAM_LEADER: Decimal("300.00")}
    assert summary.workers == 1 and summary.total == Decimal("300.00")
    assert all(lines_of(engine, w) == [] for w in (left_mid, left_last, hired_next, retired))


# ── 岗位津贴 ─────────────────────────────────────────────────────────────────────────

def test_post_allowance_needs_the_post_occupation_and_a_contract_covering_the_month(engine):
    cases = {
        "相符无固定期限": ("车工", "车工", (date(2020, 1, 1), None)),
        "相符到月末": ("车工", "车工", (date(2023, 11, 1), LAST)),
        "工种不符": ("车工", "焊工", (date(2020, 1, 1), None)),
        "合同月中开始": ("车工", "车工", (date(2026, 10, 2), None)),
        "合同月中结束": ("车工", "车工", (date(2020, 1, 1), date(2026, 10, 30))),
        "无合同": ("车工", "车工", None),
    }
    ids = {}
    for name, (post, cert_occupation, span) in cases.items():
        ids[name] = worker(engine, name, occupation=post)
        certificate(engine, ids[name], TECHNICIAN, date(2024, 5, 1), occupation=cert_occupation)
        if span:
            contract(engine, ids[name], *span)

    generate_roll(engine, MONTH)

    post = {name: amounts(engine, wid).get(POST) for name, wid in ids.items()}
    assert post == {"相符无固定期限": Decimal("200.00"), "相符到月末": Decimal("200.00"), "工种不符": None,
                    "合同月中开始": None, "合同月中结束": None, "无合同": None}
    assert all(amounts(engine, wid)[SKILL] == Decimal("400.00") for wid in ids.values())
    (line,) = [x for x in lines_of(engine, ids["相符无固定期限"]) if x.allowance_type == POST]
    assert "车工" in line.rule and "劳动合同 2020-01-01 至 无固定期限" in line.rule
    (line,) = [x for x in lines_of(engine, ids["相符到月末"]) if x.allowance_type == POST]
    assert "劳动合同 2023-11-01 至 2026-10-31" in line.rule


def test_post_allowance_only_for_senior_to_senior_technician(engine):
    chief = worker(engine, "首席", occupation="钳工")
    certificate(engine, chief, 7, date(2020, 1, 1), occupation="钳工")
    senior_tech = worker(engine, "高级技师", occupation="钳工")
    certificate(engine, senior_tech, SENIOR_TECHNICIAN, date(2020, 1, 1), occupation="钳工")
    for wid in (chief, senior_tech):
        contract(engine, wid, date(2019, 1, 1))
    generate_roll(engine, MONTH)
    assert amounts(engine, chief) == {SKILL: Decimal("1000.00")}
    assert amounts(engine, senior_tech) == {SKILL: Decimal("600.00"), POST: Decimal("300.00")}


# ── 带徒津贴, 班组长津贴, 特殊津贴 ───────────────────────────────────────────────────

def test_mentor_allowance_per_pairing_in_training_during_the_month(engine):
    master = worker(engine, "师傅")
    ended_mid = pairing(engine, master, worker(engine, "徒弟甲"), date(2025, 3, 1), date(2026, 10, 15), "已出师")
    ongoing = pairing(engine, master, worker(engine, "徒弟乙"), date(2026, 10, 31))
    pairing(engine, master, worker(engine, "徒弟丙"), date(2025, 1, 1), date(2026, 9, 30), "终止")
    pairing(engine, master, worker(engine, "徒弟丁"), date(2026, 11, 1))
    left_master = worker(engine, "离职师傅", left=date(2026, 10, 20))
    pairing(engine, left_master, worker(engine, "徒弟戊"), date(2025, 1, 1))

    generate_roll(engine, MONTH)

    lines = sorted(lines_of(engine, master), key=lambda x: x.basis_id)
    assert [(x.allowance_type, x.amount, x.basis_kind, x.basis_id) for x in lines] == [
        (MENTOR, Decimal("200.00"), "apprenticeship", ended_mid), (MENTOR, Decimal("200.00"), "apprenticeship", ongoing)]
    assert "徒弟甲" in lines[0].rule and "2026-10-15" in lines[0].rule
    assert "徒弟乙" in lines[1].rule
    assert lines_of(engine, left_master) == []
    # the same pairings as the apprenticeship service's 在培-during-the-month list (whose
    # masters are in post on the last day)
    from app.services.apprenticeships import active_in_month

    with engine.connect() as conn:
        listed = {p.pairing_id for p in active_in_month(conn, FIRST, LAST) if p.master_id != left_master}
    assert listed == {x.basis_id for x in roll_lines(engine, MONTH) if x.allowance_type == MENTOR}


def test_special_allowance_covering_the_month_with_its_reason(engine):
    wid = worker(engine, "特殊")
    grant = add_special_allowance(engine, wid, month_from="2026-09", month_to="2026-10", amount="150.5",
                                  reason="=高温岗位补助")
    add_special_allowance(engine, wid, month_from=date(2026, 11, 20), amount="99", reason="下月起")
    add_special_allowance(engine, wid, month_from="2026-01", month_to="2026-09", amount="88", reason="已结束")

    generate_roll(engine, MONTH)

    (line,) = lines_of(engine, wid)
    assert (line.allowance_type, line.amount, line.basis_kind, line.basis_id) == (SPECIAL, Decimal("150.50"), "grant",
                                                                                grant)
    assert "=高温岗位补助" in line.rule
    generate_roll(engine, "2026-11")
    assert amounts(engine, wid, "2026-11") == {SPECIAL: Decimal("99.00")}


def test_special_allowance_refuses_bad_input_naming_the_fields(engine):
    wid = worker(engine, "特殊")
    with pytest.raises(FieldErrors) as caught:
        add_special_allowance(engine, wid, month_from="2026-10", amount="0", reason="  ")
    assert {p.field for p in caught.value.problems} == {"amount", "reason"}
    with pytest.raises(FieldErrors) as caught:
        add_special_allowance(engine, wid, month_from="2026-10", month_to="2026-09", amount="10.001", reason="x")
    assert {p.field for p in caught.value.problems} == {"amount", "month_to"}
    assert "两位小数" in str(caught.value)
    with pytest.raises(FieldErrors) as caught:
        add_special_allowance(engine, 999999, month_from=None, amount="10", reason="x")
    assert {p.field for p in caught.value.problems} == {"worker_id", "month_from"}


# ── drafts, confirmation, the frozen roll ────────────────────────────────────────────

def _small_register(engine) -> dict[str, int]:
    ids = {
        "技师": worker(engine, "技师甲", occupation="车工", team_leader=True, employee_no="A001"),
        "高级工": worker(engine, "=SUM(A1)", occupation="焊工", employee_no="A002", department="焊接车间"),
        "师傅": worker(engine, "师傅丙", employee_no="A003"),
    }
    certificate(engine, ids["技师"], TECHNICIAN, date(2024, 5, 1), occupation="车工")
    contract(engine, ids["技师"], date(2020, 1, 1))
    certificate(engine, ids["高级工"], SENIOR, date(2022, 5, 1), occupation="焊工")
    contract(engine, ids["高级工"], date(2021, 1, 1), date(2027, 12, 31))
    pairing(engine, ids["师傅"], worker(engine, "徒弟", employee_no="A004"), date(2026, 1, 1))
    add_special_allowance(engine, ids["师傅"], month_from=MONTH, amount="66.60", reason="技术攻关")
    return ids


def test_regenerating_a_draft_replaces_it(engine):
    ids = _small_register(engine)
    first = generate_roll(engine, MONTH, today=datetime(2026, 10, 25, 9, 0))
    assert first.status == "草稿" and first.total == Decimal("1466.60")
    assert first.by_type == {SKILL: Decimal("600.00"), POST: Decimal("300.00"), MENTOR: Decimal("200.00"),
                             TEAM_LEADER: Decimal("300.00"), SPECIAL: Decimal("66.60")}
    assert first.workers == 3 and first.line_count == 7
    assert first.policy_values["allowance.skill.技师"] == "400.00" and first.policy_values["as_of"] == "2026-10-31"

    with unit_of_work(engine) as session:
        session.execute(update(Worker).where(Worker.id == ids["技师"]).values(is_team_leader=False))
    second = generate_roll(engine, MONTH, today=datetime(2026, 10, 28, 9, 0))

    assert second.roll_id == first.roll_id and second.generated_at == datetime(2026, 10, 28, 9, 0)
    assert second.total == Decimal("1166.60") and second.line_count == 6
    assert len(roll_lines(engine, MONTH)) == 6 and TEAM_LEADER not in amounts(engine, ids["技师"])
    assert load_roll(engine, MONTH, with_lines=False).by_department == {
        "机加工车间": Decimal("866.60"), "焊接车间": Decimal("300.00")}


def test_a_workers_allowance_history_newest_month_first(engine):
    ids = _small_register(engine)
    assert worker_allowance_history(engine, ids["技师"]) == []
    generate_roll(engine, "2026-09")
    confirm_roll(engine, "2026-09")
    generate_roll(engine, MONTH)
    history = worker_allowance_history(engine, ids["技师"])
    assert [(h.month, h.roll_status, h.allowance_type, h.amount) for h in history] == [
        ("2026-10", "草稿", SKILL, Decimal("400.00")), ("2026-10", "草稿", POST, Decimal("200.00")),
        ("2026-10", "草稿", TEAM_LEADER, Decimal("300.00")),
        ("2026-09", "已确认", SKILL, Decimal("400.00")), ("2026-09", "已确认", POST, Decimal("200.00")),
        ("2026-09", "已确认", TEAM_LEADER, Decimal("300.00")),
    ]
    assert all(h.rule for h in history)
    assert {h.line_id for h in history} == {line.id for m in ("2026-09", MONTH) for line in lines_of(engine, ids["技师"], m)}
    # only this worker's lines; a month limit keeps the newest rolls
    master = worker_allowance_history(engine, ids["师傅"], limit_months=1)
    assert [(h.month, h.allowance_type) for h in master] == [("2026-10", MENTOR), ("2026-10", SPECIAL)]
    assert "徒弟" in master[0].rule


def test_the_history_is_one_statement(engine):
    from sqlalchemy import event

    ids = _small_register(engine)
    generate_roll(engine, MONTH)
    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        worker_allowance_history(engine, ids["技师"])
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    assert len([s for s in statements if s != "BEGIN"]) == 1


def test_confirm_freezes_and_refuses_regeneration_and_a_second_confirm(engine):
    with pytest.raises(Refused, match="还没有津贴发放表草稿"):
        confirm_roll(engine, MONTH)
    _small_register(engine)
    generate_roll(engine, MONTH)
    confirmed = confirm_roll(engine, MONTH, today=datetime(2026, 11, 2, 10, 30))
    assert confirmed.status == "已确认" and confirmed.confirmed_at == datetime(2026, 11, 2, 10, 30)

    with pytest.raises(Refused, match="已确认"):
        generate_roll(engine, MONTH)
    with pytest.raises(Refused, match="不能再次确认"):
        confirm_roll(engine, MONTH)
    assert load_roll(engine, MONTH).total == Decimal("1466.60")


def test_policy_and_record_changes_after_confirmation_leave_the_roll_and_its_export_untouched(engine, tmp_path):
    ids = _small_register(engine)
    generate_roll(engine, MONTH, confirm=True)
    before = load_roll(engine, MONTH)
    write_roll(before, tmp_path / "before.xlsx")

    set_policy_value(engine, "allowance.skill.技师", "999", date(2026, 1, 1))
    set_policy_value(engine, "allowance.team_leader", "1", date(2026, 1, 1))
    with unit_of_work(engine) as session:
        session.execute(update(Worker).where(Worker.id == ids["技师"]).values(name="改名了", is_team_leader=False))

    after = load_roll(engine, MONTH)
    write_roll(after, tmp_path / "after.xlsx")
    assert after.lines == before.lines and after.total == before.total == Decimal("1466.60")
    assert after.policy_values == before.policy_values

    def values(path):
        book = load_workbook(path)
        return {name: [list(r) for r in book[name].iter_rows(values_only=True)] for name in book.sheetnames}

    assert values(tmp_path / "before.xlsx") == values(tmp_path / "after.xlsx")
    # …while a new month uses the new values
    november = generate_roll(engine, "2026-11")
    assert november.by_type[SKILL] == Decimal("1199.00") and november.by_type[TEAM_LEADER] == Decimal("0.00")


# ── the workbook ─────────────────────────────────────────────────────────────────────

def test_workbook_rows_and_total_row_add_up_to_the_roll_total(engine, tmp_path):
    _small_register(engine)
    for n in range(5):
        wid = worker(engine, f"职工{n}", team_leader=n % 2 == 0)
        certificate(engine, wid, SENIOR + n % 3, date(2021, 1, 1))
    roll = generate_roll(engine, MONTH)
    out = write_roll(load_roll(engine, MONTH), tmp_path / "roll.xlsx")

    sheet = load_workbook(out)[SHEET_ROLL]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "2026年10月津贴发放表（草稿）"
    assert rows[1] == ROLL_HEADERS
    body, total = rows[2:-1], rows[-1]
    assert total[0] == "合计" and len(body) == roll.workers == 8
    assert [r[0] for r in body] == list(range(1, 9))
    for column in range(4, 10):
        assert round(sum(r[column] for r in body), 2) == pytest.approx(total[column])
    for r in body:
        assert round(sum(r[4:9]), 2) == pytest.approx(r[9])
    assert total[9] == pytest.approx(float(roll.total))
    assert [total[4 + i] for i in range(5)] == pytest.approx([float(v) for v in roll.by_type.values()])
    assert sheet.cell(3, 5).number_format == "0.00"
    names = [r[2] for r in body]
    assert "=SUM(A1)" in names  # text, not a formula
    assert sheet.cell(3 + names.index("=SUM(A1)"), 3).data_type == "s"

    detail = list(load_workbook(out)[SHEET_DETAIL].iter_rows(values_only=True))
    assert detail[0] == ("序号", "工号", "姓名", "部门", "津贴类型", "金额", "发放依据")
    assert len(detail) == roll.line_count + 2
    assert detail[-1][5] == pytest.approx(float(roll.total))
    assert any(r[6] == "特殊津贴：技术攻关" for r in detail[1:-1])


# ── the command line ─────────────────────────────────────────────────────────────────

def test_cli_draft_then_confirm_then_frozen_output_and_a_second_confirm_refused(capsys, engine, db_path, tmp_path):
    ids = _small_register(engine)
    draft = tmp_path / "draft.xlsx"
    code, out, err = run(capsys, "--db", db_path, "allowance-roll", "--month", MONTH, "--out", draft)
    assert code == 0 and err == ""
    assert "2026年10月津贴发放表：草稿" in out and "职工 3 名" in out and "合计 1466.60 元" in out
    assert load_workbook(draft)[SHEET_ROLL]["A1"].value == "2026年10月津贴发放表（草稿）"

    with unit_of_work(engine) as session:  # the draft is regenerated on the next run
        session.execute(update(Worker).where(Worker.id == ids["技师"]).values(is_team_leader=False))
    confirmed = tmp_path / "confirmed.xlsx"
    code, out, err = run(capsys, "--db", db_path, "allowance-roll", "--month", MONTH, "--out", confirmed, "--confirm")
    assert code == 0 and "已确认" in out and "合计 1166.60 元" in out
    assert load_workbook(confirmed)[SHEET_ROLL]["A1"].value == "2026年10月津贴发放表（已确认）"

    set_policy_value(engine, "allowance.skill.技师", "999", date(2026, 1, 1))
    again = tmp_path / "again.xlsx"
    code, out, err = run(capsys, "--db", db_path, "allowance-roll", "--month", MONTH, "--out", again)
    assert code == 0 and "按冻结的发放表输出" in out and "合计 1166.60 元" in out
    def rows(path):
        return list(load_workbook(path)[SHEET_ROLL].iter_rows(values_only=True))

    assert rows(again) == rows(confirmed)

    refused = tmp_path / "refused.xlsx"
    code, out, err = run(capsys, "--db", db_path, "allowance-roll", "--month", MONTH, "--out", refused, "--confirm")
    assert code == 1 and out == "" and "不能再次确认" in err and not refused.exists()


def test_cli_usage_errors_exit_2(capsys, db_path, tmp_path):
    code, _, err = run(capsys, "--db", db_path, "allowance-roll", "--month", "2026-13", "--out", tmp_path / "x.xlsx")
    assert code == 2 and "月份应写成 YYYY-MM" in err
    code, _, err = run(capsys, "--db", db_path, "allowance-roll", "--month", MONTH, "--out", tmp_path / "x.pdf")
    assert code == 2 and ".xlsx" in err
