"""Apprenticeships 师徒结对 (SPEC §3, §4): the pairing rules, their overrides, ending with a
certificate, assessments, the month rule of 带徒津贴, and `skilldesk apprentices`."""

from __future__ import annotations

from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from app.errors import FieldErrors
from app.models import Apprenticeship, Certificate
from app.models.db import unit_of_work
from app.reports.apprentices_xlsx import HEADERS, SHEET
from app.services.apprenticeships import (
    active_in_month,
    add_assessment,
    add_months,
    assessments_overdue,
    due_soon,
    end_pairing,
    list_pairings,
    masters,
    save_pairing,
)
from app.services.levels import INTERMEDIATE, SENIOR, TECHNICIAN
from app.services.policy import set_policy_value
from tests.factories import add_worker
from tests.test_cli import run

START = date(2025, 3, 1)


def problems(exc_info) -> dict[str, str]:
    return {p.field: p.message for p in exc_info.value.problems}


@pytest.fixture
def pair(engine):
    """A 技师 master (工号 M1) and an apprentice (工号 A1)."""
    master = add_worker(engine, "王师傅", rank=TECHNICIAN, employee_no="M1")
    apprentice = add_worker(engine, "李徒弟", employee_no="A1")
    return master, apprentice


def form(master, apprentice, **changes):
    values = {"master_id": master, "apprentice_id": apprentice, "kind": "企业师带徒", "start_date": START,
              "occupation": "电焊工"}
    values.update(changes)
    return values


def save(engine, master, apprentice, **changes):
    return save_pairing(engine, form(master, apprentice, **changes))


def refused(engine, values, **kwargs) -> dict[str, str]:
    with pytest.raises(FieldErrors) as exc_info:
        save_pairing(engine, values, **kwargs)
    return problems(exc_info)


def test_a_valid_pairing_is_saved_with_its_occupation(engine, pair):
    pairing_id = save(engine, *pair, target_level="高级工", agreement_no="XT-2025-01")
    [row] = list_pairings(engine, today=date(2025, 4, 1))
    assert row.id == pairing_id and row.status == "在培" and row.occupation == "电焊工"
    assert (row.master_no, row.master_name, row.master_level_name) == ("M1", "王师傅", "技师")
    assert (row.apprentice_no, row.apprentice_name, row.target_level) == ("A1", "李徒弟", SENIOR)
    assert row.override_reason == ""


def test_master_and_apprentice_must_differ(engine, pair):
    found = refused(engine, form(pair[0], pair[0]))
    assert found["apprentice_id"].startswith("徒弟：") and "同一人" in found["apprentice_id"]


def test_missing_fields_are_each_named(engine):
    found = refused(engine, {"kind": "学徒", "start_date": "2025-13-01"})
    assert found["master_id"] == "师傅：不能为空"
    assert found["apprentice_id"] == "徒弟：不能为空"
    assert found["kind"].startswith("类型：应为 企业师带徒/企业新型学徒制")
    assert found["start_date"].startswith("开始日期：")


def test_both_must_be_in_service_on_the_start_date(engine, pair):
    hired_later = add_worker(engine, "新人", hired=date(2025, 6, 1))
    gone = add_worker(engine, "已离职", left=date(2025, 2, 1), status="离职")
    found = refused(engine, form(gone, hired_later))
    assert found["master_id"].startswith("师傅：已离职") and "2025-02-01" in found["master_id"]
    assert found["apprentice_id"].startswith("徒弟：新人") and "入职日期 2025-06-01" in found["apprentice_id"]
    # Someone who left only after the start was 在职 then: an old pairing can be recorded.
    left_later = add_worker(engine, "后来离职", left=date(2025, 9, 1), status="离职")
    assert save(engine, pair[0], left_later)


def test_planned_end_must_follow_the_start(engine, pair):
    found = refused(engine, form(*pair, planned_end=START))
    assert found["planned_end"] == "计划结束日期：应晚于开始日期 2025-03-01"


def test_new_apprenticeship_needs_a_partner_and_a_term_of_one_to_three_years(engine, pair):
    found = refused(engine, form(*pair, kind="企业新型学徒制"))
    assert found["partner"].startswith("合作院校/机构：")
    assert found["planned_end"].startswith("计划结束日期：") and "1–3 年" in found["planned_end"]
    for too_short_or_long in (date(2026, 2, 28), date(2028, 3, 2)):
        found = refused(engine, form(*pair, kind="企业新型学徒制", partner="市技师学院", planned_end=too_short_or_long))
        assert set(found) == {"planned_end"}
        assert "2026-03-01 至 2028-03-01" in found["planned_end"]
    # Two apprentices: one apprentice has one master at a time.
    for boundary, apprentice in ((date(2026, 3, 1), pair[1]), (date(2028, 3, 1), add_worker(engine, "第二名"))):
        assert save(engine, pair[0], apprentice, kind="企业新型学徒制", partner="市技师学院", planned_end=boundary)


def test_the_term_follows_the_policy(engine, pair):
    set_policy_value(engine, "subsidy.apprentice.max_years", "2", date(2025, 1, 1))
    found = refused(engine, form(*pair, kind="企业新型学徒制", partner="市技师学院", planned_end=date(2028, 3, 1)))
    assert "1–2 年" in found["planned_end"]


def test_a_master_below_the_minimum_level_needs_a_reason(engine):
    master = add_worker(engine, "张三", rank=INTERMEDIATE, employee_no="1001")
    apprentice = add_worker(engine, "徒弟")
    found = refused(engine, form(master, apprentice))
    assert found["master_id"] == (
        "师傅：张三（工号 1001） 当前等级 中级工（以开始日期 2025-03-01 计），低于要求的 高级工；如确需结对，请填写超限原因"
    )
    no_level = add_worker(engine, "无证")
    assert "没有职业技能等级" in refused(engine, form(no_level, apprentice))["master_id"]

    pairing_id = save(engine, master, apprentice, override_reason="厂内唯一熟练焊工")
    [row] = list_pairings(engine, master_id=master)
    assert row.id == pairing_id and row.override_reason == "厂内唯一熟练焊工"


def test_the_level_is_judged_on_the_start_date(engine):
    master = add_worker(engine, "晋级", rank=SENIOR, rank_issued=date(2025, 6, 1))
    apprentice = add_worker(engine, "徒弟")
    assert "master_id" in refused(engine, form(master, apprentice))
    assert save(engine, master, apprentice, start_date=date(2025, 6, 1))


def test_at_most_three_apprentices_at_once_unless_a_reason_is_given(engine, pair):
    master = pair[0]
    apprentices = [add_worker(engine, f"徒弟{i}") for i in range(5)]
    for apprentice in apprentices[:3]:
        save(engine, master, apprentice)
    found = refused(engine, form(master, apprentices[3]))
    assert "已带徒 3 名，每名师傅同时至多带 3 名；如确需结对，请填写超限原因" in found["master_id"]

    fourth = save(engine, master, apprentices[3], override_reason="新产线投产，临时多带一名")
    assert {r.id: r.override_reason for r in list_pairings(engine)}[fourth] == "新产线投产，临时多带一名"
    [view] = masters(engine, today=date(2025, 4, 1))
    assert (view.name, view.level_name, view.active, view.limit, view.over_limit) == ("王师傅", "技师", 4, 3, True)
    assert set(view.apprentices) == {"徒弟0", "徒弟1", "徒弟2", "徒弟3"}


def test_editing_a_pairing_does_not_count_itself_and_a_pairing_ended_frees_a_place(engine, pair):
    master = pair[0]
    ids = [save(engine, master, add_worker(engine, f"徒弟{i}")) for i in range(3)]
    version = list_pairings(engine)[0].version
    save_pairing(engine, form(master, list_pairings(engine)[0].apprentice_id, notes="改备注"),
                 pairing_id=ids[0], expected_version=version)
    end_pairing(engine, ids[1], status="终止", on=date(2025, 5, 31), reason="徒弟调岗")
    # Still 在培 on 2025-05-31 (the day it ends frees the place), not on 2025-06-01.
    assert "master_id" in refused(engine, form(master, add_worker(engine, "早了"), start_date=date(2025, 5, 30)))
    assert save(engine, master, add_worker(engine, "接替"), start_date=date(2025, 5, 31))


def test_the_limit_follows_the_policy(engine, pair):
    set_policy_value(engine, "apprenticeship.max_apprentices", "1", date(2025, 1, 1))
    save(engine, *pair)
    assert "至多带 1 名" in refused(engine, form(pair[0], add_worker(engine, "第二名")))["master_id"]


def test_an_apprentice_has_one_master_at_a_time_unless_a_reason_is_given(engine, pair):
    master, apprentice = pair
    other = add_worker(engine, "赵师傅", rank=TECHNICIAN, employee_no="M2")
    first = save(engine, master, apprentice)
    found = refused(engine, form(other, apprentice, start_date=date(2025, 6, 1)))
    assert found == {"apprentice_id": (
        "徒弟：徒弟 李徒弟（工号 A1） 已有在培的师傅 王师傅（工号 M1）（自 2025-03-01）；如确需同时结对，请填写超限原因"
    )}
    # Editing the pairing itself does not count it against itself.
    version = list_pairings(engine)[0].version
    save_pairing(engine, form(master, apprentice, notes="改备注"), pairing_id=first, expected_version=version)
    # With a reason the second pairing is kept, reason and all.
    second = save(engine, other, apprentice, start_date=date(2025, 6, 1), override_reason="双导师培养，赵师傅带数控")
    assert {r.id: r.override_reason for r in list_pairings(engine)}[second] == "双导师培养，赵师傅带数控"


def test_a_pairing_ended_frees_the_apprentice_for_a_new_master(engine, pair):
    master, apprentice = pair
    other = add_worker(engine, "赵师傅", rank=TECHNICIAN, employee_no="M2")
    first = save(engine, master, apprentice)
    end_pairing(engine, first, status="终止", on=date(2025, 5, 31), reason="师傅调岗")
    # 在培 until the day it ends: a new master from that day on, not the day before.
    assert "已有在培的师傅" in refused(engine, form(other, apprentice, start_date=date(2025, 5, 30)))["apprentice_id"]
    assert save(engine, other, apprentice, start_date=date(2025, 5, 31))
    # A pairing that has not started yet on the start date does not count either.
    later = add_worker(engine, "新徒弟", employee_no="A2")
    save(engine, other, later, start_date=date(2025, 9, 1))
    assert save(engine, master, later, start_date=date(2025, 8, 1))


def certificate(engine, worker_id, issued=date(2026, 2, 1)) -> int:
    with unit_of_work(engine) as session:
        cert = Certificate(worker_id=worker_id, kind="职业技能等级证书", level_rank=SENIOR, issue_date=issued)
        session.add(cert)
        session.flush()
        return cert.id


def test_graduating_needs_the_apprentices_own_certificate(engine, pair):
    pairing_id = save(engine, *pair)
    with pytest.raises(FieldErrors) as exc_info:
        end_pairing(engine, pairing_id, status="已出师", on=date(2026, 3, 1))
    assert problems(exc_info)["outcome_certificate_id"].startswith("出师证书：")

    others = certificate(engine, add_worker(engine, "别人", employee_no="X9"))
    with pytest.raises(FieldErrors) as exc_info:
        end_pairing(engine, pairing_id, status="已出师", on=date(2026, 3, 1), outcome_certificate_id=others)
    assert problems(exc_info)["outcome_certificate_id"] == (
        "出师证书：该证书属于职工 别人（工号 X9），不是徒弟 李徒弟（工号 A1） 的证书"
    )
    before = certificate(engine, pair[1], issued=date(2024, 1, 1))
    with pytest.raises(FieldErrors) as exc_info:
        end_pairing(engine, pairing_id, status="已出师", on=date(2026, 3, 1), outcome_certificate_id=before)
    assert "早于结对开始日期" in problems(exc_info)["outcome_certificate_id"]

    own = certificate(engine, pair[1])
    end_pairing(engine, pairing_id, status="已出师", on=date(2026, 3, 1), outcome_certificate_id=own)
    [row] = list_pairings(engine, status="已出师")
    assert (row.status, row.ended_on, row.outcome_certificate_id, row.next_assessment_due) == (
        "已出师", date(2026, 3, 1), own, None
    )
    with pytest.raises(FieldErrors) as exc_info:
        end_pairing(engine, pairing_id, status="终止", on=date(2026, 4, 1), reason="重复")
    assert problems(exc_info)["status"].startswith("结束方式：该结对已于 2026-03-01 已出师")


def test_ending_is_not_before_the_start_and_termination_keeps_its_reason(engine, pair):
    pairing_id = save(engine, *pair)
    with pytest.raises(FieldErrors) as exc_info:
        end_pairing(engine, pairing_id, status="终止", on=date(2025, 2, 28))
    found = problems(exc_info)
    assert found["on"] == "结束日期：早于开始日期 2025-03-01"
    assert found["reason"] == "终止原因：终止须填写原因"
    with pytest.raises(FieldErrors) as exc_info:
        end_pairing(engine, pairing_id, status="暂停", on=date(2025, 4, 1))
    assert problems(exc_info)["status"].startswith("结束方式：应为 已出师/终止")

    end_pairing(engine, pairing_id, status="终止", on=START, reason="徒弟离职")
    with unit_of_work(engine) as session:
        stored = session.scalars(select(Apprenticeship)).one()
        assert (stored.status, stored.ended_on, stored.notes) == ("终止", START, "终止原因：徒弟离职")


def test_assessments_are_dated_within_the_pairing_and_not_in_the_future(engine, pair):
    pairing_id = save(engine, *pair)
    today = date(2025, 7, 1)
    for day, message in ((None, "考核日期：不能为空"), (date(2025, 2, 1), "考核日期：早于结对开始日期 2025-03-01"),
                         (date(2025, 7, 2), "考核日期：晚于今天")):
        with pytest.raises(FieldErrors) as exc_info:
            add_assessment(engine, pairing_id, {"assessed_on": day}, today=today)
        assert problems(exc_info)["assessed_on"] == message
    add_assessment(engine, pairing_id, {"assessed_on": date(2025, 5, 20), "content": "平焊", "result": "合格",
                                        "assessor": "车间主任"}, today=today)
    [row] = list_pairings(engine, today=today)
    assert row.last_assessed_on == date(2025, 5, 20) and row.next_assessment_due == date(2025, 8, 20)
    assert not row.overdue


def test_overdue_assessments(engine, pair):
    never = save(engine, *pair)  # next due 2025-06-01
    assessed = save(engine, pair[0], add_worker(engine, "已考核"))
    add_assessment(engine, assessed, {"assessed_on": date(2025, 5, 1)}, today=date(2025, 5, 1))
    assert assessments_overdue(engine, today=date(2025, 6, 1)) == []
    assert [r.id for r in assessments_overdue(engine, today=date(2025, 6, 2))] == [never]
    assert {r.id for r in assessments_overdue(engine, today=date(2025, 8, 2))} == {never, assessed}
    end_pairing(engine, never, status="终止", on=date(2025, 7, 1), reason="调岗")
    assert [r.id for r in assessments_overdue(engine, today=date(2025, 8, 2))] == [assessed]


def test_due_soon_lists_active_pairings_ending_within_the_window(engine, pair):
    soon = save(engine, *pair, planned_end=date(2026, 3, 31))
    save(engine, pair[0], add_worker(engine, "晚些"), planned_end=date(2026, 6, 1))
    save(engine, pair[0], add_worker(engine, "无计划"))
    assert [r.id for r in due_soon(engine, today=date(2026, 3, 1))] == [soon]
    assert [r.id for r in due_soon(engine, today=date(2026, 3, 31), days=0)] == [soon]
    assert due_soon(engine, today=date(2026, 4, 1)) == []


def test_active_in_month_counts_any_day_of_the_month(engine, pair):
    master = pair[0]
    ends_mid_month = save(engine, master, pair[1], start_date=date(2025, 1, 10))
    end_pairing(engine, ends_mid_month, status="终止", on=date(2025, 5, 15), reason="调岗")
    starts_next_month = save(engine, master, add_worker(engine, "六月起"), start_date=date(2025, 6, 1))
    starts_last_day = save(engine, master, add_worker(engine, "月末起"), start_date=date(2025, 5, 31))

    with engine.connect() as conn:
        may = active_in_month(conn, date(2025, 5, 1), date(2025, 5, 31))
        june = active_in_month(conn, date(2025, 6, 1), date(2025, 6, 30))
    assert [(p.pairing_id, p.master_id, p.apprentice_name) for p in may] == [
        (ends_mid_month, master, "李徒弟"), (starts_last_day, master, "月末起"),
    ]
    assert {p.pairing_id for p in june} == {starts_last_day, starts_next_month}


def test_add_months_keeps_the_day_or_takes_the_months_last():
    assert add_months(date(2025, 11, 30), 3) == date(2026, 2, 28)
    assert add_months(date(2025, 3, 1), 12) == date(2026, 3, 1)


def test_cli_writes_the_list(capsys, engine, db_path, tmp_path, pair):
    save(engine, *pair)
    ended = save(engine, pair[0], add_worker(engine, "=出师", employee_no="A2"))
    end_pairing(engine, ended, status="已出师", on=date(2026, 3, 1),
                outcome_certificate_id=certificate(engine, list_pairings(engine)[1].apprentice_id))
    out = tmp_path / "师徒结对.xlsx"

    code, stdout, stderr = run(capsys, "--db", db_path, "apprentices", "--out", out)
    assert code == 0 and stderr == ""
    assert stdout.strip() == f"已导出师徒结对 2 对：{out}"
    sheet = load_workbook(out)[SHEET]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == HEADERS
    assert rows[1][:6] == ("M1", "王师傅", "技师", "A1", "李徒弟", "企业师带徒")
    assert rows[2][4] == "=出师" and rows[2][9] == "已出师"

    code, stdout, _ = run(capsys, "--db", db_path, "apprentices", "--status", "在培", "--out", out)
    assert code == 0 and "已导出师徒结对 1 对" in stdout


def test_cli_refuses_a_bad_status_as_a_usage_error(capsys, db_path, tmp_path):
    code, _, stderr = run(capsys, "--db", db_path, "apprentices", "--status", "进行中",
                          "--out", tmp_path / "x.xlsx")
    assert code == 2 and "用法错误" in stderr and "无效的选择" in stderr
    assert not (tmp_path / "x.xlsx").exists()
